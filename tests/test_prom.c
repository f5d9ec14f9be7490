/*  tests/test_prom.c - the metrics registry: registration rules, updates,
    and the text exposition format 0.0.4 written out exactly.  */
#include "common/prom.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static prom_t *
s_registry (void)
{
    prom_t *reg = prom_new ();
    cr_assert_not_null (reg);
    return reg;
}

//  The registry's text; the test frees it.
static char *
s_render (prom_t *reg)
{
    size_t size = 0;
    char *text = prom_render (reg, &size);
    cr_assert_not_null (text);
    cr_assert_eq (size, strlen (text));
    return text;
}

Test (prom, new_and_destroy_nulls_the_pointer)
{
    prom_t *reg = s_registry ();
    prom_destroy (&reg);
    cr_assert_null (reg);
    prom_destroy (&reg);            //  NULL is fine
}

Test (prom, empty_registry_renders_empty_text)
{
    prom_t *reg = s_registry ();
    char *text = s_render (reg);
    cr_assert_str_eq (text, "");
    free (text);
    prom_destroy (&reg);
}

Test (prom, counter_with_labels_in_creation_order)
{
    prom_t *reg = s_registry ();
    const char *labels [] = { "outcome", "priority" };
    cr_assert_eq (prom_register (reg, "jobs_total", PROM_COUNTER, "Jobs finished.",
                                 labels, 2, NULL, 0), 0);
    //  Labelled families show no series until one is updated.
    char *text = s_render (reg);
    cr_assert_str_eq (text, "# HELP jobs_total Jobs finished.\n# TYPE jobs_total counter\n");
    free (text);

    cr_assert_eq (prom_counter_add (reg, "jobs_total", PROM_LABELS ("failed", "low"), 1), 0);
    cr_assert_eq (prom_counter_add (reg, "jobs_total", PROM_LABELS ("completed", "high"), 2), 0);
    cr_assert_eq (prom_counter_add (reg, "jobs_total", PROM_LABELS ("failed", "low"), 3), 0);
    cr_assert_eq (prom_counter_add (reg, "jobs_total", PROM_LABELS ("completed", "low"), 0), 0);
    text = s_render (reg);
    cr_assert_str_eq (text,
        "# HELP jobs_total Jobs finished.\n"
        "# TYPE jobs_total counter\n"
        "jobs_total{outcome=\"failed\",priority=\"low\"} 4\n"
        "jobs_total{outcome=\"completed\",priority=\"high\"} 2\n"
        "jobs_total{outcome=\"completed\",priority=\"low\"} 0\n");
    free (text);
    double value = 0;
    cr_assert_eq (prom_value (reg, "jobs_total", PROM_LABELS ("failed", "low"), &value), 0);
    cr_assert_eq (value, 4);
    prom_destroy (&reg);
}

Test (prom, families_without_labels_start_at_zero)
{
    prom_t *reg = s_registry ();
    cr_assert_eq (prom_register (reg, "up", PROM_GAUGE, "1 while serving.", NULL, 0, NULL, 0), 0);
    cr_assert_eq (prom_register (reg, "bytes_total", PROM_COUNTER, "Bytes written.",
                                 NULL, 0, NULL, 0), 0);
    char *text = s_render (reg);
    cr_assert_str_eq (text,
        "# HELP up 1 while serving.\n# TYPE up gauge\nup 0\n"
        "# HELP bytes_total Bytes written.\n# TYPE bytes_total counter\nbytes_total 0\n");
    free (text);
    cr_assert_eq (prom_gauge_set (reg, "up", NULL, 1), 0);
    cr_assert_eq (prom_counter_add (reg, "bytes_total", NULL, 4096), 0);
    cr_assert_eq (prom_counter_add (reg, "bytes_total", NULL, 512.5), 0);
    text = s_render (reg);
    cr_assert_str_eq (text,
        "# HELP up 1 while serving.\n# TYPE up gauge\nup 1\n"
        "# HELP bytes_total Bytes written.\n# TYPE bytes_total counter\nbytes_total 4608.5\n");
    free (text);
    prom_destroy (&reg);
}

Test (prom, gauge_set_and_add)
{
    prom_t *reg = s_registry ();
    const char *labels [] = { "priority" };
    cr_assert_eq (prom_register (reg, "depth", PROM_GAUGE, "Queued.", labels, 1, NULL, 0), 0);
    cr_assert_eq (prom_gauge_set (reg, "depth", PROM_LABELS ("high"), 7), 0);
    cr_assert_eq (prom_gauge_add (reg, "depth", PROM_LABELS ("high"), -3), 0);
    cr_assert_eq (prom_gauge_add (reg, "depth", PROM_LABELS ("low"), -2), 0);
    char *text = s_render (reg);
    cr_assert_str_eq (text,
        "# HELP depth Queued.\n# TYPE depth gauge\n"
        "depth{priority=\"high\"} 4\ndepth{priority=\"low\"} -2\n");
    free (text);
    prom_destroy (&reg);
}

//  Buckets 0.125 and 1 (both exact in binary); observations 0.0625,
//  0.125 (on the bound: counts as <= 0.125), 0.5 and 4. Cumulative:
//  le=0.125 -> 2, le=1 -> 3, +Inf -> 4; sum 4.6875.
Test (prom, histogram_is_cumulative_with_sum_and_count)
{
    prom_t *reg = s_registry ();
    const char *labels [] = { "component" };
    const double buckets [] = { 0.125, 1 };
    cr_assert_eq (prom_register (reg, "step_seconds", PROM_HISTOGRAM, "Step time.",
                                 labels, 1, buckets, 2), 0);
    const double seen [] = { 0.0625, 0.125, 0.5, 4 };
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq (prom_histogram_observe (reg, "step_seconds", PROM_LABELS ("parser"),
                                              seen [i]), 0);
    cr_assert_eq (prom_histogram_observe (reg, "step_seconds", PROM_LABELS ("detector"), 2), 0);
    char *text = s_render (reg);
    cr_assert_str_eq (text,
        "# HELP step_seconds Step time.\n"
        "# TYPE step_seconds histogram\n"
        "step_seconds_bucket{component=\"parser\",le=\"0.125\"} 2\n"
        "step_seconds_bucket{component=\"parser\",le=\"1\"} 3\n"
        "step_seconds_bucket{component=\"parser\",le=\"+Inf\"} 4\n"
        "step_seconds_sum{component=\"parser\"} 4.6875\n"
        "step_seconds_count{component=\"parser\"} 4\n"
        "step_seconds_bucket{component=\"detector\",le=\"0.125\"} 0\n"
        "step_seconds_bucket{component=\"detector\",le=\"1\"} 0\n"
        "step_seconds_bucket{component=\"detector\",le=\"+Inf\"} 1\n"
        "step_seconds_sum{component=\"detector\"} 2\n"
        "step_seconds_count{component=\"detector\"} 1\n");
    free (text);
    double count = 0;
    cr_assert_eq (prom_value (reg, "step_seconds", PROM_LABELS ("parser"), &count), 0);
    cr_assert_eq (count, 4);
    prom_destroy (&reg);
}

Test (prom, histogram_without_labels_has_only_le)
{
    prom_t *reg = s_registry ();
    const double buckets [] = { 0.0001, 0.01 };
    cr_assert_eq (prom_register (reg, "fsync_seconds", PROM_HISTOGRAM, "fsync time.",
                                 NULL, 0, buckets, 2), 0);
    cr_assert_eq (prom_histogram_observe (reg, "fsync_seconds", NULL, 0.00390625), 0);
    cr_assert_eq (prom_histogram_observe (reg, "fsync_seconds", NULL, -1), 0);
    char *text = s_render (reg);
    //  -1 is below every bound; 2^-8 falls in le=0.01; the sum is
    //  2^-8 - 1 = -0.99609375, exact in binary.
    cr_assert_str_eq (text,
        "# HELP fsync_seconds fsync time.\n"
        "# TYPE fsync_seconds histogram\n"
        "fsync_seconds_bucket{le=\"0.0001\"} 1\n"
        "fsync_seconds_bucket{le=\"0.01\"} 2\n"
        "fsync_seconds_bucket{le=\"+Inf\"} 2\n"
        "fsync_seconds_sum -0.99609375\n"
        "fsync_seconds_count 2\n");
    free (text);
    prom_destroy (&reg);
}

Test (prom, label_values_and_help_are_escaped)
{
    prom_t *reg = s_registry ();
    const char *labels [] = { "path" };
    cr_assert_eq (prom_register (reg, "odd", PROM_GAUGE,
                                 "Back\\slash, \"quotes\" and a\nnewline.", labels, 1, NULL, 0), 0);
    cr_assert_eq (prom_gauge_set (reg, "odd", PROM_LABELS ("C:\\dir \"x\"\nend"), 1), 0);
    cr_assert_eq (prom_gauge_set (reg, "odd", PROM_LABELS (""), 2), 0);
    char *text = s_render (reg);
    //  HELP escapes \ and newline only; label values also escape ".
    cr_assert_str_eq (text,
        "# HELP odd Back\\\\slash, \"quotes\" and a\\nnewline.\n"
        "# TYPE odd gauge\n"
        "odd{path=\"C:\\\\dir \\\"x\\\"\\nend\"} 1\n"
        "odd{path=\"\"} 2\n");
    free (text);
    prom_destroy (&reg);
}

Test (prom, numbers_are_shortest_round_trip)
{
    prom_t *reg = s_registry ();
    const char *labels [] = { "v" };
    cr_assert_eq (prom_register (reg, "g", PROM_GAUGE, "h", labels, 1, NULL, 0), 0);
    struct { const char *label; double value; const char *text; } cases [] = {
        { "tenth", 0.1, "0.1" },
        { "third", 1.0 / 3.0, "0.3333333333333333" },
        { "big", 9007199254740992.0, "9007199254740992" },
        { "huge", 1e21, "1e+21" },
        { "tiny", 0.0001, "0.0001" },
        { "tinier", 0.00001, "1e-05" },
        { "ten", 10, "10" },
        { "zero", 0, "0" },
        { "mixed", 4608.5, "4608.5" },
        { "e20", 1e20, "100000000000000000000" },
        { "smallish", 0.00025, "0.00025" },
        { "long", 1234.5678e-8, "1.2345678e-05" },
        { "neg", -2.5, "-2.5" },
        { "inf", INFINITY, "+Inf" },
        { "ninf", -INFINITY, "-Inf" },
    };
    size_t count = sizeof cases / sizeof cases [0];
    for (size_t i = 0; i < count; i++)
        cr_assert_eq (prom_gauge_set (reg, "g", PROM_LABELS (cases [i].label), cases [i].value), 0);
    char *text = s_render (reg);
    for (size_t i = 0; i < count; i++) {
        char line [128];
        snprintf (line, sizeof line, "\ng{v=\"%s\"} %s\n", cases [i].label, cases [i].text);
        cr_expect_not_null (strstr (text, line), "missing %s in:\n%s", line, text);
    }
    free (text);
    prom_destroy (&reg);
}

Test (prom, register_refuses_bad_families)
{
    prom_t *reg = s_registry ();
    const double good [] = { 1, 2 };
    const double flat [] = { 1, 1 };
    const double down [] = { 2, 1 };
    const double inf [] = { 1, INFINITY };
    const double nan_ [] = { NAN };
    const char *le [] = { "le" };
    const char *reserved [] = { "__name" };
    const char *twice [] = { "a", "a" };
    const char *digit [] = { "1a" };
    const char *colon [] = { "a:b" };
    const char *null_label [] = { NULL };

    errno = 0;
    cr_expect_eq (prom_register (reg, "", PROM_GAUGE, "h", NULL, 0, NULL, 0), -1);
    cr_expect_eq (errno, EINVAL);
    cr_expect_eq (prom_register (reg, NULL, PROM_GAUGE, "h", NULL, 0, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "9lives", PROM_GAUGE, "h", NULL, 0, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "has-dash", PROM_GAUGE, "h", NULL, 0, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "g", PROM_GAUGE, NULL, NULL, 0, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "g", (prom_type_t) 7, "h", NULL, 0, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "g", PROM_GAUGE, "h", reserved, 1, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "g", PROM_GAUGE, "h", twice, 2, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "g", PROM_GAUGE, "h", digit, 1, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "g", PROM_GAUGE, "h", colon, 1, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "g", PROM_GAUGE, "h", null_label, 1, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "g", PROM_GAUGE, "h", NULL, 1, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "g", PROM_GAUGE, "h", NULL, 0, good, 2), -1);
    cr_expect_eq (prom_register (reg, "h", PROM_HISTOGRAM, "h", NULL, 0, NULL, 0), -1);
    cr_expect_eq (prom_register (reg, "h", PROM_HISTOGRAM, "h", NULL, 0, flat, 2), -1);
    cr_expect_eq (prom_register (reg, "h", PROM_HISTOGRAM, "h", NULL, 0, down, 2), -1);
    cr_expect_eq (prom_register (reg, "h", PROM_HISTOGRAM, "h", NULL, 0, inf, 2), -1);
    cr_expect_eq (prom_register (reg, "h", PROM_HISTOGRAM, "h", NULL, 0, nan_, 1), -1);
    cr_expect_eq (prom_register (reg, "h", PROM_HISTOGRAM, "h", le, 1, good, 2), -1);
    //  None of those left a family behind.
    char *text = s_render (reg);
    cr_expect_str_eq (text, "");
    free (text);

    //  "le" is an ordinary label outside histograms; colons are fine in names.
    cr_expect_eq (prom_register (reg, "ns:g", PROM_GAUGE, "h", le, 1, NULL, 0), 0);
    cr_expect_eq (prom_register (reg, "ns:g", PROM_COUNTER, "h", NULL, 0, NULL, 0), -1);
    cr_expect_eq (errno, EEXIST);
    prom_destroy (&reg);
}

Test (prom, updates_refuse_misuse)
{
    prom_t *reg = s_registry ();
    const char *labels [] = { "a", "b" };
    const double buckets [] = { 1 };
    cr_assert_eq (prom_register (reg, "c_total", PROM_COUNTER, "h", labels, 2, NULL, 0), 0);
    cr_assert_eq (prom_register (reg, "g", PROM_GAUGE, "h", NULL, 0, NULL, 0), 0);
    cr_assert_eq (prom_register (reg, "h", PROM_HISTOGRAM, "h", NULL, 0, buckets, 1), 0);

    errno = 0;
    cr_expect_eq (prom_counter_add (reg, "nope", PROM_LABELS ("x", "y"), 1), -1);
    cr_expect_eq (errno, ENOENT);
    cr_expect_eq (prom_gauge_set (reg, "c_total", PROM_LABELS ("x", "y"), 1), -1);
    cr_expect_eq (errno, EINVAL);
    cr_expect_eq (prom_histogram_observe (reg, "g", NULL, 1), -1);
    cr_expect_eq (errno, EINVAL);
    cr_expect_eq (prom_counter_add (reg, "c_total", PROM_LABELS ("x", "y"), -1), -1);
    cr_expect_eq (errno, EINVAL);
    cr_expect_eq (prom_counter_add (reg, "c_total", PROM_LABELS ("x", "y"), NAN), -1);
    cr_expect_eq (prom_counter_add (reg, "c_total", PROM_LABELS ("x", NULL), 1), -1);
    cr_expect_eq (errno, EINVAL);
    cr_expect_eq (prom_counter_add (reg, "c_total", NULL, 1), -1);
    cr_expect_eq (errno, EINVAL);
    cr_expect_eq (prom_gauge_set (reg, "g", NULL, NAN), -1);
    cr_expect_eq (prom_gauge_add (reg, "g", NULL, NAN), -1);
    cr_expect_eq (prom_histogram_observe (reg, "h", NULL, NAN), -1);
    cr_expect_eq (errno, EINVAL);

    //  Refused updates changed nothing.
    double value = -1;
    cr_expect_eq (prom_value (reg, "c_total", PROM_LABELS ("x", "y"), &value), -1);
    cr_expect_eq (errno, ENOENT);
    cr_expect_eq (prom_value (reg, "g", NULL, &value), 0);
    cr_expect_eq (value, 0);
    cr_expect_eq (prom_value (reg, "h", NULL, &value), 0);
    cr_expect_eq (value, 0);
    cr_expect_eq (prom_value (reg, "nope", NULL, &value), -1);
    cr_expect_eq (errno, ENOENT);
    prom_destroy (&reg);
}

Test (prom, series_per_family_are_bounded)
{
    prom_t *reg = s_registry ();
    const char *labels [] = { "id" };
    cr_assert_eq (prom_register (reg, "g", PROM_GAUGE, "h", labels, 1, NULL, 0), 0);
    char id [32];
    for (int i = 0; i < PROM_SERIES_MAX; i++) {
        snprintf (id, sizeof id, "%d", i);
        cr_assert_eq (prom_gauge_set (reg, "g", PROM_LABELS (id), i), 0);
    }
    snprintf (id, sizeof id, "%d", PROM_SERIES_MAX);
    errno = 0;
    cr_expect_eq (prom_gauge_set (reg, "g", PROM_LABELS (id), 1), -1);
    cr_expect_eq (errno, ENOSPC);
    //  An existing series still updates.
    cr_expect_eq (prom_gauge_set (reg, "g", PROM_LABELS ("0"), 5), 0);
    //  Clearing makes room again.
    cr_expect_eq (prom_clear (reg, "g"), 0);
    cr_expect_eq (prom_gauge_set (reg, "g", PROM_LABELS (id), 1), 0);
    char *text = s_render (reg);
    cr_expect_str_eq (text, "# HELP g h\n# TYPE g gauge\ng{id=\"1024\"} 1\n");
    free (text);
    prom_destroy (&reg);
}

Test (prom, clear_resets_families_without_labels)
{
    prom_t *reg = s_registry ();
    const double buckets [] = { 1 };
    cr_assert_eq (prom_register (reg, "h", PROM_HISTOGRAM, "h", NULL, 0, buckets, 1), 0);
    cr_assert_eq (prom_histogram_observe (reg, "h", NULL, 0.5), 0);
    cr_assert_eq (prom_clear (reg, "h"), 0);
    char *text = s_render (reg);
    cr_expect_str_eq (text,
        "# HELP h h\n# TYPE h histogram\n"
        "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
    free (text);
    errno = 0;
    cr_expect_eq (prom_clear (reg, "nope"), -1);
    cr_expect_eq (errno, ENOENT);
    prom_destroy (&reg);
}

Test (prom, registration_copies_its_arguments)
{
    prom_t *reg = s_registry ();
    char name [] = "copied";
    char help [] = "help text";
    char label [] = "k";
    const char *labels [] = { label };
    double buckets [] = { 1, 2 };
    cr_assert_eq (prom_register (reg, name, PROM_HISTOGRAM, help, labels, 1, buckets, 2), 0);
    char value [] = "v";
    cr_assert_eq (prom_histogram_observe (reg, "copied", PROM_LABELS (value), 1.5), 0);
    memset (name, 'x', sizeof name - 1);
    memset (help, 'x', sizeof help - 1);
    label [0] = 'z';
    value [0] = 'w';
    buckets [0] = 100;
    buckets [1] = 200;
    char *text = s_render (reg);
    cr_expect_str_eq (text,
        "# HELP copied help text\n# TYPE copied histogram\n"
        "copied_bucket{k=\"v\",le=\"1\"} 0\n"
        "copied_bucket{k=\"v\",le=\"2\"} 1\n"
        "copied_bucket{k=\"v\",le=\"+Inf\"} 1\n"
        "copied_sum{k=\"v\"} 1.5\n"
        "copied_count{k=\"v\"} 1\n");
    free (text);
    prom_destroy (&reg);
}

Test (prom, touch_makes_series_at_zero_of_any_type)
{
    prom_t *reg = s_registry ();
    const char *labels [] = { "component" };
    const double buckets [] = { 1 };
    cr_assert_eq (prom_register (reg, "t_seconds", PROM_HISTOGRAM, "h", labels, 1, buckets, 1), 0);
    cr_assert_eq (prom_register (reg, "c_total", PROM_COUNTER, "h", labels, 1, NULL, 0), 0);
    cr_assert_eq (prom_touch (reg, "t_seconds", PROM_LABELS ("parser")), 0);
    cr_assert_eq (prom_touch (reg, "c_total", PROM_LABELS ("parser")), 0);
    cr_assert_eq (prom_counter_add (reg, "c_total", PROM_LABELS ("parser"), 2), 0);
    //  Touching an existing series leaves its value alone.
    cr_assert_eq (prom_touch (reg, "c_total", PROM_LABELS ("parser")), 0);
    char *text = s_render (reg);
    cr_expect_str_eq (text,
        "# HELP t_seconds h\n# TYPE t_seconds histogram\n"
        "t_seconds_bucket{component=\"parser\",le=\"1\"} 0\n"
        "t_seconds_bucket{component=\"parser\",le=\"+Inf\"} 0\n"
        "t_seconds_sum{component=\"parser\"} 0\n"
        "t_seconds_count{component=\"parser\"} 0\n"
        "# HELP c_total h\n# TYPE c_total counter\n"
        "c_total{component=\"parser\"} 2\n");
    free (text);
    errno = 0;
    cr_expect_eq (prom_touch (reg, "nope", PROM_LABELS ("x")), -1);
    cr_expect_eq (errno, ENOENT);
    cr_expect_eq (prom_touch (reg, "c_total", NULL), -1);
    cr_expect_eq (errno, EINVAL);
    prom_destroy (&reg);
}
