/* data_synth.c — datasets made in memory: from caller arrays, and the built-in tasks that need
 * no files: XOR, Gaussian blobs, two spirals, the adding problem and a copy (memory) task. Each
 * task draws from its own PCG32 stream seeded with `seed`, so the same seed gives the same data
 * on every machine. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"
#include "gradlab/config.h"
#include "gradlab/error.h"

#define PI 3.14159265358979323846

/* A store of n items of item shape (d0[, d1]) real inputs; targets of `kind` and `width`. */
static glab_data_store *new_store(const char *name, size_t n, int ndim, int d0, int d1,
                                  int sequence, glab_target_kind kind, int width) {
  if (n == 0 || n > ((size_t)1 << 31)) {
    glab_error(GLAB_ERR_ARG, "%s: n = %zu items is not allowed (1 .. 2^31)", name, n);
    return NULL;
  }
  size_t e = (size_t)d0 * (size_t)(ndim == 2 ? d1 : 1);
  if (d0 < 1 || (ndim == 2 && d1 < 1) || e > ((size_t)1 << 24) || n * e > ((size_t)1 << 32)) {
    glab_error(GLAB_ERR_ARG, "%s: %zu items of %zu values is too large", name, n, e);
    return NULL;
  }
  glab_data_store *st = glab_store_new(name);
  if (!st) return NULL;
  st->n = n;
  st->item_ndim = ndim;
  st->item_shape[0] = d0;
  st->item_shape[1] = ndim == 2 ? d1 : 0;
  st->item_elems = e;
  st->sequence = sequence;
  st->dtype = GLAB_DT_REAL;
  st->kind = kind;
  st->width = width;
  st->inputs = calloc(n * e, sizeof(glab_real));
  if (kind == GLAB_TARGET_CLASS) st->labels = calloc(n, sizeof *st->labels);
  if (kind == GLAB_TARGET_REAL) st->targets = calloc(n * (size_t)width, sizeof *st->targets);
  if (!st->inputs || (kind == GLAB_TARGET_CLASS && !st->labels) ||
      (kind == GLAB_TARGET_REAL && !st->targets)) {
    glab_error(GLAB_ERR_NOMEM, "%s: out of memory for %zu items", name, n);
    glab_store_release(st);
    return NULL;
  }
  return st;
}


static glab_real *in(glab_data_store *st) {
  return st->inputs;
}

glab_dataset *glab_data_xor(void) {
  glab_data_store *st = new_store("xor", 4, 1, 2, 0, 0, GLAB_TARGET_REAL, 1);
  if (!st) return NULL;
  static const int pts[4][3] = {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
  for (int i = 0; i < 4; i++) {
    in(st)[2 * i] = (glab_real)pts[i][0];
    in(st)[2 * i + 1] = (glab_real)pts[i][1];
    st->targets[i] = (glab_real)pts[i][2];
  }
  return glab_dataset_from_store(st);
}

glab_dataset *glab_data_blobs(size_t n, int classes, int dim, double spread, uint64_t seed) {
  if (classes < 1 || classes > 65536 || dim < 1) {
    glab_error(GLAB_ERR_ARG, "blobs: need classes >= 1 and dim >= 1 (got %d, %d)", classes, dim);
    return NULL;
  }
  if (!isfinite(spread) || !(spread > 0)) { /* never a silent default: 0/0 is a mistake */
    char num[40];
    glab_error(GLAB_ERR_ARG, "blobs: option 'spread' must be a finite number > 0, got %s",
               glab_num_text(spread, num, sizeof num));
    return NULL;
  }
  glab_data_store *st = new_store("blobs", n, 1, dim, 0, 0, GLAB_TARGET_CLASS, classes);
  if (!st) return NULL;
  glab_rng r;
  glab_rng_seed(&r, seed, 0xb10b5);
  double *centre = malloc((size_t)classes * (size_t)dim * sizeof *centre);
  if (!centre) {
    glab_store_release(st);
    glab_error(GLAB_ERR_NOMEM, "blobs: out of memory");
    return NULL;
  }
  for (size_t k = 0; k < (size_t)classes * (size_t)dim; k++)
    centre[k] = 10 * glab_rng_uniform(&r) - 5;
  for (size_t i = 0; i < n; i++) {
    int c = (int)(i % (size_t)classes);
    st->labels[i] = c;
    for (int d = 0; d < dim; d++)
      in(st)[i * (size_t)dim + (size_t)d] =
          (glab_real)(centre[(size_t)c * (size_t)dim + (size_t)d] + spread * glab_rng_normal(&r));
  }
  free(centre);
  return glab_dataset_from_store(st);
}

glab_dataset *glab_data_spirals(size_t n, double noise, uint64_t seed) {
  if (n < 2) {
    glab_error(GLAB_ERR_ARG, "spirals: need n >= 2 points (got %zu)", n);
    return NULL;
  }
  if (!isfinite(noise) || !(noise >= 0)) { /* inf would make inf data, NaN NaN data */
    char num[40];
    glab_error(GLAB_ERR_ARG, "spirals: option 'noise' must be a finite number >= 0, got %s",
               glab_num_text(noise, num, sizeof num));
    return NULL;
  }
  glab_data_store *st = new_store("spirals", n, 1, 2, 0, 0, GLAB_TARGET_CLASS, 2);
  if (!st) return NULL;
  glab_rng r;
  glab_rng_seed(&r, seed, 0x5b1a1);
  /* Class c, position t in (0, 1]: radius t, angle 3.5π·t + cπ (two interleaved arms). */
  size_t half = (n + 1) / 2;
  for (size_t i = 0; i < n; i++) {
    int c = i < half ? 0 : 1;
    size_t j = c ? i - half : i, m = c ? n - half : half;
    double t = ((double)j + 1) / (double)m;
    double a = 3.5 * PI * t + c * PI;
    in(st)[2 * i] = (glab_real)(t * cos(a) + noise * glab_rng_normal(&r));
    in(st)[2 * i + 1] = (glab_real)(t * sin(a) + noise * glab_rng_normal(&r));
    st->labels[i] = c;
  }
  return glab_dataset_from_store(st);
}

glab_dataset *glab_data_adding(int T, size_t n, uint64_t seed) {
  if (T < 2) {
    glab_error(GLAB_ERR_ARG, "adding: sequence length T must be >= 2 (got %d)", T);
    return NULL;
  }
  glab_data_store *st = new_store("adding", n, 2, T, 2, 1, GLAB_TARGET_REAL, 1);
  if (!st) return NULL;
  glab_rng r;
  glab_rng_seed(&r, seed, 0xadd);
  uint32_t h = (uint32_t)T / 2; /* first marker in [0, h), second in [h, T) */
  for (size_t i = 0; i < n; i++) {
    glab_real *x = in(st) + i * (size_t)T * 2;
    for (int t = 0; t < T; t++)
      x[2 * t] = (glab_real)glab_rng_uniform(&r);
    uint32_t a = glab_rng_below(&r, h), b = h + glab_rng_below(&r, (uint32_t)T - h);
    x[2 * a + 1] = 1;
    x[2 * b + 1] = 1;
    st->targets[i] = x[2 * a] + x[2 * b];
  }
  return glab_dataset_from_store(st);
}

glab_dataset *glab_data_copy(int T, size_t n, int symbols, uint64_t seed) {
  if (symbols <= 0) symbols = 8;
  if (T < 2 || symbols < 2 || symbols > 4096) {
    glab_error(GLAB_ERR_ARG, "copy: need T >= 2 and 2 <= symbols <= 4096 (got T=%d, symbols=%d)", T,
               symbols);
    return NULL;
  }
  int F = symbols + 1;
  glab_data_store *st = new_store("copy", n, 2, T, F, 1, GLAB_TARGET_CLASS, symbols);
  if (!st) return NULL;
  glab_rng r;
  glab_rng_seed(&r, seed, 0xc0b1);
  for (size_t i = 0; i < n; i++) {
    glab_real *x = in(st) + i * (size_t)T * (size_t)F;
    int s = (int)glab_rng_below(&r, (uint32_t)symbols);
    x[s] = 1;                                             /* step 1: the symbol */
    x[(size_t)(T - 1) * (size_t)F + (size_t)symbols] = 1; /* step T: "recall now" */
    st->labels[i] = s;
  }
  return glab_dataset_from_store(st);
}

/* ---- from arrays ---- */

glab_dataset *glab_dataset_from_arrays(size_t n, int ndim, const int *shape, int sequence,
                                       const glab_real *inputs, glab_target_kind kind, int width,
                                       const glab_real *targets, const int *labels) {
  if (!shape || (n && !inputs) || ndim < 1 || ndim > GLAB_MAX_DIMS - 1) {
    glab_error(GLAB_ERR_ARG, "dataset from_arrays: bad arguments");
    return NULL;
  }
  if ((kind == GLAB_TARGET_CLASS && n && !labels) || (kind == GLAB_TARGET_REAL && n && !targets)) {
    glab_error(GLAB_ERR_ARG, "dataset from_arrays: targets missing");
    return NULL;
  }
  glab_data_store *st = glab_store_new("arrays");
  if (!st) return NULL;
  st->n = n;
  st->item_ndim = ndim;
  memcpy(st->item_shape, shape, (size_t)ndim * sizeof *shape);
  st->item_elems = glab_shape_size(ndim, shape);
  st->sequence = sequence;
  st->kind = kind;
  st->width = kind == GLAB_TARGET_NONE ? 0 : width;
  size_t e = st->item_elems, w = width > 0 ? (size_t)width : 0;
  if (e == 0 || (e && n > SIZE_MAX / sizeof(glab_real) / e) || (w && n > SIZE_MAX / w / 8)) {
    glab_error(GLAB_ERR_NOMEM, "dataset from_arrays: size overflows");
    glab_store_release(st);
    return NULL;
  }
  st->inputs = malloc(n * e * sizeof(glab_real) + 1);
  if (kind == GLAB_TARGET_CLASS) st->labels = malloc(n * sizeof *st->labels + 1);
  if (kind == GLAB_TARGET_REAL) st->targets = malloc(n * w * sizeof *st->targets + 1);
  if (!st->inputs || (kind == GLAB_TARGET_CLASS && !st->labels) ||
      (kind == GLAB_TARGET_REAL && !st->targets)) {
    glab_error(GLAB_ERR_NOMEM, "dataset from_arrays: out of memory for %zu items", n);
    glab_store_release(st);
    return NULL;
  }
  if (n) memcpy(st->inputs, inputs, n * e * sizeof(glab_real));
  if (kind == GLAB_TARGET_CLASS)
    for (size_t i = 0; i < n; i++)
      st->labels[i] = labels[i];
  if (kind == GLAB_TARGET_REAL && n) memcpy(st->targets, targets, n * w * sizeof *st->targets);
  return glab_dataset_from_store(st);
}
