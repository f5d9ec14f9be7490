/*  workers/detector/eco_ruby.c - Ruby with bundler: rake tasks as the
    project's wrapper, rspec or minitest, versions from the gemspec,
    .ruby-version and the Gemfile.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Each gem a Gemfile or gemspec names: `gem "pg"`, `add_dependency 'x'`.
static void
s_gems (dctx_t *self, report_job_t *job, const project_file_t *file,
        bool *rspec, bool *rails, bool *tooling_only)
{
    static const char *const verbs [] = { "gem", "add_dependency",
        "add_development_dependency", "add_runtime_dependency", NULL };
    const ynode_t *tooling = ytree_get (knowledge_root (self->kb), "ruby-tooling-gems");
    unsigned line = 1;
    for (const char *p = file->data; *p; line++) {
        const char *s = p;
        while (*s == ' ' || *s == '\t')
            s++;
        //  "spec.add_dependency" and "s.add_development_dependency"
        const char *dot = strchr (s, '.');
        const char *eol = strchr (s, '\n');
        if (dot && (!eol || dot < eol) && dot - s < 12) {
            bool ident = true;
            for (const char *q = s; q < dot; q++)
                ident = ident && (isalnum ((unsigned char) *q) || *q == '_');
            if (ident)
                s = dot + 1;
        }
        for (size_t i = 0; verbs [i]; i++) {
            size_t n = strlen (verbs [i]);
            if (strncmp (s, verbs [i], n) != 0 || (s [n] != ' ' && s [n] != '('))
                continue;
            const char *q = s + n;
            while (*q == ' ' || *q == '(')
                q++;
            if (*q != '"' && *q != '\'')
                break;
            char quote = *q++;
            char name [64];
            size_t k = 0;
            while (*q && *q != quote && *q != '\n' && k + 1 < sizeof name)
                name [k++] = *q++;
            name [k] = 0;
            if (strcmp (name, "rspec") == 0 || strncmp (name, "rspec-", 6) == 0)
                *rspec = true;
            if (strcmp (name, "rails") == 0)
                *rails = true;
            bool is_tool = false;
            for (size_t t = 0; tooling && tooling->kind == YNODE_SEQ && t < tooling->count; t++)
                if (strcmp (ytree_str (tooling->items [t], ""), name) == 0)
                    is_tool = true;
            if (!is_tool)
                *tooling_only = false;
            char source [192], what [96];
            snprintf (what, sizeof what, "gem %s", name);
            dctx_source (source, sizeof source, file->name, line, what);
            dctx_driver (self, job, name, source);
            break;
        }
        p = eol? eol + 1: s + strlen (s);
    }
}

//  The rake task CI should run, from the Rakefile's tasks.
static const char *
s_rake_task (const char *text, unsigned *line_p)
{
    static const char *const defaults [] = { "task default:", "task :default",
        "task(default:", "task(:default", "task \"default\"", "task 'default'", NULL };
    for (size_t i = 0; defaults [i]; i++)
        if ((*line_p = dtext_find_line (text, defaults [i])))
            return "bundle exec rake";
    if ((*line_p = dtext_find_line (text, "RSpec::Core::RakeTask")))
        return "bundle exec rake spec";
    if ((*line_p = dtext_find_line (text, "Rake::TestTask")))
        return "bundle exec rake test";
    if ((*line_p = dtext_find_line (text, "task :test")))
        return "bundle exec rake test";
    return NULL;
}

//  A Rails application tested with rspec against a database server: rspec
//  does not create the test database the way `bin/rails test` does, so
//  load the schema first, as Rails' own generated CI does.
static void
s_prepare_database (dctx_t *self, report_job_t *job)
{
    bool server = false;
    for (size_t i = 0; i < job->services_count; i++)
        server = server || strcmp (job->services [i].name, "postgres") == 0
                        || strcmp (job->services [i].name, "mysql") == 0;
    if (!server)
        return;
    dctx_step_named (self, job, CMD_BUILD, "Prepare the test database",
                     dctx_has (self, "bin/")
                     ? "RAILS_ENV=test bin/rails db:test:prepare"
                     : "RAILS_ENV=test bundle exec rails db:test:prepare", "Gemfile rails");
}

//  The line of `gem "name"` (either quote, any options after) in text, or 0.
static unsigned
s_gem_line (const char *text, const char *name)
{
    char double_q [80], single_q [80];
    snprintf (double_q, sizeof double_q, "gem \"%s\"", name);
    snprintf (single_q, sizeof single_q, "gem '%s'", name);
    unsigned line = dtext_find_line (text, double_q);
    return line? line: dtext_find_line (text, single_q);
}

//  RuboCop or Standard in the Gemfile is the project's linter: a lint
//  step, unless the Rakefile already runs it (its default task then
//  lints as it tests).
static void
s_linter (dctx_t *self, report_job_t *job, const project_file_t *gemfile,
          const project_file_t *rakefile)
{
    static const char *const linters [][2] = {
        { "rubocop", "bundle exec rubocop" }, { "standard", "bundle exec standardrb" } };
    for (size_t i = 0; gemfile && i < 2; i++) {
        unsigned line = s_gem_line (gemfile->data, linters [i][0]);
        if (!line)
            continue;
        if (rakefile && (strstr (rakefile->data, "rubocop") || strstr (rakefile->data, "standard")))
            return;
        char source [96], what [32];
        snprintf (what, sizeof what, "gem %s", linters [i][0]);
        dctx_source (source, sizeof source, "Gemfile", line, what);
        dctx_step (self, job, CMD_LINT, linters [i][1], source);
        return;
    }
}

//  The version in text when it is a whole one, X.Y.Z, else NULL.
static const char *
s_exact (const char *text)
{
    int dots = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '.')
            dots++;
        else
        if (!isdigit ((unsigned char) *p))
            return NULL;
    }
    return dots == 2 && isdigit ((unsigned char) text [0])? text: NULL;
}

void
eco_ruby_detect (dctx_t *self)
{
    const char *gemspec = dctx_find_suffix (self, ".gemspec");
    if (!dctx_has (self, "Gemfile") && !gemspec)
        return;
    bool strong = gemspec || dctx_has (self, "Rakefile") || dctx_has (self, ".rspec")
               || dctx_has (self, "spec/");
    report_job_t *job = dctx_job (self, "ruby", strong? DCTX_STRONG: DCTX_WEAK);
    if (!job)
        return;
    dctx_tool (self, job, "bundler", dctx_has (self, "Gemfile")? "Gemfile": gemspec);
    if (gemspec) {
        char name [96];
        size_t n = strlen (gemspec) - strlen (".gemspec");
        if (n < sizeof name) {
            memcpy (name, gemspec, n);
            name [n] = 0;
            dctx_add_name (self, name);
        }
    }
    bool rspec = dctx_has (self, ".rspec"), rails = false, tooling_only = true;
    const project_file_t *gemfile = dctx_manifest (self, "Gemfile");
    const project_file_t *spec = gemspec? dctx_manifest (self, gemspec): NULL;
    if (gemfile)
        s_gems (self, job, gemfile, &rspec, &rails, &tooling_only);
    if (spec)
        s_gems (self, job, spec, &rspec, &rails, &tooling_only);
    if (gemfile && !strong && tooling_only && !gemspec) {
        dctx_note (self, "info", "Gemfile holds only tooling gems (e.g. CocoaPods, "
                   "fastlane): not a Ruby project of its own", "Gemfile");
    }
    //  versions: the gemspec's range, else the pinned version
    char range [96], source [192], pinned [32], line [16];
    unsigned at = 0;
    bool matrix = false;
    if (spec && dtext_quoted_after (spec->data, "required_ruby_version", range,
                                    sizeof range, &at)) {
        dctx_source (source, sizeof source, spec->name, at, "required_ruby_version");
        matrix = dctx_matrix (self, job, "ruby", range, source);
    }
    //  A Gemfile that reads .ruby-version (`ruby file: ".ruby-version"`)
    //  or names a whole version makes Bundler refuse any other patch
    //  release: that one is installed, not the newest of its line.
    bool reads_file = gemfile && strstr (gemfile->data, ".ruby-version");
    bool has_file = eco_version_file (self, ".ruby-version", pinned, sizeof pinned);
    //  rvm and rbenv also write "ruby-3.3.4"
    if (has_file && strncmp (pinned, "ruby-", 5) == 0)
        memmove (pinned, pinned + 5, strlen (pinned + 5) + 1);
    if (!matrix && has_file && vrange_line (pinned, 2, line, sizeof line)) {
        dctx_setting (self, job, "version-file", ".ruby-version", ".ruby-version");
        dctx_version (self, job, "ruby", reads_file && s_exact (pinned)? s_exact (pinned): line,
                      reads_file? ".ruby-version (the Gemfile requires it exactly)"
                                : ".ruby-version");
        matrix = true;
    }
    if (!matrix && gemfile) {
        unsigned ruby_line = eco_line_prefix (gemfile->data, "ruby ");
        if (ruby_line && dtext_quoted_after (gemfile->data, "ruby", pinned, sizeof pinned, &at)
            && vrange_line (pinned, 2, line, sizeof line)) {
            dctx_source (source, sizeof source, "Gemfile", at, "ruby");
            dctx_version (self, job, "ruby", s_exact (pinned)? s_exact (pinned): line, source);
            matrix = true;
        }
    }
    if (!matrix)
        dctx_matrix (self, job, "ruby", NULL, "knowledge: supported Ruby lines");
    dctx_step (self, job, CMD_INSTALL, "bundle install", dctx_has (self, "Gemfile")
               ? "Gemfile": gemspec);
    const project_file_t *rakefile = dctx_manifest (self, "Rakefile");
    s_linter (self, job, gemfile, rakefile);
    unsigned task_line = 0;
    const char *task = rakefile? s_rake_task (rakefile->data, &task_line): NULL;
    if (task) {
        dctx_source (source, sizeof source, "Rakefile", task_line, "task");
        dctx_step (self, job, CMD_TEST, task, source);
    }
    else
    if (dctx_has (self, "Rakefile") && !rakefile) {
        dctx_step (self, job, CMD_TEST, "bundle exec rake", "Rakefile (default task)");
    }
    else
    if (rspec || dctx_has (self, "spec/")) {
        if (rails && !gemspec)
            s_prepare_database (self, job);
        dctx_step (self, job, CMD_TEST, "bundle exec rspec",
                   dctx_has (self, ".rspec")? ".rspec": gemfile? "Gemfile rspec": "spec/");
    }
}
