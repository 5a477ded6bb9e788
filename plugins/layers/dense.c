/* dense.c — the fully connected layer: y = x·W + b, W [inputs][outputs] (as np.dot(x, W)),
 * b [outputs]. Two core ops (one GEMM, one broadcast add), so backward is three GEMMs. */
#include <stdlib.h>

#include <gradlab/plugin.h>

typedef struct dense {
  glab_var *w, *b;
  int inputs, outputs;
} dense;

static const glab_option options[] = {
    {"inputs", GLAB_OPT_INT, NULL, "number of input features"},
    {"outputs", GLAB_OPT_INT, NULL, "number of output features"},
    {"init", GLAB_OPT_INIT, "xavier_uniform", "initializer of the weight"},
    {"bias", GLAB_OPT_BOOL, "true", "add a learned bias"},
    {"bias_init", GLAB_OPT_INIT, "zeros", "initializer of the bias"},
    GLAB_OPTIONS_END};

static void destroy(glab_layer *self) {
  free(glab_layer_impl(self));
}

static int create(glab_layer *self, const glab_config *cfg) {
  int in = (int)glab_config_int(cfg, "inputs"), out = (int)glab_config_int(cfg, "outputs");
  if (in <= 0 || out <= 0)
    return glab_error(GLAB_ERR_ARG, "dense: inputs and outputs must be positive (got %d, %d)", in,
                      out);
  dense *d = calloc(1, sizeof *d);
  if (!d) return glab_error(GLAB_ERR_NOMEM, "dense: out of memory");
  glab_layer_set_impl(self, d);
  d->inputs = in;
  d->outputs = out;
  int wshape[2] = {in, out};
  d->w = glab_layer_add_param(self, "weight", 2, wshape, glab_config_init(cfg, "init"), in, out);
  if (!d->w) return glab_last_status();
  if (glab_config_bool(cfg, "bias")) {
    d->b = glab_layer_add_param(self, "bias", 1, &out, glab_config_init(cfg, "bias_init"), in, out);
    if (!d->b) return glab_last_status();
  }
  return GLAB_OK;
}

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  dense *d = glab_layer_impl(self);
  int nd = x->value.ndim;
  if (nd < 1 || x->value.shape[nd - 1] != d->inputs) {
    char buf[64];
    glab_error(GLAB_ERR_SHAPE, "dense %s: input %s has %d features, expected inputs=%d",
               glab_layer_name(self), glab_shape_str(nd, x->value.shape, buf, sizeof buf),
               nd ? x->value.shape[nd - 1] : 0, d->inputs);
    return NULL;
  }
  glab_var *y = glab_matmul(tape, x, d->w, 0, 0);
  return d->b ? glab_add(tape, y, d->b) : y;
}

static const glab_layer_example example = {"inputs=4 outputs=3", 2, {3, 4}, NULL};

static const glab_layer_type type = {
    .name = "dense",
    .doc = "fully connected: y = x·W + b, W [inputs][outputs]",
    .options = options,
    .create = create,
    .forward = forward,
    .destroy = destroy,
    .example = &example,
};

static int init(glab_registry *reg) {
  return glab_register_layer(reg, &type);
}
GLAB_PLUGIN(init)
