/* ops_loss.c — fused losses, one element each: mean squared error, softmax cross-entropy from
 * logits with integer labels, binary cross-entropy from logits. Stable for any finite logits;
 * accumulated in double. */
#include <math.h>
#include <string.h>

#include "ops_internal.h"

static int same_shape(const char *op, const glab_var *a, const glab_var *b) {
  if (glab_shape_equal(a->value.ndim, a->value.shape, b->value.ndim, b->value.shape))
    return GLAB_OK;
  char sa[64], sb[64];
  return glab_error(GLAB_ERR_SHAPE, "%s: shapes differ: %s and %s", op, GLAB_SHAPE(a, sa),
                    GLAB_SHAPE(b, sb));
}

static const int one_shape[1] = {1};

/* ---- mean squared error ---- */
static int mse_forward(glab_var *out) {
  const glab_real *o = out->in[0]->value.data, *t = out->in[1]->value.data;
  size_t n = out->in[0]->value.size;
  double s = 0;
  for (size_t i = 0; i < n; i++) {
    double d = (double)o[i] - t[i];
    s += d * d;
  }
  out->value.data[0] = (glab_real)(s / (double)n);
  return GLAB_OK;
}

static int mse_backward(glab_var *out) {
  glab_var *o = out->in[0], *t = out->in[1];
  size_t n = o->value.size;
  glab_real c = (glab_real)(2.0 * out->grad[0] / (double)n);
  const glab_real *ov = o->value.data, *tv = t->value.data;
  if (glab_var_needs_grad(o)) {
    glab_real *go;
    GLAB_GRAD_OR_FAIL(go, o);
    for (size_t i = 0; i < n; i++)
      go[i] += c * (ov[i] - tv[i]);
  }
  if (glab_var_needs_grad(t)) {
    glab_real *gt;
    GLAB_GRAD_OR_FAIL(gt, t);
    for (size_t i = 0; i < n; i++)
      gt[i] -= c * (ov[i] - tv[i]);
  }
  return GLAB_OK;
}

static const glab_op op_mse = {"mse", mse_forward, mse_backward};

glab_var *glab_mse(glab_tape *t, glab_var *out, glab_var *target) {
  glab_var *in[2] = {out, target};
  if (glab_ops_bad_args("mse", t, in, 2)) return NULL;
  if (same_shape("mse", out, target) != GLAB_OK) return NULL;
  return glab_tape_apply(t, &op_mse, in, 2, 1, one_shape, NULL, 0);
}

/* ---- softmax cross-entropy from logits ---- */
typedef struct xent_attr {
  size_t rows, cols;
  const int *labels; /* arena copy */
  glab_real *probs;  /* softmax, saved by forward for backward */
} xent_attr;

static int xent_forward(glab_var *out) {
  xent_attr *at = out->attr;
  size_t rows = at->rows, cols = at->cols;
  at->probs = glab_tape_alloc(out->tape, rows * cols * sizeof(glab_real));
  if (!at->probs) return glab_error_context("softmax_xent");
  double loss = 0;
  for (size_t r = 0; r < rows; r++) {
    const glab_real *x = out->in[0]->value.data + r * cols;
    glab_real *p = at->probs + r * cols;
    glab_real mx = x[0];
    for (size_t j = 1; j < cols; j++)
      mx = x[j] > mx ? x[j] : mx;
    double s = 0;
    for (size_t j = 0; j < cols; j++)
      s += exp((double)x[j] - mx);
    double lse = log(s);
    for (size_t j = 0; j < cols; j++)
      p[j] = (glab_real)exp((double)x[j] - mx - lse);
    loss += lse - ((double)x[at->labels[r]] - mx);
  }
  out->value.data[0] = (glab_real)(loss / (double)rows);
  return GLAB_OK;
}

static int xent_backward(glab_var *out) {
  const xent_attr *at = out->attr;
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *gx;
  GLAB_GRAD_OR_FAIL(gx, a);
  size_t rows = at->rows, cols = at->cols;
  glab_real c = (glab_real)(out->grad[0] / (double)rows);
  for (size_t r = 0; r < rows; r++) {
    const glab_real *p = at->probs + r * cols;
    glab_real *gr = gx + r * cols;
    for (size_t j = 0; j < cols; j++)
      gr[j] += c * p[j];
    gr[at->labels[r]] -= c;
  }
  return GLAB_OK;
}

static const glab_op op_softmax_xent = {"softmax_xent", xent_forward, xent_backward};

glab_var *glab_softmax_xent(glab_tape *t, glab_var *logits, const int *labels) {
  if (glab_ops_bad_args("softmax_xent", t, &logits, 1)) return NULL;
  char sa[64];
  if (!labels) {
    glab_error(GLAB_ERR_ARG, "softmax_xent: NULL labels for logits %s", GLAB_SHAPE(logits, sa));
    return NULL;
  }
  xent_attr at = {glab_tensor_rows(&logits->value), glab_tensor_cols(&logits->value), NULL, NULL};
  for (size_t r = 0; r < at.rows; r++) {
    if (labels[r] < 0 || (size_t)labels[r] >= at.cols) {
      /* rows count from 1 as users count items; labels are class indices from 0 */
      glab_error(GLAB_ERR_ARG,
                 "softmax_xent: row %zu of %zu (counting from 1) has label %d, outside the class "
                 "indices 0..%zu (logits %s)",
                 r + 1, at.rows, labels[r], at.cols - 1, GLAB_SHAPE(logits, sa));
      return NULL;
    }
  }
  int *copy = glab_tape_alloc(t, at.rows * sizeof(int));
  if (!copy) return NULL;
  memcpy(copy, labels, at.rows * sizeof(int));
  at.labels = copy;
  return glab_tape_apply(t, &op_softmax_xent, &logits, 1, 1, one_shape, &at, sizeof at);
}

/* ---- binary cross-entropy from logits: softplus(x) − t·x, averaged ---- */
static int bce_forward(glab_var *out) {
  const glab_real *x = out->in[0]->value.data, *t = out->in[1]->value.data;
  size_t n = out->in[0]->value.size;
  double s = 0;
  for (size_t i = 0; i < n; i++) {
    double xi = x[i];
    s += (xi > 0 ? xi : 0) - xi * t[i] + log1p(exp(-fabs(xi)));
  }
  out->value.data[0] = (glab_real)(s / (double)n);
  return GLAB_OK;
}

static int bce_backward(glab_var *out) {
  glab_var *a = out->in[0], *b = out->in[1];
  size_t n = a->value.size;
  glab_real c = (glab_real)(out->grad[0] / (double)n);
  const glab_real *x = a->value.data, *t = b->value.data;
  if (glab_var_needs_grad(a)) {
    glab_real *gx;
    GLAB_GRAD_OR_FAIL(gx, a);
    for (size_t i = 0; i < n; i++) {
      double e = exp(-fabs((double)x[i]));
      double sig = x[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
      gx[i] += c * (glab_real)(sig - t[i]);
    }
  }
  if (glab_var_needs_grad(b)) {
    glab_real *gt;
    GLAB_GRAD_OR_FAIL(gt, b);
    for (size_t i = 0; i < n; i++)
      gt[i] -= c * x[i];
  }
  return GLAB_OK;
}

static const glab_op op_bce_logits = {"bce_logits", bce_forward, bce_backward};

glab_var *glab_bce_logits(glab_tape *t, glab_var *logits, glab_var *targets) {
  glab_var *in[2] = {logits, targets};
  if (glab_ops_bad_args("bce_logits", t, in, 2)) return NULL;
  if (same_shape("bce_logits", logits, targets) != GLAB_OK) return NULL;
  return glab_tape_apply(t, &op_bce_logits, in, 2, 1, one_shape, NULL, 0);
}
