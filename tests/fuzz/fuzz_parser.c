/*  tests/fuzz/fuzz_parser.c - libFuzzer target for the README parser: the
    input is README.md; what it yields must travel on the wire, and the
    detector (README only) and generator must take it without crashing.  */
#include "workers/detector/detector.h"
#include "workers/generator/generator.h"
#include "workers/parser/parser.h"
#include "tests/fuzz/shipped_kb.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    project_docs_t docs = { 0 };
    S_ENSURE (project_docs_add (&docs, "README.md", (const char *) data,
                                size) == 0);
    readme_doc_t doc;
    char err [256] = "";
    if (parser_parse (s_knowledge (), &docs, &doc, err, sizeof err)) {
        S_ENSURE (err [0] != 0);
        project_docs_release (&docs);
        return 0;
    }
    //  Whatever the parser produces, the detector's decoder accepts.
    uint8_t *buf;
    size_t buf_size;
    S_ENSURE (readme_doc_encode (&doc, &buf, &buf_size) == 0);
    readme_doc_t decoded;
    S_ENSURE (readme_doc_decode (&decoded, buf, buf_size) == 0);
    readme_doc_release (&decoded);
    free (buf);
    for (size_t i = 0; i < doc.commands_count; i++) {
        S_ENSURE (doc.commands [i].text && doc.commands [i].reason);
        S_ENSURE (doc.commands [i].section < doc.sections_count
                  || doc.sections_count == 0);
    }

    //  Degraded mode: the README alone makes the report.
    project_t project = { 0 };
    report_t report;
    if (detector_detect (s_knowledge (), &project, &doc, true, &report, err,
                         sizeof err) == 0) {
        char *text = NULL;
        if (generator_render (s_knowledge (), &report, NULL, &text, err,
                              sizeof err) == 0)
            S_ENSURE (text);
        free (text);
        report_release (&report);
    }
    readme_doc_release (&doc);
    project_docs_release (&docs);
    return 0;
}
