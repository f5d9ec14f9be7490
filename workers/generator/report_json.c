/*  workers/generator/report_json.c - the detection report as JSON.  */
#include "workers/generator/report_json.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The kinds' names as the JSON shows them (the parser's names).
static const char *
s_kind_name (cmd_kind_t kind)
{
    static const char *const names [CMD_KIND_COUNT] = {
        [CMD_OTHER] = "other", [CMD_INSTALL] = "install", [CMD_BUILD] = "build",
        [CMD_TEST] = "test", [CMD_LINT] = "lint", [CMD_RUN] = "run",
        [CMD_SYSTEM] = "system", [CMD_CLONE] = "clone"
    };
    return (unsigned) kind < CMD_KIND_COUNT? names [kind]: "other";
}

//  Set key to a string (NULL reads as ""); returns -1 on ENOMEM.
static int
s_set_str (json_t *object, const char *key, const char *value)
{
    return json_object_set_new (object, key, json_string (value? value: ""));
}

static int
s_append (json_t *array, json_t *value)
{
    return value? json_array_append_new (array, value): -1;
}

static json_t *
s_strings (char *const *items, size_t count)
{
    json_t *array = json_array ();
    for (size_t i = 0; array && i < count; i++)
        if (s_append (array, json_string (items [i]? items [i]: "")))
            json_decref (array), array = NULL;
    return array;
}

static json_t *
s_version (const report_value_t *value)
{
    json_t *object = json_object ();
    if (object && (s_set_str (object, "runtime", value->key)
               ||  s_set_str (object, "version", value->value)
               ||  s_set_str (object, "source", value->source))) {
        json_decref (object);
        object = NULL;
    }
    return object;
}

static json_t *
s_note (const char *kind, const char *message, const char *source)
{
    json_t *object = json_object ();
    if (object && (s_set_str (object, "kind", kind)
               ||  s_set_str (object, "message", message)
               ||  s_set_str (object, "source", source))) {
        json_decref (object);
        object = NULL;
    }
    return object;
}

static json_t *
s_step (const report_step_t *step)
{
    json_t *object = json_object ();
    if (object && (s_set_str (object, "kind", s_kind_name (step->kind))
               ||  s_set_str (object, "name", step->name)
               ||  s_set_str (object, "run", step->run)
               ||  s_set_str (object, "source", step->source))) {
        json_decref (object);
        object = NULL;
    }
    return object;
}

static json_t *
s_service (const report_service_t *service)
{
    json_t *object = json_object ();
    if (object && (s_set_str (object, "name", service->name)
               ||  s_set_str (object, "image", service->image)
               ||  json_object_set_new (object, "ports",
                       s_strings (service->ports, service->ports_count))
               ||  json_object_set_new (object, "env",
                       s_strings (service->env, service->env_count))
               ||  s_set_str (object, "health", service->health)
               ||  s_set_str (object, "source", service->source))) {
        json_decref (object);
        object = NULL;
    }
    return object;
}

//  settings as an object, in the report's order; a repeated key keeps
//  its first value, as the generator reads it.
static json_t *
s_settings (const report_job_t *job)
{
    json_t *object = json_object ();
    for (size_t i = 0; object && i < job->settings_count; i++) {
        const report_value_t *setting = &job->settings [i];
        const char *key = setting->key? setting->key: "";
        if (json_object_get (object, key))
            continue;
        json_t *value = json_object ();
        if (!value || s_set_str (value, "value", setting->value)
        ||  s_set_str (value, "source", setting->source)
        ||  json_object_set (object, key, value)) {
            json_decref (object);
            object = NULL;
        }
        json_decref (value);
    }
    return object;
}

static json_t *
s_job (const report_job_t *job)
{
    json_t *object = json_object ();
    json_t *versions = json_array ();
    json_t *steps = json_array ();
    json_t *services = json_array ();
    int rc = object && versions && steps && services? 0: -1;
    for (size_t i = 0; !rc && i < job->versions_count; i++)
        rc = s_append (versions, s_version (&job->versions [i]));
    for (size_t i = 0; !rc && i < job->steps_count; i++)
        rc = s_append (steps, s_step (&job->steps [i]));
    for (size_t i = 0; !rc && i < job->services_count; i++)
        rc = s_append (services, s_service (&job->services [i]));
    if (!rc)
        rc = s_set_str (object, "id", job->id)
          || s_set_str (object, "ecosystem", job->ecosystem)
          || s_set_str (object, "language", job->language)
          || s_set_str (object, "tool", job->tool)
          || s_set_str (object, "tool_source", job->tool_source)
          || s_set_str (object, "dir", job->dir)
          || json_object_set (object, "versions", versions)
          || json_object_set_new (object, "settings", s_settings (job))
          || json_object_set (object, "steps", steps)
          || json_object_set (object, "services", services);
    json_decref (versions);
    json_decref (steps);
    json_decref (services);
    if (rc) {
        json_decref (object);
        return NULL;
    }
    return object;
}

int
report_json_render (const report_t *report, char **text_p, char *err,
                    size_t err_size)
{
    *text_p = NULL;
    json_t *root = json_object ();
    json_t *jobs = json_array ();
    json_t *notes = json_array ();
    int rc = root && jobs && notes? 0: -1;
    for (size_t i = 0; !rc && i < report->jobs_count; i++)
        rc = s_append (jobs, s_job (&report->jobs [i]));
    for (size_t i = 0; !rc && i < report->notes_count; i++) {
        const report_value_t *note = &report->notes [i];
        rc = s_append (notes, s_note (note->key, note->value, note->source));
    }
    if (!rc && report->jobs_count == 0)
        rc = s_append (notes, s_note ("info", "nothing was detected: no "
                       "ecosystem, build, lint or test command was found",
                       "generator"));
    if (!rc)
        rc = s_set_str (root, "project", report->project)
          || json_object_set_new (root, "degraded",
                                  json_boolean (report->degraded))
          //  false: `generate` exits 5 and the workflow's test step fails
          || json_object_set_new (root, "tests_found",
                                  json_boolean (report_has_tests (report)))
          || json_object_set (root, "jobs", jobs)
          || json_object_set (root, "notes", notes);
    char *text = rc? NULL: json_dumps (root, JSON_INDENT (2)
                                       | JSON_PRESERVE_ORDER);
    json_decref (jobs);
    json_decref (notes);
    json_decref (root);
    if (text) {
        size_t size = strlen (text);
        char *ended = realloc (text, size + 2);
        if (ended) {
            memcpy (ended + size, "\n", 2);
            *text_p = ended;
            return 0;
        }
        free (text);
    }
    snprintf (err, err_size, "cannot write the report as JSON: out of memory");
    errno = ENOMEM;
    return -1;
}
