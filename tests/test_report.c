/*  Tests for proto/report: round trip, truncation, wrong types, trailing
    bytes and bounds.  */
#include "proto/report.h"
#include "proto/mp.h"

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
