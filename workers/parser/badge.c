/*  workers/parser/badge.c - what a README badge says.

    Badges are recognised by host and path: shields.io routes, the CI
    services' own badge URLs, registry badge services. Static shields
    badges (/badge/label-message-color) are decoded to read language
    versions such as rust-1.70+ or node >= 18.  */
#include "workers/parser/badge.h"
#include "common/util.h"
#include "workers/parser/facts.h"

#include <stdio.h>
#include <string.h>

static const char *const s_hosts [] = {
    "shields.io", "badgen.net", "badge", "travis-ci.", "circleci.com",
    "ci.appveyor.com", "codecov.io", "coveralls.io", "dev.azure.com",
    "visualstudio.com", "pkg.go.dev", "godoc.org", "goreportcard.com",
    "docs.rs", "readthedocs", "deps.rs", "snyk.io", "codeclimate.com",
    "sonarcloud.io", "codacy.com", "/workflows/", "pipeline.svg",
    "coverage.svg", "r-pkg.org", "cranlogs", "hex.pm", "api.cirrus-ci.com",
    "buildkite.com", "drone.io", NULL
};

bool
badge_is_badge (const char *url)
{
    if (!url)
        return false;
    for (int i = 0; s_hosts [i]; i++)
        if (strstr (url, s_hosts [i]))
            return true;
    return false;
}

static bool
s_has (const char *text, const char *part)
{
    return text && strstr (text, part) != NULL;
}

//  Copies the path segment that starts at p (up to '/', '?', '#').
static void
s_segment (const char *p, char *out, size_t out_size)
{
    size_t len = strcspn (p, "/?#");
    if (len >= out_size)
        len = out_size - 1;
    memcpy (out, p, len);
    out [len] = 0;
}

//  Decodes %XX escapes in place.
static void
s_unescape (char *text)
{
    char *out = text;
    for (const char *p = text; *p; p++) {
        if (*p == '%' && util_hex_digit (p [1]) >= 0 && util_hex_digit (p [2]) >= 0) {
            char c = (char) (util_hex_digit (p [1]) * 16 + util_hex_digit (p [2]));
            *out++ = c? c: ' ';
            p += 2;
        }
        else
            *out++ = *p;
    }
    *out = 0;
}

static void
s_set (badge_info_t *out, const char *kind, const char *value)
{
    snprintf (out->kind, sizeof out->kind, "%s", kind);
    snprintf (out->value, sizeof out->value, "%s", value);
}

//  Versions listed in text ("3.9 | 3.10 | 3.11", "3.9, 3.10") joined by
//  commas into out; true when there are any.
static bool
s_version_list (const char *text, char *out, size_t out_size)
{
    size_t n = 0;
    out [0] = 0;
    for (const char *p = text; p && *p; ) {
        if (*p >= '0' && *p <= '9' && (p == text || !((p [-1] >= 'a' && p [-1] <= 'z')
                                                   || (p [-1] >= 'A' && p [-1] <= 'Z')))) {
            const char *start = p;
            while ((*p >= '0' && *p <= '9') || (*p == '.' && p [1] >= '0' && p [1] <= '9'))
                p++;
            size_t len = (size_t) (p - start);
            if (!memchr (start, '.', len))
                continue;           //  "3" alone is too vague for a matrix
            if (n + len + 2 >= out_size)
                break;
            if (n)
                out [n++] = ',';
            memcpy (out + n, start, len);
            n += len;
            out [n] = 0;
        }
        else
            p++;
    }
    return n > 0;
}

//  A static shields badge: /badge/<label>-<message>-<color>, with "--"
//  for a dash and "__" for an underscore. Fills label and message.
static bool
s_static_badge (const char *url, char *label, size_t label_size,
                char *message, size_t message_size)
{
    const char *p = strstr (url, "/badge/");
    if (!p || !s_has (url, "shields.io"))
        return false;
    p += strlen ("/badge/");
    char path [256];
    size_t len = strcspn (p, "?#");
    if (len >= sizeof path)
        len = sizeof path - 1;
    memcpy (path, p, len);
    path [len] = 0;
    s_unescape (path);
    //  Split on single dashes.
    char parts [3][128];
    int count = 0;
    size_t n = 0;
    for (size_t i = 0; count < 3; i++) {
        char c = path [i];
        if (c == '-' && path [i + 1] == '-') {
            if (n + 1 < sizeof parts [0])
                parts [count][n++] = '-';
            i++;
            continue;
        }
        if (c == '_' && path [i + 1] == '_') {
            if (n + 1 < sizeof parts [0])
                parts [count][n++] = '_';
            i++;
            continue;
        }
        if (c == '-' || c == 0) {
            parts [count][n] = 0;
            count++;
            n = 0;
            if (c == 0)
                break;
            continue;
        }
        if (n + 1 < sizeof parts [0])
            parts [count][n++] = c == '_'? ' ': c;
    }
    if (count < 2)
        return false;
    snprintf (label, label_size, "%s", count == 3? parts [0]: "");
    snprintf (message, message_size, "%s", count == 3? parts [1]: parts [0]);
    return true;
}

//  A language version stated by label and message: ("rust", "1.70+"),
//  ("node", ">= 18"), ("python", "3.9 | 3.10"). Fills out; true if so.
static bool
s_language_version (const char *label, const char *message, badge_info_t *out)
{
    const char *key = facts_key (label, strlen (label));
    //  "rustc 1.70+" as the message, no label
    char name [32] = "";
    const char *version = message;
    if (!key) {
        size_t len = strcspn (message, " ");
        if (len && len < sizeof name) {
            memcpy (name, message, len);
            name [len] = 0;
            key = facts_key (name, len);
            version = message + len;
        }
    }
    if (!key)
        return false;
    while (*version == ' ' || *version == ':')
        version++;
    char list [96];
    if (strcmp (key, "python") == 0 && (strchr (version, '|') || strchr (version, ','))
    &&  s_version_list (version, list, sizeof list)) {
        s_set (out, "pyversions", list);
        return true;
    }
    char value [64];
    if (!facts_version (version, strlen (version), value, sizeof value))
        return false;
    snprintf (out->fact_key, sizeof out->fact_key, "%s", key);
    snprintf (out->fact_value, sizeof out->fact_value, "%s", value);
    //  The badge keeps the operator it shows, but not a bare '+'.
    char shown [96];
    const char *v = value;
    if (strncmp (value, ">=", 2) == 0 && !strstr (version, ">") && !strstr (version, "≥"))
        v = value + 2;
    snprintf (shown, sizeof shown, "%.15s:%.60s", key, v);
    s_set (out, "version", shown);
    return true;
}

void
badge_classify (const char *url, const char *alt, badge_info_t *out)
{
    memset (out, 0, sizeof *out);
    s_set (out, "other", "");
    if (!url)
        return;
    char segment [96];
    const char *p;
    //  GitHub Actions: the workflow file says which CI exists already.
    if (s_has (url, "github.com/") && (p = strstr (url, "/actions/workflows/"))) {
        s_segment (p + strlen ("/actions/workflows/"), segment, sizeof segment);
        s_unescape (segment);
        char value [128];
        snprintf (value, sizeof value, "github:%s", segment);
        s_set (out, "ci", value);
        return;
    }
    if (s_has (url, "shields.io") && (p = strstr (url, "/github/actions/workflow/status/"))) {
        //  .../status/<owner>/<repo>/<file>
        p += strlen ("/github/actions/workflow/status/");
        for (int skip = 0; skip < 2 && p; skip++) {
            p = strchr (p, '/');
            p = p? p + 1: NULL;
        }
        if (p) {
            s_segment (p, segment, sizeof segment);
            s_unescape (segment);
            size_t len = strlen (segment);
            if (len > 4 && strcmp (segment + len - 4, ".svg") == 0 && !strstr (segment, ".yml"))
                segment [len - 4] = 0;
            char value [128];
            snprintf (value, sizeof value, "github:%s", segment);
            s_set (out, "ci", value);
            return;
        }
    }
    //  The older form names the workflow, not its file.
    if (s_has (url, "github.com/") && (p = strstr (url, "/workflows/"))
    &&  s_has (url, "badge.svg")) {
        s_segment (p + strlen ("/workflows/"), segment, sizeof segment);
        s_unescape (segment);
        char value [128];
        snprintf (value, sizeof value, "github:%s", segment);
        s_set (out, "ci", value);
        return;
    }
    static const struct { const char *part; const char *service; } ci [] = {
        { "travis-ci.", "travis" }, { "shields.io/travis", "travis" },
        { "circleci.com", "circleci" }, { "shields.io/circleci", "circleci" },
        { "ci.appveyor.com", "appveyor" }, { "shields.io/appveyor", "appveyor" },
        { "dev.azure.com", "azure" }, { "visualstudio.com", "azure" },
        { "shields.io/azure-devops/build", "azure" },
        { "pipeline.svg", "gitlab" }, { "shields.io/gitlab/pipeline", "gitlab" },
        { "cirrus-ci.com", "cirrus" }, { "buildkite.com", "buildkite" },
        { "drone.io", "drone" }, { NULL, NULL }
    };
    bool coverage = s_has (url, "codecov") || s_has (url, "coveralls")
                 || s_has (url, "coverage");
    for (int i = 0; ci [i].part && !coverage; i++)
        if (s_has (url, ci [i].part)) {
            s_set (out, "ci", ci [i].service);
            return;
        }
    if (s_has (url, "/pypi/pyversions/")) {
        char list [96];
        s_set (out, "pyversions", s_version_list (alt, list, sizeof list)? list: "");
        return;
    }
    if (coverage) {
        s_set (out, "coverage", "");
        return;
    }
    //  Language versions on static badges, and node engines.
    char label [128], message [128];
    if (s_static_badge (url, label, sizeof label, message, sizeof message)
    &&  s_language_version (label, message, out))
        return;
    if (s_has (url, "shields.io/node/v")) {
        s_set (out, "version", "node:");
        return;
    }
    static const struct { const char *part; const char *registry; } registries [] = {
        { "shields.io/npm/", "npm" }, { "badge.fury.io/js/", "npm" },
        { "npmjs.com", "npm" }, { "shields.io/pypi/", "pypi" },
        { "badge.fury.io/py/", "pypi" }, { "shields.io/crates/", "crates" },
        { "crates.io", "crates" }, { "docs.rs", "crates" },
        { "shields.io/packagist/", "packagist" }, { "packagist.org", "packagist" },
        { "shields.io/hexpm/", "hex" }, { "hex.pm", "hex" },
        { "shields.io/pub/", "pub" }, { "pub.dev", "pub" },
        { "shields.io/nuget/", "nuget" }, { "badge.fury.io/nu/", "nuget" },
        { "maven-central", "maven" }, { "maven-badges", "maven" },
        { "shields.io/maven", "maven" }, { "search.maven.org", "maven" },
        { "shields.io/gem/", "gem" }, { "badge.fury.io/rb/", "gem" },
        { "rubygems", "gem" }, { "pkg.go.dev", "go" }, { "godoc.org", "go" },
        { "goreportcard.com", "go" }, { "shields.io/cran/", "cran" },
        { "r-pkg.org", "cran" }, { "cranlogs", "cran" }, { NULL, NULL }
    };
    for (int i = 0; registries [i].part; i++)
        if (s_has (url, registries [i].part)) {
            s_set (out, "registry", registries [i].registry);
            return;
        }
    //  Alt text can state a version when the URL does not: "Node.js >= 18".
    if (alt && *alt) {
        char name [32];
        size_t len = strcspn (alt, " -:");
        if (len && len < sizeof name) {
            memcpy (name, alt, len);
            name [len] = 0;
            const char *rest = alt + len;
            while (*rest == ' ' || *rest == '-' || *rest == ':')
                rest++;
            if (s_language_version (name, rest, out))
                return;
        }
    }
}
