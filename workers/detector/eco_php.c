/*  workers/detector/eco_php.c - PHP with composer: composer scripts as the
    project's wrapper, phpunit or pest, the php version from require.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"

#include <stdio.h>
#include <string.h>

//  Composer writes "|" for "or" and "~1.2" for ">=1.2 <2": rewrite to the
//  forms vrange reads ("||", "~>").
static void
s_composer_range (const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = in; *p && n + 3 < size; p++) {
        if (*p == '|' && p [1] != '|' && (p == in || p [-1] != '|')) {
            out [n++] = '|';
            out [n++] = '|';
        }
        else
        if (*p == '~' && p [1] != '>') {
            out [n++] = '~';
            out [n++] = '>';
        }
        else
            out [n++] = *p;
    }
    out [n] = 0;
}

void
eco_php_detect (dctx_t *self)
{
    if (!dctx_has (self, "composer.json"))
        return;
    report_job_t *job = dctx_job (self, "php", DCTX_STRONG);
    if (!job)
        return;
    dctx_tool (self, job, "composer", "composer.json");
    const project_file_t *file = dctx_manifest (self, "composer.json");
    json_t *root = eco_json (self, file, false);
    dctx_add_name (self, json_string_value (json_object_get (root, "name")));
    char source [192], range [128];
    const char *php = json_string_value (json_object_get (json_object_get (root, "require"),
                                                          "php"));
    bool matrix = false;
    if (php) {
        s_composer_range (php, range, sizeof range);
        dctx_source (source, sizeof source, "composer.json",
                     dtext_json_line (file->data, "require", "php"), "require.php");
        matrix = dctx_matrix (self, job, "php", range, source);
    }
    if (!matrix)
        dctx_matrix (self, job, "php", NULL, "knowledge: supported PHP lines");
    //  a library commits no lock: update resolves, install replays the lock
    bool locked = eco_locked (self, "php", "composer");
    const char *install = eco_install (self, "php", "composer", locked);
    if (install)
        dctx_step (self, job, CMD_INSTALL, install, locked? "composer.lock"
                   : "composer.json (no composer.lock)");
    //  A Laravel application reads its settings from .env and refuses to
    //  encrypt without an APP_KEY: both come from the committed example,
    //  as the framework's own setup does it
    if (dctx_has (self, "artisan")
        && json_object_get (json_object_get (root, "require"), "laravel/framework")
        && dctx_has (self, ".env.example") && !dctx_has (self, ".env")) {
        dctx_source (source, sizeof source, "composer.json",
                     dtext_json_line (file->data, "require", "laravel/framework"),
                     "require laravel/framework");
        dctx_step_named (self, job, CMD_INSTALL, "Configure the application",
                         "cp .env.example .env", source);
        dctx_step_named (self, job, CMD_INSTALL, "Generate the application key",
                         "php artisan key:generate", source);
    }
    json_t *scripts = json_object_get (root, "scripts");
    static const char *const lints [] = { "lint", "cs", "phpstan", "analyse", NULL };
    for (size_t i = 0; lints [i]; i++)
        if (json_object_get (scripts, lints [i])) {
            char run [64], what [64];
            snprintf (run, sizeof run, "composer %s", lints [i]);
            snprintf (what, sizeof what, "scripts.%s", lints [i]);
            dctx_source (source, sizeof source, "composer.json",
                         dtext_json_line (file->data, "scripts", lints [i]), what);
            dctx_step (self, job, CMD_LINT, run, source);
            break;
        }
    json_t *dev = json_object_get (root, "require-dev");
    if (json_object_get (scripts, "test")) {
        dctx_source (source, sizeof source, "composer.json",
                     dtext_json_line (file->data, "scripts", "test"), "scripts.test");
        dctx_step (self, job, CMD_TEST, "composer test", source);
    }
    else
    if (json_object_get (dev, "pestphp/pest")) {
        dctx_source (source, sizeof source, "composer.json",
                     dtext_json_line (file->data, "require-dev", "pestphp/pest"),
                     "require-dev pestphp/pest");
        dctx_step (self, job, CMD_TEST, "vendor/bin/pest", source);
    }
    else
    if (json_object_get (dev, "phpunit/phpunit") || dctx_has (self, "phpunit.xml.dist")
        || dctx_has (self, "phpunit.xml")) {
        dctx_source (source, sizeof source, "composer.json",
                     dtext_json_line (file->data, "require-dev", "phpunit/phpunit"),
                     "require-dev phpunit/phpunit");
        dctx_step (self, job, CMD_TEST, "vendor/bin/phpunit", source);
    }
    else {
        static const char *const tools [] = { "phpunit", "pest", "vendor/bin/phpunit", NULL };
        eco_make_wrapper (self, job, CMD_TEST, "test", tools);
    }
    static const char *const sections [] = { "require", "require-dev", NULL };
    for (size_t i = 0; sections [i]; i++) {
        const char *name;
        json_t *value;
        json_object_foreach (json_object_get (root, sections [i]), name, value) {
            char what [96];
            snprintf (what, sizeof what, "%s %s", sections [i], name);
            dctx_source (source, sizeof source, "composer.json",
                         dtext_json_line (file->data, sections [i], name), what);
            dctx_driver (self, job, name, source);
        }
    }
    json_decref (root);
}
