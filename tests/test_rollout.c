/*  Tests supervisor/rollout: a rolling operation counted to its end one
    new worker at a time, the new worker's slot known and forgotten, who
    asked kept (a copy), and the outcome worded for the event and the
    answer.  */
#include "supervisor/rollout.h"

#include <criterion/criterion.h>
#include <string.h>

Test (rollout, replaces_one_at_a_time_until_all_are)
{
    zframe_t *client = zframe_new ("\x01\x02\x03", 3);
    rollout_t *op = rollout_new ("update", "/usr/bin/parser-2", 2, client, 42);
    cr_assert_not_null (op);
    zframe_destroy (&client);           //  the operation holds its own copy
    cr_assert_str_eq (rollout_name (op), "update");
    cr_assert_str_eq (rollout_command (op), "/usr/bin/parser-2");
    cr_assert_eq (rollout_req_id (op), 42u);
    cr_assert_eq (zframe_size (rollout_client (op)), 3u);
    cr_assert_eq (memcmp (zframe_data (rollout_client (op)), "\x01\x02\x03", 3), 0);

    int slots [2];
    for (int i = 0; i < 2; i++) {
        cr_assert_not (rollout_finished (op));
        cr_assert_eq (rollout_replaced (op), (size_t) i);
        cr_assert_not (rollout_is_fresh (op, &slots [i]));
        rollout_set_fresh (op, &slots [i]);
        cr_assert (rollout_is_fresh (op, &slots [i]));
        cr_assert_not (rollout_is_fresh (op, NULL));
        rollout_replaced_one (op);
        cr_assert_not (rollout_is_fresh (op, &slots [i]), "ready: no longer the new one");
    }
    cr_assert (rollout_finished (op));
    cr_assert_eq (rollout_total (op), 2u);
    char text [256];
    rollout_done_text (op, "parser", text, sizeof text);
    cr_assert_str_eq (text, "update of parser done: 2 worker(s) replaced");
    rollout_destroy (&op);
    cr_assert_null (op);
    rollout_destroy (&op);
}

Test (rollout, a_failed_new_worker_stops_it)
{
    rollout_t *op = rollout_new ("restart", "readme2ci-detector", 3, NULL, 7);
    cr_assert_not_null (op);
    cr_assert_null (rollout_client (op), "no one asked: no one to answer");
    int slot;
    rollout_set_fresh (op, &slot);
    rollout_replaced_one (op);
    rollout_set_fresh (op, &slot);
    cr_assert_eq (rollout_take_fresh (op), &slot);
    cr_assert_null (rollout_take_fresh (op), "taken once");
    cr_assert_not (rollout_finished (op));
    char text [512];
    rollout_failed_text (op, "detector", "exited before it was ready (status 1)", text,
                         sizeof text);
    cr_assert_str_eq (text, "restart of detector stopped after 1 of 3 worker(s): the new "
                      "worker (readme2ci-detector): exited before it was ready (status 1); "
                      "the old workers stay");
    rollout_destroy (&op);
}

Test (rollout, nothing_to_replace_is_finished_at_once)
{
    rollout_t *op = rollout_new ("restart", "x", 0, NULL, 0);
    cr_assert (rollout_finished (op));
    rollout_destroy (&op);
}
