/* runlog.h — the run folder (default runs/<script>-<id>/): metrics.csv (tidy rows
 * step,epoch,layer,tensor,stat,value), summary.json (cJSON), log.txt and a copy of the script.
 * Every file appears atomically: it is written under a temporary name and renamed, so a crash
 * never leaves half a file (and only regular files are replaced: see glab_write_file_atomic).
 * metrics.csv is streamed to "metrics.csv.part" while the run goes and becomes metrics.csv at each
 * flush (a copy) and at the end (a rename). */
#ifndef GRADLAB_RUNLOG_H
#define GRADLAB_RUNLOG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glab_runlog glab_runlog;
struct cJSON; /* from <cjson/cJSON.h> */

/* Create the run folder and start the files.
 *  dir: the folder (created with parents; may exist); NULL: "runs/<script base>-<id>" where id
 *       is the UTC time and the process id (YYYYmmdd-HHMMSS-pid), unique per process.
 *  script: the script's path (copied as script.lua and named in the summary), may be NULL.
 * NULL and a message naming the path on failure. */
glab_runlog *glab_runlog_create(const char *dir, const char *script);
/* Close (glab_runlog_close, if not done) and free. NULL is fine. */
void glab_runlog_destroy(glab_runlog *log);
const char *glab_runlog_dir(const glab_runlog *log);
/* The path of a file inside the run folder (e.g. for figures); static per log, overwritten by
 * the next call. */
const char *glab_runlog_path(glab_runlog *log, const char *name);

/* One metrics.csv row. layer/tensor/stat are quoted per RFC 4180 when needed. */
int glab_runlog_metric(glab_runlog *log, long step, int epoch, const char *layer,
                       const char *tensor, const char *stat, double value);
/* Hand the buffered metrics.csv rows to the file when the last time was 0.1 s ago or more, so
 * that a process killed outright (SIGKILL, a crash) loses at most that much of them (it lost up
 * to 16 KiB). Cheap to call after every step. GLAB_OK or the write's error. */
int glab_runlog_push_rows(glab_runlog *log);
/* Rows written so far. */
long glab_runlog_metric_rows(const glab_runlog *log);

/* A line in log.txt (a newline is added), also flushed to the file at once. */
int glab_runlog_log(glab_runlog *log, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The first failed write of the run folder ("cannot write metrics.csv in DIR: No space left on
 * device"), or NULL. Once a write failed, flushes keep the last whole copy of that file, the
 * summary says "finished": false with an "error", and glab_runlog_flush/_finish/_metric/_log
 * return GLAB_ERR_IO with this message. */
const char *glab_runlog_error(const glab_runlog *log);

/* summary.json content. Strings are copied. */
void glab_runlog_set_seed(glab_runlog *log, uint64_t seed);
/* A top-level summary.json number written with its exact digits (e.g. "last_seed"). */
int glab_runlog_set_uint(glab_runlog *log, const char *key, uint64_t value);
int glab_runlog_set_param_string(glab_runlog *log, const char *key, const char *value);
int glab_runlog_set_param_number(glab_runlog *log, const char *key, double value);
int glab_runlog_set_param_bool(glab_runlog *log, const char *key, int value);
/* A type of the "plugins" list (kind, name, the file it came from); one already listed is not
 * added again, so the list can be refreshed (types loaded while the script ran). */
int glab_runlog_add_plugin(glab_runlog *log, const char *kind, const char *name, const char *file);
/* A non-finite (or other) event: {step, epoch, layer, tensor, kind, message}. */
int glab_runlog_add_event(glab_runlog *log, long step, int epoch, const char *layer,
                          const char *tensor, const char *kind, const char *message);
/* "final" metrics (e.g. loss, accuracy) and the script's "result" (a flat object). */
int glab_runlog_set_final(glab_runlog *log, const char *key, double value);
int glab_runlog_set_result_number(glab_runlog *log, const char *key, double value);
int glab_runlog_set_result_string(glab_runlog *log, const char *key, const char *value);
/* A JSON number that prints with the shortest digits reading back as exactly v (cJSON alone
 * prints 15 digits and accepts one unit in the last place off); null for NaN or infinity. A raw
 * item: cJSON_IsNumber is false for it, valuedouble holds v. NULL on no memory. */
struct cJSON *glab_json_number(double v);
/* The summary object itself, for anything else (owned by the log; add items with cJSON). */
struct cJSON *glab_runlog_summary(glab_runlog *log);

/* Write metrics.csv and summary.json now (atomically: metrics.csv.part is copied), with
 * finished = `finished`. Usable at any time, also on an error path (finished = 0): the files
 * then hold everything recorded so far. The run goes on writing. */
int glab_runlog_flush(glab_runlog *log, int finished);
/* Write summary.json now (as it stands; "finished": false until the run is closed finished). */
int glab_runlog_write_summary(glab_runlog *log);
/* End the run's files: metrics.csv.part and log.txt.part are renamed into place (not copied),
 * summary.json written, "finished" true only after glab_runlog_finish and without a failed
 * write. Later metric/log calls fail ("run log: closed"). GLAB_OK, or the first failed write's
 * error (the rows that could not be put in place stay in the .part file). Called again: only
 * summary.json is written again. */
int glab_runlog_close(glab_runlog *log);
/* Mark the run finished and close it. */
int glab_runlog_finish(glab_runlog *log);

/* Write `len` bytes to `path` atomically: a temporary file beside it (path.tmp-<pid>, created
 * with O_EXCL) renamed over it. Only a regular file is replaced; a symbolic link is followed
 * (the file it resolves to is replaced, the link stays); a FIFO, device node, directory, socket
 * or dangling link at `path` is refused (GLAB_ERR_IO naming the path), never replaced. */
int glab_write_file_atomic(const char *path, const void *data, size_t len);
/* glab_write_file_atomic that is also durable: the data is fsync'ed before the rename and the
 * folder after it, so after a power loss or a kernel crash `path` holds the old file or the
 * whole new one (ext4 and friends may otherwise show an empty file under the new name). Costs a
 * disk flush: for small state files (a batch's job.json), not for every metric. */
int glab_write_file_durable(const char *path, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
