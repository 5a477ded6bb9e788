/* lua_stats.c — gradient statistics from Lua: layer:grad_stats() (the latest record as a table),
 * layer:history("params.weight.grad.norm") (an array over recorded steps), net:grad_stats()
 * (one record per layer, nested layers included), net:history(layer, path). Records come from
 * the recorder of the model's trainer (see stats.h). */
#include <math.h>
#include <string.h>

#include "gradlab/stats.h"
#include "gradlab/train.h"
#include "lua_internal.h"

/* Fill the table on top with the fields of S. */
static void put_stats(lua_State *L, const glab_stats *s) {
  for (int f = 0; f < GLAB_STAT_NFIELDS; f++) {
    if (f == GLAB_STAT_COUNT || f == GLAB_STAT_NONFINITE)
      lua_pushinteger(L, (lua_Integer)glab_stats_get(s, f));
    else
      lua_pushnumber(L, glab_stats_get(s, f));
    lua_setfield(L, -2, glab_stat_name(f));
  }
}

static void push_stats(lua_State *L, const glab_stats *s) {
  lua_createtable(L, 0, GLAB_STAT_NFIELDS + 3);
  put_stats(L, s);
}

static void push_record(lua_State *L, const glab_layer_record *r, const glab_layer *l) {
  lua_createtable(L, 0, 8);
  lua_pushstring(L, r->layer);
  lua_setfield(L, -2, "layer");
  if (l) {
    lua_pushstring(L, glab_layer_get_type(l)->name);
    lua_setfield(L, -2, "type");
  }
  lua_pushinteger(L, r->step);
  lua_setfield(L, -2, "step");
  lua_pushinteger(L, r->epoch);
  lua_setfield(L, -2, "epoch");
  if (r->has_output_grad) {
    push_stats(L, &r->output_grad);
    lua_setfield(L, -2, "output_grad");
  }
  if (r->has_activation) {
    push_stats(L, &r->activation);
    if (!isnan(r->saturation)) {
      lua_pushnumber(L, r->saturation);
      lua_setfield(L, -2, "saturation");
    }
    if (!isnan(r->dead)) {
      lua_pushnumber(L, r->dead);
      lua_setfield(L, -2, "dead");
    }
    lua_setfield(L, -2, "activation");
  }
  lua_createtable(L, 0, r->nparams);
  for (int i = 0; i < r->nparams; i++) {
    const glab_param_record *p = &r->params[i];
    push_stats(L, &p->value);
    if (!p->is_buffer) {
      push_stats(L, &p->grad);
      lua_setfield(L, -2, "grad");
      if (!isnan(p->update_ratio)) {
        lua_pushnumber(L, p->update_ratio);
        lua_setfield(L, -2, "update_ratio");
      }
      if (!isnan(p->update_norm)) {
        lua_pushnumber(L, p->update_norm);
        lua_setfield(L, -2, "update_norm");
      }
    } else {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "buffer");
    }
    lua_setfield(L, -2, p->name);
  }
  lua_setfield(L, -2, "params");
  if (r->ntime > 0) {
    lua_createtable(L, r->ntime, 0);
    for (int t = 0; t < r->ntime; t++) {
      push_stats(L, &r->time[t]);
      lua_rawseti(L, -2, t + 1);
    }
    lua_setfield(L, -2, "time");
  }
}

/* The recorder of the model the layer at `arg` belongs to, and the layer's index in it. */
static glab_recorder *layer_recorder(lua_State *L, int arg, int *index, const char *fname) {
  glab_lua_layer *u = glab_lua_check_layer(L, arg);
  glab_lua_push_layer_model(L, arg);
  if (lua_isnil(L, -1))
    luaL_error(L, "%s: layer '%s' is not part of a model (statistics are recorded by models)",
               fname, glab_layer_name(u->l));
  struct glab_lua_model *m = glab_lua_check_model(L, -1);
  lua_pop(L, 1); /* the layer keeps its model alive */
  glab_recorder *rec = glab_trainer_recorder(m->tr);
  *index = glab_recorder_find_layer(rec, u->l);
  if (*index < 0) glab_lua_fail(L, fname);
  return rec;
}

/* layer:grad_stats() -> the latest record, or nil before the first recorded step. */
static int layer_grad_stats(lua_State *L) {
  int i;
  glab_recorder *rec = layer_recorder(L, 1, &i, "layer:grad_stats");
  const glab_layer_record *r = glab_recorder_latest(rec, i);
  if (!r) {
    lua_pushnil(L);
    return 1;
  }
  push_record(L, r, glab_recorder_layer(rec, i));
  return 1;
}

/* history rows of layer i by path: pushes values array and steps array. */
static int push_history(lua_State *L, glab_recorder *rec, int i, int path_arg, const char *fname) {
  size_t len;
  const char *path = glab_lua_checkstring(L, path_arg);
  path = lua_tolstring(L, path_arg, &len);
  /* the core's strict parser, given the length: a byte 0 inside is no path either */
  if (glab_recorder_check_path(rec, i, path, len) != GLAB_OK)
    return glab_lua_fail_type(L, fname, "history");
  long n = glab_recorder_history(rec, i, path, NULL, NULL, NULL, 0);
  if (n < 0) return glab_lua_fail_type(L, fname, "history");
  double *vals = glab_lua_newuserdata(L, 0, (size_t)(n ? n : 1), sizeof *vals, 0, "the history");
  long *steps = glab_lua_newuserdata(L, 0, (size_t)(n ? n : 1), sizeof *steps, 0, "the history");
  long got = glab_recorder_history(rec, i, path, vals, steps, NULL, (size_t)n);
  if (got < 0) return glab_lua_fail_type(L, fname, "history");
  if (got > n) got = n;
  lua_createtable(L, (int)got, 0);
  for (long k = 0; k < got; k++) {
    lua_pushnumber(L, vals[k]);
    lua_rawseti(L, -2, k + 1);
  }
  lua_createtable(L, (int)got, 0);
  for (long k = 0; k < got; k++) {
    lua_pushinteger(L, steps[k]);
    lua_rawseti(L, -2, k + 1);
  }
  return 2;
}

/* layer:history(path) -> values, steps */
static int layer_history(lua_State *L) {
  int i;
  glab_recorder *rec = layer_recorder(L, 1, &i, "layer:history");
  return push_history(L, rec, i, 2, "layer:history");
}

/* net:grad_stats() -> array of records, one per layer (nested included). */
static int model_grad_stats(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_model(L, 1);
  glab_recorder *rec = glab_trainer_recorder(m->tr);
  int n = glab_recorder_nlayers(rec);
  lua_createtable(L, n, 0);
  int k = 0;
  for (int i = 0; i < n; i++) {
    const glab_layer_record *r = glab_recorder_latest(rec, i);
    if (!r) continue;
    push_record(L, r, glab_recorder_layer(rec, i));
    lua_rawseti(L, -2, ++k);
  }
  return 1;
}

/* net:history(layer_name_or_index, path) -> values, steps */
static int model_history(lua_State *L) {
  struct glab_lua_model *m = glab_lua_check_model(L, 1);
  glab_recorder *rec = glab_trainer_recorder(m->tr);
  int i;
  if (lua_type(L, 2) == LUA_TNUMBER) {
    lua_pushfstring(L, "%I", glab_lua_checkinteger(L, 2)); /* never cut: 2^32 + 1 is not "1" */
    i = glab_recorder_find(rec, lua_tostring(L, -1));
    lua_pop(L, 1);
  } else {
    i = glab_recorder_find(rec, glab_lua_checkstring(L, 2));
  }
  if (i < 0) return glab_lua_fail(L, "net:history");
  return push_history(L, rec, i, 3, "net:history");
}

/* gradlab.stats(tensor) -> S of any tensor (e.g. of net:input_grad()). */
static int l_stats(lua_State *L) {
  const glab_tensor *t = glab_lua_to_tensor(L, 1);
  glab_stats s;
  glab_stats_compute(t->data, t->size, &s);
  push_stats(L, &s);
  return 1;
}

static void add_methods(lua_State *L, const char *cls, const luaL_Reg *fns) {
  luaL_getmetatable(L, cls);
  luaL_setfuncs(L, fns, 0);
  lua_pop(L, 1);
}

static const luaL_Reg layer_fns[] = {
    {"grad_stats", layer_grad_stats}, {"history", layer_history}, {NULL, NULL}};
static const luaL_Reg model_fns[] = {
    {"grad_stats", model_grad_stats}, {"history", model_history}, {NULL, NULL}};
static const luaL_Reg funcs[] = {{"stats", l_stats}, {NULL, NULL}};

void glab_lua_open_stats(lua_State *L) {
  add_methods(L, GLAB_LUA_LAYER, layer_fns);
  add_methods(L, GLAB_LUA_MODEL, model_fns);
  glab_lua_setfuncs(L, funcs);
}
