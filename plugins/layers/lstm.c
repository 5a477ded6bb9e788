/* lstm.c — the LSTM layer (Hochreiter & Schmidhuber 1997, with forget gate), gates i, f, g, o:
 *   pre = x_t·W_x + b + h_{t-1}·W_h   (W_x [inputs][4H], W_h [H][4H], b [4H], blocks i f g o)
 *   c_t = σ(f)·c_{t-1} + σ(i)·tanh(g),   h_t = σ(o)·tanh(c_t),   h_0 = c_0 = 0.
 * forget_bias is the initial value of the f block of b (never added in the forward pass).
 * One GEMM projects all T steps; per step one GEMM (h·W_h) and two fused ops with their own
 * backward: "lstm_cell" (bias, gates and c_t) and "lstm_hidden" (h_t). */
#include <math.h>
#include <stdlib.h>

#include <gradlab/plugin.h>

typedef struct lstm {
  int inputs, hidden, return_sequence;
  glab_var *wx, *wh, *b;
} lstm;

static const glab_option options[] = {
    {"inputs", GLAB_OPT_INT, NULL, "features per time step"},
    {"hidden", GLAB_OPT_INT, NULL, "hidden units H"},
    {"forget_bias", GLAB_OPT_REAL, "1", "initial value of the forget-gate block of the bias"},
    {"return_sequence", GLAB_OPT_BOOL, "false", "return every h_t [T][B][H], not only the last"},
    {"init", GLAB_OPT_INIT, "xavier_uniform", "initializer of w_x"},
    {"recurrent_init", GLAB_OPT_INIT, "xavier_uniform", "initializer of w_h"},
    {"bias_init", GLAB_OPT_INIT, "zeros", "initializer of the bias (then the f block is set)"},
    GLAB_OPTIONS_END};

/* Real-typed math: float functions in a float build (faster), double ones in a double build. */
#ifdef GRADLAB_DOUBLE
#define R_EXP exp
#define R_TANH tanh
#else
#define R_EXP expf
#define R_TANH tanhf
#endif

/* 1/(1+e^-x) is exact enough and never NaN for finite x: e^-x overflows to inf only where the
 * result is 0 anyway. Branch-free, so random signs cost no mispredictions. */
static inline glab_real sigm(glab_real x) {
  return 1 / (1 + R_EXP(-x));
}

/* Gradient buffer of input i, or NULL if it needs none; *fail set on no memory. */
static glab_real *grad_of(glab_var *out, int i, int *fail) {
  if (i >= out->nin || !glab_var_needs_grad(out->in[i])) return NULL;
  glab_real *g = glab_var_grad(out->in[i]);
  if (!g) *fail = 1;
  return g;
}

/* ---- lstm_cell: in (xw [T][B][4H], bias [4H]) at t = 0, then also (hw [B][4H], c_prev) ----
 * pre = xw[t] + bias (+ hw); c = σ(f)·c_prev + σ(i)·tanh(g). Bias and h·W_h are added here,
 * not by separate ops over the whole sequence. */
typedef struct cell_attr {
  int t, H;
  glab_real *act; /* [B][4H] activated gates, kept for backward and for lstm_hidden */
} cell_attr;

static int cell_forward(glab_var *out) {
  cell_attr *a = out->attr;
  int H = a->H, B = out->value.shape[0];
  size_t G = 4 * (size_t)H;
  const glab_real *xw = out->in[0]->value.data + (size_t)a->t * B * G;
  const glab_real *bias = out->in[1]->value.data;
  const glab_real *hw = out->nin > 2 ? out->in[2]->value.data : NULL;
  const glab_real *cp = out->nin > 2 ? out->in[3]->value.data : NULL;
  a->act = glab_tape_alloc(out->tape, (size_t)B * G * sizeof *a->act);
  if (!a->act) return glab_error(GLAB_ERR_NOMEM, "lstm_cell: out of memory");
  for (int b = 0; b < B; b++) {
    const glab_real *x = xw + b * G, *h = hw ? hw + b * G : NULL;
    glab_real *act = a->act + b * G, *c = out->value.data + (size_t)b * H;
    for (size_t k = 0; k < G; k++)
      act[k] = x[k] + bias[k] + (h ? h[k] : 0);
    for (int j = 0; j < H; j++) {
      glab_real i = sigm(act[j]), f = sigm(act[H + j]), g = R_TANH(act[2 * H + j]);
      act[j] = i, act[H + j] = f, act[2 * H + j] = g, act[3 * H + j] = sigm(act[3 * H + j]);
      c[j] = (cp ? f * cp[(size_t)b * H + j] : 0) + i * g;
    }
  }
  return GLAB_OK;
}

static int cell_backward(glab_var *out) {
  const cell_attr *a = out->attr;
  int H = a->H, B = out->value.shape[0], fail = 0;
  size_t G = 4 * (size_t)H;
  glab_real *gx = grad_of(out, 0, &fail), *gb = grad_of(out, 1, &fail);
  glab_real *gh = grad_of(out, 2, &fail), *gc = grad_of(out, 3, &fail);
  if (fail) return GLAB_ERR_NOMEM;
  const glab_real *cp = out->nin > 2 ? out->in[3]->value.data : NULL;
  if (gx) gx += (size_t)a->t * B * G;
  for (int b = 0; b < B; b++) {
    const glab_real *act = a->act + b * G, *dc = out->grad + (size_t)b * H;
    glab_real *x = gx ? gx + b * G : NULL, *h = gh ? gh + b * G : NULL;
    for (int j = 0; j < H; j++) {
      glab_real i = act[j], f = act[H + j], g = act[2 * H + j], d = dc[j];
      glab_real c0 = cp ? cp[(size_t)b * H + j] : 0;
      glab_real di = d * g * i * (1 - i), df = d * c0 * f * (1 - f), dg = d * i * (1 - g * g);
      if (x) x[j] += di, x[H + j] += df, x[2 * H + j] += dg;
      if (h) h[j] += di, h[H + j] += df, h[2 * H + j] += dg;
      if (gb) gb[j] += di, gb[H + j] += df, gb[2 * H + j] += dg;
      if (gc) gc[(size_t)b * H + j] += d * f;
    }
  }
  return GLAB_OK;
}

static const glab_op cell_op = {"lstm_cell", cell_forward, cell_backward};

/* ---- lstm_hidden: h = σ(o)·tanh(c); in (c, xw, bias) or (c, xw, bias, hw); σ(o) is read from
 * c's cell node, and the o block's gradient goes to xw[t], bias and hw ---- */
typedef struct hidden_attr {
  int t, H;
} hidden_attr;

static int hidden_forward(glab_var *out) {
  const cell_attr *ca = out->in[0]->attr;
  const hidden_attr *a = out->attr;
  int H = a->H, B = out->value.shape[0];
  const glab_real *c = out->in[0]->value.data;
  for (int b = 0; b < B; b++)
    for (int j = 0; j < H; j++) {
      size_t k = (size_t)b * H + j;
      out->value.data[k] = ca->act[(size_t)b * 4 * H + 3 * H + j] * R_TANH(c[k]);
    }
  return GLAB_OK;
}

static int hidden_backward(glab_var *out) {
  const hidden_attr *a = out->attr;
  const cell_attr *ca = out->in[0]->attr;
  int H = a->H, B = out->value.shape[0], fail = 0;
  size_t G = 4 * (size_t)H;
  glab_real *gc = grad_of(out, 0, &fail), *gx = grad_of(out, 1, &fail);
  glab_real *gb = grad_of(out, 2, &fail), *gh = grad_of(out, 3, &fail);
  if (fail) return GLAB_ERR_NOMEM;
  if (gx) gx += (size_t)a->t * B * G;
  const glab_real *c = out->in[0]->value.data;
  for (int b = 0; b < B; b++)
    for (int j = 0; j < H; j++) {
      size_t k = (size_t)b * H + j, o_at = b * G + 3 * H + j;
      glab_real o = ca->act[o_at], tc = R_TANH(c[k]), d = out->grad[k];
      glab_real dpo = d * tc * o * (1 - o);
      if (gc) gc[k] += d * o * (1 - tc * tc);
      if (gx) gx[o_at] += dpo;
      if (gh) gh[o_at] += dpo;
      if (gb) gb[3 * H + j] += dpo;
    }
  return GLAB_OK;
}

static const glab_op hidden_op = {"lstm_hidden", hidden_forward, hidden_backward};

/* ---- the layer ---- */

static void destroy(glab_layer *self) {
  free(glab_layer_impl(self));
}

static int create(glab_layer *self, const glab_config *cfg) {
  lstm *l = calloc(1, sizeof *l);
  if (!l) return glab_error(GLAB_ERR_NOMEM, "lstm: out of memory");
  glab_layer_set_impl(self, l);
  l->inputs = (int)glab_config_int(cfg, "inputs");
  l->hidden = (int)glab_config_int(cfg, "hidden");
  l->return_sequence = glab_config_bool(cfg, "return_sequence");
  int H = l->hidden, G = 4 * H;
  if (l->inputs <= 0 || H <= 0)
    return glab_error(GLAB_ERR_ARG, "lstm: inputs and hidden must be positive (got %d, %d)",
                      l->inputs, H);
  int sx[2] = {l->inputs, G}, sh[2] = {H, G};
  if (!(l->wx = glab_layer_add_param(self, "w_x", 2, sx, glab_config_init(cfg, "init"), l->inputs,
                                     G)) ||
      !(l->wh = glab_layer_add_param(self, "w_h", 2, sh, glab_config_init(cfg, "recurrent_init"), H,
                                     G)) ||
      !(l->b = glab_layer_add_param(self, "bias", 1, &G, glab_config_init(cfg, "bias_init"),
                                    l->inputs, G)))
    return glab_last_status();
  double fb = glab_config_real(cfg, "forget_bias");
  if (!isnan(fb))
    for (int j = 0; j < H; j++)
      l->b->value.data[H + j] = (glab_real)fb;
  return GLAB_OK;
}

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  lstm *l = glab_layer_impl(self);
  if (x->value.ndim != 3 || x->value.shape[2] != l->inputs) {
    char buf[64];
    glab_error(GLAB_ERR_SHAPE, "lstm %s: expected input [T][B][%d], got %s", glab_layer_name(self),
               l->inputs, glab_shape_str(x->value.ndim, x->value.shape, buf, sizeof buf));
    return NULL;
  }
  int T = x->value.shape[0], B = x->value.shape[1], H = l->hidden;
  glab_var *xw = glab_matmul(tape, x, l->wx, 0, 0); /* [T][B][4H], bias added per step */
  glab_var **steps = glab_tape_alloc(tape, (size_t)T * sizeof *steps);
  if (!xw || !steps) return NULL;
  int shape[2] = {B, H};
  glab_var *h = NULL, *c = NULL;
  for (int t = 0; t < T; t++) {
    cell_attr ca = {t, H, NULL};
    hidden_attr ha = {t, H};
    if (!h) {
      glab_var *cin[2] = {xw, l->b};
      c = glab_tape_apply(tape, &cell_op, cin, 2, 2, shape, &ca, sizeof ca);
      glab_var *hin[3] = {c, xw, l->b};
      h = glab_tape_apply(tape, &hidden_op, hin, 3, 2, shape, &ha, sizeof ha);
    } else {
      glab_var *hw = glab_matmul(tape, h, l->wh, 0, 0);
      glab_var *cin[4] = {xw, l->b, hw, c};
      c = glab_tape_apply(tape, &cell_op, cin, 4, 2, shape, &ca, sizeof ca);
      glab_var *hin[4] = {c, xw, l->b, hw};
      h = glab_tape_apply(tape, &hidden_op, hin, 4, 2, shape, &ha, sizeof ha);
    }
    if (!h) return NULL;
    steps[t] = h;
  }
  glab_layer_set_steps(self, steps, T);
  return l->return_sequence ? glab_stack(tape, steps, T) : h;
}

static const glab_layer_example example = {
    "inputs=3 hidden=4 return_sequence=true", 3, {5, 2, 3}, NULL};

static const glab_layer_type type = {
    .name = "lstm",
    .doc = "LSTM over [T][B][F], gates i f g o, fused cell ops",
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
