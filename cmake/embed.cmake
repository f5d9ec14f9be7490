# cmake -DIN="a.yml;b.yml" -DOUT=file.c -DNAME=symbol -P embed.cmake
# Writes a C file holding the bytes of the IN files, one after the other,
# as `const char *const NAME` (NUL-terminated; the bytes are unsigned, so
# UTF-8 text needs no casts) and `const size_t NAME_size`, so
# shipped data needs no install path. YAML files that are each a map of
# distinct top-level keys concatenate into one map.
set (hex "")
foreach (file ${IN})
    file (READ ${file} part HEX)
    string (APPEND hex "${part}")
    # a file that does not end its last line would join the next one's first
    string (LENGTH "${part}" partlen)
    if (partlen GREATER 1)
        math (EXPR last "${partlen} - 2")
        string (SUBSTRING "${part}" ${last} 2 tail)
        if (NOT tail STREQUAL "0a")
            string (APPEND hex "0a")
        endif ()
    endif ()
endforeach ()
string (LENGTH "${hex}" hexlen)
math (EXPR size "${hexlen} / 2")
string (REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string (REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file (WRITE ${OUT} "/* generated from ${IN}; do not edit */\n#include <stddef.h>\n"
      "extern const char *const ${NAME};\nextern const size_t ${NAME}_size;\n"
      "static const unsigned char s_bytes[] = {\n${bytes}0x00};\n"
      "const char *const ${NAME} = (const char *) s_bytes;\n"
      "const size_t ${NAME}_size = ${size};\n")
