/* residual.c — a residual block: y = x + f(x), f the child layers run in order. When f changes
 * the width, the skip goes through a learned projection P [inputs][outputs]: y = x·P + f(x).
 * The widths come from the options, or are inferred from the children's own options. */
#include <stdlib.h>
#include <string.h>

#include <gradlab/plugin.h>

typedef struct residual {
  glab_var *proj;
  int inputs, outputs;
} residual;

static const glab_option options[] = {
    {"inputs", GLAB_OPT_INT, "0", "input width (0: inferred from the first child)"},
    {"outputs", GLAB_OPT_INT, "0", "output width of f (0: inferred from the last child)"},
    {"proj_init", GLAB_OPT_INIT, "xavier_uniform", "initializer of the projection, if any"},
    GLAB_OPTIONS_END};

static int cfg_int(const glab_layer *l, const char *key) {
  const glab_config *c = glab_layer_config(l);
  return glab_config_has(c, key) ? (int)glab_config_int(c, key) : 0;
}

/* Width a layer reads, 0 if it keeps any width (activations). */
static int width_in(const glab_layer *l) {
  int w = cfg_int(l, "inputs");
  if (!w) w = cfg_int(l, "features");
  for (int i = 0; !w && i < glab_layer_nchildren(l); i++)
    w = width_in(glab_layer_child(l, i));
  return w;
}

/* Width a layer writes, 0 if it keeps its input width. */
static int width_out(const glab_layer *l) {
  if (!strcmp(glab_layer_get_type(l)->name, "residual")) return width_in(l);
  int w = cfg_int(l, "outputs");
  if (!w) w = cfg_int(l, "hidden");
  if (!w) w = cfg_int(l, "features");
  for (int i = glab_layer_nchildren(l); !w && i-- > 0;)
    w = width_out(glab_layer_child(l, i));
  return w;
}

static void destroy(glab_layer *self) {
  free(glab_layer_impl(self));
}

static int create(glab_layer *self, const glab_config *cfg) {
  residual *r = calloc(1, sizeof *r);
  if (!r) return glab_error(GLAB_ERR_NOMEM, "residual: out of memory");
  glab_layer_set_impl(self, r);
  int n = glab_layer_nchildren(self);
  if (n == 0) return glab_error(GLAB_ERR_ARG, "residual: needs at least one child layer");
  r->inputs = (int)glab_config_int(cfg, "inputs");
  r->outputs = (int)glab_config_int(cfg, "outputs");
  if (!r->inputs) r->inputs = width_in(self);
  if (!r->outputs) {
    for (int i = n; !r->outputs && i-- > 0;)
      r->outputs = width_out(glab_layer_child(self, i));
  }
  if (r->inputs < 0 || r->outputs < 0)
    return glab_error(GLAB_ERR_ARG, "residual: widths must not be negative");
  if (r->inputs && r->outputs && r->inputs != r->outputs) {
    int shape[2] = {r->inputs, r->outputs};
    r->proj = glab_layer_add_param(self, "proj", 2, shape, glab_config_init(cfg, "proj_init"),
                                   r->inputs, r->outputs);
    if (!r->proj) return glab_last_status();
  }
  return GLAB_OK;
}

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  residual *r = glab_layer_impl(self);
  glab_var *f = x;
  for (int i = 0; f && i < glab_layer_nchildren(self); i++)
    f = glab_layer_forward(glab_layer_child(self, i), tape, f);
  if (!f) return NULL;
  glab_var *skip = r->proj ? glab_matmul(tape, x, r->proj, 0, 0) : x;
  if (!skip) return NULL;
  if (!glab_shape_equal(skip->value.ndim, skip->value.shape, f->value.ndim, f->value.shape)) {
    char a[64], b[64];
    glab_error(GLAB_ERR_SHAPE,
               "residual %s: the skip %s and the inner output %s differ (give inputs= and "
               "outputs= so a projection is learned)",
               glab_layer_name(self), glab_shape_str(skip->value.ndim, skip->value.shape, a, 64),
               glab_shape_str(f->value.ndim, f->value.shape, b, 64));
    return NULL;
  }
  return glab_add(tape, skip, f);
}

static const glab_layer_example example = {NULL, 2, {3, 4}, "dense inputs=4 outputs=5 | tanh"};

static const glab_layer_type type = {
    .name = "residual",
    .doc = "residual block y = x + f(x) over its child layers (projected skip if widths differ)",
    .options = options,
    .takes_children = 1,
    .create = create,
    .forward = forward,
    .destroy = destroy,
    .example = &example,
};

static int init(glab_registry *reg) {
  return glab_register_layer(reg, &type);
}
GLAB_PLUGIN(init)
