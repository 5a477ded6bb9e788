/* ops.h — the differentiable operations of the core. Each appends one node to the tape.
 *
 * Shapes: "rows × cols" treats a tensor as rows = product of leading dims, cols = last dim.
 * Binary elementwise ops accept equal shapes, or b a row vector ([n] or [1][n]) broadcast over
 * every row of a ([..][n]), or b a single element. Every op returns NULL on error with a message
 * naming the op and both shapes (e.g. "matmul: inner dimensions differ: [2][3] x [4][5]"). */
#ifndef GRADLAB_OPS_H
#define GRADLAB_OPS_H

#include "gradlab/tape.h"

#ifdef __cplusplus
extern "C" {
#endif

/* C = op(A)·op(B) through CBLAS gemm with transpose flags (no copies). A is rows×cols when not
 * transposed (leading dims flattened; they are kept in the output); transposed inputs are 2-D. */
glab_var *glab_matmul(glab_tape *t, glab_var *a, glab_var *b, int trans_a, int trans_b);

glab_var *glab_add(glab_tape *t, glab_var *a, glab_var *b);
glab_var *glab_sub(glab_tape *t, glab_var *a, glab_var *b);
glab_var *glab_mul(glab_tape *t, glab_var *a, glab_var *b);
glab_var *glab_div(glab_tape *t, glab_var *a, glab_var *b);
glab_var *glab_scale(glab_tape *t, glab_var *a, double s);      /* s·a */
glab_var *glab_add_scalar(glab_tape *t, glab_var *a, double s); /* a + s */

/* Reductions: to one element (shape [1]); per row ([..][n] -> [..], a vector gives [1]);
 * per column ([..][n] -> [n]). Sums accumulate in double. */
glab_var *glab_sum(glab_tape *t, glab_var *a);
glab_var *glab_mean(glab_tape *t, glab_var *a);
glab_var *glab_sum_rows(glab_tape *t, glab_var *a);
glab_var *glab_mean_rows(glab_tape *t, glab_var *a);
glab_var *glab_sum_cols(glab_tape *t, glab_var *a);
glab_var *glab_mean_cols(glab_tape *t, glab_var *a);

/* Elementwise functions; all numerically stable for any finite input. */
glab_var *glab_square(glab_tape *t, glab_var *a);
glab_var *glab_sqrt(glab_tape *t, glab_var *a);
glab_var *glab_exp(glab_tape *t, glab_var *a);
glab_var *glab_log(glab_tape *t, glab_var *a);
glab_var *glab_sigmoid(glab_tape *t, glab_var *a);
glab_var *glab_tanh(glab_tape *t, glab_var *a);
glab_var *glab_relu(glab_tape *t, glab_var *a, double slope); /* slope > 0: leaky ReLU */
glab_var *glab_softplus(glab_tape *t, glab_var *a);
glab_var *glab_log_sigmoid(glab_tape *t, glab_var *a);
glab_var *glab_softmax(glab_tape *t, glab_var *a);     /* over each row */
glab_var *glab_log_softmax(glab_tape *t, glab_var *a); /* over each row */

/* Columns: concatenate parts with equal rows; slice cols [start, start+len). */
glab_var *glab_concat_cols(glab_tape *t, glab_var *const *parts, int n);
glab_var *glab_slice_cols(glab_tape *t, glab_var *a, int start, int len);
/* First dimension: stack n equal-shaped parts into [n][...]; take [start, start+len) of dim 0
 * (len==1 with squeeze=1 drops that dimension: a [T][B][F] sequence gives its [B][F] step). */
glab_var *glab_stack(glab_tape *t, glab_var *const *parts, int n);
glab_var *glab_slice_first(glab_tape *t, glab_var *a, int start, int len, int squeeze);
glab_var *glab_reshape(glab_tape *t, glab_var *a, int ndim, const int *shape);

/* Raw row-major product for fused ops in plugins (no tape node): C = op(A)·op(B) + beta·C,
 * C m×n, inner dimension k; CBLAS, or loops for small matrix-vector products. (Declared here
 * for plugins by the plugins area; defined in core/ops_linalg.c.) */
void glab_gemm(int trans_a, int trans_b, int m, int n, int k, const glab_real *a, int lda,
               const glab_real *b, int ldb, glab_real beta, glab_real *c, int ldc);

/* Fused losses (one element, shape [1]); values accumulate in double. */
glab_var *glab_mse(glab_tape *t, glab_var *out, glab_var *target); /* mean over all elements */
/* Softmax cross-entropy from logits [B][K] with class indices 0..K-1, mean over the batch
 * (rows × cols for more dimensions). labels are copied; one outside 0..K-1 is an error. */
glab_var *glab_softmax_xent(glab_tape *t, glab_var *logits, const int *labels);
/* Binary cross-entropy from logits, mean over all elements; targets in [0,1]. */
glab_var *glab_bce_logits(glab_tape *t, glab_var *logits, glab_var *targets);

#ifdef __cplusplus
}
#endif
#endif
