/* stats.h — gradient statistics: the summary of one tensor (count, L2 norm, mean, std, min, max,
 * mean |x|, fraction zero, non-finite count), the derived quantities (update/weight ratio,
 * saturation and dead fractions), and the recorder that keeps them per layer and per recorded
 * step in bounded memory, queryable by dotted path and written as tidy CSV rows.
 *
 * Vanishing gradients are the subject, so the statistics must not vanish themselves: everything
 * is accumulated in double, and the L2 norm is a scaled sum of squares (as BLAS nrm2): a float
 * tensor of 1e-25 entries has norm ~1e-25·sqrt(n), never 0, and 1e30 entries never overflow.
 * Non-finite entries (NaN, ±inf) are counted in `nonfinite` and left out of every other
 * statistic. See docs/statistics.md. */
#ifndef GRADLAB_STATS_H
#define GRADLAB_STATS_H

#include <stddef.h>

#include "gradlab/layer.h"
#include "gradlab/optim.h"
#include "gradlab/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glab_model glab_model;
typedef struct glab_runlog glab_runlog;

/* ---- One tensor --------------------------------------------------------------------------- */

/* The summary S of one tensor. count = all elements; nonfinite = how many are NaN/±inf; every
 * other field is over the finite elements only (n_f = count - nonfinite):
 *   norm = sqrt(sum x²) (scaled, no under/overflow), mean = sum x / n_f,
 *   std = sqrt(sum (x-mean)² / n_f) (population std), min, max, mean_abs = sum |x| / n_f,
 *   frac_zero = (number of entries exactly 0) / count.
 * With no finite element (count == nonfinite, or count == 0) they are all 0. */
typedef struct glab_stats {
  size_t count;
  double norm;
  double mean;
  double std;
  double min;
  double max;
  double mean_abs;
  double frac_zero;
  size_t nonfinite;
} glab_stats;

/* The fields of glab_stats in a fixed order (their names are the `stat` column of metrics.csv
 * and the last part of a history path). */
enum {
  GLAB_STAT_COUNT,
  GLAB_STAT_NORM,
  GLAB_STAT_MEAN,
  GLAB_STAT_STD,
  GLAB_STAT_MIN,
  GLAB_STAT_MAX,
  GLAB_STAT_MEAN_ABS,
  GLAB_STAT_FRAC_ZERO,
  GLAB_STAT_NONFINITE,
  GLAB_STAT_NFIELDS
};
/* "count" "norm" "mean" "std" "min" "max" "mean_abs" "frac_zero" "nonfinite"; NULL if out of range.
 */
const char *glab_stat_name(int field);
/* The index of a field name, or -1. */
int glab_stat_index(const char *name);
/* A field as a double (count and nonfinite converted). */
double glab_stats_get(const glab_stats *s, int field);

/* The statistics of x[0..n-1] in one pass (chunked; accumulated in double). n may be 0. */
void glab_stats_compute(const glab_real *x, size_t n, glab_stats *out);
/* The same for double data (tests, and callers holding doubles). */
void glab_stats_compute_double(const double *x, size_t n, glab_stats *out);
/* The L2 norm alone (scaled, finite entries only); *nonfinite (may be NULL) gets their count. */
double glab_norm2(const glab_real *x, size_t n, size_t *nonfinite);
/* glab_stats_compute of x and glab_norm2 of u (n elements each) in one pass over both (e.g. a
 * parameter's value and its last update). u_norm and u_nonfinite may be NULL. */
void glab_stats_compute_pair(const glab_real *x, const glab_real *u, size_t n, glab_stats *out,
                             double *u_norm, size_t *u_nonfinite);

/* Derived: the update/weight ratio ||update|| / ||weight|| (0 when both are 0; +inf when only the
 * weight is 0). */
double glab_update_ratio(double update_norm, double weight_norm);
/* Derived from an activation output, over its finite entries (0 if none):
 *  GLAB_ACT_SIGMOID: saturated = output < 0.01 or > 0.99;  GLAB_ACT_TANH: |output| > 0.99;
 *  GLAB_ACT_RELU: dead = output <= 0.  Returns the saturation fraction for sigmoid/tanh, the
 * dead fraction for ReLU, and 0 for GLAB_ACT_NONE. */
double glab_act_fraction(const glab_real *x, size_t n, glab_act_kind kind);
/* glab_stats_compute and glab_act_fraction in one pass. */
void glab_stats_compute_act(const glab_real *x, size_t n, glab_act_kind kind, glab_stats *out,
                            double *fraction);

/* ---- The recorder ------------------------------------------------------------------------- */

/* One parameter (or buffer) of a layer in a record. */
typedef struct glab_param_record {
  const char *name;    /* "weight" */
  glab_stats value;    /* the value after the step (or at recording time without a step) */
  glab_stats grad;     /* the gradient after backward, before clipping */
  double update_norm;  /* ||last update|| (NaN when no optimizer step was recorded) */
  double update_ratio; /* ||update|| / ||value|| (value after the step; NaN without a step) */
  int is_buffer;       /* buffers (running_mean...) have value statistics only */
} glab_param_record;

/* Everything recorded about one layer at one step (the record of LUA_API.md). */
typedef struct glab_layer_record {
  const char *layer; /* "3", "3.1" or the given name */
  long step;
  int epoch;
  int has_output_grad; /* 0 if the output node got no gradient */
  glab_stats output_grad;
  int has_activation;
  glab_stats activation;
  double saturation; /* sigmoid/tanh layers, else NaN */
  double dead;       /* ReLU layers, else NaN */
  int nparams;
  glab_param_record *params;
  int ntime;        /* recurrent layers: number of time steps, else 0 */
  glab_stats *time; /* time[t] = S of dL/dh_{t+1} (the total derivative) */
} glab_layer_record;

typedef struct glab_recorder glab_recorder;

typedef struct glab_recorder_opts {
  long every;      /* record every N-th step (step % every == 0); default 1; 0 = never */
  size_t capacity; /* history rows kept in memory before thinning (default 4096, min 16) */
} glab_recorder_opts;
void glab_recorder_opts_init(glab_recorder_opts *o);

/* A recorder for every layer of `model` (nested layers included, parents before children).
 * The model must outlive the recorder. opts may be NULL for the defaults.
 * Memory policy (bounded): each layer keeps a history of at most `capacity` rows. When it is
 * full, every second row is dropped and the keep-stride doubles, so the history always spans
 * the whole run evenly (steps every·2^k apart) — memory is O(capacity), whatever the run length. */
glab_recorder *glab_recorder_create(glab_model *model, const glab_recorder_opts *opts);
void glab_recorder_destroy(glab_recorder *r);
void glab_recorder_set_every(glab_recorder *r, long every);
long glab_recorder_every(const glab_recorder *r);
/* Whether `step` is a recording step (step % every == 0). */
int glab_recorder_due(const glab_recorder *r, long step);
/* Write every record also as rows of metrics.csv to this run log (NULL: stop). */
void glab_recorder_set_runlog(glab_recorder *r, glab_runlog *log);

/* Recording one step, in two phases around the optimizer step:
 *  capture — after backward, before the step: output gradients, activations, time steps,
 *            parameter gradients (before clipping);
 *  commit  — after the step (opt given) or without one (opt NULL): parameter values, updates,
 *            update ratios; the record becomes the latest and enters the history.
 * A capture not committed is committed (without update) by the next capture or a query.
 * Capture reads the nodes of the model's last glab_model_forward (a glab_evaluate or
 * glab_model_describe in between does not replace them); that forward's tape must still be
 * alive. */
int glab_recorder_capture(glab_recorder *r, long step, int epoch);
int glab_recorder_commit(glab_recorder *r, const glab_optimizer *opt);
/* capture + commit (the update of the optimizer's last step, if opt is given). */
int glab_recorder_record(glab_recorder *r, long step, int epoch, const glab_optimizer *opt);

/* Layers, in recording order. */
int glab_recorder_nlayers(const glab_recorder *r);
const char *glab_recorder_layer_name(const glab_recorder *r, int i);
glab_layer *glab_recorder_layer(const glab_recorder *r, int i);
/* Index of a layer by name ("3.1" or given name) or pointer; -1 (and an error) if unknown. */
int glab_recorder_find(const glab_recorder *r, const char *name);
int glab_recorder_find_layer(const glab_recorder *r, const glab_layer *l);

/* The latest committed record of layer i, or NULL before the first one. Valid until the next
 * capture. */
const glab_layer_record *glab_recorder_latest(glab_recorder *r, int i);

/* History of layer i by dotted path into the record, e.g. "output_grad.norm",
 * "activation.saturation", "activation.dead", "params.weight.norm", "params.weight.grad.std",
 * "params.weight.update_ratio", "params.weight.update_norm", "time.3.norm" (t is 1-based).
 * Fills up to `max` values (and their steps/epochs if not NULL) oldest first, and returns the
 * number of rows available (call with max = 0 to size buffers). Rows where the value was not
 * recorded (e.g. a time step beyond that step's sequence length) hold NaN.
 * Returns -1 and sets an error naming the path for an unknown path (the rules are those of
 * glab_recorder_check_path). */
long glab_recorder_history(glab_recorder *r, int i, const char *path, double *values, long *steps,
                           int *epochs, size_t max);
/* Check a history path of layer i as glab_recorder_history reads it: path[0..len) (a byte 0
 * inside makes it unknown; bindings pass their string's length). Paths are strict: a time step
 * is a whole number from 1 written in plain digits, at most INT_MAX ("time.+1.norm",
 * "time. 1.norm", "time.01.norm" are errors), time steps keep their norm only, and time.<t> of a
 * layer whose records have no time steps is an error; every part is one the record has. An
 * unknown path is an error naming the layer and its type, showing a long path cut to its first
 * 40 bytes and its length. GLAB_OK or the error status. */
int glab_recorder_check_path(glab_recorder *r, int i, const char *path, size_t len);
/* Rows kept in the history (the same for every layer) and the current keep-stride in steps. */
size_t glab_recorder_nrows(const glab_recorder *r);
long glab_recorder_stride(const glab_recorder *r);
/* Bytes the recorder holds (for tests of the memory bound). */
size_t glab_recorder_memory(const glab_recorder *r);
/* Forget the history and the latest records. */
void glab_recorder_clear(glab_recorder *r);

#ifdef __cplusplus
}
#endif
#endif
