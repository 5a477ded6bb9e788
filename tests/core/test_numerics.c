/* test_numerics.c — stable activations and losses at |x| = 1e4 (and other extremes) give the
 * analytic values and gradients: finite, no NaN, no overflow. Reductions sum in double. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>

#include "gradlab/error.h"
#include "gradlab/ops.h"

#define BIG 1e4

static int close_to(double got, double want) {
  return isfinite(got) && fabs(got - want) <= 1e-6 * fmax(1.0, fabs(want));
}

/* Apply a unary op to [−1e4, −30, 0, 30, 1e4]; check y and dy/dx (seeded with ones). */
static void check_unary(const char *name, glab_var *(*op)(glab_tape *, glab_var *),
                        const double *y_want, const double *g_want) {
  static const double xs[5] = {-BIG, -30, 0, 30, BIG};
  int s[1] = {5};
  glab_var *x = glab_var_create(1, s, 1);
  for (int i = 0; i < 5; i++)
    x->value.data[i] = (glab_real)xs[i];
  glab_tape *t = glab_tape_create();
  glab_var *y = op(t, x);
  CU_ASSERT_PTR_NOT_NULL_FATAL(y);
  CU_ASSERT_EQUAL(glab_backward(t, glab_sum(t, y)), GLAB_OK);
  for (int i = 0; i < 5; i++) {
    int ok = close_to(y->value.data[i], y_want[i]) && close_to(x->grad[i], g_want[i]);
    if (!ok)
      printf("\n    %s(%g): y %.9g (want %.9g), dy/dx %.9g (want %.9g)", name, xs[i],
             (double)y->value.data[i], y_want[i], (double)x->grad[i], g_want[i]);
    CU_ASSERT(ok);
  }
  glab_tape_destroy(t);
  glab_var_destroy(x);
}

/* Analytic values at −1e4, −30, 0, 30, 1e4 (e^-30 ≈ 9.36e-14 matters at 1e-6 only against 0). */
static void test_activations(void) {
  double e30 = exp(-30.0);
  double sig[5] = {0, e30 / (1 + e30), 0.5, 1 / (1 + e30), 1};
  double dsig[5] = {0, sig[1] * (1 - sig[1]), 0.25, sig[3] * (1 - sig[3]), 0};
  check_unary("sigmoid", glab_sigmoid, sig, dsig);
  double th[5] = {-1, tanh(-30.0), 0, tanh(30.0), 1}, dth[5] = {0, 0, 1, 0, 0};
  check_unary("tanh", glab_tanh, th, dth);
  double sp[5] = {0, log1p(e30), log(2.0), 30 + log1p(e30), BIG};
  check_unary("softplus", glab_softplus, sp, sig); /* d softplus = sigmoid */
  double ls[5] = {-BIG, -30 - log1p(e30), -log(2.0), -log1p(e30), 0};
  double dls[5] = {1, 1 / (1 + e30), 0.5, e30 / (1 + e30), 0}; /* = sigmoid(−x) */
  check_unary("log_sigmoid", glab_log_sigmoid, ls, dls);
}

static void test_softmax_rows(void) {
  int s[2] = {2, 3};
  glab_var *x = glab_var_create(2, s, 1);
  const double xs[6] = {BIG, -BIG, 0, -BIG, -BIG, -BIG};
  for (int i = 0; i < 6; i++)
    x->value.data[i] = (glab_real)xs[i];
  glab_tape *t = glab_tape_create();
  /* log_softmax row 0: [0, −2e4, −1e4]; row 1: all −log 3. d Σ/dx = 1 − 3·softmax. */
  glab_var *y = glab_log_softmax(t, x);
  CU_ASSERT_EQUAL_FATAL(glab_backward(t, glab_sum(t, y)), GLAB_OK);
  double y_want[6] = {0, -2 * BIG, -BIG, -log(3.0), -log(3.0), -log(3.0)};
  double g_want[6] = {-2, 1, 1, 0, 0, 0};
  for (int i = 0; i < 6; i++) {
    CU_ASSERT(close_to(y->value.data[i], y_want[i]));
    CU_ASSERT(close_to(x->grad[i], g_want[i]));
  }
  glab_tape_reset(t);
  glab_var_zero_grad(x);
  y = glab_softmax(t, x);
  double p_want[6] = {1, 0, 0, 1 / 3.0, 1 / 3.0, 1 / 3.0};
  for (int i = 0; i < 6; i++)
    CU_ASSERT(close_to(y->value.data[i], p_want[i]));
  /* d y_00 / dx = p_0 (e_0 − p) = 0 at saturation: finite */
  CU_ASSERT_EQUAL(glab_backward(t, glab_slice_cols(t, glab_slice_first(t, y, 0, 1, 0), 0, 1)),
                  GLAB_OK);
  for (int i = 0; i < 6; i++)
    CU_ASSERT(close_to(x->grad[i], 0));
  glab_tape_destroy(t);
  glab_var_destroy(x);
}

static void test_softmax_xent(void) {
  int s[2] = {3, 3};
  glab_var *x = glab_var_create(2, s, 1);
  const double xs[9] = {BIG, -BIG, 0, BIG, -BIG, 0, 0, 0, 0};
  for (int i = 0; i < 9; i++)
    x->value.data[i] = (glab_real)xs[i];
  int labels[3] = {1, 0, 2};
  glab_tape *t = glab_tape_create();
  glab_var *loss = glab_softmax_xent(t, x, labels);
  CU_ASSERT_PTR_NOT_NULL_FATAL(loss);
  CU_ASSERT_EQUAL(glab_backward(t, loss), GLAB_OK);
  /* Row losses: 2e4, 0, log 3; mean over 3 rows. Gradient (p − onehot)/3. */
  CU_ASSERT(close_to(loss->value.data[0], (2 * BIG + 0 + log(3.0)) / 3));
  double g_want[9] = {1 / 3.0, -1 / 3.0, 0, 0, 0, 0, 1 / 9.0, 1 / 9.0, 1 / 9.0 - 1 / 3.0};
  for (int i = 0; i < 9; i++) {
    if (!close_to(x->grad[i], g_want[i]))
      printf("\n    softmax_xent grad[%d] = %.9g, want %.9g", i, (double)x->grad[i], g_want[i]);
    CU_ASSERT(close_to(x->grad[i], g_want[i]));
  }
  glab_tape_destroy(t);
  glab_var_destroy(x);
}

static void test_bce_logits(void) {
  int s[1] = {4};
  glab_var *x = glab_var_create(1, s, 1), *y = glab_var_create(1, s, 0);
  const double xs[4] = {BIG, -BIG, BIG, -BIG}, ts[4] = {0, 0, 1, 1};
  for (int i = 0; i < 4; i++) {
    x->value.data[i] = (glab_real)xs[i];
    y->value.data[i] = (glab_real)ts[i];
  }
  glab_tape *t = glab_tape_create();
  glab_var *loss = glab_bce_logits(t, x, y);
  CU_ASSERT_PTR_NOT_NULL_FATAL(loss);
  CU_ASSERT_EQUAL(glab_backward(t, loss), GLAB_OK);
  /* per element: 1e4, 0, 0, 1e4; gradient (σ(x) − t)/4 = 1/4, 0, 0, −1/4 */
  CU_ASSERT(close_to(loss->value.data[0], 2 * BIG / 4));
  double g_want[4] = {0.25, 0, 0, -0.25};
  for (int i = 0; i < 4; i++)
    CU_ASSERT(close_to(x->grad[i], g_want[i]));
  /* mse at large values stays finite too */
  glab_tape_reset(t);
  glab_var_zero_grad(x);
  loss = glab_mse(t, x, y);
  CU_ASSERT(close_to(loss->value.data[0],
                     (BIG * BIG * 2 + (BIG - 1) * (BIG - 1) + (BIG + 1) * (BIG + 1)) / 4));
  glab_tape_destroy(t);
  glab_var_destroy(x);
  glab_var_destroy(y);
}

/* Every reduction sums in double: 2^24 followed by 1000 ones is 16778216 (exact in float),
 * where a float accumulator stays at 2^24 (each +1 rounds away). */
static void test_sums_in_double(void) {
  enum { ROWS = 1001 };
  int s[2] = {ROWS, 2}, flat[1] = {ROWS};
  glab_var *x = glab_var_create(2, s, 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(x);
  for (int i = 0; i < 2 * ROWS; i++)
    x->value.data[i] = 1;
  x->value.data[0] = 16777216.0f;
  glab_tape *t = glab_tape_create();
  glab_var *sc = glab_sum_cols(t, x), *mc = glab_mean_cols(t, x);
  glab_var *all = glab_sum(t, glab_slice_cols(t, x, 0, 1));
  glab_var *row = glab_sum_rows(t, glab_reshape(t, glab_slice_cols(t, x, 0, 1), 1, flat));
  CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
  CU_ASSERT_PTR_NOT_NULL_FATAL(mc);
  CU_ASSERT_PTR_NOT_NULL_FATAL(all);
  CU_ASSERT_PTR_NOT_NULL_FATAL(row);
  const double want = 16777216.0 + (ROWS - 1);
  const char *names[4] = {"sum_cols", "mean_cols", "sum", "sum_rows"};
  const double got[4] = {sc->value.data[0], (double)mc->value.data[0] * ROWS, all->value.data[0],
                         row->value.data[0]};
  for (int k = 0; k < 4; k++) {
    int ok = fabs(got[k] - want) <= (k == 1 ? 2 : 0); /* a mean is rounded once more */
    if (!ok) printf("\n    %s: %.1f, want %.1f", names[k], got[k], want);
    CU_ASSERT(ok);
  }
  CU_ASSERT_EQUAL(sc->value.data[1], ROWS);
  glab_tape_destroy(t);
  glab_var_destroy(x);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("core_numerics", NULL, NULL);
  CU_add_test(s, "stable activations at |x| = 1e4", test_activations);
  CU_add_test(s, "softmax and log_softmax at |x| = 1e4", test_softmax_rows);
  CU_add_test(s, "softmax_xent at |x| = 1e4", test_softmax_xent);
  CU_add_test(s, "bce_logits and mse at |x| = 1e4", test_bce_logits);
  CU_add_test(s, "sums accumulate in double", test_sums_in_double);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
