/* batch.h — internals shared by the 'gradlab batch' and 'gradlab merge' files (batch*.c, merge.c).
 *
 * A batch is a list of jobs (script, parameter set, seed), each with a stable id (FNV-1a of the
 * script content, the sorted parameters and the seed). The batch folder holds:
 *   batch.json        the arguments and the full (unsharded) job list, written atomically
 *   <id>/             one run folder per job (written by 'gradlab run'), plus stdout.txt,
 *                     stderr.txt and job.json — the job's final state, written temp+rename
 *                     only once the job has ended; its presence marks the job as ended
 *   summary.csv       one row per job, written atomically
 *   .lock             flock'ed by the running batch (pid inside); .progress.json its live state */
#ifndef GRADLAB_BATCH_H
#define GRADLAB_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

typedef struct batch_param {
  char *key;
  char *value; /* as passed to --set */
} batch_param;

typedef struct batch_job {
  char id[17];  /* 16 hex digits */
  char *script; /* as given on the command line */
  long long seed;
  int nparams;
  batch_param *params; /* sorted by key */
  int index;           /* position in the full, unsharded job list */
} batch_job;

typedef struct batch_list {
  batch_job *jobs;
  int n, cap;
} batch_list;

/* One --grid KEY=V1,V2 or a key from a script's gradlab.sweep{}: its values in order. */
typedef struct batch_axis {
  char *key;
  int nvalues;
  char **values;
} batch_axis;

typedef struct batch_grid {
  batch_axis *axes;
  int n;
} batch_grid;

/* What 'batch' was asked to do (parsed from the command line or batch.json). */
typedef struct batch_args {
  char **scripts;
  int nscripts;
  batch_grid grid; /* CLI --grid, overrides a script's sweep */
  long long seed_lo, seed_hi;
  int shard_k, shard_n; /* 1-based; 0/0 = all */
  char **plugins;       /* --plugin PATH passed through to every job */
  int nplugins;
  double timeout; /* seconds; 0 = none */
} batch_args;

/* ---- batch_jobs.c ---- */
uint64_t batch_fnv1a(uint64_t h, const void *data, size_t n);
#define BATCH_FNV_OFFSET 0xcbf29ce484222325ULL
int batch_grid_add(batch_grid *g, const char *spec); /* "key=v1,v2"; CLI_USAGE + message on error */
void batch_grid_free(batch_grid *g);
/* "s" unless n is 1: "1 job", "2 jobs" */
static inline const char *batch_s(long long n) {
  return n == 1 ? "" : "s";
}
#define BATCH_MAX_SEEDS 1000000           /* seeds per --seeds range */
#define BATCH_MAX_JOBS 4096               /* -j */
#define BATCH_MAX_SHARDS 1000000          /* --shard K/N and --shards N: N at most */
#define BATCH_MAX_TIMEOUT 1e9             /* --timeout, seconds */
#define SLURM_DEFAULT_MAX_ARRAY 1001      /* Slurm's default MaxArraySize: indices 0..1000 */
#define BATCH_SEED_MAX 9007199254740991LL /* 2^53-1: the largest 'gradlab run --seed' */
/* --seeds A..B or N: seeds 0..BATCH_SEED_MAX, at most BATCH_MAX_SEEDS (CLI_USAGE + message). */
int batch_parse_seeds(const char *spec, long long *lo, long long *hi);
/* A JSON integer with all its digits (cJSON would round beyond 15 significant digits). */
cJSON *batch_json_integer(long long v);
int batch_parse_shard(const char *spec, int *k, int *n);
/* Expand scripts x (sweep overridden by grid) x seeds into the full job list (sweep discovery
 * runs each script once; `dir` holds its temporary files). CLI_OK or an error (message printed). */
int batch_expand(const batch_args *a, const char *dir, batch_list *out);
void batch_list_free(batch_list *l);
int batch_in_shard(const batch_job *j, int k, int n);
/* batch.json: arguments + full job list. */
cJSON *batch_args_to_json(const batch_args *a);
int batch_args_from_json(const cJSON *j, batch_args *a);
void batch_args_free(batch_args *a);
cJSON *batch_list_to_json(const batch_list *l);
/* The "jobs" list of a batch.json: 0, or -1 with why[] (may be NULL) saying which job is not one
 * gradlab wrote and how (no id of 16 hex digits, a seed out of 0..2^53-1, ...). */
int batch_list_from_json(const cJSON *arr, batch_list *out, char *why, size_t whyn);
char *batch_params_text(const batch_job *j); /* "k=v k2=v2" (malloc'ed) */

/* ---- batch_exec.c ---- */
typedef struct batch_opts {
  int jobs;         /* -j */
  double timeout;   /* seconds, 0 none */
  int retry_failed; /* --retry-failed */
  int quiet;
} batch_opts;
/* Run the jobs of `l` that belong to shard k/n and are not yet ended into `dir`. Returns the
 * number of jobs that did not succeed (or -1 if interrupted by SIGINT/SIGTERM/SIGHUP or an
 * error). Leaves SIGCHLD/SIGINT/SIGTERM/SIGHUP blocked, so the caller can finish its files. */
int batch_run(const char *dir, const batch_list *l, const batch_args *a, const batch_opts *o);
const char *batch_runner(void); /* GRADLAB_BATCH_RUNNER or cli_self_path() */
/* fork+exec argv with stdout/stderr to files (NULL: /dev/null), its own process group, killed if
 * the batch dies (PDEATHSIG); envkey=envval added if envkey. Returns the pid or -1. */
int batch_spawn(char *const argv[], const char *out, const char *err, const char *envkey,
                const char *envval);
/* Wait for pid with a timeout (seconds, 0 = none): returns the wait status, or -1 on timeout
 * (the process group is then killed and reaped). */
int batch_wait(int pid, double timeout);

/* ---- batch_report.c ---- */
cJSON *batch_read_json(const char *path);
/* Written by the core's atomic writer (cli_write_file: a link followed, a FIFO, device or
 * folder refused), durably (data fsync'ed before the rename); -1 with the message in
 * glab_last_error(). */
int batch_write_atomic(const char *path, const char *data, size_t n);
int batch_write_json(const char *path, const cJSON *j);
int batch_write_json_sync(const char *path, const cJSON *j, int sync); /* sync 0: no fsync */
int batch_rmtree(const char *path); /* rm -rf, does not follow symlinks */
int batch_mkdirs(const char *path);
/* What --out DIR of 'batch' or 'merge' is: */
enum {
  BATCH_DIR_NEW,     /* missing, or an empty folder (a .lock file aside) */
  BATCH_DIR_BATCH,   /* a folder with batch.json (a batch, or a merge output) */
  BATCH_DIR_OTHER,   /* a folder holding other things (a run folder, /etc): never written to */
  BATCH_DIR_NOT_DIR, /* a file, or anything else that is not a folder */
};
int batch_dir_state(const char *dir);
/* The check both commands make before writing anything: CLI_OK for a new or a batch folder,
 * else CLI_USAGE with "DIR exists and is not a gradlab batch folder" (or "not a folder"). */
int batch_check_out(const char *dir);
/* NULL when st is a job.json gradlab wrote for job `id`: "status" "ok" or "failed", its own
 * "id", and every field job_finish writes (script, seed, params, reason, timed_out, duration,
 * result, error, stderr_tail), with, given `job` (else NULL), the job's seed and parameters;
 * else what is wrong, in why[]. */
const char *batch_state_damage(const cJSON *st, const char *id, const batch_job *job, char *why,
                               size_t n);
/* A job's final state (<dir>/<id>/job.json) or NULL if it has not ended (or if it is not a
 * state gradlab wrote for that job: batch_job_state_damaged says which). */
cJSON *batch_job_state(const char *dir, const char *id);
/* 1 when DIR/ID/job.json is there but is no state gradlab wrote (garbage, batch_state_damage,
 * not a regular file); an empty one (what a machine crash leaves) is not damaged: "not run". */
int batch_job_state_damaged(const char *dir, const char *id);
int batch_state_ok(const cJSON *state); /* status == "ok" */
/* Write summary.csv into `outdir` for the jobs of `l` that are in the shard (k/n, 0 = all);
 * states[i] is the job.json of job i (NULL: not ended); running[i] marks live jobs (may be NULL).
 */
int batch_write_summary(const char *outdir, const batch_list *l, cJSON *const *states,
                        const char *running, int k, int n);
/* Print the final table (stdout). */
void batch_print_table(const batch_list *l, cJSON *const *states, int k, int n, const char *dir);
/* 'gradlab batch --status DIR'. */
int batch_status(const char *dir);
/* A number as cJSON prints it (shortest round-trip %g), into buf. */
void batch_fmt_number(double v, char *buf, size_t n);

#endif
