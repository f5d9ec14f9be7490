/*  common/config.c - readme2ci.yml into config_t: one table describes
    every key, and drives reading, checking, writing back and comparing.  */
#include "common/config.h"

#include "common/duration.h"
#include "common/names.h"
#include "common/ytree.h"

#include <yaml.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

//  A config file is a page of settings; anything bigger is a mistake.
#define CONFIG_MAX_SIZE (1024 * 1024)
//  Errors kept for one file; the rest are counted in a last line.
#define CONFIG_MAX_ERRORS 200

#define SECOND 1000LL
#define MINUTE (60 * SECOND)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define KIB 1024LL
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)
#define TIB (1024 * GIB)

typedef enum {
    KIND_END,           //  ends a table
    KIND_MAP,           //  a section: children describe its keys
    KIND_COMPONENTS,    //  map of component name -> component section
    KIND_COUNT,         //  uint32_t, a plain integer
    KIND_DURATION,      //  int64_t ms, see duration.h
    KIND_SIZE,          //  uint64_t bytes, "64MiB"
    KIND_BOOL,          //  bool, true or false
    KIND_ENUM,          //  an enum (int sized), one of names
    KIND_PATH,          //  char *, relative to the config's folder
    KIND_COMMAND,       //  char *, a path, or a bare program name
    KIND_LOGFILE,       //  char *, a path, or "syslog"
    KIND_ENDPOINT,      //  char *, tcp://host:port or ipc://path
    KIND_HOSTPORT,      //  char *, host:port
    KIND_PATHS          //  char ** plus size_t count right after it
} kind_t;

typedef struct entry entry_t;
struct entry {
    const char *key;
    kind_t kind;
    size_t offset;              //  of the value in the parent's struct
    int64_t min, max;           //  counts, durations and sizes
    const char *const *names;   //  KIND_ENUM
    const entry_t *children;    //  KIND_MAP, KIND_COMPONENTS
    bool live;                  //  sections: reload applies it
    bool restart;               //  leaves: a change needs a restart even in a
                                //  live section (read only at start)
};

#define LEAF(key, kind, type, member, min, max) \
    { key, kind, offsetof (type, member), min, max, NULL, NULL, false, false }
//  A leaf the supervisor reads only when it starts.
#define LEAF_AT_START(key, kind, type, member, min, max) \
    { key, kind, offsetof (type, member), min, max, NULL, NULL, false, true }
#define CHOICE(key, type, member, names) \
    { key, KIND_ENUM, offsetof (type, member), 0, 0, names, NULL, false, false }
#define CHOICE_AT_START(key, type, member, names) \
    { key, KIND_ENUM, offsetof (type, member), 0, 0, names, NULL, false, true }
#define SECTION(key, type, member, children, live) \
    { key, KIND_MAP, offsetof (type, member), 0, 0, NULL, children, live, false }
#define END { NULL, KIND_END, 0, 0, 0, NULL, NULL, false, false }

static const char *const s_fsync_names [] = { "batch", "always", "never", NULL };

_Static_assert (sizeof (config_fsync_t) == sizeof (int), "enums are int sized");
_Static_assert (sizeof (config_log_level_t) == sizeof (int), "enums are int sized");
_Static_assert (sizeof (config_log_format_t) == sizeof (int), "enums are int sized");
_Static_assert (CONFIG_LOG_ERROR + 1 == NAMES_LOG_LEVELS, "a level per name");
_Static_assert (CONFIG_LOG_JSON + 1 == NAMES_LOG_FORMATS, "a format per name");

static const entry_t s_listen [] = {
    LEAF ("workers", KIND_ENDPOINT, config_listen_t, workers, 0, 0),
    LEAF ("clients", KIND_ENDPOINT, config_listen_t, clients, 0, 0),
    END
};

static const entry_t s_security [] = {
    LEAF ("secret_key", KIND_PATH, config_security_t, secret_key, 0, 0),
    LEAF ("authorized_workers", KIND_PATH, config_security_t, authorized_workers, 0, 0),
    LEAF ("authorized_clients", KIND_PATH, config_security_t, authorized_clients, 0, 0),
    LEAF ("operators", KIND_PATH, config_security_t, operators, 0, 0),
    LEAF ("insecure", KIND_BOOL, config_security_t, insecure, 0, 0),
    END
};

static const entry_t s_heartbeat [] = {
    LEAF ("interval", KIND_DURATION, config_heartbeat_t, interval_ms, 10, MINUTE),
    LEAF ("liveness", KIND_COUNT, config_heartbeat_t, liveness, 1, 100),
    LEAF ("tcp_interval", KIND_DURATION, config_heartbeat_t, tcp_interval_ms, 10, MINUTE),
    END
};

static const entry_t s_restart [] = {
    LEAF ("immediate_after", KIND_DURATION, config_restart_t, immediate_after_ms, 0, DAY),
    LEAF ("backoff_initial", KIND_DURATION, config_restart_t, backoff_initial_ms, 1, HOUR),
    LEAF ("backoff_max", KIND_DURATION, config_restart_t, backoff_max_ms, 1, DAY),
    LEAF ("intensity", KIND_COUNT, config_restart_t, intensity, 1, 1000),
    LEAF ("period", KIND_DURATION, config_restart_t, period_ms, SECOND, DAY),
    LEAF ("probe_interval", KIND_DURATION, config_restart_t, probe_interval_ms, SECOND, DAY),
    LEAF ("start_timeout", KIND_DURATION, config_restart_t, start_timeout_ms, 100, HOUR),
    END
};

static const entry_t s_stop [] = {
    LEAF ("drain_timeout", KIND_DURATION, config_stop_t, drain_timeout_ms, 0, HOUR),
    LEAF ("kill_after", KIND_DURATION, config_stop_t, kill_after_ms, 0, HOUR),
    END
};

static const entry_t s_retry [] = {
    LEAF ("attempts", KIND_COUNT, config_retry_t, attempts, 1, 100),
    LEAF ("base", KIND_DURATION, config_retry_t, base_ms, 0, HOUR),
    LEAF ("max", KIND_DURATION, config_retry_t, max_ms, 0, DAY),
    LEAF ("workflow_timeout", KIND_DURATION, config_retry_t, workflow_timeout_ms, 1, 7 * DAY),
    END
};

static const entry_t s_breaker [] = {
    LEAF ("failures", KIND_COUNT, config_breaker_t, failures, 1, 10000),
    LEAF ("open_for", KIND_DURATION, config_breaker_t, open_for_ms, 1, DAY),
    LEAF ("half_open_trials", KIND_COUNT, config_breaker_t, half_open_trials, 1, 1000),
    END
};

static const entry_t s_queue [] = {
    LEAF ("capacity", KIND_COUNT, config_queue_t, capacity, 1, 10000000),
    END
};

static const entry_t s_journal [] = {
    //  The journal is opened once, at start: only retention (read by each
    //  cleanup) can change live.
    CHOICE_AT_START ("fsync", config_journal_t, fsync, s_fsync_names),
    LEAF_AT_START ("batch_interval", KIND_DURATION, config_journal_t, batch_interval_ms,
                   1, 10 * SECOND),
    LEAF_AT_START ("batch_records", KIND_COUNT, config_journal_t, batch_records, 1, 100000),
    LEAF ("retention", KIND_DURATION, config_journal_t, retention_ms, 0, 3650 * DAY),
    LEAF_AT_START ("segment_size", KIND_SIZE, config_journal_t, segment_size, 4 * KIB, TIB),
    END
};

static const entry_t s_results [] = {
    LEAF ("keep", KIND_COUNT, config_results_t, keep, 1, 1000000),
    LEAF ("max_age", KIND_DURATION, config_results_t, max_age_ms, 0, 3650 * DAY),
    END
};

static const entry_t s_log [] = {
    CHOICE ("level", config_log_t, level, names_log_levels),
    CHOICE ("format", config_log_t, format, names_log_formats),
    //  Standard error is pointed at the file once, and children inherit it.
    LEAF_AT_START ("file", KIND_LOGFILE, config_log_t, file, 0, 0),
    //  The captured logs (workers' stderr, a detached supervisor's own):
    //  read at each write, so a reload applies them at once.
    LEAF ("max_size", KIND_SIZE, config_log_t, max_size, 4 * KIB, GIB),
    LEAF ("max_files", KIND_COUNT, config_log_t, max_files, 1, 100),
    END
};

//  A component's own keys, then the sections it may override.
static const entry_t s_component [] = {
    LEAF ("workers", KIND_COUNT, config_component_t, workers, 0, 256),
    LEAF ("command", KIND_COMMAND, config_component_t, command, 0, 0),
    LEAF ("credit", KIND_COUNT, config_component_t, credit, 1, 64),
    SECTION ("heartbeat", config_component_t, heartbeat, s_heartbeat, true),
    //  Each worker slot takes its restart policy when it is made.
    SECTION ("restart", config_component_t, restart, s_restart, false),
    SECTION ("breaker", config_component_t, breaker, s_breaker, true),
    SECTION ("retry", config_component_t, retry, s_retry, true),
    END
};

static const entry_t s_root [] = {
    LEAF ("runtime_dir", KIND_PATH, config_t, runtime_dir, 0, 0),
    LEAF ("state_dir", KIND_PATH, config_t, state_dir, 0, 0),
    SECTION ("listen", config_t, listen, s_listen, false),
    SECTION ("security", config_t, security, s_security, false),
    { "components", KIND_COMPONENTS, offsetof (config_t, components), 0, 0,
      NULL, s_component, true, false },
    SECTION ("heartbeat", config_t, heartbeat, s_heartbeat, true),
    SECTION ("restart", config_t, restart, s_restart, false),
    SECTION ("stop", config_t, stop, s_stop, true),
    SECTION ("retry", config_t, retry, s_retry, true),
    SECTION ("breaker", config_t, breaker, s_breaker, true),
    SECTION ("queue", config_t, queue, s_queue, true),
    SECTION ("journal", config_t, journal, s_journal, true),
    //  Read at start: replay keeps what it says.
    SECTION ("results", config_t, results, s_results, false),
    LEAF ("metrics", KIND_HOSTPORT, config_t, metrics, 0, 0),
    { "rules", KIND_PATHS, offsetof (config_t, rules), 0, 0, NULL, NULL, true, false },
    SECTION ("log", config_t, log, s_log, true),
    END
};

_Static_assert (offsetof (config_t, rule_count) > offsetof (config_t, rules),
                "rule_count follows rules");

//  Sizes a config may name, longest first within each family.
typedef struct {
    const char *name;
    int64_t bytes;
} size_unit_t;

static const size_unit_t s_size_units [] = {
    { "KiB", KIB }, { "MiB", MIB }, { "GiB", GIB }, { "TiB", TIB },
    { "KB", 1000LL }, { "MB", 1000000LL }, { "GB", 1000000000LL },
    { "TB", 1000000000000LL },
    { "K", KIB }, { "M", MIB }, { "G", GIB }, { "T", TIB }, { "B", 1 },
};
#define SIZE_UNIT_COUNT (sizeof s_size_units / sizeof s_size_units [0])

//  ---------------------------------------------------------------------
//  Small helpers over values

static void *
s_field (void *base, const entry_t *entry)
{
    return (char *) base + entry->offset;
}

static const void *
s_cfield (const void *base, const entry_t *entry)
{
    return (const char *) base + entry->offset;
}

static int
s_enum_get (const void *field)
{
    int value;
    memcpy (&value, field, sizeof value);
    return value;
}

static void
s_enum_set (void *field, int value)
{
    memcpy (field, &value, sizeof value);
}

static bool
s_is_string_kind (kind_t kind)
{
    return kind == KIND_PATH || kind == KIND_COMMAND || kind == KIND_LOGFILE
        || kind == KIND_ENDPOINT || kind == KIND_HOSTPORT;
}

static const entry_t *
s_find_entry (const entry_t *entries, const char *key)
{
    for (; entries->kind != KIND_END; entries++)
        if (strcmp (entries->key, key) == 0)
            return entries;
    return NULL;
}

//  Parse a size: digits, optional blanks, an optional unit.
static int
s_size_parse (const char *text, uint64_t *bytes_p)
{
    const char *p = text;
    if (*p < '0' || *p > '9')
        return errno = EINVAL, -1;
    uint64_t value = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned digit = (unsigned) (*p - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return errno = ERANGE, -1;
        value = value * 10 + digit;
    }
    while (*p == ' ')
        p++;
    uint64_t unit = 1;
    if (*p) {
        size_t i;
        for (i = 0; i < SIZE_UNIT_COUNT; i++)
            if (strcmp (p, s_size_units [i].name) == 0)
                break;
        if (i == SIZE_UNIT_COUNT)
            return errno = EINVAL, -1;
        unit = (uint64_t) s_size_units [i].bytes;
    }
    if (value > UINT64_MAX / unit)
        return errno = ERANGE, -1;
    *bytes_p = value * unit;
    return 0;
}

//  The largest binary unit that divides the size, else plain bytes.
static void
s_size_format (uint64_t bytes, char *buf, size_t size)
{
    static const size_unit_t units [] = {
        { "TiB", TIB }, { "GiB", GIB }, { "MiB", MIB }, { "KiB", KIB },
    };
    for (size_t i = 0; i < sizeof units / sizeof units [0]; i++)
        if (bytes && bytes % (uint64_t) units [i].bytes == 0) {
            snprintf (buf, size, "%llu%s",
                      (unsigned long long) (bytes / (uint64_t) units [i].bytes),
                      units [i].name);
            return;
        }
    snprintf (buf, size, "%llu", (unsigned long long) bytes);
}

static bool
s_is_null (const ynode_t *node)
{
    if (node->kind != YNODE_SCALAR || node->quoted)
        return false;
    const char *v = node->value;
    return !*v || strcmp (v, "~") == 0 || strcmp (v, "null") == 0
        || strcmp (v, "Null") == 0 || strcmp (v, "NULL") == 0;
}

//  Plain true / false in the spellings YAML 1.2 allows; -1 for neither.
static int
s_bool_value (const ynode_t *node)
{
    if (node->kind != YNODE_SCALAR || node->quoted)
        return -1;
    const char *v = node->value;
    if (!strcmp (v, "true") || !strcmp (v, "True") || !strcmp (v, "TRUE"))
        return 1;
    if (!strcmp (v, "false") || !strcmp (v, "False") || !strcmp (v, "FALSE"))
        return 0;
    return -1;
}

static bool
s_is_number (const char *text)
{
    char *end;
    errno = 0;
    strtod (text, &end);
    return *text && !*end && end != text;
}

//  What a node is, for messages: "a map", "a string"...
static const char *
s_type_name (const ynode_t *node)
{
    if (node->kind == YNODE_MAP)
        return "a map";
    if (node->kind == YNODE_SEQ)
        return "a list";
    if (node->quoted)
        return "a string";
    if (s_bool_value (node) >= 0)
        return "a bool";
    if (s_is_number (node->value))
        return "a number";
    return "a string";
}

//  ---------------------------------------------------------------------
//  Endpoints

//  A host as ZeroMQ binds it: a name or IPv4 address, "*", or [IPv6].
static bool
s_host_valid (const char *host, size_t length)
{
    if (length == 0)
        return false;
    if (host [0] == '[') {
        if (length < 3 || host [length - 1] != ']')
            return false;
        for (size_t i = 1; i < length - 1; i++)
            if (!strchr ("0123456789abcdefABCDEF:.", host [i]))
                return false;
        return true;
    }
    if (length == 1 && host [0] == '*')
        return true;
    for (size_t i = 0; i < length; i++) {
        char c = host [i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
            return false;
    }
    return true;
}

static bool
s_port_valid (const char *port)
{
    if (!*port || strlen (port) > 5)
        return false;
    long value = 0;
    for (const char *p = port; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        value = value * 10 + (*p - '0');
    }
    return value >= 1 && value <= 65535;
}

//  Check "host:port"; on failure put the reason in why.
static bool
s_hostport_valid (const char *text, char *why, size_t why_size)
{
    const char *colon = strrchr (text, ':');
    if (!colon) {
        snprintf (why, why_size, "it has no ':PORT'");
        return false;
    }
    if (!s_host_valid (text, (size_t) (colon - text))) {
        snprintf (why, why_size, "'%.*s' is not a host name or address",
                  (int) (colon - text), text);
        return false;
    }
    if (!s_port_valid (colon + 1)) {
        snprintf (why, why_size, "the port must be 1 to 65535");
        return false;
    }
    return true;
}

static bool
s_endpoint_valid (const char *text, char *why, size_t why_size)
{
    if (strncmp (text, "tcp://", 6) == 0)
        return s_hostport_valid (text + 6, why, why_size);
    if (strncmp (text, "ipc://", 6) == 0) {
        if (text [6])
            return true;
        snprintf (why, why_size, "the ipc path is empty");
        return false;
    }
    snprintf (why, why_size, "only tcp://HOST:PORT and ipc://PATH are served");
    return false;
}

//  True for a tcp endpoint whose host is a loopback address.
static bool
s_endpoint_loopback (const char *endpoint)
{
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return false;
    const char *host = endpoint + 6;
    const char *colon = strrchr (host, ':');
    size_t length = colon? (size_t) (colon - host): strlen (host);
    if (length == 9 && strncmp (host, "localhost", 9) == 0)
        return true;
    if (length == 5 && strncmp (host, "[::1]", 5) == 0)
        return true;
    //  127.0.0.0/8 written as an address, not a name that starts so.
    if (length < 7 || strncmp (host, "127.", 4) != 0)
        return false;
    for (size_t i = 4; i < length; i++)
        if (!strchr ("0123456789.", host [i]))
            return false;
    return true;
}

static bool
s_endpoint_tcp (const char *endpoint)
{
    return endpoint && strncmp (endpoint, "tcp://", 6) == 0;
}

//  ---------------------------------------------------------------------
//  Errors

static int
s_error_compare (const void *a, const void *b)
{
    const config_error_t *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line? -1: 1;
    if (x->column != y->column)
        return x->column < y->column? -1: 1;
    return 0;
}

void
config_errors_print (const config_errors_t *self, const char *prefix, FILE *stream)
{
    for (size_t i = 0; self && i < self->count; i++)
        fprintf (stream, "%s: %s\n", prefix, self->items [i].text);
}

void
config_errors_release (config_errors_t *self)
{
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        free (self->items [i].text);
    free (self->items);
    self->items = NULL;
    self->count = 0;
}

//  ---------------------------------------------------------------------
//  Reading

typedef struct {
    unsigned line, column;
} mark_t;

typedef struct {
    const char *name;           //  for messages
    const char *base_dir;       //  for relative paths; NULL keeps them
    const char *text;
    size_t size;
    const ynode_t *root;
    config_t *config;
    config_errors_t errors;
    size_t dropped;             //  errors past CONFIG_MAX_ERRORS
    bool out_of_memory;
    mark_t *key_marks;          //  every map key, in document order
    size_t key_mark_count;
    bool key_marks_read;
    const ynode_t *components;  //  read after the top-level sections
    const char *path;           //  dotted path of the key being read
} loader_t;

static void
s_add_error (loader_t *self, unsigned line, unsigned column, const char *message)
{
    if (self->errors.count >= CONFIG_MAX_ERRORS) {
        self->dropped++;
        return;
    }
    config_error_t *items = realloc (self->errors.items,
                                     (self->errors.count + 1) * sizeof *items);
    if (!items) {
        self->out_of_memory = true;
        return;
    }
    self->errors.items = items;
    size_t size = strlen (self->name) + strlen (message) + 32;
    char *text = malloc (size);
    if (!text) {
        self->out_of_memory = true;
        return;
    }
    if (line)
        snprintf (text, size, "%s:%u:%u: %s", self->name, line, column, message);
    else
        snprintf (text, size, "%s: %s", self->name, message);
    items [self->errors.count++] = (config_error_t) { line, column, text };
}

static void s_error (loader_t *self, unsigned line, unsigned column,
                     const char *format, ...) __attribute__ ((format (printf, 4, 5)));
static void s_error_at (loader_t *self, const ynode_t *node,
                        const char *format, ...) __attribute__ ((format (printf, 3, 4)));

static void
s_error (loader_t *self, unsigned line, unsigned column, const char *format, ...)
{
    char message [512];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);
    s_add_error (self, line, column, message);
}

//  An error at the position of node.
static void
s_error_at (loader_t *self, const ynode_t *node, const char *format, ...)
{
    char message [512];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);
    s_add_error (self, node->line, node->column, message);
}

//  The start of every map key, in document order: ytree keeps only the
//  positions of values, and an unknown key is best shown where it is.
static void
s_read_key_marks (loader_t *self)
{
    self->key_marks_read = true;
    yaml_parser_t parser;
    if (!yaml_parser_initialize (&parser))
        return;
    yaml_parser_set_input_string (&parser, (const unsigned char *) self->text,
                                  self->size);
    //  Per open collection: is it a map, and is its next node a key.
    enum { STACK = 80 };
    bool is_map [STACK], want_key [STACK];
    int depth = 0;
    bool done = false;
    while (!done) {
        yaml_event_t event;
        if (!yaml_parser_parse (&parser, &event))
            break;
        switch (event.type) {
            case YAML_SCALAR_EVENT:
            case YAML_ALIAS_EVENT:
            case YAML_SEQUENCE_START_EVENT:
            case YAML_MAPPING_START_EVENT:
                if (depth > 0 && is_map [depth - 1]) {
                    if (want_key [depth - 1]) {
                        mark_t *marks = realloc (self->key_marks,
                            (self->key_mark_count + 1) * sizeof *marks);
                        if (marks) {
                            self->key_marks = marks;
                            marks [self->key_mark_count++] = (mark_t) {
                                (unsigned) event.start_mark.line + 1,
                                (unsigned) event.start_mark.column + 1 };
                        }
                        else
                            done = true;
                    }
                    want_key [depth - 1] = !want_key [depth - 1];
                }
                if (event.type == YAML_SEQUENCE_START_EVENT
                ||  event.type == YAML_MAPPING_START_EVENT) {
                    if (depth == STACK)
                        done = true;
                    else {
                        is_map [depth] = event.type == YAML_MAPPING_START_EVENT;
                        want_key [depth++] = true;
                    }
                }
                break;
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT:
                if (depth > 0)
                    depth--;
                break;
            case YAML_STREAM_END_EVENT:
                done = true;
                break;
            default:
                break;
        }
        yaml_event_delete (&event);
    }
    yaml_parser_delete (&parser);
}

//  Number the keys of the tree in document order until (map, index).
static bool
s_key_number (const ynode_t *node, const ynode_t *map, size_t index, size_t *counter)
{
    for (size_t i = 0; i < node->count; i++) {
        if (node->kind == YNODE_MAP) {
            if (node == map && i == index)
                return true;
            (*counter)++;
        }
        if (s_key_number (node->items [i], map, index, counter))
            return true;
    }
    return false;
}

//  Where key index of map starts; the value's position if unknown.
static mark_t
s_key_mark (loader_t *self, const ynode_t *map, size_t index)
{
    mark_t mark = { map->items [index]->line, map->items [index]->column };
    if (!self->key_marks_read)
        s_read_key_marks (self);
    size_t counter = 0;
    if (s_key_number (self->root, map, index, &counter)
    &&  counter < self->key_mark_count)
        mark = self->key_marks [counter];
    return mark;
}

//  Edit distance, for "did you mean"; large for long words.
static size_t
s_distance (const char *a, const char *b)
{
    size_t la = strlen (a), lb = strlen (b);
    if (la > 40 || lb > 40)
        return SIZE_MAX;
    size_t row [41];
    for (size_t j = 0; j <= lb; j++)
        row [j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row [0];
        row [0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row [j];
            size_t best = diagonal + (a [i - 1] != b [j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row [j - 1] + 1 < best)
                best = row [j - 1] + 1;
            row [j] = best;
            diagonal = above;
        }
    }
    return row [lb];
}

//  The known key closest to key, when it is close enough to be a typo.
static const char *
s_suggest (const char *key, const entry_t *entries, const char *const *names)
{
    const char *best = NULL;
    size_t best_distance = 3;
    size_t limit = strlen (key) / 2 + 1;
    for (size_t i = 0; entries? entries [i].kind != KIND_END: names [i] != NULL; i++) {
        const char *candidate = entries? entries [i].key: names [i];
        size_t distance = s_distance (key, candidate);
        if (distance < best_distance && distance <= limit) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

static void
s_unknown_key (loader_t *self, const ynode_t *map, size_t index, const char *where,
               const entry_t *entries, const char *const *names, const char *what)
{
    const char *key = map->keys [index];
    mark_t mark = s_key_mark (self, map, index);
    const char *hint = s_suggest (key, entries, names);
    char suggestion [128] = "";
    if (hint)
        snprintf (suggestion, sizeof suggestion, " (did you mean '%s'?)", hint);
    if (*where)
        s_error (self, mark.line, mark.column, "unknown %s '%s' in %s%s",
                 what, key, where, suggestion);
    else
        s_error (self, mark.line, mark.column, "unknown %s '%s'%s",
                 what, key, suggestion);
}

static char *
s_resolve (loader_t *self, const char *path)
{
    if (path [0] == '/' || !self->base_dir || !*self->base_dir)
        return strdup (path);
    size_t size = strlen (self->base_dir) + strlen (path) + 2;
    char *joined = malloc (size);
    if (joined)
        snprintf (joined, size, "%s%s%s", self->base_dir,
                  self->base_dir [strlen (self->base_dir) - 1] == '/'? "": "/", path);
    return joined;
}

static void
s_read_count (loader_t *self, const entry_t *entry, const ynode_t *node, uint32_t *value)
{
    const char *text = node->value;
    bool integer = node->kind == YNODE_SCALAR && !node->quoted && *text;
    for (const char *p = text + (integer && *text == '-'); integer && *p; p++)
        integer = *p >= '0' && *p <= '9';
    if (integer && (text [0] != '-' || text [1])) {
        char *end;
        errno = 0;
        long long number = strtoll (text, &end, 10);
        bool overflow = errno == ERANGE;
        if ((overflow && text [0] == '-') || number < entry->min)
            s_error_at (self, node, "'%s' must be >= %lld, got %s",
                        self->path, (long long) entry->min, text);
        else
        if (overflow || number > entry->max)
            s_error_at (self, node, "'%s' must be <= %lld, got %s",
                        self->path, (long long) entry->max, text);
        else
            *value = (uint32_t) number;
        return;
    }
    if (node->kind == YNODE_SCALAR && !node->quoted && s_is_number (text))
        s_error_at (self, node, "'%s' must be an integer, not %s", self->path, text);
    else
        s_error_at (self, node, "'%s' must be an integer, not %s",
                    self->path, s_type_name (node));
}

static void
s_read_duration (loader_t *self, const entry_t *entry, const ynode_t *node,
                 int64_t *value)
{
    int64_t ms;
    char low [DURATION_FORMAT_SIZE], high [DURATION_FORMAT_SIZE];
    if (node->kind != YNODE_SCALAR)
        s_error_at (self, node, "'%s' must be a duration like 500ms, 10s, 5m or 7d, not %s",
                    self->path, s_type_name (node));
    else
    if (node->value [0] == '-')
        s_error_at (self, node, "'%s' must not be negative, got %s",
                    self->path, node->value);
    else
    if (duration_parse (node->value, &ms))
        s_error_at (self, node, "'%s' must be a duration like 500ms, 10s, 5m or 7d, not '%s'",
                    self->path, node->value);
    else
    if (ms < entry->min) {
        duration_format (entry->min, low, sizeof low);
        s_error_at (self, node, "'%s' must be at least %s, got %s",
                    self->path, low, node->value);
    }
    else
    if (ms > entry->max) {
        duration_format (entry->max, high, sizeof high);
        s_error_at (self, node, "'%s' must be at most %s, got %s",
                    self->path, high, node->value);
    }
    else
        *value = ms;
}

static void
s_read_size (loader_t *self, const entry_t *entry, const ynode_t *node, uint64_t *value)
{
    uint64_t bytes = 0;
    char limit [32];
    if (node->kind != YNODE_SCALAR) {
        s_error_at (self, node, "'%s' must be a size like 4096, 512KiB or 64MiB, not %s",
                    self->path, s_type_name (node));
        return;
    }
    int rc = s_size_parse (node->value, &bytes);
    if (rc && errno != ERANGE)
        s_error_at (self, node, "'%s' must be a size like 4096, 512KiB or 64MiB, not '%s'",
                    self->path, node->value);
    else
    if (rc || bytes > (uint64_t) entry->max) {
        s_size_format ((uint64_t) entry->max, limit, sizeof limit);
        s_error_at (self, node, "'%s' must be at most %s, got %s",
                    self->path, limit, node->value);
    }
    else
    if (bytes < (uint64_t) entry->min) {
        s_size_format ((uint64_t) entry->min, limit, sizeof limit);
        s_error_at (self, node, "'%s' must be at least %s, got %s",
                    self->path, limit, node->value);
    }
    else
        *value = bytes;
}

static void
s_read_enum (loader_t *self, const entry_t *entry, const ynode_t *node, void *field)
{
    char choices [128] = "";
    size_t used = 0;
    for (size_t i = 0; entry->names [i]; i++) {
        if (node->kind == YNODE_SCALAR && strcasecmp (node->value, entry->names [i]) == 0) {
            s_enum_set (field, (int) i);
            return;
        }
        int n = snprintf (choices + used, sizeof choices - used, "%s%s",
                          i? ", ": "", entry->names [i]);
        if (n > 0 && (size_t) n < sizeof choices - used)
            used += (size_t) n;
    }
    if (node->kind == YNODE_SCALAR)
        s_error_at (self, node, "'%s' must be one of %s, not '%s'",
                    self->path, choices, node->value);
    else
        s_error_at (self, node, "'%s' must be one of %s, not %s",
                    self->path, choices, s_type_name (node));
}

//  Store text (resolved as the kind wants) in *field; "" means not set.
static void
s_read_string (loader_t *self, const entry_t *entry, const ynode_t *node, char **field)
{
    if (node->kind != YNODE_SCALAR) {
        s_error_at (self, node, "'%s' must be a string, not %s",
                    self->path, s_type_name (node));
        return;
    }
    const char *text = node->value;
    char why [160];
    if (*text && entry->kind == KIND_ENDPOINT && !s_endpoint_valid (text, why, sizeof why)) {
        s_error_at (self, node, "'%s' must be an endpoint like tcp://HOST:PORT or "
                    "ipc://PATH, not '%s': %s", self->path, text, why);
        return;
    }
    if (*text && entry->kind == KIND_HOSTPORT && !s_hostport_valid (text, why, sizeof why)) {
        s_error_at (self, node, "'%s' must be HOST:PORT, not '%s': %s",
                    self->path, text, why);
        return;
    }
    char *copy = NULL;
    if (*text) {
        bool resolve = entry->kind == KIND_PATH
                    || (entry->kind == KIND_COMMAND && strchr (text, '/'))
                    || (entry->kind == KIND_LOGFILE && strcmp (text, "syslog") != 0);
        copy = resolve? s_resolve (self, text): strdup (text);
        if (!copy) {
            self->out_of_memory = true;
            return;
        }
    }
    free (*field);
    *field = copy;
}

static void
s_read_paths (loader_t *self, const entry_t *entry, const ynode_t *node,
              char ***list_p, size_t *count_p)
{
    if (node->kind != YNODE_SEQ) {
        s_error_at (self, node, "'%s' must be a list of files, not %s",
                    self->path, s_type_name (node));
        return;
    }
    char **list = calloc (node->count + 1, sizeof *list);
    if (!list) {
        self->out_of_memory = true;
        return;
    }
    size_t count = 0;
    for (size_t i = 0; i < node->count; i++) {
        const ynode_t *item = node->items [i];
        if (item->kind != YNODE_SCALAR)
            s_error_at (self, item, "'%s' must list file names, not %s",
                        self->path, s_type_name (item));
        else
        if (!*item->value)
            s_error_at (self, item, "'%s' must not list an empty file name", self->path);
        else
        if (!(list [count++] = s_resolve (self, item->value)))
            self->out_of_memory = true;
    }
    for (size_t i = 0; i < *count_p; i++)
        free ((*list_p) [i]);
    free (*list_p);
    *list_p = list;
    *count_p = count;
}

static void s_read_map (loader_t *self, const ynode_t *map, const entry_t *entries,
                        void *base, const char *where);

//  backoff_initial <= backoff_max and base <= max, wherever a section
//  that sets one of them is read (the other may come from the top level).
static void
s_check_order (loader_t *self, const ynode_t *map, const entry_t *entries, void *base)
{
    const char *low_key, *high_key;
    if (entries == s_restart) {
        low_key = "backoff_initial";
        high_key = "backoff_max";
    }
    else
    if (entries == s_retry) {
        low_key = "base";
        high_key = "max";
    }
    else
        return;
    const ynode_t *low_node = ytree_get (map, low_key);
    const ynode_t *high_node = ytree_get (map, high_key);
    if (!low_node && !high_node)
        return;
    const int64_t *low = s_field (base, s_find_entry (entries, low_key));
    const int64_t *high = s_field (base, s_find_entry (entries, high_key));
    if (*low > *high) {
        char a [DURATION_FORMAT_SIZE], b [DURATION_FORMAT_SIZE];
        duration_format (*low, a, sizeof a);
        duration_format (*high, b, sizeof b);
        s_error_at (self, high_node? high_node: low_node,
                    "'%s.%s' (%s) must not exceed '%s.%s' (%s)", self->path, low_key, a,
                    self->path, high_key, b);
    }
}

static void
s_read_value (loader_t *self, const entry_t *entry, const ynode_t *node,
              void *base, const char *path)
{
    if (s_is_null (node))
        return;                 //  "key:" with no value keeps the default
    void *field = s_field (base, entry);
    self->path = path;
    switch (entry->kind) {
        case KIND_MAP:
            if (node->kind != YNODE_MAP)
                s_error_at (self, node, "'%s' must be a map, not %s",
                            path, s_type_name (node));
            else {
                s_read_map (self, node, entry->children, field, path);
                self->path = path;
                s_check_order (self, node, entry->children, field);
            }
            break;
        case KIND_COMPONENTS:
            if (node->kind != YNODE_MAP)
                s_error_at (self, node, "'%s' must be a map, not %s",
                            path, s_type_name (node));
            else
                self->components = node;
            break;
        case KIND_COUNT:
            s_read_count (self, entry, node, field);
            break;
        case KIND_DURATION:
            s_read_duration (self, entry, node, field);
            break;
        case KIND_SIZE:
            s_read_size (self, entry, node, field);
            break;
        case KIND_BOOL: {
            int value = s_bool_value (node);
            if (value < 0 && node->kind == YNODE_SCALAR)
                s_error_at (self, node, "'%s' must be true or false, not '%s'",
                            path, node->value);
            else
            if (value < 0)
                s_error_at (self, node, "'%s' must be true or false, not %s",
                            path, s_type_name (node));
            else
                *(bool *) field = value;
            break;
        }
        case KIND_ENUM:
            s_read_enum (self, entry, node, field);
            break;
        case KIND_PATHS:
            s_read_paths (self, entry, node, field,
                          (size_t *) ((char *) base + offsetof (config_t, rule_count)));
            break;
        case KIND_END:
            break;
        default:
            s_read_string (self, entry, node, field);
            break;
    }
}

static void
s_read_map (loader_t *self, const ynode_t *map, const entry_t *entries,
            void *base, const char *where)
{
    for (size_t i = 0; i < map->count; i++) {
        const entry_t *entry = s_find_entry (entries, map->keys [i]);
        if (!entry) {
            s_unknown_key (self, map, i, where, entries, NULL, "key");
            continue;
        }
        char path [256];
        snprintf (path, sizeof path, "%s%s%s", where, *where? ".": "", entry->key);
        s_read_value (self, entry, map->items [i], base, path);
    }
}

//  Components start from the top-level sections, then apply their own.
static void
s_read_components (loader_t *self)
{
    config_t *config = self->config;
    for (size_t id = 0; id < CONFIG_COMPONENTS; id++) {
        config_component_t *component = &config->components [id];
        component->heartbeat = config->heartbeat;
        component->restart = config->restart;
        component->breaker = config->breaker;
        component->retry = config->retry;
    }
    const ynode_t *map = self->components;
    for (size_t i = 0; map && i < map->count; i++) {
        size_t id;
        for (id = 0; names_components [id]; id++)
            if (strcmp (map->keys [i], names_components [id]) == 0)
                break;
        const ynode_t *node = map->items [i];
        char where [64];
        snprintf (where, sizeof where, "components.%s", map->keys [i]);
        if (!names_components [id])
            s_unknown_key (self, map, i, "components", NULL, names_components,
                           "component");
        else
        if (s_is_null (node))
            ;
        else
        if (node->kind != YNODE_MAP)
            s_error_at (self, node, "'%s' must be a map, not %s",
                        where, s_type_name (node));
        else
            s_read_map (self, node, s_component, &config->components [id], where);
    }
}

//  CURVE guards every tcp endpoint, unless insecure: true, which only
//  loopback endpoints may use.
static void
s_check_security (loader_t *self)
{
    const config_t *config = self->config;
    const config_security_t *security = &config->security;
    const ynode_t *insecure_node = ytree_path (self->root, "security", "insecure", NULL);
    if (security->insecure && security->secret_key)
        s_error_at (self, insecure_node,
                    "'security.insecure: true' and 'security.secret_key' contradict "
                    "each other: "
                    "remove one");
    static const struct {
        const char *key;
        size_t endpoint;
        size_t authorized;
        const char *authorized_key;
    } ends [] = {
        { "workers", offsetof (config_t, listen.workers),
          offsetof (config_t, security.authorized_workers), "authorized_workers" },
        { "clients", offsetof (config_t, listen.clients),
          offsetof (config_t, security.authorized_clients), "authorized_clients" },
    };
    for (size_t i = 0; i < sizeof ends / sizeof ends [0]; i++) {
        const char *endpoint = *(char *const *) ((const char *) config + ends [i].endpoint);
        const char *authorized = *(char *const *) ((const char *) config + ends [i].authorized);
        const ynode_t *node = ytree_path (self->root, "listen", ends [i].key, NULL);
        if (!s_endpoint_tcp (endpoint) || !node)
            continue;
        if (security->insecure) {
            if (!s_endpoint_loopback (endpoint))
                s_error_at (self, node,
                            "'listen.%s' is %s, not a loopback address: 'insecure: true' "
                            "is allowed only on 127.0.0.1, [::1] or localhost",
                            ends [i].key, endpoint);
        }
        else
        if (!security->secret_key)
            s_error_at (self, node,
                        "'listen.%s' is a tcp endpoint: it needs security.secret_key "
                        "(CURVE), or 'insecure: true' on a loopback address",
                        ends [i].key);
        else
        if (!authorized)
            s_error_at (self, node,
                        "'listen.%s' is a tcp endpoint: it needs security.%s, the folder "
                        "of the certificates it lets in", ends [i].key,
                        ends [i].authorized_key);
    }
}

//  A map key met while looking for a duplicate: its text and line.
typedef struct {
    char *key;
    unsigned line;
} seen_key_t;

//  One open collection while looking for a duplicate.
typedef struct {
    bool is_map;
    bool want_key;
    char *key;                  //  the key this collection is the value of
    seen_key_t *seen;           //  keys of a map so far
    size_t seen_count;
} dup_frame_t;

//  The dotted path of the map key that starts at (line, column), and the
//  line where the same key first appears in that map. False when not found.
static bool
s_duplicate_where (loader_t *self, unsigned line, unsigned column,
                   char *path, size_t path_size, unsigned *first_line)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize (&parser))
        return false;
    yaml_parser_set_input_string (&parser, (const unsigned char *) self->text, self->size);
    enum { STACK = 80 };
    dup_frame_t frames [STACK];
    int depth = 0;
    bool found = false, done = false;
    char *pending = NULL;           //  the last key read, for the next value
    while (!done && !found) {
        yaml_event_t event;
        if (!yaml_parser_parse (&parser, &event))
            break;
        dup_frame_t *top = depth > 0? &frames [depth - 1]: NULL;
        bool is_key = top && top->is_map && top->want_key;
        if (top && top->is_map)
            top->want_key = !top->want_key;
        if (event.type == YAML_SCALAR_EVENT && is_key) {
            const char *key = (const char *) event.data.scalar.value;
            if (event.start_mark.line + 1 == line && event.start_mark.column + 1 == column) {
                size_t used = 0;
                path [0] = 0;
                for (int i = 1; i < depth; i++) {
                    int n = snprintf (path + used, path_size - used, "%s.",
                                      frames [i].key? frames [i].key: "-");
                    used = n > 0 && (size_t) n < path_size - used? used + (size_t) n: used;
                }
                snprintf (path + used, path_size - used, "%s", key);
                *first_line = 0;
                for (size_t i = 0; i < top->seen_count; i++)
                    if (strcmp (top->seen [i].key, key) == 0)
                        *first_line = top->seen [i].line;
                found = true;
            }
            seen_key_t *seen = realloc (top->seen, (top->seen_count + 1) * sizeof *seen);
            char *copy = strdup (key);
            if (seen)
                top->seen = seen;
            if (seen && copy) {
                seen [top->seen_count++] = (seen_key_t) {
                    copy, (unsigned) event.start_mark.line + 1 };
                free (pending);
                pending = strdup (key);
            }
            else {
                free (copy);
                done = true;
            }
        }
        else
        if (event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT) {
            if (depth == STACK)
                done = true;
            else {
                frames [depth++] = (dup_frame_t) {
                    .is_map = event.type == YAML_MAPPING_START_EVENT, .want_key = true,
                    .key = top && top->is_map? pending: NULL };
                if (top && top->is_map)
                    pending = NULL;
            }
        }
        else
        if (event.type == YAML_SEQUENCE_END_EVENT || event.type == YAML_MAPPING_END_EVENT) {
            if (depth > 0) {
                dup_frame_t *frame = &frames [--depth];
                for (size_t i = 0; i < frame->seen_count; i++)
                    free (frame->seen [i].key);
                free (frame->seen);
                free (frame->key);
            }
        }
        else
        if (event.type == YAML_STREAM_END_EVENT)
            done = true;
        yaml_event_delete (&event);
    }
    while (depth > 0) {
        dup_frame_t *frame = &frames [--depth];
        for (size_t i = 0; i < frame->seen_count; i++)
            free (frame->seen [i].key);
        free (frame->seen);
        free (frame->key);
    }
    free (pending);
    yaml_parser_delete (&parser);
    return found;
}

//  The text of line number line (1-based), or NULL; its length in *length.
static const char *
s_line_text (const loader_t *self, unsigned line, size_t *length)
{
    const char *p = self->text, *end = self->text + self->size;
    for (unsigned n = 1; n < line && p < end; n++) {
        const char *newline = memchr (p, '\n', (size_t) (end - p));
        if (!newline)
            return NULL;
        p = newline + 1;
    }
    const char *newline = memchr (p, '\n', (size_t) (end - p));
    *length = (size_t) ((newline? newline: end) - p);
    return p;
}

//  Read "line L, column C: what" from ytree into a positioned error, said
//  in the user's terms where libyaml's are obscure.
static void
s_syntax_error (loader_t *self, const char *message)
{
    unsigned line = 0, column = 0;
    int used = 0;
    if (sscanf (message, "line %u, column %u: %n", &line, &column, &used) != 2 || !used) {
        s_error (self, 0, 0, "%s", *message? message: "not valid YAML");
        return;
    }
    const char *what = message + used;
    char path [256];
    unsigned first = 0;
    size_t length = 0;
    const char *text = s_line_text (self, line, &length);
    size_t indent = 0;
    while (text && indent < length && (text [indent] == ' ' || text [indent] == '\t'))
        indent++;
    if (strcmp (what, "duplicate key") == 0
    &&  s_duplicate_where (self, line, column, path, sizeof path, &first)) {
        if (first)
            s_error (self, line, column, "duplicate key '%s' (first set on line %u): "
                     "a key may appear once in a map", path, first);
        else
            s_error (self, line, column, "duplicate key '%s': a key may appear once in a map",
                     path);
    }
    else
    if (text && memchr (text, '\t', indent))
        s_error (self, line, (unsigned) ((const char *) memchr (text, '\t', indent) - text) + 1,
                 "a tab indents this line: YAML indents with spaces only");
    else
        s_error (self, line, column, "%s", what);
}

//  Text that is not UTF-8, or holds NUL or control bytes, is not a config
//  file at all (a binary, or another encoding): say where, once.
static bool
s_check_text (loader_t *self)
{
    const unsigned char *p = (const unsigned char *) self->text;
    const unsigned char *end = p + self->size;
    unsigned line = 1, column = 1;
    if (self->size >= 3 && p [0] == 0xef && p [1] == 0xbb && p [2] == 0xbf)
        p += 3;                     //  a UTF-8 byte order mark is fine
    while (p < end) {
        unsigned char c = *p;
        size_t extra = c < 0x80? 0: (c & 0xe0) == 0xc0? 1: (c & 0xf0) == 0xe0? 2
                     : (c & 0xf8) == 0xf0? 3: 4;
        bool valid = extra < 4 && (size_t) (end - p) > extra && (extra == 0 || c >= 0xc2)
                  && !(c == 0xf4 && extra == 3 && p [1] > 0x8f) && c <= 0xf4;
        for (size_t i = 1; valid && i <= extra; i++)
            valid = (p [i] & 0xc0) == 0x80;
        if (valid && extra == 2 && c == 0xe0)
            valid = p [1] >= 0xa0;  //  no overlong forms
        if (valid && extra == 3 && c == 0xf0)
            valid = p [1] >= 0x90;
        if (c == 0) {
            s_error (self, line, column, "a NUL byte: this is not a text file (a binary?)");
            return false;
        }
        if (!valid) {
            s_error (self, line, column, "byte 0x%02x is not UTF-8: save the file as UTF-8 "
                     "text", c);
            return false;
        }
        if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) {
            s_error (self, line, column, "control character 0x%02x: this is not a text file "
                     "(a binary?)", c);
            return false;
        }
        if (c == '\n') {
            line++;
            column = 1;
        }
        else
            column++;
        p += extra + 1;
    }
    return true;
}

static void
s_collect (loader_t *self)
{
    if (!s_check_text (self))
        return;
    char why [256] = "";
    ynode_t *root = ytree_parse (self->text, self->size, why, sizeof why);
    if (!root) {
        if (errno == ENOMEM && !*why)
            self->out_of_memory = true;
        else
            s_syntax_error (self, why);
        return;
    }
    self->root = root;
    if (root->kind != YNODE_MAP && !s_is_null (root))
        s_error_at (self, root, "the configuration must be a map of settings, not %s",
                    s_type_name (root));
    else
    if (root->kind == YNODE_MAP) {
        s_read_map (self, root, s_root, self->config, "");
        s_read_components (self);
        s_check_security (self);
    }
    ytree_destroy (&root);
    self->root = NULL;
}

static int
s_parse (const char *name, const char *base_dir, const char *text, size_t size,
         config_t *out, config_errors_t *errors)
{
    config_t config;
    config_defaults (&config);
    loader_t self = {
        .name = name? name: "config", .base_dir = base_dir,
        .text = text? text: "", .size = text? size: 0, .config = &config
    };
    s_collect (&self);
    free (self.key_marks);
    if (self.out_of_memory)
        s_error (&self, 0, 0, "out of memory");
    if (self.errors.count)
        qsort (self.errors.items, self.errors.count, sizeof *self.errors.items,
               s_error_compare);
    if (self.dropped) {
        //  Room is always left for this last line.
        self.errors.count--;
        free (self.errors.items [self.errors.count].text);
        s_error (&self, 0, 0, "too many errors: %zu more not shown", self.dropped + 1);
    }
    bool failed = self.errors.count > 0 || self.out_of_memory;
    int code = self.out_of_memory? ENOMEM: EINVAL;
    if (errors) {
        errors->items = self.errors.items;
        errors->count = self.errors.count;
    }
    else
        config_errors_release (&self.errors);
    if (failed) {
        config_release (&config);
        config_defaults (out);
        return errno = code, -1;
    }
    *out = config;
    return 0;
}

int
config_parse (const char *name, const char *text, size_t size,
              config_t *out, config_errors_t *errors)
{
    //  The folder part of name, as written: "etc/x.yml" -> "etc".
    const char *slash = name? strrchr (name, '/'): NULL;
    char *base = NULL;
    if (slash && !(base = strndup (name, slash == name? 1: (size_t) (slash - name)))) {
        config_defaults (out);
        return errno = ENOMEM, -1;
    }
    int rc = s_parse (name, base, text, size, out, errors);
    int saved = errno;
    free (base);
    errno = saved;
    return rc;
}

//  The whole file into a malloc'd buffer, or NULL with errno.
static char *
s_read_file (const char *path, size_t *size_p)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char *text = NULL;
    struct stat info;
    if (fstat (fd, &info))
        goto out_close;
    if (S_ISDIR (info.st_mode)) {
        errno = EISDIR;
        goto out_close;
    }
    //  Read up to one byte past the limit, so a large file is noticed
    //  even when fstat cannot tell its size (a pipe).
    text = malloc (CONFIG_MAX_SIZE + 2);
    if (!text)
        goto out_close;
    size_t size = 0;
    while (size <= CONFIG_MAX_SIZE) {
        ssize_t got = read (fd, text + size, CONFIG_MAX_SIZE + 1 - size);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            goto out_free;
        if (got == 0)
            break;
        size += (size_t) got;
    }
    if (size > CONFIG_MAX_SIZE) {
        errno = EFBIG;
        goto out_free;
    }
    text [size] = 0;
    *size_p = size;
    close (fd);
    return text;
out_free:
    free (text);
    text = NULL;
out_close: {
        int saved = errno;
        close (fd);
        errno = saved;
    }
    return text;
}

int
config_load (const char *path, config_t *out, config_errors_t *errors)
{
    size_t size = 0;
    char *text = s_read_file (path, &size);
    if (!text) {
        int cause = errno;
        config_defaults (out);
        if (errors) {
            loader_t self = { .name = path };
            if (cause == EFBIG)
                s_error (&self, 0, 0, "cannot read: larger than %d bytes", CONFIG_MAX_SIZE);
            else
                s_error (&self, 0, 0, "cannot read: %s", strerror (cause));
            errors->items = self.errors.items;
            errors->count = self.errors.count;
        }
        return errno = cause, -1;
    }
    //  Paths in the file are relative to its folder, made absolute so a
    //  supervisor that changes folder still finds them.
    char folder [PATH_MAX];
    const char *slash = strrchr (path, '/');
    if (!slash)
        snprintf (folder, sizeof folder, ".");
    else
    if (slash == path)
        snprintf (folder, sizeof folder, "/");
    else
        snprintf (folder, sizeof folder, "%.*s", (int) (slash - path), path);
    char *absolute = realpath (folder, NULL);
    int rc = s_parse (path, absolute? absolute: folder, text, size, out, errors);
    int saved = errno;
    free (absolute);
    free (text);
    errno = saved;
    return rc;
}

//  ---------------------------------------------------------------------
//  Defaults, release, lookups

void
config_defaults (config_t *self)
{
    *self = (config_t) {
        .heartbeat = { .interval_ms = SECOND, .liveness = 3,
                       .tcp_interval_ms = 2500 },
        .restart = { .immediate_after_ms = 10 * SECOND,
                     .backoff_initial_ms = 100, .backoff_max_ms = 30 * SECOND,
                     .intensity = 5, .period_ms = MINUTE,
                     .probe_interval_ms = 5 * MINUTE,
                     .start_timeout_ms = 10 * SECOND },
        .stop = { .drain_timeout_ms = 10 * SECOND, .kill_after_ms = 5 * SECOND },
        .retry = { .attempts = 3, .base_ms = SECOND, .max_ms = 10 * SECOND,
                   .workflow_timeout_ms = MINUTE },
        .breaker = { .failures = 5, .open_for_ms = MINUTE, .half_open_trials = 1 },
        .queue = { .capacity = 10000 },
        .journal = { .fsync = CONFIG_FSYNC_BATCH, .batch_interval_ms = 10,
                     .batch_records = 64, .retention_ms = 7 * DAY,
                     .segment_size = 64 * MIB },
        .results = { .keep = 1024, .max_age_ms = 0 },
        .log = { .level = CONFIG_LOG_INFO, .format = CONFIG_LOG_TEXT,
                 .max_size = MIB, .max_files = 4 },
    };
    for (size_t id = 0; id < CONFIG_COMPONENTS; id++)
        self->components [id] = (config_component_t) {
            .workers = 1, .credit = 2,
            .heartbeat = self->heartbeat, .restart = self->restart,
            .breaker = self->breaker, .retry = self->retry,
        };
}

static void
s_release_entries (const entry_t *entries, void *base)
{
    for (; entries->kind != KIND_END; entries++) {
        void *field = s_field (base, entries);
        if (entries->kind == KIND_MAP)
            s_release_entries (entries->children, field);
        else
        if (entries->kind == KIND_COMPONENTS)
            for (size_t id = 0; id < CONFIG_COMPONENTS; id++)
                s_release_entries (entries->children,
                                   (config_component_t *) field + id);
        else
        if (entries->kind == KIND_PATHS) {
            config_t *config = base;
            for (size_t i = 0; i < config->rule_count; i++)
                free (config->rules [i]);
            free (config->rules);
        }
        else
        if (s_is_string_kind (entries->kind))
            free (*(char **) field);
    }
}

void
config_release (config_t *self)
{
    if (!self)
        return;
    s_release_entries (s_root, self);
    memset (self, 0, sizeof *self);
}

const char *
config_component_name (config_component_id_t id)
{
    return (unsigned) id < CONFIG_COMPONENTS? names_components [id]: NULL;
}

const config_component_t *
config_component (const config_t *self, const char *name)
{
    for (size_t id = 0; name && id < CONFIG_COMPONENTS; id++)
        if (strcmp (name, names_components [id]) == 0)
            return &self->components [id];
    return NULL;
}

//  ---------------------------------------------------------------------
//  Writing and comparing

static bool
s_string_equal (const char *a, const char *b)
{
    return a == b || (a && b && strcmp (a, b) == 0);
}

//  Compare one leaf; base_a and base_b are the structs holding it.
static bool
s_leaf_equal (const entry_t *entry, const void *base_a, const void *base_b)
{
    const void *a = s_cfield (base_a, entry), *b = s_cfield (base_b, entry);
    switch (entry->kind) {
        case KIND_COUNT:
            return *(const uint32_t *) a == *(const uint32_t *) b;
        case KIND_DURATION:
            return *(const int64_t *) a == *(const int64_t *) b;
        case KIND_SIZE:
            return *(const uint64_t *) a == *(const uint64_t *) b;
        case KIND_BOOL:
            return *(const bool *) a == *(const bool *) b;
        case KIND_ENUM:
            return s_enum_get (a) == s_enum_get (b);
        case KIND_PATHS: {
            const config_t *x = base_a, *y = base_b;
            if (x->rule_count != y->rule_count)
                return false;
            for (size_t i = 0; i < x->rule_count; i++)
                if (!s_string_equal (x->rules [i], y->rules [i]))
                    return false;
            return true;
        }
        default:
            return s_string_equal (*(char *const *) a, *(char *const *) b);
    }
}

//  A string as a YAML double-quoted scalar; NULL as "".
static void
s_put_quoted (FILE *file, const char *text)
{
    fputc ('"', file);
    for (const unsigned char *p = (const unsigned char *) (text? text: ""); *p; p++)
        if (*p == '"' || *p == '\\')
            fprintf (file, "\\%c", *p);
        else
        if (*p < 0x20 || *p == 0x7f)
            fprintf (file, "\\x%02x", *p);
        else
            fputc (*p, file);
    fputc ('"', file);
}

//  One leaf as YAML text in flow style.
static void
s_put_value (FILE *file, const entry_t *entry, const void *base)
{
    const void *field = s_cfield (base, entry);
    char buf [64];
    switch (entry->kind) {
        case KIND_COUNT:
            fprintf (file, "%u", (unsigned) *(const uint32_t *) field);
            break;
        case KIND_DURATION:
            if (duration_format (*(const int64_t *) field, buf, sizeof buf))
                snprintf (buf, sizeof buf, "0s");
            fputs (buf, file);
            break;
        case KIND_SIZE:
            s_size_format (*(const uint64_t *) field, buf, sizeof buf);
            fputs (buf, file);
            break;
        case KIND_BOOL:
            fputs (*(const bool *) field? "true": "false", file);
            break;
        case KIND_ENUM: {
            int value = s_enum_get (field);
            size_t count = 0;
            while (entry->names [count])
                count++;
            fputs (value >= 0 && (size_t) value < count? entry->names [value]: "?", file);
            break;
        }
        case KIND_PATHS: {
            const config_t *config = base;
            fputc ('[', file);
            for (size_t i = 0; i < config->rule_count; i++) {
                fputs (i? ", ": "", file);
                s_put_quoted (file, config->rules [i]);
            }
            fputc (']', file);
            break;
        }
        default:
            s_put_quoted (file, *(char *const *) field);
            break;
    }
}

//  Write a section's leaves; with top, only those that differ from it.
static void
s_emit_entries (FILE *file, const entry_t *entries, const void *base,
                const void *top, int indent)
{
    for (; entries->kind != KIND_END; entries++) {
        if (top && s_leaf_equal (entries, base, top))
            continue;
        fprintf (file, "%*s%s: ", indent, "", entries->key);
        s_put_value (file, entries, base);
        fputc ('\n', file);
    }
}

static void
s_emit_component (FILE *file, const config_t *self, size_t id)
{
    const config_component_t *component = &self->components [id];
    fprintf (file, "  %s:\n", names_components [id]);
    for (const entry_t *entry = s_component; entry->kind != KIND_END; entry++) {
        if (entry->kind != KIND_MAP) {
            fprintf (file, "    %s: ", entry->key);
            s_put_value (file, entry, component);
            fputc ('\n', file);
            continue;
        }
        //  Only what differs from the top-level section of the same name.
        const void *mine = s_cfield (component, entry);
        const void *top = s_cfield (self, s_find_entry (s_root, entry->key));
        bool differs = false;
        for (const entry_t *leaf = entry->children; leaf->kind != KIND_END; leaf++)
            differs |= !s_leaf_equal (leaf, mine, top);
        if (differs) {
            fprintf (file, "    %s:\n", entry->key);
            s_emit_entries (file, entry->children, mine, top, 6);
        }
    }
}

char *
config_emit (const config_t *self)
{
    char *text = NULL;
    size_t size = 0;
    FILE *file = open_memstream (&text, &size);
    if (!file)
        return NULL;
    fputs ("# readme2ci configuration in effect\n", file);
    for (const entry_t *entry = s_root; entry->kind != KIND_END; entry++) {
        if (entry->kind == KIND_COMPONENTS) {
            fputs ("components:\n", file);
            for (size_t id = 0; id < CONFIG_COMPONENTS; id++)
                s_emit_component (file, self, id);
        }
        else
        if (entry->kind == KIND_MAP) {
            fprintf (file, "%s:\n", entry->key);
            s_emit_entries (file, entry->children, s_cfield (self, entry), NULL, 2);
        }
        else {
            fprintf (file, "%s: ", entry->key);
            s_put_value (file, entry, self);
            fputc ('\n', file);
        }
    }
    bool failed = ferror (file);
    if (fclose (file) || failed) {
        free (text);
        errno = ENOMEM;
        return NULL;
    }
    return text;
}

//  Same settings, leaf by leaf, components included.
static bool
s_entries_equal (const entry_t *entries, const void *a, const void *b)
{
    for (; entries->kind != KIND_END; entries++) {
        bool same;
        if (entries->kind == KIND_MAP)
            same = s_entries_equal (entries->children, s_cfield (a, entries),
                                    s_cfield (b, entries));
        else
        if (entries->kind == KIND_COMPONENTS) {
            same = true;
            for (size_t id = 0; same && id < CONFIG_COMPONENTS; id++)
                same = s_entries_equal (entries->children,
                    (const config_component_t *) s_cfield (a, entries) + id,
                    (const config_component_t *) s_cfield (b, entries) + id);
        }
        else
            same = s_leaf_equal (entries, a, b);
        if (!same)
            return false;
    }
    return true;
}

bool
config_equal (const config_t *a, const config_t *b)
{
    return s_entries_equal (s_root, a, b);
}

static char *
s_value_text (const entry_t *entry, const void *base)
{
    char *text = NULL;
    size_t size = 0;
    FILE *file = open_memstream (&text, &size);
    if (!file)
        return NULL;
    s_put_value (file, entry, base);
    if (fclose (file)) {
        free (text);
        return NULL;
    }
    return text;
}

static int
s_add_change (config_changes_t *self, const char *key, const entry_t *entry,
              const void *old_base, const void *new_base, bool live)
{
    config_change_t *items = realloc (self->items, (self->count + 1) * sizeof *items);
    if (!items)
        return -1;
    self->items = items;
    config_change_t change = {
        .key = strdup (key),
        .old_value = s_value_text (entry, old_base),
        .new_value = s_value_text (entry, new_base),
        .live = live
    };
    if (!change.key || !change.old_value || !change.new_value) {
        free (change.key);
        free (change.old_value);
        free (change.new_value);
        return -1;
    }
    items [self->count++] = change;
    return 0;
}

//  Compare a section's leaves. With tops (the top-level section a
//  component overrides), a leaf is left out when the component only
//  followed the top-level value from old to new.
static int
s_diff_entries (config_changes_t *changes, const entry_t *entries, const char *where,
                const void *old_base, const void *new_base,
                const void *old_top, const void *new_top, bool live);

static int
s_diff_component (config_changes_t *changes, const config_t *old_config,
                  const config_t *new_config, size_t id)
{
    char where [64];
    snprintf (where, sizeof where, "components.%s", names_components [id]);
    const config_component_t *old_base = &old_config->components [id];
    const config_component_t *new_base = &new_config->components [id];
    for (const entry_t *entry = s_component; entry->kind != KIND_END; entry++) {
        char key [128];
        snprintf (key, sizeof key, "%s.%s", where, entry->key);
        int rc = 0;
        if (entry->kind == KIND_MAP) {
            const entry_t *root = s_find_entry (s_root, entry->key);
            rc = s_diff_entries (changes, entry->children, key,
                                 s_cfield (old_base, entry), s_cfield (new_base, entry),
                                 s_cfield (old_config, root), s_cfield (new_config, root),
                                 entry->live);
        }
        else
        if (!s_leaf_equal (entry, old_base, new_base))
            rc = s_add_change (changes, key, entry, old_base, new_base, !entry->restart);
        if (rc)
            return -1;
    }
    return 0;
}

static int
s_diff_entries (config_changes_t *changes, const entry_t *entries, const char *where,
                const void *old_base, const void *new_base,
                const void *old_top, const void *new_top, bool live)
{
    for (; entries->kind != KIND_END; entries++) {
        char key [128];
        snprintf (key, sizeof key, "%s%s%s", where, *where? ".": "", entries->key);
        bool entry_live = *where? live: entries->live;
        int rc = 0;
        if (entries->kind == KIND_MAP)
            rc = s_diff_entries (changes, entries->children, key,
                                 s_cfield (old_base, entries), s_cfield (new_base, entries),
                                 NULL, NULL, entry_live);
        else
        if (entries->kind == KIND_COMPONENTS)
            for (size_t id = 0; !rc && id < CONFIG_COMPONENTS; id++)
                rc = s_diff_component (changes, old_base, new_base, id);
        else
        if (!s_leaf_equal (entries, old_base, new_base)) {
            bool followed = old_top && new_top
                         && s_leaf_equal (entries, old_base, old_top)
                         && s_leaf_equal (entries, new_base, new_top);
            if (!followed)
                rc = s_add_change (changes, key, entries, old_base, new_base,
                                   entry_live && !entries->restart);
        }
        if (rc)
            return -1;
    }
    return 0;
}

int
config_diff (const config_t *old_config, const config_t *new_config,
             config_changes_t *changes)
{
    *changes = (config_changes_t) { NULL, 0 };
    if (s_diff_entries (changes, s_root, "", old_config, new_config, NULL, NULL, true)) {
        config_changes_release (changes);
        return errno = ENOMEM, -1;
    }
    return 0;
}

bool
config_changes_need_restart (const config_changes_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        if (!self->items [i].live)
            return true;
    return false;
}

void
config_changes_release (config_changes_t *self)
{
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++) {
        free (self->items [i].key);
        free (self->items [i].old_value);
        free (self->items [i].new_value);
    }
    free (self->items);
    self->items = NULL;
    self->count = 0;
}
