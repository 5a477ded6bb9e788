/* tensor.c — plain contiguous row-major tensors (up to GLAB_MAX_DIMS dimensions). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/error.h"
#include "gradlab/tensor.h"

size_t glab_shape_size(int ndim, const int *shape) {
  if (ndim < 0 || ndim > GLAB_MAX_DIMS || (ndim > 0 && !shape)) {
    glab_error(GLAB_ERR_SHAPE, "shape: %d dimensions (allowed 0..%d)", ndim, GLAB_MAX_DIMS);
    return 0;
  }
  size_t n = 1;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] <= 0) {
      char buf[64];
      glab_error(GLAB_ERR_SHAPE, "shape %s: dimension %d is %d (must be positive)",
                 glab_shape_str(ndim, shape, buf, sizeof buf), i, shape[i]);
      return 0;
    }
    if (n > (SIZE_MAX / sizeof(double)) / (size_t)shape[i]) {
      char buf[64];
      glab_error(GLAB_ERR_NOMEM, "shape %s: size overflows",
                 glab_shape_str(ndim, shape, buf, sizeof buf));
      return 0;
    }
    n *= (size_t)shape[i];
  }
  return n;
}

int glab_shape_equal(int ndim_a, const int *a, int ndim_b, const int *b) {
  if (ndim_a != ndim_b) return 0;
  for (int i = 0; i < ndim_a; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

char *glab_shape_str(int ndim, const int *shape, char *buf, size_t bufsize) {
  if (!buf || bufsize == 0) return buf;
  buf[0] = '\0';
  if (ndim <= 0 || !shape) {
    snprintf(buf, bufsize, "[]");
    return buf;
  }
  size_t used = 0;
  for (int i = 0; i < ndim && i < GLAB_MAX_DIMS && used < bufsize; i++) {
    int n = snprintf(buf + used, bufsize - used, "[%d]", shape[i]);
    if (n < 0) break;
    used += (size_t)n;
  }
  return buf;
}

glab_tensor *glab_tensor_create(int ndim, const int *shape) {
  size_t n = glab_shape_size(ndim, shape);
  if (n == 0) return NULL;
  glab_tensor *t = calloc(1, sizeof *t);
  if (!t) {
    glab_error(GLAB_ERR_NOMEM, "tensor_create: out of memory");
    return NULL;
  }
  t->data = calloc(n, sizeof(glab_real));
  if (!t->data) {
    free(t);
    glab_error(GLAB_ERR_NOMEM, "tensor_create: out of memory for %zu elements", n);
    return NULL;
  }
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++)
    t->shape[i] = shape[i];
  t->size = n;
  return t;
}

glab_tensor *glab_tensor_copy(const glab_tensor *src) {
  if (!src) {
    glab_error(GLAB_ERR_ARG, "tensor_copy: NULL tensor");
    return NULL;
  }
  glab_tensor *t = glab_tensor_create(src->ndim, src->shape);
  if (t) memcpy(t->data, src->data, src->size * sizeof(glab_real));
  return t;
}

void glab_tensor_destroy(glab_tensor *t) {
  if (!t) return;
  free(t->data);
  free(t);
}

size_t glab_tensor_rows(const glab_tensor *t) {
  if (!t || t->ndim <= 1) return 1;
  size_t r = 1;
  for (int i = 0; i < t->ndim - 1; i++)
    r *= (size_t)t->shape[i];
  return r;
}

size_t glab_tensor_cols(const glab_tensor *t) {
  if (!t || t->ndim <= 0) return 1;
  return (size_t)t->shape[t->ndim - 1];
}
