/* plugin_times.c — a test plugin for the Lua binding: layer type `lua_test_times`
 * (y = factor·x). It proves a dropped-in type is usable as gradlab.layer.lua_test_times{...}
 * with no change to the binding, loaded by --plugin or by gradlab.load_plugin. */
#include <gradlab/plugin.h>

static const glab_option options[] = {{"factor", GLAB_OPT_REAL, "2", "the multiplier"},
                                      GLAB_OPTIONS_END};

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  return glab_scale(tape, x, glab_config_real(glab_layer_config(self), "factor"));
}

static const glab_layer_type times = {
    .name = "lua_test_times",
    .doc = "y = factor * x (a test plugin of the Lua binding)",
    .options = options,
    .forward = forward,
};

static int init(glab_registry *reg) { return glab_register_layer(reg, &times); }
GLAB_PLUGIN(init)
