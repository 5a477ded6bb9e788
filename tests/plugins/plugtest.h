/* plugtest.h — small helpers shared by the plugins area's CUnit suites. */
#ifndef GRADLAB_PLUGTEST_H
#define GRADLAB_PLUGTEST_H

#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gradlab/error.h"
#include "gradlab/layer.h"
#include "gradlab/ops.h"
#include "gradlab/optim.h"
#include "gradlab/registry.h"

/* Assert |a - b| <= tol·max(1, |b|), printing both on failure. */
#define PT_CLOSE(a, b, tol)                                                                        \
  do {                                                                                             \
    double pt_a_ = (double)(a), pt_b_ = (double)(b);                                               \
    int pt_ok_ = fabs(pt_a_ - pt_b_) <= (tol)*fmax(1.0, fabs(pt_b_));                              \
    if (!pt_ok_) fprintf(stderr, "\n  %s:%d: %.17g != %.17g\n", __FILE__, __LINE__, pt_a_, pt_b_); \
    CU_ASSERT(pt_ok_);                                                                             \
  } while (0)

/* The message of the last error contains `s`. */
#define PT_MSG_HAS(s)                                                                              \
  do {                                                                                             \
    int pt_ok_ = strstr(glab_last_error(), (s)) != NULL;                                           \
    if (!pt_ok_)                                                                                   \
      fprintf(stderr, "\n  %s:%d: '%s' not in '%s'\n", __FILE__, __LINE__, (s),                    \
              glab_last_error());                                                                  \
    CU_ASSERT(pt_ok_);                                                                             \
  } while (0)

typedef struct pt_test {
  const char *name;
  void (*fn)(void);
} pt_test;

/* Run one suite of tests; returns the process exit status. */
static inline int pt_run(const char *suite, const pt_test *tests, int (*init)(void),
                         int (*cleanup)(void)) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 2;
  CU_pSuite s = CU_add_suite(suite, init, cleanup);
  for (const pt_test *t = tests; t->name; t++)
    CU_add_test(s, t->name, t->fn);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}

/* A layer of `type` from option text, or NULL (message in glab_last_error). */
static inline glab_layer *pt_layer(glab_registry *reg, const char *type, const char *opts,
                                   glab_layer **children, int n) {
  const glab_layer_type *t = glab_registry_layer(reg, type);
  if (!t) return NULL;
  glab_config *cfg = glab_config_create();
  glab_layer *l = NULL;
  if (glab_config_set_pairs(cfg, t->options, type, opts) == GLAB_OK)
    l = glab_layer_create(reg, type, cfg, children, n);
  glab_config_destroy(cfg);
  return l;
}

/* An optimizer of `type` from option text (its options and clip_norm/clip_value), or NULL. */
static inline glab_optimizer *pt_optim(glab_registry *reg, const char *type, const char *opts) {
  const glab_optimizer_type *t = glab_registry_optimizer(reg, type);
  if (!t) return NULL;
  glab_option all[64];
  int n = 0;
  for (const glab_option *o = t->options; o && o->name && n < 60; o++)
    all[n++] = *o;
  for (const glab_option *o = glab_optimizer_generic_options(); o->name; o++)
    all[n++] = *o;
  all[n] = (glab_option)GLAB_OPTIONS_END;
  glab_config *cfg = glab_config_create();
  glab_optimizer *o = NULL;
  if (glab_config_set_pairs(cfg, all, type, opts) == GLAB_OK)
    o = glab_optimizer_create(reg, type, cfg);
  glab_config_destroy(cfg);
  return o;
}

#endif
