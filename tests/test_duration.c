/*  Tests for common/duration: reading durations with units, writing them
    back.  */
#include "common/duration.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

Test (duration, parses_every_unit_and_plain_milliseconds)
{
    static const struct {
        const char *text;
        int64_t ms;
    } cases [] = {
        { "0", 0 }, { "250", 250 }, { "100ms", 100 }, { "10s", 10000 },
        { "5m", 300000 }, { "2h", 7200000 }, { "7d", 604800000 },
        { "2.5s", 2500 }, { "1.25s", 1250 }, { "0.5m", 30000 },
        { "1.0ms", 1 }, { "1.500s", 1500 }, { "10 s", 10000 },
        { "007s", 7000 }, { "90d", 7776000000LL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        int64_t ms = -1;
        cr_assert_eq (duration_parse (cases [i].text, &ms), 0, "%s", cases [i].text);
        cr_assert_eq (ms, cases [i].ms, "%s gave %lld", cases [i].text, (long long) ms);
    }
}

Test (duration, refuses_bad_text_and_leaves_output_alone)
{
    static const char *bad [] = {
        "", " ", "s", "ms", "-5s", "+5s", "5x", "5 sec", "5S", "1.s", ".5s",
        "0.5ms", "1.0001s", "1.5", "10 ", "5s5", "1m30s", "abc", "1e3",
        "0x10", "5 ms extra",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        int64_t ms = 42;
        errno = 0;
        cr_assert_eq (duration_parse (bad [i], &ms), -1, "'%s' parsed", bad [i]);
        cr_assert_eq (errno, EINVAL, "'%s': errno %d", bad [i], errno);
        cr_assert_eq (ms, 42);
    }
    int64_t ms = 42;
    cr_assert_eq (duration_parse (NULL, &ms), -1);
}

Test (duration, reports_overflow_as_erange)
{
    int64_t ms = 0;
    //  INT64_MAX ms is fine; one more, or the same count of days, is not.
    cr_assert_eq (duration_parse ("9223372036854775807", &ms), 0);
    cr_assert_eq (ms, INT64_MAX);
    errno = 0;
    cr_assert_eq (duration_parse ("9223372036854775808", &ms), -1);
    cr_assert_eq (errno, ERANGE);
    errno = 0;
    cr_assert_eq (duration_parse ("9223372036854775807d", &ms), -1);
    cr_assert_eq (errno, ERANGE);
    errno = 0;
    cr_assert_eq (duration_parse ("106751991168d", &ms), -1);   //  just over
    cr_assert_eq (errno, ERANGE);
    cr_assert_eq (duration_parse ("106751991167d", &ms), 0);    //  just under
    cr_assert_eq (ms, 106751991167LL * 86400000);
}

Test (duration, formats_with_the_largest_exact_unit)
{
    static const struct {
        int64_t ms;
        const char *text;
    } cases [] = {
        { 0, "0s" }, { 1, "1ms" }, { 999, "999ms" }, { 1000, "1s" },
        { 1500, "1.5s" }, { 1001, "1.001s" }, { 2500, "2.5s" },
        { 60000, "1m" }, { 90000, "90s" }, { 300000, "5m" },
        { 3600000, "1h" }, { 5400000, "90m" }, { 604800000, "7d" },
        { 86400001, "86400.001s" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char buf [DURATION_FORMAT_SIZE];
        cr_assert_eq (duration_format (cases [i].ms, buf, sizeof buf), 0);
        cr_assert_str_eq (buf, cases [i].text);
    }
}

Test (duration, format_then_parse_gives_the_same_value)
{
    static const int64_t values [] = {
        0, 1, 7, 999, 1000, 1001, 1999, 61000, 86399999, 86400000,
        123456789012LL, INT64_MAX, INT64_MAX - 1, INT64_MAX / 1000 * 1000,
    };
    for (size_t i = 0; i < sizeof values / sizeof values [0]; i++) {
        char buf [DURATION_FORMAT_SIZE];
        cr_assert_eq (duration_format (values [i], buf, sizeof buf), 0);
        int64_t back = -1;
        cr_assert_eq (duration_parse (buf, &back), 0, "%s", buf);
        cr_assert_eq (back, values [i], "%s", buf);
    }
}

Test (duration, format_refuses_negative_and_short_buffers)
{
    char buf [DURATION_FORMAT_SIZE];
    errno = 0;
    cr_assert_eq (duration_format (-1, buf, sizeof buf), -1);
    cr_assert_eq (errno, EINVAL);
    char small [3];
    errno = 0;
    cr_assert_eq (duration_format (2500, small, sizeof small), -1);
    cr_assert_eq (errno, ENOBUFS);
    cr_assert_eq (duration_format (5000, small, sizeof small), 0);
    cr_assert_str_eq (small, "5s");
}
