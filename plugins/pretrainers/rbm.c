/* rbm.c — greedy layer-wise pretraining with restricted Boltzmann machines (Hinton, Osindero & Teh
 * 2006; Hinton & Salakhutdinov 2006). Each chosen dense layer is the RBM between its inputs
 * (visible units v, bias a, own) and its outputs (hidden units h, bias = the layer's bias),
 * sharing the weight W [inputs][outputs], trained by contrastive divergence CD-k:
 *     p(h=1|v) = σ(v·W + c),  p(v=1|h) = σ(h·Wᵀ + a) (binary)  or  E[v|h] = h·Wᵀ + a (Gaussian)
 *     ΔW = lr·(v₀ᵀp(h|v₀) − v_kᵀp(h|v_k))/B,  Δa = lr·mean(v₀ − v_k),  Δc = lr·mean(p(h|v₀) −
 * p(h|v_k)) Hidden states are sampled on the way down; visible reconstructions use their means and
 * the last hidden statistics use probabilities (Hinton, "A practical guide to training RBMs",
 * 2010). Reported per epoch: the mean squared reconstruction error of the first reconstruction. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layerwise.h"

static const glab_option options[] = {
    {"epochs", GLAB_OPT_INT, "1", "epochs of CD training per layer"},
    {"lr", GLAB_OPT_REAL, "0.1", "learning rate"},
    {"batch", GLAB_OPT_INT, "20", "minibatch size"},
    {"k", GLAB_OPT_INT, "1", "Gibbs steps of contrastive divergence (CD-k)"},
    {"visible", GLAB_OPT_STRING, "binary",
     "visible units of the first RBM: binary (data in [0,1]) or gaussian (standardised data)"},
    {"layers", GLAB_OPT_INTS, "", "1-based indices of the dense layers to pretrain (default: all)"},
    {"limit", GLAB_OPT_INT, "0", "use only the first N items of the data (0: all)"},
    GLAB_OPTIONS_END};
static const glab_option_range ranges[] = {
    {"lr", "(0,inf)"}, {"limit", "[0,inf)"}, GLAB_RANGES_END};

/* Where CD draws its uniform numbers (a function so that tests can fix them). */
typedef double (*rbm_uniform_fn)(void *ctx);

typedef struct rbm {
  int nv, nh, gaussian;
  glab_real *w;              /* [nv][nh], the dense layer's weight (shared) */
  glab_real *c;              /* [nh], the dense layer's bias (shared) */
  double *a;                 /* [nv], visible bias (own) */
  double *h0, *hk, *vk, *hs; /* work arrays for one batch */
} rbm;

static double sigm(double x) {
  return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}

/* p[b][j] = σ(v[b]·W[:,j] + c[j]) for B rows. */
static void rbm_hidden(const rbm *r, const double *v, int B, double *p) {
  for (int b = 0; b < B; b++) {
    double *pb = p + (size_t)b * r->nh;
    for (int j = 0; j < r->nh; j++)
      pb[j] = r->c[j];
    for (int i = 0; i < r->nv; i++) {
      double vi = v[(size_t)b * r->nv + i];
      if (vi == 0) continue;
      const glab_real *wi = r->w + (size_t)i * r->nh;
      for (int j = 0; j < r->nh; j++)
        pb[j] += vi * wi[j];
    }
    for (int j = 0; j < r->nh; j++)
      pb[j] = sigm(pb[j]);
  }
}

/* v[b][i] = mean of the visible units given hidden states h: σ(h·Wᵀ + a) or h·Wᵀ + a. */
static void rbm_visible(const rbm *r, const double *h, int B, double *v) {
  for (int b = 0; b < B; b++) {
    const double *hb = h + (size_t)b * r->nh;
    for (int i = 0; i < r->nv; i++) {
      const glab_real *wi = r->w + (size_t)i * r->nh;
      double s = r->a[i];
      for (int j = 0; j < r->nh; j++)
        s += hb[j] * wi[j];
      v[(size_t)b * r->nv + i] = r->gaussian ? s : sigm(s);
    }
  }
}

/* One CD-k update from the batch v0 [B][nv]; returns the mean squared error of the first
 * reconstruction. */
static double rbm_cd_step(rbm *r, const double *v0, int B, int k, double lr, rbm_uniform_fn uniform,
                          void *uctx) {
  size_t nhB = (size_t)B * r->nh, nvB = (size_t)B * r->nv;
  double recon = 0;
  rbm_hidden(r, v0, B, r->h0);
  memcpy(r->hk, r->h0, nhB * sizeof *r->hk);
  for (int step = 1; step <= k; step++) {
    for (size_t q = 0; q < nhB; q++)
      r->hs[q] = uniform(uctx) < r->hk[q] ? 1.0 : 0.0;
    rbm_visible(r, r->hs, B, r->vk);
    if (step == 1)
      for (size_t q = 0; q < nvB; q++)
        recon += (v0[q] - r->vk[q]) * (v0[q] - r->vk[q]);
    rbm_hidden(r, r->vk, B, r->hk);
  }
  double scale = lr / B;
  for (int i = 0; i < r->nv; i++) {
    glab_real *wi = r->w + (size_t)i * r->nh;
    for (int j = 0; j < r->nh; j++) {
      double g = 0;
      for (int b = 0; b < B; b++)
        g += v0[(size_t)b * r->nv + i] * r->h0[(size_t)b * r->nh + j] -
             r->vk[(size_t)b * r->nv + i] * r->hk[(size_t)b * r->nh + j];
      wi[j] += (glab_real)(scale * g);
    }
    double ga = 0;
    for (int b = 0; b < B; b++)
      ga += v0[(size_t)b * r->nv + i] - r->vk[(size_t)b * r->nv + i];
    r->a[i] += scale * ga;
  }
  for (int j = 0; j < r->nh; j++) {
    double gc = 0;
    for (int b = 0; b < B; b++)
      gc += r->h0[(size_t)b * r->nh + j] - r->hk[(size_t)b * r->nh + j];
    r->c[j] += (glab_real)(scale * gc);
  }
  return recon / (double)nvB;
}

static int rbm_init(rbm *r, int nv, int nh, int B, glab_real *w, glab_real *c, int gaussian) {
  memset(r, 0, sizeof *r);
  r->nv = nv, r->nh = nh, r->w = w, r->c = c, r->gaussian = gaussian;
  r->a = calloc((size_t)nv, sizeof *r->a);
  r->h0 = malloc((size_t)B * nh * sizeof *r->h0);
  r->hk = malloc((size_t)B * nh * sizeof *r->hk);
  r->hs = malloc((size_t)B * nh * sizeof *r->hs);
  r->vk = malloc((size_t)B * nv * sizeof *r->vk);
  if (!r->a || !r->h0 || !r->hk || !r->hs || !r->vk)
    return glab_error(GLAB_ERR_NOMEM, "rbm: out of memory for a %d x %d RBM", nv, nh);
  return GLAB_OK;
}

static void rbm_free(rbm *r) {
  free(r->a), free(r->h0), free(r->hk), free(r->hs), free(r->vk);
}

static double rng_uniform(void *ctx) {
  return glab_rng_uniform(ctx);
}

static int rbm_train_unit(const glab_config *cfg, glab_model *m, glab_dataset *data, size_t n,
                          const lw_unit *u, int gaussian, glab_pretrain_report_fn report,
                          void *rctx) {
  size_t batch = (size_t)glab_config_int(cfg, "batch");
  int epochs = (int)glab_config_int(cfg, "epochs"), k = (int)glab_config_int(cfg, "k");
  double lr = glab_config_real(cfg, "lr");
  glab_var *w = glab_layer_param(u->dense, "weight"), *c = glab_layer_param(u->dense, "bias");
  if (!c)
    return glab_error(GLAB_ERR_ARG,
                      "rbm: layer %d has no bias; an RBM needs the hidden bias (dense{bias=true})",
                      u->index + 1);
  rbm r;
  glab_tape *tape = glab_tape_create();
  glab_tensor *buf = NULL;
  size_t *order = malloc(n * sizeof *order);
  double *v0 = malloc(batch * (size_t)u->inputs * sizeof *v0);
  int rc = rbm_init(&r, u->inputs, u->outputs, (int)batch, w->value.data, c->value.data, gaussian);
  if (rc == GLAB_OK && (!tape || !order || !v0))
    rc = glab_error(GLAB_ERR_NOMEM, "rbm: out of memory");
  if (rc == GLAB_OK) rc = lw_batch_buffer(data, batch, "rbm", &buf);
  for (size_t i = 0; order && i < n; i++)
    order[i] = i;
  for (int e = 1; rc == GLAB_OK && e <= epochs; e++) {
    glab_rng_shuffle(glab_default_rng(), order, n);
    double total = 0;
    for (size_t s = 0; rc == GLAB_OK && s < n; s += batch) {
      size_t bn = n - s < batch ? n - s : batch;
      glab_tape_reset(tape);
      glab_var *x = lw_layer_input(m, u->index, data, order + s, bn, buf, tape);
      if (!x) {
        rc = glab_error_context("rbm: layer %d", u->index + 1);
        break;
      }
      for (size_t q = 0; q < x->value.size; q++)
        v0[q] = x->value.data[q];
      total += rbm_cd_step(&r, v0, (int)bn, k, lr, rng_uniform, glab_default_rng()) * (double)bn;
    }
    if (rc == GLAB_OK && !isfinite(total))
      rc = glab_error(GLAB_ERR_NONFINITE,
                      "rbm: layer %d: reconstruction error is not finite at epoch %d (lower lr?)",
                      u->index + 1, e);
    if (rc == GLAB_OK && report && report(rctx, u->index + 1, e, total / (double)n))
      rc = glab_error(GLAB_ERR_STATE, "rbm: stopped by the caller after layer %d, epoch %d",
                      u->index + 1, e);
  }
  rbm_free(&r);
  glab_tensor_destroy(buf);
  glab_tape_destroy(tape);
  free(order);
  free(v0);
  return rc;
}

static int run(const glab_config *cfg, glab_model *m, glab_dataset *data,
               glab_pretrain_report_fn report, void *rctx) {
  if (glab_config_check_ranges(cfg, ranges, "rbm") != GLAB_OK) return glab_last_status();
  if (glab_config_int(cfg, "epochs") < 1 || glab_config_int(cfg, "batch") < 1 ||
      glab_config_int(cfg, "k") < 1)
    return glab_error(GLAB_ERR_ARG, "rbm: epochs, batch and k must be at least 1");
  const char *vis = glab_config_string(cfg, "visible");
  if (strcmp(vis, "binary") && strcmp(vis, "gaussian"))
    return glab_error(GLAB_ERR_ARG, "rbm: visible must be binary or gaussian (got '%s')", vis);
  size_t n = glab_dataset_size(data), limit = (size_t)glab_config_int(cfg, "limit");
  if (limit > 0 && limit < n) n = limit;
  if (n == 0) return glab_error(GLAB_ERR_ARG, "rbm: the dataset is empty");
  if (glab_dataset_is_sequence(data))
    return glab_error(GLAB_ERR_ARG, "rbm: sequence data cannot be pretrained layer-wise");
  lw_unit *units;
  int nu = lw_select(m, cfg, "rbm", &units);
  if (nu < 0) return glab_last_status();
  if (units[0].index == 0 && units[0].inputs != (int)glab_dataset_item_elems(data)) {
    int in = units[0].inputs;
    free(units);
    return glab_error(GLAB_ERR_SHAPE, "rbm: layer 1 takes %d inputs but the data has %zu features",
                      in, glab_dataset_item_elems(data));
  }
  for (int q = 0; q < nu; q++) /* before any layer is changed */
    if (!glab_layer_param(units[q].dense, "bias")) {
      int li = units[q].index + 1;
      free(units);
      return glab_error(
          GLAB_ERR_ARG,
          "rbm: layer %d has no bias; an RBM needs the hidden bias (dense{bias=true})", li);
    }
  int was_training = glab_model_is_training(m);
  glab_model_set_training(m, 0);
  int rc = GLAB_OK;
  for (int q = 0; q < nu && rc == GLAB_OK; q++) {
    /* Only the first RBM sees the data; the ones above see hidden probabilities in [0,1]. */
    int gaussian = units[q].index == 0 && !strcmp(vis, "gaussian");
    rc = rbm_train_unit(cfg, m, data, n, &units[q], gaussian, report, rctx);
  }
  glab_model_set_training(m, was_training);
  free(units);
  return rc;
}

static const glab_pretrainer_type type = {
    .name = "rbm",
    .doc = "greedy layer-wise RBM pretraining of dense layers by contrastive divergence (CD-k)",
    .options = options,
    .run = run,
};

static int init(glab_registry *reg) {
  return glab_register_pretrainer(reg, &type);
}
GLAB_PLUGIN(init)
