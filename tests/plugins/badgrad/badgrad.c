/* badgrad.c — a drop-in layer whose fused op has a wrong backward (y = x², dy/dx taken as x,
 * missing the factor 2). Put on GRADLAB_PLUGIN_PATH, it must make the conformance suite and
 * `gradlab gradcheck` fail and name it: proof that the check can fail for a plugin's own op. */
#include <gradlab/plugin.h>

static int square_forward(glab_var *out) {
  const glab_real *x = out->in[0]->value.data;
  for (size_t i = 0; i < out->value.size; i++)
    out->value.data[i] = x[i] * x[i];
  return GLAB_OK;
}

static int square_backward(glab_var *out) {
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *ga = glab_var_grad(a);
  if (!ga) return GLAB_ERR_NOMEM;
  for (size_t i = 0; i < out->value.size; i++)
    ga[i] += out->grad[i] * a->value.data[i]; /* wrong on purpose: should be 2·x */
  return GLAB_OK;
}

static const glab_op square_op = {"badgrad_square", square_forward, square_backward};

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self;
  return glab_tape_apply(tape, &square_op, &x, 1, x->value.ndim, x->value.shape, NULL, 0);
}

static const glab_layer_type type = {
    .name = "badgrad", .doc = "y = x² with a wrong backward (test plugin)", .forward = forward};

static int init(glab_registry *reg) {
  return glab_register_layer(reg, &type);
}
GLAB_PLUGIN(init)
