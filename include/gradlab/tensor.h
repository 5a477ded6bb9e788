/* tensor.h — the real type and plain contiguous row-major tensors (up to 4 dimensions). */
#ifndef GRADLAB_TENSOR_H
#define GRADLAB_TENSOR_H

#include <float.h>
#include <stddef.h>

#include "gradlab/build_config.h" /* generated: defines GRADLAB_DOUBLE in double builds */

#ifdef __cplusplus
extern "C" {
#endif

#ifdef GRADLAB_DOUBLE
typedef double glab_real;
#define GLAB_REAL_NAME "double"
#define GLAB_REAL_MAX DBL_MAX
#else
typedef float glab_real;
#define GLAB_REAL_NAME "float"
#define GLAB_REAL_MAX FLT_MAX /* the largest finite glab_real (a larger double becomes inf) */
#endif

#define GLAB_MAX_DIMS 4

/* A tensor owns `data` unless documented otherwise (tape values live in the tape's arena). */
typedef struct glab_tensor {
  int ndim;
  int shape[GLAB_MAX_DIMS];
  size_t size; /* product of shape */
  glab_real *data;
} glab_tensor;

/* Number of elements of a shape; 0 and an error if ndim or a dimension is invalid or overflows. */
size_t glab_shape_size(int ndim, const int *shape);
int glab_shape_equal(int ndim_a, const int *a, int ndim_b, const int *b);
/* Writes "[2][3]" into buf (always terminated); returns buf. */
char *glab_shape_str(int ndim, const int *shape, char *buf, size_t bufsize);

/* Zero-filled tensor; NULL (and glab_last_error) on a bad shape or no memory. */
glab_tensor *glab_tensor_create(int ndim, const int *shape);
glab_tensor *glab_tensor_copy(const glab_tensor *src);
void glab_tensor_destroy(glab_tensor *t);
/* Rows = product of all but the last dimension; cols = last dimension (1 for a 0-d/1-element). */
size_t glab_tensor_rows(const glab_tensor *t);
size_t glab_tensor_cols(const glab_tensor *t);

#ifdef __cplusplus
}
#endif
#endif
