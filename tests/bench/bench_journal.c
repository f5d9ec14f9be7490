/*  tests/bench/bench_journal.c - how fast the journal appends under each
    fsync policy and how fast it replays. Prints a table and a JSON line.
    Usage: bench_journal [FOLDER] [REPLAY_EVENTS]  (default /tmp, 1000000)  */
#include "common/jio.h"
#include "common/journal.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t
s_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static double
s_now_s (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

//  A small event like the ones the supervisor writes most.
static int
s_event (event_t *event, uint64_t n)
{
    char id [32];
    snprintf (id, sizeof id, "wf-%08" PRIu64, n);
    memset (event, 0, sizeof *event);
    event->time = 1714566896789ull + n;
    if (event_set_type (event, "workflow.queued")
    ||  event_add_str (event, "workflow_id", id)
    ||  event_add_int (event, "priority", (int64_t) (n % 4)))
        return -1;
    return 0;
}

static char *
s_fresh_dir (const char *base, const char *name)
{
    size_t size = strlen (base) + strlen (name) + 32;
    char *path = malloc (size);
    if (!path)
        return NULL;
    snprintf (path, size, "%s/bench-journal-%ld-%s", base, (long) getpid (), name);
    jio_remove_dir (jio_default (), path);
    return path;
}

//  Append count events; the events/s, or -1 on failure.
static double
s_append (const char *dir, journal_policy_t policy, uint64_t count)
{
    journal_config_t config = { .policy = policy };
    journal_t *journal = journal_open (dir, &config, NULL, NULL);
    if (!journal) {
        fprintf (stderr, "bench_journal: open %s: %s\n", dir, strerror (errno));
        return -1;
    }
    double start = s_now_s ();
    for (uint64_t n = 1; n <= count; n++) {
        event_t event;
        uint64_t now = s_now_ms ();
        if (s_event (&event, n) || journal_append (journal, &event, now)
        ||  journal_tick (journal, now)) {
            fprintf (stderr, "bench_journal: append: %s\n", strerror (errno));
            event_release (&event);
            journal_destroy (&journal);
            return -1;
        }
        event_release (&event);
    }
    int rc = journal_sync (journal);
    double rate = (double) count / (s_now_s () - start);
    journal_destroy (&journal);
    return rc? -1: rate;
}

static int
s_count (event_t *event, void *arg)
{
    uint64_t *count = arg;
    if (event->seq != *count + 1)
        return errno = EPROTO, -1;
    (*count)++;
    return 0;
}

int
main (int argc, char *argv [])
{
    const char *base = argc > 1? argv [1]: "/tmp";
    uint64_t replay_events = 1000000;
    if (argc > 2) {
        char *end;
        replay_events = strtoull (argv [2], &end, 10);
        if (*end || !replay_events) {
            fprintf (stderr, "usage: bench_journal [FOLDER] [REPLAY_EVENTS]\n");
            return 2;
        }
    }
    struct {
        const char *name;
        journal_policy_t policy;
        uint64_t count;
        double rate;
    } runs [] = {
        { "always", JOURNAL_FSYNC_ALWAYS, 2000, 0 },
        { "batch", JOURNAL_FSYNC_BATCH, 300000, 0 },
        { "never", JOURNAL_FSYNC_NEVER, 0, 0 },
    };
    runs [2].count = replay_events;
    int status = 0;
    char *replay_dir = NULL;
    for (int i = 0; i < 3; i++) {
        char *dir = s_fresh_dir (base, runs [i].name);
        if (!dir)
            return 1;
        runs [i].rate = s_append (dir, runs [i].policy, runs [i].count);
        if (runs [i].rate < 0)
            status = 1;
        if (runs [i].policy == JOURNAL_FSYNC_NEVER)
            replay_dir = dir;           //  the replay reads this one
        else {
            jio_remove_dir (jio_default (), dir);
            free (dir);
        }
    }
    //  Replay what the "never" run wrote: replay_events small events.
    double replay_rate = -1;
    journal_t *journal = journal_open (replay_dir, NULL, NULL, NULL);
    uint64_t seen = 0;
    if (journal) {
        double start = s_now_s ();
        if (journal_replay (journal, s_count, NULL, &seen) == 0 && seen == replay_events)
            replay_rate = (double) seen / (s_now_s () - start);
        journal_destroy (&journal);
    }
    if (replay_rate < 0) {
        fprintf (stderr, "bench_journal: replay failed after %" PRIu64 " events\n", seen);
        status = 1;
    }
    jio_remove_dir (jio_default (), replay_dir);
    free (replay_dir);

    printf ("%-8s %10s %14s\n", "policy", "events", "events/s");
    for (int i = 0; i < 3; i++)
        printf ("%-8s %10" PRIu64 " %14.0f\n", runs [i].name, runs [i].count,
                runs [i].rate);
    printf ("%-8s %10" PRIu64 " %14.0f\n", "replay", replay_events, replay_rate);
    printf ("{\"always\": %.0f, \"batch\": %.0f, \"never\": %.0f, "
            "\"replay\": %.0f, \"replay_events\": %" PRIu64 ", "
            "\"goals\": {\"batch\": 100000, \"replay\": 1000000}}\n",
            runs [0].rate, runs [1].rate, runs [2].rate, replay_rate,
            replay_events);
    return status;
}
