/*  supervisor/results.h - the results cache: the text of the last
    finished workflows by id, for `result ID` and for clients that attach
    late; the oldest go beyond a count and past an age, each eviction told
    through a callback (the supervisor journals it), and the ids of
    evicted results are remembered so a rerun under one is refused. No
    clock: times are given.  */
#ifndef RESULTS_H_INCLUDED
#define RESULTS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct results results_t;

//  Told that the result of id goes, reason "count" or "age", before it
//  goes (id is borrowed for the call).
typedef void results_evicted_fn (void *arg, const char *id, const char *reason);

//  A cache keeping the last keep results, each for at most max_age_ms
//  (0: no age limit). NULL with errno ENOMEM.
results_t *results_new (uint32_t keep, uint64_t max_age_ms);
//  Frees every result. Accepts NULL; nulls *self_p.
void results_destroy (results_t **self_p);
//  New bounds (a reload), from the next result kept or expiry on.
void results_set_limits (results_t *self, uint32_t keep, uint64_t max_age_ms);
//  Where evictions are told when they are to be recorded (see keep).
void results_set_evicted_fn (results_t *self, results_evicted_fn *fn, void *arg);

//  Keeps a copy of text (size bytes) as id's result, finished at time_ms
//  (ms since the epoch), the newest; no_tests: its workflow has no test
//  command. The oldest beyond the count go, told to the callback when
//  record is set (not during replay). 0, or -1 with errno ENOMEM.
int results_keep (results_t *self, const char *id, const char *text, size_t size,
                  uint64_t time_ms, bool record, bool no_tests);
//  Makes room for id's result before it is recorded: while the cache is
//  full and holds nothing under id, the oldest goes (recorded).
void results_make_room (results_t *self, const char *id);
//  Evicts (recorded) the results finished max_age_ms or more before
//  wall_ms, oldest first.
void results_expire (results_t *self, uint64_t wall_ms);

//  id's result (borrowed), and in *no_tests_p (may be NULL) whether its
//  workflow has no test command; NULL when none is kept under id.
const char *results_get (const results_t *self, const char *id, bool *no_tests_p);
//  When id's result finished (ms since the epoch), 0 when none is kept.
uint64_t results_time (const results_t *self, const char *id);
size_t results_count (const results_t *self);

//  Remembers that id's result was evicted (replay); the oldest ids go
//  beyond SNAPSHOT_EVICTED_PER_RESULT x keep.
void results_note_evicted (results_t *self, const char *id);
bool results_evicted (const results_t *self, const char *id);

//  The kept results' ids, oldest first: the first, then the next, NULL
//  at the end. Keeping or evicting during a walk ends it.
const char *results_first (results_t *self);
const char *results_next (results_t *self);
//  The same for the evicted ids remembered.
const char *results_first_evicted (results_t *self);
const char *results_next_evicted (results_t *self);

//  "the last N, for at most AGE" as results are kept, for messages.
void results_retention_text (const results_t *self, char *buf, size_t size);

#endif
