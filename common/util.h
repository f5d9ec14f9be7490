/*  common/util.h - small helpers every program shares: monotonic and wall
    clocks, close-on-exec checks, runtime and state folders.  */
#ifndef UTIL_H_INCLUDED
#define UTIL_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Milliseconds on the monotonic clock, and since the epoch.
uint64_t util_now_ms (void);
uint64_t util_now_us (void);
uint64_t util_wall_ms (void);

//  The runtime folder (sockets, pid file): README2CI_RUNTIME_DIR, else
//  $XDG_RUNTIME_DIR/readme2ci, else /tmp/readme2ci-$UID. Writes it to buf.
//  Returns 0, or -1 (ENAMETOOLONG).
int util_runtime_dir (char *buf, size_t size);
//  The state folder (journal): README2CI_STATE_DIR, else
//  $XDG_STATE_HOME/readme2ci, else ~/.local/state/readme2ci.
int util_state_dir (char *buf, size_t size);

//  Make path and its parents with mode (existing folders are fine).
//  Returns 0 or -1 with errno.
int util_mkdirs (const char *path, unsigned mode);

//  Makes dir (0700, with its parents) if missing, then checks it is one
//  only we can write in: a folder (or our own symlink to one) that
//  belongs to the effective user and that neither group nor others may
//  write (group or others' read/search bits are taken away). A folder
//  someone else made, e.g. a predictable name under /tmp, is refused:
//  what it holds may be theirs. 0, or -1 with errno and a message
//  naming dir and the cause in err.
int util_private_dir (const char *dir, char *err, size_t size);

//  True when dir exists and passes util_private_dir's checks (no change).
bool util_private_dir_ok (const char *dir);

//  Read a whole file (at most max bytes) into a malloc'd NUL-terminated
//  buffer. Returns 0, or -1 with errno (EFBIG when larger than max).
int util_read_file (const char *path, size_t max, char **data_p, size_t *size_p);

//  As util_read_file, but a file over max is not an error: its first max
//  bytes are kept, cut after the last whole line, and *cut_p (when not
//  NULL) says whether that happened.
int util_read_head (const char *path, size_t max, bool *cut_p, char **data_p, size_t *size_p);

//  The folder holding the running executable, or "." when unknown.
int util_exe_dir (char *buf, size_t size);

//  Copy src into dst of size bytes, always NUL-terminated; true if it fit.
bool util_copy (char *dst, size_t size, const char *src);

//  The value of the hexadecimal digit c (0-9, a-f, A-F), or -1.
int util_hex_digit (int c);

//  For `return util_fail (EINVAL, err, err_size, "...", ...)`: writes the
//  message to err (when err is not NULL and err_size not 0), sets errno to
//  code and returns -1.
int util_fail (int code, char *err, size_t err_size, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

#endif
