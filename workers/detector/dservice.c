/*  workers/detector/dservice.c - databases and brokers a compose file or a
    README `docker run` starts, matched by image name, and those a
    committed example environment (.env.example) points the app at.  */
#include "workers/detector/dservice.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The service an image runs ("postgres:16-alpine" -> postgres), or NULL.
static const char *
s_service_of (const char *image)
{
    static const char *const map [][2] = {
        { "postgres", "postgres" }, { "postgis", "postgres" }, { "mysql", "mysql" },
        { "mariadb", "mysql" }, { "redis", "redis" }, { "valkey", "redis" },
        { "mongo", "mongodb" }, { "memcached", "memcached" }, { "rabbitmq", "rabbitmq" },
    };
    if (!image)
        return NULL;
    //  the repository's last path element, before the tag
    const char *base = strrchr (image, '/');
    base = base? base + 1: image;
    for (size_t i = 0; i < sizeof map / sizeof map [0]; i++) {
        size_t n = strlen (map [i][0]);
        if (strncmp (base, map [i][0], n) == 0
            && (base [n] == 0 || base [n] == ':' || base [n] == '-' || base [n] == '@'))
            return map [i][1];
    }
    return NULL;
}

//  The job for a service: one that already has it, else the first.
static report_job_t *
s_job_for (dctx_t *self, const char *service)
{
    for (size_t j = 0; j < self->report->jobs_count; j++) {
        report_job_t *job = &self->report->jobs [j];
        for (size_t k = 0; k < job->services_count; k++)
            if (strcmp (job->services [k].name, service) == 0)
                return job;
    }
    return self->report->jobs_count? &self->report->jobs [0]: NULL;
}

//  A compose value with its variables' defaults filled in
//  ("${PG_TAG:-16}" -> "16"). False when a variable has no default (the
//  value then depends on a shell we cannot see) or out is too small.
static bool
s_compose_value (const char *raw, char *out, size_t size)
{
    size_t at = 0;
    for (const char *p = raw; *p; ) {
        if (p [0] == '$' && p [1] == '$') {
            p += 2;
            if (at + 1 >= size)
                return false;
            out [at++] = '$';
            continue;
        }
        if (p [0] == '$') {
            const char *close = p [1] == '{'? strchr (p, '}'): NULL;
            const char *dash = close? strstr (p, "-"): NULL;
            if (!close || !dash || dash > close)
                return false;
            const char *from = dash + 1;
            size_t n = (size_t) (close - from);
            if (at + n >= size)
                return false;
            memcpy (out + at, from, n);
            at += n;
            p = close + 1;
            continue;
        }
        if (at + 1 >= size)
            return false;
        out [at++] = *p++;
    }
    out [at] = 0;
    return true;
}

//  True when name is one of the knowledge's exclusive-env names of def.
static bool
s_exclusive (const ynode_t *def, const char *name, size_t n)
{
    const ynode_t *group = ytree_get (def, "exclusive-env");
    for (size_t i = 0; group && group->kind == YNODE_SEQ && i < group->count; i++) {
        const char *one = ytree_str (group->items [i], "");
        if (strlen (one) == n && strncmp (one, name, n) == 0)
            return true;
    }
    return false;
}

//  The service's environment and published port as the compose file
//  sets them: the maintainers' tests connect with those credentials.
//  Its variables replace ours of the same name (and, for an exclusive
//  group such as MySQL's root password settings, the whole group); ours
//  fill the rest. A host:container port mapping replaces ours.
static void
s_compose_settings (dctx_t *self, report_service_t *svc, const ynode_t *node)
{
    const ynode_t *def = ytree_path (knowledge_root (self->kb), "services", svc->name, NULL);
    const ynode_t *environment = ytree_get (node, "environment");
    char *theirs [32];
    size_t count = 0;
    bool exclusive = false;
    for (size_t i = 0; environment && i < environment->count && count < 32; i++) {
        char entry [512], value [256];
        if (environment->kind == YNODE_MAP) {
            if (!s_compose_value (ytree_str (environment->items [i], ""), value, sizeof value))
                continue;
            snprintf (entry, sizeof entry, "%s=%s", environment->keys [i], value);
        }
        else
        if (environment->kind == YNODE_SEQ) {
            const char *text = ytree_str (environment->items [i], "");
            if (!strchr (text, '=') || !s_compose_value (text, entry, sizeof entry))
                continue;
        }
        else
            break;
        const char *eq = strchr (entry, '=');
        if (eq == entry)
            continue;
        exclusive = exclusive || s_exclusive (def, entry, (size_t) (eq - entry));
        theirs [count] = strdup (entry);
        if (!theirs [count]) {
            self->oom = true;
            break;
        }
        count++;
    }
    if (count) {
        char **merged = calloc (count + svc->env_count, sizeof *merged);
        if (!merged) {
            self->oom = true;
            for (size_t i = 0; i < count; i++)
                free (theirs [i]);
            return;
        }
        size_t used = 0;
        for (size_t i = 0; i < count; i++)
            merged [used++] = theirs [i];
        for (size_t i = 0; i < svc->env_count; i++) {
            const char *ours = svc->env [i];
            const char *eq = strchr (ours, '=');
            size_t n = eq? (size_t) (eq - ours): strlen (ours);
            bool replaced = exclusive && s_exclusive (def, ours, n);
            for (size_t k = 0; k < count && !replaced; k++)
                replaced = strncmp (theirs [k], ours, n) == 0 && theirs [k][n] == '=';
            if (replaced)
                free (svc->env [i]);
            else
                merged [used++] = svc->env [i];
        }
        free (svc->env);
        svc->env = merged;
        svc->env_count = used;
    }
    //  the first mapping that publishes a port: "5433:5432",
    //  "127.0.0.1:5433:5432", or the long form {published, target}
    const ynode_t *ports = ytree_get (node, "ports");
    for (size_t i = 0; ports && ports->kind == YNODE_SEQ && i < ports->count; i++) {
        const ynode_t *item = ports->items [i];
        char mapping [64] = "";
        if (item->kind == YNODE_MAP) {
            const char *published = ytree_str (ytree_get (item, "published"), NULL);
            const char *target = ytree_str (ytree_get (item, "target"), NULL);
            if (published && target)
                snprintf (mapping, sizeof mapping, "%s:%s", published, target);
        }
        else
        if (!s_compose_value (ytree_str (item, ""), mapping, sizeof mapping))
            continue;
        //  a range or a bare container port publishes nothing we can name
        if (!strchr (mapping, ':') || strchr (mapping, '-'))
            continue;
        char *copy = strdup (mapping);
        if (!copy) {
            self->oom = true;
            return;
        }
        if (svc->ports_count) {
            free (svc->ports [0]);
            svc->ports [0] = copy;
        }
        else {
            char **one = malloc (sizeof *one);
            if (!one) {
                free (copy);
                self->oom = true;
                return;
            }
            one [0] = copy;
            free (svc->ports);
            svc->ports = one;
            svc->ports_count = 1;
        }
        break;
    }
}

static void
s_compose (dctx_t *self)
{
    static const char *const names [] = { "compose.yaml", "compose.yml",
        "docker-compose.yml", "docker-compose.yaml", NULL };
    for (size_t i = 0; names [i]; i++) {
        const project_file_t *file = dctx_manifest (self, names [i]);
        if (!file)
            continue;
        ynode_t *root = ytree_parse (file->data, file->size, NULL, 0);
        const ynode_t *services = ytree_get (root, "services");
        for (size_t k = 0; services && services->kind == YNODE_MAP && k < services->count; k++) {
            const ynode_t *image = ytree_get (services->items [k], "image");
            char tag [256];
            if (!s_compose_value (ytree_str (image, ""), tag, sizeof tag))
                continue;
            const char *service = s_service_of (tag);
            if (!service)
                continue;
            char source [160], what [96];
            snprintf (what, sizeof what, "services.%s", services->keys [k]);
            dctx_source (source, sizeof source, file->name, image->line, what);
            report_job_t *job = s_job_for (self, service);
            //  a job that has the service from a driver keeps it; the
            //  compose file's image is the better one
            for (size_t s = 0; job && s < job->services_count; s++)
                if (strcmp (job->services [s].name, service) == 0) {
                    char *copy = strdup (tag);
                    if (copy) {
                        free (job->services [s].image);
                        job->services [s].image = copy;
                    }
                    else
                        self->oom = true;
                }
            dctx_service (self, job, service, tag, source);
            for (size_t s = 0; job && s < job->services_count; s++)
                if (strcmp (job->services [s].name, service) == 0)
                    s_compose_settings (self, &job->services [s], services->items [k]);
        }
        ytree_destroy (&root);
        return;
    }
}

static void
s_docker_run (dctx_t *self)
{
    const readme_doc_t *doc = self->doc;
    for (size_t i = 0; i < doc->commands_count; i++) {
        const char *text = doc->commands [i].text;
        const char *run = text? strstr (text, "docker run"): NULL;
        if (!run)
            continue;
        //  the first word after the options that names a known image
        char copy [512];
        snprintf (copy, sizeof copy, "%s", run + 10);
        for (char *tok = strtok (copy, " \t"); tok; tok = strtok (NULL, " \t")) {
            if (tok [0] == '-')
                continue;
            const char *service = s_service_of (tok);
            if (!service)
                continue;
            char source [160];
            const char *name = doc->commands [i].doc < doc->docs_count
                             && doc->docs [doc->commands [i].doc]
                             ? doc->docs [doc->commands [i].doc]: "README.md";
            snprintf (source, sizeof source, "%s:%u docker run", name, doc->commands [i].line);
            dctx_service (self, s_job_for (self, service), service, tok, source);
            break;
        }
    }
}

//  The service one KEY=value line of an example environment points at:
//  a URL's scheme (DATABASE_URL=postgres://..., MONGO_URI=mongodb://...),
//  Laravel's DB_CONNECTION, or a host setting of a service with a name
//  of its own (REDIS_HOST, MEMCACHED_HOST). NULL for anything else.
static const char *
s_service_of_env (const char *key, size_t key_len, const char *value, size_t value_len)
{
    static const char *const schemes [][2] = {
        { "postgres://", "postgres" }, { "postgresql://", "postgres" },
        { "postgis://", "postgres" }, { "mysql://", "mysql" }, { "mysql2://", "mysql" },
        { "mariadb://", "mysql" }, { "redis://", "redis" }, { "rediss://", "redis" },
        { "mongodb://", "mongodb" }, { "mongodb+srv://", "mongodb" },
        { "amqp://", "rabbitmq" }, { "memcached://", "memcached" },
    };
    //  "postgresql+psycopg://" (SQLAlchemy) names its driver after a '+'
    char scheme [32];
    size_t n = 0;
    while (n < value_len && n + 1 < sizeof scheme && value [n] != ':' && value [n] != '+')
        scheme [n] = value [n], n++;
    scheme [n] = 0;
    const char *rest = memchr (value, ':', value_len);
    if (n && rest && (size_t) (value + value_len - rest) >= 3 && strncmp (rest, "://", 3) == 0)
        for (size_t i = 0; i < sizeof schemes / sizeof schemes [0]; i++)
            if (strncmp (schemes [i][0], scheme, n) == 0 && schemes [i][0][n] == ':')
                return schemes [i][1];
    if (key_len == 13 && strncmp (key, "DB_CONNECTION", 13) == 0) {
        static const char *const drivers [][2] = { { "pgsql", "postgres" },
            { "postgres", "postgres" }, { "postgresql", "postgres" }, { "mysql", "mysql" },
            { "mariadb", "mysql" }, { "mongodb", "mongodb" } };
        for (size_t i = 0; i < sizeof drivers / sizeof drivers [0]; i++)
            if (value_len == strlen (drivers [i][0])
                && strncmp (value, drivers [i][0], value_len) == 0)
                return drivers [i][1];
        return NULL;
    }
    static const char *const hosts [][2] = { { "REDIS_HOST", "redis" },
        { "REDIS_URL", "redis" }, { "MEMCACHED_HOST", "memcached" },
        { "MONGO_HOST", "mongodb" }, { "MONGODB_HOST", "mongodb" },
        { "RABBITMQ_HOST", "rabbitmq" } };
    for (size_t i = 0; value_len && i < sizeof hosts / sizeof hosts [0]; i++)
        if (key_len == strlen (hosts [i][0]) && strncmp (key, hosts [i][0], key_len) == 0)
            return hosts [i][1];
    return NULL;
}

static void
s_env_examples (dctx_t *self)
{
    static const char *const names [] = { ".env.example", ".env.sample", ".env.dist",
        ".env.test", ".env.testing", NULL };
    for (size_t i = 0; names [i]; i++) {
        const project_file_t *file = dctx_manifest (self, names [i]);
        if (!file)
            continue;
        const char *p = file->data, *end = file->data + file->size;
        for (unsigned line = 1; p < end; line++) {
            const char *eol = memchr (p, '\n', (size_t) (end - p));
            const char *stop = eol? eol: end;
            const char *key = p;
            while (key < stop && (*key == ' ' || *key == '\t'))
                key++;
            if (stop - key > 7 && strncmp (key, "export ", 7) == 0)
                key += 7;
            const char *eq = memchr (key, '=', (size_t) (stop - key));
            if (eq && *key != '#') {
                const char *value = eq + 1;
                size_t value_len = (size_t) (stop - value);
                while (value_len && (value [value_len - 1] == '\r' || value [value_len - 1] == ' '))
                    value_len--;
                if (value_len >= 2 && (*value == '"' || *value == '\'')
                    && value [value_len - 1] == *value)
                    value++, value_len -= 2;
                const char *service = s_service_of_env (key, (size_t) (eq - key),
                                                        value, value_len);
                if (service) {
                    char source [160], what [64];
                    snprintf (what, sizeof what, "%.*s", (int) (eq - key < 48? eq - key: 48), key);
                    dctx_source (source, sizeof source, file->name, line, what);
                    dctx_service (self, s_job_for (self, service), service, NULL, source);
                }
            }
            p = eol? eol + 1: end;
        }
    }
}

//  The manifest that names a library whose tests start their own
//  containers (the knowledge's self-started-services: Testcontainers),
//  or NULL. Compose files and example environments are not manifests of
//  dependencies and are not read.
static const char *
s_self_started (const dctx_t *self)
{
    const ynode_t *libs = ytree_get (knowledge_root (self->kb), "self-started-services");
    for (size_t i = 0; self->project && !self->readme_only
                       && i < self->project->manifests_count; i++) {
        const project_file_t *file = &self->project->manifests [i];
        if (!file->name || !file->data || strncmp (file->name, ".env", 4) == 0
            || strstr (file->name, "compose."))
            continue;
        for (size_t k = 0; libs && libs->kind == YNODE_SEQ && k < libs->count; k++) {
            const char *lib = ytree_str (libs->items [k], NULL);
            if (lib && *lib && strcasestr (file->data, lib))
                return file->name;
        }
    }
    return NULL;
}

static void
s_service_release (report_service_t *service)
{
    for (size_t i = 0; i < service->ports_count; i++)
        free (service->ports [i]);
    for (size_t i = 0; i < service->env_count; i++)
        free (service->env [i]);
    free (service->ports);
    free (service->env);
    free (service->name);
    free (service->image);
    free (service->health);
    free (service->source);
}

//  Tests that start their own database with Testcontainers need Docker,
//  not a service container: one would only hold the port they may want.
static void
s_drop_services (dctx_t *self, const char *manifest)
{
    bool dropped = false;
    for (size_t j = 0; j < self->report->jobs_count; j++) {
        report_job_t *job = &self->report->jobs [j];
        for (size_t k = 0; k < job->services_count; k++)
            s_service_release (&job->services [k]);
        dropped = dropped || job->services_count;
        free (job->services);
        job->services = NULL;
        job->services_count = 0;
    }
    if (dropped)
        dctx_note (self, "info", "the tests start their own containers (Testcontainers): "
                   "no service containers", manifest);
}

//  A credential as one shell word: as it is when every character is
//  safe, else in single quotes.
static void
s_shell_word (const char *text, char *out, size_t size)
{
    bool safe = *text != 0;
    for (const char *p = text; *p && safe; p++)
        safe = isalnum ((unsigned char) *p) || strchr ("_@%+=:,./-", *p);
    if (safe || !*text) {
        snprintf (out, size, "%s", text);
        return;
    }
    size_t at = 0;
    out [at++] = '\'';
    for (const char *p = text; *p && at + 5 < size; p++) {
        if (*p == '\'') {
            memcpy (out + at, "'\\''", 4);
            at += 4;
        }
        else
            out [at++] = *p;
    }
    out [at++] = '\'';
    out [at] = 0;
}

//  The knowledge's health commands name the credentials ({user},
//  {password}, {db}): filled in once the service's env is settled.
static void
s_fill_health (dctx_t *self, report_service_t *svc)
{
    if (!svc->health || !strchr (svc->health, '{'))
        return;
    char filled [1024];
    size_t at = 0;
    for (const char *p = svc->health; *p && at + 1 < sizeof filled; ) {
        static const char *const keys [] = { "user", "password", "db" };
        bool done = false;
        for (size_t k = 0; k < 3 && !done && *p == '{'; k++) {
            size_t n = strlen (keys [k]);
            if (strncmp (p + 1, keys [k], n) != 0 || p [n + 1] != '}')
                continue;
            char word [300];
            s_shell_word (knowledge_service_credential (self->kb, svc->name, svc->env,
                                                        svc->env_count, keys [k]),
                          word, sizeof word);
            at += (size_t) snprintf (filled + at, sizeof filled - at, "%s", word);
            if (at >= sizeof filled)
                at = sizeof filled - 1;
            p += n + 2;
            done = true;
        }
        if (!done)
            filled [at++] = *p++;
    }
    filled [at] = 0;
    char *copy = strdup (filled);
    if (!copy) {
        self->oom = true;
        return;
    }
    free (svc->health);
    svc->health = copy;
}

void
dservice_detect (dctx_t *self)
{
    if (!self->report->jobs_count)
        return;
    const char *self_started = s_self_started (self);
    if (self_started) {
        s_drop_services (self, self_started);
        return;
    }
    s_compose (self);
    s_docker_run (self);
    s_env_examples (self);
    for (size_t j = 0; j < self->report->jobs_count; j++)
        for (size_t k = 0; k < self->report->jobs [j].services_count; k++)
            s_fill_health (self, &self->report->jobs [j].services [k]);
}
