/*  workers/detector/eco_jvm.c - the JVM: Java and Kotlin with Maven or
    Gradle (preferring their wrappers), Scala with sbt, Clojure with
    Leiningen or the Clojure CLI. pom.xml is read with libxml2, without
    network access or entity expansion.  */
#include "workers/detector/eco.h"
#include "workers/detector/dtext.h"
#include "workers/detector/vrange.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  "1.8" -> "8", "11" -> "11", "${java.version}" -> resolved by the caller.
static bool
s_java_line (const char *text, char *out, size_t size)
{
    if (!text)
        return false;
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
        text++;
    if (strncmp (text, "1.", 2) == 0 && text [2] >= '5' && text [2] <= '9')
        text += 2;
    if (!vrange_line (text, 1, out, size))
        return false;
    long line = strtol (out, NULL, 10);
    return line >= 5 && line <= 40;
}

static xmlNode *
s_child (xmlNode *node, const char *name)
{
    for (xmlNode *c = node? node->children: NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp ((const char *) c->name, name) == 0)
            return c;
    return NULL;
}

//  The text of an element; caller frees with xmlFree. NULL if absent.
static char *
s_text (xmlNode *node)
{
    return node? (char *) xmlNodeGetContent (node): NULL;
}

//  Search the tree for the first element called name, depth first.
static xmlNode *
s_find (xmlNode *node, const char *name, int depth)
{
    for (xmlNode *c = node; c && depth < 32; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp ((const char *) c->name, name) == 0)
            return c;
        xmlNode *found = s_find (c->children, name, depth + 1);
        if (found)
            return found;
    }
    return NULL;
}

//  A property's value from <properties>, for "${name}" references.
static char *
s_property (xmlNode *project, const char *value)
{
    if (!value || strncmp (value, "${", 2) != 0)
        return NULL;
    char name [128];
    snprintf (name, sizeof name, "%s", value + 2);
    char *end = strchr (name, '}');
    if (end)
        *end = 0;
    return s_text (s_child (s_child (project, "properties"), name));
}

static void
s_java_versions (dctx_t *self, report_job_t *job, const char *line_text,
                 const char *source)
{
    char range [32];
    if (line_text) {
        snprintf (range, sizeof range, ">=%s", line_text);
        if (dctx_matrix (self, job, "java", range, source))
            return;
    }
    char pinned [32], line [8];
    if (eco_version_file (self, ".java-version", pinned, sizeof pinned)
        && s_java_line (pinned, line, sizeof line)) {
        dctx_setting (self, job, "version-file", ".java-version", ".java-version");
        dctx_version (self, job, "java", line, ".java-version");
        return;
    }
    dctx_matrix (self, job, "java", NULL, "knowledge: default Java lines");
}

//  The JDK range the build itself demands, from maven-enforcer-plugin's
//  requireJavaVersion: a Maven version range ("[17,22)", "[11,)",
//  "(,21]") or a bare version, which Maven reads as "this or newer".
//  The compiler's release is the bytecode the project targets, which a
//  newer JDK builds; this is what the build runs on. As ">=17 <22" in
//  out, with the source; false when there is none or it does not read.
static bool
s_enforced_java (xmlNode *project, char *out, size_t size, char *source, size_t source_size)
{
    xmlNode *build = s_child (project, "build");
    xmlNode *rule = s_find (build? build->children: NULL, "requireJavaVersion", 0);
    xmlNode *node = s_child (rule, "version");
    char *text = s_text (node);
    char *resolved = s_property (project, text);
    const char *range = resolved? resolved: text;
    char low [8] = "", high [8] = "";
    bool open_high = false, ok = false;
    if (range) {
        while (*range == ' ' || *range == '\n' || *range == '\t' || *range == '\r')
            range++;
        const char *comma = strchr (range, ',');
        if (*range != '[' && *range != '(')
            ok = s_java_line (range, low, sizeof low);
        else
        if (comma) {
            const char *close = comma + strcspn (comma, ")]");
            bool has_low = range [1] != ',' && s_java_line (range + 1, low, sizeof low);
            bool has_high = comma [1] != *close && s_java_line (comma + 1, high, sizeof high);
            open_high = *close == ')';
            ok = *close && (has_low || has_high);
            if (!has_high)
                *high = 0;
        }
    }
    if (ok) {
        size_t used = (size_t) snprintf (out, size, "%s%s", *low? ">=": "", low);
        if (*high)
            snprintf (out + used, size - used, "%s%s%s", *low? " ": "", open_high? "<": "<=", high);
        dctx_source (source, source_size, "pom.xml", (unsigned) xmlGetLineNo (node),
                     "requireJavaVersion");
    }
    xmlFree (resolved);
    xmlFree (text);
    return ok;
}

//  The distribution: temurin unless .sdkmanrc names another.
static void
s_distribution (dctx_t *self, report_job_t *job)
{
    static const struct { const char *suffix, *name; } vendors [] = {
        { "-tem", "temurin" }, { "-zulu", "zulu" }, { "-amzn", "corretto" },
        { "-librca", "liberica" }, { "-ms", "microsoft" }, { "-graalce", "graalvm" },
        { "-sem", "semeru" }, { "-oracle", "oracle" },
    };
    char java [64];
    unsigned line = 0;
    const project_file_t *rc = dctx_manifest (self, ".sdkmanrc");
    if (rc && dtext_number_after (rc->data, "java", java, sizeof java, &line)) {
        const char *at = strstr (rc->data, "java=");
        for (size_t i = 0; at && i < sizeof vendors / sizeof vendors [0]; i++) {
            const char *eol = strchr (at, '\n');
            const char *hit = strstr (at, vendors [i].suffix);
            if (hit && (!eol || hit < eol)) {
                char source [64];
                dctx_source (source, sizeof source, ".sdkmanrc", line, "java");
                dctx_setting (self, job, "java-distribution", vendors [i].name, source);
                return;
            }
        }
    }
    dctx_setting (self, job, "java-distribution", "temurin", "default: no evidence of another JDK");
}

static void
s_maven (dctx_t *self, report_job_t *job)
{
    bool wrapper = dctx_has (self, "mvnw");
    const char *mvn = wrapper? "./mvnw": "mvn";
    dctx_tool (self, job, "maven", wrapper? "mvnw": "pom.xml");
    dctx_setting (self, job, "cache", "maven", "pom.xml");
    const project_file_t *pom = dctx_manifest (self, "pom.xml");
    xmlDoc *doc = pom? xmlReadMemory (pom->data, (int) (pom->size > 0x7fffffff? 0x7fffffff
                                      : pom->size), "pom.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR
                                      | XML_PARSE_NOWARNING): NULL;
    if (pom && !doc)
        dctx_note (self, "info", "pom.xml: not well-formed XML; read as empty", "pom.xml");
    xmlNode *project = doc? xmlDocGetRootElement (doc): NULL;
    char *artifact = s_text (s_child (project, "artifactId"));
    dctx_add_name (self, artifact);
    xmlFree (artifact);
    //  the Java release: compiler properties, then the compiler plugin
    static const char *const keys [] = { "maven.compiler.release", "maven.compiler.source",
        "maven.compiler.target", "java.version", "jdk.version", "java.release", NULL };
    char line [8] = "", source [192] = "";
    xmlNode *props = s_child (project, "properties");
    for (size_t i = 0; keys [i] && !*line; i++) {
        xmlNode *node = s_child (props, keys [i]);
        char *text = s_text (node);
        char *resolved = s_property (project, text);
        if (s_java_line (resolved? resolved: text, line, sizeof line))
            dctx_source (source, sizeof source, "pom.xml", (unsigned) xmlGetLineNo (node),
                         keys [i]);
        xmlFree (resolved);
        xmlFree (text);
    }
    static const char *const plugin_keys [] = { "release", "source", NULL };
    for (size_t i = 0; plugin_keys [i] && !*line && project; i++) {
        xmlNode *build = s_child (project, "build");
        xmlNode *node = s_find (build? build->children: NULL, plugin_keys [i], 0);
        char *text = s_text (node);
        char *resolved = s_property (project, text);
        if (s_java_line (resolved? resolved: text, line, sizeof line))
            dctx_source (source, sizeof source, "pom.xml", (unsigned) xmlGetLineNo (node),
                         "maven-compiler-plugin");
        xmlFree (resolved);
        xmlFree (text);
    }
    //  tests compiled for a newer release than the main code need a JDK
    //  that new
    xmlNode *test_node = s_child (props, "maven.compiler.testRelease");
    char *test_text = s_text (test_node), test_line [8];
    if (*line && s_java_line (test_text, test_line, sizeof test_line)
    &&  strtol (test_line, NULL, 10) > strtol (line, NULL, 10)) {
        snprintf (line, sizeof line, "%s", test_line);
        dctx_source (source, sizeof source, "pom.xml", (unsigned) xmlGetLineNo (test_node),
                     "maven.compiler.testRelease");
    }
    xmlFree (test_text);
    char enforced [40], enforced_source [192];
    if (!s_enforced_java (project, enforced, sizeof enforced, enforced_source,
                          sizeof enforced_source)
    ||  !dctx_matrix (self, job, "java", enforced, enforced_source))
        s_java_versions (self, job, *line? line: NULL, source);
    if (project && pom && strstr (pom->data, "kotlin-maven-plugin"))
        dctx_language (self, job, "kotlin");
    else
        dctx_language (self, job, "java");
    //  database drivers among the dependencies
    xmlNode *deps = s_child (project, "dependencies");
    for (xmlNode *d = deps? deps->children: NULL; d; d = d->next) {
        if (d->type != XML_ELEMENT_NODE)
            continue;
        char *group = s_text (s_child (d, "groupId"));
        char *art = s_text (s_child (d, "artifactId"));
        if (group && art) {
            char coord [256], src [300];
            snprintf (coord, sizeof coord, "%s:%s", group, art);
            dctx_source (src, sizeof src, "pom.xml", (unsigned) xmlGetLineNo (d), coord);
            dctx_driver (self, job, coord, src);
        }
        xmlFree (group);
        xmlFree (art);
    }
    xmlFreeDoc (doc);
    char run [64];
    snprintf (run, sizeof run, "%s -B verify", mvn);
    dctx_step (self, job, CMD_TEST, run, wrapper? "mvnw (Maven wrapper)": "pom.xml");
}

//  The Android Gradle plugin's version in a build file: a plugins block
//  (id 'com.android.application' version '8.2.0'), a buildscript
//  classpath (com.android.tools.build:gradle:7.0.0), or that classpath
//  through a variable ("...:gradle:${versions.androidPlugin}" with
//  'androidPlugin': '7.0.0' in the same file). True with version, line.
static bool
s_android_plugin (const char *text, char *out, size_t size, unsigned *line_p)
{
    static const char *const ids [] = { "com.android.application",
        "com.android.library", NULL };
    for (size_t i = 0; ids [i]; i++) {
        const char *hit = strstr (text, ids [i]);
        const char *eol = hit? strchr (hit, '\n'): NULL;
        const char *ver = hit? strstr (hit, "version"): NULL;
        if (ver && (!eol || ver < eol)
        &&  dtext_quoted_after (ver, "version", out, size, NULL) && isdigit ((unsigned char) *out)) {
            *line_p = dtext_line_at (text, hit);
            return true;
        }
    }
    const char *coord = "com.android.tools.build:gradle:";
    const char *hit = strstr (text, coord);
    if (!hit)
        return false;
    const char *v = hit + strlen (coord);
    *line_p = dtext_line_at (text, hit);
    if (isdigit ((unsigned char) *v)) {
        size_t n = 0;
        while ((isdigit ((unsigned char) v [n]) || v [n] == '.') && n + 1 < size)
            n++;
        memcpy (out, v, n);
        out [n] = 0;
        return true;
    }
    //  $name, ${name} or ${versions.name}: the last word names a value
    //  given in the same file
    const char *p = v;
    while (*p == '$' || *p == '{')
        p++;
    size_t len = strcspn (p, "}\"'\n");
    const char *dot = memchr (p, '.', len);
    while (dot) {                       //  versions.androidPlugin -> androidPlugin
        len -= (size_t) (dot + 1 - p);
        p = dot + 1;
        dot = memchr (p, '.', len);
    }
    char name [64];
    snprintf (name, sizeof name, "%.*s", (int) (len < sizeof name? len: sizeof name - 1), p);
    if (!*name)
        return false;
    //  name = '7.0.0', name: "7.0.0", 'name': '7.0.0'
    size_t name_len = strlen (name);
    for (const char *at = strstr (text, name); name_len && at; at = strstr (at + 1, name)) {
        const char *q = at + name_len;
        if (*q == '\'' || *q == '"')
            q++;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q != ':' && *q != '=')
            continue;
        q++;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q != '\'' && *q != '"')
            continue;
        char quote = *q++;
        size_t n = strcspn (q, quote == '"'? "\"\n": "'\n");
        if (q [n] != quote || !isdigit ((unsigned char) *q) || n >= size)
            continue;
        memcpy (out, q, n);
        out [n] = 0;
        *line_p = dtext_line_at (text, at);
        return true;
    }
    return false;
}

static void
s_gradle (dctx_t *self, report_job_t *job)
{
    bool wrapper = dctx_has (self, "gradlew");
    static const char *const files [] = { "build.gradle.kts", "build.gradle",
                                          "settings.gradle.kts", "settings.gradle", NULL };
    const project_file_t *build = NULL;
    const char *build_name = NULL;
    for (size_t i = 0; files [i] && !build; i++) {
        build = dctx_manifest (self, files [i]);
        if (!build_name && dctx_has (self, files [i]))
            build_name = files [i];
    }
    dctx_tool (self, job, "gradle", wrapper? "gradlew": build_name? build_name: "gradle");
    dctx_setting (self, job, "cache", "gradle", build_name? build_name: "gradlew");
    bool kotlin = build && (strstr (build->name, ".kts") || strstr (build->data, "kotlin(")
                            || strstr (build->data, "org.jetbrains.kotlin"));
    dctx_language (self, job, kotlin? "kotlin": "java");
    //  the Java release: toolchains first, then compatibility settings
    static const char *const keys [] = { "jvmToolchain", "JavaLanguageVersion.of",
        "sourceCompatibility", "targetCompatibility", "jvmTarget", NULL };
    char line [8] = "", source [192] = "", number [32];
    for (size_t f = 0; files [f] && !*line; f++) {
        const project_file_t *file = dctx_manifest (self, files [f]);
        for (size_t i = 0; file && keys [i] && !*line; i++) {
            unsigned at = 0;
            const char *key = keys [i];
            //  JavaVersion.VERSION_1_8 and JvmTarget.JVM_11 spell it apart
            const char *hit = strstr (file->data, key);
            if (!hit)
                continue;
            const char *eol = strchr (hit, '\n');
            const char *ver = strstr (hit, "VERSION_");
            const char *jvm = strstr (hit, "JVM_");
            if (ver && (!eol || ver < eol)) {
                snprintf (number, sizeof number, "%s", ver + 8);
                for (char *c = number; *c; c++)
                    if (*c == '_')
                        *c = '.';
                at = dtext_line_at (file->data, hit);
            }
            else
            if (jvm && (!eol || jvm < eol)) {
                snprintf (number, sizeof number, "%s", jvm + 4);
                for (char *c = number; *c; c++)
                    if (*c == '_')
                        *c = '.';
                at = dtext_line_at (file->data, hit);
            }
            else
            if (!dtext_number_after (hit, key, number, sizeof number, &at))
                continue;
            else
                at = dtext_line_at (file->data, hit);
            if (s_java_line (number, line, sizeof line))
                dctx_source (source, sizeof source, file->name, at, key);
        }
    }
    //  An Android build runs on the JDK its Gradle plugin needs: older
    //  plugins do not run on newer JDKs, nor newer plugins on older ones.
    char agp [32] = "";
    unsigned agp_line = 0;
    const project_file_t *agp_file = NULL;
    for (size_t f = 0; files [f] && !*agp; f++) {
        agp_file = dctx_manifest (self, files [f]);
        if (agp_file && !s_android_plugin (agp_file->data, agp, sizeof agp, &agp_line))
            agp [0] = 0;
    }
    char major [8] = "";
    snprintf (major, sizeof major, "%.*s", (int) strcspn (agp, "."), agp);
    const char *jdk = *agp? ytree_str (ytree_path (knowledge_root (self->kb),
                                      "android-plugin-jdk", major, NULL), NULL): NULL;
    if (jdk) {
        char what [96];
        snprintf (what, sizeof what, "Android Gradle plugin %s needs JDK %s", agp, jdk);
        dctx_source (source, sizeof source, agp_file->name, agp_line, what);
        dctx_version (self, job, "java", jdk, source);
    }
    else
        s_java_versions (self, job, *line? line: NULL, source);
    if (*agp || (build && (strstr (build->data, "com.android.application")
                           || strstr (build->data, "com.android.library"))))
        dctx_note (self, "info", "Android Gradle plugin: the build needs the Android SDK "
                   "the hosted runners ship", build? build->name: "build.gradle");
    dctx_step (self, job, CMD_TEST, wrapper? "./gradlew build": "gradle build",
               wrapper? "gradlew (Gradle wrapper)": build_name);
}

//  The map of a deps.edn alias (":test {...}"): its text from the opening
//  brace to the matching close, as *start_p and the length. False when
//  the alias is not there or is not a map. Strings and comments are
//  skipped when matching.
static bool
s_edn_alias (const char *text, const char *alias, const char **start_p, size_t *size_p)
{
    size_t size = strlen (alias);
    for (const char *at = strstr (text, alias); at; at = strstr (at + 1, alias)) {
        //  a whole keyword: ":test", not ":test-paths" or ":tests"
        char next = at [size];
        if (isalnum ((unsigned char) next) || next == '-' || next == '_' || next == '/'
            || next == '.' || (at > text && !isspace ((unsigned char) at [-1])
                               && at [-1] != '{' && at [-1] != ','))
            continue;
        const char *p = at + size;
        while (isspace ((unsigned char) *p) || *p == ',')
            p++;
        if (*p != '{')
            continue;
        int depth = 0;
        bool quoted = false;
        for (const char *q = p; *q; q++) {
            if (quoted) {
                if (*q == '\\' && q [1])
                    q++;
                else
                if (*q == '"')
                    quoted = false;
                continue;
            }
            if (*q == '"')
                quoted = true;
            else
            if (*q == ';')
                while (q [1] && q [1] != '\n')
                    q++;
            else
            if (*q == '{')
                depth++;
            else
            if (*q == '}' && --depth == 0) {
                *start_p = p;
                *size_p = (size_t) (q - p) + 1;
                return true;
            }
        }
        return false;
    }
    return false;
}

//  True when the alias map (start, size) names key (":exec-fn").
static bool
s_edn_has (const char *start, size_t size, const char *key)
{
    size_t key_size = strlen (key);
    for (size_t i = 0; i + key_size <= size; i++)
        if (memcmp (start + i, key, key_size) == 0
            && (i + key_size == size || !isalnum ((unsigned char) start [i + key_size])))
            return true;
    return false;
}

void
eco_jvm_detect (dctx_t *self)
{
    bool maven = dctx_has (self, "pom.xml");
    bool gradle = dctx_has (self, "build.gradle") || dctx_has (self, "build.gradle.kts")
               || dctx_has (self, "settings.gradle") || dctx_has (self, "settings.gradle.kts")
               || dctx_has (self, "gradlew");
    if (maven || gradle) {
        report_job_t *job = dctx_job (self, "java", DCTX_STRONG);
        if (job) {
            if (maven && gradle)
                dctx_note (self, "conflict", "both pom.xml and a Gradle build are present; "
                           "used Gradle", "pom.xml");
            if (gradle)
                s_gradle (self, job);
            else
                s_maven (self, job);
            s_distribution (self, job);
        }
    }
    if (dctx_has (self, "build.sbt")) {
        report_job_t *job = dctx_job (self, "scala", DCTX_STRONG);
        if (job) {
            dctx_tool (self, job, "sbt", "build.sbt");
            dctx_language (self, job, "scala");
            dctx_setting (self, job, "cache", "sbt", "build.sbt");
            s_java_versions (self, job, NULL, "");
            s_distribution (self, job);
            //  a cross-built library is tested on every Scala version it
            //  names, as `sbt +test` does
            const project_file_t *sbt = dctx_manifest (self, "build.sbt");
            unsigned cross = sbt? dtext_find_line (sbt->data, "crossScalaVersions"): 0;
            char source [96];
            dctx_source (source, sizeof source, "build.sbt", cross, "crossScalaVersions");
            dctx_step (self, job, CMD_TEST, cross? "sbt +test": "sbt test",
                       cross? source: "build.sbt");
        }
    }
    bool lein = dctx_has (self, "project.clj");
    if (lein || dctx_has (self, "deps.edn")) {
        report_job_t *job = dctx_job (self, "clojure", DCTX_STRONG);
        if (!job)
            return;
        dctx_language (self, job, "clojure");
        s_java_versions (self, job, NULL, "");
        s_distribution (self, job);
        if (lein) {
            dctx_tool (self, job, "lein", "project.clj");
            dctx_step (self, job, CMD_TEST, "lein test", "project.clj");
            return;
        }
        dctx_tool (self, job, "clojure", "deps.edn");
        const project_file_t *deps = dctx_manifest (self, "deps.edn");
        const char *alias = NULL;
        size_t alias_size = 0;
        if (deps && s_edn_alias (deps->data, ":test", &alias, &alias_size)) {
            char source [64];
            dctx_source (source, sizeof source, "deps.edn",
                         dtext_line_at (deps->data, alias), "alias :test");
            //  -X calls the alias's :exec-fn; -M runs its :main-opts
            bool exec = s_edn_has (alias, alias_size, ":exec-fn");
            dctx_step (self, job, CMD_TEST, exec? "clojure -X:test": "clojure -M:test",
                       source);
        }
    }
}
