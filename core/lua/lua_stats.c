/* lua_stats.c — gradient statistics from Lua: layer:grad_stats() (the latest record as a table),
 * layer:history("params.weight.grad.norm") (an array over recorded steps), net:grad_stats()
 * (one record per layer, nested layers included), net:history(layer, path). Records come from
 * the recorder of the model's trainer (see stats.h). */
#include <limits.h>
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

/* Is s[0..n) a statistic name (S field, or one of `extra`, NULL-terminated)? */
static int is_field(const char *s, size_t n, const char *const *extra) {
  char buf[24];
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  if (glab_stat_index(buf) >= 0) return 1;
  for (; extra && *extra; extra++)
    if (!strcmp(*extra, buf)) return 1;
  return 0;
}

/* Check a history path strictly before the recorder reads it (its parser took "time.+1.norm",
 * "time. 1.norm", "time.01.norm" and an overflowing step, and echoed any path in full): one of
 *   output_grad.S   activation.S|saturation|dead   params.NAME.S|update_norm|update_ratio
 *   params.NAME.grad.S   time.T.norm (T: digits from 1, no sign, space or leading zero, <= INT_MAX)
 * and time steps only on a layer whose records have them. Raises "fname: ..." naming the layer. */
static void check_path(lua_State *L, glab_recorder *rec, int i, const char *path, size_t len,
                       const char *fname) {
  static const char *const act_extra[] = {"saturation", "dead", NULL};
  static const char *const param_extra[] = {"update_norm", "update_ratio", NULL};
  const glab_layer *l = glab_recorder_layer(rec, i);
  const char *lname = glab_recorder_layer_name(rec, i);
  const char *ltype = l ? glab_layer_get_type(l)->name : "?";
  const char *part[5];
  size_t plen[5];
  int np = 0;
  const char *reason = NULL; /* a malformed time step; else the path is unknown */
  for (const char *p = path, *dot;; p = dot + 1) { /* split at the dots (at most 5 parts) */
    dot = memchr(p, '.', len - (size_t)(p - path));
    if (np == 5) goto bad;
    part[np] = p;
    plen[np++] = dot ? (size_t)(dot - p) : len - (size_t)(p - path);
    if (!dot) break;
  }
  if (len > 128 || memchr(path, '\0', len)) goto bad; /* the recorder's limit is 160 */
#define IS(k, word) (plen[k] == strlen(word) && !memcmp(part[k], word, plen[k]))
  if (np == 2 && IS(0, "output_grad") && is_field(part[1], plen[1], NULL)) return;
  if (np == 2 && IS(0, "activation") && is_field(part[1], plen[1], act_extra)) return;
  if (IS(0, "params") && np >= 3 && plen[1] > 0) {
    if (np == 3 && is_field(part[2], plen[2], param_extra)) return;
    if (np == 4 && IS(2, "grad") && is_field(part[3], plen[3], NULL)) return;
  }
  if (IS(0, "time") && np == 3) {
    const char *t = part[1];
    size_t n = plen[1];
    int digits = n > 0 && n <= 10 && t[0] >= '1' && t[0] <= '9';
    lua_Integer v = 0;
    for (size_t k = 0; digits && k < n; k++) {
      digits = t[k] >= '0' && t[k] <= '9';
      v = v * 10 + (t[k] - '0');
    }
    if (!digits || v > INT_MAX) {
      reason = "a time step is a whole number from 1 written in digits (time.3.norm)";
      goto bad;
    }
    if (!IS(2, "norm")) {
      reason = lua_pushfstring(L, "time steps keep their norm only (time.%s.norm)",
                               lua_pushlstring(L, t, n));
      goto bad;
    }
    const glab_layer_record *r = glab_recorder_nrows(rec) ? glab_recorder_latest(rec, i) : NULL;
    if (r && r->ntime == 0)
      luaL_error(L,
                 "%s: layer '%s' (%s) has no time steps (time.<t>.norm is recorded for recurrent "
                 "layers)",
                 fname, lname, ltype);
    return;
  }
#undef IS
bad:;
  const char *shown = len > 60 ? lua_pushfstring(L, "%s... (%I bytes)",
                                                 lua_pushlstring(L, path, 40), (lua_Integer)len)
                               : lua_pushlstring(L, path, len);
  if (reason)
    luaL_error(L, "%s: bad path '%s' for layer '%s' (%s): %s", fname, shown, lname, ltype, reason);
  luaL_error(L,
             "%s: unknown path '%s' for layer '%s' (%s) (e.g. output_grad.norm, activation.dead, "
             "params.weight.grad.norm, params.weight.update_ratio, time.3.norm)",
             fname, shown, lname, ltype);
}

/* history rows of layer i by path: pushes values array and steps array. */
static int push_history(lua_State *L, glab_recorder *rec, int i, int path_arg, const char *fname) {
  size_t len;
  const char *path = glab_lua_checkstring(L, path_arg);
  path = lua_tolstring(L, path_arg, &len);
  check_path(L, rec, i, path, len, fname);
  long n = glab_recorder_history(rec, i, path, NULL, NULL, NULL, 0);
  if (n < 0) return glab_lua_fail(L, fname);
  double *vals = glab_lua_newuserdata(L, 0, (size_t)(n ? n : 1), sizeof *vals, 0, "the history");
  long *steps = glab_lua_newuserdata(L, 0, (size_t)(n ? n : 1), sizeof *steps, 0, "the history");
  long got = glab_recorder_history(rec, i, path, vals, steps, NULL, (size_t)n);
  if (got < 0) return glab_lua_fail(L, fname);
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
