/* optim.c — optimizer instances: the core side of an optimizer type. Validates the config (the
 * type's options plus clip_norm and clip_value), checks every gradient is finite, clips (global
 * L2 norm, then by value), keeps per-parameter state arrays (allocated on first sight, keyed by
 * the parameter's address), asks the type for each update and applies it, keeping the last
 * update of every parameter for the statistics. */
#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/config.h"
#include "gradlab/error.h"
#include "gradlab/optim.h"
#include "gradlab/registry.h"

typedef struct pstate {
  const glab_var *param;
  size_t n;
  long steps;       /* updates applied to this parameter */
  glab_real *state; /* state_slots * n, zeroed */
  glab_real *last;  /* last update, n */
} pstate;

struct glab_optimizer {
  const glab_optimizer_type *type;
  glab_config *cfg;
  glab_option *options; /* the type's options + the generic ones */
  void *impl;
  double clip_norm, clip_value;
  long steps;
  double last_norm;
  pstate *ps;
  size_t nps, cap;
  size_t hint; /* where the next lookup starts: parameters come in the same order each step */
};

static const glab_option generic_options[] = {
    {"clip_norm", GLAB_OPT_REAL, "",
     "clip the global L2 norm of all gradients to this (unset or 0: off)"},
    {"clip_value", GLAB_OPT_REAL, "", "clip every gradient element to [-v, v] (unset or 0: off)"},
    GLAB_OPTIONS_END};
static const glab_option_range generic_ranges[] = {
    {"clip_norm", "[0,inf)"}, {"clip_value", "[0,inf)"}, GLAB_RANGES_END};

const glab_option *glab_optimizer_generic_options(void) {
  return generic_options;
}

void glab_optimizer_set_impl(glab_optimizer *o, void *impl) {
  o->impl = impl;
}
void *glab_optimizer_impl(const glab_optimizer *o) {
  return o ? o->impl : NULL;
}
long glab_optimizer_steps(const glab_optimizer *o) {
  return o ? o->steps : 0;
}
double glab_optimizer_last_grad_norm(const glab_optimizer *o) {
  return o ? o->last_norm : NAN;
}
const glab_optimizer_type *glab_optimizer_get_type(const glab_optimizer *o) {
  return o ? o->type : NULL;
}
const glab_config *glab_optimizer_config(const glab_optimizer *o) {
  return o ? o->cfg : NULL;
}


int glab_optimizer_set_clipping(glab_optimizer *o, double clip_norm, double clip_value) {
  if (!o) return glab_error(GLAB_ERR_ARG, "set_clipping: NULL optimizer");
  const double v[2] = {clip_norm, clip_value};
  for (int i = 0; i < 2; i++) /* as the options' range [0,inf): a negative limit is a mistake */
    if (!isfinite(v[i]) || v[i] < 0) {
      char num[40];
      return glab_error(
          GLAB_ERR_ARG, "%s: option '%s' must be a finite number >= 0 (0: off), got %s",
          o->type->name, i ? "clip_value" : "clip_norm", glab_num_text(v[i], num, sizeof num));
    }
  o->clip_norm = clip_norm > 0 ? clip_norm : 0;
  o->clip_value = clip_value > 0 ? clip_value : 0;
  return GLAB_OK;
}

void glab_optimizer_destroy(glab_optimizer *o) {
  if (!o) return;
  if (o->type && o->type->destroy && o->impl) o->type->destroy(o);
  for (size_t i = 0; i < o->nps; i++) {
    free(o->ps[i].state);
    free(o->ps[i].last);
  }
  free(o->ps);
  free(o->options);
  glab_config_destroy(o->cfg);
  free(o);
}

glab_optimizer *glab_optimizer_create(glab_registry *reg, const char *type, glab_config *cfg) {
  const glab_optimizer_type *t = glab_registry_optimizer(reg, type);
  if (!t) {
    glab_error_context("cannot create optimizer");
    return NULL;
  }
  glab_optimizer *o = calloc(1, sizeof *o);
  if (!o) {
    glab_error(GLAB_ERR_NOMEM, "%s: out of memory", t->name);
    return NULL;
  }
  o->type = t;
  size_t nt = 0;
  for (const glab_option *p = t->options; p && p->name; p++)
    nt++;
  o->options = malloc((nt + 3) * sizeof *o->options);
  o->cfg = cfg ? glab_config_copy(cfg) : glab_config_create();
  if (!o->options || !o->cfg) {
    glab_error(GLAB_ERR_NOMEM, "%s: out of memory", t->name);
    goto fail;
  }
  if (nt) memcpy(o->options, t->options, nt * sizeof *o->options);
  memcpy(o->options + nt, generic_options, 3 * sizeof *o->options);
  if (glab_config_validate(o->cfg, o->options, t->name) != GLAB_OK ||
      glab_config_check_ranges(o->cfg, generic_ranges, t->name) != GLAB_OK)
    goto fail;
  if (cfg) glab_config_validate(cfg, o->options, t->name);
  double cn = glab_config_real(o->cfg, "clip_norm"), cv = glab_config_real(o->cfg, "clip_value");
  if (glab_optimizer_set_clipping(o, isnan(cn) ? 0 : cn, isnan(cv) ? 0 : cv) != GLAB_OK)
    goto fail; /* not reached: the ranges were checked (NaN is "not set") */
  glab_clear_error();
  if (t->create && t->create(o, o->cfg) != GLAB_OK) {
    if (!glab_last_error()[0]) glab_error(GLAB_ERR_PLUGIN, "%s: create failed", t->name);
    goto fail;
  }
  return o;
fail : {
  int st = glab_last_status();
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", glab_last_error());
  glab_optimizer_destroy(o);
  glab_error(st ? (glab_status)st : GLAB_ERR_ARG, "%s", msg);
  return NULL;
}
}

/* ---- clipping ---- */

/* L2 norm without overflow or underflow: a scaled sum of squares, as BLAS nrm2. */
typedef struct nrm {
  double scale, ssq;
} nrm;

static void nrm_add(nrm *s, const glab_real *x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    double a = fabs((double)x[i]);
    if (a == 0.0 || isnan(a)) {
      if (isnan(a)) s->ssq = NAN;
      continue;
    }
    if (s->scale < a) {
      s->ssq = 1.0 + s->ssq * (s->scale / a) * (s->scale / a);
      s->scale = a;
    } else {
      s->ssq += (a / s->scale) * (a / s->scale);
    }
  }
}

static int counts(const glab_var *p) {
  return p && p->grad && glab_var_needs_grad(p);
}

/* The two passes of every step over all gradients and parameters (the sum of squares below and
 * apply) are compiled for AVX-512, AVX2 and the x86-64 baseline; the loader picks one (GCC
 * target_clones through a glibc ifunc). They compute in double, two elements per SSE2
 * instruction, and were a fifth of a small net's step. The same IEEE operations in the same
 * order in every clone (no FMA contraction: -ffp-contract=off; the sum's order is written out),
 * so the results are bit-identical whichever runs. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define GLAB_OPTIM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GLAB_OPTIM_CLONES
#endif

/* Plain sum of squares in double, one pass. Eight independent partial sums: a single running
 * sum is one long dependency chain the compiler may not reorder (no -ffast-math), and it cost as
 * much as all the statistics of a step; eight chains let it pipeline and vectorise. */
GLAB_OPTIM_CLONES
static double grad_ssq(glab_var *const *params, int n) {
  double ssq = 0;
  for (int i = 0; i < n; i++) {
    if (!counts(params[i])) continue;
    const glab_real *g = params[i]->grad;
    size_t len = params[i]->value.size, j = 0;
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (; j + 8 <= len; j += 8)
      for (int k = 0; k < 8; k++)
        s[k] += (double)g[j + k] * (double)g[j + k];
    for (; j < len; j++)
      s[0] += (double)g[j] * (double)g[j];
    ssq += ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  }
  return ssq;
}

/* The global L2 norm. The fast sum of squares is exact enough unless it overflowed or came
 * near double's underflow (possible only in a double build); then the scaled form decides. */
static double grad_norm(glab_var *const *params, int n) {
  double ssq = grad_ssq(params, n);
  if (isfinite(ssq) && ssq > 1e-280) return sqrt(ssq);
  nrm s = {0.0, 0.0};
  for (int i = 0; i < n; i++)
    if (counts(params[i])) nrm_add(&s, params[i]->grad, params[i]->value.size);
  return s.scale * sqrt(s.ssq);
}

static void scale_grads(glab_var *const *params, int n, double coef) {
  if (!(coef < 1.0)) return;
  for (int i = 0; i < n; i++) {
    glab_var *p = params[i];
    if (!counts(p)) continue;
    for (size_t j = 0; j < p->value.size; j++)
      p->grad[j] = (glab_real)(p->grad[j] * coef);
  }
}

/* As torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is < 1. */
double glab_clip_grad_norm(glab_var *const *params, int n, double max_norm) {
  double norm = grad_norm(params, n);
  if (!(max_norm > 0) || !isfinite(norm)) return norm;
  scale_grads(params, n, max_norm / (norm + 1e-6));
  return norm;
}

void glab_clip_grad_value(glab_var *const *params, int n, double max_abs) {
  if (!(max_abs > 0)) return;
  glab_real hi = (glab_real)max_abs, lo = -hi;
  for (int i = 0; i < n; i++) {
    glab_var *p = params[i];
    if (!p || !p->grad || !glab_var_needs_grad(p)) continue;
    for (size_t j = 0; j < p->value.size; j++)
      p->grad[j] = p->grad[j] > hi ? hi : p->grad[j] < lo ? lo : p->grad[j];
  }
}

/* ---- per-parameter state ---- */

static pstate *state_for(glab_optimizer *o, const glab_var *p) {
  size_t n = p->value.size;
  for (size_t k = 0; k < o->nps; k++) {
    size_t i = (o->hint + k) % o->nps;
    if (o->ps[i].param == p) {
      o->hint = i + 1;
      pstate *s = &o->ps[i];
      if (s->n != n) { /* a different parameter at a recycled address: start afresh */
        glab_real *st = realloc(s->state, (o->type->state_slots * n + 1) * sizeof *st);
        glab_real *la = realloc(s->last, n * sizeof *la);
        if (st) s->state = st;
        if (la) s->last = la;
        if (!st || !la) {
          glab_error(GLAB_ERR_NOMEM, "%s: out of memory", o->type->name);
          return NULL;
        }
        memset(s->state, 0, o->type->state_slots * n * sizeof *st);
        s->n = n;
        s->steps = 0;
      }
      return s;
    }
  }
  if (o->nps == o->cap) {
    size_t cap = o->cap ? 2 * o->cap : 16;
    pstate *np = realloc(o->ps, cap * sizeof *np);
    if (!np) {
      glab_error(GLAB_ERR_NOMEM, "%s: out of memory", o->type->name);
      return NULL;
    }
    o->ps = np;
    o->cap = cap;
  }
  pstate *s = &o->ps[o->nps];
  memset(s, 0, sizeof *s);
  s->param = p;
  s->n = n;
  s->state = calloc(o->type->state_slots * n + 1, sizeof *s->state);
  s->last = calloc(n ? n : 1, sizeof *s->last);
  if (!s->state || !s->last) {
    free(s->state);
    free(s->last);
    glab_error(GLAB_ERR_NOMEM, "%s: out of memory", o->type->name);
    return NULL;
  }
  o->nps++;
  o->hint = o->nps;
  return s;
}

const glab_real *glab_optimizer_last_update(const glab_optimizer *o, const glab_var *param) {
  if (!o || !param) return NULL;
  for (size_t i = 0; i < o->nps; i++)
    if (o->ps[i].param == param && o->ps[i].steps > 0) return o->ps[i].last;
  return NULL;
}

/* value += delta (the update buffer is the optimizer's own, never the parameter's) */
GLAB_OPTIM_CLONES
static void apply_loop(glab_real *restrict value, const glab_real *restrict delta, size_t n) {
  for (size_t j = 0; j < n; j++)
    value[j] += delta[j];
}

/* A large parameter's apply goes through BLAS's axpy with alpha 1: OpenBLAS splits an axpy of
 * more than 10,000 elements over its thread team (the process's one team, DESIGN 3), so the
 * memory-bound pass runs on both cores, and the gradients and parameters that the team's GEMMs
 * left in the other core's cache are read there. 1·delta is exact and delta + value is one
 * rounding, fused or not, so the result is bit-identical to the loop. 2 BLAS threads, MLP epoch:
 * 0.625 -> 0.602 s; with 1 thread no change. */
static void apply(glab_real *restrict value, const glab_real *restrict delta, size_t n) {
  if (n < 16384 || n > INT_MAX) {
    apply_loop(value, delta, n);
    return;
  }
#ifdef GRADLAB_DOUBLE
  cblas_daxpy((int)n, 1.0, delta, 1, value, 1);
#else
  cblas_saxpy((int)n, 1.0f, delta, 1, value, 1);
#endif
}

int glab_optimizer_step(glab_optimizer *o, glab_var *const *params, int n) {
  if (!o || (n > 0 && !params) || n < 0)
    return glab_error(GLAB_ERR_ARG, "optimizer step: NULL optimizer or parameters");
  /* 1. every gradient finite, or nothing is applied (a non-finite element makes the sum of
   * squares non-finite, so the common case costs one pass) */
  double ssq = grad_ssq(params, n);
  if (!isfinite(ssq)) {
    for (int i = 0; i < n; i++) {
      glab_var *p = params[i];
      if (!counts(p)) continue;
      for (size_t j = 0; j < p->value.size; j++)
        if (!isfinite((double)p->grad[j])) {
          char shape[64];
          glab_shape_str(p->value.ndim, p->value.shape, shape, sizeof shape);
          return glab_error(GLAB_ERR_NONFINITE,
                            "%s step %ld: gradient of parameter %d (%s) is %s at element %zu; "
                            "nothing applied",
                            o->type->name, o->steps + 1, i + 1, shape,
                            isnan((double)p->grad[j]) ? "NaN" : "infinite", j);
        }
    }
  }
  /* 2. clipping */
  o->last_norm = isfinite(ssq) && ssq > 1e-280 ? sqrt(ssq) : grad_norm(params, n);
  if (o->clip_norm > 0) scale_grads(params, n, o->clip_norm / (o->last_norm + 1e-6));
  if (o->clip_value > 0) glab_clip_grad_value(params, n, o->clip_value);
  /* 3. updates */
  o->steps++;
  int slots = o->type->state_slots;
  for (int i = 0; i < n; i++) {
    glab_var *p = params[i];
    if (!p || !glab_var_needs_grad(p) || !p->grad) continue;
    pstate *s = state_for(o, p);
    if (!s) return glab_last_status();
    glab_real *st[16];
    for (int k = 0; k < slots && k < 16; k++)
      st[k] = s->state + (size_t)k * s->n;
    s->steps++;
    glab_clear_error();
    int rc = o->type->update(o, p->value.data, p->grad, s->last, st, s->n, s->steps);
    if (rc != GLAB_OK) {
      if (!glab_last_error()[0]) glab_error(GLAB_ERR_PLUGIN, "%s: update failed", o->type->name);
      return glab_error_context("%s step %ld, parameter %d", o->type->name, o->steps, i + 1);
    }
    apply(p->value.data, s->last, s->n);
  }
  return GLAB_OK;
}
