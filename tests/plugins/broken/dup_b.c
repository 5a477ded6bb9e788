/* dup_b.c — registers layer "dup_layer" (as does the other dup_ plugin): loading both must
 * fail the second, naming both files. dup_b also registers "dup_b_extra" first and ignores the
 * failed registration's status, which must not save it. (loader test) */
#include <gradlab/plugin.h>

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self;
  (void)tape;
  return x;
}

static const glab_layer_type dup = {.name = "dup_layer", .doc = "from dup_b", .forward = forward};
static const glab_layer_type extra = {.name = "dup_b_extra", .doc = "extra", .forward = forward};

static int init(glab_registry *reg) {
  glab_register_layer(reg, &extra);
  glab_register_layer(reg, &dup);
  return GLAB_OK;
}
GLAB_PLUGIN(init)
