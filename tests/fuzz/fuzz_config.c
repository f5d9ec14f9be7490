/*  tests/fuzz/fuzz_config.c - libFuzzer target for common/config: the
    config reader, and emit -> parse giving an equal config back.  */
#include "common/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

//  A broken invariant is a crash the fuzzer reports with its input.
#define S_ENSURE(cond) do { if (!(cond)) abort (); } while (0)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    config_t config;
    config_errors_t errors = { 0 };
    if (config_parse ("etc/readme2ci.yml", (const char *) data, size, &config,
                      &errors)) {
        //  Every problem is reported as a line of text.
        for (size_t i = 0; i < errors.count; i++)
            S_ENSURE (errors.items [i].text && *errors.items [i].text);
        config_errors_release (&errors);
        config_release (&config);
        return 0;
    }
    S_ENSURE (errors.count == 0);
    //  config_emit writes what config_parse reads back to an equal config.
    char *text = config_emit (&config);
    S_ENSURE (text);
    //  (Paths are already joined to "etc/", so read it with no folder.)
    config_t again;
    S_ENSURE (config_parse ("readme2ci.yml", text, strlen (text), &again,
                            &errors) == 0);
    S_ENSURE (config_equal (&config, &again));
    //  Against the defaults, the diff lists changes that name their key.
    config_t defaults;
    config_defaults (&defaults);
    config_changes_t changes;
    S_ENSURE (config_diff (&defaults, &config, &changes) == 0);
    for (size_t i = 0; i < changes.count; i++)
        S_ENSURE (changes.items [i].key && *changes.items [i].key);
    config_changes_release (&changes);
    config_errors_release (&errors);
    config_release (&again);
    config_release (&config);
    free (text);
    return 0;
}
