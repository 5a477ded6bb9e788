/* lstm.c — the LSTM layer (Hochreiter & Schmidhuber 1997, with forget gate), gates i, f, g, o:
 *   pre = x_t·W_x + b + h_{t-1}·W_h   (W_x [inputs][4H], W_h [H][4H], b [4H], blocks i f g o)
 *   c_t = σ(f)·c_{t-1} + σ(i)·tanh(g),   h_t = σ(o)·tanh(c_t),   h_0 = c_0 = 0.
 * forget_bias is the initial value of the f block of b (never added in the forward pass).
 * One GEMM (a core matmul) projects all T steps. The recurrence is one fused op "lstm_seq"
 * with its own backward (back-propagation through time): per step one GEMM h·W_h forward and
 * one GEMM dgates·W_hᵀ backward, and W_h's gradient as a single GEMM over all steps at the end.
 * Per-step nodes h_t are handed to the core for ||dL/dh_t||: the op's backward stores the total
 * derivative of every h_t (through all later steps) as their gradients. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gradlab/plugin.h>

/* The recurrence's elementwise loops are the hot spot next to the GEMMs: let GCC vectorise
 * them. The conditionals in r_exp/r_tanh only become vector blends when FP comparisons may
 * be speculated (no-trapping-math; nothing here reads FP exception flags). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-trapping-math")
#endif

#include "fastmath.h"

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

/* ---- lstm_seq: in (xw [T][B][4H] = x·W_x, W_h [H][4H], bias [4H]) → hs [T][B][H] ---- */
typedef struct seq_attr {
  int T, B, H;
  glab_real *act;   /* [T][B][4H] activated gates i f g o */
  glab_real *cs;    /* [T][B][H] cell states */
  glab_real *tcs;   /* [T][B][H] tanh of the cell states */
  glab_real *c0;    /* [B][H] zeros: c_{-1} */
  glab_var **steps; /* the per-step nodes whose grad receives dL/dh_t (may be NULL) */
} seq_attr;

/* One batch row of the cell: c = f·c_prev + i·g, tanh(c), h = o·tanh(c). The restrict
 * parameters (distinct rows) let the compiler vectorise. */
/* The activations of one row of pre-activations [i f g o]: σ, σ, tanh, σ. */
static GLAB_CLONES void gates_row(glab_real *restrict ab, int H) {
  for (int k = 0; k < 2 * H; k++)
    ab[k] = sigm(ab[k]);
  for (int k = 2 * H; k < 3 * H; k++)
    ab[k] = r_tanh(ab[k]);
  for (int k = 3 * H; k < 4 * H; k++)
    ab[k] = sigm(ab[k]);
}

static GLAB_CLONES void cell_row(const glab_real *restrict gi, const glab_real *restrict gf,
                                 const glab_real *restrict gg, const glab_real *restrict go,
                                 const glab_real *restrict cp, glab_real *restrict c,
                                 glab_real *restrict tc, glab_real *restrict h, int H) {
  for (int j = 0; j < H; j++) {
    glab_real cj = gf[j] * cp[j] + gi[j] * gg[j], tj = r_tanh(cj);
    c[j] = cj;
    tc[j] = tj;
    h[j] = go[j] * tj;
  }
}

/* Its backward for one row: from dL/dh (total) and the carried dL/dc to the four gates'
 * pre-activation gradients; dc becomes the carry into the previous step. */
static GLAB_CLONES void cell_row_back(const glab_real *restrict gi, const glab_real *restrict gf,
                                      const glab_real *restrict gg, const glab_real *restrict go,
                                      const glab_real *restrict tc, const glab_real *restrict cp,
                                      const glab_real *restrict dh, glab_real *restrict di,
                                      glab_real *restrict df, glab_real *restrict dg,
                                      glab_real *restrict dgo, glab_real *restrict dc, int H) {
  for (int j = 0; j < H; j++) {
    glab_real dcj = dc[j] + dh[j] * go[j] * (1 - tc[j] * tc[j]);
    di[j] = dcj * gg[j] * gi[j] * (1 - gi[j]);
    df[j] = dcj * cp[j] * gf[j] * (1 - gf[j]);
    dg[j] = dcj * gi[j] * (1 - gg[j] * gg[j]);
    dgo[j] = dh[j] * tc[j] * go[j] * (1 - go[j]);
    dc[j] = dcj * gf[j];
  }
}

static int seq_forward(glab_var *out) {
  seq_attr *a = out->attr;
  int T = a->T, B = a->B, H = a->H;
  size_t G = 4 * (size_t)H, BG = (size_t)B * G, BH = (size_t)B * H;
  const glab_real *xw = out->in[0]->value.data, *wh = out->in[1]->value.data;
  const glab_real *bias = out->in[2]->value.data;
  a->act = glab_tape_alloc(out->tape, (size_t)T * BG * sizeof *a->act);
  a->cs = glab_tape_alloc(out->tape, 2 * (size_t)T * BH * sizeof *a->cs);
  a->tcs = a->cs ? a->cs + (size_t)T * BH : NULL;
  a->c0 = glab_tape_zalloc(out->tape, BH * sizeof *a->c0);
  if (!a->act || !a->cs || !a->c0) return glab_error(GLAB_ERR_NOMEM, "lstm_seq: out of memory");
  glab_real *hs = out->value.data;
  for (int t = 0; t < T; t++) {
    glab_real *act = a->act + t * BG, *c = a->cs + t * BH, *tc = a->tcs + t * BH;
    glab_real *h = hs + t * BH;
    const glab_real *x = xw + t * BG;
    for (int b = 0; b < B; b++)
      for (size_t k = 0; k < G; k++)
        act[b * G + k] = x[b * G + k] + bias[k];
    if (t > 0) glab_gemm(0, 0, B, (int)G, H, hs + (t - 1) * BH, H, wh, (int)G, 1, act, (int)G);
    const glab_real *cp = t > 0 ? a->cs + (t - 1) * BH : a->c0;
    for (int b = 0; b < B; b++) {
      glab_real *ab = act + b * G;
      gates_row(ab, H);
      size_t o = (size_t)b * H;
      cell_row(ab, ab + H, ab + 2 * H, ab + 3 * H, cp + o, c + o, tc + o, h + o, H);
    }
  }
  return GLAB_OK;
}

static int seq_backward(glab_var *out) {
  const seq_attr *a = out->attr;
  int T = a->T, B = a->B, H = a->H;
  size_t G = 4 * (size_t)H, BG = (size_t)B * G, BH = (size_t)B * H;
  glab_var *vx = out->in[0], *vw = out->in[1], *vb = out->in[2];
  const glab_real *wh = vw->value.data, *hs = out->value.data, *g = out->grad;
  glab_real *dg = glab_tape_alloc(out->tape, (size_t)T * BG * sizeof *dg); /* d pre-activations */
  glab_real *dh = glab_tape_alloc(out->tape, (size_t)T * BH * sizeof *dh); /* total dL/dh_t */
  glab_real *dc = glab_tape_zalloc(out->tape, BH * sizeof *dc);            /* carried dL/dc */
  if (!dg || !dh || !dc) return glab_error(GLAB_ERR_NOMEM, "lstm_seq: out of memory");
  memcpy(dh, g, (size_t)T * BH * sizeof *dh); /* the direct part; the recurrent part is added */
  for (int t = T - 1; t >= 0; t--) {
    const glab_real *act = a->act + t * BG, *tcs = a->tcs + t * BH;
    const glab_real *cp = t > 0 ? a->cs + (t - 1) * BH : a->c0;
    glab_real *d = dg + t * BG, *dht = dh + t * BH;
    for (int b = 0; b < B; b++) {
      const glab_real *gi = act + b * G;
      glab_real *di = d + b * G;
      size_t o = (size_t)b * H;
      cell_row_back(gi, gi + H, gi + 2 * H, gi + 3 * H, tcs + o, cp + o, dht + o, di, di + H,
                    di + 2 * H, di + 3 * H, dc + o, H);
    }
    /* dL/dh_{t-1} gets d·W_hᵀ */
    if (t > 0) glab_gemm(0, 1, B, H, (int)G, d, (int)G, wh, (int)G, 1, dht - BH, H);
  }
  if (a->steps)
    for (int t = 0; t < T; t++)
      if (a->steps[t]) a->steps[t]->grad = dh + t * BH;
  if (glab_var_needs_grad(vx)) {
    glab_real *gx = glab_var_grad(vx);
    if (!gx) return GLAB_ERR_NOMEM;
    for (size_t k = 0; k < (size_t)T * BG; k++)
      gx[k] += dg[k];
  }
  if (glab_var_needs_grad(vb)) {
    glab_real *gb = glab_var_grad(vb);
    if (!gb) return GLAB_ERR_NOMEM;
    for (size_t r = 0; r < (size_t)T * B; r++)
      for (size_t k = 0; k < G; k++)
        gb[k] += dg[r * G + k];
  }
  if (glab_var_needs_grad(vw) && T > 1) { /* dW_h += Σ_t h_{t-1}ᵀ·d_t, one GEMM over all steps */
    glab_real *gw = glab_var_grad(vw);
    if (!gw) return GLAB_ERR_NOMEM;
    glab_gemm(1, 0, H, (int)G, (T - 1) * B, hs, H, dg + BG, (int)G, 1, gw, (int)G);
  }
  return GLAB_OK;
}

static const glab_op seq_op = {"lstm_seq", seq_forward, seq_backward};

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
  glab_var *xw = glab_matmul(tape, x, l->wx, 0, 0); /* [T][B][4H]; bias added in lstm_seq */
  glab_var **steps = glab_tape_alloc(tape, (size_t)T * sizeof *steps);
  if (!xw || !steps) return NULL;
  seq_attr at = {T, B, H, NULL, NULL, NULL, NULL, NULL};
  glab_var *in[3] = {xw, l->wh, l->b};
  int shape[3] = {T, B, H};
  glab_var *hs = glab_tape_apply(tape, &seq_op, in, 3, 3, shape, &at, sizeof at);
  if (!hs) return NULL;
  /* One node per step for the statistics: a view of hs[t] (no buffer of its own) whose grad
   * lstm_seq's backward points at the total dL/dh_t. They take no part in the computation. */
  int bh[2] = {B, H};
  for (int t = 0; t < T; t++)
    if (!(steps[t] = glab_tape_view(tape, 2, bh, hs->value.data + (size_t)t * B * H))) return NULL;
  ((seq_attr *)hs->attr)->steps = steps;
  glab_layer_set_steps(self, steps, T);
  return l->return_sequence ? hs : glab_slice_first(tape, hs, T - 1, 1, 1);
}

static const glab_layer_example example = {
    "inputs=3 hidden=4 return_sequence=true", 3, {5, 2, 3}, NULL};

static const glab_layer_type type = {
    .name = "lstm",
    .doc = "LSTM over [T][B][F], gates i f g o (one fused op for the recurrence)",
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
