/* local_types.h — small layer and optimizer types registered by the stats tests themselves, so
 * that their values can be computed by hand (and the tests do not depend on the plugins):
 *   tscale{features=F, value=v}  y = x ∘ w, w [F] filled with v
 *   tsig{}                       y = sigmoid(x)          (activation kind SIGMOID)
 *   trelu{}                      y = relu(x)             (activation kind RELU)
 *   tsqrt{}                      y = sqrt(x)             (infinite gradient at 0)
 *   tblock{ children }           runs its children in order, owns a buffer "count" [1]
 *   tseq{features=F, value=v}    input [T][B][F]: h_1 = x_1, h_t = h_{t-1} ∘ w + x_t; returns h_T
 *                                (reports its steps: dL/dh_t = w^(T-t) ∘ dL/dh_T)
 *   tsgd{lr=}                    delta = -lr · grad */
#ifndef STATS_LOCAL_TYPES_H
#define STATS_LOCAL_TYPES_H

#include <stdlib.h>

#include "gradlab/gradlab.h"

static const glab_option tscale_opts[] = {{"features", GLAB_OPT_INT, "2", "width"},
                                          {"value", GLAB_OPT_REAL, "1", "initial weight"},
                                          GLAB_OPTIONS_END};

static int tscale_create(glab_layer *self, const glab_config *cfg) {
  int f = (int)glab_config_int(cfg, "features");
  glab_init init;
  glab_init_parse("constant", &init);
  init.value = glab_config_real(cfg, "value");
  return glab_layer_add_param(self, "w", 1, &f, &init, f, f) ? GLAB_OK : glab_last_status();
}
static glab_var *tscale_forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  return glab_mul(tape, x, glab_layer_param(self, "w"));
}
static const glab_layer_type tscale_type = {.name = "tscale",
                                            .doc = "y = x*w",
                                            .options = tscale_opts,
                                            .create = tscale_create,
                                            .forward = tscale_forward};

static glab_var *tsig_forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self;
  return glab_sigmoid(tape, x);
}
static const glab_layer_type tsig_type = {
    .name = "tsig", .doc = "sigmoid", .activation = GLAB_ACT_SIGMOID, .forward = tsig_forward};

static glab_var *trelu_forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self;
  return glab_relu(tape, x, 0);
}
static const glab_layer_type trelu_type = {
    .name = "trelu", .doc = "relu", .activation = GLAB_ACT_RELU, .forward = trelu_forward};

static glab_var *tsqrt_forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self;
  return glab_sqrt(tape, x);
}
static const glab_layer_type tsqrt_type = {
    .name = "tsqrt", .doc = "sqrt", .forward = tsqrt_forward};

static int tblock_create(glab_layer *self, const glab_config *cfg) {
  (void)cfg;
  int one = 1;
  return glab_layer_add_buffer(self, "count", 1, &one, 0) ? GLAB_OK : glab_last_status();
}
static glab_var *tblock_forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  for (int i = 0; x && i < glab_layer_nchildren(self); i++)
    x = glab_layer_forward(glab_layer_child(self, i), tape, x);
  glab_layer_param(self, "count")->value.data[0] += 1;
  return x;
}
static const glab_layer_type tblock_type = {.name = "tblock",
                                            .doc = "block",
                                            .takes_children = 1,
                                            .create = tblock_create,
                                            .forward = tblock_forward};

static glab_var *tseq_forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  int T = x->value.shape[0];
  glab_var **steps = glab_tape_alloc(tape, (size_t)T * sizeof *steps);
  glab_var *w = glab_layer_param(self, "w"), *h = NULL;
  for (int t = 0; t < T; t++) {
    glab_var *xt = glab_slice_first(tape, x, t, 1, 1);
    h = t == 0 ? xt : glab_add(tape, glab_mul(tape, h, w), xt);
    if (!h) return NULL;
    steps[t] = h;
  }
  glab_layer_set_steps(self, steps, T);
  return h;
}
static const glab_layer_type tseq_type = {.name = "tseq",
                                          .doc = "linear recurrence",
                                          .options = tscale_opts,
                                          .create = tscale_create,
                                          .forward = tseq_forward};

static const glab_option tsgd_opts[] = {{"lr", GLAB_OPT_REAL, "0.1", "learning rate"},
                                        GLAB_OPTIONS_END};
static int tsgd_create(glab_optimizer *self, const glab_config *cfg) {
  double *lr = malloc(sizeof *lr);
  if (!lr) return GLAB_ERR_NOMEM;
  *lr = glab_config_real(cfg, "lr");
  glab_optimizer_set_impl(self, lr);
  return GLAB_OK;
}
static int tsgd_update(glab_optimizer *self, const glab_real *value, const glab_real *grad,
                       glab_real *delta, glab_real **state, size_t n, long step) {
  (void)value, (void)state, (void)step;
  double lr = *(double *)glab_optimizer_impl(self);
  for (size_t i = 0; i < n; i++)
    delta[i] = (glab_real)(-lr * grad[i]);
  return GLAB_OK;
}
static void tsgd_destroy(glab_optimizer *self) {
  free(glab_optimizer_impl(self));
}
static const glab_optimizer_type tsgd_type = {.name = "tsgd",
                                              .doc = "sgd",
                                              .options = tsgd_opts,
                                              .create = tsgd_create,
                                              .update = tsgd_update,
                                              .destroy = tsgd_destroy};

static glab_registry *local_registry(void) {
  glab_registry *reg = glab_registry_create();
  glab_register_layer(reg, &tscale_type);
  glab_register_layer(reg, &tsig_type);
  glab_register_layer(reg, &trelu_type);
  glab_register_layer(reg, &tsqrt_type);
  glab_register_layer(reg, &tblock_type);
  glab_register_layer(reg, &tseq_type);
  glab_register_optimizer(reg, &tsgd_type);
  return reg;
}

static inline glab_layer *mk_scale(glab_registry *reg, int features, double value) {
  glab_config *c = glab_config_create();
  glab_config_set_int(c, "features", features);
  glab_config_set_real(c, "value", value);
  glab_layer *l = glab_layer_create(reg, "tscale", c, NULL, 0);
  glab_config_destroy(c);
  return l;
}

static inline glab_layer *mk_seq(glab_registry *reg, int features, double value) {
  glab_config *c = glab_config_create();
  glab_config_set_int(c, "features", features);
  glab_config_set_real(c, "value", value);
  glab_layer *l = glab_layer_create(reg, "tseq", c, NULL, 0);
  glab_config_destroy(c);
  return l;
}

static inline glab_layer *mk_plain(glab_registry *reg, const char *type) {
  return glab_layer_create(reg, type, NULL, NULL, 0);
}

static inline glab_optimizer *mk_tsgd(glab_registry *reg, double lr) {
  glab_config *c = glab_config_create();
  glab_config_set_real(c, "lr", lr);
  glab_optimizer *o = glab_optimizer_create(reg, "tsgd", c);
  glab_config_destroy(c);
  return o;
}

#endif
