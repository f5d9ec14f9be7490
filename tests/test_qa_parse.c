/*  QA of README reading as maintainers really write it: output lines in
    promptless blocks, prompts without their space, commands listed in
    list items and tables, READMEs in reStructuredText and AsciiDoc. The
    documents are invented here.  */
#include "workers/parser/parser.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <stdarg.h>
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
    cr_assert_eq (parser_parse (tu_kb (), &docs, doc, err, sizeof err), 0, "%s", err);
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

//  The path of the section a command sits in.
static const char *
s_path_of (const readme_doc_t *doc, const readme_cmd_t *cmd)
{
    cr_assert_lt (cmd->section, doc->sections_count);
    return doc->sections [cmd->section].path;
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

Test (qa_parse, bash_default_prompts_are_prompts)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```console\nsh-5.1$ make lint\nbash$ make test\n"
                   "bash-5.2# make install\nok\nshare$ not a prompt\n```\n");
    cr_assert_eq (doc.commands_count, 3, "got %zu", doc.commands_count);
    cr_assert_eq (s_must (&doc, "make lint")->flags & CMD_F_PROMPT, CMD_F_PROMPT);
    cr_assert_eq (s_must (&doc, "make test")->line, 5);
    s_must (&doc, "make install");
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

Test (qa_parse, package_manager_options_before_the_script_take_their_value)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```sh\npnpm --filter web test\nnpm -w packages/core run lint\n"
                   "yarn --cwd app build\n```\n");
    cr_assert_eq (s_must (&doc, "pnpm --filter web test")->kind, CMD_TEST);
    cr_assert_eq (s_must (&doc, "npm -w packages/core run lint")->kind, CMD_LINT);
    cr_assert_eq (s_must (&doc, "yarn --cwd app build")->kind, CMD_BUILD);
    readme_doc_release (&doc);
}

Test (qa_parse, run_before_what_a_script_does_is_not_running_the_program)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```sh\n./scripts/run-tests.sh\nnpm run run:lint\n"
                   "tools/run_build.py\n./run-server.sh\n```\n");
    cr_assert_eq (s_must (&doc, "./scripts/run-tests.sh")->kind, CMD_TEST);
    cr_assert_eq (s_must (&doc, "npm run run:lint")->kind, CMD_LINT);
    cr_assert_eq (s_must (&doc, "tools/run_build.py")->kind, CMD_BUILD);
    cr_assert_eq (s_must (&doc, "./run-server.sh")->kind, CMD_RUN);
    readme_doc_release (&doc);
}

Test (qa_parse, only_windows_syntax_in_powershell_and_cmd_blocks_is_windows_only)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```powershell\nPS C:\\src> dotnet test\n```\n\n```pwsh\nnpm ci\n"
                   ".\\build.ps1 -Release\n$env:CI = 1; npm test\nSet-Location tests\n"
                   "py -3 -m pytest\nchoco install cmake\ncmake -G \"Visual Studio 17 2022\" ..\n"
                   "```\n\n```cmd\nC:\\> set FOO=1\nC:\\> build.cmd\nC:\\> cargo test\n```\n");
    const char *portable [] = { "dotnet test", "npm ci", "cargo test" };
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq (s_must (&doc, portable [i])->flags & CMD_F_WINDOWS, 0u, "%s", portable [i]);
    const char *windows [] = { ".\\build.ps1 -Release", "$env:CI = 1; npm test",
        "Set-Location tests", "py -3 -m pytest", "choco install cmake",
        "cmake -G \"Visual Studio 17 2022\" ..", "set FOO=1", "build.cmd" };
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq (s_must (&doc, windows [i])->flags & CMD_F_WINDOWS, CMD_F_WINDOWS,
                      "%s", windows [i]);
    readme_doc_release (&doc);
}

//  --------------------------------------------------------------------------
//  Commands listed in prose

Test (qa_parse, a_colon_after_a_sentence_about_running_introduces_a_command)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n## Development\n\nTo run the tests: `pytest -x`\n\n"
                   "Formatting is checked, so before pushing: `black --check .`\n\n"
                   "Requirements: `cmake` and `ninja`. Platform: `uname -a` shows it.\n");
    cr_assert_eq (s_must (&doc, "pytest -x")->kind, CMD_TEST);
    cr_assert_eq (s_must (&doc, "black --check .")->kind, CMD_LINT);
    cr_assert_null (s_cmd (&doc, "cmake"));
    cr_assert_null (s_cmd (&doc, "uname -a"));
    cr_assert_eq (doc.commands_count, 2);
    readme_doc_release (&doc);
}

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

//  --------------------------------------------------------------------------
//  HTML in Markdown

Test (qa_parse, a_details_summary_titles_the_commands_it_hides)
{
    readme_doc_t doc;
    s_parse (&doc, "# Gizmo\n\n## Installation\n\n```sh\nnpm install -g gizmo\n```\n\n"
                   "<details>\n<summary><b>Build &amp; test</b> from source</summary>\n\n"
                   "```sh\nnpm ci\nnpm test\n```\n\n</details>\n\n"
                   "```sh\nnpm run docs\n```\n\n### Upgrading\n\n```sh\nnpm update -g gizmo\n```\n");
    const readme_cmd_t *user = s_must (&doc, "npm install -g gizmo");
    cr_assert_str_eq (s_path_of (&doc, user), "Installation");
    const readme_cmd_t *test = s_must (&doc, "npm test");
    cr_assert_str_eq (s_path_of (&doc, test), "Installation > Build & test from source");
    cr_assert_eq (doc.sections [test->section].level, 3);
    cr_assert_eq (doc.sections [test->section].line, 10);
    //  after </details> the enclosing section holds again
    cr_assert_str_eq (s_path_of (&doc, s_must (&doc, "npm run docs")), "Installation");
    cr_assert_str_eq (s_path_of (&doc, s_must (&doc, "npm update -g gizmo")),
                      "Installation > Upgrading");
    readme_doc_release (&doc);
}

Test (qa_parse, a_bold_line_alone_stands_for_a_heading)
{
    readme_doc_t doc;
    s_parse (&doc, "# Boldy\n\n**Usage**\n\n```sh\npytest --demo examples/\n```\n\n"
                   "**Running the tests:**\n\n```sh\npytest tests/\n```\n\n"
                   "**Note:** bold then prose is a paragraph.\n\n```sh\nmake docs\n```\n\n"
                   "## Other\n\n- **In a list** is not a heading\n\n__Lint__\n\n"
                   "```sh\nruff check .\n```\n");
    cr_assert_str_eq (s_path_of (&doc, s_must (&doc, "pytest --demo examples/")), "Usage");
    const readme_cmd_t *test = s_must (&doc, "pytest tests/");
    cr_assert_str_eq (s_path_of (&doc, test), "Running the tests");
    cr_assert_eq (doc.sections [test->section].level, 2);
    cr_assert_eq (doc.sections [test->section].line, 9);
    cr_assert_str_eq (s_path_of (&doc, s_must (&doc, "make docs")), "Running the tests");
    cr_assert_str_eq (s_path_of (&doc, s_must (&doc, "ruff check .")), "Other > Lint");
    for (size_t i = 0; i < doc.sections_count; i++)
        cr_assert_null (strstr (doc.sections [i].path, "In a list"));
    cr_assert_str_eq (doc.title, "Boldy");
    readme_doc_release (&doc);
}

Test (qa_parse, a_table_over_a_rule_is_not_a_heading)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n## Development\n\n| Task | Command |\n| --- | --- |\n"
                   "| tests | `make check` |\n----\n\n```sh\nmake lint\n```\n\n"
                   "Setext\n------\n\nx\n");
    cr_assert_str_eq (s_path_of (&doc, s_must (&doc, "make check")), "Development");
    cr_assert_str_eq (s_path_of (&doc, s_must (&doc, "make lint")), "Development");
    cr_assert_eq (doc.sections_count, 3);
    cr_assert_str_eq (doc.sections [2].heading, "Setext");
    readme_doc_release (&doc);
}

Test (qa_parse, pre_blocks_are_read_like_unlabelled_fences)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n## Testing\n\n<pre>\n$ make check &amp;&amp; make lint\n"
                   "PASS: 3 &lt;ok&gt;\n$ <b>cargo test</b>\n</pre>\n\n"
                   "<pre lang=\"python\">\nimport os\n</pre>\n");
    const readme_cmd_t *cmd = s_must (&doc, "make check && make lint");
    cr_assert_eq (cmd->line, 6);
    cr_assert_eq (cmd->flags & CMD_F_PROMPT, CMD_F_PROMPT);
    cr_assert_eq (s_must (&doc, "cargo test")->line, 8);
    cr_assert_eq (doc.commands_count, 2);
    cr_assert_eq (doc.blocks_count, 2);
    cr_assert_str_eq (doc.blocks [1].lang, "python");
    cr_assert_not (doc.blocks [1].shell);
    readme_doc_release (&doc);
}

//  --------------------------------------------------------------------------
//  reStructuredText

static const char *const s_rst =
    "=====\n"                                                   //  1
    "Rsty\n"
    "=====\n"
    "\n"
    "|ci|\n"                                                    //  5
    "\n"
    ".. |ci| image:: https://github.com/o/rsty/actions/workflows/tests.yml/badge.svg\n"
    "   :target: https://github.com/o/rsty/actions\n"
    "\n"
    "Installation\n"                                            //  10
    "============\n"
    "\n"
    ".. code-block:: bash\n"
    "\n"
    "   pip install rsty\n"                                     //  15
    "\n"
    "Development\n"
    "===========\n"
    "\n"
    "1. Set up:\n"                                              //  20
    "\n"
    "   .. code-block:: console\n"
    "      :caption: setup\n"
    "\n"
    "      $ python -m pip install -e .[dev]\n"                 //  25
    "      Successfully installed rsty\n"
    "\n"
    "2. Run the tests::\n"
    "\n"
    "      pytest -q\n"                                         //  30
    "\n"
    "Linting\n"
    "-------\n"
    "\n"
    ".. note::\n"                                               //  35
    "\n"
    "   Lint before sending a patch:\n"
    "\n"
    "   .. code:: sh\n"
    "\n"                                                        //  40
    "      tox -e lint\n"
    "\n"
    ".. Old way, no longer works:\n"
    "\n"
    "    python setup.py test\n"                                //  45
    "\n"
    "        make install\n"
    "\n"
    "An indented quote follows.\n"
    "\n"                                                        //  50
    "    make -C docs html\n";

Test (qa_parse, rst_sections_blocks_and_lines)
{
    readme_doc_t doc;
    s_parse_named (&doc, "README.rst", s_rst);
    cr_assert_str_eq (doc.title, "Rsty");
    const readme_cmd_t *user = s_must (&doc, "pip install rsty");
    cr_assert_eq (user->line, 15);
    cr_assert_str_eq (s_path_of (&doc, user), "Installation");
    const readme_cmd_t *dev = s_must (&doc, "python -m pip install -e .[dev]");
    cr_assert_eq (dev->line, 25);
    cr_assert_eq (dev->kind, CMD_INSTALL);
    cr_assert_eq (dev->flags & CMD_F_PROMPT, CMD_F_PROMPT);
    cr_assert_str_eq (s_path_of (&doc, dev), "Development");
    const readme_cmd_t *test = s_must (&doc, "pytest -q");
    cr_assert_eq (test->line, 30);
    cr_assert_eq (test->kind, CMD_TEST);
    const readme_cmd_t *lint = s_must (&doc, "tox -e lint");
    cr_assert_eq (lint->line, 41);
    cr_assert_str_eq (s_path_of (&doc, lint), "Development > Linting");
    //  a comment's body is not read; an indented quote is prose
    cr_assert_null (s_cmd (&doc, "python setup.py test"));
    cr_assert_null (s_cmd (&doc, "make install"));
    cr_assert_null (s_cmd (&doc, "make -C docs html"));
    cr_assert_null (s_cmd (&doc, "Successfully installed rsty"));
    //  the substitution's image is a CI badge, on the definition's line
    cr_assert_eq (doc.badges_count, 1);
    cr_assert_str_eq (doc.badges [0].kind, "ci");
    cr_assert_str_eq (doc.badges [0].link, "https://github.com/o/rsty/actions");
    cr_assert_eq (doc.badges [0].line, 7);
    readme_doc_release (&doc);
}

Test (qa_parse, rst_blocks_without_a_closing_blank_or_at_the_end)
{
    readme_doc_t doc;
    s_parse_named (&doc, "README.rst", "Title\n=====\n\n.. code-block:: bash\n\n"
                   "   make\nText right after.\n\nRun::\n\n    make check");
    s_must (&doc, "make");
    cr_assert_null (s_cmd (&doc, "Text right after."));
    cr_assert_eq (s_must (&doc, "make check")->kind, CMD_TEST);
    readme_doc_release (&doc);
}

Test (qa_parse, rst_highlight_sets_the_language_of_literal_blocks)
{
    readme_doc_t doc;
    s_parse_named (&doc, "README.rst", ".. highlight:: console\n\nT\n=\n\nTests::\n\n"
                   "    $ nox -s tests\n    nox > Session tests was successful.\n");
    cr_assert_eq (doc.commands_count, 1);
    cr_assert_eq (s_must (&doc, "nox -s tests")->kind, CMD_TEST);
    cr_assert_eq (doc.blocks_count, 1);
    cr_assert_str_eq (doc.blocks [0].lang, "console");
    readme_doc_release (&doc);
}

Test (qa_parse, a_readme_without_extension_that_uses_rst_directives)
{
    readme_doc_t doc;
    s_parse_named (&doc, "README", "Tool\n----\n\n.. code-block:: sh\n\n   make test\n");
    cr_assert_str_eq (doc.title, "Tool");
    cr_assert_eq (s_must (&doc, "make test")->line, 6);
    readme_doc_release (&doc);
    //  a Markdown README keeps reading as Markdown
    s_parse_named (&doc, "README.md", ".. code-block:: sh\n\n   make test\n");
    cr_assert_null (s_cmd (&doc, "make test"));
    readme_doc_release (&doc);
}

//  --------------------------------------------------------------------------
//  AsciiDoc

static const char *const s_adoc =
    "= Adocy\n"                                                 //  1
    ":toc: macro\n"
    "\n"
    "https://ci.example.org/o/adocy[image:https://github.com/o/adocy/actions/"
    "workflows/ci.yml/badge.svg[CI]]\n"
    "image:https://img.shields.io/npm/v/adocy.svg[npm, link=\"https://npmjs.com/adocy\"]\n"
    "\n"
    "Needs Node.js 20 or later.\n"
    "\n"
    "== Usage\n"
    "\n"                                                        //  10
    "[source,js]\n"
    "----\n"
    "adocy.run();\n"
    "----\n"
    "\n"                                                        //  15
    "== Development\n"
    "\n"
    ".Install and test\n"
    "[source,console]\n"
    "----\n"                                                    //  20
    "$ npm ci\n"
    "$ npm test\n"
    "> adocy@1.0.0 test\n"
    "----\n"
    "\n"                                                        //  25
    "////\n"
    "npm publish\n"
    "////\n"
    "// npm run release\n"
    "\n"                                                        //  30
    "....\n"
    "npm run lint\n"
    "....\n"
    "\n"
    "[source%nowrap, console]\n"                                //  35
    "----\n"
    "$ npm run build\n"
    "----\n";

Test (qa_parse, asciidoc_sections_listings_and_badges)
{
    readme_doc_t doc;
    s_parse_named (&doc, "README.adoc", s_adoc);
    cr_assert_str_eq (doc.title, "Adocy");
    cr_assert_eq (doc.commands_count, 4, "got %zu", doc.commands_count);
    cr_assert_eq (s_must (&doc, "npm run build")->line, 37);
    cr_assert_str_eq (doc.blocks [doc.blocks_count - 1].lang, "console");
    const readme_cmd_t *ci = s_must (&doc, "npm ci");
    cr_assert_eq (ci->line, 21);
    cr_assert_str_eq (s_path_of (&doc, ci), "Development");
    cr_assert_eq (s_must (&doc, "npm test")->kind, CMD_TEST);
    cr_assert_eq (s_must (&doc, "npm run lint")->line, 32);
    cr_assert_null (s_cmd (&doc, "npm publish"));
    cr_assert_null (s_cmd (&doc, "adocy.run();"));
    cr_assert_eq (doc.badges_count, 2);
    cr_assert_str_eq (doc.badges [0].kind, "ci");
    cr_assert_str_eq (doc.badges [0].link, "https://ci.example.org/o/adocy");
    cr_assert_str_eq (doc.badges [1].link, "https://npmjs.com/adocy");
    bool node = false;
    for (size_t i = 0; i < doc.facts_count; i++)
        if (strcmp (doc.facts [i].key, "node") == 0)
            node = doc.facts [i].line == 7;
    cr_assert (node, "the Node.js fact on line 7");
    readme_doc_release (&doc);
}

//  --------------------------------------------------------------------------
//  Hostile input

//  Noise built from the pieces the two readers react to, under each name.
Test (qa_parse, rst_and_asciidoc_noise_never_breaks_the_parse)
{
    static const char *const pieces [] = { "\n", "::", "\n\n", "   ", "\t", ".. ",
        "code-block:: bash", "|x| image:: ", ":target: ", ":alt: ", "=====", "-----",
        "....", "////", "++++", "[source,sh]", "image:", "https://a[", "]", "[",
        "link=\"", "= ", "== ", "$ make", "```", "\r\n", ":toc:", "\xff\xfe", "//",
        ".T", "+", "|===", "highlight:: console", "prompt:: bash", "Title", "\x00" };
    const size_t npieces = sizeof pieces / sizeof pieces [0];
    const char *names [] = { "README.rst", "README.adoc", "README" };
    unsigned seed = 2024;
    size_t cap = 256 * 1024;
    char *text = malloc (cap);
    cr_assert_not_null (text);
    for (int round = 0; round < 60; round++) {
        size_t n = 0;
        size_t target = 1 + (size_t) round * 4000;
        while (n + 32 < cap && n < target) {
            seed = seed * 1103515245u + 12345u;
            const char *piece = pieces [(seed >> 16) % npieces];
            size_t len = piece [0]? strlen (piece): 1;
            memcpy (text + n, piece, len);
            n += len;
        }
        for (size_t k = 0; k < 3; k++) {
            project_docs_t docs = { 0 };
            cr_assert_eq (project_docs_add (&docs, names [k], text, n), 0);
            readme_doc_t doc;
            char err [256] = "";
            cr_assert_eq (parser_parse (tu_kb (), &docs, &doc, err, sizeof err), 0, "%s", err);
            uint8_t *buf;
            size_t len;
            cr_assert_eq (readme_doc_encode (&doc, &buf, &len), 0);
            readme_doc_t back;
            cr_assert_eq (readme_doc_decode (&back, buf, len), 0);
            readme_doc_release (&back);
            free (buf);
            readme_doc_release (&doc);
            project_docs_release (&docs);
        }
    }
    free (text);
}

//  --------------------------------------------------------------------------
//  Through the whole tree

Test (qa_parse, an_rst_readme_gives_the_steps_and_their_lines, .timeout = 60)
{
    char *dir = tu_project (
        "setup.py", "from setuptools import setup\nsetup(name='rsty')\n",
        "README.rst", s_rst, NULL);
    char *yaml = tu_generate (dir, "--explain", NULL);
    cr_assert (strstr (yaml, "run: pytest -q"), "%s", yaml);
    cr_assert (strstr (yaml, "# from README.rst:30 (Development)"), "%s", yaml);
    //  the user's install is not a step; the comment's commands are not read
    cr_assert_null (strstr (yaml, "run: pip install rsty"), "%s", yaml);
    //  --explain says what was left out, and why, in the header
    cr_assert (strstr (yaml, "# - dropped: 'pip install rsty': installs the project itself"),
               "%s", yaml);
    cr_assert_null (strstr (yaml, "setup.py test"), "%s", yaml);
    tu_assert_lints_clean (yaml);
    free (yaml);
    char *json = tu_generate (dir, "--json", NULL);
    cr_assert (strstr (json, "'pip install rsty': installs the project itself"), "%s", json);
    free (json);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_parse, readme_scripts_and_targets_the_build_files_lack_are_dropped, .timeout = 60)
{
    char *dir = tu_project (
        "package.json", "{\"name\": \"stale\", \"version\": \"1.0.0\",\n"
                        " \"scripts\": {\"build\": \"tsc\", \"test:ci\": \"jest --ci\"}}\n",
        "Makefile", "docs:\n\ttypedoc\n",
        "README.md", "# Stale\n\n## Development\n\n```sh\nnpm install\n"
                     "npm run test:unit\nnpm test\nmake lint\nmake docs\nnpm run test:ci\n```\n",
        NULL);
    char *json = tu_generate (dir, "--json", NULL);
    cr_assert (strstr (json, "'npm run test:unit': package.json has no script 'test:unit'"),
               "%s", json);
    cr_assert (strstr (json, "'npm test': package.json has no script 'test'"), "%s", json);
    cr_assert (strstr (json, "'make lint': Makefile has no target 'lint'"), "%s", json);
    cr_assert_null (strstr (json, "'make docs':"), "%s", json);
    cr_assert (strstr (json, "\"run\": \"npm run test:ci\""), "%s", json);
    free (json);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_parse, generated_and_including_makefiles_are_not_judged, .timeout = 60)
{
    char *dir = tu_project (
        "Makefile", "include rules.mk\nall:\n\tcc -o tool tool.c\n",
        "README.md", "# Tool\n\n## Testing\n\n```sh\nmake check\n```\n", NULL);
    char *yaml = tu_generate (dir, "--explain", NULL);
    cr_assert (strstr (yaml, "run: make check"), "%s", yaml);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_parse, system_installs_of_the_title_are_usage_others_are_not_for_ubuntu,
      .timeout = 60)
{
    char *dir = tu_project (
        "Makefile", "all:\n\tcc -o rooty rooty.c\ncheck:\n\t./t.sh\n",
        "README.md", "# Rooty - a tiny init\n\n## Installation\n\n```console\n"
                     "# apt-get install rooty\n$ brew install openssl\n```\n\n"
                     "## Building\n\n```sh\nsudo apt-get install -y libcap-dev\n```\n",
        NULL);
    char *json = tu_generate (dir, "--json", NULL);
    cr_assert (strstr (json, "'apt-get install rooty': installs the project itself"),
               "%s", json);
    cr_assert (strstr (json, "'brew install openssl': not for an Ubuntu runner"), "%s", json);
    cr_assert (strstr (json, "sudo apt-get install -y libcap-dev"), "%s", json);
    cr_assert_null (strstr (json, "apt-get install -y rooty"), "%s", json);
    free (json);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_parse, headings_in_other_languages_weigh_as_in_english, .timeout = 60)
{
    //  French: the usage example comes first, the development one wins
    char *dir = tu_project (
        "pyproject.toml", "[project]\nname = \"outil\"\nversion = \"0.1\"\n",
        "README.md", "# Outil\n\n## Utilisation\n\n```sh\npytest exemples/ --demo\n```\n\n"
                     "## Développement\n\n```sh\npytest tests/ -q\n```\n", NULL);
    char *yaml = tu_generate (dir, "--explain", NULL);
    cr_assert (strstr (yaml, "run: pytest tests/ -q"), "%s", yaml);
    cr_assert (strstr (yaml, "# from README.md:12 (Développement)"), "%s", yaml);
    cr_assert_null (strstr (yaml, "run: pytest exemples"), "%s", yaml);
    free (yaml);
    char *json = tu_generate (dir, "--json", NULL);
    cr_assert (strstr (json, "'pytest exemples/ --demo': shown as usage or an example"),
               "%s", json);
    cr_assert (strstr (json, "README.md:6 (Utilisation)"), "%s", json);
    free (json);
    tu_rmtree (dir);
    free (dir);
    //  Chinese: 使用 (usage) against 测试 (testing)
    dir = tu_project (
        "pyproject.toml", "[project]\nname = \"gongju\"\nversion = \"0.1\"\n",
        "README.md", "# 工具\n\n## 使用\n\n```sh\npytest demo/\n```\n\n"
                     "## 测试\n\n```sh\npytest tests/\n```\n", NULL);
    yaml = tu_generate (dir, "--explain", NULL);
    cr_assert (strstr (yaml, "run: pytest tests/"), "%s", yaml);
    cr_assert_null (strstr (yaml, "run: pytest demo/"), "%s", yaml);
    free (yaml);
    tu_rmtree (dir);
    free (dir);
}

Test (qa_parse, commands_under_a_windows_heading_are_windows_only, .timeout = 60)
{
    char *dir = tu_project (
        "CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(w C)\n",
        "README.md", "# W\n\n## Building\n\n### Linux and macOS\n\n```sh\n"
                     "ctest --test-dir build\n```\n\n### On Windows\n\n```sh\n"
                     "ctest --test-dir build -C Release\n```\n", NULL);
    char *json = tu_generate (dir, "--json", NULL);
    cr_assert (strstr (json, "'ctest --test-dir build -C Release': Windows-only (under a "
                             "Windows heading)"), "%s", json);
    cr_assert (strstr (json, "\"run\": \"ctest --test-dir build\""), "%s", json);
    free (json);
    tu_rmtree (dir);
    free (dir);
}
