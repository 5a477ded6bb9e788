/* layer.c — layer instances: the core side of a layer type. Owns parameters and buffers, child
 * layers (named "<parent>.<i>"), the validated config, and the nodes of the last forward (input,
 * output, per-step hidden states) that the statistics read after backward. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/error.h"
#include "gradlab/layer.h"
#include "gradlab/registry.h"
#include "names_internal.h"

typedef struct param {
  char name[32];
  glab_var *var;
  int is_buffer;
} param;

struct glab_layer {
  const glab_layer_type *type;
  glab_config *cfg;
  void *impl;
  char *name;    /* allocated: never truncated (nested auto names grow with the depth) */
  int auto_name; /* 1: named by its parent, renamed when the parent is */
  param *params;
  int nparams, cap;
  glab_layer **children;
  int nchildren;
  int training;
  int depth; /* levels of nesting: 1 without children, else 1 + the deepest child's */
  glab_var *input, *output;
  glab_var **steps;
  int nsteps;
};

static const glab_option generic_options[] = {
    {"name", GLAB_OPT_STRING, "",
     "the layer's name in statistics, metrics.csv and net:layer(name) (default: its position, "
     "e.g. 3 or 3.1)"},
    GLAB_OPTIONS_END};

const glab_option *glab_layer_generic_options(void) {
  return generic_options;
}

void glab_layer_set_impl(glab_layer *l, void *impl) {
  l->impl = impl;
}
void *glab_layer_impl(const glab_layer *l) {
  return l ? l->impl : NULL;
}
int glab_layer_nchildren(const glab_layer *l) {
  return l ? l->nchildren : 0;
}
glab_layer *glab_layer_child(const glab_layer *l, int i) {
  return l && i >= 0 && i < l->nchildren ? l->children[i] : NULL;
}
int glab_layer_is_training(const glab_layer *l) {
  return l ? l->training : 0;
}
glab_rng *glab_layer_rng(glab_layer *l) {
  (void)l;
  return glab_default_rng();
}
const char *glab_layer_name(const glab_layer *l) {
  return l && l->name ? l->name : "";
}
const glab_layer_type *glab_layer_get_type(const glab_layer *l) {
  return l ? l->type : NULL;
}
const glab_config *glab_layer_config(const glab_layer *l) {
  return l ? l->cfg : NULL;
}
glab_var *glab_layer_output(const glab_layer *l) {
  return l ? l->output : NULL;
}
glab_var *glab_layer_input(const glab_layer *l) {
  return l ? l->input : NULL;
}

void glab_layer_set_steps(glab_layer *l, glab_var **steps, int n) {
  if (!l) return;
  l->steps = n > 0 ? steps : NULL;
  l->nsteps = n > 0 ? n : 0;
}

int glab_layer_steps(const glab_layer *l, glab_var ***steps) {
  if (steps) *steps = l ? l->steps : NULL;
  return l ? l->nsteps : 0;
}

static param *add_slot(glab_layer *l, const char *name) {
  if (!name || !*name || strlen(name) >= sizeof l->params[0].name) {
    glab_error(GLAB_ERR_ARG, "%s: parameter name '%s' empty or too long", l->type->name,
               name ? name : "(null)");
    return NULL;
  }
  for (int i = 0; i < l->nparams; i++)
    if (!strcmp(l->params[i].name, name)) {
      glab_error(GLAB_ERR_ARG, "%s: parameter '%s' declared twice", l->type->name, name);
      return NULL;
    }
  if (l->nparams == l->cap) {
    int cap = l->cap ? 2 * l->cap : 4;
    param *np = realloc(l->params, (size_t)cap * sizeof *np);
    if (!np) {
      glab_error(GLAB_ERR_NOMEM, "%s: out of memory", l->type->name);
      return NULL;
    }
    l->params = np;
    l->cap = cap;
  }
  param *p = &l->params[l->nparams];
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s", name);
  return p;
}

glab_var *glab_layer_add_param(glab_layer *l, const char *name, int ndim, const int *shape,
                               const glab_init *init, int fan_in, int fan_out) {
  if (!l || !init) {
    glab_error(GLAB_ERR_ARG, "add_param: NULL layer or initializer");
    return NULL;
  }
  param *p = add_slot(l, name);
  if (!p) return NULL;
  glab_var *v = glab_var_create(ndim, shape, 1);
  if (!v) {
    glab_error_context("%s: parameter '%s'", l->type->name, name);
    return NULL;
  }
  if (glab_init_apply(init, &v->value, fan_in, fan_out, glab_layer_rng(l)) != GLAB_OK) {
    glab_error_context("%s: parameter '%s'", l->type->name, name);
    glab_var_destroy(v);
    return NULL;
  }
  p->var = v;
  l->nparams++;
  return v;
}

glab_var *glab_layer_add_buffer(glab_layer *l, const char *name, int ndim, const int *shape,
                                double fill) {
  if (!l) {
    glab_error(GLAB_ERR_ARG, "add_buffer: NULL layer");
    return NULL;
  }
  param *p = add_slot(l, name);
  if (!p) return NULL;
  glab_var *v = glab_var_create(ndim, shape, 0);
  if (!v) {
    glab_error_context("%s: buffer '%s'", l->type->name, name);
    return NULL;
  }
  for (size_t i = 0; i < v->value.size; i++)
    v->value.data[i] = (glab_real)fill;
  p->var = v;
  p->is_buffer = 1;
  l->nparams++;
  return v;
}

glab_var *glab_layer_param(const glab_layer *l, const char *name) {
  if (!l || !name) return NULL;
  for (int i = 0; i < l->nparams; i++)
    if (!strcmp(l->params[i].name, name)) return l->params[i].var;
  return NULL;
}

int glab_layer_nparams(const glab_layer *l) {
  return l ? l->nparams : 0;
}

glab_var *glab_layer_param_at(const glab_layer *l, int i, const char **name, int *is_buffer) {
  if (!l || i < 0 || i >= l->nparams) return NULL;
  if (name) *name = l->params[i].name;
  if (is_buffer) *is_buffer = l->params[i].is_buffer;
  return l->params[i].var;
}

int glab_layer_collect_params(const glab_layer *l, glab_var **out, int cap) {
  int n = 0;
  if (!l) return 0;
  for (int i = 0; i < l->nparams; i++) {
    if (l->params[i].is_buffer) continue;
    if (n < cap) out[n] = l->params[i].var;
    n++;
  }
  for (int c = 0; c < l->nchildren; c++) {
    int room = cap - n > 0 ? cap - n : 0;
    n += glab_layer_collect_params(l->children[c], room ? out + n : NULL, room);
  }
  return n;
}

/* Replace l->name by a copy of `name` (whole: a name is never cut, so two names that differ
 * anywhere stay different and multi-byte UTF-8 stays intact). */
static int store_name(glab_layer *l, const char *name) {
  size_t len = strlen(name);
  char *p = malloc(len + 1);
  if (!p)
    return glab_error(GLAB_ERR_NOMEM, "layer %s: out of memory for the name",
                      l->name ? l->name : l->type->name);
  memcpy(p, name, len + 1);
  free(l->name);
  l->name = p;
  return GLAB_OK;
}

static int rename_children(glab_layer *l) {
  for (int i = 0; i < l->nchildren; i++) {
    glab_layer *c = l->children[i];
    if (!c->auto_name) continue;
    size_t len = strlen(l->name) + 16;
    char *p = malloc(len);
    if (!p) return glab_error(GLAB_ERR_NOMEM, "layer %s: out of memory for the name", l->name);
    snprintf(p, len, "%s.%d", l->name, i + 1);
    free(c->name);
    c->name = p;
    if (rename_children(c) != GLAB_OK) return glab_last_status();
  }
  return GLAB_OK;
}

int glab_layer_check_name(const char *name) {
  size_t n = name ? strlen(name) : 0;
  if (name && !strcmp(name, "model")) /* the model's own rows (loss, accuracy) have layer "model" */
    return glab_error(GLAB_ERR_ARG, "layer name 'model' is reserved: metrics.csv gives the "
                                    "model's own rows (loss, accuracy) that layer name");
  return glab_check_name("layer", name, n, 0,
                         "in metrics.csv 'NAME/layer' is a named model's layer");
}

int glab_layer_set_name(glab_layer *l, const char *name) {
  if (!l) return glab_error(GLAB_ERR_ARG, "layer set_name: NULL layer");
  if (glab_layer_check_name(name) != GLAB_OK) return glab_last_status();
  if (store_name(l, name ? name : "") != GLAB_OK) return glab_last_status();
  l->auto_name = 0;
  return rename_children(l);
}

void glab_layer_destroy(glab_layer *l) {
  if (!l) return;
  if (l->type && l->type->destroy && l->impl) l->type->destroy(l);
  for (int i = 0; i < l->nparams; i++)
    glab_var_destroy(l->params[i].var);
  free(l->params);
  for (int i = 0; i < l->nchildren; i++)
    glab_layer_destroy(l->children[i]);
  free(l->children);
  glab_config_destroy(l->cfg);
  free(l->name);
  free(l);
}

glab_layer *glab_layer_create(glab_registry *reg, const char *type, glab_config *cfg,
                              glab_layer **children, int nchildren) {
  glab_layer *l = NULL;
  const glab_layer_type *t = glab_registry_layer(reg, type);
  if (!t) {
    glab_error_context("cannot create layer");
    goto fail_children;
  }
  if (nchildren < 0 || (nchildren > 0 && !children)) {
    glab_error(GLAB_ERR_ARG, "%s: bad child list", t->name);
    goto fail_children;
  }
  if (nchildren > 0 && !t->takes_children) {
    glab_error(GLAB_ERR_ARG, "%s: takes no child layers (got %d)", t->name, nchildren);
    goto fail_children;
  }
  int depth = 1;
  for (int i = 0; i < nchildren; i++) {
    if (!children[i]) {
      glab_error(GLAB_ERR_ARG, "%s: child %d is NULL", t->name, i + 1);
      goto fail_children;
    }
    if (children[i]->depth + 1 > depth) depth = children[i]->depth + 1;
  }
  /* Checked before any name is built: renaming a chain this deep is what costs. */
  if (depth > GLAB_LAYER_MAX_DEPTH) {
    glab_error(GLAB_ERR_ARG,
               "%s: layers nest %d levels deep, more than the limit of %d (GLAB_LAYER_MAX_DEPTH)",
               t->name, depth, GLAB_LAYER_MAX_DEPTH);
    goto fail_children;
  }
  l = calloc(1, sizeof *l);
  if (!l) {
    glab_error(GLAB_ERR_NOMEM, "%s: out of memory", t->name);
    goto fail_children;
  }
  l->type = t;
  l->depth = depth;
  l->training = 1;
  l->auto_name = 1;
  if (store_name(l, t->name) != GLAB_OK) goto fail_children;
  l->cfg = cfg ? glab_config_copy(cfg) : glab_config_create();
  if (!l->cfg) goto fail_children;
  if (nchildren > 0) {
    l->children = malloc((size_t)nchildren * sizeof *l->children);
    if (!l->children) {
      glab_error(GLAB_ERR_NOMEM, "%s: out of memory", t->name);
      goto fail_children;
    }
    memcpy(l->children, children, (size_t)nchildren * sizeof *children);
    l->nchildren = nchildren;
    for (int i = 0; i < nchildren; i++)
      children[i]->auto_name = 1;
    if (rename_children(l) != GLAB_OK) goto fail;
  }
  if (glab_config_validate(l->cfg, t->options, t->name) != GLAB_OK) goto fail;
  if (cfg) glab_config_validate(cfg, t->options, t->name); /* caller sees the defaults too */
  glab_clear_error();
  if (t->create && t->create(l, l->cfg) != GLAB_OK) {
    if (!glab_last_error()[0]) glab_error(GLAB_ERR_PLUGIN, "%s: create failed", t->name);
    goto fail;
  }
  return l;

fail_children:
  if (!l || !l->children)
    for (int i = 0; i < nchildren; i++)
      if (children && children[i]) glab_layer_destroy(children[i]);
fail:
  if (l) {
    int st = glab_last_status();
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", glab_last_error());
    glab_layer_destroy(l);
    glab_error(st ? (glab_status)st : GLAB_ERR_ARG, "%s", msg);
  }
  return NULL;
}

glab_var *glab_layer_forward(glab_layer *l, glab_tape *tape, glab_var *x) {
  if (!l || !tape || !x) {
    if (!l || !tape) glab_error(GLAB_ERR_ARG, "layer forward: NULL layer or tape");
    return NULL;
  }
  l->input = x;
  l->output = NULL;
  l->steps = NULL;
  l->nsteps = 0;
  glab_clear_error();
  glab_var *y = l->type->forward(l, tape, x);
  if (!y) {
    if (!glab_last_error()[0])
      glab_error(GLAB_ERR_PLUGIN, "layer %s (%s): forward failed", l->name, l->type->name);
    return NULL;
  }
  l->output = y;
  return y;
}

void glab_layer_set_training(glab_layer *l, int training) {
  if (!l) return;
  l->training = training != 0;
  if (l->type->set_training) l->type->set_training(l, l->training);
  for (int i = 0; i < l->nchildren; i++)
    glab_layer_set_training(l->children[i], training);
}
