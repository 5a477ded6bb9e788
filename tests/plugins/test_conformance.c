/* test_conformance.c — every registered layer type (shipped, and any plugin on
 * GRADLAB_PLUGIN_PATH) is built from its example and gradchecked: the input gradient and every
 * parameter gradient, training and evaluation mode (≤ 1e-6 in a double build). */
#include "plugtest.h"

static glab_registry *reg;

static int setup(void) {
  reg = glab_registry_create();
  if (glab_plugins_load_default(reg, NULL, 0) != GLAB_OK) {
    fprintf(stderr, "plugin load failed: %s\n", glab_last_error());
    return 1;
  }
  return 0;
}

static int teardown(void) {
  glab_registry_destroy(reg);
  return 0;
}

static void test_shipped_types_present(void) {
  const char *layers[] = {"dense",     "sigmoid",  "tanh", "relu",
                          "batchnorm", "residual", "rnn",  "lstm"};
  const char *optims[] = {"sgd", "momentum", "adam", "rmsprop"};
  for (size_t i = 0; i < sizeof layers / sizeof *layers; i++)
    CU_ASSERT_PTR_NOT_NULL(glab_registry_layer(reg, layers[i]));
  for (size_t i = 0; i < sizeof optims / sizeof *optims; i++)
    CU_ASSERT_PTR_NOT_NULL(glab_registry_optimizer(reg, optims[i]));
}

static void test_every_layer_type(void) {
  double tol = glab_layer_check_tolerance();
  int n = 0;
  printf("\n  (%s build, tolerance %g)\n", GLAB_REAL_NAME, tol);
  for (size_t i = 0; i < glab_registry_count(reg); i++) {
    glab_type_kind kind;
    const char *name, *file;
    glab_registry_entry(reg, i, &kind, &name, &file, NULL, NULL);
    if (kind != GLAB_KIND_LAYER) continue;
    glab_layer_check rep;
    int rc = glab_layer_gradcheck(reg, name, &rep);
    if (rc != GLAB_OK)
      printf("  %-10s ERROR %s\n", name, glab_last_error());
    else
      printf("  %-10s worst %.3e (input %.3e, params %.3e at %s)%s\n", name, rep.worst,
             rep.worst_input, rep.worst_param, rep.worst_where, rep.worst <= tol ? "" : "  FAIL");
    CU_ASSERT_EQUAL(rc, GLAB_OK);
    CU_ASSERT(rc == GLAB_OK && rep.worst <= tol);
    CU_ASSERT(rc != GLAB_OK || rep.checked > 0);
    n++;
  }
  CU_ASSERT(n >= 8);
}

/* Configurations beyond each type's own example. */
static void check(const char *type, const char *cfg, int ndim, int d0, int d1, int d2,
                  const char *children) {
  glab_layer_example ex = {cfg, ndim, {d0, d1, d2, 0}, children};
  glab_layer_check rep;
  int rc = glab_layer_gradcheck_example(reg, type, &ex, &rep);
  if (rc != GLAB_OK)
    printf("  %s {%s}: %s\n", type, cfg ? cfg : "", glab_last_error());
  else
    printf("  %-9s %-45s worst %.3e\n", type, cfg ? cfg : (children ? children : ""), rep.worst);
  CU_ASSERT_EQUAL(rc, GLAB_OK);
  CU_ASSERT(rc == GLAB_OK && rep.worst <= glab_layer_check_tolerance());
}

static void test_more_configurations(void) {
  printf("\n");
  check("dense", "inputs=4 outputs=2 bias=false", 2, 3, 4, 0, NULL);
  check("dense", "inputs=4 outputs=3", 3, 2, 3, 4, NULL); /* leading dims kept */
  check("relu", "slope=0", 2, 3, 4, 0, NULL);
  check("batchnorm", "features=4 momentum=0.5", 3, 2, 3, 4, NULL);
  check("residual", NULL, 2, 3, 4, 0, "dense inputs=4 outputs=4 | relu slope=0.1");
  check("residual", NULL, 2, 3, 4, 0, "batchnorm features=4 | tanh | dense inputs=4 outputs=2");
  check("rnn", "inputs=2 hidden=3", 3, 6, 2, 2, NULL);
  check("rnn", "inputs=2 hidden=3 return_sequence=true", 3, 1, 3, 2, NULL);
  check("lstm", "inputs=2 hidden=3", 3, 6, 2, 2, NULL);
  check("lstm", "inputs=3 hidden=2 forget_bias=0 return_sequence=true", 3, 8, 1, 3, NULL);
}

int main(void) {
  const pt_test tests[] = {{"shipped types present", test_shipped_types_present},
                           {"every layer type", test_every_layer_type},
                           {"more configurations", test_more_configurations},
                           {NULL, NULL}};
  return pt_run("plugins_conformance", tests, setup, teardown);
}
