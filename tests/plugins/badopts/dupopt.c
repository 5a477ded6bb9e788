/* dupopt.c — an optimizer whose option table declares 'lr' twice: refused at registration
 * (loader test), not at the first construction. */
#include <gradlab/plugin.h>

static int update(glab_optimizer *self, const glab_real *value, const glab_real *grad,
                  glab_real *delta, glab_real **state, size_t n, long step) {
  (void)self, (void)value, (void)state, (void)step;
  for (size_t i = 0; i < n; i++)
    delta[i] = -grad[i];
  return GLAB_OK;
}

static const glab_option options[] = {{"lr", GLAB_OPT_REAL, "0.1", "learning rate"},
                                      {"lr", GLAB_OPT_REAL, "0.2", "the same name again"},
                                      GLAB_OPTIONS_END};

static const glab_optimizer_type type = {
    .name = "dupopt", .doc = "duplicate option", .options = options, .update = update};

static int init(glab_registry *reg) {
  return glab_register_optimizer(reg, &type);
}
GLAB_PLUGIN(init)
