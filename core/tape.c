/* tape.c — the define-by-run autodiff tape: nodes in an arena, backward as one reverse loop,
 * persistent variables (parameters) that live outside any tape. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "gradlab/error.h"
#include "gradlab/tape.h"

struct glab_tape {
  glab_arena arena;
  glab_var **nodes; /* creation order = a topological order */
  size_t n, cap;
  int did_backward; /* a second backward first clears the node gradients */
};

glab_tape *glab_tape_create(void) {
  glab_tape *t = calloc(1, sizeof *t);
  if (!t) {
    glab_error(GLAB_ERR_NOMEM, "tape_create: out of memory");
    return NULL;
  }
  glab_arena_init(&t->arena);
  return t;
}

void glab_tape_destroy(glab_tape *tape) {
  if (!tape) return;
  glab_arena_free(&tape->arena);
  free(tape->nodes);
  free(tape);
}

void glab_tape_reset(glab_tape *tape) {
  if (!tape) return;
  glab_arena_reset(&tape->arena);
  tape->n = 0;
  tape->did_backward = 0;
}

size_t glab_tape_node_count(const glab_tape *tape) {
  return tape ? tape->n : 0;
}

size_t glab_tape_arena_bytes(const glab_tape *tape) {
  return tape ? tape->arena.total : 0;
}

void *glab_tape_alloc(glab_tape *tape, size_t bytes) {
  if (!tape) {
    glab_error(GLAB_ERR_ARG, "tape_alloc: NULL tape");
    return NULL;
  }
  void *p = glab_arena_alloc(&tape->arena, bytes);
  if (!p) glab_error_context("tape_alloc");
  return p;
}

void *glab_tape_zalloc(glab_tape *tape, size_t bytes) {
  void *p = glab_tape_alloc(tape, bytes);
  if (p) memset(p, 0, bytes);
  return p;
}

static int reserve_node(glab_tape *tape) {
  if (tape->n < tape->cap) return GLAB_OK;
  size_t cap = tape->cap ? tape->cap * 2 : 256;
  glab_var **nodes = realloc(tape->nodes, cap * sizeof *nodes);
  if (!nodes) return glab_error(GLAB_ERR_NOMEM, "tape: out of memory for %zu nodes", cap);
  tape->nodes = nodes;
  tape->cap = cap;
  return GLAB_OK;
}

/* Where the parts of one node's arena block start: [var][inputs][attr][value data]. */
typedef struct node_layout {
  size_t off_in, off_attr, off_data, total;
} node_layout;

/* The block of a node with `nin` inputs, `attr_size` attribute bytes and `size` values (none for
 * a view). Every part and sum is checked: an absurd attr_size (SIZE_MAX) must not wrap around to
 * a small block that memcpy then overruns. Returns GLAB_OK or an error naming `what`. */
static int layout_node(const char *what, int nin, size_t attr_size, size_t size, int view,
                       node_layout *l) {
  *l = (node_layout){0, 0, 0, 0};
  if (attr_size > GLAB_ARENA_MAX)
    return glab_error(GLAB_ERR_ARG, "%s: attr_size %zu is too large (at most %zu bytes)", what,
                      attr_size, (size_t)GLAB_ARENA_MAX);
  size_t end = 0;
  int ok = glab_arena_add(&end, sizeof(glab_var));
  l->off_in = end;
  ok = ok && (size_t)nin <= GLAB_ARENA_MAX / sizeof(glab_var *) &&
       glab_arena_add(&end, (size_t)nin * sizeof(glab_var *));
  l->off_attr = end;
  ok = ok && glab_arena_add(&end, attr_size);
  l->off_data = end;
  if (!view)
    ok = ok && size <= GLAB_ARENA_MAX / sizeof(glab_real) &&
         glab_arena_add(&end, size * sizeof(glab_real));
  l->total = end;
  if (!ok)
    return glab_error(GLAB_ERR_NOMEM,
                      "%s: a node of %zu elements with %d inputs and %zu attribute bytes is "
                      "too large for the tape",
                      what, size, nin, attr_size);
  return GLAB_OK;
}

/* One arena block per node (see node_layout). `view`: no value data (the caller points
 * value.data at memory it owns). */
static glab_var *new_node_at(glab_tape *tape, const char *what, const glab_op *op,
                             glab_var *const *in, int nin, int ndim, const int *shape,
                             const void *attr, size_t attr_size, int view) {
  size_t size = glab_shape_size(ndim, shape);
  if (size == 0) {
    glab_error_context("%s", what);
    return NULL;
  }
  node_layout l;
  if (layout_node(what, nin, attr_size, size, view, &l) != GLAB_OK) return NULL;
  if (reserve_node(tape) != GLAB_OK) return NULL;
  unsigned char *mem = glab_arena_alloc(&tape->arena, l.total);
  if (!mem) {
    glab_error_context("%s", what);
    return NULL;
  }
  glab_var *v = (glab_var *)mem;
  memset(v, 0, sizeof *v);
  v->value.ndim = ndim;
  for (int i = 0; i < ndim; i++)
    v->value.shape[i] = shape[i];
  v->value.size = size;
  v->value.data = view ? NULL : (glab_real *)(mem + l.off_data);
  v->op = op;
  v->nin = nin;
  v->tape = tape;
  if (nin > 0) {
    v->in = (glab_var **)(mem + l.off_in);
    for (int i = 0; i < nin; i++) {
      v->in[i] = in[i];
      if (in[i]->flags & GLAB_VAR_NEEDS_GRAD) v->flags |= GLAB_VAR_NEEDS_GRAD;
    }
  }
  if (attr_size > 0) {
    v->attr = mem + l.off_attr;
    if (attr)
      memcpy(v->attr, attr, attr_size);
    else
      memset(v->attr, 0, attr_size);
  }
  return v;
}

static glab_var *new_node(glab_tape *tape, const char *what, const glab_op *op, glab_var *const *in,
                          int nin, int ndim, const int *shape, const void *attr, size_t attr_size) {
  return new_node_at(tape, what, op, in, nin, ndim, shape, attr, attr_size, 0);
}

glab_var *glab_tape_input(glab_tape *tape, const glab_tensor *value, int needs_grad) {
  if (!tape || !value || !value->data) {
    glab_error(GLAB_ERR_ARG, "tape_input: NULL %s", !tape ? "tape" : "tensor");
    return NULL;
  }
  glab_var *v = new_node(tape, "tape_input", NULL, NULL, 0, value->ndim, value->shape, NULL, 0);
  if (!v) return NULL;
  memcpy(v->value.data, value->data, v->value.size * sizeof(glab_real));
  if (needs_grad) v->flags |= GLAB_VAR_NEEDS_GRAD;
  tape->nodes[tape->n++] = v;
  return v;
}

glab_var *glab_tape_leaf(glab_tape *tape, int ndim, const int *shape, int needs_grad) {
  if (!tape) {
    glab_error(GLAB_ERR_ARG, "tape_leaf: NULL tape");
    return NULL;
  }
  glab_var *v = new_node(tape, "tape_leaf", NULL, NULL, 0, ndim, shape, NULL, 0);
  if (!v) return NULL;
  memset(v->value.data, 0, v->value.size * sizeof(glab_real));
  if (needs_grad) v->flags |= GLAB_VAR_NEEDS_GRAD;
  tape->nodes[tape->n++] = v;
  return v;
}

glab_var *glab_tape_view(glab_tape *tape, int ndim, const int *shape, glab_real *data) {
  if (!tape || !data) {
    glab_error(GLAB_ERR_ARG, "tape_view: NULL %s", !tape ? "tape" : "data");
    return NULL;
  }
  glab_var *v = new_node_at(tape, "tape_view", NULL, NULL, 0, ndim, shape, NULL, 0, 1);
  if (!v) return NULL;
  v->value.data = data;
  v->flags |= GLAB_VAR_VIEW;
  tape->nodes[tape->n++] = v;
  return v;
}

glab_var *glab_tape_apply(glab_tape *tape, const glab_op *op, glab_var *const *in, int nin,
                          int ndim, const int *shape, const void *attr, size_t attr_size) {
  const char *name = op && op->name ? op->name : "tape_apply";
  for (int i = 0; i < nin; i++) {
    if (!in || !in[i]) {
      /* Propagate an earlier failure silently; only say something if nothing was said. */
      if (glab_last_status() == GLAB_OK) glab_error(GLAB_ERR_ARG, "%s: input %d is NULL", name, i);
      return NULL;
    }
  }
  if (!tape || !op || !op->forward || nin < 0) {
    glab_error(GLAB_ERR_ARG, "%s: NULL tape, op or forward function", name);
    return NULL;
  }
  for (int i = 0; i < nin; i++) {
    if (in[i]->tape && in[i]->tape != tape) {
      glab_error(GLAB_ERR_ARG, "%s: input %d lives on another tape", name, i);
      return NULL;
    }
  }
  glab_var *v = new_node(tape, name, op, in, nin, ndim, shape, attr, attr_size);
  if (!v) return NULL;
  if (op->forward(v) != GLAB_OK) return NULL;
  tape->nodes[tape->n++] = v;
  return v;
}

glab_real *glab_var_grad(glab_var *v) {
  if (!v) {
    glab_error(GLAB_ERR_ARG, "var_grad: NULL variable");
    return NULL;
  }
  if (v->grad) return v->grad;
  if (v->tape)
    v->grad = glab_tape_zalloc(v->tape, v->value.size * sizeof(glab_real));
  else if (!(v->grad = calloc(v->value.size, sizeof(glab_real))))
    glab_error(GLAB_ERR_NOMEM, "var_grad: out of memory for %zu elements", v->value.size);
  return v->grad;
}

int glab_backward(glab_tape *tape, glab_var *loss) {
  if (!loss) {
    if (glab_last_status() == GLAB_OK) glab_error(GLAB_ERR_ARG, "backward: NULL loss");
    return (int)glab_last_status();
  }
  if (!tape) return glab_error(GLAB_ERR_ARG, "backward: NULL tape");
  if (loss->value.size != 1) {
    char buf[64];
    return glab_error(GLAB_ERR_SHAPE, "backward: the loss must have one element, not %s",
                      glab_shape_str(loss->value.ndim, loss->value.shape, buf, sizeof buf));
  }
  if (loss->tape != tape) return glab_error(GLAB_ERR_ARG, "backward: the loss is not on this tape");
  size_t end = tape->n;
  while (end > 0 && tape->nodes[end - 1] != loss)
    end--;
  if (end == 0) return glab_error(GLAB_ERR_ARG, "backward: the loss is not on this tape");
  if (tape->did_backward) {
    for (size_t i = 0; i < tape->n; i++) {
      glab_var *v = tape->nodes[i];
      if (v->grad) memset(v->grad, 0, v->value.size * sizeof(glab_real));
    }
  }
  tape->did_backward = 1;
  glab_real *g = glab_var_grad(loss);
  if (!g) return (int)glab_last_status();
  g[0] = 1;
  for (size_t i = end; i-- > 0;) {
    glab_var *v = tape->nodes[i];
    if (!v->op || !v->grad || !(v->flags & GLAB_VAR_NEEDS_GRAD) || !v->op->backward) continue;
    glab_clear_error(); /* so a backward that fails without a message can be told apart */
    int rc = v->op->backward(v);
    if (rc != GLAB_OK) {
      const char *name = v->op->name ? v->op->name : "(unnamed op)";
      if (glab_last_status() == GLAB_OK)
        glab_error(rc > 0 && rc <= GLAB_ERR_STATE ? (glab_status)rc : GLAB_ERR_STATE,
                   "its backward returned %d without a message", rc);
      return glab_error_context("backward of node %zu (op %s)", i, name);
    }
  }
  return GLAB_OK;
}

glab_var *glab_var_create(int ndim, const int *shape, int needs_grad) {
  size_t size = glab_shape_size(ndim, shape);
  if (size == 0) {
    glab_error_context("var_create");
    return NULL;
  }
  glab_var *v = calloc(1, sizeof *v);
  if (!v) goto nomem;
  v->value.data = calloc(size, sizeof(glab_real));
  if (!v->value.data) goto nomem;
  if (needs_grad && !(v->grad = calloc(size, sizeof(glab_real)))) goto nomem;
  v->value.ndim = ndim;
  for (int i = 0; i < ndim; i++)
    v->value.shape[i] = shape[i];
  v->value.size = size;
  v->flags = GLAB_VAR_PERSISTENT | (needs_grad ? GLAB_VAR_NEEDS_GRAD : 0u);
  return v;
nomem:
  glab_var_destroy(v);
  glab_error(GLAB_ERR_NOMEM, "var_create: out of memory for %zu elements", size);
  return NULL;
}

void glab_var_destroy(glab_var *v) {
  if (!v) return;
  if (v->tape) return; /* tape nodes belong to their tape */
  free(v->value.data);
  free(v->grad);
  free(v);
}

void glab_var_zero_grad(glab_var *v) {
  if (v && v->grad) memset(v->grad, 0, v->value.size * sizeof(glab_real));
}
