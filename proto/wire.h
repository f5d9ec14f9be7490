/*  proto/wire.h - the messages between the supervisor, its workers and its
    clients (see proto/PROTOCOL.md). Each message is a multipart ZeroMQ
    message whose first frame is a msgpack map, the header, holding "v"
    (protocol major version) and "t" (the type); payload frames follow.
    Pure: encoders fill malloc'd buffers, decoders check everything and
    fail with EPROTO, never assert.  */
#ifndef WIRE_H_INCLUDED
#define WIRE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION 1

typedef enum {
    WIRE_UNKNOWN = 0,
    //  worker <-> supervisor
    WIRE_READY,         //  w->s  a worker is up and takes jobs
    WIRE_JOB,           //  s->w  run one step; payload frames follow
    WIRE_RESULT,        //  w->s  a job's outcome; one payload frame if ok
    WIRE_HEARTBEAT,     //  both  I am alive
    WIRE_BYE,           //  both  w->s: I am leaving; s->w: finish and exit
    WIRE_SETTINGS,      //  s->w  configuration for the worker
    //  client <-> supervisor
    WIRE_SUBMIT,        //  c->s  run a workflow; docs and project frames follow
    WIRE_REQUEST,       //  c->s  an operation: status, ctl, down...
    WIRE_REPLY,         //  s->c  the answer to SUBMIT or REQUEST; body frame
    WIRE_TYPE_COUNT
} wire_type_t;

//  Step options, as the client set them for a workflow.
typedef struct {
    char target [16];           //  "github" or "gitlab"
    bool explain;
    bool json;
    bool degraded;
    bool check;                 //  a check workflow (optional "check" key)
} wire_options_t;

typedef struct {
    char component [16];        //  "parser", "detector", "generator"
    uint32_t pid;
    char host [64];             //  hostname of the worker
    char version [32];          //  readme2ci version of the worker
    uint32_t hb_ivl_ms;         //  heartbeat interval the worker uses
    uint32_t credit;            //  jobs it may hold at once (>= 1)
} wire_ready_t;

typedef struct {
    uint64_t job_id;
    char workflow_id [64];
    char step [16];             //  "parse", "detect", "generate"
    uint32_t attempt;           //  1 for the first try
    uint32_t deadline_ms;       //  time the worker has for it
    wire_options_t options;
} wire_job_t;

typedef struct {
    uint64_t job_id;
    bool ok;
    bool input_error;           //  failed because the input is bad
    char error [512];           //  one line, "" when ok
    uint64_t elapsed_us;        //  time spent on the job in the worker
    bool no_tests;              //  generate: the workflow has no test command
                                //  (optional key "notest", only with ok)
} wire_result_t;

typedef struct {
    char reason [128];
} wire_bye_t;

//  The BYE reason a supervisor gives workers on other hosts when it stops
//  itself: they wait for it to come back and join again, where any other
//  BYE makes a worker exit (PROTOCOL.md, section 5).
#define WIRE_BYE_SUPERVISOR_STOPPING "supervisor stopping"
//  The BYE reason for a tcp peer that sends work messages on a connection
//  that never said READY (the supervisor restarted, or dropped it as
//  silent): a worker on another host connects afresh and says READY.
#define WIRE_BYE_REJOIN "join again"


typedef struct {
    uint32_t hb_ivl_ms;         //  heartbeat interval to use
    uint32_t hb_liveness;       //  missed beats before the peer is dead
    char *knowledge;            //  CI knowledge as YAML text, malloc'd, or NULL
} wire_settings_t;

typedef struct {
    uint64_t req_id;            //  chosen by the client, echoed in the reply
    char workflow_id [64];      //  "" lets the supervisor choose one
    int32_t priority;           //  WIRE_PRIORITY_* or any number between
    uint32_t timeout_ms;        //  the workflow's deadline, from acceptance
    bool attach;                //  attach to workflow_id only; no frames
    wire_options_t options;
} wire_submit_t;

//  A submission's docs and project frames together may hold at most this
//  many bytes: the supervisor journals them whole in the workflow.queued
//  record, which must stay under the journal's record limit (16 MiB) with
//  room for its other fields. The CLI refuses a larger project before
//  sending it, naming it; the supervisor refuses a larger submission with
//  code 1. A message may be larger (64 MiB) only so the refusal can say why.
#define WIRE_INPUTS_MAX (15u * 1024 * 1024)

//  Named priority levels; numbers in between are allowed.
#define WIRE_PRIORITY_LOW      100
#define WIRE_PRIORITY_NORMAL   200
#define WIRE_PRIORITY_HIGH     300
#define WIRE_PRIORITY_CRITICAL 400

#define WIRE_MAX_ARGS 8
typedef struct {
    uint64_t req_id;
    char op [32];               //  "status", "health", "down", "ctl", "result"...
    char *args [WIRE_MAX_ARGS]; //  malloc'd strings, NULL after the last
    size_t args_count;
} wire_request_t;

typedef struct {
    uint64_t req_id;
    int32_t code;               //  exit code for the CLI: 0, 1, 3, 4
    char workflow_id [64];
    char message [512];         //  one line for stderr, "" when none
    bool degraded;              //  the workflow was built without the detector
    bool accepted;              //  not the answer yet: the SUBMIT is on disk
                                //  and will run (optional key "acc")
    bool no_tests;              //  the workflow sent has no test command: its
                                //  test step fails (optional key "notest")
} wire_reply_t;

//  The type of an encoded header, WIRE_UNKNOWN when it is not a
//  well-formed header of our protocol version.
wire_type_t wire_type (const uint8_t *buf, size_t size);
const char *wire_type_name (wire_type_t type);

//  The protocol version ("v") of a header of any version: a msgpack map
//  with a uint "v", whatever else it holds. For telling a peer of another
//  version from one sending garbage. Returns 0 with *version_p set, or -1
//  with errno EPROTO when buf is not such a map.
int wire_peek_version (const uint8_t *buf, size_t size, uint64_t *version_p);

//  Each encode returns 0 and a malloc'd buffer in *buf_p/*size_p (caller
//  frees), or -1 with errno (ENOMEM, EINVAL for a struct that breaks the
//  rules above). Each decode fills *self from exactly size bytes and
//  returns 0, or -1 with errno EPROTO (wrong type, missing or ill-typed
//  field, string too long, trailing bytes, other version).
int wire_ready_encode (const wire_ready_t *self, uint8_t **buf_p, size_t *size_p);
int wire_ready_decode (wire_ready_t *self, const uint8_t *buf, size_t size);
int wire_job_encode (const wire_job_t *self, uint8_t **buf_p, size_t *size_p);
int wire_job_decode (wire_job_t *self, const uint8_t *buf, size_t size);
int wire_result_encode (const wire_result_t *self, uint8_t **buf_p, size_t *size_p);
int wire_result_decode (wire_result_t *self, const uint8_t *buf, size_t size);
int wire_heartbeat_encode (uint8_t **buf_p, size_t *size_p);
int wire_heartbeat_decode (const uint8_t *buf, size_t size);
int wire_bye_encode (const wire_bye_t *self, uint8_t **buf_p, size_t *size_p);
int wire_bye_decode (wire_bye_t *self, const uint8_t *buf, size_t size);
int wire_settings_encode (const wire_settings_t *self, uint8_t **buf_p, size_t *size_p);
int wire_settings_decode (wire_settings_t *self, const uint8_t *buf, size_t size);
void wire_settings_release (wire_settings_t *self);
int wire_submit_encode (const wire_submit_t *self, uint8_t **buf_p, size_t *size_p);
int wire_submit_decode (wire_submit_t *self, const uint8_t *buf, size_t size);
int wire_request_encode (const wire_request_t *self, uint8_t **buf_p, size_t *size_p);
int wire_request_decode (wire_request_t *self, const uint8_t *buf, size_t size);
void wire_request_release (wire_request_t *self);
int wire_reply_encode (const wire_reply_t *self, uint8_t **buf_p, size_t *size_p);
int wire_reply_decode (wire_reply_t *self, const uint8_t *buf, size_t size);

//  The same for any type, self pointing at the type's struct (NULL for
//  HEARTBEAT, which has no fields): what the typed calls above do. A type
//  out of range is EINVAL. wire_release frees what a decoded struct
//  holds (SETTINGS, REQUEST) and zeroes it; NULL is fine.
int wire_encode (wire_type_t type, const void *self, uint8_t **buf_p, size_t *size_p);
int wire_decode (wire_type_t type, void *self, const uint8_t *buf, size_t size);
void wire_release (wire_type_t type, void *self);

//  The size of the struct a type decodes into: 0 for HEARTBEAT (no
//  fields) and for a type out of range. For code that walks every type
//  (the tests and the fuzzer).
size_t wire_size (wire_type_t type);

//  The table that describes a message's fields (proto/schema.h), in the
//  order they are written (the options map "opt" is a SCHEMA_MAP field
//  with its own); NULL for a type out of range. Borrowed; for tests and
//  documentation.
typedef struct schema_field schema_field_t;
const schema_field_t *wire_fields (wire_type_t type);

//  The named priority levels, highest first: the order the queue serves
//  them and `status`, `top` and the metrics list them.
typedef enum {
    WIRE_LEVEL_CRITICAL,
    WIRE_LEVEL_HIGH,
    WIRE_LEVEL_NORMAL,
    WIRE_LEVEL_LOW,
    WIRE_PRIORITY_LEVELS        //  how many there are
} wire_level_t;

//  Their names by wire_level_t, NULL-ended: "critical", "high", "normal",
//  "low". The one list of them: the CLI, the supervisor's status and
//  metrics and the queue read it here.
extern const char *const wire_priority_names [WIRE_PRIORITY_LEVELS + 1];

//  Priority from a level's name (any case) or a number 0..1000. Returns
//  0 or -1 (EINVAL).
int wire_priority_parse (const char *text, int32_t *priority_p);
//  The level a priority falls in: a number falls in the first level, from
//  the highest, whose floor (WIRE_PRIORITY_*) it reaches; below them all
//  is low.
wire_level_t wire_priority_band (int32_t priority);
//  The name of that level: "critical", "high", "normal" or "low".
const char *wire_priority_level (int32_t priority);

#endif
