/* sgemm_rate.c — this machine's sgemm rate, for the mlp_epoch physical limit.
 *
 *   cc -O2 bench/sgemm_rate.c -lopenblas -o sgemm_rate && OPENBLAS_NUM_THREADS=1 ./sgemm_rate
 *
 * Prints `square_gflops=` (1024³ products: the peak) and `mlp_gflops=` (the exact GEMMs of one
 * 784-256-128-10 training step at batch 64: forward, weight gradients, input gradients of layers
 * 2 and 3 — the shapes whose speed bounds an epoch), each the best of several timed repeats. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *randf(size_t n) {
  float *p = malloc(n * sizeof *p);
  for (size_t i = 0; p && i < n; i++) p[i] = (float)rand() / (float)RAND_MAX - 0.5f;
  return p;
}

/* C[m][n] = op(A)·op(B) with op(A) m×k and op(B) k×n, row-major. */
static void gemm(int ta, int tb, int m, int n, int k, const float *a, const float *b, float *c) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, 1.0f, a, ta ? m : k, b, tb ? k : n, 0.0f, c, n);
}

int main(int argc, char **argv) {
  enum { N = 1024, B = 64 };
  if (argc > 1) return 0; /* "probe": just load OpenBLAS (OPENBLAS_VERBOSE=2 names its kernels) */
  float *a = randf((size_t)N * N), *b = randf((size_t)N * N), *c = randf((size_t)N * N);
  double best = 1e9;
  gemm(0, 0, N, N, N, a, b, c);
  for (int r = 0; r < 5; r++) {
    double t = now();
    gemm(0, 0, N, N, N, a, b, c);
    t = now() - t;
    if (t < best) best = t;
  }
  (void)argv;
  printf("square_gflops=%.1f\n", 2.0 * N * N * N / best * 1e-9);

  const int dims[4] = {784, 256, 128, 10};
  float *x[4], *w[3], *gw[3], *gx[4];
  for (int i = 0; i < 4; i++) x[i] = randf((size_t)B * dims[i]), gx[i] = randf((size_t)B * dims[i]);
  for (int i = 0; i < 3; i++) w[i] = randf((size_t)dims[i] * dims[i + 1]), gw[i] = randf((size_t)dims[i] * dims[i + 1]);
  double flops = 0;
  for (int i = 0; i < 3; i++) flops += 2.0 * B * dims[i] * dims[i + 1] * (i == 0 ? 2 : 3);
  best = 1e9;
  for (int r = 0; r < 7; r++) {
    double t = now();
    for (int s = 0; s < 200; s++) {
      for (int i = 0; i < 3; i++) gemm(0, 0, B, dims[i + 1], dims[i], x[i], w[i], x[i + 1]);
      for (int i = 2; i >= 0; i--) {
        gemm(1, 0, dims[i], dims[i + 1], B, x[i], gx[i + 1], gw[i]);          /* dW = x^T·dy */
        if (i > 0) gemm(0, 1, B, dims[i], dims[i + 1], gx[i + 1], w[i], gx[i]); /* dx = dy·W^T */
      }
    }
    t = (now() - t) / 200;
    if (t < best) best = t;
  }
  printf("mlp_gflops=%.1f mlp_step_flops=%.0f mlp_step_s=%.3e\n", flops / best * 1e-9, flops, best);
  return 0;
}
