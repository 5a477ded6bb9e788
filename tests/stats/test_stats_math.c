/* test_stats_math.c — the statistics of one tensor against hand-computed values: exact small
 * cases, NaN/inf counting, frac_zero, tiny (1e-25) and huge (1e30) floats, extreme doubles, the
 * activation fractions and the update ratio. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>

#include "gradlab/stats.h"

#define CLOSE(a, b, rel) CU_ASSERT(fabs((a) - (b)) <= (rel)*fabs(b) + 1e-300)

static void test_small_exact(void) {
  glab_real x[] = {1, 2, 3, 4};
  glab_stats s;
  glab_stats_compute(x, 4, &s);
  CU_ASSERT_EQUAL(s.count, 4);
  CU_ASSERT_EQUAL(s.nonfinite, 0);
  CLOSE(s.norm, sqrt(30.0), 1e-12);
  CLOSE(s.mean, 2.5, 1e-12);
  CLOSE(s.std, sqrt(1.25), 1e-12); /* population std */
  CU_ASSERT_EQUAL(s.min, 1);
  CU_ASSERT_EQUAL(s.max, 4);
  CLOSE(s.mean_abs, 2.5, 1e-12);
  CU_ASSERT_EQUAL(s.frac_zero, 0);
}

static void test_nonfinite_and_zeros(void) {
  glab_real x[] = {0, -2, 0, 2, NAN, INFINITY, -INFINITY, 0};
  glab_stats s;
  glab_stats_compute(x, 8, &s);
  CU_ASSERT_EQUAL(s.count, 8);
  CU_ASSERT_EQUAL(s.nonfinite, 3);
  /* finite: 0 -2 0 2 0 */
  CLOSE(s.norm, sqrt(8.0), 1e-12);
  CU_ASSERT(fabs(s.mean) < 1e-15);
  CLOSE(s.std, sqrt(8.0 / 5), 1e-12);
  CU_ASSERT_EQUAL(s.min, -2);
  CU_ASSERT_EQUAL(s.max, 2);
  CLOSE(s.mean_abs, 4.0 / 5, 1e-12);
  CLOSE(s.frac_zero, 3.0 / 8, 1e-15); /* over all elements */
  /* all non-finite: everything 0 except the counts */
  glab_real y[] = {NAN, NAN};
  glab_stats_compute(y, 2, &s);
  CU_ASSERT_EQUAL(s.count, 2);
  CU_ASSERT_EQUAL(s.nonfinite, 2);
  CU_ASSERT_EQUAL(s.norm, 0);
  CU_ASSERT_EQUAL(s.mean, 0);
  /* empty */
  glab_stats_compute(x, 0, &s);
  CU_ASSERT_EQUAL(s.count, 0);
  CU_ASSERT_EQUAL(s.norm, 0);
  CU_ASSERT_EQUAL(s.frac_zero, 0);
}

/* NaN and inf in the middle of a long tensor (not in the first chunk) are all found. */
static void test_nonfinite_many_chunks(void) {
  size_t n = 10000;
  glab_real *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++)
    x[i] = (glab_real)1;
  x[777] = NAN;
  x[5001] = INFINITY;
  x[9999] = -INFINITY;
  glab_stats s;
  glab_stats_compute(x, n, &s);
  CU_ASSERT_EQUAL(s.nonfinite, 3);
  CLOSE(s.norm, sqrt((double)(n - 3)), 1e-12);
  CLOSE(s.mean, 1.0, 1e-12);
  CU_ASSERT(s.std < 1e-12);
  size_t bad = 0;
  double nrm = glab_norm2(x, n, &bad);
  CU_ASSERT_EQUAL(bad, 3);
  CLOSE(nrm, sqrt((double)(n - 3)), 1e-12);
  free(x);
}

static void test_tiny_floats(void) {
  size_t n = 1000;
  glab_real *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++)
    x[i] = (glab_real)((i % 2) ? 1e-25 : -1e-25);
  glab_stats s;
  glab_stats_compute(x, n, &s);
  CU_ASSERT(s.norm > 0);
  CLOSE(s.norm, 1e-25 * sqrt((double)n), 1e-6);
  CLOSE(s.mean_abs, 1e-25, 1e-6);
  CLOSE(s.std, 1e-25, 1e-6);
  CU_ASSERT_EQUAL(s.frac_zero, 0);
  CLOSE(glab_norm2(x, n, NULL), 1e-25 * sqrt((double)n), 1e-6);
  /* subnormal floats too (1e-40 is below FLT_MIN) */
  for (size_t i = 0; i < n; i++)
    x[i] = (glab_real)1e-40;
  glab_stats_compute(x, n, &s);
  CLOSE(s.norm, (double)(glab_real)1e-40 * sqrt((double)n), 1e-6);
  free(x);
}

static void test_huge_floats(void) {
  size_t n = 1000;
  glab_real *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++)
    x[i] = (glab_real)1e30;
  glab_stats s;
  glab_stats_compute(x, n, &s);
  CU_ASSERT(isfinite(s.norm));
  CLOSE(s.norm, (double)(glab_real)1e30 * sqrt((double)n), 1e-6);
  CLOSE(s.mean, (double)(glab_real)1e30, 1e-9);
  CU_ASSERT_EQUAL(s.nonfinite, 0);
  CLOSE(glab_norm2(x, n, NULL), (double)(glab_real)1e30 * sqrt((double)n), 1e-6);
  /* largest floats: no overflow either */
  for (size_t i = 0; i < n; i++)
    x[i] = (glab_real)3e38;
  glab_stats_compute(x, n, &s);
  CU_ASSERT(isfinite(s.norm));
  CLOSE(s.norm, (double)(glab_real)3e38 * sqrt((double)n), 1e-6);
  free(x);
}

/* Doubles beyond the range where squares are representable still get the right norm. */
static void test_extreme_doubles(void) {
  size_t n = 600;
  double *x = malloc(n * sizeof *x);
  glab_stats s;
  for (size_t i = 0; i < n; i++)
    x[i] = 1e200;
  glab_stats_compute_double(x, n, &s);
  CLOSE(s.norm, 1e200 * sqrt((double)n), 1e-12);
  for (size_t i = 0; i < n; i++)
    x[i] = -1e-200;
  glab_stats_compute_double(x, n, &s);
  CLOSE(s.norm, 1e-200 * sqrt((double)n), 1e-12);
  CLOSE(s.mean, -1e-200, 1e-12);
  /* a mix across chunks: the small part is negligible but must not break the big part */
  for (size_t i = 0; i < n; i++)
    x[i] = i < 300 ? 1e-150 : 3e150;
  glab_stats_compute_double(x, n, &s);
  CLOSE(s.norm, 3e150 * sqrt(300.0), 1e-12);
  free(x);
}

/* Values with a large mean and a small spread: std must not cancel away. */
static void test_std_precision(void) {
  size_t n = 4096;
  double *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++)
    x[i] = 1e6 + ((i % 2) ? 1e-3 : -1e-3);
  glab_stats s;
  glab_stats_compute_double(x, n, &s);
  CLOSE(s.std, 1e-3, 1e-6);
  CLOSE(s.mean, 1e6, 1e-12);
  free(x);
}

/* Against a naive double computation on pseudo-random data of an odd length. */
static void test_random_against_naive(void) {
  size_t n = 3001;
  glab_real *x = malloc(n * sizeof *x);
  unsigned u = 12345;
  for (size_t i = 0; i < n; i++) {
    u = u * 1103515245u + 12345u;
    x[i] = (glab_real)(((u >> 8) & 0xffff) / 65536.0 - 0.3);
    if (i % 97 == 0) x[i] = 0;
  }
  double sum = 0, sq = 0, sa = 0, mn = INFINITY, mx = -INFINITY, z = 0;
  for (size_t i = 0; i < n; i++) {
    double v = x[i];
    sum += v, sq += v * v, sa += fabs(v), z += v == 0;
    mn = fmin(mn, v), mx = fmax(mx, v);
  }
  double mean = sum / n, var = 0;
  for (size_t i = 0; i < n; i++)
    var += (x[i] - mean) * (x[i] - mean);
  glab_stats s;
  glab_stats_compute(x, n, &s);
  CLOSE(s.norm, sqrt(sq), 1e-10);
  CLOSE(s.mean, mean, 1e-9);
  CLOSE(s.std, sqrt(var / n), 1e-10);
  CU_ASSERT_EQUAL(s.min, mn);
  CU_ASSERT_EQUAL(s.max, mx);
  CLOSE(s.mean_abs, sa / n, 1e-10);
  CLOSE(s.frac_zero, z / n, 1e-15);
  free(x);
}

/* Floats with a large mean and a small spread: the fast kernel's cancellation check sends the
 * chunk to the shifted kernel, so std keeps its digits. */
static void test_float_std_precision(void) {
  size_t n = 5000;
  glab_real *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++)
    x[i] = (glab_real)(1000.0 + ((i % 2) ? 0.0625 : -0.0625)); /* exact in float */
  glab_stats s;
  glab_stats_compute(x, n, &s);
  CLOSE(s.std, 0.0625, 1e-9);
  CLOSE(s.mean, 1000.0, 1e-12);
  CLOSE(s.mean_abs, 1000.0, 1e-12);
  CLOSE(s.norm, 1000.0 * sqrt((double)n) * sqrt(1 + 0.0625 * 0.0625 / 1e6), 1e-12);
  free(x);
}

/* glab_stats_compute_pair: the statistics of x exactly as glab_stats_compute, the norm of u as
 * glab_norm2, on lengths around the block sizes, with NaN, tiny and huge updates. */
static void test_pair(void) {
  size_t lens[] = {1, 15, 1024, 4095, 4096, 4097, 10000};
  for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
    size_t n = lens[li];
    glab_real *x = malloc(n * sizeof *x), *u = malloc(n * sizeof *u);
    for (int variant = 0; variant < 4; variant++) {
      unsigned r = 7;
      for (size_t i = 0; i < n; i++) {
        r = r * 1103515245u + 12345u;
        x[i] = (glab_real)(((r >> 8) & 0xffff) / 65536.0 - 0.5);
        u[i] = (glab_real)(variant == 1 ? 1e-25 : variant == 2 ? 1e30 : 1e-3) * x[i];
      }
      if (variant == 3) u[n / 2] = NAN, x[n - 1] = INFINITY;
      glab_stats a, b;
      double un = -1;
      size_t bad = 99;
      glab_stats_compute_pair(x, u, n, &a, &un, &bad);
      glab_stats_compute(x, n, &b);
      for (int k = 0; k < GLAB_STAT_NFIELDS; k++)
        CLOSE(glab_stats_get(&a, k), glab_stats_get(&b, k), 1e-15);
      size_t bad2 = 0;
      double un2 = glab_norm2(u, n, &bad2);
      CLOSE(un, un2, 1e-12);
      double naive = 0; /* float squares fit a double: the naive sum is exact enough here */
      for (size_t i = 0; i < n; i++)
        if (isfinite(u[i])) naive += (double)u[i] * (double)u[i];
      CLOSE(un, sqrt(naive), 1e-12);
      CU_ASSERT_EQUAL(bad, bad2);
      CU_ASSERT_EQUAL(bad, variant == 3 ? 1 : 0);
    }
    glab_stats c;
    double un = -1;
    glab_stats_compute_pair(x, NULL, n, &c, &un, NULL); /* no update */
    CU_ASSERT_EQUAL(un, 0);
    CU_ASSERT_EQUAL(c.count, n);
    free(x);
    free(u);
  }
}

static void test_activation_fractions(void) {
  glab_real sig[] = {0.001f, 0.5f, 0.995f, 0.2f};
  CLOSE(glab_act_fraction(sig, 4, GLAB_ACT_SIGMOID), 0.5, 1e-15);
  glab_real th[] = {-0.999f, 0.0f, 0.995f, 0.5f, NAN};
  CLOSE(glab_act_fraction(th, 5, GLAB_ACT_TANH), 0.5, 1e-15); /* NaN excluded */
  glab_real re[] = {0, -1, 2, 3};
  CLOSE(glab_act_fraction(re, 4, GLAB_ACT_RELU), 0.5, 1e-15);
  CU_ASSERT_EQUAL(glab_act_fraction(re, 4, GLAB_ACT_NONE), 0);
  glab_stats s;
  double f = -1;
  glab_stats_compute_act(re, 4, GLAB_ACT_RELU, &s, &f);
  CLOSE(f, 0.5, 1e-15);
  CLOSE(s.mean, 1.0, 1e-15);
}

static void test_update_ratio_and_names(void) {
  CLOSE(glab_update_ratio(1e-3, 2.0), 5e-4, 1e-15);
  CU_ASSERT_EQUAL(glab_update_ratio(0, 0), 0);
  CU_ASSERT(isinf(glab_update_ratio(1, 0)));
  CU_ASSERT(isnan(glab_update_ratio(NAN, 1)));
  CU_ASSERT_STRING_EQUAL(glab_stat_name(GLAB_STAT_FRAC_ZERO), "frac_zero");
  CU_ASSERT_EQUAL(glab_stat_index("mean_abs"), GLAB_STAT_MEAN_ABS);
  CU_ASSERT_EQUAL(glab_stat_index("bogus"), -1);
  CU_ASSERT_PTR_NULL(glab_stat_name(GLAB_STAT_NFIELDS));
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("stats_math", NULL, NULL);
  CU_add_test(s, "small exact", test_small_exact);
  CU_add_test(s, "nonfinite and zeros", test_nonfinite_and_zeros);
  CU_add_test(s, "nonfinite across chunks", test_nonfinite_many_chunks);
  CU_add_test(s, "1e-25 floats", test_tiny_floats);
  CU_add_test(s, "1e30 floats", test_huge_floats);
  CU_add_test(s, "extreme doubles", test_extreme_doubles);
  CU_add_test(s, "std precision", test_std_precision);
  CU_add_test(s, "random vs naive", test_random_against_naive);
  CU_add_test(s, "float std precision", test_float_std_precision);
  CU_add_test(s, "value and update in one pass", test_pair);
  CU_add_test(s, "activation fractions", test_activation_fractions);
  CU_add_test(s, "update ratio, names", test_update_ratio_and_names);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
