/* train.c — the trainer (manual loop: forward, loss, backward, step, with statistics recording
 * and non-finite events) and glab_train (epochs of shuffled batches with callbacks).
 * Buffers are allocated once per glab_train call; a warm step allocates nothing (the tape's arena
 * is recycled, the batch goes straight into a tape leaf). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/config.h"
#include "gradlab/error.h"
#include "gradlab/runlog.h"
#include "gradlab/train.h"
#include "smt_internal.h"

struct glab_trainer {
  glab_model *model;
  glab_tape *tape;
  glab_recorder *rec;
  glab_runlog *log;
  glab_nonfinite_policy policy;
  long steps;
  int epoch;
  unsigned long gen;
  int backwarded;         /* the tape's forward has been backward'd */
  int skip_update;        /* this step had a non-finite event: the update is skipped */
  glab_var *input;        /* input leaf of our last forward */
  unsigned long fwd_mark; /* model forward count right after our forward */
  glab_event events[GLAB_MAX_EVENTS];
  int nev;
  long nev_total;
  const glab_event *step_event; /* event of the current step, or NULL */
};

static const char *const policy_names[] = {"stop", "raise", "continue"};

int glab_nonfinite_parse(const char *name, glab_nonfinite_policy *out) {
  for (int i = 0; name && i < 3; i++)
    if (!strcmp(name, policy_names[i])) {
      *out = (glab_nonfinite_policy)i;
      return GLAB_OK;
    }
  const char *near = glab_name_suggest(policy_names, 3, name);
  return glab_error(
      GLAB_ERR_ARG, "on_nonfinite: unknown policy '%s'%s%s%s (choose stop, raise or continue)",
      name ? name : "(null)", near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

const char *glab_nonfinite_name(glab_nonfinite_policy p) {
  return (unsigned)p < 3 ? policy_names[p] : "?";
}

glab_trainer *glab_trainer_create(glab_model *model) {
  if (!model) {
    glab_error(GLAB_ERR_ARG, "trainer: NULL model");
    return NULL;
  }
  glab_trainer *tr = calloc(1, sizeof *tr);
  if (!tr) goto nomem;
  tr->model = model;
  tr->tape = glab_tape_create();
  tr->rec = glab_recorder_create(model, NULL);
  if (!tr->tape || !tr->rec) goto nomem;
  return tr;
nomem:
  glab_trainer_destroy(tr);
  glab_error(GLAB_ERR_NOMEM, "trainer: out of memory");
  return NULL;
}

void glab_trainer_destroy(glab_trainer *tr) {
  if (!tr) return;
  glab_tape_destroy(tr->tape);
  glab_recorder_destroy(tr->rec);
  free(tr);
}

glab_model *glab_trainer_model(const glab_trainer *tr) {
  return tr ? tr->model : NULL;
}
glab_tape *glab_trainer_tape(const glab_trainer *tr) {
  return tr ? tr->tape : NULL;
}
glab_recorder *glab_trainer_recorder(const glab_trainer *tr) {
  return tr ? tr->rec : NULL;
}
void glab_trainer_set_policy(glab_trainer *tr, glab_nonfinite_policy p) {
  if (tr) tr->policy = p;
}
glab_nonfinite_policy glab_trainer_policy(const glab_trainer *tr) {
  return tr ? tr->policy : GLAB_NONFINITE_STOP;
}
void glab_trainer_set_record_every(glab_trainer *tr, long every) {
  if (tr) glab_recorder_set_every(tr->rec, every);
}
void glab_trainer_set_runlog(glab_trainer *tr, glab_runlog *log) {
  if (!tr) return;
  tr->log = log;
  glab_recorder_set_runlog(tr->rec, log);
}
void glab_trainer_set_epoch(glab_trainer *tr, int epoch) {
  if (tr) tr->epoch = epoch;
}
int glab_trainer_epoch(const glab_trainer *tr) {
  return tr ? tr->epoch : 0;
}
long glab_trainer_steps(const glab_trainer *tr) {
  return tr ? tr->steps : 0;
}
unsigned long glab_trainer_generation(const glab_trainer *tr) {
  return tr ? tr->gen : 0;
}
int glab_trainer_nevents(const glab_trainer *tr) {
  return tr ? tr->nev : 0;
}
long glab_trainer_nevents_total(const glab_trainer *tr) {
  return tr ? tr->nev_total : 0;
}
const glab_event *glab_trainer_event(const glab_trainer *tr, int i) {
  return tr && i >= 0 && i < tr->nev ? &tr->events[i] : NULL;
}

void glab_trainer_reset(glab_trainer *tr) {
  if (!tr) return;
  glab_recorder_commit(tr->rec, NULL); /* a capture must not outlive its nodes */
  glab_tape_reset(tr->tape);
  tr->gen++;
  tr->backwarded = 0;
  tr->input = NULL;
  tr->fwd_mark = 0;
}

void glab_trainer_zero_grad(glab_trainer *tr) {
  if (tr) glab_model_zero_grad(tr->model);
}

static glab_var *forward_var(glab_trainer *tr, glab_var *x) {
  glab_var *y = glab_model_forward(tr->model, tr->tape, x);
  tr->input = x;
  tr->fwd_mark = glab_model_forward_count(tr->model);
  return y;
}

glab_var *glab_trainer_forward(glab_trainer *tr, const glab_tensor *x) {
  if (!tr || !x) {
    glab_error(GLAB_ERR_ARG, "forward: NULL %s", !tr ? "trainer" : "input");
    return NULL;
  }
  if (tr->backwarded) glab_trainer_reset(tr);
  glab_var *in = glab_tape_input(tr->tape, x, 1);
  return in ? forward_var(tr, in) : NULL;
}

glab_var *glab_trainer_loss(glab_trainer *tr, glab_loss_kind kind, glab_var *out,
                            const glab_real *targets, size_t ntargets, const int *labels,
                            size_t nlabels) {
  if (!tr) {
    glab_error(GLAB_ERR_ARG, "loss: NULL trainer");
    return NULL;
  }
  return glab_loss_apply(tr->tape, kind, out, targets, ntargets, labels, nlabels);
}

glab_var *glab_trainer_input(const glab_trainer *tr) {
  return tr && tr->backwarded && tr->input && tr->input->grad ? tr->input : NULL;
}

/* Cut an incomplete UTF-8 character off the end of s (left by snprintf into a fixed field when
 * a long layer name does not fit), so the event stays valid UTF-8 in JSON and Lua. */
static void utf8_tidy(char *s) {
  size_t n = strlen(s), i = n;
  while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
    i--;
  if (i == 0) return;
  unsigned char lead = (unsigned char)s[i - 1];
  size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (n - (i - 1) < want) s[i - 1] = '\0';
}

/* Record an event; returns the status the policy asks for. */
/* A metrics.csv row about the whole network: layer "model", or "NAME/model" for a named model
 * (glab_model_set_name), so that several models' rows in one run stay apart. */
static void model_metric(glab_trainer *tr, const char *tensor, const char *stat, double value) {
  char buf[256], *heap;
  const char *layer = glab_model_row_layer(tr->model, "model", buf, sizeof buf, &heap);
  glab_runlog_metric(tr->log, tr->steps, tr->epoch, layer ? layer : "model", tensor, stat, value);
  free(heap);
}

static int nonfinite_event(glab_trainer *tr, const char *layer, const char *tensor,
                           const char *what) {
  glab_event ev;
  memset(&ev, 0, sizeof ev);
  ev.step = tr->steps;
  ev.epoch = tr->epoch;
  snprintf(ev.layer, sizeof ev.layer, "%s", layer);
  snprintf(ev.tensor, sizeof ev.tensor, "%s", tensor);
  snprintf(ev.kind, sizeof ev.kind, "nonfinite");
  /* the policy is part of the message: two runs' events at the same step stay distinguishable */
  snprintf(ev.message, sizeof ev.message,
           "non-finite %s at step %ld (epoch %d): layer %s, tensor %s (policy %s)", what, ev.step,
           ev.epoch, layer, tensor, glab_nonfinite_name(tr->policy));
  utf8_tidy(ev.layer);
  utf8_tidy(ev.tensor);
  utf8_tidy(ev.message);
  tr->nev_total++;
  const glab_event *kept = NULL;
  if (tr->nev < GLAB_MAX_EVENTS) {
    tr->events[tr->nev] = ev;
    kept = &tr->events[tr->nev++];
  }
  tr->step_event = kept ? kept : &tr->events[GLAB_MAX_EVENTS - 1];
  if (tr->log)
    glab_runlog_add_event(tr->log, ev.step, ev.epoch, ev.layer, ev.tensor, ev.kind, ev.message);
  tr->skip_update = 1;
  if (tr->policy == GLAB_NONFINITE_CONTINUE) return GLAB_OK;
  return glab_error(GLAB_ERR_NONFINITE, "%s", ev.message);
}

/* After a capture: the first non-finite gradient in backward order (last layer first). */
static int check_captured(glab_trainer *tr) {
  for (int i = glab_recorder_nlayers(tr->rec) - 1; i >= 0; i--) {
    const glab_layer_record *r = glab_recorder_pending(tr->rec, i);
    if (!r) return GLAB_OK;
    if (r->has_output_grad && r->output_grad.nonfinite)
      return nonfinite_event(tr, r->layer, "output_grad", "gradient");
    for (int j = 0; j < r->nparams; j++)
      if (!r->params[j].is_buffer && r->params[j].grad.nonfinite) {
        char tensor[64];
        snprintf(tensor, sizeof tensor, "params.%s.grad", r->params[j].name);
        return nonfinite_event(tr, r->layer, tensor, "gradient");
      }
  }
  return GLAB_OK;
}

/* Without a capture: find the parameter whose gradient is non-finite (last layer first). */
static int check_params(glab_trainer *tr) {
  int n = glab_model_nparams(tr->model);
  glab_var *const *ps = glab_model_params(tr->model);
  for (int i = n - 1; i >= 0; i--) {
    size_t bad = 0;
    if (ps[i]->grad) glab_norm2(ps[i]->grad, ps[i]->value.size, &bad);
    if (!bad) continue;
    const char *q = glab_model_param_name(tr->model, i);
    const char *layer = glab_layer_name(glab_model_param_layer(tr->model, i));
    char tensor[64];
    snprintf(tensor, sizeof tensor, "params.%s.grad", q + strlen(layer) + 1);
    return nonfinite_event(tr, layer, tensor, "gradient");
  }
  return GLAB_OK;
}

int glab_trainer_backward(glab_trainer *tr, glab_var *loss) {
  if (!tr || !loss) return glab_error(GLAB_ERR_ARG, "backward: NULL %s", !tr ? "trainer" : "loss");
  if (loss->tape != tr->tape)
    return glab_error(GLAB_ERR_STATE, "backward: the loss is not on this model's tape");
  if (loss->value.size != 1)
    return glab_error(GLAB_ERR_SHAPE, "backward: the loss must have one element (has %zu)",
                      loss->value.size);
  glab_recorder_commit(tr->rec, NULL); /* an earlier capture without a step */
  tr->steps++;
  tr->step_event = NULL;
  tr->skip_update = 0;
  tr->backwarded = 1;
  double lv = (double)loss->value.data[0];
  if (tr->log && glab_recorder_due(tr->rec, tr->steps))
    model_metric(tr, "loss", "value", lv);
  if (!isfinite(lv)) return nonfinite_event(tr, "model", "loss", "loss");
  int rc = glab_backward(tr->tape, loss);
  if (rc != GLAB_OK) return rc;
  if (glab_recorder_due(tr->rec, tr->steps) &&
      glab_model_forward_count(tr->model) == tr->fwd_mark) {
    glab_recorder_capture(tr->rec, tr->steps, tr->epoch);
    return check_captured(tr);
  }
  return GLAB_OK;
}

int glab_trainer_step(glab_trainer *tr, glab_optimizer *opt) {
  if (!tr || !opt) return glab_error(GLAB_ERR_ARG, "step: NULL %s", !tr ? "trainer" : "optimizer");
  if (tr->skip_update) {
    glab_recorder_commit(tr->rec, NULL);
    if (tr->policy == GLAB_NONFINITE_CONTINUE) return GLAB_OK;
    return glab_error(GLAB_ERR_NONFINITE, "%s (update skipped)",
                      tr->step_event ? tr->step_event->message : "non-finite step");
  }
  int rc = glab_optimizer_step(opt, glab_model_params(tr->model), glab_model_nparams(tr->model));
  if (rc == GLAB_ERR_NONFINITE) {
    glab_recorder_commit(tr->rec, NULL);
    rc = check_params(tr);
    if (!tr->skip_update) /* the optimizer saw something we cannot place */
      rc = nonfinite_event(tr, "model", "grad", "gradient");
    return rc;
  }
  if (rc != GLAB_OK) {
    glab_recorder_commit(tr->rec, NULL);
    return rc;
  }
  if (tr->log && glab_recorder_due(tr->rec, tr->steps))
    model_metric(tr, "grad", "norm", glab_optimizer_last_grad_norm(opt));
  rc = glab_recorder_commit(tr->rec, opt);
  /* The run folder cannot take more rows (a full disk): stop rather than train on unrecorded. */
  if (rc == GLAB_OK && tr->log && glab_runlog_error(tr->log))
    rc = glab_error(GLAB_ERR_IO, "step %ld: %s", tr->steps, glab_runlog_error(tr->log));
  return rc;
}

/* ---- glab_train ---------------------------------------------------------------------------- */

void glab_train_opts_init(glab_train_opts *o) {
  memset(o, 0, sizeof *o);
  o->loss = GLAB_LOSS_MSE;
  o->epochs = 1;
  o->batch = 10;
  o->shuffle = 1;
  o->clip_norm = NAN;
  o->clip_value = NAN;
  o->record_every = 1;
  o->on_nonfinite = GLAB_NONFINITE_STOP;
}

/* Run a callback; returns 0 to go on, 1 to stop, or an error status (abort). */
static int run_callback(int cb_rc) {
  if (cb_rc == GLAB_TRAIN_CONTINUE) return 0;
  if (cb_rc > 0) return 1;
  if (glab_last_status() == GLAB_OK) glab_error(GLAB_ERR_STATE, "training aborted by a callback");
  return -1;
}

int glab_train(const glab_train_opts *opts, glab_train_result *result) {
  glab_train_result res;
  memset(&res, 0, sizeof res);
  res.loss = res.accuracy = res.last_loss = NAN;
  if (result) *result = res;
  if (!opts) return glab_error(GLAB_ERR_ARG, "train: NULL options");
  glab_model *model = opts->trainer ? glab_trainer_model(opts->trainer) : opts->model;
  if (!model || !opts->data || !opts->optimizer)
    return glab_error(GLAB_ERR_ARG, "train: %s is required",
                      !model        ? "model"
                      : !opts->data ? "data"
                                    : "optimizer");
  if (opts->model && opts->trainer && opts->model != glab_trainer_model(opts->trainer))
    return glab_error(GLAB_ERR_ARG, "train: the trainer belongs to another model");
  if (opts->epochs < 0 || opts->batch == 0 || opts->record_every < 0)
    return glab_error(GLAB_ERR_ARG, "train: epochs must be >= 0, batch > 0, record_every >= 0");
  size_t n = glab_dataset_size(opts->data);
  if (n == 0) return glab_error(GLAB_ERR_ARG, "train: empty dataset");
  size_t nbatches = glab_dataset_num_batches(n, opts->batch, opts->drop_last);
  if (nbatches == 0)
    return glab_error(GLAB_ERR_ARG,
                      "train: drop_last with batch %zu > %zu items leaves no batch to train on",
                      opts->batch, n);
  size_t batch = opts->batch < n ? opts->batch : n;
  glab_rng *rng = opts->rng ? opts->rng : glab_default_rng();
  /* Either given: both are set, the other (NaN, not given) off. Checked before anything moves. */
  if (!isnan(opts->clip_norm) || !isnan(opts->clip_value)) {
    double cn = isnan(opts->clip_norm) ? 0 : opts->clip_norm;
    double cv = isnan(opts->clip_value) ? 0 : opts->clip_value;
    int st = glab_optimizer_set_clipping(opts->optimizer, cn, cv);
    if (st != GLAB_OK) return st;
  }

  glab_trainer *tr = opts->trainer ? opts->trainer : glab_trainer_create(model);
  if (!tr) return glab_error_context("train");
  glab_nonfinite_policy old_policy = tr->policy;
  long old_every = glab_recorder_every(tr->rec);
  glab_runlog *old_log = tr->log;
  tr->policy = opts->on_nonfinite;
  glab_recorder_set_every(tr->rec, opts->record_every);
  if (opts->runlog) glab_trainer_set_runlog(tr, opts->runlog);

  glab_batchbuf b;
  size_t *order = malloc(n * sizeof *order);
  int rc = glab_batchbuf_init(&b, opts->data, batch);
  if (rc == GLAB_OK && !order) rc = glab_error(GLAB_ERR_NOMEM, "train: out of memory");
  if (rc != GLAB_OK) goto done;
  glab_model_set_training(model, 1);
  long nev0 = tr->nev_total;
  int kept0 = tr->nev;
  int stop = 0;
  for (int e = 0; e < opts->epochs && !stop; e++) {
    tr->epoch++;
    for (size_t i = 0; i < n; i++)
      order[i] = i;
    if (opts->shuffle) glab_rng_shuffle(rng, order, n);
    double sum = 0;
    size_t seen = 0, bi = 0;
    long correct = 0;
    int acc_ok = 1;
    for (size_t first = 0; bi < nbatches && !stop; first += batch) {
      size_t k = n - first < batch ? n - first : batch;
      glab_trainer_reset(tr);
      glab_var *x = glab_batchbuf_load(&b, opts->data, order, first, k, tr->tape, 0);
      glab_model_zero_grad(model);
      glab_var *y = x ? forward_var(tr, x) : NULL;
      glab_var *loss = y ? glab_batchbuf_loss(&b, tr->tape, opts->loss, y, k) : NULL;
      if (!loss) {
        rc = glab_error_context("train (epoch %d, batch %zu)", tr->epoch, bi + 1);
        goto done;
      }
      double lv = (double)loss->value.data[0];
      rc = glab_trainer_backward(tr, loss);
      if (rc == GLAB_OK) rc = glab_trainer_step(tr, opts->optimizer);
      res.steps++;
      bi++;
      res.last_loss = lv;
      if (isfinite(lv)) {
        sum += lv * (double)k;
        seen += k;
      }
      long c = glab_batchbuf_correct(&b, opts->loss, y, k);
      if (c < 0)
        acc_ok = 0;
      else
        correct += c;
      if (rc == GLAB_ERR_NONFINITE && tr->policy == GLAB_NONFINITE_STOP) {
        res.stopped = GLAB_STOP_NONFINITE;
        stop = 1;
        rc = GLAB_OK;
      } else if (rc != GLAB_OK) {
        goto done;
      }
      if (opts->on_step) {
        glab_step_info info = {tr->steps,
                               tr->epoch,
                               bi,
                               k,
                               lv,
                               tr->skip_update ? NAN
                                               : glab_optimizer_last_grad_norm(opts->optimizer),
                               tr->step_event};
        glab_clear_error();
        int cb = run_callback(opts->on_step(opts->ctx, &info));
        if (cb < 0) {
          rc = GLAB_ERR_STATE;
          if (glab_last_status() != GLAB_OK) rc = glab_last_status();
          goto done;
        }
        if (cb > 0 && !stop) res.stopped = GLAB_STOP_CALLBACK, stop = 1;
      }
    }
    res.loss = seen ? sum / (double)seen : NAN;
    res.accuracy = acc_ok && seen ? (double)correct / (double)seen : NAN;
    if (tr->log) {
      model_metric(tr, "loss", "epoch_mean", res.loss);
      if (!isnan(res.accuracy)) model_metric(tr, "accuracy", "epoch_mean", res.accuracy);
    }
    if (!stop || res.stopped == GLAB_STOP_CALLBACK) res.epochs++;
    if (opts->on_epoch && !stop) {
      glab_epoch_info info = {tr->epoch, tr->steps, res.loss, res.accuracy};
      glab_clear_error();
      int cb = run_callback(opts->on_epoch(opts->ctx, &info));
      if (cb < 0) {
        rc = glab_last_status() != GLAB_OK ? (int)glab_last_status() : GLAB_ERR_STATE;
        goto done;
      }
      if (cb > 0) res.stopped = GLAB_STOP_CALLBACK, stop = 1;
    }
  }
  if (tr->log) { /* the summary's final metrics */
    glab_runlog_set_final(tr->log, "loss", res.loss);
    glab_runlog_set_final(tr->log, "last_loss", res.last_loss);
    if (!isnan(res.accuracy)) glab_runlog_set_final(tr->log, "accuracy", res.accuracy);
    glab_runlog_set_final(tr->log, "steps", (double)tr->steps);
    glab_runlog_set_final(tr->log, "epochs", (double)tr->epoch);
  }
  res.nevents = tr->nev_total - nev0;
  if (res.nevents > 0) res.first_event = tr->events[kept0 < tr->nev ? kept0 : GLAB_MAX_EVENTS - 1];
done:
  glab_recorder_commit(tr->rec, NULL);
  if (rc == GLAB_OK) glab_clear_error();
  free(order);
  glab_batchbuf_free(&b);
  if (opts->trainer) {
    tr->policy = old_policy;
    glab_recorder_set_every(tr->rec, old_every);
    if (opts->runlog) glab_trainer_set_runlog(tr, old_log);
  } else {
    glab_trainer_destroy(tr);
  }
  if (result) *result = res;
  return rc;
}
