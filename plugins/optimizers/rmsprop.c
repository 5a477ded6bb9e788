/* rmsprop.c — RMSprop (Tieleman & Hinton 2012), PyTorch's formula (not centered, no momentum):
 * v ← αv + (1−α)g²,  p ← p − lr·g / (√v + ε). */
#include <math.h>
#include <stdlib.h>

#include <gradlab/plugin.h>

#include "clones.h"

typedef struct rms {
  double lr, alpha, eps, wd;
} rms;

static const glab_option options[] = {
    {"lr", GLAB_OPT_REAL, "1e-2", "learning rate"},
    {"alpha", GLAB_OPT_REAL, "0.99", "decay of the squared-gradient average"},
    {"eps", GLAB_OPT_REAL, "1e-8", "added to the denominator (> 0: with 0, 0/0 where v = 0)"},
    {"weight_decay", GLAB_OPT_REAL, "0", "L2 penalty added to the gradient: g + wd·p"},
    GLAB_OPTIONS_END};
static const glab_option_range ranges[] = {{"lr", "(0,inf)"},
                                           {"alpha", "[0,1)"},
                                           {"eps", "(0,inf)"},
                                           {"weight_decay", "[0,inf)"},
                                           GLAB_RANGES_END};

static int create(glab_optimizer *self, const glab_config *cfg) {
  rms *r = malloc(sizeof *r);
  if (!r) return glab_error(GLAB_ERR_NOMEM, "rmsprop: out of memory");
  glab_optimizer_set_impl(self, r);
  r->lr = glab_config_real(cfg, "lr");
  r->alpha = glab_config_real(cfg, "alpha");
  r->eps = glab_config_real(cfg, "eps");
  r->wd = glab_config_real(cfg, "weight_decay");
  return glab_config_check_ranges(cfg, ranges, "rmsprop");
}

static void destroy(glab_optimizer *self) {
  free(glab_optimizer_impl(self));
}

GLAB_UPDATE_CLONES
static int update(glab_optimizer *self, const glab_real *value, const glab_real *grad,
                  glab_real *delta, glab_real **state, size_t n, long step) {
  const rms *r = glab_optimizer_impl(self);
  glab_real *v = state[0];
  (void)step;
  for (size_t i = 0; i < n; i++) {
    double g = (double)grad[i] + r->wd * (double)value[i];
    double vi = r->alpha * (double)v[i] + (1 - r->alpha) * g * g;
    v[i] = (glab_real)vi;
    delta[i] = (glab_real)(-r->lr * g / (sqrt(vi) + r->eps));
  }
  return GLAB_OK;
}

static const glab_optimizer_type type = {
    .name = "rmsprop",
    .doc = "RMSprop (PyTorch formula)",
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
