/*  cli/cli_target.h - the supervisor a command talks to, found and
    checked the same way by every command: R2CI_ENDPOINT (tcp, with
    R2CI_SERVER_KEY and R2CI_KEY) when it is set, else the one that holds
    the runtime folder's pid file. One connect deadline (CLI_CONNECT_MS)
    and one wording for "none runs", "none answers" and "refused".  */
#ifndef CLI_TARGET_H_INCLUDED
#define CLI_TARGET_H_INCLUDED

#include "cli/client.h"

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct {
    client_t *client;
    char endpoint [PATH_MAX + 16];
    char runtime [PATH_MAX];    //  "" when remote
    pid_t pid;                  //  the local supervisor's pid; 0 when remote
    bool remote;
} cli_target_t;

//  Finds the supervisor and checks that it answers within CLI_CONNECT_MS.
//  Returns EXIT_OK, or an exit status with the reason said on stderr:
//  EXIT_UNAVAILABLE when none runs or none answers, EXIT_REFUSED when it
//  refused this client (a key it does not know, no CURVE keys). When
//  none runs, *self is still filled (runtime, endpoint) and closed.
int cli_target_open (cli_target_t *self);
void cli_target_close (cli_target_t *self);

//  Sends op with args and waits up to answer_ms for its reply. Returns
//  EXIT_OK with *reply filled (whatever its code: the caller releases it),
//  or an exit status with the reason said: EXIT_UNAVAILABLE (no answer),
//  EXIT_REFUSED (refused this client).
int cli_target_request (cli_target_t *self, const char *op, const char *const *args,
                        size_t args_count, int answer_ms, client_reply_t *reply);

//  cli_target_open, cli_target_request and cli_target_close at once: the
//  supervisor of this environment asked op once. Returns as
//  cli_target_request does (or cli_target_open's status).
int cli_target_ask (const char *op, const char *const *args, size_t args_count,
                    int answer_ms, client_reply_t *reply);

//  The reply code of an operation refused by permission is EXIT_REFUSED
//  (older supervisors sent 1 with "permission denied"): the exit status a
//  command returns for a reply's code.
int cli_target_code (const client_reply_t *reply);

#endif
