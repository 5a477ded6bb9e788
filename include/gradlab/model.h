/* model.h — the sequential model: an ordered container of layers that owns them, runs them on a
 * tape (each through glab_layer_forward, so every layer's output is marked for statistics),
 * lists their parameters with qualified names ("2.weight", "3.1.bias"), switches train/eval mode,
 * evaluates on a dataset, and saves/loads its parameters (format in docs/statistics.md). */
#ifndef GRADLAB_MODEL_H
#define GRADLAB_MODEL_H

#include <stddef.h>

#include "gradlab/data.h"
#include "gradlab/layer.h"
#include "gradlab/tape.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glab_model glab_model;

/* ---- Losses ------------------------------------------------------------------------------- */

typedef enum glab_loss_kind {
  GLAB_LOSS_MSE,           /* mean over all elements of (out - target)² */
  GLAB_LOSS_CROSS_ENTROPY, /* softmax cross-entropy from logits [B][K], class labels */
  GLAB_LOSS_BCE            /* binary cross-entropy from logits, mean over all elements */
} glab_loss_kind;
/* "mse" "cross_entropy" "bce" <-> kind. Parse returns GLAB_ERR_ARG naming the choices. */
int glab_loss_parse(const char *name, glab_loss_kind *out);
const char *glab_loss_name(glab_loss_kind kind);

/* The loss node for a batch: `targets` are rows × width reals (mse/bce; for class data the
 * one-hot rows), `labels` class indices (cross_entropy). Shapes are checked with a message
 * naming the loss and both shapes. NULL on error. */
glab_var *glab_loss_apply(glab_tape *tape, glab_loss_kind kind, glab_var *out,
                          const glab_real *targets, size_t ntargets, const int *labels,
                          size_t nlabels);

/* ---- The model ---------------------------------------------------------------------------- */

/* A sequential model of n layers. Takes ownership of the layers (also on failure: they are
 * destroyed). Unnamed layers are named by position: "1", "2", ... and their children "3.1"...
 * (1-based, as Lua). NULL and a message on failure. */
glab_model *glab_model_create(glab_layer **layers, int n);
void glab_model_destroy(glab_model *m);

/* The model's own name (NULL: none, the default). A study that trains several networks in one
 * run names each, so that their rows in metrics.csv stay apart: a named model's rows say
 * "NAME/3" for its layer 3 and "NAME/model" for the whole network (loss, gradient norm), where
 * an unnamed model's say "3" and "model". A name is 1..200 bytes of printable text without '/';
 * anything else is GLAB_ERR_ARG naming it. NULL clears it. */
int glab_model_set_name(glab_model *m, const char *name);
/* Whether `name` is a valid model name (GLAB_OK), else GLAB_ERR_ARG with the message. */
int glab_model_check_name(const char *name);
const char *glab_model_name(const glab_model *m);
/* The layer column of a metrics.csv row about `layer` (a layer's name, or "model") of m:
 * "NAME/layer" for a named model, else `layer` itself. Formatted into buf[size] when it fits,
 * else into a malloc'ed string stored in *heap (free it; set to NULL when unused); NULL when
 * there is no memory. */
const char *glab_model_row_layer(const glab_model *m, const char *layer, char *buf, size_t size,
                                 char **heap);

/* Top-level layers (0-based index here; their names are 1-based). */
int glab_model_nlayers(const glab_model *m);
glab_layer *glab_model_layer(const glab_model *m, int i);
/* Every layer, nested ones included, depth first, parents before their children. */
int glab_model_nall(const glab_model *m);
glab_layer *glab_model_all(const glab_model *m, int i);
/* A layer (nested included) by name ("3", "3.1" or a given name), or NULL with an error. */
glab_layer *glab_model_find(const glab_model *m, const char *name);

/* Run every layer on `x`. Shape errors name the layer (index, name, type) and the shapes.
 * The input node is kept (glab_model_input) so that dL/d(input) can be read after backward. */
glab_var *glab_model_forward(glab_model *m, glab_tape *tape, glab_var *x);
/* The input node of the last forward (valid until the tape is reset), or NULL. */
glab_var *glab_model_input(const glab_model *m);

/* Trained parameters of every layer (nested included, buffers excluded), in layer order. */
int glab_model_nparams(const glab_model *m);
glab_var *const *glab_model_params(const glab_model *m);
const char *glab_model_param_name(const glab_model *m, int i); /* "2.weight" */
glab_layer *glab_model_param_layer(const glab_model *m, int i);
/* Total number of trained scalars. */
size_t glab_model_param_count(const glab_model *m);

void glab_model_zero_grad(glab_model *m);
void glab_model_set_training(glab_model *m, int training);
int glab_model_is_training(const glab_model *m);

/* A printable table: one line per layer (nested indented) with name, type, parameter shapes and
 * counts, and a total. malloc'd; free() it. `input_shape` (may be NULL) adds each layer's output
 * shape, computed by a forward on a zero batch of one item (ndim/shape of one item). */
char *glab_model_describe(glab_model *m, int input_ndim, const int *input_shape);

/* ---- Evaluation --------------------------------------------------------------------------- */

typedef struct glab_eval_result {
  double loss;     /* mean over items */
  double accuracy; /* fraction correct, NaN when it has no meaning (see below) */
  size_t items;
} glab_eval_result;

/* Loss and accuracy over the whole dataset, in batches of `batch` (0: 256), in eval mode (the
 * previous mode is restored), no statistics recorded, parameters' gradients untouched.
 * Accuracy: class data with K>1 outputs: argmax == label; one output column: prediction
 * out > 0.5 (mse) or out > 0 (bce logits) against target > 0.5 (or the class label); real
 * targets with several columns: NaN. mse/bce on class data compare K outputs with the one-hot
 * rows, or one output with the label itself (2 classes); one output for any other number of
 * classes is an error naming the loss, the classes and the output (so in glab_train). */
int glab_evaluate(glab_model *m, glab_dataset *data, glab_loss_kind loss, size_t batch,
                  glab_eval_result *out);

/* ---- Saving and loading (model_io.c; the format is in docs/statistics.md) ---------------- */

/* Write every layer's name and type, and every parameter and buffer with its qualified name and
 * shape (format version 2). Written to a temporary file and renamed, so a crash never leaves
 * half a file (glab_write_file_atomic: an existing FIFO, device node or directory at `path` is
 * refused, a symbolic link is followed). */
int glab_model_save(const glab_model *m, const char *path);
/* Read a file written by glab_model_save into this model. The names and shapes must match
 * exactly, and so must the layers and their types (version 2 files; version 1 files hold no
 * types); otherwise GLAB_ERR_FORMAT naming the layer, the parameter and both shapes (or both
 * types), and the model is left unchanged. */
int glab_model_load(glab_model *m, const char *path);

#ifdef __cplusplus
}
#endif
#endif
