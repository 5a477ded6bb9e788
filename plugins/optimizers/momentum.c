/* momentum.c — SGD with momentum, classical or Nesterov, with PyTorch's formulas
 * (torch.optim.SGD, dampening 0):  b ← μ·b + g  (b₁ = g);
 * classical: p ← p − lr·b;   Nesterov: p ← p − lr·(g + μ·b). */
#include <stdlib.h>

#include <gradlab/plugin.h>

#include "clones.h"

typedef struct mom {
  double lr, mu, wd;
  int nesterov;
} mom;

static const glab_option options[] = {
    {"lr", GLAB_OPT_REAL, NULL, "learning rate"},
    {"momentum", GLAB_OPT_REAL, "0.9", "momentum factor μ"},
    {"nesterov", GLAB_OPT_BOOL, "false", "Nesterov momentum (PyTorch's formulation)"},
    {"weight_decay", GLAB_OPT_REAL, "0", "L2 penalty added to the gradient: g + wd·p"},
    GLAB_OPTIONS_END};
static const glab_option_range ranges[] = {
    {"lr", "(0,inf)"}, {"momentum", "[0,1)"}, {"weight_decay", "[0,inf)"}, GLAB_RANGES_END};

static int create(glab_optimizer *self, const glab_config *cfg) {
  mom *m = malloc(sizeof *m);
  if (!m) return glab_error(GLAB_ERR_NOMEM, "momentum: out of memory");
  glab_optimizer_set_impl(self, m);
  m->lr = glab_config_real(cfg, "lr");
  m->mu = glab_config_real(cfg, "momentum");
  m->wd = glab_config_real(cfg, "weight_decay");
  m->nesterov = glab_config_bool(cfg, "nesterov");
  return glab_config_check_ranges(cfg, ranges, "momentum");
}

static void destroy(glab_optimizer *self) {
  free(glab_optimizer_impl(self));
}

GLAB_UPDATE_CLONES
static int update(glab_optimizer *self, const glab_real *value, const glab_real *grad,
                  glab_real *delta, glab_real **state, size_t n, long step) {
  const mom *m = glab_optimizer_impl(self);
  glab_real *buf = state[0];
  (void)step;
  for (size_t i = 0; i < n; i++) {
    double g = (double)grad[i] + m->wd * (double)value[i];
    double b = m->mu * (double)buf[i] + g; /* buf starts at 0, so b₁ = g as in PyTorch */
    buf[i] = (glab_real)b;
    delta[i] = (glab_real)(-m->lr * (m->nesterov ? g + m->mu * b : b));
  }
  return GLAB_OK;
}

static const glab_optimizer_type type = {
    .name = "momentum",
    .doc = "SGD with classical or Nesterov momentum (PyTorch formulas)",
    .options = options,
    .state_slots = 1,
    .create = create,
    .update = update,
    .destroy = destroy,
};

static int init(glab_registry *reg) {
  return glab_register_optimizer(reg, &type);
}
GLAB_PLUGIN(init)
