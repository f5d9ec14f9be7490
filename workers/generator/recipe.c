/*  workers/generator/recipe.c - one job's setup, read from the knowledge.  */
#include "workers/generator/recipe.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *
recipe_setting (const report_job_t *job, const char *key)
{
    for (size_t i = 0; i < job->settings_count; i++) {
        const report_value_t *setting = &job->settings [i];
        if (setting->key && setting->value && strcmp (setting->key, key) == 0)
            return setting->value;
    }
    return NULL;
}

//  Where the job's setting key came from, "" when unknown. Borrowed.
static const char *
s_setting_source (const report_job_t *job, const char *key)
{
    for (size_t i = 0; i < job->settings_count; i++) {
        const report_value_t *setting = &job->settings [i];
        if (setting->key && setting->value && strcmp (setting->key, key) == 0)
            return setting->source? setting->source: "";
    }
    return "";
}

//  The setup entry: setting-entries, then "<ecosystem>/<tool>", then the
//  ecosystem. Sets *name_p to the entry's key.
static const ynode_t *
s_find_entry (const knowledge_t *kb, const report_job_t *job,
              const char **name_p)
{
    const ynode_t *root = knowledge_root (kb);
    const ynode_t *setup = ytree_get (root, "setup");
    const ynode_t *switches = ytree_get (root, "setting-entries");
    for (size_t i = 0; switches && switches->keys && i < switches->count; i++) {
        const char *value = recipe_setting (job, switches->keys [i]);
        const char *name = ytree_str (switches->items [i], NULL);
        if (value && strcmp (value, "true") == 0 && name
        &&  ytree_get (setup, name)) {
            *name_p = name;
            return ytree_get (setup, name);
        }
    }
    const char *ecosystem = job->ecosystem? job->ecosystem: "";
    if (job->tool && *job->tool) {
        char key [256];
        snprintf (key, sizeof key, "%s/%s", ecosystem, job->tool);
        for (size_t i = 0; setup && setup->keys && i < setup->count; i++)
            if (strcmp (setup->keys [i], key) == 0) {
                *name_p = setup->keys [i];
                return setup->items [i];
            }
    }
    for (size_t i = 0; setup && setup->keys && i < setup->count; i++)
        if (strcmp (setup->keys [i], ecosystem) == 0) {
            *name_p = setup->keys [i];
            return setup->items [i];
        }
    *name_p = NULL;
    return NULL;
}

static char *
s_normal_dir (const char *dir)
{
    if (!dir)
        dir = "";
    while (dir [0] == '.' && dir [1] == '/')
        dir += 2;
    size_t size = strlen (dir);
    while (size && dir [size - 1] == '/')
        size--;
    if (size == 1 && dir [0] == '.')
        size = 0;
    return strndup (dir, size);
}

static char *
s_display_name (const knowledge_t *kb, const recipe_t *self,
                const report_job_t *job)
{
    const char *base = NULL;
    if (job->language && *job->language)
        base = ytree_str (ytree_path (knowledge_root (kb), "workflow",
                          "language-names", job->language, NULL), NULL);
    if (!base)
        base = ytree_str (ytree_get (self->entry, "name"), NULL);
    if (!base || !*base)
        base = job->ecosystem && *job->ecosystem? job->ecosystem: job->id;
    if (!base || !*base)
        base = "Build";
    char *name = NULL;
    int rc = *self->dir? asprintf (&name, "%s (%s)", base, self->dir)
                       : asprintf (&name, "%s", base);
    return rc < 0? NULL: name;
}

//  Append value (borrowed) to the axis unless it is there already (or,
//  when keep_repeats, always: a paired axis keeps its place in each pair).
static int
s_axis_push (recipe_axis_t *axis, const char *value, const char *source,
             bool keep_repeats)
{
    for (size_t i = 0; !keep_repeats && i < axis->count; i++)
        if (strcmp (axis->values [i], value) == 0)
            return 0;
    const char **values = realloc (axis->values,
                                   (axis->count + 1) * sizeof *values);
    if (!values)
        return -1;
    axis->values = values;
    const char **sources = realloc (axis->sources,
                                    (axis->count + 1) * sizeof *sources);
    if (!sources)
        return -1;
    axis->sources = sources;
    axis->values [axis->count] = value;
    axis->sources [axis->count] = source? source: "";
    axis->count++;
    return 0;
}

static int
s_axis_add (recipe_axis_t *axis, const char *value, const char *source)
{
    return s_axis_push (axis, value, source, false);
}

//  Drop the repeated values of an axis, keeping the first of each.
static void
s_axis_unique (recipe_axis_t *axis)
{
    size_t kept = 0;
    for (size_t i = 0; i < axis->count; i++) {
        bool seen = false;
        for (size_t k = 0; k < kept && !seen; k++)
            seen = strcmp (axis->values [k], axis->values [i]) == 0;
        if (seen)
            continue;
        axis->values [kept] = axis->values [i];
        axis->sources [kept] = axis->sources [i];
        kept++;
    }
    axis->count = kept;
}

//  An entry with pair-versions lists its runtimes' versions in pairs (the
//  nth Elixir with the nth OTP): the job runs those pairs, not every
//  combination, when each varying axis has as many values as the main one.
//  Otherwise the axes are plain lists again.
static void
s_pair_axes (recipe_t *self, bool wanted)
{
    if (!wanted || self->axes_count < 2)
        return;
    size_t rows = self->axes [0].count;
    bool fits = rows > 1;
    for (size_t k = 1; fits && k < self->axes_count; k++)
        fits = self->axes [k].count == rows || self->axes [k].count <= 1;
    if (fits) {
        self->paired = true;
        return;
    }
    for (size_t k = 0; k < self->axes_count; k++)
        s_axis_unique (&self->axes [k]);
}

//  The axes: the report's versions of each runtime the entry knows, the
//  msrv beside the main runtime, defaults where the report says nothing
//  and no version file is used.
static int
s_build_axes (recipe_t *self, const report_job_t *job)
{
    const ynode_t *versions = ytree_get (self->entry, "versions");
    if (!versions || !versions->keys || versions->count == 0)
        return 0;
    self->axes = calloc (versions->count, sizeof *self->axes);
    if (!self->axes)
        return -1;
    const char *pair = ytree_str (ytree_get (self->entry, "pair-versions"), "");
    bool paired = strcmp (pair, "true") == 0;
    const char *together = ytree_str (ytree_get (self->entry, "versions-together"), "");
    for (size_t k = 0; k < versions->count; k++) {
        const char *input = ytree_str (versions->items [k], NULL);
        if (!input)
            continue;
        recipe_axis_t *axis = &self->axes [self->axes_count++];
        axis->runtime = versions->keys [k];
        axis->input = input;
        axis->together = strcmp (together, "true") == 0;
        for (size_t i = 0; i < job->versions_count; i++) {
            const report_value_t *version = &job->versions [i];
            if (version->key && version->value && *version->value
            &&  strcmp (version->key, axis->runtime) == 0
            &&  s_axis_push (axis, version->value, version->source,
                             paired && k > 0))
                return -1;
        }
    }
    s_pair_axes (self, paired);
    if (self->axes_count == 0)
        return 0;
    recipe_axis_t *main_axis = &self->axes [0];
    const char *msrv = recipe_setting (job, "msrv");
    const char *msrv_with = ytree_str (ytree_get (self->entry, "msrv-with"), NULL);
    if (msrv && *msrv && msrv_with) {
        if ((main_axis->count == 0 && s_axis_add (main_axis, msrv_with, ""))
        ||  s_axis_add (main_axis, msrv, s_setting_source (job, "msrv")))
            return -1;
    }
    //  The version file stands for the versions, or (version-file-beside)
    //  goes with them: global.json pins the SDK, the frameworks need
    //  their runtimes.
    const char *file = recipe_setting (job, "version-file");
    const char *beside = ytree_str (ytree_get (self->entry, "version-file-beside"), "");
    if (file && *file && (main_axis->count == 0 || strcmp (beside, "true") == 0)) {
        self->version_file = file;
        self->version_file_source = s_setting_source (job, "version-file");
        if (main_axis->count == 0)
            return 0;
    }
    const ynode_t *defaults = recipe_get (self, "defaults");
    for (size_t k = 0; k < self->axes_count; k++) {
        recipe_axis_t *axis = &self->axes [k];
        const char *fallback = ytree_str (ytree_get (defaults, axis->runtime), NULL);
        if (axis->count == 0 && fallback) {
            if (s_axis_add (axis, fallback, ""))
                return -1;
            axis->from_default = true;
        }
    }
    return 0;
}

int
recipe_build (recipe_t *self, const knowledge_t *kb, const report_job_t *job)
{
    memset (self, 0, sizeof *self);
    self->entry = s_find_entry (kb, job, &self->entry_name);
    if (job->tool && *job->tool)
        self->tool = ytree_get (ytree_get (self->entry, "tools"), job->tool);
    self->dir = s_normal_dir (job->dir);
    if (!self->dir)
        goto out_release;
    self->name = s_display_name (kb, self, job);
    if (!self->name || s_build_axes (self, job))
        goto out_release;
    return 0;
out_release:
    recipe_release (self);
    errno = ENOMEM;
    return -1;
}

void
recipe_release (recipe_t *self)
{
    for (size_t i = 0; i < self->axes_count; i++) {
        free (self->axes [i].values);
        free (self->axes [i].sources);
    }
    free (self->axes);
    free (self->dir);
    free (self->name);
    memset (self, 0, sizeof *self);
}

int
recipe_expand (const recipe_t *self, const report_job_t *job,
               const char *tmpl, char **text_p)
{
    *text_p = NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out)
        return -1;
    bool omit = false;
    for (const char *p = tmpl; *p && !omit; ) {
        if (strncmp (p, "{dir}", 5) == 0) {
            omit = *self->dir == 0;
            fputs (self->dir, out);
            p += 5;
        }
        else
        if ((strncmp (p, "{setting:", 9) == 0 || strncmp (p, "{words:", 7) == 0)
        &&  strchr (p, '}')) {
            //  {words:KEY}: a list setting ("clippy, rustfmt") as the
            //  words of a command line ("clippy rustfmt")
            bool words = p [1] == 'w';
            size_t skip = words? 7: 9;
            const char *end = strchr (p, '}');
            char key [128];
            snprintf (key, sizeof key, "%.*s", (int) (end - p - skip), p + skip);
            const char *value = recipe_setting (job, key);
            omit = !value || !*value;
            const char *sep = "";
            for (const char *v = value? value: ""; *v; ) {
                if (!words) {
                    fputs (v, out);
                    break;
                }
                size_t n = strcspn (v, ", ");
                if (n) {
                    fprintf (out, "%s%.*s", sep, (int) n, v);
                    sep = " ";
                }
                v += n;
                v += strspn (v, ", ");
            }
            p = end + 1;
        }
        else
            fputc (*p++, out);
    }
    if (fclose (out) || !text) {
        free (text);
        errno = ENOMEM;
        return -1;
    }
    if (omit)
        free (text);
    else
        *text_p = text;
    return 0;
}

const ynode_t *
recipe_get (const recipe_t *self, const char *key)
{
    const ynode_t *node = ytree_get (self->tool, key);
    return node? node: ytree_get (self->entry, key);
}

bool
recipe_axis_varies (const recipe_axis_t *axis)
{
    return axis->count > 1 && !axis->together;
}

bool
recipe_has_matrix (const recipe_t *self)
{
    for (size_t i = 0; i < self->axes_count; i++)
        if (recipe_axis_varies (&self->axes [i]))
            return true;
    return false;
}

static bool
s_id_taken (const char *id, char *const *taken, size_t taken_count,
            const char *const *reserved)
{
    for (size_t i = 0; i < taken_count; i++)
        if (strcasecmp (taken [i], id) == 0)
            return true;
    for (size_t i = 0; reserved && reserved [i]; i++)
        if (strcasecmp (reserved [i], id) == 0)
            return true;
    return false;
}

char *
recipe_job_id (const char *raw, char *const *taken, size_t taken_count,
               const char *const *reserved)
{
    if (!raw || !*raw)
        raw = "build";
    size_t size = strlen (raw);
    if (size > 64)
        size = 64;
    //  Room for a "job-" prefix and a "-NNN" suffix.
    char *id = malloc (size + 4 + 24);
    if (!id)
        return NULL;
    size_t at = 0;
    if (!isalpha ((unsigned char) raw [0]) && raw [0] != '_') {
        memcpy (id, "job-", 4);
        at = 4;
    }
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char) raw [i];
        id [at++] = isalnum (c) || c == '_' || c == '-'? (char) c: '-';
    }
    id [at] = 0;
    for (unsigned n = 2; s_id_taken (id, taken, taken_count, reserved); n++)
        snprintf (id + at, 24, "-%u", n);
    return id;
}

//  The port steps reach a service on, from its first mapping
//  ("[ip:]host:container[/proto]"): the host side where ports are
//  published (GitHub), the container side by alias (GitLab).
static void
s_service_port (const report_service_t *service, bool by_alias, char *out, size_t size)
{
    snprintf (out, size, "%s", "");
    if (!service->ports_count || !service->ports [0])
        return;
    char copy [64];
    snprintf (copy, sizeof copy, "%s", service->ports [0]);
    char *proto = strchr (copy, '/');
    if (proto)
        *proto = 0;
    char *last = strrchr (copy, ':');
    if (!last || by_alias) {
        snprintf (out, size, "%s", last? last + 1: copy);
        return;
    }
    *last = 0;
    char *host = strrchr (copy, ':');
    snprintf (out, size, "%s", host? host + 1: copy);
}

//  Append text to a growing string, percent-encoding all but RFC 3986's
//  unreserved characters when encode (a password inside a URL).
static int
s_append (char **buf, size_t *len, size_t *cap, const char *text, bool encode)
{
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char) *p;
        bool plain = !encode || isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~';
        if (*len + 4 >= *cap) {
            size_t grown = *cap? *cap * 2: 64;
            char *bigger = realloc (*buf, grown);
            if (!bigger)
                return -1;
            *buf = bigger;
            *cap = grown;
        }
        if (plain)
            (*buf) [(*len)++] = (char) c;
        else
            *len += (size_t) snprintf (*buf + *len, 4, "%%%02X", c);
    }
    return 0;
}

char *
recipe_service_text (const knowledge_t *kb, const report_service_t *service,
                     const char *tmpl, bool by_alias)
{
    const ynode_t *def = ytree_path (knowledge_root (kb), "services", service->name, NULL);
    const char *user = knowledge_service_credential (kb, service->name, service->env,
                                                     service->env_count, "user");
    const char *password = knowledge_service_credential (kb, service->name, service->env,
                                                         service->env_count, "password");
    const char *db = knowledge_service_credential (kb, service->name, service->env,
                                                   service->env_count, "db");
    bool url = strstr (tmpl, "://") != NULL;
    char port [32];
    size_t len = 0, cap = 64;
    char *buf = malloc (cap);
    if (!buf)
        return errno = ENOMEM, NULL;
    s_service_port (service, by_alias, port, sizeof port);
    int rc = 0;
    for (const char *p = tmpl; *p && rc == 0; ) {
        const char *close = *p == '{'? strchr (p, '}'): NULL;
        size_t n = close? (size_t) (close - p - 1): 0;
        char key [16] = "";
        if (close && n < sizeof key)
            snprintf (key, sizeof key, "%.*s", (int) n, p + 1);
        if (strcmp (key, "host") == 0) {
            char *alias = by_alias? recipe_job_id (service->name, NULL, 0, NULL): NULL;
            rc = by_alias && !alias? -1: s_append (&buf, &len, &cap, alias? alias: "127.0.0.1", false);
            free (alias);
        }
        else
        if (strcmp (key, "port") == 0)
            rc = s_append (&buf, &len, &cap, port, false);
        else
        if (strcmp (key, "user") == 0)
            rc = s_append (&buf, &len, &cap, user, url);
        else
        if (strcmp (key, "password") == 0)
            rc = s_append (&buf, &len, &cap, password, url);
        else
        if (strcmp (key, "db") == 0)
            rc = s_append (&buf, &len, &cap, db, url);
        else
        if (strcmp (key, "userinfo") == 0) {
            //  "user:password@" when the service has a user, else nothing
            if (*user)
                rc = s_append (&buf, &len, &cap, user, true)
                  || s_append (&buf, &len, &cap, ":", false)
                  || s_append (&buf, &len, &cap, password, true)
                  || s_append (&buf, &len, &cap, "@", false);
        }
        else
        if (strcmp (key, "ifuser") == 0) {
            if (*user)
                rc = s_append (&buf, &len, &cap, ytree_str (ytree_path (def, "credentials",
                                                   "if-user", NULL), ""), false);
        }
        else {
            char one [2] = { *p, 0 };
            rc = s_append (&buf, &len, &cap, one, false);
            p++;
            continue;
        }
        p = close + 1;
    }
    if (rc) {
        free (buf);
        return errno = ENOMEM, NULL;
    }
    buf [len] = 0;
    return buf;
}

//  One client-env map of a service: each variable not seen yet, its
//  template filled in. 0, or -1 with errno ENOMEM.
typedef struct {
    const char *names [64];
    size_t count;
} env_seen_t;

static int
s_client_env_map (const knowledge_t *kb, const ynode_t *env, const report_service_t *service,
                  bool by_alias, env_seen_t *seen, recipe_env_fn *fn, void *arg)
{
    for (size_t k = 0; env && env->kind == YNODE_MAP && k < env->count; k++) {
        const char *name = env->keys [k];
        const char *tmpl = ytree_str (env->items [k], NULL);
        bool taken = !tmpl || seen->count == sizeof seen->names / sizeof seen->names [0];
        for (size_t s = 0; !taken && s < seen->count; s++)
            taken = strcmp (seen->names [s], name) == 0;
        if (taken)
            continue;
        seen->names [seen->count++] = name;
        char *value = recipe_service_text (kb, service, tmpl, by_alias);
        if (!value)
            return errno = ENOMEM, -1;
        fn (arg, name, value);
    }
    return 0;
}

int
recipe_client_env (const knowledge_t *kb, const report_job_t *job, bool by_alias,
                   recipe_env_fn *fn, void *arg)
{
    env_seen_t seen = { .count = 0 };
    for (size_t i = 0; i < job->services_count; i++) {
        const report_service_t *service = &job->services [i];
        const ynode_t *def = ytree_path (knowledge_root (kb), "services",
                                         service->name, NULL);
        //  the ecosystem's own spelling first (Active Record wants mysql2://)
        const ynode_t *own = job->ecosystem
            ? ytree_path (def, "client-env-by-ecosystem", job->ecosystem, NULL): NULL;
        if (s_client_env_map (kb, own, service, by_alias, &seen, fn, arg)
            || s_client_env_map (kb, ytree_get (def, "client-env"), service, by_alias,
                                 &seen, fn, arg))
            return -1;
    }
    return 0;
}

bool
recipe_powershell (const char *run)
{
    while (*run == ' ' || *run == '\t')
        run++;
    const char *end = run;
    while (*end && *end != ' ' && *end != '\t' && *end != '\n')
        end++;
    size_t n = (size_t) (end - run);
    return n > 4 && strncasecmp (end - 4, ".ps1", 4) == 0;
}
