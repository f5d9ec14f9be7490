# cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
# Writes a C file holding IN's bytes as `const char NAME[]` (NUL-terminated)
# and `const size_t NAME_size`, so shipped data needs no install path.
file (READ ${IN} hex HEX)
string (LENGTH "${hex}" hexlen)
math (EXPR size "${hexlen} / 2")
string (REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string (REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file (WRITE ${OUT} "/* generated from ${IN}; do not edit */\n#include <stddef.h>\n"
      "extern const char ${NAME}[];\nextern const size_t ${NAME}_size;\n"
      "const char ${NAME}[] = {\n${bytes}0x00};\nconst size_t ${NAME}_size = ${size};\n")
