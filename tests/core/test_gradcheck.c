/* test_gradcheck.c — every core op against central finite differences on random inputs.
 * Each case builds f = Σ w ⊙ op(inputs) with fixed weights w, so every output element counts.
 * Prints the worst relative error per op. Limits: 1e-6 (double build), 1e-2 (float build).
 * Each op's backward must also add into its inputs' gradients rather than assign them. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/error.h"
#include "gradlab/gradcheck.h"
#include "gradlab/ops.h"
#include "gradlab/rng.h"

#ifdef GRADLAB_DOUBLE
#define LIMIT 1e-6
#else
#define LIMIT 1e-2
#endif

enum { INIT_NORMAL, INIT_POSITIVE, INIT_AWAY_FROM_ZERO, INIT_PROB };

typedef struct gc_case {
  const char *name;
  int nvars;
  int ndim[3];
  int shape[3][4];
  int init;
  int which; /* selects the variant inside a case function */
  glab_gradcheck_fn fn;
} gc_case;

/* Per-run state: the case and the unperturbed op output, subtracted before the weighted sum
 * so that f stays small and its float rounding does not drown the finite differences. */
typedef struct run_ctx {
  const gc_case *c;
  glab_real base[1024];
  size_t nbase;
  int recording;
} run_ctx;

/* f = Σ w ⊙ (y − y₀) with w_i = cos(0.7 i + 0.3): a fixed, non-uniform weighting. */
static glab_var *wsum_ctx(glab_tape *t, glab_var *y, run_ctx *rc) {
  if (!y) return NULL;
  glab_var *w = glab_tape_leaf(t, y->value.ndim, y->value.shape, 0);
  for (size_t i = 0; i < w->value.size; i++)
    w->value.data[i] = (glab_real)cos(0.7 * i + 0.3);
  if (rc && rc->recording && y->value.size <= 1024) {
    for (size_t i = 0; i < y->value.size; i++)
      rc->base[i] = y->value.data[i];
    rc->nbase = y->value.size;
  } else if (rc && rc->nbase == y->value.size) {
    glab_var *b = glab_tape_leaf(t, y->value.ndim, y->value.shape, 0);
    for (size_t i = 0; i < b->value.size; i++)
      b->value.data[i] = rc->base[i];
    y = glab_sub(t, y, b);
  }
  return glab_sum(t, glab_mul(t, y, w));
}
#define wsum(t, y) wsum_ctx((t), (y), ctx)

#define CASE_WHICH(ctx) (((const run_ctx *)(ctx))->c->which)

static glab_var *f_matmul(glab_tape *t, glab_var *const *v, int n, void *ctx) {
  int w = CASE_WHICH(ctx);
  return wsum(t, glab_matmul(t, v[0], v[1], w & 1, (w >> 1) & 1));
}

static glab_var *f_binary(glab_tape *t, glab_var *const *v, int n, void *ctx) {
  glab_var *(*ops[4])(glab_tape *, glab_var *, glab_var *) = {glab_add, glab_sub, glab_mul,
                                                              glab_div};
  return wsum(t, ops[CASE_WHICH(ctx)](t, v[0], v[1]));
}

static glab_var *f_unary(glab_tape *t, glab_var *const *v, int n, void *ctx) {
  glab_var *a = v[0];
  switch (CASE_WHICH(ctx)) {
  case 0:
    return wsum(t, glab_scale(t, a, -1.7));
  case 1:
    return wsum(t, glab_add_scalar(t, a, 0.3));
  case 2:
    return wsum(t, glab_square(t, a));
  case 3:
    return wsum(t, glab_sqrt(t, a));
  case 4:
    return wsum(t, glab_exp(t, a));
  case 5:
    return wsum(t, glab_log(t, a));
  case 6:
    return wsum(t, glab_sigmoid(t, a));
  case 7:
    return wsum(t, glab_tanh(t, a));
  case 8:
    return wsum(t, glab_relu(t, a, 0));
  case 9:
    return wsum(t, glab_relu(t, a, 0.1));
  case 10:
    return wsum(t, glab_softplus(t, a));
  case 11:
    return wsum(t, glab_log_sigmoid(t, a));
  case 12:
    return wsum(t, glab_softmax(t, a));
  case 13:
    return wsum(t, glab_log_softmax(t, a));
  case 14:
    return glab_sum(t, a);
  case 15:
    return glab_mean(t, a);
  case 16:
    return wsum(t, glab_sum_rows(t, a));
  case 17:
    return wsum(t, glab_mean_rows(t, a));
  case 18:
    return wsum(t, glab_sum_cols(t, a));
  case 19:
    return wsum(t, glab_mean_cols(t, a));
  case 20:
    return wsum(t, glab_slice_cols(t, a, 1, 2));
  case 21:
    return wsum(t, glab_slice_first(t, a, 1, 1, 1));
  case 22:
    return wsum(t, glab_slice_first(t, a, 0, 2, 0));
  case 23: {
    int s[2] = {(int)a->value.size / 2, 2};
    return wsum(t, glab_reshape(t, a, 2, s));
  }
  default:
    return NULL;
  }
}

static glab_var *f_parts(glab_tape *t, glab_var *const *v, int n, void *ctx) {
  return CASE_WHICH(ctx) == 0 ? wsum(t, glab_concat_cols(t, v, n)) : wsum(t, glab_stack(t, v, n));
}

static glab_var *f_loss(glab_tape *t, glab_var *const *v, int n, void *ctx) {
  static const int labels[6] = {2, 0, 3, 1, 3, 0};
  switch (CASE_WHICH(ctx)) {
  case 0:
    return glab_mse(t, v[0], v[1]);
  case 1:
    return glab_softmax_xent(t, v[0], labels);
  case 2:
    return glab_bce_logits(t, v[0], v[1]);
  default:
    return NULL;
  }
}

/* A small network using many ops at once, with a weight used twice. */
static glab_var *f_mlp(glab_tape *t, glab_var *const *v, int n, void *ctx) {
  static const int labels[4] = {1, 0, 2, 1};
  glab_var *h = glab_tanh(t, glab_add(t, glab_matmul(t, v[0], v[1], 0, 0), v[2]));
  glab_var *h2 = glab_sigmoid(t, glab_add(t, glab_matmul(t, h, v[1], 0, 1), v[0]));
  glab_var *logits = glab_matmul(t, h2, v[1], 0, 0);
  return glab_add(t, glab_softmax_xent(t, glab_slice_cols(t, logits, 0, 3), labels),
                  glab_scale(t, glab_mean(t, glab_square(t, v[1])), 0.1));
}

#define SH2(a, b)                                                                                  \
  { a, b, 0, 0 }
#define SH1(a)                                                                                     \
  { a, 0, 0, 0 }
#define SH3(a, b, c)                                                                               \
  { a, b, c, 0 }

static const gc_case cases[] = {
    {"matmul", 2, {2, 2}, {SH2(3, 4), SH2(4, 5)}, INIT_NORMAL, 0, f_matmul},
    {"matmul A^T", 2, {2, 2}, {SH2(4, 3), SH2(4, 5)}, INIT_NORMAL, 1, f_matmul},
    {"matmul B^T", 2, {2, 2}, {SH2(3, 4), SH2(5, 4)}, INIT_NORMAL, 2, f_matmul},
    {"matmul A^T B^T", 2, {2, 2}, {SH2(4, 3), SH2(5, 4)}, INIT_NORMAL, 3, f_matmul},
    {"matmul 3-D A", 2, {3, 2}, {SH3(2, 3, 4), SH2(4, 2)}, INIT_NORMAL, 0, f_matmul},
    {"matmul blas", 2, {2, 2}, {SH2(12, 20), SH2(20, 24)}, INIT_NORMAL, 0, f_matmul},
    {"matmul blas A^T", 2, {2, 2}, {SH2(20, 12), SH2(20, 24)}, INIT_NORMAL, 1, f_matmul},
    {"matmul blas B^T", 2, {2, 2}, {SH2(12, 20), SH2(24, 20)}, INIT_NORMAL, 2, f_matmul},
    {"matmul blas A^T B^T", 2, {2, 2}, {SH2(20, 12), SH2(24, 20)}, INIT_NORMAL, 3, f_matmul},
    {"add", 2, {2, 2}, {SH2(3, 4), SH2(3, 4)}, INIT_NORMAL, 0, f_binary},
    {"add row [n]", 2, {2, 1}, {SH2(3, 4), SH1(4)}, INIT_NORMAL, 0, f_binary},
    {"add row [1][n]", 2, {3, 2}, {SH3(2, 3, 4), SH2(1, 4)}, INIT_NORMAL, 0, f_binary},
    {"add scalar", 2, {2, 1}, {SH2(3, 4), SH1(1)}, INIT_NORMAL, 0, f_binary},
    {"sub", 2, {2, 2}, {SH2(3, 4), SH2(3, 4)}, INIT_NORMAL, 1, f_binary},
    {"sub row", 2, {2, 1}, {SH2(3, 4), SH1(4)}, INIT_NORMAL, 1, f_binary},
    {"sub scalar", 2, {2, 1}, {SH2(3, 4), SH1(1)}, INIT_NORMAL, 1, f_binary},
    {"mul", 2, {2, 2}, {SH2(3, 4), SH2(3, 4)}, INIT_NORMAL, 2, f_binary},
    {"mul row", 2, {2, 1}, {SH2(3, 4), SH1(4)}, INIT_NORMAL, 2, f_binary},
    {"mul scalar", 2, {2, 1}, {SH2(3, 4), SH1(1)}, INIT_NORMAL, 2, f_binary},
    {"div", 2, {2, 2}, {SH2(3, 4), SH2(3, 4)}, INIT_POSITIVE, 3, f_binary},
    {"div row", 2, {2, 1}, {SH2(3, 4), SH1(4)}, INIT_POSITIVE, 3, f_binary},
    {"div scalar", 2, {2, 1}, {SH2(3, 4), SH1(1)}, INIT_POSITIVE, 3, f_binary},
    {"scale", 1, {2}, {SH2(3, 4)}, INIT_NORMAL, 0, f_unary},
    {"add_scalar", 1, {2}, {SH2(3, 4)}, INIT_NORMAL, 1, f_unary},
    {"square", 1, {2}, {SH2(3, 4)}, INIT_NORMAL, 2, f_unary},
    {"sqrt", 1, {2}, {SH2(3, 4)}, INIT_POSITIVE, 3, f_unary},
    {"exp", 1, {2}, {SH2(3, 4)}, INIT_NORMAL, 4, f_unary},
    {"log", 1, {2}, {SH2(3, 4)}, INIT_POSITIVE, 5, f_unary},
    {"sigmoid", 1, {2}, {SH2(3, 4)}, INIT_NORMAL, 6, f_unary},
    {"tanh", 1, {2}, {SH2(3, 4)}, INIT_NORMAL, 7, f_unary},
    {"relu", 1, {2}, {SH2(3, 4)}, INIT_AWAY_FROM_ZERO, 8, f_unary},
    {"leaky relu", 1, {2}, {SH2(3, 4)}, INIT_AWAY_FROM_ZERO, 9, f_unary},
    {"softplus", 1, {2}, {SH2(3, 4)}, INIT_NORMAL, 10, f_unary},
    {"log_sigmoid", 1, {2}, {SH2(3, 4)}, INIT_NORMAL, 11, f_unary},
    {"softmax", 1, {2}, {SH2(3, 4)}, INIT_NORMAL, 12, f_unary},
    {"log_softmax", 1, {2}, {SH2(3, 4)}, INIT_NORMAL, 13, f_unary},
    {"sum", 1, {3}, {SH3(2, 3, 4)}, INIT_NORMAL, 14, f_unary},
    {"mean", 1, {3}, {SH3(2, 3, 4)}, INIT_NORMAL, 15, f_unary},
    {"sum_rows", 1, {3}, {SH3(2, 3, 4)}, INIT_NORMAL, 16, f_unary},
    {"mean_rows", 1, {3}, {SH3(2, 3, 4)}, INIT_NORMAL, 17, f_unary},
    {"sum_cols", 1, {3}, {SH3(2, 3, 4)}, INIT_NORMAL, 18, f_unary},
    {"mean_cols", 1, {3}, {SH3(2, 3, 4)}, INIT_NORMAL, 19, f_unary},
    {"slice_cols", 1, {3}, {SH3(2, 3, 4)}, INIT_NORMAL, 20, f_unary},
    {"slice_first squeeze", 1, {3}, {SH3(3, 2, 4)}, INIT_NORMAL, 21, f_unary},
    {"slice_first", 1, {3}, {SH3(3, 2, 4)}, INIT_NORMAL, 22, f_unary},
    {"reshape", 1, {3}, {SH3(3, 2, 4)}, INIT_NORMAL, 23, f_unary},
    {"concat_cols", 3, {2, 2, 2}, {SH2(3, 2), SH2(3, 4), SH2(3, 1)}, INIT_NORMAL, 0, f_parts},
    {"stack", 3, {2, 2, 2}, {SH2(3, 2), SH2(3, 2), SH2(3, 2)}, INIT_NORMAL, 1, f_parts},
    {"mse", 2, {2, 2}, {SH2(3, 4), SH2(3, 4)}, INIT_NORMAL, 0, f_loss},
    {"softmax_xent", 1, {2}, {SH2(6, 4)}, INIT_NORMAL, 1, f_loss},
    {"bce_logits", 2, {2, 2}, {SH2(3, 4), SH2(3, 4)}, INIT_PROB, 2, f_loss},
    {"mlp (shared weight)", 3, {2, 2, 1}, {SH2(4, 5), SH2(5, 5), SH1(5)}, INIT_NORMAL, 0, f_mlp},
};

static double worst_overall;

/* Backward must add (+=) into an input's gradient, never assign: with every input used once,
 * finite differences cannot tell (the gradient starts at 0), so run the case twice, from zeroed
 * gradients and from seeded ones, and require seed + clean gradient. */
static void check_accumulates(const gc_case *c, glab_var *const *vars, run_ctx *ctx) {
  glab_real *clean[3] = {NULL, NULL, NULL};
  double worst = 0;
  glab_tape *t = glab_tape_create();
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < c->nvars; i++)
      for (size_t k = 0; k < vars[i]->value.size; k++)
        vars[i]->grad[k] = pass ? (glab_real)(0.5 + 0.25 * (k % 3)) : 0;
    glab_tape_reset(t);
    glab_var *y = c->fn(t, vars, c->nvars, ctx);
    CU_ASSERT_EQUAL_FATAL(glab_backward(t, y), GLAB_OK);
    for (int i = 0; i < c->nvars; i++) {
      size_t n = vars[i]->value.size;
      if (!pass) {
        clean[i] = malloc(n * sizeof(glab_real));
        CU_ASSERT_PTR_NOT_NULL_FATAL(clean[i]);
        memcpy(clean[i], vars[i]->grad, n * sizeof(glab_real));
        continue;
      }
      for (size_t k = 0; k < n; k++) {
        double want = (0.5 + 0.25 * (k % 3)) + clean[i][k];
        double e = fabs(vars[i]->grad[k] - want) / fmax(fabs(clean[i][k]), 1e-3);
        if (!(e <= worst)) worst = e;
      }
    }
  }
  if (!(worst <= LIMIT))
    printf("\n    %-22s backward does not add into the input gradient (error %.2e)", c->name,
           worst);
  CU_ASSERT(worst <= LIMIT);
  for (int i = 0; i < c->nvars; i++) {
    free(clean[i]);
    glab_var_zero_grad(vars[i]);
  }
  glab_tape_destroy(t);
}

static void fill(glab_var *v, int init, int index, glab_rng *r) {
  for (size_t i = 0; i < v->value.size; i++) {
    double x = glab_rng_normal(r);
    switch (init) {
    case INIT_POSITIVE:
      x = 0.5 + 1.5 * glab_rng_uniform(r);
      break;
    case INIT_AWAY_FROM_ZERO:
      x = (x < 0 ? -1 : 1) * (0.2 + fabs(x));
      break;
    case INIT_PROB:
      if (index == 1) x = glab_rng_uniform(r); /* targets in [0, 1] */
      break;
    default:
      break;
    }
    v->value.data[i] = (glab_real)x;
  }
}

static void run_case(const gc_case *c) {
  glab_rng r;
  glab_rng_seed(&r, 2024, (uint64_t)(c - cases));
  glab_var *vars[3] = {NULL, NULL, NULL};
  for (int i = 0; i < c->nvars; i++) {
    vars[i] = glab_var_create(c->ndim[i], c->shape[i], 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vars[i]);
    fill(vars[i], c->init, i, &r);
  }
  static run_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.c = c;
  ctx.recording = 1;
  glab_tape *t = glab_tape_create();
  CU_ASSERT_PTR_NOT_NULL(c->fn(t, vars, c->nvars, &ctx));
  glab_tape_destroy(t);
  ctx.recording = 0;
  glab_gradcheck_report rep;
  int rc = glab_gradcheck(c->fn, vars, c->nvars, &ctx, NULL, &rep);
  CU_ASSERT_EQUAL(rc, GLAB_OK);
  if (rc != GLAB_OK)
    printf("\n    %-22s error: %s", c->name, glab_last_error());
  else {
    printf("\n    %-22s worst rel %.2e at var %d [%zu] (analytic %.6g, numeric %.6g, %zu checked)",
           c->name, rep.worst_rel_error, rep.worst_var, rep.worst_index, rep.analytic, rep.numeric,
           rep.checked);
    CU_ASSERT(rep.worst_rel_error <= LIMIT);
    if (rep.worst_rel_error > worst_overall) worst_overall = rep.worst_rel_error;
    size_t expect = 0;
    for (int i = 0; i < c->nvars; i++)
      expect += vars[i]->value.size;
    CU_ASSERT_EQUAL(rep.checked, expect);
  }
  check_accumulates(c, vars, &ctx);
  for (int i = 0; i < c->nvars; i++)
    glab_var_destroy(vars[i]);
}

static void test_all_ops(void) {
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run_case(&cases[i]);
  printf("\n    worst over all ops (%s build): %.2e (limit %.0e)\n    ", GLAB_REAL_NAME,
         worst_overall, LIMIT);
}

/* The checker must be able to fail: a deliberately wrong backward is caught. */
static int bad_forward(glab_var *out) {
  const glab_real *x = out->in[0]->value.data;
  for (size_t i = 0; i < out->value.size; i++)
    out->value.data[i] = x[i] * x[i];
  return GLAB_OK;
}
static int bad_backward(glab_var *out) {
  glab_real *g = glab_var_grad(out->in[0]);
  for (size_t i = 0; i < out->value.size; i++)
    g[i] += out->grad[i] * out->in[0]->value.data[i];
  return GLAB_OK; /* missing the factor 2 */
}
static const glab_op op_bad = {"bad_square", bad_forward, bad_backward};
static glab_var *f_bad(glab_tape *t, glab_var *const *v, int n, void *ctx) {
  glab_var *y = glab_tape_apply(t, &op_bad, v, 1, v[0]->value.ndim, v[0]->value.shape, NULL, 0);
  return wsum_ctx(t, y, NULL);
}
static glab_var *f_vector(glab_tape *t, glab_var *const *v, int n, void *ctx) {
  return glab_square(t, v[0]);
}

static void test_checker_fails(void) {
  int s[1] = {5};
  glab_var *x = glab_var_create(1, s, 1);
  for (int i = 0; i < 5; i++)
    x->value.data[i] = (glab_real)(i + 1);
  x->grad[0] = 42; /* the caller's gradient is restored afterwards */
  glab_gradcheck_report rep;
  CU_ASSERT_EQUAL(glab_gradcheck(f_bad, &x, 1, NULL, NULL, &rep), GLAB_OK);
  CU_ASSERT(rep.worst_rel_error > 0.3);
  CU_ASSERT_EQUAL(x->grad[0], 42);
  CU_ASSERT_EQUAL(x->value.data[4], 5);
  CU_ASSERT_EQUAL(glab_gradcheck(f_vector, &x, 1, NULL, NULL, &rep), GLAB_ERR_SHAPE);
  CU_ASSERT_PTR_NOT_NULL(strstr(glab_last_error(), "one element"));
  glab_var_destroy(x);
}

/* Bad options are an error naming the field and the value, not a silent fallback (a negative or
 * NaN step used the default) or a run on inf (an infinite step perturbed x to inf); a value
 * that cannot be perturbed is an error naming the element, not an infinite error blamed on the
 * backward. Nothing is left changed. */
static glab_var *f_sum_square(glab_tape *t, glab_var *const *v, int n, void *ctx) {
  (void)n;
  (void)ctx;
  return glab_sum(t, glab_square(t, v[0]));
}

static void expect_bad_opts(glab_var *x, double step, double floor_, const char *want) {
  glab_gradcheck_opts o = {step, floor_};
  glab_gradcheck_report rep;
  int rc = glab_gradcheck(f_sum_square, &x, 1, NULL, &o, &rep);
  int ok = rc == GLAB_ERR_ARG && strstr(glab_last_error(), want);
  if (!ok)
    printf("\n    step %g floor %g: status %d, '%s' (want '%s')", step, floor_, rc,
           glab_last_error(), want);
  CU_ASSERT(ok);
}

static void test_bad_options(void) {
  int s[1] = {3};
  glab_var *x = glab_var_create(1, s, 1);
  for (int i = 0; i < 3; i++)
    x->value.data[i] = (glab_real)(0.5 * (i + 1));
  x->grad[1] = 7;
  expect_bad_opts(x, -1e-3, 0, "opts->step must be a finite number in (0, 1]");
  expect_bad_opts(x, -1e-3, 0, "got -0.001");
  expect_bad_opts(x, NAN, 0, "opts->step must be a finite number in (0, 1] (or 0 for the default");
  expect_bad_opts(x, NAN, 0, "got nan");
  expect_bad_opts(x, INFINITY, 0, "opts->step must be a finite number in (0, 1]");
  expect_bad_opts(x, INFINITY, 0, "got inf");
  expect_bad_opts(x, -INFINITY, 0, "got -inf");
  expect_bad_opts(x, 1e300, 0, "opts->step must be a finite number in (0, 1]");
  expect_bad_opts(x, 2, 0, "got 2");
  expect_bad_opts(x, 0, -1, "opts->floor must be a finite number in (0, 1]");
  expect_bad_opts(x, 0, NAN, "opts->floor must be a finite number in (0, 1]");
  expect_bad_opts(x, 0, INFINITY, "opts->floor must be a finite number in (0, 1]");
  expect_bad_opts(x, 0, 1e300, "got 1e+300");
  expect_bad_opts(x, 1e-3, -1, "opts->floor"); /* a good step does not hide a bad floor */
  for (int i = 0; i < 3; i++) /* values and the caller's gradient left as they were */
    CU_ASSERT_EQUAL(x->value.data[i], (glab_real)(0.5 * (i + 1)));
  CU_ASSERT_EQUAL(x->grad[1], 7);

  /* 0 is each field's default, and the bounds themselves are accepted */
  glab_gradcheck_report rep;
  glab_gradcheck_opts zero = {0, 0}, top = {1, 1}, small = {1e-3, 1e-3};
  CU_ASSERT_EQUAL(glab_gradcheck(f_sum_square, &x, 1, NULL, &zero, &rep), GLAB_OK);
  CU_ASSERT(rep.worst_rel_error < LIMIT);
  CU_ASSERT_EQUAL(glab_gradcheck(f_sum_square, &x, 1, NULL, &top, &rep), GLAB_OK);
  CU_ASSERT(rep.worst_rel_error < LIMIT); /* x² has exact central differences */
  CU_ASSERT_EQUAL(glab_gradcheck(f_sum_square, &x, 1, NULL, &small, &rep), GLAB_OK);
  CU_ASSERT_EQUAL(rep.checked, 3);

  /* an element the step cannot move, or one that is not finite */
  x->value.data[2] = (glab_real)1e20;
  CU_ASSERT_EQUAL(glab_gradcheck(f_sum_square, &x, 1, NULL, NULL, &rep), GLAB_ERR_ARG);
  CU_ASSERT_PTR_NOT_NULL(strstr(glab_last_error(), "variable 0 element 2: step"));
  CU_ASSERT_PTR_NOT_NULL(strstr(glab_last_error(), "is lost in rounding at x = 1"));
  x->value.data[2] = (glab_real)NAN;
  CU_ASSERT_EQUAL(glab_gradcheck(f_sum_square, &x, 1, NULL, NULL, &rep), GLAB_ERR_ARG);
  CU_ASSERT_PTR_NOT_NULL(strstr(glab_last_error(), "variable 0 element 2 is nan (not finite)"));
  CU_ASSERT_EQUAL(x->grad[1], 7);
  CU_ASSERT_EQUAL(x->value.data[0], (glab_real)0.5);
  glab_var_destroy(x);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("core_gradcheck", NULL, NULL);
  CU_add_test(s, "every op against finite differences", test_all_ops);
  CU_add_test(s, "a wrong backward is caught", test_checker_fails);
  CU_add_test(s, "bad step and floor are errors", test_bad_options);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
