/*  tests/support/outbox_rig.c - see outbox_rig.h.  */
#include "tests/support/outbox_rig.h"

#include <criterion/criterion.h>
#include <string.h>

zframe_t *
tu_client_identity (zsock_t *router, zsock_t *client, uint8_t tag)
{
    zstr_send (client, "hello");
    zsock_set_rcvtimeo (router, 5000);
    zmsg_t *msg = zmsg_recv (router);
    cr_assert_not_null (msg);
    zframe_t *raw = zmsg_first (msg);
    uint8_t tagged [256] = { tag };
    memcpy (tagged + 1, zframe_data (raw), zframe_size (raw));
    zframe_t *identity = zframe_new (tagged, zframe_size (raw) + 1);
    zmsg_destroy (&msg);
    return identity;
}

wire_reply_t
tu_client_reply (zsock_t *client, char **body)
{
    zmsg_t *msg = zmsg_recv (client);
    cr_assert_not_null (msg, "no reply came");
    zframe_t *header = zmsg_first (msg);
    wire_reply_t reply;
    cr_assert_eq (wire_reply_decode (&reply, zframe_data (header), zframe_size (header)), 0);
    zframe_t *payload = zmsg_next (msg);
    *body = payload? zframe_strdup (payload): NULL;
    zmsg_destroy (&msg);
    return reply;
}

void
tu_sub_ready (outbox_t *outbox, zsock_t *sub)
{
    int timeout = zsock_rcvtimeo (sub);
    zsock_set_rcvtimeo (sub, 20);
    char *type = NULL, *text = NULL;
    for (int i = 0; i < 250 && !type; i++) {
        outbox_publish (outbox, "probe", "{}");
        zstr_recvx (sub, &type, &text, NULL);
    }
    cr_assert_not_null (type, "the subscription never arrived");
    do {
        zstr_free (&type);
        zstr_free (&text);
    } while (zstr_recvx (sub, &type, &text, NULL) == 2);
    zsock_set_rcvtimeo (sub, timeout);
}

static int
s_send (void *arg, zframe_t *identity, uint8_t *header, size_t size, zframe_t **payloads,
        size_t count)
{
    return outbox_send_client (*(outbox_t **) arg, identity, header, size, payloads, count);
}

static const jio_t *
s_io (void *arg, const jio_t *inner)
{
    (void) arg;
    return inner;
}

ledger_hooks_t
tu_outbox_ledger_hooks (outbox_t **outbox_p)
{
    return (ledger_hooks_t) { .journal_io = s_io, .send = s_send, .arg = outbox_p };
}

ledger_t *
tu_memory_ledger (outbox_t **outbox_p)
{
    ledger_hooks_t hooks = tu_outbox_ledger_hooks (outbox_p);
    config_journal_t journal = { .fsync = CONFIG_FSYNC_BATCH, .batch_interval_ms = 10,
                                 .batch_records = 64, .segment_size = 1024 * 1024 };
    char err [256] = "";
    ledger_t *ledger = ledger_new (NULL, &journal, 16, &hooks, err, sizeof err);
    cr_assert_not_null (ledger, "%s", err);
    outbox_set_ledger (*outbox_p, ledger);
    return ledger;
}

json_t *
tu_next_event (zsock_t *sub, const char *type)
{
    char *topic = NULL, *text = NULL;
    cr_assert_eq (zstr_recvx (sub, &topic, &text, NULL), 2, "no %s event came", type);
    cr_assert_str_eq (topic, type, "%s", text);
    json_t *fields = json_loads (text, 0, NULL);
    cr_assert_not_null (fields, "%s", text);
    zstr_free (&topic);
    zstr_free (&text);
    return fields;
}

static void
s_deaf (void *arg, component_t *component)
{
    (void) arg;
    (void) component;
}

static bool
s_deaf_lost (void *arg, worker_t *worker, const char *why, bool count_crash)
{
    (void) arg;
    (void) worker;
    (void) why;
    (void) count_crash;
    return false;
}

pool_hooks_t
tu_pool_hooks_deaf (void)
{
    return (pool_hooks_t) { .capacity = s_deaf, .unavailable = s_deaf,
                            .jobs_lost = s_deaf_lost };
}

void
tu_config_no_workers (config_t *cfg)
{
    config_defaults (cfg);
    for (int c = 0; c < CONFIG_COMPONENTS; c++)
        cfg->components [c].workers = 0;
}
