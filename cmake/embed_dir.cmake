# cmake -DDIR=folder -DOUT=file.c -DNAME=symbol -P embed_dir.cmake
# Writes a C file holding every DIR/*.yml, sorted by name, as
# `const char *const NAME_names[]` (the file names without .yml),
# `const char *const NAME_texts[]` (NUL-terminated), `const size_t
# NAME_sizes[]` and `const size_t NAME_count`: shipped data, one file per
# entry, that needs no install path.
file (GLOB files ${DIR}/*.yml)
list (SORT files)
set (arrays "")
set (names "")
set (texts "")
set (sizes "")
set (n 0)
foreach (f ${files})
    get_filename_component (base ${f} NAME_WE)
    file (READ ${f} hex HEX)
    string (LENGTH "${hex}" hexlen)
    math (EXPR size "${hexlen} / 2")
    string (REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
    string (REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
    string (APPEND arrays "static const char s_${n}[] = {\n${bytes}0x00};\n")
    string (APPEND names "\"${base}\", ")
    string (APPEND texts "s_${n}, ")
    string (APPEND sizes "${size}, ")
    math (EXPR n "${n} + 1")
endforeach ()
file (WRITE ${OUT} "/* generated from the .yml files of ${DIR}; do not edit */\n#include <stddef.h>\n"
      "extern const char *const ${NAME}_names[];\nextern const char *const ${NAME}_texts[];\n"
      "extern const size_t ${NAME}_sizes[];\nextern const size_t ${NAME}_count;\n"
      "${arrays}"
      "const char *const ${NAME}_names[] = { ${names}NULL };\n"
      "const char *const ${NAME}_texts[] = { ${texts}NULL };\n"
      "const size_t ${NAME}_sizes[] = { ${sizes}0 };\n"
      "const size_t ${NAME}_count = ${n};\n")
