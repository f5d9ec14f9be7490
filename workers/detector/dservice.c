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

//  Put theirs (count "NAME=value" strings, taken over) in front of the
//  service's env: each replaces ours of the same name, and one of an
//  exclusive group (MySQL's root password settings) the whole group.
static void
s_merge_env (dctx_t *self, report_service_t *svc, char **theirs, size_t count)
{
    if (!count)
        return;
    const ynode_t *def = ytree_path (knowledge_root (self->kb), "services", svc->name, NULL);
    bool exclusive = false;
    for (size_t k = 0; k < count; k++)
        exclusive = exclusive || s_exclusive (def, theirs [k], strcspn (theirs [k], "="));
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
        size_t n = strcspn (ours, "=");
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

//  Publish the service's container port on host_port instead of ours.
static void
s_set_host_port (dctx_t *self, report_service_t *svc, const char *mapping)
{
    char *copy = strdup (mapping);
    if (!copy) {
        self->oom = true;
        return;
    }
    if (svc->ports_count) {
        free (svc->ports [0]);
        svc->ports [0] = copy;
        return;
    }
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

//  The service's environment and published port as the compose file
//  sets them: the maintainers' tests connect with those credentials.
//  Its variables replace ours (s_merge_env); a host:container port
//  mapping replaces our port.
static void
s_compose_settings (dctx_t *self, report_service_t *svc, const ynode_t *node)
{
    const ynode_t *environment = ytree_get (node, "environment");
    char *theirs [32];
    size_t count = 0;
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
        if (entry [0] == '=')
            continue;
        theirs [count] = strdup (entry);
        if (!theirs [count]) {
            self->oom = true;
            break;
        }
        count++;
    }
    s_merge_env (self, svc, theirs, count);
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
        s_set_host_port (self, svc, mapping);
        break;
    }
}

//  The names of the services a compose file configured (at most 8).
typedef struct {
    const char *names [8];
    size_t count;
} configured_t;

static bool
s_configured (const configured_t *self, const char *service)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->names [i], service) == 0)
            return true;
    return false;
}

static void
s_compose (dctx_t *self, configured_t *configured)
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
                if (strcmp (job->services [s].name, service) == 0) {
                    s_compose_settings (self, &job->services [s], services->items [k]);
                    if (configured->count < 8 && !s_configured (configured, service))
                        configured->names [configured->count++] = service;
                }
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

//  What an example environment says about how the app logs in to one
//  service: from a URL (postgres://user:pass@host:5433/db) or Laravel's
//  DB_USERNAME, DB_PASSWORD, DB_DATABASE and DB_PORT.
typedef struct {
    const char *service;
    char user [128], password [128], db [128], port [16];
    bool has_user, has_password, has_db, has_port;
} creds_t;

//  Copy n bytes of text to out, decoding %XX escapes.
static void
s_decode (const char *text, size_t n, char *out, size_t size)
{
    size_t at = 0;
    for (size_t i = 0; i < n && at + 1 < size; i++) {
        unsigned hex;
        if (text [i] == '%' && i + 2 < n && isxdigit ((unsigned char) text [i + 1])
            && isxdigit ((unsigned char) text [i + 2])
            && sscanf (text + i + 1, "%2x", &hex) == 1) {
            out [at++] = (char) hex;
            i += 2;
        }
        else
            out [at++] = text [i];
    }
    out [at] = 0;
}

//  Fill creds from a URL's user, password, port and path.
static void
s_creds_from_url (creds_t *creds, const char *value, size_t len)
{
    const char *p = memchr (value, ':', len);
    if (!p || (size_t) (value + len - p) < 3 || strncmp (p, "://", 3) != 0)
        return;
    const char *rest = p + 3, *end = value + len;
    const char *slash = memchr (rest, '/', (size_t) (end - rest));
    const char *authority_end = slash? slash: end;
    const char *query = memchr (rest, '?', (size_t) (end - rest));
    if (query && query < authority_end)
        authority_end = query;
    const char *at = NULL;
    for (const char *q = rest; q < authority_end; q++)
        if (*q == '@')
            at = q;
    const char *host = rest;
    if (at) {
        const char *colon = memchr (rest, ':', (size_t) (at - rest));
        s_decode (rest, (size_t) ((colon? colon: at) - rest), creds->user, sizeof creds->user);
        creds->has_user = creds->user [0] != 0;
        if (colon) {
            s_decode (colon + 1, (size_t) (at - colon - 1), creds->password,
                      sizeof creds->password);
            creds->has_password = true;
        }
        host = at + 1;
    }
    const char *colon = memchr (host, ':', (size_t) (authority_end - host));
    if (colon && authority_end - colon > 1 && authority_end - colon < (long) sizeof creds->port) {
        snprintf (creds->port, sizeof creds->port, "%.*s",
                  (int) (authority_end - colon - 1), colon + 1);
        creds->has_port = strspn (creds->port, "0123456789") == strlen (creds->port);
    }
    if (slash) {
        const char *stop = query && query > slash? query: end;
        s_decode (slash + 1, (size_t) (stop - slash - 1), creds->db, sizeof creds->db);
        creds->has_db = creds->db [0] != 0 && !strchr (creds->db, '/');
    }
}

//  One entry of a knowledge env template ("POSTGRES_USER={user}") filled
//  from creds, or NULL when it names a credential creds lacks.
static char *
s_fill_entry (const char *tmpl, const creds_t *creds)
{
    char out [512];
    size_t at = 0;
    for (const char *p = tmpl; *p && at + 1 < sizeof out; ) {
        const char *value = NULL;
        size_t skip = 0;
        if (strncmp (p, "{user}", 6) == 0)
            value = creds->has_user? creds->user: NULL, skip = 6;
        else
        if (strncmp (p, "{password}", 10) == 0)
            value = creds->has_password? creds->password: NULL, skip = 10;
        else
        if (strncmp (p, "{db}", 4) == 0)
            value = creds->has_db? creds->db: NULL, skip = 4;
        if (skip && !value)
            return NULL;
        if (skip) {
            at += (size_t) snprintf (out + at, sizeof out - at, "%s", value);
            if (at >= sizeof out)
                return NULL;
            p += skip;
        }
        else
            out [at++] = *p++;
    }
    out [at] = 0;
    return strdup (out);
}

//  Set the service up the way the example environment logs in: the
//  knowledge's env-from-credentials variant for the user (the image's
//  root user or another) and an empty or given password, each entry
//  filled from creds, and the port it names published.
static void
s_apply_creds (dctx_t *self, report_service_t *svc, const creds_t *creds)
{
    const ynode_t *def = ytree_path (knowledge_root (self->kb), "services", svc->name, NULL);
    const ynode_t *variants = ytree_get (def, "env-from-credentials");
    const char *root = ytree_str (ytree_get (def, "root-user"), NULL);
    bool is_root = root && creds->has_user && strcmp (creds->user, root) == 0;
    bool empty = creds->has_password && !creds->password [0];
    const char *name = is_root? (empty? "root-empty-password": "root")
                              : (empty? "empty-password": "default");
    const ynode_t *list = ytree_get (variants, name);
    if (!list)
        list = ytree_get (variants, "default");
    char *theirs [16];
    size_t count = 0;
    for (size_t i = 0; list && list->kind == YNODE_SEQ && i < list->count && count < 16; i++) {
        char *entry = s_fill_entry (ytree_str (list->items [i], ""), creds);
        if (entry)
            theirs [count++] = entry;
    }
    s_merge_env (self, svc, theirs, count);
    if (creds->has_port && svc->ports_count) {
        const char *container = strrchr (svc->ports [0], ':');
        char mapping [64];
        snprintf (mapping, sizeof mapping, "%s:%s", creds->port,
                  container? container + 1: svc->ports [0]);
        s_set_host_port (self, svc, mapping);
    }
}

//  The credentials entry for service in found, made when new; NULL when
//  found is full.
static creds_t *
s_creds_for (creds_t *found, size_t *count_p, const char *service)
{
    for (size_t i = 0; i < *count_p; i++)
        if (strcmp (found [i].service, service) == 0)
            return &found [i];
    if (*count_p == 4)
        return NULL;
    creds_t *creds = &found [(*count_p)++];
    memset (creds, 0, sizeof *creds);
    creds->service = service;
    return creds;
}

//  What from has replaces what into had.
static void
s_creds_merge (creds_t *into, const creds_t *from)
{
    if (from->has_user)
        memcpy (into->user, from->user, sizeof into->user), into->has_user = true;
    if (from->has_password)
        memcpy (into->password, from->password, sizeof into->password), into->has_password = true;
    if (from->has_db)
        memcpy (into->db, from->db, sizeof into->db), into->has_db = true;
    if (from->has_port)
        memcpy (into->port, from->port, sizeof into->port), into->has_port = true;
}

//  Laravel's DB_USERNAME, DB_PASSWORD, DB_DATABASE and DB_PORT.
static void
s_laravel_key (creds_t *creds, const char *key, size_t key_len, const char *value,
               size_t value_len)
{
    static const char *const keys [] = { "DB_USERNAME", "DB_PASSWORD", "DB_DATABASE",
                                         "DB_PORT" };
    char *fields [] = { creds->user, creds->password, creds->db, creds->port };
    size_t sizes [] = { sizeof creds->user, sizeof creds->password, sizeof creds->db,
                        sizeof creds->port };
    bool *flags [] = { &creds->has_user, &creds->has_password, &creds->has_db,
                       &creds->has_port };
    for (size_t i = 0; i < 4; i++)
        if (key_len == strlen (keys [i]) && strncmp (key, keys [i], key_len) == 0
            && value_len < sizes [i]) {
            snprintf (fields [i], sizes [i], "%.*s", (int) value_len, value);
            //  an empty password is a setting; an empty name or port is not
            *flags [i] = i == 1 || value_len;
            if (i == 3)
                *flags [i] = value_len && strspn (fields [i], "0123456789") == value_len;
        }
}

static void
s_env_examples (dctx_t *self, const configured_t *configured)
{
    static const char *const names [] = { ".env.example", ".env.sample", ".env.dist",
        ".env.test", ".env.testing", NULL };
    //  later files (.env.testing) say more about the tests than earlier
    //  ones (.env.example): their credentials win
    creds_t found [4];
    size_t found_count = 0;
    memset (found, 0, sizeof found);
    for (size_t i = 0; names [i]; i++) {
        const project_file_t *file = dctx_manifest (self, names [i]);
        if (!file)
            continue;
        creds_t laravel;
        memset (&laravel, 0, sizeof laravel);
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
                    if (memchr (value, ':', value_len)) {
                        creds_t *creds = s_creds_for (found, &found_count, service);
                        if (creds)
                            s_creds_from_url (creds, value, value_len);
                    }
                    if (strncmp (key, "DB_CONNECTION=", 14) == 0)
                        laravel.service = service;
                }
                s_laravel_key (&laravel, key, (size_t) (eq - key), value, value_len);
            }
            p = eol? eol + 1: end;
        }
        creds_t *creds = laravel.service? s_creds_for (found, &found_count, laravel.service)
                                        : NULL;
        if (creds)
            s_creds_merge (creds, &laravel);
    }
    for (size_t i = 0; i < found_count; i++) {
        if (s_configured (configured, found [i].service))
            continue;
        for (size_t j = 0; j < self->report->jobs_count; j++) {
            report_job_t *job = &self->report->jobs [j];
            for (size_t k = 0; k < job->services_count; k++)
                if (strcmp (job->services [k].name, found [i].service) == 0)
                    s_apply_creds (self, &job->services [k], &found [i]);
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
        //  a lockfile lists what the dependencies pull in, not what the
        //  project asks for
        if (!file->name || !file->data || strncmp (file->name, ".env", 4) == 0
            || strstr (file->name, "compose.") || strstr (file->name, "-lock.")
            || strstr (file->name, "shrinkwrap"))
            continue;
        for (size_t k = 0; libs && libs->kind == YNODE_SEQ && k < libs->count; k++) {
            const char *lib = ytree_str (libs->items [k], NULL);
            if (lib && *lib && strcasestr (file->data, lib))
                return file->name;
        }
    }
    return NULL;
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
            report_service_release (&job->services [k]);
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
    configured_t configured = { .count = 0 };
    s_compose (self, &configured);
    s_docker_run (self);
    s_env_examples (self, &configured);
    for (size_t j = 0; j < self->report->jobs_count; j++)
        for (size_t k = 0; k < self->report->jobs [j].services_count; k++)
            s_fill_health (self, &self->report->jobs [j].services [k]);
}
