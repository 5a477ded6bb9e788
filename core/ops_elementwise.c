/* ops_elementwise.c — binary elementwise ops (add, sub, mul, div) with row and scalar
 * broadcasting of the second operand, scale and add_scalar, and the shared op helpers. */
#include <string.h>

#include "ops_internal.h"

int glab_ops_bad_args(const char *op, glab_tape *t, glab_var *const *in, int n) {
  for (int i = 0; i < n; i++) {
    if (!in[i]) {
      if (glab_last_status() == GLAB_OK) glab_error(GLAB_ERR_ARG, "%s: input %d is NULL", op, i);
      return 1;
    }
  }
  if (!t) {
    glab_error(GLAB_ERR_ARG, "%s: NULL tape", op);
    return 1;
  }
  return 0;
}

int glab_ops_bcast(const char *op, const glab_var *a, const glab_var *b, glab_bcast *bc) {
  bc->rows = glab_tensor_rows(&a->value);
  bc->cols = glab_tensor_cols(&a->value);
  if (glab_shape_equal(a->value.ndim, a->value.shape, b->value.ndim, b->value.shape))
    bc->mode = GLAB_BCAST_SAME;
  else if (b->value.size == 1)
    bc->mode = GLAB_BCAST_SCALAR;
  else if (b->value.size == bc->cols && a->value.ndim >= 1 &&
           (b->value.ndim == 1 || (b->value.ndim == 2 && b->value.shape[0] == 1)))
    bc->mode = GLAB_BCAST_ROW;
  else {
    char sa[64], sb[64];
    return glab_error(GLAB_ERR_SHAPE,
                      "%s: shapes do not fit: %s and %s (need equal shapes, a row vector of %zu, "
                      "or one element)",
                      op, GLAB_SHAPE(a, sa), GLAB_SHAPE(b, sb), bc->cols);
  }
  return GLAB_OK;
}

void glab_ops_reduce_into(const glab_bcast *bc, const glab_real *g, glab_real scale,
                          glab_real *gb) {
  size_t rows = bc->rows, cols = bc->cols;
  if (bc->mode == GLAB_BCAST_SAME) {
    for (size_t i = 0; i < rows * cols; i++)
      gb[i] += scale * g[i];
  } else if (bc->mode == GLAB_BCAST_ROW) {
    for (size_t r = 0; r < rows; r++) {
      const glab_real *gr = g + r * cols;
      for (size_t j = 0; j < cols; j++)
        gb[j] += scale * gr[j];
    }
  } else {
    double s = 0;
    for (size_t i = 0; i < rows * cols; i++)
      s += g[i];
    gb[0] += scale * (glab_real)s;
  }
}

/* Loop over a (rows×cols) with b broadcast per bc->mode: BODY sees i (index into a) and
 * bi (the matching index into b). */
#define BCAST_LOOP(bc, BODY)                                                                       \
  do {                                                                                             \
    size_t rows_ = (bc)->rows, cols_ = (bc)->cols;                                                 \
    if ((bc)->mode == GLAB_BCAST_SAME) {                                                           \
      for (size_t i = 0; i < rows_ * cols_; i++) {                                                 \
        size_t bi = i;                                                                             \
        BODY;                                                                                      \
      }                                                                                            \
    } else if ((bc)->mode == GLAB_BCAST_ROW) {                                                     \
      for (size_t r_ = 0; r_ < rows_; r_++)                                                        \
        for (size_t bi = 0; bi < cols_; bi++) {                                                    \
          size_t i = r_ * cols_ + bi;                                                              \
          BODY;                                                                                    \
        }                                                                                          \
    } else {                                                                                       \
      for (size_t i = 0; i < rows_ * cols_; i++) {                                                 \
        size_t bi = 0;                                                                             \
        BODY;                                                                                      \
      }                                                                                            \
    }                                                                                              \
  } while (0)

static int add_forward(glab_var *out) {
  const glab_bcast *bc = out->attr;
  const glab_real *a = out->in[0]->value.data, *b = out->in[1]->value.data;
  glab_real *c = out->value.data;
  BCAST_LOOP(bc, c[i] = a[i] + b[bi]);
  return GLAB_OK;
}

static int sub_forward(glab_var *out) {
  const glab_bcast *bc = out->attr;
  const glab_real *a = out->in[0]->value.data, *b = out->in[1]->value.data;
  glab_real *c = out->value.data;
  BCAST_LOOP(bc, c[i] = a[i] - b[bi]);
  return GLAB_OK;
}

static int mul_forward(glab_var *out) {
  const glab_bcast *bc = out->attr;
  const glab_real *a = out->in[0]->value.data, *b = out->in[1]->value.data;
  glab_real *c = out->value.data;
  BCAST_LOOP(bc, c[i] = a[i] * b[bi]);
  return GLAB_OK;
}

static int div_forward(glab_var *out) {
  const glab_bcast *bc = out->attr;
  const glab_real *a = out->in[0]->value.data, *b = out->in[1]->value.data;
  glab_real *c = out->value.data;
  BCAST_LOOP(bc, c[i] = a[i] / b[bi]);
  return GLAB_OK;
}

static int addsub_backward(glab_var *out, glab_real sign_b) {
  const glab_bcast *bc = out->attr;
  glab_var *a = out->in[0], *b = out->in[1];
  const glab_real *g = out->grad;
  if (glab_var_needs_grad(a)) {
    glab_real *ga;
    GLAB_GRAD_OR_FAIL(ga, a);
    for (size_t i = 0; i < out->value.size; i++)
      ga[i] += g[i];
  }
  if (glab_var_needs_grad(b)) {
    glab_real *gb;
    GLAB_GRAD_OR_FAIL(gb, b);
    glab_ops_reduce_into(bc, g, sign_b, gb);
  }
  return GLAB_OK;
}

static int add_backward(glab_var *out) {
  return addsub_backward(out, 1);
}

static int sub_backward(glab_var *out) {
  return addsub_backward(out, -1);
}

static int mul_backward(glab_var *out) {
  const glab_bcast *bc = out->attr;
  glab_var *a = out->in[0], *b = out->in[1];
  const glab_real *g = out->grad, *av = a->value.data, *bv = b->value.data;
  if (glab_var_needs_grad(a)) {
    glab_real *ga;
    GLAB_GRAD_OR_FAIL(ga, a);
    BCAST_LOOP(bc, ga[i] += g[i] * bv[bi]);
  }
  if (glab_var_needs_grad(b)) {
    glab_real *gb;
    GLAB_GRAD_OR_FAIL(gb, b);
    if (bc->mode == GLAB_BCAST_SCALAR) {
      double s = 0;
      for (size_t i = 0; i < out->value.size; i++)
        s += (double)g[i] * av[i];
      gb[0] += (glab_real)s;
    } else {
      BCAST_LOOP(bc, gb[bi] += g[i] * av[i]);
    }
  }
  return GLAB_OK;
}

static int div_backward(glab_var *out) {
  const glab_bcast *bc = out->attr;
  glab_var *a = out->in[0], *b = out->in[1];
  const glab_real *g = out->grad, *bv = b->value.data, *c = out->value.data;
  if (glab_var_needs_grad(a)) {
    glab_real *ga;
    GLAB_GRAD_OR_FAIL(ga, a);
    BCAST_LOOP(bc, ga[i] += g[i] / bv[bi]);
  }
  if (glab_var_needs_grad(b)) { /* d(a/b)/db = -c/b */
    glab_real *gb;
    GLAB_GRAD_OR_FAIL(gb, b);
    if (bc->mode == GLAB_BCAST_SCALAR) {
      double s = 0;
      for (size_t i = 0; i < out->value.size; i++)
        s += (double)g[i] * c[i];
      gb[0] -= (glab_real)(s / bv[0]);
    } else {
      BCAST_LOOP(bc, gb[bi] -= g[i] * c[i] / bv[bi]);
    }
  }
  return GLAB_OK;
}

static const glab_op op_add = {"add", add_forward, add_backward};
static const glab_op op_sub = {"sub", sub_forward, sub_backward};
static const glab_op op_mul = {"mul", mul_forward, mul_backward};
static const glab_op op_div = {"div", div_forward, div_backward};

static glab_var *binary(glab_tape *t, const glab_op *op, glab_var *a, glab_var *b) {
  glab_var *in[2] = {a, b};
  if (glab_ops_bad_args(op->name, t, in, 2)) return NULL;
  glab_bcast bc;
  if (glab_ops_bcast(op->name, a, b, &bc) != GLAB_OK) return NULL;
  return glab_tape_apply(t, op, in, 2, a->value.ndim, a->value.shape, &bc, sizeof bc);
}

glab_var *glab_add(glab_tape *t, glab_var *a, glab_var *b) {
  return binary(t, &op_add, a, b);
}
glab_var *glab_sub(glab_tape *t, glab_var *a, glab_var *b) {
  return binary(t, &op_sub, a, b);
}
glab_var *glab_mul(glab_tape *t, glab_var *a, glab_var *b) {
  return binary(t, &op_mul, a, b);
}
glab_var *glab_div(glab_tape *t, glab_var *a, glab_var *b) {
  return binary(t, &op_div, a, b);
}

/* scale and add_scalar: out = s·a + c */
typedef struct affine_attr {
  glab_real s, c;
} affine_attr;

static int affine_forward(glab_var *out) {
  const affine_attr *at = out->attr;
  const glab_real *a = out->in[0]->value.data;
  glab_real *y = out->value.data, s = at->s, c = at->c;
  for (size_t i = 0; i < out->value.size; i++)
    y[i] = s * a[i] + c;
  return GLAB_OK;
}

static int affine_backward(glab_var *out) {
  const affine_attr *at = out->attr;
  glab_var *a = out->in[0];
  if (!glab_var_needs_grad(a)) return GLAB_OK;
  glab_real *ga;
  GLAB_GRAD_OR_FAIL(ga, a);
  const glab_real *g = out->grad;
  glab_real s = at->s;
  for (size_t i = 0; i < out->value.size; i++)
    ga[i] += s * g[i];
  return GLAB_OK;
}

static const glab_op op_scale = {"scale", affine_forward, affine_backward};
static const glab_op op_add_scalar = {"add_scalar", affine_forward, affine_backward};

static glab_var *affine(glab_tape *t, const glab_op *op, glab_var *a, double s, double c) {
  if (glab_ops_bad_args(op->name, t, &a, 1)) return NULL;
  affine_attr at = {(glab_real)s, (glab_real)c};
  return glab_tape_apply(t, op, &a, 1, a->value.ndim, a->value.shape, &at, sizeof at);
}

glab_var *glab_scale(glab_tape *t, glab_var *a, double s) {
  return affine(t, &op_scale, a, s, 0);
}
glab_var *glab_add_scalar(glab_tape *t, glab_var *a, double s) {
  return affine(t, &op_add_scalar, a, 1, s);
}
