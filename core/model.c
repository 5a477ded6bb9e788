/* model.c — the sequential model: owns its layers, names them by position ("1", "2", children
 * "3.1"), runs them on a tape, lists the trained parameters with qualified names, switches
 * train/eval mode and prints itself. Losses, batches and evaluation are in model_eval.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/error.h"
#include "gradlab/model.h"
#include "names_internal.h"
#include "smt_internal.h"

struct glab_model {
  glab_layer **layers; /* top level */
  int n;
  glab_layer **all; /* depth first, parents first */
  int nall;
  glab_var **params;
  char **pnames;
  glab_layer **player;
  int nparams;
  size_t nscalars;
  int training;
  glab_var *input;
  unsigned long forwards;  /* counts forwards: tells the trainer whose nodes the layers hold */
  glab_model_nodes *nodes; /* per layer of `all`: the nodes of the last forward (statistics) */
  char *name;              /* NULL: unnamed */
};

/* A copy of what a forward leaves behind, so that a side forward (evaluation, describe) can be
 * undone: the statistics of a step waiting for its backward read these, not the layers. */
struct glab_model_nodes {
  glab_var *input;
  unsigned long forwards;
  int n;
  struct {
    glab_var *out;
    glab_var **steps;
    int nsteps;
  } l[];
};

static int count_all(glab_layer *l) {
  int n = 1;
  for (int i = 0; i < glab_layer_nchildren(l); i++)
    n += count_all(glab_layer_child(l, i));
  return n;
}

static void fill_all(glab_model *m, glab_layer *l) {
  m->all[m->nall++] = l;
  for (int i = 0; i < glab_layer_nchildren(l); i++)
    fill_all(m, glab_layer_child(l, i));
}

static int build_params(glab_model *m) {
  int np = 0;
  for (int i = 0; i < m->nall; i++)
    for (int j = 0; j < glab_layer_nparams(m->all[i]); j++) {
      int buf = 0;
      glab_layer_param_at(m->all[i], j, NULL, &buf);
      np += !buf;
    }
  m->params = calloc((size_t)np + 1, sizeof *m->params);
  m->pnames = calloc((size_t)np + 1, sizeof *m->pnames);
  m->player = calloc((size_t)np + 1, sizeof *m->player);
  if (!m->params || !m->pnames || !m->player)
    return glab_error(GLAB_ERR_NOMEM, "model: out of memory");
  for (int i = 0; i < m->nall; i++)
    for (int j = 0; j < glab_layer_nparams(m->all[i]); j++) {
      const char *pn = NULL;
      int buf = 0;
      glab_var *v = glab_layer_param_at(m->all[i], j, &pn, &buf);
      if (buf) continue;
      const char *ln = glab_layer_name(m->all[i]);
      size_t len = strlen(ln) + strlen(pn) + 2;
      char *q = malloc(len);
      if (!q) return glab_error(GLAB_ERR_NOMEM, "model: out of memory");
      snprintf(q, len, "%s.%s", ln, pn);
      m->pnames[m->nparams] = q;
      m->player[m->nparams] = m->all[i];
      m->params[m->nparams++] = v;
      m->nscalars += v->value.size;
    }
  return GLAB_OK;
}

glab_model *glab_model_create(glab_layer **layers, int n) {
  glab_model *m = NULL;
  if (n < 0 || (n > 0 && !layers)) {
    glab_error(GLAB_ERR_ARG, "sequential: bad layer list");
    goto fail_layers;
  }
  for (int i = 0; i < n; i++)
    if (!layers[i]) {
      glab_error(GLAB_ERR_ARG, "sequential: layer %d is NULL", i + 1);
      goto fail_layers;
    }
  m = calloc(1, sizeof *m);
  if (!m) goto nomem;
  m->layers = malloc(((size_t)n + 1) * sizeof *m->layers);
  if (!m->layers) goto nomem;
  if (n) memcpy(m->layers, layers, (size_t)n * sizeof *layers);
  m->n = n;
  m->training = 1;
  int total = 0;
  for (int i = 0; i < n; i++) {
    glab_layer *l = m->layers[i];
    const glab_layer_type *t = glab_layer_get_type(l);
    /* A layer still carrying its type's name was not named by the user: name it by position. */
    if (t && !strcmp(glab_layer_name(l), t->name)) {
      char nm[16];
      snprintf(nm, sizeof nm, "%d", i + 1);
      glab_layer_set_name(l, nm);
    }
    total += count_all(l);
  }
  m->all = malloc(((size_t)total + 1) * sizeof *m->all);
  if (!m->all) goto nomem;
  for (int i = 0; i < n; i++)
    fill_all(m, m->layers[i]);
  for (int i = 0; i < m->nall; i++)
    for (int j = 0; j < i; j++)
      if (!strcmp(glab_layer_name(m->all[i]), glab_layer_name(m->all[j]))) {
        glab_error(GLAB_ERR_ARG, "sequential: two layers are named '%s'",
                   glab_layer_name(m->all[i]));
        glab_model_destroy(m);
        return NULL;
      }
  m->nodes = calloc(1, sizeof *m->nodes + (size_t)m->nall * sizeof m->nodes->l[0]);
  if (!m->nodes) goto nomem;
  m->nodes->n = m->nall;
  if (build_params(m) != GLAB_OK) {
    glab_model_destroy(m);
    return NULL;
  }
  return m;
nomem:
  glab_error(GLAB_ERR_NOMEM, "sequential: out of memory");
  if (m && m->layers) {
    glab_model_destroy(m);
    return NULL;
  }
  free(m);
fail_layers:
  for (int i = 0; i < n && layers; i++)
    glab_layer_destroy(layers[i]);
  return NULL;
}

void glab_model_destroy(glab_model *m) {
  if (!m) return;
  for (int i = 0; i < m->n; i++)
    glab_layer_destroy(m->layers[i]);
  for (int i = 0; i < m->nparams; i++)
    free(m->pnames[i]);
  free(m->layers);
  free(m->all);
  free(m->params);
  free(m->pnames);
  free(m->player);
  free(m->nodes);
  free(m->name);
  free(m);
}

int glab_model_check_name(const char *name) {
  return glab_check_name("model", name, name ? strlen(name) : 0, 200,
                         "it prefixes the model's rows in metrics.csv: NAME/1, NAME/model");
}

int glab_model_set_name(glab_model *m, const char *name) {
  if (!m) return glab_error(GLAB_ERR_ARG, "model name: NULL model");
  if (name && glab_model_check_name(name) != GLAB_OK) return glab_last_status();
  char *copy = name ? strdup(name) : NULL;
  if (name && !copy) return glab_error(GLAB_ERR_NOMEM, "model name: out of memory");
  free(m->name);
  m->name = copy;
  return GLAB_OK;
}

const char *glab_model_name(const glab_model *m) {
  return m ? m->name : NULL;
}

const char *glab_model_row_layer(const glab_model *m, const char *layer, char *buf, size_t size,
                                 char **heap) {
  *heap = NULL;
  if (!m || !m->name) return layer;
  size_t need = strlen(m->name) + strlen(layer) + 2;
  char *out = need <= size ? buf : (*heap = malloc(need));
  if (out) snprintf(out, need, "%s/%s", m->name, layer);
  return out;
}

int glab_model_nlayers(const glab_model *m) {
  return m ? m->n : 0;
}
glab_layer *glab_model_layer(const glab_model *m, int i) {
  return m && i >= 0 && i < m->n ? m->layers[i] : NULL;
}
int glab_model_nall(const glab_model *m) {
  return m ? m->nall : 0;
}
glab_layer *glab_model_all(const glab_model *m, int i) {
  return m && i >= 0 && i < m->nall ? m->all[i] : NULL;
}

glab_layer *glab_model_find(const glab_model *m, const char *name) {
  if (!m || !name) {
    glab_error(GLAB_ERR_ARG, "model: NULL layer name");
    return NULL;
  }
  for (int i = 0; i < m->nall; i++)
    if (!strcmp(glab_layer_name(m->all[i]), name)) return m->all[i];
  glab_error(GLAB_ERR_NOTFOUND, "model: no layer named '%s' (layers are 1..%d)", name, m->n);
  return NULL;
}

/* Copy every layer's recorded nodes into m->nodes (after a forward). */
static void snapshot_nodes(glab_model *m) {
  glab_model_nodes *s = m->nodes;
  s->input = m->input;
  s->forwards = m->forwards;
  for (int i = 0; i < m->nall; i++) {
    s->l[i].out = glab_layer_output(m->all[i]);
    s->l[i].nsteps = glab_layer_steps(m->all[i], &s->l[i].steps);
  }
}

glab_var *glab_model_forward(glab_model *m, glab_tape *tape, glab_var *x) {
  if (!m || !tape || !x) {
    glab_error(GLAB_ERR_ARG, "model forward: NULL %s", !m ? "model" : !tape ? "tape" : "input");
    return NULL;
  }
  m->input = x;
  m->forwards++;
  glab_var *y = x;
  /* until it succeeds, this forward's statistics see no nodes */
  for (int i = 0; i < m->nall; i++)
    m->nodes->l[i].out = NULL, m->nodes->l[i].steps = NULL, m->nodes->l[i].nsteps = 0;
  for (int i = 0; i < m->n; i++) {
    glab_var *out = glab_layer_forward(m->layers[i], tape, y);
    if (!out) {
      char shape[64]; /* formatted only here: once per step it cost ~4% of a tiny net's step */
      glab_shape_str(y->value.ndim, y->value.shape, shape, sizeof shape);
      const glab_layer_type *t = glab_layer_get_type(m->layers[i]);
      glab_error_context("layer %d '%s' (%s) on input %s", i + 1, glab_layer_name(m->layers[i]),
                         t ? t->name : "?", shape);
      return NULL;
    }
    y = out;
  }
  snapshot_nodes(m);
  return y;
}

glab_var *glab_model_input(const glab_model *m) {
  return m ? m->input : NULL;
}
unsigned long glab_model_forward_count(const glab_model *m) {
  return m ? m->forwards : 0;
}

glab_var *glab_model_node(const glab_model *m, int i, glab_var ***steps, int *nsteps) {
  int ok = m && i >= 0 && i < m->nall;
  if (steps) *steps = ok ? m->nodes->l[i].steps : NULL;
  if (nsteps) *nsteps = ok ? m->nodes->l[i].nsteps : 0;
  return ok ? m->nodes->l[i].out : NULL;
}

glab_model_nodes *glab_model_save_nodes(glab_model *m) {
  size_t size = sizeof *m->nodes + (size_t)m->nall * sizeof m->nodes->l[0];
  glab_model_nodes *s = malloc(size);
  if (!s) {
    glab_error(GLAB_ERR_NOMEM, "model: out of memory");
    return NULL;
  }
  memcpy(s, m->nodes, size);
  s->input = m->input;
  s->forwards = m->forwards;
  return s;
}

void glab_model_restore_nodes(glab_model *m, glab_model_nodes *saved) {
  if (!m || !saved) return;
  memcpy(m->nodes, saved, sizeof *m->nodes + (size_t)m->nall * sizeof m->nodes->l[0]);
  m->input = saved->input;
  m->forwards = saved->forwards;
  free(saved);
}
int glab_model_nparams(const glab_model *m) {
  return m ? m->nparams : 0;
}
glab_var *const *glab_model_params(const glab_model *m) {
  return m ? m->params : NULL;
}
const char *glab_model_param_name(const glab_model *m, int i) {
  return m && i >= 0 && i < m->nparams ? m->pnames[i] : NULL;
}
glab_layer *glab_model_param_layer(const glab_model *m, int i) {
  return m && i >= 0 && i < m->nparams ? m->player[i] : NULL;
}
size_t glab_model_param_count(const glab_model *m) {
  return m ? m->nscalars : 0;
}

void glab_model_zero_grad(glab_model *m) {
  if (!m) return;
  for (int i = 0; i < m->nparams; i++)
    glab_var_zero_grad(m->params[i]);
}

void glab_model_set_training(glab_model *m, int training) {
  if (!m) return;
  m->training = training != 0;
  for (int i = 0; i < m->n; i++)
    glab_layer_set_training(m->layers[i], m->training);
}

int glab_model_is_training(const glab_model *m) {
  return m ? m->training : 0;
}

/* ---- describe ---------------------------------------------------------------------------- */

typedef struct sbuf {
  char *s;
  size_t len, cap;
  int failed;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
sb_printf(sbuf *b, const char *fmt, ...) {
  if (b->failed) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = 1;
      return;
    }
    if (b->s && b->len + (size_t)n < b->cap) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = (b->cap ? b->cap * 2 : 1024) + (size_t)n;
    char *p = realloc(b->s, cap);
    if (!p) {
      b->failed = 1;
      return;
    }
    b->s = p;
    b->cap = cap;
  }
}

/* One line per layer, children below their parent, indented by nesting depth (not by the
 * name: a child may have a given name without dots). */
static void describe_layer(sbuf *b, glab_layer *l, int depth, int shapes) {
  const glab_layer_type *t = glab_layer_get_type(l);
  size_t count = 0;
  sb_printf(b, "  %*s%-8s %-10s", 2 * depth, "", glab_layer_name(l), t ? t->name : "?");
  for (int j = 0; j < glab_layer_nparams(l); j++) {
    const char *pn = NULL;
    glab_var *v = glab_layer_param_at(l, j, &pn, NULL);
    char shp[64];
    sb_printf(b, " %s%s", pn, glab_shape_str(v->value.ndim, v->value.shape, shp, sizeof shp));
    count += v->value.size;
  }
  glab_var *out = shapes ? glab_layer_output(l) : NULL;
  if (out) {
    char shp[64];
    sb_printf(b, "  -> %s", glab_shape_str(out->value.ndim, out->value.shape, shp, sizeof shp));
  }
  if (count) sb_printf(b, "  (%zu)", count);
  sb_printf(b, "\n");
  for (int i = 0; i < glab_layer_nchildren(l); i++)
    describe_layer(b, glab_layer_child(l, i), depth + 1, shapes);
}

char *glab_model_describe(glab_model *m, int input_ndim, const int *input_shape) {
  if (!m) {
    glab_error(GLAB_ERR_ARG, "describe: NULL model");
    return NULL;
  }
  sbuf b = {0};
  glab_tape *tape = NULL;
  glab_model_nodes *saved = NULL;
  if (input_ndim > 0 && input_shape && input_ndim < GLAB_MAX_DIMS) {
    /* The probe forward runs on its own tape; the last real forward's nodes (a step may be
     * waiting for its backward) are put back afterwards. */
    saved = glab_model_save_nodes(m);
    if (!saved) return NULL;
    int shape[GLAB_MAX_DIMS];
    shape[0] = 1;
    memcpy(shape + 1, input_shape, (size_t)input_ndim * sizeof *shape);
    tape = glab_tape_create();
    int was = m->training;
    glab_model_set_training(m, 0);
    glab_var *x = tape ? glab_tape_leaf(tape, input_ndim + 1, shape, 0) : NULL;
    if (!x || !glab_model_forward(m, tape, x)) {
      glab_tape_destroy(tape);
      tape = NULL; /* describe without output shapes */
      glab_clear_error();
    }
    glab_model_set_training(m, was);
  }
  sb_printf(&b, "sequential (%d layer%s, %zu parameter%s)\n", m->n, m->n == 1 ? "" : "s",
            m->nscalars, m->nscalars == 1 ? "" : "s");
  for (int i = 0; i < m->n; i++)
    describe_layer(&b, m->layers[i], 0, tape != NULL);
  glab_model_restore_nodes(m, saved);
  glab_tape_destroy(tape);
  if (b.failed || !b.s) {
    free(b.s);
    glab_error(GLAB_ERR_NOMEM, "describe: out of memory");
    return NULL;
  }
  return b.s;
}
