/* data_batch.c — cost of filling one batch from Fashion-MNIST (uint8 → real, shuffled indices,
 * labels), the data part of a training step. Built and run by bench/data_load.sh:
 *   data_batch BATCH REPEATS  → prints "batch_us <microseconds per batch>" */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gradlab/data.h"
#include "gradlab/error.h"
#include "gradlab/rng.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  size_t batch = argc > 1 ? (size_t)atol(argv[1]) : 64;
  int repeats = argc > 2 ? atoi(argv[2]) : 2000;
  glab_dataset *ds = glab_data_fashion_mnist("train", 0);
  if (!ds) {
    fprintf(stderr, "data_batch: %s\n", glab_last_error());
    return 1;
  }
  size_t n = glab_dataset_size(ds);
  size_t *order = malloc(n * sizeof *order);
  for (size_t i = 0; i < n; i++) order[i] = i;
  glab_rng r;
  glab_rng_seed(&r, 1, 1);
  glab_rng_shuffle(&r, order, n);
  int shape[GLAB_MAX_DIMS];
  int nd = glab_dataset_batch_shape(ds, batch, shape);
  glab_tensor *x = glab_tensor_create(nd, shape);
  int *labels = malloc(batch * sizeof *labels);
  double sink = 0, t0 = now();
  for (int k = 0; k < repeats; k++) {
    size_t start = ((size_t)k * batch) % (n - batch);
    if (glab_dataset_batch(ds, order + start, batch, x, NULL, labels) != GLAB_OK) return 1;
    sink += x->data[k % x->size];
  }
  double us = (now() - t0) / repeats * 1e6;
  printf("batch_us %.2f\n", us);
  fprintf(stderr, "(checksum %g)\n", sink);
  glab_tensor_destroy(x);
  free(labels);
  free(order);
  glab_dataset_destroy(ds);
  return 0;
}
