/*  Tests for the README parser: one per pitfall of real READMEs, the
    classification of each kind of command, badges, facts, hostile input
    and the parse step over encoded frames. Fixtures are invented.  */
#include "workers/parser/parser.h"
#include "workers/parser/blocksplit.h"
#include "workers/parser/classify.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

//  -- helpers -------------------------------------------------------------

static void
s_parse_docs (readme_doc_t *doc, const char *readme, size_t size, const char *second)
{
    project_docs_t docs = { 0 };
    cr_assert_eq (project_docs_add (&docs, "README.md", readme, size), 0);
    if (second)
        cr_assert_eq (project_docs_add (&docs, "CONTRIBUTING.md", second, strlen (second)), 0);
    char err [256] = "";
    cr_assert_eq (parser_parse (tu_kb (), &docs, doc, err, sizeof err), 0, "%s", err);
    project_docs_release (&docs);
}

static void
s_parse (readme_doc_t *doc, const char *readme)
{
    s_parse_docs (doc, readme, strlen (readme), NULL);
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
            fprintf (stderr, "  have [%s]\n", doc->commands [i].text);
        cr_assert_fail ("no command [%s]", text);
    }
    return cmd;
}

static const readme_badge_t *
s_badge (const readme_doc_t *doc, const char *image)
{
    for (size_t i = 0; i < doc->badges_count; i++)
        if (strcmp (doc->badges [i].image, image) == 0)
            return &doc->badges [i];
    cr_assert_fail ("no badge %s", image);
    return NULL;
}

static const char *
s_fact (const readme_doc_t *doc, const char *key)
{
    for (size_t i = 0; i < doc->facts_count; i++)
        if (strcmp (doc->facts [i].key, key) == 0)
            return doc->facts [i].value;
    return NULL;
}

static char *
s_fixture (const char *name, size_t *size)
{
    char rel [128];
    snprintf (rel, sizeof rel, "tests/fixtures/parser/%s", name);
    char *path = tu_src (rel);
    char *text = tu_read (path, size);
    cr_assert_not_null (text, "cannot read %s", path);
    free (path);
    return text;
}

//  -- the invented project, README plus CONTRIBUTING -----------------------

Test (parser, fixture_project_end_to_end)
{
    size_t readme_size, contrib_size;
    char *readme = s_fixture ("README.md", &readme_size);
    char *contrib = s_fixture ("CONTRIBUTING.md", &contrib_size);
    readme_doc_t doc;
    s_parse_docs (&doc, readme, readme_size, contrib);
    cr_assert_str_eq (doc.title, "Quillpad");
    cr_assert_eq (doc.docs_count, 2);
    cr_assert_str_eq (doc.docs [1], "CONTRIBUTING.md");

    //  Sections: the HTML before the first heading is a level-0 section;
    //  the title H1 is left out of paths.
    cr_assert_eq (doc.sections [0].level, 0);
    cr_assert_eq (doc.sections [0].line, 1);
    bool found = false;
    for (size_t i = 0; i < doc.sections_count; i++)
        if (strcmp (doc.sections [i].heading, "Running tests") == 0) {
            cr_assert_str_eq (doc.sections [i].path, "Development > Running tests");
            cr_assert_eq (doc.sections [i].level, 3);
            cr_assert_eq (doc.sections [i].line, 28);
            found = true;
        }
    cr_assert (found);

    const readme_cmd_t *cmd = s_must (&doc, "pip install quillpad");
    cr_assert_eq (cmd->kind, CMD_INSTALL);
    cr_assert_eq (cmd->flags, CMD_F_PROMPT | CMD_F_CONSUMER);
    cr_assert_eq (cmd->line, 14);
    cmd = s_must (&doc, "git clone https://github.com/quill-org/quillpad.git");
    cr_assert_eq (cmd->kind, CMD_CLONE);
    cmd = s_must (&doc, "cd quillpad");
    cr_assert_eq (cmd->kind, CMD_CLONE);
    cr_assert_str_eq (cmd->reason, "cd into the clone");
    cmd = s_must (&doc, "pip install -e '.[dev]'");
    cr_assert_eq (cmd->kind, CMD_INSTALL);
    cr_assert_eq (cmd->flags, 0);
    cr_assert_str_eq (cmd->reason, "installs the project");
    cr_assert_eq (cmd->line, 25);
    cmd = s_must (&doc, "pytest");
    cr_assert_eq (cmd->kind, CMD_TEST);
    cr_assert_eq (cmd->flags, CMD_F_INLINE);
    cr_assert_eq (cmd->block, -1);
    cr_assert_eq (cmd->line, 30);
    cr_assert_str_eq (doc.sections [cmd->section].heading, "Running tests");
    cr_assert_eq (s_must (&doc, "tox")->kind, CMD_TEST);
    cmd = s_must (&doc, "pytest -q tests/");
    cr_assert_eq (cmd->kind, CMD_TEST);
    cr_assert_str_eq (cmd->reason, "test runner pytest");
    cr_assert_eq (doc.blocks [cmd->block].fenced, true);
    cr_assert_str_eq (doc.blocks [cmd->block].lang, "sh");
    cr_assert_eq (s_must (&doc, "ruff check .")->kind, CMD_LINT);

    //  CONTRIBUTING is doc 1, with its own sections.
    cmd = s_must (&doc, "make test");
    cr_assert_eq (cmd->doc, 1);
    cr_assert_str_eq (cmd->reason, "make target test");
    cr_assert_str_eq (doc.sections [cmd->section].path, "Checks");
    cr_assert_eq (doc.sections [cmd->section].doc, 1);
    cr_assert_eq (s_must (&doc, "make lint")->kind, CMD_LINT);
    cmd = s_must (&doc, ".\\scripts\\test.ps1");
    cr_assert (cmd->flags & CMD_F_WINDOWS);
    cr_assert (cmd->flags & CMD_F_PROMPT);

    const readme_badge_t *badge = s_badge (&doc,
        "https://github.com/quill-org/quillpad/actions/workflows/checks.yml/badge.svg");
    cr_assert_str_eq (badge->kind, "ci");
    cr_assert_str_eq (badge->value, "github:checks.yml");
    cr_assert_str_eq (badge->link, "https://github.com/quill-org/quillpad/actions");
    cr_assert_eq (badge->line, 3);
    cr_assert_str_eq (s_badge (&doc, "https://img.shields.io/pypi/v/quillpad.svg")->value, "pypi");
    cr_assert_str_eq (s_badge (&doc, "https://img.shields.io/pypi/pyversions/quillpad.svg")->kind,
                      "pyversions");
    cr_assert_str_eq (s_fact (&doc, "python"), ">=3.10");
    readme_doc_release (&doc);
    free (readme);
    free (contrib);
}

//  -- sections, titles, blocks --------------------------------------------

Test (parser, headings_lose_markup_and_build_paths)
{
    readme_doc_t doc;
    s_parse (&doc, "Intro text.\n\n# The *quick* `tool` [site](http://x) ![logo](l.png)\n\n"
                   "## Usage\n\n### Flags\n\n# Second top\n\n## Child\n");
    cr_assert_eq (doc.sections_count, 6);
    cr_assert_eq (doc.sections [0].level, 0);
    cr_assert_str_eq (doc.sections [0].heading, "");
    cr_assert_str_eq (doc.sections [1].heading, "The quick tool site");
    //  Two H1s: neither is a title, both stay in paths.
    cr_assert_str_eq (doc.sections [3].path, "The quick tool site > Usage > Flags");
    cr_assert_str_eq (doc.sections [5].path, "Second top > Child");
    cr_assert_eq (doc.sections [5].line, 11);
    cr_assert_str_eq (doc.title, "The quick tool site");
    readme_doc_release (&doc);

    s_parse (&doc, "## Only an h2\n\ntext\n");
    cr_assert_str_eq (doc.title, "Only an h2");
    cr_assert_eq (doc.sections_count, 1);
    readme_doc_release (&doc);
}

Test (parser, code_block_info_and_lang)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```{.bash .numberLines}\nmake\n```\n\n"
                   "```Bash title=\"build.sh\"\nmake all\n```\n\n"
                   "~~~console\n$ make check\n~~~\n\n"
                   "Indented:\n\n    ./configure\n    make install\n\n"
                   "```python\nimport os\n```\n\n"
                   "```\n```bash\n```\n");
    cr_assert_eq (doc.blocks_count, 6);
    cr_assert_str_eq (doc.blocks [0].info, "{.bash .numberLines}");
    cr_assert_str_eq (doc.blocks [0].lang, "bash");
    cr_assert_str_eq (doc.blocks [1].lang, "bash");
    cr_assert_str_eq (doc.blocks [2].lang, "console");
    cr_assert (doc.blocks [2].fenced);
    cr_assert_not (doc.blocks [3].fenced);
    cr_assert_str_eq (doc.blocks [3].lang, "");
    cr_assert (doc.blocks [3].shell);
    cr_assert_eq (doc.blocks [3].line, 17);
    cr_assert_eq (s_must (&doc, "./configure")->line, 17);
    cr_assert_eq (s_must (&doc, "make install")->line, 18);
    cr_assert_not (doc.blocks [4].shell);
    cr_assert_null (s_cmd (&doc, "import os"));
    cr_assert_eq (s_must (&doc, "make all")->line, 8);
    readme_doc_release (&doc);
}

Test (parser, unlabelled_blocks_only_when_they_look_like_shell)
{
    cr_assert (blocksplit_looks_shell (tu_kb (), "./configure\nmake\n", 18));
    cr_assert (blocksplit_looks_shell (tu_kb (), "$ frob --x\n", 11) == false);
    cr_assert (blocksplit_looks_shell (tu_kb (), "$ npm test\nok\n", 14));
    const char *go = "go func() {\n\tfmt.Println(1)\n}()\n";
    cr_assert_not (blocksplit_looks_shell (tu_kb (), go, strlen (go)));
    const char *yaml = "name: ci\non: push\n";
    cr_assert_not (blocksplit_looks_shell (tu_kb (), yaml, strlen (yaml)));
}

//  -- prompts and output --------------------------------------------------

Test (parser, prompts_are_stripped_and_output_dropped)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```console\n$ npm test\n> widget@1.0.0 test\nPASS  ok\n"
                   "% make\nuser@box:~/src$ cargo test\n❯ go test ./...\nλ stack build\n"
                   "(venv) $ pytest\n$\n```\n");
    cr_assert_eq (doc.commands_count, 6);
    cr_assert_eq (s_must (&doc, "npm test")->flags, CMD_F_PROMPT);
    s_must (&doc, "make");
    s_must (&doc, "cargo test");
    cr_assert_eq (s_must (&doc, "go test ./...")->flags, CMD_F_PROMPT);
    s_must (&doc, "stack build");
    s_must (&doc, "pytest");
    cr_assert_null (s_cmd (&doc, "PASS  ok"));
    readme_doc_release (&doc);
}

Test (parser, promptless_blocks_drop_output_lines)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```sh\nmake test\n+ [[ -d /tmp/app ]]\n-----> Building\n"
                   "✓ all good\n>>> import os\nirb> 1 + 1\niex> h()\nscala> 1\n"
                   "Error: nothing\n```\n");
    cr_assert_eq (doc.commands_count, 1, "got %zu", doc.commands_count);
    s_must (&doc, "make test");
    readme_doc_release (&doc);
}

Test (parser, greater_than_is_a_prompt_only_in_shell_fences)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```bash\n> npm test\n```\n\n```\n> npm run build\n```\n\n"
                   "> Run the tests first.\n\n```console\n>>> print(1)\n```\n");
    cr_assert_eq (doc.commands_count, 1);
    cr_assert_eq (s_must (&doc, "npm test")->flags, CMD_F_PROMPT);
    readme_doc_release (&doc);
}

Test (parser, hash_is_a_root_prompt_only_in_console_before_a_command)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```console\n# apt-get install -y libfoo-dev\n"
                   "# make sure the docs exist\n# build the docs\n$ make\n```\n\n"
                   "```bash\n# apt-get install -y libbar-dev\nmake check\n```\n");
    const readme_cmd_t *cmd = s_must (&doc, "apt-get install -y libfoo-dev");
    cr_assert_eq (cmd->kind, CMD_SYSTEM);
    cr_assert (cmd->flags & CMD_F_PROMPT);
    s_must (&doc, "make");
    s_must (&doc, "make check");
    cr_assert_null (s_cmd (&doc, "make sure the docs exist"));
    cr_assert_null (s_cmd (&doc, "apt-get install -y libbar-dev"));
    cr_assert_eq (doc.commands_count, 3);
    readme_doc_release (&doc);
}

//  -- continuations, heredocs, comments -----------------------------------

Test (parser, continuations_are_joined)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```sh\ndocker build \\\n  -t app \\\n  .\nmake &&\n  make check\n"
                   "echo 'a\\\\'\n```\n\n"
                   "```console\n$ cmake -S . \\\n> -B build\noutput\n```\n");
    const readme_cmd_t *cmd = s_must (&doc, "docker build -t app .");
    cr_assert_eq (cmd->line, 4);
    cr_assert_eq (s_must (&doc, "make && make check")->kind, CMD_TEST);
    s_must (&doc, "echo 'a\\\\'");
    s_must (&doc, "cmake -S . -B build");
    cr_assert_eq (doc.commands_count, 4);
    readme_doc_release (&doc);
}

Test (parser, heredocs_keep_their_body)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```bash\ncat > .env <<'EOF'\n# not a comment\nKEY=1\nEOF\nmake test\n```\n");
    const readme_cmd_t *cmd = s_must (&doc, "cat > .env <<'EOF'\n# not a comment\nKEY=1\nEOF");
    cr_assert_eq (cmd->flags, CMD_F_HEREDOC);
    cr_assert_eq (cmd->line, 4);
    cr_assert_eq (s_must (&doc, "make test")->line, 8);
    cr_assert_eq (doc.commands_count, 2);
    readme_doc_release (&doc);
}

Test (parser, comments_are_dropped)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```bash\n# install first\nnpm ci   # clean install\n"
                   "echo \"# kept\" 'also # kept'\necho ${#list} http://x/#frag\n```\n");
    cr_assert_eq (doc.commands_count, 3);
    s_must (&doc, "npm ci");
    s_must (&doc, "echo \"# kept\" 'also # kept'");
    s_must (&doc, "echo ${#list} http://x/#frag");
    readme_doc_release (&doc);
}

Test (parser, windows_blocks_are_flagged)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```powershell\nnpm install\nSet-Location src `\n  -Verbose\n```\n\n"
                   "```bat\nREM build it\nbuild.bat\n```\n");
    //  a portable command in a PowerShell block is not Windows-only
    cr_assert_eq (s_must (&doc, "npm install")->flags, 0u);
    cr_assert_eq (s_must (&doc, "Set-Location src -Verbose")->flags, CMD_F_WINDOWS);
    cr_assert_eq (s_must (&doc, "build.bat")->flags, CMD_F_WINDOWS);
    cr_assert_eq (doc.commands_count, 3);
    cr_assert_not (doc.blocks [0].shell);
    readme_doc_release (&doc);
}

//  -- placeholders --------------------------------------------------------

Test (parser, placeholders)
{
    const char *yes [] = { "git clone https://github.com/<your-org>/app", "export TOKEN=YOUR_API_KEY",
        "curl {{host}}/health", "pip install app=={version}", "npm i app@x.y.z",
        "app run ...", "app add files...", "zig fetch <REPLACE ME>.tar.gz",
        "docker login -u your_username", NULL };
    const char *no [] = { "cat <<EOF > out.txt", "go test ./...", "sort < in.txt > out.txt",
        "echo ${HOME}", "cd ..", "find . -exec rm {} \\;", "make -j4", NULL };
    for (int i = 0; yes [i]; i++)
        cr_assert (classify_has_placeholder (yes [i], strlen (yes [i])), "%s", yes [i]);
    for (int i = 0; no [i]; i++)
        cr_assert_not (classify_has_placeholder (no [i], strlen (no [i])), "%s", no [i]);
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n```sh\nnpm install <package>\nnpm test\n```\n");
    cr_assert (s_must (&doc, "npm install <package>")->flags & CMD_F_PLACEHOLDER);
    cr_assert_not (s_must (&doc, "npm test")->flags & CMD_F_PLACEHOLDER);
    readme_doc_release (&doc);
}

//  -- inline code spans ---------------------------------------------------

Test (parser, inline_spans_that_ask_to_be_run)
{
    readme_doc_t doc;
    s_parse (&doc, "# T\n\nTo check, run `make test`. You can also execute `npm test`.\n"
                   "Tests can be run with `pytest`, and\nlinted with `flake8 src`.\n"
                   "Or use `cargo test` and then `cargo clippy`.\n\n"
                   "It is compatible with `node` and the `config.yml` file.\n"
                   "Use `npm` or `yarn`. Edit `src/main.c` with care.\n"
                   "Run `$ ./scripts/check.sh`.\n");
    const readme_cmd_t *cmd = s_must (&doc, "make test");
    cr_assert_eq (cmd->flags, CMD_F_INLINE);
    cr_assert_eq (cmd->block, -1);
    cr_assert_eq (cmd->line, 3);
    s_must (&doc, "npm test");
    cr_assert_eq (s_must (&doc, "pytest")->line, 4);
    cr_assert_eq (s_must (&doc, "flake8 src")->line, 5);
    s_must (&doc, "cargo test");
    cr_assert_eq (s_must (&doc, "cargo clippy")->kind, CMD_LINT);
    s_must (&doc, "./scripts/check.sh");
    cr_assert_null (s_cmd (&doc, "node"));
    cr_assert_null (s_cmd (&doc, "config.yml"));
    cr_assert_null (s_cmd (&doc, "npm"));
    cr_assert_null (s_cmd (&doc, "yarn"));
    cr_assert_null (s_cmd (&doc, "src/main.c"));
    cr_assert_eq (doc.commands_count, 7);
    readme_doc_release (&doc);
}

//  -- classification ------------------------------------------------------

typedef struct {
    const char *text;
    cmd_kind_t kind;
    const char *reason;         //  NULL: not checked
    uint32_t flags;
} case_t;

static void
s_check_cases (const case_t *cases)
{
    for (int i = 0; cases [i].text; i++) {
        classify_result_t result;
        classify_command (tu_kb (), NULL, cases [i].text, strlen (cases [i].text), &result);
        cr_expect_eq (result.kind, cases [i].kind, "[%s]: %s (%s), want %s", cases [i].text,
                      cmd_kind_name (result.kind), result.reason, cmd_kind_name (cases [i].kind));
        if (cases [i].reason)
            cr_expect_str_eq (result.reason, cases [i].reason, "[%s]", cases [i].text);
        cr_expect_eq (result.flags, cases [i].flags, "[%s]: flags %x", cases [i].text,
                      result.flags);
    }
}

Test (classify, install_commands)
{
    const case_t cases [] = {
        { "npm ci", CMD_INSTALL, "npm ci", 0 },
        { "npm install", CMD_INSTALL, "npm install", 0 },
        { "npm i --no-audit", CMD_INSTALL, NULL, 0 },
        { "yarn", CMD_INSTALL, "yarn install", 0 },
        { "yarn install --frozen-lockfile", CMD_INSTALL, NULL, 0 },
        { "pnpm install", CMD_INSTALL, NULL, 0 },
        { "bun install", CMD_INSTALL, NULL, 0 },
        { "pip install -r requirements-dev.txt", CMD_INSTALL, "installs from requirements-dev.txt", 0 },
        { "python -m pip install -e .", CMD_INSTALL, "installs the project", 0 },
        { "pip install \".[test]\"", CMD_INSTALL, "installs the project", 0 },
        { "poetry install --with dev", CMD_INSTALL, NULL, 0 },
        { "pdm sync", CMD_INSTALL, NULL, 0 },
        { "uv sync --all-extras", CMD_INSTALL, NULL, 0 },
        { "bundle install", CMD_INSTALL, NULL, 0 },
        { "composer install", CMD_INSTALL, NULL, 0 },
        { "go mod download", CMD_INSTALL, NULL, 0 },
        { "cargo fetch", CMD_INSTALL, NULL, 0 },
        { "mix deps.get", CMD_INSTALL, NULL, 0 },
        { "dotnet restore", CMD_INSTALL, NULL, 0 },
        { "opam install . --deps-only", CMD_INSTALL, NULL, 0 },
        { "dart pub get", CMD_INSTALL, NULL, 0 },
        { "git submodule update --init", CMD_INSTALL, NULL, 0 },
        { NULL, 0, NULL, 0 }
    };
    s_check_cases (cases);
}

Test (classify, test_commands)
{
    const case_t cases [] = {
        { "make test", CMD_TEST, "make target test", 0 },
        { "make check", CMD_TEST, "make target check", 0 },
        { "ctest --output-on-failure", CMD_TEST, "test runner ctest", 0 },
        { "cargo test --all-features", CMD_TEST, "cargo test", 0 },
        { "go test -race ./...", CMD_TEST, "go test", 0 },
        { "pytest", CMD_TEST, "test runner pytest", 0 },
        { "python -m pytest -x", CMD_TEST, "test runner pytest", 0 },
        { "tox", CMD_TEST, "test runner tox", 0 },
        { "nox -s tests", CMD_TEST, NULL, 0 },
        { "npm test", CMD_TEST, "npm script test", 0 },
        { "npm run test:unit", CMD_TEST, "npm script test:unit", 0 },
        { "yarn test", CMD_TEST, NULL, 0 },
        { "pnpm test", CMD_TEST, NULL, 0 },
        { "bun test", CMD_TEST, NULL, 0 },
        { "mvn test", CMD_TEST, "mvn goal test", 0 },
        { "mvn -B verify", CMD_TEST, NULL, 0 },
        { "./gradlew test", CMD_TEST, "gradle task test", 0 },
        { "gradle check", CMD_TEST, NULL, 0 },
        { "bundle exec rake", CMD_TEST, "rake default task", 0 },
        { "bundle exec rspec", CMD_TEST, "test runner rspec", 0 },
        { "rake test", CMD_TEST, "rake task test", 0 },
        { "bundle exec thor spec", CMD_TEST, "thor recipe spec", 0 },
        { "richgo test -v ./...", CMD_TEST, "test runner richgo test", 0 },
        { "vendor/bin/phpunit", CMD_TEST, "test runner phpunit", 0 },
        { "composer test", CMD_TEST, "composer script test", 0 },
        { "mix test", CMD_TEST, NULL, 0 },
        { "dotnet test", CMD_TEST, NULL, 0 },
        { "swift test", CMD_TEST, NULL, 0 },
        { "zig build test", CMD_TEST, NULL, 0 },
        { "cabal test", CMD_TEST, NULL, 0 },
        { "stack test", CMD_TEST, NULL, 0 },
        { "dune runtest", CMD_TEST, NULL, 0 },
        { "dune test", CMD_TEST, NULL, 0 },
        { "dart test", CMD_TEST, NULL, 0 },
        { "flutter test", CMD_TEST, NULL, 0 },
        { "deno test -A", CMD_TEST, NULL, 0 },
        { "R CMD check .", CMD_TEST, NULL, 0 },
        { "busted", CMD_TEST, NULL, 0 },
        { "cd build && ctest", CMD_TEST, "test runner ctest", 0 },
        { "poetry run pytest", CMD_TEST, "test runner pytest", 0 },
        { "CI=1 npx jest --coverage", CMD_TEST, "test runner jest", 0 },
        { "mvn verify -DskipTests", CMD_BUILD, NULL, 0 },
        { NULL, 0, NULL, 0 }
    };
    s_check_cases (cases);
}

Test (classify, build_lint_run_system_clone_other)
{
    const case_t cases [] = {
        { "make", CMD_BUILD, "make (default target)", 0 },
        { "cmake -S . -B build", CMD_BUILD, "cmake configure", 0 },
        { "cmake --build build --target test", CMD_TEST, NULL, 0 },
        { "cargo build --release", CMD_BUILD, NULL, 0 },
        { "npm run build", CMD_BUILD, "npm script build", 0 },
        { "./configure --prefix=/usr", CMD_BUILD, "configure script", 0 },
        { "go build ./...", CMD_BUILD, NULL, 0 },
        { "cargo clippy -- -D warnings", CMD_LINT, NULL, 0 },
        { "cargo fmt --check", CMD_LINT, NULL, 0 },
        { "npm run lint", CMD_LINT, "npm script lint", 0 },
        { "ruff check .", CMD_LINT, NULL, 0 },
        { "tox -e lint", CMD_LINT, "tox env lint", 0 },
        { "npx tsc --noEmit", CMD_LINT, NULL, 0 },
        { "make check-format", CMD_LINT, NULL, 0 },
        { "npm start", CMD_RUN, NULL, 0 },
        { "npm run dev", CMD_RUN, NULL, 0 },
        { "docker compose up -d", CMD_RUN, NULL, 0 },
        { "flask run", CMD_RUN, NULL, 0 },
        { "rails s", CMD_RUN, NULL, 0 },
        { "python manage.py runserver", CMD_RUN, NULL, 0 },
        { "python", CMD_RUN, "interactive REPL", 0 },
        { "apt-get update", CMD_SYSTEM, "system package manager apt-get", 0 },
        { "dnf install gcc", CMD_SYSTEM, NULL, 0 },
        { "pacman -S base-devel", CMD_SYSTEM, NULL, 0 },
        { "apk add build-base", CMD_SYSTEM, NULL, 0 },
        { "nvm use 18", CMD_SYSTEM, NULL, 0 },
        { "curl -fsSL https://example.org/install.sh | sh", CMD_SYSTEM,
          "installer script piped to a shell", 0 },
        { "git clone https://example.org/a/b.git", CMD_CLONE, "git clone", 0 },
        { "git clone https://example.org/a/b.git && cd b", CMD_CLONE, NULL, 0 },
        { "cd docs", CMD_OTHER, "changes directory", 0 },
        { "frobnicate --all", CMD_OTHER, NULL, 0 },
        { "export CC=clang", CMD_OTHER, NULL, 0 },
        { "git clone https://example.org/a/b && cd b && make test", CMD_TEST, NULL, 0 },
        { NULL, 0, NULL, 0 }
    };
    s_check_cases (cases);
}

Test (classify, sudo_deploy_and_consumer_flags)
{
    const case_t cases [] = {
        { "sudo apt-get install -y libssl-dev", CMD_SYSTEM, NULL, CMD_F_SUDO },
        { "sudo -E make install", CMD_OTHER, "make target install", CMD_F_SUDO },
        //  installing the built project onto the system is not a
        //  dependency install, with either build tool
        { "sudo ninja install", CMD_OTHER, "ninja target install", CMD_F_SUDO },
        { "ninja -C build install", CMD_OTHER, "ninja target install", 0 },
        { "ninja -C build", CMD_BUILD, "ninja build", 0 },
        { "ninja -C build test", CMD_TEST, NULL, 0 },
        { "npm publish --access public", CMD_OTHER, NULL, CMD_F_DEPLOY },
        { "docker push ghcr.io/o/app", CMD_OTHER, NULL, CMD_F_DEPLOY },
        { "kubectl apply -f k8s/", CMD_OTHER, NULL, CMD_F_DEPLOY },
        { "heroku container:release web", CMD_OTHER, NULL, CMD_F_DEPLOY },
        { "vercel --prod", CMD_OTHER, NULL, CMD_F_DEPLOY },
        { "cargo publish", CMD_OTHER, NULL, CMD_F_DEPLOY },
        { "twine upload dist/*", CMD_OTHER, NULL, CMD_F_DEPLOY },
        { "npm run deploy", CMD_OTHER, NULL, CMD_F_DEPLOY },
        { "pip install requests", CMD_INSTALL, "installs package requests", CMD_F_CONSUMER },
        { "npm install left-pad", CMD_INSTALL, NULL, CMD_F_CONSUMER },
        { "npm i -g widget-cli", CMD_INSTALL, NULL, CMD_F_CONSUMER },
        { "gem install widget", CMD_INSTALL, NULL, CMD_F_CONSUMER },
        { "cargo install widget", CMD_INSTALL, NULL, CMD_F_CONSUMER },
        { "cargo install --path .", CMD_INSTALL, NULL, 0 },
        { "go install example.org/widget/cmd/w@latest", CMD_INSTALL, NULL, CMD_F_CONSUMER },
        { "brew install widget", CMD_SYSTEM, NULL, CMD_F_CONSUMER },
        { "sudo pip install widget", CMD_INSTALL, NULL, CMD_F_CONSUMER | CMD_F_SUDO },
        { NULL, 0, NULL, 0 }
    };
    s_check_cases (cases);
}

Test (classify, clone_context_and_reason_length)
{
    classify_ctx_t ctx = { { 0 } };
    classify_result_t result;
    classify_command (tu_kb (), &ctx, "git clone git@example.org:o/widget.git", 38, &result);
    cr_assert_eq (result.kind, CMD_CLONE);
    cr_assert_str_eq (ctx.clone_dir, "widget");
    classify_command (tu_kb (), &ctx, "cd widget/", 10, &result);
    cr_assert_eq (result.kind, CMD_CLONE);
    classify_command (tu_kb (), &ctx, "cd elsewhere", 12, &result);
    cr_assert_eq (result.kind, CMD_OTHER);
    //  A very long script name gives a cut reason, still NUL-terminated.
    char text [400];
    memset (text, 'x', sizeof text);
    memcpy (text, "make ", 5);
    classify_command (tu_kb (), NULL, text, sizeof text, &result);
    cr_assert_lt (strlen (result.reason), sizeof result.reason);
    cr_assert_eq (result.kind, CMD_BUILD);
}

//  The tools are data (data/tools.yml): a rules overlay changes one
//  tool's subcommand, adds a tool, or names the handler that reads a new
//  tool's arguments, and the change survives the trip to a worker (the
//  knowledge as YAML text, read back).
Test (classify, rules_overlay_changes_the_tools)
{
    char err [256] = "";
    knowledge_t *kb = knowledge_new (err, sizeof err);
    cr_assert_not_null (kb, "%s", err);
    classify_result_t result;
    classify_command (kb, NULL, "cargo check", 11, &result);
    cr_assert_eq (result.kind, CMD_LINT);
    cr_assert_str_eq (result.reason, "type check cargo check");
    cr_assert_not (classify_known_tool (kb, "frobtest", 8));
    const char *overlay =
        "tools:\n"
        "  cargo:\n"
        "    commands: {check: {kind: test, reason: our check runs the tests}}\n"
        "  frobtest: {commands: {\"*\": test}}\n"
        "  mytask: {handle: [recipe]}\n";
    cr_assert_eq (knowledge_overlay (kb, "r.yml", overlay, strlen (overlay), err, sizeof err),
                  0, "%s", err);
    char *text = knowledge_text (kb);
    knowledge_t *sent = knowledge_from_text (text, strlen (text), err, sizeof err);
    cr_assert_not_null (sent, "%s", err);
    free (text);
    const knowledge_t *both [] = { kb, sent };
    for (size_t i = 0; i < 2; i++) {
        classify_command (both [i], NULL, "cargo check", 11, &result);
        cr_assert_eq (result.kind, CMD_TEST);
        cr_assert_str_eq (result.reason, "our check runs the tests");
        //  the rest of cargo's table is as shipped
        classify_command (both [i], NULL, "cargo clippy", 12, &result);
        cr_assert_eq (result.kind, CMD_LINT);
        classify_command (both [i], NULL, "frobtest -v", 11, &result);
        cr_assert_eq (result.kind, CMD_TEST);
        cr_assert (classify_known_tool (both [i], "frobtest", 8));
        cr_assert (classify_looks_like_command (both [i], "frobtest -v", 11));
        classify_command (both [i], NULL, "mytask test", 11, &result);
        cr_assert_eq (result.kind, CMD_TEST);
        cr_assert_str_eq (result.reason, "mytask recipe test");
    }
    //  the shipped knowledge is untouched
    classify_command (tu_kb (), NULL, "cargo check", 11, &result);
    cr_assert_eq (result.kind, CMD_LINT);
    knowledge_destroy (&sent);
    knowledge_destroy (&kb);
}

//  -- badges and facts ----------------------------------------------------

Test (parser, badges_of_each_kind)
{
    readme_doc_t doc;
    s_parse (&doc,
        "# W\n\n"
        "[![a](https://img.shields.io/github/actions/workflow/status/o/w/test.yml?branch=main)](https://x)\n"
        "![b](https://travis-ci.com/o/w.svg?branch=main)\n"
        "![c](https://circleci.com/gh/o/w.svg?style=svg)\n"
        "![d](https://ci.appveyor.com/api/projects/status/abc?svg=true)\n"
        "![e](https://dev.azure.com/o/w/_apis/build/status/w)\n"
        "![f](https://gitlab.com/o/w/badges/main/pipeline.svg)\n"
        "![Python 3.9 | 3.10 | 3.11](https://img.shields.io/pypi/pyversions/w)\n"
        "![g](https://img.shields.io/badge/python-3.10%20%7C%203.11-blue)\n"
        "![h](https://img.shields.io/npm/v/w.svg)\n"
        "![i](https://badge.fury.io/py/w.svg)\n"
        "![j](https://img.shields.io/crates/v/w.svg)\n"
        "![k](https://img.shields.io/packagist/v/o/w.svg)\n"
        "![l](https://img.shields.io/hexpm/v/w.svg)\n"
        "![m](https://img.shields.io/pub/v/w.svg)\n"
        "![n](https://img.shields.io/nuget/v/W.svg)\n"
        "![o](https://img.shields.io/maven-central/v/org.w/w)\n"
        "![p](https://img.shields.io/gem/v/w)\n"
        "![q](https://pkg.go.dev/badge/example.org/w.svg)\n"
        "![r](https://goreportcard.com/badge/example.org/w)\n"
        "![s](https://www.r-pkg.org/badges/version/w)\n"
        "![t](https://codecov.io/gh/o/w/branch/main/graph/badge.svg)\n"
        "![u](https://coveralls.io/repos/github/o/w/badge.svg)\n"
        "![v](https://img.shields.io/badge/rust-1.70+-orange.svg)\n"
        "![w](https://img.shields.io/badge/node-%3E%3D%2018-green)\n"
        "![x](https://img.shields.io/badge/license-MIT-blue)\n"
        "![y](https://example.org/screenshot.png)\n"
        "<p><a href=\"https://ci.example\"><img alt=\"build\" src=\"https://github.com/o/w/actions/workflows/build.yml/badge.svg\"></a></p>\n");
    struct { const char *url_part; const char *kind; const char *value; } want [] = {
        { "workflow/status", "ci", "github:test.yml" }, { "travis", "ci", "travis" },
        { "circleci", "ci", "circleci" }, { "appveyor", "ci", "appveyor" },
        { "dev.azure", "ci", "azure" }, { "gitlab", "ci", "gitlab" },
        { "pyversions", "pyversions", "3.9,3.10,3.11" },
        { "badge/python", "pyversions", "3.10,3.11" },
        { "npm/v", "registry", "npm" }, { "fury.io/py", "registry", "pypi" },
        { "crates", "registry", "crates" }, { "packagist", "registry", "packagist" },
        { "hexpm", "registry", "hex" }, { "pub/v", "registry", "pub" },
        { "nuget", "registry", "nuget" }, { "maven-central", "registry", "maven" },
        { "gem/v", "registry", "gem" }, { "pkg.go.dev", "registry", "go" },
        { "goreportcard", "registry", "go" }, { "r-pkg.org", "registry", "cran" },
        { "codecov", "coverage", "" }, { "coveralls", "coverage", "" },
        { "badge/rust", "version", "rust:1.70" }, { "badge/node", "version", "node:>=18" },
        { "license", "other", "" }, { "actions/workflows/build.yml", "ci", "github:build.yml" },
    };
    size_t count = sizeof want / sizeof want [0];
    cr_assert_eq (doc.badges_count, count, "got %zu badges", doc.badges_count);
    for (size_t i = 0; i < count; i++) {
        cr_assert (strstr (doc.badges [i].image, want [i].url_part), "%zu: %s", i,
                   doc.badges [i].image);
        cr_expect_str_eq (doc.badges [i].kind, want [i].kind, "%s", doc.badges [i].image);
        cr_expect_str_eq (doc.badges [i].value, want [i].value, "%s", doc.badges [i].image);
    }
    cr_assert_str_eq (doc.badges [0].link, "https://x");
    cr_assert_str_eq (doc.badges [1].link, "");
    cr_assert_str_eq (doc.badges [count - 1].link, "https://ci.example");
    cr_assert_eq (doc.badges [2].line, 5);
    cr_assert_str_eq (s_fact (&doc, "rust"), ">=1.70");
    cr_assert_str_eq (s_fact (&doc, "node"), ">=18");
    readme_doc_release (&doc);
}

Test (parser, version_facts_in_prose)
{
    struct { const char *text; const char *key; const char *value; } cases [] = {
        { "This library requires Python 3.9+.", "python", ">=3.9" },
        { "You need Node.js >= 18 installed.", "node", ">=18" },
        { "Requires Go 1.21 or later.", "go", ">=1.21" },
        { "Building needs JDK 17.", "java", "17" },
        { "The MSRV is 1.70.", "rust", ">=1.70" },
        { "Supports Rust 1.70 or newer.", "rust", ">=1.70" },
        { "Requires Ruby 3.1+", "ruby", ">=3.1" },
        { "Requires PHP ^8.1", "php", "^8.1" },
        { "Requires Elixir 1.15 or later and Erlang/OTP 26.", "otp", "26" },
        { "Requires .NET 8.0 SDK.", "dotnet", "8.0" },
        { "Requires Swift 5.9 or later.", "swift", ">=5.9" },
        { "Requires Zig 0.13.0.", "zig", "0.13.0" },
        { "Tested with GHC 9.4 and 9.6.", "ghc", "9.4,9.6" },
        { "Requires OCaml 4.14 or higher.", "ocaml", ">=4.14" },
        { "Requires Dart 3.0+.", "dart", ">=3.0" },
        { "Requires Deno v1.40 or above.", "deno", ">=1.40" },
        { "Supports Python 3.9 - 3.12.", "python", ">=3.9,<=3.12" },
        { "A minimum of Python 3.8 is required.", "python", ">=3.8" },
        { "This crate's minimum supported `rustc` version is `1.60.0`.", "rust", ">=1.60.0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char text [256];
        snprintf (text, sizeof text, "# T\n\n%s\n", cases [i].text);
        readme_doc_t doc;
        s_parse (&doc, text);
        const char *value = s_fact (&doc, cases [i].key);
        cr_expect_not_null (value, "[%s]: no %s fact", cases [i].text, cases [i].key);
        if (value)
            cr_expect_str_eq (value, cases [i].value, "[%s]", cases [i].text);
        readme_doc_release (&doc);
    }
    //  Mentions that state no requirement.
    const char *none [] = { "Python 2.7 is no longer supported.",
        "It is built on the context package introduced in Go 1.7.",
        "Go to the settings page.", "Copyright 2024 Node contributors." };
    for (size_t i = 0; i < sizeof none / sizeof none [0]; i++) {
        char text [256];
        snprintf (text, sizeof text, "# T\n\n%s\n", none [i]);
        readme_doc_t doc;
        s_parse (&doc, text);
        cr_expect_eq (doc.facts_count, 0, "[%s] gave %s", none [i],
                      doc.facts_count? doc.facts [0].value: "");
        readme_doc_release (&doc);
    }
    //  In a requirements section a bare version counts.
    readme_doc_t doc;
    s_parse (&doc, "# T\n\n## Requirements\n\n- Python 3.11\n- Node 20\n");
    cr_assert_str_eq (s_fact (&doc, "python"), "3.11");
    cr_assert_str_eq (s_fact (&doc, "node"), "20");
    cr_assert_eq (doc.facts [1].line, 6);
    readme_doc_release (&doc);
}

//  -- hostile input -------------------------------------------------------

Test (parser, empty_and_missing_documents)
{
    readme_doc_t doc;
    s_parse (&doc, "");
    cr_assert_str_eq (doc.title, "");
    cr_assert_eq (doc.sections_count + doc.blocks_count + doc.commands_count, 0);
    cr_assert_eq (doc.docs_count, 1);
    readme_doc_release (&doc);

    //  a project without a README: nothing read, nothing failed
    project_docs_t docs = { 0 };
    char err [128] = "";
    cr_assert_eq (parser_parse (tu_kb (), &docs, &doc, err, sizeof err), 0, "%s", err);
    cr_assert_eq (doc.docs_count, 0);
    cr_assert_eq (doc.sections_count + doc.blocks_count + doc.commands_count, 0);
    readme_doc_release (&doc);

    cr_assert_eq (parser_parse (tu_kb (), NULL, &doc, err, sizeof err), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert (strlen (err) > 0);
    cr_assert_null (doc.title);
}

Test (parser, binary_noise_and_invalid_utf8)
{
    unsigned seed = 12345;
    size_t size = 64 * 1024;
    char *noise = malloc (size);
    for (int round = 0; round < 8; round++) {
        for (size_t i = 0; i < size; i++) {
            seed = seed * 1103515245u + 12345u;
            noise [i] = (char) (seed >> 16);
            //  Sprinkle markdown so the noise reaches every code path.
            if (i % 97 == 0)
                noise [i] = "\n`#$>[!]<\\"[round];
        }
        readme_doc_t doc;
        s_parse_docs (&doc, noise, size, "```sh\n\xff\xfe make \x00 test\n");
        uint8_t *buf; size_t len;
        cr_assert_eq (readme_doc_encode (&doc, &buf, &len), 0);
        readme_doc_t back;
        cr_assert_eq (readme_doc_decode (&back, buf, len), 0);
        readme_doc_release (&back);
        free (buf);
        readme_doc_release (&doc);
    }
    free (noise);
}

Test (parser, deep_nesting_and_huge_lines, .timeout = 20)
{
    size_t depth = 10000;
    char *text = malloc (depth * 3 + 64);
    size_t n = 0;
    for (size_t i = 0; i < depth; i++) {
        text [n++] = '-';
        text [n++] = ' ';
    }
    n += (size_t) snprintf (text + n, 64, "run `make test`\n");
    readme_doc_t doc;
    s_parse_docs (&doc, text, n, NULL);
    readme_doc_release (&doc);
    n = 0;
    for (size_t i = 0; i < depth; i++)
        text [n++] = '>';
    n += (size_t) snprintf (text + n, 64, " ```sh\nmake\n");
    s_parse_docs (&doc, text, n, NULL);
    readme_doc_release (&doc);
    free (text);

    //  One line of a megabyte, in prose and in a code block.
    size_t size = 1024 * 1024;
    char *line = malloc (size + 32);
    memcpy (line, "```sh\n", 6);
    for (size_t i = 6; i < size; i++)
        line [i] = "make \\|&;<'\"#"[i % 13];
    memcpy (line + size, "\n```\n", 5);
    s_parse_docs (&doc, line, size + 5, NULL);
    readme_doc_release (&doc);
    for (size_t i = 0; i < size; i++)
        line [i] = "Python 3.9+ run `x` "[i % 20];
    s_parse_docs (&doc, line, size, NULL);
    cr_assert_leq (doc.facts_count, 10000);
    readme_doc_release (&doc);
    free (line);
}

Test (parser, caps_on_counts_keep_the_result_encodable, .timeout = 20)
{
    //  200,000 headings: sections stop at the decoder's bound.
    size_t count = 200000;
    char *text = malloc (count * 3);
    for (size_t i = 0; i < count; i++)
        memcpy (text + i * 3, "#\n\n", 3);
    readme_doc_t doc;
    s_parse_docs (&doc, text, count * 3, NULL);
    cr_assert_eq (doc.sections_count, 100000);
    uint8_t *buf; size_t len;
    cr_assert_eq (readme_doc_encode (&doc, &buf, &len), 0);
    readme_doc_t back;
    cr_assert_eq (readme_doc_decode (&back, buf, len), 0);
    readme_doc_release (&back);
    free (buf);
    readme_doc_release (&doc);
    free (text);
}

Test (parser, a_10k_readme_parses_fast)
{
    size_t size;
    char *fixture = s_fixture ("README.md", &size);
    char *text = malloc (10 * 1024 + size);
    size_t n = 0;
    while (n + size < 10 * 1024) {
        memcpy (text + n, fixture, size);
        n += size;
    }
    project_docs_t docs = { 0 };
    cr_assert_eq (project_docs_add (&docs, "README.md", text, n), 0);
    //  Processor time, so a busy machine does not fail the test.
    int rounds = 50;
    clock_t start = clock ();
    for (int i = 0; i < rounds; i++) {
        readme_doc_t doc;
        char err [128];
        cr_assert_eq (parser_parse (tu_kb (), &docs, &doc, err, sizeof err), 0);
        readme_doc_release (&doc);
    }
    double per_parse = (double) (clock () - start) * 1000.0 / CLOCKS_PER_SEC / rounds;
#if defined (__SANITIZE_ADDRESS__)
    double limit = 10.0;
#else
    double limit = 1.0;
#endif
    cr_assert_lt (per_parse, limit, "%.3f ms per 10 KB parse", per_parse);
    project_docs_release (&docs);
    free (text);
    free (fixture);
}

//  -- the step ------------------------------------------------------------

Test (parser, step_over_encoded_frames)
{
    project_docs_t docs = { 0 };
    const char *readme = "# App\n\n```sh\nmake test\n```\n";
    cr_assert_eq (project_docs_add (&docs, "README.md", readme, strlen (readme)), 0);
    uint8_t *buf; size_t size;
    cr_assert_eq (project_docs_encode (&docs, &buf, &size), 0);
    step_frame_t frame = { buf, size };
    step_options_t options = { .target = "github" };
    step_result_t res;
    cr_assert_eq (parser_step (tu_kb (), &frame, 1, &options, &res), 0, "%s", res.error);
    readme_doc_t doc;
    cr_assert_eq (readme_doc_decode (&doc, res.data, res.size), 0);
    cr_assert_str_eq (doc.title, "App");
    cr_assert_eq (doc.commands_count, 1);
    cr_assert_eq (doc.commands [0].kind, CMD_TEST);
    readme_doc_release (&doc);
    free (res.data);

    //  Every strict prefix is a bad frame, reported as the input's fault.
    for (size_t cut = 0; cut < size; cut++) {
        frame.size = cut;
        cr_assert_eq (parser_step (tu_kb (), &frame, 1, &options, &res), -1);
        cr_assert (res.input_error);
        cr_assert_null (res.data);
        cr_assert (strlen (res.error) > 0);
    }
    frame.size = size;
    cr_assert_eq (parser_step (tu_kb (), &frame, 0, &options, &res), -1);
    cr_assert (res.input_error);
    step_frame_t two [2] = { frame, frame };
    cr_assert_eq (parser_step (tu_kb (), two, 2, &options, &res), -1);
    cr_assert (res.input_error);
    free (buf);
    project_docs_release (&docs);

    //  A well-formed frame with no documents is a project without a
    //  README: an empty reading, not an error.
    cr_assert_eq (project_docs_encode (&docs, &buf, &size), 0);
    frame = (step_frame_t) { buf, size };
    cr_assert_eq (parser_step (tu_kb (), &frame, 1, &options, &res), 0, "%s", res.error);
    cr_assert_not_null (res.data);
    readme_doc_t empty;
    cr_assert_eq (readme_doc_decode (&empty, res.data, res.size), 0);
    cr_assert_eq (empty.docs_count, 0);
    cr_assert_eq (empty.commands_count, 0);
    readme_doc_release (&empty);
    free (res.data);
    free (buf);
}
