/* batch.c — 'gradlab batch': the command line, the batch folder (lock, batch.json, resume),
 * --status, --emit slurm, and the summary at the end. The job list is in batch_jobs.c, running
 * the jobs in batch_exec.c, the files in batch_report.c. */
#define _GNU_SOURCE /* sched_getaffinity */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "gradlab/error.h"

static void usage(FILE *f) {
  fputs(
      "usage: gradlab batch [SCRIPT.lua...] [--grid KEY=V1,V2...]... [--seeds A..B] [-j N]\n"
      "                     --out DIR [--shard K/N] [--timeout SECONDS] [--retry-failed]\n"
      "                     [--plugin PATH]... [--quiet]\n"
      "       gradlab batch --status DIR\n"
      "       gradlab batch SCRIPT.lua... [--grid ...] [--seeds A..B] --out DIR --emit slurm "
      "[--shards N]\n\n"
      "Runs every (script, parameter set, seed) as its own 'gradlab run' process into "
      "DIR/<job-id>/\n"
      "and writes DIR/summary.csv. Rerunning with the same DIR resumes: completed jobs are kept,\n"
      "interrupted ones rerun, failed ones rerun with --retry-failed. With DIR alone (no scripts)\n"
      "the batch stored in DIR is resumed.\n\n"
      "  --grid KEY=V1,V2   one grid axis (repeatable); overrides the script's gradlab.sweep{}\n"
      "  --seeds A..B       seeds A to B inclusive, or one seed (default 1); 0..2^53-1\n"
      "  -j, --jobs N       jobs at a time, 1..4096 (default: number of cores); BLAS uses 1\n"
      "                     thread per job when N > 1\n"
      "  --shard K/N        run only the K-th of N deterministic slices (1 <= K <= N <= 10^6)\n"
      "  --timeout SECONDS  stop a job (its whole process group) after this long (0 < S <= 1e9)\n"
      "  --retry-failed     rerun jobs that failed before\n"
      "  --status DIR       show the progress of a running or finished batch\n"
      "  --emit slurm       write DIR/slurm.sh, a Slurm job array running one shard per task\n"
      "  --shards N         array tasks for --emit (default, and at most: one per job)\n"
      "  --plugin PATH      passed to every job\n"
      "  -q, --quiet        no progress output and no table\n\n"
      "exit status: 0 every job succeeded, 1 a job failed or the batch was stopped, 2 bad usage\n",
      f);
}

/* A temporary file of the core's atomic writer: NAME.tmp-PID or NAME.tmp-PID-K. */
static int is_writer_temp(const char *name) {
  const char *t = strstr(name, ".tmp-");
  if (!t || t == name) return 0;
  for (t += 5; *t; t++)
    if (!((*t >= '0' && *t <= '9') || *t == '-')) return 0;
  return 1;
}

/* Remove what a killed batch may have left: temporary files (NAME.tmp of older versions,
 * NAME.tmp-PID of the atomic writer) and sweep folders. */
static void clean_stale(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char path[4200];
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if ((n > 4 && !strcmp(e->d_name + n - 4, ".tmp")) || !strncmp(e->d_name, ".sweep-", 7)) {
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      batch_rmtree(path);
    } else if (is_writer_temp(e->d_name) && e->d_type != DT_DIR) {
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
  }
  closedir(d);
}

static int lock_dir(const char *dir) {
  char path[4200];
  snprintf(path, sizeof path, "%s/.lock", dir);
  int fd = cli_open_lock(path);
  if (fd < 0) return cli_error("%s", glab_last_error()), -1;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    cli_error("%s is in use by another gradlab batch (pid %s)", dir,
              *buf ? strtok(buf, "\n") : "?");
    close(fd);
    return -1;
  }
  if (ftruncate(fd, 0) == 0) dprintf(fd, "%ld\n", (long)getpid());
  return fd; /* held until exit */
}

static void shell_quote(FILE *f, const char *s) {
  fputc('\'', f);
  for (; *s; s++)
    if (*s == '\'')
      fputs("'\\''", f);
    else
      fputc(*s, f);
  fputc('\'', f);
}

/* A path as sbatch reads an #SBATCH value (its own parser, not the shell's): in double quotes,
 * with \ and " escaped by a backslash; % doubled, since --output expands %A, %a, ... */
static void slurm_quote_path(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '\\' || *s == '"') fputc('\\', f);
    if (*s == '%') fputc('%', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* A --grid axis as one shell word: 'KEY=V1,V2' (quotes in it escaped). */
static void shell_quote_axis(FILE *f, const batch_axis *ax) {
  size_t n = strlen(ax->key) + 2;
  for (int v = 0; v < ax->nvalues; v++)
    n += strlen(ax->values[v]) + 1;
  char *s = malloc(n), *p = s;
  if (!s) return;
  p += sprintf(p, "%s=", ax->key);
  for (int v = 0; v < ax->nvalues; v++)
    p += sprintf(p, "%s%s", v ? "," : "", ax->values[v]);
  shell_quote(f, s);
  free(s);
}

/* The lines to submit and merge, ready to paste into a shell (paths quoted; the glob not). */
static void print_commands(FILE *f, const char *prefix, const char *path, const char *dir) {
  fprintf(f, "%ssubmit: sbatch ", prefix);
  shell_quote(f, path);
  fprintf(f, "\n%smerge:  gradlab merge ", prefix);
  shell_quote(f, dir);
  fputs("/shards/* --out ", f);
  shell_quote(f, dir);
  fputs("/merged\n", f);
}

/* The folder appears in slurm.sh's comment and #SBATCH lines, where a line break would end the
 * line and start a line of shell: refused (before anything is created). */
static int slurm_path_ok(const char *dir) {
  char cwd[PATH_MAX];
  const char *bad = strpbrk(dir, "\n\r") ? "--out folder"
                    : getcwd(cwd, sizeof cwd) && strpbrk(cwd, "\n\r") ? "current folder"
                                                                       : NULL;
  if (bad)
    cli_error("--emit slurm: the %s has a line break in its name, which an #SBATCH line cannot "
              "hold", bad);
  return !bad;
}

static int emit_slurm(const char *dir, const batch_args *a, const batch_list *l, int shards,
                      int jobs_given) {
  if (shards > l->n && l->n > 0) { /* a task with no job would only start and end */
    fprintf(stderr,
            "gradlab: note: --shards %d is more than the %d job%s: the array gets %d task%s, one "
            "job each\n",
            shards, l->n, batch_s(l->n), l->n, batch_s(l->n));
    shards = l->n;
  }
  if (shards <= 0) shards = l->n > 0 ? l->n : 1;
  char path[4200], cwd[PATH_MAX], self[PATH_MAX];
  snprintf(path, sizeof path, "%s/slurm.sh", dir);
  if (!getcwd(cwd, sizeof cwd)) return cli_error("getcwd: %s", strerror(errno));
  snprintf(self, sizeof self, "%s", cli_self_path());
  cli_buf buf;
  FILE *f = cli_buf_open(&buf);
  if (!f) return cli_error("cannot write %s: out of memory", path);
  fprintf(f,
          "#!/bin/bash\n"
          "# Slurm job array written by 'gradlab batch --emit slurm': %d job%s in %d shard%s,\n"
          "# one shard per array task. Submit it, then (when every task has ended) merge:\n",
          l->n, batch_s(l->n), shards, batch_s(shards));
  print_commands(f, "#   ", path, dir);
  fprintf(f, "#SBATCH --job-name=gradlab-batch\n#SBATCH --array=0-%d\n#SBATCH --cpus-per-task=%d\n",
          shards - 1, jobs_given > 0 ? jobs_given : 1);
  /* Slurm opens the log before the script's cd, relative to wherever sbatch was run: the
   * folder is given absolute. */
  char logdir[2 * PATH_MAX + 2];
  snprintf(logdir, sizeof logdir, "%s%s%s", dir[0] == '/' ? "" : cwd, dir[0] == '/' ? "" : "/", dir);
  fputs("#SBATCH --output=", f);
  slurm_quote_path(f, logdir);
  fputs("/slurm-%A_%a.out\n", f);
  fputs("set -eu\ncd ", f);
  shell_quote(f, cwd);
  fputs("\nK=$((SLURM_ARRAY_TASK_ID + 1))\nexec ", f);
  shell_quote(f, self);
  fputs(" batch", f);
  for (int i = 0; i < a->nscripts; i++)
    fputc(' ', f), shell_quote(f, a->scripts[i]);
  for (int g = 0; g < a->grid.n; g++) {
    fputs(" --grid ", f);
    shell_quote_axis(f, &a->grid.axes[g]);
  }
  fprintf(f, " --seeds %lld..%lld -j \"${SLURM_CPUS_PER_TASK:-1}\"", a->seed_lo, a->seed_hi);
  if (a->timeout > 0) fprintf(f, " --timeout %g", a->timeout);
  for (int i = 0; i < a->nplugins; i++)
    fputs(" --plugin ", f), shell_quote(f, a->plugins[i]);
  fprintf(f, " --shard \"$K/%d\" --out ", shards);
  shell_quote(f, dir);
  fputs("/shards/\"$K\"\n", f);
  if (cli_buf_write(&buf, path, 0) != 0) return cli_error("%s", glab_last_error());
  if (chmod(path, 0755) != 0) /* through a link: the file it names, which was just written */
    return cli_error("cannot make %s executable: %s", path, strerror(errno));
  printf("wrote %s (%d job%s, %d array task%s)\n", path, l->n, batch_s(l->n), shards,
         batch_s(shards));
  print_commands(stdout, "", path, dir);
  if (shards > SLURM_DEFAULT_MAX_ARRAY)
    fprintf(stderr,
            "gradlab: warning: %s is a job array of %d tasks; Slurm's default MaxArraySize is %d "
            "(sbatch refuses larger arrays unless the cluster raised it: scontrol show config | "
            "grep MaxArraySize). Pass --shards N with N <= %d (e.g. --shards 1000): each task then "
            "runs about %d/N jobs\n",
            path, shards, SLURM_DEFAULT_MAX_ARRAY, SLURM_DEFAULT_MAX_ARRAY, l->n);
  return CLI_OK;
}

/* The "merged_from" of DIR/batch.json (detached, or NULL): a merge output whose pending jobs
 * the batch runs stays a merge output, so that merging into it again is allowed (docs/batch.md
 * recommends merge, batch --out MERGED, merge again). */
static cJSON *merged_from_of(const char *dir) {
  char path[4200];
  snprintf(path, sizeof path, "%s/batch.json", dir);
  cJSON *old = batch_read_json(path);
  cJSON *mf = cJSON_DetachItemFromObjectCaseSensitive(old, "merged_from");
  cJSON_Delete(old);
  return mf;
}

static void collect_states(const char *dir, const batch_list *l, cJSON **states) {
  for (int i = 0; i < l->n; i++)
    states[i] = batch_job_state(dir, l->jobs[i].id);
}

int cli_batch(int argc, char **argv) {
  enum { O_GRID = 256, O_SEEDS, O_SHARD, O_TIMEOUT, O_RETRY, O_STATUS, O_EMIT, O_SHARDS, O_PLUGIN };
  static const struct option longopts[] = {{"grid", required_argument, NULL, O_GRID},
                                           {"seeds", required_argument, NULL, O_SEEDS},
                                           {"jobs", required_argument, NULL, 'j'},
                                           {"out", required_argument, NULL, 'o'},
                                           {"shard", required_argument, NULL, O_SHARD},
                                           {"timeout", required_argument, NULL, O_TIMEOUT},
                                           {"retry-failed", no_argument, NULL, O_RETRY},
                                           {"status", required_argument, NULL, O_STATUS},
                                           {"emit", required_argument, NULL, O_EMIT},
                                           {"shards", required_argument, NULL, O_SHARDS},
                                           {"plugin", required_argument, NULL, O_PLUGIN},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  batch_args a = {0};
  batch_opts o = {0};
  const char *out = NULL, *status = NULL, *emit = NULL;
  int shards = 0, seeds_given = 0, jobs_given = 0, rc = CLI_USAGE, lockfd = -1;
  char *end;
  a.seed_lo = a.seed_hi = 1;
  o.jobs = 0;
  batch_list l = {0};
  cJSON **states = NULL, *bj = NULL;
  opterr = 0;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, ":j:o:qh", longopts, NULL)) != -1) {
    switch (c) {
    case O_GRID:
      if (batch_grid_add(&a.grid, optarg) != CLI_OK) goto out;
      break;
    case O_SEEDS:
      if (batch_parse_seeds(optarg, &a.seed_lo, &a.seed_hi) != CLI_OK) goto out;
      seeds_given = 1;
      break;
    case 'j':
      errno = 0;
      long j = strtol(optarg, &end, 10);
      if (*end || end == optarg || errno || j < 1 || j > BATCH_MAX_JOBS) {
        cli_error("-j expects a number of jobs from 1 to %d (got '%s')", BATCH_MAX_JOBS, optarg);
        goto out;
      }
      o.jobs = (int)j;
      break;
    case 'o':
      if (!optarg[0]) {
        cli_error("--out wants a folder name, got an empty one");
        goto out;
      }
      out = optarg;
      break;
    case O_SHARD:
      if (batch_parse_shard(optarg, &a.shard_k, &a.shard_n) != CLI_OK) goto out;
      break;
    case O_TIMEOUT:
      a.timeout = strtod(optarg, &end);
      if (*end || end == optarg || !(a.timeout > 0) || a.timeout > BATCH_MAX_TIMEOUT) {
        cli_error("--timeout expects a number of seconds above 0 and at most %g (about 31 "
                  "years; fractions allowed) (got '%s')",
                  BATCH_MAX_TIMEOUT, optarg);
        goto out;
      }
      break;
    case O_RETRY:
      o.retry_failed = 1;
      break;
    case O_STATUS:
      if (!optarg[0]) {
        cli_error("--status wants a batch folder name, got an empty one");
        goto out;
      }
      status = optarg;
      break;
    case O_EMIT:
      emit = optarg;
      break;
    case O_SHARDS:
      errno = 0;
      long sh = strtol(optarg, &end, 10);
      if (*end || end == optarg || errno || sh < 1 || sh > BATCH_MAX_SHARDS) {
        cli_error("--shards expects a number of shards from 1 to %d (got '%s')", BATCH_MAX_SHARDS,
                  optarg);
        goto out;
      }
      shards = (int)sh;
      break;
    case O_PLUGIN:
      a.plugins = realloc(a.plugins, (size_t)(a.nplugins + 1) * sizeof *a.plugins);
      a.plugins[a.nplugins++] = strdup(optarg);
      break;
    case 'q':
      o.quiet = 1;
      break;
    case 'h':
      usage(stdout);
      rc = CLI_OK;
      goto out;
    case ':':
      cli_error("option '%s' needs a value (see 'gradlab batch --help')", argv[optind - 1]);
      goto out;
    default:
      cli_error("unknown option '%s' (see 'gradlab batch --help')", argv[optind - 1]);
      goto out;
    }
  }
  for (int i = optind; i < argc; i++) {
    a.scripts = realloc(a.scripts, (size_t)(a.nscripts + 1) * sizeof *a.scripts);
    a.scripts[a.nscripts++] = strdup(argv[i]);
  }
  if (status) {
    if (a.nscripts || out) {
      cli_error("--status takes only the batch folder");
      goto out;
    }
    rc = batch_status(status);
    goto out;
  }
  if (!out) {
    cli_error("--out DIR is required (see 'gradlab batch --help')");
    goto out;
  }
  /* What the command line names must exist (bad usage, as for 'gradlab run'), before DIR is
   * made. A script listed in a batch.json being resumed is checked by the jobs themselves. */
  for (int i = 0; i < a.nscripts; i++) {
    struct stat st;
    if (stat(a.scripts[i], &st) == 0 && S_ISDIR(st.st_mode)) {
      cli_error("'%s' is a directory, not a script", a.scripts[i]);
      goto out;
    }
    if (access(a.scripts[i], R_OK) != 0) {
      cli_error("cannot read script '%s': %s", a.scripts[i], strerror(errno));
      goto out;
    }
  }
  if (cli_check_plugin_paths("batch", (const char *const *)a.plugins, a.nplugins) != CLI_OK)
    goto out;
  if (emit && strcmp(emit, "slurm")) {
    cli_error("--emit knows only 'slurm' (got '%s')", emit);
    goto out;
  }
  if (emit && !slurm_path_ok(out)) goto out;
  if (shards && !emit) {
    cli_error("--shards N sets the tasks of --emit slurm; without --emit it does nothing (to run "
              "one slice of the jobs here, use --shard K/N)");
    goto out;
  }
  int ds = batch_dir_state(out);
  if (a.nscripts == 0) {
    char path[4200];
    snprintf(path, sizeof path, "%s/batch.json", out);
    if (ds != BATCH_DIR_BATCH) {
      cli_error("no script given and %s holds no batch to resume", out);
      goto out;
    }
    if (a.grid.n || seeds_given || a.shard_n || a.nplugins) {
      cli_error(
          "--grid/--seeds/--shard/--plugin need the scripts too (or give DIR alone to resume)");
      goto out;
    }
    double timeout = a.timeout;
    batch_args_free(&a);
    bj = batch_read_json(path);
    if (!bj || batch_args_from_json(cJSON_GetObjectItemCaseSensitive(bj, "args"), &a) != 0) {
      rc = cli_error("%s is unreadable; give the scripts and options again", path);
      goto out;
    }
    if (timeout > 0) a.timeout = timeout;
    cJSON_Delete(bj);
    bj = NULL;
  }
  jobs_given = o.jobs;
  if (o.jobs == 0) { /* the cores this process may use (taskset, cgroups), else all online */
    cpu_set_t cpus;
    long nc = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus)
                                                            : sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = nc > 0 ? (int)nc : 1;
  }
  /* --emit only adds slurm.sh (and, later, shards/) to a folder, which may hold other files */
  if ((ds == BATCH_DIR_NOT_DIR || (ds == BATCH_DIR_OTHER && !emit)) && batch_check_out(out))
    goto out;
  rc = CLI_FAIL;
  if (batch_mkdirs(out) != 0) {
    cli_error("cannot create %s: %s", out, strerror(errno));
    goto out;
  }
  if (!emit) {
    if ((lockfd = lock_dir(out)) < 0) goto out;
    clean_stale(out);
  }
  if ((rc = batch_expand(&a, out, &l)) != CLI_OK) goto out;
  if (emit) {
    rc = emit_slurm(out, &a, &l, shards, jobs_given);
    goto out;
  }
  bj = cJSON_CreateObject();
  cJSON_AddNumberToObject(bj, "version", 1);
  cJSON *mf = ds == BATCH_DIR_BATCH ? merged_from_of(out) : NULL;
  if (mf) cJSON_AddItemToObject(bj, "merged_from", mf);
  cJSON_AddItemToObject(bj, "args", batch_args_to_json(&a));
  if (a.shard_n) {
    cJSON *sh = cJSON_AddArrayToObject(bj, "shard");
    cJSON_AddItemToArray(sh, cJSON_CreateNumber(a.shard_k));
    cJSON_AddItemToArray(sh, cJSON_CreateNumber(a.shard_n));
  }
  cJSON_AddItemToObject(bj, "jobs", batch_list_to_json(&l));
  char path[4200];
  snprintf(path, sizeof path, "%s/batch.json", out);
  if (batch_write_json(path, bj) != 0) {
    rc = cli_error("%s", glab_last_error());
    goto out;
  }
  if (o.jobs > 1) { /* one BLAS thread per job: -j jobs already fill the cores */
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    setenv("OMP_NUM_THREADS", "1", 1);
  }
  int failed = batch_run(out, &l, &a, &o);
  states = calloc((size_t)l.n + 1, sizeof *states);
  if (!states) {
    rc = cli_error("out of memory");
    goto out;
  }
  collect_states(out, &l, states);
  rc = batch_write_summary(out, &l, states, NULL, a.shard_k, a.shard_n);
  if (!o.quiet) batch_print_table(&l, states, a.shard_k, a.shard_n, out);
  if (failed < 0)
    rc = cli_error("batch stopped; rerun the same command to resume");
  else if (failed > 0)
    rc = CLI_FAIL;
out:
  if (states)
    for (int i = 0; i < l.n; i++)
      cJSON_Delete(states[i]);
  free(states);
  cJSON_Delete(bj);
  batch_list_free(&l);
  batch_args_free(&a);
  if (lockfd >= 0) close(lockfd);
  return rc;
}
