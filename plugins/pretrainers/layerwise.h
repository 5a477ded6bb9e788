/* layerwise.h — what the greedy layer-wise pretrainers share (header-only, private to plugins/
 * pretrainers): choosing the dense layers to pretrain, and producing a dense layer's input by
 * running the layers below it on a batch, cut from the graph so no gradient reaches them. */
#ifndef GRADLAB_PLUGINS_LAYERWISE_H
#define GRADLAB_PLUGINS_LAYERWISE_H

#include <stdlib.h>
#include <string.h>

#include <gradlab/data.h>
#include <gradlab/model.h>
#include <gradlab/plugin.h>

/* One unit of pretraining: a top-level dense layer and the activation layer right after it. */
typedef struct lw_unit {
  int index;          /* 0-based top-level index of the dense layer */
  glab_layer *dense;
  glab_layer *act;    /* NULL: linear encoder */
  glab_act_kind act_kind;
  double relu_slope;
  int inputs, outputs;
} lw_unit;

static inline int lw_is_dense(const glab_layer *l) {
  return strcmp(glab_layer_get_type(l)->name, "dense") == 0;
}

static inline void lw_describe_unit(glab_model *m, int i, lw_unit *u) {
  memset(u, 0, sizeof *u);
  u->index = i;
  u->dense = glab_model_layer(m, i);
  glab_var *w = glab_layer_param(u->dense, "weight");
  u->inputs = w->value.shape[0];
  u->outputs = w->value.shape[1];
  if (i + 1 < glab_model_nlayers(m)) {
    glab_layer *next = glab_model_layer(m, i + 1);
    const glab_layer_type *t = glab_layer_get_type(next);
    if (t->activation != GLAB_ACT_NONE && glab_layer_nparams(next) == 0) {
      u->act = next;
      u->act_kind = t->activation;
      if (t->activation == GLAB_ACT_RELU && glab_config_has(glab_layer_config(next), "slope"))
        u->relu_slope = glab_config_real(glab_layer_config(next), "slope");
    }
  }
}

/* The units named by the `layers` option (1-based top-level indices), or every dense layer.
 * Returns the count (>= 1) or -1 with an error naming the pretrainer and the bad index. */
static inline int lw_select(glab_model *m, const glab_config *cfg, const char *who, lw_unit **out) {
  int nl = glab_model_nlayers(m), n = 0, nsel = 0;
  const long *sel = glab_config_ints(cfg, "layers", &nsel);
  lw_unit *units = calloc((size_t)nl + 1, sizeof *units);
  if (!units) return glab_error(GLAB_ERR_NOMEM, "%s: out of memory", who), -1;
  if (nsel > 0) {
    for (int k = 0; k < nsel; k++) {
      long li = sel[k];
      if (li < 1 || li > nl) {
        free(units);
        return glab_error(GLAB_ERR_ARG, "%s: layers[%d] = %ld is out of range (the model has %d layers)",
                          who, k + 1, li, nl), -1;
      }
      glab_layer *l = glab_model_layer(m, (int)li - 1);
      if (!lw_is_dense(l)) {
        free(units);
        return glab_error(GLAB_ERR_ARG, "%s: layer %ld is a %s layer; only dense layers can be pretrained",
                          who, li, glab_layer_get_type(l)->name), -1;
      }
      if (n > 0 && units[n - 1].index >= li - 1) {
        int prev = units[n - 1].index + 1;
        free(units);
        return glab_error(GLAB_ERR_ARG, "%s: layers must be given in increasing order (got %ld after %d)",
                          who, li, prev), -1;
      }
      lw_describe_unit(m, (int)li - 1, &units[n++]);
    }
  } else {
    for (int i = 0; i < nl; i++)
      if (lw_is_dense(glab_model_layer(m, i))) lw_describe_unit(m, i, &units[n++]);
  }
  if (n == 0) {
    free(units);
    return glab_error(GLAB_ERR_ARG, "%s: the model has no dense layer to pretrain", who), -1;
  }
  *out = units;
  return n;
}

/* A batch buffer shaped [batch][features] for flat (non-sequence) data. */
static inline int lw_batch_buffer(glab_dataset *data, size_t batch, const char *who, glab_tensor **out) {
  if (glab_dataset_is_sequence(data))
    return glab_error(GLAB_ERR_ARG, "%s: sequence data cannot be pretrained layer-wise", who);
  int shape[2] = {(int)batch, (int)glab_dataset_item_elems(data)};
  *out = glab_tensor_create(2, shape);
  return *out ? GLAB_OK : glab_last_status();
}

/* Fill `buf` with items idx[0..n-1] (flattened to [n][features]), run top-level layers
 * [0, upto) on it, and return the result as a fresh leaf (no gradient flows below). */
static inline glab_var *lw_layer_input(glab_model *m, int upto, glab_dataset *data, const size_t *idx,
                                size_t n, glab_tensor *buf, glab_tape *tape) {
  int shape[GLAB_MAX_DIMS];
  int nd = glab_dataset_batch_shape(data, n, shape);
  if (nd == 0) return NULL;
  glab_tensor view = *buf; /* the dataset fills its own batch shape; same bytes, then flat */
  view.ndim = nd;
  memcpy(view.shape, shape, sizeof shape);
  view.size = glab_shape_size(nd, shape);
  if (glab_dataset_batch(data, idx, n, &view, NULL, NULL) != GLAB_OK) return NULL;
  view.ndim = 2;
  view.shape[0] = (int)n;
  view.shape[1] = (int)glab_dataset_item_elems(data);
  glab_var *x = glab_tape_input(tape, &view, 0);
  if (upto == 0) return x;
  for (int i = 0; i < upto && x; i++) x = glab_layer_forward(glab_model_layer(m, i), tape, x);
  return x ? glab_tape_input(tape, &x->value, 0) : NULL;
}

/* The activation of a unit applied on the tape (identity for a linear unit). */
static inline glab_var *lw_activate(glab_tape *tape, glab_act_kind kind, double relu_slope, glab_var *x) {
  switch (kind) {
  case GLAB_ACT_SIGMOID: return glab_sigmoid(tape, x);
  case GLAB_ACT_TANH: return glab_tanh(tape, x);
  case GLAB_ACT_RELU: return glab_relu(tape, x, relu_slope);
  default: return x;
  }
}

#endif
