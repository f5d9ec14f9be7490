/*  Tests for common/crc32c: the check value, chaining, and the software
    and SSE4.2 paths against a bit-by-bit reference.  */
#include "common/crc32c.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

//  The definition itself, one bit at a time: the reference both fast
//  paths must agree with.
static uint32_t
s_crc_bitwise (uint32_t crc, const uint8_t *p, size_t size)
{
    crc = ~crc;
    while (size--) {
        crc ^= *p++;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ ((crc & 1)? 0x82F63B78u: 0);
    }
    return ~crc;
}

//  A small deterministic generator, so a failure can be replayed.
static uint32_t
s_next (uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t) (*state >> 33);
}

Test (crc32c, check_value)
{
    const char *text = "123456789";
    cr_assert_eq (crc32c (0, text, 9), 0xE3069283u);
    cr_assert_eq (crc32c_sw (0, text, 9), 0xE3069283u);
    cr_assert_eq (crc32c_hw (0, text, 9), 0xE3069283u);
    cr_assert_eq (s_crc_bitwise (0, (const uint8_t *) text, 9), 0xE3069283u);
    //  Empty input leaves the running value alone.
    cr_assert_eq (crc32c (0, "", 0), 0);
    cr_assert_eq (crc32c (0x12345678, NULL, 0), 0x12345678);
}

Test (crc32c, known_vectors_from_rfc3720)
{
    //  iSCSI (RFC 3720, B.4): 32 bytes of zeros, of 0xff, ascending.
    uint8_t buf [32];
    memset (buf, 0, sizeof buf);
    cr_assert_eq (crc32c_sw (0, buf, 32), 0x8A9136AAu);
    cr_assert_eq (crc32c_hw (0, buf, 32), 0x8A9136AAu);
    memset (buf, 0xff, sizeof buf);
    cr_assert_eq (crc32c_sw (0, buf, 32), 0x62A8AB43u);
    cr_assert_eq (crc32c_hw (0, buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf [i] = (uint8_t) i;
    cr_assert_eq (crc32c_sw (0, buf, 32), 0x46DD794Eu);
    cr_assert_eq (crc32c_hw (0, buf, 32), 0x46DD794Eu);
}

Test (crc32c, both_paths_agree_on_random_buffers_at_every_alignment)
{
    enum { MAX = 1100 };
    uint8_t *buf = malloc (MAX + 8);
    cr_assert_not_null (buf);
    uint64_t state = 42;
    for (size_t i = 0; i < MAX + 8; i++)
        buf [i] = (uint8_t) s_next (&state);
    for (int round = 0; round < 400; round++) {
        size_t start = s_next (&state) % 8;
        size_t size = s_next (&state) % MAX;
        uint32_t seed = (round & 1)? s_next (&state): 0;
        uint32_t want = s_crc_bitwise (seed, buf + start, size);
        cr_assert_eq (crc32c_sw (seed, buf + start, size), want,
                      "software, start %zu size %zu", start, size);
        cr_assert_eq (crc32c_hw (seed, buf + start, size), want,
                      "hardware, start %zu size %zu", start, size);
        cr_assert_eq (crc32c (seed, buf + start, size), want);
    }
    free (buf);
}

Test (crc32c, chaining_equals_one_pass)
{
    const char *text = "the journal is the source of truth";
    size_t size = strlen (text);
    uint32_t whole = crc32c (0, text, size);
    for (size_t cut = 0; cut <= size; cut++) {
        uint32_t part = crc32c (0, text, cut);
        cr_assert_eq (crc32c (part, text + cut, size - cut), whole);
        cr_assert_eq (crc32c_sw (crc32c_sw (0, text, cut), text + cut,
                                 size - cut), whole);
    }
}

Test (crc32c, a_single_flipped_bit_changes_the_sum)
{
    uint8_t buf [64];
    for (int i = 0; i < 64; i++)
        buf [i] = (uint8_t) (i * 7);
    uint32_t good = crc32c (0, buf, sizeof buf);
    for (int bit = 0; bit < 64 * 8; bit++) {
        buf [bit / 8] ^= (uint8_t) (1u << (bit % 8));
        cr_assert_neq (crc32c (0, buf, sizeof buf), good);
        buf [bit / 8] ^= (uint8_t) (1u << (bit % 8));
    }
}
