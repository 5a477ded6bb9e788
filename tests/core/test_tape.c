/* test_tape.c — the tape and its neighbours: errors, tensors, arena reuse, gradient
 * accumulation, deep chains without recursion, broadcasting, shape errors, PCG32. */
#include <CUnit/Basic.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/error.h"
#include "gradlab/ops.h"
#include "gradlab/rng.h"

static glab_var *scalar_var(double x) {
  int one[1] = {1};
  glab_var *v = glab_var_create(1, one, 1);
  v->value.data[0] = (glab_real)x;
  return v;
}

static void test_errors(void) {
  glab_clear_error();
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_OK);
  CU_ASSERT_STRING_EQUAL(glab_last_error(), "");
  CU_ASSERT_EQUAL(glab_error(GLAB_ERR_IO, "cannot read %s", "x.csv"), GLAB_ERR_IO);
  CU_ASSERT_EQUAL(glab_error_context("loading %d", 3), GLAB_ERR_IO);
  CU_ASSERT_STRING_EQUAL(glab_last_error(), "loading 3: cannot read x.csv");
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_IO);
  glab_clear_error();
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_OK);
}

static void test_tensors(void) {
  int s[3] = {2, 3, 4}, bad[2] = {2, 0};
  char buf[32];
  CU_ASSERT_EQUAL(glab_shape_size(3, s), 24);
  CU_ASSERT_EQUAL(glab_shape_size(2, bad), 0);
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_SHAPE);
  CU_ASSERT_EQUAL(glab_shape_size(5, s), 0);
  CU_ASSERT_STRING_EQUAL(glab_shape_str(3, s, buf, sizeof buf), "[2][3][4]");
  CU_ASSERT_STRING_EQUAL(glab_shape_str(3, s, buf, 5), "[2][");
  glab_tensor *t = glab_tensor_create(3, s);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  CU_ASSERT_EQUAL(glab_tensor_rows(t), 6);
  CU_ASSERT_EQUAL(glab_tensor_cols(t), 4);
  t->data[23] = 5;
  glab_tensor *c = glab_tensor_copy(t);
  CU_ASSERT_EQUAL(c->data[23], 5);
  CU_ASSERT_EQUAL(c->data[0], 0);
  glab_tensor_destroy(c);
  glab_tensor_destroy(t);
  CU_ASSERT_PTR_NULL(glab_tensor_create(2, bad));
  CU_ASSERT_PTR_NOT_NULL(strstr(glab_last_error(), "[2][0]"));
}

/* y = x·x + x at x = 3: y = 12, dy/dx = 2x + 1 = 7 (x reaches y along two paths). */
static void test_accumulate(void) {
  glab_var *x = scalar_var(3);
  glab_tape *t = glab_tape_create();
  glab_var *y = glab_add(t, glab_mul(t, x, x), x);
  CU_ASSERT_PTR_NOT_NULL_FATAL(y);
  CU_ASSERT_EQUAL(glab_backward(t, y), GLAB_OK);
  CU_ASSERT_DOUBLE_EQUAL(y->value.data[0], 12, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(x->grad[0], 7, 1e-6);
  /* A second backward on the same tape recomputes the node gradients and adds to the
   * parameter's gradient once more (the caller zeroes parameters). */
  CU_ASSERT_EQUAL(glab_backward(t, y), GLAB_OK);
  CU_ASSERT_DOUBLE_EQUAL(x->grad[0], 14, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(y->grad[0], 1, 0);
  glab_var_zero_grad(x);
  CU_ASSERT_EQUAL(x->grad[0], 0);
  /* A tape input that needs a gradient is a leaf node with its own grad. */
  glab_tape_reset(t);
  int one[1] = {1};
  glab_var *z = glab_tape_leaf(t, 1, one, 1);
  z->value.data[0] = 3;
  glab_var *w = glab_add(t, glab_mul(t, z, z), z);
  CU_ASSERT_EQUAL(glab_backward(t, w), GLAB_OK);
  CU_ASSERT_DOUBLE_EQUAL(z->grad[0], 7, 1e-6);
  /* Nothing that needs a gradient: backward does nothing and is fine. */
  glab_tape_reset(t);
  glab_var *c = glab_tape_leaf(t, 1, one, 0);
  glab_var *d = glab_square(t, c);
  CU_ASSERT_FALSE(glab_var_needs_grad(d));
  CU_ASSERT_EQUAL(glab_backward(t, d), GLAB_OK);
  CU_ASSERT_PTR_NULL(c->grad);
  glab_tape_destroy(t);
  glab_var_destroy(x);
}

/* A 100,000-op chain, forward and backward, on a thread with a 256 KiB stack: only a loop can
 * do that (recursion would need ~100,000 frames). */
#define CHAIN 100000
static void *chain_thread(void *arg) {
  int *ok = arg;
  glab_var *x = scalar_var(0.5);
  glab_tape *t = glab_tape_create();
  glab_var *y = x;
  for (int i = 0; i < CHAIN; i++)
    y = (i % 2) ? glab_add_scalar(t, y, 1.0) : glab_scale(t, y, -1.0);
  /* Pairs of (−y, +1): y alternates; after an even number of pairs y = x, dy/dx = 1. */
  *ok = y && glab_tape_node_count(t) == CHAIN && glab_backward(t, y) == GLAB_OK &&
        fabs(y->value.data[0] - 0.5) < 1e-6 && x->grad[0] == 1;
  glab_tape_destroy(t);
  glab_var_destroy(x);
  return NULL;
}

static void test_deep_chain(void) {
  pthread_attr_t attr;
  pthread_t th;
  int ok = 0;
  pthread_attr_init(&attr);
  /* Small, but leave room for sanitizer frames. */
  pthread_attr_setstacksize(&attr, 256 * 1024);
  CU_ASSERT_EQUAL_FATAL(pthread_create(&th, &attr, chain_thread, &ok), 0);
  pthread_join(th, NULL);
  pthread_attr_destroy(&attr);
  CU_ASSERT_TRUE(ok);
}

/* One training-like step: two dense layers, a loss, backward. */
static void mlp_step(glab_tape *t, glab_var *w1, glab_var *b1, glab_var *w2, const glab_tensor *x,
                     const int *labels) {
  glab_tape_reset(t);
  glab_var *in = glab_tape_input(t, x, 0);
  glab_var *h = glab_tanh(t, glab_add(t, glab_matmul(t, in, w1, 0, 0), b1));
  glab_var *loss = glab_softmax_xent(t, glab_matmul(t, h, w2, 0, 0), labels);
  CU_ASSERT_EQUAL(glab_backward(t, loss), GLAB_OK);
}

static void test_arena_reuse(void) {
  int sx[2] = {32, 20}, sw1[2] = {20, 64}, sb1[1] = {64}, sw2[2] = {64, 10};
  glab_var *w1 = glab_var_create(2, sw1, 1), *b1 = glab_var_create(1, sb1, 1),
           *w2 = glab_var_create(2, sw2, 1);
  glab_tensor *x = glab_tensor_create(2, sx);
  glab_rng r;
  glab_rng_seed(&r, 1, 1);
  for (size_t i = 0; i < x->size; i++)
    x->data[i] = (glab_real)glab_rng_normal(&r);
  for (size_t i = 0; i < w1->value.size; i++)
    w1->value.data[i] = (glab_real)(0.1 * glab_rng_normal(&r));
  for (size_t i = 0; i < w2->value.size; i++)
    w2->value.data[i] = (glab_real)(0.1 * glab_rng_normal(&r));
  int labels[32];
  for (int i = 0; i < 32; i++)
    labels[i] = i % 10;
  glab_tape *t = glab_tape_create();
  mlp_step(t, w1, b1, w2, x, labels);
  size_t bytes = glab_tape_arena_bytes(t), nodes = glab_tape_node_count(t);
  CU_ASSERT(bytes > 0);
  for (int i = 0; i < 5; i++)
    mlp_step(t, w1, b1, w2, x, labels);
  CU_ASSERT_EQUAL(glab_tape_arena_bytes(t), bytes);
  CU_ASSERT_EQUAL(glab_tape_node_count(t), nodes);
  /* A large request after small ones gets its own chunk, kept for the next step. */
  glab_tape_reset(t);
  void *p = glab_tape_alloc(t, 3 * bytes);
  CU_ASSERT_PTR_NOT_NULL(p);
  size_t grown = glab_tape_arena_bytes(t);
  for (int i = 0; i < 3; i++) {
    glab_tape_reset(t);
    CU_ASSERT_PTR_NOT_NULL(glab_tape_alloc(t, 3 * bytes));
  }
  CU_ASSERT_EQUAL(glab_tape_arena_bytes(t), grown);
  /* Alignment and zeroing. */
  glab_tape_reset(t);
  for (int i = 1; i < 50; i++) {
    unsigned char *q = glab_tape_zalloc(t, (size_t)i * 7);
    CU_ASSERT_EQUAL((uintptr_t)q % 32, 0);
    CU_ASSERT_EQUAL(q[(size_t)i * 7 - 1], 0);
  }
  glab_tape_destroy(t);
  glab_tensor_destroy(x);
  glab_var_destroy(w1);
  glab_var_destroy(b1);
  glab_var_destroy(w2);
}

static int has(const char *s) {
  return strstr(glab_last_error(), s) != NULL;
}

/* A view node points at memory it does not own: its size costs the arena nothing. */
static void test_view(void) {
  int shape[2] = {1000, 1000};
  glab_real *data = calloc(1000000, sizeof *data);
  CU_ASSERT_PTR_NOT_NULL_FATAL(data);
  data[0] = 2;
  data[999999] = 3;
  glab_tape *t = glab_tape_create();
  glab_var *v = glab_tape_view(t, 2, shape, data);
  CU_ASSERT_PTR_NOT_NULL_FATAL(v);
  CU_ASSERT(v->value.data == data && v->value.size == 1000000 && v->value.ndim == 2);
  CU_ASSERT(v->flags & GLAB_VAR_VIEW);
  CU_ASSERT(!glab_var_needs_grad(v) && v->grad == NULL && v->op == NULL);
  CU_ASSERT(glab_tape_arena_bytes(t) < 1000000 * sizeof(glab_real) / 4);
  CU_ASSERT_EQUAL(glab_tape_node_count(t), 1);
  glab_var *s = glab_sum(t, v); /* usable as an op input */
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL(s->value.data[0], 5);
  CU_ASSERT_PTR_NULL(glab_tape_view(t, 2, shape, NULL));
  CU_ASSERT(has("tape_view"));
  int bad[1] = {0};
  CU_ASSERT_PTR_NULL(glab_tape_view(t, 1, bad, data));
  glab_tape_reset(t);
  glab_tape_destroy(t);
  free(data);
}

/* x [3][2] + b: the bias gradient sums over the rows, for b as [2], [1][2] and one element. */
static void test_broadcast_bias(void) {
  int sx[2] = {3, 2}, sb1[1] = {2}, sb2[2] = {1, 2}, s1[1] = {1};
  glab_var *x = glab_var_create(2, sx, 1);
  for (int i = 0; i < 6; i++)
    x->value.data[i] = (glab_real)(i + 1); /* rows (1,2) (3,4) (5,6) */
  glab_var *bs[3] = {glab_var_create(1, sb1, 1), glab_var_create(2, sb2, 1),
                     glab_var_create(1, s1, 1)};
  glab_tape *t = glab_tape_create();
  for (int k = 0; k < 3; k++) {
    glab_var *b = bs[k];
    for (size_t i = 0; i < b->value.size; i++)
      b->value.data[i] = (glab_real)(10 * (i + 1));
    glab_tape_reset(t);
    glab_var_zero_grad(x);
    glab_var *y = glab_add(t, x, b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    CU_ASSERT_EQUAL(y->value.ndim, 2);
    CU_ASSERT_EQUAL(y->value.data[3], 4 + (k == 2 ? 10 : 20));
    CU_ASSERT_EQUAL(glab_backward(t, glab_sum(t, y)), GLAB_OK);
    for (size_t i = 0; i < b->value.size; i++)
      CU_ASSERT_DOUBLE_EQUAL(b->grad[i], k == 2 ? 6 : 3, 0);
    for (int i = 0; i < 6; i++)
      CU_ASSERT_DOUBLE_EQUAL(x->grad[i], 1, 0);
    /* mul: d/db sum(x ⊙ b) = column sums of x (9, 12) or the total (21) */
    glab_var_zero_grad(b);
    glab_var_zero_grad(x);
    glab_tape_reset(t);
    CU_ASSERT_EQUAL(glab_backward(t, glab_sum(t, glab_mul(t, x, b))), GLAB_OK);
    if (k == 2) {
      CU_ASSERT_DOUBLE_EQUAL(b->grad[0], 21, 1e-5);
    } else {
      CU_ASSERT_DOUBLE_EQUAL(b->grad[0], 9, 1e-5);
      CU_ASSERT_DOUBLE_EQUAL(b->grad[1], 12, 1e-5);
    }
    CU_ASSERT_DOUBLE_EQUAL(x->grad[3], k == 2 ? 10 : 20, 1e-5);
  }
  glab_tape_destroy(t);
  glab_var_destroy(x);
  for (int k = 0; k < 3; k++)
    glab_var_destroy(bs[k]);
}

static void test_shape_errors(void) {
  int sa[2] = {2, 3}, sb[2] = {4, 5}, sc[1] = {4}, sd[2] = {3, 2};
  glab_var *a = glab_var_create(2, sa, 1), *b = glab_var_create(2, sb, 1),
           *c = glab_var_create(1, sc, 1), *d = glab_var_create(2, sd, 1);
  glab_tape *t = glab_tape_create();
  glab_clear_error();
  CU_ASSERT_PTR_NULL(glab_matmul(t, a, b, 0, 0));
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_SHAPE);
  CU_ASSERT_STRING_EQUAL(glab_last_error(), "matmul: inner dimensions differ: [2][3] x [4][5]");
  CU_ASSERT_PTR_NULL(glab_matmul(t, a, d, 1, 0));
  CU_ASSERT(has("matmul") && has("[2][3]^T") && has("[3][2]"));
  CU_ASSERT_PTR_NOT_NULL(glab_matmul(t, a, d, 1, 1)); /* [3][2]·[2][3] */
  CU_ASSERT_PTR_NULL(glab_matmul(t, a, c, 0, 0));
  CU_ASSERT(has("matmul: B must be 2-D") && has("[2][3]") && has("[4]"));
  const char *names[4] = {"add", "sub", "mul", "div"};
  glab_var *(*bin[4])(glab_tape *, glab_var *, glab_var *) = {glab_add, glab_sub, glab_mul,
                                                              glab_div};
  for (int i = 0; i < 4; i++) {
    CU_ASSERT_PTR_NULL(bin[i](t, a, c));
    CU_ASSERT(has(names[i]) && has("[2][3]") && has("[4]"));
    CU_ASSERT_PTR_NULL(bin[i](t, a, d));
    CU_ASSERT(has(names[i]) && has("[2][3]") && has("[3][2]"));
  }
  CU_ASSERT_PTR_NULL(glab_mse(t, a, d));
  CU_ASSERT(has("mse") && has("[2][3]") && has("[3][2]"));
  CU_ASSERT_PTR_NULL(glab_bce_logits(t, a, d));
  CU_ASSERT(has("bce_logits") && has("[3][2]"));
  CU_ASSERT_PTR_NULL(glab_slice_cols(t, a, 2, 2));
  CU_ASSERT(has("slice_cols") && has("[2][3]"));
  CU_ASSERT_PTR_NULL(glab_slice_first(t, a, 1, 2, 0));
  CU_ASSERT(has("slice_first") && has("[2][3]"));
  glab_var *parts[2] = {a, b};
  CU_ASSERT_PTR_NULL(glab_concat_cols(t, parts, 2));
  CU_ASSERT(has("concat_cols") && has("[2][3]") && has("[4][5]"));
  /* a 0-d part is named by its own index, never "part 0 ... part 0" */
  glab_var *s0 = glab_var_create(0, NULL, 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s0);
  glab_var *with0[3] = {a, a, s0};
  CU_ASSERT_PTR_NULL(glab_concat_cols(t, with0, 3));
  CU_ASSERT(has("concat_cols: part 2 is 0-dimensional") && !has("part 0"));
  with0[0] = s0;
  CU_ASSERT_PTR_NULL(glab_concat_cols(t, with0, 3));
  CU_ASSERT(has("concat_cols: part 0 is 0-dimensional") && !has("part 0 has"));
  glab_var_destroy(s0);
  CU_ASSERT_PTR_NULL(glab_stack(t, parts, 2));
  CU_ASSERT(has("stack") && has("[2][3]") && has("[4][5]"));
  int s7[1] = {7};
  CU_ASSERT_PTR_NULL(glab_reshape(t, a, 1, s7));
  CU_ASSERT(has("reshape") && has("[2][3]") && has("[7]"));
  CU_ASSERT_NOT_EQUAL(glab_backward(t, NULL), GLAB_OK);
  /* Loss with several elements. */
  glab_var *y = glab_square(t, a);
  CU_ASSERT_EQUAL(glab_backward(t, y), GLAB_ERR_SHAPE);
  CU_ASSERT(has("backward") && has("[2][3]"));
  /* NULL propagates through a chain and the first message stays. */
  glab_clear_error();
  glab_var *z = glab_matmul(t, a, b, 0, 0);
  z = glab_tanh(t, z);
  z = glab_add(t, z, a);
  z = glab_sum(t, z);
  CU_ASSERT_PTR_NULL(z);
  CU_ASSERT_EQUAL(glab_backward(t, z), GLAB_ERR_SHAPE);
  CU_ASSERT_STRING_EQUAL(glab_last_error(), "matmul: inner dimensions differ: [2][3] x [4][5]");
  /* An op given NULL with no earlier failure says so. */
  glab_clear_error();
  CU_ASSERT_PTR_NULL(glab_exp(t, NULL));
  CU_ASSERT(has("exp") && has("NULL"));
  CU_ASSERT_PTR_NULL(glab_exp(NULL, a));
  CU_ASSERT(has("tape"));
  /* Nodes of another tape are refused. */
  glab_tape *t2 = glab_tape_create();
  glab_var *n2 = glab_square(t2, a);
  CU_ASSERT_PTR_NULL(glab_add(t, a, n2));
  CU_ASSERT(has("another tape"));
  CU_ASSERT_NOT_EQUAL(glab_backward(t, glab_sum(t2, n2)), GLAB_OK);
  glab_tape_destroy(t2);
  glab_tape_destroy(t);
  glab_var_destroy(a);
  glab_var_destroy(b);
  glab_var_destroy(c);
  glab_var_destroy(d);
}

static void test_xent_labels(void) {
  int s[2] = {2, 3};
  glab_var *a = glab_var_create(2, s, 1);
  glab_tape *t = glab_tape_create();
  int good[2] = {0, 2}, high[2] = {0, 3}, neg[2] = {-1, 0};
  CU_ASSERT_PTR_NOT_NULL(glab_softmax_xent(t, a, good));
  CU_ASSERT_PTR_NULL(glab_softmax_xent(t, a, high));
  CU_ASSERT(has("softmax_xent") && has("label 3") && has("[2][3]"));
  CU_ASSERT_PTR_NULL(glab_softmax_xent(t, a, neg));
  CU_ASSERT(has("softmax_xent") && has("label -1"));
  CU_ASSERT_PTR_NULL(glab_softmax_xent(t, a, NULL));
  CU_ASSERT(has("softmax_xent") && has("NULL labels"));
  glab_tape_destroy(t);
  glab_var_destroy(a);
}

/* PCG32 reference: pcg32-demo (pcg-random.org minimal C library), seed 42, sequence 54. */
static void test_rng(void) {
  static const uint32_t expect[6] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                     0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
  glab_rng r;
  glab_rng_seed(&r, 42u, 54u);
  for (int i = 0; i < 6; i++)
    CU_ASSERT_EQUAL(glab_rng_u32(&r), expect[i]);
  double s = 0, s2 = 0, umin = 1, umax = 0;
  int n = 100000, counts[7] = {0};
  for (int i = 0; i < n; i++) {
    double u = glab_rng_uniform(&r);
    umin = fmin(umin, u);
    umax = fmax(umax, u);
    double z = glab_rng_normal(&r);
    s += z;
    s2 += z * z;
    counts[glab_rng_below(&r, 7)]++;
  }
  CU_ASSERT(umin >= 0 && umax < 1);
  CU_ASSERT(fabs(s / n) < 0.02);
  CU_ASSERT(fabs(s2 / n - 1) < 0.02);
  for (int k = 0; k < 7; k++)
    CU_ASSERT(fabs(counts[k] / (double)n - 1.0 / 7) < 0.01);
  size_t items[50];
  int seen[50] = {0};
  for (size_t i = 0; i < 50; i++)
    items[i] = i;
  glab_rng_shuffle(&r, items, 50);
  int moved = 0;
  for (size_t i = 0; i < 50; i++) {
    seen[items[i]]++;
    moved += items[i] != i;
  }
  for (int i = 0; i < 50; i++)
    CU_ASSERT_EQUAL(seen[i], 1);
  CU_ASSERT(moved > 25);
  /* The default generator is deterministic per seed. */
  glab_seed(7);
  uint32_t a = glab_rng_u32(glab_default_rng());
  glab_seed(7);
  CU_ASSERT_EQUAL(glab_rng_u32(glab_default_rng()), a);
}

/* An op for the misuse checks below: copies its input; its backward fails without a message. */
static int copy_forward(glab_var *out) {
  memcpy(out->value.data, out->in[0]->value.data, out->value.size * sizeof(glab_real));
  return GLAB_OK;
}
static int silent_backward(glab_var *out) {
  (void)out;
  return GLAB_ERR_ARG; /* no glab_error: the tape must still say which op failed */
}
static const glab_op op_silent = {"silent_fail", copy_forward, silent_backward};

/* What a plugin author can get wrong: absurd attribute sizes (which once wrapped the node's
 * block size around SIZE_MAX to a small block that memcpy overran), NULL arguments, a backward
 * that fails silently. Each is an error with a message, never a crash. */
static void test_misuse(void) {
  int s1[1] = {3};
  glab_var *x = glab_var_create(1, s1, 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(x);
  glab_tape *t = glab_tape_create();
  char attr[8] = {0};
  size_t absurd[3] = {SIZE_MAX, SIZE_MAX - 40, SIZE_MAX / 2};
  for (int k = 0; k < 3; k++) {
    glab_clear_error();
    CU_ASSERT_PTR_NULL(glab_tape_apply(t, &op_silent, &x, 1, 1, s1, attr, absurd[k]));
    CU_ASSERT(has("attr_size") && has("too large"));
  }
  CU_ASSERT_EQUAL(glab_tape_node_count(t), 0);
  int huge[4] = {1 << 30, 1 << 30, 1 << 30, 1 << 30}; /* 2^120 elements: overflow, not OOM */
  glab_clear_error();
  CU_ASSERT_PTR_NULL(glab_tape_leaf(t, 4, huge, 0));
  CU_ASSERT(glab_last_status() != GLAB_OK && glab_last_error()[0] != '\0');
  CU_ASSERT_PTR_NULL(glab_tape_alloc(t, SIZE_MAX));
  CU_ASSERT(has("too large"));

  glab_var *y = glab_tape_apply(t, &op_silent, &x, 1, 1, s1, NULL, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(y);
  glab_var *l = glab_sum(t, y);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  glab_error(GLAB_ERR_IO, "a stale message from before");
  CU_ASSERT_EQUAL(glab_backward(t, l), GLAB_ERR_ARG);
  CU_ASSERT(has("(op silent_fail)") && has("without a message"));
  CU_ASSERT(!has("stale"));

  glab_clear_error();
  CU_ASSERT_PTR_NULL(glab_var_grad(NULL));
  CU_ASSERT(has("var_grad: NULL"));
  CU_ASSERT_EQUAL(glab_error(GLAB_ERR_FORMAT, NULL), GLAB_ERR_FORMAT);
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_FORMAT);
  CU_ASSERT(has("no message given"));

  glab_clear_error();
  glab_rng_shuffle(NULL, NULL, 5);
  CU_ASSERT(has("rng_shuffle: NULL items"));
  size_t items[4] = {0, 1, 2, 3};
  glab_seed(3); /* NULL generator: the run generator, as glab_default_rng() */
  glab_rng_shuffle(NULL, items, 4);
  size_t again[4] = {0, 1, 2, 3};
  glab_seed(3);
  glab_rng_shuffle(glab_default_rng(), again, 4);
  CU_ASSERT(memcmp(items, again, sizeof items) == 0);
  glab_seed(5);
  double a = glab_rng_normal(NULL);
  glab_seed(5);
  CU_ASSERT_EQUAL(glab_rng_normal(glab_default_rng()), a);

  glab_tape_destroy(t);
  glab_var_destroy(x);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("core_tape", NULL, NULL);
  CU_add_test(s, "errors", test_errors);
  CU_add_test(s, "tensors", test_tensors);
  CU_add_test(s, "x*x+x accumulates to 7", test_accumulate);
  CU_add_test(s, "100000-op chain on a small stack", test_deep_chain);
  CU_add_test(s, "arena does not grow after reset", test_arena_reuse);
  CU_add_test(s, "view nodes own no buffer", test_view);
  CU_add_test(s, "broadcast bias gradients", test_broadcast_bias);
  CU_add_test(s, "bad shapes give messages", test_shape_errors);
  CU_add_test(s, "softmax_xent label range", test_xent_labels);
  CU_add_test(s, "pcg32 and distributions", test_rng);
  CU_add_test(s, "misuse: absurd sizes, NULLs, silent backward", test_misuse);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
