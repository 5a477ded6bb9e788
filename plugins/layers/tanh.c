/* tanh.c — the elementwise tanh activation (numerically stable core op); no parameters. */
#include <gradlab/plugin.h>

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self;
  return glab_tanh(tape, x);
}

static const glab_layer_type type = {
    .name = "tanh",
    .doc = "elementwise tanh activation",
    .activation = GLAB_ACT_TANH,
    .forward = forward,
};

static int init(glab_registry *reg) {
  return glab_register_layer(reg, &type);
}
GLAB_PLUGIN(init)
