/* runlog.c — the run folder: metrics.csv, summary.json, log.txt, script.lua.
 *
 * Atomicity: a file is never written in place. metrics.csv and log.txt grow as "<name>.part"
 * while the run goes; an explicit flush copies each to "<name>.tmp-<pid>" and renames it over
 * "<name>", and the end (glab_runlog_close, finished or not) renames the .part file itself —
 * never a copy, which for a multi-gigabyte metrics file took most of a minute and twice the
 * disk. summary.json is printed by cJSON and written the same way (files.c: only a regular file
 * is replaced, a symbolic link is followed, a FIFO or device there is refused), at the start
 * too. So a crash leaves summary.json ("finished": false), whole files as of the last explicit
 * flush, and the .part files holding every row that reached the disk (gradlab plot reads a
 * .part up to its last whole line).
 * A failed write (a full disk) is remembered: nothing more is written to that file, later flushes
 * keep the last whole copy instead of putting a cut .part over it, the summary says "finished":
 * false with the "error", and every flush returns the error (glab_runlog_error). At the end the
 * .part is cut back to its last whole line and, when that holds more than the last whole copy,
 * put in its place: every row that reached the disk is kept. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <csv.h>

#include "files_internal.h"
#include "gradlab/error.h"
#include "gradlab/runlog.h"
#include "gradlab/tensor.h"

struct glab_runlog {
  char *dir;
  char path[4096];
  FILE *csv, *log;
  long rows;
  cJSON *summary, *params, *plugins, *events, *final, *result;
  int finished, closed;
  double pushed_at; /* CLOCK_MONOTONIC seconds of the last glab_runlog_push_rows write */
  char *error; /* the first failed write, or NULL */
};

/* Remember the first failed write of `what` (`why`: the reason, NULL for "write error");
 * returns GLAB_ERR_IO with that message. */
static int io_failed(glab_runlog *log, const char *what, const char *why) {
  if (!log->error) {
    char msg[4400];
    snprintf(msg, sizeof msg, "cannot write %s in %s: %s", what, log->dir,
             why && *why ? why : "write error");
    log->error = strdup(msg);
  }
  return glab_error(GLAB_ERR_IO, "%s", log->error ? log->error : "run log: write error");
}

const char *glab_runlog_error(const glab_runlog *log) {
  return log ? log->error : NULL;
}

/* Copy the file `src` to `dst` atomically (a temporary file beside dst's real file, renamed). */
static int copy_file_atomic(const char *src, const char *dst, char *why, size_t wn) {
  char target[4200], tmp[4300];
  if (glab_file_target(dst, target, sizeof target, why, wn) != GLAB_OK) return glab_last_status();
  FILE *in = fopen(src, "rb");
  if (!in) {
    snprintf(why, wn, "%s", strerror(errno));
    return glab_error(GLAB_ERR_IO, "cannot read %s: %s", src, strerror(errno));
  }
  FILE *out = glab_file_open_temp_for(target, dst, tmp, sizeof tmp, why, wn);
  if (!out) {
    fclose(in);
    return glab_last_status();
  }
  char buf[65536];
  size_t k;
  int ok = 1;
  while (ok && (k = fread(buf, 1, sizeof buf, in)) > 0)
    ok = fwrite(buf, 1, k, out) == k;
  int e = errno;
  if (ok && ferror(in)) ok = 0, e = EIO;
  fclose(in);
  errno = e;
  return glab_file_commit(out, tmp, target, dst, ok, why, wn);
}

/* Copy `src` (an open stream, flushed first) to `dst` atomically. */
static int copy_atomic(FILE *src_stream, const char *src, const char *dst, char *why, size_t wn) {
  if (fflush(src_stream) != 0) {
    snprintf(why, wn, "%s", strerror(errno));
    return glab_error(GLAB_ERR_IO, "cannot flush %s", src);
  }
  return copy_file_atomic(src, dst, why, wn);
}

static int mkdir_p(const char *dir) {
  char buf[4096];
  if (strlen(dir) >= sizeof buf) return glab_error(GLAB_ERR_ARG, "run folder path too long");
  snprintf(buf, sizeof buf, "%s", dir);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
      return glab_error(GLAB_ERR_IO, "cannot create folder %s: %s", buf, strerror(errno));
    *p = '/';
  }
  if (mkdir(buf, 0777) != 0 && errno != EEXIST)
    return glab_error(GLAB_ERR_IO, "cannot create folder %s: %s", buf, strerror(errno));
  struct stat st;
  if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
    return glab_error(GLAB_ERR_IO, "run folder %s is not a folder", buf);
  return GLAB_OK;
}

const char *glab_runlog_path(glab_runlog *log, const char *name) {
  snprintf(log->path, sizeof log->path, "%s/%s", log->dir, name);
  return log->path;
}

const char *glab_runlog_dir(const glab_runlog *log) {
  return log ? log->dir : NULL;
}

static int copy_script(glab_runlog *log, const char *script) {
  FILE *f = fopen(script, "rb");
  if (!f) return glab_error(GLAB_ERR_IO, "cannot read script %s: %s", script, strerror(errno));
  size_t cap = 1 << 16, len = 0, k;
  char *buf = malloc(cap);
  while (buf && (k = fread(buf + len, 1, cap - len, f)) > 0) {
    len += k;
    if (len == cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) free(buf);
      buf = nb;
    }
  }
  fclose(f);
  if (!buf) return glab_error(GLAB_ERR_NOMEM, "out of memory copying %s", script);
  int rc = glab_write_file_atomic(glab_runlog_path(log, "script.lua"), buf, len);
  free(buf);
  return rc;
}

static char *default_dir(const char *script) {
  char base[256] = "run";
  if (script) {
    const char *b = strrchr(script, '/');
    b = b ? b + 1 : script;
    snprintf(base, sizeof base, "%s", b);
    char *dot = strrchr(base, '.');
    if (dot && dot != base) *dot = '\0';
  }
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  size_t len = strlen(base) + 64;
  char *d = malloc(len);
  if (d) snprintf(d, len, "runs/%s-%s-%ld", base, stamp, (long)getpid());
  return d;
}

glab_runlog *glab_runlog_create(const char *dir, const char *script) {
  glab_runlog *log = calloc(1, sizeof *log);
  if (!log) {
    glab_error(GLAB_ERR_NOMEM, "run log: out of memory");
    return NULL;
  }
  log->dir = dir ? strdup(dir) : default_dir(script);
  log->summary = cJSON_CreateObject();
  if (!log->dir || !log->summary) {
    glab_error(GLAB_ERR_NOMEM, "run log: out of memory");
    goto fail;
  }
  if (mkdir_p(log->dir) != GLAB_OK) goto fail;
  cJSON *s = log->summary;
  cJSON_AddStringToObject(s, "script", script ? script : "");
  log->params = cJSON_AddObjectToObject(s, "params");
  cJSON_AddNullToObject(s, "seed");
  log->plugins = cJSON_AddArrayToObject(s, "plugins");
  cJSON_AddFalseToObject(s, "finished");
  log->result = cJSON_AddObjectToObject(s, "result");
  log->events = cJSON_AddArrayToObject(s, "events");
  log->final = cJSON_AddObjectToObject(s, "final");
  cJSON_AddStringToObject(s, "real", GLAB_REAL_NAME);
  cJSON_AddStringToObject(s, "gradlab_version", GRADLAB_VERSION);
  if (!log->params || !log->plugins || !log->result || !log->events || !log->final) {
    glab_error(GLAB_ERR_NOMEM, "run log: out of memory");
    goto fail;
  }
  log->csv = glab_file_create_regular(glab_runlog_path(log, "metrics.csv.part"));
  if (!log->csv) goto fail;
  fputs("step,epoch,layer,tensor,stat,value\n", log->csv);
  log->log = glab_file_create_regular(glab_runlog_path(log, "log.txt.part"));
  if (!log->log) goto fail;
  if (script && copy_script(log, script) != GLAB_OK) goto fail;
  /* summary.json only: a metrics.csv with the header alone would, after a crash, sit beside the
   * .part holding the rows and look like a run that recorded nothing. The places metrics.csv
   * and log.txt will be renamed to are checked now, not at the end of a long run (a FIFO or a
   * device there is refused). */
  for (int i = 0; i < 2; i++) {
    char target[4200], why[512];
    if (glab_file_target(glab_runlog_path(log, i ? "log.txt" : "metrics.csv"), target,
                         sizeof target, why, sizeof why) != GLAB_OK)
      goto fail;
  }
  if (glab_runlog_write_summary(log) != GLAB_OK) goto fail;
  return log;
fail:
  if (log->csv) fclose(log->csv), remove(glab_runlog_path(log, "metrics.csv.part"));
  if (log->log) fclose(log->log), remove(glab_runlog_path(log, "log.txt.part"));
  cJSON_Delete(log->summary);
  free(log->error);
  free(log->dir);
  free(log);
  return NULL;
}

/* Append a CSV field: as is, or quoted (RFC 4180, as libcsv's csv_write) when it holds a
 * delimiter, quote or line break. Returns the new end, or NULL if it does not fit. */
static char *put_field(char *p, char *end, const char *s) {
  int quote = strpbrk(s, ",\"\r\n") != NULL;
  if (quote) {
    size_t need = 2 * strlen(s) + 3;
    if ((size_t)(end - p) < need) return NULL;
    p += csv_write(p, need, s, strlen(s));
    return p;
  }
  size_t len = strlen(s);
  if ((size_t)(end - p) < len + 1) return NULL;
  memcpy(p, s, len);
  return p + len;
}

/* Decimal digits of u into p; returns the end. */
static char *put_uint(char *p, unsigned long long u) {
  char t[24];
  int n = 0;
  do
    t[n++] = (char)('0' + u % 10);
  while (u /= 10);
  while (n)
    *p++ = t[--n];
  return p;
}

static char *put_int(char *p, long long v) {
  if (v < 0) {
    *p++ = '-';
    return put_uint(p, 0ULL - (unsigned long long)v);
  }
  return put_uint(p, (unsigned long long)v);
}

/* A value with 9 significant digits (float builds) — what "%.9g" gives, written without the
 * cost of printf: scaled to a 9-digit integer by a power of ten (exact below 1e22; otherwise
 * within an ulp, which can move the 9th digit by one — the statistics are doubles, not floats,
 * so nothing needs to round-trip bit-exactly). Extreme exponents fall back to snprintf. */
static char *put_real(char *p, double v) {
  if (isnan(v)) return memcpy(p, "nan", 3), p + 3;
  if (isinf(v)) return v > 0 ? (memcpy(p, "inf", 3), p + 3) : (memcpy(p, "-inf", 4), p + 4);
  if (fabs(v) < 1e15 && v == (double)(long long)v) return put_int(p, (long long)v);
#ifdef GRADLAB_DOUBLE
  return p + snprintf(p, 32, "%.17g", v);
#else
  double a = fabs(v);
  int e = (int)floor(log10(a));
  if (e < -280 || e > 280) return p + snprintf(p, 32, "%.9g", v);
  double m = 8 - e >= 0 ? a * pow(10.0, 8 - e) : a / pow(10.0, e - 8);
  unsigned long long q = (unsigned long long)llround(m);
  if (q >= 1000000000ULL)
    q = (q + 5) / 10, e++;
  else if (q < 100000000ULL)
    q = (unsigned long long)llround(m * 10), e--;
  if (q >= 1000000000ULL) q = (q + 5) / 10, e++;
  char d[9];
  for (int i = 8; i >= 0; i--)
    d[i] = (char)('0' + q % 10), q /= 10;
  int nd = 9;
  while (nd > 1 && d[nd - 1] == '0')
    nd--;
  if (v < 0) *p++ = '-';
  if (e >= -5 && e < 9) { /* fixed notation, as %g */
    if (e < 0) {
      *p++ = '0', *p++ = '.';
      for (int i = -1; i > e; i--)
        *p++ = '0';
      memcpy(p, d, (size_t)nd), p += nd;
    } else {
      for (int i = 0; i <= e; i++)
        *p++ = i < nd ? d[i] : '0';
      if (nd > e + 1) {
        *p++ = '.';
        memcpy(p, d + e + 1, (size_t)(nd - e - 1)), p += nd - e - 1;
      }
    }
    return p;
  }
  *p++ = d[0];
  if (nd > 1) *p++ = '.', memcpy(p, d + 1, (size_t)(nd - 1)), p += nd - 1;
  *p++ = 'e';
  *p++ = e < 0 ? '-' : '+';
  int ae = e < 0 ? -e : e;
  if (ae < 10) *p++ = '0';
  return put_uint(p, (unsigned long long)ae);
#endif
}

/* One metrics.csv row into row[size]; its length, or 0 when it does not fit. */
static size_t format_row(char *row, size_t size, long step, int epoch, const char *layer,
                         const char *tensor, const char *stat, double value) {
  char *p = row, *end = row + size - 64; /* room for the numbers */
  p = put_int(p, step);
  *p++ = ',';
  p = put_int(p, epoch);
  *p++ = ',';
  if (!(p = put_field(p, end, layer))) return 0;
  *p++ = ',';
  if (!(p = put_field(p, end, tensor))) return 0;
  *p++ = ',';
  if (!(p = put_field(p, end, stat))) return 0;
  *p++ = ',';
  p = put_real(p, value);
  *p++ = '\n';
  return (size_t)(p - row);
}

int glab_runlog_metric(glab_runlog *log, long step, int epoch, const char *layer,
                       const char *tensor, const char *stat, double value) {
  if (!log || !log->csv) return glab_error(GLAB_ERR_STATE, "run log: closed");
  if (!layer) layer = "";
  if (!tensor) tensor = "";
  if (!stat) stat = "";
  char row[1024], *heap = NULL, *r = row;
  size_t n = format_row(row, sizeof row, step, epoch, layer, tensor, stat, value);
  if (!n) { /* a long (layer) name: the same row in a buffer of its size, never cut */
    size_t size = 2 * (strlen(layer) + strlen(tensor) + strlen(stat)) + 128;
    heap = malloc(size);
    if (!heap) return glab_error(GLAB_ERR_NOMEM, "metrics.csv: out of memory for a row");
    r = heap;
    n = format_row(heap, size, step, epoch, layer, tensor, stat, value);
  }
  if (ferror(log->csv)) { /* after a failed write nothing more: the file stays a prefix */
    free(heap);
    return io_failed(log, "metrics.csv", NULL);
  }
  errno = 0;
  size_t put = fwrite(r, 1, n, log->csv);
  int e = errno;
  free(heap);
  log->rows++;
  if (put != n || ferror(log->csv)) return io_failed(log, "metrics.csv", e ? strerror(e) : NULL);
  return log->error ? glab_error(GLAB_ERR_IO, "%s", log->error) : GLAB_OK;
}

int glab_runlog_push_rows(glab_runlog *log) {
  if (!log || !log->csv || ferror(log->csv)) return GLAB_OK; /* closed, or failed: said already */
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double t = (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
  if (t - log->pushed_at < 0.1) return GLAB_OK;
  log->pushed_at = t;
  errno = 0;
  if (fflush(log->csv) != 0) return io_failed(log, "metrics.csv", errno ? strerror(errno) : NULL);
  return GLAB_OK;
}

long glab_runlog_metric_rows(const glab_runlog *log) {
  return log ? log->rows : 0;
}

int glab_runlog_log(glab_runlog *log, const char *fmt, ...) {
  if (!log || !log->log) return glab_error(GLAB_ERR_STATE, "run log: closed");
  if (ferror(log->log)) return io_failed(log, "log.txt", NULL);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(log->log, fmt, ap);
  va_end(ap);
  fputc('\n', log->log);
  errno = 0;
  if (fflush(log->log) != 0 || ferror(log->log))
    return io_failed(log, "log.txt", errno ? strerror(errno) : NULL);
  return GLAB_OK;
}

static int set_item(cJSON *obj, const char *key, cJSON *item) {
  if (!item) return glab_error(GLAB_ERR_NOMEM, "run log: out of memory");
  if (cJSON_GetObjectItemCaseSensitive(obj, key))
    cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
  else
    cJSON_AddItemToObject(obj, key, item);
  return GLAB_OK;
}

cJSON *glab_json_number(double v) {
  if (!isfinite(v)) return cJSON_CreateNull(); /* JSON has no NaN/inf */
  /* The shortest digits that read back as exactly v. cJSON prints 15 digits and accepts them
   * when they read back within a relative epsilon: 0.1+0.2 became 0.3, 2^53-1 became
   * 9.00719925474099e+15 — results and --set values in summary.json quietly changed. */
  char digits[40];
  if (v == 0 && signbit(v)) { /* "-0" reads back as the integer 0 in most JSON readers */
    snprintf(digits, sizeof digits, "-0.0");
  } else {
    for (int prec = 1; prec <= 17; prec++) {
      snprintf(digits, sizeof digits, "%.*g", prec, v);
      if (strtod(digits, NULL) == v) break;
    }
  }
  cJSON *raw = cJSON_CreateRaw(digits);
  if (raw) raw->valuedouble = v, raw->valueint = 0; /* for readers of the item before printing */
  return raw;
}

static cJSON *number(double v) {
  return glab_json_number(v);
}

int glab_runlog_set_uint(glab_runlog *log, const char *key, uint64_t value) {
  if (!log || !key) return glab_error(GLAB_ERR_ARG, "run log: NULL");
  /* As exact digits: cJSON prints numbers with 15 significant digits, which would round a
   * seed such as 9007199254740991 and make the run impossible to repeat from its summary. */
  char digits[32];
  snprintf(digits, sizeof digits, "%llu", (unsigned long long)value);
  return set_item(log->summary, key, cJSON_CreateRaw(digits));
}

void glab_runlog_set_seed(glab_runlog *log, uint64_t seed) {
  if (log) glab_runlog_set_uint(log, "seed", seed);
}
int glab_runlog_set_param_string(glab_runlog *log, const char *key, const char *value) {
  return set_item(log->params, key, cJSON_CreateString(value ? value : ""));
}
int glab_runlog_set_param_number(glab_runlog *log, const char *key, double value) {
  return set_item(log->params, key, number(value));
}
int glab_runlog_set_param_bool(glab_runlog *log, const char *key, int value) {
  return set_item(log->params, key, cJSON_CreateBool(value));
}
int glab_runlog_set_final(glab_runlog *log, const char *key, double value) {
  return set_item(log->final, key, number(value));
}
int glab_runlog_set_result_number(glab_runlog *log, const char *key, double value) {
  return set_item(log->result, key, number(value));
}
int glab_runlog_set_result_string(glab_runlog *log, const char *key, const char *value) {
  return set_item(log->result, key, cJSON_CreateString(value ? value : ""));
}
struct cJSON *glab_runlog_summary(glab_runlog *log) {
  return log ? log->summary : NULL;
}

/* Whether the plugins list holds (kind, name, file) already. */
static int has_plugin(const glab_runlog *log, const char *kind, const char *name,
                      const char *file) {
  const cJSON *o;
  cJSON_ArrayForEach(o, log->plugins) {
    const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "kind"));
    const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "name"));
    const char *f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "file"));
    if (k && n && f && !strcmp(k, kind) && !strcmp(n, name) && !strcmp(f, file)) return 1;
  }
  return 0;
}

int glab_runlog_add_plugin(glab_runlog *log, const char *kind, const char *name, const char *file) {
  if (!log) return glab_error(GLAB_ERR_ARG, "run log: NULL");
  if (!kind) kind = "";
  if (!name) name = "";
  if (!file) file = "";
  if (has_plugin(log, kind, name, file)) return GLAB_OK; /* listed again at the end: once */
  cJSON *o = cJSON_CreateObject();
  if (!o) return glab_error(GLAB_ERR_NOMEM, "run log: out of memory");
  cJSON_AddStringToObject(o, "kind", kind ? kind : "");
  cJSON_AddStringToObject(o, "name", name ? name : "");
  cJSON_AddStringToObject(o, "file", file ? file : "");
  cJSON_AddItemToArray(log->plugins, o);
  return GLAB_OK;
}

int glab_runlog_add_event(glab_runlog *log, long step, int epoch, const char *layer,
                          const char *tensor, const char *kind, const char *message) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return glab_error(GLAB_ERR_NOMEM, "run log: out of memory");
  cJSON_AddNumberToObject(o, "step", (double)step);
  cJSON_AddNumberToObject(o, "epoch", epoch);
  cJSON_AddStringToObject(o, "layer", layer ? layer : "");
  cJSON_AddStringToObject(o, "tensor", tensor ? tensor : "");
  cJSON_AddStringToObject(o, "kind", kind ? kind : "");
  cJSON_AddStringToObject(o, "message", message ? message : "");
  cJSON_AddItemToArray(log->events, o);
  glab_runlog_log(log, "event: step %ld epoch %d layer %s tensor %s: %s", step, epoch,
                  layer ? layer : "", tensor ? tensor : "", message ? message : "");
  return GLAB_OK;
}

static int write_summary(glab_runlog *log, int finished, char *why, size_t wn) {
  set_item(log->summary, "finished", cJSON_CreateBool(finished != 0 && !log->error));
  if (log->error) set_item(log->summary, "error", cJSON_CreateString(log->error));
  char *text = cJSON_Print(log->summary);
  if (!text) return glab_error(GLAB_ERR_NOMEM, "run log: out of memory printing summary.json");
  size_t len = strlen(text);
  int rc = glab_file_write_atomic(glab_runlog_path(log, "summary.json"), text, len, why, wn);
  cJSON_free(text);
  return rc;
}

int glab_runlog_write_summary(glab_runlog *log) {
  if (!log) return glab_error(GLAB_ERR_ARG, "run log: NULL");
  char why[512];
  if (write_summary(log, log->closed && log->finished, why, sizeof why) != GLAB_OK &&
      !log->error)
    return io_failed(log, "summary.json", why);
  return log->error ? glab_error(GLAB_ERR_IO, "%s", log->error) : GLAB_OK;
}

int glab_runlog_flush(glab_runlog *log, int finished) {
  if (!log) return glab_error(GLAB_ERR_ARG, "run log: NULL");
  int rc = GLAB_OK;
  char src[4200], dst[4200], why[512];
  /* A stream that failed a write has lost rows: its last whole copy stays. */
  if (log->csv && !ferror(log->csv)) {
    snprintf(src, sizeof src, "%s/metrics.csv.part", log->dir);
    snprintf(dst, sizeof dst, "%s/metrics.csv", log->dir);
    if (copy_atomic(log->csv, src, dst, why, sizeof why) != GLAB_OK)
      rc = io_failed(log, "metrics.csv", why);
  }
  if (log->log && !ferror(log->log)) {
    snprintf(src, sizeof src, "%s/log.txt.part", log->dir);
    snprintf(dst, sizeof dst, "%s/log.txt", log->dir);
    if (copy_atomic(log->log, src, dst, why, sizeof why) != GLAB_OK)
      rc = io_failed(log, "log.txt", why);
  }
  if (log->csv && ferror(log->csv)) rc = io_failed(log, "metrics.csv", NULL);
  if (log->log && ferror(log->log)) rc = io_failed(log, "log.txt", NULL);
  if (write_summary(log, finished, why, sizeof why) != GLAB_OK && !log->error)
    rc = io_failed(log, "summary.json", why);
  if (log->error) rc = glab_error(GLAB_ERR_IO, "%s", log->error);
  return rc;
}

int glab_runlog_finish(glab_runlog *log) {
  if (!log) return glab_error(GLAB_ERR_ARG, "run log: NULL");
  if (!log->closed) log->finished = 1;
  return glab_runlog_close(log);
}

/* After a failed write: cut `part` back to its last whole line (truncating frees space, so it
 * works on a full disk) and return its new size, or -1. The bytes before it are a prefix of what
 * was written: nothing is written to a stream after its first failure. */
static off_t cut_to_last_line(const char *part) {
  FILE *f = fopen(part, "rb");
  if (!f) return -1;
  char buf[4096];
  off_t end = -1;
  if (fseeko(f, 0, SEEK_END) == 0) {
    off_t pos = ftello(f);
    while (pos > 0 && end < 0) {
      size_t n = pos < (off_t)sizeof buf ? (size_t)pos : sizeof buf;
      pos -= (off_t)n;
      if (fseeko(f, pos, SEEK_SET) != 0 || fread(buf, 1, n, f) != n) break;
      for (size_t i = n; i-- > 0;)
        if (buf[i] == '\n') {
          end = pos + (off_t)i + 1;
          break;
        }
    }
  }
  fclose(f);
  return end > 0 && truncate(part, end) == 0 ? end : -1;
}

/* Close a .part stream and rename it over its final name — when that is a regular file or
 * absent; a symbolic link gets a copy in its real file (which may be on another file system).
 * A write that fails here (the last buffered rows on a full disk) is remembered as any other.
 * Returns GLAB_OK, or GLAB_ERR_IO when the file could not be put in place (the .part is then
 * removed only if a whole copy of it is already there). */
static int close_part(glab_runlog *log, FILE **f, const char *name) {
  if (!*f) return GLAB_OK;
  char src[4200], dst[4200], target[4200], why[512] = "";
  snprintf(src, sizeof src, "%s/%s.part", log->dir, name);
  snprintf(dst, sizeof dst, "%s/%s", log->dir, name);
  int ok = !ferror(*f) && !log->error; /* a cut .part never replaces the last whole copy... */
  errno = 0;
  if (fclose(*f) != 0) {
    if (ok) io_failed(log, name, strerror(errno));
    ok = 0;
  }
  *f = NULL;
  if (!ok) { /* ...but whole lines of it that are more than that copy do */
    struct stat last;
    off_t kept = cut_to_last_line(src);
    ok = kept > 0 && (stat(dst, &last) != 0 || kept > last.st_size);
    if (!ok) {
      remove(src);
      return GLAB_ERR_IO;
    }
  }
  int rc = glab_file_target(dst, target, sizeof target, why, sizeof why);
  if (rc == GLAB_OK) {
    if (!strcmp(target, dst)) {
      if (rename(src, dst) != 0) snprintf(why, sizeof why, "%s", strerror(errno)), rc = GLAB_ERR_IO;
    } else if ((rc = copy_file_atomic(src, dst, why, sizeof why)) == GLAB_OK) {
      remove(src);
    }
  }
  if (rc != GLAB_OK) /* the rows stay in the .part, which is said */
    return io_failed(log, name, why);
  return GLAB_OK;
}

int glab_runlog_close(glab_runlog *log) {
  if (!log) return glab_error(GLAB_ERR_ARG, "run log: NULL");
  if (!log->closed) {
    close_part(log, &log->csv, "metrics.csv");
    close_part(log, &log->log, "log.txt");
    log->closed = 1;
  }
  return glab_runlog_write_summary(log);
}

void glab_runlog_destroy(glab_runlog *log) {
  if (!log) return;
  glab_runlog_close(log);
  cJSON_Delete(log->summary);
  free(log->error);
  free(log->dir);
  free(log);
}
