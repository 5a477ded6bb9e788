/* test_reference.c — gradlab against PyTorch: loads each fixture of tests/reference/fixtures
 * (written by make_fixtures.py, format in FORMAT.md), builds the same model through the public C
 * API (registry, layers, core losses, backward, optimizer), sets the weights and compares the
 * outputs, loss, every parameter gradient, the input gradient, running statistics, optimizer
 * trajectories and eval-mode outputs. Prints the worst relative error per case.
 * Limits: double build 1e-9, float build 1e-4 (relative error as FORMAT.md defines it). */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "gradlab/error.h"
#include "gradlab/layer.h"
#include "gradlab/ops.h"
#include "gradlab/optim.h"
#include "gradlab/registry.h"
#include "gradlab/tape.h"

#ifndef GLAB_REFERENCE_DIR
#define GLAB_REFERENCE_DIR "tests/reference/fixtures"
#endif
#ifdef GRADLAB_DOUBLE
#define TOLERANCE 1e-9
#else
#define TOLERANCE 1e-4
#endif
#define SCALE_FLOOR 1e-2 /* elements are judged against >= 1% of the tensor's largest magnitude */
#define MAX_LAYERS 64
#define MAX_PARAMS 256

static glab_registry *g_reg;

/* ---- one case's state ---- */
typedef struct param_ref {
  glab_var *var;
  const char *layer_path;
  const char *name;
  int is_buffer;
} param_ref;

typedef struct ctx {
  fx_fixture *fx;
  glab_layer *layer[MAX_LAYERS]; /* parallel to fx->layers (children stay owned by parents) */
  glab_layer *top[MAX_LAYERS];
  int ntop;
  param_ref param[MAX_PARAMS];
  int nparam;
  glab_var *train[MAX_PARAMS]; /* trainable parameters, for the optimizer */
  int ntrain;
  glab_optimizer *opt;
  glab_tape *tape;
  double worst;
  char worst_at[160];
  int problems; /* structural failures: missing tensors, API errors */
} ctx;

static int problem(ctx *c, const char *what) {
  const char *e = glab_last_error();
  fprintf(stderr, "  [%s] %s%s%s\n", c->fx->name, what, e && e[0] ? ": " : "", e ? e : "");
  c->problems++;
  return -1;
}

/* ---- comparisons ---- */
static double rel_error(const glab_real *a, const double *b, size_t n, size_t *where) {
  double scale = 0, worst = 0;
  for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(b[i]));
  double floor = fmax(SCALE_FLOOR * scale, 1e-12);
  *where = 0;
  for (size_t i = 0; i < n; i++) {
    double e = fabs((double)a[i] - b[i]) / fmax(fabs(b[i]), floor);
    if (!isfinite((double)a[i])) e = INFINITY;
    if (e > worst || (i == 0 && !(e <= worst))) {
      worst = e;
      *where = i;
    }
  }
  return worst;
}

/* Compare n values of gradlab (shape ndim/shape, or ndim < 0 for "any shape of this size")
 * with the fixture tensor `name`. Missing fixture tensors are a problem only when required. */
static void compare(ctx *c, const char *name, const glab_real *a, int ndim, const int *shape,
                    size_t n) {
  fx_tensor *t = fx_find(c->fx, "%s", name);
  char msg[256];
  if (!t) {
    snprintf(msg, sizeof msg, "fixture has no tensor %s", name);
    problem(c, msg);
    return;
  }
  t->used = 1;
  if (!a) {
    snprintf(msg, sizeof msg, "gradlab has no value for %s", name);
    problem(c, msg);
    return;
  }
  int same = (n == t->size);
  if (same && ndim >= 0 && t->ndim > 0) {
    same = (ndim == t->ndim);
    for (int i = 0; same && i < ndim; i++) same = (shape[i] == t->shape[i]);
  }
  if (!same) {
    snprintf(msg, sizeof msg, "%s: shape differs from the fixture's (%zu vs %zu elements)", name,
             n, t->size);
    problem(c, msg);
    return;
  }
  size_t where;
  double e = rel_error(a, t->data, n, &where);
  if (e > TOLERANCE)
    fprintf(stderr, "  [%s] %s[%zu]: gradlab %.17g, PyTorch %.17g (rel err %.3g)\n", c->fx->name,
            name, where, (double)a[where], t->data[where], e);
  if (!(e <= c->worst)) {
    c->worst = e;
    snprintf(c->worst_at, sizeof c->worst_at, "%s[%zu]", name, where);
  }
}

static void compare_var_value(ctx *c, const char *name, glab_var *v) {
  compare(c, name, v ? v->value.data : NULL, v ? v->value.ndim : 0, v ? v->value.shape : NULL,
          v ? v->value.size : 0);
}

/* ---- building the model ---- */
static glab_config *make_config(const fx_spec *s) {
  glab_config *cfg = glab_config_create();
  for (int i = 0; cfg && i < s->nkv; i++) {
    const char *k = s->kv[i].key, *v = s->kv[i].value;
    char *end;
    long iv = strtol(v, &end, 10);
    int rc;
    if (!strcmp(v, "true") || !strcmp(v, "false")) {
      rc = glab_config_set_bool(cfg, k, !strcmp(v, "true"));
    } else if (!*end) {
      rc = glab_config_set_int(cfg, k, iv);
    } else {
      double dv = strtod(v, &end);
      rc = *end ? glab_config_set_string(cfg, k, v) : glab_config_set_real(cfg, k, dv);
    }
    if (rc != GLAB_OK) {
      glab_config_destroy(cfg);
      return NULL;
    }
  }
  return cfg;
}

static int is_child_of(const char *path, const char *parent) {
  size_t n = strlen(parent);
  return !strncmp(path, parent, n) && path[n] == '.';
}

/* Build fx->layers[*i] and its children (the lines after it whose path extends its own). */
static glab_layer *build_layer(ctx *c, int *i) {
  fx_fixture *f = c->fx;
  int me = (*i)++;
  const fx_spec *s = &f->layers[me];
  glab_layer *children[MAX_LAYERS];
  int nch = 0;
  while (*i < f->nlayers && is_child_of(f->layers[*i].path, s->path)) {
    glab_layer *ch = build_layer(c, i);
    if (!ch) {
      for (int k = 0; k < nch; k++) glab_layer_destroy(children[k]);
      return NULL;
    }
    children[nch++] = ch;
  }
  glab_config *cfg = make_config(s);
  if (!cfg) {
    for (int k = 0; k < nch; k++) glab_layer_destroy(children[k]);
    problem(c, "cannot build a layer config");
    return NULL;
  }
  glab_layer *l = glab_layer_create(g_reg, s->type, cfg, children, nch);
  glab_config_destroy(cfg);
  if (!l) {
    char msg[160];
    snprintf(msg, sizeof msg, "glab_layer_create(%s) for layer %s failed", s->type, s->path);
    problem(c, msg);
    return NULL;
  }
  glab_layer_set_name(l, s->path);
  c->layer[me] = l;
  return l;
}

static void copy_in(glab_real *dst, const fx_tensor *t) {
  for (size_t k = 0; k < t->size; k++) dst[k] = (glab_real)t->data[k];
}

/* Every gradlab parameter/buffer gets its init.* value; every init.* must be used. */
static int set_weights(ctx *c) {
  for (int li = 0; li < c->fx->nlayers; li++) {
    glab_layer *l = c->layer[li];
    for (int p = 0; p < glab_layer_nparams(l); p++) {
      const char *name;
      int is_buffer;
      glab_var *v = glab_layer_param_at(l, p, &name, &is_buffer);
      fx_tensor *t = fx_find(c->fx, "init.%s.%s", c->fx->layers[li].path, name);
      char msg[160];
      if (!v || !t) {
        snprintf(msg, sizeof msg, "layer %s parameter %s has no init.* tensor in the fixture",
                 c->fx->layers[li].path, name ? name : "?");
        return problem(c, msg);
      }
      if (t->size != v->value.size) {
        snprintf(msg, sizeof msg, "init.%s.%s: %zu elements, gradlab has %zu",
                 c->fx->layers[li].path, name, t->size, v->value.size);
        return problem(c, msg);
      }
      t->used = 1;
      copy_in(v->value.data, t);
      if (c->nparam == MAX_PARAMS) return problem(c, "too many parameters");
      c->param[c->nparam++] = (param_ref){v, c->fx->layers[li].path, name, is_buffer};
      if (!is_buffer) c->train[c->ntrain++] = v;
    }
  }
  for (int k = 0; k < c->fx->ntensors; k++)
    if (!strncmp(c->fx->tensors[k].name, "init.", 5) && !c->fx->tensors[k].used) {
      char msg[160];
      snprintf(msg, sizeof msg, "gradlab has no parameter for %s", c->fx->tensors[k].name);
      return problem(c, msg);
    }
  return 0;
}

static int build(ctx *c) {
  for (int i = 0; i < c->fx->nlayers;) {
    glab_layer *l = build_layer(c, &i);
    if (!l) return -1;
    c->top[c->ntop++] = l;
    glab_layer_set_training(l, 1);
  }
  if (set_weights(c)) return -1;
  if (c->fx->has_optim) {
    glab_config *cfg = make_config(&c->fx->optim);
    c->opt = cfg ? glab_optimizer_create(g_reg, c->fx->optim.type, cfg) : NULL;
    glab_config_destroy(cfg);
    if (!c->opt) return problem(c, "glab_optimizer_create failed");
  }
  if (!(c->tape = glab_tape_create())) return problem(c, "glab_tape_create failed");
  return 0;
}

/* ---- running it ---- */
static glab_var *input_leaf(ctx *c, fx_tensor *t, int needs_grad) {
  if (!t) return NULL;
  t->used = 1;
  glab_tensor *v = glab_tensor_create(t->ndim, t->shape);
  if (!v) return NULL;
  copy_in(v->data, t);
  glab_var *x = glab_tape_input(c->tape, v, needs_grad);
  glab_tensor_destroy(v);
  return x;
}

static glab_var *forward(ctx *c, glab_var *x) {
  for (int j = 0; x && j < c->ntop; j++) x = glab_layer_forward(c->top[j], c->tape, x);
  return x;
}

static glab_var *loss_of(ctx *c, int k, glab_var *out, int *labels) {
  const char *kind = c->fx->loss;
  if (!strcmp(kind, "cross_entropy")) {
    fx_tensor *t = fx_find(c->fx, "step%d.labels", k);
    if (!t) return NULL;
    t->used = 1;
    for (size_t i = 0; i < t->size; i++) labels[i] = (int)t->data[i];
    return glab_softmax_xent(c->tape, out, labels);
  }
  glab_var *target = input_leaf(c, fx_find(c->fx, "step%d.target", k), 0);
  if (!strcmp(kind, "mse")) return glab_mse(c->tape, out, target);
  if (!strcmp(kind, "bce")) return glab_bce_logits(c->tape, out, target);
  return NULL;
}

static int run_step(ctx *c, int k) {
  char name[160];
  int labels[4096];
  glab_tape_reset(c->tape);
  for (int p = 0; p < c->nparam; p++) glab_var_zero_grad(c->param[p].var);
  glab_var *x = input_leaf(c, fx_find(c->fx, "step%d.input", k), 1);
  if (!x) return problem(c, "cannot make the input");
  glab_var *out = forward(c, x);
  if (!out) return problem(c, "forward failed");
  glab_var *loss = loss_of(c, k, out, labels);
  if (!loss) return problem(c, "loss failed");
  if (glab_backward(c->tape, loss) != GLAB_OK) return problem(c, "glab_backward failed");

  snprintf(name, sizeof name, "step%d.output", k);
  compare_var_value(c, name, out);
  snprintf(name, sizeof name, "step%d.loss", k);
  compare(c, name, loss->value.data, -1, NULL, loss->value.size);
  snprintf(name, sizeof name, "step%d.input_grad", k);
  compare(c, name, x->grad, x->value.ndim, x->value.shape, x->value.size);
  for (int p = 0; p < c->nparam; p++) {
    param_ref *r = &c->param[p];
    if (r->is_buffer) continue;
    snprintf(name, sizeof name, "step%d.grad.%s.%s", k, r->layer_path, r->name);
    compare(c, name, r->var->grad, r->var->value.ndim, r->var->value.shape, r->var->value.size);
  }
  if (!c->opt) return 0;

  if (glab_optimizer_step(c->opt, c->train, c->ntrain) != GLAB_OK)
    return problem(c, "glab_optimizer_step failed");
  snprintf(name, sizeof name, "step%d.grad_norm", k);
  if (fx_find(c->fx, "%s", name)) {
    glab_real norm = (glab_real)glab_optimizer_last_grad_norm(c->opt);
    compare(c, name, &norm, -1, NULL, 1);
  }
  for (int p = 0; p < c->nparam; p++) {
    param_ref *r = &c->param[p];
    snprintf(name, sizeof name, "step%d.after.%s.%s", k, r->layer_path, r->name);
    compare_var_value(c, name, r->var);
  }
  return 0;
}

static int run_eval(ctx *c) {
  fx_tensor *in = fx_find(c->fx, "eval.input");
  if (!in) return 0;
  for (int j = 0; j < c->ntop; j++) glab_layer_set_training(c->top[j], 0);
  glab_tape_reset(c->tape);
  glab_var *out = forward(c, input_leaf(c, in, 0));
  if (!out) return problem(c, "eval-mode forward failed");
  compare_var_value(c, "eval.output", out);
  return 0;
}

/* ---- the cases ---- */
typedef struct result {
  const char *name;
  double worst;
  char where[160];
  int ran;
} result;

static const char *const CASES[] = {
    "mlp_sigmoid_mse", "mlp_relu_xent",  "mlp_tanh_bce",   "mlp_batchnorm", "mlp_residual",
    "rnn_tanh",        "lstm",           "lstm_sequence",  "optim_sgd",     "optim_momentum",
    "optim_nesterov",  "optim_adam",     "optim_rmsprop"};
#define NCASES ((int)(sizeof CASES / sizeof CASES[0]))
static result g_results[NCASES];

static void run_case(int idx) {
  const char *dir = getenv("GLAB_REFERENCE_FIXTURES");
  char path[1024], err[512];
  snprintf(path, sizeof path, "%s/%s.txt", dir && *dir ? dir : GLAB_REFERENCE_DIR, CASES[idx]);
  fx_fixture *fx = fx_load(path, err, sizeof err);
  if (!fx) {
    fprintf(stderr, "  %s\n", err);
    CU_FAIL_FATAL("fixture not readable");
  }
  ctx *c = calloc(1, sizeof *c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  c->fx = fx;
  if (build(c) == 0) {
    for (int k = 1; k <= fx->steps && !c->problems; k++) run_step(c, k);
    if (!c->problems) run_eval(c);
    for (int k = 0; !c->problems && k < fx->ntensors; k++)
      if (!fx->tensors[k].used) {
        char msg[160];
        snprintf(msg, sizeof msg, "fixture tensor %s was never compared", fx->tensors[k].name);
        problem(c, msg);
      }
  }
  result *r = &g_results[idx];
  r->name = CASES[idx];
  r->worst = c->problems ? INFINITY : c->worst;
  snprintf(r->where, sizeof r->where, "%s", c->problems ? "(see errors above)" : c->worst_at);
  r->ran = 1;
  printf("\n    %-16s worst rel err %.3e at %s (limit %.0e) ", r->name, r->worst, r->where,
         TOLERANCE);
  CU_ASSERT_EQUAL(c->problems, 0);
  CU_ASSERT(c->worst <= TOLERANCE);

  for (int j = 0; j < c->ntop; j++) glab_layer_destroy(c->top[j]);
  glab_optimizer_destroy(c->opt);
  glab_tape_destroy(c->tape);
  free(c);
  fx_free(fx);
}

#define CASE_FN(i) \
  static void case_##i(void) { run_case(i); }
CASE_FN(0) CASE_FN(1) CASE_FN(2) CASE_FN(3) CASE_FN(4) CASE_FN(5) CASE_FN(6) CASE_FN(7)
CASE_FN(8) CASE_FN(9) CASE_FN(10) CASE_FN(11) CASE_FN(12)
static void (*const CASE_FNS[NCASES])(void) = {case_0, case_1, case_2,  case_3,  case_4,
                                                case_5, case_6, case_7,  case_8,  case_9,
                                                case_10, case_11, case_12};

static int suite_init(void) {
  g_reg = glab_registry_create();
  if (!g_reg || glab_plugins_load_default(g_reg, NULL, 0) != GLAB_OK) {
    fprintf(stderr, "test_reference: cannot load the plugins: %s\n", glab_last_error());
    return 1;
  }
  return 0;
}

static int suite_clean(void) {
  glab_registry_destroy(g_reg);
  return 0;
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("reference (PyTorch fixtures, " GLAB_REAL_NAME " build)", suite_init,
                             suite_clean);
  for (int i = 0; s && i < NCASES; i++) CU_add_test(s, CASES[i], CASE_FNS[i]);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
  printf("\nworst relative error per case (%s build, limit %.0e):\n", GLAB_REAL_NAME, TOLERANCE);
  for (int i = 0; i < NCASES; i++)
    if (g_results[i].ran)
      printf("  %-16s %.3e  %s\n", g_results[i].name, g_results[i].worst, g_results[i].where);
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
