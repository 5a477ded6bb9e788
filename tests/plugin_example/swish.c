/* swish.c — an example layer plugin built outside the gradlab tree: y = x·σ(β·x)
 * (Ramachandran et al. 2017), composed of core ops so its backward comes from the tape. */
#include <stdlib.h>

#include <gradlab/plugin.h>

static const glab_option options[] = {
    {"beta", GLAB_OPT_REAL, "1", "slope inside the sigmoid: y = x·sigmoid(beta·x)"},
    GLAB_OPTIONS_END};

static int create(glab_layer *self, const glab_config *cfg) {
  double *beta = malloc(sizeof *beta);
  if (!beta) return glab_error(GLAB_ERR_NOMEM, "swish: out of memory");
  *beta = glab_config_real(cfg, "beta");
  glab_layer_set_impl(self, beta);
  return GLAB_OK;
}

static void destroy(glab_layer *self) {
  free(glab_layer_impl(self));
}

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  double beta = *(const double *)glab_layer_impl(self);
  return glab_mul(tape, x, glab_sigmoid(tape, glab_scale(tape, x, beta)));
}

static const glab_layer_type swish = {
    .name = "swish",
    .doc = "swish activation y = x·sigmoid(beta·x)",
    .options = options,
    .create = create,
    .forward = forward,
    .destroy = destroy,
};

static int init(glab_registry *reg) {
  return glab_register_layer(reg, &swish);
}
GLAB_PLUGIN(init)
