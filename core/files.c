/* files.c — writing files atomically without harming what is already there. A file is written
 * to a temporary name beside its target and renamed over it, so a crash never leaves half a
 * file. Before that, the target is looked at: a rename would replace whatever the name holds,
 * so only a regular file (or nothing) is replaced. A symbolic link is followed — the file it
 * resolves to is replaced and the link stays — and anything else (a FIFO, a device node such as
 * /dev/full, a directory, a socket, a dangling link) is refused with a message naming the path.
 * Temporary files are created with O_EXCL, so a name planted in advance is never followed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files_internal.h"
#include "gradlab/error.h"
#include "gradlab/runlog.h"

static const char *file_kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISLNK(m)) return "a symbolic link";
  return "not a regular file";
}

static void set_why(char *why, size_t n, const char *fmt, const char *arg) {
  if (why && n) snprintf(why, n, fmt, arg);
}

int glab_file_target(const char *path, char *out, size_t size, char *why, size_t wn) {
  struct stat st;
  if (!path || !*path) {
    set_why(why, wn, "%s", "empty path");
    return glab_error(GLAB_ERR_ARG, "cannot write a file: empty path");
  }
  if (lstat(path, &st) != 0) {
    if (errno != ENOENT) {
      int e = errno;
      set_why(why, wn, "%s", strerror(e));
      return glab_error(GLAB_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    if (strlen(path) >= size) goto too_long;
    memcpy(out, path, strlen(path) + 1);
    return GLAB_OK;
  }
  char real[PATH_MAX];
  const char *t = path;
  if (S_ISLNK(st.st_mode)) {
    if (!realpath(path, real) || stat(real, &st) != 0) {
      int e = errno;
      char msg[256];
      snprintf(msg, sizeof msg, "a symbolic link that does not resolve to a file (%s)",
               strerror(e));
      set_why(why, wn, "%s", msg);
      return glab_error(GLAB_ERR_IO, "cannot write %s: %s", path, msg);
    }
    t = real;
  }
  if (!S_ISREG(st.st_mode)) {
    char msg[PATH_MAX + 160];
    if (t == path)
      snprintf(msg, sizeof msg, "not a regular file but %s (refusing to replace it)",
               file_kind(st.st_mode));
    else
      snprintf(msg, sizeof msg,
               "a symbolic link to %s, which is %s, not a regular file (refusing to replace it)",
               real, file_kind(st.st_mode));
    set_why(why, wn, "%s", msg);
    return glab_error(GLAB_ERR_IO, "cannot write %s: %s", path, msg);
  }
  if (strlen(t) >= size) goto too_long;
  memcpy(out, t, strlen(t) + 1);
  return GLAB_OK;
too_long:
  set_why(why, wn, "%s", "path too long");
  return glab_error(GLAB_ERR_ARG, "cannot write %s: path too long", path);
}

FILE *glab_file_open_temp_for(const char *target, const char *shown, char *tmp, size_t size,
                              char *why, size_t wn) {
  int fd = -1;
  for (int k = 0; k < 100 && fd < 0; k++) {
    int n = k ? snprintf(tmp, size, "%s.tmp-%ld-%d", target, (long)getpid(), k)
              : snprintf(tmp, size, "%s.tmp-%ld", target, (long)getpid());
    if (n < 0 || (size_t)n >= size) {
      set_why(why, wn, "%s", "path too long");
      glab_error(GLAB_ERR_ARG, "cannot write %s: path too long", shown);
      return NULL;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!f) {
    int e = errno;
    if (fd >= 0) close(fd), unlink(tmp);
    set_why(why, wn, "%s", strerror(e));
    /* The file the caller asked for, not the temporary name (which follows, for the record). */
    glab_error(GLAB_ERR_IO, "cannot write %s: %s (creating its temporary file %s)", shown,
               strerror(e), tmp);
  }
  return f;
}

FILE *glab_file_open_temp(const char *target, char *tmp, size_t size, char *why, size_t wn) {
  return glab_file_open_temp_for(target, target, tmp, size, why, wn);
}

FILE *glab_file_create_regular(const char *path) {
  struct stat st;
  if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    glab_error(GLAB_ERR_IO, "cannot write %s: not a regular file but %s (refusing to use it)", path,
               file_kind(st.st_mode));
    return NULL;
  }
  /* O_NONBLOCK: a FIFO put there after the check must not block the open. */
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0666);
  if (fd < 0) {
    glab_error(GLAB_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    return NULL;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    glab_error(GLAB_ERR_IO, "cannot write %s: not a regular file", path);
    return NULL;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl != -1) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    glab_error(GLAB_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    close(fd);
  }
  return f;
}

/* fsync the folder holding `target`, so that a rename into it is on the disk. */
static int sync_folder(const char *target) {
  char dir[PATH_MAX];
  const char *slash = strrchr(target, '/');
  size_t n = slash ? (size_t)(slash - target) : 0;
  if (n >= sizeof dir) return -1;
  if (slash)
    memcpy(dir, target, n ? n : 1), dir[n ? n : 1] = '\0';
  else
    strcpy(dir, ".");
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

/* The one commit: flush, (durable: fsync the data before the rename, the folder after it, so a
 * machine that goes down at any moment leaves the old file or the whole new one — never an
 * empty file under the new name), close, rename. */
static int commit(FILE *f, const char *tmp, const char *target, const char *shown, int ok,
                  int durable, char *why, size_t wn) {
  int e = ok ? 0 : errno; /* the failed write's */
  if (ok && fflush(f) != 0) ok = 0, e = errno;
  if (ok && durable && fsync(fileno(f)) != 0) ok = 0, e = errno;
  if (fclose(f) != 0 && ok) ok = 0, e = errno;
  if (ok && rename(tmp, target) != 0) ok = 0, e = errno;
  if (ok && durable && sync_folder(target) != 0)
    return glab_error(GLAB_ERR_IO, "cannot write %s: fsync of its folder: %s", shown,
                      strerror(errno));
  if (ok) return GLAB_OK;
  if (!e) e = EIO;
  remove(tmp);
  set_why(why, wn, "%s", strerror(e));
  errno = e;
  return glab_error(GLAB_ERR_IO, "cannot write %s: %s", shown, strerror(e));
}

int glab_file_commit(FILE *f, const char *tmp, const char *target, const char *shown, int ok,
                     char *why, size_t wn) {
  return commit(f, tmp, target, shown, ok, 0, why, wn);
}

static int write_atomic(const char *path, const void *data, size_t len, int durable, char *why,
                        size_t wn) {
  char target[PATH_MAX], tmp[PATH_MAX + 64];
  if (glab_file_target(path, target, sizeof target, why, wn) != GLAB_OK) return glab_last_status();
  FILE *f = glab_file_open_temp_for(target, path, tmp, sizeof tmp, why, wn);
  if (!f) return glab_last_status();
  int ok = fwrite(data, 1, len, f) == len;
  return commit(f, tmp, target, path, ok, durable, why, wn);
}

int glab_file_write_atomic(const char *path, const void *data, size_t len, char *why, size_t wn) {
  return write_atomic(path, data, len, 0, why, wn);
}

int glab_write_file_atomic(const char *path, const void *data, size_t len) {
  return write_atomic(path, data, len, 0, NULL, 0);
}

int glab_write_file_durable(const char *path, const void *data, size_t len) {
  return write_atomic(path, data, len, 1, NULL, 0);
}
