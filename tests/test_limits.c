/*  Bad input gets a clear error and harms nothing: every input limit and
    every kind of bad path, through the CLI, and malformed messages sent
    straight to a running supervisor's sockets.  */
#include "proto/wire.h"
#include "tests/support/tree.h"

#include <criterion/criterion.h>
#include <czmq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  Runs `readme2ci generate --inline PATH`; returns the status, err in *err.
static int
s_generate (const char *path, char **err)
{
    char *argv [] = { (char *) tu_bin ("readme2ci"), "generate", "--inline", (char *) path, NULL };
    tu_result_t r;
    cr_assert_eq (tu_run (argv, NULL, NULL, 30000, &r), 0);
    *err = r.err;
    r.err = NULL;
    int status = r.status;
    tu_result_release (&r);
    return status;
}

static char *
s_big (size_t size, char fill)
{
    char *text = malloc (size + 1);
    memset (text, fill, size);
    text [size] = 0;
    return text;
}

Test (limits, each_limit_and_bad_path_gives_exit_1_naming_the_path, .timeout = 120)
{
    char *dir = tu_tmpdir ();
    char path [1024], *err;

    //  A README over 1 MiB: its first MiB is read, with a warning (and
    //  the workflow is written: 5, as no test command is in it).
    char *big = s_big (1024 * 1024 + 10, 'a');
    tu_write (dir, "big/README.md", big);
    snprintf (path, sizeof path, "%s/big", dir);
    cr_assert_eq (s_generate (path, &err), 5, "%s", err);
    cr_assert (strstr (err, "README.md") && strstr (err, "limit"), "%s", err);
    free (err);

    //  A build file over 1 MiB.
    tu_write (dir, "bigmanifest/README.md", "# x\n");
    tu_write (dir, "bigmanifest/package.json", big);
    snprintf (path, sizeof path, "%s/bigmanifest", dir);
    cr_assert_eq (s_generate (path, &err), 1, "%s", err);
    cr_assert (strstr (err, "package.json") && strstr (err, "limit"), "%s", err);
    free (err);
    free (big);

    //  Too many build files.
    tu_write (dir, "many/README.md", "# x\n");
    for (int i = 0; i < 140; i++) {
        char name [64];
        snprintf (name, sizeof name, "many/requirements-%03d.txt", i);
        tu_write (dir, name, "pytest\n");
    }
    snprintf (path, sizeof path, "%s/many", dir);
    cr_assert_eq (s_generate (path, &err), 1, "%s", err);
    cr_assert (strstr (err, "many") && strstr (err, "build files"), "%s", err);
    free (err);

    //  A symbolic link that leads out of the project.
    tu_write (dir, "outside/secret.txt", "not yours\n");
    tu_write (dir, "escape/README.md", "# x\n");
    char link [1024], target [1024];
    snprintf (link, sizeof link, "%s/escape/package.json", dir);
    snprintf (target, sizeof target, "%s/outside/secret.txt", dir);
    cr_assert_eq (symlink (target, link), 0);
    snprintf (path, sizeof path, "%s/escape", dir);
    cr_assert_eq (s_generate (path, &err), 1, "%s", err);
    cr_assert (strstr (err, "package.json") && strstr (err, "outside the project"), "%s", err);
    free (err);

    //  A README that is a FIFO would block a naive reader.
    snprintf (path, sizeof path, "%s/fifo", dir);
    mkdir (path, 0700);
    char fifo [1024];
    snprintf (fifo, sizeof fifo, "%s/fifo/README.md", dir);
    cr_assert_eq (mkfifo (fifo, 0600), 0);
    cr_assert_eq (s_generate (path, &err), 1, "%s", err);
    cr_assert (strstr (err, "README.md") && strstr (err, "not a regular file"), "%s", err);
    free (err);

    //  A dangling README link: unreadable.
    snprintf (path, sizeof path, "%s/dangling", dir);
    mkdir (path, 0700);
    snprintf (link, sizeof link, "%s/dangling/README.md", dir);
    cr_assert_eq (symlink ("/nonexistent/README.md", link), 0);
    cr_assert_eq (s_generate (path, &err), 1, "%s", err);
    cr_assert (strstr (err, "README.md") && strstr (err, "No such file"), "%s", err);
    free (err);

    //  Neither a file nor a folder.
    cr_assert_eq (s_generate ("/dev/null", &err), 1, "%s", err);
    cr_assert (strstr (err, "/dev/null") && strstr (err, "not a file or folder"), "%s", err);
    free (err);

    //  Manifests nested far deeper than any real one: an answer, no crash.
    char *deep = malloc (400002);
    memset (deep, '[', 200000);
    memset (deep + 200000, ']', 200000);
    deep [400000] = '\n';
    deep [400001] = 0;
    tu_write (dir, "deep/README.md", "# deep\n\nRun `npm test`.\n");
    tu_write (dir, "deep/package.json", deep);
    tu_write (dir, "deep/pyproject.toml", "a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n");
    free (deep);
    snprintf (path, sizeof path, "%s/deep", dir);
    int status = s_generate (path, &err);
    cr_assert (status == 0 || status == 1 || status == 5, "deep manifests: status %d: %s",
               status, err);
    free (err);
    tu_rmtree (dir);
    free (dir);
}

Test (limits, malformed_messages_are_dropped_and_the_tree_goes_on, .timeout = 60)
{
    tree_t tree;
    tree_init (&tree, NULL, NULL);
    tree_up (&tree);
    const char *sockets [] = { "front", "back" };
    for (size_t s = 0; s < 2; s++) {
        char endpoint [1024];
        snprintf (endpoint, sizeof endpoint, "ipc://%s/%s", tree.runtime, sockets [s]);
        zsock_t *peer = zsock_new_dealer (endpoint);
        cr_assert_not_null (peer);
        //  Garbage, an empty frame, a header of another version, a READY
        //  for a worker nobody started, a truncated SUBMIT.
        zstr_send (peer, "not msgpack at all");
        zframe_t *empty = zframe_new (NULL, 0);
        zframe_send (&empty, peer, 0);
        const uint8_t other_version [] = { 0x82, 0xa1, 'v', 0x09, 0xa1, 't', 0xa2, 'h', 'b' };
        zsock_send (peer, "b", other_version, sizeof other_version);
        wire_ready_t ready = { .component = "parser", .pid = 1, .credit = 1, .hb_ivl_ms = 1000 };
        uint8_t *buf;
        size_t size;
        cr_assert_eq (wire_ready_encode (&ready, &buf, &size), 0);
        zsock_send (peer, "b", buf, size);
        free (buf);
        wire_submit_t submit = { .req_id = 1, .priority = 200 };
        cr_assert_eq (wire_submit_encode (&submit, &buf, &size), 0);
        zsock_send (peer, "b", buf, size / 2);
        free (buf);
        zsock_destroy (&peer);
    }
    //  Still serving, with the same workers.
    char *dir = tu_tmpdir ();
    char *project = tree_project (dir, "demo", "rust", NULL);
    tu_result_t r;
    cr_assert_eq (tree_cli (&tree, &r, "generate", project, NULL), 0, "%s", r.err);
    tu_result_release (&r);
    cr_assert (tu_alive (tree.supervisor));
    int pids [4];
    cr_assert_eq (tree_worker_pids (&tree, "parser", pids, 4), 1, "a stranger joined the pool");
    cr_assert_eq (tree_cli (&tree, &r, "down", NULL), 0);
    tu_result_release (&r);
    tree_fini (&tree);
    tu_rmtree (dir);
    free (dir);
    free (project);
}
