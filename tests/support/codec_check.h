/*  tests/support/codec_check.h - checks shared by the codec tests.  */
#ifndef CODEC_CHECK_H_INCLUDED
#define CODEC_CHECK_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

//  Every map value in the encoding buf, swapped in turn for a value of
//  another type, must make decode fail with EPROTO (asserted). Returns
//  how many fields were tried.
int tu_check_wrong_types (const uint8_t *buf, size_t size,
                          int (*decode) (void *, const uint8_t *, size_t), void *out);

#endif
