/*  common/knowledge.c - the CI knowledge: shipped YAML plus overlays.  */
#include "common/knowledge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char knowledge_data[];
extern const size_t knowledge_data_size;

struct knowledge {
    ynode_t *root;
};

knowledge_t *
knowledge_from_text (const char *text, size_t size, char *err, size_t err_size)
{
    knowledge_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->root = ytree_parse (text, size, err, err_size);
    if (!self->root || self->root->kind != YNODE_MAP) {
        if (self->root && err && err_size)
            snprintf (err, err_size, "knowledge must be a map");
        knowledge_destroy (&self);
        errno = EINVAL;
    }
    return self;
}

knowledge_t *
knowledge_new (char *err, size_t err_size)
{
    return knowledge_from_text (knowledge_data, knowledge_data_size, err, err_size);
}

int
knowledge_overlay (knowledge_t *self, const char *name, const char *text,
                   size_t size, char *err, size_t err_size)
{
    char why [256] = "";
    ynode_t *overlay = ytree_parse (text, size, why, sizeof why);
    if (!overlay || overlay->kind != YNODE_MAP) {
        if (err && err_size)
            snprintf (err, err_size, "%s: %s", name,
                      overlay? "a rules file must be a map": why);
        ytree_destroy (&overlay);
        return errno = EINVAL, -1;
    }
    //  Merge into a copy so a failure leaves self as it was.
    ynode_t *merged = ytree_dup (self->root);
    int rc = merged? ytree_merge (merged, overlay): -1;
    ytree_destroy (&overlay);
    if (rc) {
        ytree_destroy (&merged);
        if (err && err_size)
            snprintf (err, err_size, "%s: out of memory", name);
        return -1;
    }
    ytree_destroy (&self->root);
    self->root = merged;
    return 0;
}

const ynode_t *
knowledge_root (const knowledge_t *self)
{
    return self->root;
}

const char *
knowledge_action_ref (const knowledge_t *self, const char *action)
{
    return ytree_str (ytree_path (self->root, "actions", action, NULL), NULL);
}

const char *
knowledge_service_credential (const knowledge_t *self, const char *service,
                              char *const *env, size_t env_count, const char *what)
{
    const ynode_t *spec = ytree_path (self->root, "services", service, "credentials",
                                      what, NULL);
    const ynode_t *from = ytree_get (spec, "from");
    for (size_t i = 0; from && from->kind == YNODE_SEQ && i < from->count; i++) {
        const char *var = ytree_str (from->items [i], NULL);
        size_t n = var? strlen (var): 0;
        for (size_t e = 0; n && e < env_count; e++)
            if (env [e] && strncmp (env [e], var, n) == 0 && env [e][n] == '=')
                return env [e] + n + 1;
    }
    return ytree_str (ytree_get (spec, "default"), "");
}

char *
knowledge_text (const knowledge_t *self)
{
    return ytree_emit (self->root);
}

void
knowledge_destroy (knowledge_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ytree_destroy (&(*self_p)->root);
    free (*self_p);
    *self_p = NULL;
}
