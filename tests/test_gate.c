/*  Tests for the log gate of malformed messages (supervisor/remote): once
    a minute per peer, and a budget for all peers together, driven with
    explicit times.  */
#include "supervisor/remote.h"

#include <criterion/criterion.h>

#include <stdio.h>

Test (gate, budget_gives_a_burst_then_its_rate)
{
    remote_budget_t budget = { 0 };
    for (int i = 0; i < 3; i++)
        cr_assert (remote_budget_take (&budget, 3, 60, 1000), "line %d of the burst", i);
    cr_assert_not (remote_budget_take (&budget, 3, 60, 1000), "beyond the burst");
    cr_assert_not (remote_budget_take (&budget, 3, 60, 1999), "before a token is earned");
    cr_assert (remote_budget_take (&budget, 3, 60, 2000), "one a second at 60 a minute");
    cr_assert_not (remote_budget_take (&budget, 3, 60, 2500));
    //  A long quiet refills up to the burst, not beyond.
    for (int i = 0; i < 3; i++)
        cr_assert (remote_budget_take (&budget, 3, 60, 600000));
    cr_assert_not (remote_budget_take (&budget, 3, 60, 600000));
    //  Half a second earns nothing yet; the whole second does.
    cr_assert_not (remote_budget_take (&budget, 3, 60, 600500));
    cr_assert (remote_budget_take (&budget, 3, 60, 601000));
    //  A clock that goes back starts afresh rather than overflowing.
    cr_assert (remote_budget_take (&budget, 3, 60, 10));
}

Test (gate, one_line_per_peer_a_minute_with_the_repeats_counted)
{
    remote_gate_t gate = { .peers = remote_limiter_new (16, 60000), .burst = 100,
                           .rate_per_min = 600 };
    cr_assert_not_null (gate.peers);
    uint64_t held = 99;
    cr_assert (remote_gate_allow (&gate, "parser pid 7", 1000, &held));
    cr_assert_eq (held, 0);
    //  28,000 garbage messages from one peer in a second: no more lines.
    int lines = 0;
    for (int i = 0; i < 28000; i++)
        lines += remote_gate_allow (&gate, "parser pid 7", 1000 + (uint64_t) i / 28, NULL);
    cr_assert_eq (lines, 0);
    cr_assert (remote_gate_allow (&gate, "client 0a0b", 2000, NULL), "another peer is its own");
    cr_assert (remote_gate_allow (&gate, "parser pid 7", 61000, &held));
    cr_assert_eq (held, 28000, "held back: %llu", (unsigned long long) held);
    remote_limiter_destroy (&gate.peers);
}

Test (gate, a_churn_of_new_peers_stays_within_the_budget)
{
    remote_gate_t gate = { .peers = remote_limiter_new (256, 60000), .burst = 10,
                           .rate_per_min = 60 };
    cr_assert_not_null (gate.peers);
    //  3,000 connections, each sending garbage once, within a second.
    int lines = 0;
    for (int i = 0; i < 3000; i++) {
        char peer [32];
        snprintf (peer, sizeof peer, "client %04x", i);
        lines += remote_gate_allow (&gate, peer, 5000 + (uint64_t) i / 3, NULL);
    }
    cr_assert_eq (lines, 10, "%d lines for 3,000 peers in a second", lines);
    //  The next line says how many were held back meanwhile.
    uint64_t held = 0;
    cr_assert (remote_gate_allow (&gate, "client new", 7000, &held));
    cr_assert_eq (held, 2990, "held back: %llu", (unsigned long long) held);
    remote_limiter_destroy (&gate.peers);
}
