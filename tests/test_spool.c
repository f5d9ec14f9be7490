/*  Tests supervisor/spool: entries written and read back at their place,
    the file emptied once every entry is forgotten, the first usable
    folder taken, and a spool refused when no folder takes a file.  */
#include "supervisor/spool.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static spool_t *
s_spool_in_tmp (void)
{
    const char *dirs [] = { NULL, "", "/tmp" };
    spool_t *spool = spool_new (dirs, 3);
    cr_assert_not_null (spool, "spool_new: %s", strerror (errno));
    return spool;
}

Test (spool, entries_come_back_from_their_place)
{
    spool_t *spool = s_spool_in_tmp ();
    cr_assert_eq (spool_count (spool), 0u);
    char a [] = "README text", b [] = "manifests", c [] = "second";
    uint64_t first = 99, second = 99;
    cr_assert_eq (spool_write (spool, (struct iovec [2]) { { a, sizeof a }, { b, sizeof b } },
                               2, &first), 0);
    cr_assert_eq (spool_write (spool, (struct iovec [1]) { { c, sizeof c } }, 1, &second), 0);
    cr_assert_eq (first, 0u);
    cr_assert_eq (second, sizeof a + sizeof b);
    cr_assert_eq (spool_count (spool), 2u);
    cr_assert_eq (spool_size (spool), sizeof a + sizeof b + sizeof c);

    char x [sizeof a], y [sizeof b], z [sizeof c];
    cr_assert_eq (spool_read (spool, second, (struct iovec [1]) { { z, sizeof z } }, 1), 0);
    cr_assert_str_eq (z, c);
    cr_assert_eq (spool_read (spool, first,
                              (struct iovec [2]) { { x, sizeof x }, { y, sizeof y } }, 2), 0);
    cr_assert_str_eq (x, a);
    cr_assert_str_eq (y, b);
    //  reading does not forget
    cr_assert_eq (spool_count (spool), 2u);
    spool_destroy (&spool);
    cr_assert_null (spool);
    spool_destroy (&spool);
}

Test (spool, the_file_starts_afresh_once_nothing_waits)
{
    spool_t *spool = s_spool_in_tmp ();
    char a [4096];
    memset (a, 'a', sizeof a);
    uint64_t offset;
    cr_assert_eq (spool_write (spool, (struct iovec [1]) { { a, sizeof a } }, 1, &offset), 0);
    cr_assert_eq (spool_write (spool, (struct iovec [1]) { { a, sizeof a } }, 1, &offset), 0);
    spool_forget (spool);
    cr_assert_eq (spool_count (spool), 1u);
    cr_assert_eq (spool_size (spool), 2 * sizeof a, "one entry still waits: the file stays");
    spool_forget (spool);
    cr_assert_eq (spool_count (spool), 0u);
    cr_assert_eq (spool_size (spool), 0u);
    //  forgetting more than was written changes nothing
    spool_forget (spool);
    cr_assert_eq (spool_count (spool), 0u);
    cr_assert_eq (spool_write (spool, (struct iovec [1]) { { a, 10 } }, 1, &offset), 0);
    cr_assert_eq (offset, 0u, "the next entry goes at the start again");
    spool_destroy (&spool);
}

Test (spool, a_read_past_the_end_fails_cleanly)
{
    spool_t *spool = s_spool_in_tmp ();
    char a [16] = "sixteen bytes..", big [64];
    uint64_t offset;
    cr_assert_eq (spool_write (spool, (struct iovec [1]) { { a, sizeof a } }, 1, &offset), 0);
    errno = 0;
    cr_assert_eq (spool_read (spool, offset, (struct iovec [1]) { { big, sizeof big } }, 1), -1);
    cr_assert_eq (errno, EIO);
    spool_destroy (&spool);
}

Test (spool, no_usable_folder_no_spool)
{
    const char *dirs [] = { "/nonexistent/readme2ci-spool", NULL };
    errno = 0;
    cr_assert_null (spool_new (dirs, 2));
    cr_assert_neq (errno, 0);
    cr_assert_null (spool_new (dirs, 0));
    cr_assert_eq (errno, ENOENT);
}
