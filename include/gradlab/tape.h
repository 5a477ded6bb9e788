/* tape.h — the define-by-run autodiff tape: variables, ops, backward, persistent parameters.
 *
 * Every op appends one node to the tape; nodes, their values and gradients live in the tape's
 * arena, which glab_tape_reset() recycles (no malloc per op in a training loop once warm).
 * Backward walks the nodes in reverse creation order (already a topological order): one loop,
 * never recursion. Gradients accumulate (+=), so a value used twice gets both contributions.
 *
 * Error handling: any op given a NULL input returns NULL without a new message, so a chain of
 * ops can be checked once at the end; the first failure's message stays in glab_last_error(). */
#ifndef GRADLAB_TAPE_H
#define GRADLAB_TAPE_H

#include "gradlab/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glab_tape glab_tape;
typedef struct glab_var glab_var;

/* An op: `forward` fills out->value from out->in[] and out->attr; `backward` adds the
 * contribution of out->grad into each input that needs one (use glab_var_grad(in) to get the
 * input's gradient buffer; skip inputs for which glab_var_needs_grad() is false).
 * Both return GLAB_OK or an error code (after glab_error). */
typedef struct glab_op {
  const char *name;
  int (*forward)(glab_var *out);
  int (*backward)(glab_var *out);
} glab_op;

enum {
  GLAB_VAR_NEEDS_GRAD = 1u << 0, /* a gradient must flow into this variable */
  GLAB_VAR_PERSISTENT = 1u << 1, /* owned by its creator (a parameter), not by a tape */
  GLAB_VAR_VIEW = 1u << 2        /* a glab_tape_view node: value.data is not its own */
};

struct glab_var {
  glab_tensor value; /* value.data: arena memory for nodes, owned memory for persistent vars */
  glab_real *grad;   /* same size as value; NULL until a gradient reaches it */
  const glab_op *op; /* NULL for leaves */
  glab_var **in;     /* inputs (arena) */
  int nin;
  unsigned flags;
  void *attr;      /* op attributes and saved state (arena, copied at apply) */
  glab_tape *tape; /* the tape this node lives on (NULL for persistent vars) */
};

glab_tape *glab_tape_create(void);
void glab_tape_destroy(glab_tape *tape);
/* Forget all nodes (their memory is kept for reuse). Persistent vars are untouched. */
void glab_tape_reset(glab_tape *tape);
size_t glab_tape_node_count(const glab_tape *tape);
/* Bytes the arena holds (for tests and memory reports). */
size_t glab_tape_arena_bytes(const glab_tape *tape);

/* Arena memory valid until the next reset; 32-byte aligned; not zeroed. NULL on no memory. */
void *glab_tape_alloc(glab_tape *tape, size_t bytes);
void *glab_tape_zalloc(glab_tape *tape, size_t bytes);

/* A leaf on the tape holding a copy of `value` (inputs, targets). */
glab_var *glab_tape_input(glab_tape *tape, const glab_tensor *value, int needs_grad);
/* A leaf of the given shape, zero-filled, for the caller to fill. */
glab_var *glab_tape_leaf(glab_tape *tape, int ndim, const int *shape, int needs_grad);
/* A leaf whose value is `data` (ndim/shape elements, not copied, not zeroed, not owned: it must
 * stay valid until the next reset, e.g. a part of another node's value). The node costs its
 * header only, whatever its size. It needs no gradient; an op's backward may point its `grad`
 * at a buffer of its own (how lstm reports dL/dh_t per step). Flagged GLAB_VAR_VIEW. */
glab_var *glab_tape_view(glab_tape *tape, int ndim, const int *shape, glab_real *data);

/* The one way to add a node: allocates the output of `shape`, copies `attr` (attr_size bytes)
 * into the arena, records inputs, calls op->forward. Used by core ops and plugin ops alike.
 * Returns NULL if an input is NULL (no new message) or on failure (message set). */
glab_var *glab_tape_apply(glab_tape *tape, const glab_op *op, glab_var *const *in, int nin,
                          int ndim, const int *shape, const void *attr, size_t attr_size);

/* Backward from a one-element `loss` (seeded with d loss/d loss = 1). Gradients accumulate into
 * persistent variables' grad buffers (zero them yourself between steps) and into every node.
 * Nodes that no gradient reached (grad NULL) or that need none are skipped. Calling it again on
 * the same tape (another loss) first zeroes the node gradients; persistent ones keep adding. */
int glab_backward(glab_tape *tape, glab_var *loss);

/* For op backward functions: the input's gradient buffer, allocated zeroed on first use. */
glab_real *glab_var_grad(glab_var *v);
static inline int glab_var_needs_grad(const glab_var *v) {
  return (v->flags & GLAB_VAR_NEEDS_GRAD) != 0;
}

/* Persistent variables (parameters, buffers): own their value and a zeroed grad buffer. */
glab_var *glab_var_create(int ndim, const int *shape, int needs_grad);
void glab_var_destroy(glab_var *v); /* NULL and tape nodes are ignored */
void glab_var_zero_grad(glab_var *v);

#ifdef __cplusplus
}
#endif
#endif
