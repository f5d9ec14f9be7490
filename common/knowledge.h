/*  common/knowledge.h - what readme2ci knows about CI: setup actions and
    their refs, runtime versions (supported, end of life), per-ecosystem
    defaults, the runner label, the command-line tools a README uses and
    the words READMEs are read by. It is data: data/knowledge.yml,
    data/tools.yml and data/readme.yml are compiled in as one YAML map,
    one file per ecosystem in data/ecosystems (knowledge_eco.h) is merged
    in, and rules overlays (the config's `rules:`) are merged over them.
    Detector and generator read it; it reaches workers over the bus.  */
#ifndef KNOWLEDGE_H_INCLUDED
#define KNOWLEDGE_H_INCLUDED

#include "common/knowledge_tools.h"
#include "common/ytree.h"

#include <stddef.h>

typedef struct knowledge knowledge_t;

//  The shipped knowledge, or NULL with a message in err (only if the
//  compiled-in data is broken, which a test guards against).
knowledge_t *knowledge_new (char *err, size_t err_size);

//  Knowledge from YAML text (the shipped data plus overlays as sent to a
//  worker), or NULL with errno EINVAL and the reason in err.
knowledge_t *knowledge_from_text (const char *text, size_t size, char *err, size_t err_size);

//  Merge an overlay written in YAML over self. name labels errors
//  ("my-rules.yml: line 3, column 5: ..."). The overlay is checked against
//  self's shape first: its top-level keys must be ones self has, a value
//  must be a map, a list or a single value where self has one, and each
//  actions entry is OWNER/REPO: REF (a ref without blanks or '@'); new keys
//  below the top level are welcome. Returns 0 or -1 (EINVAL) with err
//  set; on error self is unchanged.
int knowledge_overlay (knowledge_t *self, const char *name, const char *text,
                       size_t size, char *err, size_t err_size);

//  The whole tree. Borrowed.
const ynode_t *knowledge_root (const knowledge_t *self);

//  The tools (data/tools.yml and overlays), indexed by name. Borrowed.
const ktools_t *knowledge_tools (const knowledge_t *self);

//  The ref to use for an action ("v4" for "actions/checkout"), or NULL.
const char *knowledge_action_ref (const knowledge_t *self, const char *action);

//  One credential (what: "user", "password" or "db") a client of the
//  service named service uses, given the service container's env
//  ("NAME=value" strings): the value of the first of the knowledge's
//  services.SERVICE.credentials.WHAT.from variables env sets, else its
//  default, else "". Borrowed from env or the knowledge.
const char *knowledge_service_credential (const knowledge_t *self, const char *service,
                                          char *const *env, size_t env_count,
                                          const char *what);

//  The knowledge as YAML text (to send it to a worker). Caller frees.
char *knowledge_text (const knowledge_t *self);

void knowledge_destroy (knowledge_t **self_p);

#endif
