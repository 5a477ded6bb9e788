/* test_noalloc.c — a warm training step allocates nothing: the tape's nodes, values, gradients
 * and the ops' scratch all come from the arena that glab_tape_reset keeps, and the layers and
 * the optimizer keep their state. Counted directly: this executable interposes malloc, calloc,
 * realloc and posix_memalign (glibc's __libc_* do the work), so every call libgradlab or a
 * plugin makes during the warm steps is seen. A plain executable, not a CUnit one, so it never
 * runs under valgrind; skipped in a sanitizer build, whose runtime owns malloc. */
#include <stdio.h>
#include <stdlib.h>

#include "gradlab/error.h"
#include "gradlab/layer.h"
#include "gradlab/ops.h"
#include "gradlab/optim.h"
#include "gradlab/registry.h"
#include "gradlab/rng.h"

#if defined(__SANITIZE_ADDRESS__)
#define GLAB_NOALLOC_SKIP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GLAB_NOALLOC_SKIP 1
#endif
#endif

static long n_alloc; /* calls to the allocation functions so far */

#ifndef GLAB_NOALLOC_SKIP
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

void *malloc(size_t n) {
  n_alloc++;
  return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
  n_alloc++;
  return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
  n_alloc++;
  return __libc_realloc(p, n);
}
int posix_memalign(void **p, size_t align, size_t n) {
  n_alloc++;
  *p = __libc_memalign(align, n);
  return *p ? 0 : 12; /* ENOMEM */
}
#endif

static int failures;

static void check(const char *what, long count) {
  printf("%-58s %ld allocations\n", what, count);
  if (count != 0) failures++;
}

/* Core ops only: dense-like layers, a deep sigmoid chain, shape ops, a fused loss. */
static int core_step(glab_tape *t, glab_var **p, const glab_tensor *x, const int *labels) {
  glab_tape_reset(t);
  for (int k = 0; k < 4; k++)
    glab_var_zero_grad(p[k]);
  glab_var *h =
      glab_tanh(t, glab_add(t, glab_matmul(t, glab_tape_input(t, x, 0), p[0], 0, 0), p[1]));
  for (int i = 0; i < 20; i++)
    h = glab_sigmoid(t, glab_add(t, glab_matmul(t, h, p[2], 0, 0), p[1]));
  glab_var *parts[2] = {glab_slice_cols(t, h, 0, 5), glab_softmax(t, glab_slice_cols(t, h, 5, 5))};
  glab_var *logits = glab_concat_cols(t, parts, 2);
  glab_var *reg = glab_mean(t, glab_mean_cols(t, glab_square(t, p[3])));
  return glab_backward(t, glab_add(t, glab_softmax_xent(t, logits, labels), reg));
}

static void test_core_ops(void) {
  int sx[2] = {64, 100}, sw[2] = {100, 64}, sb[1] = {64}, sh[2] = {64, 64}, sr[2] = {3, 7};
  glab_var *p[4] = {glab_var_create(2, sw, 1), glab_var_create(1, sb, 1), glab_var_create(2, sh, 1),
                    glab_var_create(2, sr, 1)};
  glab_tensor *x = glab_tensor_create(2, sx);
  glab_rng r;
  glab_rng_seed(&r, 1, 1);
  for (int k = 0; k < 4; k++)
    for (size_t i = 0; i < p[k]->value.size; i++)
      p[k]->value.data[i] = (glab_real)(0.1 * glab_rng_normal(&r));
  for (size_t i = 0; i < x->size; i++)
    x->data[i] = (glab_real)glab_rng_normal(&r);
  int labels[64];
  for (int i = 0; i < 64; i++)
    labels[i] = i % 10;
  glab_tape *t = glab_tape_create();
  int rc = 0;
  for (int i = 0; i < 3 && !rc; i++)
    rc = core_step(t, p, x, labels);
  long before = n_alloc;
  for (int i = 0; i < 50 && !rc; i++)
    rc = core_step(t, p, x, labels);
  if (rc) {
    printf("core step failed: %s\n", glab_last_error());
    failures++;
  } else {
    char what[96];
    snprintf(what, sizeof what, "50 warm steps of core ops (%zu nodes each)",
             glab_tape_node_count(t));
    check(what, n_alloc - before);
  }
  glab_tape_destroy(t);
  glab_tensor_destroy(x);
  for (int k = 0; k < 4; k++)
    glab_var_destroy(p[k]);
}

static glab_layer *make_layer(glab_registry *reg, const char *type, const char *opts) {
  const glab_layer_type *lt = glab_registry_layer(reg, type);
  glab_config *c = glab_config_create();
  glab_layer *l = NULL;
  if (lt && c && glab_config_set_pairs(c, lt->options, type, opts) == GLAB_OK)
    l = glab_layer_create(reg, type, c, NULL, 0);
  glab_config_destroy(c);
  return l;
}

/* The shipped layers (their fused ops: lstm_seq, batchnorm, rnn_step) and an optimizer with
 * norm clipping, as a training loop runs them. */
static void test_layers_and_optimizer(void) {
  glab_registry *reg = glab_registry_create();
  if (glab_plugins_load_default(reg, NULL, 0) != GLAB_OK) {
    printf("cannot load the plugins: %s\n", glab_last_error());
    failures++;
    glab_registry_destroy(reg);
    return;
  }
  glab_layer *L[5] = {make_layer(reg, "lstm", "inputs=3 hidden=16"),
                      make_layer(reg, "dense", "inputs=16 outputs=8"),
                      make_layer(reg, "batchnorm", "features=8"), make_layer(reg, "tanh", ""),
                      make_layer(reg, "rnn", "inputs=8 hidden=4")};
  glab_config *oc = glab_config_create();
  glab_config_set_real(oc, "lr", 0.01);
  glab_config_set_real(oc, "clip_norm", 1);
  glab_optimizer *o = glab_optimizer_create(reg, "adam", oc);
  glab_config_destroy(oc);
  int ok = o != NULL;
  for (int k = 0; k < 5; k++)
    ok = ok && L[k];
  glab_var *ps[64];
  int np = 0;
  for (int k = 0; ok && k < 5; k++)
    np += glab_layer_collect_params(L[k], ps + np, 64 - np);
  int sx[3] = {10, 32, 3}, s3[3] = {4, 8, 8};
  glab_tensor *x = glab_tensor_create(3, sx);
  for (size_t i = 0; x && i < x->size; i++)
    x->data[i] = (glab_real)((double)(i % 7) * 0.1 - 0.3);
  glab_tape *t = glab_tape_create();
  long before = 0;
  for (int step = 0; ok && step < 60; step++) {
    if (step == 10) before = n_alloc;
    glab_tape_reset(t);
    for (int k = 0; k < np; k++)
      glab_var_zero_grad(ps[k]);
    glab_var *h = glab_tape_input(t, x, 0);
    for (int k = 0; k < 4; k++)
      h = h ? glab_layer_forward(L[k], t, h) : NULL;
    h = h ? glab_layer_forward(L[4], t, glab_reshape(t, h, 3, s3))
          : NULL; /* [32][8] -> [4][8][8] */
    glab_var *loss = glab_mean(t, glab_square(t, h));
    ok = loss && glab_backward(t, loss) == GLAB_OK && glab_optimizer_step(o, ps, np) == GLAB_OK;
  }
  if (!ok) {
    printf("layer step failed: %s\n", glab_last_error());
    failures++;
  } else {
    check("50 warm steps of lstm-dense-batchnorm-tanh-rnn with adam", n_alloc - before);
  }
  glab_tape_destroy(t);
  glab_tensor_destroy(x);
  glab_optimizer_destroy(o);
  for (int k = 0; k < 5; k++)
    glab_layer_destroy(L[k]);
  glab_registry_destroy(reg);
}

int main(void) {
#ifdef GLAB_NOALLOC_SKIP
  (void)test_core_ops;
  (void)test_layers_and_optimizer;
  puts("core_noalloc: skipped (sanitizer build)");
  return 0;
#else
  /* The counter must see the library's allocations at all. */
  long start = n_alloc;
  glab_tape *t = glab_tape_create();
  glab_tape_destroy(t);
  if (n_alloc == start) {
    puts("core_noalloc: the allocation counter saw nothing: interposition does not work");
    return 1;
  }
  test_core_ops();
  test_layers_and_optimizer();
  printf("core_noalloc: %s\n", failures ? "FAILED" : "no allocation once warm");
  return failures ? 1 : 0;
#endif
}
