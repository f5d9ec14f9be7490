/*  Tests for shared/snapshot: folding journal events into the replay
    state, and a snapshot's events giving that state back.  */
#include "shared/snapshot.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_queued (event_t *event, const char *id, const char *docs)
{
    memset (event, 0, sizeof *event);
    cr_assert_eq (event_set_type (event, "workflow.queued"), 0);
    cr_assert_eq (event_add_str (event, "workflow_id", id), 0);
    cr_assert_eq (event_add_int (event, "priority", 500), 0);
    cr_assert_eq (event_add_bytes (event, "docs", docs, strlen (docs)), 0);
    cr_assert_eq (event_add_bytes (event, "project", "P", 1), 0);
}

static void
s_ended (event_t *event, const char *type, const char *id, const char *result)
{
    memset (event, 0, sizeof *event);
    cr_assert_eq (event_set_type (event, type), 0);
    cr_assert_eq (event_add_str (event, "workflow_id", id), 0);
    if (result)
        cr_assert_eq (event_add_bytes (event, "result", result, strlen (result)), 0);
}

static void
s_apply (snapshot_t *state, event_t *event)
{
    cr_assert_eq (snapshot_apply (state, event), 0);
    event_release (event);
}

//  The state as one line: pending ids with their docs, then results.
typedef struct {
    char text [4096];
} dump_t;

static int
s_dump_pending (const event_t *queued, void *arg)
{
    dump_t *dump = arg;
    size_t size;
    const uint8_t *docs = event_get_bytes (queued, "docs", &size);
    size_t used = strlen (dump->text);
    snprintf (dump->text + used, sizeof dump->text - used, "P:%s=%.*s ",
              event_get_str (queued, "workflow_id"), (int) size, (const char *) docs);
    return 0;
}

static int
s_dump_result (const char *id, const char *text, size_t size, uint64_t time, void *arg)
{
    dump_t *dump = arg;
    size_t used = strlen (dump->text);
    snprintf (dump->text + used, sizeof dump->text - used, "R:%s=%.*s ", id, (int) size, text);
    if (time) {
        used = strlen (dump->text) - 1;
        snprintf (dump->text + used, sizeof dump->text - used, "@%llu ",
                  (unsigned long long) time);
    }
    return 0;
}

static int
s_dump_evicted (const char *id, void *arg)
{
    dump_t *dump = arg;
    size_t used = strlen (dump->text);
    snprintf (dump->text + used, sizeof dump->text - used, "E:%s ", id);
    return 0;
}

static void
s_dump (snapshot_t *state, dump_t *dump)
{
    dump->text [0] = 0;
    snapshot_each_pending (state, s_dump_pending, dump);
    snapshot_each_result (state, s_dump_result, dump);
    snapshot_each_evicted (state, s_dump_evicted, dump);
}

//  A state built from a few events, by reason.
static snapshot_t *
s_sample (void)
{
    snapshot_t *state = snapshot_new (2);
    cr_assert_not_null (state);
    event_t event;
    s_queued (&event, "a", "docs-a"); s_apply (state, &event);
    s_queued (&event, "b", "docs-b"); s_apply (state, &event);
    s_queued (&event, "c", "docs-c"); s_apply (state, &event);
    s_queued (&event, "d", "docs-d"); s_apply (state, &event);
    s_ended (&event, "workflow.completed", "a", "yaml-a"); s_apply (state, &event);
    s_ended (&event, "workflow.failed", "c", NULL); s_apply (state, &event);
    s_ended (&event, "workflow.completed", "d", "yaml-d"); s_apply (state, &event);
    s_queued (&event, "e", "docs-e"); s_apply (state, &event);
    s_ended (&event, "workflow.shed", "e", NULL); s_apply (state, &event);
    s_queued (&event, "f", "docs-f"); s_apply (state, &event);
    //  Only two results are kept: the oldest goes.
    s_ended (&event, "workflow.completed", "x", "yaml-x"); s_apply (state, &event);
    s_ended (&event, "worker.ready", "ignored", NULL); s_apply (state, &event);
    cr_assert_eq (snapshot_set_desired (state, "parser", 3), 0);
    return state;
}

Test (snapshot, events_fold_into_pending_and_results)
{
    snapshot_t *state = s_sample ();
    dump_t dump;
    s_dump (state, &dump);
    cr_assert_str_eq (dump.text, "P:b=docs-b P:f=docs-f R:d=yaml-d R:x=yaml-x E:a ");
    cr_assert_eq (snapshot_pending_count (state), 2);
    cr_assert_eq (snapshot_results_count (state), 2);
    uint32_t count = 0;
    cr_assert_eq (snapshot_desired (state, "parser", &count), 0);
    cr_assert_eq (count, 3);
    cr_assert_eq (snapshot_desired (state, "detector", &count), -1);
    cr_assert_eq (errno, ENOENT);
    snapshot_destroy (&state);
    cr_assert_null (state);
}

Test (snapshot, its_events_replace_whatever_came_before)
{
    snapshot_t *state = s_sample ();
    event_t *events;
    size_t count;
    cr_assert_eq (snapshot_events (state, 1700000000000ull, &events, &count), 0);
    cr_assert_eq (count, 1);
    cr_assert_str_eq (events [0].type, SNAPSHOT_TYPE);
    int64_t value;
    cr_assert_eq (event_get_int (&events [0], "workflows", &value), 0);
    cr_assert_eq (value, 2);
    //  A replay that saw other things first ends with the same state,
    //  and events after the snapshot apply on top of it.
    snapshot_t *replay = snapshot_new (2);
    event_t event;
    s_queued (&event, "old", "docs-old"); s_apply (replay, &event);
    s_ended (&event, "workflow.completed", "gone", "yaml-gone"); s_apply (replay, &event);
    cr_assert_eq (snapshot_apply (replay, &events [0]), 0);
    dump_t want, got;
    s_dump (state, &want);
    s_dump (replay, &got);
    cr_assert_str_eq (got.text, want.text);
    uint32_t desired = 0;
    cr_assert_eq (snapshot_desired (replay, "parser", &desired), 0);
    cr_assert_eq (desired, 3);
    s_ended (&event, "workflow.completed", "b", "yaml-b"); s_apply (replay, &event);
    s_dump (replay, &got);
    cr_assert_str_eq (got.text, "P:f=docs-f R:x=yaml-x R:b=yaml-b E:a E:d ");
    snapshot_events_free (events, count);
    snapshot_destroy (&replay);
    snapshot_destroy (&state);
}

Test (snapshot, evictions_and_result_times_survive_a_snapshot)
{
    snapshot_t *state = snapshot_new (3);
    event_t event;
    const char *ids [] = { "r1", "r2", "r3", "r4" };
    for (int i = 0; i < 4; i++) {
        s_ended (&event, "workflow.completed", ids [i], "yaml");
        event.time = 1000 + (uint64_t) i;
        s_apply (state, &event);
    }
    //  r1 went over the count; r3 by a recorded eviction (age).
    s_ended (&event, "result.evicted", "r3", NULL);
    s_apply (state, &event);
    dump_t want, got;
    s_dump (state, &want);
    cr_assert_str_eq (want.text, "R:r2=yaml@1001 R:r4=yaml@1003 E:r1 E:r3 ");
    event_t *events;
    size_t count;
    cr_assert_eq (snapshot_events (state, 5000, &events, &count), 0);
    snapshot_t *replay = snapshot_new (3);
    for (size_t i = 0; i < count; i++)
        cr_assert_eq (snapshot_apply (replay, &events [i]), 0);
    s_dump (replay, &got);
    cr_assert_str_eq (got.text, want.text);
    //  At most 4 evicted ids per result kept are remembered, the newest.
    for (int i = 0; i < 20; i++) {
        char id [16];
        snprintf (id, sizeof id, "x%02d", i);
        cr_assert_eq (snapshot_add_evicted (replay, id), 0);
    }
    s_dump (replay, &got);
    cr_assert (strstr (got.text, "E:x19 ") && strstr (got.text, "E:x08 "), "%s", got.text);
    cr_assert (!strstr (got.text, "E:x07 ") && !strstr (got.text, "E:r1 "), "%s", got.text);
    snapshot_events_free (events, count);
    snapshot_destroy (&replay);
    snapshot_destroy (&state);
}

Test (snapshot, an_unfinished_or_malformed_snapshot_changes_nothing)
{
    snapshot_t *state = s_sample ();
    dump_t before, after;
    s_dump (state, &before);
    //  A first part whose last part never came.
    event_t part = { 0 };
    cr_assert_eq (event_set_type (&part, SNAPSHOT_TYPE), 0);
    cr_assert_eq (event_add_int (&part, "part", 1), 0);
    cr_assert_eq (event_add_bool (&part, "last", false), 0);
    s_apply (state, &part);
    event_t event;
    s_queued (&event, "g", "docs-g"); s_apply (state, &event);
    s_dump (state, &after);
    cr_assert_str_eq (after.text, "P:b=docs-b P:f=docs-f P:g=docs-g R:d=yaml-d R:x=yaml-x "
                      "E:a ");
    //  A part out of order, and one whose pending entry is not an event.
    memset (&part, 0, sizeof part);
    cr_assert_eq (event_set_type (&part, SNAPSHOT_TYPE), 0);
    cr_assert_eq (event_add_int (&part, "part", 2), 0);
    s_apply (state, &part);
    memset (&part, 0, sizeof part);
    cr_assert_eq (event_set_type (&part, SNAPSHOT_TYPE), 0);
    cr_assert_eq (event_add_bytes (&part, "pending:z", "junk", 4), 0);
    s_apply (state, &part);
    s_dump (state, &before);
    cr_assert_str_eq (before.text, after.text);
    snapshot_destroy (&state);
}

Test (snapshot, a_large_state_is_split_into_parts)
{
    snapshot_t *state = snapshot_new (SNAPSHOT_RESULTS_MAX);
    size_t big = 3u * 1024 * 1024;
    char *docs = malloc (big + 1);
    memset (docs, 'x', big);
    docs [big] = 0;
    for (int i = 0; i < 5; i++) {
        char id [16];
        snprintf (id, sizeof id, "big-%d", i);
        event_t event;
        s_queued (&event, id, docs);
        cr_assert_eq (snapshot_add_pending (state, &event), 0);
        event_release (&event);
    }
    event_t *events;
    size_t count;
    cr_assert_eq (snapshot_events (state, 1, &events, &count), 0);
    cr_assert_geq (count, 2);
    snapshot_t *replay = snapshot_new (SNAPSHOT_RESULTS_MAX);
    for (size_t i = 0; i < count; i++) {
        uint8_t *buf;
        size_t size;
        cr_assert_eq (event_encode (&events [i], &buf, &size), 0);
        cr_assert_lt (size, 16u * 1024 * 1024, "part %zu is %zu bytes", i, size);
        free (buf);
        bool last = false;
        cr_assert_eq (event_get_bool (&events [i], "last", &last), 0);
        cr_assert_eq (last, i + 1 == count);
        //  Nothing changes until the last part is read.
        cr_assert_eq (snapshot_pending_count (replay), 0);
        cr_assert_eq (snapshot_apply (replay, &events [i]), 0);
    }
    cr_assert_eq (snapshot_pending_count (replay), 5);
    snapshot_events_free (events, count);
    snapshot_destroy (&replay);
    snapshot_destroy (&state);
    free (docs);
}
