/* test_rbm_cd.c — CD-1 on a two-unit RBM (one visible, one hidden) against an update computed by
 * hand for a fixed sample and fixed random numbers. Includes the plugin's source to reach its
 * internal step function. */
#include <CUnit/Basic.h>
#include <math.h>

#include "../../plugins/pretrainers/rbm.c"

static double fixed_uniform(void *ctx) {
  double *u = ctx;
  return *u;
}

static void test_cd1_two_units(void) {
  /* w = 0.5, hidden bias c = -0.2, visible bias a = 0.1, v0 = 1, lr = 0.1, uniform draw 0.3:
   *   p(h|v0) = σ(0.3) = 0.574442516811659 > 0.3, so h = 1
   *   v1 = σ(1·0.5 + 0.1) = σ(0.6) = 0.6456563062257954
   *   p(h|v1) = σ(0.6456563·0.5 − 0.2) = 0.5306684906356205
   *   w' = 0.5 + 0.1·(1·0.574442516811659 − 0.6456563062257954·0.5306684906356205)
   *   a' = 0.1 + 0.1·(1 − 0.6456563062257954),  c' = −0.2 + 0.1·(0.5744425 − 0.5306685) */
  glab_real w = 0.5, c = -0.2;
  rbm r;
  CU_ASSERT_FATAL(rbm_init(&r, 1, 1, 1, &w, &c, 0) == GLAB_OK);
  r.a[0] = 0.1;
  double v0 = 1.0, u = 0.3;
  double recon = rbm_cd_step(&r, &v0, 1, 1, 0.1, fixed_uniform, &u);
  double tol = sizeof(glab_real) == 4 ? 1e-6 : 1e-12;
  CU_ASSERT_DOUBLE_EQUAL(w, 0.5231813059317446, tol);
  CU_ASSERT_DOUBLE_EQUAL(r.a[0], 0.13543436937742048, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(c, -0.19562259738239615, tol);
  CU_ASSERT_DOUBLE_EQUAL(recon, 0.12555945331754728, 1e-9);
  rbm_free(&r);
}

static void test_cd1_hidden_off(void) {
  /* The same start with a draw above p(h|v0): h = 0, so v1 = σ(a) and the positive and negative
   * phases differ only through v1. */
  glab_real w = 0.5, c = -0.2;
  rbm r;
  CU_ASSERT_FATAL(rbm_init(&r, 1, 1, 1, &w, &c, 0) == GLAB_OK);
  r.a[0] = 0.1;
  double v0 = 1.0, u = 0.9;
  rbm_cd_step(&r, &v0, 1, 1, 0.1, fixed_uniform, &u);
  double ph0 = 1 / (1 + exp(-0.3)), v1 = 1 / (1 + exp(-0.1)), ph1 = 1 / (1 + exp(-(v1 * 0.5 - 0.2)));
  double tol = sizeof(glab_real) == 4 ? 1e-6 : 1e-12;
  CU_ASSERT_DOUBLE_EQUAL(w, 0.5 + 0.1 * (ph0 - v1 * ph1), tol);
  CU_ASSERT_DOUBLE_EQUAL(r.a[0], 0.1 + 0.1 * (1 - v1), 1e-12);
  rbm_free(&r);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("rbm_cd", NULL, NULL);
  CU_add_test(s, "CD-1 on a 2-unit RBM equals the hand-computed update", test_cd1_two_units);
  CU_add_test(s, "CD-1 with the hidden unit sampled off", test_cd1_hidden_off);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
