/*  Tests supervisor/results: results kept by id with their time and
    test-command flag, the oldest evicted beyond the count and past the
    age (told to the callback only when recorded), evicted ids
    remembered within their bound, walks oldest first, and the retention
    text.  */
#include "supervisor/results.h"
#include "shared/snapshot.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    char told [16][32];         //  "ID:REASON"
    size_t count;
} evictions_t;

static void
s_on_evicted (void *arg, const char *id, const char *reason)
{
    evictions_t *self = arg;
    cr_assert_lt (self->count, 16u);
    snprintf (self->told [self->count++], sizeof self->told [0], "%s:%s", id, reason);
}

static results_t *
s_results (uint32_t keep, uint64_t max_age_ms, evictions_t *evictions)
{
    results_t *results = results_new (keep, max_age_ms);
    cr_assert_not_null (results);
    memset (evictions, 0, sizeof *evictions);
    results_set_evicted_fn (results, s_on_evicted, evictions);
    return results;
}

Test (results, kept_by_id_with_time_and_flag)
{
    evictions_t told;
    results_t *results = s_results (3, 0, &told);
    cr_assert_eq (results_keep (results, "wf-a", "yaml a", 6, 1000, true, false), 0);
    cr_assert_eq (results_keep (results, "wf-b", "yaml b!", 7, 2000, true, true), 0);
    bool no_tests = true;
    cr_assert_str_eq (results_get (results, "wf-a", &no_tests), "yaml a");
    cr_assert_not (no_tests);
    cr_assert_str_eq (results_get (results, "wf-b", &no_tests), "yaml b!");
    cr_assert (no_tests);
    cr_assert_str_eq (results_get (results, "wf-b", NULL), "yaml b!");
    cr_assert_eq (results_time (results, "wf-a"), 1000u);
    cr_assert_eq (results_time (results, "wf-b"), 2000u);
    cr_assert_null (results_get (results, "wf-c", NULL));
    cr_assert_eq (results_time (results, "wf-c"), 0u);
    cr_assert_eq (results_count (results), 2u);
    //  kept again: replaced, and the newest now
    cr_assert_eq (results_keep (results, "wf-a", "again", 5, 3000, true, false), 0);
    cr_assert_eq (results_count (results), 2u);
    cr_assert_str_eq (results_first (results), "wf-b");
    cr_assert_str_eq (results_next (results), "wf-a");
    cr_assert_null (results_next (results));
    cr_assert_str_eq (results_get (results, "wf-a", NULL), "again");
    cr_assert_eq (told.count, 0u);
    results_destroy (&results);
    cr_assert_null (results);
    results_destroy (&results);
}

Test (results, the_oldest_go_beyond_the_count)
{
    evictions_t told;
    results_t *results = s_results (2, 0, &told);
    results_keep (results, "one", "1", 1, 1, true, false);
    results_keep (results, "two", "2", 1, 2, true, false);
    results_keep (results, "three", "3", 1, 3, true, false);
    cr_assert_eq (told.count, 1u);
    cr_assert_str_eq (told.told [0], "one:count");
    cr_assert_null (results_get (results, "one", NULL));
    cr_assert (results_evicted (results, "one"));
    cr_assert_not (results_evicted (results, "two"));
    //  replay: evicted without telling
    results_keep (results, "four", "4", 1, 4, false, false);
    cr_assert_eq (told.count, 1u);
    cr_assert (results_evicted (results, "two"));
    //  room made before a new result is recorded, not for one kept already
    results_make_room (results, "four");
    cr_assert_eq (results_count (results), 2u);
    results_make_room (results, "five");
    cr_assert_eq (results_count (results), 1u);
    cr_assert_str_eq (told.told [1], "three:count");
    cr_assert_str_eq (results_first_evicted (results), "one");
    cr_assert_str_eq (results_next_evicted (results), "two");
    cr_assert_str_eq (results_next_evicted (results), "three");
    cr_assert_null (results_next_evicted (results));
    results_destroy (&results);
}

Test (results, the_old_go_past_their_age)
{
    evictions_t told;
    results_t *results = s_results (10, 1000, &told);
    results_keep (results, "early", "e", 1, 5000, true, false);
    results_keep (results, "late", "l", 1, 5500, true, false);
    results_expire (results, 5999);
    cr_assert_eq (results_count (results), 2u);
    results_expire (results, 6000);
    cr_assert_eq (results_count (results), 1u);
    cr_assert_str_eq (told.told [0], "early:age");
    results_expire (results, 100000);
    cr_assert_eq (results_count (results), 0u);
    cr_assert_eq (told.count, 2u);
    //  without an age limit nothing expires
    results_set_limits (results, 10, 0);
    results_keep (results, "kept", "k", 1, 1, true, false);
    results_expire (results, UINT64_MAX / 2);
    cr_assert_eq (results_count (results), 1u);
    results_destroy (&results);
}

Test (results, evicted_ids_are_remembered_within_a_bound)
{
    evictions_t told;
    results_t *results = s_results (1, 0, &told);
    char id [16];
    for (int i = 0; i < SNAPSHOT_EVICTED_PER_RESULT + 2; i++) {
        snprintf (id, sizeof id, "old-%d", i);
        results_note_evicted (results, id);
        results_note_evicted (results, id);     //  twice: once
    }
    size_t remembered = 0;
    for (const char *e = results_first_evicted (results); e; e = results_next_evicted (results))
        remembered++;
    cr_assert_eq (remembered, (size_t) SNAPSHOT_EVICTED_PER_RESULT);
    cr_assert_not (results_evicted (results, "old-0"), "the oldest ids go first");
    cr_assert_not (results_evicted (results, "old-1"));
    cr_assert (results_evicted (results, "old-2"));
    snprintf (id, sizeof id, "old-%d", SNAPSHOT_EVICTED_PER_RESULT + 1);
    cr_assert (results_evicted (results, id));
    cr_assert_eq (told.count, 0u, "noting is not evicting");
    results_destroy (&results);
}

Test (results, the_retention_says_count_and_age)
{
    evictions_t told;
    results_t *results = s_results (1024, 0, &told);
    char text [128];
    results_retention_text (results, text, sizeof text);
    cr_assert_str_eq (text, "results are kept: the last 1024; see results in the config");
    results_set_limits (results, 5, 1500);
    results_retention_text (results, text, sizeof text);
    cr_assert_str_eq (text, "results are kept: the last 5, for at most 2 s; see results in "
                      "the config");
    results_destroy (&results);
}
