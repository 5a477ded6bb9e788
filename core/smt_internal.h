/* smt_internal.h — helpers shared by model.c, train.c and recorder.c (not part of the SDK). */
#ifndef GRADLAB_SMT_INTERNAL_H
#define GRADLAB_SMT_INTERNAL_H

#include "gradlab/data.h"
#include "gradlab/model.h"
#include "gradlab/stats.h"

/* Counts glab_model_forward calls (a side forward undone by glab_model_restore_nodes does not
 * count): the nodes the statistics read belong to the latest one. */
unsigned long glab_model_forward_count(const glab_model *m);
/* The output node (and recurrent step nodes) layer i of glab_model_all had in the last forward
 * of the model; NULL if that forward failed or none ran. Unlike glab_layer_output, these survive
 * a side forward (evaluation, describe) undone with glab_model_restore_nodes. */
glab_var *glab_model_node(const glab_model *m, int i, glab_var ***steps, int *nsteps);
/* Save the nodes of the last forward (input, per-layer outputs and steps, forward count) before a
 * side forward on another tape, and put them back after it (frees `saved`). NULL on NOMEM. */
typedef struct glab_model_nodes glab_model_nodes;
glab_model_nodes *glab_model_save_nodes(glab_model *m);
void glab_model_restore_nodes(glab_model *m, glab_model_nodes *saved);

/* The record being captured (after glab_recorder_capture, before commit), or NULL. */
const glab_layer_record *glab_recorder_pending(const glab_recorder *r, int i);

/* Per-batch buffers of a training or evaluation loop, sized once for `batch` items. */
typedef struct glab_batchbuf {
  glab_real *targets; /* batch × width (mse/bce; one-hot for class data) */
  int *labels;        /* batch (class data) */
  size_t *indices;    /* batch */
  size_t batch;
  int width;
  glab_target_kind kind;
  int classes;
} glab_batchbuf;

int glab_batchbuf_init(glab_batchbuf *b, const glab_dataset *ds, size_t batch);
void glab_batchbuf_free(glab_batchbuf *b);
/* Load items order[first .. first+n-1] (or first..first+n-1 if order is NULL): the inputs straight
 * into a new tape leaf (needs_grad as given), targets and labels into the buffers. NULL on error.
 */
glab_var *glab_batchbuf_load(glab_batchbuf *b, const glab_dataset *ds, const size_t *order,
                             size_t first, size_t n, glab_tape *tape, int needs_grad);
/* The loss of a loaded batch of n items for `out` (class data with one output column uses the
 * label itself as the 0/1 target of mse/bce: 2 classes only, other class counts are an error). */
glab_var *glab_batchbuf_loss(glab_batchbuf *b, glab_tape *tape, glab_loss_kind kind, glab_var *out,
                             size_t n);
/* Correct predictions in the batch, or -1 when accuracy has no meaning for it. */
long glab_batchbuf_correct(const glab_batchbuf *b, glab_loss_kind kind, const glab_var *out,
                           size_t n);

#endif
