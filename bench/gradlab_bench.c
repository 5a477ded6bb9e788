/* gradlab_bench.c — the benchmark workloads driven through the C API (glab_model + glab_train),
 * timed in process with CLOCK_MONOTONIC. bench/run.py uses it beside the Lua scripts to show
 * what the Lua path costs and to time phases the scripts cannot time from inside.
 *
 *   gradlab_bench xor [UPDATES]            [2,50,50,1] sigmoid, MSE, per-sample SGD
 *   gradlab_bench mlp [RECORD_EVERY]       Fashion-MNIST 784-256-128-10 ReLU, CE, SGD 0.1, batch 64
 *   gradlab_bench lstm [STEPS]             adding T=100, batch 32, lstm 2->128 -> dense, Adam
 *
 * Prints key=value pairs (seconds). Built by bench/run.sh against build/lib/libgradlab.so. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gradlab/data.h"
#include "gradlab/error.h"
#include "gradlab/layer.h"
#include "gradlab/model.h"
#include "gradlab/optim.h"
#include "gradlab/registry.h"
#include "gradlab/rng.h"
#include "gradlab/train.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "gradlab_bench: %s: %s\n", what, glab_last_error());
  exit(1);
}

static glab_layer *layer(const char *type, const char *k1, long v1, const char *k2, long v2) {
  glab_config *cfg = glab_config_create();
  if (k1) glab_config_set_int(cfg, k1, v1);
  if (k2) glab_config_set_int(cfg, k2, v2);
  glab_layer *l = glab_layer_create(glab_default_registry(), type, cfg, NULL, 0);
  glab_config_destroy(cfg);
  if (!l) die(type);
  return l;
}

static glab_layer *dense(int in, int out) { return layer("dense", "inputs", in, "outputs", out); }

static glab_optimizer *optimizer(const char *type, double lr) {
  glab_config *cfg = glab_config_create();
  glab_config_set_real(cfg, "lr", lr);
  glab_optimizer *o = glab_optimizer_create(glab_default_registry(), type, cfg);
  glab_config_destroy(cfg);
  if (!o) die(type);
  return o;
}

static glab_model *model(glab_layer **ls, int n) {
  glab_model *m = glab_model_create(ls, n);
  if (!m) die("model");
  return m;
}

static void train(glab_model *m, glab_dataset *d, glab_loss_kind loss, glab_optimizer *o,
                  int epochs, size_t batch, int shuffle, long record_every,
                  glab_train_result *r) {
  glab_train_opts opts;
  glab_train_opts_init(&opts);
  opts.model = m;
  opts.data = d;
  opts.loss = loss;
  opts.optimizer = o;
  opts.epochs = epochs;
  opts.batch = batch;
  opts.shuffle = shuffle;
  opts.record_every = record_every;
  if (glab_train(&opts, r) != GLAB_OK) die("train");
}

static int bench_xor(long updates) {
  double t0 = now();
  glab_layer *ls[] = {dense(2, 50),  layer("sigmoid", 0, 0, 0, 0), dense(50, 50),
                      layer("sigmoid", 0, 0, 0, 0), dense(50, 1), layer("sigmoid", 0, 0, 0, 0)};
  glab_model *m = model(ls, 6);
  glab_dataset *d = glab_data_xor();
  glab_optimizer *o = optimizer("sgd", 0.5);
  double t1 = now();
  glab_train_result r;
  train(m, d, GLAB_LOSS_MSE, o, (int)(updates / 4), 1, 1, 0, &r);
  double t2 = now();
  printf("setup_s=%.6f train_s=%.6f us_per_update=%.4f loss=%.6g\n", t1 - t0, t2 - t1,
         (t2 - t1) / (double)updates * 1e6, r.loss);
  glab_optimizer_destroy(o);
  glab_dataset_destroy(d);
  glab_model_destroy(m);
  return 0;
}

static int bench_mlp(long record_every) {
  double t0 = now();
  glab_dataset *d = glab_data_fashion_mnist("train", 0);
  if (!d) die("fashion-mnist");
  double t1 = now();
  glab_layer *ls[] = {dense(784, 256), layer("relu", 0, 0, 0, 0), dense(256, 128),
                      layer("relu", 0, 0, 0, 0), dense(128, 10)};
  glab_model *m = model(ls, 5);
  glab_optimizer *o = optimizer("sgd", 0.1);
  glab_train_result r;
  double t2 = now();
  train(m, d, GLAB_LOSS_CROSS_ENTROPY, o, 1, 64, 1, record_every, &r);
  double t3 = now();
  printf("load_s=%.6f epoch_s=%.6f loss=%.4f steps=%ld\n", t1 - t0, t3 - t2, r.loss, r.steps);
  glab_optimizer_destroy(o);
  glab_dataset_destroy(d);
  glab_model_destroy(m);
  return 0;
}

static int bench_lstm(long steps) {
  glab_dataset *d = glab_data_adding(100, (size_t)(32 * (steps + 5)), 1);
  if (!d) die("adding");
  glab_dataset *warm = glab_dataset_head(d, 32 * 5);
  glab_layer *ls[] = {layer("lstm", "inputs", 2, "hidden", 128), dense(128, 1)};
  glab_model *m = model(ls, 2);
  glab_optimizer *o = optimizer("adam", 1e-3);
  glab_train_result r;
  train(m, warm, GLAB_LOSS_MSE, o, 1, 32, 0, 0, &r); /* 5 warm-up steps */
  size_t *idx = malloc(sizeof *idx * (size_t)(32 * steps));
  for (long i = 0; i < 32 * steps; i++) idx[i] = (size_t)(32 * 5 + i);
  glab_dataset *rest = glab_dataset_subset(d, idx, (size_t)(32 * steps));
  free(idx);
  double t0 = now();
  train(m, rest, GLAB_LOSS_MSE, o, 1, 32, 0, 0, &r);
  double t1 = now();
  printf("step_ms=%.4f loss=%.4f steps=%ld\n", (t1 - t0) / (double)steps * 1e3, r.loss, r.steps);
  glab_optimizer_destroy(o);
  glab_dataset_destroy(rest);
  glab_dataset_destroy(warm);
  glab_dataset_destroy(d);
  glab_model_destroy(m);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: gradlab_bench xor|mlp|lstm [N]\n");
    return 2;
  }
  if (glab_plugins_load_default(glab_default_registry(), NULL, 0) != GLAB_OK) die("plugins");
  glab_seed(1);
  long n = argc > 2 ? atol(argv[2]) : -1;
  if (!strcmp(argv[1], "xor")) return bench_xor(n > 0 ? n : 40000);
  if (!strcmp(argv[1], "mlp")) return bench_mlp(n >= 0 ? n : 0);
  if (!strcmp(argv[1], "lstm")) return bench_lstm(n > 0 ? n : 40);
  fprintf(stderr, "gradlab_bench: unknown workload '%s'\n", argv[1]);
  return 2;
}
