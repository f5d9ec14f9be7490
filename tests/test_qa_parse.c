/*  QA of README reading as maintainers really write it: output lines in
    promptless blocks, prompts without their space, commands listed in
    list items and tables, READMEs in reStructuredText and AsciiDoc. The
    documents are invented here.  */
#include "workers/parser/parser.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------------
//  Helpers

//  Parses one document called name.
static void
s_parse_named (readme_doc_t *doc, const char *name, const char *text)
{
    project_docs_t docs = { 0 };
    cr_assert_eq (project_docs_add (&docs, name, text, strlen (text)), 0);
    char err [256] = "";
    cr_assert_eq (parser_parse (&docs, doc, err, sizeof err), 0, "%s", err);
    project_docs_release (&docs);
}

static void
s_parse (readme_doc_t *doc, const char *text)
{
    s_parse_named (doc, "README.md", text);
}

//  The command with exactly this text, or NULL.
static const readme_cmd_t *
s_cmd (const readme_doc_t *doc, const char *text)
{
    for (size_t i = 0; i < doc->commands_count; i++)
        if (strcmp (doc->commands [i].text, text) == 0)
            return &doc->commands [i];
    return NULL;
}

static const readme_cmd_t *
s_must (const readme_doc_t *doc, const char *text)
{
    const readme_cmd_t *cmd = s_cmd (doc, text);
    if (!cmd) {
        for (size_t i = 0; i < doc->commands_count; i++)
            fprintf (stderr, "  have [%s] line %u\n", doc->commands [i].text,
                     doc->commands [i].line);
        cr_assert_fail ("no command [%s]", text);
    }
    return cmd;
}

//  --------------------------------------------------------------------------
//  Output in blocks without prompts

Test (qa_parse, npm_echo_after_a_bare_command_is_output)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n## Running tests\n\n```bash\nnpm test\n\n"
                   "> app@1.0.0 test\n> mocha\n\n  12 passing (30ms)\n```\n");
    cr_assert_eq (doc.commands_count, 1, "got %zu", doc.commands_count);
    const readme_cmd_t *cmd = s_must (&doc, "npm test");
    cr_assert_eq (cmd->kind, CMD_TEST);
    cr_assert_eq (cmd->line, 6);
    cr_assert_eq (cmd->flags & CMD_F_PROMPT, 0u);
    readme_doc_release (&doc);
}

Test (qa_parse, greater_than_prompts_still_count_when_the_block_opens_with_one)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```sh\n> npm install\n> npm test\n```\n");
    cr_assert_eq (doc.commands_count, 2);
    cr_assert_eq (s_must (&doc, "npm test")->flags & CMD_F_PROMPT, CMD_F_PROMPT);
    s_must (&doc, "npm install");
    readme_doc_release (&doc);
}

Test (qa_parse, rules_and_counts_are_output)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```sh\npytest\n=========== 3 passed in 0.01s ===========\n"
                   "----------\n3 passed\nmake check\n```\n");
    cr_assert_eq (doc.commands_count, 2, "got %zu", doc.commands_count);
    s_must (&doc, "pytest");
    s_must (&doc, "make check");
    readme_doc_release (&doc);
}

Test (qa_parse, dollar_without_its_space_is_a_prompt_before_a_tool)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```shell\n$npm run lint\n```\n\n```sh\n$HOME/bin/tool --x\n```\n");
    const readme_cmd_t *cmd = s_must (&doc, "npm run lint");
    cr_assert_eq (cmd->kind, CMD_LINT);
    cr_assert_null (s_cmd (&doc, "HOME/bin/tool --x"));
    readme_doc_release (&doc);
}

//  --------------------------------------------------------------------------
//  Commands listed in prose

Test (qa_parse, list_items_and_table_cells_that_open_with_a_command)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n## Development\n\n"
                   "- `npm ci` — install dependencies\n"
                   "- `npm run build`: compile\n"
                   "* `make -C docs html` builds the docs\n\n"
                   "| Command | What |\n| --- | --- |\n| `npm run test:e2e` | browser tests |\n\n"
                   "## Requirements\n\n- `cmake` 3.16 or later\n- `make`\n"
                   "- a C compiler; see `gcc --version` for yours\n");
    cr_assert_eq (s_must (&doc, "npm ci")->flags & CMD_F_INLINE, CMD_F_INLINE);
    cr_assert_eq (s_must (&doc, "npm run build")->kind, CMD_BUILD);
    s_must (&doc, "make -C docs html");
    const readme_cmd_t *e2e = s_must (&doc, "npm run test:e2e");
    cr_assert_eq (e2e->line, 11);
    //  a lone tool name in a list is a prerequisite; a span after prose
    //  that does not ask to run it is not a command
    cr_assert_null (s_cmd (&doc, "cmake"));
    cr_assert_null (s_cmd (&doc, "make"));
    cr_assert_null (s_cmd (&doc, "gcc --version"));
    readme_doc_release (&doc);
}
