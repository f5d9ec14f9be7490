/*  workers/parser/parser.h - reads a project's documents (README first)
    with cmark into a readme_doc_t: sections, code blocks, commands with
    their kind and reason, badges and version facts.  */
#ifndef PARSER_H_INCLUDED
#define PARSER_H_INCLUDED

#include "proto/project.h"
#include "proto/readme_doc.h"
#include "workers/step.h"

//  Parse docs into *doc (zeroed first), reading commands by the tools kb
//  knows. Returns 0, or -1 with errno and a one-line reason in err. Never
//  crashes on any input bytes.
int parser_parse (const knowledge_t *kb, const project_docs_t *docs, readme_doc_t *doc,
                  char *err, size_t err_size);

//  The parse step: frames [docs] -> encoded readme_doc_t.
step_fn parser_step;

#endif
