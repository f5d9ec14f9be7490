/*  Tests for proto/report: round trip, truncation, wrong types, trailing
    bytes and bounds.  */
#include "proto/report.h"
#include "proto/mp.h"

#include "tests/support/codec_check.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *s_ports [] = { "5432:5432" };
static char *s_env [] = { "POSTGRES_PASSWORD=postgres", "POSTGRES_DB=test" };

//  A report shaped like what the detector gives for a small project.
static report_t
s_sample (void)
{
    static report_value_t versions [] = {
        { "python", "3.10", "pyproject.toml:5 requires-python" },
        { "python", "3.14", "pyproject.toml:5 requires-python" },
    };
    static report_value_t settings [] = {
        { "cache", "pip", "requirements.txt" },
    };
    static report_step_t steps [] = {
        { CMD_SYSTEM, "", "sudo apt-get update", "README.md:12 (Development)" },
        { CMD_INSTALL, "", "python -m pip install -e '.[test]'", "pyproject.toml:9" },
        { CMD_TEST, "Run tests", "pytest", "pyproject.toml:20 tool.pytest" },
    };
    static report_service_t services [] = {
        { "postgres", "postgres:16", s_ports, 1, s_env, 2,
          "pg_isready", "pyproject.toml:8 dependencies psycopg" },
    };
    static report_job_t jobs [] = {
        { "python", "python", "", "pip", "pyproject.toml", "",
          versions, 2, settings, 1, steps, 3, services, 1 },
        { "node", "node", "typescript", "npm", "package-lock.json", "web",
          NULL, 0, NULL, 0, NULL, 0, NULL, 0 },
    };
    static report_value_t notes [] = {
        { "conflict", "README says tox, tox.ini absent", "README.md:40" },
    };
    return (report_t) { "frob", true, jobs, 2, notes, 1 };
}

static void
s_assert_values_eq (const report_value_t *a, const report_value_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq (a [i].key, b [i].key);
        cr_assert_str_eq (a [i].value, b [i].value);
        cr_assert_str_eq (a [i].source, b [i].source);
    }
}

static void
s_assert_report_eq (const report_t *a, const report_t *b)
{
    cr_assert_str_eq (a->project, b->project);
    cr_assert_eq (a->degraded, b->degraded);
    cr_assert_eq (a->jobs_count, b->jobs_count);
    for (size_t j = 0; j < a->jobs_count; j++) {
        const report_job_t *x = &a->jobs [j], *y = &b->jobs [j];
        cr_assert_str_eq (x->id, y->id);
        cr_assert_str_eq (x->ecosystem, y->ecosystem);
        cr_assert_str_eq (x->language, y->language);
        cr_assert_str_eq (x->tool, y->tool);
        cr_assert_str_eq (x->tool_source, y->tool_source);
        cr_assert_str_eq (x->dir, y->dir);
        cr_assert_eq (x->versions_count, y->versions_count);
        s_assert_values_eq (x->versions, y->versions, x->versions_count);
        cr_assert_eq (x->settings_count, y->settings_count);
        s_assert_values_eq (x->settings, y->settings, x->settings_count);
        cr_assert_eq (x->steps_count, y->steps_count);
        for (size_t i = 0; i < x->steps_count; i++) {
            cr_assert_eq (x->steps [i].kind, y->steps [i].kind);
            cr_assert_str_eq (x->steps [i].name, y->steps [i].name);
            cr_assert_str_eq (x->steps [i].run, y->steps [i].run);
            cr_assert_str_eq (x->steps [i].source, y->steps [i].source);
        }
        cr_assert_eq (x->services_count, y->services_count);
        for (size_t i = 0; i < x->services_count; i++) {
            const report_service_t *s = &x->services [i], *t = &y->services [i];
            cr_assert_str_eq (s->name, t->name);
            cr_assert_str_eq (s->image, t->image);
            cr_assert_eq (s->ports_count, t->ports_count);
            for (size_t k = 0; k < s->ports_count; k++)
                cr_assert_str_eq (s->ports [k], t->ports [k]);
            cr_assert_eq (s->env_count, t->env_count);
            for (size_t k = 0; k < s->env_count; k++)
                cr_assert_str_eq (s->env [k], t->env [k]);
            cr_assert_str_eq (s->health, t->health);
            cr_assert_str_eq (s->source, t->source);
        }
    }
    cr_assert_eq (a->notes_count, b->notes_count);
    s_assert_values_eq (a->notes, b->notes, a->notes_count);
}

static bool
s_empty (const report_t *r)
{
    return !r->project && !r->degraded && !r->jobs && !r->jobs_count
        && !r->notes && !r->notes_count;
}

Test (report, round_trip)
{
    report_t in = s_sample ();
    uint8_t *buf; size_t size;
    cr_assert_eq (report_encode (&in, &buf, &size), 0);
    report_t out;
    cr_assert_eq (report_decode (&out, buf, size), 0);
    s_assert_report_eq (&in, &out);
    report_release (&out);
    cr_assert (s_empty (&out));
    report_release (&out);          //  twice is harmless
    free (buf);
}

Test (report, empty_report_round_trips_and_nulls_read_as_empty)
{
    report_t in = { 0 };
    uint8_t *buf; size_t size;
    cr_assert_eq (report_encode (&in, &buf, &size), 0);
    report_t out;
    cr_assert_eq (report_decode (&out, buf, size), 0);
    cr_assert_str_eq (out.project, "");
    cr_assert_eq (out.jobs_count, 0);
    cr_assert_eq (out.notes_count, 0);
    report_release (&out);
    free (buf);
}

Test (report, every_strict_prefix_fails_and_trailing_bytes_fail)
{
    report_t in = s_sample ();
    uint8_t *buf; size_t size;
    cr_assert_eq (report_encode (&in, &buf, &size), 0);
    for (size_t cut = 0; cut < size; cut++) {
        report_t out;
        cr_assert_eq (report_decode (&out, buf, cut), -1, "prefix %zu", cut);
        cr_assert_eq (errno, EPROTO);
        cr_assert (s_empty (&out));
    }
    uint8_t *longer = malloc (size + 1);
    memcpy (longer, buf, size);
    longer [size] = 0xc0;
    report_t out;
    cr_assert_eq (report_decode (&out, longer, size + 1), -1);
    cr_assert_eq (errno, EPROTO);
    cr_assert (s_empty (&out));
    cr_assert_eq (report_decode (&out, NULL, 0), -1);
    free (longer);
    free (buf);
}

//  Encode a report root by hand: jobs holds one job whose steps array
//  holds one step with the given kind writer.
typedef enum { BAD_NONE, BAD_KIND_STR, BAD_KIND_RANGE, BAD_DEGRADED,
               BAD_PROJECT, BAD_MISSING, BAD_EXTRA, BAD_JOB_KEYS,
               BAD_VALUE_TYPE, BAD_PORT_TYPE, BAD_ROOT_ARRAY } bad_t;

static void
s_put_empty_values (mp_writer_t *w, bool bad)
{
    if (bad) {
        mp_put_array (w, 1);
        mp_put_map (w, 3);
        mp_put_str (w, "key");    mp_put_uint (w, 7);
        mp_put_str (w, "value");  mp_put_str (w, "v");
        mp_put_str (w, "source"); mp_put_str (w, "s");
    }
    else
        mp_put_array (w, 0);
}

static void
s_encode_bad (bad_t bad, uint8_t **buf, size_t *size)
{
    mp_writer_t w;
    mp_writer_init (&w);
    if (bad == BAD_ROOT_ARRAY) {
        mp_put_array (&w, 0);
        cr_assert_eq (mp_writer_finish (&w, buf, size), 0);
        return;
    }
    mp_put_map (&w, bad == BAD_MISSING? 3: bad == BAD_EXTRA? 5: 4);
    mp_put_str (&w, "project");
    if (bad == BAD_PROJECT)
        mp_put_nil (&w);
    else
        mp_put_str (&w, "p");
    mp_put_str (&w, "degraded");
    if (bad == BAD_DEGRADED)
        mp_put_uint (&w, 1);
    else
        mp_put_bool (&w, false);
    mp_put_str (&w, "jobs");
    mp_put_array (&w, 1);
    mp_put_map (&w, bad == BAD_JOB_KEYS? 9: 10);
    const char *names [] = { "id", "ecosystem", "language", "tool", "tool_source", "dir" };
    for (size_t i = 0; i < 6; i++) {
        mp_put_str (&w, names [i]);
        mp_put_str (&w, "x");
    }
    mp_put_str (&w, "versions");
    s_put_empty_values (&w, bad == BAD_VALUE_TYPE);
    mp_put_str (&w, "settings");
    s_put_empty_values (&w, false);
    mp_put_str (&w, "steps");
    mp_put_array (&w, 1);
    mp_put_map (&w, 4);
    mp_put_str (&w, "kind");
    if (bad == BAD_KIND_STR)
        mp_put_str (&w, "test");
    else
        mp_put_uint (&w, bad == BAD_KIND_RANGE? CMD_KIND_COUNT: CMD_TEST);
    mp_put_str (&w, "name");   mp_put_str (&w, "");
    mp_put_str (&w, "run");    mp_put_str (&w, "make test");
    mp_put_str (&w, "source"); mp_put_str (&w, "Makefile:3");
    if (bad != BAD_JOB_KEYS) {
        mp_put_str (&w, "services");
        mp_put_array (&w, 1);
        mp_put_map (&w, 6);
        mp_put_str (&w, "name");  mp_put_str (&w, "redis");
        mp_put_str (&w, "image"); mp_put_str (&w, "redis:7");
        mp_put_str (&w, "ports");
        mp_put_array (&w, 1);
        if (bad == BAD_PORT_TYPE)
            mp_put_int (&w, 6379);
        else
            mp_put_str (&w, "6379:6379");
        mp_put_str (&w, "env");    mp_put_array (&w, 0);
        mp_put_str (&w, "health"); mp_put_str (&w, "redis-cli ping");
        mp_put_str (&w, "source"); mp_put_str (&w, "compose.yaml:4");
    }
    if (bad != BAD_MISSING) {
        mp_put_str (&w, "notes");
        mp_put_array (&w, 0);
    }
    if (bad == BAD_EXTRA) {
        mp_put_str (&w, "surprise");
        mp_put_nil (&w);
    }
    cr_assert_eq (mp_writer_finish (&w, buf, size), 0);
}

Test (report, hand_encoded_good_report_decodes)
{
    uint8_t *buf; size_t size;
    s_encode_bad (BAD_NONE, &buf, &size);
    report_t out;
    cr_assert_eq (report_decode (&out, buf, size), 0);
    cr_assert_eq (out.jobs [0].steps [0].kind, CMD_TEST);
    cr_assert_str_eq (out.jobs [0].services [0].ports [0], "6379:6379");
    report_release (&out);
    free (buf);
}

Test (report, wrong_types_and_shapes_are_refused)
{
    bad_t cases [] = { BAD_KIND_STR, BAD_KIND_RANGE, BAD_DEGRADED, BAD_PROJECT,
                       BAD_MISSING, BAD_JOB_KEYS, BAD_VALUE_TYPE,
                       BAD_PORT_TYPE, BAD_ROOT_ARRAY };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        uint8_t *buf; size_t size;
        s_encode_bad (cases [i], &buf, &size);
        report_t out;
        cr_assert_eq (report_decode (&out, buf, size), -1, "case %zu", i);
        cr_assert_eq (errno, EPROTO, "case %zu", i);
        cr_assert (s_empty (&out), "case %zu", i);
        free (buf);
    }
}

Test (report, unknown_keys_are_ignored)
{
    //  PROTOCOL.md, section 6: a later version may add keys.
    uint8_t *buf; size_t size;
    s_encode_bad (BAD_EXTRA, &buf, &size);
    report_t out;
    cr_assert_eq (report_decode (&out, buf, size), 0);
    cr_assert_str_eq (out.project, "p");
    report_release (&out);
    free (buf);
}

Test (report, counts_over_the_bounds_are_refused)
{
    //  65 empty jobs: more than a report may hold
    mp_writer_t w;
    mp_writer_init (&w);
    mp_put_map (&w, 4);
    mp_put_str (&w, "project");  mp_put_str (&w, "p");
    mp_put_str (&w, "degraded"); mp_put_bool (&w, false);
    mp_put_str (&w, "jobs");
    mp_put_array (&w, 65);
    for (int i = 0; i < 65; i++)
        mp_put_nil (&w);
    mp_put_str (&w, "notes");    mp_put_array (&w, 0);
    uint8_t *buf; size_t size;
    cr_assert_eq (mp_writer_finish (&w, &buf, &size), 0);
    report_t out;
    cr_assert_eq (report_decode (&out, buf, size), -1);
    cr_assert_eq (errno, EPROTO);
    free (buf);
}

//  The bytes on the wire, pinned: how the codec is written may change,
//  what it sends may not.
Test (report, encoded_bytes_are_pinned)
{
    report_t report = s_sample ();
    uint8_t *buf;
    size_t size;
    cr_assert_eq (report_encode (&report, &buf, &size), 0);
    tu_assert_bytes ("report", buf, size, "84a770726f6a656374a466726f62a86465677261646564c3a46a6f62"
                     "73928aa26964a6707974686f6ea965636f73797374656da670797468"
                     "6f6ea86c616e6775616765a0a4746f6f6ca3706970ab746f6f6c5f73"
                     "6f75726365ae707970726f6a6563742e746f6d6ca3646972a0a87665"
                     "7273696f6e739283a36b6579a6707974686f6ea576616c7565a4332e"
                     "3130a6736f75726365d920707970726f6a6563742e746f6d6c3a3520"
                     "72657175697265732d707974686f6e83a36b6579a6707974686f6ea5"
                     "76616c7565a4332e3134a6736f75726365d920707970726f6a656374"
                     "2e746f6d6c3a352072657175697265732d707974686f6ea873657474"
                     "696e67739183a36b6579a56361636865a576616c7565a3706970a673"
                     "6f75726365b0726571756972656d656e74732e747874a57374657073"
                     "9384a46b696e6406a46e616d65a0a372756eb37375646f206170742d"
                     "67657420757064617465a6736f75726365ba524541444d452e6d643a"
                     "31322028446576656c6f706d656e742984a46b696e6401a46e616d65"
                     "a0a372756ed922707974686f6e202d6d2070697020696e7374616c6c"
                     "202d6520272e5b746573745d27a6736f75726365b0707970726f6a65"
                     "63742e746f6d6c3a3984a46b696e6403a46e616d65a952756e207465"
                     "737473a372756ea6707974657374a6736f75726365bd707970726f6a"
                     "6563742e746f6d6c3a323020746f6f6c2e707974657374a873657276"
                     "696365739186a46e616d65a8706f737467726573a5696d616765ab70"
                     "6f7374677265733a3136a5706f72747391a9353433323a35343332a3"
                     "656e7692ba504f5354475245535f50415353574f52443d706f737467"
                     "726573b0504f5354475245535f44423d74657374a66865616c7468aa"
                     "70675f69737265616479a6736f75726365d925707970726f6a656374"
                     "2e746f6d6c3a3820646570656e64656e6369657320707379636f7067"
                     "8aa26964a46e6f6465a965636f73797374656da46e6f6465a86c616e"
                     "6775616765aa74797065736372697074a4746f6f6ca36e706dab746f"
                     "6f6c5f736f75726365b17061636b6167652d6c6f636b2e6a736f6ea3"
                     "646972a3776562a876657273696f6e7390a873657474696e677390a5"
                     "737465707390a8736572766963657390a56e6f7465739183a36b6579"
                     "a8636f6e666c696374a576616c7565bf524541444d45207361797320"
                     "746f782c20746f782e696e6920616273656e74a6736f75726365ac52"
                     "4541444d452e6d643a3430");
    free (buf);
    report_t empty = { 0 };
    cr_assert_eq (report_encode (&empty, &buf, &size), 0);
    tu_assert_bytes ("empty report", buf, size, "84a770726f6a656374a0a86465677261646564c2a46a6f627390a56e"
                     "6f74657390");
    free (buf);
}
