/* test_data_ops.c — dataset operations (batch layout for flat and sequence data, one-hot,
 * subset/head/split/shuffle sharing storage, class counts, standardisation, from_arrays) and the
 * built-in tasks (xor, blobs, spirals, adding, copy): shapes, determinism, the adding problem's
 * mean baseline MSE ≈ 1/6. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/data.h"
#include "gradlab/error.h"

static void test_xor(void) {
  glab_dataset *ds = glab_data_xor();
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_size(ds), 4);
  CU_ASSERT_EQUAL(glab_dataset_target_kind(ds), GLAB_TARGET_REAL);
  CU_ASSERT_EQUAL(glab_dataset_target_width(ds), 1);
  glab_tensor *x = glab_tensor_create(2, (int[]){4, 2});
  size_t idx[4] = {0, 1, 2, 3};
  glab_real t[4];
  CU_ASSERT_EQUAL(glab_dataset_batch(ds, idx, 4, x, t, NULL), GLAB_OK);
  for (int i = 0; i < 4; i++) {
    int a = (int)x->data[2 * i], b = (int)x->data[2 * i + 1];
    CU_ASSERT_EQUAL((int)t[i], a ^ b);
  }
  int lab[4];
  CU_ASSERT_EQUAL(glab_dataset_batch(ds, idx, 4, x, NULL, lab), GLAB_ERR_ARG);
  glab_tensor_destroy(x);
  glab_dataset_destroy(ds);
}

static void test_blobs_spirals(void) {
  glab_dataset *a = glab_data_blobs(300, 3, 5, 0.5, 11), *b = glab_data_blobs(300, 3, 5, 0.5, 11);
  glab_dataset *c = glab_data_blobs(300, 3, 5, 0.5, 12);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  size_t counts[3];
  CU_ASSERT_EQUAL(glab_dataset_class_counts(a, counts), GLAB_OK);
  CU_ASSERT(counts[0] == 100 && counts[1] == 100 && counts[2] == 100);
  glab_tensor *xa = glab_tensor_create(1, (int[]){5}), *xb = glab_tensor_create(1, (int[]){5});
  glab_tensor *xc = glab_tensor_create(1, (int[]){5});
  glab_dataset_item(a, 7, xa, NULL, NULL);
  glab_dataset_item(b, 7, xb, NULL, NULL);
  glab_dataset_item(c, 7, xc, NULL, NULL);
  CU_ASSERT_EQUAL(memcmp(xa->data, xb->data, 5 * sizeof(glab_real)), 0); /* same seed */
  CU_ASSERT_NOT_EQUAL(memcmp(xa->data, xc->data, 5 * sizeof(glab_real)), 0);
  glab_tensor_destroy(xa);
  glab_tensor_destroy(xb);
  glab_tensor_destroy(xc);
  glab_dataset_destroy(a);
  glab_dataset_destroy(b);
  glab_dataset_destroy(c);
  CU_ASSERT_PTR_NULL(glab_data_blobs(10, 0, 2, 1, 1));
  CU_ASSERT_PTR_NULL(glab_data_blobs(0, 2, 2, 1, 1));

  glab_dataset *s = glab_data_spirals(201, 0.0, 3);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL(glab_dataset_size(s), 201);
  CU_ASSERT_EQUAL(glab_dataset_classes(s), 2);
  glab_dataset_class_counts(s, counts);
  CU_ASSERT(counts[0] == 101 && counts[1] == 100);
  /* noise-free points lie within the unit disc, and the two arms are point-symmetric */
  glab_tensor *p = glab_tensor_create(1, (int[]){2}), *q = glab_tensor_create(1, (int[]){2});
  glab_dataset_item(s, 100, p, NULL, NULL);
  CU_ASSERT(hypot(p->data[0], p->data[1]) <= 1.0001);
  glab_dataset_destroy(s);
  s = glab_data_spirals(200, 0.0, 3);
  glab_dataset_item(s, 10, p, NULL, NULL);
  glab_dataset_item(s, 110, q, NULL, NULL);
  CU_ASSERT_DOUBLE_EQUAL(p->data[0], -q->data[0], 1e-5);
  CU_ASSERT_DOUBLE_EQUAL(p->data[1], -q->data[1], 1e-5);
  glab_tensor_destroy(p);
  glab_tensor_destroy(q);
  glab_dataset_destroy(s);
}

/* A spread or noise that means nothing is an error naming the option and the value for C
 * callers too (NaN or <= 0 spread became 1, NaN or negative noise 0, inf made inf data). */
static void test_synth_options(void) {
  const struct {
    double v;
    const char *text;
  } bad_spread[] = {{NAN, "nan"}, {-NAN, "nan"}, {INFINITY, "inf"}, {-INFINITY, "-inf"},
                    {0, "0"},     {-0.0, "-0"},  {-1, "-1"},        {-0.1, "-0.1"}};
  char want[128];
  for (size_t i = 0; i < sizeof bad_spread / sizeof *bad_spread; i++) {
    glab_clear_error();
    CU_ASSERT_PTR_NULL(glab_data_blobs(10, 2, 2, bad_spread[i].v, 1));
    CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_ARG);
    snprintf(want, sizeof want, "blobs: option 'spread' must be a finite number > 0, got %s",
             bad_spread[i].text);
    CU_ASSERT_STRING_EQUAL(glab_last_error(), want);
  }
  const struct {
    double v;
    const char *text;
  } bad_noise[] = {
      {NAN, "nan"}, {INFINITY, "inf"}, {-INFINITY, "-inf"}, {-1e-300, "-1e-300"}, {-2, "-2"}};
  for (size_t i = 0; i < sizeof bad_noise / sizeof *bad_noise; i++) {
    glab_clear_error();
    CU_ASSERT_PTR_NULL(glab_data_spirals(10, bad_noise[i].v, 1));
    CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_ARG);
    snprintf(want, sizeof want, "spirals: option 'noise' must be a finite number >= 0, got %s",
             bad_noise[i].text);
    CU_ASSERT_STRING_EQUAL(glab_last_error(), want);
  }
  /* the edges that are values: a tiny spread, no noise (also -0) */
  glab_dataset *d = glab_data_blobs(10, 2, 2, 1e-300, 1);
  CU_ASSERT_PTR_NOT_NULL(d);
  glab_dataset_destroy(d);
  d = glab_data_spirals(10, -0.0, 1);
  CU_ASSERT_PTR_NOT_NULL(d);
  glab_dataset_destroy(d);
}

static void test_adding(void) {
  const int T = 20;
  const size_t n = 4000;
  glab_dataset *ds = glab_data_adding(T, n, 5);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT(glab_dataset_is_sequence(ds));
  int shape[GLAB_MAX_DIMS];
  CU_ASSERT_EQUAL(glab_dataset_item_shape(ds, shape), 2);
  CU_ASSERT(shape[0] == T && shape[1] == 2);
  CU_ASSERT_EQUAL(glab_dataset_batch_shape(ds, 8, shape), 3);
  CU_ASSERT(shape[0] == T && shape[1] == 8 && shape[2] == 2);
  /* every item: two markers, one per half, target = sum of the marked values */
  glab_tensor *x = glab_tensor_create(2, (int[]){T, 2});
  double sse = 0, sum = 0;
  for (size_t i = 0; i < n; i++) {
    glab_real t;
    CU_ASSERT_EQUAL_FATAL(glab_dataset_item(ds, i, x, &t, NULL), GLAB_OK);
    int first = 0, second = 0;
    double s = 0;
    for (int k = 0; k < T; k++) {
      CU_ASSERT(x->data[2 * k] >= 0 && x->data[2 * k] < 1);
      if (x->data[2 * k + 1] == 1) {
        s += x->data[2 * k];
        if (k < T / 2)
          first++;
        else
          second++;
      } else {
        CU_ASSERT_EQUAL(x->data[2 * k + 1], 0);
      }
    }
    CU_ASSERT(first == 1 && second == 1);
    CU_ASSERT_DOUBLE_EQUAL(t, s, 1e-6);
    sse += (t - 1.0) * (t - 1.0);
    sum += t;
  }
  double mse = sse / (double)n;
  printf("\n    adding T=%d n=%zu: mean target %.4f, predict-1 MSE %.4f (1/6 = 0.1667)\n", T, n,
         sum / (double)n, mse);
  CU_ASSERT(fabs(mse - 1.0 / 6.0) < 0.012);
  /* the batch is time-major: batch[t][b][f] = item_b[t][f] */
  glab_tensor *bx = glab_tensor_create(3, (int[]){T, 3, 2});
  size_t idx[3] = {9, 2, 9};
  glab_real tg[3];
  CU_ASSERT_EQUAL(glab_dataset_batch(ds, idx, 3, bx, tg, NULL), GLAB_OK);
  glab_dataset_item(ds, 2, x, NULL, NULL);
  for (int k = 0; k < T; k++)
    for (int f = 0; f < 2; f++)
      CU_ASSERT_EQUAL(bx->data[(k * 3 + 1) * 2 + f], x->data[k * 2 + f]);
  CU_ASSERT_EQUAL(tg[0], tg[2]);
  glab_tensor_destroy(bx);
  glab_tensor_destroy(x);
  glab_dataset_destroy(ds);
  CU_ASSERT_PTR_NULL(glab_data_adding(1, 10, 1));
}

static void test_copy(void) {
  glab_dataset *ds = glab_data_copy(10, 50, 4, 9);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_classes(ds), 4);
  int shape[GLAB_MAX_DIMS];
  glab_dataset_item_shape(ds, shape);
  CU_ASSERT(shape[0] == 10 && shape[1] == 5);
  glab_tensor *x = glab_tensor_create(2, shape);
  for (size_t i = 0; i < 50; i++) {
    int lab;
    glab_dataset_item(ds, i, x, NULL, &lab);
    CU_ASSERT_EQUAL(x->data[lab], 1);
    CU_ASSERT_EQUAL(x->data[9 * 5 + 4], 1);
    double total = 0;
    for (size_t k = 0; k < x->size; k++)
      total += x->data[k];
    CU_ASSERT_EQUAL(total, 2);
  }
  glab_tensor_destroy(x);
  glab_dataset_destroy(ds);
}

/* 10 items [2] = (i, -i), labels i % 3. */
static glab_dataset *small(void) {
  glab_real in[20];
  int lab[10];
  for (int i = 0; i < 10; i++) {
    in[2 * i] = (glab_real)i;
    in[2 * i + 1] = (glab_real)-i;
    lab[i] = i % 3;
  }
  return glab_dataset_from_arrays(10, 1, (int[]){2}, 0, in, GLAB_TARGET_CLASS, 3, NULL, lab);
}

static glab_real first(glab_dataset *ds, size_t i) {
  glab_tensor *x = glab_tensor_create(1, (int[]){2});
  glab_dataset_item(ds, i, x, NULL, NULL);
  glab_real v = x->data[0];
  glab_tensor_destroy(x);
  return v;
}

static void test_views(void) {
  glab_dataset *ds = small();
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  glab_dataset *h = glab_dataset_head(ds, 4);
  CU_ASSERT_EQUAL(glab_dataset_size(h), 4);
  size_t pick[3] = {3, 1, 3};
  glab_dataset *sub = glab_dataset_subset(h, pick, 3);
  CU_ASSERT_EQUAL(glab_dataset_size(sub), 3);
  CU_ASSERT_EQUAL(first(sub, 0), 3);
  CU_ASSERT_EQUAL(first(sub, 1), 1);
  size_t out_of_range = 4;
  CU_ASSERT_PTR_NULL(glab_dataset_subset(h, &out_of_range, 1));
  CU_ASSERT(strstr(glab_last_error(), "out of range") != NULL);
  /* the parent can go first: views keep the storage */
  glab_dataset_destroy(ds);
  glab_dataset_destroy(h);
  CU_ASSERT_EQUAL(first(sub, 2), 3);
  /* retain: two owners */
  glab_dataset_retain(sub);
  glab_dataset_destroy(sub);
  CU_ASSERT_EQUAL(glab_dataset_size(sub), 3);
  glab_dataset_destroy(sub);

  ds = small();
  glab_dataset *a, *b;
  CU_ASSERT_EQUAL(glab_dataset_split(ds, 0.7, NULL, &a, &b), GLAB_OK);
  CU_ASSERT_EQUAL(glab_dataset_size(a), 7);
  CU_ASSERT_EQUAL(glab_dataset_size(b), 3);
  CU_ASSERT_EQUAL(first(b, 0), 7);
  glab_dataset_destroy(a);
  glab_dataset_destroy(b);
  glab_rng r;
  glab_rng_seed(&r, 1, 1);
  CU_ASSERT_EQUAL(glab_dataset_split(ds, 0.5, &r, &a, &b), GLAB_OK);
  int seen[10] = {0};
  for (size_t i = 0; i < 5; i++)
    seen[(int)first(a, i)]++, seen[(int)first(b, i)]++;
  for (int i = 0; i < 10; i++)
    CU_ASSERT_EQUAL(seen[i], 1);
  glab_dataset_destroy(a);
  glab_dataset_destroy(b);
  CU_ASSERT_EQUAL(glab_dataset_split(ds, 1.5, NULL, &a, &b), GLAB_ERR_ARG);
  CU_ASSERT_PTR_NULL(a);
  glab_dataset *sh = glab_dataset_shuffled(ds, &r);
  CU_ASSERT_EQUAL(glab_dataset_size(sh), 10);
  size_t counts[3];
  glab_dataset_class_counts(sh, counts);
  CU_ASSERT(counts[0] == 4 && counts[1] == 3 && counts[2] == 3);
  int moved = 0;
  for (size_t i = 0; i < 10; i++)
    moved += first(sh, i) != (glab_real)i;
  CU_ASSERT(moved > 0);
  glab_dataset_destroy(sh);
  /* one-hot */
  glab_real oh[6];
  CU_ASSERT_EQUAL(glab_one_hot((int[]){2, 0}, 2, 3, oh), GLAB_OK);
  CU_ASSERT(oh[2] == 1 && oh[3] == 1 && oh[0] + oh[1] + oh[4] + oh[5] == 0);
  CU_ASSERT_EQUAL(glab_one_hot((int[]){3}, 1, 3, oh), GLAB_ERR_ARG);
  CU_ASSERT_EQUAL(glab_dataset_num_batches(10, 3, 0), 4);
  CU_ASSERT_EQUAL(glab_dataset_num_batches(10, 3, 1), 3);
  glab_dataset_destroy(ds);
}

static void test_standardize(void) {
  glab_dataset *ds = small();
  glab_dataset *tr = glab_dataset_head(ds, 5);
  CU_ASSERT_EQUAL(glab_dataset_standardize(ds, NULL), GLAB_OK);
  CU_ASSERT_EQUAL(glab_dataset_scale(ds), GLAB_SCALE_STANDARD);
  glab_tensor *x = glab_tensor_create(2, (int[]){10, 2});
  size_t idx[10];
  for (size_t i = 0; i < 10; i++)
    idx[i] = i;
  CU_ASSERT_EQUAL(glab_dataset_batch(ds, idx, 10, x, NULL, NULL), GLAB_OK);
  for (int f = 0; f < 2; f++) {
    double m = 0, v = 0;
    for (int i = 0; i < 10; i++)
      m += x->data[2 * i + f] / 10.0;
    for (int i = 0; i < 10; i++)
      v += (x->data[2 * i + f] - m) * (x->data[2 * i + f] - m) / 10.0;
    CU_ASSERT_DOUBLE_EQUAL(m, 0, 1e-5);
    CU_ASSERT_DOUBLE_EQUAL(v, 1, 1e-4);
  }
  /* statistics from another set (train → test) */
  CU_ASSERT_EQUAL(glab_dataset_standardize(ds, tr), GLAB_OK);
  CU_ASSERT_EQUAL(glab_dataset_batch(ds, idx, 10, x, NULL, NULL), GLAB_OK);
  CU_ASSERT_DOUBLE_EQUAL(x->data[2 * 2], 0, 1e-5); /* mean of 0..4 is 2 */
  /* views inherit the statistics */
  glab_dataset *h = glab_dataset_head(ds, 3);
  glab_tensor *y = glab_tensor_create(1, (int[]){2});
  glab_dataset_item(h, 2, y, NULL, NULL);
  CU_ASSERT_DOUBLE_EQUAL(y->data[0], 0, 1e-5);
  glab_tensor_destroy(y);
  glab_dataset_destroy(h);
  glab_tensor_destroy(x);
  glab_dataset_destroy(tr);
  glab_dataset_destroy(ds);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("data_ops", NULL, NULL);
  CU_add_test(s, "xor", test_xor);
  CU_add_test(s, "blobs and spirals", test_blobs_spirals);
  CU_add_test(s, "blobs spread and spirals noise are checked", test_synth_options);
  CU_add_test(s, "adding problem", test_adding);
  CU_add_test(s, "copy task", test_copy);
  CU_add_test(s, "subset, head, split, shuffle, one-hot", test_views);
  CU_add_test(s, "standardisation", test_standardize);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
