/*  workers/detector/dservice.c - databases and brokers a compose file or a
    README `docker run` starts, matched by image name.  */
#include "workers/detector/dservice.h"

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
            const char *service = s_service_of (ytree_str (image, NULL));
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
                    char *copy = strdup (image->value);
                    if (copy) {
                        free (job->services [s].image);
                        job->services [s].image = copy;
                    }
                    else
                        self->oom = true;
                }
            dctx_service (self, job, service, image->value, source);
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

void
dservice_detect (dctx_t *self)
{
    if (!self->report->jobs_count)
        return;
    s_compose (self);
    s_docker_run (self);
}
