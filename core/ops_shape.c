/* ops_shape.c — ops that move values without arithmetic: concatenate and slice columns (LSTM
 * gates), stack and slice along the first dimension (sequences [T][B][F]), reshape. */
#include <string.h>

#include "ops_internal.h"

typedef struct cols_attr {
  size_t rows, cols; /* of the output */
  size_t start;      /* slice: first column taken from the input */
} cols_attr;

/* ---- concat_cols ---- */
static int concat_forward(glab_var *out) {
  const cols_attr *at = out->attr;
  size_t off = 0;
  for (int p = 0; p < out->nin; p++) {
    const glab_var *part = out->in[p];
    size_t pc = glab_tensor_cols(&part->value);
    for (size_t r = 0; r < at->rows; r++)
      memcpy(out->value.data + r * at->cols + off, part->value.data + r * pc,
             pc * sizeof(glab_real));
    off += pc;
  }
  return GLAB_OK;
}

static int concat_backward(glab_var *out) {
  const cols_attr *at = out->attr;
  size_t off = 0;
  for (int p = 0; p < out->nin; p++) {
    glab_var *part = out->in[p];
    size_t pc = glab_tensor_cols(&part->value);
    if (glab_var_needs_grad(part)) {
      glab_real *gp;
      GLAB_GRAD_OR_FAIL(gp, part);
      for (size_t r = 0; r < at->rows; r++) {
        const glab_real *g = out->grad + r * at->cols + off;
        glab_real *d = gp + r * pc;
        for (size_t j = 0; j < pc; j++)
          d[j] += g[j];
      }
    }
    off += pc;
  }
  return GLAB_OK;
}

static const glab_op op_concat_cols = {"concat_cols", concat_forward, concat_backward};

glab_var *glab_concat_cols(glab_tape *t, glab_var *const *parts, int n) {
  if (!parts || n < 1) {
    glab_error(GLAB_ERR_ARG, "concat_cols: need at least one part (got %d)", parts ? n : 0);
    return NULL;
  }
  if (glab_ops_bad_args("concat_cols", t, parts, n)) return NULL;
  const glab_tensor *v0 = &parts[0]->value;
  long total = 0;
  for (int p = 0; p < n; p++) {
    const glab_tensor *v = &parts[p]->value;
    char s0[64], sp[64];
    if (v->ndim < 1) { /* has no columns; name this part, not part 0 twice */
      glab_error(GLAB_ERR_SHAPE,
                 "concat_cols: part %d is 0-dimensional (a scalar); every part needs columns", p);
      return NULL;
    }
    int ok = v->ndim == v0->ndim;
    for (int i = 0; ok && i < v->ndim - 1; i++)
      ok = v->shape[i] == v0->shape[i];
    if (!ok) {
      glab_error(GLAB_ERR_SHAPE, "concat_cols: part %d has shape %s, part 0 has %s (%s)", p,
                 glab_shape_str(v->ndim, v->shape, sp, sizeof sp),
                 glab_shape_str(v0->ndim, v0->shape, s0, sizeof s0),
                 v->ndim == v0->ndim ? "rows differ" : "dimensions differ");
      return NULL;
    }
    total += v->shape[v->ndim - 1];
  }
  if (total > 0x7fffffffL) {
    glab_error(GLAB_ERR_SHAPE, "concat_cols: %ld columns in all is too many", total);
    return NULL;
  }
  int shape[GLAB_MAX_DIMS];
  memcpy(shape, v0->shape, sizeof shape);
  shape[v0->ndim - 1] = (int)total;
  cols_attr at = {glab_tensor_rows(v0), (size_t)total, 0};
  return glab_tape_apply(t, &op_concat_cols, parts, n, v0->ndim, shape, &at, sizeof at);
}

/* ---- slice_cols ---- */
static int slice_cols_forward(glab_var *out) {
  const cols_attr *at = out->attr;
  size_t ac = glab_tensor_cols(&out->in[0]->value);
  for (size_t r = 0; r < at->rows; r++)
    memcpy(out->value.data + r * at->cols, out->in[0]->value.data + r * ac + at->start,
           at->cols * sizeof(glab_real));
  return GLAB_OK;
}

static int slice_cols_backward(glab_var *out) {
  const cols_attr *at = out->attr;
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *ga;
  GLAB_GRAD_OR_FAIL(ga, a);
  size_t ac = glab_tensor_cols(&a->value);
  for (size_t r = 0; r < at->rows; r++) {
    const glab_real *g = out->grad + r * at->cols;
    glab_real *d = ga + r * ac + at->start;
    for (size_t j = 0; j < at->cols; j++)
      d[j] += g[j];
  }
  return GLAB_OK;
}

static const glab_op op_slice_cols = {"slice_cols", slice_cols_forward, slice_cols_backward};

glab_var *glab_slice_cols(glab_tape *t, glab_var *a, int start, int len) {
  if (glab_ops_bad_args("slice_cols", t, &a, 1)) return NULL;
  int cols = (int)glab_tensor_cols(&a->value);
  if (a->value.ndim < 1 || start < 0 || len < 1 || start > cols - len) {
    char sa[64];
    glab_error(GLAB_ERR_SHAPE, "slice_cols: columns [%d, %d+%d) are outside %s", start, start, len,
               GLAB_SHAPE(a, sa));
    return NULL;
  }
  int shape[GLAB_MAX_DIMS];
  memcpy(shape, a->value.shape, sizeof shape);
  shape[a->value.ndim - 1] = len;
  cols_attr at = {glab_tensor_rows(&a->value), (size_t)len, (size_t)start};
  return glab_tape_apply(t, &op_slice_cols, &a, 1, a->value.ndim, shape, &at, sizeof at);
}

/* ---- stack along a new first dimension ---- */
static int stack_forward(glab_var *out) {
  size_t each = out->in[0]->value.size;
  for (int p = 0; p < out->nin; p++)
    memcpy(out->value.data + (size_t)p * each, out->in[p]->value.data, each * sizeof(glab_real));
  return GLAB_OK;
}

static int stack_backward(glab_var *out) {
  size_t each = out->in[0]->value.size;
  for (int p = 0; p < out->nin; p++) {
    glab_var *part = out->in[p];
    if (!glab_var_needs_grad(part)) continue;
    glab_real *gp;
    GLAB_GRAD_OR_FAIL(gp, part);
    const glab_real *g = out->grad + (size_t)p * each;
    for (size_t i = 0; i < each; i++)
      gp[i] += g[i];
  }
  return GLAB_OK;
}

static const glab_op op_stack = {"stack", stack_forward, stack_backward};

glab_var *glab_stack(glab_tape *t, glab_var *const *parts, int n) {
  if (!parts || n < 1) {
    glab_error(GLAB_ERR_ARG, "stack: need at least one part (got %d)", parts ? n : 0);
    return NULL;
  }
  if (glab_ops_bad_args("stack", t, parts, n)) return NULL;
  const glab_tensor *v0 = &parts[0]->value;
  if (v0->ndim >= GLAB_MAX_DIMS) {
    char s0[64];
    glab_error(GLAB_ERR_SHAPE, "stack: parts of shape %s would need more than %d dimensions",
               glab_shape_str(v0->ndim, v0->shape, s0, sizeof s0), GLAB_MAX_DIMS);
    return NULL;
  }
  for (int p = 1; p < n; p++) {
    const glab_tensor *v = &parts[p]->value;
    if (!glab_shape_equal(v->ndim, v->shape, v0->ndim, v0->shape)) {
      char s0[64], sp[64];
      glab_error(GLAB_ERR_SHAPE, "stack: part %d has shape %s, part 0 has %s", p,
                 glab_shape_str(v->ndim, v->shape, sp, sizeof sp),
                 glab_shape_str(v0->ndim, v0->shape, s0, sizeof s0));
      return NULL;
    }
  }
  int shape[GLAB_MAX_DIMS];
  shape[0] = n;
  for (int i = 0; i < v0->ndim; i++)
    shape[i + 1] = v0->shape[i];
  return glab_tape_apply(t, &op_stack, parts, n, v0->ndim + 1, shape, NULL, 0);
}

/* ---- slice along the first dimension ---- */
static int slice_first_forward(glab_var *out) {
  size_t off = *(const size_t *)out->attr;
  memcpy(out->value.data, out->in[0]->value.data + off, out->value.size * sizeof(glab_real));
  return GLAB_OK;
}

static int slice_first_backward(glab_var *out) {
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *ga;
  GLAB_GRAD_OR_FAIL(ga, a);
  glab_real *d = ga + *(const size_t *)out->attr;
  for (size_t i = 0; i < out->value.size; i++)
    d[i] += out->grad[i];
  return GLAB_OK;
}

static const glab_op op_slice_first = {"slice_first", slice_first_forward, slice_first_backward};

glab_var *glab_slice_first(glab_tape *t, glab_var *a, int start, int len, int squeeze) {
  if (glab_ops_bad_args("slice_first", t, &a, 1)) return NULL;
  const glab_tensor *v = &a->value;
  if (v->ndim < 1 || start < 0 || len < 1 || start > v->shape[0] - len || (squeeze && len != 1)) {
    char sa[64];
    glab_error(GLAB_ERR_SHAPE, "slice_first: rows [%d, %d+%d)%s do not fit %s", start, start, len,
               squeeze && len != 1 ? " squeezed (needs len 1)" : "", GLAB_SHAPE(a, sa));
    return NULL;
  }
  int shape[GLAB_MAX_DIMS], ndim;
  if (squeeze && v->ndim > 1) {
    ndim = v->ndim - 1;
    for (int i = 0; i < ndim; i++)
      shape[i] = v->shape[i + 1];
  } else {
    ndim = v->ndim;
    memcpy(shape, v->shape, sizeof shape);
    shape[0] = len;
  }
  size_t inner = v->size / (size_t)v->shape[0];
  size_t off = (size_t)start * inner;
  return glab_tape_apply(t, &op_slice_first, &a, 1, ndim, shape, &off, sizeof off);
}

/* ---- reshape ---- */
static int reshape_forward(glab_var *out) {
  memcpy(out->value.data, out->in[0]->value.data, out->value.size * sizeof(glab_real));
  return GLAB_OK;
}

static int reshape_backward(glab_var *out) {
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *ga;
  GLAB_GRAD_OR_FAIL(ga, a);
  for (size_t i = 0; i < out->value.size; i++)
    ga[i] += out->grad[i];
  return GLAB_OK;
}

static const glab_op op_reshape = {"reshape", reshape_forward, reshape_backward};

glab_var *glab_reshape(glab_tape *t, glab_var *a, int ndim, const int *shape) {
  if (glab_ops_bad_args("reshape", t, &a, 1)) return NULL;
  size_t n = glab_shape_size(ndim, shape);
  if (n == 0) {
    glab_error_context("reshape");
    return NULL;
  }
  if (n != a->value.size) {
    char sa[64], sb[64];
    glab_error(GLAB_ERR_SHAPE, "reshape: %s has %zu elements, %s has %zu", GLAB_SHAPE(a, sa),
               a->value.size, glab_shape_str(ndim, shape, sb, sizeof sb), n);
    return NULL;
  }
  return glab_tape_apply(t, &op_reshape, &a, 1, ndim, shape, NULL, 0);
}
