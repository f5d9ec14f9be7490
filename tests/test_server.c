/*  The supervisor's client socket under a deep pipeline: its receive queue
    is bounded (a handful of submissions per connection), so a client
    that sends thousands at once waits in its own queue; none is lost.  */
#include "proto/project.h"
#include "cli/client.h"
#include "cli/project_load.h"
#include "tests/support/tree.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIPELINED 2000

Test (server, bounded_receive_queue_answers_every_pipelined_submission, .timeout = 180)
{
    tree_t tree;
    tree_init (&tree, "retry: {workflow_timeout: 10m}\n", NULL);
    tree_up (&tree);

    //  Two projects of our own, sent alternately, so the answers differ.
    char *dir = tu_tmpdir ();
    char *paths [2] = { tree_project (dir, "pyish", "python", NULL),
                        tree_project (dir, "rusty", "rust", NULL) };
    uint8_t *docs [2], *project [2];
    size_t docs_size [2], project_size [2];
    for (int i = 0; i < 2; i++) {
        project_docs_t d;
        project_t p;
        char err [512], warn [512];
        cr_assert_eq (project_load (paths [i], &d, &p, err, sizeof err, warn, sizeof warn), 0,
                      "%s", err);
        cr_assert_eq (project_docs_encode (&d, &docs [i], &docs_size [i]), 0);
        cr_assert_eq (project_encode (&p, &project [i], &project_size [i]), 0);
        project_docs_release (&d);
        project_release (&p);
    }

    char endpoint [4200];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/front", tree.runtime);
    client_t *client = client_new (endpoint);
    cr_assert (client);

    //  All at once, before reading a single reply: far beyond what the
    //  supervisor's socket holds, so most wait in the client's queue.
    wire_submit_t submit = { .priority = WIRE_PRIORITY_NORMAL };
    uint64_t first = 0;
    for (int i = 0; i < PIPELINED; i++) {
        uint64_t req = client_submit (client, &submit, docs [i % 2], docs_size [i % 2],
                                      project [i % 2], project_size [i % 2]);
        cr_assert (req, "submission %d could not be sent", i);
        if (i == 0)
            first = req;
        cr_assert_eq (req, first + (uint64_t) i);
    }

    //  Each gets exactly one acknowledgement (once journaled) and exactly
    //  one answer (which may come first): a workflow for its own project.
    char *acked = calloc (PIPELINED, 1), *answered = calloc (PIPELINED, 1);
    cr_assert (acked && answered);
    size_t answers = 0;
    while (answers < PIPELINED) {
        client_reply_t reply;
        cr_assert_eq (client_next_reply (client, 60000, &reply), 0,
                      "%zu of %d answered, then silence", answers, PIPELINED);
        uint64_t index = reply.reply.req_id - first;
        cr_assert_lt (index, (uint64_t) PIPELINED, "a reply to no submission of ours");
        if (reply.reply.accepted) {
            cr_assert_not (acked [index], "submission %llu acknowledged twice",
                           (unsigned long long) index);
            acked [index] = 1;
        }
        else {
            cr_assert_not (answered [index], "submission %llu answered twice",
                           (unsigned long long) index);
            cr_assert_eq (reply.reply.code, 0, "submission %llu: %s",
                          (unsigned long long) index, reply.reply.message);
            const char *tool = index % 2? "cargo": "pytest";
            cr_assert (strstr (reply.body, tool), "submission %llu: no %s in:\n%s",
                       (unsigned long long) index, tool, reply.body);
            answered [index] = 1;
            answers++;
        }
        client_reply_release (&reply);
    }
    for (size_t i = 0; i < PIPELINED; i++)
        cr_assert (acked [i], "submission %zu answered without an acknowledgement", i);
    client_reply_t extra;
    cr_assert_neq (client_next_reply (client, 200, &extra), 0, "a reply beyond the answers");

    client_destroy (&client);
    free (acked);
    free (answered);
    for (int i = 0; i < 2; i++) {
        free (docs [i]);
        free (project [i]);
        free (paths [i]);
    }
    tu_rmtree (dir);
    free (dir);
    tree_fini (&tree);
}
