/*  workers/parser/parser.c - reads a project's documents with cmark into
    a readme_doc_t: the walk over the tree, sections and heading paths,
    code blocks, inline commands in prose, badges, facts and the title.
    The pieces live in blocksplit, classify, badge and facts.  */
#include "workers/parser/parser.h"
#include "workers/parser/badge.h"
#include "workers/parser/blocksplit.h"
#include "workers/parser/classify.h"
#include "workers/parser/facts.h"
#include "workers/parser/markup.h"
#include "workers/parser/sbuf.h"

#include <cmark.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  The same bounds the readme_doc decoder enforces, so whatever we
//  produce can be sent; a document past them is cut short, not refused.
#define S_MAX_DOCS      64
#define S_MAX_DOC_SIZE  (16u * 1024 * 1024)
#define S_MAX_SECTIONS  100000
#define S_MAX_BLOCKS    100000
#define S_MAX_COMMANDS  100000
#define S_MAX_BADGES    10000
#define S_MAX_FACTS     10000

//  A block mode meaning "not shell: no commands".
enum { S_NOT_SHELL = -1 };

typedef struct {
    const knowledge_t *kb;          //  which words are tools
    readme_doc_t *doc;
    size_t sections_cap, blocks_cap, commands_cap, badges_cap, facts_cap;
    bool nomem;
    //  The document being read.
    uint32_t doc_index;
    const char *src;
    size_t size;
    size_t cursor_line;             //  1-based line that starts at cursor_off
    size_t cursor_off;
    int32_t section;                //  current section, -1 before any
    int32_t stack [7];              //  section open at each heading level
    int32_t title_section;          //  left out of heading paths
    bool single_h1;
    char *html_link;                //  href of an open <a> in inline HTML
    //  <details> whose <summary> opened a section: the section to return
    //  to at </details>, and the summary's level
    uint32_t heading_level;         //  of the last real heading, 0 before
    int32_t details_saved [8];
    uint32_t details_level [8];
    size_t details_depth;
    //  Title candidates from the README.
    int32_t first_h1;
    int32_t first_heading;
    char *html_h1;
} state_t;

//  -- growing the lists ---------------------------------------------------

static bool
s_grow (state_t *st, void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return true;
    size_t next = *cap? *cap * 2: 16;
    void *grown = realloc (*items, next * size);
    if (!grown) {
        st->nomem = true;
        return false;
    }
    *items = grown;
    *cap = next;
    return true;
}

//  Copies size bytes into a new string; marks st on failure.
static char *
s_dup (state_t *st, const char *text, size_t size)
{
    char *copy = malloc (size + 1);
    if (!copy) {
        st->nomem = true;
        return NULL;
    }
    if (size)
        memcpy (copy, text, size);
    copy [size] = 0;
    return copy;
}

static char *
s_dups (state_t *st, const char *text)
{
    return s_dup (st, text? text: "", text? strlen (text): 0);
}

//  -- text helpers --------------------------------------------------------

//  Appends text with runs of whitespace folded to one space.
static void
s_add_folded (sbuf_t *buf, const char *text)
{
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (buf->len && buf->data [buf->len - 1] != ' ')
                sbuf_addc (buf, ' ');
        }
        else
            sbuf_addc (buf, c);
    }
}

//  The plain text of an inline subtree: markup removed, images and raw
//  HTML left out, whitespace folded.
static void
s_plain_text (cmark_node *node, sbuf_t *buf)
{
    cmark_iter *iter = cmark_iter_new (node);
    if (!iter)
        return;
    int in_image = 0;
    cmark_event_type event;
    while ((event = cmark_iter_next (iter)) != CMARK_EVENT_DONE) {
        cmark_node *cur = cmark_iter_get_node (iter);
        cmark_node_type type = cmark_node_get_type (cur);
        if (type == CMARK_NODE_IMAGE) {
            in_image += event == CMARK_EVENT_ENTER? 1: -1;
            continue;
        }
        if (event != CMARK_EVENT_ENTER || in_image)
            continue;
        if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE)
            s_add_folded (buf, cmark_node_get_literal (cur));
        else
        if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK)
            s_add_folded (buf, " ");
    }
    cmark_iter_free (iter);
    sbuf_rtrim (buf);
    //  Leading space can only come from a break at the start.
    if (buf->len && buf->data [0] == ' ') {
        memmove (buf->data, buf->data + 1, buf->len);
        buf->len--;
    }
}

//  The alt text of an image: the text of its children.
static char *
s_alt_text (state_t *st, cmark_node *image)
{
    sbuf_t buf = { 0 };
    for (cmark_node *child = cmark_node_first_child (image); child;
         child = cmark_node_next (child))
        if (cmark_node_get_type (child) == CMARK_NODE_TEXT
        ||  cmark_node_get_type (child) == CMARK_NODE_CODE)
            s_add_folded (&buf, cmark_node_get_literal (child));
    char *alt = sbuf_take (&buf);
    if (!alt)
        st->nomem = true;
    return alt;
}

//  The line of the source at 1-based number line (without its ending).
//  Lines are looked up in document order, so a forward cursor suffices.
static bool
s_source_line (state_t *st, size_t line, const char **text, size_t *len)
{
    if (line < st->cursor_line) {
        st->cursor_line = 1;
        st->cursor_off = 0;
    }
    while (st->cursor_line < line && st->cursor_off < st->size) {
        char c = st->src [st->cursor_off++];
        if (c == '\r' && st->cursor_off < st->size && st->src [st->cursor_off] == '\n')
            st->cursor_off++;
        if (c == '\n' || c == '\r')
            st->cursor_line++;
    }
    if (st->cursor_line != line)
        return false;
    size_t end = st->cursor_off;
    while (end < st->size && st->src [end] != '\n' && st->src [end] != '\r')
        end++;
    *text = st->src + st->cursor_off;
    *len = end - st->cursor_off;
    return true;
}

//  -- sections ------------------------------------------------------------

//  Adds a section and makes it current; heading is taken over (freed on
//  failure). Returns its index, or -1 when it was not added.
static int32_t
s_add_section (state_t *st, char *heading, uint32_t level, uint32_t line)
{
    readme_doc_t *doc = st->doc;
    if (!heading || doc->sections_count >= S_MAX_SECTIONS
    ||  !s_grow (st, (void **) &doc->sections, &st->sections_cap,
                 doc->sections_count, sizeof *doc->sections)) {
        free (heading);
        return -1;
    }
    int32_t index = (int32_t) doc->sections_count;
    //  "Development > Running tests": the open headings above this one,
    //  except the document's title.
    sbuf_t path = { 0 };
    if (level > 0) {
        for (uint32_t l = level; l <= 6; l++)
            st->stack [l] = -1;
        for (uint32_t l = 1; l < level; l++) {
            int32_t above = st->stack [l];
            if (above < 0 || above == st->title_section)
                continue;
            sbuf_adds (&path, doc->sections [above].heading);
            sbuf_adds (&path, " > ");
        }
        sbuf_adds (&path, heading);
        st->stack [level] = index;
    }
    char *text = sbuf_take (&path);
    if (!text) {
        st->nomem = true;
        free (heading);
        return -1;
    }
    doc->sections [index] = (readme_section_t) { heading, text, level, line, st->doc_index };
    doc->sections_count++;
    st->section = index;
    return index;
}

//  Content before the first heading lives in a level-0 section.
static void
s_ensure_section (state_t *st, uint32_t line)
{
    if (st->section < 0)
        s_add_section (st, s_dups (st, ""), 0, line);
}

//  The section index to store: 0 when there is none at all.
static uint32_t
s_section_index (const state_t *st)
{
    return st->section < 0? 0: (uint32_t) st->section;
}

//  -- facts ---------------------------------------------------------------

static void
s_add_fact (state_t *st, const char *key, const char *value, uint32_t line)
{
    readme_doc_t *doc = st->doc;
    for (size_t i = 0; i < doc->facts_count; i++)
        if (strcmp (doc->facts [i].key, key) == 0 && strcmp (doc->facts [i].value, value) == 0)
            return;
    if (doc->facts_count >= S_MAX_FACTS
    ||  !s_grow (st, (void **) &doc->facts, &st->facts_cap, doc->facts_count,
                 sizeof *doc->facts))
        return;
    char *k = s_dups (st, key), *v = s_dups (st, value);
    if (!k || !v) {
        free (k);
        free (v);
        return;
    }
    doc->facts [doc->facts_count++] = (readme_fact_t) { k, v, line, st->doc_index };
}

typedef struct {
    state_t *st;
    const char *text;
    uint32_t line;          //  line of text [0]
    size_t counted;         //  newlines counted up to here
    uint32_t at_line;
} fact_scan_t;

//  True when the current section is about requirements, where a bare
//  "Python 3.9" states one.
static bool
s_requirements_section (const state_t *st)
{
    static const char *const words [] = { "require", "prerequisite", "dependenc",
        "compatib", "support", "install", "getting started", "environment",
        "setup", "set up", "minimum", "version", "building", "develop", NULL };
    if (st->section < 0)
        return false;
    char lower [256];
    const char *path = st->doc->sections [st->section].path;
    size_t len = strlen (path);
    if (len >= sizeof lower)
        len = sizeof lower - 1;
    for (size_t i = 0; i < len; i++)
        lower [i] = (char) ((path [i] >= 'A' && path [i] <= 'Z')? path [i] + 32: path [i]);
    lower [len] = 0;
    for (int w = 0; words [w]; w++)
        if (strstr (lower, words [w]))
            return true;
    return false;
}

static int
s_on_fact (void *arg, const char *key, const char *value, size_t offset, bool cue)
{
    fact_scan_t *scan = arg;
    if (!cue && !s_requirements_section (scan->st))
        return 0;
    //  Offsets come in order, so counting newlines stays linear.
    while (scan->counted < offset) {
        if (scan->text [scan->counted] == '\n')
            scan->at_line++;
        scan->counted++;
    }
    s_add_fact (scan->st, key, value, scan->at_line);
    return 0;
}

static void
s_scan_facts (state_t *st, const char *text, size_t size, uint32_t line)
{
    fact_scan_t scan = { st, text, line, 0, line };
    facts_scan (text, size, s_on_fact, &scan);
}

//  -- commands ------------------------------------------------------------

static void
s_add_command (state_t *st, classify_ctx_t *ctx, const char *text, size_t size,
               uint32_t line, int32_t block, uint32_t flags)
{
    readme_doc_t *doc = st->doc;
    if (doc->commands_count >= S_MAX_COMMANDS
    ||  !s_grow (st, (void **) &doc->commands, &st->commands_cap, doc->commands_count,
                 sizeof *doc->commands))
        return;
    classify_result_t result;
    classify_command (st->kb, ctx, text, size, &result);
    char *copy = s_dup (st, text, size);
    char *reason = s_dups (st, result.reason);
    if (!copy || !reason) {
        free (copy);
        free (reason);
        return;
    }
    doc->commands [doc->commands_count++] = (readme_cmd_t) {
        copy, result.kind, reason, flags | result.flags, line,
        s_section_index (st), block, st->doc_index
    };
}

typedef struct {
    state_t *st;
    classify_ctx_t ctx;
    uint32_t first_line;
    int32_t block;
} block_scan_t;

static int
s_on_command (void *arg, const char *text, size_t size, uint32_t line, uint32_t flags)
{
    block_scan_t *scan = arg;
    s_add_command (scan->st, &scan->ctx, text, size, scan->first_line + line,
                   scan->block, flags);
    return scan->st->nomem? -1: 0;
}

//  -- code blocks ---------------------------------------------------------

static const char *const s_shell_langs [] = { "sh", "bash", "shell", "zsh", "fish",
    "ksh", "dash", "shell-script", "shellscript", NULL };
static const char *const s_console_langs [] = { "console", "shell-session",
    "shellsession", "sh-session", "bash-session", "terminal", "term", NULL };
static const char *const s_windows_langs [] = { "powershell", "pwsh", "ps1", "ps",
    "posh", "bat", "batch", "cmd", "dos", "doscon", "ps1con", "winbatch", NULL };

static bool
s_in (const char *word, const char *const *list)
{
    for (int i = 0; list [i]; i++)
        if (strcmp (word, list [i]) == 0)
            return true;
    return false;
}

//  The language of an info string: first word, lower-cased; pandoc's
//  {.bash .numberLines} and {bash} give "bash".
static char *
s_lang (state_t *st, const char *info)
{
    const char *p = info;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len;
    if (*p == '{') {
        const char *close = strchr (p, '}');
        size_t inner = close? (size_t) (close - p - 1): strlen (p + 1);
        const char *dot = memchr (p + 1, '.', inner);
        p = dot? dot + 1: p + 1;
        while (*p == ' ')
            p++;
        len = strcspn (p, " \t},=");
    }
    else
        len = strcspn (p, " \t{,;:=");
    char *lang = s_dup (st, p, len);
    for (size_t i = 0; lang && i < len; i++)
        if (lang [i] >= 'A' && lang [i] <= 'Z')
            lang [i] = (char) (lang [i] + 32);
    return lang;
}

//  True when the block at node opens with a fence (``` or ~~~) rather
//  than being indented. cmark keeps no such flag, so the source tells.
static bool
s_is_fenced (state_t *st, cmark_node *node, const char *literal)
{
    const char *text;
    size_t len;
    int line = cmark_node_get_start_line (node);
    int column = cmark_node_get_start_column (node);
    if (line < 1 || !s_source_line (st, (size_t) line, &text, &len))
        return false;
    size_t i = column > 0 && (size_t) column - 1 <= len? (size_t) column - 1: 0;
    while (i < len && (text [i] == ' ' || text [i] == '\t'))
        i++;
    if (len - i < 3 || !(memcmp (text + i, "```", 3) == 0 || memcmp (text + i, "~~~", 3) == 0))
        return false;
    //  An indented block whose first line shows a fence keeps it.
    const char *first = literal;
    while (*first == ' ' || *first == '\t')
        first++;
    size_t flen = strcspn (first, "\n");
    return !(flen == len - i && memcmp (first, text + i, flen) == 0);
}

//  A code block: info string, text, the line it opens on and the line of
//  its first line of text.
static void
s_block (state_t *st, const char *info, const char *literal, uint32_t line,
         uint32_t first_line, bool fenced)
{
    readme_doc_t *doc = st->doc;
    if (doc->blocks_count >= S_MAX_BLOCKS
    ||  !s_grow (st, (void **) &doc->blocks, &st->blocks_cap, doc->blocks_count,
                 sizeof *doc->blocks))
        return;
    char *lang = s_lang (st, info);
    char *info_copy = s_dups (st, info);
    if (!lang || !info_copy) {
        free (lang);
        free (info_copy);
        return;
    }
    size_t size = strlen (literal);
    int mode = S_NOT_SHELL;
    if (s_in (lang, s_shell_langs))
        mode = BLOCKSPLIT_SHELL;
    else
    if (s_in (lang, s_console_langs))
        mode = BLOCKSPLIT_CONSOLE;
    else
    if (s_in (lang, s_windows_langs))
        mode = BLOCKSPLIT_WINDOWS;
    else
    if (!*lang && blocksplit_looks_shell (st->kb, literal, size))
        mode = BLOCKSPLIT_PLAIN;
    int32_t index = (int32_t) doc->blocks_count;
    doc->blocks [doc->blocks_count++] = (readme_block_t) {
        info_copy, lang, line, s_section_index (st), st->doc_index, fenced,
        mode != S_NOT_SHELL && mode != BLOCKSPLIT_WINDOWS
    };
    if (mode == S_NOT_SHELL)
        return;
    block_scan_t scan = { st, { { 0 } }, first_line, index };
    if (blocksplit_run (st->kb, literal, size, (blocksplit_mode_t) mode, s_on_command, &scan)
    &&  errno == ENOMEM)
        st->nomem = true;
}

static void
s_code_block (state_t *st, cmark_node *node)
{
    uint32_t line = (uint32_t) cmark_node_get_start_line (node);
    s_ensure_section (st, line);
    const char *info = cmark_node_get_fence_info (node);
    const char *literal = cmark_node_get_literal (node);
    if (!info)
        info = "";
    if (!literal)
        literal = "";
    bool fenced = s_is_fenced (st, node, literal);
    s_block (st, info, literal, line, fenced? line + 1: line, fenced);
}

//  -- badges and HTML -----------------------------------------------------

static void
s_add_badge (state_t *st, const char *url, const char *alt, const char *link,
             uint32_t line)
{
    if (!badge_is_badge (url))
        return;
    readme_doc_t *doc = st->doc;
    badge_info_t info;
    badge_classify (url, alt, &info);
    if (info.fact_key [0])
        s_add_fact (st, info.fact_key, info.fact_value, line);
    if (doc->badges_count >= S_MAX_BADGES
    ||  !s_grow (st, (void **) &doc->badges, &st->badges_cap, doc->badges_count,
                 sizeof *doc->badges))
        return;
    char *kind = s_dups (st, info.kind), *value = s_dups (st, info.value);
    char *image = s_dups (st, url), *target = s_dups (st, link);
    if (!kind || !value || !image || !target) {
        free (kind);
        free (value);
        free (image);
        free (target);
        return;
    }
    doc->badges [doc->badges_count++] = (readme_badge_t) {
        kind, value, image, target, line, st->doc_index
    };
}

static void
s_image (state_t *st, cmark_node *node, uint32_t line)
{
    const char *url = cmark_node_get_url (node);
    if (!badge_is_badge (url))
        return;
    cmark_node *parent = cmark_node_parent (node);
    const char *link = parent && cmark_node_get_type (parent) == CMARK_NODE_LINK
                     ? cmark_node_get_url (parent): "";
    char *alt = s_alt_text (st, node);
    s_add_badge (st, url, alt? alt: "", link? link: "", line);
    free (alt);
}

static bool
s_ieq (const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char x = a [i], y = b [i];
        if (x >= 'A' && x <= 'Z')
            x = (char) (x + 32);
        if (x != y)
            return false;
    }
    return true;
}

//  The value of attribute name inside tag [start, end), or NULL.
static char *
s_attr (state_t *st, const char *tag, size_t len, const char *name)
{
    size_t nlen = strlen (name);
    for (size_t i = 1; i + nlen < len; i++) {
        if (!(tag [i - 1] == ' ' || tag [i - 1] == '\t' || tag [i - 1] == '\n')
        ||  !s_ieq (tag + i, name, nlen))
            continue;
        size_t j = i + nlen;
        while (j < len && tag [j] == ' ')
            j++;
        if (j >= len || tag [j] != '=')
            continue;
        j++;
        while (j < len && tag [j] == ' ')
            j++;
        char quote = j < len && (tag [j] == '"' || tag [j] == '\'')? tag [j++]: 0;
        size_t start = j;
        while (j < len && (quote? tag [j] != quote: (tag [j] != ' ' && tag [j] != '>')))
            j++;
        return s_dup (st, tag + start, j - start);
    }
    return NULL;
}

//  The text of an element from html [from] up to its closing tag close
//  ("/h1"), tags dropped and the common entities decoded; whitespace
//  folded unless lines is set. *end_p is where the closing tag starts.
static char *
s_inner_text (state_t *st, const char *html, size_t len, size_t from, const char *close,
              bool lines, size_t *end_p)
{
    static const char *const entities [][2] = { { "&lt;", "<" }, { "&gt;", ">" },
        { "&amp;", "&" }, { "&quot;", "\"" }, { "&#39;", "'" }, { "&apos;", "'" },
        { "&nbsp;", " " }, { "&#36;", "$" } };
    size_t clen = strlen (close);
    sbuf_t text = { 0 };
    size_t j = from;
    bool in_tag = false;
    for (; j < len; j++) {
        char c = html [j];
        if (c == '<' && j + 1 + clen <= len && s_ieq (html + j + 1, close, clen)
        &&  (j + 1 + clen == len || html [j + 1 + clen] == '>' || html [j + 1 + clen] == ' '))
            break;
        if (in_tag) {
            in_tag = c != '>';
            continue;
        }
        if (c == '<') {
            in_tag = true;
            continue;
        }
        if (c == '&') {
            size_t e = 0, n = sizeof entities / sizeof entities [0];
            while (e < n && !(j + strlen (entities [e][0]) <= len
                              && memcmp (html + j, entities [e][0], strlen (entities [e][0])) == 0))
                e++;
            if (e < n) {
                sbuf_adds (&text, entities [e][1]);
                j += strlen (entities [e][0]) - 1;
                continue;
            }
        }
        if (lines)
            sbuf_addc (&text, c);
        else {
            char one [2] = { c == '\n'? ' ': c, 0 };
            s_add_folded (&text, one);
        }
    }
    *end_p = j;
    if (!lines) {
        sbuf_rtrim (&text);
        if (text.len && text.data [0] == ' ') {
            memmove (text.data, text.data + 1, text.len);
            text.len--;
        }
    }
    char *out = sbuf_take (&text);
    if (!out)
        st->nomem = true;
    return out;
}

//  <summary> in a <details> block titles what the block hides ("Build
//  from source"): a section one level below the current one, left at
//  </details>.
static void
s_summary (state_t *st, char *heading, uint32_t line)
{
    if (!heading || !*heading || st->details_depth >= 8) {
        free (heading);
        return;
    }
    s_ensure_section (st, line);
    int32_t saved = st->section;
    uint32_t level = st->section >= 0? st->doc->sections [st->section].level + 1: 1;
    if (level > 6)
        level = 6;
    if (s_add_section (st, heading, level, line) < 0)
        return;
    st->details_saved [st->details_depth] = saved;
    st->details_level [st->details_depth] = level;
    st->details_depth++;
}

static void
s_details_end (state_t *st)
{
    if (!st->details_depth)
        return;
    st->details_depth--;
    st->section = st->details_saved [st->details_depth];
    st->stack [st->details_level [st->details_depth]] = -1;
}

//  Reads raw HTML for badges (<a href><img src alt></a>), <pre> blocks
//  of commands, <details> sections and, in the README, an <h1> that may
//  be its title. Link state carries across the inline HTML pieces of one
//  paragraph.
static void
s_html (state_t *st, const char *html, uint32_t line, bool block)
{
    size_t len = strlen (html);
    uint32_t at_line = line;
    for (size_t i = 0; i < len; i++) {
        if (html [i] == '\n')
            at_line++;
        if (html [i] != '<')
            continue;
        size_t end = i;
        while (end < len && html [end] != '>')
            end++;
        const char *tag = html + i;
        size_t tlen = end - i;
        if (tlen >= 2 && s_ieq (tag + 1, "a", 1) && (tag [2] == ' ' || tag [2] == '\n')) {
            free (st->html_link);
            st->html_link = s_attr (st, tag, tlen, "href");
        }
        else
        if (tlen >= 3 && s_ieq (tag + 1, "/a", 2)) {
            free (st->html_link);
            st->html_link = NULL;
        }
        else
        if (tlen >= 4 && s_ieq (tag + 1, "img", 3)) {
            char *src = s_attr (st, tag, tlen, "src");
            char *alt = s_attr (st, tag, tlen, "alt");
            if (src)
                s_add_badge (st, src, alt? alt: "", st->html_link? st->html_link: "", at_line);
            free (src);
            free (alt);
        }
        else
        if (block && st->doc_index == 0 && !st->html_h1 && tlen >= 3
        &&  s_ieq (tag + 1, "h1", 2) && (tag [3] == ' ' || tag [3] == '>' || tag [3] == '\n')) {
            //  The text up to </h1>, tags dropped.
            size_t stop;
            char *text = s_inner_text (st, html, len, end + 1, "/h1", false, &stop);
            if (text && *text)
                st->html_h1 = text;
            else
                free (text);
        }
        else
        if (block && tlen >= 8 && s_ieq (tag + 1, "summary", 7)
        &&  (tag [8] == ' ' || tag [8] == '>')) {
            size_t stop;
            char *text = s_inner_text (st, html, len, end + 1, "/summary", false, &stop);
            s_summary (st, text, at_line);
            for (; end < stop; end++)
                if (html [end] == '\n')
                    at_line++;
        }
        else
        if (tlen >= 9 && s_ieq (tag + 1, "/details", 8))
            s_details_end (st);
        else
        if (block && tlen >= 4 && s_ieq (tag + 1, "pre", 3)
        &&  (tag [4] == ' ' || tag [4] == '>' || tag [4] == '\n')) {
            //  <pre> holds a block of text as written: commands, often
            //  with prompts, as in a fenced block without a language
            size_t from = end < len? end + 1: len;
            uint32_t first = at_line;
            if (from < len && html [from] == '\n') {
                from++;
                first++;
            }
            size_t stop;
            char *text = s_inner_text (st, html, len, from, "/pre", true, &stop);
            if (text) {
                char *lang = s_attr (st, tag, tlen, "lang");
                s_ensure_section (st, at_line);
                s_block (st, lang? lang: "", text, at_line, first, false);
                free (lang);
                free (text);
            }
            for (; end < stop; end++)
                if (html [end] == '\n')
                    at_line++;
        }
        i = end;
    }
    if (block) {
        free (st->html_link);
        st->html_link = NULL;
    }
}

//  -- prose ---------------------------------------------------------------

//  The last word before end in text (lower-cased into out), skipping
//  trailing spaces and punctuation; returns where that word starts.
static size_t
s_last_word (const char *text, size_t end, char *out, size_t out_size)
{
    while (end > 0 && strchr (" \t\n:,;(\"'", text [end - 1]))
        end--;
    size_t start = end;
    while (start > 0 && ((text [start - 1] >= 'a' && text [start - 1] <= 'z')
                      || (text [start - 1] >= 'A' && text [start - 1] <= 'Z')))
        start--;
    size_t n = end - start < out_size - 1? end - start: out_size - 1;
    for (size_t i = 0; i < n; i++) {
        char c = text [start + i];
        out [i] = (char) ((c >= 'A' && c <= 'Z')? c + 32: c);
    }
    out [n] = 0;
    return start;
}

//  True when the prose before a code span asks the reader to run it:
//  "run `make test`", "tests can be run with `pytest`", "use `cargo test`".
static bool
s_asks_to_run (const char *prose, size_t sentence, size_t end, bool chained)
{
    static const char *const direct [] = { "run", "execute", "exec", "type",
        "typing", "use", "using", "invoke", "try", "enter", "launch", "running",
        "executing", "runs", "command", "calling", "call", "do", NULL };
    static const char *const joined [] = { "with", "via", "by", NULL };
    static const char *const verbs [] = { "run", "ran", "execut", "test", "build",
        "built", "install", "launch", "start", "invok", "lint", "format", "check",
        "compil", NULL };
    static const char *const connectors [] = { "and", "or", "then", "", NULL };
    char word [16];
    size_t start = s_last_word (prose, end, word, sizeof word);
    if (s_in (word, direct))
        return true;
    if (chained && end - start < 24 && s_in (word, connectors))
        return true;
    //  "To run the tests: `pytest -x`": a colon ends a sentence about
    //  running something
    size_t colon = end;
    while (colon > sentence && (prose [colon - 1] == ' ' || prose [colon - 1] == '\t'))
        colon--;
    bool introduced = colon > sentence && prose [colon - 1] == ':';
    if (!introduced && !s_in (word, joined))
        return false;
    if (introduced)
        start = colon;
    //  "with": only when the sentence is about running something.
    for (size_t i = sentence; i < start; i++) {
        if (i > sentence && ((prose [i - 1] >= 'a' && prose [i - 1] <= 'z')
                          || (prose [i - 1] >= 'A' && prose [i - 1] <= 'Z')))
            continue;
        for (int v = 0; verbs [v]; v++) {
            size_t vlen = strlen (verbs [v]);
            if (i + vlen <= start && s_ieq (prose + i, verbs [v], vlen))
                return true;
        }
    }
    return false;
}

//  True when a code span that comes after prose in paragraph node opens
//  a list item (nothing before it in the item's first paragraph) or a
//  table cell of a pipe table cmark reads as text ("| `make lint` |").
static bool
s_leads_entry (cmark_node *node, const sbuf_t *prose)
{
    size_t start = prose->len;
    while (start > 0 && prose->data [start - 1] != '\n')
        start--;
    //  a cell: the line opens with '|' and only blanks follow the last one
    size_t lead = start;
    while (lead < prose->len && (prose->data [lead] == ' ' || prose->data [lead] == '\t'))
        lead++;
    if (lead < prose->len && prose->data [lead] == '|') {
        size_t end = prose->len;
        while (end > lead && (prose->data [end - 1] == ' ' || prose->data [end - 1] == '\t'))
            end--;
        return prose->data [end - 1] == '|';
    }
    for (size_t i = start; i < prose->len; i++)
        if (prose->data [i] != ' ' && prose->data [i] != '\t')
            return false;
    cmark_node *parent = cmark_node_parent (node);
    return start == 0 && parent && cmark_node_get_type (parent) == CMARK_NODE_ITEM
        && cmark_node_first_child (parent) == node;
}

//  A paragraph or heading: facts in its text, and commands in its code
//  spans when the prose asks to run them.
static void
s_prose (state_t *st, cmark_node *node, bool inline_commands)
{
    uint32_t line = (uint32_t) cmark_node_get_start_line (node);
    sbuf_t prose = { 0 };
    size_t sentence = 0, tail = 0;
    bool chained = false;
    uint32_t at_line = line;
    cmark_iter *iter = cmark_iter_new (node);
    if (!iter) {
        st->nomem = true;
        return;
    }
    cmark_event_type event;
    while ((event = cmark_iter_next (iter)) != CMARK_EVENT_DONE) {
        if (event != CMARK_EVENT_ENTER)
            continue;
        cmark_node *cur = cmark_iter_get_node (iter);
        cmark_node_type type = cmark_node_get_type (cur);
        if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
            sbuf_addc (&prose, '\n');
            at_line++;
            continue;
        }
        if (type == CMARK_NODE_TEXT) {
            const char *text = cmark_node_get_literal (cur);
            size_t before = prose.len;
            sbuf_adds (&prose, text);
            //  Where the current sentence starts.
            for (size_t i = before; i < prose.len && !prose.failed; i++)
                if ((prose.data [i] == '.' || prose.data [i] == '!' || prose.data [i] == '?')
                &&  (i + 1 == prose.len || prose.data [i + 1] == ' '))
                    sentence = i + 1;
            if (prose.len - tail > 24)
                chained = false;
            continue;
        }
        if (type != CMARK_NODE_CODE)
            continue;
        const char *code = cmark_node_get_literal (cur);
        size_t size = strlen (code);
        if (inline_commands && !prose.failed && st->section >= 0) {
            //  "$ make test" in a span: the prompt is not the command.
            size_t p = blocksplit_prompt (st->kb, code, size, BLOCKSPLIT_PLAIN);
            const char *cmd = code + p;
            size_t cmd_size = size - p;
            bool several = memchr (cmd, ' ', cmd_size) != NULL;
            bool asks = s_asks_to_run (sbuf_str (&prose), sentence, prose.len, chained)
                     && (several || classify_runs_alone (st->kb, cmd, cmd_size));
            //  A span that opens a list item or a table cell names a
            //  command ("- `npm test`: runs the tests", "| `make lint` |");
            //  a lone word there is more often a prerequisite ("- `cmake`").
            if (!asks && several && s_leads_entry (node, &prose))
                asks = true;
            if (asks && classify_looks_like_command (st->kb, cmd, cmd_size)) {
                int span_line = cmark_node_get_start_line (cur);
                s_add_command (st, NULL, cmd, cmd_size,
                               span_line > 0? (uint32_t) span_line: at_line, -1, CMD_F_INLINE);
                chained = true;
            }
            else
                chained = false;
        }
        sbuf_adds (&prose, code);
        tail = prose.len;
    }
    cmark_iter_free (iter);
    if (prose.failed)
        st->nomem = true;
    else
    if (prose.len)
        s_scan_facts (st, prose.data, prose.len, line);
    sbuf_release (&prose);
}

static void
s_heading (state_t *st, cmark_node *node)
{
    uint32_t level = (uint32_t) cmark_node_get_heading_level (node);
    uint32_t line = (uint32_t) cmark_node_get_start_line (node);
    if (level < 1 || level > 6)
        level = 6;
    sbuf_t text = { 0 };
    s_plain_text (node, &text);
    char *heading = sbuf_take (&text);
    if (!heading) {
        st->nomem = true;
        return;
    }
    bool first = true;
    for (int l = 1; l <= 6; l++)
        if (st->stack [l] >= 0)
            first = false;
    //  The first heading of a document, when it is its only H1, is its
    //  title: paths below it leave it out.
    bool is_title = first && level == 1 && st->single_h1 && st->title_section < 0
                 && (st->section < 0 || st->doc->sections [st->section].level == 0);
    int32_t index = s_add_section (st, heading, level, line);
    if (index < 0)
        return;
    st->heading_level = level;
    if (is_title)
        st->title_section = index;
    if (st->doc_index == 0) {
        if (st->first_heading < 0)
            st->first_heading = index;
        if (level == 1 && st->first_h1 < 0)
            st->first_h1 = index;
    }
    s_prose (st, node, false);
}

//  A top-level paragraph that is only bold text ("**Running tests**",
//  "**Build:**") stands for a heading in READMEs that do without them: a
//  section one level below the last real heading, so that consecutive
//  ones are siblings. True when node was taken as one.
static bool
s_pseudo_heading (state_t *st, cmark_node *node, uint32_t line)
{
    cmark_node *parent = cmark_node_parent (node);
    cmark_node *first = cmark_node_first_child (node);
    if (!parent || cmark_node_get_type (parent) != CMARK_NODE_DOCUMENT
    ||  !first || cmark_node_get_type (first) != CMARK_NODE_STRONG)
        return false;
    cmark_node *next = cmark_node_next (first);
    if (next) {
        const char *rest = cmark_node_get_literal (next);
        if (cmark_node_get_type (next) != CMARK_NODE_TEXT || cmark_node_next (next)
        ||  !rest || rest [strspn (rest, ": ")] != 0)
            return false;
    }
    sbuf_t text = { 0 };
    s_plain_text (first, &text);
    //  a colon inside the bold ("**Build:**") is not part of the name
    while (text.len && (text.data [text.len - 1] == ':' || text.data [text.len - 1] == ' '))
        text.data [--text.len] = 0;
    if (text.failed || text.len == 0 || text.len > 60) {
        if (text.failed)
            st->nomem = true;
        sbuf_release (&text);
        return false;
    }
    char *heading = sbuf_take (&text);
    uint32_t level = st->heading_level < 6? st->heading_level + 1: 6;
    return s_add_section (st, heading, level, line) >= 0;
}

//  True when a heading's text runs over several lines (a setext heading
//  under a paragraph).
static bool
s_multiline (cmark_node *heading)
{
    for (cmark_node *child = cmark_node_first_child (heading); child;
         child = cmark_node_next (child))
        if (cmark_node_get_type (child) == CMARK_NODE_SOFTBREAK
        ||  cmark_node_get_type (child) == CMARK_NODE_LINEBREAK)
            return true;
    return false;
}

//  -- the walk ------------------------------------------------------------

static void
s_walk (state_t *st, cmark_node *root)
{
    //  Count the H1s: a lone one is the title.
    int h1 = 0;
    for (cmark_node *child = cmark_node_first_child (root); child;
         child = cmark_node_next (child))
        if (cmark_node_get_type (child) == CMARK_NODE_HEADING
        &&  cmark_node_get_heading_level (child) == 1)
            h1++;
    st->single_h1 = h1 == 1;

    cmark_iter *iter = cmark_iter_new (root);
    if (!iter) {
        st->nomem = true;
        return;
    }
    cmark_event_type event;
    uint32_t para_line = 1;
    while (!st->nomem && (event = cmark_iter_next (iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node (iter);
        cmark_node_type type = cmark_node_get_type (node);
        int start = cmark_node_get_start_line (node);
        uint32_t line = start > 0? (uint32_t) start: para_line;
        if (event == CMARK_EVENT_EXIT) {
            if (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING) {
                free (st->html_link);
                st->html_link = NULL;
            }
            continue;
        }
        if (event != CMARK_EVENT_ENTER)
            continue;
        switch (type) {
            case CMARK_NODE_HEADING:
                para_line = line;
                //  Several lines over a "---" are a paragraph (often a pipe
                //  table) followed by a rule, not a heading: CommonMark
                //  reads them as one, no author means it.
                if (s_multiline (node)) {
                    s_ensure_section (st, line);
                    s_prose (st, node, true);
                }
                else
                    s_heading (st, node);
                break;
            case CMARK_NODE_PARAGRAPH:
                para_line = line;
                if (s_pseudo_heading (st, node, line))
                    break;
                s_ensure_section (st, line);
                s_prose (st, node, true);
                break;
            case CMARK_NODE_CODE_BLOCK:
                s_code_block (st, node);
                break;
            case CMARK_NODE_HTML_BLOCK:
                s_ensure_section (st, line);
                s_html (st, cmark_node_get_literal (node), line, true);
                break;
            case CMARK_NODE_HTML_INLINE:
                s_html (st, cmark_node_get_literal (node), line, false);
                break;
            case CMARK_NODE_IMAGE:
                s_image (st, node, line);
                break;
            default:
                break;
        }
    }
    cmark_iter_free (iter);
    free (st->html_link);
    st->html_link = NULL;
}

int
parser_parse (const knowledge_t *kb, const project_docs_t *docs, readme_doc_t *doc,
              char *err, size_t err_size)
{
    memset (doc, 0, sizeof *doc);
    //  no documents is a project without a README: an empty reading,
    //  and the detector works from the build files alone
    if (!docs) {
        snprintf (err, err_size, "no documents to parse");
        return errno = EINVAL, -1;
    }
    if (docs->docs_count > S_MAX_DOCS) {
        snprintf (err, err_size, "too many documents (%zu, at most %d)",
                  docs->docs_count, S_MAX_DOCS);
        return errno = EINVAL, -1;
    }
    for (size_t i = 0; i < docs->docs_count; i++) {
        const project_file_t *file = &docs->docs [i];
        if (file->size > S_MAX_DOC_SIZE) {
            snprintf (err, err_size, "%s: too large (%zu bytes, at most %u)",
                      file->name? file->name: "document", file->size, S_MAX_DOC_SIZE);
            return errno = EFBIG, -1;
        }
        if (!file->data && file->size) {
            snprintf (err, err_size, "%s: no contents", file->name? file->name: "document");
            return errno = EINVAL, -1;
        }
    }
    state_t st = { .kb = kb, .doc = doc, .first_h1 = -1, .first_heading = -1 };
    doc->docs = calloc (docs->docs_count, sizeof *doc->docs);
    if (!doc->docs)
        goto out_nomem;
    doc->docs_count = docs->docs_count;
    for (size_t i = 0; i < docs->docs_count && !st.nomem; i++) {
        const project_file_t *file = &docs->docs [i];
        doc->docs [i] = s_dups (&st, file->name);
        st.doc_index = (uint32_t) i;
        st.src = file->data? file->data: "";
        st.size = file->data? file->size: 0;
        //  reStructuredText and AsciiDoc are read as the Markdown they
        //  become, line for line
        char *converted = NULL;
        markup_kind_t kind = markup_kind (file->name, st.src, st.size);
        if (kind != MARKUP_MARKDOWN) {
            size_t size;
            converted = markup_to_markdown (kind, st.src, st.size, &size);
            if (!converted)
                goto out_nomem;
            st.src = converted;
            st.size = size;
        }
        st.cursor_line = 1;
        st.cursor_off = 0;
        st.section = -1;
        st.title_section = -1;
        st.details_depth = 0;
        st.heading_level = 0;
        for (int l = 0; l <= 6; l++)
            st.stack [l] = -1;
        cmark_node *root = cmark_parse_document (st.src, st.size, CMARK_OPT_VALIDATE_UTF8);
        if (root)
            s_walk (&st, root);
        cmark_node_free (root);
        free (converted);
        if (!root)
            goto out_nomem;
    }
    if (st.nomem)
        goto out_nomem;
    const char *title = st.first_h1 >= 0? doc->sections [st.first_h1].heading
                      : st.html_h1? st.html_h1
                      : st.first_heading >= 0? doc->sections [st.first_heading].heading: "";
    doc->title = strdup (title);
    free (st.html_h1);
    if (!doc->title) {
        st.html_h1 = NULL;
        goto out_nomem;
    }
    return 0;
out_nomem:
    free (st.html_h1);
    free (st.html_link);
    readme_doc_release (doc);
    snprintf (err, err_size, "out of memory while parsing");
    return errno = ENOMEM, -1;
}
