/*  shared/snapshot.c - replay state folded from journal events, and
    its system.snapshot events for maintenance. See snapshot.h.  */
#include "shared/snapshot.h"

#include <czmq.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_COMPONENTS_MAX 8
#define S_NAME_SIZE 64

typedef struct {
    event_t event;              //  the workflow.queued event
} s_pending_t;

typedef struct {
    char *id;
    char *text;                 //  NUL-ended
    size_t size;
    bool no_tests;              //  the workflow has no test command
    uint64_t time;              //  of its completion, ms since the epoch
} s_result_t;

typedef struct {
    char name [S_NAME_SIZE];
    uint32_t count;
} s_desired_t;

//  One state: what replay rebuilds.
typedef struct {
    zlistx_t *pending;          //  s_pending_t, in the order accepted
    zhashx_t *pending_by_id;    //  id -> handle in pending
    zlistx_t *results;          //  s_result_t, oldest first
    zhashx_t *results_by_id;    //  id -> handle in results
    zlistx_t *evicted;          //  ids of results evicted, oldest first
    zhashx_t *evicted_by_id;    //  id -> handle in evicted
    s_desired_t desired [S_COMPONENTS_MAX];
    size_t desired_count;
} s_state_t;

struct snapshot {
    size_t results_max;
    s_state_t *state;
    s_state_t *incoming;        //  a snapshot being read, part by part
    int64_t next_part;
};

static void
s_pending_free (void **item_p)
{
    s_pending_t *self = *item_p;
    if (self) {
        event_release (&self->event);
        free (self);
        *item_p = NULL;
    }
}

static void
s_result_free (void **item_p)
{
    s_result_t *self = *item_p;
    if (self) {
        free (self->id);
        free (self->text);
        free (self);
        *item_p = NULL;
    }
}

static void
s_state_destroy (s_state_t **self_p)
{
    s_state_t *self = *self_p;
    if (!self)
        return;
    zhashx_destroy (&self->pending_by_id);
    zhashx_destroy (&self->results_by_id);
    zhashx_destroy (&self->evicted_by_id);
    zlistx_destroy (&self->pending);
    zlistx_destroy (&self->results);
    zlistx_destroy (&self->evicted);
    free (self);
    *self_p = NULL;
}

static s_state_t *
s_state_new (void)
{
    s_state_t *self = calloc (1, sizeof *self);
    if (!self)
        return errno = ENOMEM, NULL;
    self->pending = zlistx_new ();
    self->pending_by_id = zhashx_new ();
    self->results = zlistx_new ();
    self->results_by_id = zhashx_new ();
    self->evicted = zlistx_new ();
    self->evicted_by_id = zhashx_new ();
    if (!self->pending || !self->pending_by_id || !self->results || !self->results_by_id
    ||  !self->evicted || !self->evicted_by_id) {
        s_state_destroy (&self);
        return errno = ENOMEM, NULL;
    }
    zlistx_set_destructor (self->pending, s_pending_free);
    zlistx_set_destructor (self->results, s_result_free);
    zlistx_set_destructor (self->evicted, (zlistx_destructor_fn *) zstr_free);
    return self;
}

snapshot_t *
snapshot_new (size_t results_max)
{
    snapshot_t *self = calloc (1, sizeof *self);
    if (!self)
        return errno = ENOMEM, NULL;
    self->results_max = results_max;
    self->state = s_state_new ();
    if (!self->state) {
        free (self);
        return errno = ENOMEM, NULL;
    }
    return self;
}

void
snapshot_destroy (snapshot_t **self_p)
{
    snapshot_t *self = self_p? *self_p: NULL;
    if (!self)
        return;
    s_state_destroy (&self->state);
    s_state_destroy (&self->incoming);
    free (self);
    *self_p = NULL;
}

//  --------------------------------------------------------------------
//  Changing a state

static void
s_end_pending (s_state_t *state, const char *id)
{
    void *handle = zhashx_lookup (state->pending_by_id, id);
    if (handle) {
        zhashx_delete (state->pending_by_id, id);
        zlistx_delete (state->pending, handle);
    }
}

static int
s_add_pending (s_state_t *state, event_t *queued)
{
    const char *id = event_get_str (queued, "workflow_id");
    if (!id || !*id)
        return errno = EINVAL, -1;
    s_pending_t *pending = calloc (1, sizeof *pending);
    if (!pending)
        return errno = ENOMEM, -1;
    pending->event = *queued;
    memset (queued, 0, sizeof *queued);
    id = event_get_str (&pending->event, "workflow_id");
    s_end_pending (state, id);
    void *handle = zlistx_add_end (state->pending, pending);
    if (!handle) {
        s_pending_free ((void **) &pending);
        return errno = ENOMEM, -1;
    }
    //  The key is copied by the hash; the list item owns the event.
    zhashx_insert (state->pending_by_id, id, handle);
    return 0;
}

static s_result_t *
s_find_result (s_state_t *state, const char *id)
{
    void *handle = id? zhashx_lookup (state->results_by_id, id): NULL;
    return handle? zlistx_handle_item (handle): NULL;
}

//  Remember that the result of id was evicted, forgetting the oldest
//  beyond max ids (0: no bound). 0, or -1 with ENOMEM.
static int
s_add_evicted (s_state_t *state, size_t max, const char *id)
{
    if (zhashx_lookup (state->evicted_by_id, id))
        return 0;
    char *copy = strdup (id);
    void *handle = copy? zlistx_add_end (state->evicted, copy): NULL;
    if (!handle) {
        free (copy);
        return errno = ENOMEM, -1;
    }
    zhashx_insert (state->evicted_by_id, id, handle);
    while (max && zlistx_size (state->evicted) > max) {
        char *oldest = zlistx_first (state->evicted);
        zhashx_delete (state->evicted_by_id, oldest);
        zlistx_delete (state->evicted, zlistx_cursor (state->evicted));
    }
    return 0;
}

//  The result of id goes (it is remembered as evicted). 0, or -1 ENOMEM.
static int
s_evict (s_state_t *state, size_t max, const char *id)
{
    void *handle = zhashx_lookup (state->results_by_id, id);
    if (handle) {
        zhashx_delete (state->results_by_id, id);
        zlistx_delete (state->results, handle);
    }
    return s_add_evicted (state, max, id);
}

static int
s_add_result (s_state_t *state, size_t max, const char *id, const void *data, size_t size,
              uint64_t time)
{
    if (!id || !*id || (!data && size))
        return errno = EINVAL, -1;
    s_result_t *result = calloc (1, sizeof *result);
    if (!result)
        return errno = ENOMEM, -1;
    result->id = strdup (id);
    result->text = malloc (size + 1);
    if (!result->id || !result->text) {
        s_result_free ((void **) &result);
        return errno = ENOMEM, -1;
    }
    if (size)
        memcpy (result->text, data, size);
    result->text [size] = 0;
    result->size = size;
    result->time = time;
    void *old = zhashx_lookup (state->results_by_id, id);
    if (old) {
        zhashx_delete (state->results_by_id, id);
        zlistx_delete (state->results, old);
    }
    void *handle = zlistx_add_end (state->results, result);
    if (!handle) {
        s_result_free ((void **) &result);
        return errno = ENOMEM, -1;
    }
    zhashx_insert (state->results_by_id, id, handle);
    //  Over the count: the oldest go, remembered as evicted (a journal
    //  without result.evicted events, or a smaller keep than before).
    while (max && zlistx_size (state->results) > max) {
        s_result_t *oldest = zlistx_first (state->results);
        if (s_add_evicted (state, SNAPSHOT_EVICTED_PER_RESULT * max, oldest->id))
            return -1;
        zhashx_delete (state->results_by_id, oldest->id);
        zlistx_delete (state->results, zlistx_cursor (state->results));
    }
    return 0;
}

static int
s_set_desired (s_state_t *state, const char *component, uint32_t count)
{
    if (!component || !*component || strlen (component) >= S_NAME_SIZE)
        return errno = EINVAL, -1;
    for (size_t i = 0; i < state->desired_count; i++)
        if (strcmp (state->desired [i].name, component) == 0) {
            state->desired [i].count = count;
            return 0;
        }
    if (state->desired_count == S_COMPONENTS_MAX)
        return errno = EINVAL, -1;
    s_desired_t *desired = &state->desired [state->desired_count++];
    memcpy (desired->name, component, strlen (component) + 1);
    desired->count = count;
    return 0;
}

//  One part of a snapshot into the state being read. 0, or -1 with
//  EPROTO (malformed: the snapshot is dropped) or ENOMEM.
static int
s_read_part (snapshot_t *self, const event_t *part)
{
    s_state_t *state = self->incoming;
    for (size_t i = 0; i < part->count; i++) {
        const event_field_t *field = &part->fields [i];
        if (strncmp (field->key, "pending:", 8) == 0) {
            event_t queued = { 0 };
            if (field->kind != EVENT_BYTES
            ||  event_decode (&queued, (const uint8_t *) field->data, field->size))
                return errno = errno == ENOMEM? ENOMEM: EPROTO, -1;
            const char *id = event_get_str (&queued, "workflow_id");
            if (!id || strcmp (id, field->key + 8) != 0) {
                event_release (&queued);
                return errno = EPROTO, -1;
            }
            if (s_add_pending (state, &queued)) {
                event_release (&queued);
                return -1;
            }
        }
        else
        if (strncmp (field->key, "result:", 7) == 0) {
            if (field->kind != EVENT_BYTES)
                return errno = EPROTO, -1;
            if (s_add_result (state, self->results_max, field->key + 7, field->data,
                              field->size, part->time))
                return errno == ENOMEM? -1: (errno = EPROTO, -1);
        }
        else
        if (strncmp (field->key, "notest:", 7) == 0) {
            //  written in the same part as its result, after it
            s_result_t *result = s_find_result (state, field->key + 7);
            if (field->kind != EVENT_BOOL || !result)
                return errno = EPROTO, -1;
            result->no_tests = field->num != 0;
        }
        else
        if (strncmp (field->key, "result_time:", 12) == 0) {
            void *handle = zhashx_lookup (state->results_by_id, field->key + 12);
            if (field->kind != EVENT_INT || field->num < 0 || !handle)
                return errno = EPROTO, -1;
            ((s_result_t *) zlistx_handle_item (handle))->time = (uint64_t) field->num;
        }
        else
        if (strncmp (field->key, "evicted:", 8) == 0) {
            if (field->kind != EVENT_BOOL)
                return errno = EPROTO, -1;
            if (s_evict (state, SNAPSHOT_EVICTED_PER_RESULT * self->results_max,
                         field->key + 8))
                return -1;
        }
        else
        if (strncmp (field->key, "desired:", 8) == 0) {
            if (field->kind != EVENT_INT || field->num < 0 || field->num > UINT32_MAX
            ||  s_set_desired (state, field->key + 8, (uint32_t) field->num))
                return errno = EPROTO, -1;
        }
    }
    return 0;
}

static int
s_apply_snapshot (snapshot_t *self, const event_t *event)
{
    int64_t part = 1;
    bool last = true;
    if ((event_field (event, "part") && event_get_int (event, "part", &part))
    ||  (event_field (event, "last") && event_get_bool (event, "last", &last)))
        part = 0;               //  malformed: drop it below
    if (part == 1) {
        s_state_destroy (&self->incoming);
        self->incoming = s_state_new ();
        if (!self->incoming)
            return -1;
    }
    else
    if (!self->incoming || part != self->next_part) {
        s_state_destroy (&self->incoming);     //  a part out of place
        return 0;
    }
    if (s_read_part (self, event)) {
        s_state_destroy (&self->incoming);
        return errno == ENOMEM? -1: 0;
    }
    self->next_part = part + 1;
    if (last) {
        s_state_destroy (&self->state);
        self->state = self->incoming;
        self->incoming = NULL;
    }
    return 0;
}

int
snapshot_apply (snapshot_t *self, event_t *event)
{
    if (!event->type)
        return 0;
    if (strcmp (event->type, SNAPSHOT_TYPE) == 0)
        return s_apply_snapshot (self, event);
    //  Parts of one snapshot are consecutive: anything else between them
    //  means it was never finished.
    s_state_destroy (&self->incoming);
    const char *id = event_get_str (event, "workflow_id");
    if (!id)
        return 0;
    if (strcmp (event->type, "workflow.queued") == 0) {
        if (s_add_pending (self->state, event) && errno == ENOMEM)
            return -1;
    }
    else
    if (strcmp (event->type, "workflow.completed") == 0) {
        size_t size;
        const uint8_t *result = event_get_bytes (event, "result", &size);
        if (result && s_add_result (self->state, self->results_max, id, result, size,
                                    event->time))
            return -1;
        bool no_tests = false;
        s_result_t *kept = s_find_result (self->state, id);
        if (kept && event_get_bool (event, "no_tests", &no_tests) == 0)
            kept->no_tests = no_tests;
        s_end_pending (self->state, id);
    }
    else
    if (strcmp (event->type, "result.evicted") == 0) {
        if (s_evict (self->state, SNAPSHOT_EVICTED_PER_RESULT * self->results_max, id))
            return -1;
    }
    else
    if (strcmp (event->type, "workflow.failed") == 0
    ||  strcmp (event->type, "workflow.shed") == 0)
        s_end_pending (self->state, id);
    return 0;
}

int
snapshot_add_pending (snapshot_t *self, event_t *queued)
{
    return s_add_pending (self->state, queued);
}

int
snapshot_add_result (snapshot_t *self, const char *id, const void *data, size_t size,
                     uint64_t time)
{
    return s_add_result (self->state, self->results_max, id, data, size, time);
}

int
snapshot_add_evicted (snapshot_t *self, const char *id)
{
    if (!id || !*id)
        return errno = EINVAL, -1;
    return s_evict (self->state, SNAPSHOT_EVICTED_PER_RESULT * self->results_max, id);
}

void
snapshot_each_evicted (snapshot_t *self, snapshot_evicted_fn *fn, void *arg)
{
    for (const char *id = zlistx_first (self->state->evicted); id;
         id = zlistx_next (self->state->evicted))
        if (fn (id, arg))
            break;
}

int
snapshot_set_desired (snapshot_t *self, const char *component, uint32_t count)
{
    return s_set_desired (self->state, component, count);
}

size_t
snapshot_pending_count (snapshot_t *self)
{
    return zlistx_size (self->state->pending);
}

size_t
snapshot_results_count (snapshot_t *self)
{
    return zlistx_size (self->state->results);
}

int
snapshot_desired (snapshot_t *self, const char *component, uint32_t *count_p)
{
    for (size_t i = 0; i < self->state->desired_count; i++)
        if (strcmp (self->state->desired [i].name, component) == 0) {
            *count_p = self->state->desired [i].count;
            return 0;
        }
    return errno = ENOENT, -1;
}

void
snapshot_each_pending (snapshot_t *self, snapshot_pending_fn *fn, void *arg)
{
    zlistx_t *list = self->state->pending;
    for (void *handle = zlistx_first (list)? zlistx_cursor (list): NULL; handle;
         handle = zlistx_next (list)? zlistx_cursor (list): NULL) {
        s_pending_t *pending = zlistx_handle_item (handle);
        if (fn (&pending->event, arg))
            break;
    }
}

int
snapshot_mark_no_tests (snapshot_t *self, const char *id)
{
    s_result_t *result = s_find_result (self->state, id);
    if (!result)
        return errno = ENOENT, -1;
    result->no_tests = true;
    return 0;
}

bool
snapshot_result_no_tests (snapshot_t *self, const char *id)
{
    s_result_t *result = s_find_result (self->state, id);
    return result && result->no_tests;
}

void
snapshot_each_result (snapshot_t *self, snapshot_result_fn *fn, void *arg)
{
    zlistx_t *list = self->state->results;
    for (void *handle = zlistx_first (list)? zlistx_cursor (list): NULL; handle;
         handle = zlistx_next (list)? zlistx_cursor (list): NULL) {
        s_result_t *result = zlistx_handle_item (handle);
        if (fn (result->id, result->text, result->size, result->time, arg))
            break;
    }
}

//  --------------------------------------------------------------------
//  Writing a state as snapshot events

typedef struct {
    event_t *events;
    size_t count;
    size_t alloc;
    size_t bytes;               //  payload of the part being filled
    uint64_t time;
    int error;
} s_writer_t;

//  The part that a field of size bytes goes into: the current one, or a
//  new one when it would grow past SNAPSHOT_PART_BYTES.
static event_t *
s_writer_part (s_writer_t *self, size_t size)
{
    if (self->count && (size == 0 || self->bytes + size <= SNAPSHOT_PART_BYTES)) {
        self->bytes += size;
        return &self->events [self->count - 1];
    }
    if (self->count == self->alloc) {
        size_t alloc = self->alloc? self->alloc * 2: 4;
        event_t *events = realloc (self->events, alloc * sizeof *events);
        if (!events)
            return errno = ENOMEM, NULL;
        self->events = events;
        self->alloc = alloc;
    }
    event_t *part = &self->events [self->count++];
    memset (part, 0, sizeof *part);
    part->time = self->time;
    self->bytes = size;
    if (event_set_type (part, SNAPSHOT_TYPE)
    ||  event_add_int (part, "part", (int64_t) self->count))
        return NULL;
    return part;
}

static int
s_write_pending (const event_t *queued, void *arg)
{
    s_writer_t *self = arg;
    uint8_t *buf;
    size_t size;
    char key [EVENT_NAME_MAX + 1];
    snprintf (key, sizeof key, "pending:%s", event_get_str (queued, "workflow_id"));
    event_t *part;
    if (event_encode (queued, &buf, &size))
        return self->error = errno, -1;
    int rc = (part = s_writer_part (self, size + strlen (key)))
          && event_add_bytes (part, key, buf, size) == 0? 0: -1;
    free (buf);
    if (rc)
        self->error = errno;
    return rc;
}

static int
s_write_result (s_writer_t *self, const s_result_t *result)
{
    char key [EVENT_NAME_MAX + 1], time_key [EVENT_NAME_MAX + 1];
    snprintf (key, sizeof key, "result:%s", result->id);
    snprintf (time_key, sizeof time_key, "result_time:%s", result->id);
    //  All in the same part: the time and the no-test mark follow their
    //  result.
    event_t *part = s_writer_part (self, result->size + 3 * strlen (time_key) + 24);
    if (!part || event_add_bytes (part, key, result->text, result->size)
    ||  event_add_int (part, time_key, (int64_t) result->time))
        return self->error = errno, -1;
    snprintf (key, sizeof key, "notest:%s", result->id);
    if (result->no_tests && event_add_bool (part, key, true))
        return self->error = errno, -1;
    return 0;
}

static int
s_write_evicted (const char *id, void *arg)
{
    s_writer_t *self = arg;
    char key [EVENT_NAME_MAX + 1];
    snprintf (key, sizeof key, "evicted:%s", id);
    event_t *part = s_writer_part (self, strlen (key) + 8);
    if (!part || event_add_bool (part, key, true))
        return self->error = errno, -1;
    return 0;
}

void
snapshot_events_free (event_t *events, size_t count)
{
    for (size_t i = 0; i < count; i++)
        event_release (&events [i]);
    free (events);
}

int
snapshot_events (snapshot_t *self, uint64_t time_ms, event_t **events_p, size_t *count_p)
{
    s_writer_t writer = { .time = time_ms };
    s_state_t *state = self->state;
    for (size_t i = 0; i < state->desired_count; i++) {
        char key [S_NAME_SIZE + 16];
        snprintf (key, sizeof key, "desired:%s", state->desired [i].name);
        event_t *part = s_writer_part (&writer, 16);
        if (!part || event_add_int (part, key, state->desired [i].count)) {
            writer.error = errno;
            break;
        }
    }
    if (!writer.error)
        snapshot_each_evicted (self, s_write_evicted, &writer);
    for (s_result_t *result = zlistx_first (state->results); result && !writer.error;
         result = zlistx_next (state->results))
        s_write_result (&writer, result);
    if (!writer.error)
        snapshot_each_pending (self, s_write_pending, &writer);
    event_t *last = writer.error? NULL: s_writer_part (&writer, 0);
    for (size_t i = 0; last && i < writer.count; i++)
        if (event_add_bool (&writer.events [i], "last", i + 1 == writer.count)) {
            last = NULL;
            writer.error = errno;
        }
    if (last && (event_add_int (last, "workflows", (int64_t) zlistx_size (state->pending))
              || event_add_int (last, "results", (int64_t) zlistx_size (state->results))))
        writer.error = errno;
    if (writer.error || !last) {
        snapshot_events_free (writer.events, writer.count);
        return errno = writer.error? writer.error: ENOMEM, -1;
    }
    *events_p = writer.events;
    *count_p = writer.count;
    return 0;
}

int
snapshot_compact (snapshot_t *self, journal_t *journal, uint64_t now_ms, uint64_t age_ms,
                  snapshot_report_t *report)
{
    memset (report, 0, sizeof *report);
    event_t *events;
    size_t count;
    if (!journal_healthy (journal))
        return errno = journal_error (journal), -1;
    if (snapshot_events (self, now_ms, &events, &count))
        return -1;
    if (journal_roll (journal)) {
        snapshot_events_free (events, count);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        if (journal_append (journal, &events [i], now_ms)) {
            snapshot_events_free (events, count);
            return -1;
        }
        if (i == 0)
            report->first_seq = events [i].seq;
        report->parts++;
    }
    snapshot_events_free (events, count);
    if (journal_sync (journal))
        return -1;

    //  The snapshot is on disk: what came before it may go, oldest
    //  first, as long as it is old enough.
    journal_segment_t *list;
    if (journal_segments (journal, &list, &report->segments))
        return -1;
    uint64_t cutoff = 0;
    for (size_t i = 0; i + 1 < report->segments; i++) {
        journal_segment_t *segment = &list [i];
        bool before = segment->records == 0 || segment->last_seq < report->first_seq;
        bool old = segment->records == 0 || segment->last_time + age_ms <= now_ms;
        if (segment->active || !before || !old)
            break;
        cutoff = list [i + 1].first_seq;
        report->bytes_removed += segment->bytes;
    }
    free (list);
    if (cutoff && journal_remove_before (journal, cutoff, &report->removed))
        return -1;
    return 0;
}
