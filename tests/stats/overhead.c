/* overhead.c — what recording every statistic every step costs (not a test: a measurement).
 * A 784-256-128-10 ReLU MLP, batch 64, softmax cross-entropy, SGD, through glab_train; the same
 * number of steps with record_every=0 and record_every=1 (and with a run log writing
 * metrics.csv), interleaved over several rounds; prints the best time per step of each and the
 * ratio. Times are process CPU time (the machine is shared); run with OPENBLAS_NUM_THREADS=1.
 *   build/tests/stats_overhead [steps] [rounds] [record_every] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gradlab/gradlab.h"
#include "gradlab/runlog.h"

static glab_layer *layer(glab_registry *reg, const char *type, int in, int out) {
  glab_config *c = glab_config_create();
  if (in) glab_config_set_int(c, "inputs", in), glab_config_set_int(c, "outputs", out);
  glab_layer *l = glab_layer_create(reg, type, c, NULL, 0);
  glab_config_destroy(c);
  if (!l) fprintf(stderr, "%s\n", glab_last_error());
  return l;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long steps = argc > 1 ? atol(argv[1]) : 200;
  int rounds = argc > 2 ? atoi(argv[2]) : 5;
  long every = argc > 3 ? atol(argv[3]) : 1;
  glab_registry *reg = glab_registry_create();
  if (glab_plugins_load_default(reg, NULL, 0) != GLAB_OK) {
    fprintf(stderr, "plugins: %s\n", glab_last_error());
    return 1;
  }
  glab_layer *ls[5] = {layer(reg, "dense", 784, 256), layer(reg, "relu", 0, 0),
                       layer(reg, "dense", 256, 128), layer(reg, "relu", 0, 0),
                       layer(reg, "dense", 128, 10)};
  glab_model *m = glab_model_create(ls, 5);
  glab_config *c = glab_config_create();
  glab_config_set_real(c, "lr", 0.01);
  glab_optimizer *opt = glab_optimizer_create(reg, "sgd", c);
  glab_config_destroy(c);
  size_t n = 64 * 16;
  int shape[1] = {784};
  glab_real *x = malloc(n * 784 * sizeof *x);
  int *y = malloc(n * sizeof *y);
  glab_rng rng;
  glab_rng_seed(&rng, 1, 1);
  for (size_t i = 0; i < n * 784; i++)
    x[i] = (glab_real)glab_rng_uniform(&rng);
  for (size_t i = 0; i < n; i++)
    y[i] = (int)(i % 10);
  glab_dataset *ds = glab_dataset_from_arrays(n, 1, shape, 0, x, GLAB_TARGET_CLASS, 10, NULL, y);
  if (!m || !opt || !ds) {
    fprintf(stderr, "setup: %s\n", glab_last_error());
    return 1;
  }
  glab_trainer *tr = glab_trainer_create(m);
  glab_runlog *log = glab_runlog_create("/tmp/glab_overhead_run", NULL);
  double best[3] = {INFINITY, INFINITY, INFINITY};
  const char *what[3] = {"no statistics", "statistics", "statistics + metrics.csv"};
  printf("784-256-128-10 ReLU MLP, batch 64, statistics every %ld step(s)\n", every);
  for (int r = 0; r <= rounds; r++) {
    for (int mode = 0; mode < 3; mode++) {
      glab_train_opts o;
      glab_train_opts_init(&o);
      o.trainer = tr;
      o.data = ds;
      o.loss = GLAB_LOSS_CROSS_ENTROPY;
      o.optimizer = opt;
      o.batch = 64;
      o.epochs = (int)(steps / 16);
      o.record_every = mode ? every : 0;
      o.runlog = mode == 2 ? log : NULL;
      double t0 = now();
      if (glab_train(&o, NULL) != GLAB_OK) {
        fprintf(stderr, "train: %s\n", glab_last_error());
        return 1;
      }
      double dt = (now() - t0) / (double)(o.epochs * 16);
      if (r > 0 && dt < best[mode]) best[mode] = dt; /* round 0 warms up */
    }
  }
  for (int mode = 0; mode < 3; mode++)
    printf("%-28s %8.1f us/step  ratio %.4f\n", what[mode], 1e6 * best[mode], best[mode] / best[0]);
  glab_runlog_destroy(log);
  glab_trainer_destroy(tr);
  glab_dataset_destroy(ds);
  glab_optimizer_destroy(opt);
  glab_model_destroy(m);
  glab_registry_destroy(reg);
  free(x);
  free(y);
  return 0;
}
