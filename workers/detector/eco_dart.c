/*  workers/detector/eco_dart.c - Dart and Flutter from pubspec.yaml:
    environment.sdk for versions, build_runner before analyze and test.  */
#include "workers/detector/eco.h"

#include <stdio.h>

void
eco_dart_detect (dctx_t *self)
{
    if (!dctx_has (self, "pubspec.yaml"))
        return;
    report_job_t *job = dctx_job (self, "dart", DCTX_STRONG);
    if (!job)
        return;
    const project_file_t *file = dctx_manifest (self, "pubspec.yaml");
    ynode_t *root = file? ytree_parse (file->data, file->size, NULL, 0): NULL;
    dctx_add_name (self, ytree_str (ytree_get (root, "name"), NULL));
    const ynode_t *flutter = ytree_path (root, "dependencies", "flutter", NULL);
    bool is_flutter = flutter || ytree_path (root, "environment", "flutter", NULL);
    char source [192];
    if (is_flutter) {
        dctx_source (source, sizeof source, "pubspec.yaml", flutter? flutter->line: 0,
                     "dependencies.flutter");
        dctx_tool (self, job, "flutter", source);
        dctx_language (self, job, "dart");
        dctx_setting (self, job, "flutter", "true", source);
    }
    else
        dctx_tool (self, job, "pub", "pubspec.yaml");
    const ynode_t *sdk = ytree_path (root, "environment", "sdk", NULL);
    bool matrix = false;
    if (ytree_str (sdk, NULL)) {
        dctx_source (source, sizeof source, "pubspec.yaml", sdk->line, "environment.sdk");
        matrix = dctx_matrix (self, job, "dart", sdk->value, source);
    }
    if (!matrix && !is_flutter)
        dctx_matrix (self, job, "dart", NULL, "knowledge: supported Dart lines");
    const char *bin = is_flutter? "flutter": "dart";
    char run [64];
    snprintf (run, sizeof run, "%s pub get", bin);
    dctx_step (self, job, CMD_INSTALL, run, "pubspec.yaml");
    //  code generators (json_serializable, freezed...) write the .g.dart
    //  files analyze and the tests import; they are not committed
    const ynode_t *runner = ytree_path (root, "dev_dependencies", "build_runner", NULL);
    if (!runner)
        runner = ytree_path (root, "dependencies", "build_runner", NULL);
    if (runner) {
        dctx_source (source, sizeof source, "pubspec.yaml", runner->line, "build_runner");
        dctx_step (self, job, CMD_BUILD,
                   "dart run build_runner build --delete-conflicting-outputs", source);
    }
    snprintf (run, sizeof run, "%s analyze", bin);
    dctx_step (self, job, CMD_LINT, run, "pubspec.yaml");
    snprintf (run, sizeof run, "%s test", bin);
    dctx_step (self, job, CMD_TEST, run, "pubspec.yaml");
    ytree_destroy (&root);
}
