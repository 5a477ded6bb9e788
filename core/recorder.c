/* recorder.c — per-layer gradient statistics at every N-th step, kept in columns with bounded
 * memory, queryable by dotted path, and written as tidy metrics.csv rows.
 *
 * Each layer has a fixed row layout of doubles (see the COL_ constants): output_grad S,
 * activation S + saturation + dead, per parameter value S + grad S + update norm + ratio, then one
 * column per time step (the norm of dL/dh_t). Rows are shared by all layers. Memory policy:
 * at most `capacity` rows; when full, every second row is dropped and the keep-stride doubles
 * (rows kept are the records number 0, s, 2s, ... for stride s), so the history always covers the
 * whole run evenly in O(capacity) memory. The latest record is always complete, with full S for
 * every time step. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/error.h"
#include "gradlab/model.h"
#include "gradlab/runlog.h"
#include "gradlab/stats.h"
#include "smt_internal.h"

#define NS GLAB_STAT_NFIELDS
#define COL_OG 0
#define COL_ACT NS
#define COL_SAT (2 * NS)
#define COL_DEAD (2 * NS + 1)
#define COL_PARAMS (2 * NS + 2)
#define PCOLS (2 * NS + 2) /* value S, grad S, update_norm, update_ratio */

typedef struct slot {
  glab_layer *layer;
  glab_act_kind act;
  int np;
  glab_var **pvars;
  char **ptensor; /* "params.weight" */
  char **pgrad;   /* "params.weight.grad" */
  glab_param_record *precs;
  glab_layer_record rec;
  int tcap;  /* rec.time capacity */
  int tcols; /* time columns in the history */
  int width; /* history row width */
  double *hist;
} slot;

struct glab_recorder {
  glab_model *model;
  long every;
  size_t capacity;
  slot *slots;
  int n;
  long *steps;
  int *epochs;
  size_t nrows;
  long stride;
  long ncommits;
  int pending;
  int have_latest;
  glab_runlog *log;
};

void glab_recorder_opts_init(glab_recorder_opts *o) {
  o->every = 1;
  o->capacity = 4096;
}

static char *dupcat(const char *a, const char *b, const char *c) {
  size_t len = strlen(a) + strlen(b) + strlen(c) + 1;
  char *s = malloc(len);
  if (s) snprintf(s, len, "%s%s%s", a, b, c);
  return s;
}

static void slot_free(slot *s) {
  for (int j = 0; j < s->np; j++) {
    if (s->ptensor) free(s->ptensor[j]);
    if (s->pgrad) free(s->pgrad[j]);
  }
  free(s->ptensor);
  free(s->pgrad);
  free(s->pvars);
  free(s->precs);
  free(s->rec.time);
  free(s->hist);
}

static int slot_init(slot *s, glab_layer *l, size_t capacity) {
  memset(s, 0, sizeof *s);
  s->layer = l;
  const glab_layer_type *t = glab_layer_get_type(l);
  s->act = t ? t->activation : GLAB_ACT_NONE;
  s->np = glab_layer_nparams(l);
  size_t np = (size_t)s->np + 1;
  s->pvars = calloc(np, sizeof *s->pvars);
  s->ptensor = calloc(np, sizeof *s->ptensor);
  s->pgrad = calloc(np, sizeof *s->pgrad);
  s->precs = calloc(np, sizeof *s->precs);
  if (!s->pvars || !s->ptensor || !s->pgrad || !s->precs) return GLAB_ERR_NOMEM;
  for (int j = 0; j < s->np; j++) {
    const char *name = NULL;
    int buf = 0;
    s->pvars[j] = glab_layer_param_at(l, j, &name, &buf);
    s->precs[j].name = name;
    s->precs[j].is_buffer = buf;
    s->ptensor[j] = dupcat("params.", name, "");
    s->pgrad[j] = dupcat("params.", name, ".grad");
    if (!s->ptensor[j] || !s->pgrad[j]) return GLAB_ERR_NOMEM;
  }
  s->rec.params = s->precs;
  s->rec.nparams = s->np;
  s->width = COL_PARAMS + s->np * PCOLS;
  s->hist = malloc(capacity * (size_t)s->width * sizeof *s->hist);
  return s->hist ? GLAB_OK : GLAB_ERR_NOMEM;
}

glab_recorder *glab_recorder_create(glab_model *model, const glab_recorder_opts *opts) {
  glab_recorder_opts o;
  glab_recorder_opts_init(&o);
  if (opts) o = *opts;
  if (!model) {
    glab_error(GLAB_ERR_ARG, "recorder: NULL model");
    return NULL;
  }
  if (o.capacity < 16) o.capacity = 16;
  if (o.every < 0) o.every = 0;
  glab_recorder *r = calloc(1, sizeof *r);
  if (!r) goto nomem;
  r->model = model;
  r->every = o.every;
  r->capacity = o.capacity;
  r->stride = 1;
  r->n = glab_model_nall(model);
  r->slots = calloc((size_t)r->n + 1, sizeof *r->slots);
  r->steps = malloc(o.capacity * sizeof *r->steps);
  r->epochs = malloc(o.capacity * sizeof *r->epochs);
  if (!r->slots || !r->steps || !r->epochs) goto nomem;
  for (int i = 0; i < r->n; i++)
    if (slot_init(&r->slots[i], glab_model_all(model, i), o.capacity) != GLAB_OK) goto nomem;
  return r;
nomem:
  glab_recorder_destroy(r);
  glab_error(GLAB_ERR_NOMEM, "recorder: out of memory");
  return NULL;
}

void glab_recorder_destroy(glab_recorder *r) {
  if (!r) return;
  for (int i = 0; r->slots && i < r->n; i++)
    slot_free(&r->slots[i]);
  free(r->slots);
  free(r->steps);
  free(r->epochs);
  free(r);
}

void glab_recorder_set_every(glab_recorder *r, long every) {
  if (r) r->every = every > 0 ? every : 0;
}
long glab_recorder_every(const glab_recorder *r) {
  return r ? r->every : 0;
}
int glab_recorder_due(const glab_recorder *r, long step) {
  return r && r->every > 0 && step % r->every == 0;
}
void glab_recorder_set_runlog(glab_recorder *r, glab_runlog *log) {
  if (r) r->log = log;
}

/* ---- capture and commit ------------------------------------------------------------------ */

static int ensure_time(slot *s, int T) {
  if (T <= s->tcap) return GLAB_OK;
  glab_stats *t = realloc(s->rec.time, (size_t)T * sizeof *t);
  if (!t) return glab_error(GLAB_ERR_NOMEM, "recorder: out of memory for %d time steps", T);
  s->rec.time = t;
  s->tcap = T;
  return GLAB_OK;
}

int glab_recorder_capture(glab_recorder *r, long step, int epoch) {
  if (!r) return glab_error(GLAB_ERR_ARG, "recorder: NULL");
  if (r->pending) glab_recorder_commit(r, NULL);
  for (int i = 0; i < r->n; i++) {
    slot *s = &r->slots[i];
    glab_layer_record *rec = &s->rec;
    rec->layer = glab_layer_name(s->layer);
    rec->step = step;
    rec->epoch = epoch;
    glab_var **steps = NULL;
    int T = 0;
    glab_var *out = glab_model_node(r->model, i, &steps, &T);
    rec->has_output_grad = out && out->grad;
    if (rec->has_output_grad)
      glab_stats_compute(out->grad, out->value.size, &rec->output_grad);
    else
      memset(&rec->output_grad, 0, sizeof rec->output_grad);
    rec->has_activation = out != NULL;
    rec->saturation = rec->dead = NAN;
    if (out) {
      double frac = 0;
      glab_stats_compute_act(out->value.data, out->value.size, s->act, &rec->activation, &frac);
      if (s->act == GLAB_ACT_SIGMOID || s->act == GLAB_ACT_TANH) rec->saturation = frac;
      if (s->act == GLAB_ACT_RELU) rec->dead = frac;
    } else {
      memset(&rec->activation, 0, sizeof rec->activation);
    }
    for (int j = 0; j < s->np; j++) {
      glab_param_record *p = &s->precs[j];
      glab_var *v = s->pvars[j];
      if (!p->is_buffer && v->grad)
        glab_stats_compute(v->grad, v->value.size, &p->grad);
      else
        memset(&p->grad, 0, sizeof p->grad);
      p->update_norm = p->update_ratio = NAN;
    }
    rec->ntime = 0;
    if (T > 0 && steps && ensure_time(s, T) == GLAB_OK) {
      for (int t = 0; t < T; t++) {
        glab_var *h = steps[t];
        if (h && h->grad)
          glab_stats_compute(h->grad, h->value.size, &rec->time[t]);
        else {
          memset(&rec->time[t], 0, sizeof rec->time[t]);
          if (h) rec->time[t].count = h->value.size;
        }
      }
      rec->ntime = T;
    }
  }
  r->pending = 1;
  return GLAB_OK;
}

static void put_stats(double *row, const glab_stats *s) {
  for (int k = 0; k < NS; k++)
    row[k] = glab_stats_get(s, k);
}

/* Widen a layer's history rows for more time steps (new cells NaN). */
static int grow_time_cols(glab_recorder *r, slot *s, int T) {
  int width = COL_PARAMS + s->np * PCOLS + T;
  double *h = malloc(r->capacity * (size_t)width * sizeof *h);
  if (!h) return glab_error(GLAB_ERR_NOMEM, "recorder: out of memory for %d time steps", T);
  for (size_t row = 0; row < r->nrows; row++) {
    memcpy(h + row * (size_t)width, s->hist + row * (size_t)s->width, (size_t)s->width * sizeof *h);
    for (int c = s->width; c < width; c++)
      h[row * (size_t)width + (size_t)c] = NAN;
  }
  free(s->hist);
  s->hist = h;
  s->width = width;
  s->tcols = T;
  return GLAB_OK;
}

static void thin(glab_recorder *r) {
  size_t keep = 0;
  for (size_t row = 0; row < r->nrows; row += 2, keep++) {
    r->steps[keep] = r->steps[row];
    r->epochs[keep] = r->epochs[row];
    for (int i = 0; i < r->n; i++) {
      slot *s = &r->slots[i];
      memmove(s->hist + keep * (size_t)s->width, s->hist + row * (size_t)s->width,
              (size_t)s->width * sizeof *s->hist);
    }
  }
  r->nrows = keep;
  r->stride *= 2;
}

static void store_row(glab_recorder *r) {
  long k = r->ncommits++;
  if (k % r->stride != 0) return;
  if (r->nrows == r->capacity) thin(r);
  if (k % r->stride != 0) return;
  size_t row = r->nrows;
  for (int i = 0; i < r->n; i++) {
    slot *s = &r->slots[i];
    const glab_layer_record *rec = &s->rec;
    if (rec->ntime > s->tcols && grow_time_cols(r, s, rec->ntime) != GLAB_OK) return;
    double *d = s->hist + row * (size_t)s->width;
    put_stats(d + COL_OG, &rec->output_grad);
    if (!rec->has_output_grad)
      for (int k2 = 0; k2 < NS; k2++)
        d[COL_OG + k2] = NAN;
    put_stats(d + COL_ACT, &rec->activation);
    d[COL_SAT] = rec->saturation;
    d[COL_DEAD] = rec->dead;
    for (int j = 0; j < s->np; j++) {
      double *p = d + COL_PARAMS + j * PCOLS;
      put_stats(p, &s->precs[j].value);
      put_stats(p + NS, &s->precs[j].grad);
      p[2 * NS] = s->precs[j].update_norm;
      p[2 * NS + 1] = s->precs[j].update_ratio;
    }
    double *tc = d + COL_PARAMS + s->np * PCOLS;
    for (int t = 0; t < s->tcols; t++)
      tc[t] = t < rec->ntime ? rec->time[t].norm : NAN;
  }
  r->steps[row] = r->slots && r->n ? r->slots[0].rec.step : 0;
  r->epochs[row] = r->slots && r->n ? r->slots[0].rec.epoch : 0;
  r->nrows++;
}

static void emit_stats(glab_runlog *log, const glab_layer_record *rec, const char *layer,
                       const char *tensor, const glab_stats *s) {
  for (int k = 0; k < NS; k++)
    glab_runlog_metric(log, rec->step, rec->epoch, layer, tensor, glab_stat_name(k),
                       glab_stats_get(s, k));
}

static void emit_csv(glab_recorder *r) {
  for (int i = 0; i < r->n; i++) {
    slot *s = &r->slots[i];
    const glab_layer_record *rec = &s->rec;
    char buf[256], *heap; /* the row's layer column: "NAME/3" for a named model */
    const char *layer = glab_model_row_layer(r->model, rec->layer, buf, sizeof buf, &heap);
    if (!layer) layer = rec->layer; /* no memory for the name: the rows still go out */
    if (rec->has_output_grad) emit_stats(r->log, rec, layer, "output_grad", &rec->output_grad);
    if (rec->has_activation) {
      emit_stats(r->log, rec, layer, "activation", &rec->activation);
      if (!isnan(rec->saturation))
        glab_runlog_metric(r->log, rec->step, rec->epoch, layer, "activation", "saturation",
                           rec->saturation);
      if (!isnan(rec->dead))
        glab_runlog_metric(r->log, rec->step, rec->epoch, layer, "activation", "dead", rec->dead);
    }
    for (int j = 0; j < s->np; j++) {
      const glab_param_record *p = &s->precs[j];
      emit_stats(r->log, rec, layer, s->ptensor[j], &p->value);
      if (p->is_buffer) continue;
      if (!isnan(p->update_norm)) {
        glab_runlog_metric(r->log, rec->step, rec->epoch, layer, s->ptensor[j], "update_norm",
                           p->update_norm);
        glab_runlog_metric(r->log, rec->step, rec->epoch, layer, s->ptensor[j], "update_ratio",
                           p->update_ratio);
      }
      emit_stats(r->log, rec, layer, s->pgrad[j], &p->grad);
    }
    for (int t = 0; t < rec->ntime; t++) {
      char tensor[32];
      snprintf(tensor, sizeof tensor, "time.%d", t + 1);
      glab_runlog_metric(r->log, rec->step, rec->epoch, layer, tensor, "norm", rec->time[t].norm);
    }
    free(heap);
  }
}

int glab_recorder_commit(glab_recorder *r, const glab_optimizer *opt) {
  if (!r) return glab_error(GLAB_ERR_ARG, "recorder: NULL");
  if (!r->pending) return GLAB_OK;
  for (int i = 0; i < r->n; i++) {
    slot *s = &r->slots[i];
    for (int j = 0; j < s->np; j++) {
      glab_param_record *p = &s->precs[j];
      glab_var *v = s->pvars[j];
      const glab_real *u = opt && !p->is_buffer ? glab_optimizer_last_update(opt, v) : NULL;
      /* the value and the update in one pass */
      glab_stats_compute_pair(v->value.data, u, v->value.size, &p->value, &p->update_norm, NULL);
      if (u)
        p->update_ratio = glab_update_ratio(p->update_norm, p->value.norm);
      else
        p->update_norm = NAN;
    }
  }
  r->pending = 0;
  r->have_latest = 1;
  store_row(r);
  if (r->log) {
    emit_csv(r);
    glab_runlog_push_rows(r->log); /* a failed write is remembered and raised by the next metric */
  }
  return GLAB_OK;
}

int glab_recorder_record(glab_recorder *r, long step, int epoch, const glab_optimizer *opt) {
  int rc = glab_recorder_capture(r, step, epoch);
  return rc != GLAB_OK ? rc : glab_recorder_commit(r, opt);
}

const glab_layer_record *glab_recorder_pending(const glab_recorder *r, int i) {
  return r && r->pending && i >= 0 && i < r->n ? &r->slots[i].rec : NULL;
}

/* ---- queries ------------------------------------------------------------------------------ */

int glab_recorder_nlayers(const glab_recorder *r) {
  return r ? r->n : 0;
}
const char *glab_recorder_layer_name(const glab_recorder *r, int i) {
  return r && i >= 0 && i < r->n ? glab_layer_name(r->slots[i].layer) : NULL;
}
glab_layer *glab_recorder_layer(const glab_recorder *r, int i) {
  return r && i >= 0 && i < r->n ? r->slots[i].layer : NULL;
}

int glab_recorder_find(const glab_recorder *r, const char *name) {
  for (int i = 0; r && name && i < r->n; i++)
    if (!strcmp(glab_layer_name(r->slots[i].layer), name)) return i;
  glab_error(GLAB_ERR_NOTFOUND, "recorder: no layer named '%s'", name ? name : "(null)");
  return -1;
}

int glab_recorder_find_layer(const glab_recorder *r, const glab_layer *l) {
  for (int i = 0; r && i < r->n; i++)
    if (r->slots[i].layer == l) return i;
  glab_error(GLAB_ERR_NOTFOUND, "recorder: the layer is not part of this model");
  return -1;
}

const glab_layer_record *glab_recorder_latest(glab_recorder *r, int i) {
  if (!r || i < 0 || i >= r->n) return NULL;
  if (r->pending) glab_recorder_commit(r, NULL);
  return r->have_latest ? &r->slots[i].rec : NULL;
}

/* ---- history paths ------------------------------------------------------------------------ */

/* Is s[0..n) a statistic name (an S field, or one of `extra`, NULL-terminated)? */
static int is_field(const char *s, size_t n, const char *const *extra) {
  char buf[24];
  if (n == 0 || n >= sizeof buf || memchr(s, '\0', n)) return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  if (glab_stat_index(buf) >= 0) return 1;
  for (; extra && *extra; extra++)
    if (!strcmp(*extra, buf)) return 1;
  return 0;
}

static int is_word(const char *s, size_t n, const char *word) {
  return n == strlen(word) && !memcmp(s, word, n);
}

/* A path as messages show it: a long one (a script may pass anything) cut to its first 40
 * bytes and its length, never echoed in full. */
static const char *shown_path(const char *path, size_t len, char *buf, size_t size) {
  if (len > 60)
    snprintf(buf, size, "%.40s... (%zu bytes)", path, len);
  else
    snprintf(buf, size, "%.*s", (int)len, path);
  return buf;
}

/* The history column of path[0..len) in slot i, -2 for a time step beyond the longest sequence
 * seen (reads as NaN), or -1 with an error. Strict: one of
 *   output_grad.S   activation.S|saturation|dead   params.NAME.S|update_norm|update_ratio
 *   params.NAME.grad.S   time.T.norm (T: digits from 1, no sign, space or leading zero, <= INT_MAX)
 * and time steps only on a layer whose records have them. */
static int path_column(const glab_recorder *r, int i, const char *path, size_t len) {
  static const char *const act_extra[] = {"saturation", "dead", NULL};
  static const char *const param_extra[] = {"update_norm", "update_ratio", NULL};
  const slot *s = &r->slots[i];
  const char *lname = glab_layer_name(s->layer);
  const glab_layer_type *lt = glab_layer_get_type(s->layer);
  const char *ltype = lt && lt->name ? lt->name : "?";
  char shown[80];
  if (!path) {
    glab_error(GLAB_ERR_ARG, "history: NULL path for layer '%s' (%s)", lname, ltype);
    return -1;
  }
  /* head.field, or head.mid.field (mid may hold dots: a parameter's name, "NAME.grad") */
  const char *dot1 = memchr(path, '.', len), *dot2 = path + len;
  if (!dot1) goto bad;
  while (*--dot2 != '.') /* the last dot: dot1 at the latest */
    ;
  if (dot2 == dot1) dot2 = NULL;
  const char *head = path, *field = (dot2 ? dot2 : dot1) + 1, *mid = dot1 + 1;
  size_t hlen = (size_t)(dot1 - path), flen = len - (size_t)(field - path);
  size_t mlen = dot2 ? (size_t)(dot2 - mid) : 0;
  int k = -1;
  if (is_field(field, flen, NULL)) {
    char f[24];
    memcpy(f, field, flen);
    f[flen] = '\0';
    k = glab_stat_index(f);
  }
  if (!dot2 && is_word(head, hlen, "output_grad") && k >= 0) return COL_OG + k;
  if (!dot2 && is_word(head, hlen, "activation") && is_field(field, flen, act_extra)) {
    if (k >= 0) return COL_ACT + k;
    return is_word(field, flen, "saturation") ? COL_SAT : COL_DEAD;
  }
  if (dot2 && is_word(head, hlen, "time") && !memchr(mid, '.', mlen)) {
    int digits = mlen > 0 && mlen <= 10 && mid[0] >= '1' && mid[0] <= '9';
    long long t = 0;
    for (size_t j = 0; digits && j < mlen; j++) {
      digits = mid[j] >= '0' && mid[j] <= '9';
      t = t * 10 + (mid[j] - '0');
    }
    if (!digits || t > INT_MAX) {
      glab_error(GLAB_ERR_ARG,
                 "history: bad path '%s' for layer '%s' (%s): a time step is a whole number from "
                 "1 written in digits (time.3.norm)",
                 shown_path(path, len, shown, sizeof shown), lname, ltype);
      return -1;
    }
    if (!is_word(field, flen, "norm")) {
      glab_error(GLAB_ERR_ARG,
                 "history: bad path '%s' for layer '%s' (%s): time steps keep their norm only "
                 "(time.%.*s.norm)",
                 shown_path(path, len, shown, sizeof shown), lname, ltype, (int)mlen, mid);
      return -1;
    }
    if (r->have_latest && r->nrows && s->rec.ntime == 0 && s->tcols == 0) {
      glab_error(GLAB_ERR_ARG,
                 "history: layer '%s' (%s) has no time steps (time.<t>.norm is recorded for "
                 "recurrent layers)",
                 lname, ltype);
      return -1;
    }
    return t > s->tcols ? -2 : COL_PARAMS + s->np * PCOLS + (int)t - 1;
  }
  if (dot2 && is_word(head, hlen, "params")) {
    int grad = mlen > 5 && !memcmp(mid + mlen - 5, ".grad", 5);
    size_t nlen = grad ? mlen - 5 : mlen;
    /* every dot-separated part of the name is non-empty */
    if (nlen == 0 || mid[0] == '.' || mid[nlen - 1] == '.') goto bad;
    for (size_t j = 1; j < nlen; j++)
      if (mid[j] == '.' && mid[j - 1] == '.') goto bad;
    if (!(grad ? k >= 0 : is_field(field, flen, param_extra))) goto bad;
    for (int j = 0; j < s->np; j++) {
      const char *pname = s->precs[j].name;
      if (strlen(pname) != nlen || memcmp(pname, mid, nlen)) continue;
      int base = COL_PARAMS + j * PCOLS;
      if (s->precs[j].is_buffer && (grad || k < 0)) {
        /* a buffer has value statistics only (its grad and update columns stay 0) */
        glab_error(GLAB_ERR_NOTFOUND,
                   "history: '%s' of layer %s is a buffer, with value statistics only (path '%s')",
                   pname, lname, shown_path(path, len, shown, sizeof shown));
        return -1;
      }
      if (k >= 0) return base + (grad ? NS : 0) + k;
      return base + 2 * NS + (is_word(field, flen, "update_norm") ? 0 : 1);
    }
    char name[48];
    snprintf(name, sizeof name, "%.*s%s", (int)(nlen > 40 ? 40 : nlen), mid,
             nlen > 40 ? "..." : "");
    glab_error(GLAB_ERR_NOTFOUND, "history: layer %s has no parameter '%s' (path '%s')", lname,
               name, shown_path(path, len, shown, sizeof shown));
    return -1;
  }
bad:
  glab_error(GLAB_ERR_ARG,
             "history: unknown path '%s' for layer '%s' (%s) (e.g. output_grad.norm, "
             "activation.dead, params.weight.grad.norm, params.weight.update_ratio, time.3.norm)",
             shown_path(path, len, shown, sizeof shown), lname, ltype);
  return -1;
}

int glab_recorder_check_path(glab_recorder *r, int i, const char *path, size_t len) {
  if (!r || i < 0 || i >= r->n) return glab_error(GLAB_ERR_ARG, "history: no layer %d", i);
  if (r->pending) glab_recorder_commit(r, NULL);
  return path_column(r, i, path, len) == -1 ? glab_last_status() : GLAB_OK;
}

long glab_recorder_history(glab_recorder *r, int i, const char *path, double *values, long *steps,
                           int *epochs, size_t max) {
  if (!r || i < 0 || i >= r->n) {
    glab_error(GLAB_ERR_ARG, "history: no layer %d", i);
    return -1;
  }
  if (r->pending) glab_recorder_commit(r, NULL);
  slot *s = &r->slots[i];
  int col = path_column(r, i, path, path ? strlen(path) : 0);
  if (col == -1) return -1;
  for (size_t row = 0; row < r->nrows && row < max; row++) {
    if (values) values[row] = col < 0 ? NAN : s->hist[row * (size_t)s->width + (size_t)col];
    if (steps) steps[row] = r->steps[row];
    if (epochs) epochs[row] = r->epochs[row];
  }
  return (long)r->nrows;
}

size_t glab_recorder_nrows(const glab_recorder *r) {
  return r ? r->nrows : 0;
}
long glab_recorder_stride(const glab_recorder *r) {
  return r ? r->stride * r->every : 0;
}

size_t glab_recorder_memory(const glab_recorder *r) {
  if (!r) return 0;
  size_t b = sizeof *r + (size_t)r->n * sizeof(slot) + r->capacity * (sizeof(long) + sizeof(int));
  for (int i = 0; i < r->n; i++) {
    const slot *s = &r->slots[i];
    b += r->capacity * (size_t)s->width * sizeof(double);
    b += (size_t)s->tcap * sizeof(glab_stats) + (size_t)s->np * (sizeof(glab_param_record) + 48);
  }
  return b;
}

void glab_recorder_clear(glab_recorder *r) {
  if (!r) return;
  r->nrows = 0;
  r->stride = 1;
  r->ncommits = 0;
  r->pending = 0;
  r->have_latest = 0;
}
