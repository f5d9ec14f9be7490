/*  common/names.c - the shared names' tables (names.h says who reads
    them).  */
#include "common/names.h"

#include <stdio.h>
#include <string.h>

const char *const names_components [COMPONENT_COUNT + 1] = {
    [COMPONENT_PARSER] = "parser",
    [COMPONENT_DETECTOR] = "detector",
    [COMPONENT_GENERATOR] = "generator",
    [COMPONENT_COUNT] = NULL,
};

const char *const names_steps [COMPONENT_COUNT + 1] = {
    [COMPONENT_PARSER] = "parse",
    [COMPONENT_DETECTOR] = "detect",
    [COMPONENT_GENERATOR] = "generate",
    [COMPONENT_COUNT] = NULL,
};

const char *const names_component_states [COMPONENT_STATES + 1] = {
    [COMPONENT_STARTING] = "starting",
    [COMPONENT_RUNNING] = "running",
    [COMPONENT_STOPPED] = "stopped",
    [COMPONENT_FATAL] = "fatal",
    [COMPONENT_STATES] = NULL,
};

const char *const names_worker_states [WORKER_STATES + 1] = {
    [W_STARTING] = "starting",
    [W_READY] = "ready",
    [W_STOPPING] = "stopping",
    [WORKER_STATES] = NULL,
};

const char *const names_health [HEALTH_STATES + 1] = {
    [HEALTH_HEALTHY] = "healthy",
    [HEALTH_DEGRADED] = "degraded",
    [HEALTH_DOWN] = "down",
    [HEALTH_STATES] = NULL,
};

const char *const names_log_levels [NAMES_LOG_LEVELS + 1] = {
    "debug", "info", "warn", "error", NULL
};

const char *const names_log_formats [NAMES_LOG_FORMATS + 1] = {
    "text", "json", NULL
};

const names_ctl_t names_ctl [CTL_VERBS] = {
    [CTL_DEPLOY] = { "deploy", false, false,
        "start a stopped (or FATAL) component" },
    [CTL_STOP] = { "stop", false, false,
        "drain and stop its workers; work that needs it waits\n"
        "(detection is skipped: workflows come out degraded)" },
    [CTL_SCALE] = { "scale", true, false,
        "grow or shrink the pool to N workers, draining those\n"
        "it removes" },
    [CTL_RESTART] = { "restart", false, false,
        "replace every worker, one at a time" },
    [CTL_UPDATE] = { "update", false, true,
        "rolling update: a new worker (running PATH if given),\n"
        "then one old one drained, until all are new; stops,\n"
        "keeping the old workers, if a new one is not ready" },
};

static int
s_find (const char *const *list, const char *name)
{
    for (int i = 0; name && list [i]; i++)
        if (strcmp (list [i], name) == 0)
            return i;
    return -1;
}

int
names_component_find (const char *name)
{
    return s_find (names_components, name);
}

int
names_ctl_find (const char *verb)
{
    for (int i = 0; verb && i < CTL_VERBS; i++)
        if (strcmp (names_ctl [i].verb, verb) == 0)
            return i;
    return -1;
}

char *
names_join (const char *const *list, const char *separator, const char *last_separator,
            char *buf, size_t size)
{
    size_t used = 0;
    buf [0] = 0;
    for (size_t i = 0; list [i] && used < size; i++) {
        const char *before = i == 0? "": list [i + 1]? separator: last_separator;
        int n = snprintf (buf + used, size - used, "%s%s", before, list [i]);
        used += n > 0? (size_t) n: 0;
    }
    return buf;
}

char *
names_join_ctl (const char *separator, char *buf, size_t size)
{
    const char *verbs [CTL_VERBS + 1];
    for (size_t i = 0; i < CTL_VERBS; i++)
        verbs [i] = names_ctl [i].verb;
    verbs [CTL_VERBS] = NULL;
    return names_join (verbs, separator, separator, buf, size);
}
