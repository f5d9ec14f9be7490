/*  cli/cli.c - the readme2ci command line: generate, up, down,
    status, result. It talks to a running supervisor, starts a private
    tree for one call when none runs, or runs the steps in-process with
    --inline.  */
#include "cli/cli.h"

#include "common/config.h"
#include "common/knowledge.h"
#include "common/names.h"
#include "common/util.h"
#include "proto/project.h"
#include "proto/wire.h"
#include "cli/cli_config.h"
#include "cli/cli_exit.h"
#include "cli/cli_journal.h"
#include "cli/cli_logs.h"
#include "cli/cli_target.h"
#include "cli/client.h"
#include "shared/logcap.h"
#include "cli/project_load.h"
#include "common/duration.h"
#include "shared/keys.h"
#include "cli/cli_top.h"
#include "shared/term.h"
#include "workers/detector/detector.h"
#include "workers/generator/generator.h"
#include "workers/parser/parser.h"

#include <czmq.h>
#include <jansson.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;


static const char *const s_usage_text =
    "usage: readme2ci COMMAND [ARGS]\n"
    "\n"
    "Turns a project's README and build files into a CI workflow, through a\n"
    "supervised tree of parser, detector and generator processes.\n"
    "\n"
    "commands:\n"
    "  generate PATH...   print a workflow for each project folder or README\n"
    "  check PATH...      hold a project's existing CI against its README and build files\n"
    "  up [-d]            start the process tree (foreground, or -d detached)\n"
    "  down               drain and stop it\n"
    "  status [--json]    components, workers, queue\n"
    "  result ID          the workflow a finished run produced\n"
    "  ctl OP COMPONENT   deploy, stop, scale, restart, update a component\n"
    "  health [--json]    healthy (0), degraded (1) or down (2)\n"
    "  keys new NAME      a CURVE key pair for tcp endpoints\n"
    "  reload             re-read the config file and apply the difference\n"
    "  config check FILE  validate a config and its rules overlays; config show\n"
    "  events             the journal's events (--since, --type, --follow, --json)\n"
    "  journal verify     check every record of the journal\n"
    "  maintain OP        cleanup, backup DIR, restore DIR\n"
    "  top                a live view of the tree, refreshed every second\n"
    "  logs [COMPONENT]   the workers' and supervisor's captured logs (-f, -n N)\n"
    "\n"
    "  help COMMAND       that command's help; help exit-status: every exit status\n"
    "\n"
    "options: --help, --version\n"
    "\n"
    "examples:\n"
    "  readme2ci generate .                  a workflow for this project, on stdout\n"
    "  readme2ci up -d && readme2ci top      start the tree, then watch it\n"
    "\n"
    "Run `readme2ci COMMAND --help` for a command's options and examples.\n"
    "Colour is used on a terminal only, and never when NO_COLOR is set.\n";

static const char *const s_generate_help =
    "usage: readme2ci generate [--target github|gitlab] [-o FILE | --out-dir DIR]\n"
    "                          [--explain] [--json] [--allow-no-tests]\n"
    "                          [--priority LEVEL|N] [--timeout MS] [--id ID]\n"
    "                          [--inline] [--endpoint EP] PATH...\n"
    "\n"
    "Reads each PATH (a project folder, or a README inside one) and prints the\n"
    "CI workflow its maintainers would run. Uses the running supervisor, or\n"
    "starts a private one for this call; --inline runs in this process.\n"
    "\n"
    "  --target T      github (default) or gitlab\n"
    "  -o FILE         write the workflow to FILE (making its folder), not stdout\n"
    "  --out-dir DIR   with several PATHs: one file per input, named after it\n"
    "  --explain       comment every step with where its command came from\n"
    "  --json          print the detection report (with sources) instead\n"
    "  --allow-no-tests  exit 0, not 5, when no test command is found\n"
    "  --priority P    critical, high, normal (default), low, or 0..1000\n"
    "  --timeout MS    give up after MS milliseconds (default 60000)\n"
    "  --id ID         name the workflow; an ID already known is attached to\n"
    "  --inline        no process tree: parse, detect, generate in-process\n"
    "  --endpoint EP   the supervisor's client endpoint (default: the local one)\n"
    "\n"
    "examples:\n"
    "  readme2ci generate .                         workflow for this project\n"
    "  readme2ci generate . -o .github/workflows/ci.yml\n"
    "  readme2ci generate --explain examples/todo-api\n"
    "  readme2ci generate --out-dir out/ projects/*\n"
    "\n"
    "PATH must be a project: a folder with a README or a build file, or a\n"
    "README (named README*, or Markdown, reStructuredText or AsciiDoc). When\n"
    "no test command is found, the workflow is still written, with a test\n"
    "step that fails and says what to add; generate says so on stderr and\n"
    "exits 5 (--explain and --json show where it looked).\n"
    "\n"
    "With several PATHs and stderr on a terminal, a progress bar shows how\n"
    "many are done; elsewhere generate prints only errors.\n"
    "\n"
    "With one PATH through a running tree (not a private one), a terminal is\n"
    "told the workflow's id, for `readme2ci result ID`; --json puts it in the\n"
    "report as workflow_id.\n"
    "\n"
    "With several PATHs the status is the highest of 1, 3, 4 and 6 when\n"
    "any input failed, else 5 when any workflow has no test command, else\n"
    "0; every workflow that could be made is written.\n";

static const char *const s_up_help =
    "usage: readme2ci up [-c CONFIG] [-d] [--log-level LEVEL]\n"
    "                    [--log-format text|json] [--log-file PATH|syslog]\n"
    "\n"
    "Starts the supervisor and its workers. In the foreground it runs until\n"
    "SIGTERM, SIGINT or `readme2ci down`; with -d it detaches, waits until\n"
    "every worker is ready, and returns. CONFIG is a readme2ci.yml (see\n"
    "examples/readme2ci.yml); without one the defaults apply.\n"
    "\n"
    "  -c CONFIG          the configuration file\n"
    "  -d, --detach       run in the background (its log in STATE/logs/supervisor.log,\n"
    "                     rotated at log.max_size: `readme2ci logs supervisor`)\n"
    "  --log-level L      debug, info (default), warn or error\n"
    "  --log-format F     text (default) or json lines\n"
    "  --log-file PATH    append the log to PATH, or `syslog`\n"
    "\n"
    "examples:\n"
    "  readme2ci up -d && readme2ci status\n"
    "  readme2ci up -c /etc/readme2ci.yml\n"
    "  readme2ci up --log-format json --log-level debug 2>&1 | jq .type\n";

static const char *const s_down_help =
    "usage: readme2ci down [--json]\n"
    "\n"
    "Stops taking work, lets workflows in flight finish (up to 10 s), stops\n"
    "the workers and the supervisor, and waits until they are gone. With\n"
    "R2CI_ENDPOINT it asks that supervisor (an operator's key is needed) and\n"
    "waits until it no longer answers; no signal is ever sent but to the\n"
    "local supervisor of the runtime folder, by its pid, when it does not\n"
    "answer. --json says what stopped as one JSON document.\n"
    "\n"
    "examples:\n"
    "  readme2ci down\n"
    "  readme2ci down && readme2ci up -d      start afresh\n";

static const char *const s_status_help =
    "usage: readme2ci status [--json]\n"
    "\n"
    "Shows the supervisor, each component with its workers (pid, state,\n"
    "restarts) and the queue per priority. --json prints one JSON document.\n"
    "Like systemctl's, it exits non-zero while a component is not running.\n"
    "A FATAL or restarting component lists its last exits: when, the pid,\n"
    "the exit status or signal, and the last line the worker wrote on stderr\n"
    "(\"exits\" in --json; `readme2ci logs COMPONENT` has the rest).\n"
    "For a view that refreshes, see `readme2ci top`.\n"
    "\n"
    "examples:\n"
    "  readme2ci status\n"
    "  readme2ci status --json | jq '.components[] | {name, ready}'\n";

//  `ctl --help` is the usage lines and the verbs (from names_ctl, in
//  common/names.h) around these two.
static const char *const s_ctl_about =
    "\n"
    "Component operations on the running tree, for ops scripts. COMPONENT is\n"
    "parser, detector or generator. Each answers with success or a clear\n"
    "failure and is journaled, so the tree keeps the choice across restarts.\n"
    "--json prints the answer as one JSON document (ok, code, message).\n"
    "\n";
static const char *const s_ctl_examples =
    "\n"
    "examples:\n"
    "  readme2ci ctl scale parser 3\n"
    "  readme2ci ctl update detector --command /opt/readme2ci/bin/readme2ci-detector\n";

static int
s_ctl_help (void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out)
        return cli_fail (EXIT_UNAVAILABLE, "ctl: %s", strerror (errno));
    //  The verbs that take nothing more share the first usage line.
    fputs ("usage: readme2ci ctl ", out);
    const char *bar = "";
    for (size_t i = 0; i < CTL_VERBS; i++)
        if (!names_ctl [i].count && !names_ctl [i].command) {
            fprintf (out, "%s%s", bar, names_ctl [i].verb);
            bar = "|";
        }
    fputs (" COMPONENT [--json]\n", out);
    for (size_t i = 0; i < CTL_VERBS; i++)
        if (names_ctl [i].count || names_ctl [i].command)
            fprintf (out, "       readme2ci ctl %s COMPONENT%s%s [--json]\n", names_ctl [i].verb,
                     names_ctl [i].count? " N": "", names_ctl [i].command? " [--command PATH]": "");
    fputs (s_ctl_about, out);
    //  Each verb: "  VERB COMPONENT [N]", its help from column 22.
    for (size_t i = 0; i < CTL_VERBS; i++) {
        char call [64];
        snprintf (call, sizeof call, "%s COMPONENT%s", names_ctl [i].verb,
                  names_ctl [i].count? " N": "");
        fprintf (out, "  %-20s", call);
        for (const char *line = names_ctl [i].help; *line; ) {
            size_t length = strcspn (line, "\n");
            fprintf (out, "%s%.*s\n", line == names_ctl [i].help? "": "                      ",
                     (int) length, line);
            line += length + (line [length] == '\n');
        }
    }
    fputs (s_ctl_examples, out);
    fclose (out);
    int code = cli_help (text, "ctl");
    free (text);
    return code;
}

static const char *const s_health_help =
    "usage: readme2ci health [--json]\n"
    "\n"
    "Sums the tree up: exit 0 healthy, 1 degraded (a component starting, a\n"
    "breaker open, the detector down), 2 down (no supervisor, the parser or\n"
    "generator FATAL or stopped, the journal not writable).\n"
    "\n"
    "examples:\n"
    "  readme2ci health || echo \"attention: exit $?\"\n"
    "  readme2ci health --json\n";

static const char *const s_result_help =
    "usage: readme2ci result WORKFLOW_ID [--json]\n"
    "\n"
    "Prints the workflow that a finished run with this id produced. The\n"
    "supervisor keeps the last 1024 results, also across restarts. --json\n"
    "prints one JSON document (workflow_id, code, output or message).\n"
    "\n"
    "examples:\n"
    "  readme2ci generate --id nightly-42 . >/dev/null; readme2ci result nightly-42\n";

//  The arguments of a command that takes only --json (and --help): -1 to
//  go on, with *as_json set; else the exit code (help printed, or a usage
//  error reported).
static int
s_json_args (const char *command, const char *help, int argc, char **argv, bool *as_json)
{
    for (int i = 0; i < argc; i++) {
        if (cli_is_help (argv [i])) {
            return cli_help (help, command);
        }
        if (strcmp (argv [i], "--json") != 0)
            return cli_fail (EXIT_USAGE, "%s: unknown argument '%s' (see --help)",
                           command, argv [i]);
        *as_json = true;
    }
    return -1;
}

//  --------------------------------------------------------------------
//  Finding and starting a supervisor

static void
s_front_endpoint (const char *runtime, char *buf, size_t size)
{
    snprintf (buf, size, "ipc://%s/front", runtime);
}

static void
s_supervisor_path (char *buf, size_t size)
{
    char dir [PATH_MAX];
    util_exe_dir (dir, sizeof dir);
    snprintf (buf, size, "%s/readme2ci-supervisor", dir);
}

//  The signals that ask a command to stop.
static void
s_stop_signals (sigset_t *set)
{
    sigemptyset (set);
    sigaddset (set, SIGTERM);
    sigaddset (set, SIGINT);
    sigaddset (set, SIGHUP);
}

//  Starts a supervisor on runtime; detached (new session, output to
//  log, which it keeps under its size bound) or as our child with quiet
//  logging (log NULL).
static pid_t
s_start_supervisor (const char *runtime, const char *config, const char *log)
{
    bool detached = log != NULL;
    char program [PATH_MAX];
    s_supervisor_path (program, sizeof program);
    //  A private tree keeps its journal in its own folder too.
    char state [PATH_MAX + 16];
    snprintf (state, sizeof state, "%s/state", runtime);
    char parent [16];
    snprintf (parent, sizeof parent, "%d", (int) getpid ());
    char *argv [] = { program, "--runtime-dir", (char *) runtime, NULL, NULL, NULL, NULL,
                      NULL };
    if (config) {
        argv [3] = "-c";
        argv [4] = (char *) config;
    }
    else
    if (!detached) {
        //  A private tree: its own journal, and it stops with us even if
        //  we are killed outright.
        argv [3] = "--state-dir";
        argv [4] = state;
        argv [5] = "--parent";
        argv [6] = parent;
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init (&attr);
    //  The signals generate holds back while its private tree runs are
    //  the supervisor's own to take.
    sigset_t none, stops;
    sigemptyset (&none);
    posix_spawnattr_setsigmask (&attr, &none);
    s_stop_signals (&stops);
    posix_spawnattr_setsigdefault (&attr, &stops);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_addopen (&actions, 0, "/dev/null", O_RDONLY, 0);
    int log_fd = -1;
    if (detached) {
        //  Opened here, never through a symlink someone left in the folder.
        log_fd = open (log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (log_fd < 0) {
            int saved = errno;
            posix_spawn_file_actions_destroy (&actions);
            posix_spawnattr_destroy (&attr);
            return errno = saved, -1;
        }
        posix_spawn_file_actions_adddup2 (&actions, log_fd, 1);
        posix_spawn_file_actions_adddup2 (&actions, 1, 2);
        flags |= POSIX_SPAWN_SETSID;
    }
    posix_spawnattr_setflags (&attr, flags);
    //  A private tree logs warnings only, so a call's stderr stays quiet.
    size_t n = 0;
    while (environ [n])
        n++;
    char **env = calloc (n + 2, sizeof *env);
    if (!env) {
        if (log_fd >= 0)
            close (log_fd);
        posix_spawn_file_actions_destroy (&actions);
        posix_spawnattr_destroy (&attr);
        return errno = ENOMEM, -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        env [k++] = environ [i];
    if (!detached && !getenv ("R2CI_LOG_LEVEL"))
        env [k++] = "R2CI_LOG_LEVEL=warn";
    pid_t pid;
    int rc = posix_spawn (&pid, program, &actions, &attr, argv, env);
    free (env);
    if (log_fd >= 0)
        close (log_fd);
    posix_spawn_file_actions_destroy (&actions);
    posix_spawnattr_destroy (&attr);
    if (rc) {
        errno = rc;
        return -1;
    }
    return pid;
}

static int
s_remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st; (void) flag; (void) ftw;
    remove (path);
    return 0;
}

//  Removes the private runtime folders in tmp that a killed `generate`
//  left (with their journaled inputs): only folders of ours (this user's,
//  real folders, not links), and only when their owner's lock can be
//  taken (it is dead) and no supervisor holds theirs. A folder without
//  an owner file (an older version's) goes once it is an hour old.
static void
s_clean_stale_private (const char *tmp)
{
    DIR *folder = opendir (tmp);
    if (!folder)
        return;
    struct dirent *entry;
    while ((entry = readdir (folder))) {
        if (strncmp (entry->d_name, "r2ci-private.", 13) != 0)
            continue;
        char path [PATH_MAX], owner_path [PATH_MAX + 16];
        if (snprintf (path, sizeof path, "%s/%s", tmp, entry->d_name) >= (int) sizeof path)
            continue;
        struct stat st;
        if (lstat (path, &st) || !S_ISDIR (st.st_mode) || st.st_uid != getuid ())
            continue;
        snprintf (owner_path, sizeof owner_path, "%s/owner", path);
        int owner = open (owner_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        bool dead = owner >= 0? flock (owner, LOCK_EX | LOCK_NB) == 0
                              : errno == ENOENT && st.st_mtime + 3600 < time (NULL);
        if (dead && client_running_supervisor (path) <= 0)
            nftw (path, s_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
        if (owner >= 0)
            close (owner);
    }
    closedir (folder);
}

//  --------------------------------------------------------------------
//  generate

typedef struct {
    const char *path;
    uint8_t *docs;
    size_t docs_size;
    uint8_t *project;
    size_t project_size;
    char name [256];            //  output file stem
    char stem [200];            //  the folder's name, before any -2, -3
    char id [64];               //  workflow id, chosen here so a resubmission
                                //  after a supervisor restart attaches to it
    uint64_t req_id;
    bool accepted;              //  the supervisor has it on disk
    bool done;
    int code;
} input_t;

typedef struct {
    wire_submit_t submit;
    const char *out_file;
    const char *out_dir;
    const char *endpoint;
    bool inline_run;
    bool allow_no_tests;        //  no test command found is exit 0, not 5
    int timeout_ms;
    input_t *inputs;
    size_t inputs_count;
    size_t failed;              //  inputs that could not be read
    const char *runtime;        //  of the shared supervisor, to re-attach
    const cli_workflow_hooks_t *hooks;  //  check's, or NULL
    const char *command;        //  "generate" or the hooks' command
} generate_t;

static int
s_write_output (generate_t *self, input_t *input, const char *text, size_t size)
{
    if (self->hooks)
        return self->hooks->output (self->hooks->ctx, input->path, text, size);
    FILE *out = stdout;
    char path [PATH_MAX];
    if (self->out_dir) {
        const char *ext = self->submit.options.json? ".json": ".yml";
        snprintf (path, sizeof path, "%s/%s%s", self->out_dir, input->name, ext);
    }
    else
    if (self->out_file) {
        util_copy (path, sizeof path, self->out_file);
        //  -o .github/workflows/ci.yml in a project that has no
        //  .github yet: make the folders, as --out-dir does.
        char parent [PATH_MAX];
        util_copy (parent, sizeof parent, path);
        char *slash = strrchr (parent, '/');
        if (slash && slash != parent) {
            *slash = 0;
            if (util_mkdirs (parent, 0755))
                return cli_fail (EXIT_INPUT, "%s: cannot create %s: %s", path, parent,
                               strerror (errno));
        }
    }
    if (self->out_dir || self->out_file) {
        out = fopen (path, "w");
        if (!out)
            return cli_fail (EXIT_INPUT, "%s: cannot write: %s", path, strerror (errno));
    }
    bool ok = fwrite (text, 1, size, out) == size;
    if (out != stdout)
        ok = fclose (out) == 0 && ok;
    else
        ok = fflush (out) == 0 && ok;
    if (!ok)
        return cli_fail (EXIT_INPUT, "%s: write failed: %s", self->out_dir || self->out_file
                       ? path: "stdout", strerror (errno));
    return EXIT_OK;
}

//  The status of several inputs: any failure (the highest: 1, 3, 4, 6,
//  a signal) over "no test command found" (5) over success.
static int
s_worse (int a, int b)
{
    bool a_failed = a != EXIT_OK && a != EXIT_NO_TESTS;
    bool b_failed = b != EXIT_OK && b != EXIT_NO_TESTS;
    if (a_failed || b_failed)
        return !b_failed || (a_failed && a > b)? a: b;
    return a > b? a: b;
}

//  The workflow written for input has no test command: said on stderr
//  (the same words through the tree and --inline); 5 unless allowed.
static int
s_no_tests (generate_t *self, input_t *input)
{
    const char *step = self->submit.options.json? "the workflow's test step would fail"
                                                : "the workflow's test step fails";
    if (self->allow_no_tests) {
        fprintf (stderr, "readme2ci: warning: %s: no test command found; %s until one "
                 "is added (--explain shows where readme2ci looked)\n", input->path, step);
        return EXIT_OK;
    }
    return cli_fail (EXIT_NO_TESTS, "%s: no test command found; %s until one is added "
                   "(--explain shows where readme2ci looked; --allow-no-tests exits 0)",
                   input->path, step);
}

//  The three steps in this process: the same functions the workers run.
static int
s_generate_inline (generate_t *self, input_t *input, const knowledge_t *kb)
{
    step_options_t options = { .explain = self->submit.options.explain,
                               .json = self->submit.options.json,
                               .check = self->submit.options.check };
    util_copy (options.target, sizeof options.target, self->submit.options.target);
    step_result_t parsed = { 0 }, detected = { 0 }, generated = { 0 };
    int code = EXIT_OK;
    step_frame_t docs = { input->docs, input->docs_size };
    if (parser_step (kb, &docs, 1, &options, &parsed)) {
        code = cli_fail (parsed.input_error? EXIT_INPUT: EXIT_UNAVAILABLE, "%s: parse step: %s",
                       input->path, parsed.error);
        goto out;
    }
    step_frame_t detect_in [2] = { { input->project, input->project_size },
                                   { parsed.data, parsed.size } };
    if (detector_step (kb, detect_in, 2, &options, &detected)) {
        code = cli_fail (detected.input_error? EXIT_INPUT: EXIT_UNAVAILABLE, "%s: detect step: %s",
                       input->path, detected.error);
        goto out;
    }
    //  a check holds the project's CI files against the report
    step_frame_t last [2] = { { detected.data, detected.size },
                              { input->project, input->project_size } };
    if (generator_step (kb, last, options.check? 2: 1, &options, &generated)) {
        code = cli_fail (generated.input_error? EXIT_INPUT: EXIT_UNAVAILABLE,
                       "%s: %s step: %s", input->path, options.check? "check": "generate",
                       generated.error);
        goto out;
    }
    code = s_write_output (self, input, (const char *) generated.data, generated.size);
    if (code == EXIT_OK && generated.no_tests)
        code = s_no_tests (self, input);
out:
    free (parsed.data);
    free (detected.data);
    free (generated.data);
    return code;
}

//  Sends every unfinished input: a full submission, or an attachment for
//  those the supervisor accepted before it went away.
static int
s_submit_all (generate_t *self, client_t *client, size_t *pending_p)
{
    *pending_p = 0;
    for (size_t i = 0; i < self->inputs_count; i++) {
        input_t *input = &self->inputs [i];
        if (input->done)
            continue;
        wire_submit_t submit = self->submit;
        util_copy (submit.workflow_id, sizeof submit.workflow_id, input->id);
        submit.attach = input->accepted;
        input->req_id = client_submit (client, &submit, input->docs, input->docs_size,
                                       input->project, input->project_size);
        if (!input->req_id)
            return cli_fail (EXIT_UNAVAILABLE, "%s: cannot send to the supervisor", input->path);
        (*pending_p)++;
    }
    return EXIT_OK;
}

//  Writes a workflow the tree ran. The report of --json carries its id;
//  and when said (one PATH, through a tree that outlives this call, to a
//  terminal: scripts read --json, and a stderr they see stays errors
//  only) stderr says it, so `readme2ci result ID` finds it again.
static int
s_write_result (generate_t *self, input_t *input, const client_reply_t *reply, bool said)
{
    const char *id = reply->reply.workflow_id [0]? reply->reply.workflow_id: input->id;
    int code;
    if (self->submit.options.json && strncmp (reply->body, "{\n", 2) == 0) {
        //  The report's own bytes, with the id as its first key.
        json_t *name = json_string (id);
        char *quoted = name? json_dumps (name, JSON_ENCODE_ANY): NULL;
        json_decref (name);
        char *text = NULL;
        int size = quoted? asprintf (&text, "{\n  \"workflow_id\": %s,%s", quoted,
                                     reply->body + 1): -1;
        free (quoted);
        if (size < 0)
            return cli_fail (EXIT_UNAVAILABLE, "%s: out of memory", input->path);
        code = s_write_output (self, input, text, (size_t) size);
        free (text);
    }
    else
        code = s_write_output (self, input, reply->body, reply->body_size);
    if (said && code == EXIT_OK)
        fprintf (stderr, "readme2ci: %s: workflow %s (readme2ci result %s)\n", input->path,
                 id, id);
    return code;
}

//  Submits every input at once and writes each answer as it comes. When
//  the shared supervisor goes away mid-call, waits for it to come back
//  and re-attaches, until the timeout.
static int
s_generate_tree (generate_t *self, client_t *client, const char *endpoint, pid_t child)
{
    int worst = EXIT_OK;
    size_t pending = 0;
    int code = s_submit_all (self, client, &pending);
    if (code)
        return code;
    pid_t supervisor = self->runtime? client_running_supervisor (self->runtime): 0;
    bool lost = false;
    bool heard = false;         //  any answer at all from the supervisor
    term_progress_t bar;
    term_progress_start (&bar, stderr, self->inputs_count - self->failed);
    uint64_t deadline = util_now_ms () + (uint64_t) self->timeout_ms + 2000;
    while (pending > 0) {
        uint64_t now = util_now_ms ();
        if (now >= deadline) {
            term_progress_clear (&bar);
            //  Nothing was ever accepted: nobody answers at the endpoint,
            //  which is unavailability, not a slow workflow.
            if (!heard) {
                for (size_t i = 0; i < self->inputs_count; i++)
                    if (!self->inputs [i].done)
                        cli_fail (EXIT_UNAVAILABLE, "%s: no supervisor answered at %s in %d ms",
                                self->inputs [i].path, endpoint, self->timeout_ms);
                return EXIT_UNAVAILABLE;
            }
            for (size_t i = 0; i < self->inputs_count; i++)
                if (!self->inputs [i].done)
                    cli_fail (EXIT_TIMEOUT, "%s: timed out after %d ms%s", self->inputs [i].path,
                            self->timeout_ms, lost? " waiting for the supervisor to return": "");
            return EXIT_TIMEOUT;
        }
        if (child > 0) {
            //  Stopped by a signal: say so, and let the caller stop the
            //  private tree before we go.
            sigset_t stops;
            s_stop_signals (&stops);
            struct timespec zero = { 0, 0 };
            int signo = sigtimedwait (&stops, NULL, &zero);
            if (signo > 0) {
                term_progress_clear (&bar);
                cli_fail (128 + signo, "interrupted (%s); stopping the private tree",
                        strsignal (signo));
                return 128 + signo;
            }
        }
        client_reply_t reply;
        int wait = (int) (deadline - now) < 200? (int) (deadline - now): 200;
        if (client_next_reply (client, wait, &reply)) {
            if (errno == ECONNREFUSED) {
                term_progress_clear (&bar);
                return cli_fail (EXIT_REFUSED, "%s: refused by the supervisor at %s",
                               self->inputs_count == 1? self->inputs [0].path: "generate",
                               endpoint);
            }
            if (errno != ETIMEDOUT) {
                term_progress_clear (&bar);
                return cli_fail (EXIT_UNAVAILABLE, "malformed reply from the supervisor");
            }
            if (child > 0 && waitpid (child, NULL, WNOHANG) == child) {
                term_progress_clear (&bar);
                return cli_fail (EXIT_UNAVAILABLE, "the private supervisor exited unexpectedly");
            }
            if (self->runtime) {
                pid_t now_running = client_running_supervisor (self->runtime);
                if (now_running != supervisor) {
                    term_progress_clear (&bar);
                    if (now_running > 0) {
                        //  A new supervisor: it has replayed its journal.
                        fprintf (stderr, "readme2ci: the supervisor restarted (pid %d); "
                                 "re-attaching\n", (int) now_running);
                        if ((code = s_submit_all (self, client, &pending)))
                            return code;
                    }
                    else
                    if (!lost)
                        fprintf (stderr, "readme2ci: the supervisor went away; waiting for "
                                 "it to come back\n");
                    lost = now_running <= 0;
                    supervisor = now_running;
                }
            }
            continue;
        }
        heard = true;
        input_t *input = NULL;
        for (size_t i = 0; i < self->inputs_count; i++)
            if (self->inputs [i].req_id == reply.reply.req_id && !self->inputs [i].done)
                input = &self->inputs [i];
        if (input && reply.reply.accepted)
            input->accepted = true;
        else
        if (input) {
            input->done = true;
            pending--;
            term_progress_clear (&bar);
            code = reply.reply.code;
            if (code == EXIT_OK) {
                if (reply.reply.degraded)
                    fprintf (stderr, "readme2ci: %s: warning: the detector is unavailable; "
                             "%s from the README alone (degraded)\n", input->path,
                             self->hooks? "what the CI is held to comes"
                                        : "this workflow comes");
                code = s_write_result (self, input, &reply, child <= 0
                                       && self->inputs_count == 1
                                       && term_is_tty (STDERR_FILENO));
                if (code == EXIT_OK && reply.reply.no_tests)
                    code = s_no_tests (self, input);
            }
            else
                cli_fail (code, "%s: %s", input->path, reply.reply.message);
            worst = s_worse (worst, code);
            term_progress_step (&bar, code != EXIT_OK && code != EXIT_NO_TESTS);
        }
        client_reply_release (&reply);
    }
    term_progress_clear (&bar);
    return worst;
}

static int
s_parse_generate (generate_t *self, int argc, char **argv,
                  const cli_workflow_hooks_t *hooks)
{
    memset (self, 0, sizeof *self);
    self->hooks = hooks;
    self->command = hooks? hooks->command: "generate";
    self->submit.options.check = hooks != NULL;
    self->submit.priority = WIRE_PRIORITY_NORMAL;
    util_copy (self->submit.options.target, sizeof self->submit.options.target, "github");
    self->timeout_ms = 60000;
    const char **paths = calloc ((size_t) argc + 1, sizeof *paths);
    size_t count = 0;
    if (!paths)
        return EXIT_UNAVAILABLE;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv [i];
        const char *value = i + 1 < argc? argv [i + 1]: NULL;
        bool output_option = strcmp (arg, "-o") == 0 || strcmp (arg, "--out-dir") == 0
                          || strcmp (arg, "--json") == 0;
        if (hooks && output_option) {
            free (paths);
            return cli_fail (EXIT_USAGE, "%s: unknown option '%s' (see --help)", self->command,
                           arg);
        }
        bool takes = strcmp (arg, "--target") == 0 || strcmp (arg, "-o") == 0
                  || strcmp (arg, "--out-dir") == 0 || strcmp (arg, "--priority") == 0
                  || strcmp (arg, "--timeout") == 0 || strcmp (arg, "--id") == 0
                  || strcmp (arg, "--endpoint") == 0;
        if (cli_is_help (arg)) {
            free (paths);
            exit (cli_help (s_generate_help, "generate"));
        }
        if (takes && !value) {
            free (paths);
            return cli_fail (EXIT_USAGE, "%s: %s needs a value (see --help)", self->command,
                           arg);
        }
        if (strcmp (arg, "--target") == 0) {
            if (strcmp (value, "github") && strcmp (value, "gitlab")) {
                free (paths);
                return cli_fail (EXIT_USAGE, "%s: --target must be github or gitlab, not '%s'",
                               self->command, value);
            }
            util_copy (self->submit.options.target, sizeof self->submit.options.target, value);
        }
        else
        if (strcmp (arg, "-o") == 0)
            self->out_file = value;
        else
        if (strcmp (arg, "--out-dir") == 0)
            self->out_dir = value;
        else
        if (strcmp (arg, "--priority") == 0) {
            if (wire_priority_parse (value, &self->submit.priority)) {
                free (paths);
                char levels [64];
                names_join (wire_priority_names, ", ", ", ", levels, sizeof levels);
                return cli_fail (EXIT_USAGE, "%s: --priority must be %s or 0..1000, not '%s'",
                                 self->command, levels, value);
            }
        }
        else
        if (strcmp (arg, "--timeout") == 0) {
            char *end;
            long ms = strtol (value, &end, 10);
            if (*end || ms < 1 || ms > 24 * 3600 * 1000L) {
                free (paths);
                return cli_fail (EXIT_USAGE, "%s: --timeout must be a number of "
                               "milliseconds, not '%s'", self->command, value);
            }
            self->timeout_ms = (int) ms;
        }
        else
        if (strcmp (arg, "--id") == 0) {
            if (!util_copy (self->submit.workflow_id, 48, value) || !*value) {
                free (paths);
                return cli_fail (EXIT_USAGE, "%s: --id must be 1 to 47 characters",
                               self->command);
            }
        }
        else
        if (strcmp (arg, "--endpoint") == 0)
            self->endpoint = value;
        else
        if (strcmp (arg, "--explain") == 0)
            self->submit.options.explain = true;
        else
        if (strcmp (arg, "--json") == 0)
            self->submit.options.json = true;
        else
        if (strcmp (arg, "--inline") == 0)
            self->inline_run = true;
        else
        if (strcmp (arg, "--allow-no-tests") == 0)
            self->allow_no_tests = true;
        else
        if (arg [0] == '-' && arg [1]) {
            free (paths);
            return cli_fail (EXIT_USAGE, "%s: unknown option '%s' (see --help)", self->command,
                           arg);
        }
        else
            paths [count++] = arg;
        if (takes)
            i++;
    }
    if (count == 0) {
        free (paths);
        return cli_fail (EXIT_USAGE, "%s: give a project folder or README "
                       "(see readme2ci %s --help)", self->command, self->command);
    }
    if (count > 1 && !self->out_dir && !hooks) {
        free (paths);
        return cli_fail (EXIT_USAGE, "%s: several paths need --out-dir DIR", self->command);
    }
    if (self->out_dir && self->out_file) {
        free (paths);
        return cli_fail (EXIT_USAGE, "%s: -o and --out-dir do not go together", self->command);
    }
    self->submit.timeout_ms = (uint32_t) self->timeout_ms;
    self->inputs = calloc (count, sizeof *self->inputs);
    self->inputs_count = count;
    for (size_t i = 0; i < count; i++)
        self->inputs [i].path = paths [i];
    free (paths);
    return EXIT_OK;
}

//  True when an input before the i-th has the i-th's output name.
static bool
s_name_taken (generate_t *self, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp (self->inputs [j].name, self->inputs [i].name) == 0)
            return true;
    return false;
}

//  Loads and encodes every input; names each output after its folder.
static int
s_load_inputs (generate_t *self)
{
    //  which build files are sent is knowledge: read it once for all inputs
    char kb_err [256] = "";
    knowledge_t *kb = knowledge_new (kb_err, sizeof kb_err);
    if (!kb)
        return cli_fail (EXIT_UNAVAILABLE, "the shipped CI knowledge is broken: %s", kb_err);
    for (size_t i = 0; i < self->inputs_count; i++) {
        input_t *input = &self->inputs [i];
        project_docs_t docs;
        project_t project;
        char err [PATH_MAX + 256], warn [PATH_MAX + 256];
        if (project_load_with (kb, input->path, &docs, &project, err, sizeof err, warn,
                               sizeof warn)) {
            //  One bad input of many is reported; the others still run.
            input->code = cli_fail (EXIT_INPUT, "%s", err);
            input->done = true;
            self->failed++;
            continue;
        }
        if (warn [0])
            fprintf (stderr, "readme2ci: warning: %s\n", warn);
        if (self->hooks && project_load_ci (input->path, &project, warn, sizeof warn) == 0
            && warn [0])
            fprintf (stderr, "readme2ci: warning: %s\n", warn);
        int rc = project_docs_encode (&docs, &input->docs, &input->docs_size)
              || project_encode (&project, &input->project, &input->project_size);
        snprintf (input->name, sizeof input->name, "%s",
                  project.name && *project.name? project.name: "project");
        if (self->submit.workflow_id [0] && self->inputs_count == 1)
            util_copy (input->id, sizeof input->id, self->submit.workflow_id);
        else
        if (self->submit.workflow_id [0])
            snprintf (input->id, sizeof input->id, "%.40s-%zu", self->submit.workflow_id, i + 1);
        else {
            zuuid_t *uuid = zuuid_new ();
            snprintf (input->id, sizeof input->id, "wf-%s", zuuid_str_canonical (uuid));
            zuuid_destroy (&uuid);
        }
        project_docs_release (&docs);
        project_release (&project);
        if (rc) {
            knowledge_destroy (&kb);
            return cli_fail (EXIT_UNAVAILABLE, "%s: out of memory", input->path);
        }
        //  Inline or not, the same input gets the same answer.
        if (input->docs_size + input->project_size > WIRE_INPUTS_MAX) {
            input->code = cli_fail (EXIT_INPUT, "%s: its README and build files come to %zu "
                                  "bytes, over the limit of %u bytes for one project",
                                  input->path, input->docs_size + input->project_size,
                                  WIRE_INPUTS_MAX);
            input->done = true;
            self->failed++;
            continue;
        }
        //  Two inputs with the same folder name get -2, -3... counted from
        //  the earlier ones of that name, so a thousand copies stay cheap.
        util_copy (input->stem, sizeof input->stem, input->name);
        size_t same = 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp (self->inputs [j].stem, input->stem) == 0)
                same++;
        for (size_t n = same + 1; ; n++) {      //  1: the folder's own name
            if (n > 1)
                snprintf (input->name, sizeof input->name, "%s-%zu", input->stem, n);
            if (!s_name_taken (self, i))
                break;
        }
    }
    knowledge_destroy (&kb);
    if (self->failed == self->inputs_count)
        return EXIT_INPUT;
    if (self->out_dir && util_mkdirs (self->out_dir, 0755))
        return cli_fail (EXIT_INPUT, "%s: cannot create: %s", self->out_dir, strerror (errno));
    return EXIT_OK;
}

static void
s_free_inputs (generate_t *self)
{
    for (size_t i = 0; i < self->inputs_count; i++) {
        free (self->inputs [i].docs);
        free (self->inputs [i].project);
    }
    free (self->inputs);
}

//  A supervisor someone else runs answers within the connect deadline
//  (or the call's timeout, when shorter) before anything is sent, as for
//  every command; else each input is said unavailable (3) or refused (6).
static int
s_generate_ping (generate_t *self, client_t *client, const char *endpoint)
{
    int wait = self->timeout_ms < CLI_CONNECT_MS? self->timeout_ms: CLI_CONNECT_MS;
    client_reply_t reply;
    if (client_request (client, "ping", NULL, 0, wait, &reply) == 0) {
        client_reply_release (&reply);
        return EXIT_OK;
    }
    bool refused = errno == ECONNREFUSED;
    for (size_t i = 0; i < self->inputs_count; i++)
        if (!self->inputs [i].done) {
            if (refused)
                cli_fail (EXIT_REFUSED, "%s: refused by the supervisor at %s",
                        self->inputs [i].path, endpoint);
            else
                cli_fail (EXIT_UNAVAILABLE, "%s: no supervisor answered at %s in %d ms",
                        self->inputs [i].path, endpoint, wait);
        }
    return refused? EXIT_REFUSED: EXIT_UNAVAILABLE;
}

static int
s_cmd_generate (int argc, char **argv)
{
    return cli_run_workflows (argc, argv, NULL);
}

int
cli_run_workflows (int argc, char **argv, const cli_workflow_hooks_t *hooks)
{
    generate_t self;
    int code = s_parse_generate (&self, argc, argv, hooks);
    if (code)
        return code;
    code = s_load_inputs (&self);
    if (code)
        goto out;
    //  Inputs that could not be read set the floor of the exit status.
    if (self.failed)
        code = EXIT_INPUT;
    if (self.inline_run) {
        char err [256] = "";
        knowledge_t *kb = knowledge_new (err, sizeof err);
        if (!kb) {
            code = cli_fail (EXIT_UNAVAILABLE, "the shipped CI knowledge is broken: %s", err);
            goto out;
        }
        term_progress_t bar;
        term_progress_start (&bar, stderr, self.inputs_count - self.failed);
        for (size_t i = 0; i < self.inputs_count; i++) {
            if (self.inputs [i].done)
                continue;
            term_progress_clear (&bar);
            int one = s_generate_inline (&self, &self.inputs [i], kb);
            code = s_worse (code, one);
            term_progress_step (&bar, one != EXIT_OK && one != EXIT_NO_TESTS);
        }
        term_progress_clear (&bar);
        knowledge_destroy (&kb);
        goto out;
    }
    char endpoint [PATH_MAX + 16];
    char runtime [PATH_MAX] = "";
    pid_t child = 0;
    int owner = -1;
    if (!self.endpoint && getenv ("R2CI_ENDPOINT") && *getenv ("R2CI_ENDPOINT"))
        self.endpoint = getenv ("R2CI_ENDPOINT");
    if (self.endpoint)
        util_copy (endpoint, sizeof endpoint, self.endpoint);
    else {
        if (util_runtime_dir (runtime, sizeof runtime)) {
            code = cli_fail (EXIT_UNAVAILABLE, "runtime folder path too long");
            goto out;
        }
        if (client_running_supervisor (runtime) > 0) {
            s_front_endpoint (runtime, endpoint, sizeof endpoint);
            self.runtime = runtime;
        }
        else {
            //  No supervisor: a private tree for this call, in a folder
            //  of its own so it never answers on the shared endpoint.
            const char *tmp = getenv ("TMPDIR");
            tmp = tmp && *tmp? tmp: "/tmp";
            s_clean_stale_private (tmp);
            snprintf (runtime, sizeof runtime, "%s/r2ci-private.XXXXXX", tmp);
            if (!mkdtemp (runtime)) {
                code = cli_fail (EXIT_UNAVAILABLE, "cannot make a private runtime folder: %s",
                               strerror (errno));
                goto out;
            }
            //  Ours while this lock is held: a later call removes the
            //  folder only once it can take it (we were killed).
            char owner_path [PATH_MAX + 16];
            snprintf (owner_path, sizeof owner_path, "%s/owner", runtime);
            owner = open (owner_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                          0600);
            if (owner >= 0)
                flock (owner, LOCK_EX);
            //  Hold stop signals until the private tree is stopped and its
            //  folder removed (s_generate_tree watches for them).
            sigset_t stops;
            s_stop_signals (&stops);
            sigprocmask (SIG_BLOCK, &stops, NULL);
            child = s_start_supervisor (runtime, NULL, NULL);
            if (child < 0) {
                code = cli_fail (EXIT_UNAVAILABLE, "cannot start readme2ci-supervisor: %s",
                               strerror (errno));
                rmdir (runtime);
                goto out;
            }
            s_front_endpoint (runtime, endpoint, sizeof endpoint);
        }
    }
    char err [512] = "";
    int ping;
    client_t *client = self.endpoint
                     ? client_new_secure (endpoint, getenv ("R2CI_SERVER_KEY"),
                                          getenv ("R2CI_KEY"), err, sizeof err)
                     : client_new (endpoint);
    if (!client)
        code = cli_fail (EXIT_UNAVAILABLE, "cannot connect to %s%s%s", endpoint,
                       err [0]? ": ": "", err);
    else
    if (child <= 0 && (ping = s_generate_ping (&self, client, endpoint)))
        code = ping;
    else
        code = s_worse (code, s_generate_tree (&self, client, endpoint, child));
    if (child > 0) {
        client_reply_t reply;
        if (client && client_request (client, "down", NULL, 0, 2000, &reply) == 0)
            client_reply_release (&reply);
        else
            kill (child, SIGTERM);
        //  Bounded: the supervisor stops its workers within its own limits.
        uint64_t deadline = util_now_ms () + 20000;
        while (waitpid (child, NULL, WNOHANG) == 0) {
            if (util_now_ms () > deadline) {
                kill (child, SIGKILL);
                waitpid (child, NULL, 0);
                break;
            }
            struct timespec ts = { 0, 2000000 };
            nanosleep (&ts, NULL);
        }
        nftw (runtime, s_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    }
    if (owner >= 0)
        close (owner);
    client_destroy (&client);
out:
    s_free_inputs (&self);
    return code;
}

//  --------------------------------------------------------------------
//  up, down, status, result

//  True when every component has as many ready workers as it wants.
//  A component that went FATAL never will: its name goes in fatal ("" when
//  none).
static bool
s_all_ready (const char *status_json, char *fatal, size_t fatal_size)
{
    json_t *root = json_loads (status_json, 0, NULL);
    json_t *components = json_object_get (root, "components");
    bool ready = json_array_size (components) > 0;
    size_t i;
    json_t *component;
    fatal [0] = 0;
    json_array_foreach (components, i, component) {
        if (json_integer_value (json_object_get (component, "ready"))
                < json_integer_value (json_object_get (component, "desired")))
            ready = false;
        const char *state = json_string_value (json_object_get (component, "state"));
        const char *name = json_string_value (json_object_get (component, "name"));
        if (state && name && strcmp (state, names_component_states [COMPONENT_FATAL]) == 0
        &&  !fatal [0])
            util_copy (fatal, fatal_size, name);
    }
    json_decref (root);
    return ready;
}

//  The message of the last error (else the last line) the supervisor
//  logged after offset start: why a detached start failed, for the
//  terminal. False when the log holds nothing new (it went elsewhere).
static bool
s_log_cause (const char *log_path, off_t start, char *cause, size_t size)
{
    char *text;
    size_t length;
    if (util_read_file (log_path, 4 * 1024 * 1024, &text, &length))
        return false;
    size_t from = start >= 0 && (size_t) start <= length? (size_t) start: 0;
    const char *last = NULL, *last_error = NULL;
    for (const char *line = text + from; *line; ) {
        const char *end = strchr (line, '\n');
        size_t len = end? (size_t) (end - line): strlen (line);
        if (len > 0) {
            last = line;
            if (memmem (line, len, " error: ", 8) || memmem (line, len, "\"error\"", 7))
                last_error = line;
        }
        line += len + (end? 1: 0);
    }
    const char *pick = last_error? last_error: last;
    bool found = pick != NULL;
    if (found) {
        size_t len = strcspn (pick, "\n");
        char line [1024];
        snprintf (line, sizeof line, "%.*s", (int) (len < 1023? len: 1023), pick);
        //  Text lines read "TIME PROGRAM LEVEL: message"; JSON lines
        //  carry "message".
        json_t *root = line [0] == '{'? json_loads (line, 0, NULL): NULL;
        const char *message = json_string_value (json_object_get (root, "message"));
        const char *colon = strstr (line, ": ");
        if (message)
            util_copy (cause, size, message);
        else
            util_copy (cause, size, colon? colon + 2: line);
        json_decref (root);
    }
    free (text);
    return found;
}

//  `up` while a supervisor runs: fine when it was asked for no config
//  or for the one the supervisor runs with; refused, saying what to do,
//  when the file asks for something else, so what it names (metrics,
//  listeners, keys) is never silently missing.
static int
s_up_running (const char *runtime, pid_t running, const char *config_path)
{
    if (!config_path) {
        fprintf (stderr, "readme2ci: a supervisor is already running (pid %d)\n", (int) running);
        return EXIT_OK;
    }
    char endpoint [PATH_MAX + 16];
    s_front_endpoint (runtime, endpoint, sizeof endpoint);
    client_t *client = client_new (endpoint);
    client_reply_t reply;
    if (!client || client_request (client, "config", NULL, 0, CLI_CONNECT_MS, &reply)) {
        client_destroy (&client);
        return cli_fail (EXIT_UNAVAILABLE, "a supervisor is already running (pid %d) but does "
                       "not answer: is it running with %s? (`readme2ci down` first to start "
                       "with it)", (int) running, config_path);
    }
    client_destroy (&client);
    config_t wanted, current;
    config_errors_t errors = { 0 };
    int parsed = config_parse ("the running configuration", reply.body, reply.body_size,
                               &current, &errors);
    config_errors_release (&errors);
    int loaded = config_load (config_path, &wanted, NULL);
    config_changes_t changes = { 0 };
    bool same = parsed == 0 && loaded == 0 && config_diff (&current, &wanted, &changes) == 0
             && changes.count == 0;
    bool same_file = strcmp (reply.reply.message, config_path) == 0;
    int code = EXIT_OK;
    if (same)
        fprintf (stderr, "readme2ci: a supervisor is already running (pid %d) with %s\n",
                 (int) running, config_path);
    else {
        code = cli_fail (EXIT_REFUSED, "a supervisor is already running (pid %d) with %s, "
                       "and %s asks for something else%s", (int) running,
                       reply.reply.message [0]? reply.reply.message: "no config file",
                       config_path, changes.count? ":": "");
        for (size_t i = 0; i < changes.count && i < 10; i++)
            fprintf (stderr, "  %s: running %s, the file says %s\n", changes.items [i].key,
                     changes.items [i].old_value, changes.items [i].new_value);
        if (changes.count > 10)
            fprintf (stderr, "  (and %zu more)\n", changes.count - 10);
        if (same_file && !config_changes_need_restart (&changes))
            fprintf (stderr, "readme2ci: `readme2ci reload` applies the file to the running "
                     "tree\n");
        else
            fprintf (stderr, "readme2ci: %s; `readme2ci down` first, then `readme2ci up -c "
                     "%s -d`\n", same_file? "some of it needs a restart"
                                           : "a running supervisor keeps its own file",
                     config_path);
    }
    config_changes_release (&changes);
    if (parsed == 0)
        config_release (&current);
    if (loaded == 0)
        config_release (&wanted);
    client_reply_release (&reply);
    return code;
}

//  Waits up to 15 s for the supervisor `up -d` started (pid, logging to
//  log_path from log_start on) to have every component ready, and says
//  why when it exits or a component is FATAL. Returns the exit status.
static int
s_wait_ready (const char *runtime, pid_t pid, const char *log_path, off_t log_start)
{
    char endpoint [PATH_MAX + 16];
    s_front_endpoint (runtime, endpoint, sizeof endpoint);
    client_t *client = client_new (endpoint);
    uint64_t deadline = util_now_ms () + 15000;
    int code = EXIT_UNAVAILABLE;
    while (client && util_now_ms () < deadline) {
        int status;
        if (waitpid (pid, &status, WNOHANG) == pid) {
            //  Another `up` started at the same moment won the runtime
            //  folder: the outcome is the same as if it had come first.
            pid_t other = client_running_supervisor (runtime);
            if (other > 0) {
                fprintf (stderr, "readme2ci: a supervisor is already running (pid %d)\n",
                         (int) other);
                code = EXIT_OK;
                break;
            }
            char cause [1024];
            if (strcmp (log_path, "syslog") && s_log_cause (log_path, log_start, cause,
                                                            sizeof cause))
                cli_fail (EXIT_UNAVAILABLE, "the supervisor exited at start: %s (log: %s)",
                        cause, log_path);
            else
                cli_fail (EXIT_UNAVAILABLE, "the supervisor exited at start; see %s", log_path);
            break;
        }
        client_reply_t reply;
        if (client_request (client, "status", NULL, 0, 500, &reply) == 0) {
            char fatal [64];
            bool ready = s_all_ready (reply.body, fatal, sizeof fatal);
            client_reply_release (&reply);
            if (fatal [0]) {
                //  It will not get ready by waiting: say why now. The
                //  supervisor stays up, for `ctl update` or `ctl deploy`.
                char cause [1024];
                if (strcmp (log_path, "syslog") && s_log_cause (log_path, log_start, cause,
                                                                sizeof cause))
                    cli_fail (EXIT_UNAVAILABLE, "the supervisor (pid %d) is up, but %s",
                            (int) pid, cause);
                else
                    cli_fail (EXIT_UNAVAILABLE, "the supervisor (pid %d) is up, but %s is "
                            "FATAL; see %s", (int) pid, fatal, log_path);
                break;
            }
            //  The answer may come from another supervisor that took the
            //  folder first (ours then exits): check whose it is.
            if (ready && client_running_supervisor (runtime) != pid)
                ready = false;
            if (ready) {
                printf ("readme2ci: supervisor pid %d is up (runtime folder %s)\n",
                        (int) pid, runtime);
                code = EXIT_OK;
                break;
            }
        }
        struct timespec ts = { 0, 20000000 };
        nanosleep (&ts, NULL);
    }
    if (code && util_now_ms () >= deadline)
        cli_fail (code, "the supervisor did not become ready in 15 s; see %s", log_path);
    client_destroy (&client);
    return code;
}

static int
s_cmd_up (int argc, char **argv)
{
    bool detach = false;
    const char *config_path = NULL;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help (argv [i])) {
            return cli_help (s_up_help, "up");
        }
        if (strcmp (argv [i], "-d") == 0 || strcmp (argv [i], "--detach") == 0)
            detach = true;
        else
        if (strncmp (argv [i], "--log-", 6) == 0) {
            //  The supervisor reads these from its environment, whether it
            //  runs in our place or detached.
            static const char *const names [][2] = {
                { "--log-level", "R2CI_LOG_LEVEL" }, { "--log-format", "R2CI_LOG_FORMAT" },
                { "--log-file", "R2CI_LOG_FILE" }
            };
            size_t k = 0;
            while (k < 3 && strcmp (argv [i], names [k][0]))
                k++;
            if (k == 3)
                return cli_fail (EXIT_USAGE, "up: unknown argument '%s' (see --help)", argv [i]);
            if (i + 1 >= argc)
                return cli_fail (EXIT_USAGE, "up: %s needs a value (see --help)", argv [i]);
            char file [PATH_MAX];
            const char *value = argv [++i];
            //  A detached supervisor runs elsewhere: make a path absolute.
            if (k == 2 && value [0] != '/' && strcmp (value, "syslog")
            &&  strcmp (value, "stderr") && getcwd (file, sizeof file)) {
                size_t used = strlen (file);
                snprintf (file + used, sizeof file - used, "/%s", value);
                value = file;
            }
            setenv (names [k][1], value, 1);
        }
        else
        if (strcmp (argv [i], "-c") == 0 || strcmp (argv [i], "--config") == 0) {
            if (i + 1 >= argc)
                return cli_fail (EXIT_USAGE, "up: %s needs the config FILE (see --help)",
                               argv [i]);
            config_path = argv [++i];
        }
        else
            return cli_fail (EXIT_USAGE, "up: unknown argument '%s' (see --help)", argv [i]);
    }
    char runtime [PATH_MAX] = "";
    char state [PATH_MAX] = "";
    char config_real [PATH_MAX];
    char config_log [PATH_MAX] = "";     //  the config's log.file
    if (config_path) {
        //  Check it here so errors reach the terminal even with -d, and
        //  learn the runtime folder it may set.
        config_t config;
        config_errors_t errors = { 0 };
        if (config_load (config_path, &config, &errors)) {
            config_errors_print (&errors, "readme2ci", stderr);
            config_errors_release (&errors);
            return EXIT_USAGE;
        }
        if (config.runtime_dir)
            util_copy (runtime, sizeof runtime, config.runtime_dir);
        if (config.state_dir)
            util_copy (state, sizeof state, config.state_dir);
        if (config.log.file)
            util_copy (config_log, sizeof config_log, config.log.file);
        config_release (&config);
        if (realpath (config_path, config_real))
            config_path = config_real;
    }
    if (!runtime [0] && util_runtime_dir (runtime, sizeof runtime))
        return cli_fail (EXIT_UNAVAILABLE, "runtime folder path too long");
    //  Before anything is written there (a log, a pid file, sockets): a
    //  folder another user made or can write in is refused.
    char why [PATH_MAX + 256];
    if (util_private_dir (runtime, why, sizeof why))
        return cli_fail (EXIT_UNAVAILABLE, "up: %s", why);
    pid_t running = client_running_supervisor (runtime);
    if (running > 0)
        return s_up_running (runtime, running, config_path);
    if (!detach) {
        char program [PATH_MAX];
        s_supervisor_path (program, sizeof program);
        char *args [] = { program, "--runtime-dir", runtime, NULL, NULL, NULL };
        if (config_path) {
            args [3] = "-c";
            args [4] = (char *) config_path;
        }
        execv (program, args);
        return cli_fail (EXIT_UNAVAILABLE, "cannot run %s: %s", program, strerror (errno));
    }
    //  Where the supervisor logs: --log-file, else the config's log.file,
    //  else (as it is detached) STATE/logs/supervisor.log, which it keeps
    //  under log.max_size (`readme2ci logs supervisor`).
    char log_path [PATH_MAX + 32];
    const char *log_file = getenv ("R2CI_LOG_FILE");
    if (!log_file || !*log_file)
        log_file = config_log;
    char logs [PATH_MAX];
    if (!state [0] && util_state_dir (state, sizeof state))
        return cli_fail (EXIT_UNAVAILABLE, "state folder path too long");
    if (logcap_dir_for (state, runtime, logs, sizeof logs) || util_mkdirs (logs, 0700))
        return cli_fail (EXIT_UNAVAILABLE, "cannot create %s/logs: %s", state, strerror (errno));
    if (*log_file && strcmp (log_file, "stderr") != 0)
        util_copy (log_path, sizeof log_path, log_file);
    else
        snprintf (log_path, sizeof log_path, "%s/supervisor.log", logs);
    struct stat log_st;
    off_t log_start = stat (log_path, &log_st) == 0? log_st.st_size: 0;
    pid_t pid = s_start_supervisor (runtime, config_path, log_path);
    if (pid < 0)
        return cli_fail (EXIT_UNAVAILABLE, "cannot start readme2ci-supervisor: %s", strerror (errno));
    return s_wait_ready (runtime, pid, log_path, log_start);
}

//  True when pid no longer runs (gone, or a zombie nobody reaped yet).
static bool
s_process_gone (pid_t pid)
{
    char path [64], stat [512];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "re");
    if (!file)
        return true;
    size_t n = fread (stat, 1, sizeof stat - 1, file);
    fclose (file);
    stat [n] = 0;
    const char *paren = strrchr (stat, ')');
    return !paren || paren [1] != ' ' || paren [2] == 'Z' || paren [2] == 'X';
}

static int
s_cmd_down (int argc, char **argv)
{
    bool as_json = false;
    int done = s_json_args ("down", s_down_help, argc, argv, &as_json);
    if (done >= 0)
        return done;
    const char *remote = getenv ("R2CI_ENDPOINT");
    char runtime [PATH_MAX];
    if (!(remote && *remote) && util_runtime_dir (runtime, sizeof runtime) == 0
    &&  client_running_supervisor (runtime) <= 0) {
        //  None running is what was asked for (as `systemctl stop`).
        fprintf (stderr, "readme2ci: no supervisor is running\n");
        if (as_json)
            printf ("{\"stopped\": false, \"running\": false}\n");
        return EXIT_OK;
    }
    cli_target_t target;
    int code = cli_target_open (&target);
    if (code && (target.remote || code != EXIT_UNAVAILABLE))
        return code;
    pid_t pid = target.pid;
    client_reply_t reply;
    if (code == EXIT_OK)
        code = cli_target_request (&target, "down", NULL, 0, 5000, &reply);
    cli_target_close (&target);
    if (code == EXIT_OK) {
        code = cli_target_code (&reply);
        if (code)
            cli_fail (code, "down: %s", reply.reply.message);
        client_reply_release (&reply);
        if (code)
            return code;
    }
    else
    if (code == EXIT_UNAVAILABLE && !target.remote
    &&  pid > 0 && client_running_supervisor (target.runtime) == pid) {
        //  Only the supervisor that holds our runtime folder's lock, by
        //  its own pid, ever gets a signal from us.
        fprintf (stderr, "readme2ci: sending SIGTERM to the supervisor (pid %d)\n", (int) pid);
        kill (pid, SIGTERM);
    }
    else
        return code;
    if (target.remote) {
        //  Another host's pid means nothing here: wait until it stops
        //  answering.
        uint64_t deadline = util_now_ms () + 30000;
        bool gone = false;
        while (!gone && util_now_ms () < deadline) {
            char err [512] = "";
            client_t *probe = client_new_secure (target.endpoint, getenv ("R2CI_SERVER_KEY"),
                                                 getenv ("R2CI_KEY"), err, sizeof err);
            gone = !probe || client_request (probe, "ping", NULL, 0, 1000, &reply) != 0;
            if (!gone)
                client_reply_release (&reply);
            client_destroy (&probe);
        }
        if (!gone)
            return cli_fail (EXIT_TIMEOUT, "the supervisor at %s still answers 30 s after it "
                           "was asked to stop", target.endpoint);
        if (as_json)
            printf ("{\"stopped\": true, \"endpoint\": \"%s\"}\n", target.endpoint);
        else
            printf ("readme2ci: the supervisor at %s stopped\n", target.endpoint);
        return EXIT_OK;
    }
    //  The supervisor drains (10 s at most) and stops its workers
    //  (5 s + 5 s at most): wait for its pid file lock to go.
    uint64_t deadline = util_now_ms () + 30000;
    while (client_running_supervisor (target.runtime) == pid) {
        if (util_now_ms () > deadline)
            return cli_fail (EXIT_TIMEOUT, "the supervisor (pid %d) is still running after 30 s",
                           (int) pid);
        struct timespec ts = { 0, 10000000 };
        nanosleep (&ts, NULL);
    }
    //  The lock goes a moment before the process: wait for that too.
    while (!s_process_gone (pid) && util_now_ms () < deadline) {
        struct timespec ts = { 0, 5000000 };
        nanosleep (&ts, NULL);
    }
    if (as_json)
        printf ("{\"stopped\": true, \"pid\": %d}\n", (int) pid);
    else
        printf ("readme2ci: supervisor pid %d stopped\n", (int) pid);
    return EXIT_OK;
}

static void
s_print_status (const char *text)
{
    json_t *root = json_loads (text, 0, NULL);
    if (!root) {
        puts (text);
        return;
    }
    json_t *sup = json_object_get (root, "supervisor");
    json_t *queue = json_object_get (root, "queue");
    printf ("supervisor pid %lld, up %.1f s, %s, rss %lld KiB\n",
            (long long) json_integer_value (json_object_get (sup, "pid")),
            (double) json_integer_value (json_object_get (sup, "uptime_ms")) / 1000.0,
            json_string_value (json_object_get (sup, "health")),
            (long long) json_integer_value (json_object_get (sup, "rss_kib")));
    char levels [128];
    printf ("%s\n\n", cli_top_queue_line (queue, ", ", levels, sizeof levels));
    printf ("%-10s %-9s %7s %5s %-9s %8s %6s %9s %9s\n", "COMPONENT", "STATE", "DESIRED",
            "READY", "BREAKER", "RESTARTS", "QUEUED", "P50 MS", "P99 MS");
    size_t i, j;
    json_t *component, *worker;
    json_array_foreach (json_object_get (root, "components"), i, component) {
        json_t *latency = json_object_get (component, "latency_ms");
        printf ("%-10s %-9s %7lld %5lld %-9s %8lld %6lld %9.2f %9.2f\n",
                json_string_value (json_object_get (component, "name")),
                json_string_value (json_object_get (component, "state")),
                (long long) json_integer_value (json_object_get (component, "desired")),
                (long long) json_integer_value (json_object_get (component, "ready")),
                json_string_value (json_object_get (component, "breaker")),
                (long long) json_integer_value (json_object_get (component, "restarts")),
                (long long) json_integer_value (json_object_get (component, "queued")),
                json_real_value (json_object_get (latency, "p50")),
                json_real_value (json_object_get (latency, "p99")));
        json_array_foreach (json_object_get (component, "workers"), j, worker) {
            //  A worker on another host: its pid is there, and so is its
            //  memory, which this host cannot see.
            bool remote = json_is_true (json_object_get (worker, "remote"));
            const char *address = json_string_value (json_object_get (worker, "address"));
            char rss [32] = "     -";
            if (!remote)
                snprintf (rss, sizeof rss, "%6lld", (long long) json_integer_value (
                          json_object_get (worker, "rss_kib")));
            printf ("  pid %-8lld %-9s restarts %-3lld up %7.1f s  rss %s KiB  host %s%s%s%s\n",
                    (long long) json_integer_value (json_object_get (worker, "pid")),
                    json_string_value (json_object_get (worker, "state")),
                    (long long) json_integer_value (json_object_get (worker, "restarts")),
                    (double) json_integer_value (json_object_get (worker, "uptime_ms")) / 1000.0,
                    rss, json_string_value (json_object_get (worker, "host")),
                    remote? " (remote, from ": "", remote && address? address: "",
                    remote? ")": "");
        }
        cli_logs_print_exits (stdout, component);
    }
    json_decref (root);
}

//  EXIT_OK when every component of the status document runs, else
//  EXIT_INPUT with the first that does not in not_running.
static int
s_status_code (const char *status_json, char *not_running, size_t size)
{
    json_t *root = json_loads (status_json, 0, NULL);
    size_t i;
    json_t *component;
    int code = EXIT_OK;
    not_running [0] = 0;
    json_array_foreach (json_object_get (root, "components"), i, component) {
        const char *state = json_string_value (json_object_get (component, "state"));
        if (code == EXIT_OK
        &&  (!state || strcmp (state, names_component_states [COMPONENT_RUNNING]) != 0)) {
            snprintf (not_running, size, "%s is %s",
                      json_string_value (json_object_get (component, "name")),
                      state? state: "in no known state");
            code = EXIT_INPUT;
        }
    }
    json_decref (root);
    return code;
}

static int
s_cmd_status (int argc, char **argv)
{
    bool as_json = false;
    int done = s_json_args ("status", s_status_help, argc, argv, &as_json);
    if (done >= 0)
        return done;
    client_reply_t reply;
    int code = cli_target_ask ("status", NULL, 0, CLI_CONNECT_MS, &reply);
    if (code)
        return code;
    if (as_json)
        printf ("%s\n", reply.body);
    else
        s_print_status (reply.body);
    //  As systemctl's: not 0 while a component is not running as wanted.
    char not_running [160];
    code = cli_target_code (&reply)? cli_target_code (&reply)
         : s_status_code (reply.body, not_running, sizeof not_running);
    if (code == EXIT_INPUT && !as_json)
        fprintf (stderr, "readme2ci: not every component is running: %s\n", not_running);
    client_reply_release (&reply);
    return code;
}

static int
s_cmd_result (int argc, char **argv)
{
    bool as_json = false;
    const char *id = NULL;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help (argv [i]))
            return cli_help (s_result_help, "result");
        if (strcmp (argv [i], "--json") == 0)
            as_json = true;
        else
        if (!id && argv [i][0] != '-')
            id = argv [i];
        else
            return cli_fail (EXIT_USAGE, "result: give one workflow id (see --help)");
    }
    if (!id)
        return cli_fail (EXIT_USAGE, "result: give one workflow id (see --help)");
    client_reply_t reply;
    const char *args [1] = { id };
    int code = cli_target_ask ("result", args, 1, CLI_CONNECT_MS, &reply);
    if (code)
        return code;
    code = cli_target_code (&reply);
    if (as_json) {
        json_t *doc = json_pack ("{s:s, s:i, s:s}", "workflow_id", id, "code", code,
                                 code == EXIT_OK? "output": "message",
                                 code == EXIT_OK? reply.body: reply.reply.message);
        char *text = doc? json_dumps (doc, 0): NULL;
        if (text)
            printf ("%s\n", text);
        free (text);
        json_decref (doc);
    }
    if (code == EXIT_OK && !as_json)
        fwrite (reply.body, 1, reply.body_size, stdout);
    else
    if (code)
        cli_fail (code, "%s: %s", id, reply.reply.message);
    //  A fetch that worked is 0; what generate said of the workflow is
    //  said again.
    if (code == EXIT_OK && reply.reply.no_tests)
        fprintf (stderr, "readme2ci: warning: %s: no test command found; the workflow's "
                 "test step fails until one is added\n", id);
    client_reply_release (&reply);
    return code;
}

//  An operation's answer as one JSON document on stdout: what (an object
//  whose ownership this takes, may be NULL), "ok", "code" and "message".
static void
s_print_reply_json (const client_reply_t *reply, int code, json_t *what)
{
    json_t *doc = json_is_object (what)? what: json_object ();
    if (doc != what)
        json_decref (what);
    json_object_set_new (doc, "ok", json_boolean (code == EXIT_OK));
    json_object_set_new (doc, "code", json_integer (code));
    json_object_set_new (doc, "message", json_string (reply->reply.message));
    char *text = json_dumps (doc, 0);
    if (text)
        printf ("%s\n", text);
    free (text);
    json_decref (doc);
}

static int
s_cmd_ctl (int argc, char **argv)
{
    //  --help anywhere only helps: `ctl restart parser --help` must not
    //  restart anything.
    for (int i = 0; i < argc; i++)
        if (cli_is_help (argv [i])) {
            return s_ctl_help ();
        }
    const char *args [3] = { NULL, NULL, NULL };
    size_t count = 0;
    const char *command_arg = NULL;
    bool as_json = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp (argv [i], "--command") == 0) {
            if (i + 1 >= argc || !*argv [i + 1])
                return cli_fail (EXIT_USAGE, "ctl: --command needs the worker executable's "
                               "PATH (see --help)");
            if (count < 2)
                return cli_fail (EXIT_USAGE, "ctl: --command comes after the component");
            command_arg = argv [++i];
        }
        else
        if (strcmp (argv [i], "--json") == 0)
            as_json = true;
        else
        if (argv [i][0] == '-' && argv [i][1] && !(count == 2 && isdigit ((unsigned char) argv [i][1])))
            return cli_fail (EXIT_USAGE, "ctl: unknown option '%s' (see --help)", argv [i]);
        else
        if (count < 3)
            args [count++] = argv [i];
        else
            return cli_fail (EXIT_USAGE, "ctl: too many arguments (see --help)");
    }
    if (count < 2)
        return cli_fail (EXIT_USAGE, "ctl: give an operation and a component (see --help)");
    //  Each operation's own arguments; anything more is a mistake to
    //  report, not to ignore.
    int verb = names_ctl_find (args [0]);
    bool takes_count = verb >= 0 && names_ctl [verb].count;
    if (command_arg && !(verb >= 0 && names_ctl [verb].command))
        return cli_fail (EXIT_USAGE, "ctl %s: --command goes with update only (see --help)",
                       args [0]);
    if (takes_count && count != 3)
        return cli_fail (EXIT_USAGE, "ctl %s %s: give the number of workers, e.g. "
                       "`readme2ci ctl %s %s 2`", args [0], args [1], args [0], args [1]);
    if (!takes_count && count > 2)
        return cli_fail (EXIT_USAGE, "ctl %s %s: unexpected argument '%s' (see --help)",
                       args [0], args [1], args [2]);
    char command [PATH_MAX];
    if (command_arg) {
        if (!realpath (command_arg, command))
            return cli_fail (EXIT_USAGE, "ctl %s %s: --command %s: %s", args [0], args [1],
                           command_arg, strerror (errno));
        struct stat st;
        if (stat (command, &st) || !S_ISREG (st.st_mode) || access (command, X_OK))
            return cli_fail (EXIT_USAGE, "ctl %s %s: --command %s: not an executable file",
                           args [0], args [1], command_arg);
        args [2] = command;
        count = 3;
    }
    cli_target_t target;
    int code = cli_target_open (&target);
    if (code)
        return code;
    client_reply_t reply;
    //  Rolling operations answer when they end: a worker may take its
    //  whole start timeout before it is ready.
    code = cli_target_request (&target, "ctl", args, count, 300000, &reply);
    cli_target_close (&target);
    if (code)
        return cli_fail (code, "ctl %s %s: %s", args [0], args [1], code == EXIT_REFUSED
                       ? "the supervisor refused this client" : "no answer; see "
                       "`readme2ci status` for what was done");
    code = cli_target_code (&reply);
    if (as_json)
        s_print_reply_json (&reply, code, json_pack ("{s:s, s:s, s:s?}", "operation", args [0],
                                                     "component", args [1], "argument",
                                                     count > 2? args [2]: NULL));
    if (code == EXIT_OK && !as_json)
        printf ("readme2ci: %s\n", reply.reply.message);
    else
    if (code)
        cli_fail (code, "ctl %s %s: %s", args [0], args [1], reply.reply.message);
    client_reply_release (&reply);
    return code;
}

static const char *const s_reload_help =
    "usage: readme2ci reload [--json]\n"
    "\n"
    "Makes the running supervisor read its config file again (as SIGHUP does).\n"
    "The file is checked whole: an invalid one changes nothing and the error\n"
    "names the file, line and column. Worker counts and commands (as a\n"
    "rolling update) the file changes, heartbeat, breaker, retry, stop, queue,\n"
    "journal.retention, log level and format, and rules apply at once; a\n"
    "count or command the file keeps leaves `ctl scale`/`ctl update` alone.\n"
    "Endpoints, keys, folders, metrics, restart policies, the journal's other\n"
    "settings and log.file are reported as needing a restart.\n"
    "\n"
    "  --json     print the report (changed, applied, needs_restart) as JSON\n"
    "\n"
    "examples:\n"
    "  $EDITOR /etc/readme2ci.yml && readme2ci reload\n"
    "  readme2ci reload --json | jq .needs_restart\n";

static int
s_cmd_reload (int argc, char **argv)
{
    bool as_json = false;
    int done = s_json_args ("reload", s_reload_help, argc, argv, &as_json);
    if (done >= 0)
        return done;
    client_reply_t reply;
    int code = cli_target_ask ("reload", NULL, 0, 30000, &reply);
    if (code)
        return code;
    code = cli_target_code (&reply);
    json_t *report = json_loads (reply.body, 0, NULL);
    if (as_json)
        s_print_reply_json (&reply, code, json_incref (report));
    if (code) {
        cli_fail (code, "reload: %s", reply.reply.message);
        json_decref (report);
        client_reply_release (&reply);
        return code;
    }
    if (as_json) {
        json_decref (report);
        client_reply_release (&reply);
        return EXIT_OK;
    }
    printf ("readme2ci: %s\n", reply.reply.message);
    size_t i;
    json_t *entry;
    json_array_foreach (json_object_get (report, "changed"), i, entry)
        printf ("  changed: %s: %s -> %s\n", json_string_value (json_object_get (entry, "key")),
                json_string_value (json_object_get (entry, "old")),
                json_string_value (json_object_get (entry, "new")));
    json_array_foreach (json_object_get (report, "applied"), i, entry)
        printf ("  applied: %s\n", json_string_value (entry));
    json_array_foreach (json_object_get (report, "needs_restart"), i, entry)
        printf ("  needs a restart: %s: %s -> %s (the old value stays in force)\n",
                json_string_value (json_object_get (entry, "key")),
                json_string_value (json_object_get (entry, "old")),
                json_string_value (json_object_get (entry, "new")));
    json_decref (report);
    client_reply_release (&reply);
    return EXIT_OK;
}

static const char *const s_keys_help =
    "usage: readme2ci keys new NAME [--expires DURATION]\n"
    "\n"
    "Writes a CURVE key pair for tcp endpoints, in czmq's certificate format:\n"
    "NAME (the public certificate, to copy into the supervisor's authorised\n"
    "folder) and NAME_secret (mode 0600, stays with its owner). NAME may be a\n"
    "path; the folders it names are made (mode 0700). Existing files are never\n"
    "overwritten.\n"
    "\n"
    "  --expires DURATION  the supervisor refuses the key after this long\n"
    "                      (e.g. 90d; recorded as 'expires' in both files)\n"
    "\n"
    "examples:\n"
    "  readme2ci keys new keys/supervisor\n"
    "  readme2ci keys new keys/workers/host-b --expires 90d\n";

static int
s_cmd_keys (int argc, char **argv)
{
    //  --help anywhere only helps: `keys new --help` writes no key files
    //  called --help.
    for (int i = 0; i < argc; i++)
        if (cli_is_help (argv [i]))
            return cli_help (s_keys_help, "keys");
    int64_t lifetime_ms = 0;
    if (argc == 4 && strcmp (argv [2], "--expires") == 0
    &&  (duration_parse (argv [3], &lifetime_ms) || lifetime_ms < 1000))
        return cli_fail (EXIT_USAGE, "keys: --expires '%s' is not a duration of 1s or more "
                       "(e.g. 90d, 12h)", argv [3]);
    if ((argc != 2 && !(argc == 4 && strcmp (argv [2], "--expires") == 0))
    ||  strcmp (argv [0], "new") != 0 || argv [1][0] == '-')
        return cli_fail (EXIT_USAGE, "keys: usage: readme2ci keys new NAME [--expires DURATION]");
    //  `keys new keys/workers/host-b` on a fresh host: make the folders
    //  (private: they hold secret keys).
    char parent [PATH_MAX];
    util_copy (parent, sizeof parent, argv [1]);
    char *slash = strrchr (parent, '/');
    if (slash && slash != parent && slash [1]) {
        *slash = 0;
        if (util_mkdirs (parent, 0700))
            return cli_fail (EXIT_INPUT, "cannot create %s for %s: %s", parent, argv [1],
                           strerror (errno));
    }
    char err [512];
    if (keys_new_expiring (NULL, argv [1], lifetime_ms / 1000, err, sizeof err))
        return cli_fail (EXIT_INPUT, "%s", err);
    printf ("readme2ci: wrote %s (public) and %s_secret (secret)\n", argv [1], argv [1]);
    return EXIT_OK;
}

static int
s_cmd_health (int argc, char **argv)
{
    bool as_json = false;
    int done = s_json_args ("health", s_health_help, argc, argv, &as_json);
    if (done >= 0)
        return done;
    //  No supervisor answers: down, as documented. One that answers
    //  and refuses this client is not absent: that is said (exit 6).
    cli_target_t target;
    int code = cli_target_open (&target);
    client_reply_t reply;
    if (code == EXIT_OK)
        code = cli_target_request (&target, "health", NULL, 0, CLI_CONNECT_MS, &reply);
    cli_target_close (&target);
    if (code) {
        const char *why = code == EXIT_REFUSED? "the supervisor refused this client"
                                              : "no supervisor answers";
        const char *state = code == EXIT_REFUSED? "unknown": "down";
        if (as_json)
            printf ("{\"state\": \"%s\", \"reasons\": [\"%s\"]}\n", state, why);
        else
            printf ("%s: %s\n", state, why);
        return code == EXIT_REFUSED? EXIT_REFUSED: 2;
    }
    code = cli_target_code (&reply);
    if (as_json)
        printf ("%s\n", reply.body);
    else {
        json_t *root = json_loads (reply.body, 0, NULL);
        bool colour = term_colour (STDOUT_FILENO);
        printf ("%s%s%s", term_sgr (colour, code == 0? TERM_GREEN: code == 1? TERM_YELLOW
                                    : TERM_RED),
                json_string_value (json_object_get (root, "state")),
                term_sgr (colour, TERM_PLAIN));
        size_t i;
        json_t *reason;
        json_array_foreach (json_object_get (root, "reasons"), i, reason)
            printf ("%s%s", i? "; ": ": ", json_string_value (reason));
        printf ("\n");
        json_decref (root);
    }
    client_reply_release (&reply);
    return code;
}

int
cli_main (int argc, char **argv)
{
    zsys_handler_set (NULL);
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    sigaction (SIGPIPE, &ignore, NULL);
    if (argc >= 3 && strcmp (argv [1], "help") == 0) {
        //  `readme2ci help COMMAND` is `readme2ci COMMAND --help`.
        if (strcmp (argv [2], "exit-status") == 0) {
            cli_exit_print (stdout, NULL);
            return EXIT_OK;
        }
        char *args [] = { argv [0], argv [2], "--help", NULL };
        return cli_main (3, args);
    }
    if (argc < 2 || cli_is_help (argv [1]) || strcmp (argv [1], "help") == 0) {
        fputs (s_usage_text, argc < 2? stderr: stdout);
        return argc < 2? EXIT_USAGE: EXIT_OK;
    }
    if (strcmp (argv [1], "--version") == 0 || strcmp (argv [1], "version") == 0) {
        printf ("readme2ci %s\n", R2CI_VERSION);
        return EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*run) (int argc, char **argv);
    } commands [] = {
        { "generate", s_cmd_generate }, { "check", cli_check }, { "up", s_cmd_up }, { "down", s_cmd_down },
        { "status", s_cmd_status }, { "result", s_cmd_result }, { "ctl", s_cmd_ctl },
        { "health", s_cmd_health }, { "keys", s_cmd_keys },
        { "events", cli_events }, { "journal", cli_journal }, { "maintain", cli_maintain },
        { "top", cli_top }, { "reload", s_cmd_reload }, { "config", cli_config },
        { "logs", cli_logs },
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands [0]; i++)
        if (strcmp (argv [1], commands [i].name) == 0)
            return commands [i].run (argc - 2, argv + 2);
    return cli_fail (EXIT_USAGE, "unknown command '%s' (see readme2ci --help)", argv [1]);
}
