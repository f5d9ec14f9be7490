/*  cli/cli_target.c - finding, checking and asking the supervisor
    a command talks to (see cli_target.h).  */
#include "cli/cli_target.h"

#include "common/util.h"
#include "cli/cli_exit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  What a failed request means, said once: refused, or nobody answers.
static int
s_failed (cli_target_t *self, int saved, int waited_ms, bool first)
{
    if (saved == ECONNREFUSED)
        return cli_fail (EXIT_REFUSED, "refused by the supervisor at %s (it answers, but not "
                         "to this client's keys)", self->endpoint);
    if (saved == EPROTO)
        return cli_fail (EXIT_UNAVAILABLE, "a malformed answer from %s", self->endpoint);
    if (first && self->remote)
        return cli_fail (EXIT_UNAVAILABLE, "no supervisor answered at %s in %d ms",
                         self->endpoint, waited_ms);
    if (self->pid > 0)
        return cli_fail (EXIT_UNAVAILABLE, "the supervisor (pid %d) did not answer in %d s",
                         (int) self->pid, waited_ms / 1000);
    return cli_fail (EXIT_UNAVAILABLE, "the supervisor at %s did not answer in %d s",
                     self->endpoint, waited_ms / 1000);
}

int
cli_target_open (cli_target_t *self)
{
    memset (self, 0, sizeof *self);
    const char *remote = getenv ("R2CI_ENDPOINT");
    if (remote && *remote) {
        self->remote = true;
        util_copy (self->endpoint, sizeof self->endpoint, remote);
        char err [512] = "";
        self->client = client_new_secure (remote, getenv ("R2CI_SERVER_KEY"),
                                          getenv ("R2CI_KEY"), err, sizeof err);
        if (!self->client)
            return cli_fail (EXIT_UNAVAILABLE, "cannot connect to %s%s%s", remote,
                             err [0]? ": ": "", err);
    }
    else {
        if (util_runtime_dir (self->runtime, sizeof self->runtime))
            return cli_fail (EXIT_UNAVAILABLE, "the runtime folder path is too long");
        snprintf (self->endpoint, sizeof self->endpoint, "ipc://%s/front", self->runtime);
        self->pid = client_running_supervisor (self->runtime);
        if (self->pid <= 0)
            return cli_fail (EXIT_UNAVAILABLE, "no supervisor is running (start one with "
                             "`readme2ci up -d`)");
        self->client = client_new (self->endpoint);
        if (!self->client)
            return cli_fail (EXIT_UNAVAILABLE, "cannot connect to %s", self->endpoint);
    }
    //  One round trip within the connect deadline: a supervisor that is
    //  not there, or refuses us, is said now, not after an operation's
    //  own (long) wait.
    client_reply_t reply;
    if (client_request (self->client, "ping", NULL, 0, CLI_CONNECT_MS, &reply)) {
        int code = s_failed (self, errno, CLI_CONNECT_MS, true);
        cli_target_close (self);
        return code;
    }
    client_reply_release (&reply);
    return EXIT_OK;
}

void
cli_target_close (cli_target_t *self)
{
    client_destroy (&self->client);
}

int
cli_target_request (cli_target_t *self, const char *op, const char *const *args,
                    size_t args_count, int answer_ms, client_reply_t *reply)
{
    if (!self->client)
        return cli_fail (EXIT_UNAVAILABLE, "not connected to a supervisor");
    if (client_request (self->client, op, args, args_count, answer_ms, reply))
        return s_failed (self, errno, answer_ms, false);
    return EXIT_OK;
}

int
cli_target_ask (const char *op, const char *const *args, size_t args_count, int answer_ms,
                client_reply_t *reply)
{
    cli_target_t target;
    int code = cli_target_open (&target);
    if (code)
        return code;
    code = cli_target_request (&target, op, args, args_count, answer_ms, reply);
    cli_target_close (&target);
    return code;
}

int
cli_target_code (const client_reply_t *reply)
{
    if (reply->reply.code == 1 && strncmp (reply->reply.message, "permission denied", 17) == 0)
        return EXIT_REFUSED;
    return reply->reply.code;
}
