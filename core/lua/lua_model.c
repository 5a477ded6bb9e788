/* lua_model.c — models: gradlab.sequential{layer, ...} and the model object (layers, layer,
 * forward, backward, zero_grad, input_grad, evaluate, train/eval, save/load, tostring, ...).
 * Each model carries a glab_trainer: its tape, recorder, step counter and non-finite events, so
 * the manual loop (forward, loss, backward, opt:step) records the same statistics as train{}. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/model.h"
#include "gradlab/train.h"
#include "lua_internal.h"

unsigned long glab_lua_model_gen(const struct glab_lua_model *m) {
  return m->tr ? glab_trainer_generation(m->tr) : 0;
}

struct glab_lua_model *glab_lua_check_model(lua_State *L, int arg) {
  struct glab_lua_model *m = glab_lua_checkudata(L, arg, GLAB_LUA_MODEL);
  if (!m->m || !m->tr)
    glab_lua_argerror(L, arg,
                      m->collected ? "model has been collected: its __gc metamethod was called"
                                   : "model is not usable (its creation failed)");
  return m;
}

struct glab_lua_model *glab_lua_check_idle_model(lua_State *L, int arg, const char *fname) {
  struct glab_lua_model *m = glab_lua_check_model(L, arg);
  if (m->busy)
    luaL_error(L, "%s: the model is being trained (called from a training callback?)", fname);
  return m;
}

/* ---- widths at construction ---- */

enum { W_UNKNOWN, W_KEEP, W_MAP };
typedef struct {
  int kind;
  long in, out;                 /* W_MAP: 0 when not known */
  const char *in_opt, *out_opt; /* the options they come from, for the message */
} widths;

/* The int option `key` if the layer's type declares it (a type of that name could come from
 * another plugin: read only what it declares), else 0. */
static long opt_width(const glab_layer *l, const char *key) {
  const glab_layer_type *t = glab_layer_get_type(l);
  for (const glab_option *o = t->options; o && o->name; o++)
    if (!strcmp(o->name, key) && o->kind == GLAB_OPT_INT) {
      long v = glab_config_int(glab_layer_config(l), key);
      return v > 0 ? v : 0;
    }
  return 0;
}

/* The chain's widths: in (the first known input width, if no layer before it could change the
 * width), out (> 0 known, 0 the chain keeps its input width, -1 not known). */
static void chain_widths(lua_State *L, glab_layer *const *ls, int n, const char *fname,
                         const char *what, long *in, long *out);

static widths layer_widths(lua_State *L, glab_layer *l, const char *fname) {
  const char *t = glab_layer_get_type(l)->name;
  widths w = {W_UNKNOWN, 0, 0, NULL, NULL};
  if (!strcmp(t, "sigmoid") || !strcmp(t, "tanh") || !strcmp(t, "relu")) {
    w.kind = W_KEEP;
  } else if (!strcmp(t, "dense")) {
    w = (widths){W_MAP, opt_width(l, "inputs"), opt_width(l, "outputs"), "inputs", "outputs"};
  } else if (!strcmp(t, "rnn") || !strcmp(t, "lstm")) {
    w = (widths){W_MAP, opt_width(l, "inputs"), opt_width(l, "hidden"), "inputs", "hidden"};
  } else if (!strcmp(t, "batchnorm")) {
    long f = opt_width(l, "features");
    w = (widths){W_MAP, f, f, "features", "features"};
  } else if (!strcmp(t, "residual")) { /* y = x (or x·P) + f(x); its children were checked */
    int nc = glab_layer_nchildren(l);
    glab_layer *kids[64];
    if (nc > 64) return w;
    for (int i = 0; i < nc; i++)
      kids[i] = glab_layer_child(l, i);
    long cin, cout;
    chain_widths(L, kids, nc, fname, "child", &cin, &cout);
    long rin = opt_width(l, "inputs"), rout = opt_width(l, "outputs");
    if (!rin) rin = cin;
    if (!rout) rout = cout > 0 ? cout : cout == 0 ? rin : -1;
    if (!rin && cout == 0 && !opt_width(l, "outputs")) {
      w.kind = W_KEEP;
    } else {
      w = (widths){W_MAP, rin, rout > 0 ? rout : 0, "inputs", "outputs"};
      if (rout < 0) w.out = -1;
    }
  }
  return w;
}

static void chain_widths(lua_State *L, glab_layer *const *ls, int n, const char *fname,
                         const char *what, long *in, long *out) {
  long cur = 0; /* the width flowing between layers: > 0 known, 0 the input's, -1 not known */
  int from = -1;
  const char *from_opt = NULL;
  *in = 0;
  for (int i = 0; i < n; i++) {
    widths w = layer_widths(L, ls[i], fname);
    if (w.kind == W_KEEP) continue;
    if (w.kind == W_UNKNOWN) {
      cur = -1;
      continue;
    }
    if (w.in > 0 && cur > 0 && w.in != cur)
      luaL_error(L, "%s: %s %d (%s) takes %d features (%s=%d), but %s %d (%s) gives %d (%s=%d)",
                 fname, what, i + 1, glab_layer_get_type(ls[i])->name, (int)w.in, w.in_opt,
                 (int)w.in, what, from + 1, glab_layer_get_type(ls[from])->name, (int)cur, from_opt,
                 (int)cur);
    if (w.in > 0 && cur == 0 && !*in) *in = w.in;
    cur = w.out > 0 ? w.out : -1;
    from = i;
    from_opt = w.out_opt;
  }
  *out = cur;
}

void glab_lua_check_widths(lua_State *L, glab_layer *const *ls, int n, const char *fname,
                           const char *what) {
  long in, out;
  chain_widths(L, ls, n, fname, what, &in, &out);
}

/* gradlab.sequential{layer, layer, ...} */
static int l_sequential(lua_State *L) {
  glab_lua_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  int n = (int)lua_rawlen(L, 1);
  if (n < 1) return luaL_error(L, "gradlab.sequential: give at least one layer");
  static const char *const keys[] = {"name", NULL};
  glab_lua_check_options(L, n, 1, "gradlab.sequential", keys);
  const char *name = NULL; /* checked before any layer is taken */
  int nt = lua_getfield(L, 1, "name");
  if (nt == LUA_TSTRING) {
    size_t len;
    name = lua_tolstring(L, -1, &len);
    if (strlen(name) != len) /* C would see only the bytes before it */
      return luaL_error(L, "gradlab.sequential: model name: a name cannot hold a NUL byte "
                           "(byte %d of %d)",
                        (int)strlen(name) + 1, (int)len);
  } else if (nt != LUA_TNIL)
    return luaL_error(L, "gradlab.sequential: option 'name' must be a string, got %s",
                      luaL_typename(L, -1));
  lua_pop(L, 1); /* the string stays alive in the table at 1 */
  if (name && glab_model_check_name(name) != GLAB_OK) return glab_lua_fail(L, "gradlab.sequential");
  struct glab_lua_model *m = lua_newuserdatauv(L, sizeof *m, 1); /* 2 */
  memset(m, 0, sizeof *m);
  m->loss = -1;
  luaL_setmetatable(L, GLAB_LUA_MODEL);
  glab_layer **layers = lua_newuserdatauv(L, (size_t)n * sizeof *layers, 0); /* 3 */
  for (int i = 1; i <= n; i++) { /* check all before taking any */
    lua_rawgeti(L, 1, i);
    glab_lua_layer *u = luaL_testudata(L, -1, GLAB_LUA_LAYER);
    if (!u)
      return luaL_error(L, "gradlab.sequential: element %d is a %s, not a layer", i,
                        luaL_typename(L, -1));
    if (glab_lua_layer_dead(L, -1))
      return luaL_error(L, "gradlab.sequential: element %d: %s", i, glab_lua_layer_dead(L, -1));
    if (!u->owned)
      return luaL_error(L,
                        "gradlab.sequential: element %d: layer '%s' already belongs to a model "
                        "or container",
                        i, glab_layer_name(u->l));
    for (int j = 0; j < i - 1; j++)
      if (layers[j] == u->l)
        return luaL_error(L, "gradlab.sequential: element %d repeats element %d", i, j + 1);
    layers[i - 1] = u->l;
    lua_pop(L, 1);
  }
  /* Widths that cannot fit are found now, not at the first forward (nothing is taken yet). */
  glab_lua_check_widths(L, layers, n, "gradlab.sequential", "layer");
  for (int i = 1; i <= n; i++) {
    lua_rawgeti(L, 1, i);
    glab_lua_adopt_layer(L, lua_gettop(L), 2, "gradlab.sequential");
    lua_pop(L, 1);
  }
  glab_lua_push_layer_list(L, layers, n); /* 4 */
  m->m = glab_model_create(layers, n);
  if (!m->m) {
    glab_lua_forget_list(L, 4);
    for (int i = 1; i <= n; i++) {
      lua_rawgeti(L, 1, i);
      glab_lua_layer *u = lua_touserdata(L, -1);
      u->l = NULL;
      u->gone = GLAB_LUA_LAYER_FAILED;
      lua_pop(L, 1);
    }
    return glab_lua_fail(L, "gradlab.sequential");
  }
  m->tr = glab_trainer_create(m->m);
  if (!m->tr || (name && glab_model_set_name(m->m, name) != GLAB_OK))
    return glab_lua_fail(L, "gradlab.sequential");
  glab_runlog *log = glab_lua_runlog(L);
  if (log) glab_trainer_set_runlog(m->tr, log);
  lua_pushvalue(L, 2);
  return 1;
}

static int m_gc(lua_State *L) {
  struct glab_lua_model *m = glab_lua_checkudata(L, 1, GLAB_LUA_MODEL);
  for (int i = 0, n = m->m ? glab_model_nlayers(m->m) : 0; i < n; i++)
    glab_lua_forget_layer(L, glab_model_layer(m->m, i)); /* their handles now say so */
  /* A record captured by a backward that no step followed (a probe: forward, loss, backward)
   * is written out when the next backward or step comes; for the model's last one that is now.
   * (gradlab run closes the Lua state before the run log, which is still open here.) */
  if (m->tr) glab_recorder_commit(glab_trainer_recorder(m->tr), NULL);
  glab_trainer_destroy(m->tr);
  glab_model_destroy(m->m);
  m->tr = NULL;
  m->m = NULL;
  m->collected = 1;
  return 0;
}

static int m_layers(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_model(L, 1);
  int n = glab_model_nlayers(m->m);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    glab_lua_push_layer(L, glab_model_layer(m->m, i), 1);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* net:layer(i) (1-based top level) or net:layer("3.1" / given name). */
static int m_layer(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_model(L, 1);
  glab_layer *l = NULL;
  if (lua_type(L, 2) == LUA_TNUMBER) {
    lua_Integer i = glab_lua_checkinteger(L, 2);
    int n = glab_model_nlayers(m->m);
    if (i < 1 || i > n) /* %I: 2^32 + 1 is not layer 1 */
      return glab_lua_argerror(L, 2, lua_pushfstring(L, "layer index %I out of range 1..%d", i, n));
    l = glab_model_layer(m->m, (int)i - 1);
  } else {
    const char *name = glab_lua_checkstring(L, 2);
    l = glab_model_find(m->m, name);
    if (!l) return glab_lua_argerror(L, 2, lua_pushfstring(L, "no layer named '%s'", name));
  }
  glab_lua_push_layer(L, l, 1);
  return 1;
}

static int m_forward(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_idle_model(L, 1, "net:forward");
  const glab_tensor *x = glab_lua_to_tensor(L, 2);
  /* The previous forward was never backward'd (a prediction, or a loss only read): drop its
   * nodes, so that a loop of predictions or of evaluation losses runs in bounded memory. */
  if (m->pending) glab_trainer_reset(m->tr);
  glab_var *out = glab_trainer_forward(m->tr, x);
  if (!out) return glab_lua_fail(L, "net:forward");
  m->pending = 1;
  m->in_ndim = x->ndim;
  memcpy(m->in_shape, x->shape, sizeof m->in_shape);
  glab_lua_push_node(L, 1, out);
  return 1;
}

/* Non-finite results of backward/step: raise under "raise", else return false, message. */
int glab_lua_nonfinite_result(lua_State *L, struct glab_lua_model *m, int status,
                              const char *fname) {
  if (status == GLAB_OK) {
    lua_pushboolean(L, 1);
    return 1;
  }
  if (status == GLAB_ERR_NONFINITE && glab_trainer_policy(m->tr) != GLAB_NONFINITE_RAISE) {
    lua_pushboolean(L, 0);
    lua_pushstring(L, glab_last_error());
    return 2;
  }
  return glab_lua_fail(L, fname);
}

/* net:backward(loss): loss is the one-element result of a gradlab.loss function on this model. */
static int m_backward(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_idle_model(L, 1, "net:backward");
  glab_lua_tensor *loss = glab_lua_check_tensor_ud(L, 2);
  if (!loss->var || loss->model != m)
    return glab_lua_argerror(L, 2, "expected a loss computed from this model's forward output");
  if (loss->t.size != 1)
    return glab_lua_argerror(L, 2,
                             lua_pushfstring(L,
                                             "loss must have one element (has %d; use "
                                             "gradlab.loss.sum)",
                                             (int)loss->t.size));
  m->pending = 0;
  return glab_lua_nonfinite_result(L, m, glab_trainer_backward(m->tr, loss->var), "net:backward");
}

static int m_zero_grad(lua_State *L) {
  glab_trainer_zero_grad(glab_lua_check_idle_model(L, 1, "net:zero_grad")->tr);
  lua_settop(L, 1);
  return 1;
}

static int m_input_grad(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_model(L, 1);
  glab_var *in = glab_trainer_input(m->tr);
  if (!in) return luaL_error(L, "net:input_grad: no forward/backward to read (run both first)");
  glab_tensor *t = glab_lua_new_tensor(L, in->value.ndim, in->value.shape);
  if (in->grad) memcpy(t->data, in->grad, t->size * sizeof(glab_real));
  return 1;
}

static int m_train(lua_State *L) {
  glab_model_set_training(glab_lua_check_idle_model(L, 1, "net:train")->m, 1);
  lua_settop(L, 1);
  return 1;
}

static int m_eval(lua_State *L) {
  glab_model_set_training(glab_lua_check_idle_model(L, 1, "net:eval")->m, 0);
  lua_settop(L, 1);
  return 1;
}

static int m_save(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_model(L, 1);
  if (glab_model_save(m->m, glab_lua_checkstring(L, 2)) != GLAB_OK)
    return glab_lua_fail(L, "net:save");
  return 0;
}

static int m_load(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_idle_model(L, 1, "net:load");
  if (glab_model_load(m->m, glab_lua_checkstring(L, 2)) != GLAB_OK)
    return glab_lua_fail(L, "net:load");
  lua_settop(L, 1);
  return 1;
}

/* The loss to use for data when none is named: the model's last, else by the targets. */
int glab_lua_default_loss(struct glab_lua_model *m, glab_dataset *d) {
  if (m->loss >= 0) return m->loss;
  return glab_dataset_target_kind(d) == GLAB_TARGET_CLASS && glab_dataset_classes(d) > 2
             ? GLAB_LOSS_CROSS_ENTROPY
             : GLAB_LOSS_MSE;
}

/* Output values per item for data's first item, or -1 when the probe does not run (the real
 * forward will report why). The probe runs each top-level layer on a tape of its own in
 * evaluation mode (no batchnorm running statistics move) and not through glab_model_forward,
 * so the nodes a pending step's statistics read, the model's forward count and the trainer's
 * tape are untouched. */
static long output_width(glab_model *model, glab_dataset *d) {
  int shape[GLAB_MAX_DIMS];
  size_t first = 0;
  int nd = glab_dataset_size(d) ? glab_dataset_batch_shape(d, 1, shape) : 0;
  glab_tape *tape = nd > 0 ? glab_tape_create() : NULL;
  if (!tape) {
    glab_clear_error();
    return -1;
  }
  int was = glab_model_is_training(model);
  glab_model_set_training(model, 0);
  glab_var *y = glab_tape_leaf(tape, nd, shape, 0);
  if (y && glab_dataset_batch(d, &first, 1, &y->value, NULL, NULL) != GLAB_OK) y = NULL;
  for (int i = 0, n = glab_model_nlayers(model); y && i < n; i++)
    y = glab_layer_forward(glab_model_layer(model, i), tape, y);
  long width = y ? (long)y->value.size : -1;
  glab_model_set_training(model, was);
  glab_tape_destroy(tape);
  glab_clear_error();
  return width;
}

void glab_lua_check_class_loss(lua_State *L, struct glab_lua_model *m, glab_dataset *d, int loss,
                               const char *fname) {
  int k = glab_dataset_classes(d);
  if (loss == GLAB_LOSS_CROSS_ENTROPY || glab_dataset_target_kind(d) != GLAB_TARGET_CLASS || k <= 2)
    return;
  if (output_width(m->m, d) == 1)
    luaL_error(L,
               "%s: loss '%s' on class labels: the data has %d classes and the model gives 1 "
               "output per item; give it %d outputs (one-hot targets) or use "
               "loss=\"cross_entropy\" (one output takes the label itself as its 0/1 target: "
               "2 classes only)",
               fname, glab_loss_name((glab_loss_kind)loss), k, k);
}

/* net:evaluate(data [, loss_name | {loss=, batch=}]) -> {loss=, accuracy=, items=} */
static int m_evaluate(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_idle_model(L, 1, "net:evaluate");
  glab_dataset *d = glab_lua_check_dataset(L, 2);
  if (m->pending == 2)
    return luaL_error(L, "net:evaluate: called between a loss and net:backward (it would replace "
                         "the layer outputs that step's statistics read); call it after backward");
  m->pending = 0; /* a forward without a loss was a prediction: nothing waits for it */
  glab_loss_kind kind = (glab_loss_kind)glab_lua_default_loss(m, d);
  lua_Integer batch = 0;
  const char *lname = NULL;
  if (lua_type(L, 3) == LUA_TSTRING)
    lname = lua_tostring(L, 3);
  else if (lua_type(L, 3) == LUA_TTABLE) {
    static const char *const keys[] = {"loss", "batch", NULL};
    lua_pushnil(L); /* unknown keys are mistakes (batchh=4 was ignored): name them */
    while (lua_next(L, 3)) {
      lua_pop(L, 1);
      const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
      if (k && (!strcmp(k, "loss") || !strcmp(k, "batch"))) continue;
      const char *near = k ? glab_name_suggest(keys, 2, k) : NULL;
      if (near)
        return luaL_error(L, "net:evaluate: unknown option '%s'; did you mean '%s'?", k, near);
      return luaL_error(L, "net:evaluate: unknown option %s (options: loss, batch)",
                        k ? lua_pushfstring(L, "'%s'", k) : luaL_tolstring(L, -1, NULL));
    }
    int t = lua_getfield(L, 3, "loss");
    if (t == LUA_TSTRING)
      lname = lua_tostring(L, -1);
    else if (t != LUA_TNIL)
      return luaL_error(L, "net:evaluate: 'loss' must be a string, got %s", lua_typename(L, t));
    if (lua_getfield(L, 3, "batch") != LUA_TNIL)
      batch = glab_lua_check_int(L, -1, 0, INT_MAX, "net:evaluate", "'batch'");
  } else if (!lua_isnoneornil(L, 3)) {
    return glab_lua_typeerror(L, 3, "loss name or options table");
  }
  if (lname && glab_loss_parse(lname, &kind) != GLAB_OK) return glab_lua_fail(L, "net:evaluate");
  glab_lua_check_class_loss(L, m, d, (int)kind, "net:evaluate");
  glab_eval_result r;
  if (glab_evaluate(m->m, d, kind, (size_t)batch, &r) != GLAB_OK)
    return glab_lua_fail(L, "net:evaluate");
  lua_createtable(L, 0, 3);
  lua_pushnumber(L, r.loss);
  lua_setfield(L, -2, "loss");
  lua_pushnumber(L, r.accuracy);
  lua_setfield(L, -2, "accuracy");
  lua_pushinteger(L, (lua_Integer)r.items);
  lua_setfield(L, -2, "items");
  return 1;
}

static int m_tostring(lua_State *L) {
  struct glab_lua_model *m = glab_lua_checkudata(L, 1, GLAB_LUA_MODEL);
  if (!m->m || !m->tr) {
    lua_pushstring(L, m->collected ? "model (collected)" : "model (unusable)");
    return 1;
  }
  /* Output shapes for flat inputs: seen by the last forward ([B][F] -> one item [F]), or
   * before any forward, the `inputs` of a first layer that takes flat rows (not a sequence). */
  int item = m->in_ndim == 2 ? m->in_shape[1] : 0;
  if (m->pending) {
    item = 0; /* computing shapes runs the model: not while a step waits for its backward */
  } else if (m->in_ndim == 0) {
    glab_layer *first = glab_model_layer(m->m, 0);
    const glab_config *cfg = first ? glab_layer_config(first) : NULL;
    if (cfg && glab_config_has(cfg, "inputs") && !glab_config_has(cfg, "hidden")) {
      long n = glab_config_int(cfg, "inputs");
      if (n > 0 && n < 0x7fffffff) item = (int)n;
    }
  }
  char *s = item > 0 ? glab_model_describe(m->m, 1, &item) : glab_model_describe(m->m, 0, NULL);
  if (!s) return glab_lua_fail(L, "tostring(net)");
  lua_pushstring(L, s);
  free(s);
  return 1;
}

static int m_param_count(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)glab_model_param_count(glab_lua_check_model(L, 1)->m));
  return 1;
}

/* net:name(): the name given to gradlab.sequential (it prefixes the model's metrics.csv rows),
 * or nil. */
static int m_name(lua_State *L) {
  const char *name = glab_model_name(glab_lua_check_model(L, 1)->m);
  if (name)
    lua_pushstring(L, name);
  else
    lua_pushnil(L);
  return 1;
}

/* net:on_nonfinite("stop"|"raise"|"continue") for the manual loop. */
static int m_on_nonfinite(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_model(L, 1);
  glab_nonfinite_policy p;
  if (glab_nonfinite_parse(glab_lua_checkstring(L, 2), &p) != GLAB_OK)
    return glab_lua_argerror(L, 2, glab_last_error());
  glab_trainer_set_policy(m->tr, p);
  lua_settop(L, 1);
  return 1;
}

/* net:record_every(n): statistics every n-th step (0: never). */
static int m_record_every(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_model(L, 1);
  lua_Integer n = glab_lua_check_int(L, 2, 0, INT_MAX, "net:record_every", "'n'");
  glab_trainer_set_record_every(m->tr, (long)n);
  lua_settop(L, 1);
  return 1;
}

static int m_steps(lua_State *L) {
  lua_pushinteger(L, glab_trainer_steps(glab_lua_check_model(L, 1)->tr));
  return 1;
}

/* net:epoch() -> the epoch the next records carry; net:epoch(n) sets it (an integer >= 0), for
 * a hand-written loop: gradlab.train counts epochs itself (1, 2, ...), a manual loop's rows and
 * grad_stats() said epoch 0 throughout. Returns the model. */
static int m_epoch(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_model(L, 1);
  if (lua_isnoneornil(L, 2)) {
    lua_pushinteger(L, glab_trainer_epoch(m->tr));
    return 1;
  }
  lua_Integer e = luaL_checkinteger(L, 2);
  luaL_argcheck(L, e >= 0 && e <= INT_MAX, 2, "an epoch is an integer >= 0");
  glab_trainer_set_epoch(m->tr, (int)e);
  lua_settop(L, 1);
  return 1;
}

void glab_lua_push_event(lua_State *L, const glab_event *e) {
  lua_createtable(L, 0, 6);
  lua_pushinteger(L, e->step);
  lua_setfield(L, -2, "step");
  lua_pushinteger(L, e->epoch);
  lua_setfield(L, -2, "epoch");
  lua_pushstring(L, e->layer);
  lua_setfield(L, -2, "layer");
  lua_pushstring(L, e->tensor);
  lua_setfield(L, -2, "tensor");
  lua_pushstring(L, e->kind);
  lua_setfield(L, -2, "kind");
  lua_pushstring(L, e->message);
  lua_setfield(L, -2, "message");
}

/* net:events() -> array of {step, epoch, layer, tensor, kind, message} */
static int m_events(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_model(L, 1);
  int n = glab_trainer_nevents(m->tr);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    glab_lua_push_event(L, glab_trainer_event(m->tr, i));
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static const luaL_Reg model_methods[] = {{"layers", m_layers},
                                         {"layer", m_layer},
                                         {"forward", m_forward},
                                         {"backward", m_backward},
                                         {"zero_grad", m_zero_grad},
                                         {"input_grad", m_input_grad},
                                         {"train", m_train},
                                         {"eval", m_eval},
                                         {"evaluate", m_evaluate},
                                         {"save", m_save},
                                         {"load", m_load},
                                         {"param_count", m_param_count},
                                         {"name", m_name},
                                         {"on_nonfinite", m_on_nonfinite},
                                         {"record_every", m_record_every},
                                         {"steps", m_steps},
                                         {"epoch", m_epoch},
                                         {"events", m_events},
                                         {"__tostring", m_tostring},
                                         {"__gc", m_gc},
                                         {NULL, NULL}};

static const luaL_Reg model_funcs[] = {{"sequential", l_sequential}, {NULL, NULL}};

void glab_lua_open_model(lua_State *L) {
  glab_lua_newclass(L, GLAB_LUA_MODEL, model_methods);
  glab_lua_setfuncs(L, model_funcs);
}
