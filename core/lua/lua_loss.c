/* lua_loss.c — gradlab.loss.mse / cross_entropy / bce / sum. Given a model's output (a node on
 * its tape) they return a one-element node to pass to net:backward; given plain tensors they
 * just compute the value (on a temporary tape) and return a plain tensor. */
#include <math.h>
#include <string.h>

#include "gradlab/config.h"
#include "gradlab/model.h"
#include "gradlab/ops.h"
#include "gradlab/train.h"
#include "lua_internal.h"

/* A label that is not a class index: name its position (1-based, as Lua counts) and its value,
 * e.g. `labels[3] = -1 is not a class index (0..2)` for K = 3 classes (the output's last size). */
static int bad_label(lua_State *L, const char *fname, size_t i, const char *value, size_t k) {
  if (k > 0)
    return luaL_error(L, "%s: labels[%d] = %s is not a class index (0..%d)", fname, (int)i + 1,
                      value, (int)k - 1);
  return luaL_error(L, "%s: labels[%d] = %s is not a class index (an integer >= 0)", fname,
                    (int)i + 1, value);
}

/* Class labels (for `k` classes, 0: unknown) from a table of integers or a tensor, into an int
 * array inside a userdata (pushed). */
static int *check_labels(lua_State *L, int arg, const char *fname, size_t k, size_t *n) {
  size_t top = k > 0 ? k : 0x7fffffff;
  if (lua_type(L, arg) == LUA_TTABLE) {
    size_t len = lua_rawlen(L, arg);
    int *lab = glab_lua_newuserdata(L, 0, len ? len : 1, sizeof *lab, 0, "the labels");
    for (size_t i = 0; i < len; i++) {
      lua_rawgeti(L, arg, (lua_Integer)i + 1);
      int ok = 0;
      lua_Integer x = lua_tointegerx(L, -1, &ok);
      if (lua_type(L, -1) == LUA_TTABLE) { /* one-hot rows: say so, not "table: 0x55..." */
        luaL_error(L, "%s: labels[%d] is a table (a one-hot row?): cross_entropy takes class "
                      "indices 0..K-1 — pass the labels, or use mse for one-hot targets",
                   fname, (int)i + 1);
        return NULL; /* not reached: luaL_error does not return */
      }
      if (!ok || x < 0 || (lua_Unsigned)x >= top) {
        if (ok) lua_pushinteger(L, x); /* -1.0 reads as -1 */
        const char *v = lua_type(L, -1) == LUA_TNUMBER || lua_type(L, -1) == LUA_TSTRING
                            ? glab_lua_push_value_text(L, -1) /* NaN as nan, never -nan */
                            : luaL_tolstring(L, -1, NULL);
        bad_label(L, fname, i, v, k);
      }
      lab[i] = (int)x;
      lua_pop(L, 1);
    }
    *n = len;
    return lab;
  }
  const glab_tensor *t = glab_lua_check_tensor(L, arg);
  int *lab = glab_lua_newuserdata(L, 0, t->size, sizeof *lab, 0, "the labels");
  for (size_t i = 0; i < t->size; i++) {
    double x = (double)t->data[i];
    if (!(x >= 0) || x != floor(x) || x >= (double)top) /* -1 rather than -1.0; nan */
      bad_label(L, fname, i, glab_lua_push_number_text(L, x), k);
    lab[i] = (int)x;
  }
  *n = t->size;
  return lab;
}

/* Whether two shapes agree once their sizes of 1 are left out: [B][1] and [B] do, and so do
 * [1][T] and [T][1]; [2][3] and [3][2], or [2][2] and [4], do not (the same element count, but
 * an elementwise loss would pair the wrong elements without a word). */
static int same_shape_but_ones(const glab_tensor *a, const glab_tensor *b) {
  int i = 0, j = 0;
  for (;;) {
    while (i < a->ndim && a->shape[i] == 1)
      i++;
    while (j < b->ndim && b->shape[j] == 1)
      j++;
    if (i == a->ndim || j == b->ndim) return i == a->ndim && j == b->ndim;
    if (a->shape[i++] != b->shape[j++]) return 0;
  }
}

static int apply(lua_State *L, glab_loss_kind kind, const char *fname) {
  glab_lua_tensor *out = glab_lua_to_tensor_ud(L, 1); /* a tensor or a nested table */
  const glab_real *targets = NULL;
  const int *labels = NULL;
  size_t nt = 0, nl = 0;
  if (kind == GLAB_LOSS_CROSS_ENTROPY) {
    labels = check_labels(L, 2, fname, out->t.ndim ? glab_tensor_cols(&out->t) : 0, &nl);
  } else {
    const glab_tensor *t = glab_lua_to_tensor(L, 2);
    const glab_tensor *o = out->var ? &out->var->value : &out->t;
    if (!same_shape_but_ones(o, t)) {
      char so[64], st[64];
      glab_shape_str(o->ndim, o->shape, so, sizeof so);
      glab_shape_str(t->ndim, t->shape, st, sizeof st);
      return luaL_error(L, "%s: output %s and targets %s differ in shape (sizes of 1 aside)",
                        fname, so, st);
    }
    targets = t->data;
    nt = t->size;
  }
  if (out->var) {
    struct glab_lua_model *m = out->model;
    glab_var *loss = glab_trainer_loss(m->tr, kind, out->var, targets, nt, labels, nl);
    if (!loss) return glab_lua_fail(L, fname);
    m->loss = (int)kind;
    m->pending = 2;
    lua_getiuservalue(L, 1, 1); /* the model */
    glab_lua_push_node(L, -1, loss);
    return 1;
  }
  /* Plain tensors: compute the value alone. No Lua error between create and destroy. */
  glab_tape *tape = glab_tape_create();
  if (!tape) return glab_lua_fail(L, fname);
  glab_var *x = glab_tape_input(tape, &out->t, 0);
  glab_var *loss = x ? glab_loss_apply(tape, kind, x, targets, nt, labels, nl) : NULL;
  double value = loss ? (double)loss->value.data[0] : 0;
  glab_tape_destroy(tape);
  if (!loss) return glab_lua_fail(L, fname);
  int one = 1;
  glab_lua_new_tensor(L, 1, &one)->data[0] = (glab_real)value;
  return 1;
}

static int l_mse(lua_State *L) {
  return apply(L, GLAB_LOSS_MSE, "gradlab.loss.mse");
}
static int l_bce(lua_State *L) {
  return apply(L, GLAB_LOSS_BCE, "gradlab.loss.bce");
}
static int l_xent(lua_State *L) {
  return apply(L, GLAB_LOSS_CROSS_ENTROPY, "gradlab.loss.cross_entropy");
}

/* gradlab.loss.sum(out): the sum of all elements (d sum/d out = 1 everywhere). */
static int l_sum(lua_State *L) {
  glab_lua_tensor *out = glab_lua_to_tensor_ud(L, 1);
  int one = 1;
  if (out->var) {
    glab_var *s = glab_sum(glab_trainer_tape(out->model->tr), out->var);
    if (!s) return glab_lua_fail(L, "gradlab.loss.sum");
    out->model->pending = 2;
    lua_getiuservalue(L, 1, 1);
    glab_lua_push_node(L, -1, s);
    return 1;
  }
  double acc = 0;
  for (size_t i = 0; i < out->t.size; i++)
    acc += (double)out->t.data[i];
  glab_lua_new_tensor(L, 1, &one)->data[0] = (glab_real)acc;
  return 1;
}

static const luaL_Reg loss_funcs[] = {
    {"mse", l_mse}, {"cross_entropy", l_xent}, {"bce", l_bce}, {"sum", l_sum}, {NULL, NULL}};

/* gradlab.loss.__index(t, name): every loss is in the table, so a lookup that gets here is a
 * mistake; say so with the nearest name, as gradlab.layer and gradlab.optim do (a bare nil gave
 * "attempt to call a nil value" at the call, without the name). */
static int loss_index(lua_State *L) {
  static const char *const names[] = {"mse", "cross_entropy", "bce", "sum"};
  const char *name = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
  const char *near = name ? glab_name_suggest(names, 4, name) : NULL;
  return luaL_error(L, "gradlab.loss: unknown loss %s%s%s%s (known: mse, cross_entropy, bce, sum)",
                    name ? lua_pushfstring(L, "'%s'", name) : luaL_tolstring(L, 2, NULL),
                    near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

void glab_lua_open_loss(lua_State *L) {
  lua_newtable(L);
  luaL_setfuncs(L, loss_funcs, 0);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, loss_index);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_setfield(L, -2, "loss");
}
