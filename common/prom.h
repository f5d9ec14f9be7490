/*  common/prom.h - a registry of metrics (counters, gauges, histograms with
    fixed buckets, all with labels) and its Prometheus text exposition.  */
#ifndef PROM_H_INCLUDED
#define PROM_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  A registry holds metric families: a name, a type, help text and the
//  names of its labels. A family holds one series per distinct set of
//  label values, made on first update. Pure: no clock, no I/O, no locks;
//  one thread at a time.
typedef struct prom prom_t;

typedef enum {
    PROM_COUNTER,               //  only goes up
    PROM_GAUGE,                 //  goes up and down
    PROM_HISTOGRAM              //  observations counted into buckets
} prom_type_t;

//  Label values for an update, in the order of the family's label names:
//  prom_counter_add (reg, "x_total", PROM_LABELS ("completed", "normal"), 1).
#define PROM_LABELS(...) ((const char *const []) { __VA_ARGS__ })

//  A family holds at most this many series, so a label fed from outside
//  cannot grow the registry without bound.
#define PROM_SERIES_MAX 1024

//  A new, empty registry. Returns NULL (ENOMEM).
prom_t *prom_new (void);

//  Frees the registry and every family in it; accepts NULL; nulls *self_p.
void prom_destroy (prom_t **self_p);

//  Registers a family. name must match [a-zA-Z_:][a-zA-Z0-9_:]*; each of
//  the label_count label names [a-zA-Z_][a-zA-Z0-9_]*, not starting with
//  "__", all different, and not "le" for a histogram. help is one line of
//  any text (escaped on output). A histogram needs buckets: bucket_count
//  finite upper bounds in increasing order (the +Inf bucket is implied);
//  the other types take NULL and 0. A family without labels has its one
//  series from the start, at 0. Everything is copied.
//  Returns 0, or -1 with errno: EINVAL for a bad name, label or bucket
//  list, EEXIST when the name is taken, ENOMEM.
int prom_register (prom_t *self, const char *name, prom_type_t type,
                   const char *help, const char *const *label_names,
                   size_t label_count, const double *buckets,
                   size_t bucket_count);

//  Updates the series of family name with these label values (as many as
//  the family has label names; NULL when it has none). Any text is a valid
//  label value. The series is made at 0 first when it does not exist yet,
//  so prom_counter_add (..., 0) makes a series show before its first event.
//  Each returns 0, or -1 with errno: ENOENT for an unknown family, EINVAL
//  for a family of another type, a NULL label value, a NaN, or a counter
//  going down; ENOSPC when the family already has PROM_SERIES_MAX series;
//  ENOMEM.
int prom_counter_add (prom_t *self, const char *name,
                      const char *const *label_values, double amount);
int prom_gauge_set (prom_t *self, const char *name,
                    const char *const *label_values, double value);
int prom_gauge_add (prom_t *self, const char *name,
                    const char *const *label_values, double amount);
//  Counts value into the first bucket whose upper bound is >= value (and
//  into every larger one), adds it to the sum, and counts it.
int prom_histogram_observe (prom_t *self, const char *name,
                            const char *const *label_values, double value);

//  Makes the series of family name with these label values, at 0, when
//  it does not exist yet, so it shows before its first update. Returns
//  0, or -1 with errno as the updates above (ENOENT, EINVAL, ENOSPC,
//  ENOMEM).
int prom_touch (prom_t *self, const char *name,
                const char *const *label_values);

//  Drops every series of a family that has labels (for gauges whose label
//  sets come and go, like workers by state). Families without labels are
//  reset to 0. Returns 0, or -1 (ENOENT).
int prom_clear (prom_t *self, const char *name);

//  The current value of a counter or gauge series, or the observation
//  count of a histogram series. Returns 0 and sets *value_p, or -1 with
//  errno: ENOENT when the family or the series does not exist.
int prom_value (prom_t *self, const char *name,
                const char *const *label_values, double *value_p);

//  The whole registry in the Prometheus text format 0.0.4: per family, in
//  order of registration, "# HELP" and "# TYPE" lines, then its series in
//  order of creation; histograms as cumulative _bucket lines (le="+Inf"
//  last), then _sum and _count. Numbers are written in the shortest form
//  that reads back to the same double ("NaN", "+Inf", "-Inf" for the
//  others). Returns a malloc'd NUL-terminated text the caller frees, and
//  its length in *size_p (may be NULL); or NULL (ENOMEM).
char *prom_render (prom_t *self, size_t *size_p);

//  The content type of prom_render's text, for an HTTP response.
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
