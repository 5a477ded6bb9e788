/* model_eval.c — losses by kind, the per-batch buffers shared by training and evaluation (loaded
 * straight into a tape leaf, allocated once), accuracy, and glab_evaluate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/config.h"
#include "gradlab/error.h"
#include "gradlab/model.h"
#include "gradlab/ops.h"
#include "smt_internal.h"

static const char *const loss_names[] = {"mse", "cross_entropy", "bce"};

int glab_loss_parse(const char *name, glab_loss_kind *out) {
  for (int i = 0; name && i < 3; i++)
    if (!strcmp(name, loss_names[i])) {
      *out = (glab_loss_kind)i;
      return GLAB_OK;
    }
  const char *near = glab_name_suggest(loss_names, 3, name); /* "msee": a typo of a name */
  return glab_error(GLAB_ERR_ARG, "unknown loss '%s'%s%s%s (choose mse, cross_entropy or bce)",
                    name ? name : "(null)", near ? "; did you mean '" : "", near ? near : "",
                    near ? "'?" : "");
}

const char *glab_loss_name(glab_loss_kind kind) {
  return (unsigned)kind < 3 ? loss_names[kind] : "?";
}

glab_var *glab_loss_apply(glab_tape *tape, glab_loss_kind kind, glab_var *out,
                          const glab_real *targets, size_t ntargets, const int *labels,
                          size_t nlabels) {
  if (!tape || !out) {
    if (!tape || glab_last_status() == GLAB_OK)
      glab_error(GLAB_ERR_ARG, "%s: NULL %s", glab_loss_name(kind), !tape ? "tape" : "output");
    return NULL;
  }
  char shp[64]; /* the output's shape, formatted only for a message: once per step it was ~6% of
                 * a tiny net's step */
  if (kind == GLAB_LOSS_CROSS_ENTROPY) {
    size_t rows = glab_tensor_rows(&out->value);
    if (!labels || nlabels != rows) {
      glab_shape_str(out->value.ndim, out->value.shape, shp, sizeof shp);
      glab_error(GLAB_ERR_SHAPE, "cross_entropy: logits %s need %zu labels, got %zu", shp, rows,
                 labels ? nlabels : 0);
      return NULL;
    }
    return glab_softmax_xent(tape, out, labels);
  }
  if (kind != GLAB_LOSS_MSE && kind != GLAB_LOSS_BCE) {
    glab_error(GLAB_ERR_ARG, "loss: unknown kind %d", (int)kind);
    return NULL;
  }
  if (!targets || ntargets != out->value.size) {
    glab_shape_str(out->value.ndim, out->value.shape, shp, sizeof shp);
    glab_error(GLAB_ERR_SHAPE, "%s: output %s has %zu elements, targets have %zu",
               glab_loss_name(kind), shp, out->value.size, targets ? ntargets : 0);
    return NULL;
  }
  glab_var *t = glab_tape_leaf(tape, out->value.ndim, out->value.shape, 0);
  if (!t) return NULL;
  memcpy(t->value.data, targets, ntargets * sizeof *targets);
  return kind == GLAB_LOSS_MSE ? glab_mse(tape, out, t) : glab_bce_logits(tape, out, t);
}

/* ---- batches ------------------------------------------------------------------------------ */

int glab_batchbuf_init(glab_batchbuf *b, const glab_dataset *ds, size_t batch) {
  memset(b, 0, sizeof *b);
  if (!ds || batch == 0) return glab_error(GLAB_ERR_ARG, "batch: no data or batch size 0");
  b->batch = batch;
  b->kind = glab_dataset_target_kind(ds);
  b->width = glab_dataset_target_width(ds);
  b->classes = glab_dataset_classes(ds);
  b->indices = malloc(batch * sizeof *b->indices);
  b->targets = b->width > 0 ? malloc(batch * (size_t)b->width * sizeof *b->targets) : NULL;
  b->labels = b->kind == GLAB_TARGET_CLASS ? malloc(batch * sizeof *b->labels) : NULL;
  if (!b->indices || (b->width > 0 && !b->targets) ||
      (b->kind == GLAB_TARGET_CLASS && !b->labels)) {
    glab_batchbuf_free(b);
    return glab_error(GLAB_ERR_NOMEM, "batch: out of memory for %zu items", batch);
  }
  return GLAB_OK;
}

void glab_batchbuf_free(glab_batchbuf *b) {
  free(b->indices);
  free(b->targets);
  free(b->labels);
  memset(b, 0, sizeof *b);
}

glab_var *glab_batchbuf_load(glab_batchbuf *b, const glab_dataset *ds, const size_t *order,
                             size_t first, size_t n, glab_tape *tape, int needs_grad) {
  int shape[GLAB_MAX_DIMS];
  if (n == 0 || n > b->batch) {
    glab_error(GLAB_ERR_ARG, "batch: %zu items for a buffer of %zu", n, b->batch);
    return NULL;
  }
  int nd = glab_dataset_batch_shape(ds, n, shape);
  if (nd <= 0) return NULL;
  for (size_t i = 0; i < n; i++)
    b->indices[i] = order ? order[first + i] : first + i;
  glab_var *x = glab_tape_leaf(tape, nd, shape, needs_grad);
  if (!x) return NULL;
  if (glab_dataset_batch(ds, b->indices, n, &x->value, b->targets, b->labels) != GLAB_OK)
    return NULL;
  return x;
}

glab_var *glab_batchbuf_loss(glab_batchbuf *b, glab_tape *tape, glab_loss_kind kind, glab_var *out,
                             size_t n) {
  if (!out) return NULL;
  if (kind == GLAB_LOSS_CROSS_ENTROPY) {
    if (b->kind != GLAB_TARGET_CLASS) {
      glab_error(GLAB_ERR_ARG, "cross_entropy needs class labels; this data has %s targets",
                 b->kind == GLAB_TARGET_REAL ? "real" : "no");
      return NULL;
    }
    return glab_loss_apply(tape, kind, out, NULL, 0, b->labels, n);
  }
  if (b->kind == GLAB_TARGET_NONE) {
    glab_error(GLAB_ERR_ARG, "%s: the data has no targets", glab_loss_name(kind));
    return NULL;
  }
  if (b->kind == GLAB_TARGET_CLASS && out->value.size == n && b->width != 1) {
    /* One output column for class data: the label itself is the target, which is the 0/1 of
     * binary labels only — for K > 2 classes it would train against raw indices up to K-1. */
    if (b->classes != 2) {
      char shp[64];
      glab_shape_str(out->value.ndim, out->value.shape, shp, sizeof shp);
      glab_error(GLAB_ERR_SHAPE,
                 "loss '%s' on class labels: the data has %d classes and the model gives 1 "
                 "output per item (output %s); give it %d outputs (one-hot targets) or use "
                 "cross_entropy (one output takes the label itself as its 0/1 target: 2 classes "
                 "only)",
                 glab_loss_name(kind), b->classes, shp, b->classes);
      return NULL;
    }
    for (size_t i = 0; i < n; i++)
      b->targets[i] = (glab_real)b->labels[i];
    glab_var *loss = glab_loss_apply(tape, kind, out, b->targets, n, NULL, 0);
    /* restore the one-hot rows for anyone reading them later */
    glab_one_hot(b->labels, n, b->width, b->targets);
    return loss;
  }
  return glab_loss_apply(tape, kind, out, b->targets, n * (size_t)b->width, NULL, 0);
}

long glab_batchbuf_correct(const glab_batchbuf *b, glab_loss_kind kind, const glab_var *out,
                           size_t n) {
  if (!out || glab_tensor_rows(&out->value) != n) return -1;
  size_t cols = glab_tensor_cols(&out->value);
  const glab_real *o = out->value.data;
  double thr = kind == GLAB_LOSS_MSE ? 0.5 : 0.0;
  long correct = 0;
  if (cols > 1) {
    if (b->kind != GLAB_TARGET_CLASS) return -1;
    for (size_t i = 0; i < n; i++) {
      size_t best = 0;
      for (size_t j = 1; j < cols; j++)
        if (o[i * cols + j] > o[i * cols + best]) best = j;
      correct += (int)best == b->labels[i];
    }
    return correct;
  }
  if (b->kind == GLAB_TARGET_NONE) return -1;
  if (b->kind == GLAB_TARGET_REAL && b->width != 1) return -1;
  for (size_t i = 0; i < n; i++) {
    int pred = o[i] > thr;
    int truth = b->kind == GLAB_TARGET_CLASS ? b->labels[i] != 0 : b->targets[i] > 0.5;
    correct += pred == truth;
  }
  return correct;
}

/* ---- evaluation ---------------------------------------------------------------------------- */

int glab_evaluate(glab_model *m, glab_dataset *data, glab_loss_kind loss, size_t batch,
                  glab_eval_result *out) {
  if (!m || !data || !out) return glab_error(GLAB_ERR_ARG, "evaluate: NULL model, data or result");
  out->loss = NAN;
  out->accuracy = NAN;
  out->items = 0;
  size_t n = glab_dataset_size(data);
  if (n == 0) return glab_error(GLAB_ERR_ARG, "evaluate: empty dataset");
  if (batch == 0) batch = 256;
  if (batch > n) batch = n;
  glab_batchbuf b;
  if (glab_batchbuf_init(&b, data, batch) != GLAB_OK) return glab_error_context("evaluate");
  glab_tape *tape = glab_tape_create();
  if (!tape) {
    glab_batchbuf_free(&b);
    return glab_error_context("evaluate");
  }
  /* A step may be waiting for its backward: its nodes are put back after these forwards. */
  glab_model_nodes *saved = glab_model_save_nodes(m);
  if (!saved) {
    glab_tape_destroy(tape);
    glab_batchbuf_free(&b);
    return glab_error_context("evaluate");
  }
  int was = glab_model_is_training(m);
  glab_model_set_training(m, 0);
  double sum = 0;
  long correct = 0;
  int acc_ok = 1, rc = GLAB_OK;
  for (size_t first = 0; first < n; first += batch) {
    size_t k = n - first < batch ? n - first : batch;
    glab_tape_reset(tape);
    glab_var *x = glab_batchbuf_load(&b, data, NULL, first, k, tape, 0);
    glab_var *y = x ? glab_model_forward(m, tape, x) : NULL;
    glab_var *l = y ? glab_batchbuf_loss(&b, tape, loss, y, k) : NULL;
    if (!l) {
      rc = glab_error_context("evaluate (items %zu..%zu)", first + 1, first + k);
      break;
    }
    sum += (double)l->value.data[0] * (double)k;
    long c = glab_batchbuf_correct(&b, loss, y, k);
    if (c < 0)
      acc_ok = 0;
    else
      correct += c;
  }
  glab_model_set_training(m, was);
  glab_model_restore_nodes(m, saved);
  glab_tape_destroy(tape);
  glab_batchbuf_free(&b);
  if (rc != GLAB_OK) return rc;
  out->items = n;
  out->loss = sum / (double)n;
  out->accuracy = acc_ok ? (double)correct / (double)n : NAN;
  return GLAB_OK;
}
