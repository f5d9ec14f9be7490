/*  workers/generator/stepname.c - step names from the CI knowledge's
    vocabularies (see stepname.h). Reading a command's words is by hand:
    a name needs the first few words of one shell line, not a shell
    parser, and a quote or an odd line only makes a plainer name.  */
#include "workers/generator/stepname.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_MAX_WORDS 32

typedef struct {
    char *buf;                  //  the last part, cut into words in place
    char *words [S_MAX_WORDS];
    size_t count;
} s_words_t;

static const ynode_t *
s_list (const knowledge_t *kb, const char *key)
{
    const ynode_t *list = ytree_path (knowledge_root (kb), "workflow", key, NULL);
    return list && list->kind == YNODE_SEQ? list: NULL;
}

//  The words of the last part of run: its last non-blank line, after the
//  last && || or ; outside quotes. Returns 0, or -1 with ENOMEM.
static int
s_words (const char *run, s_words_t *self)
{
    memset (self, 0, sizeof *self);
    self->buf = strdup (run? run: "");
    if (!self->buf)
        return errno = ENOMEM, -1;
    char *start = self->buf;
    char quote = 0;
    for (char *p = self->buf; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            continue;
        }
        if (*p == '\'' || *p == '"')
            quote = *p;
        else
        if (*p == '\n' || *p == ';') {
            //  a trailing separator or blank line keeps the part before
            const char *rest = p + 1;
            while (*rest && isspace ((unsigned char) *rest))
                rest++;
            if (*rest)
                start = p + 1;
        }
        else
        if ((*p == '&' && p [1] == '&') || (*p == '|' && p [1] == '|')) {
            start = p + 2;
            p++;
        }
    }
    for (char *p = start; *p && self->count < S_MAX_WORDS; ) {
        while (*p && isspace ((unsigned char) *p))
            p++;
        if (!*p || *p == '#')
            break;
        self->words [self->count++] = p;
        while (*p && !isspace ((unsigned char) *p))
            p++;
        if (*p)
            *p++ = 0;
    }
    return 0;
}

//  How many words of entry ("npm run") match words from at (0: none).
//  With prefix, the entry's last word need only start the word ("cmake
//  -B" matches "cmake -Bbuild").
static size_t
s_match (const s_words_t *self, size_t at, const char *entry, bool prefix)
{
    size_t n = 0;
    const char *p = entry;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t len = strcspn (p, " ");
        if (at + n >= self->count)
            return 0;
        const char *word = self->words [at + n];
        bool last = p [len] == 0;
        if (strncmp (word, p, len) != 0 || (word [len] && !(prefix && last)))
            return 0;
        n++;
        p += len;
    }
    return n;
}

//  The longest entry of list that matches at: its word count.
static size_t
s_longest (const s_words_t *self, size_t at, const ynode_t *list, bool prefix)
{
    size_t best = 0;
    for (size_t i = 0; list && i < list->count; i++) {
        size_t n = s_match (self, at, ytree_str (list->items [i], ""), prefix);
        if (n > best)
            best = n;
    }
    return best;
}

static bool
s_assignment (const char *word)
{
    if (!isalpha ((unsigned char) *word) && *word != '_')
        return false;
    while (isalnum ((unsigned char) *word) || *word == '_')
        word++;
    return *word == '=';
}

//  The first word that runs something: past FOO=bar and the prefixes.
static size_t
s_command_start (const knowledge_t *kb, const s_words_t *self)
{
    const ynode_t *prefixes = s_list (kb, "command-prefixes");
    size_t at = 0;
    for (bool moved = true; moved && at < self->count; ) {
        moved = false;
        while (at < self->count && s_assignment (self->words [at])) {
            at++;
            moved = true;
        }
        size_t n = s_longest (self, at, prefixes, false);
        if (n && at + n < self->count) {
            at += n;
            moved = true;
        }
    }
    return at;
}

//  A word that may stand in a name: a subcommand or a package, not an
//  option, a path or a variable.
static bool
s_plain (const char *word)
{
    if (!isalnum ((unsigned char) *word))
        return false;
    for (const char *p = word; *p; p++)
        if (!isalnum ((unsigned char) *p) && !strchr ("._:+@-", *p))
            return false;
    return true;
}

static bool
s_listed (const ynode_t *list, const char *word)
{
    for (size_t i = 0; list && i < list->count; i++)
        if (strcmp (ytree_str (list->items [i], ""), word) == 0)
            return true;
    return false;
}

char *
stepname_subject (const knowledge_t *kb, const char *run)
{
    s_words_t words;
    if (s_words (run, &words))
        return NULL;
    size_t at = s_command_start (kb, &words);
    char *subject = NULL;
    if (at >= words.count)
        subject = strdup ("");
    else {
        size_t runner = s_longest (&words, at, s_list (kb, "script-runners"), false);
        const ynode_t *options = s_list (kb, "runner-options");
        const ynode_t *verbs = s_list (kb, "runner-verbs");
        if (runner) {
            //  the script or target: the first word that is not an option
            //  (nor an option's value); a bare runner is named by itself
            const char *script = NULL;
            for (size_t i = at + runner; i < words.count && !script; i++) {
                if (s_listed (options, words.words [i]))
                    i++;
                else
                if (s_listed (verbs, words.words [i]))
                    continue;
                else
                if (words.words [i][0] != '-' && !s_assignment (words.words [i]))
                    script = words.words [i];
            }
            subject = strdup (script? script: words.words [at]);
        }
        else {
            //  the program (without its folder) and up to two plain words
            const char *program = strrchr (words.words [at], '/');
            program = program && program [1]? program + 1: words.words [at];
            size_t size = 0;
            FILE *out = open_memstream (&subject, &size);
            if (out) {
                fputs (program, out);
                for (size_t i = at + 1; i < words.count && i < at + 3
                                        && s_plain (words.words [i]); i++)
                    fprintf (out, " %s", words.words [i]);
                if (fclose (out)) {
                    free (subject);
                    subject = NULL;
                }
            }
        }
    }
    free (words.buf);
    if (!subject)
        errno = ENOMEM;
    return subject;
}

static const char *
s_kind_key (cmd_kind_t kind)
{
    switch (kind) {
        case CMD_SYSTEM:  return "system";
        case CMD_INSTALL: return "install";
        case CMD_BUILD:   return "build";
        case CMD_LINT:    return "lint";
        case CMD_TEST:    return "test";
        default:          return NULL;
    }
}

static const char *
s_step_name (const knowledge_t *kb, const char *key)
{
    return key? ytree_str (ytree_path (knowledge_root (kb), "workflow", "step-names",
                                       key, NULL), NULL): NULL;
}

//  True when the build step's command configures rather than builds.
static bool
s_configures (const knowledge_t *kb, const char *run)
{
    s_words_t words;
    if (s_words (run, &words))
        return false;
    size_t at = s_command_start (kb, &words);
    bool configures = at < words.count
                   && s_longest (&words, at, s_list (kb, "configure-commands"), true) > 0;
    free (words.buf);
    return configures;
}

const char *
stepname_base (const knowledge_t *kb, const report_step_t *step)
{
    if (step->name && *step->name)
        return step->name;
    const char *name = NULL;
    if (step->kind == CMD_BUILD && s_configures (kb, step->run))
        name = s_step_name (kb, "configure");
    if (!name)
        name = s_step_name (kb, s_kind_key (step->kind));
    return name? name: "Run";
}

//  True when subject ends in one of the kind's own script names
//  ("npm test", "make check" for test).
static bool
s_own_script (const knowledge_t *kb, const char *key, const char *subject)
{
    const ynode_t *own = key? ytree_path (knowledge_root (kb), "workflow", "own-scripts",
                                          key, NULL): NULL;
    const char *last = strrchr (subject, ' ');
    last = last? last + 1: subject;
    return own && own->kind == YNODE_SEQ && s_listed (own, last);
}

static bool
s_taken (const char *name, const char *const *taken, size_t taken_count,
         char *const *names, size_t before)
{
    for (size_t i = 0; i < taken_count; i++)
        if (taken [i] && strcasecmp (taken [i], name) == 0)
            return true;
    for (size_t i = 0; i < before; i++)
        if (names [i] && strcasecmp (names [i], name) == 0)
            return true;
    return false;
}

int
stepname_job (const knowledge_t *kb, const report_job_t *job,
              const char *const *taken, size_t taken_count, char **names)
{
    size_t count = job->steps_count;
    const char **bases = calloc (count + 1, sizeof *bases);
    const char **keys = calloc (count + 1, sizeof *keys);     //  kinds, or "configure"
    char **subjects = calloc (count + 1, sizeof *subjects);
    bool *plain = calloc (count + 1, sizeof *plain);
    bool nomem = !bases || !keys || !subjects || !plain;
    for (size_t i = 0; i < count; i++)
        names [i] = NULL;
    for (size_t i = 0; !nomem && i < count; i++) {
        const report_step_t *step = &job->steps [i];
        if (!step->run || !*step->run)
            continue;
        bases [i] = stepname_base (kb, step);
        keys [i] = step->kind == CMD_BUILD && s_configures (kb, step->run)
                 ? "configure": s_kind_key (step->kind);
        subjects [i] = stepname_subject (kb, step->run);
        nomem = !subjects [i];
    }
    //  Of the steps that share a name, the first that runs the kind's own
    //  script keeps it plain, else the first; the others say what they run.
    for (size_t i = 0; !nomem && i < count; i++) {
        if (!bases [i])
            continue;
        size_t first = count, own = count, sharing = 0;
        for (size_t k = 0; k < count; k++) {
            if (!bases [k] || strcasecmp (bases [k], bases [i]))
                continue;
            sharing++;
            if (first == count)
                first = k;
            if (own == count && s_own_script (kb, keys [k], subjects [k]))
                own = k;
        }
        plain [i] = sharing == 1 || i == (own < count? own: first) || !*subjects [i];
    }
    for (size_t i = 0; !nomem && i < count; i++) {
        if (!bases [i])
            continue;
        char *stem = NULL;
        if (plain [i])
            stem = strdup (bases [i]);
        else
        if (asprintf (&stem, "%s (%s)", bases [i], subjects [i]) < 0)
            stem = NULL;
        //  still the same as another (two steps that run the same thing,
        //  or a setup step's name): a number, from 2
        char *name = stem? strdup (stem): NULL;
        for (int n = 2; name && s_taken (name, taken, taken_count, names, i); n++) {
            free (name);
            if (asprintf (&name, "%s %d", stem, n) < 0)
                name = NULL;
        }
        free (stem);
        names [i] = name;
        nomem = !name;
    }
    for (size_t i = 0; subjects && i < count; i++)
        free (subjects [i]);
    free (subjects);
    free (bases);
    free (keys);
    free (plain);
    if (nomem) {
        for (size_t i = 0; i < count; i++) {
            free (names [i]);
            names [i] = NULL;
        }
        return errno = ENOMEM, -1;
    }
    return 0;
}

const char *
stepname_no_tests_title (const knowledge_t *kb)
{
    return ytree_str (ytree_path (knowledge_root (kb), "workflow", "no-tests", "title",
                                  NULL), "No test command");
}

char *
stepname_no_tests_message (const knowledge_t *kb, const report_t *report,
                           const report_job_t *job)
{
    const ynode_t *add = ytree_path (knowledge_root (kb), "workflow", "no-tests", "add",
                                     NULL);
    const char *hint = job && job->ecosystem? ytree_str (ytree_get (add, job->ecosystem),
                                                         NULL): NULL;
    if (!hint)
        hint = ytree_str (ytree_get (add, "default"), "the command that runs the tests");
    const char *looked = NULL;
    for (size_t i = 0; i < report->notes_count && !looked; i++)
        if (report->notes [i].key && strcmp (report->notes [i].key, "no-tests") == 0)
            looked = report->notes [i].value;
    char *text = NULL;
    int rc = looked
           ? asprintf (&text, "readme2ci: %s. Add %s, then generate the workflow again, "
                       "or replace this step with the command that runs the tests.",
                       looked, hint)
           : asprintf (&text, "readme2ci: no test command found for %s. Add %s, then "
                       "generate the workflow again, or replace this step with the command "
                       "that runs the tests.", report->project && *report->project
                       ? report->project: "this project", hint);
    if (rc < 0)
        return errno = ENOMEM, NULL;
    //  one line, whatever the note held
    for (char *p = text; *p; p++)
        if ((unsigned char) *p < 0x20 || *p == 0x7f)
            *p = ' ';
    return text;
}

char **
stepname_job_kept (const knowledge_t *kb, const report_job_t *job,
                   const char *const *taken, size_t taken_count, strpool_t *pool)
{
    char **names = calloc (job->steps_count + 1, sizeof *names);
    if (!names || stepname_job (kb, job, taken, taken_count, names)) {
        free (names);
        return NULL;
    }
    for (size_t i = 0; i < job->steps_count; i++)
        if (names [i])
            names [i] = strpool_keep (pool, names [i]);
    return names;
}
