/* ops_reduce.c — sums and means: over everything (one element), per row ([..][n] -> [..]) and
 * per column ([..][n] -> [n]). Sums accumulate in double. */
#include "ops_internal.h"

typedef struct reduce_attr {
  double scale; /* 1 for a sum, 1/count for a mean */
  size_t rows, cols;
} reduce_attr;

static int all_forward(glab_var *out) {
  const reduce_attr *at = out->attr;
  const glab_real *x = out->in[0]->value.data;
  double s = 0;
  for (size_t i = 0; i < at->rows * at->cols; i++)
    s += x[i];
  out->value.data[0] = (glab_real)(s * at->scale);
  return GLAB_OK;
}

static int all_backward(glab_var *out) {
  const reduce_attr *at = out->attr;
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *gx;
  GLAB_GRAD_OR_FAIL(gx, a);
  glab_real g = (glab_real)(out->grad[0] * at->scale);
  for (size_t i = 0; i < at->rows * at->cols; i++)
    gx[i] += g;
  return GLAB_OK;
}

static int rows_forward(glab_var *out) {
  const reduce_attr *at = out->attr;
  for (size_t r = 0; r < at->rows; r++) {
    const glab_real *x = out->in[0]->value.data + r * at->cols;
    double s = 0;
    for (size_t j = 0; j < at->cols; j++)
      s += x[j];
    out->value.data[r] = (glab_real)(s * at->scale);
  }
  return GLAB_OK;
}

static int rows_backward(glab_var *out) {
  const reduce_attr *at = out->attr;
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *gx;
  GLAB_GRAD_OR_FAIL(gx, a);
  for (size_t r = 0; r < at->rows; r++) {
    glab_real g = (glab_real)(out->grad[r] * at->scale);
    glab_real *gr = gx + r * at->cols;
    for (size_t j = 0; j < at->cols; j++)
      gr[j] += g;
  }
  return GLAB_OK;
}

/* Column sums in double (as the others): one accumulator per column from the tape's arena, so
 * the rows are still read in order and a float build does not drop small terms. */
static int cols_forward(glab_var *out) {
  const reduce_attr *at = out->attr;
  double *acc = glab_tape_zalloc(out->tape, at->cols * sizeof *acc);
  if (!acc) return glab_error_context("%s", out->op->name);
  for (size_t r = 0; r < at->rows; r++) {
    const glab_real *x = out->in[0]->value.data + r * at->cols;
    for (size_t j = 0; j < at->cols; j++)
      acc[j] += x[j];
  }
  glab_real *y = out->value.data;
  for (size_t j = 0; j < at->cols; j++)
    y[j] = (glab_real)(acc[j] * at->scale);
  return GLAB_OK;
}

static int cols_backward(glab_var *out) {
  const reduce_attr *at = out->attr;
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *gx;
  GLAB_GRAD_OR_FAIL(gx, a);
  glab_real s = (glab_real)at->scale;
  const glab_real *g = out->grad;
  for (size_t r = 0; r < at->rows; r++) {
    glab_real *gr = gx + r * at->cols;
    for (size_t j = 0; j < at->cols; j++)
      gr[j] += s * g[j];
  }
  return GLAB_OK;
}

static const glab_op op_sum = {"sum", all_forward, all_backward};
static const glab_op op_mean = {"mean", all_forward, all_backward};
static const glab_op op_sum_rows = {"sum_rows", rows_forward, rows_backward};
static const glab_op op_mean_rows = {"mean_rows", rows_forward, rows_backward};
static const glab_op op_sum_cols = {"sum_cols", cols_forward, cols_backward};
static const glab_op op_mean_cols = {"mean_cols", cols_forward, cols_backward};

enum { OVER_ALL, OVER_ROWS, OVER_COLS };

static glab_var *reduce(glab_tape *t, const glab_op *op, glab_var *a, int over, int mean) {
  if (glab_ops_bad_args(op->name, t, &a, 1)) return NULL;
  reduce_attr at;
  at.rows = glab_tensor_rows(&a->value);
  at.cols = glab_tensor_cols(&a->value);
  int ndim = 1, shape[GLAB_MAX_DIMS] = {1, 1, 1, 1};
  size_t count = at.rows * at.cols;
  if (over == OVER_ROWS) { /* [..][n] -> [..]; a vector gives [1] */
    count = at.cols;
    if (a->value.ndim >= 2) {
      ndim = a->value.ndim - 1;
      for (int i = 0; i < ndim; i++)
        shape[i] = a->value.shape[i];
    }
  } else if (over == OVER_COLS) {
    count = at.rows;
    shape[0] = (int)at.cols;
  }
  at.scale = mean ? 1.0 / (double)count : 1.0;
  return glab_tape_apply(t, op, &a, 1, ndim, shape, &at, sizeof at);
}

glab_var *glab_sum(glab_tape *t, glab_var *a) {
  return reduce(t, &op_sum, a, OVER_ALL, 0);
}
glab_var *glab_mean(glab_tape *t, glab_var *a) {
  return reduce(t, &op_mean, a, OVER_ALL, 1);
}
glab_var *glab_sum_rows(glab_tape *t, glab_var *a) {
  return reduce(t, &op_sum_rows, a, OVER_ROWS, 0);
}
glab_var *glab_mean_rows(glab_tape *t, glab_var *a) {
  return reduce(t, &op_mean_rows, a, OVER_ROWS, 1);
}
glab_var *glab_sum_cols(glab_tape *t, glab_var *a) {
  return reduce(t, &op_sum_cols, a, OVER_COLS, 0);
}
glab_var *glab_mean_cols(glab_tape *t, glab_var *a) {
  return reduce(t, &op_mean_cols, a, OVER_COLS, 1);
}
