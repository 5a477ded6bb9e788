/* batch_report.c — files of a batch folder: atomic writes, job states (job.json), summary.csv
 * (RFC 4180), the final table and 'gradlab batch --status DIR'. */
#define _GNU_SOURCE /* nftw flags */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "gradlab/error.h"

cJSON *batch_read_json(const char *path) {
  char *s = cli_read_file(path, NULL);
  cJSON *j = s ? cJSON_Parse(s) : NULL;
  free(s);
  return j;
}

/* Through the core's durable writer (cli_files.c: fsync before the rename), so that once written
 * the file is on the disk before the batch goes on (a job counts as ended by its job.json). */
int batch_write_atomic(const char *path, const char *data, size_t n) {
  return cli_write_file(path, data, n, 1);
}

int batch_write_json_sync(const char *path, const cJSON *j, int sync) {
  char *s = cJSON_Print(j);
  if (!s) return glab_error(GLAB_ERR_NOMEM, "cannot write %s: out of memory", path), -1;
  size_t n = strlen(s);
  s[n] = '\n'; /* cJSON_Print's terminator becomes a final newline */
  int rc = cli_write_file(path, s, n + 1, sync);
  free(s);
  return rc;
}

int batch_write_json(const char *path, const cJSON *j) {
  return batch_write_json_sync(path, j, 1);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

int batch_rmtree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
  return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int batch_dir_state(const char *dir) {
  struct stat st;
  if (stat(dir, &st) != 0) return BATCH_DIR_NEW;
  if (!S_ISDIR(st.st_mode)) return BATCH_DIR_NOT_DIR;
  char path[4200];
  snprintf(path, sizeof path, "%s/batch.json", dir);
  if (access(path, F_OK) == 0) return BATCH_DIR_BATCH;
  DIR *d = opendir(dir);
  if (!d) return BATCH_DIR_OTHER; /* unreadable: not ours to write into */
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, ".lock")) n++;
  closedir(d);
  return n ? BATCH_DIR_OTHER : BATCH_DIR_NEW;
}

int batch_check_out(const char *dir) {
  switch (batch_dir_state(dir)) {
  case BATCH_DIR_NOT_DIR:
    cli_error("%s exists and is not a folder; choose another --out", dir);
    return CLI_USAGE;
  case BATCH_DIR_OTHER:
    cli_error("%s exists and is not a gradlab batch folder; choose another --out", dir);
    return CLI_USAGE;
  default:
    return CLI_OK;
  }
}

int batch_mkdirs(const char *path) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* The fields job_finish (batch_exec.c) always writes, with their types. */
static const struct {
  const char *key;
  cJSON_bool (*is)(const cJSON *);
} state_fields[] = {
    {"script", cJSON_IsString}, {"seed", cJSON_IsNumber},    {"params", cJSON_IsObject},
    {"reason", cJSON_IsString}, {"timed_out", cJSON_IsBool}, {"duration", cJSON_IsNumber},
    {"result", cJSON_IsObject}, {"error", cJSON_IsString},   {"stderr_tail", cJSON_IsString}};

/* Whether job `job`'s parameters are exactly the object p. */
static int same_params(const cJSON *p, const batch_job *job) {
  if (cJSON_GetArraySize(p) != job->nparams) return 0;
  for (int i = 0; i < job->nparams; i++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, job->params[i].key);
    if (!cJSON_IsString(v) || strcmp(v->valuestring, job->params[i].value)) return 0;
  }
  return 1;
}

const char *batch_state_damage(const cJSON *st, const char *id, const batch_job *job, char *why,
                               size_t n) {
  const cJSON *status = cJSON_GetObjectItemCaseSensitive(st, "status");
  const cJSON *sid = cJSON_GetObjectItemCaseSensitive(st, "id");
  if (!cJSON_IsString(status)) {
    snprintf(why, n, "it has no \"status\"");
    return why;
  }
  if (strcmp(status->valuestring, "ok") && strcmp(status->valuestring, "failed")) {
    snprintf(why, n, "its \"status\" is \"%.40s\", not \"ok\" or \"failed\"", status->valuestring);
    return why;
  }
  if (!cJSON_IsString(sid)) {
    snprintf(why, n, "it has no \"id\"");
    return why;
  }
  if (strcmp(sid->valuestring, id)) { /* another job's state, linked or copied there */
    snprintf(why, n, "it is the state of job \"%.40s\", not of job %s (its folder)",
             sid->valuestring, id);
    return why;
  }
  for (size_t i = 0; i < sizeof state_fields / sizeof *state_fields; i++)
    if (!state_fields[i].is(cJSON_GetObjectItemCaseSensitive(st, state_fields[i].key))) {
      snprintf(why, n,
               "it has no \"%s\" (a job.json gradlab wrote has id, script, seed, "
               "params, status, reason, timed_out, duration, result, error and stderr_tail)",
               state_fields[i].key);
      return why;
    }
  if (!job) return NULL;
  const cJSON *seed = cJSON_GetObjectItemCaseSensitive(st, "seed");
  if (seed->valuedouble != (double)job->seed) {
    char v[32];
    batch_fmt_number(seed->valuedouble, v, sizeof v);
    snprintf(why, n, "its \"seed\" is %s, not the job's %lld", v, job->seed);
    return why;
  }
  if (!same_params(cJSON_GetObjectItemCaseSensitive(st, "params"), job)) {
    snprintf(why, n, "its \"params\" are not the job's");
    return why;
  }
  return NULL;
}

cJSON *batch_job_state(const char *dir, const char *id) {
  char path[4200], why[256];
  snprintf(path, sizeof path, "%s/%s/job.json", dir, id);
  cJSON *j = batch_read_json(path);
  if (j && batch_state_damage(j, id, NULL, why, sizeof why)) {
    cJSON_Delete(j);
    j = NULL;
  }
  return j;
}

int batch_job_state_damaged(const char *dir, const char *id) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s/job.json", dir, id);
  struct stat st;
  if (stat(path, &st) != 0 || (S_ISREG(st.st_mode) && st.st_size == 0)) return 0;
  cJSON *j = batch_job_state(dir, id);
  cJSON_Delete(j);
  return j == NULL;
}

static const char *jstr(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

int batch_state_ok(const cJSON *state) {
  const char *s = jstr(state, "status");
  return s && !strcmp(s, "ok");
}

void batch_fmt_number(double v, char *buf, size_t n) {
  if (!isfinite(v)) {
    snprintf(buf, n, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
    return;
  }
  if (v == floor(v) && fabs(v) < 1e15) {
    snprintf(buf, n, "%.0f", v);
    return;
  }
  snprintf(buf, n, "%.15g", v);
  if (strtod(buf, NULL) != v) snprintf(buf, n, "%.17g", v);
}

/* A scalar JSON value as a cell: numbers round-trip, strings as they are, null empty. */
static void cell_text(const cJSON *v, char *buf, size_t n) {
  buf[0] = '\0';
  if (cJSON_IsNumber(v))
    batch_fmt_number(v->valuedouble, buf, n);
  else if (cJSON_IsString(v))
    snprintf(buf, n, "%s", v->valuestring);
  else if (cJSON_IsBool(v))
    snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
}

/* ---- CSV (RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes) ---- */

typedef struct sbuf {
  char *s;
  size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (b->n + n + 1 > cap)
      cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p) return; /* a short file is caught by the caller's length check */
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void csv_field(sbuf *b, const char *s, int first) {
  if (!first) sb_put(b, ",", 1);
  if (!s) return;
  if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
    sb_put(b, s, strlen(s));
    return;
  }
  sb_put(b, "\"", 1);
  for (const char *p = s; *p; p++) {
    sb_put(b, p, 1);
    if (*p == '"') sb_put(b, "\"", 1);
  }
  sb_put(b, "\"", 1);
}

/* Column names: sorted unique keys of params and results over the listed jobs. */
typedef struct names {
  char **v;
  int n;
} names;

static void names_add(names *s, const char *k) {
  for (int i = 0; i < s->n; i++)
    if (!strcmp(s->v[i], k)) return;
  char **v = realloc(s->v, (size_t)(s->n + 1) * sizeof *v);
  if (!v) return;
  s->v = v;
  s->v[s->n++] = strdup(k);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(names *s) {
  for (int i = 0; i < s->n; i++)
    free(s->v[i]);
  free(s->v);
}

static int names_has(const names *s, const char *k) {
  for (int i = 0; i < s->n; i++)
    if (!strcmp(s->v[i], k)) return 1;
  return 0;
}

static const char *const fixed_cols[] = {"id",   "script",   "seed",   "status", "duration_s",
                                         "loss", "accuracy", "reason", "error"};

static int is_fixed(const char *k) {
  for (size_t i = 0; i < sizeof fixed_cols / sizeof *fixed_cols; i++)
    if (!strcmp(fixed_cols[i], k)) return 1;
  return 0;
}

static const char *job_status(const cJSON *st, int running) {
  if (st) return jstr(st, "status");
  return running ? "running" : "pending";
}

int batch_write_summary(const char *outdir, const batch_list *l, cJSON *const *states,
                        const char *running, int k, int n) {
  names pk = {0}, rk = {0};
  for (int i = 0; i < l->n; i++) {
    if (!batch_in_shard(&l->jobs[i], k, n)) continue;
    for (int p = 0; p < l->jobs[i].nparams; p++)
      names_add(&pk, l->jobs[i].params[p].key);
    const cJSON *r = states[i] ? cJSON_GetObjectItemCaseSensitive(states[i], "result") : NULL, *it;
    cJSON_ArrayForEach(it, r) names_add(&rk, it->string);
  }
  if (pk.n) qsort(pk.v, (size_t)pk.n, sizeof *pk.v, cmp_str);
  if (rk.n) qsort(rk.v, (size_t)rk.n, sizeof *rk.v, cmp_str);
  sbuf b = {0};
  char cell[512];
  /* header: id,script,<params>,seed,status,duration_s,loss,accuracy,<results>,reason,error */
  csv_field(&b, "id", 1);
  csv_field(&b, "script", 0);
  for (int p = 0; p < pk.n; p++) {
    if (is_fixed(pk.v[p]))
      snprintf(cell, sizeof cell, "param.%s", pk.v[p]);
    else
      snprintf(cell, sizeof cell, "%s", pk.v[p]);
    csv_field(&b, cell, 0);
  }
  for (int c = 2; c < 7; c++)
    csv_field(&b, fixed_cols[c], 0);
  for (int r = 0; r < rk.n; r++) {
    if (is_fixed(rk.v[r]) || names_has(&pk, rk.v[r]))
      snprintf(cell, sizeof cell, "result.%s", rk.v[r]);
    else
      snprintf(cell, sizeof cell, "%s", rk.v[r]);
    csv_field(&b, cell, 0);
  }
  csv_field(&b, "reason", 0);
  csv_field(&b, "error", 0);
  sb_put(&b, "\n", 1);
  for (int i = 0; i < l->n; i++) {
    const batch_job *j = &l->jobs[i];
    if (!batch_in_shard(j, k, n)) continue;
    const cJSON *st = states[i];
    csv_field(&b, j->id, 1);
    csv_field(&b, j->script, 0);
    for (int p = 0; p < pk.n; p++) {
      const char *v = NULL;
      for (int q = 0; q < j->nparams; q++)
        if (!strcmp(j->params[q].key, pk.v[p])) v = j->params[q].value;
      csv_field(&b, v, 0);
    }
    snprintf(cell, sizeof cell, "%lld", j->seed);
    csv_field(&b, cell, 0);
    csv_field(&b, job_status(st, running && running[i]), 0);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(st, "duration");
    if (cJSON_IsNumber(d))
      snprintf(cell, sizeof cell, "%.3f", d->valuedouble);
    else
      cell[0] = '\0';
    csv_field(&b, cell, 0);
    cell_text(cJSON_GetObjectItemCaseSensitive(st, "loss"), cell, sizeof cell);
    csv_field(&b, cell, 0);
    cell_text(cJSON_GetObjectItemCaseSensitive(st, "accuracy"), cell, sizeof cell);
    csv_field(&b, cell, 0);
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(st, "result");
    for (int r = 0; r < rk.n; r++) {
      cell_text(cJSON_GetObjectItemCaseSensitive(res, rk.v[r]), cell, sizeof cell);
      csv_field(&b, cell, 0);
    }
    csv_field(&b, jstr(st, "reason"), 0);
    csv_field(&b, jstr(st, "error"), 0);
    sb_put(&b, "\n", 1);
  }
  names_free(&pk);
  names_free(&rk);
  char path[4200];
  snprintf(path, sizeof path, "%s/summary.csv", outdir);
  int rc = b.s ? batch_write_atomic(path, b.s, b.n) : -1;
  if (rc) cli_error("%s", b.s ? glab_last_error() : "cannot write summary.csv: out of memory");
  free(b.s);
  return rc ? CLI_FAIL : CLI_OK;
}

/* ---- the printed table ---- */

static const char *base_name(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

void batch_print_table(const batch_list *l, cJSON *const *states, int k, int n, const char *dir) {
  int shown = 0, total = 0, ok = 0, failed = 0, pending = 0;
  for (int i = 0; i < l->n; i++) {
    if (!batch_in_shard(&l->jobs[i], k, n)) continue;
    total++;
    if (!states[i])
      pending++;
    else if (batch_state_ok(states[i]))
      ok++;
    else
      failed++;
  }
  int all = total <= 60; /* a long table: failed jobs only, the rest is in summary.csv */
  int wscript = 6, wparams = 6;
  for (int i = 0; i < l->n; i++) {
    if (!batch_in_shard(&l->jobs[i], k, n)) continue;
    int sl = (int)strlen(base_name(l->jobs[i].script));
    char *pt = batch_params_text(&l->jobs[i]);
    int pl = pt ? (int)strlen(pt) : 0;
    free(pt);
    if (sl > wscript) wscript = sl < 30 ? sl : 30;
    if (pl > wparams) wparams = pl < 40 ? pl : 40;
  }
  printf("%-16s  %-*s  %-*s  %6s  %-7s  %9s  %12s  %9s  %s\n", "id", wscript, "script", wparams,
         "params", "seed", "status", "time(s)", "loss", "accuracy", "reason");
  for (int i = 0; i < l->n; i++) {
    const batch_job *j = &l->jobs[i];
    if (!batch_in_shard(j, k, n)) continue;
    const cJSON *st = states[i];
    if (!all && st && batch_state_ok(st)) continue;
    shown++;
    char *pt = batch_params_text(j), dur[32] = "", loss[32] = "", acc[32] = "";
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(st, "duration");
    if (cJSON_IsNumber(d)) snprintf(dur, sizeof dur, "%.2f", d->valuedouble);
    const cJSON *lv = cJSON_GetObjectItemCaseSensitive(st, "loss");
    const cJSON *av = cJSON_GetObjectItemCaseSensitive(st, "accuracy");
    if (cJSON_IsNumber(lv)) snprintf(loss, sizeof loss, "%.6g", lv->valuedouble);
    if (cJSON_IsNumber(av)) snprintf(acc, sizeof acc, "%.4g", av->valuedouble);
    const char *reason = jstr(st, "reason"), *err = jstr(st, "error");
    printf("%-16s  %-*.*s  %-*.*s  %6lld  %-7s  %9s  %12.12s  %9.9s  %s%s%s\n", j->id, wscript, 30,
           base_name(j->script), wparams, 40, pt ? pt : "", j->seed, job_status(st, 0), dur, loss,
           acc, reason ? reason : "", err && *err ? ": " : "", err ? err : "");
    free(pt);
  }
  if (!all && shown == 0)
    printf(total == 1 ? "(the job succeeded)\n" : "(all %d jobs succeeded)\n", total);
  printf("%d job%s: %d ok, %d failed, %d not run — %s/summary.csv\n", total, batch_s(total), ok,
         failed, pending, dir);
}

/* ---- gradlab batch --status DIR ---- */

int batch_status(const char *dir) {
  char path[4200];
  snprintf(path, sizeof path, "%s/batch.json", dir);
  cJSON *bj = batch_read_json(path);
  batch_list l;
  char why[256] = "";
  if (!bj || batch_list_from_json(cJSON_GetObjectItemCaseSensitive(bj, "jobs"), &l, why,
                                  sizeof why) != 0) {
    cJSON_Delete(bj);
    if (*why)
      cli_error("%s is not a gradlab batch folder (%s: %s)", dir, path, why);
    else
      cli_error("%s is not a gradlab batch folder (no readable batch.json)", dir);
    return CLI_USAGE;
  }
  int k = 0, n = 0;
  const cJSON *sh = cJSON_GetObjectItemCaseSensitive(bj, "shard");
  if (cJSON_GetArraySize(sh) == 2) {
    k = cJSON_GetArrayItem(sh, 0)->valueint;
    n = cJSON_GetArrayItem(sh, 1)->valueint;
  }
  /* A live batch holds the lock; its running jobs are in .progress.json. */
  int live = 0;
  snprintf(path, sizeof path, "%s/.lock", dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) live = 1;
    close(fd);
  }
  cJSON *prog = NULL;
  if (live) {
    snprintf(path, sizeof path, "%s/.progress.json", dir);
    prog = batch_read_json(path);
  }
  const cJSON *run = cJSON_GetObjectItemCaseSensitive(prog, "running");
  int total = 0, ok = 0, failed = 0, running = 0, pending = 0;
  cJSON **states = calloc((size_t)l.n + 1, sizeof *states);
  for (int i = 0; i < l.n; i++) {
    if (!batch_in_shard(&l.jobs[i], k, n)) continue;
    total++;
    states[i] = batch_job_state(dir, l.jobs[i].id);
    if (!states[i]) {
      int r = 0;
      const cJSON *it;
      cJSON_ArrayForEach(it, run) if (cJSON_IsString(it) && !strcmp(it->valuestring, l.jobs[i].id))
          r = 1;
      r ? running++ : pending++;
    } else if (batch_state_ok(states[i])) {
      ok++;
    } else {
      failed++;
    }
  }
  printf("batch %s: %d job%s", dir, total, batch_s(total));
  if (n) printf(" (shard %d/%d of %d)", k, n, l.n);
  const cJSON *pid = cJSON_GetObjectItemCaseSensitive(prog, "pid");
  const cJSON *t0 = cJSON_GetObjectItemCaseSensitive(prog, "started");
  if (live) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long el = cJSON_IsNumber(t0)
                  ? (long)((double)now.tv_sec + 1e-9 * (double)now.tv_nsec - t0->valuedouble)
                  : 0;
    printf(" — running (pid %d, %ld:%02ld elapsed", cJSON_IsNumber(pid) ? pid->valueint : 0,
           el / 60, el % 60);
    const cJSON *ended = cJSON_GetObjectItemCaseSensitive(prog, "ended_this_run");
    int left = total - ok - failed;
    if (cJSON_IsNumber(ended) && ended->valueint > 0 && left > 0) {
      long eta = (long)((double)el / ended->valueint * left + 0.5);
      printf(", about %ld:%02ld left", eta / 60, eta % 60);
    }
    putchar(')');
  } else {
    printf(ok == total ? " — complete" : " — not running");
  }
  printf("\n  done %d  failed %d  running %d  pending %d\n", ok, failed, running, pending);
  for (int i = 0; i < l.n; i++) {
    if (!states[i] || batch_state_ok(states[i])) continue;
    char *pt = batch_params_text(&l.jobs[i]);
    const char *reason = jstr(states[i], "reason"), *err = jstr(states[i], "error");
    printf("  failed %s  %s %s seed=%lld: %s%s%s\n", l.jobs[i].id, l.jobs[i].script, pt ? pt : "",
           l.jobs[i].seed, reason ? reason : "?", err && *err ? ": " : "", err ? err : "");
    free(pt);
  }
  for (int i = 0; i < l.n; i++)
    cJSON_Delete(states[i]);
  free(states);
  cJSON_Delete(prog);
  cJSON_Delete(bj);
  batch_list_free(&l);
  return ok == total ? CLI_OK : CLI_FAIL;
}
