/* lua_train.c — gradlab.train{...} (the C training loop with Lua callbacks) and
 * gradlab.pretrain{...} (dispatch to a registered pretrainer type by method name).
 * Callbacks run under lua_pcall: a Lua error inside one never jumps over the C loop (which would
 * leak its buffers); it ends training and is raised again once glab_train has cleaned up. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/model.h"
#include "gradlab/registry.h"
#include "gradlab/runlog.h"
#include "gradlab/train.h"
#include "lua_internal.h"

typedef struct {
  lua_State *L;
  int on_step, on_epoch; /* stack indices of the callbacks, 0 if none */
  int err;               /* stack index holding the error value after a failed callback */
  int interrupted;       /* 1: stopped by a signal */
} train_ctx;

static void set_num(lua_State *L, const char *k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}
static void set_int(lua_State *L, const char *k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

/* Call the function at `fn` with (n, info at top); returns the train verdict. */
static int call_back(train_ctx *c, int fn, lua_Integer n) {
  lua_State *L = c->L;
  lua_pushvalue(L, fn);
  lua_pushinteger(L, n);
  lua_rotate(L, -3, 2); /* fn, n, info */
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    lua_replace(L, c->err);
    glab_error(GLAB_ERR_STATE, "error in a training callback");
    return GLAB_TRAIN_ABORT;
  }
  int stop = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
  if (lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "stop")) stop = 1;
  lua_pop(L, 1);
  return stop ? GLAB_TRAIN_STOP : GLAB_TRAIN_CONTINUE;
}

/* Always installed: a signal (gradlab run's handler sets glab_lua_signal) ends training within
 * one step, also when the script gave no on_step. */
static int on_step(void *ctx, const glab_step_info *s) {
  train_ctx *c = ctx;
  lua_State *L = c->L;
  if (glab_lua_signal) {
    c->interrupted = 1;
    glab_error(GLAB_ERR_STATE, "interrupted");
    return GLAB_TRAIN_ABORT;
  }
  if (!c->on_step) return GLAB_TRAIN_CONTINUE;
  if (!lua_checkstack(L, 8)) return GLAB_TRAIN_ABORT;
  lua_createtable(L, 0, 7);
  set_int(L, "step", s->step);
  set_int(L, "epoch", s->epoch);
  set_int(L, "batch", (lua_Integer)s->batch);
  set_int(L, "items", (lua_Integer)s->items);
  set_num(L, "loss", s->loss);
  set_num(L, "grad_norm", s->grad_norm);
  if (s->event) {
    glab_lua_push_event(L, s->event);
    lua_setfield(L, -2, "event");
  }
  return call_back(c, c->on_step, s->step);
}

static int on_epoch(void *ctx, const glab_epoch_info *e) {
  train_ctx *c = ctx;
  lua_State *L = c->L;
  if (glab_lua_signal) {
    c->interrupted = 1;
    glab_error(GLAB_ERR_STATE, "interrupted");
    return GLAB_TRAIN_ABORT;
  }
  if (!lua_checkstack(L, 8)) return GLAB_TRAIN_ABORT;
  lua_createtable(L, 0, 4);
  set_int(L, "epoch", e->epoch);
  set_int(L, "steps", e->steps);
  set_num(L, "loss", e->loss);
  set_num(L, "accuracy", e->accuracy);
  return call_back(c, c->on_epoch, e->epoch);
}

/* The option `field` (at stack index idx) must be a userdata of class `cls`: a message naming the
 * option rather than a stack slot. */
static void need_field(lua_State *L, int idx, const char *cls, const char *fname, const char *field,
                       const char *what) {
  if (lua_isnil(L, idx)) luaL_error(L, "%s: '%s' is required: %s", fname, field, what);
  if (!luaL_testudata(L, idx, cls))
    luaL_error(L, "%s: '%s' must be %s, got %s", fname, field, what, luaL_typename(L, idx));
}

static const char *const train_keys[] = {
    "model",        "data",         "loss",      "optimizer", "epochs",
    "batch",        "shuffle",      "drop_last", "clip_norm", "clip_value",
    "record_every", "on_nonfinite", "on_step",   "on_epoch",  NULL};

/* The field `k` of the table at 1 as a number (or `def` when nil). */
static lua_Number opt_number(lua_State *L, const char *k, lua_Number def) {
  int t = lua_getfield(L, 1, k);
  lua_Number v = def;
  if (t == LUA_TNUMBER)
    v = lua_tonumber(L, -1);
  else if (t != LUA_TNIL)
    luaL_error(L, "gradlab.train: '%s' must be a number, got %s", k, lua_typename(L, t));
  lua_pop(L, 1);
  return v;
}

/* The integer option `k` in min..INT_MAX (or `def` when nil): never cast from a double, which
 * read inf and 1e300 as 0 and 2^32 + 3 as 3 (epochs=math.huge trained no epoch). */
static lua_Integer opt_integer(lua_State *L, const char *k, lua_Integer def, lua_Integer min) {
  int t = lua_getfield(L, 1, k);
  lua_Integer v = def;
  if (t == LUA_TNUMBER) {
    char what[40];
    snprintf(what, sizeof what, "'%s'", k);
    v = glab_lua_check_int(L, -1, min, INT_MAX, "gradlab.train", what);
  } else if (t != LUA_TNIL) {
    luaL_error(L, "gradlab.train: '%s' must be a number, got %s", k, lua_typename(L, t));
  }
  lua_pop(L, 1);
  return v;
}

static int l_train(lua_State *L) {
  glab_lua_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  /* Unknown keys are mistakes: name them. */
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    lua_pop(L, 1);
    const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    int ok = 0;
    for (int i = 0; k && train_keys[i]; i++)
      ok |= !strcmp(k, train_keys[i]);
    if (!ok) {
      lua_settop(L, 2);
      size_t nk = sizeof train_keys / sizeof train_keys[0] - 1;
      const char *near = k ? glab_name_suggest(train_keys, nk, k) : NULL;
      return luaL_error(L,
                        "gradlab.train: unknown option %s%s%s%s (options: model, data, loss, "
                        "optimizer, epochs, batch, shuffle, drop_last, clip_norm, clip_value, "
                        "record_every, on_nonfinite, on_step, on_epoch)",
                        k ? lua_pushfstring(L, "'%s'", k) : luaL_tolstring(L, 2, NULL),
                        near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
  }
  glab_train_opts o;
  glab_train_opts_init(&o);
  lua_getfield(L, 1, "model"); /* 2 */
  need_field(L, 2, GLAB_LUA_MODEL, "gradlab.train", "model", "a model (gradlab.sequential)");
  struct glab_lua_model *m = glab_lua_check_idle_model(L, 2, "gradlab.train");
  lua_getfield(L, 1, "data"); /* 3 */
  need_field(L, 3, GLAB_LUA_DATASET, "gradlab.train", "data", "a dataset (gradlab.data.*)");
  o.data = glab_lua_check_dataset(L, 3);
  lua_getfield(L, 1, "optimizer"); /* 4 */
  need_field(L, 4, GLAB_LUA_OPTIM, "gradlab.train", "optimizer", "an optimizer (gradlab.optim.*)");
  o.optimizer = glab_lua_check_optim(L, 4);
  o.model = m->m;
  o.trainer = m->tr;
  o.loss = (glab_loss_kind)glab_lua_default_loss(m, o.data);
  if (lua_getfield(L, 1, "loss") != LUA_TNIL) { /* 5 */
    if (lua_type(L, 5) != LUA_TSTRING)
      return luaL_error(L,
                        "gradlab.train: 'loss' must be a string (mse, cross_entropy or bce), "
                        "got %s",
                        luaL_typename(L, 5));
    /* the parser's message names the nearest loss ("msee": did you mean 'mse'?) */
    if (glab_loss_parse(lua_tostring(L, 5), &o.loss) != GLAB_OK)
      return glab_lua_fail(L, "gradlab.train");
  }
  o.epochs = (int)opt_integer(L, "epochs", 1, 0);
  o.batch = (size_t)opt_integer(L, "batch", 10, 1);
  o.record_every = (long)opt_integer(L, "record_every", 1, 0);
  o.clip_norm = opt_number(L, "clip_norm", NAN);
  o.clip_value = opt_number(L, "clip_value", NAN);
  /* NaN is "not given" (the optimizer's own clipping stays): a given NaN/inf is a mistake; a
   * negative one is glab_train's error (glab_optimizer_set_clipping), raised at the line */
  for (int i = 0; i < 2; i++) {
    const char *k = i ? "clip_value" : "clip_norm";
    lua_getfield(L, 1, k);
    double v = lua_isnil(L, -1) ? 0 : (double)lua_tonumber(L, -1);
    if (!isfinite(v)) /* "nan", never the platform's "-nan" */
      return luaL_error(L, "gradlab.train: '%s' must be a finite number (0: off), got %s", k,
                        isnan(v) ? "nan"
                        : v > 0  ? "inf"
                                 : "-inf");
    lua_pop(L, 1);
  }
  for (int i = 0; i < 2; i++) { /* strict: shuffle=1 or "false" is a mistake, not true */
    const char *k = i ? "drop_last" : "shuffle";
    if (lua_getfield(L, 1, k) != LUA_TNIL) {
      if (!lua_isboolean(L, -1))
        return luaL_error(L, "gradlab.train: '%s' must be a boolean, got %s", k,
                          luaL_typename(L, -1));
      *(i ? &o.drop_last : &o.shuffle) = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
  }
  lua_pushnil(L); /* 6: keeps the slots of the options below where they were */
  if (lua_getfield(L, 1, "on_nonfinite") != LUA_TNIL) { /* 7 */
    if (lua_type(L, 7) != LUA_TSTRING)
      return luaL_error(L,
                        "gradlab.train: 'on_nonfinite' must be a string (stop, raise or "
                        "continue), got %s",
                        luaL_typename(L, 7));
    if (glab_nonfinite_parse(lua_tostring(L, 7), &o.on_nonfinite) != GLAB_OK)
      return glab_lua_fail(L, "gradlab.train");
  }
  glab_lua_check_class_loss(L, m, o.data, (int)o.loss, "gradlab.train");
  train_ctx c = {L, 0, 0, 0, 0};
  o.on_step = on_step;                             /* always: it also checks for a signal */
  if (lua_getfield(L, 1, "on_step") != LUA_TNIL) { /* 8 */
    if (!lua_isfunction(L, 8))
      return luaL_error(L, "gradlab.train: 'on_step' must be a function, got %s",
                        luaL_typename(L, 8));
    c.on_step = 8;
  }
  if (lua_getfield(L, 1, "on_epoch") != LUA_TNIL) { /* 9 */
    if (!lua_isfunction(L, 9))
      return luaL_error(L, "gradlab.train: 'on_epoch' must be a function, got %s",
                        luaL_typename(L, 9));
    c.on_epoch = 9;
    o.on_epoch = on_epoch;
  }
  lua_pushnil(L); /* 10: the callback's error */
  c.err = 10;
  o.ctx = &c;
  o.runlog = glab_lua_runlog(L);
  m->loss = (int)o.loss;
  m->pending = 0;
  /* The trainer's policy is the train call's; keep the manual loop's policy afterwards. */
  glab_nonfinite_policy before = glab_trainer_policy(m->tr);
  glab_train_result r;
  int kept0 = glab_trainer_nevents(m->tr); /* this call's events come after these */
  m->busy = 1;
  int st = glab_train(&o, &r);
  m->busy = 0;
  glab_trainer_set_policy(m->tr, before);
  if (c.interrupted) return glab_lua_raise_interrupt(L);
  if (st == GLAB_ERR_STATE && !lua_isnil(L, c.err)) {
    lua_pushvalue(L, c.err);
    return lua_error(L); /* the callback's own error, as it was */
  }
  if (st != GLAB_OK) return glab_lua_fail(L, "gradlab.train");
  glab_runlog *log = glab_lua_runlog(L);
  if (log) {
    glab_runlog_set_final(log, "loss", r.loss);
    if (!isnan(r.accuracy)) glab_runlog_set_final(log, "accuracy", r.accuracy);
  }
  lua_createtable(L, 0, 9);
  set_int(L, "steps", r.steps);
  set_int(L, "epochs", r.epochs);
  set_num(L, "loss", r.loss);
  set_num(L, "accuracy", r.accuracy);
  set_num(L, "last_loss", r.last_loss);
  lua_pushstring(L, r.stopped == GLAB_STOP_DONE       ? "done"
                    : r.stopped == GLAB_STOP_CALLBACK ? "callback"
                                                      : "nonfinite");
  lua_setfield(L, -2, "stopped");
  set_int(L, "nevents", r.nevents); /* this call's events, counting any dropped */
  int kept = glab_trainer_nevents(m->tr);
  lua_createtable(L, kept > kept0 ? kept - kept0 : 0, 0); /* and those kept, as net:events() */
  for (int i = kept0; i < kept; i++) {
    glab_lua_push_event(L, glab_trainer_event(m->tr, i));
    lua_rawseti(L, -2, i - kept0 + 1);
  }
  lua_setfield(L, -2, "events");
  if (r.nevents > 0) {
    glab_lua_push_event(L, &r.first_event);
    lua_setfield(L, -2, "event");
  }
  return 1;
}

/* ---- gradlab.pretrain{model=, data=, method=, ...options of the pretrainer} ---- */

typedef struct {
  lua_State *L;
  int records; /* stack index of the records array */
  glab_runlog *log;
  glab_model *model;
  const char *method;
  int interrupted;
} pre_ctx;

/* One record per layer and epoch, into the returned history and metrics.csv (layer by name,
 * tensor "pretrain.<method>"); a pending signal asks the pretrainer to stop. */
static int pre_report(void *ctx, int layer_index, int epoch, double recon) {
  pre_ctx *c = ctx;
  lua_State *L = c->L;
  if (!lua_checkstack(L, 4)) return 1;
  lua_createtable(L, 0, 3);
  set_int(L, "layer", layer_index);
  set_int(L, "epoch", epoch);
  set_num(L, "recon_error", recon);
  lua_rawseti(L, c->records, (lua_Integer)lua_rawlen(L, c->records) + 1);
  if (c->log) {
    glab_layer *l = glab_model_layer(c->model, layer_index - 1);
    char tensor[80];
    snprintf(tensor, sizeof tensor, "pretrain.%s", c->method);
    char buf[256], *heap;
    const char *name = glab_model_row_layer(c->model, l ? glab_layer_name(l) : "?", buf,
                                            sizeof buf, &heap);
    glab_runlog_metric(c->log, 0, epoch, name ? name : "?", tensor, "recon_error", recon);
    free(heap);
  }
  if (glab_lua_signal) {
    c->interrupted = 1;
    return 1;
  }
  return 0;
}

static int l_pretrain(lua_State *L) {
  glab_lua_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_getfield(L, 1, "model"); /* 2 */
  need_field(L, 2, GLAB_LUA_MODEL, "gradlab.pretrain", "model", "a model (gradlab.sequential)");
  struct glab_lua_model *m = glab_lua_check_idle_model(L, 2, "gradlab.pretrain");
  lua_getfield(L, 1, "data"); /* 3 */
  need_field(L, 3, GLAB_LUA_DATASET, "gradlab.pretrain", "data", "a dataset (gradlab.data.*)");
  glab_dataset *d = glab_lua_check_dataset(L, 3);
  lua_getfield(L, 1, "method"); /* 4 */
  if (!lua_isnil(L, 4) && lua_type(L, 4) != LUA_TSTRING)
    return luaL_error(L, "gradlab.pretrain: 'method' must be a string, got %s",
                      luaL_typename(L, 4));
  const char *method = lua_isnil(L, 4) ? "autoencoder" : lua_tostring(L, 4);
  const glab_pretrainer_type *pt = glab_registry_pretrainer(glab_lua_registry(L), method);
  if (!pt) {
    glab_lua_push_type_names(L, GLAB_KIND_PRETRAINER);
    return luaL_error(L,
                      "gradlab.pretrain: no pretrainer '%s' is registered (known: %s); "
                      "load its plugin with --plugin or gradlab.load_plugin",
                      method, lua_tostring(L, -1));
  }
  /* gradlab.pretrain's own keys, not the pretrainer's options */
  static const glab_option skip[] = {
      {.name = "model"}, {.name = "data"}, {.name = "method"}, GLAB_OPTIONS_END};
  glab_config *cfg = glab_lua_check_config(L, 1, pt->options, "gradlab.pretrain", skip); /* 5 */
  if (glab_config_validate(cfg, pt->options, pt->name) != GLAB_OK)
    return glab_lua_fail_type(L, "gradlab.pretrain", pt->name);
  lua_newtable(L); /* 6: records */
  pre_ctx c = {L, 6, glab_lua_runlog(L), m->m, pt->name, 0};
  m->busy = 1;
  int st = pt->run(cfg, m->m, d, pre_report, &c);
  m->busy = 0;
  if (c.interrupted) return glab_lua_raise_interrupt(L);
  if (st != GLAB_OK) return glab_lua_fail(L, "gradlab.pretrain");
  return 1;
}

static const luaL_Reg train_funcs[] = {{"train", l_train}, {"pretrain", l_pretrain}, {NULL, NULL}};

void glab_lua_open_train(lua_State *L) {
  glab_lua_setfuncs(L, train_funcs);
}
