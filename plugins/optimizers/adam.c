/* adam.c — Adam (Kingma & Ba 2015) with bias correction, PyTorch's formula:
 * m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
 * p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε). */
#include <math.h>
#include <stdlib.h>

#include <gradlab/plugin.h>

#include "clones.h"

typedef struct adam {
  double lr, b1, b2, eps, wd;
} adam;

static const glab_option options[] = {
    {"lr", GLAB_OPT_REAL, "1e-3", "learning rate"},
    {"beta1", GLAB_OPT_REAL, "0.9", "decay of the first-moment average"},
    {"beta2", GLAB_OPT_REAL, "0.999", "decay of the second-moment average"},
    {"eps", GLAB_OPT_REAL, "1e-8", "added to the denominator (> 0: with 0, 0/0 where v = 0)"},
    {"weight_decay", GLAB_OPT_REAL, "0", "L2 penalty added to the gradient: g + wd·p"},
    GLAB_OPTIONS_END};
static const glab_option_range ranges[] = {{"lr", "(0,inf)"},           {"beta1", "[0,1)"},
                                           {"beta2", "[0,1)"},          {"eps", "(0,inf)"},
                                           {"weight_decay", "[0,inf)"}, GLAB_RANGES_END};

static int create(glab_optimizer *self, const glab_config *cfg) {
  adam *a = malloc(sizeof *a);
  if (!a) return glab_error(GLAB_ERR_NOMEM, "adam: out of memory");
  glab_optimizer_set_impl(self, a);
  a->lr = glab_config_real(cfg, "lr");
  a->b1 = glab_config_real(cfg, "beta1");
  a->b2 = glab_config_real(cfg, "beta2");
  a->eps = glab_config_real(cfg, "eps");
  a->wd = glab_config_real(cfg, "weight_decay");
  return glab_config_check_ranges(cfg, ranges, "adam");
}

static void destroy(glab_optimizer *self) {
  free(glab_optimizer_impl(self));
}

GLAB_UPDATE_CLONES
static int update(glab_optimizer *self, const glab_real *value, const glab_real *grad,
                  glab_real *delta, glab_real **state, size_t n, long step) {
  const adam *a = glab_optimizer_impl(self);
  glab_real *m = state[0], *v = state[1];
  double bc1 = 1 - pow(a->b1, (double)step), bc2 = 1 - pow(a->b2, (double)step);
  double step_size = a->lr / bc1, sbc2 = sqrt(bc2);
  for (size_t i = 0; i < n; i++) {
    double g = (double)grad[i] + a->wd * (double)value[i];
    double mi = a->b1 * (double)m[i] + (1 - a->b1) * g;
    double vi = a->b2 * (double)v[i] + (1 - a->b2) * g * g;
    m[i] = (glab_real)mi;
    v[i] = (glab_real)vi;
    delta[i] = (glab_real)(-step_size * mi / (sqrt(vi) / sbc2 + a->eps));
  }
  return GLAB_OK;
}

static const glab_optimizer_type type = {
    .name = "adam",
    .doc = "Adam with bias correction (PyTorch formula)",
    .options = options,
    .state_slots = 2,
    .create = create,
    .update = update,
    .destroy = destroy,
};

static int init(glab_registry *reg) {
  return glab_register_optimizer(reg, &type);
}
GLAB_PLUGIN(init)
