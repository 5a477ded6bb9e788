/* baddefault.c — registers a good layer, then one whose option table has a default that is not
 * a number, and ignores both statuses: the registration must fail, naming this file, the type
 * and the option, and the good layer must be rolled back with it (loader test). */
#include <gradlab/plugin.h>

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self;
  (void)tape;
  return x;
}

static const glab_option bad_options[] = {
    {"rate", GLAB_OPT_REAL, "fast", "a rate whose default is not a number"}, GLAB_OPTIONS_END};

static const glab_layer_type good = {
    .name = "baddefault_good", .doc = "registered first", .forward = forward};
static const glab_layer_type bad = {
    .name = "baddefault_layer", .doc = "bad default", .options = bad_options, .forward = forward};

static int init(glab_registry *reg) {
  glab_register_layer(reg, &good);
  glab_register_layer(reg, &bad);
  return GLAB_OK;
}
GLAB_PLUGIN(init)
