/*  tests/fuzz/fuzz_certfile.c - libFuzzer target for common/certfile's ZPL
    reader, the one piece of czmq's format we read by hand: any text gets
    a found/absent/invalid answer, and a value found fits and ends.  */
#include "common/certfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *text = malloc (size + 1);
    if (!text)
        return 0;
    memcpy (text, data, size);
    text [size] = 0;
    static const char *const paths [] = { "/curve/public-key", "/curve/secret-key",
        "/metadata/name", "/", "curve", NULL };
    for (size_t i = 0; paths [i]; i++) {
        char value [48];
        memset (value, 'x', sizeof value);
        errno = 0;
        int rc = certfile_zpl_get (text, paths [i], value, sizeof value);
        S_ENSURE (rc == 1 || rc == 0 || (rc == -1 && errno == EPROTO));
        if (rc == 1)
            S_ENSURE (memchr (value, 0, sizeof value));
    }
    free (text);
    return 0;
}
