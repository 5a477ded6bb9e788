/* ops_internal.h — internal helpers shared by the core ops (ops_*.c); not part of the SDK. */
#ifndef GRADLAB_OPS_INTERNAL_H
#define GRADLAB_OPS_INTERNAL_H

#include <stddef.h>

#include "gradlab/error.h"
#include "gradlab/ops.h"

/* Shape of a variable as "[2][3]" in a local buffer. */
#define GLAB_SHAPE(v, buf) glab_shape_str((v)->value.ndim, (v)->value.shape, (buf), sizeof(buf))

/* Nonzero if the op cannot run: an input is NULL (earlier failure: keep its message, or say
 * which input if nothing was said) or the tape is NULL. */
int glab_ops_bad_args(const char *op, glab_tape *t, glab_var *const *in, int n);

/* How b is broadcast against a in a binary elementwise op. */
enum { GLAB_BCAST_SAME = 0, GLAB_BCAST_ROW = 1, GLAB_BCAST_SCALAR = 2 };
typedef struct glab_bcast {
  int mode;
  size_t rows, cols; /* of a */
} glab_bcast;
/* Fills *bc; returns GLAB_OK or a shape error naming op and both shapes. */
int glab_ops_bcast(const char *op, const glab_var *a, const glab_var *b, glab_bcast *bc);
/* Adds scale·g (shaped like a) into gb reduced to b's broadcast shape. */
void glab_ops_reduce_into(const glab_bcast *bc, const glab_real *g, glab_real scale, glab_real *gb);

/* Matrix product C = op(A)·op(B) + beta·C (row-major): CBLAS, or plain loops for matrix-vector
 * products below a few thousand multiply-adds, where BLAS's packing dominates. */
void glab_gemm(int trans_a, int trans_b, int m, int n, int k, const glab_real *a, int lda,
               const glab_real *b, int ldb, glab_real beta, glab_real *c, int ldc);

/* Grad buffer of an input, or return GLAB_ERR_NOMEM from the calling backward. */
#define GLAB_GRAD_OR_FAIL(dst, v)                                                                  \
  do {                                                                                             \
    if (!((dst) = glab_var_grad(v))) return GLAB_ERR_NOMEM;                                        \
  } while (0)

#endif
