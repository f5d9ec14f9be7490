/*  proto/report.c - the detector's report as one msgpack map, and back.
    Decoding checks every key, type and count and refuses the rest.  */
#include "proto/report.h"
#include "proto/schema.h"

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

//  Strings may come as str or bin (mp_str_dup), of any length but the
//  frame's.
#define S_STRING(k, t, m) \
    SCHEMA_STRDUP (k, t, m, 0, SCHEMA_ANY_LENGTH, SCHEMA_BIN_OK)
#define S_STRINGS(k, t, m, count) \
    SCHEMA_STRLIST (k, t, m, count, REPORT_MAX_STRINGS, 0, SCHEMA_ANY_LENGTH, \
                    SCHEMA_BIN_OK)

static const schema_field_t s_value [] = {
    S_STRING ("key", report_value_t, key),
    S_STRING ("value", report_value_t, value),
    S_STRING ("source", report_value_t, source),
    SCHEMA_END
};

static const schema_field_t s_step [] = {
    SCHEMA_UINT ("kind", report_step_t, kind, 0, CMD_KIND_COUNT - 1),
    S_STRING ("name", report_step_t, name),
    S_STRING ("run", report_step_t, run),
    S_STRING ("source", report_step_t, source),
    SCHEMA_END
};

static const schema_field_t s_service [] = {
    S_STRING ("name", report_service_t, name),
    S_STRING ("image", report_service_t, image),
    S_STRINGS ("ports", report_service_t, ports, ports_count),
    S_STRINGS ("env", report_service_t, env, env_count),
    S_STRING ("health", report_service_t, health),
    S_STRING ("source", report_service_t, source),
    SCHEMA_END
};

static const schema_field_t s_job [] = {
    S_STRING ("id", report_job_t, id),
    S_STRING ("ecosystem", report_job_t, ecosystem),
    S_STRING ("language", report_job_t, language),
    S_STRING ("tool", report_job_t, tool),
    S_STRING ("tool_source", report_job_t, tool_source),
    S_STRING ("dir", report_job_t, dir),
    SCHEMA_LIST ("versions", report_job_t, versions, versions_count,
                 REPORT_MAX_VALUES, report_value_t, s_value),
    SCHEMA_LIST ("settings", report_job_t, settings, settings_count,
                 REPORT_MAX_VALUES, report_value_t, s_value),
    SCHEMA_LIST ("steps", report_job_t, steps, steps_count,
                 REPORT_MAX_STEPS, report_step_t, s_step),
    SCHEMA_LIST ("services", report_job_t, services, services_count,
                 REPORT_MAX_SERVICES, report_service_t, s_service),
    SCHEMA_END
};

static const schema_field_t s_report [] = {
    S_STRING ("project", report_t, project),
    SCHEMA_BOOL ("degraded", report_t, degraded, 0),
    SCHEMA_LIST ("jobs", report_t, jobs, jobs_count, REPORT_MAX_JOBS,
                 report_job_t, s_job),
    SCHEMA_LIST ("notes", report_t, notes, notes_count, REPORT_MAX_NOTES,
                 report_value_t, s_value),
    SCHEMA_END
};

//  A step's kind travels as a number, read as a uint32_t.
_Static_assert (sizeof (cmd_kind_t) == sizeof (uint32_t), "kinds are 32 bits");

int
report_encode (const report_t *self, uint8_t **buf_p, size_t *size_p)
{
    if (!self || !buf_p || !size_p)
        return errno = EINVAL, -1;
    return schema_encode (s_report, self, buf_p, size_p);
}

int
report_decode (report_t *self, const uint8_t *buf, size_t size)
{
    if (!self)
        return errno = EINVAL, -1;
    if (!buf) {
        memset (self, 0, sizeof *self);
        return errno = EPROTO, -1;
    }
    return schema_decode (s_report, self, sizeof *self, buf, size);
}

void
report_service_release (report_service_t *self)
{
    schema_release (s_service, self, sizeof *self);
}

void
report_release (report_t *self)
{
    schema_release (s_report, self, sizeof *self);
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
