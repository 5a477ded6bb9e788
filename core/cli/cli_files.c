/* cli_files.c — how the gradlab command writes its own files (batch.json, job.json,
 * summary.csv, slurm.sh, .progress.json, figure .dat/.gp): always through the core's atomic
 * writer, glab_write_file_atomic (core/files.c), so they share its rules — a temporary file
 * created O_EXCL|O_NOFOLLOW beside the target and renamed over it, a symbolic link followed (its
 * file replaced, the link kept), a FIFO, device, directory, socket or dangling link refused and
 * left alone. Text made piece by piece goes to memory first (open_memstream), then is written
 * whole. Also the lock files (DIR/.lock), which must stay in place and so are opened, never
 * replaced: a link or anything but a regular file there is refused. And cli_read_file, a whole
 * file into memory. */
#define _GNU_SOURCE /* open_memstream is POSIX 2008; O_NOFOLLOW */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gradlab/error.h"
#include "gradlab/runlog.h"

FILE *cli_buf_open(cli_buf *b) {
  b->data = NULL;
  b->len = 0;
  b->f = open_memstream(&b->data, &b->len);
  if (!b->f) glab_error(GLAB_ERR_NOMEM, "out of memory");
  return b->f;
}

int cli_write_file(const char *path, const void *data, size_t len, int sync) {
  int rc =
      sync ? glab_write_file_durable(path, data, len) : glab_write_file_atomic(path, data, len);
  return rc == GLAB_OK ? 0 : -1;
}

int cli_buf_write(cli_buf *b, const char *path, int sync) {
  int bad = ferror(b->f);
  if (fclose(b->f) != 0) bad = 1;
  b->f = NULL;
  int rc = bad ? (glab_error(GLAB_ERR_NOMEM, "cannot write %s: out of memory", path), -1)
               : cli_write_file(path, b->data, b->len, sync);
  free(b->data);
  b->data = NULL;
  return rc;
}

int cli_open_lock(const char *path) {
  /* O_NOFOLLOW: a link planted at .lock must not make the pid overwrite its target;
   * O_NONBLOCK: a FIFO there must not block the open (it is refused below). */
  int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd < 0) {
    glab_error(GLAB_ERR_IO, "cannot create %s: %s%s", path, strerror(errno),
               errno == ELOOP ? " (a symbolic link; refusing to follow it)" : "");
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    glab_error(GLAB_ERR_IO, "cannot create %s: not a regular file (refusing to use it)", path);
    return -1;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl != -1) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

char *cli_read_file(const char *path, size_t *len) {
  /* O_NONBLOCK and a regular file only: a FIFO planted at a job.json or batch.json would block
   * the batch (--status, resume) forever on open or read. errno EISDIR / EINVAL then. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    int e = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    close(fd);
    errno = e;
    return NULL;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl != -1) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    close(fd);
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n - 1, f);
    if (n < cap - 1) break;
    char *b = realloc(buf, cap *= 2);
    if (!b) {
      free(buf);
      buf = NULL;
    } else {
      buf = b;
    }
  }
  int err = ferror(f);
  fclose(f);
  if (!buf || err) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}
