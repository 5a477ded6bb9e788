/* dup_dense.c — registers a second "dense" layer type (loader test: clash with dense.so). */
#include <gradlab/plugin.h>

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self;
  (void)tape;
  return x;
}

static const glab_layer_type type = {.name = "dense", .doc = "an impostor", .forward = forward};

static int init(glab_registry *reg) {
  return glab_register_layer(reg, &type);
}
GLAB_PLUGIN(init)
