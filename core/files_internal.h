/* files_internal.h — atomic file writing shared by the core's writers (files.c; used by
 * runlog.c and model_io.c through glab_write_file_atomic). Not part of the public SDK.
 * `why`/`wn` (may be NULL/0) receive the bare reason of a failure (strerror text or why the
 * target was refused), for callers that word their own message. */
#ifndef GRADLAB_FILES_INTERNAL_H
#define GRADLAB_FILES_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

/* Where a write of `path` may go: `path` itself when it does not exist or is a regular file,
 * the file a symbolic link resolves to; anything else is refused (an error naming `path`). */
int glab_file_target(const char *path, char *out, size_t size, char *why, size_t wn);
/* A new temporary file beside `target` ("<target>.tmp-<pid>", O_EXCL|O_NOFOLLOW); its name in
 * tmp. NULL with an error naming `shown` — the path the caller was given, which a symbolic link
 * resolves to `target` — with the temporary name after it in parentheses ("cannot write
 * x/y.bin: No such file or directory (creating its temporary file x/y.bin.tmp-42)"). */
FILE *glab_file_open_temp_for(const char *target, const char *shown, char *tmp, size_t size,
                              char *why, size_t wn);
/* glab_file_open_temp_for naming `target` itself. */
FILE *glab_file_open_temp(const char *target, char *tmp, size_t size, char *why, size_t wn);
/* Flush and close `f` (the temporary file `tmp`), then rename it over `target`; `ok` = 0 when a
 * write already failed (errno holds why). The temporary file is removed on any failure; the
 * message names `shown`. */
int glab_file_commit(FILE *f, const char *tmp, const char *target, const char *shown, int ok,
                     char *why, size_t wn);
/* glab_write_file_atomic with the reason of a failure in `why`. */
int glab_file_write_atomic(const char *path, const void *data, size_t len, char *why, size_t wn);
/* Create or truncate `path` for writing (a stream written in place, e.g. metrics.csv.part): a
 * symbolic link, FIFO, device or directory there is refused, never followed or opened. */
FILE *glab_file_create_regular(const char *path);

#endif
