/* ops_linalg.c — matrix product through CBLAS with transpose flags (never transpose copies);
 * plain loops for small matrix-vector products, where BLAS's packing costs more than the work. */
#include <cblas.h>
#include <string.h>

#include "ops_internal.h"

/* Below this many multiply-adds a matrix-vector product (C has one row or one column) runs in
 * the loops below. OpenBLAS 0.3.21's small-matrix kernels beat any plain loop on small products
 * with two real matrices (10x10x10: 52 ns vs 200 ns, 30x30x4: 300 vs 850 ns, measured on the
 * Cooperlake kernels), but its packing costs more than the whole product for a vector: the
 * [2,50,50,1] net's per-sample step, 1x50 * 50x50 and friends, takes ~0.75 us in the loops,
 * ~0.9 us in OpenBLAS (1.7 us with its Haswell kernels). */
#define GLAB_GEMM_SMALL 4096

/* Independent partial sums of a dot product. One running sum is a chain of dependent adds (~3
 * cycles each, scalar: it was 41% of the XOR run); eight lanes vectorise and pipeline. The order
 * is fixed - lane q adds the products p = q, q+8, ... in turn, the lanes meet in a fixed tree, the
 * last k % 8 products follow one by one - so the result does not depend on the vector width. */
static inline glab_real dot_lanes(const glab_real *restrict a, const glab_real *restrict b, int k) {
  glab_real s[8] = {0};
  int p = 0;
  for (; p + 8 <= k; p += 8)
    for (int q = 0; q < 8; q++)
      s[q] += a[p + q] * b[p + q];
  glab_real r = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
  for (; p < k; p++)
    r += a[p] * b[p];
  return r;
}

/* C = op(A)·op(B) + beta·C for small products; C must not overlap A or B (as in BLAS). Every
 * loop that is not dot_lanes adds the products into C in the order p = 0, 1, ... k-1. (AVX-512 and
 * AVX2 clones of this function gave identical bits but no gain in the XOR run: 4.11 vs 4.02 us.) */
static void gemm_small(int ta, int tb, int m, int n, int k, const glab_real *restrict a, int lda,
                       const glab_real *restrict b, int ldb, glab_real beta, glab_real *restrict c,
                       int ldc) {
  if (beta != 1)
    for (int i = 0; i < m; i++) {
      glab_real *ci = c + (size_t)i * ldc;
      if (beta == 0)
        for (int j = 0; j < n; j++)
          ci[j] = 0;
      else
        for (int j = 0; j < n; j++)
          ci[j] *= beta;
    }
  if (!ta && k >= 8 && (tb || (n == 1 && ldb == 1))) {
    /* A's rows and op(B)'s columns are contiguous: one dot product per element of C. */
    for (int i = 0; i < m; i++) {
      const glab_real *ai = a + (size_t)i * lda;
      glab_real *ci = c + (size_t)i * ldc;
      for (int j = 0; j < n; j++)
        ci[j] += dot_lanes(ai, b + (size_t)j * (tb ? ldb : 1), k);
    }
  } else if (ta && n == 1) {
    /* C is a column and A's stored rows are contiguous: vectorise over i. */
    for (int p = 0; p < k; p++) {
      const glab_real *ap = a + (size_t)p * lda;
      glab_real bp = b[(size_t)p * (tb ? 1 : ldb)];
      for (int i = 0; i < m; i++)
        c[(size_t)i * ldc] += ap[i] * bp;
    }
  } else if (!tb) {
    /* Rows of B are contiguous: c_i += a_ip · b_p, vectorised over j. Four p at a time, added
     * in order, so c_i is loaded and stored once per four rows of B. */
    for (int i = 0; i < m; i++) {
      glab_real *ci = c + (size_t)i * ldc;
#define A_(p) (ta ? a[(size_t)(p)*lda + i] : a[(size_t)i * lda + (p)])
      int p = 0;
      for (; p + 4 <= k; p += 4) {
        const glab_real a0 = A_(p), a1 = A_(p + 1), a2 = A_(p + 2), a3 = A_(p + 3);
        const glab_real *b0 = b + (size_t)p * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
        for (int j = 0; j < n; j++)
          ci[j] = (((ci[j] + a0 * b0[j]) + a1 * b1[j]) + a2 * b2[j]) + a3 * b3[j];
      }
      for (; p < k; p++) {
        const glab_real ap = A_(p), *bp = b + (size_t)p * ldb;
        for (int j = 0; j < n; j++)
          ci[j] += ap * bp[j];
      }
#undef A_
    }
  } else {
    /* op(B)'s columns are strided (short k, or A transposed): still vectorised over j. */
    for (int i = 0; i < m; i++) {
      glab_real *ci = c + (size_t)i * ldc;
      for (int p = 0; p < k; p++) {
        glab_real ap = ta ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
        for (int j = 0; j < n; j++)
          ci[j] += ap * b[(size_t)j * ldb + p];
      }
    }
  }
}

void glab_gemm(int ta, int tb, int m, int n, int k, const glab_real *a, int lda, const glab_real *b,
               int ldb, glab_real beta, glab_real *c, int ldc) {
  if ((m == 1 || n == 1) && (double)m * n * k < GLAB_GEMM_SMALL) {
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
