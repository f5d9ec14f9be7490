/*  common/prom.c - a registry of labelled counters, gauges and histograms,
    written out in the Prometheus text exposition format 0.0.4.  */
#include "common/prom.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char **values;              //  one per label name of the family
    double value;               //  counter or gauge; the sum of a histogram
    uint64_t *counts;           //  histogram: per bucket, +Inf last;
                                //  not cumulative
    uint64_t count;             //  histogram: observations
} series_t;

typedef struct {
    char *name;
    prom_type_t type;
    char *help;
    char **labels;
    size_t label_count;
    double *buckets;
    size_t bucket_count;
    series_t *series;
    size_t series_count;
    size_t series_alloc;
} family_t;

struct prom {
    family_t *families;
    size_t count;
    size_t alloc;
};

//  A growing output buffer; failed stays set after the first ENOMEM.
typedef struct {
    char *data;
    size_t size;
    size_t alloc;
    bool failed;
} buffer_t;

static const char *const s_type_names [] = { "counter", "gauge", "histogram" };

//  --------------------------------------------------------------------
//  Names and values

static bool
s_name_valid (const char *name, bool colons)
{
    if (!name || !*name)
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                   || c == '_' || (colons && c == ':');
        bool digit = c >= '0' && c <= '9';
        if (!letter && !(digit && p > name))
            return false;
    }
    return true;
}

static char *
s_strdup (const char *text)
{
    size_t size = strlen (text) + 1;
    char *copy = malloc (size);
    if (copy)
        memcpy (copy, text, size);
    return copy;
}

static void
s_strings_free (char **strings, size_t count)
{
    if (!strings)
        return;
    for (size_t i = 0; i < count; i++)
        free (strings [i]);
    free (strings);
}

static char **
s_strings_dup (const char *const *strings, size_t count)
{
    char **copy = calloc (count? count: 1, sizeof *copy);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (!(copy [i] = s_strdup (strings [i]))) {
            s_strings_free (copy, count);
            return NULL;
        }
    return copy;
}

//  --------------------------------------------------------------------
//  Families and series

static void
s_series_release (series_t *series, size_t label_count)
{
    s_strings_free (series->values, label_count);
    free (series->counts);
    memset (series, 0, sizeof *series);
}

static void
s_family_release (family_t *family)
{
    for (size_t i = 0; i < family->series_count; i++)
        s_series_release (&family->series [i], family->label_count);
    free (family->series);
    free (family->name);
    free (family->help);
    s_strings_free (family->labels, family->label_count);
    free (family->buckets);
    memset (family, 0, sizeof *family);
}

static family_t *
s_family_find (prom_t *self, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->families [i].name, name) == 0)
            return &self->families [i];
    return NULL;
}

static series_t *
s_series_find (family_t *family, const char *const *values)
{
    for (size_t i = 0; i < family->series_count; i++) {
        series_t *series = &family->series [i];
        size_t k = 0;
        while (k < family->label_count
               && strcmp (series->values [k], values [k]) == 0)
            k++;
        if (k == family->label_count)
            return series;
    }
    return NULL;
}

//  The series with these label values, made at zero when new. NULL with
//  errno (EINVAL, ENOSPC, ENOMEM).
static series_t *
s_series_get (family_t *family, const char *const *values)
{
    for (size_t k = 0; k < family->label_count; k++)
        if (!values || !values [k]) {
            errno = EINVAL;
            return NULL;
        }
    series_t *found = s_series_find (family, values);
    if (found)
        return found;
    if (family->series_count >= PROM_SERIES_MAX) {
        errno = ENOSPC;
        return NULL;
    }
    if (family->series_count == family->series_alloc) {
        size_t alloc = family->series_alloc? family->series_alloc * 2: 4;
        series_t *grown = realloc (family->series, alloc * sizeof *grown);
        if (!grown)
            return NULL;
        family->series = grown;
        family->series_alloc = alloc;
    }
    series_t series = { 0 };
    series.values = s_strings_dup (values, family->label_count);
    if (!series.values)
        return NULL;
    if (family->type == PROM_HISTOGRAM) {
        series.counts = calloc (family->bucket_count + 1,
                                sizeof *series.counts);
        if (!series.counts) {
            s_series_release (&series, family->label_count);
            return NULL;
        }
    }
    family->series [family->series_count] = series;
    return &family->series [family->series_count++];
}

//  The family name of this type, or NULL with errno (ENOENT, EINVAL).
static family_t *
s_family_typed (prom_t *self, const char *name, prom_type_t type)
{
    family_t *family = s_family_find (self, name);
    if (!family) {
        errno = ENOENT;
        return NULL;
    }
    if (family->type != type) {
        errno = EINVAL;
        return NULL;
    }
    return family;
}

static bool
s_buckets_valid (const double *buckets, size_t count)
{
    if (!buckets || count == 0)
        return false;
    for (size_t i = 0; i < count; i++)
        if (!isfinite (buckets [i])
        ||  (i > 0 && buckets [i] <= buckets [i - 1]))
            return false;
    return true;
}

static bool
s_labels_valid (const char *const *labels, size_t count, prom_type_t type)
{
    if (count && !labels)
        return false;
    for (size_t i = 0; i < count; i++) {
        if (!s_name_valid (labels [i], false)
        ||  strncmp (labels [i], "__", 2) == 0)
            return false;
        if (type == PROM_HISTOGRAM && strcmp (labels [i], "le") == 0)
            return false;
        for (size_t k = 0; k < i; k++)
            if (strcmp (labels [k], labels [i]) == 0)
                return false;
    }
    return true;
}

//  --------------------------------------------------------------------

prom_t *
prom_new (void)
{
    return calloc (1, sizeof (prom_t));
}

void
prom_destroy (prom_t **self_p)
{
    prom_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        s_family_release (&self->families [i]);
    free (self->families);
    free (self);
    *self_p = NULL;
}

int
prom_register (prom_t *self, const char *name, prom_type_t type,
               const char *help, const char *const *label_names,
               size_t label_count, const double *buckets,
               size_t bucket_count)
{
    bool histogram = type == PROM_HISTOGRAM;
    if (!s_name_valid (name, true) || !help
    ||  (type != PROM_COUNTER && type != PROM_GAUGE && !histogram)
    ||  !s_labels_valid (label_names, label_count, type)
    ||  (histogram && !s_buckets_valid (buckets, bucket_count))
    ||  (!histogram && (buckets || bucket_count))) {
        errno = EINVAL;
        return -1;
    }
    if (s_family_find (self, name)) {
        errno = EEXIST;
        return -1;
    }
    if (self->count == self->alloc) {
        size_t alloc = self->alloc? self->alloc * 2: 8;
        family_t *grown = realloc (self->families, alloc * sizeof *grown);
        if (!grown)
            return -1;
        self->families = grown;
        self->alloc = alloc;
    }
    family_t family = { .type = type, .label_count = label_count,
                        .bucket_count = bucket_count };
    family.name = s_strdup (name);
    family.help = s_strdup (help);
    family.labels = s_strings_dup (label_names, label_count);
    if (histogram && (family.buckets = malloc (bucket_count * sizeof (double))))
        memcpy (family.buckets, buckets, bucket_count * sizeof (double));
    if (!family.name || !family.help || !family.labels
    ||  (histogram && !family.buckets)
    ||  (label_count == 0 && !s_series_get (&family, NULL))) {
        s_family_release (&family);
        errno = ENOMEM;
        return -1;
    }
    self->families [self->count++] = family;
    return 0;
}

//  The series of family name (of this type) for label_values, created on
//  first use, to take value; NULL with errno (ENOENT, EINVAL for the wrong
//  type, a NaN or a counter going down, ENOMEM). The family goes to
//  *family_p unless it is NULL.
static series_t *
s_series_for (prom_t *self, const char *name, prom_type_t type,
              const char *const *label_values, double value, family_t **family_p)
{
    family_t *family = s_family_typed (self, name, type);
    if (!family)
        return NULL;
    if (isnan (value) || (type == PROM_COUNTER && value < 0)) {
        errno = EINVAL;                 //  a counter only goes up
        return NULL;
    }
    if (family_p)
        *family_p = family;
    return s_series_get (family, label_values);
}

int
prom_counter_add (prom_t *self, const char *name,
                  const char *const *label_values, double amount)
{
    series_t *series = s_series_for (self, name, PROM_COUNTER, label_values, amount, NULL);
    if (!series)
        return -1;
    series->value += amount;
    return 0;
}

int
prom_gauge_set (prom_t *self, const char *name,
                const char *const *label_values, double value)
{
    series_t *series = s_series_for (self, name, PROM_GAUGE, label_values, value, NULL);
    if (!series)
        return -1;
    series->value = value;
    return 0;
}

int
prom_gauge_add (prom_t *self, const char *name,
                const char *const *label_values, double amount)
{
    series_t *series = s_series_for (self, name, PROM_GAUGE, label_values, amount, NULL);
    if (!series)
        return -1;
    series->value += amount;
    return 0;
}

int
prom_histogram_observe (prom_t *self, const char *name,
                        const char *const *label_values, double value)
{
    family_t *family;
    series_t *series = s_series_for (self, name, PROM_HISTOGRAM, label_values, value,
                                     &family);
    if (!series)
        return -1;
    size_t bucket = 0;
    while (bucket < family->bucket_count && value > family->buckets [bucket])
        bucket++;
    series->counts [bucket]++;
    series->count++;
    series->value += value;
    return 0;
}

int
prom_touch (prom_t *self, const char *name, const char *const *label_values)
{
    family_t *family = s_family_find (self, name);
    if (!family) {
        errno = ENOENT;
        return -1;
    }
    return s_series_get (family, label_values)? 0: -1;
}

int
prom_clear (prom_t *self, const char *name)
{
    family_t *family = s_family_find (self, name);
    if (!family) {
        errno = ENOENT;
        return -1;
    }
    if (family->label_count == 0) {
        series_t *series = &family->series [0];
        series->value = 0;
        series->count = 0;
        if (series->counts)
            memset (series->counts, 0,
                    (family->bucket_count + 1) * sizeof *series->counts);
        return 0;
    }
    for (size_t i = 0; i < family->series_count; i++)
        s_series_release (&family->series [i], family->label_count);
    family->series_count = 0;
    return 0;
}

int
prom_value (prom_t *self, const char *name,
            const char *const *label_values, double *value_p)
{
    family_t *family = s_family_find (self, name);
    if (!family) {
        errno = ENOENT;
        return -1;
    }
    for (size_t k = 0; k < family->label_count; k++)
        if (!label_values || !label_values [k]) {
            errno = EINVAL;
            return -1;
        }
    series_t *series = s_series_find (family, label_values);
    if (!series) {
        errno = ENOENT;
        return -1;
    }
    *value_p = family->type == PROM_HISTOGRAM? (double) series->count
                                              : series->value;
    return 0;
}

//  --------------------------------------------------------------------
//  Exposition

static void
s_add (buffer_t *buf, const char *text, size_t size)
{
    if (buf->failed)
        return;
    if (buf->size + size + 1 > buf->alloc) {
        size_t alloc = buf->alloc? buf->alloc: 1024;
        while (buf->size + size + 1 > alloc)
            alloc *= 2;
        char *grown = realloc (buf->data, alloc);
        if (!grown) {
            buf->failed = true;
            return;
        }
        buf->data = grown;
        buf->alloc = alloc;
    }
    memcpy (buf->data + buf->size, text, size);
    buf->size += size;
    buf->data [buf->size] = 0;
}

static void
s_add_str (buffer_t *buf, const char *text)
{
    s_add (buf, text, strlen (text));
}

//  Text with backslash and newline escaped, and the double quote too
//  when quote is set (label values; HELP text leaves quotes alone).
static void
s_add_escaped (buffer_t *buf, const char *text, bool quote)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\\')
            s_add (buf, "\\\\", 2);
        else
        if (*p == '\n')
            s_add (buf, "\\n", 2);
        else
        if (*p == '"' && quote)
            s_add (buf, "\\\"", 2);
        else
            s_add (buf, p, 1);
    }
}

//  The fewest significant digits that read back as the same double;
//  plain decimals for exponents -4 to 20, exponent form outside (so 10,
//  0.0001 and 9007199254740992, but 1e-05 and 1e+21).
static void
s_add_number (buffer_t *buf, double value)
{
    if (isnan (value)) {
        s_add_str (buf, "NaN");
        return;
    }
    if (isinf (value)) {
        s_add_str (buf, value > 0? "+Inf": "-Inf");
        return;
    }
    char text [64];
    int digits = 1;
    for (; digits <= 17; digits++) {
        snprintf (text, sizeof text, "%.*e", digits - 1, value);
        if (strtod (text, NULL) == value)
            break;
    }
    const char *e = strchr (text, 'e');
    long exponent = e? strtol (e + 1, NULL, 10): 0;
    if (exponent >= -4 && exponent < 21) {
        int decimals = digits - 1 - (int) exponent;
        snprintf (text, sizeof text, "%.*f", decimals > 0? decimals: 0, value);
    }
    s_add_str (buf, text);
}

static void
s_add_u64 (buffer_t *buf, uint64_t value)
{
    char text [24];
    snprintf (text, sizeof text, "%llu", (unsigned long long) value);
    s_add_str (buf, text);
}

//  name{label="value",...} with the le label last when le is not NULL;
//  no braces when there is no label at all.
static void
s_add_series_name (buffer_t *buf, const family_t *family,
                   const series_t *series, const char *suffix, const char *le)
{
    s_add_str (buf, family->name);
    s_add_str (buf, suffix);
    if (family->label_count == 0 && !le)
        return;
    s_add_str (buf, "{");
    for (size_t k = 0; k < family->label_count; k++) {
        if (k)
            s_add_str (buf, ",");
        s_add_str (buf, family->labels [k]);
        s_add_str (buf, "=\"");
        s_add_escaped (buf, series->values [k], true);
        s_add_str (buf, "\"");
    }
    if (le) {
        if (family->label_count)
            s_add_str (buf, ",");
        s_add_str (buf, "le=\"");
        s_add_str (buf, le);
        s_add_str (buf, "\"");
    }
    s_add_str (buf, "}");
}

static void
s_add_histogram (buffer_t *buf, const family_t *family, const series_t *series)
{
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= family->bucket_count; b++) {
        cumulative += series->counts [b];
        buffer_t le = { 0 };
        if (b < family->bucket_count)
            s_add_number (&le, family->buckets [b]);
        else
            s_add_str (&le, "+Inf");
        if (le.failed) {
            buf->failed = true;
            free (le.data);
            return;
        }
        s_add_series_name (buf, family, series, "_bucket", le.data);
        free (le.data);
        s_add_str (buf, " ");
        s_add_u64 (buf, cumulative);
        s_add_str (buf, "\n");
    }
    s_add_series_name (buf, family, series, "_sum", NULL);
    s_add_str (buf, " ");
    s_add_number (buf, series->value);
    s_add_str (buf, "\n");
    s_add_series_name (buf, family, series, "_count", NULL);
    s_add_str (buf, " ");
    s_add_u64 (buf, series->count);
    s_add_str (buf, "\n");
}

char *
prom_render (prom_t *self, size_t *size_p)
{
    buffer_t buf = { 0 };
    s_add (&buf, "", 0);            //  an empty registry is "", not NULL
    for (size_t i = 0; i < self->count; i++) {
        const family_t *family = &self->families [i];
        s_add_str (&buf, "# HELP ");
        s_add_str (&buf, family->name);
        s_add_str (&buf, " ");
        s_add_escaped (&buf, family->help, false);
        s_add_str (&buf, "\n# TYPE ");
        s_add_str (&buf, family->name);
        s_add_str (&buf, " ");
        s_add_str (&buf, s_type_names [family->type]);
        s_add_str (&buf, "\n");
        for (size_t s = 0; s < family->series_count; s++) {
            const series_t *series = &family->series [s];
            if (family->type == PROM_HISTOGRAM)
                s_add_histogram (&buf, family, series);
            else {
                s_add_series_name (&buf, family, series, "", NULL);
                s_add_str (&buf, " ");
                s_add_number (&buf, series->value);
                s_add_str (&buf, "\n");
            }
        }
    }
    if (buf.failed) {
        free (buf.data);
        errno = ENOMEM;
        return NULL;
    }
    if (size_p)
        *size_p = buf.size;
    return buf.data;
}
