/* optim.h — optimizer types (plugins) and instances. The core applies gradient clipping (global
 * L2 norm over all given parameters, and by value) before any optimizer's update, keeps the
 * per-parameter state arrays, and keeps each parameter's last update for statistics. */
#ifndef GRADLAB_OPTIM_H
#define GRADLAB_OPTIM_H

#include "gradlab/config.h"
#include "gradlab/tape.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glab_optimizer glab_optimizer;
typedef struct glab_registry glab_registry;

typedef struct glab_optimizer_type {
  const char *name;
  const char *doc;
  const glab_option *options; /* the core adds clip_norm and clip_value to every optimizer */
  int state_slots;            /* per-element state arrays per parameter (momentum 1, adam 2) */
  int (*create)(glab_optimizer *self, const glab_config *cfg);
  /* Write into `delta` the change to apply to `value` (new = value + delta) for n elements.
   * `state[0..state_slots-1]` are zero-initialised arrays of n reals kept between steps;
   * `step` counts this parameter's updates from 1 (the bias-correction step of Adam). At most
   * 16 state slots. */
  int (*update)(glab_optimizer *self, const glab_real *value, const glab_real *grad,
                glab_real *delta, glab_real **state, size_t n, long step);
  void (*destroy)(glab_optimizer *self); /* optional */
} glab_optimizer_type;

void glab_optimizer_set_impl(glab_optimizer *o, void *impl);
void *glab_optimizer_impl(const glab_optimizer *o);

glab_optimizer *glab_optimizer_create(glab_registry *reg, const char *type, glab_config *cfg);
void glab_optimizer_destroy(glab_optimizer *o);
/* One step over `params` (only those with GLAB_VAR_NEEDS_GRAD): clip, update, apply.
 * Fails with GLAB_ERR_NONFINITE naming nothing applied if a gradient is NaN/inf. */
int glab_optimizer_step(glab_optimizer *o, glab_var *const *params, int n);
/* The last update applied to `param` by this optimizer (n elements), or NULL. */
const glab_real *glab_optimizer_last_update(const glab_optimizer *o, const glab_var *param);
/* The global gradient norm before clipping, at the last step. */
double glab_optimizer_last_grad_norm(const glab_optimizer *o);
long glab_optimizer_steps(const glab_optimizer *o);
const glab_optimizer_type *glab_optimizer_get_type(const glab_optimizer *o);
/* The validated config (type options, clip_norm, clip_value; defaults filled). */
const glab_config *glab_optimizer_config(const glab_optimizer *o);
/* The options the core adds to every optimizer type (clip_norm, clip_value). */
const glab_option *glab_optimizer_generic_options(void);
/* Override clipping after creation (train{clip_norm=} does this); 0 disables. A negative, NaN or
 * infinite value is refused, as the options clip_norm/clip_value refuse it, with an error naming
 * the option and the value (GLAB_ERR_ARG; the settings are then unchanged). */
int glab_optimizer_set_clipping(glab_optimizer *o, double clip_norm, double clip_value);

/* Clipping as used by the step, exposed for tests and custom loops. Returns the norm before. */
double glab_clip_grad_norm(glab_var *const *params, int n, double max_norm);
void glab_clip_grad_value(glab_var *const *params, int n, double max_abs);

#ifdef __cplusplus
}
#endif
#endif
