/*  proto/report.c - the detector's report as one msgpack map, and back.
    Decoding checks every key, type and count and refuses the rest.  */
#include "proto/report.h"
#include "proto/mp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

//  Bounds on what one report may hold; a decoder refuses more.
#define REPORT_MAX_JOBS      64
#define REPORT_MAX_VALUES    256
#define REPORT_MAX_STEPS     256
#define REPORT_MAX_SERVICES  32
#define REPORT_MAX_STRINGS   64
#define REPORT_MAX_NOTES     1024

static void
s_put_values (mp_writer_t *w, const report_value_t *values, size_t count)
{
    mp_put_array (w, (uint32_t) count);
    for (size_t i = 0; i < count; i++) {
        mp_put_map (w, 3);
        mp_put_str (w, "key");    mp_put_str (w, values [i].key);
        mp_put_str (w, "value");  mp_put_str (w, values [i].value);
        mp_put_str (w, "source"); mp_put_str (w, values [i].source);
    }
}

static void
s_put_strings (mp_writer_t *w, char *const *strings, size_t count)
{
    mp_put_array (w, (uint32_t) count);
    for (size_t i = 0; i < count; i++)
        mp_put_str (w, strings [i]);
}

static void
s_put_job (mp_writer_t *w, const report_job_t *job)
{
    mp_put_map (w, 10);
    mp_put_str (w, "id");          mp_put_str (w, job->id);
    mp_put_str (w, "ecosystem");   mp_put_str (w, job->ecosystem);
    mp_put_str (w, "language");    mp_put_str (w, job->language);
    mp_put_str (w, "tool");        mp_put_str (w, job->tool);
    mp_put_str (w, "tool_source"); mp_put_str (w, job->tool_source);
    mp_put_str (w, "dir");         mp_put_str (w, job->dir);
    mp_put_str (w, "versions");
    s_put_values (w, job->versions, job->versions_count);
    mp_put_str (w, "settings");
    s_put_values (w, job->settings, job->settings_count);
    mp_put_str (w, "steps");
    mp_put_array (w, (uint32_t) job->steps_count);
    for (size_t i = 0; i < job->steps_count; i++) {
        const report_step_t *step = &job->steps [i];
        mp_put_map (w, 4);
        mp_put_str (w, "kind");   mp_put_uint (w, (uint64_t) step->kind);
        mp_put_str (w, "name");   mp_put_str (w, step->name);
        mp_put_str (w, "run");    mp_put_str (w, step->run);
        mp_put_str (w, "source"); mp_put_str (w, step->source);
    }
    mp_put_str (w, "services");
    mp_put_array (w, (uint32_t) job->services_count);
    for (size_t i = 0; i < job->services_count; i++) {
        const report_service_t *svc = &job->services [i];
        mp_put_map (w, 6);
        mp_put_str (w, "name");   mp_put_str (w, svc->name);
        mp_put_str (w, "image");  mp_put_str (w, svc->image);
        mp_put_str (w, "ports");  s_put_strings (w, svc->ports, svc->ports_count);
        mp_put_str (w, "env");    s_put_strings (w, svc->env, svc->env_count);
        mp_put_str (w, "health"); mp_put_str (w, svc->health);
        mp_put_str (w, "source"); mp_put_str (w, svc->source);
    }
}

int
report_encode (const report_t *self, uint8_t **buf_p, size_t *size_p)
{
    if (!self || !buf_p || !size_p)
        return errno = EINVAL, -1;
    mp_writer_t w;
    mp_writer_init (&w);
    mp_put_map (&w, 4);
    mp_put_str (&w, "project");  mp_put_str (&w, self->project);
    mp_put_str (&w, "degraded"); mp_put_bool (&w, self->degraded);
    mp_put_str (&w, "jobs");
    mp_put_array (&w, (uint32_t) self->jobs_count);
    for (size_t i = 0; i < self->jobs_count; i++)
        s_put_job (&w, &self->jobs [i]);
    mp_put_str (&w, "notes");
    s_put_values (&w, self->notes, self->notes_count);
    return mp_writer_finish (&w, buf_p, size_p);
}

//  A map with at least the entries looked up, at most PROTO_MAP_MAX:
//  unknown keys are ignored (PROTOCOL.md, section 6).
static int
s_check_map (const msgpack_object *obj, uint32_t entries)
{
    if (!mp_map_ok (obj, entries))
        return errno = EPROTO, -1;
    return 0;
}

//  An array of at most max items; *items_p is calloc'd for its count.
static int
s_array_alloc (const msgpack_object *obj, size_t max, size_t item_size,
               void **items_p, size_t *count_p)
{
    size_t count;
    if (mp_array (obj, max, &count))
        return -1;
    *items_p = NULL;
    *count_p = 0;
    if (count) {
        *items_p = calloc (count, item_size);
        if (!*items_p)
            return errno = ENOMEM, -1;
    }
    *count_p = count;
    return 0;
}

static int
s_get_values (const msgpack_object *obj, size_t max,
              report_value_t **values_p, size_t *count_p)
{
    if (s_array_alloc (obj, max, sizeof **values_p, (void **) values_p, count_p))
        return -1;
    for (size_t i = 0; i < *count_p; i++) {
        const msgpack_object *item = &obj->via.array.ptr [i];
        report_value_t *value = &(*values_p) [i];
        if (s_check_map (item, 3)
            || mp_str_dup (mp_get (item, "key"), &value->key)
            || mp_str_dup (mp_get (item, "value"), &value->value)
            || mp_str_dup (mp_get (item, "source"), &value->source))
            return -1;
    }
    return 0;
}

static int
s_get_strings (const msgpack_object *obj, char ***strings_p, size_t *count_p)
{
    if (s_array_alloc (obj, REPORT_MAX_STRINGS, sizeof **strings_p,
                       (void **) strings_p, count_p))
        return -1;
    for (size_t i = 0; i < *count_p; i++)
        if (mp_str_dup (&obj->via.array.ptr [i], &(*strings_p) [i]))
            return -1;
    return 0;
}

static int
s_get_job (const msgpack_object *obj, report_job_t *job)
{
    if (s_check_map (obj, 10)
        || mp_str_dup (mp_get (obj, "id"), &job->id)
        || mp_str_dup (mp_get (obj, "ecosystem"), &job->ecosystem)
        || mp_str_dup (mp_get (obj, "language"), &job->language)
        || mp_str_dup (mp_get (obj, "tool"), &job->tool)
        || mp_str_dup (mp_get (obj, "tool_source"), &job->tool_source)
        || mp_str_dup (mp_get (obj, "dir"), &job->dir)
        || s_get_values (mp_get (obj, "versions"), REPORT_MAX_VALUES,
                         &job->versions, &job->versions_count)
        || s_get_values (mp_get (obj, "settings"), REPORT_MAX_VALUES,
                         &job->settings, &job->settings_count))
        return -1;
    const msgpack_object *steps = mp_get (obj, "steps");
    if (s_array_alloc (steps, REPORT_MAX_STEPS, sizeof *job->steps,
                       (void **) &job->steps, &job->steps_count))
        return -1;
    for (size_t i = 0; i < job->steps_count; i++) {
        const msgpack_object *item = &steps->via.array.ptr [i];
        report_step_t *step = &job->steps [i];
        uint32_t kind;
        if (s_check_map (item, 4)
            || mp_u32 (mp_get (item, "kind"), &kind)
            || mp_str_dup (mp_get (item, "name"), &step->name)
            || mp_str_dup (mp_get (item, "run"), &step->run)
            || mp_str_dup (mp_get (item, "source"), &step->source))
            return -1;
        if (kind >= CMD_KIND_COUNT)
            return errno = EPROTO, -1;
        step->kind = (cmd_kind_t) kind;
    }
    const msgpack_object *services = mp_get (obj, "services");
    if (s_array_alloc (services, REPORT_MAX_SERVICES, sizeof *job->services,
                       (void **) &job->services, &job->services_count))
        return -1;
    for (size_t i = 0; i < job->services_count; i++) {
        const msgpack_object *item = &services->via.array.ptr [i];
        report_service_t *svc = &job->services [i];
        if (s_check_map (item, 6)
            || mp_str_dup (mp_get (item, "name"), &svc->name)
            || mp_str_dup (mp_get (item, "image"), &svc->image)
            || s_get_strings (mp_get (item, "ports"), &svc->ports, &svc->ports_count)
            || s_get_strings (mp_get (item, "env"), &svc->env, &svc->env_count)
            || mp_str_dup (mp_get (item, "health"), &svc->health)
            || mp_str_dup (mp_get (item, "source"), &svc->source))
            return -1;
    }
    return 0;
}

int
report_decode (report_t *self, const uint8_t *buf, size_t size)
{
    if (!self)
        return errno = EINVAL, -1;
    memset (self, 0, sizeof *self);
    if (!buf)
        return errno = EPROTO, -1;
    mp_reader_t reader;
    const msgpack_object *root = mp_read (&reader, buf, size);
    int rc = -1;
    if (!root)
        goto out_release;
    const msgpack_object *jobs = mp_get (root, "jobs");
    if (s_check_map (root, 4)
        || mp_str_dup (mp_get (root, "project"), &self->project)
        || mp_bool (mp_get (root, "degraded"), &self->degraded)
        || s_array_alloc (jobs, REPORT_MAX_JOBS, sizeof *self->jobs,
                          (void **) &self->jobs, &self->jobs_count))
        goto out_release;
    for (size_t i = 0; i < self->jobs_count; i++)
        if (s_get_job (&jobs->via.array.ptr [i], &self->jobs [i]))
            goto out_release;
    if (s_get_values (mp_get (root, "notes"), REPORT_MAX_NOTES,
                      &self->notes, &self->notes_count))
        goto out_release;
    rc = 0;
out_release:
    mp_reader_release (&reader);
    if (rc) {
        int saved = errno == ENOMEM? ENOMEM: EPROTO;
        report_release (self);
        errno = saved;
    }
    return rc;
}

static void
s_release_values (report_value_t **values_p, size_t *count_p)
{
    for (size_t i = 0; *values_p && i < *count_p; i++) {
        free ((*values_p) [i].key);
        free ((*values_p) [i].value);
        free ((*values_p) [i].source);
    }
    free (*values_p);
    *values_p = NULL;
    *count_p = 0;
}

void
report_service_release (report_service_t *self)
{
    free (self->name);
    free (self->image);
    mp_free_strv (&self->ports, self->ports_count);
    mp_free_strv (&self->env, self->env_count);
    free (self->health);
    free (self->source);
    memset (self, 0, sizeof *self);
}

void
report_release (report_t *self)
{
    if (!self)
        return;
    for (size_t i = 0; self->jobs && i < self->jobs_count; i++) {
        report_job_t *job = &self->jobs [i];
        free (job->id);
        free (job->ecosystem);
        free (job->language);
        free (job->tool);
        free (job->tool_source);
        free (job->dir);
        s_release_values (&job->versions, &job->versions_count);
        s_release_values (&job->settings, &job->settings_count);
        for (size_t k = 0; job->steps && k < job->steps_count; k++) {
            free (job->steps [k].name);
            free (job->steps [k].run);
            free (job->steps [k].source);
        }
        free (job->steps);
        for (size_t k = 0; job->services && k < job->services_count; k++)
            report_service_release (&job->services [k]);
        free (job->services);
    }
    free (self->jobs);
    s_release_values (&self->notes, &self->notes_count);
    free (self->project);
    memset (self, 0, sizeof *self);
}

bool
report_has_tests (const report_t *self)
{
    for (size_t j = 0; self && j < self->jobs_count; j++)
        for (size_t k = 0; k < self->jobs [j].steps_count; k++)
            if (self->jobs [j].steps [k].kind == CMD_TEST
            &&  self->jobs [j].steps [k].run && *self->jobs [j].steps [k].run)
                return true;
    return false;
}
