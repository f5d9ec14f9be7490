/*  cli/cli_journal.c - the journal's commands: events (history from
    the journal, then the live stream), journal verify, and maintain
    cleanup, backup and restore, through the running supervisor or, when
    none runs, on the journal itself under its lock.  */
#include "cli/cli_journal.h"
#include "cli/cli_exit.h"

#include "common/config.h"
#include "common/duration.h"
#include "common/event.h"
#include "common/journal.h"
#include "common/util.h"
#include "cli/client.h"
#include "shared/snapshot.h"

#include <czmq.h>
#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


//  Fields a text line shows before it summarises the rest.
#define S_TEXT_FIELDS 12

static const char *const s_events_help =
    "usage: readme2ci events [--since TIME] [--type GLOB] [--follow] [--json]\n"
    "                        [-c CONFIG]\n"
    "\n"
    "Prints the events of the journal, oldest first; with --follow, then the\n"
    "live ones as they happen (no gaps, no repeats), until interrupted.\n"
    "\n"
    "  --since TIME   only events from TIME on: RFC 3339 (2024-05-01T12:00:00Z)\n"
    "                 or a duration ago (10m, 2h, 7d)\n"
    "  --type GLOB    only events whose type matches, e.g. 'workflow.*'\n"
    "  --follow       keep printing new events (needs a running supervisor)\n"
    "  --json         one JSON object per line: seq, time, time_ms, type and\n"
    "                 the fields; byte fields (a result) appear as KEY_bytes\n"
    "  -c CONFIG      the config naming the state folder (without a supervisor)\n"
    "\n"
    "examples:\n"
    "  readme2ci events --since 1h --type 'workflow.failed'\n"
    "  readme2ci events --follow --json | jq .\n";

static const char *const s_journal_help =
    "usage: readme2ci journal verify [PATH] [-c CONFIG]\n"
    "\n"
    "Checks every record of the journal (default: the one in the state folder)\n"
    "or of one segment file, changing nothing. Prints each damaged stretch with\n"
    "its segment and offset, then the totals. Exit 0 clean, 1 damaged.\n"
    "\n"
    "examples:\n"
    "  readme2ci journal verify\n"
    "  readme2ci journal verify /srv/backups/r2ci-monday\n";

static const char *const s_maintain_help =
    "usage: readme2ci maintain cleanup [--older-than AGE] [-c CONFIG]\n"
    "       readme2ci maintain backup DIR [-c CONFIG]\n"
    "       readme2ci maintain restore DIR [-c CONFIG]\n"
    "\n"
    "  cleanup   write a snapshot of the state (work in progress, results kept),\n"
    "            then remove the journal segments before it whose newest event\n"
    "            is older than AGE (default: the config's journal.retention, 7d)\n"
    "  backup    write a consistent copy of the journal into the new folder DIR\n"
    "            (making the folders it goes in), also while the supervisor runs\n"
    "  restore   verify the backup in DIR and put it in place of the journal;\n"
    "            the journal it replaces is kept beside it (.before-restore).\n"
    "            Refused while a supervisor uses the journal.\n"
    "\n"
    "Through the running supervisor when there is one; otherwise on the\n"
    "journal directly, holding its lock.\n"
    "\n"
    "examples:\n"
    "  readme2ci maintain cleanup --older-than 7d\n"
    "  readme2ci maintain backup /srv/backups/r2ci-monday\n"
    "  readme2ci down && readme2ci maintain restore /srv/backups/r2ci-monday\n";

//  --------------------------------------------------------------------
//  Where the journal is

typedef struct {
    char runtime [PATH_MAX];
    char journal [PATH_MAX];
    pid_t pid;                  //  the running supervisor, or 0
    client_t *client;           //  connected to it, or NULL
    int64_t retention_ms;
    uint32_t results_keep;      //  the config's results.keep
} locate_t;

static void
s_locate_release (locate_t *self)
{
    client_destroy (&self->client);
}

//  Finds the runtime folder, the supervisor (asked where its journal is)
//  or else the state folder of the config or the environment. 0, or an
//  exit status with the message printed.
static int
s_locate (locate_t *self, const char *config_path)
{
    memset (self, 0, sizeof *self);
    config_t config;
    config_defaults (&config);
    if (config_path) {
        config_errors_t errors = { 0 };
        if (config_load (config_path, &config, &errors)) {
            config_errors_print (&errors, "readme2ci", stderr);
            config_errors_release (&errors);
            config_release (&config);
            return EXIT_USAGE;
        }
    }
    self->retention_ms = config.journal.retention_ms;
    self->results_keep = config.results.keep;
    char state [PATH_MAX] = "";
    bool too_long = false;
    if (config.runtime_dir)
        too_long |= !util_copy (self->runtime, sizeof self->runtime, config.runtime_dir);
    else
        too_long |= util_runtime_dir (self->runtime, sizeof self->runtime) != 0;
    if (config.state_dir)
        too_long |= !util_copy (state, sizeof state, config.state_dir);
    else
        too_long |= util_state_dir (state, sizeof state) != 0;
    config_release (&config);
    if (too_long || snprintf (self->journal, sizeof self->journal, "%s/journal", state)
                        >= (int) sizeof self->journal)
        return cli_fail (EXIT_UNAVAILABLE, "the state or runtime folder path is too long");
    self->pid = client_running_supervisor (self->runtime);
    if (self->pid <= 0)
        return EXIT_OK;
    char endpoint [PATH_MAX + 16];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/front", self->runtime);
    self->client = client_new (endpoint);
    client_reply_t reply;
    if (!self->client || client_request (self->client, "maintain-info", NULL, 0, 5000, &reply))
        return cli_fail (EXIT_UNAVAILABLE, "the supervisor (pid %d) did not answer in 5 s",
                       (int) self->pid);
    json_t *info = reply.reply.code == 0? json_loads (reply.body, 0, NULL): NULL;
    const char *journal = json_string_value (json_object_get (info, "journal"));
    int code = EXIT_OK;
    if (!journal)
        code = cli_fail (EXIT_UNAVAILABLE, "the supervisor (pid %d) does not know this request: "
                       "%s", (int) self->pid, reply.reply.message);
    else
    if (!*journal)
        code = cli_fail (EXIT_UNAVAILABLE, "the supervisor (pid %d) runs without a journal",
                       (int) self->pid);
    else {
        util_copy (self->journal, sizeof self->journal, journal);
        self->retention_ms = json_integer_value (json_object_get (info, "retention_ms"));
    }
    json_decref (info);
    client_reply_release (&reply);
    return code;
}

//  Takes the journal's lock (as the supervisor does): the lock's fd, or
//  -1 with a message printed (EWOULDBLOCK: in use).
static int
s_lock_journal (const char *journal)
{
    char path [PATH_MAX + 16];
    snprintf (path, sizeof path, "%s/lock", journal);
    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        cli_fail (EXIT_UNAVAILABLE, "%s: %s", path, strerror (errno));
        return -1;
    }
    if (flock (fd, LOCK_EX | LOCK_NB)) {
        int saved = errno;
        close (fd);
        if (saved == EWOULDBLOCK)
            cli_fail (EXIT_UNAVAILABLE, "%s: a supervisor is using this journal (it holds %s); "
                    "stop it with `readme2ci down` first", journal, path);
        else
            cli_fail (EXIT_UNAVAILABLE, "%s: %s", path, strerror (saved));
        errno = saved;
        return -1;
    }
    return fd;
}

static bool
s_is_folder (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

//  A problem as verify lists it, on stdout.
static void
s_list_problem (const journal_problem_t *problem, void *arg)
{
    (void) arg;
    char line [PATH_MAX + 256];
    journal_problem_format (problem, line, sizeof line);
    printf ("%s\n", line);
}

//  A problem met on the way, on stderr.
static void
s_warn_problem (const journal_problem_t *problem, void *arg)
{
    (void) arg;
    char line [PATH_MAX + 256];
    journal_problem_format (problem, line, sizeof line);
    fprintf (stderr, "readme2ci: journal: %s\n", line);
}

//  --------------------------------------------------------------------
//  events

//  Live events --follow keeps until the journal has them: a cleanup can
//  remove a segment before its records are read, and then these are all
//  that is left of them.
#define S_LIVE_KEPT 4096

typedef struct {
    uint64_t seq;
    json_t *event;              //  as published, NULL when the slot is free
} live_t;

typedef struct {
    uint64_t since_ms;          //  0: all
    const char *type_glob;      //  NULL: all
    bool json;
    uint64_t last_seq;          //  the newest seq read, printed or not
    uint64_t last_time;         //  and its time
    bool broken_pipe;
    bool following;             //  past the history: a seq gap is news
    live_t *live;               //  S_LIVE_KEPT slots by seq, with --follow
} events_t;

//  RFC 3339: 2024-05-01T12:34:56[.123][Z|+02:00], or a date alone.
static int
s_parse_rfc3339 (const char *text, uint64_t *ms_p)
{
    struct tm tm = { 0 };
    int consumed = 0;
    if (sscanf (text, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &consumed) != 3
    ||  consumed != 10)
        return -1;
    const char *p = text + consumed;
    int64_t offset_s = 0, ms = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        int used = 0;
        if (sscanf (p + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 3
        ||  used != 8)
            return -1;
        p += 1 + used;
        if (*p == '.') {
            int digits = 0;
            for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                if (digits < 3)
                    ms = ms * 10 + (*p - '0');
            if (!digits)
                return -1;
            for (; digits < 3; digits++)
                ms *= 10;
        }
        if (*p == 'Z' || *p == 'z')
            p++;
        else
        if (*p == '+' || *p == '-') {
            int hours, minutes, used2 = 0;
            if (sscanf (p + 1, "%2d:%2d%n", &hours, &minutes, &used2) != 2 || used2 != 5
            ||  hours > 23 || minutes > 59)
                return -1;
            offset_s = (int64_t) (hours * 3600 + minutes * 60) * (*p == '-'? -1: 1);
            p += 1 + used2;
        }
        else
            return -1;
    }
    if (*p || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31
    ||  tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 1970)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t seconds = timegm (&tm);
    if (seconds == (time_t) -1 || (int64_t) seconds - offset_s < 0)
        return -1;
    *ms_p = (uint64_t) ((int64_t) seconds - offset_s) * 1000 + (uint64_t) ms;
    return 0;
}

//  --since: an RFC 3339 time, or a duration ago ("10m", "2h ago").
static int
s_parse_since (const char *text, uint64_t now_ms, uint64_t *ms_p)
{
    char copy [64];
    if (!util_copy (copy, sizeof copy, text))
        return -1;
    size_t size = strlen (copy);
    if (size > 4 && strcmp (copy + size - 4, " ago") == 0)
        copy [size - 4] = 0;
    int64_t ago;
    if (duration_parse (copy, &ago) == 0) {
        *ms_p = (uint64_t) ago < now_ms? now_ms - (uint64_t) ago: 0;
        return 0;
    }
    return s_parse_rfc3339 (text, ms_p);
}

static bool
s_needs_quotes (const char *text)
{
    if (!*text)
        return true;
    for (const char *p = text; *p; p++)
        if (*p == ' ' || *p == '"' || *p == '=' || *p == '\\' || (unsigned char) *p < 0x20)
            return true;
    return false;
}

static void
s_print_text (const event_t *event, const char *stamp)
{
    printf ("%s #%" PRIu64 " %s", stamp, event->seq, event->type);
    for (size_t i = 0; i < event->count; i++) {
        const event_field_t *field = &event->fields [i];
        if (i == S_TEXT_FIELDS) {
            printf (" (+%zu more fields)", event->count - i);
            break;
        }
        printf (" %s=", field->key);
        if (field->kind == EVENT_INT)
            printf ("%" PRId64, field->num);
        else
        if (field->kind == EVENT_BOOL)
            fputs (field->num? "true": "false", stdout);
        else
        if (field->kind == EVENT_BYTES)
            printf ("<%zu bytes>", field->size);
        else
        if (s_needs_quotes (field->data)) {
            json_t *value = json_string (field->data);
            char *quoted = value? json_dumps (value, JSON_ENCODE_ANY): NULL;
            fputs (quoted? quoted: "\"?\"", stdout);
            free (quoted);
            json_decref (value);
        }
        else
            fputs (field->data, stdout);
    }
    putchar ('\n');
}

static void
s_print_json (const event_t *event, const char *stamp)
{
    json_t *line = json_object ();
    if (!line)
        return;
    json_object_set_new (line, "seq", json_integer ((json_int_t) event->seq));
    json_object_set_new (line, "time", json_string (stamp));
    json_object_set_new (line, "time_ms", json_integer ((json_int_t) event->time));
    json_object_set_new (line, "type", json_string (event->type));
    for (size_t i = 0; i < event->count; i++) {
        const event_field_t *field = &event->fields [i];
        if (field->kind == EVENT_INT)
            json_object_set_new (line, field->key, json_integer ((json_int_t) field->num));
        else
        if (field->kind == EVENT_BOOL)
            json_object_set_new (line, field->key, json_boolean (field->num));
        else
        if (field->kind == EVENT_BYTES) {
            char key [EVENT_NAME_MAX + 8];
            snprintf (key, sizeof key, "%s_bytes", field->key);
            json_object_set_new (line, key, json_integer ((json_int_t) field->size));
        }
        else
            json_object_set_new (line, field->key, json_string (field->data));
    }
    char *text = json_dumps (line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text)
        puts (text);
    free (text);
    json_decref (line);
}

//  Prints an event that passes the filters. 0, or -1 with EPIPE when
//  stdout is gone.
static int
s_show (events_t *self, const event_t *event)
{
    if (event->time < self->since_ms
    ||  (self->type_glob && fnmatch (self->type_glob, event->type, 0) != 0))
        return 0;
    char stamp [EVENT_TIME_SIZE] = "?";
    event_time_rfc3339 (event->time, stamp, sizeof stamp);
    if (self->json)
        s_print_json (event, stamp);
    else
        s_print_text (event, stamp);
    if (ferror (stdout)) {
        self->broken_pipe = true;
        return errno = EPIPE, -1;
    }
    return 0;
}

//  A live event (the JSON the supervisor publishes) as an event: its
//  fields but not its byte fields, which the live stream does not carry.
static void
s_event_from_live (const json_t *live, event_t *event)
{
    event->seq = (uint64_t) json_integer_value (json_object_get (live, "seq"));
    event->time = (uint64_t) json_integer_value (json_object_get (live, "time_ms"));
    event_set_type (event, json_string_value (json_object_get (live, "type")));
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *) live, key, value) {
        if (streq (key, "type") || streq (key, "seq") || streq (key, "time")
        ||  streq (key, "time_ms"))
            continue;
        if (json_is_string (value))
            event_add_str (event, key, json_string_value (value));
        else
        if (json_is_integer (value))
            event_add_int (event, key, json_integer_value (value));
        else
        if (json_is_boolean (value))
            event_add_bool (event, key, json_is_true (value));
    }
}

//  Seqs from..to-1 were passed over by the journal: a cleanup removed
//  their segment before they were read. Prints those the live stream
//  brought, and says how many are lost. 0, or -1 with EPIPE.
static int
s_fill_gap (events_t *self, uint64_t from, uint64_t to)
{
    uint64_t first = from, lost = 0;
    if (to - from > S_LIVE_KEPT) {
        lost = to - S_LIVE_KEPT - from;
        from = to - S_LIVE_KEPT;
    }
    for (uint64_t seq = from; seq < to; seq++) {
        live_t *slot = self->live? &self->live [seq % S_LIVE_KEPT]: NULL;
        if (!slot || !slot->event || slot->seq != seq) {
            lost++;
            continue;
        }
        event_t event = { 0 };
        s_event_from_live (slot->event, &event);
        int rc = event.type? s_show (self, &event): 0;
        event_release (&event);
        if (rc)
            return -1;
    }
    if (lost) {
        fflush (stdout);
        fprintf (stderr, "readme2ci: events: %" PRIu64 " event(s) between seq %" PRIu64
                 " and %" PRIu64 " were removed from the journal (maintain cleanup) before "
                 "they could be read\n", lost, first, to - 1);
    }
    return 0;
}

static int
s_on_event (event_t *event, void *arg)
{
    events_t *self = arg;
    if (self->following && event->seq > self->last_seq + 1
    &&  s_fill_gap (self, self->last_seq + 1, event->seq))
        return -1;
    if (event->seq > self->last_seq) {
        self->last_seq = event->seq;
        self->last_time = event->time;
    }
    return s_show (self, event);
}

//  Reads the journal from the seq after the last one seen. 0, or an exit
//  status with the message printed.
static int
s_read_from (events_t *self, const char *journal)
{
    int rc = journal_read (journal, NULL, self->last_seq + 1, s_on_event, s_warn_problem,
                           self);
    int saved = errno;
    fflush (stdout);
    if (rc == 0 || (rc && saved == ENOENT))
        return EXIT_OK;
    if (self->broken_pipe)
        return EXIT_OK;
    if (saved == EBADMSG)
        return cli_fail (EXIT_INPUT, "%s: the journal is damaged after seq %" PRIu64
                       " (see `readme2ci journal verify`)", journal, self->last_seq);
    return cli_fail (EXIT_UNAVAILABLE, "%s: cannot read the journal: %s", journal,
                   strerror (saved));
}

//  Receives a live event and keeps it until the journal has it. Its seq
//  (0 when it has none yet), or -1 if malformed.
static int64_t
s_live_take (events_t *self, zsock_t *sub)
{
    char *type = NULL, *body = NULL;
    if (zsock_recv (sub, "ss", &type, &body) != 0)
        return -1;
    json_t *event = body? json_loads (body, 0, NULL): NULL;
    json_t *seq = json_object_get (event, "seq");
    int64_t value = json_is_integer (seq)? (int64_t) json_integer_value (seq): -1;
    if (value > (int64_t) self->last_seq && self->live) {
        live_t *slot = &self->live [(uint64_t) value % S_LIVE_KEPT];
        json_decref (slot->event);
        slot->seq = (uint64_t) value;
        slot->event = event;
        event = NULL;
    }
    json_decref (event);
    free (type);
    free (body);
    return value;
}

//  What the journal holds at the last seq printed.
typedef struct {
    uint64_t seq, time;
    bool same;                  //  the record we printed is still there
    bool found;                 //  any record from seq on
} probe_t;

static int
s_probe (event_t *event, void *arg)
{
    probe_t *self = arg;
    self->found = true;
    //  The same seq and time, or a later record no older than ours (a
    //  cleanup removed ours): the history we printed goes on.
    self->same = event->seq == self->seq? event->time == self->time
                                         : event->time >= self->time;
    return errno = ECANCELED, -1;
}

//  Whether the journal no longer continues what was printed: a backup was
//  restored (the seqs start over from the backup's end) or the journal was
//  removed. Cannot tell (a read failure): false.
static bool
s_rewound (events_t *self, const char *journal)
{
    if (!self->last_seq)
        return false;
    probe_t probe = { self->last_seq, self->last_time, false, false };
    int rc = journal_read (journal, NULL, self->last_seq, s_probe, NULL, &probe);
    if (rc && errno != ECANCELED && errno != ENOENT)
        return false;
    return !probe.found || !probe.same;
}

//  After a rewind: says so, forgets the live events of the old history and
//  prints the new journal's events that are newer than the last printed.
static int
s_read_again (events_t *self, const char *journal)
{
    fflush (stdout);
    fprintf (stderr, "readme2ci: events: the journal no longer holds seq %" PRIu64 " as it "
             "was printed (a restored backup?); going on with its newer events\n",
             self->last_seq);
    for (size_t i = 0; self->live && i < S_LIVE_KEPT; i++) {
        json_decref (self->live [i].event);
        self->live [i].event = NULL;
    }
    if (self->since_ms <= self->last_time)
        self->since_ms = self->last_time + 1;
    self->last_seq = 0;
    self->following = false;            //  the new history has no gaps to fill
    int code = s_read_from (self, journal);
    self->following = true;
    return code;
}

//  --follow: the live stream says when there is something new; the
//  journal is read for it, so lines look the same as the history's and
//  every seq is printed once, in order.
static int
s_follow (events_t *self, locate_t *where, zsock_t *sub)
{
    //  A live event's seq may be ahead of the disk by a group commit:
    //  wait for it this long before printing past a gap.
    const int64_t patience_ms = 2000;
    int64_t wanted = 0;             //  the newest live seq announced
    bool unsequenced = false;       //  events the journal could not take yet
    uint64_t waiting_since = 0;
    pid_t supervisor = where->pid;
    int catch_up = 0;               //  idle rounds that still read the journal
    uint64_t pid_checked_ms = 0;
    while (true) {
        int timeout = wanted > (int64_t) self->last_seq || unsequenced? 20: 1000;
        zmq_pollitem_t item = { zsock_resolve (sub), 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll (&item, 1, timeout);
        if (rc < 0 && zmq_errno () != EINTR)
            return cli_fail (EXIT_UNAVAILABLE, "the live event stream failed: %s",
                           zmq_strerror (zmq_errno ()));
        bool news = false;
        while (rc > 0 && (zsock_events (sub) & ZMQ_POLLIN)) {
            int64_t seq = s_live_take (self, sub);
            if (seq == 0)
                unsequenced = true;
            if (seq > wanted)
                wanted = seq;
            news = true;
        }
        //  A supervisor that restarted published its first events before
        //  the subscription reconnected: read them from its journal now,
        //  not when the next event happens to come. Its journal may be
        //  another one (a restore): then its history starts over.
        uint64_t checked = util_now_ms ();
        if (where->runtime [0] && (!news || checked - pid_checked_ms >= 500)) {
            pid_checked_ms = checked;
            pid_t now_running = client_running_supervisor (where->runtime);
            if (now_running > 0 && now_running != supervisor) {
                catch_up = 3;           //  its start takes a moment: read a while
                if (s_rewound (self, where->journal)) {
                    int code = s_read_again (self, where->journal);
                    if (code || self->broken_pipe)
                        return code;
                    wanted = 0;
                    waiting_since = 0;
                }
            }
            if (now_running > 0)
                supervisor = now_running;
        }
        if (!news && rc == 0 && catch_up > 0) {
            catch_up--;
            news = true;
        }
        if (!news && wanted <= (int64_t) self->last_seq && !unsequenced)
            continue;
        uint64_t before = self->last_seq;
        int code = s_read_from (self, where->journal);
        if (code || self->broken_pipe)
            return code;
        if (self->last_seq > before)
            unsequenced = false;
        if (wanted > (int64_t) self->last_seq) {
            uint64_t now = util_now_ms ();
            if (!waiting_since)
                waiting_since = now;
            else
            if ((int64_t) (now - waiting_since) > patience_ms) {
                fprintf (stderr, "readme2ci: events up to seq %" PRId64 " were announced "
                         "but are not in the journal yet\n", wanted);
                wanted = (int64_t) self->last_seq;
                waiting_since = 0;
            }
        }
        else
            waiting_since = 0;
    }
}

int
cli_events (int argc, char **argv)
{
    events_t self = { 0 };
    bool follow = false;
    const char *since = NULL, *config_path = NULL;
    for (int i = 0; i < argc; i++) {
        const char *value = i + 1 < argc? argv [i + 1]: NULL;
        if (cli_is_help (argv [i])) {
            return cli_help (s_events_help, "events");
        }
        if (strcmp (argv [i], "--json") == 0)
            self.json = true;
        else
        if (strcmp (argv [i], "--follow") == 0 || strcmp (argv [i], "-f") == 0)
            follow = true;
        else
        if (strcmp (argv [i], "--since") == 0 && value) {
            since = value;
            i++;
        }
        else
        if (strcmp (argv [i], "--type") == 0 && value) {
            self.type_glob = value;
            i++;
        }
        else
        if ((strcmp (argv [i], "-c") == 0 || strcmp (argv [i], "--config") == 0) && value) {
            config_path = value;
            i++;
        }
        else
            return cli_fail (EXIT_USAGE, "events: unknown or incomplete argument '%s' "
                           "(see --help)", argv [i]);
    }
    if (since && s_parse_since (since, util_wall_ms (), &self.since_ms))
        return cli_fail (EXIT_USAGE, "events: --since takes an RFC 3339 time "
                       "(2024-05-01T12:00:00Z) or a duration ago (10m, 2h), not '%s'", since);
    //  Subscribe before anything is read, so nothing falls between the
    //  history and the live stream; the round trip of s_locate lets the
    //  subscription reach the supervisor.
    zsock_t *sub = NULL;
    if (follow) {
        char runtime [PATH_MAX];
        if (util_runtime_dir (runtime, sizeof runtime) == 0 && !config_path) {
            char endpoint [PATH_MAX + 16];
            snprintf (endpoint, sizeof endpoint, "ipc://%s/events", runtime);
            sub = zsock_new_sub (endpoint, "");
        }
    }
    locate_t where;
    int code = s_locate (&where, config_path);
    if (code)
        goto out;
    if (follow && where.pid <= 0) {
        code = cli_fail (EXIT_UNAVAILABLE, "events --follow: no supervisor is running (start "
                       "one with `readme2ci up -d`)");
        goto out;
    }
    if (follow && !sub) {
        char endpoint [PATH_MAX + 16];
        snprintf (endpoint, sizeof endpoint, "ipc://%s/events", where.runtime);
        sub = zsock_new_sub (endpoint, "");
        client_reply_t reply;
        if (sub && client_request (where.client, "maintain-info", NULL, 0, 5000, &reply) == 0)
            client_reply_release (&reply);
    }
    if (follow && !sub) {
        code = cli_fail (EXIT_UNAVAILABLE, "cannot subscribe to the supervisor's events");
        goto out;
    }
    if (!follow && !s_is_folder (where.journal)) {
        fprintf (stderr, "readme2ci: no journal in %s yet\n", where.journal);
        goto out;
    }
    code = s_read_from (&self, where.journal);
    if (!code && follow && !self.broken_pipe) {
        self.following = true;
        self.live = calloc (S_LIVE_KEPT, sizeof *self.live);
        code = s_follow (&self, &where, sub);
    }
out:
    if (self.live)
        for (size_t i = 0; i < S_LIVE_KEPT; i++)
            json_decref (self.live [i].event);
    free (self.live);
    zsock_destroy (&sub);
    s_locate_release (&where);
    return code;
}

//  --------------------------------------------------------------------
//  journal verify

int
cli_journal (int argc, char **argv)
{
    if (argc >= 1 && cli_is_help (argv [0]))
        return cli_help (s_journal_help, "journal");
    if (argc < 1) {
        fputs (s_journal_help, stderr);
        return EXIT_USAGE;
    }
    if (strcmp (argv [0], "verify") != 0)
        return cli_fail (EXIT_USAGE, "journal: unknown command '%s' (see --help)", argv [0]);
    const char *path = NULL, *config_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help (argv [i])) {
            return cli_help (s_journal_help, "journal");
        }
        if ((strcmp (argv [i], "-c") == 0 || strcmp (argv [i], "--config") == 0) && i + 1 < argc)
            config_path = argv [++i];
        else
        if (argv [i][0] != '-' && !path)
            path = argv [i];
        else
            return cli_fail (EXIT_USAGE, "journal verify: unexpected argument '%s'", argv [i]);
    }
    locate_t where = { .client = NULL };
    if (!path) {
        int code = s_locate (&where, config_path);
        if (code) {
            s_locate_release (&where);
            return code;
        }
        path = where.journal;
    }
    journal_stats_t stats = { 0 };
    int rc = journal_verify (path, NULL, &stats, s_list_problem, NULL);
    int saved = errno;
    int code = EXIT_OK;
    if (rc && saved != EBADMSG)
        code = cli_fail (EXIT_INPUT, "%s: %s", path, saved == ENOENT
                       ? "no journal segments here": strerror (saved));
    else {
        printf ("%s: %zu segments, %" PRIu64 " good records", path, stats.segments,
                stats.records);
        if (stats.records)
            printf (" (seq %" PRIu64 " to %" PRIu64 ")", stats.first_seq, stats.last_seq);
        printf (", %" PRIu64 " problems: %s\n", stats.problems, rc? "DAMAGED": "clean");
        code = rc? EXIT_INPUT: EXIT_OK;
    }
    s_locate_release (&where);
    return code;
}

//  --------------------------------------------------------------------
//  maintain

//  The journal opened by us, under its lock; NULL with a message printed.
static journal_t *
s_open_offline (const char *dir, int *lock_p)
{
    if (!s_is_folder (dir)) {
        cli_fail (EXIT_INPUT, "no journal in %s", dir);
        return NULL;
    }
    *lock_p = s_lock_journal (dir);
    if (*lock_p < 0)
        return NULL;
    journal_t *journal = journal_open (dir, NULL, s_warn_problem, NULL);
    if (!journal) {
        cli_fail (EXIT_INPUT, "%s: cannot open the journal: %s", dir, strerror (errno));
        close (*lock_p);
        *lock_p = -1;
    }
    return journal;
}

static int
s_fold (event_t *event, void *arg)
{
    return snapshot_apply (arg, event);
}

static int
s_cleanup_offline (const char *dir, int64_t age_ms, uint32_t results_keep)
{
    int lock = -1;
    journal_t *journal = s_open_offline (dir, &lock);
    if (!journal)
        return lock < 0 && errno == EWOULDBLOCK? EXIT_UNAVAILABLE: EXIT_INPUT;
    int code = EXIT_OK;
    snapshot_t *state = snapshot_new (results_keep);
    snapshot_report_t report = { 0 };
    if (!state || journal_replay (journal, s_fold, s_warn_problem, state))
        code = cli_fail (EXIT_INPUT, "%s: cannot read the journal: %s", dir, strerror (errno));
    else
    if (snapshot_compact (state, journal, util_wall_ms (), (uint64_t) age_ms, &report))
        code = cli_fail (EXIT_UNAVAILABLE, "%s: cleanup failed: %s", dir, strerror (errno));
    else
        printf ("readme2ci: snapshot at seq %" PRIu64 " (%zu workflows in progress, %zu "
                "results kept); removed %zu of %zu segments, %" PRIu64 " bytes\n",
                report.first_seq, snapshot_pending_count (state),
                snapshot_results_count (state), report.removed, report.segments,
                report.removed? report.bytes_removed: 0);
    snapshot_destroy (&state);
    journal_destroy (&journal);
    close (lock);
    return code;
}

static int
s_backup_offline (const char *dir, const char *dest)
{
    int lock = -1;
    journal_t *journal = s_open_offline (dir, &lock);
    if (!journal)
        return lock < 0 && errno == EWOULDBLOCK? EXIT_UNAVAILABLE: EXIT_INPUT;
    int code = EXIT_OK;
    if (journal_backup (journal, dest)) {
        int why = errno;
        //  as the supervisor answers for an online backup
        if (why == EEXIST)
            code = cli_fail (EXIT_INPUT, "%s: already exists; give a new folder", dest);
        else
        if (why == ENOENT)
            code = cli_fail (EXIT_INPUT, "%s: the folder it would go in does not exist", dest);
        else
            code = cli_fail (why == ENOTDIR || why == EACCES || why == EROFS
                           || why == ENAMETOOLONG? EXIT_INPUT: EXIT_UNAVAILABLE,
                           "%s: the backup failed: %s", dest, strerror (why));
    }
    else
        printf ("readme2ci: backup written to %s\n", dest);
    journal_destroy (&journal);
    close (lock);
    return code;
}

//  Ask the running supervisor; prints its answer. The exit status.
static int
s_ask (locate_t *where, const char *op, const char *arg, int timeout_ms)
{
    client_reply_t reply;
    const char *args [1] = { arg };
    if (client_request (where->client, op, args, 1, timeout_ms, &reply))
        return cli_fail (errno == ETIMEDOUT? EXIT_TIMEOUT: EXIT_UNAVAILABLE, "the supervisor (pid %d) did "
                       "not answer in %d s", (int) where->pid, timeout_ms / 1000);
    int code = reply.reply.code;
    if (code == EXIT_OK)
        printf ("readme2ci: %s\n", reply.reply.message);
    else
        cli_fail (code, "%s", reply.reply.message);
    client_reply_release (&reply);
    return code;
}

//  DIR as an absolute path (the supervisor's working folder is not ours).
static int
s_absolute (const char *path, char *buf, size_t size)
{
    if (path [0] == '/')
        return util_copy (buf, size, path)? 0: -1;
    char cwd [PATH_MAX];
    if (!getcwd (cwd, sizeof cwd))
        return -1;
    return snprintf (buf, size, "%s/%s", cwd, path) < (int) size? 0: -1;
}

static int
s_restore (locate_t *where, const char *backup)
{
    if (where->pid > 0)
        return cli_fail (EXIT_UNAVAILABLE, "a supervisor (pid %d) is running on %s; stop it "
                       "with `readme2ci down` before restoring", (int) where->pid,
                       where->journal);
    if (!s_is_folder (backup))
        return cli_fail (EXIT_INPUT, "%s: no such backup folder", backup);
    int lock = -1;
    if (s_is_folder (where->journal) && (lock = s_lock_journal (where->journal)) < 0)
        return EXIT_UNAVAILABLE;
    char parent [PATH_MAX];
    util_copy (parent, sizeof parent, where->journal);
    char *slash = strrchr (parent, '/');
    if (slash && slash != parent)
        *slash = 0;
    int code = EXIT_OK;
    if (util_mkdirs (parent, 0700))
        code = cli_fail (EXIT_UNAVAILABLE, "%s: %s", parent, strerror (errno));
    else
    if (journal_restore (backup, where->journal, NULL, s_warn_problem, NULL))
        code = errno == EBADMSG
             ? cli_fail (EXIT_INPUT, "%s: the backup is damaged; nothing was changed", backup)
             : cli_fail (errno == ENOENT? EXIT_INPUT: EXIT_UNAVAILABLE, "%s: restore failed: %s",
                       backup, errno == ENOENT? "no journal segments in the backup"
                                              : strerror (errno));
    else
        printf ("readme2ci: journal %s restored from %s; the one it replaced is in "
                "%s.before-restore\n", where->journal, backup, where->journal);
    if (lock >= 0)
        close (lock);
    return code;
}

int
cli_maintain (int argc, char **argv)
{
    if (argc >= 1 && cli_is_help (argv [0]))
        return cli_help (s_maintain_help, "maintain");
    if (argc < 1) {
        fputs (s_maintain_help, stderr);
        return EXIT_USAGE;
    }
    const char *op = argv [0], *target = NULL, *config_path = NULL, *older = NULL;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc? argv [i + 1]: NULL;
        if (cli_is_help (argv [i])) {
            return cli_help (s_maintain_help, "maintain");
        }
        if ((strcmp (argv [i], "-c") == 0 || strcmp (argv [i], "--config") == 0) && value) {
            config_path = value;
            i++;
        }
        else
        if (strcmp (argv [i], "--older-than") == 0 && value && strcmp (op, "cleanup") == 0) {
            older = value;
            i++;
        }
        else
        if (argv [i][0] != '-' && !target && strcmp (op, "cleanup") != 0)
            target = argv [i];
        else
            return cli_fail (EXIT_USAGE, "maintain %s: unexpected argument '%s' (see --help)",
                           op, argv [i]);
    }
    bool cleanup = strcmp (op, "cleanup") == 0;
    if (!cleanup && strcmp (op, "backup") && strcmp (op, "restore"))
        return cli_fail (EXIT_USAGE, "maintain: unknown command '%s' (cleanup, backup, "
                       "restore)", op);
    if (!cleanup && !target)
        return cli_fail (EXIT_USAGE, "maintain %s: give a folder (see --help)", op);
    int64_t age = -1;
    if (older && duration_parse (older, &age))
        return cli_fail (EXIT_USAGE, "maintain cleanup: --older-than takes a duration (30m, "
                       "12h, 7d), not '%s'", older);
    char path [PATH_MAX];
    if (target && s_absolute (target, path, sizeof path))
        return cli_fail (EXIT_USAGE, "%s: path too long", target);
    locate_t where;
    int code = s_locate (&where, config_path);
    if (code)
        goto out;
    if (cleanup) {
        if (age < 0)
            age = where.retention_ms;
        if (age <= 0 && !older) {
            printf ("readme2ci: journal.retention is 0: the journal keeps everything\n");
            goto out;
        }
        char text [32];
        snprintf (text, sizeof text, "%" PRId64, age);
        code = where.client? s_ask (&where, "maintain-cleanup", text, 120000)
                           : s_cleanup_offline (where.journal, age, where.results_keep);
    }
    else
    if (strcmp (op, "backup") == 0) {
        //  Like generate's -o: the folders the backup goes in are made
        //  (private: a backup is the whole journal).
        char parent [PATH_MAX];
        util_copy (parent, sizeof parent, path);
        char *slash = strrchr (parent, '/');
        if (slash && slash != parent)
            *slash = 0;
        if (slash && slash != parent && util_mkdirs (parent, 0700))
            code = cli_fail (EXIT_INPUT, "%s: cannot create %s: %s", target, parent,
                           strerror (errno));
        else
            code = where.client? s_ask (&where, "maintain-backup", path, 600000)
                               : s_backup_offline (where.journal, path);
    }
    else
        code = s_restore (&where, path);
out:
    s_locate_release (&where);
    return code;
}
