/* fuzz_idx.c — libFuzzer target for the IDX parser (plain and gzip), through the same code path
 * as files (data_idx.c reads memory and files alike). Input layout:
 *   byte 0: bit 0 = a labels part follows, bits 1-2 = limit (0: all, 1: 1, 2: 3, 3: 100),
 *           bits 3-4 = scale (unit, raw, standard);
 *   with labels: bytes 1-2 = big-endian length L of the images part, then L bytes of images,
 *   then the labels part; without: the rest is the images part.
 * A loaded dataset is exercised: batches of every item, class counts, subsets. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"
#include "gradlab/error.h"

static void exercise(glab_dataset *ds) {
  size_t n = glab_dataset_size(ds);
  if (n > 64) n = 64;
  int shape[GLAB_MAX_DIMS];
  int nd = glab_dataset_batch_shape(ds, n, shape);
  if (!nd) return;
  glab_tensor *x = glab_tensor_create(nd, shape);
  if (!x) return;
  size_t *idx = malloc(n * sizeof *idx);
  int *lab = malloc(n * sizeof *lab);
  int w = glab_dataset_target_width(ds);
  glab_real *tg = w > 0 && w <= 70000 ? malloc(n * (size_t)w * sizeof *tg) : NULL;
  for (size_t i = 0; i < n; i++)
    idx[i] = n - 1 - i;
  glab_dataset_batch(ds, idx, n, x, tg, glab_dataset_classes(ds) ? lab : NULL);
  if (glab_dataset_classes(ds) > 0) {
    size_t *counts = calloc((size_t)glab_dataset_classes(ds), sizeof *counts);
    glab_dataset_class_counts(ds, counts);
    free(counts);
  }
  glab_dataset *h = glab_dataset_head(ds, 2);
  glab_dataset_destroy(h);
  free(tg);
  free(lab);
  free(idx);
  glab_tensor_destroy(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  static const size_t limits[4] = {0, 1, 3, 100};
  static const glab_data_scale scales[4] = {GLAB_SCALE_UNIT, GLAB_SCALE_RAW, GLAB_SCALE_STANDARD,
                                            GLAB_SCALE_UNIT};
  glab_idx_options opt = {scales[(data[0] >> 3) & 3], limits[(data[0] >> 1) & 3], data[0] >> 7};
  const uint8_t *im = data + 1, *lb = NULL;
  size_t imlen = size - 1, lblen = 0;
  if (data[0] & 1) {
    if (size < 3) return 0;
    size_t L = (size_t)data[1] << 8 | data[2];
    if (L > size - 3) L = size - 3;
    im = data + 3;
    imlen = L;
    lb = data + 3 + L;
    lblen = size - 3 - L;
  }
  glab_dataset *ds = glab_data_idx_load_memory(im, imlen, "images", lb, lblen, "labels", &opt);
  if (ds) {
    exercise(ds);
    glab_dataset_destroy(ds);
  } else if (!glab_last_error()[0]) {
    abort(); /* every failure must say why */
  }
  return 0;
}
