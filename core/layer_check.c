/* layer_check.c — the conformance check of a registered layer type: build it from its example
 * (or default options on a [3][4] input), then gradcheck L = sum(R ∘ forward(x)) with R a fixed
 * random tensor against the input and every parameter, in training and evaluation mode, and
 * require that backward adds into those gradients rather than assigning them. Used by
 * the test suite and by `gradlab gradcheck`, so every plugin, shipped or dropped in, is held to
 * the same standard. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/error.h"
#include "gradlab/gradcheck.h"
#include "gradlab/layer.h"
#include "gradlab/ops.h"
#include "gradlab/registry.h"

double glab_layer_check_tolerance(void) {
#ifdef GRADLAB_DOUBLE
  return 1e-6;
#else
  return 1e-2;
#endif
}

/* Children from "dense inputs=4 outputs=5 | tanh"; returns the count or -1 (children freed). */
static int make_children(glab_registry *reg, const char *spec, glab_layer **out, int cap) {
  int n = 0;
  char buf[512];
  snprintf(buf, sizeof buf, "%s", spec ? spec : "");
  char *save = NULL;
  for (char *part = strtok_r(buf, "|", &save); part; part = strtok_r(NULL, "|", &save)) {
    while (*part == ' ')
      part++;
    char *sp = strchr(part, ' ');
    const char *opts = "";
    if (sp) {
      *sp = '\0';
      opts = sp + 1;
    }
    if (!*part) continue;
    const glab_layer_type *t = glab_registry_layer(reg, part);
    glab_config *cfg = glab_config_create();
    glab_layer *l = NULL;
    if (t && cfg && n < cap && glab_config_set_pairs(cfg, t->options, t->name, opts) == GLAB_OK)
      l = glab_layer_create(reg, part, cfg, NULL, 0);
    glab_config_destroy(cfg);
    if (!l) {
      glab_error_context("example child '%s'", part);
      for (int i = 0; i < n; i++)
        glab_layer_destroy(out[i]);
      return -1;
    }
    out[n++] = l;
  }
  return n;
}

typedef struct check_ctx {
  glab_layer *layer;
  glab_var *x;
} check_ctx;

static glab_var *check_fn(glab_tape *tape, glab_var *const *vars, int nvars, void *vctx) {
  check_ctx *c = vctx;
  (void)vars;
  (void)nvars;
  glab_var *y = glab_layer_forward(c->layer, tape, c->x);
  if (!y) return NULL;
  glab_var *r = glab_tape_leaf(tape, y->value.ndim, y->value.shape, 0);
  if (!r) return NULL;
  glab_rng rng;
  glab_rng_seed(&rng, 7, 11);
  for (size_t i = 0; i < r->value.size; i++)
    r->value.data[i] = (glab_real)(2.0 * glab_rng_uniform(&rng) - 1.0);
  return glab_sum(tape, glab_mul(tape, y, r));
}

static void zero_params(glab_var **p, int n) {
  for (int i = 0; i < n; i++)
    glab_var_zero_grad(p[i]);
}

/* Name of the k-th collected parameter, "weight" or "1.w_x" for a child's. */
static void param_label(const glab_layer *l, const glab_var *v, char *buf, size_t size) {
  for (int i = 0; i < glab_layer_nparams(l); i++) {
    const char *name;
    if (glab_layer_param_at(l, i, &name, NULL) == v) {
      snprintf(buf, size, "%s", name);
      return;
    }
  }
  for (int c = 0; c < glab_layer_nchildren(l); c++) {
    char sub[64];
    sub[0] = '\0';
    param_label(glab_layer_child(l, c), v, sub, sizeof sub);
    if (sub[0]) {
      snprintf(buf, size, "%d.%s", c + 1, sub);
      return;
    }
  }
}

/* Backward must add into the gradients of the input and of every parameter, never assign them
 * (a shared layer, a skip connection or gradients kept over several batches rely on it; with
 * each used once, finite differences cannot tell). Runs the layer from zeroed and from seeded
 * gradients and returns the worst |g_seeded − (seed + g_zeroed)| / max(|g_zeroed|, 1e-3);
 * *which is −1 for the input or the parameter's index, *where the element. */
static int accumulation_error(check_ctx *ctx, glab_var **params, int np, double *worst, int *which,
                              size_t *where) {
  glab_var **v = calloc((size_t)np + 1, sizeof *v);
  glab_real **clean = calloc((size_t)np + 1, sizeof *clean);
  glab_tape *tape = glab_tape_create();
  int rc =
      v && clean && tape ? GLAB_OK : glab_error(GLAB_ERR_NOMEM, "layer gradcheck: out of memory");
  *worst = 0;
  *which = -1;
  *where = 0;
  for (int k = 0; rc == GLAB_OK && k <= np; k++) {
    v[k] = k ? params[k - 1] : ctx->x;
    if (!glab_var_grad(v[k]) || !(clean[k] = malloc(v[k]->value.size * sizeof(glab_real))))
      rc = glab_error(GLAB_ERR_NOMEM, "layer gradcheck: out of memory");
  }
  for (int pass = 0; rc == GLAB_OK && pass < 2; pass++) {
    for (int k = 0; k <= np; k++)
      for (size_t i = 0; i < v[k]->value.size; i++)
        v[k]->grad[i] = pass ? (glab_real)(0.5 + 0.25 * (double)(i % 3)) : 0;
    glab_tape_reset(tape);
    glab_var *y = check_fn(tape, NULL, 0, ctx);
    if ((rc = y ? glab_backward(tape, y) : (int)glab_last_status()) != GLAB_OK) break;
    for (int k = 0; k <= np; k++) {
      size_t n = v[k]->value.size;
      if (!pass) {
        memcpy(clean[k], v[k]->grad, n * sizeof(glab_real));
        continue;
      }
      for (size_t i = 0; i < n; i++) {
        double want = 0.5 + 0.25 * (double)(i % 3) + (double)clean[k][i];
        double e = fabs((double)v[k]->grad[i] - want) / fmax(fabs((double)clean[k][i]), 1e-3);
        if (!(e <= *worst)) {
          *worst = isnan(e) ? INFINITY : e;
          *which = k - 1;
          *where = i;
        }
      }
    }
  }
  for (int k = 0; v && k <= np; k++)
    if (v[k]) glab_var_zero_grad(v[k]);
  for (int k = 0; clean && k <= np; k++)
    free(clean[k]);
  free(clean);
  free(v);
  glab_tape_destroy(tape);
  return rc;
}

int glab_layer_gradcheck(glab_registry *reg, const char *type, glab_layer_check *rep) {
  return glab_layer_gradcheck_example(reg, type, NULL, rep);
}

int glab_layer_gradcheck_example(glab_registry *reg, const char *type, const glab_layer_example *ex,
                                 glab_layer_check *rep) {
  if (!rep) return glab_error(GLAB_ERR_ARG, "layer gradcheck: NULL report");
  memset(rep, 0, sizeof *rep);
  const glab_layer_type *t = glab_registry_layer(reg, type);
  if (!t) return glab_last_status();
  if (!ex) ex = t->example;
  int rc = GLAB_OK;
  glab_layer *layer = NULL, *children[16];
  glab_var *x = NULL, **params = NULL;
  glab_config *cfg = glab_config_create();
  if (!cfg) return glab_last_status();
  if (ex && ex->config && glab_config_set_pairs(cfg, t->options, t->name, ex->config) != GLAB_OK) {
    rc = glab_error_context("%s example", t->name);
    goto done;
  }
  /* parameters drawn from a fixed stream, so a type's check does not depend on what ran
   * before; the run's generator is left as it was */
  glab_rng *drng = glab_default_rng(), saved = *drng;
  glab_rng_seed(drng, 20240601, 17);
  int nch = 0;
  if (t->takes_children) {
    nch = make_children(reg, ex && ex->children ? ex->children : "", children, 16);
    if (nch < 0) {
      *drng = saved;
      rc = glab_last_status();
      goto done;
    }
  }
  layer = glab_layer_create(reg, t->name, cfg, children, nch);
  *drng = saved;
  if (!layer) {
    rc = glab_error_context("%s example", t->name);
    goto done;
  }
  int shape34[2] = {3, 4};
  int ndim = ex && ex->ndim > 0 ? ex->ndim : 2;
  const int *shape = ex && ex->ndim > 0 ? ex->shape : shape34;
  if (!(x = glab_var_create(ndim, shape, 1))) {
    rc = glab_last_status();
    goto done;
  }
  glab_rng rng;
  glab_rng_seed(&rng, 2024, 3);
  for (size_t i = 0; i < x->value.size; i++) { /* away from 0, where kinks live */
    double u = 0.2 + glab_rng_uniform(&rng);
    x->value.data[i] = (glab_real)(glab_rng_uniform(&rng) < 0.5 ? -u : u);
  }
  int np = glab_layer_collect_params(layer, NULL, 0);
  params = calloc((size_t)np + 1, sizeof *params);
  if (!params) {
    rc = glab_error(GLAB_ERR_NOMEM, "layer gradcheck: out of memory");
    goto done;
  }
  glab_layer_collect_params(layer, params, np);
  rep->nparams = np;

  check_ctx ctx = {layer, x};
  for (int mode = 1; mode >= 0; mode--) {
    glab_layer_set_training(layer, mode);
    for (int k = -1; k < np; k++) {
      glab_var *v = k < 0 ? x : params[k];
      glab_gradcheck_report r;
      rc = glab_gradcheck(check_fn, &v, 1, &ctx, NULL, &r);
      zero_params(params, np);
      if (rc != GLAB_OK) {
        glab_error_context("%s gradcheck (%s mode)", t->name, mode ? "training" : "eval");
        goto done;
      }
      rep->checked += r.checked;
      double *w = k < 0 ? &rep->worst_input : &rep->worst_param;
      if (!(r.worst_rel_error <= *w)) *w = r.worst_rel_error;
      if (!(r.worst_rel_error <= rep->worst) || !rep->worst_where[0]) {
        char label[64] = "input";
        if (k >= 0) param_label(layer, v, label, sizeof label);
        snprintf(rep->worst_where, sizeof rep->worst_where, "%s [%zu], %s mode", label,
                 r.worst_index, mode ? "training" : "eval");
        rep->worst = isnan(r.worst_rel_error) ? INFINITY : r.worst_rel_error;
      }
    }
    double acc;
    int which;
    size_t where;
    if ((rc = accumulation_error(&ctx, params, np, &acc, &which, &where)) != GLAB_OK) {
      glab_error_context("%s gradient accumulation check (%s mode)", t->name,
                         mode ? "training" : "eval");
      goto done;
    }
    double *w = which < 0 ? &rep->worst_input : &rep->worst_param;
    if (!(acc <= *w)) *w = acc;
    if (!(acc <= rep->worst)) {
      char label[64] = "input";
      if (which >= 0) param_label(layer, params[which], label, sizeof label);
      snprintf(rep->worst_where, sizeof rep->worst_where,
               "%.32s [%zu], %s mode: backward does not add", label, where,
               mode ? "training" : "eval");
      rep->worst = acc;
    }
  }
done:
  free(params);
  glab_var_destroy(x);
  glab_layer_destroy(layer);
  glab_config_destroy(cfg);
  return rc;
}
