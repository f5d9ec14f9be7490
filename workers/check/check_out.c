/*  workers/check/check_out.c - a check result as JSON (the check step's
    output, read back by the CLI), as text for people and as SARIF 2.1.0
    for code scanning. JSON and SARIF are built with jansson.  */
#include "workers/check/check.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------
//  JSON

static json_t *
s_values (const report_value_t *values, size_t count, const char *k1, const char *k2,
          const char *k3)
{
    json_t *array = json_array ();
    for (size_t i = 0; array && i < count; i++) {
        json_t *item = json_pack ("{s:s, s:s}", k1, values [i].key, k2, values [i].value);
        if (item && k3)
            json_object_set_new (item, k3, json_string (values [i].source));
        if (!item || json_array_append_new (array, item)) {
            json_decref (array);
            return NULL;
        }
    }
    return array;
}

char *
check_json_encode (const check_result_t *self)
{
    json_t *findings = json_array ();
    json_t *files = json_array ();
    for (size_t i = 0; files && i < self->files_count; i++)
        json_array_append_new (files, json_string (self->files [i]));
    for (size_t i = 0; findings && i < self->findings_count; i++) {
        const check_finding_t *f = &self->findings [i];
        json_array_append_new (findings, json_pack ("{s:s, s:s, s:s, s:s, s:I, s:s}",
                               "kind", f->kind, "severity", f->level, "message", f->message,
                               "file", f->file, "line", (json_int_t) f->line,
                               "source", f->source));
    }
    json_t *root = json_pack ("{s:s, s:o*, s:o*, s:o*, s:o*}", "project", self->project,
                              "files", files,
                              "unreadable", s_values (self->unreadable,
                                                      self->unreadable_count,
                                                      "file", "error", NULL),
                              "expectations", s_values (self->expectations,
                                                        self->expectations_count,
                                                        "what", "value", "source"),
                              "findings", findings);
    if (!root || json_array_size (findings) != self->findings_count) {
        json_decref (root);
        errno = ENOMEM;
        return NULL;
    }
    char *text = json_dumps (root, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
    json_decref (root);
    if (!text)
        errno = ENOMEM;
    return text;
}

static int
s_fail (char *err, size_t err_size, const char *what)
{
    snprintf (err, err_size, "not a check result: %s", what);
    errno = EPROTO;
    return -1;
}

static char *
s_str (json_t *object, const char *key)
{
    const char *value = json_string_value (json_object_get (object, key));
    return value? strdup (value): NULL;
}

static int
s_read_values (json_t *array, report_value_t **out, size_t *count_p, const char *k1,
               const char *k2, const char *k3)
{
    if (!json_is_array (array))
        return -1;
    size_t count = json_array_size (array);
    *out = calloc (count? count: 1, sizeof **out);
    if (!*out)
        return -1;
    for (size_t i = 0; i < count; i++) {
        json_t *item = json_array_get (array, i);
        report_value_t *value = &(*out) [(*count_p)++];
        value->key = s_str (item, k1);
        value->value = s_str (item, k2);
        value->source = k3? s_str (item, k3): strdup ("");
        if (!value->key || !value->value || !value->source)
            return -1;
    }
    return 0;
}

int
check_json_decode (check_result_t *self, const char *text, size_t size,
                   char *err, size_t err_size)
{
    memset (self, 0, sizeof *self);
    json_error_t error;
    json_t *root = json_loadb (text, size, 0, &error);
    if (!json_is_object (root)) {
        json_decref (root);
        return s_fail (err, err_size, "not a JSON object");
    }
    int rc = 0;
    json_t *files = json_object_get (root, "files");
    json_t *findings = json_object_get (root, "findings");
    self->project = s_str (root, "project");
    if (!self->project || !json_is_array (files) || !json_is_array (findings))
        rc = -1;
    size_t nfiles = json_array_size (files);
    if (rc == 0 && !(self->files = calloc (nfiles? nfiles: 1, sizeof *self->files)))
        rc = -1;
    for (size_t i = 0; rc == 0 && i < nfiles; i++) {
        const char *file = json_string_value (json_array_get (files, i));
        self->files [self->files_count] = file? strdup (file): NULL;
        if (!self->files [self->files_count])
            rc = -1;
        else
            self->files_count++;
    }
    if (rc == 0
        && (s_read_values (json_object_get (root, "unreadable"), &self->unreadable,
                           &self->unreadable_count, "file", "error", NULL)
            || s_read_values (json_object_get (root, "expectations"), &self->expectations,
                              &self->expectations_count, "what", "value", "source")))
        rc = -1;
    if (rc == 0) {
        size_t count = json_array_size (findings);
        self->findings = calloc (count? count: 1, sizeof *self->findings);
        rc = self->findings? 0: -1;
        for (size_t i = 0; rc == 0 && i < count; i++) {
            json_t *item = json_array_get (findings, i);
            check_finding_t *f = &self->findings [self->findings_count++];
            json_t *line = json_object_get (item, "line");
            f->kind = s_str (item, "kind");
            f->level = s_str (item, "severity");
            f->message = s_str (item, "message");
            f->file = s_str (item, "file");
            f->source = s_str (item, "source");
            if (!json_is_integer (line) || json_integer_value (line) < 0
                || json_integer_value (line) > (json_int_t) UINT32_MAX)
                rc = -1;
            else
                f->line = (unsigned) json_integer_value (line);
            if (!f->kind || !f->level || !f->message || !f->file || !f->source)
                rc = -1;
        }
    }
    json_decref (root);
    if (rc) {
        check_result_release (self);
        return s_fail (err, err_size, "a field is missing or has the wrong type");
    }
    return 0;
}


//  --------------------------------------------------------------------
//  Text

static const char *
s_plural (size_t n, const char *one, const char *many)
{
    return n == 1? one: many;
}

char *
check_render_text (const check_result_t *self, const char *label, bool explain)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out)
        return NULL;
    const char *name = label? label: self->project;
    if (explain && self->expectations_count) {
        fprintf (out, "%s: what the project says its CI should do:\n", name);
        for (size_t i = 0; i < self->expectations_count; i++) {
            const report_value_t *e = &self->expectations [i];
            fprintf (out, "  %s: %s", e->key, e->value);
            if (*e->source)
                fprintf (out, "  (%s)", e->source);
            fputc ('\n', out);
        }
        fputc ('\n', out);
    }
    for (size_t i = 0; i < self->unreadable_count; i++)
        fprintf (out, "%s: cannot read: %s (the other CI files are checked)\n",
                 self->unreadable [i].key, self->unreadable [i].value);
    //  grouped by CI file, in the order the files were read; findings
    //  without a CI place (no CI at all) come last
    size_t shown = 0;
    size_t groups = self->files_count + 1;
    for (size_t g = 0; g < groups; g++) {
        const char *file = g < self->files_count? self->files [g]: "";
        bool header = false;
        for (size_t i = 0; i < self->findings_count; i++) {
            const check_finding_t *f = &self->findings [i];
            bool mine = strcmp (f->file, file) == 0;
            if (g == self->files_count) {
                //  the rest: no file, or a file not among those read
                mine = true;
                for (size_t k = 0; k < self->files_count; k++)
                    if (strcmp (f->file, self->files [k]) == 0)
                        mine = false;
            }
            if (!mine)
                continue;
            if (!header) {
                fprintf (out, "%s%s\n", shown? "\n": "", *file? file: "(no CI file)");
                header = true;
            }
            if (f->line)
                fprintf (out, "  %u: ", f->line);
            else
                fprintf (out, "  ");
            fprintf (out, "%s [%s] %s\n", f->level, f->kind, f->message);
            if (*f->source)
                fprintf (out, "      expected by %s\n", f->source);
            shown++;
        }
    }
    if (shown)
        fputc ('\n', out);
    //  the summary: counts by severity, over how many files
    size_t errors = 0, warnings = 0, notes = 0;
    for (size_t i = 0; i < self->findings_count; i++) {
        const char *level = self->findings [i].level;
        if (strcmp (level, "error") == 0)
            errors++;
        else
        if (strcmp (level, "note") == 0)
            notes++;
        else
            warnings++;
    }
    size_t files = self->files_count;
    if (!self->findings_count)
        fprintf (out, "%s: no drift found in %zu CI %s", name, files,
                 s_plural (files, "file", "files"));
    else
        fprintf (out, "%s: %zu %s (%zu %s, %zu %s, %zu %s) in %zu CI %s", name,
                 self->findings_count, s_plural (self->findings_count, "finding", "findings"),
                 errors, s_plural (errors, "error", "errors"), warnings,
                 s_plural (warnings, "warning", "warnings"), notes,
                 s_plural (notes, "note", "notes"), files, s_plural (files, "file", "files"));
    if (self->unreadable_count)
        fprintf (out, ", %zu unreadable", self->unreadable_count);
    fputc ('\n', out);
    if (fclose (out) || !text) {
        free (text);
        errno = ENOMEM;
        return NULL;
    }
    return text;
}


//  --------------------------------------------------------------------
//  SARIF 2.1.0

static json_t *
s_location (const char *file, unsigned line, const char *message)
{
    json_t *physical = json_pack ("{s:{s:s, s:s}}", "artifactLocation", "uri", file,
                                  "uriBaseId", "%SRCROOT%");
    if (physical && line)
        json_object_set_new (physical, "region", json_pack ("{s:I}", "startLine",
                                                            (json_int_t) line));
    json_t *location = json_pack ("{s:o*}", "physicalLocation", physical);
    if (location && message)
        json_object_set_new (location, "message", json_pack ("{s:s}", "text", message));
    return location;
}

char *
check_render_sarif (const check_result_t *self, const char *version)
{
    json_t *rules = json_array ();
    json_t *results = json_array ();
    json_t *notifications = json_array ();
    if (!rules || !results || !notifications)
        goto out_fail;
    for (size_t i = 0; i < self->findings_count; i++) {
        const check_finding_t *f = &self->findings [i];
        //  one rule per kind, in the order kinds first appear
        size_t rule = json_array_size (rules);
        for (size_t k = 0; k < json_array_size (rules); k++)
            if (strcmp (json_string_value (json_object_get (json_array_get (rules, k), "id")),
                        f->kind) == 0)
                rule = k;
        if (rule == json_array_size (rules))
            json_array_append_new (rules, json_pack ("{s:s, s:{s:s}, s:{s:s}}", "id", f->kind,
                                   "shortDescription", "text", f->kind,
                                   "defaultConfiguration", "level", f->level));
        char file [512];
        unsigned line = f->line;
        snprintf (file, sizeof file, "%s", f->file);
        unsigned source_line = 0;
        char source_file [512] = "";
        if (*f->source) {
            size_t n = strcspn (f->source, " :(");
            snprintf (source_file, sizeof source_file, "%.*s", (int) n, f->source);
            if (f->source [n] == ':')
                source_line = (unsigned) strtoul (f->source + n + 1, NULL, 10);
        }
        //  no CI place (no CI at all): the project's side is where it shows
        if (!*file && *source_file) {
            snprintf (file, sizeof file, "%s", source_file);
            line = source_line;
        }
        json_t *result = json_pack ("{s:s, s:I, s:s, s:{s:s}}", "ruleId", f->kind,
                                    "ruleIndex", (json_int_t) rule, "level", f->level,
                                    "message", "text", f->message);
        if (!result)
            goto out_fail;
        json_t *locations = json_array ();
        if (*file)
            json_array_append_new (locations, s_location (file, line, NULL));
        json_object_set_new (result, "locations", locations);
        if (*source_file && strncmp (source_file, "data/", 5) != 0
            && (strcmp (source_file, file) || source_line != line)) {
            char why [600];
            snprintf (why, sizeof why, "expected by %s", f->source);
            json_t *related = s_location (source_file, source_line, why);
            if (related)
                json_object_set_new (related, "id", json_integer (0));
            json_object_set_new (result, "relatedLocations", json_pack ("[o*]", related));
        }
        if (json_array_append_new (results, result))
            goto out_fail;
    }
    for (size_t i = 0; i < self->unreadable_count; i++) {
        char message [700];
        snprintf (message, sizeof message, "%s: cannot read: %s", self->unreadable [i].key,
                  self->unreadable [i].value);
        json_t *locations = json_pack ("[o*]", s_location (self->unreadable [i].key, 0, NULL));
        json_array_append_new (notifications, json_pack ("{s:s, s:{s:s}, s:o*}",
                               "level", "warning", "message", "text", message,
                               "locations", locations));
    }
    json_t *root = json_pack (
        "{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o}}, s:[{s:b, s:o}], s:o}]}",
        "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
        "version", "2.1.0",
        "runs",
            "tool", "driver", "name", "readme2ci", "version", version? version: "0",
                    "rules", rules,
            "invocations", "executionSuccessful", true,
                           "toolExecutionNotifications", notifications,
            "results", results);
    if (!root)
        return NULL;        //  json_pack took the arrays either way
    char *text = json_dumps (root, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
    json_decref (root);
    if (!text)
        errno = ENOMEM;
    return text;
out_fail:
    json_decref (rules);
    json_decref (results);
    json_decref (notifications);
    errno = ENOMEM;
    return NULL;
}
