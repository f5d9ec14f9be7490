/*  tests/fuzz/shipped_kb.h - the shipped knowledge for a fuzz target:
    loaded on the first call and only read after, the one piece of state
    a target keeps across its inputs. Included by the targets that need
    it; aborts (a crash the fuzzer reports) if the shipped data is broken.  */
#ifndef SHIPPED_KB_H_INCLUDED
#define SHIPPED_KB_H_INCLUDED

#include "common/knowledge.h"

#include <stdlib.h>

static const knowledge_t *
s_knowledge (void)
{
    static knowledge_t *kb;
    if (!kb)
        kb = knowledge_new (NULL, 0);
    if (!kb)
        abort ();
    return kb;
}

#endif
