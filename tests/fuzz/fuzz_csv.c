/* fuzz_csv.c — libFuzzer target for the CSV loader (libcsv + number and shape checks). Input
 * layout: byte 0 chooses the options — bit 0 header, bits 1-2 delimiter (, ; tab |), bits 3-4
 * label (last column, none, column 1, the column named "y"), bit 5 real target, bit 6 limit 2;
 * the rest is the file. A loaded dataset is exercised: a batch of every row, class counts. */
#include <stdint.h>
#include <stdlib.h>

#include "data_internal.h"
#include "gradlab/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  static const char delims[4] = {',', ';', '\t', '|'};
  glab_csv_options o;
  glab_csv_options_init(&o);
  o.header = data[0] & 1;
  o.delimiter = delims[(data[0] >> 1) & 3];
  switch ((data[0] >> 3) & 3) {
  case 0:
    o.label_index = -1;
    break;
  case 1:
    o.label_index = -2;
    break;
  case 2:
    o.label_index = 0;
    break;
  default:
    o.label_name = "y";
    break;
  }
  o.real_target = (data[0] >> 5) & 1;
  o.limit = (data[0] >> 6) & 1 ? 2 : 0;
  glab_dataset *ds = glab_data_csv_load_memory(data + 1, size - 1, "fuzz.csv", &o);
  if (!ds) {
    if (!glab_last_error()[0]) abort(); /* every failure must say why */
    return 0;
  }
  size_t n = glab_dataset_size(ds);
  if (n > 64) n = 64;
  int shape[GLAB_MAX_DIMS];
  int nd = glab_dataset_batch_shape(ds, n, shape);
  glab_tensor *x = nd ? glab_tensor_create(nd, shape) : NULL;
  size_t *idx = malloc(n * sizeof *idx);
  int *lab = malloc(n * sizeof *lab);
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  if (x) glab_dataset_batch(ds, idx, n, x, NULL, glab_dataset_classes(ds) ? lab : NULL);
  if (glab_dataset_classes(ds) > 0) {
    size_t *counts = calloc((size_t)glab_dataset_classes(ds), sizeof *counts);
    glab_dataset_class_counts(ds, counts);
    free(counts);
  }
  glab_tensor_destroy(x);
  free(idx);
  free(lab);
  glab_dataset_destroy(ds);
  return 0;
}
