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

//  Asserts that buf holds exactly the bytes written in hex in expected;
//  what names the encoding in the failure message.
void tu_assert_bytes (const char *what, const uint8_t *buf, size_t size,
                      const char *expected);

#endif
