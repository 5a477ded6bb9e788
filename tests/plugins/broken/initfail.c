/* initfail.c — registers a type, then fails its init with its own message (loader test:
 * the message reaches the user and the type is rolled back). */
#include <gradlab/plugin.h>

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self;
  (void)tape;
  return x;
}

static const glab_layer_type type = {
    .name = "initfail_layer", .doc = "never registered", .forward = forward};

static int init(glab_registry *reg) {
  if (glab_register_layer(reg, &type) != GLAB_OK) return GLAB_ERR_PLUGIN;
  return glab_error(GLAB_ERR_PLUGIN, "initfail: the frobnicator is missing");
}
GLAB_PLUGIN(init)
