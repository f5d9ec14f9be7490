/*  workers/worker_loop.c - the loop of a worker process: READY, then one
    step per JOB, heartbeats both ways, and a clean exit on BYE, SIGTERM,
    or when the supervisor dies or goes silent. It speaks libzmq's own API,
    not czmq's: libczmq would map libsystemd, libgcrypt, liblz4, libzstd and
    more into every worker, about 1.3 MiB of resident memory that a loop
    of one DEALER socket has no use for (issue 8). The supervisor and CLI
    keep czmq.  */
#include "workers/worker_loop.h"

#include "common/knowledge.h"
#include "common/util.h"
#include "proto/wire.h"
#include "common/certfile.h"

#include <zmq.h>

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define WORKER_MAX_FRAMES 4
//  A message read from the supervisor: the header and the frames a job
//  may use; any beyond are read and dropped.
#define WORKER_MAX_PARTS (1 + WORKER_MAX_FRAMES)
#define WORKER_MAX_MSG (64 * 1024 * 1024)

typedef struct {
    const worker_def_t *def;
    const char *endpoint;
    const char *server_key;     //  supervisor's public certificate (tcp)
    const char *key;            //  our secret certificate (tcp)
    bool remote;                //  started by hand on another host
    uint32_t credit;
    uint32_t hb_ivl_ms;
    uint32_t liveness;
    void *ctx;                  //  the libzmq context
    void *sock;                 //  our DEALER to the supervisor
    knowledge_t *kb;
    uint64_t last_heard_ms;     //  last message from the supervisor
    uint64_t last_sent_ms;      //  last message to it
    bool stopping;
    char rejoin [128];          //  the supervisor said why we must join again
    void *monitor;              //  PAIR reading sock's connection events (tcp)
    unsigned monitor_seq;       //  names each socket's monitor endpoint
    bool handshaken;            //  the handshake succeeded since connecting
    bool handshake_failed;      //  ... or failed on this socket, and that was said
    bool closed_early;          //  a connection closed before its handshake ended
    unsigned early_closes;      //  ... how many in a row, since a handshake succeeded
    bool reached;               //  a connection was made on this socket
    char problem [512];         //  the connection problem said last, once
} worker_t;

static void
s_usage (const worker_def_t *def, FILE *out)
{
    fprintf (out,
        "usage: readme2ci-%s --connect tcp://HOST:PORT --server-key FILE --key FILE_secret\n"
        "       readme2ci-%s --endpoint ENDPOINT [--credit N]\n"
        "\n"
        "A readme2ci worker: runs the %s step for a supervisor. The supervisor\n"
        "starts its local workers itself; start one by hand to add a worker on\n"
        "another host (it joins the pool, and reconnects if the supervisor goes\n"
        "away).\n"
        "\n"
        "  --connect EP       the supervisor's tcp worker endpoint (listen.workers)\n"
        "  --server-key FILE  the supervisor's public certificate\n"
        "  --key FILE         this worker's secret certificate (`readme2ci keys new`)\n"
        "  --endpoint EP      the local ipc endpoint (used by the supervisor)\n"
        "  --credit N         jobs this worker may hold at once (default 1)\n"
        "  --help, --version\n"
        "\n"
        "example:\n"
        "  readme2ci-%s --connect tcp://10.0.0.5:7101 --server-key keys/supervisor \\\n"
        "      --key keys/worker-b_secret\n",
        def->component, def->component, def->step, def->component);
}

//  Send header (a malloc'd buffer we free) and, when payload is not NULL,
//  one payload frame copied from payload_size bytes. Returns 0 or -1.
static int
s_send (worker_t *self, uint8_t *header, size_t size, const void *payload,
        size_t payload_size)
{
    self->last_sent_ms = util_now_ms ();
    //  Never blocks: a DEALER whose connection was refused (a key the
    //  supervisor does not know) has no pipe, and a blocking send would
    //  wait there for good, deaf to SIGTERM. What cannot go now is lost,
    //  as it would be on a broken connection; the supervisor requeues.
    int rc = zmq_send (self->sock, header, size, ZMQ_DONTWAIT | (payload? ZMQ_SNDMORE: 0));
    free (header);
    if (rc >= 0 && payload)
        rc = zmq_send (self->sock, payload, payload_size, ZMQ_DONTWAIT);
    return rc < 0? -1: 0;
}

static int
s_send_ready (worker_t *self)
{
    wire_ready_t ready = { .pid = (uint32_t) getpid (), .hb_ivl_ms = self->hb_ivl_ms,
                           .credit = self->credit };
    util_copy (ready.component, sizeof ready.component, self->def->component);
    util_copy (ready.version, sizeof ready.version, R2CI_VERSION);
    char host [256] = "";
    gethostname (host, sizeof host - 1);
    util_copy (ready.host, sizeof ready.host, host);
    uint8_t *buf;
    size_t size;
    if (wire_ready_encode (&ready, &buf, &size))
        return -1;
    return s_send (self, buf, size, NULL, 0);
}

static void
s_send_heartbeat (worker_t *self)
{
    uint8_t *buf;
    size_t size;
    if (wire_heartbeat_encode (&buf, &size) == 0)
        s_send (self, buf, size, NULL, 0);
}

#if defined (R2CI_TESTING_HOOKS)
//  Test-only faults: R2CI_TEST_FAULT="ACTION:COMPONENT:MARKER" makes this
//  worker crash, hang or fail on any job whose input holds MARKER.
//  ACTION is crash, hang or fail. Builds without testing hooks ignore it.
static void
s_maybe_fault (worker_t *self, const step_frame_t *frames, size_t count, step_result_t *res,
               bool *failed)
{
    const char *spec = getenv ("R2CI_TEST_FAULT");
    if (!spec)
        return;
    char action [16], component [16], marker [128];
    if (sscanf (spec, "%15[^:]:%15[^:]:%127s", action, component, marker) != 3
    ||  strcmp (component, self->def->component) != 0)
        return;
    bool found = false;
    for (size_t i = 0; i < count && !found; i++)
        found = memmem (frames [i].data, frames [i].size, marker, strlen (marker)) != NULL;
    if (!found)
        return;
    if (strcmp (action, "crash") == 0) {
        struct rlimit none = { 0, 0 };
        setrlimit (RLIMIT_CORE, &none);     //  no core file for a planned crash
        abort ();
    }
    if (strcmp (action, "hang") == 0)
        while (true)
            pause ();
    if (strcmp (action, "fail") == 0) {
        snprintf (res->error, sizeof res->error, "injected failure");
        *failed = true;
    }
}
#endif

//  Runs the step on the job in parts [0] (header) and parts [1..count).
static void
s_handle_job (worker_t *self, zmq_msg_t *parts, size_t count)
{
    wire_job_t job;
    if (wire_job_decode (&job, zmq_msg_data (&parts [0]), zmq_msg_size (&parts [0]))) {
        fprintf (stderr, "readme2ci-%s: dropped a malformed JOB\n", self->def->component);
        return;
    }
    step_frame_t inputs [WORKER_MAX_FRAMES];
    size_t inputs_count = 0;
    for (size_t i = 1; i < count; i++) {
        inputs [inputs_count].data = zmq_msg_data (&parts [i]);
        inputs [inputs_count].size = zmq_msg_size (&parts [i]);
        inputs_count++;
    }
    step_options_t options = { .explain = job.options.explain, .json = job.options.json,
                               .degraded = job.options.degraded,
                               .check = job.options.check };
    util_copy (options.target, sizeof options.target, job.options.target);
    step_result_t res = { 0 };
    uint64_t started = util_now_ms ();
    bool failed = false;
#if defined (R2CI_TESTING_HOOKS)
    s_maybe_fault (self, inputs, inputs_count, &res, &failed);
#endif
    if (!failed)
        failed = self->def->fn (self->kb, inputs, inputs_count, &options, &res) != 0;
    //  The inputs go before the answer does, as they did with czmq.
    for (size_t i = 1; i < count; i++) {
        zmq_msg_close (&parts [i]);
        zmq_msg_init (&parts [i]);
    }
    wire_result_t result = { .job_id = job.job_id, .ok = !failed,
                             .input_error = failed && res.input_error,
                             .no_tests = !failed && res.no_tests,
                             .elapsed_us = (util_now_ms () - started) * 1000 };
    if (failed)
        util_copy (result.error, sizeof result.error, res.error [0]? res.error: "step failed");
    uint8_t *buf;
    size_t size;
    if (wire_result_encode (&result, &buf, &size) == 0)
        s_send (self, buf, size, failed? NULL: (res.data? res.data: (void *) ""), res.size);
    free (res.data);
}

static void
s_handle_settings (worker_t *self, zmq_msg_t *header)
{
    wire_settings_t settings = { 0 };
    if (wire_settings_decode (&settings, zmq_msg_data (header), zmq_msg_size (header))) {
        fprintf (stderr, "readme2ci-%s: dropped malformed SETTINGS\n", self->def->component);
        return;
    }
    if (settings.hb_ivl_ms)
        self->hb_ivl_ms = settings.hb_ivl_ms;
    if (settings.hb_liveness)
        self->liveness = settings.hb_liveness;
    if (settings.knowledge) {
        char err [256];
        knowledge_t *kb = knowledge_from_text (settings.knowledge,
                                               strlen (settings.knowledge), err, sizeof err);
        if (kb) {
            knowledge_destroy (&self->kb);
            self->kb = kb;
            malloc_trim (0);
        }
        else
            fprintf (stderr, "readme2ci-%s: ignored bad knowledge: %s\n",
                     self->def->component, err);
    }
    wire_settings_release (&settings);
}

//  Reads one message from the supervisor and acts on it.
static void
s_handle_message (worker_t *self)
{
    zmq_msg_t parts [WORKER_MAX_PARTS];
    size_t count = 0;
    bool more = true;
    zmq_msg_t extra;                    //  parts past WORKER_MAX_PARTS
    while (more) {
        zmq_msg_t *part = count < WORKER_MAX_PARTS? &parts [count]: &extra;
        zmq_msg_init (part);
        if (zmq_msg_recv (part, self->sock, 0) < 0) {
            zmq_msg_close (part);
            break;
        }
        more = zmq_msg_more (part);
        if (part == &extra)
            zmq_msg_close (part);
        else
            count++;
    }
    if (more || count == 0)
        goto out_close_parts;           //  cut short: not a whole message
    self->last_heard_ms = util_now_ms ();
    switch (wire_type (zmq_msg_data (&parts [0]), zmq_msg_size (&parts [0]))) {
        case WIRE_JOB:
            s_handle_job (self, parts, count);
            break;
        case WIRE_HEARTBEAT:
            break;
        case WIRE_SETTINGS:
            s_handle_settings (self, &parts [0]);
            break;
        case WIRE_BYE: {
            wire_bye_t bye;
            bool restart = self->remote
                && wire_bye_decode (&bye, zmq_msg_data (&parts [0]),
                                    zmq_msg_size (&parts [0])) == 0
                && (strcmp (bye.reason, WIRE_BYE_SUPERVISOR_STOPPING) == 0
                ||  strcmp (bye.reason, WIRE_BYE_REJOIN) == 0);
            if (restart)
                util_copy (self->rejoin, sizeof self->rejoin, bye.reason);
            else
                self->stopping = true;
            break;
        }
        default:
            fprintf (stderr, "readme2ci-%s: dropped a malformed message\n",
                     self->def->component);
            break;
    }
out_close_parts:
    for (size_t i = 0; i < count; i++)
        zmq_msg_close (&parts [i]);
}

//  Says a connection problem once: again only after it changed or the
//  connection worked in between.
static void
s_report (worker_t *self, const char *problem)
{
    if (strcmp (problem, self->problem) == 0)
        return;
    util_copy (self->problem, sizeof self->problem, problem);
    fprintf (stderr, "readme2ci-%s: %s\n", self->def->component, problem);
}

//  True when our own key says it has expired ("expires" in its metadata,
//  UTC, as `readme2ci keys new --expires` writes it); when into when.
static bool
s_key_expired (worker_t *self, char *when, size_t size)
{
    certfile_t cert = { 0 };
    char err [256];
    if (!self->key || certfile_load (&cert, self->key, true, err, sizeof err))
        return false;
    bool expired = false;
    for (size_t i = 0; i < cert.meta_count; i++) {
        struct tm tm = { 0 };
        const char *end = strcmp (cert.meta [i].name, "expires") == 0
                        ? strptime (cert.meta [i].value, "%Y-%m-%dT%H:%M:%SZ", &tm): NULL;
        if (end && !*end && timegm (&tm) <= time (NULL)) {
            expired = true;
            util_copy (when, size, cert.meta [i].value);
        }
    }
    certfile_release (&cert);
    return expired;
}

//  Watch the handshakes of a tcp socket, so a refused key or a wrong
//  server key is said plainly instead of looking like a silent network.
static void
s_monitor_open (worker_t *self)
{
    if (!self->remote)
        return;
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://worker-monitor-%u", ++self->monitor_seq);
    int events = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED
               | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
               | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    if (zmq_socket_monitor (self->sock, endpoint, events))
        return;                         //  no monitor: only less to say
    self->monitor = zmq_socket (self->ctx, ZMQ_PAIR);
    if (self->monitor && zmq_connect (self->monitor, endpoint)) {
        zmq_close (self->monitor);
        self->monitor = NULL;
    }
    if (!self->monitor)
        zmq_socket_monitor (self->sock, NULL, 0);
}

//  What a connection closed during its handshake means: without keys,
//  the supervisor requires CURVE (the words MECHANISM_MISMATCH gives);
//  with them, the server key is wrong or this is not a workers endpoint.
static void
s_closed_early_text (worker_t *self, const char *where, char *text, size_t size)
{
    snprintf (text, size, self->server_key
              ? "the supervisor at %s closed the connection during the handshake: is "
                "--server-key the supervisor's public certificate, and does it listen for "
                "workers there?; retrying"
              : "the supervisor at %s closed the connection during the handshake: it "
                "requires CURVE (or this is not its workers endpoint): give --server-key "
                "and --key (see --help); retrying", where);
}

//  One connection event: [event (2 bytes) value (4 bytes)] [address].
static void
s_handle_monitor (worker_t *self)
{
    uint8_t head [6];
    char address [256] = "";
    int size = zmq_recv (self->monitor, head, sizeof head, ZMQ_DONTWAIT);
    int more = 0;
    size_t more_size = sizeof more;
    zmq_getsockopt (self->monitor, ZMQ_RCVMORE, &more, &more_size);
    if (more) {
        int length = zmq_recv (self->monitor, address, sizeof address - 1, 0);
        address [length > 0? (length < (int) sizeof address? length: (int) sizeof address - 1)
                           : 0] = '\0';
    }
    if (size != (int) sizeof head)
        return;
    uint16_t event;
    uint32_t value;
    memcpy (&event, head, sizeof event);
    memcpy (&value, head + 2, sizeof value);
    const char *where = address [0]? address: self->endpoint;
    char text [sizeof self->problem];
    switch (event) {
        case ZMQ_EVENT_CONNECTED:
            self->handshaken = false;
            self->reached = true;
            return;
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            self->handshaken = true;
            self->handshake_failed = false;
            self->early_closes = 0;
            if (self->problem [0])
                fprintf (stderr, "readme2ci-%s: connected to %s\n", self->def->component,
                         where);
            self->problem [0] = '\0';
            return;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: {
            char expired [64];
            if (s_key_expired (self, expired, sizeof expired))
                snprintf (text, sizeof text, "the supervisor at %s refused this worker's key "
                          "(status %u): the key expired at %s; make a new pair with "
                          "`readme2ci keys new` and authorise its public half; retrying",
                          where, (unsigned) value, expired);
            else
                snprintf (text, sizeof text, "the supervisor at %s refused this worker's key "
                          "(status %u): its public certificate (the --key file without "
                          "_secret) must be in the supervisor's security.authorized_workers "
                          "folder, and not expired; retrying", where, (unsigned) value);
            break;
        }
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
            if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
                snprintf (text, sizeof text, self->server_key
                          ? "the supervisor at %s does not use CURVE on this endpoint, but "
                            "--server-key was given; retrying"
                          : "the supervisor at %s requires CURVE: give --server-key and "
                            "--key (see --help); retrying", where);
            else
            if (value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
                snprintf (text, sizeof text, "the CURVE handshake with %s failed: is "
                          "--server-key (%s) the supervisor's public certificate?; "
                          "retrying", where, self->server_key? self->server_key: "none");
            else
                snprintf (text, sizeof text, "the handshake with %s failed (protocol "
                          "error 0x%x); retrying", where, (unsigned) value);
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        case ZMQ_EVENT_DISCONNECTED:
            //  A supervisor that refuses the mechanism closes at once; we
            //  may or may not read its greeting first (MECHANISM_MISMATCH
            //  above), depending on timing libzmq does not promise. A
            //  second connection closed before its handshake is that same
            //  refusal: say it now, in the same words either way.
            if (!self->handshaken) {
                self->closed_early = true;
                self->early_closes++;
            }
            self->handshaken = false;
            if (self->early_closes < 2 || self->handshake_failed)
                return;
            s_closed_early_text (self, where, text, sizeof text);
            break;
        default:
            return;
    }
    self->handshake_failed = true;
    s_report (self, text);
}

static void
s_close_socket (worker_t *self)
{
    if (self->monitor) {
        zmq_socket_monitor (self->sock, NULL, 0);
        zmq_close (self->monitor);
        self->monitor = NULL;
    }
    if (self->sock)
        zmq_close (self->sock);
    self->sock = NULL;
}

//  A fresh socket to the supervisor, and READY on it.
static int
s_connect (worker_t *self)
{
    s_close_socket (self);
    self->sock = zmq_socket (self->ctx, ZMQ_DEALER);
    if (!self->sock) {
        fprintf (stderr, "readme2ci-%s: cannot create a socket\n", self->def->component);
        return -1;
    }
    int linger = 1000;
    int64_t maxmsgsize = WORKER_MAX_MSG;
    zmq_setsockopt (self->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (self->sock, ZMQ_MAXMSGSIZE, &maxmsgsize, sizeof maxmsgsize);
    if (self->server_key) {
        char err [512];
        if (certfile_apply_client (self->sock, self->server_key, self->key, err, sizeof err)) {
            fprintf (stderr, "readme2ci-%s: %s\n", self->def->component, err);
            s_close_socket (self);
            return -1;
        }
    }
    self->handshaken = false;
    self->handshake_failed = false;
    self->closed_early = false;
    self->early_closes = 0;
    self->reached = false;
    s_monitor_open (self);
    if (zmq_connect (self->sock, self->endpoint)) {
        fprintf (stderr, "readme2ci-%s: cannot connect to '%s': %s (an endpoint is "
                 "tcp://HOST:PORT)\n", self->def->component, self->endpoint,
                 zmq_strerror (zmq_errno ()));
        s_close_socket (self);
        return -1;
    }
    s_send_ready (self);
    self->last_heard_ms = util_now_ms ();
    return 0;
}

static int
s_parse_args (worker_t *self, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        const char *value = i + 1 < argc? argv [i + 1]: NULL;
        if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            s_usage (self->def, stdout);
            exit (0);
        }
        if (strcmp (arg, "--version") == 0) {
            printf ("readme2ci-%s %s\n", self->def->component, R2CI_VERSION);
            exit (0);
        }
        if ((strcmp (arg, "--endpoint") == 0 || strcmp (arg, "--connect") == 0) && value) {
            self->endpoint = value;
            self->remote = self->remote || strcmp (arg, "--connect") == 0;
            i++;
        }
        else
        if (strcmp (arg, "--server-key") == 0 && value) {
            self->server_key = value;
            i++;
        }
        else
        if (strcmp (arg, "--key") == 0 && value) {
            self->key = value;
            i++;
        }
        else
        if (strcmp (arg, "--credit") == 0 && value) {
            char *end;
            long credit = strtol (value, &end, 10);
            if (*end || credit < 1 || credit > 64) {
                fprintf (stderr, "readme2ci-%s: --credit must be 1..64, got '%s'\n",
                         self->def->component, value);
                return -1;
            }
            self->credit = (uint32_t) credit;
            i++;
        }
        else {
            fprintf (stderr, "readme2ci-%s: unknown argument '%s' (see --help)\n",
                     self->def->component, arg);
            return -1;
        }
    }
    if (!self->endpoint)
        self->endpoint = getenv ("R2CI_WORKER_ENDPOINT");
    if (!self->endpoint) {
        fprintf (stderr, "readme2ci-%s: no --connect given (see --help)\n",
                 self->def->component);
        return -1;
    }
    if (!self->server_key != !self->key) {
        fprintf (stderr, "readme2ci-%s: --server-key and --key go together (see --help)\n",
                 self->def->component);
        return -1;
    }
    return 0;
}

int
worker_main (const worker_def_t *def, int argc, char **argv)
{
    worker_t self = { .def = def, .credit = 1, .hb_ivl_ms = 1000, .liveness = 3 };
    if (s_parse_args (&self, argc, argv))
        return 2;

    //  A local worker dies with its supervisor. If the supervisor died
    //  before we got here, our parent is already someone else.
    const char *parent = getenv ("R2CI_SUPERVISOR_PID");
    if (parent) {
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        if (getppid () != (pid_t) strtol (parent, NULL, 10))
            return 1;
    }
    sigset_t mask;
    sigemptyset (&mask);
    const int signals [] = { SIGTERM, SIGINT };
    for (size_t i = 0; i < 2; i++) {
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigaction (signals [i], &dfl, NULL);     //  not ignored, whoever started us
        sigaddset (&mask, signals [i]);
    }
    sigprocmask (SIG_BLOCK, &mask, NULL);
    int sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

    char err [256] = "";
    self.kb = knowledge_new (err, sizeof err);
    if (!self.kb) {
        fprintf (stderr, "readme2ci-%s: shipped knowledge is broken: %s\n", def->component, err);
        return 1;
    }
    //  The knowledge as parsed, gone once compacted, left the heap twice
    //  the size it needs for good: give its pages back.
    malloc_trim (0);
    self.ctx = zmq_ctx_new ();
    if (!self.ctx) {
        fprintf (stderr, "readme2ci-%s: cannot start libzmq: %s\n", def->component,
                 zmq_strerror (zmq_errno ()));
        knowledge_destroy (&self.kb);
        return 1;
    }
    int rc = 0;
    if (s_connect (&self)) {
        rc = 1;
        goto out_term_ctx;
    }
    uint64_t reconnect_ms = 1000;
    while (!self.stopping) {
        zmq_pollitem_t items [] = {
            { self.sock, 0, ZMQ_POLLIN, 0 },
            { NULL, sigfd, ZMQ_POLLIN, 0 },
            { self.monitor, 0, ZMQ_POLLIN, 0 },
        };
        int item_count = sigfd >= 0? 2: 1;
        if (self.monitor) {
            items [item_count] = items [2];
            item_count++;
        }
        uint64_t now = util_now_ms ();
        uint64_t next_beat = self.last_sent_ms + self.hb_ivl_ms;
        long wait = next_beat > now? (long) (next_beat - now): 0;
        if (zmq_poll (items, item_count, wait) < 0) {
            if (errno == EINTR)
                continue;
            rc = 1;
            break;
        }
        if (sigfd >= 0 && (items [1].revents & ZMQ_POLLIN)) {
            struct signalfd_siginfo info;
            if (read (sigfd, &info, sizeof info) == sizeof info)
                self.stopping = true;
        }
        if (self.monitor && (items [item_count - 1].revents & ZMQ_POLLIN))
            s_handle_monitor (&self);
        if (items [0].revents & ZMQ_POLLIN)
            s_handle_message (&self);
        if (self.stopping)
            break;
        now = util_now_ms ();
        bool silent = now - self.last_heard_ms > (uint64_t) self.hb_ivl_ms * self.liveness;
        if (silent || self.rejoin [0]) {
            if (!self.remote) {
                fprintf (stderr, "readme2ci-%s: supervisor silent for %u ms, exiting\n",
                         def->component, (unsigned) (now - self.last_heard_ms));
                rc = 1;
                break;
            }
            //  A remote worker waits for its supervisor to come back:
            //  reconnect with a growing pause (1 s doubling to 32 s).
            if (self.rejoin [0])
                fprintf (stderr, "readme2ci-%s: %s; reconnecting in %u ms\n", def->component,
                         strcmp (self.rejoin, WIRE_BYE_REJOIN) == 0
                         ? "the supervisor does not know this connection (it restarted, "
                           "or dropped this worker as silent)"
                         : "the supervisor is stopping", (unsigned) reconnect_ms);
            else
            if (self.closed_early && !self.handshake_failed) {
                char text [sizeof self.problem];
                s_closed_early_text (&self, self.endpoint, text, sizeof text);
                s_report (&self, text);
            }
            else
            if (self.monitor && !self.reached) {
                char text [sizeof self.problem];
                snprintf (text, sizeof text, "cannot reach the supervisor at %s: is it "
                          "running, with listen.workers there, and the host and port open "
                          "from here?; retrying", self.endpoint);
                s_report (&self, text);
            }
            else
            if (!self.handshake_failed)
                fprintf (stderr, "readme2ci-%s: supervisor silent for %u ms; reconnecting "
                         "in %u ms\n", def->component, (unsigned) (now - self.last_heard_ms),
                         (unsigned) reconnect_ms);
            self.rejoin [0] = '\0';
            s_close_socket (&self);     //  nothing more on the old connection
            zmq_pollitem_t pause_item = { NULL, sigfd, ZMQ_POLLIN, 0 };
            if (zmq_poll (&pause_item, sigfd >= 0? 1: 0, (long) reconnect_ms) > 0)
                break;
            reconnect_ms = reconnect_ms * 2 > 32000? 32000: reconnect_ms * 2;
            self.hb_ivl_ms = 2500;
            if (s_connect (&self)) {
                rc = 1;
                break;
            }
            continue;
        }
        if (now - self.last_heard_ms < self.hb_ivl_ms)
            reconnect_ms = 1000;
        if (now >= self.last_sent_ms + self.hb_ivl_ms)
            s_send_heartbeat (&self);
    }
    if (self.stopping) {
        uint8_t *buf;
        size_t size;
        wire_bye_t bye = { .reason = "stopping" };
        if (wire_bye_encode (&bye, &buf, &size) == 0)
            s_send (&self, buf, size, NULL, 0);
    }
    s_close_socket (&self);
out_term_ctx:
    zmq_ctx_term (self.ctx);            //  waits for BYE up to the linger
    knowledge_destroy (&self.kb);
    if (sigfd >= 0)
        close (sigfd);
    return rc;
}
