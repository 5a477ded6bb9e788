/* plot.c — `gradlab plot RUN_DIR`: a run folder's figures, drawn by gnuplot.
 *
 * Two sources: the run's tidy metrics.csv (step,epoch,layer,tensor,stat,value), from which the
 * standard figures are derived (gradient norm per layer over steps, per-layer bars at chosen
 * steps, ||dL/dh_t|| over t, loss/accuracy curves), and an optional figures.csv in which a study
 * declares its own figures (columns name,title,xlabel,ylabel,logx,logy,kind,data,hline,
 * hline_label; `data` names a CSV in the run folder with columns [figure,]series,x,y — rows of
 * other figures are skipped; kind is lines, points or bars, for bars x is a category), read
 * in plot_spec.c. A damaged metrics.csv is an error naming its line, before any figure file is
 * written. Every figure becomes figures/NAME.dat + NAME.gp (kept, so users can restyle and rerun
 * `gnuplot NAME.gp`) and gnuplot, run as a subprocess, writes NAME.png and NAME.svg. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "gradlab/error.h"
#include "plot.h"
#include "plot_internal.h"

enum { MAX_BAR_STEPS = 4, MAX_TIME_CURVES = 4 };

/* ---------- metrics.csv: the standard figures ---------- */

enum { C_STEP, C_EPOCH, C_LAYER, C_TENSOR, C_STAT, C_VALUE, NCOLS };
static const char *col_names[NCOLS] = {"step", "epoch", "layer", "tensor", "stat", "value"};

/* What a (tensor, stat) pair is for. */
enum { K_SKIP, K_GRAD, K_TIME, K_LOSS, K_ACC };

typedef struct row {
  double step, value;
  int layer, key, t; /* key: index into keys; t: time index for K_TIME */
} row;

typedef struct metrics {
  const char *path;
  int col[NCOLS], header_seen, nfields;
  strset layers, keys; /* keys: "tensor\tstat" */
  int *key_kind, *key_t;
  row *rows;
  size_t n, cap;
} metrics;

/* The largest step (2^53-1): every step up to it is exact as a double. */
#define PLOT_STEP_MAX 9007199254740991ULL

/* A field shown in a message: quoted, at most ~40 bytes (a damaged one may be huge). */
static const char *shown(const char *s, char *buf, size_t size) {
  size_t n = strcspn(s, "\r\n"), max = 40;
  if (n > max) n = max;
  while (n > 0 && n < strlen(s) && ((unsigned char)s[n] & 0xC0) == 0x80) /* whole characters */
    n--;
  snprintf(buf, size, "'%.*s%s'", (int)n, s, s[n] ? "..." : "");
  return buf;
}

/* A step (or epoch): a whole number 0..max in decimal digits. NULL, or why it is not one. */
static const char *whole_number(const char *s, unsigned long long max, double *out) {
  if (!*s) return "is empty";
  if (*s == '-' && s[1])
    return strspn(s + 1, "0123456789") == strlen(s + 1) ? "is negative" : "is not a whole number";
  if (strspn(s, "0123456789") != strlen(s)) return "is not a whole number";
  errno = 0;
  unsigned long long v = strtoull(s, NULL, 10);
  if (errno || v > max) return "is out of range";
  *out = (double)v;
  return NULL;
}

static int has(const char *s, const char *sub) {
  for (; *s; s++) {
    size_t i = 0;
    while (sub[i] && tolower((unsigned char)s[i]) == sub[i])
      i++;
    if (!sub[i]) return 1;
  }
  return 0;
}

/* Per-time-step gradients: a tensor like "time.12", "time[12]", "dh_12", "h_grad.12". */
static int time_index(const char *tensor) {
  size_t n = strlen(tensor);
  if (n && tensor[n - 1] == ']') n--;
  size_t k = n;
  while (k > 0 && isdigit((unsigned char)tensor[k - 1]))
    k--;
  if (k == n || k == 0 || !strchr(".[_:/", tensor[k - 1])) return -1;
  if (!(has(tensor, "time") || has(tensor, "dh") || has(tensor, "h_grad"))) return -1;
  return atoi(tensor + k);
}

static int classify(const char *tensor, const char *stat, int *t) {
  *t = -1;
  if (has(tensor, "loss") || has(stat, "loss")) return K_LOSS;
  if (has(tensor, "acc") || has(stat, "acc")) return K_ACC;
  int norm = !strcmp(stat, "norm") || (has(stat, "grad") && has(stat, "norm"));
  if (!norm) return K_SKIP;
  if ((*t = time_index(tensor)) >= 0) return K_TIME;
  if (has(tensor, "grad") || has(stat, "grad") || has(tensor, "delta")) return K_GRAD;
  return K_SKIP;
}

/* One row of metrics.csv. The file is gradlab's own output, so anything that does not look as
 * it writes it — a row with more or fewer fields than the header, a step or epoch that is not a
 * whole number, a value that is not a number — is damage, and an error naming the line: the
 * figures of a damaged file would be wrong without saying so. */
static int metrics_row(void *ud, size_t line, int nf, char **f) {
  metrics *m = ud;
  if (!m->header_seen) {
    for (int c = 0; c < NCOLS; c++) {
      m->col[c] = -1;
      for (int i = 0; i < nf; i++)
        if (f[i] && !strcmp(f[i], col_names[c])) m->col[c] = i;
      if (m->col[c] < 0)
        return cli_error("%s:%zu: the header has no '%s' column (expected "
                         "step,epoch,layer,tensor,stat,value)",
                         m->path, line, col_names[c]);
    }
    m->header_seen = 1;
    m->nfields = nf;
    return 0;
  }
  if (nf != m->nfields)
    return cli_error("%s:%zu: %d field%s, the header has %d (a damaged or cut row)", m->path, line,
                     nf, nf == 1 ? "" : "s", m->nfields);
  const char *v[NCOLS];
  for (int c = 0; c < NCOLS; c++)
    v[c] = f[m->col[c]] ? f[m->col[c]] : "";
  char buf[64];
  double step, epoch;
  const char *why = whole_number(v[C_STEP], PLOT_STEP_MAX, &step);
  if (why)
    return cli_error("%s:%zu: step %s %s", m->path, line, shown(v[C_STEP], buf, sizeof buf), why);
  if ((why = whole_number(v[C_EPOCH], INT_MAX, &epoch)))
    return cli_error("%s:%zu: epoch %s %s", m->path, line, shown(v[C_EPOCH], buf, sizeof buf), why);
  char *end;
  double value = strtod(v[C_VALUE], &end); /* nan, inf and -inf are as gradlab writes them */
  if (end == v[C_VALUE] || *end)
    return cli_error("%s:%zu: value %s is not a number", m->path, line,
                     shown(v[C_VALUE], buf, sizeof buf));
  char key[512];
  snprintf(key, sizeof key, "%s\t%s", v[C_TENSOR], v[C_STAT]);
  int nk = m->keys.n, k = plot_strset_id(&m->keys, key);
  if (k < 0) return -1;
  if (k == nk) { /* a new key: classify once */
    int *kk = plot_xrealloc(m->key_kind, (size_t)m->keys.n * sizeof *kk);
    if (!kk) return (m->key_kind = NULL), -1;
    m->key_kind = kk;
    int *kt = plot_xrealloc(m->key_t, (size_t)m->keys.n * sizeof *kt);
    if (!kt) return (m->key_t = NULL), -1;
    m->key_t = kt;
    kk[k] = classify(v[C_TENSOR], v[C_STAT], &kt[k]);
  }
  if (m->key_kind[k] == K_SKIP) return 0;
  row r;
  r.step = step, r.value = value;
  r.key = k, r.t = m->key_t[k];
  if ((r.layer = plot_strset_id(&m->layers, v[C_LAYER])) < 0) return -1;
  if (m->n == m->cap) {
    size_t cap = m->cap ? 2 * m->cap : 4096;
    row *p = plot_xrealloc(m->rows, cap * sizeof *p);
    if (!p) return (m->rows = NULL), -1;
    m->rows = p, m->cap = cap;
  }
  m->rows[m->n++] = r;
  return 0;
}

static void metrics_free(metrics *m) {
  plot_strset_free(&m->layers), plot_strset_free(&m->keys);
  free(m->key_kind), free(m->key_t), free(m->rows);
}

void plot_sanitize(char *out, size_t n, const char *in) {
  size_t k = 0;
  for (; *in && k + 1 < n; in++)
    out[k++] = isalnum((unsigned char)*in) || *in == '-' ? *in : '_';
  out[k] = '\0';
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Up to `want` distinct recorded steps spread from first to last (or the user's, snapped). */
static int pick_steps(const metrics *m, int key, const double *user, int nuser, double *out,
                      int want) {
  size_t n = 0;
  double *all = malloc((m->n + 1) * sizeof *all);
  if (!all) return 0;
  for (size_t i = 0; i < m->n; i++)
    if (m->rows[i].key == key) all[n++] = m->rows[i].step;
  qsort(all, n, sizeof *all, cmp_double);
  size_t u = 0;
  for (size_t i = 0; i < n; i++)
    if (!u || all[i] != all[u - 1]) all[u++] = all[i];
  int k = 0;
  if (u && nuser) {
    for (int j = 0; j < nuser && k < want; j++) {
      double best = all[0];
      for (size_t i = 0; i < u; i++)
        if (fabs(all[i] - user[j]) < fabs(best - user[j])) best = all[i];
      if (!k || out[k - 1] != best) out[k++] = best;
    }
  } else if (u) {
    int w = u < (size_t)want ? (int)u : want;
    for (int j = 0; j < w; j++) {
      double s = all[w == 1 ? 0 : (size_t)j * (u - 1) / (size_t)(w - 1)];
      if (!k || out[k - 1] != s) out[k++] = s;
    }
  }
  free(all);
  return k;
}

static const char *grad_ylabel(const char *tensor) {
  if (!strcmp(tensor, "output_grad") || has(tensor, "delta"))
    return "‖∂L/∂(layer output)‖ (L2 norm, log scale)";
  return "gradient L2 norm (log scale)";
}

/* The model part of a layer column ("d3_s1" of "d3_s1/2", glab_model_row_layer), or "" for an
 * unnamed model's row; its length in *n. */
static const char *model_part(const char *layer, size_t *n) {
  const char *slash = strchr(layer, '/');
  *n = slash ? (size_t)(slash - layer) : 0;
  return layer;
}

/* 1 when the rows come from several models (a study that builds many networks): rows of more
 * than one named model (NAME/...), or a (layer, tensor, stat) series that repeats or goes back
 * in steps (unnamed models). One line per layer over steps would mix them, or draw hundreds. */
static int metrics_mixed(const metrics *m) {
  size_t nl = (size_t)m->layers.n, nk = (size_t)m->keys.n;
  if (!nl || !nk) return 0;
  size_t n0;
  const char *first = model_part(m->layers.s[0], &n0);
  for (size_t i = 1; i < nl; i++) {
    size_t n;
    const char *p = model_part(m->layers.s[i], &n);
    if (n != n0 || strncmp(p, first, n)) return 1;
  }
  double *last = malloc(nl * nk * sizeof *last);
  if (!last) return 0;
  for (size_t i = 0; i < nl * nk; i++)
    last[i] = -INFINITY;
  int mixed = 0;
  for (size_t i = 0; i < m->n && !mixed; i++) {
    const row *r = &m->rows[i];
    double *l = &last[(size_t)r->layer * nk + (size_t)r->key];
    if (r->step <= *l) mixed = 1;
    *l = r->step;
  }
  free(last);
  return mixed;
}

/* "tensor\tstat" back into its two parts (each buffer holds 256 bytes; either may be empty). */
static void split_key(const char *key, char *tensor, char *stat) {
  const char *tab = strchr(key, '\t');
  size_t n = tab ? (size_t)(tab - key) : strlen(key);
  snprintf(tensor, 256, "%.*s", (int)(n < 255 ? n : 255), key);
  snprintf(stat, 256, "%s", tab ? tab + 1 : "");
}

/* Build the standard figures from metrics and hand each to `emit`. */
static int metrics_figures(metrics *m, const double *user_steps, int nuser, fig_fn emit, void *ud) {
  int rc = 0;
  figure f;
  for (int k = 0; k < m->keys.n; k++) {
    int kind = m->key_kind[k];
    if (kind != K_GRAD) continue;
    char tensor[256], stat[256], clean[200], name[96], title[200];
    split_key(m->keys.s[k], tensor, stat);
    plot_sanitize(clean, sizeof clean, tensor);
    snprintf(name, sizeof name, "grad_norm_%.80s", clean);
    snprintf(title, sizeof title, "%.90s %.40s per layer over training", tensor, stat);
    plot_fig_init(&f, name, title, "training step", grad_ylabel(tensor));
    f.logy = 1;
    for (size_t i = 0; i < m->n; i++)
      if (m->rows[i].key == k) {
        char lab[160];
        snprintf(lab, sizeof lab, "layer %s", m->layers.s[m->rows[i].layer]);
        plot_series_add(plot_fig_series(&f, lab), m->rows[i].step, m->rows[i].value);
      }
    rc |= emit(&f, ud);
    plot_fig_free(&f);

    double steps[MAX_BAR_STEPS];
    int ns = pick_steps(m, k, user_steps, nuser, steps, MAX_BAR_STEPS);
    snprintf(name, sizeof name, "grad_bars_%.80s", clean);
    snprintf(title, sizeof title, "%.90s %.40s by layer at chosen steps", tensor, stat);
    plot_fig_init(&f, name, title, "layer (input side → output side)", grad_ylabel(tensor));
    f.bars = f.logy = 1;
    for (int j = 0; j < ns; j++) {
      char lab[64];
      snprintf(lab, sizeof lab, "step %.15g", steps[j]);
      series *s = plot_fig_series(&f, lab);
      for (size_t i = 0; i < m->n; i++)
        if (m->rows[i].key == k && m->rows[i].step == steps[j]) {
          int c = plot_strset_id(&f.cats, m->layers.s[m->rows[i].layer]);
          if (c >= 0) plot_series_add(s, c, m->rows[i].value);
        }
    }
    if (f.cats.n > 1) rc |= emit(&f, ud); /* bars of one category (e.g. "model") say nothing */
    plot_fig_free(&f);
  }
  /* ||dL/dh_t|| over t, per recurrent layer, at a few recorded steps */
  for (int layer = 0; layer < m->layers.n; layer++) {
    int any = 0, tkey = -1;
    for (size_t i = 0; i < m->n && !any; i++)
      if (m->rows[i].layer == layer && m->key_kind[m->rows[i].key] == K_TIME)
        any = 1, tkey = m->rows[i].key;
    if (!any) continue;
    char clean[200], name[96], title[200];
    plot_sanitize(clean, sizeof clean, m->layers.s[layer]);
    snprintf(name, sizeof name, "time_grad_%.80s", clean);
    snprintf(title, sizeof title, "‖∂L/∂h_t‖ through time, layer %s", m->layers.s[layer]);
    plot_fig_init(&f, name, title, "time step t", "‖∂L/∂h_t‖ (log scale)");
    f.logy = 1;
    double steps[MAX_TIME_CURVES];
    int ns = pick_steps(m, tkey, user_steps, nuser, steps, MAX_TIME_CURVES);
    for (int j = 0; j < ns; j++) {
      char lab[64];
      snprintf(lab, sizeof lab, "training step %.15g", steps[j]);
      series *s = plot_fig_series(&f, lab);
      for (size_t i = 0; i < m->n; i++)
        if (m->rows[i].layer == layer && m->key_kind[m->rows[i].key] == K_TIME &&
            m->rows[i].step == steps[j])
          plot_series_add(s, m->rows[i].t, m->rows[i].value);
    }
    rc |= emit(&f, ud);
    plot_fig_free(&f);
  }
  /* loss and accuracy curves */
  for (int kind = K_LOSS; kind <= K_ACC; kind++) {
    plot_fig_init(&f, kind == K_LOSS ? "loss" : "accuracy",
                  kind == K_LOSS ? "loss over training" : "accuracy over training", "training step",
                  kind == K_LOSS ? "loss" : "accuracy (fraction correct)");
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < m->n; i++) {
      const row *r = &m->rows[i];
      if (m->key_kind[r->key] != kind) continue;
      char lab[800], tensor[256], stat[256];
      split_key(m->keys.s[r->key], tensor, stat);
      const char *layer = m->layers.s[r->layer];
      /* "model": the whole network; "NAME/model": the whole of the network named NAME */
      size_t ll = strlen(layer);
      int whole = !strcmp(layer, "model") || (ll > 6 && !strcmp(layer + ll - 6, "/model"));
      int show_layer = *layer && !whole;
      const char *what = !strcmp(stat, "value") || !*stat ? "recorded steps"
                         : !strcmp(stat, "epoch_mean")    ? "epoch mean"
                                                          : stat;
      snprintf(lab, sizeof lab, "%s%.*s%s%s (%s)", show_layer ? "layer " : "",
               show_layer ? (int)ll : whole && ll > 6 ? (int)(ll - 6) : 0, layer,
               show_layer ? "" : whole && ll > 6 ? " " : "", show_layer ? "" : tensor, what);
      if (show_layer) snprintf(lab + strlen(lab), sizeof lab - strlen(lab), " %s", tensor);
      plot_series_add(plot_fig_series(&f, lab), r->step, r->value);
      if (isfinite(r->value) && r->value > 0) lo = fmin(lo, r->value), hi = fmax(hi, r->value);
    }
    f.logy = kind == K_LOSS && hi > 0 && hi / lo > 30; /* log when it spans decades */
    if (f.ns) rc |= emit(&f, ud);
    plot_fig_free(&f);
  }
  return rc;
}

/* ---------- running gnuplot ---------- */

static const char *find_gnuplot(void) {
  static char path[4096];
  const char *env = getenv("GRADLAB_GNUPLOT");
  if (env && *env) return access(env, X_OK) == 0 ? env : NULL;
  const char *p = getenv("PATH");
  if (!p) p = "/usr/bin:/bin";
  while (*p) {
    const char *e = strchr(p, ':');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    snprintf(path, sizeof path, "%.*s/gnuplot", (int)len, len ? p : ".");
    if (access(path, X_OK) == 0) return path;
    p += len + (e != NULL);
  }
  return NULL;
}

/* Whether gnuplot's output is whole: a PNG from its signature to its IEND chunk, an SVG up to its
 * closing tag. gnuplot exits 0 even when a write failed (a full disk), leaving an empty or cut
 * file that must not replace the figure. */
static int drawn_whole(const char *data, size_t len, const char *ext) {
  if (!strcmp(ext, "png")) {
    static const char sig[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
    static const char iend[8] = {'I', 'E', 'N', 'D', '\xae', 'B', '`', '\x82'};
    return len >= 20 && !memcmp(data, sig, 8) && !memcmp(data + len - 8, iend, 8);
  }
  size_t end = len;
  while (end > 0 && isspace((unsigned char)data[end - 1]))
    end--;
  return end >= 6 && !memcmp(data + end - 6, "</svg>", 6);
}

/* Moves gnuplot's finished DIR/TMP.EXT to DIR/NAME.EXT through the command's atomic writer
 * (cli_write_file), so a figure obeys the rules of the .dat and .gp beside it: a FIFO or device
 * at NAME.png is refused and left alone, a link is followed. The temporary file is removed. */
static int publish(const char *dir, const char *tmp, const char *name, const char *ext) {
  char from[PATH_MAX], to[PATH_MAX];
  if (snprintf(from, sizeof from, "%s/%s.%s", dir, tmp, ext) >= (int)sizeof from ||
      snprintf(to, sizeof to, "%s/%s.%s", dir, name, ext) >= (int)sizeof to)
    return cli_error("plot: cannot write %s/%s.%s: path too long", dir, name, ext), -1;
  size_t len;
  char *data = cli_read_file(from, &len);
  if (!data) {
    int e = errno;
    unlink(from);
    return cli_error("plot: gnuplot did not write %s (%s)", from, strerror(e)), -1;
  }
  if (!drawn_whole(data, len, ext)) {
    free(data);
    unlink(from);
    return cli_error("plot: gnuplot's %s of figure %s is %s (%zu bytes; a full disk?): %s is "
                     "not replaced",
                     ext, name, len ? "cut short" : "empty", len, to),
           -1;
  }
  int rc = cli_write_file(to, data, len, 0);
  free(data);
  unlink(from);
  if (rc) return cli_error("plot: %s", glab_last_error()), -1;
  return 0;
}

/* Removes what gnuplot drew under the temporary name (after a failure). */
static void remove_drawn(const char *dir, const char *tmp) {
  char path[PATH_MAX];
  for (int i = 0; i < 2; i++)
    if (snprintf(path, sizeof path, "%s/%s.%s", dir, tmp, i ? "svg" : "png") < (int)sizeof path)
      unlink(path);
}

/* gnuplot writes DIR/NAME.tmp-PID.png and .svg (the script's `out`, plot_figure.c), which are
 * then put in place: a gnuplot that fails or is killed half-way leaves no half-drawn figure
 * under the real name, and an older figure stays as it was. */
static int run_gnuplot(const char *gnuplot, const char *dir, const char *name) {
  char script[200], tmp[240], set_out[300];
  snprintf(script, sizeof script, "%s.gp", name);
  snprintf(tmp, sizeof tmp, "%s.tmp-%ld", name, (long)getpid());
  snprintf(set_out, sizeof set_out, "out='%s'", tmp);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return cli_error("plot: cannot start gnuplot: %s", strerror(errno)), -1;
  if (pid == 0) {
    if (chdir(dir) != 0) _exit(127);
    execl(gnuplot, "gnuplot", "-e", set_out, script, (char *)NULL);
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    remove_drawn(dir, tmp);
    return cli_error("plot: gnuplot failed on %s/%s (see its messages above)", dir, script), -1;
  }
  if (publish(dir, tmp, name, "png")) {
    remove_drawn(dir, tmp);
    return -1;
  }
  return publish(dir, tmp, name, "svg");
}

typedef struct emit_ctx {
  const char *dir, *gnuplot;
  int quiet, drawn, written;
} emit_ctx;

static int emit_figure(figure *f, void *ud) {
  emit_ctx *c = ud;
  int r = plot_fig_write(f, c->dir);
  if (r == 1) return 0; /* nothing plottable (e.g. all zero on a log axis) */
  if (r) return -1;
  c->written++;
  if (!c->gnuplot) return 0;
  if (run_gnuplot(c->gnuplot, c->dir, f->name)) return -1;
  c->drawn++;
  if (!c->quiet) printf("figure: %s/%s.png (and .svg, .gp)\n", c->dir, f->name);
  return 0;
}

/* --steps that were not recorded (for the figures that pick steps: gradient bars, dL/dh_t
 * curves): a warning naming them and the nearest recorded step, which is drawn instead. */
static void check_steps(const metrics *m, const double *user, int nuser) {
  double *all = malloc((m->n + 1) * sizeof *all);
  if (!all) return;
  size_t n = 0, u = 0;
  for (size_t i = 0; i < m->n; i++)
    if (m->key_kind[m->rows[i].key] == K_GRAD || m->key_kind[m->rows[i].key] == K_TIME)
      all[n++] = m->rows[i].step;
  qsort(all, n, sizeof *all, cmp_double);
  for (size_t i = 0; i < n; i++)
    if (!u || all[i] != all[u - 1]) all[u++] = all[i];
  for (int j = 0; j < nuser; j++) {
    if (!u) {
      fprintf(stderr,
              "gradlab: warning: plot: --steps %.15g: %s holds no gradient statistics to "
              "show at chosen steps\n",
              user[j], m->path);
      break;
    }
    size_t lo = 0, hi = u; /* the first recorded step >= user[j] */
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (all[mid] < user[j])
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo < u && all[lo] == user[j]) continue;
    double near = lo == u                                      ? all[u - 1]
                  : lo == 0                                    ? all[0]
                  : user[j] - all[lo - 1] <= all[lo] - user[j] ? all[lo - 1]
                                                               : all[lo];
    fprintf(stderr,
            "gradlab: warning: plot: --steps %.15g: no statistics were recorded at step "
            "%.15g (recorded: %zu step%s from %.15g to %.15g); step %.15g is shown "
            "instead\n",
            user[j], user[j], u, u == 1 ? "" : "s", all[0], all[u - 1], near);
  }
  free(all);
}

/* gnuplot's figures drawn under a temporary name (NAME.tmp-PID.png/.svg) by a plot that was
 * killed (SIGTERM, SIGKILL) before it put them in place: removed when that process is gone. A
 * live pid's files are left alone (another plot of the same folder may be drawing them). */
static void remove_stale_drawn(const char *fdir) {
  DIR *d = opendir(fdir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    const char *t = strstr(e->d_name, ".tmp-");
    if (!t) continue;
    char *end;
    long pid = strtol(t + 5, &end, 10);
    if (end == t + 5 || pid <= 0 || (strcmp(end, ".png") && strcmp(end, ".svg"))) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", fdir, e->d_name) < (int)sizeof path) unlink(path);
  }
  closedir(d);
}

/* The length of `path` up to and including its last newline (0: none), or -1 if unreadable. */
static long long whole_lines(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  char buf[4096];
  long long end = 0;
  if (fseeko(f, 0, SEEK_END) == 0) {
    off_t pos = ftello(f);
    while (pos > 0 && end == 0) {
      size_t n = pos < (off_t)sizeof buf ? (size_t)pos : sizeof buf;
      pos -= (off_t)n;
      if (fseeko(f, pos, SEEK_SET) != 0 || fread(buf, 1, n, f) != n) break;
      for (size_t i = n; i-- > 0;)
        if (buf[i] == '\n') {
          end = (long long)pos + (long long)i + 1;
          break;
        }
    }
  }
  fclose(f);
  return end;
}

/* Where the run's rows are: metrics.csv — or, for a run that has not ended (still running,
 * killed, crashed: its rows are in metrics.csv.part, which the end renames), the .part up to its
 * last whole line (the last row may be cut), when that holds more. *limit: bytes to read. */
static const char *metrics_source(const char *mpath, char *ppath, size_t pn, long long *limit,
                                  int quiet) {
  struct stat ms, ps;
  *limit = -1;
  int n = snprintf(ppath, pn, "%s.part", mpath);
  if (n < 0 || (size_t)n >= pn || stat(ppath, &ps) != 0 || !S_ISREG(ps.st_mode)) return mpath;
  long long whole = whole_lines(ppath);
  if (whole <= 0 || (stat(mpath, &ms) == 0 && (long long)ms.st_size >= whole)) return mpath;
  if (!quiet)
    fprintf(stderr,
            "gradlab: plot: note: %s: the run has not ended (it is running, or it was killed or "
            "crashed): the figures use the rows of metrics.csv.part up to its last whole line\n",
            mpath);
  *limit = whole;
  return ppath;
}

static int plot_dir(const char *run_dir, int explicit_request, int quiet, const double *steps,
                    int nsteps, int draw) {
  char mpath[PATH_MAX], fdir[PATH_MAX];
  int nm = snprintf(mpath, sizeof mpath, "%s/metrics.csv", run_dir);
  int nf = snprintf(fdir, sizeof fdir, "%s/figures", run_dir);
  if (nm < 0 || (size_t)nm >= sizeof mpath || nf < 0 || (size_t)nf >= sizeof fdir)
    return cli_error("plot: '%s': path too long for its files (metrics.csv, figures/)", run_dir);
  struct stat sb;
  if (stat(run_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
    return cli_error("plot: '%s' is not a run folder", run_dir);
  /* metrics.csv first, whole: a damaged file is an error before any figure file is written */
  metrics m = {0};
  char ppath[PATH_MAX + 8];
  long long limit;
  m.path = metrics_source(mpath, ppath, sizeof ppath, &limit, quiet);
  int rc = plot_csv_each_row_upto(m.path, limit, metrics_row, &m);
  if (rc < 0) {
    metrics_free(&m);
    return CLI_FAIL;
  }
  if (rc == 0 && nsteps) check_steps(&m, steps, nsteps);
  int made_fdir = mkdir(fdir, 0777) == 0;
  if (!made_fdir && errno != EEXIST) {
    metrics_free(&m);
    return cli_error("plot: cannot create %s: %s", fdir, strerror(errno));
  }
  /* A symbolic link at figures/ (a run folder received from someone else) would have the
   * figures written, and `run --overwrite` clear them, wherever it points: refused. */
  struct stat fst;
  if (lstat(fdir, &fst) != 0) {
    metrics_free(&m);
    return cli_error("plot: cannot use %s: %s", fdir, strerror(errno));
  }
  if (!S_ISDIR(fst.st_mode)) {
    metrics_free(&m);
    return cli_error("plot: %s is %s: figures are written only into a real folder there "
                     "(remove it, or plot a copy of the run folder)",
                     fdir, S_ISLNK(fst.st_mode) ? "a symbolic link" : "not a folder");
  }
  remove_stale_drawn(fdir);
  emit_ctx c = {fdir, NULL, quiet, 0, 0};
  const char *env = getenv("GRADLAB_GNUPLOT");
  if (draw && !(c.gnuplot = find_gnuplot()))
    fprintf(stderr,
            "gradlab: %s: %s%s%s (install the Debian package gnuplot-nox); the figure "
            "scripts (.gp) are written to %s, the data stays in %s\n",
            explicit_request ? "error" : "note",
            env && *env ? "GRADLAB_GNUPLOT=" : "gnuplot not found on PATH", env && *env ? env : "",
            env && *env ? " is not an executable gnuplot" : "", fdir, mpath);
  if (rc == 0 && metrics_mixed(&m)) {
    if (!quiet)
      fprintf(stderr,
              "gradlab: plot: %s holds several models' rows (named models, or steps that repeat); the "
              "per-step standard figures are skipped — a study's own figures are in "
              "figures.csv\n",
              mpath);
  } else if (rc == 0) {
    rc = metrics_figures(&m, steps, nsteps, emit_figure, &c);
  } else if (rc == 1)
    rc = 0; /* no metrics.csv: only declared figures, if any */
  metrics_free(&m);
  rc |= plot_spec_figures(run_dir, emit_figure, &c);
  if (!c.written && !rc) {
    if (made_fdir) rmdir(fdir); /* no empty figures/ left behind */
    if (!quiet) fprintf(stderr, "gradlab: plot: nothing to plot in %s\n", run_dir);
    return explicit_request ? CLI_FAIL : CLI_OK;
  }
  if (rc) return CLI_FAIL;
  if (draw && !c.gnuplot) return explicit_request ? CLI_FAIL : CLI_OK;
  return CLI_OK;
}

int cli_plot_dir(const char *run_dir, int explicit_request, int quiet) {
  return plot_dir(run_dir, explicit_request, quiet, NULL, 0, 1);
}

static void plot_usage(FILE *f) {
  fprintf(f,
          "usage: gradlab plot RUN_DIR [--steps A,B,...] [--no-draw] [--quiet]\n\n"
          "Draws a run folder's figures into RUN_DIR/figures/ (PNG %dx%d and SVG via gnuplot;\n"
          "the .gp scripts and .dat files stay beside them): gradient norm per layer over\n"
          "steps, per-layer bars at chosen steps (--steps, default first..last), ||dL/dh_t||\n"
          "over t for recurrent layers, loss/accuracy curves, and the figures a study\n"
          "declared in RUN_DIR/figures.csv.\n"
          "  --no-draw  write the .gp/.dat files only (do not run gnuplot)\n"
          "environment: GRADLAB_GNUPLOT=PATH uses that gnuplot instead of the one on PATH\n",
          PNG_W, PNG_H);
}

/* --steps A,B,...: up to MAX_BAR_STEPS recorded step numbers (whole numbers >= 0). */
static int parse_steps(const char *list, double *steps, int *nsteps) {
  char buf[64];
  *nsteps = 0;
  for (const char *p = list;;) {
    size_t len = strcspn(p, ",");
    char tok[64];
    snprintf(tok, sizeof tok, "%.*s", (int)(len < sizeof tok - 1 ? len : sizeof tok - 1), p);
    double v;
    const char *why = whole_number(tok, PLOT_STEP_MAX, &v);
    if (why || len >= sizeof tok - 1) {
      cli_error("plot: --steps %s: step %s %s; steps are recorded step numbers 0, 1, 2, ... "
                "(e.g. --steps 0,100,1000)",
                list, shown(tok, buf, sizeof buf), why ? why : "is out of range");
      return CLI_USAGE;
    }
    if (*nsteps == MAX_BAR_STEPS) {
      cli_error("plot: --steps %s: at most %d steps", list, MAX_BAR_STEPS);
      return CLI_USAGE;
    }
    steps[(*nsteps)++] = v;
    if (!p[len]) return CLI_OK;
    p += len + 1;
  }
}

static void on_sigpipe(int sig) {
  (void)sig; /* the write to the closed pipe fails with EPIPE instead */
}

/* `gradlab plot RUN | head`: a reader that goes away must not kill the plot half-way (22 of 36
 * figure files once). SIGPIPE is caught, not ignored, so gnuplot gets the default back; and it
 * stays caught until the process ends, since stdout's buffer is written once more at exit. */
static int plot_dir_guarded(const char *dir, int quiet, const double *steps, int nsteps, int draw) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigpipe;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGPIPE, &sa, NULL);
  return plot_dir(dir, 1, quiet, steps, nsteps, draw);
}

int cli_plot(int argc, char **argv) {
  const char *dir = NULL;
  double steps[MAX_BAR_STEPS];
  int nsteps = 0, draw = 1, quiet = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      plot_usage(stdout);
      return CLI_OK;
    } else if (!strcmp(argv[i], "--no-draw")) {
      draw = 0;
    } else if (!strcmp(argv[i], "--quiet")) {
      quiet = 1;
    } else if (!strcmp(argv[i], "--steps") || !strncmp(argv[i], "--steps=", 8)) {
      const char *list = argv[i][7] == '='                               ? argv[i] + 8
                         : i + 1 < argc && strncmp(argv[i + 1], "--", 2) ? argv[++i]
                                                                         : NULL;
      if (!list || !*list) {
        cli_error("plot: --steps needs a value: the steps to show, e.g. --steps 0,100,1000");
        return CLI_USAGE;
      }
      if (parse_steps(list, steps, &nsteps) != CLI_OK) return CLI_USAGE;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      cli_error("plot: unknown option '%s' (see 'gradlab plot --help')", argv[i]);
      return CLI_USAGE;
    } else if (dir) {
      cli_error("plot: one run folder at a time (got '%s' and '%s')", dir, argv[i]);
      return CLI_USAGE;
    } else {
      dir = argv[i];
    }
  }
  if (!dir) {
    cli_error("plot: no run folder given");
    plot_usage(stderr);
    return CLI_USAGE;
  }
  if (!*dir) {
    cli_error("plot: the run folder's name is empty");
    return CLI_USAGE;
  }
  return plot_dir_guarded(dir, quiet, steps, nsteps, draw);
}
