/* rnn.c — the Elman recurrent layer: h_t = tanh(x_t·W_x + b + h_{t-1}·W_h), h_0 = 0.
 * Input [T][B][F]; output [B][H] (last step) or [T][B][H] (return_sequence). One GEMM projects
 * all T steps at once; each step is then one GEMM (h·W_h) and one fused op "rnn_step"
 * (bias + add + tanh, with its own backward). The h_t nodes are handed to the core, which reports
 * ||dL/dh_t|| for every step after backward. */
#include <math.h>
#include <stdlib.h>

#include <gradlab/plugin.h>

/* Let GCC vectorise the step's tanh (see fastmath.h and lstm.c). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-trapping-math")
#endif

#include "fastmath.h"

typedef struct rnn {
  int inputs, hidden, return_sequence;
  glab_var *wx, *wh, *b;
} rnn;

static const glab_option options[] = {
    {"inputs", GLAB_OPT_INT, NULL, "features per time step"},
    {"hidden", GLAB_OPT_INT, NULL, "hidden units"},
    {"return_sequence", GLAB_OPT_BOOL, "false", "return every h_t [T][B][H], not only the last"},
    {"init", GLAB_OPT_INIT, "xavier_uniform", "initializer of w_x"},
    {"recurrent_init", GLAB_OPT_INIT, "xavier_uniform", "initializer of w_h"},
    {"bias_init", GLAB_OPT_INIT, "zeros", "initializer of the bias"},
    GLAB_OPTIONS_END};

/* ---- the fused step: h = tanh(xw[t] + bias + hw); in (xw [T][B][H], bias [H]) at t = 0,
 * then also hw [B][H] ---- */
typedef struct step_attr {
  int t;
} step_attr;

/* restrict rows so the compiler vectorises the tanh and the sums */
static void add_row(glab_real *restrict dst, const glab_real *restrict src, size_t n) {
  for (size_t j = 0; j < n; j++)
    dst[j] += src[j];
}

static GLAB_CLONES void tanh_row(const glab_real *restrict x, const glab_real *restrict bias,
                                 const glab_real *restrict hw, glab_real *restrict h, size_t n) {
  if (hw)
    for (size_t j = 0; j < n; j++)
      h[j] = r_tanh(x[j] + bias[j] + hw[j]);
  else
    for (size_t j = 0; j < n; j++)
      h[j] = r_tanh(x[j] + bias[j]);
}

static int step_forward(glab_var *out) {
  const step_attr *a = out->attr;
  size_t n = out->value.size, H = (size_t)out->value.shape[1];
  const glab_real *xw = out->in[0]->value.data + (size_t)a->t * n;
  const glab_real *bias = out->in[1]->value.data;
  const glab_real *hw = out->nin > 2 ? out->in[2]->value.data : NULL;
  for (size_t r = 0; r < n; r += H)
    tanh_row(xw + r, bias, hw ? hw + r : NULL, out->value.data + r, H);
  return GLAB_OK;
}

static int step_backward(glab_var *out) {
  const step_attr *a = out->attr;
  size_t n = out->value.size, H = (size_t)out->value.shape[1];
  const glab_real *h = out->value.data, *g = out->grad;
  glab_real *gx = NULL, *gb = NULL, *gh = NULL;
  glab_real *d = glab_tape_alloc(out->tape, n * sizeof *d); /* d pre-activation */
  if (!d) return glab_error(GLAB_ERR_NOMEM, "rnn_step: out of memory");
  if (glab_var_needs_grad(out->in[0]) && !(gx = glab_var_grad(out->in[0]))) return GLAB_ERR_NOMEM;
  if (glab_var_needs_grad(out->in[1]) && !(gb = glab_var_grad(out->in[1]))) return GLAB_ERR_NOMEM;
  if (out->nin > 2 && glab_var_needs_grad(out->in[2]) && !(gh = glab_var_grad(out->in[2])))
    return GLAB_ERR_NOMEM;
  for (size_t i = 0; i < n; i++)
    d[i] = g[i] * (1 - h[i] * h[i]);
  if (gx) add_row(gx + (size_t)a->t * n, d, n);
  if (gh) add_row(gh, d, n);
  if (gb)
    for (size_t r = 0; r < n; r += H)
      add_row(gb, d + r, H);
  return GLAB_OK;
}

static const glab_op step_op = {"rnn_step", step_forward, step_backward};

/* ---- the layer ---- */

static void destroy(glab_layer *self) {
  free(glab_layer_impl(self));
}

static int create(glab_layer *self, const glab_config *cfg) {
  rnn *r = calloc(1, sizeof *r);
  if (!r) return glab_error(GLAB_ERR_NOMEM, "rnn: out of memory");
  glab_layer_set_impl(self, r);
  r->inputs = (int)glab_config_int(cfg, "inputs");
  r->hidden = (int)glab_config_int(cfg, "hidden");
  r->return_sequence = glab_config_bool(cfg, "return_sequence");
  if (r->inputs <= 0 || r->hidden <= 0)
    return glab_error(GLAB_ERR_ARG, "rnn: inputs and hidden must be positive (got %d, %d)",
                      r->inputs, r->hidden);
  int sx[2] = {r->inputs, r->hidden}, sh[2] = {r->hidden, r->hidden};
  if (!(r->wx = glab_layer_add_param(self, "w_x", 2, sx, glab_config_init(cfg, "init"), r->inputs,
                                     r->hidden)) ||
      !(r->wh = glab_layer_add_param(self, "w_h", 2, sh, glab_config_init(cfg, "recurrent_init"),
                                     r->hidden, r->hidden)) ||
      !(r->b = glab_layer_add_param(self, "bias", 1, &r->hidden, glab_config_init(cfg, "bias_init"),
                                    r->inputs, r->hidden)))
    return glab_last_status();
  return GLAB_OK;
}

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  rnn *r = glab_layer_impl(self);
  if (x->value.ndim != 3 || x->value.shape[2] != r->inputs) {
    char buf[64];
    glab_error(GLAB_ERR_SHAPE, "rnn %s: expected input [T][B][%d], got %s", glab_layer_name(self),
               r->inputs, glab_shape_str(x->value.ndim, x->value.shape, buf, sizeof buf));
    return NULL;
  }
  int T = x->value.shape[0], B = x->value.shape[1];
  glab_var *xw = glab_matmul(tape, x, r->wx, 0, 0); /* [T][B][H], bias added per step */
  glab_var **steps = glab_tape_alloc(tape, (size_t)T * sizeof *steps);
  if (!xw || !steps) return NULL;
  int shape[2] = {B, r->hidden};
  glab_var *h = NULL;
  for (int t = 0; t < T; t++) {
    step_attr a = {t};
    glab_var *in[3] = {xw, r->b, h ? glab_matmul(tape, h, r->wh, 0, 0) : NULL};
    h = glab_tape_apply(tape, &step_op, in, h ? 3 : 2, 2, shape, &a, sizeof a);
    if (!h) return NULL;
    steps[t] = h;
  }
  glab_layer_set_steps(self, steps, T);
  return r->return_sequence ? glab_stack(tape, steps, T) : h;
}

static const glab_layer_example example = {
    "inputs=3 hidden=4 return_sequence=true", 3, {5, 2, 3}, NULL};

static const glab_layer_type type = {
    .name = "rnn",
    .doc = "Elman RNN h_t = tanh(x_t·W_x + b + h_{t-1}·W_h) over [T][B][F]",
    .options = options,
    .activation = GLAB_ACT_TANH,
    .create = create,
    .forward = forward,
    .destroy = destroy,
    .example = &example,
};

static int init(glab_registry *reg) {
  return glab_register_layer(reg, &type);
}
GLAB_PLUGIN(init)
