/* layer.h — layer types (what a plugin implements) and layer instances (what the core owns).
 *
 * A layer type composes core ops in forward(); its backward comes from the tape. It declares its
 * parameters with glab_layer_add_param (initialised by the core with the run's generator) and may
 * own child layers (residual). Statistics are the core's job: glab_layer_forward records each
 * layer's output node so that after backward its gradient (Nielsen's delta) can be read. */
#ifndef GRADLAB_LAYER_H
#define GRADLAB_LAYER_H

#include "gradlab/config.h"
#include "gradlab/rng.h"
#include "gradlab/tape.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glab_layer glab_layer;
typedef struct glab_registry glab_registry;

/* What the layer's output means for the derived statistics. */
typedef enum glab_act_kind {
  GLAB_ACT_NONE,
  GLAB_ACT_SIGMOID, /* saturated: output < 0.01 or > 0.99 (derivative < ~0.01) */
  GLAB_ACT_TANH,    /* saturated: |output| > 0.99 */
  GLAB_ACT_RELU     /* dead: output <= 0 (for leaky: the negative side) */
} glab_act_kind;

/* How the conformance check (tests, `gradlab gradcheck`) builds a small instance of a type.
 * A type without one is checked with its default options on a [3][4] input. */
typedef struct glab_layer_example {
  const char *config; /* option text, e.g. "inputs=4 outputs=3" (glab_config_set_pairs) */
  int ndim;           /* input shape; 0 means [3][4] */
  int shape[GLAB_MAX_DIMS];
  const char *children; /* takes_children types: "dense inputs=4 outputs=5 | tanh" */
} glab_layer_example;

typedef struct glab_layer_type {
  const char *name;
  const char *doc;            /* one line */
  const glab_option *options; /* terminated by GLAB_OPTIONS_END; may be NULL (no options) */
  int takes_children;         /* 1: created with child layers (e.g. residual) */
  glab_act_kind activation;
  /* Read the validated config, add parameters, keep private state with glab_layer_set_impl. */
  int (*create)(glab_layer *self, const glab_config *cfg);
  /* Build the output on the tape; return NULL with glab_error on failure (e.g. a shape that does
   * not fit — name the layer and the shapes). Children are run with glab_layer_forward. */
  glab_var *(*forward)(glab_layer *self, glab_tape *tape, glab_var *x);
  void (*set_training)(glab_layer *self, int training); /* optional */
  void (*destroy)(glab_layer *self);                    /* optional: free the impl */
  const glab_layer_example *example;                    /* optional: for the conformance check */
} glab_layer_type;

/* ---- for layer implementations ---- */
void glab_layer_set_impl(glab_layer *l, void *impl);
void *glab_layer_impl(const glab_layer *l);
/* A trained parameter, initialised with `init` (fan_in/fan_out for the scaled initializers). */
glab_var *glab_layer_add_param(glab_layer *l, const char *name, int ndim, const int *shape,
                               const glab_init *init, int fan_in, int fan_out);
/* A buffer (not trained, saved with the model; e.g. running_mean), filled with `fill`. */
glab_var *glab_layer_add_buffer(glab_layer *l, const char *name, int ndim, const int *shape,
                                double fill);
/* A parameter or buffer by name, or NULL. */
glab_var *glab_layer_param(const glab_layer *l, const char *name);
int glab_layer_nchildren(const glab_layer *l);
glab_layer *glab_layer_child(const glab_layer *l, int i);
int glab_layer_is_training(const glab_layer *l);
/* Recurrent layers: the per-time-step hidden state nodes of this forward (an arena array is
 * fine), so the core can report ||dL/dh_t|| for every t after backward. */
void glab_layer_set_steps(glab_layer *l, glab_var **steps, int n);
/* The generator parameters are drawn from (the run's glab_default_rng() unless set). */
glab_rng *glab_layer_rng(glab_layer *l);
const char *glab_layer_name(const glab_layer *l); /* "3", "3.1" or a given name */
const glab_layer_type *glab_layer_get_type(const glab_layer *l);

/* The options every layer takes besides its type's own, handled by the embedder rather than the
 * type (today `name`: the binding sets it with glab_layer_set_name). For documentation
 * (`gradlab plugins --describe`) and bindings; a layer type may not declare one of these. */
const glab_option *glab_layer_generic_options(void);

/* Layers nest at most this many levels (a layer without children is 1 level): names are whole
 * paths ("1.1.1..."), so D levels hold ~D² bytes of names, and forward, naming and destroy
 * recurse once per level. glab_layer_create refuses deeper nesting with an error. */
#define GLAB_LAYER_MAX_DEPTH 1000

/* ---- for embedders (the Lua binding, tests) ---- */
/* Create a layer of a registered type; validates cfg (filling defaults). Takes ownership of
 * the children (destroyed with the layer, also on failure). NULL and a message on failure. */
glab_layer *glab_layer_create(glab_registry *reg, const char *type, glab_config *cfg,
                              glab_layer **children, int nchildren);
void glab_layer_destroy(glab_layer *l);
/* Run the layer (and record its output and input for statistics). */
glab_var *glab_layer_forward(glab_layer *l, glab_tape *tape, glab_var *x);
void glab_layer_set_training(glab_layer *l, int training); /* recursive */
/* The whole name is kept (any length, never cut); children named by position follow it.
 * GLAB_OK, or an error (a name glab_layer_check_name refuses, out of memory) leaving a valid
 * name. */
int glab_layer_set_name(glab_layer *l, const char *name);
/* GLAB_OK for a usable layer name: not empty, no control characters, no '/' (metrics.csv reads
 * 'NAME/layer' as a named model's layer); else an error saying so. */
int glab_layer_check_name(const char *name);
/* Parameters and buffers of this layer only (not children), in declaration order. */
int glab_layer_nparams(const glab_layer *l);
glab_var *glab_layer_param_at(const glab_layer *l, int i, const char **name, int *is_buffer);
/* Last forward's recorded nodes (valid until the tape is reset): */
glab_var *glab_layer_output(const glab_layer *l);
glab_var *glab_layer_input(const glab_layer *l);
int glab_layer_steps(const glab_layer *l, glab_var ***steps);
const glab_config *glab_layer_config(const glab_layer *l);
/* Every parameter (NEEDS_GRAD, not buffers) of this layer and its children, depth first, into
 * `out` (up to `cap`); returns the total count (call with cap 0 to size the array). */
int glab_layer_collect_params(const glab_layer *l, glab_var **out, int cap);

/* ---- conformance: gradcheck a registered layer type on its example ---- */
typedef struct glab_layer_check {
  double worst;         /* worst relative error over the input and every parameter */
  double worst_input;   /* of dL/dx */
  double worst_param;   /* over every parameter (children included) */
  char worst_where[96]; /* "input", "weight", "1.w_x" ... and the mode */
  size_t checked;       /* elements compared */
  int nparams;          /* parameters checked */
} glab_layer_check;
/* Builds the type from its example (training mode, then evaluation mode), and gradchecks
 * L = sum(R ∘ forward(x)) (R fixed random) against the input and every parameter. Returns
 * GLAB_OK when it ran (compare report->worst with glab_layer_check_tolerance()), or an error
 * when the type could not be built or run. */
int glab_layer_gradcheck(glab_registry *reg, const char *type, glab_layer_check *report);
/* The same with another configuration and input than the type's own example (NULL: its own). */
int glab_layer_gradcheck_example(glab_registry *reg, const char *type,
                                 const glab_layer_example *example, glab_layer_check *report);
/* The pass threshold: 1e-6 in a double build, 1e-2 in a float build. */
double glab_layer_check_tolerance(void);

/* Fill `t` by initializer (`fan_in`, `fan_out` for the scaled ones). */
int glab_init_apply(const glab_init *init, glab_tensor *t, int fan_in, int fan_out, glab_rng *rng);
/* Parse "xavier_uniform" into an initializer (std/value NaN); error for unknown names. */
int glab_init_parse(const char *name, glab_init *out);
/* Check the numbers of an initializer: std (when given) finite and >= 0, value not infinite
 * (NaN means "not given"). The message names the type and option ("dense: option 'init': ..."). */
int glab_init_check(const glab_init *init, const char *type_name, const char *key);

#ifdef __cplusplus
}
#endif
#endif
