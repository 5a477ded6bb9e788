/* batchnorm.c — batch normalisation per feature (Ioffe & Szegedy 2015), input [..][features].
 * Training: normalise with the batch mean and biased variance; update running_mean and
 * running_var (with the unbiased variance) as running = (1-m)·running + m·batch.
 * Evaluation: normalise with the running statistics. y = gamma·x̂ + beta.
 * One fused op "batchnorm" (forward and backward) instead of nine elementwise ones. */
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
static const glab_option_range ranges[] = {
    {"momentum", "[0,1]"}, {"eps", "(0,inf)"}, GLAB_RANGES_END};

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
  if (glab_config_check_ranges(cfg, ranges, "batchnorm") != GLAB_OK) return glab_last_status();
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

/* ---- the fused op: in (x, gamma, beta) in training, (x, gamma, beta, rmean, rvar) in eval ---- */
typedef struct bn_attr {
  size_t rows;
  int F, training;
  double eps;
  double *mean, *var, *invstd; /* [F], arena */
  glab_real *xhat;             /* [rows][F], arena */
} bn_attr;

static int bn_forward(glab_var *out) {
  bn_attr *a = out->attr;
  size_t N = a->rows, F = (size_t)a->F;
  const glab_real *x = out->in[0]->value.data, *gamma = out->in[1]->value.data;
  const glab_real *beta = out->in[2]->value.data;
  a->mean = glab_tape_zalloc(out->tape, 3 * F * sizeof(double));
  a->xhat = glab_tape_alloc(out->tape, N * F * sizeof(glab_real));
  if (!a->mean || !a->xhat) return glab_error(GLAB_ERR_NOMEM, "batchnorm: out of memory");
  a->var = a->mean + F;
  a->invstd = a->mean + 2 * F;
  if (a->training) {
    for (size_t i = 0; i < N; i++)
      for (size_t j = 0; j < F; j++)
        a->mean[j] += x[i * F + j];
    for (size_t j = 0; j < F; j++)
      a->mean[j] /= (double)N;
    for (size_t i = 0; i < N; i++)
      for (size_t j = 0; j < F; j++) {
        double d = x[i * F + j] - a->mean[j];
        a->var[j] += d * d;
      }
    for (size_t j = 0; j < F; j++)
      a->var[j] /= (double)N;
  } else {
    const glab_real *rm = out->in[3]->value.data, *rv = out->in[4]->value.data;
    for (size_t j = 0; j < F; j++)
      a->mean[j] = rm[j], a->var[j] = rv[j];
  }
  for (size_t j = 0; j < F; j++)
    a->invstd[j] = 1.0 / sqrt(a->var[j] + a->eps);
  glab_real *y = out->value.data;
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j < F; j++) {
      size_t k = i * F + j;
      double xh = (x[k] - a->mean[j]) * a->invstd[j];
      a->xhat[k] = (glab_real)xh;
      y[k] = (glab_real)(xh * gamma[j] + beta[j]);
    }
  return GLAB_OK;
}

static int bn_backward(glab_var *out) {
  const bn_attr *a = out->attr;
  size_t N = a->rows, F = (size_t)a->F;
  const glab_real *g = out->grad, *xhat = a->xhat, *gamma = out->in[1]->value.data;
  double *sum_g = glab_tape_zalloc(out->tape, 2 * F * sizeof(double)), *sum_gx = sum_g + F;
  if (!sum_g) return glab_error(GLAB_ERR_NOMEM, "batchnorm: out of memory");
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j < F; j++) {
      size_t k = i * F + j;
      sum_g[j] += g[k];
      sum_gx[j] += (double)g[k] * xhat[k];
    }
  glab_var *x = out->in[0], *vg = out->in[1], *vb = out->in[2];
  if (glab_var_needs_grad(vg)) {
    glab_real *dg = glab_var_grad(vg);
    if (!dg) return GLAB_ERR_NOMEM;
    for (size_t j = 0; j < F; j++)
      dg[j] += (glab_real)sum_gx[j];
  }
  if (glab_var_needs_grad(vb)) {
    glab_real *db = glab_var_grad(vb);
    if (!db) return GLAB_ERR_NOMEM;
    for (size_t j = 0; j < F; j++)
      db[j] += (glab_real)sum_g[j];
  }
  if (glab_var_needs_grad(x)) {
    glab_real *dx = glab_var_grad(x);
    if (!dx) return GLAB_ERR_NOMEM;
    for (size_t i = 0; i < N; i++)
      for (size_t j = 0; j < F; j++) {
        size_t k = i * F + j;
        double s = gamma[j] * a->invstd[j];
        dx[k] += (glab_real)(a->training ? s / (double)N *
                                               ((double)N * g[k] - sum_g[j] - xhat[k] * sum_gx[j])
                                         : s * g[k]);
      }
  }
  return GLAB_OK;
}

static const glab_op bn_op = {"batchnorm", bn_forward, bn_backward};

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
  bn_attr at = {rows, b->features, glab_layer_is_training(self), b->eps, NULL, NULL, NULL, NULL};
  if (at.training && rows < 2) {
    /* the batch variance of one row is 0 and its unbiased form divides by 0 (PyTorch refuses
     * it too): say so, with the usual cause */
    glab_error(GLAB_ERR_SHAPE,
               "batchnorm %s: training needs at least 2 rows per batch, got %zu (the last "
               "partial batch of an epoch? choose a batch size that leaves no single row, or "
               "drop that batch; net:eval() normalises with the running statistics)",
               glab_layer_name(self), rows);
    return NULL;
  }
  glab_var *in[5] = {x, b->gamma, b->beta, b->rmean, b->rvar};
  glab_var *y =
      glab_tape_apply(tape, &bn_op, in, at.training ? 3 : 5, nd, x->value.shape, &at, sizeof at);
  if (!y || !at.training) return y;
  const bn_attr *done = y->attr;
  double m = b->momentum, unbias = (double)rows / (double)(rows - 1);
  for (int j = 0; j < b->features; j++) {
    glab_real *rm = &b->rmean->value.data[j], *rv = &b->rvar->value.data[j];
    *rm = (glab_real)((1 - m) * *rm + m * done->mean[j]);
    *rv = (glab_real)((1 - m) * *rv + m * done->var[j] * unbias);
  }
  return y;
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
