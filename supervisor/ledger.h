/*  supervisor/ledger.h - the supervisor's use of the journal: every event
    is appended before clients hear of it, answers wait until their event
    is durable, events that could not be written are kept and written
    again when the disk recovers, and at start the journal is replayed:
    what it finds goes to the hooks (accepted workflows, results,
    operators' choices).  */
#ifndef LEDGER_H_INCLUDED
#define LEDGER_H_INCLUDED

#include "common/config.h"
#include "common/event.h"
#include "common/jio.h"
#include "common/journal.h"
#include "proto/wire.h"

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ledger ledger_t;

//  What the ledger asks of the rest of the supervisor (server.c wires
//  it): replay's findings, the I/O table the journal writes through, and
//  how answers reach clients. arg is given back to each.
typedef struct {
    //  Every replayed event, in order (operators' choices: worker counts).
    void (*replay_event) (void *arg, const event_t *event);
    //  A result kept at the end of the journal, and an evicted one's id.
    void (*replay_result) (void *arg, const char *id, const char *text, size_t size,
                           uint64_t time_ms, bool no_tests);
    void (*replay_evicted) (void *arg, const char *id);
    //  An accepted workflow with no end in the journal, oldest last: true
    //  when it is queued again.
    bool (*replay_pending) (void *arg, const event_t *queued);
    //  The I/O table to write the journal through, given the ledger's own.
    const jio_t *(*journal_io) (void *arg, const jio_t *inner);
    //  Send to a client (identity as the supervisor keeps it); takes
    //  header and payloads.
    int (*send) (void *arg, zframe_t *identity, uint8_t *header, size_t size,
                 zframe_t **payloads, size_t count);
    void *arg;
} ledger_hooks_t;

//  A ledger writing to state_dir/journal (made, mode 0700; locked
//  against a second supervisor) with the config's journal settings, or
//  without a journal when state_dir is "" or NULL (events are numbered,
//  durable at once). Replays the journal into hooks (copied), keeping
//  results_keep results as the supervisor does. NULL with a message in
//  err.
ledger_t *ledger_new (const char *state_dir, const config_journal_t *config,
                      uint32_t results_keep, const ledger_hooks_t *hooks, char *err,
                      size_t size);
//  Writes what it can of the events kept back, syncs, sends the answers
//  that are then due, and closes. Accepts NULL; nulls *self_p.
void ledger_destroy (ledger_t **self_p);

//  Takes event's contents (leaving it empty) and appends it; returns its
//  seq, 0 when it waits for the disk to recover.
uint64_t ledger_record (ledger_t *self, event_t *event);
//  Sends reply (with body, copied) once the last recorded event is
//  durable; at once when none waits.
void ledger_hold_reply (ledger_t *self, zframe_t *identity, const wire_reply_t *reply,
                        const void *body, size_t body_size);
//  True while the journal takes writes; always without a journal.
bool ledger_healthy (ledger_t *self);
//  True once the record seq (not 0) is durable; always without a journal.
bool ledger_durable (ledger_t *self, uint64_t seq);
//  Commit what is queued now instead of at the end of its batch, and send
//  the answers that waited for it (a failure leaves the journal unhealthy,
//  as in tick; nothing is done while it is).
void ledger_commit (ledger_t *self);
//  Why the journal cannot be written ("" without a journal).
const char *ledger_problem (ledger_t *self);
//  Group commit, retries of a failed disk, answers now due.
void ledger_tick (ledger_t *self, uint64_t now);

//  The journal (borrowed), NULL without one: for backups and cleanup.
journal_t *ledger_journal (ledger_t *self);
//  What replay found: workflows queued again, events read.
size_t ledger_recovered (const ledger_t *self);
uint64_t ledger_replayed (const ledger_t *self);

#endif
