/* train.h — training: the manual loop (a glab_trainer: forward, loss, backward, step, with the
 * same statistics recording and non-finite events as the helper) and the glab_train helper
 * (epochs of shuffled batches with callbacks).
 *
 * Step numbering: a step is one backward; steps count from 1 per trainer. Statistics are recorded
 * at steps where step % record_every == 0.
 * Non-finite values: a NaN/inf loss, parameter gradient or layer output gradient is an *event*
 * (step, epoch, layer, tensor), never silent. Policy: STOP (default: end training; glab_train
 * returns GLAB_OK with result->stopped = GLAB_STOP_NONFINITE), RAISE (glab_train returns
 * GLAB_ERR_NONFINITE with a message naming step, layer and tensor), CONTINUE (the event is kept,
 * that step's parameter update is skipped, training goes on). */
#ifndef GRADLAB_TRAIN_H
#define GRADLAB_TRAIN_H

#include <stddef.h>

#include "gradlab/data.h"
#include "gradlab/model.h"
#include "gradlab/optim.h"
#include "gradlab/rng.h"
#include "gradlab/stats.h"
#include "gradlab/tape.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glab_runlog glab_runlog;

typedef enum glab_nonfinite_policy {
  GLAB_NONFINITE_STOP = 0,
  GLAB_NONFINITE_RAISE,
  GLAB_NONFINITE_CONTINUE
} glab_nonfinite_policy;
/* "stop" "raise" "continue" <-> policy. */
int glab_nonfinite_parse(const char *name, glab_nonfinite_policy *out);
const char *glab_nonfinite_name(glab_nonfinite_policy p);

typedef struct glab_event {
  long step;
  int epoch;
  char layer[64];  /* "model" for the loss, else the layer's name */
  char tensor[64]; /* "loss", "output_grad", "params.weight.grad" */
  char kind[16];   /* "nonfinite" */
  char message[160];
} glab_event;

#define GLAB_MAX_EVENTS 64 /* events kept per trainer (the total is counted) */

/* ---- The manual loop ---------------------------------------------------------------------- */

typedef struct glab_trainer glab_trainer;

/* A trainer for `model` (which must outlive it): a tape, a recorder (every 1), the step counter
 * and the events. NULL on no memory. */
glab_trainer *glab_trainer_create(glab_model *model);
void glab_trainer_destroy(glab_trainer *tr);
glab_model *glab_trainer_model(const glab_trainer *tr);
glab_tape *glab_trainer_tape(const glab_trainer *tr);
glab_recorder *glab_trainer_recorder(const glab_trainer *tr);
void glab_trainer_set_policy(glab_trainer *tr, glab_nonfinite_policy p);
glab_nonfinite_policy glab_trainer_policy(const glab_trainer *tr);
void glab_trainer_set_record_every(glab_trainer *tr, long every); /* 0: never */
/* metrics.csv rows and events also go to this run log (NULL: none). */
void glab_trainer_set_runlog(glab_trainer *tr, glab_runlog *log);
void glab_trainer_set_epoch(glab_trainer *tr, int epoch);
int glab_trainer_epoch(const glab_trainer *tr);
long glab_trainer_steps(const glab_trainer *tr); /* backward calls so far */

/* Reset the tape now (every node of the previous step becomes invalid). Also done by
 * glab_trainer_forward when the previous forward has been backward'd. The generation counts
 * resets, so a binding can tell a stale node from a live one. */
void glab_trainer_reset(glab_trainer *tr);
unsigned long glab_trainer_generation(const glab_trainer *tr);

/* Forward a batch (copied to a tape leaf that needs a gradient, for dL/d(input)). */
glab_var *glab_trainer_forward(glab_trainer *tr, const glab_tensor *x);
/* A loss on the trainer's tape (see glab_loss_apply). */
glab_var *glab_trainer_loss(glab_trainer *tr, glab_loss_kind kind, glab_var *out,
                            const glab_real *targets, size_t ntargets, const int *labels,
                            size_t nlabels);
/* Backward from `loss` (one element): counts the step, records statistics if due (capture),
 * turns a non-finite loss / gradient into an event. Returns GLAB_OK, or GLAB_ERR_NONFINITE
 * (message naming step, layer, tensor) when the policy is STOP or RAISE. Parameter gradients
 * accumulate: call glab_model_zero_grad (or glab_trainer_zero_grad) before. */
int glab_trainer_backward(glab_trainer *tr, glab_var *loss);
void glab_trainer_zero_grad(glab_trainer *tr);
/* The optimizer step over the model's parameters, then the recorder's commit (updates and
 * update ratios). A non-finite gradient: event, no update, GLAB_ERR_NONFINITE unless CONTINUE. */
int glab_trainer_step(glab_trainer *tr, glab_optimizer *opt);
/* dL/d(input) of the last forward/backward, or NULL (no backward yet / tape reset). */
glab_var *glab_trainer_input(const glab_trainer *tr);

int glab_trainer_nevents(const glab_trainer *tr);        /* kept (<= GLAB_MAX_EVENTS) */
long glab_trainer_nevents_total(const glab_trainer *tr); /* all, including dropped */
const glab_event *glab_trainer_event(const glab_trainer *tr, int i);

/* ---- The helper --------------------------------------------------------------------------- */

typedef struct glab_step_info {
  long step;
  int epoch;    /* 1-based */
  size_t batch; /* 1-based batch index within the epoch */
  size_t items; /* items in this batch */
  double loss;
  double grad_norm;        /* global gradient norm before clipping (NaN if no step was taken) */
  const glab_event *event; /* the non-finite event of this step, or NULL */
} glab_step_info;

typedef struct glab_epoch_info {
  int epoch;
  long steps;      /* total so far */
  double loss;     /* mean batch loss over the epoch (finite batches) */
  double accuracy; /* on the training batches as they went (NaN if meaningless) */
} glab_epoch_info;

/* Callbacks return GLAB_TRAIN_CONTINUE, GLAB_TRAIN_STOP (end training normally), or
 * GLAB_TRAIN_ABORT (end with an error: glab_train returns GLAB_ERR_STATE, keeping the message the
 * callback set with glab_error, if any — how a Lua error in a callback travels). */
enum { GLAB_TRAIN_CONTINUE = 0, GLAB_TRAIN_STOP = 1, GLAB_TRAIN_ABORT = -1 };
typedef int (*glab_step_fn)(void *ctx, const glab_step_info *info);
typedef int (*glab_epoch_fn)(void *ctx, const glab_epoch_info *info);

typedef struct glab_train_opts {
  glab_model *model;         /* required (unless trainer is given) */
  glab_dataset *data;        /* required */
  glab_loss_kind loss;       /* default MSE */
  glab_optimizer *optimizer; /* required */
  int epochs;                /* default 1 */
  size_t batch;              /* default 10 */
  int shuffle;               /* default 1: each epoch in a new order from rng */
  int drop_last;     /* default 0; 1: skip each epoch's last partial batch (n % batch items) —
                        an error when batch > the dataset's size (no batch would be left) */
  double clip_norm;  /* NaN (default): leave the optimizer's; 0 disables */
  double clip_value; /* likewise (< 0 or inf: an error, see set_clipping) */
  long record_every; /* default 1; 0 = no statistics */
  glab_nonfinite_policy on_nonfinite; /* default STOP */
  glab_step_fn on_step;               /* may be NULL */
  glab_epoch_fn on_epoch;             /* may be NULL */
  void *ctx;                          /* passed to the callbacks */
  glab_rng *rng;                      /* NULL: glab_default_rng() */
  glab_trainer *trainer; /* NULL: a private one; given: its tape, recorder, steps, events
                            and run log are used (statistics stay queryable after) */
  glab_runlog *runlog;   /* NULL: none (or the trainer's) */
} glab_train_opts;
void glab_train_opts_init(glab_train_opts *o);

typedef enum glab_stop_reason {
  GLAB_STOP_DONE = 0, /* all epochs ran */
  GLAB_STOP_CALLBACK, /* a callback returned GLAB_TRAIN_STOP */
  GLAB_STOP_NONFINITE /* a non-finite event under the STOP policy */
} glab_stop_reason;

typedef struct glab_train_result {
  long steps;       /* steps taken in this call */
  int epochs;       /* epochs completed */
  double loss;      /* mean loss of the last (possibly partial) epoch */
  double accuracy;  /* training accuracy of that epoch (NaN if meaningless) */
  double last_loss; /* loss of the last batch */
  glab_stop_reason stopped;
  long nevents;           /* non-finite events in this call */
  glab_event first_event; /* valid when nevents > 0 */
} glab_train_result;

/* Train. Buffers are allocated once; a step allocates nothing once warm. MSE on class data uses
 * one-hot targets; cross_entropy needs class data. Returns GLAB_OK (see result->stopped),
 * GLAB_ERR_NONFINITE under RAISE, GLAB_ERR_STATE on a callback abort, or another error (bad
 * options, shapes — the message names the layer). `result` may be NULL. */
int glab_train(const glab_train_opts *opts, glab_train_result *result);

#ifdef __cplusplus
}
#endif
#endif
