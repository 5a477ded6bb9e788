/* sgd.c — plain stochastic gradient descent: p ← p − lr·(g + weight_decay·p). */
#include <stdlib.h>

#include <gradlab/plugin.h>

#include "clones.h"

typedef struct sgd {
  double lr, wd;
} sgd;

static const glab_option options[] = {
    {"lr", GLAB_OPT_REAL, NULL, "learning rate"},
    {"weight_decay", GLAB_OPT_REAL, "0", "L2 penalty added to the gradient: g + wd·p"},
    GLAB_OPTIONS_END};
static const glab_option_range ranges[] = {
    {"lr", "(0,inf)"}, {"weight_decay", "[0,inf)"}, GLAB_RANGES_END};

static int create(glab_optimizer *self, const glab_config *cfg) {
  sgd *s = malloc(sizeof *s);
  if (!s) return glab_error(GLAB_ERR_NOMEM, "sgd: out of memory");
  glab_optimizer_set_impl(self, s);
  s->lr = glab_config_real(cfg, "lr");
  s->wd = glab_config_real(cfg, "weight_decay");
  return glab_config_check_ranges(cfg, ranges, "sgd");
}

static void destroy(glab_optimizer *self) {
  free(glab_optimizer_impl(self));
}

GLAB_UPDATE_CLONES
static int update(glab_optimizer *self, const glab_real *value, const glab_real *grad,
                  glab_real *delta, glab_real **state, size_t n, long step) {
  const sgd *s = glab_optimizer_impl(self);
  (void)state;
  (void)step;
  if (s->wd == 0) {
    /* weight_decay 0, the default: g + 0·p is done in glab_real, which gives exactly the double
     * (double)g + 0·(double)p - the product is a signed zero (or NaN for an infinite or NaN p) in
     * either precision and adding it is exact - so only the step -lr·(...) needs double: one
     * conversion each way per element instead of three (AVX-512, 2751 elements: 750 -> 293 ns).
     * Bit-identical, checked on 20M random elements with zeros, infinities, NaNs, subnormals. */
    const double nlr = -s->lr;
    for (size_t i = 0; i < n; i++)
      delta[i] = (glab_real)(nlr * (double)(grad[i] + (glab_real)0 * value[i]));
    return GLAB_OK;
  }
  for (size_t i = 0; i < n; i++)
    delta[i] = (glab_real)(-s->lr * ((double)grad[i] + s->wd * (double)value[i]));
  return GLAB_OK;
}

static const glab_optimizer_type type = {
    .name = "sgd",
    .doc = "stochastic gradient descent p -= lr·g",
    .options = options,
    .state_slots = 0,
    .create = create,
    .update = update,
    .destroy = destroy,
};

static int init(glab_registry *reg) {
  return glab_register_optimizer(reg, &type);
}
GLAB_PLUGIN(init)
