/* batch_exec.c — runs the jobs of a batch: one 'gradlab run' process per job (fork/exec, own
 * process group, killed if the batch dies), at most -j at a time, --timeout per job, SIGINT/SIGTERM
 * stop every job cleanly, and each job's end recorded atomically in <dir>/<id>/job.json. */
#define _GNU_SOURCE /* strsignal, prctl */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "gradlab/error.h"
#include "gradlab/runlog.h"

#define TERM_GRACE 2.0 /* seconds between SIGTERM and SIGKILL (timeout or interrupt) */
#define TAIL_LINES 10

const char *batch_runner(void) {
  const char *r = getenv("GRADLAB_BATCH_RUNNER");
  return r && *r ? r : cli_self_path();
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void child_redirect(int target, const char *path, int flags) {
  int fd = open(path ? path : "/dev/null", flags, 0644);
  if (fd >= 0 && fd != target) {
    dup2(fd, target);
    close(fd);
  }
}

int batch_spawn(char *const argv[], const char *out, const char *err, const char *envkey,
                const char *envval) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    setpgid(0, 0);
    /* Die with the batch, even if it is SIGKILLed; it may already be gone. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    child_redirect(0, NULL, O_RDONLY);
    child_redirect(1, out, O_WRONLY | O_CREAT | O_TRUNC);
    child_redirect(2, err, O_WRONLY | O_CREAT | O_TRUNC);
    if (envkey) setenv(envkey, envval, 1);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execv(argv[0], argv);
    dprintf(2, "gradlab: error: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid); /* also here, so that a kill(-pid) right away cannot miss */
  return pid;
}

int batch_wait(int pid, double timeout) {
  double t0 = now_s(), kill_at = 0;
  int st, timed_out = 0;
  struct timespec nap = {0, 2000000};
  for (;;) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return -1;
    double t = now_s();
    if (!timed_out && timeout > 0 && t - t0 > timeout) {
      timed_out = 1;
      kill(-pid, SIGTERM);
      kill_at = t + TERM_GRACE;
    } else if (timed_out && t > kill_at) {
      kill(-pid, SIGKILL);
    }
    nanosleep(&nap, NULL);
    if (nap.tv_nsec < 20000000) nap.tv_nsec += 2000000;
  }
  kill(-pid, SIGKILL); /* anything left in its process group */
  return timed_out ? -1 : st;
}

/* ---- a job's end: its reason and the tail of its stderr ---- */

static char *stderr_tail(const char *path, char **last) {
  *last = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  char buf[4096];
  off_t end = lseek(fd, 0, SEEK_END);
  off_t start = end > (off_t)sizeof buf - 1 ? end - (off_t)sizeof buf + 1 : 0;
  ssize_t n = pread(fd, buf, sizeof buf - 1, start);
  close(fd);
  if (n <= 0) return NULL;
  buf[n] = '\0';
  for (ssize_t i = 0; i < n; i++)
    if (buf[i] == '\0') buf[i] = ' ';
  char *s = buf;
  if (start > 0 && strchr(s, '\n')) s = strchr(s, '\n') + 1; /* a whole first line */
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
    buf[--n] = '\0';
  /* keep the last TAIL_LINES lines */
  int lines = 0;
  char *p = buf + n;
  while (p > s) {
    if (p[-1] == '\n' && ++lines == TAIL_LINES) break;
    p--;
  }
  s = p;
  /* The one-line error: the line before a Lua traceback, else the last line that is not a
   * sanitizer's "==pid==ABORTING" or gradlab run's closing "gradlab: run folder ...". */
  char *tb = strstr(s, "stack traceback:"), *line_end = tb ? tb : buf + n, *line;
  int noise;
  for (;;) {
    while (line_end > s && (line_end[-1] == '\n' || line_end[-1] == '\r'))
      line_end--;
    line = line_end;
    while (line > s && line[-1] != '\n')
      line--;
    size_t l = (size_t)(line_end - line);
    noise =
        (l > 10 && line[0] == '=' && line[1] == '=' && !strncmp(line_end - 10, "==ABORTING", 10)) ||
        !strncmp(line, "gradlab: run folder ", 20);
    if (!noise || line == s) break;
    line_end = line;
  }
  size_t len = noise ? 0 : (size_t)(line_end - line); /* nothing but noise: no error line */
  if (len > 300) len = 300;
  *last = malloc(len + 1);
  if (*last) {
    memcpy(*last, line, len);
    (*last)[len] = '\0';
  }
  return strdup(s);
}

static const cJSON *pick_number(const cJSON *summary, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(summary, key);
  if (cJSON_IsNumber(v)) return v;
  char alt[64];
  snprintf(alt, sizeof alt, "final_%s", key);
  if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(summary, alt))) return v;
  const cJSON *fin = cJSON_GetObjectItemCaseSensitive(summary, "final");
  if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(fin, key))) return v;
  const cJSON *res = cJSON_GetObjectItemCaseSensitive(summary, "result");
  if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(res, key))) return v;
  return NULL;
}

/* A job that did not finish may leave its writers' temporary files (x.tmp-<pid>, the half of a
 * file being replaced): they go, so that no half-written file stays under a name of its own.
 * Its metrics.csv.part and log.txt.part stay: they are what the run recorded up to its end, in
 * whole lines, which 'gradlab plot DIR/<id>' draws (as it does for a killed 'gradlab run'); a
 * rerun of the job starts from an empty folder anyway (job_start). */
static int is_writer_temp(const char *name) {
  size_t n = strlen(name);
  return (n > 4 && !strcmp(name + n - 4, ".tmp")) || strstr(name, ".tmp-") || strstr(name, ".tmp.");
}

static int rm_writer_temp(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  if (flag == FTW_F && is_writer_temp(path + ftw->base)) unlink(path);
  return 0;
}

typedef struct slot {
  int pid; /* 0: free */
  int job;
  double start, deadline, kill_at;
  int timed_out;
} slot;

/* Record the end of job j into <dir>/<id>/job.json. Returns 1 ok, 0 failed, -1 left incomplete. */
static int job_finish(const char *dir, const batch_job *j, const slot *s, int status,
                      int stopping) {
  char jd[4200], path[4300];
  snprintf(jd, sizeof jd, "%s/%s", dir, j->id);
  snprintf(path, sizeof path, "%s/summary.json", jd);
  cJSON *summary = batch_read_json(path);
  const cJSON *fin = cJSON_GetObjectItemCaseSensitive(summary, "finished");
  int exited0 = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  int ok = !s->timed_out && exited0 && cJSON_IsTrue(fin);
  char *last = NULL, *tail;
  snprintf(path, sizeof path, "%s/stderr.txt", jd);
  tail = stderr_tail(path, &last);
  char reason[256] = "";
  if (s->timed_out) {
    char t[32];
    batch_fmt_number(s->deadline - s->start, t, sizeof t);
    snprintf(reason, sizeof reason, "timeout after %s s", t);
  } else if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    snprintf(reason, sizeof reason, "killed by signal %d (%s)%s", sig, strsignal(sig),
             sig == SIGKILL && !stopping ? ", maybe out of memory" : "");
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    /* a script that ended by os.exit(N) says so last (gradlab run): name it, since the status
     * alone is N & 255 (or 1) */
    const char *ox = last ? strstr(last, " ended by os.exit(") : NULL;
    snprintf(reason, sizeof reason, "exit status %d%s%.40s%s", WEXITSTATUS(status), ox ? " (" : "",
             ox ? ox + 10 : "", ox ? ")" : "");
  } else if (!summary) {
    snprintf(reason, sizeof reason, "exit status 0 but no readable summary.json");
  } else if (!ok) {
    snprintf(reason, sizeof reason, "summary.json not marked finished");
  }
  if (!ok) nftw(jd, rm_writer_temp, 8, FTW_PHYS);
  /* Stopped by the user: an unfinished job stays incomplete and reruns on resume. */
  if (!ok && stopping) {
    cJSON_Delete(summary);
    free(tail);
    free(last);
    return -1;
  }
  cJSON *st = cJSON_CreateObject();
  cJSON_AddStringToObject(st, "id", j->id);
  cJSON_AddStringToObject(st, "script", j->script);
  cJSON_AddItemToObject(st, "seed", batch_json_integer(j->seed)); /* exactly */
  cJSON *p = cJSON_AddObjectToObject(st, "params");
  for (int i = 0; i < j->nparams; i++)
    cJSON_AddStringToObject(p, j->params[i].key, j->params[i].value);
  cJSON_AddStringToObject(st, "status", ok ? "ok" : "failed");
  cJSON_AddStringToObject(st, "reason", reason);
  if (WIFEXITED(status)) cJSON_AddNumberToObject(st, "exit_code", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) cJSON_AddNumberToObject(st, "signal", WTERMSIG(status));
  cJSON_AddBoolToObject(st, "timed_out", s->timed_out);
  cJSON_AddNumberToObject(st, "duration", round((now_s() - s->start) * 1000) / 1000);
  const cJSON *v;
  /* numbers with exact digits (glab_json_number): cJSON's own 15 are not always exact */
  if ((v = pick_number(summary, "loss")))
    cJSON_AddItemToObject(st, "loss", glab_json_number(v->valuedouble));
  if ((v = pick_number(summary, "accuracy")))
    cJSON_AddItemToObject(st, "accuracy", glab_json_number(v->valuedouble));
  cJSON *res = cJSON_AddObjectToObject(st, "result");
  const cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(
                             summary, "result")) if (cJSON_IsNumber(it) || cJSON_IsString(it) ||
                                                     cJSON_IsBool(it))
      cJSON_AddItemToObject(res, it->string,
                            cJSON_IsNumber(it) ? glab_json_number(it->valuedouble)
                                               : cJSON_Duplicate(it, 0));
  cJSON_AddStringToObject(st, "error", ok || !last ? "" : last);
  cJSON_AddStringToObject(st, "stderr_tail", tail ? tail : "");
  free(tail);
  free(last);
  snprintf(path, sizeof path, "%s/job.json", jd);
  if (batch_write_json(path, st) != 0) {
    cli_error("%s", glab_last_error());
    ok = -1;
  }
  cJSON_Delete(st);
  cJSON_Delete(summary);
  return ok;
}

static int job_start(const char *dir, const batch_job *j, const batch_args *a, slot *s) {
  char jd[4200], out[4300], err[4300], seed[32];
  snprintf(jd, sizeof jd, "%s/%s", dir, j->id);
  /* Leftovers of an interrupted or failed attempt go: the job starts from an empty folder. */
  if (batch_rmtree(jd) != 0 || batch_mkdirs(jd) != 0)
    return cli_error("cannot prepare %s: %s", jd, strerror(errno));
  snprintf(out, sizeof out, "%s/stdout.txt", jd);
  snprintf(err, sizeof err, "%s/stderr.txt", jd);
  snprintf(seed, sizeof seed, "%lld", j->seed);
  size_t n = 0, cap = 8 + 2 * (size_t)(j->nparams + a->nplugins);
  char **argv = calloc(cap, sizeof *argv), **sets = calloc((size_t)j->nparams + 1, sizeof *sets);
  if (!argv || !sets) {
    free(argv);
    free(sets);
    return cli_error("out of memory");
  }
  argv[n++] = (char *)batch_runner();
  argv[n++] = "run";
  argv[n++] = j->script;
  argv[n++] = "--out";
  argv[n++] = jd;
  argv[n++] = "--seed";
  argv[n++] = seed;
  for (int i = 0; i < j->nparams; i++) {
    size_t len = strlen(j->params[i].key) + strlen(j->params[i].value) + 2;
    if ((sets[i] = malloc(len)))
      snprintf(sets[i], len, "%s=%s", j->params[i].key, j->params[i].value);
    argv[n++] = "--set";
    argv[n++] = sets[i];
  }
  for (int i = 0; i < a->nplugins; i++) {
    argv[n++] = "--plugin";
    argv[n++] = a->plugins[i];
  }
  argv[n] = NULL;
  s->start = now_s();
  s->pid = batch_spawn(argv, out, err, "GRADLAB_BATCH_JOB", j->id);
  for (int i = 0; i < j->nparams; i++)
    free(sets[i]);
  free(sets);
  free(argv);
  if (s->pid < 0) {
    s->pid = 0;
    return cli_error("cannot start a job: %s", strerror(errno));
  }
  s->deadline = a->timeout > 0 ? s->start + a->timeout : 0;
  s->kill_at = 0;
  s->timed_out = 0;
  return CLI_OK;
}

/* ---- progress ---- */

typedef struct progress {
  int total, done, failed, running, finished_now;
  double t0;
  int dirty; /* .progress.json is out of date */
  int tty, quiet;
} progress;

static void fmt_time(double s, char *buf, size_t n) {
  long t = (long)(s + 0.5);
  if (t >= 3600)
    snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

static void progress_line(const progress *p, int final) {
  char el[32], eta[32] = "?";
  double e = now_s() - p->t0;
  fmt_time(e, el, sizeof el);
  int left = p->total - p->done - p->failed;
  if (p->finished_now > 0) fmt_time(e / p->finished_now * left, eta, sizeof eta);
  fprintf(stderr, "\r\033[Kdone %d  running %d  failed %d  total %d  elapsed %s  eta %s%s", p->done,
          p->running, p->failed, p->total, el, left ? eta : "0:00", final ? "\n" : "");
  fflush(stderr);
}

static void progress_file(const char *dir, const progress *p, const slot *slots, int nslots,
                          const batch_list *l) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "pid", getpid());
  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  cJSON_AddNumberToObject(o, "started",
                          (double)wall.tv_sec + 1e-9 * (double)wall.tv_nsec - (now_s() - p->t0));
  cJSON_AddNumberToObject(o, "total", p->total);
  cJSON_AddNumberToObject(o, "done", p->done);
  cJSON_AddNumberToObject(o, "failed", p->failed);
  cJSON_AddNumberToObject(o, "ended_this_run", p->finished_now);
  cJSON *r = cJSON_AddArrayToObject(o, "running");
  for (int i = 0; i < nslots; i++)
    if (slots[i].pid) cJSON_AddItemToArray(r, cJSON_CreateString(l->jobs[slots[i].job].id));
  char path[4200];
  snprintf(path, sizeof path, "%s/.progress.json", dir);
  batch_write_json_sync(path, o, 0); /* informational: no fsync */
  cJSON_Delete(o);
}

static void report_job(const progress *p, const batch_job *j, int res, const char *dir) {
  /* On a terminal only failures get a line of their own, above the progress line. */
  if (p->quiet || (p->tty && res != 0)) return;
  char *pt = batch_params_text(j);
  const char *what = res > 0 ? "ok" : res == 0 ? "FAILED" : "stopped";
  fprintf(stderr, "%s[%d/%d] %-6s %s %s %s seed=%lld", p->tty ? "\r\033[K" : "",
          p->done + p->failed, p->total, what, j->id, j->script, pt ? pt : "", j->seed);
  if (res == 0) {
    cJSON *st = batch_job_state(dir, j->id);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(st, "reason");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(st, "error");
    if (cJSON_IsString(r)) fprintf(stderr, ": %s", r->valuestring);
    if (cJSON_IsString(e) && *e->valuestring) fprintf(stderr, ": %s", e->valuestring);
    cJSON_Delete(st);
  }
  fputc('\n', stderr);
  free(pt);
}

/* ---- the loop ---- */

int batch_run(const char *dir, const batch_list *l, const batch_args *a, const batch_opts *o) {
  int nq = 0, *queue = malloc((size_t)(l->n + 1) * sizeof *queue);
  slot *slots = calloc((size_t)o->jobs, sizeof *slots);
  if (!queue || !slots) {
    free(queue);
    free(slots);
    cli_error("out of memory");
    return -1;
  }
  progress p = {0};
  p.tty = !o->quiet && isatty(2);
  p.quiet = o->quiet;
  p.t0 = now_s();
  for (int i = 0; i < l->n; i++) {
    if (!batch_in_shard(&l->jobs[i], a->shard_k, a->shard_n)) continue;
    p.total++;
    cJSON *st = batch_job_state(dir, l->jobs[i].id);
    if (!st && batch_job_state_damaged(dir, l->jobs[i].id))
      fprintf(stderr,
              "gradlab: warning: %s/%s/job.json is damaged (not a job state gradlab wrote): the "
              "job runs again\n",
              dir, l->jobs[i].id);
    if (!st || (!batch_state_ok(st) && o->retry_failed))
      queue[nq++] = i;
    else if (batch_state_ok(st))
      p.done++;
    else
      p.failed++;
    cJSON_Delete(st);
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int next = 0, stopping = 0, err = 0;
  double stop_kill_at = 0;
  while ((next < nq && !stopping && !err) || p.running > 0) {
    while (!stopping && !err && next < nq && p.running < o->jobs) {
      int f = 0;
      while (slots[f].pid)
        f++;
      slots[f].job = queue[next++];
      if (job_start(dir, &l->jobs[slots[f].job], a, &slots[f]) != CLI_OK) {
        err = 1;
        break;
      }
      p.running++;
      p.dirty = 1;
    }
    double t = now_s(), wake = t + (p.tty ? 1.0 : 5.0);
    for (int i = 0; i < o->jobs; i++) {
      if (!slots[i].pid) continue;
      if (slots[i].deadline > 0 && !slots[i].timed_out && slots[i].deadline < wake)
        wake = slots[i].deadline;
      if (slots[i].kill_at > 0 && slots[i].kill_at < wake) wake = slots[i].kill_at;
    }
    if (stopping && stop_kill_at < wake) wake = stop_kill_at;
    if (p.tty) progress_line(&p, 0);
    if (p.dirty) {
      progress_file(dir, &p, slots, o->jobs, l);
      p.dirty = 0;
    }
    double d = wake - t;
    if (d < 0.001) d = 0.001;
    struct timespec ts = {(time_t)d, (long)((d - floor(d)) * 1e9)};
    int sig = p.running > 0 ? sigtimedwait(&set, NULL, &ts) : 0;
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
      if (!stopping) {
        stopping = 1;
        stop_kill_at = now_s() + TERM_GRACE + 3.0;
        if (!o->quiet)
          fprintf(stderr, "%sgradlab: stopping %d running job(s)...\n", p.tty ? "\n" : "",
                  p.running);
        for (int i = 0; i < o->jobs; i++)
          if (slots[i].pid) kill(-slots[i].pid, SIGTERM);
      } else {
        for (int i = 0; i < o->jobs; i++)
          if (slots[i].pid) kill(-slots[i].pid, SIGKILL);
      }
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      for (int i = 0; i < o->jobs; i++) {
        if (slots[i].pid != pid) continue;
        kill(-pid, SIGKILL); /* anything the job left in its process group */
        const batch_job *j = &l->jobs[slots[i].job];
        int res = job_finish(dir, j, &slots[i], status, stopping);
        slots[i].pid = 0;
        p.running--;
        p.dirty = 1;
        if (res > 0)
          p.done++, p.finished_now++;
        else if (res == 0)
          p.failed++, p.finished_now++;
        if (res < 0 && !stopping) err = 1; /* job.json could not be written: stop starting jobs */
        if (res >= 0) report_job(&p, j, res, dir);
      }
    }
    t = now_s();
    for (int i = 0; i < o->jobs; i++) {
      slot *s = &slots[i];
      if (!s->pid) continue;
      if (s->deadline > 0 && !s->timed_out && t >= s->deadline) {
        s->timed_out = 1;
        s->kill_at = t + TERM_GRACE;
        kill(-s->pid, SIGTERM);
      } else if ((s->kill_at > 0 && t >= s->kill_at) || (stopping && t >= stop_kill_at)) {
        kill(-s->pid, SIGKILL);
      }
    }
  }
  if (p.tty) progress_line(&p, 1);
  char path[4200];
  snprintf(path, sizeof path, "%s/.progress.json", dir);
  unlink(path);
  /* SIGINT/SIGTERM stay blocked: a late Ctrl-C must not kill the batch before its summary is
   * written (the command ends right after). */
  free(queue);
  free(slots);
  if (stopping || err) return -1;
  return p.failed;
}
