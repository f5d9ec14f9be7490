/*  tests/test_metrics.c - readme2ci's metric families, and the /metrics
    endpoint scraped with the curl command line while a zloop serves it.  */
#include "supervisor/metrics.h"

#include "tests/support/testutil.h"

#include <czmq.h>
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define CURL "/usr/bin/curl"
#define SCRAPE_DEADLINE_MS 15000

//  --------------------------------------------------------------------
//  The families

static prom_t *
s_readme2ci_registry (void)
{
    prom_t *reg = prom_new ();
    cr_assert_not_null (reg);
    cr_assert_eq (metrics_register (reg), 0, "metrics_register: %s", strerror (errno));
    return reg;
}

//  Every line is a HELP or TYPE comment or a sample "name{labels} value",
//  as the text format 0.0.4 has them.
static void
s_expect_exposition (const char *text)
{
    regex_t comment, sample;
    cr_assert_eq (regcomp (&comment,
        "^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* "
        "(counter|gauge|histogram|summary|untyped))$", REG_EXTENDED | REG_NOSUB), 0);
    cr_assert_eq (regcomp (&sample,
        "^[a-zA-Z_:][a-zA-Z0-9_:]*"
        "(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\""
        "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\")*\\})?"
        " (-?[0-9.]+(e[-+][0-9]+)?|[-+]Inf|NaN)$", REG_EXTENDED | REG_NOSUB), 0);
    char *copy = strdup (text);
    size_t lines = 0;
    for (char *save = NULL, *line = strtok_r (copy, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save), lines++)
        cr_expect (regexec (&comment, line, 0, NULL, 0) == 0
                || regexec (&sample, line, 0, NULL, 0) == 0, "not 0.0.4: '%s'", line);
    cr_expect_gt (lines, 0);
    cr_expect_eq (text [strlen (text) - 1], '\n');
    free (copy);
    regfree (&comment);
    regfree (&sample);
}

Test (metrics, families_are_registered_with_known_series_at_zero)
{
    prom_t *reg = s_readme2ci_registry ();
    char *text = prom_render (reg, NULL);
    cr_assert_not_null (text);
    s_expect_exposition (text);
    const char *expected [] = {
        "# TYPE readme2ci_workflows_total counter\n",
        "\nreadme2ci_workflows_total{outcome=\"completed\",priority=\"normal\"} 0\n",
        "\nreadme2ci_workflows_total{outcome=\"shed\",priority=\"low\"} 0\n",
        "\nreadme2ci_workflows_total{outcome=\"timed_out\",priority=\"critical\"} 0\n",
        "# TYPE readme2ci_queue_depth gauge\n",
        "\nreadme2ci_queue_depth{priority=\"high\"} 0\n",
        "# TYPE readme2ci_step_duration_seconds histogram\n",
        "\nreadme2ci_step_duration_seconds_bucket{component=\"parser\",le=\"0.0001\"} 0\n",
        "\nreadme2ci_step_duration_seconds_bucket{component=\"generator\",le=\"10\"} 0\n",
        "\nreadme2ci_step_duration_seconds_bucket{component=\"detector\",le=\"+Inf\"} 0\n",
        "\nreadme2ci_step_duration_seconds_count{component=\"detector\"} 0\n",
        "# TYPE readme2ci_worker_restarts_total counter\n",
        "\nreadme2ci_worker_restarts_total{component=\"detector\"} 0\n",
        "# TYPE readme2ci_breaker_state gauge\n",
        "\nreadme2ci_breaker_state{component=\"generator\"} 0\n",
        "# TYPE readme2ci_workers gauge\n",
        "\nreadme2ci_workers{component=\"parser\",state=\"ready\"} 0\n",
        "# TYPE readme2ci_journal_bytes_total counter\n",
        "\nreadme2ci_journal_bytes_total 0\n",
        "# TYPE readme2ci_journal_fsync_seconds histogram\n",
        "\nreadme2ci_journal_fsync_seconds_bucket{le=\"1e-05\"} 0\n",
        "\nreadme2ci_journal_fsync_seconds_bucket{le=\"1\"} 0\n",
        "\nreadme2ci_journal_fsync_seconds_sum 0\n",
        "# TYPE readme2ci_up gauge\n",
        "\nreadme2ci_up 0\n",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected [0]; i++)
        cr_expect_not_null (strstr (text, expected [i]), "missing '%s'", expected [i]);
    free (text);

    //  4 outcomes x 4 priorities, made up front.
    double value;
    const char *outcomes [] = { "completed", "failed", "timed_out", "shed" };
    const char *levels [] = { "critical", "high", "normal", "low" };
    for (int o = 0; o < 4; o++)
        for (int p = 0; p < 4; p++)
            cr_expect_eq (prom_value (reg, METRICS_WORKFLOWS,
                                      PROM_LABELS (outcomes [o], levels [p]), &value), 0);

    //  The names in the header are the ones registered, with their types.
    cr_expect_eq (prom_counter_add (reg, METRICS_WORKFLOWS, PROM_LABELS ("failed", "high"), 1), 0);
    cr_expect_eq (prom_gauge_set (reg, METRICS_QUEUE_DEPTH, PROM_LABELS ("low"), 3), 0);
    cr_expect_eq (prom_histogram_observe (reg, METRICS_STEP_SECONDS, PROM_LABELS ("parser"),
                                          0.003), 0);
    cr_expect_eq (prom_counter_add (reg, METRICS_WORKER_RESTARTS, PROM_LABELS ("parser"), 1), 0);
    cr_expect_eq (prom_gauge_set (reg, METRICS_BREAKER_STATE, PROM_LABELS ("parser"),
                                  METRICS_BREAKER_OPEN), 0);
    cr_expect_eq (prom_gauge_set (reg, METRICS_WORKERS, PROM_LABELS ("parser", "ready"), 2), 0);
    cr_expect_eq (prom_counter_add (reg, METRICS_JOURNAL_BYTES, NULL, 4096), 0);
    cr_expect_eq (prom_histogram_observe (reg, METRICS_JOURNAL_FSYNC, NULL, 0.0002), 0);
    cr_expect_eq (prom_gauge_set (reg, METRICS_UP, NULL, 1), 0);
    text = prom_render (reg, NULL);
    s_expect_exposition (text);
    //  0.003 s is above the 0.0025 bound and within 0.005.
    cr_expect_not_null (strstr (text,
        "readme2ci_step_duration_seconds_bucket{component=\"parser\",le=\"0.0025\"} 0\n"
        "readme2ci_step_duration_seconds_bucket{component=\"parser\",le=\"0.005\"} 1\n"));
    cr_expect_not_null (strstr (text, "\nreadme2ci_breaker_state{component=\"parser\"} 2\n"));
    cr_expect_not_null (strstr (text, "\nreadme2ci_up 1\n"));
    free (text);

    errno = 0;
    cr_expect_eq (metrics_register (reg), -1);
    cr_expect_eq (errno, EEXIST);
    prom_destroy (&reg);
}

//  --------------------------------------------------------------------
//  Scraping with curl while a zloop serves

typedef struct {
    pid_t pid;
    char out [PATH_MAX];        //  curl's -w output and errors
    char head [PATH_MAX];       //  response headers
    char body [PATH_MAX];
    int code;                   //  HTTP status, 0 when curl got none
    char *headers;
    char *text;
    size_t text_size;
} scrape_t;

typedef struct {
    scrape_t *scrapes;
    size_t count;
    long long deadline_ms;
} watch_t;

static void
s_scrape_start (scrape_t *scrape, const char *dir, int index, uint16_t port,
                const char *method, const char *path)
{
    if (access (CURL, X_OK))
        cr_skip_test ("%s is not installed", CURL);
    memset (scrape, 0, sizeof *scrape);
    snprintf (scrape->out, sizeof scrape->out, "%s/out%d", dir, index);
    snprintf (scrape->head, sizeof scrape->head, "%s/head%d", dir, index);
    snprintf (scrape->body, sizeof scrape->body, "%s/body%d", dir, index);
    char url [128];
    snprintf (url, sizeof url, "http://127.0.0.1:%u%s", (unsigned) port, path);
    char *argv [16];
    size_t n = 0;
    argv [n++] = CURL;
    argv [n++] = "-sS";
    argv [n++] = "--noproxy";
    argv [n++] = "*";
    argv [n++] = "--max-time";
    argv [n++] = "10";
    argv [n++] = "-o";
    argv [n++] = scrape->body;
    argv [n++] = "-D";
    argv [n++] = scrape->head;
    argv [n++] = "-w";
    argv [n++] = "\nCODE=%{http_code}\n";
    if (strcmp (method, "HEAD") == 0)
        argv [n++] = "-I";
    else
    if (strcmp (method, "GET") != 0) {
        argv [n++] = "-X";
        argv [n++] = (char *) method;
    }
    argv [n++] = url;
    argv [n] = NULL;
    scrape->pid = tu_spawn (argv, NULL, scrape->out);
    cr_assert_gt (scrape->pid, 0);
}

//  Ends the loop once every curl has exited (or the deadline passed).
static int
s_on_watch (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    watch_t *watch = arg;
    if (tu_now_ms () > watch->deadline_ms)
        return -1;
    for (size_t i = 0; i < watch->count; i++)
        if (tu_alive (watch->scrapes [i].pid))
            return 0;
    return -1;
}

//  Serves from a zloop until the scrapes are done, then reads what curl got.
static void
s_serve_until_done (metrics_t *metrics, scrape_t *scrapes, size_t count)
{
    zloop_t *loop = zloop_new ();
    cr_assert_eq (metrics_attach (metrics, loop), 0);
    watch_t watch = { scrapes, count, tu_now_ms () + SCRAPE_DEADLINE_MS };
    zloop_timer (loop, 5, 0, s_on_watch, &watch);
    zloop_start (loop);
    metrics_destroy (&metrics);     //  before its loop, as the header asks
    zloop_destroy (&loop);
    for (size_t i = 0; i < count; i++) {
        scrape_t *scrape = &scrapes [i];
        cr_assert_eq (tu_wait (scrape->pid, 1000), 0, "curl failed or hung");
        char *out = tu_read (scrape->out, NULL);
        cr_assert_not_null (out);
        char *code = strstr (out, "CODE=");
        cr_assert_not_null (code, "curl said: %s", out);
        scrape->code = (int) strtol (code + 5, NULL, 10);
        free (out);
        scrape->headers = tu_read (scrape->head, NULL);
        scrape->text = tu_read (scrape->body, &scrape->text_size);
        if (!scrape->headers)
            scrape->headers = strdup ("");
        if (!scrape->text)
            scrape->text = strdup ("");
    }
}

static void
s_scrape_release (scrape_t *scrape)
{
    free (scrape->headers);
    free (scrape->text);
    scrape->headers = scrape->text = NULL;
}

//  The value of a response header, copied into buf, or NULL.
static const char *
s_header (const scrape_t *scrape, const char *name, char *buf, size_t size)
{
    size_t length = strlen (name);
    for (const char *line = scrape->headers; line && *line; ) {
        const char *end = strchr (line, '\n');
        if (!end)
            end = line + strlen (line);
        if (strncasecmp (line, name, length) == 0 && line [length] == ':') {
            const char *value = line + length + 1;
            while (*value == ' ')
                value++;
            size_t n = (size_t) (end - value);
            while (n && (value [n - 1] == '\r' || value [n - 1] == ' '))
                n--;
            if (n >= size)
                n = size - 1;
            memcpy (buf, value, n);
            buf [n] = 0;
            return buf;
        }
        line = *end? end + 1: end;
    }
    return NULL;
}

//  A refresh callback: counts its calls into the high queue depth.
static void
s_refresh (prom_t *registry, void *arg)
{
    int *calls = arg;
    (*calls)++;
    prom_gauge_set (registry, METRICS_QUEUE_DEPTH, PROM_LABELS ("high"), *calls);
}

Test (metrics, get_metrics_serves_the_registry_as_text_0_0_4)
{
    char *dir = tu_tmpdir ();
    prom_t *reg = s_readme2ci_registry ();
    prom_gauge_set (reg, METRICS_UP, NULL, 1);
    prom_counter_add (reg, METRICS_WORKFLOWS, PROM_LABELS ("completed", "normal"), 5);
    metrics_t *metrics = metrics_new (reg, "127.0.0.1:0");
    cr_assert_not_null (metrics, "metrics_new: %s", strerror (errno));
    uint16_t port = metrics_port (metrics);
    cr_assert_gt (port, 0);
    int calls = 0;
    metrics_set_refresh (metrics, s_refresh, &calls);

    scrape_t scrape;
    s_scrape_start (&scrape, dir, 0, port, "GET", "/metrics");
    s_serve_until_done (metrics, &scrape, 1);
    cr_expect_eq (scrape.code, 200);
    char type [128];
    cr_assert_not_null (s_header (&scrape, "Content-Type", type, sizeof type));
    cr_expect_str_eq (type, "text/plain; version=0.0.4; charset=utf-8");
    cr_expect_eq (calls, 1);
    //  What curl got is exactly the registry as refreshed for the scrape.
    size_t size;
    char *expected = prom_render (reg, &size);
    cr_expect_eq (scrape.text_size, size);
    cr_expect_str_eq (scrape.text, expected);
    cr_expect_not_null (strstr (scrape.text, "\nreadme2ci_queue_depth{priority=\"high\"} 1\n"));
    cr_expect_not_null (strstr (scrape.text,
        "\nreadme2ci_workflows_total{outcome=\"completed\",priority=\"normal\"} 5\n"));
    cr_expect_not_null (strstr (scrape.text, "\nreadme2ci_up 1\n"));
    s_expect_exposition (scrape.text);
    free (expected);
    s_scrape_release (&scrape);
    prom_destroy (&reg);
    tu_rmtree (dir);
    free (dir);
}

Test (metrics, other_paths_are_404_and_other_methods_405)
{
    char *dir = tu_tmpdir ();
    prom_t *reg = s_readme2ci_registry ();
    metrics_t *metrics = metrics_new (reg, "127.0.0.1:0");
    cr_assert_not_null (metrics);
    uint16_t port = metrics_port (metrics);
    int calls = 0;
    metrics_set_refresh (metrics, s_refresh, &calls);
    scrape_t scrapes [6];
    s_scrape_start (&scrapes [0], dir, 0, port, "GET", "/");
    s_scrape_start (&scrapes [1], dir, 1, port, "GET", "/metricsx");
    s_scrape_start (&scrapes [2], dir, 2, port, "GET", "/metrics/");
    s_scrape_start (&scrapes [3], dir, 3, port, "POST", "/metrics");
    s_scrape_start (&scrapes [4], dir, 4, port, "DELETE", "/metrics");
    s_scrape_start (&scrapes [5], dir, 5, port, "HEAD", "/metrics");
    s_serve_until_done (metrics, scrapes, 6);
    for (int i = 0; i < 3; i++)
        cr_expect_eq (scrapes [i].code, 404, "scrape %d: %d", i, scrapes [i].code);
    char allow [64];
    for (int i = 3; i < 5; i++) {
        cr_expect_eq (scrapes [i].code, 405, "scrape %d: %d", i, scrapes [i].code);
        cr_expect_not_null (s_header (&scrapes [i], "Allow", allow, sizeof allow));
        cr_expect_str_eq (allow, "GET, HEAD");
    }
    //  HEAD: the headers of a scrape, no body (curl -I writes the
    //  headers where the body would go).
    cr_expect_eq (scrapes [5].code, 200);
    char type [128];
    cr_expect_not_null (s_header (&scrapes [5], "Content-Type", type, sizeof type));
    cr_expect_str_eq (type, PROM_CONTENT_TYPE);
    cr_expect_null (strstr (scrapes [5].text, "# HELP"));
    //  Only the HEAD of /metrics rendered the registry.
    cr_expect_eq (calls, 1);
    for (int i = 0; i < 6; i++)
        s_scrape_release (&scrapes [i]);
    prom_destroy (&reg);
    tu_rmtree (dir);
    free (dir);
}

//  A registry far larger than a socket buffer, scraped by several clients
//  at once: the response has to go out over many writable events.
Test (metrics, large_registry_to_concurrent_clients)
{
    char *dir = tu_tmpdir ();
    prom_t *reg = prom_new ();
    const char *labels [] = { "id", "note" };
    const double buckets [] = { 0.001, 0.01, 0.1, 1, 10 };
    cr_assert_eq (prom_register (reg, "big_seconds", PROM_HISTOGRAM,
                                 "A big histogram.", labels, 2, buckets, 5), 0);
    char id [32];
    for (int i = 0; i < PROM_SERIES_MAX; i++) {
        snprintf (id, sizeof id, "series-%04d", i);
        cr_assert_eq (prom_histogram_observe (reg, "big_seconds",
                      PROM_LABELS (id, "a fairly long label value to make the text larger, "
                                  "so that the whole exposition is well over a megabyte "
                                  "and far beyond what one write to a socket takes"),
                      i / 100.0), 0);
    }
    size_t size;
    char *expected = prom_render (reg, &size);
    cr_assert_gt (size, 1000000, "only %zu bytes", size);
    metrics_t *metrics = metrics_new (reg, "127.0.0.1:0");
    cr_assert_not_null (metrics);
    enum { CLIENTS = 6 };
    scrape_t scrapes [CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        s_scrape_start (&scrapes [i], dir, i, metrics_port (metrics), "GET", "/metrics");
    s_serve_until_done (metrics, scrapes, CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
        cr_expect_eq (scrapes [i].code, 200);
        cr_expect_eq (scrapes [i].text_size, size, "client %d got %zu of %zu bytes",
                      i, scrapes [i].text_size, size);
        cr_expect (scrapes [i].text_size == size
                && memcmp (scrapes [i].text, expected, size) == 0);
        s_scrape_release (&scrapes [i]);
    }
    free (expected);
    prom_destroy (&reg);
    tu_rmtree (dir);
    free (dir);
}

//  --------------------------------------------------------------------
//  Addresses, binding and descriptors

Test (metrics, malformed_addresses_are_refused)
{
    prom_t *reg = s_readme2ci_registry ();
    const char *bad [] = {
        "", "9464", "127.0.0.1", "127.0.0.1:", ":9464", "127.0.0.1:65536",
        "127.0.0.1:123456", "127.0.0.1:9x", "127.0.0.1:-1", "::1:9464", "[]:9464",
        "[::1:9464", "::1]:9464",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        errno = 0;
        metrics_t *metrics = metrics_new (reg, bad [i]);
        cr_expect_null (metrics, "'%s' was accepted", bad [i]);
        cr_expect_eq (errno, EINVAL, "'%s': %s", bad [i], strerror (errno));
        metrics_destroy (&metrics);
    }
    errno = 0;
    cr_expect_null (metrics_new (reg, NULL));
    cr_expect_eq (errno, EINVAL);
    prom_destroy (&reg);
}

static bool
s_can_connect (uint16_t port)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    bool connected = connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
    close (fd);
    return connected;
}

Test (metrics, binds_where_asked_and_releases_the_port)
{
    prom_t *reg = s_readme2ci_registry ();
    metrics_t *first = metrics_new (reg, "127.0.0.1:0");
    cr_assert_not_null (first);
    uint16_t port = metrics_port (first);
    cr_expect (s_can_connect (port));

    //  The same port twice: the second gets the bind error.
    char address [64];
    snprintf (address, sizeof address, "127.0.0.1:%u", (unsigned) port);
    errno = 0;
    cr_expect_null (metrics_new (reg, address));
    cr_expect_eq (errno, EADDRINUSE, "%s", strerror (errno));

    metrics_destroy (&first);
    cr_expect_null (first);
    metrics_destroy (&first);       //  NULL is fine
    cr_expect_not (s_can_connect (port), "port %u still open after destroy", port);
    //  Free again: a new endpoint can take it.
    metrics_t *again = metrics_new (reg, address);
    cr_expect_not_null (again, "%s: %s", address, strerror (errno));
    metrics_destroy (&again);

    //  A host name (where the machine can resolve one: a bare chroot may
    //  have no /etc/hosts), and every interface.
    struct addrinfo *found = NULL;
    if (getaddrinfo ("localhost", NULL, NULL, &found) == 0) {
        freeaddrinfo (found);
        metrics_t *named = metrics_new (reg, "localhost:0");
        cr_expect_not_null (named, "localhost: %s", strerror (errno));
        metrics_destroy (&named);
    }
    metrics_t *any = metrics_new (reg, "*:0");
    cr_expect_not_null (any, "*: %s", strerror (errno));
    if (any)
        cr_expect (s_can_connect (metrics_port (any)));
    metrics_destroy (&any);
    prom_destroy (&reg);
}

Test (metrics, ipv6_literal_in_brackets)
{
    prom_t *reg = s_readme2ci_registry ();
    errno = 0;
    metrics_t *metrics = metrics_new (reg, "[::1]:0");
    if (!metrics && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
        prom_destroy (&reg);
        cr_skip_test ("no IPv6 loopback here");
    }
    cr_assert_not_null (metrics, "[::1]: %s", strerror (errno));
    cr_expect_gt (metrics_port (metrics), 0);
    metrics_destroy (&metrics);
    prom_destroy (&reg);
}

//  The open descriptors of this process, as a bitmap over 0..1023.
static void
s_open_fds (bool open [1024])
{
    memset (open, 0, 1024 * sizeof (bool));
    DIR *dir = opendir ("/proc/self/fd");
    cr_assert_not_null (dir);
    for (struct dirent *entry = readdir (dir); entry; entry = readdir (dir)) {
        long fd = strtol (entry->d_name, NULL, 10);
        if (entry->d_name [0] != '.' && fd >= 0 && fd < 1024 && fd != dirfd (dir))
            open [fd] = true;
    }
    closedir (dir);
}

Test (metrics, descriptors_are_close_on_exec_and_attach_is_once)
{
    prom_t *reg = s_readme2ci_registry ();
    bool before [1024], after [1024];
    s_open_fds (before);
    metrics_t *metrics = metrics_new (reg, "127.0.0.1:0");
    cr_assert_not_null (metrics);
    s_open_fds (after);
    int opened = 0;
    for (int fd = 0; fd < 1024; fd++)
        if (after [fd] && !before [fd]) {
            opened++;
            cr_expect (fcntl (fd, F_GETFD) & FD_CLOEXEC, "fd %d is inherited by children", fd);
        }
    cr_expect_geq (opened, 2, "expected a listening socket and an epoll fd");
    cr_expect (after [metrics_fd (metrics)]);
    //  Nothing to do yet: no deadline, and a run is a no-op.
    cr_expect_eq (metrics_timeout_ms (metrics), -1);
    cr_expect_eq (metrics_run (metrics), 0);
    cr_expect_eq (metrics_scrapes (metrics), 0);

    //  An idle client: once accepted, libmicrohttpd has a deadline for it
    //  (the 10 s connection timeout), which the zloop timer follows.
    int client = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (metrics_port (metrics)) };
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    cr_assert_eq (connect (client, (struct sockaddr *) &addr, sizeof addr), 0);
    zmq_pollitem_t item = { NULL, metrics_fd (metrics), ZMQ_POLLIN, 0 };
    cr_assert_eq (zmq_poll (&item, 1, 5000), 1, "the epoll fd never woke up");
    cr_expect_eq (metrics_run (metrics), 0);
    int64_t timeout = metrics_timeout_ms (metrics);
    cr_expect (timeout > 0 && timeout <= 10000, "timeout %lld", (long long) timeout);
    close (client);

    zloop_t *loop = zloop_new ();
    cr_expect_eq (metrics_attach (metrics, loop), 0);
    errno = 0;
    cr_expect_eq (metrics_attach (metrics, loop), -1);
    cr_expect_eq (errno, EBUSY);
    metrics_destroy (&metrics);
    zloop_destroy (&loop);
    prom_destroy (&reg);
}
