/* ops_activation.c — elementwise functions (square, sqrt, exp, log, sigmoid, tanh, relu,
 * softplus, log_sigmoid) and the row-wise softmax and log-softmax, in numerically stable forms:
 * finite values and gradients wherever the true ones are finite, for any finite input. */
#include <tgmath.h>

#include "ops_internal.h"

/* Forward: y[i] = F(x[i]); backward: gx[i] += D where D may use x, y (this element) and g. */
#define UNARY_OP(name, F, D)                                                                       \
  static int name##_forward(glab_var *out) {                                                       \
    const glab_real *xs = out->in[0]->value.data;                                                  \
    glab_real *ys = out->value.data;                                                               \
    for (size_t i = 0; i < out->value.size; i++) {                                                 \
      glab_real x = xs[i];                                                                         \
      ys[i] = (F);                                                                                 \
    }                                                                                              \
    return GLAB_OK;                                                                                \
  }                                                                                                \
  static int name##_backward(glab_var *out) {                                                      \
    glab_var *a = out->in[0];                                                                      \
    if (!glab_var_needs_grad(a)) return GLAB_OK;                                                   \
    glab_real *gx;                                                                                 \
    GLAB_GRAD_OR_FAIL(gx, a);                                                                      \
    const glab_real *xs = a->value.data, *ys = out->value.data, *gs = out->grad;                   \
    for (size_t i = 0; i < out->value.size; i++) {                                                 \
      glab_real x = xs[i], y = ys[i], g = gs[i];                                                   \
      (void)x;                                                                                     \
      (void)y;                                                                                     \
      gx[i] += (D);                                                                                \
    }                                                                                              \
    return GLAB_OK;                                                                                \
  }                                                                                                \
  static const glab_op op_##name = {#name, name##_forward, name##_backward};                       \
  glab_var *glab_##name(glab_tape *t, glab_var *a) {                                               \
    if (glab_ops_bad_args(#name, t, &a, 1)) return NULL;                                           \
    return glab_tape_apply(t, &op_##name, &a, 1, a->value.ndim, a->value.shape, NULL, 0);          \
  }

/* σ(x) without overflow: exp of a non-positive number only. */
static inline glab_real stable_sigmoid(glab_real x) {
  glab_real e = exp(-fabs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}
/* log(1 + e^x) = max(x, 0) + log1p(e^-|x|) */
static inline glab_real stable_softplus(glab_real x) {
  return (x > 0 ? x : 0) + log1p(exp(-fabs(x)));
}

UNARY_OP(square, x *x, 2 * x * g)
UNARY_OP(sqrt, sqrt(x), g / (2 * y))
UNARY_OP(exp, exp(x), g *y)
UNARY_OP(log, log(x), g / x)
UNARY_OP(sigmoid, stable_sigmoid(x), g *y *(1 - y))
UNARY_OP(tanh, tanh(x), g *(1 - y * y))
UNARY_OP(softplus, stable_softplus(x), g *stable_sigmoid(x))
UNARY_OP(log_sigmoid, -stable_softplus(-x), g *stable_sigmoid(-x))

/* ReLU, leaky when slope > 0. */
static int relu_forward(glab_var *out) {
  const glab_real *xs = out->in[0]->value.data;
  glab_real *ys = out->value.data, slope = *(const glab_real *)out->attr;
  for (size_t i = 0; i < out->value.size; i++)
    ys[i] = xs[i] > 0 ? xs[i] : slope * xs[i];
  return GLAB_OK;
}

static int relu_backward(glab_var *out) {
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *gx;
  GLAB_GRAD_OR_FAIL(gx, a);
  const glab_real *xs = a->value.data, *gs = out->grad;
  glab_real slope = *(const glab_real *)out->attr;
  for (size_t i = 0; i < out->value.size; i++)
    gx[i] += xs[i] > 0 ? gs[i] : slope * gs[i];
  return GLAB_OK;
}

static const glab_op op_relu = {"relu", relu_forward, relu_backward};

glab_var *glab_relu(glab_tape *t, glab_var *a, double slope) {
  if (glab_ops_bad_args("relu", t, &a, 1)) return NULL;
  glab_real s = (glab_real)slope;
  return glab_tape_apply(t, &op_relu, &a, 1, a->value.ndim, a->value.shape, &s, sizeof s);
}

/* Row-wise softmax and log-softmax: shift by the row maximum, sum in double. */
static int softmax_rows(glab_var *out, int log_form) {
  size_t rows = glab_tensor_rows(&out->value), cols = glab_tensor_cols(&out->value);
  for (size_t r = 0; r < rows; r++) {
    const glab_real *x = out->in[0]->value.data + r * cols;
    glab_real *y = out->value.data + r * cols;
    glab_real mx = x[0];
    for (size_t j = 1; j < cols; j++)
      mx = x[j] > mx ? x[j] : mx;
    double s = 0;
    for (size_t j = 0; j < cols; j++)
      s += exp((double)(x[j] - mx));
    if (log_form) {
      glab_real lse = (glab_real)log(s);
      for (size_t j = 0; j < cols; j++)
        y[j] = (x[j] - mx) - lse;
    } else {
      glab_real inv = (glab_real)(1.0 / s);
      for (size_t j = 0; j < cols; j++)
        y[j] = exp(x[j] - mx) * inv;
    }
  }
  return GLAB_OK;
}

static int softmax_forward(glab_var *out) {
  return softmax_rows(out, 0);
}

static int log_softmax_forward(glab_var *out) {
  return softmax_rows(out, 1);
}

/* softmax: gx = y ⊙ (g − Σ g·y) */
static int softmax_backward(glab_var *out) {
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *gx;
  GLAB_GRAD_OR_FAIL(gx, a);
  size_t rows = glab_tensor_rows(&out->value), cols = glab_tensor_cols(&out->value);
  for (size_t r = 0; r < rows; r++) {
    const glab_real *y = out->value.data + r * cols, *g = out->grad + r * cols;
    glab_real *gr = gx + r * cols;
    double dot = 0;
    for (size_t j = 0; j < cols; j++)
      dot += (double)g[j] * y[j];
    glab_real d = (glab_real)dot;
    for (size_t j = 0; j < cols; j++)
      gr[j] += y[j] * (g[j] - d);
  }
  return GLAB_OK;
}

/* log-softmax: gx = g − softmax · Σ g */
static int log_softmax_backward(glab_var *out) {
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *gx;
  GLAB_GRAD_OR_FAIL(gx, a);
  size_t rows = glab_tensor_rows(&out->value), cols = glab_tensor_cols(&out->value);
  for (size_t r = 0; r < rows; r++) {
    const glab_real *y = out->value.data + r * cols, *g = out->grad + r * cols;
    glab_real *gr = gx + r * cols;
    double s = 0;
    for (size_t j = 0; j < cols; j++)
      s += g[j];
    glab_real gs = (glab_real)s;
    for (size_t j = 0; j < cols; j++)
      gr[j] += g[j] - exp(y[j]) * gs;
  }
  return GLAB_OK;
}

static const glab_op op_softmax = {"softmax", softmax_forward, softmax_backward};
static const glab_op op_log_softmax = {"log_softmax", log_softmax_forward, log_softmax_backward};

glab_var *glab_softmax(glab_tape *t, glab_var *a) {
  if (glab_ops_bad_args("softmax", t, &a, 1)) return NULL;
  return glab_tape_apply(t, &op_softmax, &a, 1, a->value.ndim, a->value.shape, NULL, 0);
}

glab_var *glab_log_softmax(glab_tape *t, glab_var *a) {
  if (glab_ops_bad_args("log_softmax", t, &a, 1)) return NULL;
  return glab_tape_apply(t, &op_log_softmax, &a, 1, a->value.ndim, a->value.shape, NULL, 0);
}
