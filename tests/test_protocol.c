/*  proto/PROTOCOL.md against the codecs: a client written from the page
    alone must work. Each payload frame is built from the page's tables
    and examples alone and decoded by the codec; encoded back, it holds
    exactly the keys and types the page lists; any one key left out is
    refused. Each header table is the codec's own table (proto/schema.h):
    the same keys in the same order, C fields, types and ranges; and each
    header the encoders write holds exactly the keys and types it lists.  */
#include "proto/project.h"
#include "proto/readme_doc.h"
#include "proto/report.h"
#include "proto/schema.h"
#include "proto/wire.h"
#include "tests/support/testutil.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <msgpack.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------
//  The page's tables

#define MAX_ROWS 16
#define MAX_TABLES 40

typedef struct {
    char key [32];
    char type [64];
    char example [128];         //  a JSON literal, "" for lists and objects
    char field [64];            //  header tables: the C field
    char rule [512];            //  header tables: the rule
} row_t;

typedef struct {
    char kind [16];             //  "wire-object" or "wire-header"
    char name [32];
    row_t rows [MAX_ROWS];
    size_t count;
} table_t;

typedef struct {
    table_t tables [MAX_TABLES];
    size_t count;
} page_t;

//  The text of one cell, trimmed and without its backticks.
static void
s_cell (const char *start, const char *end, char *out, size_t size)
{
    while (start < end && (*start == ' ' || *start == '`'))
        start++;
    while (end > start && (end [-1] == ' ' || end [-1] == '`'))
        end--;
    size_t length = (size_t) (end - start) < size - 1? (size_t) (end - start): size - 1;
    memcpy (out, start, length);
    out [length] = 0;
}

//  Every table after a <!-- wire-object: NAME --> or <!-- wire-header:
//  NAME --> marker. Object tables are key | type | example | meaning;
//  header tables key | C field | type | rule.
static void
s_read_page (page_t *page)
{
    char *path = tu_src ("proto/PROTOCOL.md");
    char *text = tu_read (path, NULL);
    cr_assert_not_null (text, "cannot read %s", path);
    memset (page, 0, sizeof *page);
    table_t *table = NULL;
    for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n")) {
        char kind [16], name [32];
        if (sscanf (line, "<!-- %15[a-z-]: %31[a-z_] -->", kind, name) == 2) {
            cr_assert_lt (page->count, MAX_TABLES);
            table = &page->tables [page->count++];
            snprintf (table->kind, sizeof table->kind, "%s", kind);
            snprintf (table->name, sizeof table->name, "%s", name);
            continue;
        }
        if (!table || line [0] != '|') {
            if (line [0] != '|')
                table = table && table->count? NULL: table;
            continue;
        }
        if (strncmp (line, "| key", 5) == 0 || strncmp (line, "| ---", 5) == 0)
            continue;
        //  The cells, split on '|' outside backticks.
        const char *cells [8];
        size_t count = 0;
        bool quoted = false;
        for (const char *p = line; *p && count < 8; p++) {
            if (*p == '`')
                quoted = !quoted;
            else
            if (*p == '|' && !quoted)
                cells [count++] = p;
        }
        cr_assert_geq (count, 5, "a row of %s has %zu cells: %s", table->name, count, line);
        cr_assert_lt (table->count, MAX_ROWS);
        row_t *row = &table->rows [table->count++];
        bool object = strcmp (table->kind, "wire-object") == 0;
        s_cell (cells [0] + 1, cells [1], row->key, sizeof row->key);
        if (object) {
            s_cell (cells [1] + 1, cells [2], row->type, sizeof row->type);
            s_cell (cells [2] + 1, cells [3], row->example, sizeof row->example);
        }
        else {
            s_cell (cells [1] + 1, cells [2], row->field, sizeof row->field);
            s_cell (cells [2] + 1, cells [3], row->type, sizeof row->type);
            s_cell (cells [3] + 1, cells [4], row->rule, sizeof row->rule);
        }
    }
    free (text);
    free (path);
}

static const table_t *
s_find_table (const page_t *page, const char *kind, const char *name)
{
    for (size_t i = 0; i < page->count; i++)
        if (strcmp (page->tables [i].kind, kind) == 0
        &&  strcmp (page->tables [i].name, name) == 0)
            return &page->tables [i];
    return NULL;
}

static const table_t *
s_table (const page_t *page, const char *kind, const char *name)
{
    const table_t *table = s_find_table (page, kind, name);
    cr_assert_not_null (table, "PROTOCOL.md has no %s table for %s", kind, name);
    return table;
}

//  --------------------------------------------------------------------
//  Frames built from the page alone

typedef struct {
    const page_t *page;
    const char *skip_object;    //  leave this object's skip_key out
    const char *skip_key;
} build_t;

static void s_pack_object (build_t *build, msgpack_packer *pk, const char *name);

static void
s_pack_example (msgpack_packer *pk, const char *type, const char *example, const char *where)
{
    json_error_t error;
    json_t *value = json_loads (example, JSON_DECODE_ANY, &error);
    cr_assert_not_null (value, "%s: the example '%s' is not a JSON literal", where, example);
    if (strcmp (type, "str") == 0 || strcmp (type, "array of str") == 0) {
        cr_assert (json_is_string (value), "%s: example %s for a str", where, example);
        size_t length = json_string_length (value);
        msgpack_pack_str (pk, length);
        msgpack_pack_str_body (pk, json_string_value (value), length);
    }
    else
    if (strcmp (type, "bin") == 0) {
        cr_assert (json_is_string (value), "%s", where);
        size_t length = json_string_length (value);
        msgpack_pack_bin (pk, length);
        msgpack_pack_bin_body (pk, json_string_value (value), length);
    }
    else
    if (strcmp (type, "uint") == 0 || strcmp (type, "int") == 0) {
        cr_assert (json_is_integer (value), "%s: example %s for an integer", where, example);
        cr_assert (strcmp (type, "int") == 0 || json_integer_value (value) >= 0, "%s", where);
        msgpack_pack_int64 (pk, json_integer_value (value));
    }
    else
    if (strcmp (type, "bool") == 0) {
        cr_assert (json_is_boolean (value), "%s: example %s for a bool", where, example);
        if (json_is_true (value))
            msgpack_pack_true (pk);
        else
            msgpack_pack_false (pk);
    }
    else
        cr_assert_fail ("%s: unknown type '%s'", where, type);
    json_decref (value);
}

static void
s_pack_object (build_t *build, msgpack_packer *pk, const char *name)
{
    const table_t *table = s_table (build->page, "wire-object", name);
    size_t count = table->count;
    bool skipping = build->skip_object && strcmp (build->skip_object, name) == 0;
    msgpack_pack_map (pk, skipping? count - 1: count);
    for (size_t i = 0; i < count; i++) {
        const row_t *row = &table->rows [i];
        if (skipping && strcmp (row->key, build->skip_key) == 0)
            continue;
        msgpack_pack_str (pk, strlen (row->key));
        msgpack_pack_str_body (pk, row->key, strlen (row->key));
        char where [96];
        snprintf (where, sizeof where, "%s.%s", name, row->key);
        if (strncmp (row->type, "array of ", 9) == 0) {
            const char *item = row->type + 9;
            msgpack_pack_array (pk, 1);
            if (strcmp (item, "str") == 0)
                s_pack_example (pk, row->type, row->example, where);
            else
                s_pack_object (build, pk, item);
        }
        else
            s_pack_example (pk, row->type, row->example, where);
    }
}

//  The frame for root built from the page; caller frees sbuf's data.
static void
s_build (build_t *build, const char *root, msgpack_sbuffer *sbuf)
{
    msgpack_sbuffer_init (sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    s_pack_object (build, &pk, root);
}

//  Decodes with root's codec and encodes back. 0, or -1 if decode failed.
static int
s_round_trip (const char *root, const char *data, size_t size, uint8_t **out, size_t *out_size)
{
    const uint8_t *bytes = (const uint8_t *) data;
    int rc = -1;
    if (strcmp (root, "docs") == 0) {
        project_docs_t docs;
        if ((rc = project_docs_decode (&docs, bytes, size)) == 0) {
            cr_assert_eq (project_docs_encode (&docs, out, out_size), 0);
            project_docs_release (&docs);
        }
    }
    else
    if (strcmp (root, "project") == 0) {
        project_t project;
        if ((rc = project_decode (&project, bytes, size)) == 0) {
            cr_assert_eq (project_encode (&project, out, out_size), 0);
            project_release (&project);
        }
    }
    else
    if (strcmp (root, "readme_doc") == 0) {
        readme_doc_t doc;
        if ((rc = readme_doc_decode (&doc, bytes, size)) == 0) {
            cr_assert_eq (readme_doc_encode (&doc, out, out_size), 0);
            readme_doc_release (&doc);
        }
    }
    else {
        report_t report;
        if ((rc = report_decode (&report, bytes, size)) == 0) {
            cr_assert_eq (report_encode (&report, out, out_size), 0);
            report_release (&report);
        }
    }
    return rc;
}

static bool
s_type_matches (const msgpack_object *obj, const char *type)
{
    if (strcmp (type, "str") == 0)
        return obj->type == MSGPACK_OBJECT_STR;
    if (strcmp (type, "bin") == 0)
        return obj->type == MSGPACK_OBJECT_BIN;
    if (strcmp (type, "uint") == 0)
        return obj->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
    if (strcmp (type, "int") == 0)
        return obj->type == MSGPACK_OBJECT_POSITIVE_INTEGER
            || obj->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
    if (strcmp (type, "bool") == 0)
        return obj->type == MSGPACK_OBJECT_BOOLEAN;
    if (strcmp (type, "map") == 0)
        return obj->type == MSGPACK_OBJECT_MAP;
    if (strcmp (type, "str or nil") == 0)
        return obj->type == MSGPACK_OBJECT_STR || obj->type == MSGPACK_OBJECT_NIL;
    if (strncmp (type, "bool", 4) == 0)         //  "bool, optional"
        return obj->type == MSGPACK_OBJECT_BOOLEAN;
    if (strcmp (type, "array of str") == 0) {
        if (obj->type != MSGPACK_OBJECT_ARRAY)
            return false;
        for (uint32_t i = 0; i < obj->via.array.size; i++)
            if (obj->via.array.ptr [i].type != MSGPACK_OBJECT_STR)
                return false;
        return true;
    }
    cr_assert_fail ("unknown type '%s'", type);
    return false;
}

static const msgpack_object *
s_get (const msgpack_object *map, const char *key)
{
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr [i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen (key)
        &&  memcmp (k->via.str.ptr, key, k->via.str.size) == 0)
            return &map->via.map.ptr [i].val;
    }
    return NULL;
}

//  The encoder wrote exactly the object's keys, with its types.
static void
s_check_object (const page_t *page, const msgpack_object *obj, const char *name)
{
    const table_t *table = s_table (page, "wire-object", name);
    cr_assert_eq (obj->type, MSGPACK_OBJECT_MAP, "%s is not a map", name);
    cr_assert_eq (obj->via.map.size, table->count, "the encoder writes %u keys in %s, the "
                  "page lists %zu", obj->via.map.size, name, table->count);
    for (size_t i = 0; i < table->count; i++) {
        const row_t *row = &table->rows [i];
        const msgpack_object *value = s_get (obj, row->key);
        cr_assert_not_null (value, "the encoder does not write %s.%s", name, row->key);
        if (strncmp (row->type, "array of ", 9) == 0 && strcmp (row->type + 9, "str")) {
            cr_assert_eq (value->type, MSGPACK_OBJECT_ARRAY, "%s.%s", name, row->key);
            cr_assert_eq (value->via.array.size, 1, "%s.%s lost its item", name, row->key);
            s_check_object (page, &value->via.array.ptr [0], row->type + 9);
        }
        else
            cr_assert (s_type_matches (value, row->type), "%s.%s is not a %s", name, row->key,
                       row->type);
    }
}

//  Every object reachable from root (root included), once each.
static size_t
s_reachable (const page_t *page, const char *root, const char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp (names [i], root) == 0)
            return count;
    names [count++] = root;
    const table_t *table = s_table (page, "wire-object", root);
    for (size_t i = 0; i < table->count; i++)
        if (strncmp (table->rows [i].type, "array of ", 9) == 0
        &&  strcmp (table->rows [i].type + 9, "str"))
            count = s_reachable (page, table->rows [i].type + 9, names, count);
    return count;
}

static const char *const s_roots [] = { "docs", "project", "readme_doc", "report" };

Test (protocol, payload_frames_built_from_the_page_decode_and_encode_back_the_same)
{
    page_t *page = calloc (1, sizeof *page);
    s_read_page (page);
    size_t objects = 0;
    for (size_t r = 0; r < 4; r++) {
        build_t build = { .page = page };
        msgpack_sbuffer sbuf;
        s_build (&build, s_roots [r], &sbuf);
        uint8_t *encoded = NULL;
        size_t size = 0;
        cr_assert_eq (s_round_trip (s_roots [r], sbuf.data, sbuf.size, &encoded, &size), 0,
                      "the %s frame built from PROTOCOL.md does not decode", s_roots [r]);
        msgpack_sbuffer_destroy (&sbuf);
        msgpack_unpacked unpacked;
        msgpack_unpacked_init (&unpacked);
        size_t offset = 0;
        cr_assert_eq (msgpack_unpack_next (&unpacked, (const char *) encoded, size, &offset),
                      MSGPACK_UNPACK_SUCCESS);
        s_check_object (page, &unpacked.data, s_roots [r]);
        msgpack_unpacked_destroy (&unpacked);
        free (encoded);
        const char *names [MAX_TABLES];
        objects += s_reachable (page, s_roots [r], names, 0);
    }
    //  file is reached from docs and from project.
    size_t tables = 0;
    for (size_t i = 0; i < page->count; i++)
        tables += strcmp (page->tables [i].kind, "wire-object") == 0;
    cr_assert_eq (objects, tables + 1, "%zu object tables, %zu reached from the frames",
                  tables, objects);
    free (page);
}

Test (protocol, every_key_the_page_lists_is_required)
{
    page_t *page = calloc (1, sizeof *page);
    s_read_page (page);
    for (size_t r = 0; r < 4; r++) {
        const char *names [MAX_TABLES];
        size_t count = s_reachable (page, s_roots [r], names, 0);
        for (size_t n = 0; n < count; n++) {
            const table_t *table = s_table (page, "wire-object", names [n]);
            for (size_t k = 0; k < table->count; k++) {
                build_t build = { .page = page, .skip_object = names [n],
                                  .skip_key = table->rows [k].key };
                msgpack_sbuffer sbuf;
                s_build (&build, s_roots [r], &sbuf);
                uint8_t *encoded = NULL;
                size_t size = 0;
                int rc = s_round_trip (s_roots [r], sbuf.data, sbuf.size, &encoded, &size);
                free (encoded);
                msgpack_sbuffer_destroy (&sbuf);
                cr_assert_neq (rc, 0, "a %s frame without %s.%s was accepted", s_roots [r],
                               names [n], table->rows [k].key);
            }
        }
    }
    free (page);
}

Test (protocol, unknown_keys_in_payload_frames_are_ignored)
{
    page_t *page = calloc (1, sizeof *page);
    s_read_page (page);
    for (size_t r = 0; r < 4; r++) {
        build_t build = { .page = page };
        msgpack_sbuffer sbuf;
        s_build (&build, s_roots [r], &sbuf);
        //  The root map with one more entry, "zz": 1, at its end.
        msgpack_unpacked unpacked;
        msgpack_unpacked_init (&unpacked);
        size_t offset = 0;
        cr_assert_eq (msgpack_unpack_next (&unpacked, sbuf.data, sbuf.size, &offset),
                      MSGPACK_UNPACK_SUCCESS);
        msgpack_sbuffer more;
        msgpack_sbuffer_init (&more);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &more, msgpack_sbuffer_write);
        const msgpack_object *root = &unpacked.data;
        msgpack_pack_map (&pk, root->via.map.size + 1);
        for (uint32_t i = 0; i < root->via.map.size; i++) {
            msgpack_pack_object (&pk, root->via.map.ptr [i].key);
            msgpack_pack_object (&pk, root->via.map.ptr [i].val);
        }
        msgpack_pack_str (&pk, 2);
        msgpack_pack_str_body (&pk, "zz", 2);
        msgpack_pack_int (&pk, 1);
        uint8_t *encoded = NULL;
        size_t size = 0;
        cr_assert_eq (s_round_trip (s_roots [r], more.data, more.size, &encoded, &size), 0,
                      "a %s frame with an unknown key was refused", s_roots [r]);
        free (encoded);
        msgpack_sbuffer_destroy (&more);
        msgpack_unpacked_destroy (&unpacked);
        msgpack_sbuffer_destroy (&sbuf);
    }
    free (page);
}

//  --------------------------------------------------------------------
//  Headers: what the encoders write is what the tables say

static void
s_check_header (const page_t *page, const char *name, const uint8_t *buf, size_t size,
                const char *type)
{
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    size_t offset = 0;
    cr_assert_eq (msgpack_unpack_next (&unpacked, (const char *) buf, size, &offset),
                  MSGPACK_UNPACK_SUCCESS);
    const msgpack_object *root = &unpacked.data;
    const msgpack_object *t = s_get (root, "t");
    cr_assert_not_null (t);
    cr_assert (t->type == MSGPACK_OBJECT_STR && t->via.str.size == strlen (type)
               && memcmp (t->via.str.ptr, type, t->via.str.size) == 0, "%s: wrong t", name);
    const msgpack_object *v = s_get (root, "v");
    cr_assert (v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 == WIRE_VERSION);
    const table_t *table = s_table (page, "wire-header", name);
    cr_assert_eq (root->via.map.size, table->count + 2, "%s: the encoder writes %u keys, the "
                  "page lists %zu besides v and t", name, root->via.map.size, table->count);
    for (size_t i = 0; i < table->count; i++) {
        const row_t *row = &table->rows [i];
        const msgpack_object *value = s_get (root, row->key);
        cr_assert_not_null (value, "%s: the encoder does not write %s", name, row->key);
        cr_assert (s_type_matches (value, row->type), "%s.%s is not a %s", name, row->key,
                   row->type);
        if (strcmp (row->key, "opt") == 0) {
            const table_t *opt = s_table (page, "wire-header", "opt");
            cr_assert_eq (value->via.map.size, opt->count, "opt: %u keys, the page lists %zu",
                          value->via.map.size, opt->count);
            for (size_t j = 0; j < opt->count; j++) {
                const msgpack_object *o = s_get (value, opt->rows [j].key);
                cr_assert_not_null (o, "opt.%s is not written", opt->rows [j].key);
                cr_assert (s_type_matches (o, opt->rows [j].type), "opt.%s", opt->rows [j].key);
            }
        }
    }
    msgpack_unpacked_destroy (&unpacked);
}

Test (protocol, headers_hold_the_keys_and_types_of_their_tables)
{
    page_t *page = calloc (1, sizeof *page);
    s_read_page (page);
    uint8_t *buf;
    size_t size;
    wire_ready_t ready = { .component = "parser", .pid = 7, .host = "h", .version = "1",
                           .hb_ivl_ms = 1000, .credit = 2 };
    cr_assert_eq (wire_ready_encode (&ready, &buf, &size), 0);
    s_check_header (page, "ready", buf, size, "ready");
    free (buf);
    wire_settings_t settings = { .hb_ivl_ms = 1000, .hb_liveness = 3, .knowledge = "a: 1\n" };
    cr_assert_eq (wire_settings_encode (&settings, &buf, &size), 0);
    s_check_header (page, "settings", buf, size, "settings");
    free (buf);
    wire_job_t job = { .job_id = 1, .workflow_id = "w", .step = "parse", .attempt = 1,
                       .deadline_ms = 1000, .options = { .target = "github" } };
    cr_assert_eq (wire_job_encode (&job, &buf, &size), 0);
    s_check_header (page, "job", buf, size, "job");
    free (buf);
    //  every key the table lists, the optional notest too (only with ok)
    wire_result_t result = { .job_id = 1, .ok = true, .elapsed_us = 5, .no_tests = true };
    cr_assert_eq (wire_result_encode (&result, &buf, &size), 0);
    s_check_header (page, "result", buf, size, "result");
    free (buf);
    wire_bye_t bye = { .reason = "stop" };
    cr_assert_eq (wire_bye_encode (&bye, &buf, &size), 0);
    s_check_header (page, "bye", buf, size, "bye");
    free (buf);
    wire_submit_t submit = { .req_id = 1, .workflow_id = "w", .priority = 200,
                             .timeout_ms = 1000 };
    cr_assert_eq (wire_submit_encode (&submit, &buf, &size), 0);
    s_check_header (page, "submit", buf, size, "submit");
    free (buf);
    wire_request_t request = { .req_id = 1, .op = "status" };
    cr_assert_eq (wire_request_encode (&request, &buf, &size), 0);
    s_check_header (page, "request", buf, size, "request");
    free (buf);
    wire_reply_t reply = { .req_id = 1, .code = 0, .workflow_id = "w", .accepted = true,
                           .no_tests = true };
    cr_assert_eq (wire_reply_encode (&reply, &buf, &size), 0);
    s_check_header (page, "reply", buf, size, "reply");
    free (buf);
    free (page);
}


//  --------------------------------------------------------------------
//  Headers: the page's tables are the codec's tables

//  The type column a field's row must have.
static const char *
s_doc_type (const schema_field_t *field)
{
    switch (field->kind) {
        case SCHEMA_KIND_STR: return "str";
        case SCHEMA_KIND_UINT: return "uint";
        case SCHEMA_KIND_INT: return "int";
        case SCHEMA_KIND_BOOL:
            return field->flags & SCHEMA_OPTIONAL? "bool, optional": "bool";
        case SCHEMA_KIND_TEXT: return "str or nil";
        case SCHEMA_KIND_STRV: return "array of str";
        case SCHEMA_KIND_MAP: return "map";
        default: break;         //  kinds only payload frames use
    }
    cr_assert_fail ("a field of kind %d", (int) field->kind);
    return NULL;
}

//  The range the rule column must state, "" when the field has none.
static void
s_doc_range (const schema_field_t *field, char *out, size_t size)
{
    uint64_t type_max = field->size == sizeof (uint32_t)? UINT32_MAX: UINT64_MAX;
    out [0] = 0;
    if (field->kind == SCHEMA_KIND_STR)
        snprintf (out, size, "%lld..%zu bytes", (long long) field->min, field->size - 1);
    else
    if ((field->kind == SCHEMA_KIND_UINT || field->kind == SCHEMA_KIND_INT)
    &&  field->max != type_max)
        snprintf (out, size, "%lld..%llu", (long long) field->min,
                  (unsigned long long) field->max);
    else
    if (field->kind == SCHEMA_KIND_UINT && field->min > 0)
        snprintf (out, size, ">= %lld", (long long) field->min);
    else
    if (field->kind == SCHEMA_KIND_TEXT && field->max % (1u << 20) == 0)
        snprintf (out, size, "0..%llu MiB", (unsigned long long) (field->max >> 20));
    else
    if (field->kind == SCHEMA_KIND_TEXT)
        snprintf (out, size, "0..%llu bytes", (unsigned long long) field->max);
    else
    if (field->kind == SCHEMA_KIND_STRV)
        snprintf (out, size, "0..%zu items, each 0..%llu bytes", field->items,
                  (unsigned long long) field->max);
}

//  True when text states range as a whole: not "1..100" inside "1..1000".
static bool
s_states (const char *text, const char *range)
{
    size_t length = strlen (range);
    for (const char *at = strstr (text, range); at; at = strstr (at + 1, range))
        if ((at == text || !isdigit ((unsigned char) at [-1]))
        &&  !isdigit ((unsigned char) at [length]))
            return true;
    return false;
}

//  The table under <!-- wire-header: name --> lists exactly fields, in
//  their order, and a map field's keys under its own key's table.
static void
s_check_fields (const page_t *page, const char *name, const schema_field_t *fields)
{
    const table_t *table = s_table (page, "wire-header", name);
    size_t count = 0;
    while (fields [count].kind != SCHEMA_KIND_END)
        count++;
    cr_assert_eq (table->count, count, "%s: the page lists %zu keys, the codec %zu",
                  name, table->count, count);
    for (size_t i = 0; i < count; i++) {
        const schema_field_t *field = &fields [i];
        const row_t *row = &table->rows [i];
        char range [96];
        s_doc_range (field, range, sizeof range);
        //  What the row should say, for the failure message.
        char want [256];
        snprintf (want, sizeof want, "| `%s` | %s | %s | %s... |", field->key,
                  field->member, s_doc_type (field), range);
        cr_assert_str_eq (row->key, field->key, "%s, row %zu: want %s", name, i + 1, want);
        cr_assert_str_eq (row->field, field->member, "%s.%s: want %s", name, row->key, want);
        cr_assert_str_eq (row->type, s_doc_type (field), "%s.%s: want %s", name, row->key,
                          want);
        cr_assert (s_states (row->rule, range), "%s.%s: the rule does not say %s: want %s",
                   name, row->key, range, want);
        if (field->kind == SCHEMA_KIND_MAP)
            s_check_fields (page, field->key, field->children);
    }
}

Test (protocol, header_tables_are_the_codec_tables)
{
    page_t *page = calloc (1, sizeof *page);
    s_read_page (page);
    for (int type = WIRE_UNKNOWN + 1; type < WIRE_TYPE_COUNT; type++) {
        const schema_field_t *fields = wire_fields ((wire_type_t) type);
        const char *name = wire_type_name ((wire_type_t) type);
        cr_assert_not_null (fields);
        if (fields [0].kind == SCHEMA_KIND_END)
            cr_assert_null (s_find_table (page, "wire-header", name),
                            "%s has no fields, the page a table", name);
        else
            s_check_fields (page, name, fields);
    }
    cr_assert_null (wire_fields (WIRE_UNKNOWN));
    cr_assert_null (wire_fields (WIRE_TYPE_COUNT));
    free (page);
}
