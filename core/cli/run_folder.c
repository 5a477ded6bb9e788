/* run_folder.c — the folder given to `gradlab run --out DIR`: made if needed, locked for the
 * whole run (DIR/.lock, flock, the pid inside: a second run into DIR is refused naming it, so
 * two runs never mix their files), refused when it holds an earlier run unless --overwrite,
 * which removes that run's files and nothing else. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "gradlab/error.h"
#include "run.h"

/* What a run writes into its folder (figures/ is gradlab plot's). */
static const char *const run_files[] = {
    "summary.json", "metrics.csv", "metrics.csv.part", "log.txt", "log.txt.part",
    "script.lua",   NULL};
static const char *const figure_exts[] = {".gp", ".png", ".svg", ".dat", NULL};

/* dir/name into path; 0 if it did not fit (then nothing is done with it). */
static int join(char *path, size_t size, const char *dir, const char *name) {
  int n = snprintf(path, size, "%s/%s", dir, name);
  return n >= 0 && (size_t)n < size;
}

static int exists_in(const char *dir, const char *name) {
  char path[4096];
  struct stat st;
  return join(path, sizeof path, dir, name) && stat(path, &st) == 0;
}

static int unlink_in(const char *dir, const char *name) {
  char path[4096];
  if (!join(path, sizeof path, dir, name))
    return cli_error("run: --overwrite: path too long: %s/%s", dir, name);
  if (unlink(path) != 0 && errno != ENOENT)
    return cli_error("run: --overwrite: cannot remove %s: %s", path, strerror(errno));
  return CLI_OK;
}

/* --overwrite: remove a previous run's outputs — and nothing else the folder holds. */
static int clear_run(const char *dir) {
  for (int i = 0; run_files[i]; i++)
    if (unlink_in(dir, run_files[i]) != CLI_OK) return CLI_FAIL;
  char fdir[4096];
  struct stat st;
  if (!join(fdir, sizeof fdir, dir, "figures")) return CLI_OK;
  /* Only a real folder: through a symbolic link at figures/ this would delete another
   * folder's pictures, which no gradlab run wrote (gradlab plot refuses such a link too). */
  if (lstat(fdir, &st) != 0 || !S_ISDIR(st.st_mode)) return CLI_OK;
  DIR *d = opendir(fdir);
  if (!d) return CLI_OK;
  struct dirent *e;
  int rc = CLI_OK;
  while (rc == CLI_OK && (e = readdir(d))) {
    size_t n = strlen(e->d_name);
    for (int i = 0; figure_exts[i]; i++) {
      size_t k = strlen(figure_exts[i]);
      if (n > k && !strcmp(e->d_name + n - k, figure_exts[i])) {
        rc = unlink_in(fdir, e->d_name);
        break;
      }
    }
  }
  closedir(d);
  rmdir(fdir); /* only if nothing else is left in it */
  return rc;
}

/* DIR/.lock, flock'ed for as long as the process lives (the pid inside, for the message of a
 * second run); the file stays (removing it while others may open it would break the lock).
 * Returns the descriptor, or -1 after a message. */
static int lock_folder(const char *dir) {
  char path[4096];
  if (!join(path, sizeof path, dir, ".lock"))
    return cli_error("run: path too long: %s/.lock", dir), -1;
  int fd = cli_open_lock(path);
  if (fd < 0) return cli_error("run: %s", glab_last_error()), -1;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    cli_error("run: '%s' is in use by another gradlab run (pid %s); wait for it to end, or choose "
              "another --out",
              dir, *buf ? buf : "?");
    close(fd);
    return -1;
  }
  if (ftruncate(fd, 0) == 0) dprintf(fd, "%ld\n", (long)getpid());
  return fd;
}

int run_folder_prepare(const char *dir, int overwrite, int *lockfd) {
  struct stat st;
  if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
    cli_error("run: --out '%s' exists and is not a folder", dir);
    return CLI_USAGE;
  }
  if (batch_mkdirs(dir) != 0) return cli_error("run: cannot create %s: %s", dir, strerror(errno));
  if ((*lockfd = lock_folder(dir)) < 0) return CLI_FAIL;
  /* A folder that already holds a run is refused (its old figures would sit beside new
   * metrics) unless --overwrite clears it. */
  int held = exists_in(dir, "summary.json") || exists_in(dir, "metrics.csv") ||
             exists_in(dir, "metrics.csv.part");
  if (!held) {
    /* no run here, but a file a run would write over: somebody else's (DIR is not a run folder
     * — the user's project folder, /): refused, not replaced */
    static const char *const own[] = {"log.txt", "script.lua", "log.txt.part", NULL};
    for (int i = 0; own[i]; i++)
      if (exists_in(dir, own[i])) {
        cli_error("run: '%s' holds a %s but no gradlab run (no summary.json or metrics.csv); a "
                  "run would write over it: choose another --out (a new or empty folder)",
                  dir, own[i]);
        return CLI_USAGE;
      }
    return CLI_OK;
  }
  if (!overwrite) {
    const char *has = exists_in(dir, "summary.json") ? "summary.json"
                      : exists_in(dir, "metrics.csv") ? "metrics.csv"
                                                      : "metrics.csv.part";
    cli_error("run: '%s' already holds a run (its %s); choose another --out, or pass "
              "--overwrite to replace that run",
              dir, has);
    return CLI_USAGE;
  }
  return clear_run(dir);
}
