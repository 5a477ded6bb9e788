/* stats_overhead.c — what recording every statistic every step costs (a benchmark, not a test).
 *
 * Trains a 784-256-128-10 ReLU MLP (batch 64, softmax cross-entropy, SGD) through glab_train on
 * random data, in rounds; each round runs the same number of steps with statistics off
 * (record_every=0), on (record_every=E), and on with a run log writing metrics.csv, in an order
 * that rotates every round. Times are process CPU time (the machine is shared); the table gives
 * the median over the rounds of the time per step and of the per-round ratio on/off.
 *
 *   stats_overhead [--steps N] [--rounds R] [--every E] [--coretypes default,Haswell,...]
 *
 * --coretypes runs the measurement once per OpenBLAS kernel choice (a child process each, with
 * OPENBLAS_CORETYPE set, or unset for "default") and prints one table row per choice; gradlab
 * itself never sets OPENBLAS_CORETYPE. Run with OPENBLAS_NUM_THREADS=1 (set here if unset). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gradlab/gradlab.h"
#include "gradlab/runlog.h"

#define MAX_ROUNDS 256

static glab_layer *layer(glab_registry *reg, const char *type, int in, int out) {
  glab_config *c = glab_config_create();
  if (in) glab_config_set_int(c, "inputs", in), glab_config_set_int(c, "outputs", out);
  glab_layer *l = glab_layer_create(reg, type, c, NULL, 0);
  glab_config_destroy(c);
  if (!l) fprintf(stderr, "%s\n", glab_last_error());
  return l;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(const double *v, int n) {
  double t[MAX_ROUNDS];
  memcpy(t, v, (size_t)n * sizeof *t);
  qsort(t, (size_t)n, sizeof *t, cmp_double);
  return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

static int only_mode = -1; /* --mode off|on|csv: one mode only (for profiling) */

static int measure(long steps, int rounds, long every, const char *label) {
  glab_registry *reg = glab_registry_create();
  if (glab_plugins_load_default(reg, NULL, 0) != GLAB_OK) {
    fprintf(stderr, "plugins: %s\n", glab_last_error());
    return 1;
  }
  glab_seed(1);
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
  char dir[] = "/tmp/glab_stats_overhead_XXXXXX";
  glab_trainer *tr = m ? glab_trainer_create(m) : NULL;
  glab_runlog *log = mkdtemp(dir) ? glab_runlog_create(dir, NULL) : NULL;
  if (!m || !opt || !ds || !tr || !log) {
    fprintf(stderr, "setup: %s\n", glab_last_error());
    return 1;
  }
  double t[3][MAX_ROUNDS], ratio[2][MAX_ROUNDS];
  for (int r = 0; r <= rounds; r++) { /* round 0 warms up */
    for (int k = 0; k < 3; k++) {
      int mode = (k + r) % 3;
      if (only_mode >= 0 && mode != only_mode) continue;
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
      double t0 = cpu_now();
      if (glab_train(&o, NULL) != GLAB_OK) {
        fprintf(stderr, "train: %s\n", glab_last_error());
        return 1;
      }
      if (r > 0) t[mode][r - 1] = (cpu_now() - t0) / (double)(o.epochs * 16);
    }
    if (r > 0 && only_mode >= 0)
      for (int k = 0; k < 3; k++)
        t[k][r - 1] = t[only_mode][r - 1];
    if (r > 0)
      for (int k = 0; k < 2; k++)
        ratio[k][r - 1] = t[k + 1][r - 1] / t[0][r - 1];
  }
  const char *ct = getenv("OPENBLAS_CORETYPE");
  printf("%-10s %6ld %8.1f %8.1f %8.1f   %6.4f  %6.4f\n",
         label ? label
         : ct  ? ct
               : "default",
         every, 1e6 * median(t[0], rounds), 1e6 * median(t[1], rounds), 1e6 * median(t[2], rounds),
         median(ratio[0], rounds), median(ratio[1], rounds));
  fflush(stdout);
  glab_runlog_destroy(log);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  glab_trainer_destroy(tr);
  glab_dataset_destroy(ds);
  glab_optimizer_destroy(opt);
  glab_model_destroy(m);
  glab_registry_destroy(reg);
  free(x);
  free(y);
  return 0;
}

static void header(long steps, int rounds) {
  printf("784-256-128-10 ReLU MLP, batch 64, SGD; %ld steps x %d rounds; process CPU time per "
         "step (median)\n",
         steps, rounds);
  printf("%-10s %6s %8s %8s %8s   %6s  %6s\n", "openblas", "every", "off_us", "on_us", "csv_us",
         "on/off", "csv/off");
}

int main(int argc, char **argv) {
  long steps = 32, every = 1;
  int rounds = 31; /* short interleaved segments: the load of a shared machine drifts */
  const char *coretypes = NULL;
  int child = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--steps") && v)
      steps = atol(v), i++;
    else if (!strcmp(a, "--rounds") && v)
      rounds = atoi(v), i++;
    else if (!strcmp(a, "--every") && v)
      every = atol(v), i++;
    else if (!strcmp(a, "--coretypes") && v)
      coretypes = v, i++;
    else if (!strcmp(a, "--child"))
      child = 1;
    else if (!strcmp(a, "--mode") && v) /* profiling: this process, one mode */
      only_mode = !strcmp(v, "off") ? 0 : !strcmp(v, "on") ? 1 : 2, child = 1, i++;
    else {
      fprintf(stderr,
              "usage: %s [--steps N] [--rounds R] [--every E] [--coretypes default,Haswell]\n",
              argv[0]);
      return 2;
    }
  }
  if (steps < 16) steps = 16;
  if (rounds < 1) rounds = 1;
  if (rounds > MAX_ROUNDS) rounds = MAX_ROUNDS;
  setenv("OPENBLAS_NUM_THREADS",
         getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "1", 1);
  if (child) return measure(steps, rounds, every, NULL);
  header(steps, rounds);
  fflush(stdout);
  /* always in a child: OpenBLAS reads its environment when it is loaded */
  if (!coretypes) coretypes = getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "default";
  /* one child per kernel choice: OpenBLAS reads OPENBLAS_CORETYPE when it is loaded */
  char list[256];
  snprintf(list, sizeof list, "%s", coretypes);
  int rc = 0;
  for (char *ct = strtok(list, ","); ct; ct = strtok(NULL, ",")) {
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      if (!strcmp(ct, "default"))
        unsetenv("OPENBLAS_CORETYPE");
      else
        setenv("OPENBLAS_CORETYPE", ct, 1);
      char s1[32], s2[32], s3[32];
      snprintf(s1, sizeof s1, "%ld", steps);
      snprintf(s2, sizeof s2, "%d", rounds);
      snprintf(s3, sizeof s3, "%ld", every);
      execl("/proc/self/exe", argv[0], "--steps", s1, "--rounds", s2, "--every", s3, "--child",
            (char *)NULL);
      _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = 1;
  }
  return rc;
}
