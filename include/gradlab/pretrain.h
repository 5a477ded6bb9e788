/* pretrain.h — pretrainer types: greedy layer-wise pretraining schemes (autoencoder, RBM, ...).
 * (The pretraining issue owns the details of this header; see docs there.) */
#ifndef GRADLAB_PRETRAIN_H
#define GRADLAB_PRETRAIN_H

#include "gradlab/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glab_model glab_model;
typedef struct glab_dataset glab_dataset;

/* Called by a pretrainer as it goes: one record per layer (1-based top-level position) and epoch.
 * A non-zero return asks the pretrainer to stop (e.g. on a signal): it then returns
 * GLAB_ERR_STATE with a message saying where it stopped. */
typedef int (*glab_pretrain_report_fn)(void *ctx, int layer_index, int epoch, double recon_error);

typedef struct glab_pretrainer_type {
  const char *name;
  const char *doc;
  const glab_option *options;
  int (*run)(const glab_config *cfg, glab_model *model, glab_dataset *data,
             glab_pretrain_report_fn report, void *report_ctx);
} glab_pretrainer_type;

#ifdef __cplusplus
}
#endif
#endif
