/* autoencoder.c — greedy layer-wise pretraining with autoencoders (Bengio et al. 2007; Vincent et
 * al. 2008 for the denoising variant). Each chosen dense layer, with the activation after it, is
 * trained as the encoder of a one-hidden-layer autoencoder on the output of the layers below it:
 *     h = act(x̃·W + b),  x̂ = dec(h·Wᵀ + c)   (tied)   or   dec(h·V + c)   (untied)
 * where x̃ is x with a fraction `noise` of its entries set to 0, and the loss is mean (x̂ − x)².
 * Only W and b stay in the model; the decoder is thrown away after its layer is done. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layerwise.h"

static const glab_option options[] = {
    {"epochs", GLAB_OPT_INT, "1", "epochs of training per layer"},
    {"lr", GLAB_OPT_REAL, "0.001", "learning rate of the per-layer optimizer"},
    {"batch", GLAB_OPT_INT, "20", "minibatch size"},
    /* Adam by default: the loss is a mean over the input features, so its gradients are about
     * 1/inputs of the papers' summed loss and plain SGD at a usual rate barely moves it. */
    {"optimizer", GLAB_OPT_STRING, "adam",
     "optimizer type used for each layer (adam, sgd, momentum, ...)"},
    {"tied", GLAB_OPT_BOOL, "true",
     "decoder weight is the encoder's transpose (else its own matrix)"},
    {"noise", GLAB_OPT_REAL, "0", "denoising: fraction of input entries set to 0 (masking noise)"},
    {"decoder", GLAB_OPT_STRING, "auto",
     "decoder output: sigmoid, linear, or auto (sigmoid after a sigmoid encoder, else linear)"},
    {"layers", GLAB_OPT_INTS, "", "1-based indices of the dense layers to pretrain (default: all)"},
    {"limit", GLAB_OPT_INT, "0", "use only the first N items of the data (0: all)"},
    GLAB_OPTIONS_END};
/* noise keeps its own check in run() (and message: "noise must be in [0, 1)") */
static const glab_option_range ranges[] = {
    {"lr", "(0,inf)"}, {"limit", "[0,inf)"}, GLAB_RANGES_END};

/* The decoder of one unit: its own bias c [inputs] and, when untied, V [outputs][inputs]. */
typedef struct ae_decoder {
  glab_var *c, *v;
  int sigmoid_out;
} ae_decoder;

/* x̂ for input `x` (already corrupted if denoising). Shared by training and the gradient check. */
static glab_var *ae_reconstruct(glab_tape *tape, const lw_unit *u, const ae_decoder *d, glab_var *x,
                                glab_var *w, glab_var *b) {
  glab_var *h = glab_matmul(tape, x, w, 0, 0);
  if (b) h = glab_add(tape, h, b);
  h = lw_activate(tape, u->act_kind, u->relu_slope, h);
  glab_var *r = d->v ? glab_matmul(tape, h, d->v, 0, 0) : glab_matmul(tape, h, w, 0, 1);
  r = glab_add(tape, r, d->c);
  return d->sigmoid_out ? glab_sigmoid(tape, r) : r;
}

/* Masking noise: a copy of x with each entry zeroed with probability `noise`. */
static glab_var *ae_corrupt(glab_tape *tape, glab_var *x, double noise, glab_rng *rng) {
  if (noise <= 0) return x;
  glab_var *y = glab_tape_input(tape, &x->value, 0);
  if (!y) return NULL;
  for (size_t i = 0; i < y->value.size; i++)
    if (glab_rng_uniform(rng) < noise) y->value.data[i] = 0;
  return y;
}

static int ae_decoder_init(ae_decoder *d, const lw_unit *u, const glab_config *cfg) {
  memset(d, 0, sizeof *d);
  const char *dec = glab_config_string(cfg, "decoder");
  if (!strcmp(dec, "auto"))
    d->sigmoid_out = u->act_kind == GLAB_ACT_SIGMOID;
  else if (!strcmp(dec, "sigmoid"))
    d->sigmoid_out = 1;
  else if (!strcmp(dec, "linear"))
    d->sigmoid_out = 0;
  else
    return glab_error(GLAB_ERR_ARG,
                      "autoencoder: decoder must be auto, sigmoid or linear (got '%s')", dec);
  d->c = glab_var_create(1, &u->inputs, 1);
  if (!d->c) return glab_last_status();
  if (!glab_config_bool(cfg, "tied")) {
    int shape[2] = {u->outputs, u->inputs};
    d->v = glab_var_create(2, shape, 1);
    glab_init xavier;
    if (!d->v || glab_init_parse("xavier_uniform", &xavier) != GLAB_OK ||
        glab_init_apply(&xavier, &d->v->value, u->outputs, u->inputs, glab_default_rng()) !=
            GLAB_OK)
      return glab_last_status();
  }
  return GLAB_OK;
}

static void ae_decoder_free(ae_decoder *d) {
  glab_var_destroy(d->c);
  glab_var_destroy(d->v);
}

/* The registry this plugin was loaded into: where the per-layer optimizer type is looked up. */
static glab_registry *home_registry;

static glab_optimizer *ae_optimizer(const glab_config *cfg) {
  glab_config *oc = glab_config_create();
  if (!oc) return NULL;
  glab_optimizer *opt = NULL;
  if (glab_config_set_real(oc, "lr", glab_config_real(cfg, "lr")) == GLAB_OK)
    opt = glab_optimizer_create(home_registry, glab_config_string(cfg, "optimizer"), oc);
  glab_config_destroy(oc);
  if (!opt) glab_error_context("autoencoder: optimizer");
  return opt;
}

/* Train one unit for the configured epochs; reports the mean reconstruction error per epoch. */
static int ae_train_unit(const glab_config *cfg, glab_model *m, glab_dataset *data, size_t n,
                         const lw_unit *u, int unit_no, glab_pretrain_report_fn report,
                         void *rctx) {
  size_t batch = (size_t)glab_config_int(cfg, "batch");
  int epochs = (int)glab_config_int(cfg, "epochs");
  double noise = glab_config_real(cfg, "noise");
  glab_var *w = glab_layer_param(u->dense, "weight"), *b = glab_layer_param(u->dense, "bias");
  ae_decoder dec = {0};
  glab_tape *tape = glab_tape_create();
  glab_tensor *buf = NULL;
  size_t *order = malloc(n * sizeof *order);
  glab_optimizer *opt = NULL;
  int rc = ae_decoder_init(&dec, u, cfg);
  if (rc == GLAB_OK && (!tape || !order))
    rc = glab_error(GLAB_ERR_NOMEM, "autoencoder: out of memory");
  if (rc == GLAB_OK) rc = lw_batch_buffer(data, batch, "autoencoder", &buf);
  if (rc == GLAB_OK && !(opt = ae_optimizer(cfg))) rc = glab_last_status();
  glab_var *params[4];
  int np = 0;
  params[np++] = w;
  params[np++] = dec.c;
  if (b) params[np++] = b;
  if (dec.v) params[np++] = dec.v;
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  for (int e = 1; rc == GLAB_OK && e <= epochs; e++) {
    glab_rng_shuffle(glab_default_rng(), order, n);
    double total = 0;
    size_t seen = 0;
    for (size_t s = 0; rc == GLAB_OK && s < n; s += batch) {
      size_t bn = n - s < batch ? n - s : batch;
      glab_tape_reset(tape);
      for (int p = 0; p < np; p++)
        glab_var_zero_grad(params[p]);
      glab_var *x = lw_layer_input(m, u->index, data, order + s, bn, buf, tape);
      glab_var *xt = x ? ae_corrupt(tape, x, noise, glab_default_rng()) : NULL;
      glab_var *loss = xt ? glab_mse(tape, ae_reconstruct(tape, u, &dec, xt, w, b), x) : NULL;
      if (!loss || glab_backward(tape, loss) != GLAB_OK) {
        rc = glab_error_context("autoencoder: layer %d", u->index + 1);
        break;
      }
      double l = loss->value.data[0];
      if (!isfinite(l)) {
        rc = glab_error(GLAB_ERR_NONFINITE,
                        "autoencoder: layer %d: reconstruction error is %g at epoch %d",
                        u->index + 1, l, e);
        break;
      }
      total += l * (double)bn;
      seen += bn;
      if (glab_optimizer_step(opt, params, np) != GLAB_OK)
        rc = glab_error_context("autoencoder: layer %d", u->index + 1);
    }
    if (rc == GLAB_OK && report && report(rctx, u->index + 1, e, total / (double)seen))
      rc = glab_error(GLAB_ERR_STATE, "autoencoder: stopped by the caller after layer %d, epoch %d",
                      u->index + 1, e);
  }
  (void)unit_no;
  glab_optimizer_destroy(opt);
  glab_tensor_destroy(buf);
  glab_tape_destroy(tape);
  free(order);
  ae_decoder_free(&dec);
  glab_var_zero_grad(w); /* leave the model's gradients as they were found: zero */
  if (b) glab_var_zero_grad(b);
  return rc;
}

static int run(const glab_config *cfg, glab_model *m, glab_dataset *data,
               glab_pretrain_report_fn report, void *rctx) {
  if (glab_config_check_ranges(cfg, ranges, "autoencoder") != GLAB_OK) return glab_last_status();
  if (glab_config_int(cfg, "epochs") < 1 || glab_config_int(cfg, "batch") < 1)
    return glab_error(GLAB_ERR_ARG, "autoencoder: epochs and batch must be at least 1");
  double noise = glab_config_real(cfg, "noise");
  if (!(noise >= 0 && noise < 1))
    return glab_error(GLAB_ERR_ARG, "autoencoder: noise must be in [0, 1) (got %g)", noise);
  size_t n = glab_dataset_size(data), limit = (size_t)glab_config_int(cfg, "limit");
  if (limit > 0 && limit < n) n = limit;
  if (n == 0) return glab_error(GLAB_ERR_ARG, "autoencoder: the dataset is empty");
  if (glab_dataset_is_sequence(data))
    return glab_error(GLAB_ERR_ARG, "autoencoder: sequence data cannot be pretrained layer-wise");
  lw_unit *units;
  int nu = lw_select(m, cfg, "autoencoder", &units);
  if (nu < 0) return glab_last_status();
  if (units[0].index == 0 && units[0].inputs != (int)glab_dataset_item_elems(data)) {
    int in = units[0].inputs;
    free(units);
    return glab_error(GLAB_ERR_SHAPE,
                      "autoencoder: layer 1 takes %d inputs but the data has %zu features", in,
                      glab_dataset_item_elems(data));
  }
  int was_training = glab_model_is_training(m);
  glab_model_set_training(m,
                          0); /* the layers below run as at evaluation (batchnorm: running stats) */
  int rc = GLAB_OK;
  for (int k = 0; k < nu && rc == GLAB_OK; k++)
    rc = ae_train_unit(cfg, m, data, n, &units[k], k, report, rctx);
  glab_model_set_training(m, was_training);
  free(units);
  return rc;
}

static const glab_pretrainer_type type = {
    .name = "autoencoder",
    .doc = "greedy layer-wise autoencoder pretraining of dense layers (tied or untied, denoising)",
    .options = options,
    .run = run,
};

static int init(glab_registry *reg) {
  home_registry = reg;
  return glab_register_pretrainer(reg, &type);
}
GLAB_PLUGIN(init)
