/* ops_linalg.c — matrix product through CBLAS with transpose flags (never transpose copies);
 * plain loops for small products, whose cost is dominated by the BLAS call overhead. */
#include <cblas.h>
#include <string.h>

#include "ops_internal.h"

/* Below this many multiply-adds the loops beat a BLAS call. */
#define GLAB_GEMM_SMALL 4096

static void gemm_small(int ta, int tb, int m, int n, int k, const glab_real *a, int lda,
                       const glab_real *b, int ldb, glab_real beta, glab_real *c, int ldc) {
  for (int i = 0; i < m; i++) {
    glab_real *ci = c + (size_t)i * ldc;
    if (beta == 0)
      for (int j = 0; j < n; j++)
        ci[j] = 0;
    else if (beta != 1)
      for (int j = 0; j < n; j++)
        ci[j] *= beta;
    if (!tb) {
      /* Rows of B are contiguous: c_i += a_ip · b_p (vectorises over j). */
      for (int p = 0; p < k; p++) {
        glab_real aip = ta ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
        const glab_real *bp = b + (size_t)p * ldb;
        for (int j = 0; j < n; j++)
          ci[j] += aip * bp[j];
      }
    } else {
      for (int j = 0; j < n; j++) {
        const glab_real *bj = b + (size_t)j * ldb;
        glab_real s = 0;
        if (!ta) {
          const glab_real *ai = a + (size_t)i * lda;
          for (int p = 0; p < k; p++)
            s += ai[p] * bj[p];
        } else {
          for (int p = 0; p < k; p++)
            s += a[(size_t)p * lda + i] * bj[p];
        }
        ci[j] += s;
      }
    }
  }
}

void glab_gemm(int ta, int tb, int m, int n, int k, const glab_real *a, int lda, const glab_real *b,
               int ldb, glab_real beta, glab_real *c, int ldc) {
  if ((double)m * n * k < GLAB_GEMM_SMALL) {
    gemm_small(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
    return;
  }
#ifdef GRADLAB_DOUBLE
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, 1.0, a, lda, b, ldb, beta, c, ldc);
#else
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, 1.0f, a, lda, b, ldb, beta, c, ldc);
#endif
}

typedef struct mm_attr {
  int ta, tb;
  int m, n, k; /* C is m×n, the inner dimension k */
} mm_attr;

static int mm_forward(glab_var *out) {
  const mm_attr *at = out->attr;
  const glab_var *a = out->in[0], *b = out->in[1];
  /* Leading dimensions of the stored (untransposed) matrices. */
  int lda = at->ta ? at->m : at->k, ldb = at->tb ? at->k : at->n;
  glab_gemm(at->ta, at->tb, at->m, at->n, at->k, a->value.data, lda, b->value.data, ldb, 0,
            out->value.data, at->n);
  return GLAB_OK;
}

static int mm_backward(glab_var *out) {
  const mm_attr *at = out->attr;
  glab_var *a = out->in[0], *b = out->in[1];
  const glab_real *g = out->grad;
  int m = at->m, n = at->n, k = at->k;
  int lda = at->ta ? m : k, ldb = at->tb ? k : n;
  if (glab_var_needs_grad(a)) {
    glab_real *ga;
    GLAB_GRAD_OR_FAIL(ga, a);
    if (!at->ta) /* dA (m×k) += dC · op(B)^T */
      glab_gemm(0, !at->tb, m, k, n, g, n, b->value.data, ldb, 1, ga, lda);
    else /* dA (k×m) += op(B) · dC^T */
      glab_gemm(at->tb, 1, k, m, n, b->value.data, ldb, g, n, 1, ga, lda);
  }
  if (glab_var_needs_grad(b)) {
    glab_real *gb;
    GLAB_GRAD_OR_FAIL(gb, b);
    if (!at->tb) /* dB (k×n) += op(A)^T · dC */
      glab_gemm(!at->ta, 0, k, n, m, a->value.data, lda, g, n, 1, gb, ldb);
    else /* dB (n×k) += dC^T · op(A) */
      glab_gemm(1, at->ta, n, k, m, g, n, a->value.data, lda, 1, gb, ldb);
  }
  return GLAB_OK;
}

static const glab_op op_matmul = {"matmul", mm_forward, mm_backward};

glab_var *glab_matmul(glab_tape *t, glab_var *a, glab_var *b, int trans_a, int trans_b) {
  glab_var *in[2] = {a, b};
  if (glab_ops_bad_args("matmul", t, in, 2)) return NULL;
  char sa[64], sb[64];
  trans_a = trans_a != 0;
  trans_b = trans_b != 0;
  const char *bad = b->value.ndim != 2              ? "B must be 2-D"
                    : trans_a && a->value.ndim != 2 ? "a transposed A must be 2-D"
                    : a->value.ndim < 1             ? "A needs at least one dimension"
                                                    : NULL;
  if (bad) {
    glab_error(GLAB_ERR_SHAPE, "matmul: %s: %s%s x %s%s", bad, GLAB_SHAPE(a, sa),
               trans_a ? "^T" : "", GLAB_SHAPE(b, sb), trans_b ? "^T" : "");
    return NULL;
  }
  size_t rows = glab_tensor_rows(&a->value), cols = glab_tensor_cols(&a->value);
  int m = trans_a ? a->value.shape[1] : (int)rows;
  int k = trans_a ? a->value.shape[0] : (int)cols;
  int kb = trans_b ? b->value.shape[1] : b->value.shape[0];
  int n = trans_b ? b->value.shape[0] : b->value.shape[1];
  if (k != kb || rows > (size_t)0x7fffffff) {
    glab_error(GLAB_ERR_SHAPE, "matmul: inner dimensions differ: %s%s x %s%s", GLAB_SHAPE(a, sa),
               trans_a ? "^T" : "", GLAB_SHAPE(b, sb), trans_b ? "^T" : "");
    return NULL;
  }
  int shape[GLAB_MAX_DIMS], ndim;
  if (trans_a || a->value.ndim == 1) {
    ndim = a->value.ndim == 1 ? 1 : 2;
    if (ndim == 1)
      shape[0] = n;
    else {
      shape[0] = m;
      shape[1] = n;
    }
  } else {
    ndim = a->value.ndim;
    memcpy(shape, a->value.shape, sizeof shape);
    shape[ndim - 1] = n;
  }
  mm_attr at = {trans_a, trans_b, m, n, k};
  return glab_tape_apply(t, &op_matmul, in, 2, ndim, shape, &at, sizeof at);
}
