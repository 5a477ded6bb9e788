/* batchnorm.c — batch normalisation per feature (Ioffe & Szegedy 2015), input [..][features].
 * Training: normalise with the batch mean and biased variance; update running_mean and
 * running_var (with the unbiased variance) as running = (1-m)·running + m·batch.
 * Evaluation: normalise with the running statistics. y = gamma·x̂ + beta. */
#include <math.h>
#include <stdlib.h>

#include <gradlab/plugin.h>

typedef struct bn {
  int features;
  double momentum, eps;
  glab_var *gamma, *beta, *rmean, *rvar;
} bn;

static const glab_option options[] = {
    {"features", GLAB_OPT_INT, NULL, "number of features (the last dimension of the input)"},
    {"momentum", GLAB_OPT_REAL, "0.1", "running = (1-momentum)·running + momentum·batch"},
    {"eps", GLAB_OPT_REAL, "1e-5", "added to the variance before the square root"},
    GLAB_OPTIONS_END};

static void destroy(glab_layer *self) {
  free(glab_layer_impl(self));
}

static int create(glab_layer *self, const glab_config *cfg) {
  bn *b = calloc(1, sizeof *b);
  if (!b) return glab_error(GLAB_ERR_NOMEM, "batchnorm: out of memory");
  glab_layer_set_impl(self, b);
  b->features = (int)glab_config_int(cfg, "features");
  b->momentum = glab_config_real(cfg, "momentum");
  b->eps = glab_config_real(cfg, "eps");
  if (b->features <= 0)
    return glab_error(GLAB_ERR_ARG, "batchnorm: features must be positive (got %d)", b->features);
  if (!(b->momentum >= 0 && b->momentum <= 1))
    return glab_error(GLAB_ERR_ARG, "batchnorm: momentum must be in [0, 1] (got %g)", b->momentum);
  if (!(b->eps > 0)) return glab_error(GLAB_ERR_ARG, "batchnorm: eps must be > 0 (got %g)", b->eps);
  glab_init one, zero;
  glab_init_parse("constant", &one);
  one.value = 1;
  glab_init_parse("zeros", &zero);
  int f = b->features;
  if (!(b->gamma = glab_layer_add_param(self, "gamma", 1, &f, &one, f, f)) ||
      !(b->beta = glab_layer_add_param(self, "beta", 1, &f, &zero, f, f)) ||
      !(b->rmean = glab_layer_add_buffer(self, "running_mean", 1, &f, 0.0)) ||
      !(b->rvar = glab_layer_add_buffer(self, "running_var", 1, &f, 1.0)))
    return glab_last_status();
  return GLAB_OK;
}

static glab_var *forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  bn *b = glab_layer_impl(self);
  int nd = x->value.ndim;
  size_t rows = nd ? x->value.size / (size_t)x->value.shape[nd - 1] : 0;
  if (nd < 1 || x->value.shape[nd - 1] != b->features) {
    char buf[64];
    glab_error(GLAB_ERR_SHAPE, "batchnorm %s: input %s has %d features, expected features=%d",
               glab_layer_name(self), glab_shape_str(nd, x->value.shape, buf, sizeof buf),
               nd ? x->value.shape[nd - 1] : 0, b->features);
    return NULL;
  }
  glab_var *xhat;
  if (glab_layer_is_training(self)) {
    if (rows < 2) {
      glab_error(GLAB_ERR_SHAPE, "batchnorm %s: training needs a batch of at least 2 rows",
                 glab_layer_name(self));
      return NULL;
    }
    glab_var *mean = glab_mean_cols(tape, x);
    glab_var *xc = glab_sub(tape, x, mean);
    glab_var *var = glab_mean_cols(tape, glab_square(tape, xc));
    glab_var *sd = glab_sqrt(tape, glab_add_scalar(tape, var, b->eps));
    xhat = glab_div(tape, xc, sd);
    if (!xhat) return NULL;
    double m = b->momentum, unbias = (double)rows / (double)(rows - 1);
    for (int j = 0; j < b->features; j++) {
      glab_real *rm = &b->rmean->value.data[j], *rv = &b->rvar->value.data[j];
      *rm = (glab_real)((1 - m) * *rm + m * mean->value.data[j]);
      *rv = (glab_real)((1 - m) * *rv + m * var->value.data[j] * unbias);
    }
  } else {
    glab_var *sd = glab_sqrt(tape, glab_add_scalar(tape, b->rvar, b->eps));
    xhat = glab_div(tape, glab_sub(tape, x, b->rmean), sd);
  }
  return glab_add(tape, glab_mul(tape, xhat, b->gamma), b->beta);
}

static const glab_layer_example example = {"features=4", 2, {5, 4}, NULL};

static const glab_layer_type type = {
    .name = "batchnorm",
    .doc = "batch normalisation per feature (batch statistics in training, running in eval)",
    .options = options,
    .create = create,
    .forward = forward,
    .destroy = destroy,
    .example = &example,
};

static int init(glab_registry *reg) {
  return glab_register_layer(reg, &type);
}
GLAB_PLUGIN(init)
