/*  cli/cli_config.c - `readme2ci config check | show` (see
    cli_config.h).  */
#include "cli/cli_config.h"

#include "common/config.h"
#include "common/knowledge.h"
#include "common/util.h"
#include "cli/cli_exit.h"
#include "cli/cli_target.h"

#include <jansson.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_help =
    "usage: readme2ci config check FILE\n"
    "       readme2ci config show [FILE] [--json]\n"
    "\n"
    "check: validates a config file and the rules overlays it names without\n"
    "starting anything; every error names the file, line and column.\n"
    "show: without FILE, the configuration the running supervisor uses now,\n"
    "with the defaults filled in: worker counts and commands as `ctl scale`\n"
    "and `ctl update` left them, each line that differs from the config file\n"
    "as it is now marked `# the file says: VALUE`. With FILE, that file's\n"
    "effective configuration.\n"
    "\n"
    "  --json     show as one JSON document: the YAML, and the differences\n"
    "             from the file (key, running, file)\n"
    "\n"
    "examples:\n"
    "  readme2ci config check examples/readme2ci.yml\n"
    "  readme2ci config show\n"
    "  readme2ci config show --json | jq .differences\n";

//  Loads path and checks the rules overlays it names. EXIT_OK, or
//  EXIT_INPUT with every problem said.
static int
s_load_checked (const char *path, config_t *config)
{
    config_errors_t errors = { 0 };
    if (config_load (path, config, &errors)) {
        config_errors_print (&errors, "readme2ci", stderr);
        if (errors.count == 0)
            fprintf (stderr, "readme2ci: %s: %s\n", path, strerror (errno));
        config_errors_release (&errors);
        config_release (config);
        return EXIT_INPUT;
    }
    int code = EXIT_OK;
    char err [1024] = "";
    knowledge_t *kb = knowledge_new (err, sizeof err);
    for (size_t i = 0; kb && i < config->rule_count && code == EXIT_OK; i++) {
        char *text;
        size_t size;
        if (util_read_file (config->rules [i], 4 * 1024 * 1024, &text, &size)) {
            code = cli_fail (EXIT_INPUT, "%s: %s", config->rules [i], strerror (errno));
            break;
        }
        if (knowledge_overlay (kb, config->rules [i], text, size, err, sizeof err))
            code = cli_fail (EXIT_INPUT, "%s", err);
        free (text);
    }
    knowledge_destroy (&kb);
    if (code)
        config_release (config);
    return code;
}

//  The running worker counts and commands from the status document, over
//  the configuration the supervisor read. A command is taken only when
//  it is not the one the configuration already means.
static void
s_apply_live (config_t *running, const char *status_json)
{
    json_t *root = json_loads (status_json, 0, NULL);
    char dir [PATH_MAX] = "";
    util_exe_dir (dir, sizeof dir);
    size_t i;
    json_t *entry;
    json_array_foreach (json_object_get (root, "components"), i, entry) {
        const char *name = json_string_value (json_object_get (entry, "name"));
        for (int id = 0; name && id < CONFIG_COMPONENTS; id++) {
            if (strcmp (config_component_name (id), name))
                continue;
            config_component_t *component = &running->components [id];
            json_t *desired = json_object_get (entry, "desired");
            if (json_is_integer (desired))
                component->workers = (uint32_t) json_integer_value (desired);
            const char *command = json_string_value (json_object_get (entry, "command"));
            char meant [PATH_MAX + 32];
            if (component->command)
                util_copy (meant, sizeof meant, component->command);
            else
                snprintf (meant, sizeof meant, "%s/readme2ci-%s", dir, name);
            if (command && strcmp (command, meant)) {
                free (component->command);
                component->command = strdup (command);
            }
        }
    }
    json_decref (root);
}

//  text with "   # SAYS: VALUE" after each line whose dotted key
//  is in changes (the emitter writes plain block YAML, two spaces a
//  level). Caller frees.
static char *
s_mark (const char *text, const config_changes_t *changes, const char *says)
{
    char *out = NULL;
    size_t size = 0;
    FILE *file = open_memstream (&out, &size);
    if (!file)
        return NULL;
    char path [8][64] = { { 0 } };
    for (const char *line = text; *line; ) {
        const char *end = strchr (line, '\n');
        size_t len = end? (size_t) (end - line): strlen (line);
        fwrite (line, 1, len, file);
        size_t indent = strspn (line, " ");
        const char *colon = memchr (line, ':', len);
        if (line [indent] != '#' && line [indent] != '-' && colon && indent / 2 < 8) {
            size_t depth = indent / 2;
            snprintf (path [depth], sizeof path [depth], "%.*s", (int) (colon - line - indent),
                      line + indent);
            char key [8 * 64 + 8] = "";
            for (size_t d = 0; d <= depth; d++) {
                size_t used = strlen (key);
                snprintf (key + used, sizeof key - used, "%s%s", d? ".": "", path [d]);
            }
            for (size_t c = 0; c < changes->count; c++)
                if (strcmp (changes->items [c].key, key) == 0)
                    fprintf (file, "   # %s: %s", says, changes->items [c].old_value);
        }
        fputc ('\n', file);
        line += len + (end? 1: 0);
    }
    fclose (file);
    return out;
}

static int
s_show_running (bool as_json)
{
    cli_target_t target;
    int code = cli_target_open (&target);
    if (code) {
        fprintf (stderr, "readme2ci: give a FILE to show its effective configuration\n");
        return code;
    }
    client_reply_t reply, status;
    code = cli_target_request (&target, "config", NULL, 0, CLI_CONNECT_MS, &reply);
    if (code == EXIT_OK && (code = cli_target_code (&reply)))
        cli_fail (code, "config show: %s", reply.reply.message);
    if (code == EXIT_OK
    &&  (code = cli_target_request (&target, "status", NULL, 0, CLI_CONNECT_MS, &status)))
        client_reply_release (&reply);
    cli_target_close (&target);
    if (code)
        return code;
    const char *file_path = reply.reply.message;
    config_t running, from_file;
    config_errors_t errors = { 0 };
    if (config_parse ("the running configuration", reply.body, reply.body_size, &running,
                      &errors)) {
        config_errors_release (&errors);
        client_reply_release (&reply);
        client_reply_release (&status);
        return cli_fail (EXIT_UNAVAILABLE, "the supervisor sent a configuration this "
                       "command cannot read (another version?)");
    }
    s_apply_live (&running, status.body);
    //  The file as it is now (it may have been edited since); none: the
    //  defaults, as the supervisor started without one.
    bool have_file = file_path [0] != 0;
    if (have_file) {
        if (config_load (file_path, &from_file, NULL)) {
            config_release (&from_file);
            have_file = false;
        }
    }
    else
        config_defaults (&from_file);
    config_changes_t changes = { 0 };
    if (have_file || !file_path [0])
        config_diff (&from_file, &running, &changes);
    char *text = config_emit (&running);
    char *marked = text? s_mark (text, &changes, file_path [0]? "the file says"
                                                              : "the default is"): NULL;
    const char *against = file_path [0]? file_path: "the defaults (no config file)";
    if (as_json) {
        json_t *differences = json_array ();
        for (size_t i = 0; i < changes.count; i++)
            json_array_append_new (differences, json_pack ("{s:s, s:s, s:s}",
                "key", changes.items [i].key, "running", changes.items [i].new_value,
                "file", changes.items [i].old_value));
        json_t *doc = json_pack ("{s:s?, s:b, s:s, s:o}", "file", file_path [0]? file_path: NULL,
                                 "file_readable", have_file || !file_path [0],
                                 "yaml", text? text: "", "differences", differences);
        char *dump = doc? json_dumps (doc, JSON_INDENT (2)): NULL;
        if (dump)
            printf ("%s\n", dump);
        free (dump);
        json_decref (doc);
    }
    else {
        printf ("# the running configuration: %s%s, with the defaults filled in\n",
                file_path [0]? "from ": "", file_path [0]? file_path: "no config file");
        if (file_path [0] && !have_file)
            printf ("# (%s cannot be read now: nothing is compared)\n", file_path);
        else
        if (changes.count)
            printf ("# %zu setting%s differ%s from %s (marked below)\n", changes.count,
                    changes.count == 1? "": "s", changes.count == 1? "s": "", against);
        fputs (marked? marked: text? text: "", stdout);
    }
    free (marked);
    free (text);
    config_changes_release (&changes);
    config_release (&running);
    if (have_file || !file_path [0])
        config_release (&from_file);
    client_reply_release (&reply);
    client_reply_release (&status);
    return EXIT_OK;
}

int
cli_config (int argc, char **argv)
{
    //  --help anywhere only helps: `config check --help` reads no file
    //  called --help.
    for (int i = 0; i < argc; i++)
        if (cli_is_help (argv [i]))
            return cli_help (s_help, "config");
    if (argc < 1) {
        fputs (s_help, stderr);
        return EXIT_USAGE;
    }
    bool as_json = false;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--json") == 0 && strcmp (argv [0], "show") == 0)
            as_json = true;
        else
        if (!file && (argv [i][0] != '-' || !argv [i][1]))
            file = argv [i];
        else
            return cli_fail (EXIT_USAGE, "config %s: unexpected argument '%s' (see --help)",
                           argv [0], argv [i]);
    }
    bool check = strcmp (argv [0], "check") == 0;
    if (!check && strcmp (argv [0], "show") != 0)
        return cli_fail (EXIT_USAGE, "config: unknown command '%s' (check FILE, show [FILE])",
                       argv [0]);
    if (check && !file)
        return cli_fail (EXIT_USAGE, "config check: give the config FILE (see --help)");
    if (!file)
        return s_show_running (as_json);
    config_t config;
    int code = s_load_checked (file, &config);
    if (code)
        return code;
    if (check)
        printf ("readme2ci: %s is valid (%zu rules overlay%s)\n", file, config.rule_count,
                config.rule_count == 1? "": "s");
    else {
        char *text = config_emit (&config);
        if (as_json) {
            json_t *doc = json_pack ("{s:s, s:s}", "file", file, "yaml", text? text: "");
            char *dump = doc? json_dumps (doc, JSON_INDENT (2)): NULL;
            if (dump)
                printf ("%s\n", dump);
            free (dump);
            json_decref (doc);
        }
        else
        if (text)
            fputs (text, stdout);
        free (text);
    }
    config_release (&config);
    return EXIT_OK;
}
