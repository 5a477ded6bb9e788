/* relu.c — the rectifier max(0, x), leaky with slope·x on the negative side when slope > 0. */
#include <stdlib.h>

#include <gradlab/plugin.h>

static const glab_option options[] = {
    {"slope", GLAB_OPT_REAL, "0", "slope on the negative side (0: plain ReLU; leaky when > 0)"},
    GLAB_OPTIONS_END};
static const glab_option_range ranges[] = {{"slope", "[0,1)"}, GLAB_RANGES_END};

static int create(glab_layer *self, const glab_config *cfg) {
  double *slope = malloc(sizeof *slope);
  if (!slope) return glab_error(GLAB_ERR_NOMEM, "relu: out of memory");
  *slope = glab_config_real(cfg, "slope");
  glab_layer_set_impl(self, slope);
  return glab_config_check_ranges(cfg, ranges, "relu");
}

static void destroy(glab_layer *self) {
  free(glab_layer_impl(self));
}

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  return glab_relu(tape, x, *(const double *)glab_layer_impl(self));
}

/* The default input of the conformance check stays clear of the kink at 0, where the
 * derivative is not defined; slope 0.1 so both sides carry a gradient. */
static const glab_layer_example example = {"slope=0.1", 2, {3, 4}, NULL};

static const glab_layer_type type = {
    .name = "relu",
    .doc = "rectifier max(0, x); leaky (slope·x for x < 0) when slope > 0",
    .options = options,
    .activation = GLAB_ACT_RELU,
    .create = create,
    .forward = forward,
    .destroy = destroy,
    .example = &example,
};

static int init(glab_registry *reg) {
  return glab_register_layer(reg, &type);
}
GLAB_PLUGIN(init)
