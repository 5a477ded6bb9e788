/* lua_sweep.c — gradlab.sweep{key={v1, v2, ...}, ...}: a script declares its parameter grid.
 * Protocol with `gradlab batch`: when GRADLAB_SWEEP_OUT is set, the grid is written to that file
 * as JSON ({"key": [values...]}, keys sorted) and the script ends successfully right there.
 * Otherwise every key not already given (by --set, or a batch job) takes its first value in
 * gradlab.params, and the params table is returned. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gradlab/runlog.h"
#include "lua_internal.h"

/* The list of values of `k` at `v` (a table): an array 1..n (holes and other keys are errors, as
 * in gradlab.tensor), of numbers, strings and booleans that JSON carries exactly to the batch
 * jobs: finite numbers (NaN/inf would be null), integers within 2^53, each value once (a
 * repeated value would be the same job twice). */
static void check_values(lua_State *L, const char *k, int v) {
  lua_Integer len = (lua_Integer)lua_rawlen(L, v);
  if (lua_type(L, v) != LUA_TTABLE || len == 0)
    luaL_error(L, "gradlab.sweep: '%s' must be a non-empty list of values", k);
  lua_pushnil(L);
  while (lua_next(L, v)) {
    lua_pop(L, 1);
    lua_Integer i = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    if (i >= 1 && i <= len) continue;
    const char *key = lua_type(L, -1) == LUA_TSTRING
                          ? lua_pushfstring(L, "'%s'", lua_tostring(L, -1))
                          : luaL_tolstring(L, -1, NULL);
    luaL_error(L,
               "gradlab.sweep: '%s' has key %s, outside 1..%I: a list of values has no holes or "
               "other keys",
               k, key, len);
  }
  for (lua_Integer i = 1; i <= len; i++) {
    int t = lua_rawgeti(L, v, i);
    if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN)
      luaL_error(L, "gradlab.sweep: value %I of '%s' is a %s (numbers, strings, booleans only)", i,
                 k, lua_typename(L, t));
    if (t == LUA_TNUMBER && !lua_isinteger(L, -1) && !isfinite(lua_tonumber(L, -1)))
      luaL_error(L,
                 "gradlab.sweep: value %I of '%s' is %s (values must be finite numbers: JSON has "
                 "no NaN or infinity)",
                 i, k, glab_lua_push_value_text(L, -1));
    if (lua_isinteger(L, -1)) {
      lua_Integer x = lua_tointeger(L, -1);
      if (x > (1LL << 53) || x < -(1LL << 53))
        luaL_error(L,
                   "gradlab.sweep: value %I of '%s' is %I, beyond 2^53 (a JSON number is a double: "
                   "give it as a string)",
                   i, k, x);
    }
    for (lua_Integer j = 1; j < i; j++) {
      lua_rawgeti(L, v, j);
      if (lua_rawequal(L, -1, -2)) /* 2 and 2.0 are one value, as in JSON */
        luaL_error(L, "gradlab.sweep: value %I of '%s' repeats value %I (%s)", i, k, j,
                   glab_lua_push_value_text(L, -1));
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
}

/* Sorted array of the grid's keys, pushed. Checks the keys and values. */
static void push_sorted_keys(lua_State *L) {
  lua_getglobal(L, "table");
  lua_getfield(L, -1, "sort");
  lua_remove(L, -2);
  lua_newtable(L);
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      luaL_error(L, "gradlab.sweep: keys must be parameter names");
    const char *k = lua_tostring(L, -2);
    if (!k[0] || strchr(k, '=')) /* --set KEY=VALUE splits at the first '=' */
      luaL_error(L, "gradlab.sweep: '%s' is not a parameter name", k);
    check_values(L, k, lua_gettop(L));
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, ++n);
  }
  if (n == 0) luaL_error(L, "gradlab.sweep: the grid is empty");
  if (lua_isfunction(L, -2)) {
    lua_pushvalue(L, -1);
    lua_insert(L, -3); /* keys, sort, keys */
    lua_call(L, 1, 0);
  } else {
    lua_remove(L, -2);
  }
}

/* Build the JSON text of the grid and push it as a string. cJSON memory is freed before any
 * Lua error can be raised. */
static void push_grid_json(lua_State *L, int keys) {
  cJSON *root = cJSON_CreateObject();
  int ok = root != NULL;
  for (lua_Integer k = 1, nk = (lua_Integer)lua_rawlen(L, keys); ok && k <= nk; k++) {
    lua_rawgeti(L, keys, k);
    const char *name = lua_tostring(L, -1);
    lua_rawget(L, 1); /* the list (name stays valid: the keys table holds it) */
    cJSON *arr = cJSON_CreateArray();
    ok = arr && cJSON_AddItemToObject(root, name, arr);
    for (lua_Integer i = 1, len = (lua_Integer)lua_rawlen(L, -1); ok && i <= len; i++) {
      cJSON *item = NULL;
      switch (lua_rawgeti(L, -1, i)) {
      case LUA_TNUMBER:
        item = glab_json_number(lua_tonumber(L, -1)); /* exact digits, 2^53-1 included */
        break;
      case LUA_TBOOLEAN:
        item = cJSON_CreateBool(lua_toboolean(L, -1));
        break;
      default:
        item = cJSON_CreateString(lua_tostring(L, -1));
        break;
      }
      lua_pop(L, 1);
      ok = item && cJSON_AddItemToArray(arr, item);
    }
    lua_pop(L, 1);
  }
  char *text = ok ? cJSON_Print(root) : NULL;
  cJSON_Delete(root);
  if (!text) luaL_error(L, "gradlab.sweep: out of memory");
  lua_pushstring(L, text);
  cJSON_free(text);
}

/* The value a sweep chose goes into summary.json's params too (as --set values do). */
static void record_param(lua_State *L, const char *key, int v) {
  glab_runlog *log = glab_lua_runlog(L);
  if (!log) return;
  if (lua_type(L, v) == LUA_TNUMBER)
    glab_runlog_set_param_number(log, key, lua_tonumber(L, v));
  else if (lua_type(L, v) == LUA_TBOOLEAN)
    glab_runlog_set_param_bool(log, key, lua_toboolean(L, v));
  else
    glab_runlog_set_param_string(log, key, lua_tostring(L, v));
}

static const char key_declared = 'd'; /* registry: where the script's grid was declared */

static int l_sweep(lua_State *L) {
  glab_lua_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  /* One grid per script: batch asks for it by running the script up to its first sweep, so the
   * keys of a second call would never be swept — they would silently keep their first value. */
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_declared) == LUA_TSTRING)
    return luaL_error(L,
                      "gradlab.sweep: called a second time; the grid was declared at %s "
                      "(declare every key in one gradlab.sweep{...})",
                      lua_tostring(L, -1));
  lua_pop(L, 1);
  push_sorted_keys(L); /* 2 */
  lua_Debug ar;        /* this call's position, once the grid is known to be valid */
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
    lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
  else
    lua_pushliteral(L, "an earlier call");
  lua_rawsetp(L, LUA_REGISTRYINDEX, &key_declared);
  const char *out = getenv("GRADLAB_SWEEP_OUT");
  if (out && out[0]) {
    push_grid_json(L, 2); /* 3 */
    size_t len;
    const char *text = lua_tolstring(L, 3, &len);
    if (glab_write_file_atomic(out, text, len) != GLAB_OK) return glab_lua_fail(L, "gradlab.sweep");
    glab_lua_mark_sweep_ended(L);
    if (glab_lua_in_run(L)) {
      /* `gradlab run` sees the mark and ends the script successfully. */
      lua_pushliteral(L, "gradlab.sweep: grid written to GRADLAB_SWEEP_OUT");
      return lua_error(L);
    }
    /* Stock lua: the script must stop here too, but a library does not end its host process
     * (it called os.exit): an error saying why, which the host reports as it reports any. */
    return luaL_error(L,
                      "gradlab.sweep: grid written to %s (GRADLAB_SWEEP_OUT); the script stops "
                      "here — only gradlab run ends it as a success",
                      out);
  }
  lua_getglobal(L, "package"); /* gradlab.params through the loaded module */
  lua_getfield(L, -1, "loaded");
  lua_getfield(L, -1, "gradlab");
  if (!lua_istable(L, -1)) return luaL_error(L, "gradlab.sweep: the gradlab module is not loaded");
  lua_getfield(L, -1, "params"); /* params */
  int params = lua_gettop(L);
  for (lua_Integer k = 1, nk = (lua_Integer)lua_rawlen(L, 2); k <= nk; k++) {
    lua_rawgeti(L, 2, k);
    if (lua_getfield(L, params, lua_tostring(L, -1)) == LUA_TNIL) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      lua_rawget(L, 1);
      lua_rawgeti(L, -1, 1);
      record_param(L, lua_tostring(L, -3), -1);
      lua_setfield(L, params, lua_tostring(L, -3));
      lua_pop(L, 1);
    } else {
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  /* on disk now: a run killed later still says which values it ran with */
  glab_runlog *log = glab_lua_runlog(L);
  if (log) glab_runlog_write_summary(log);
  lua_pushvalue(L, params);
  return 1;
}

static const luaL_Reg funcs[] = {{"sweep", l_sweep}, {NULL, NULL}};

void glab_lua_open_sweep(lua_State *L) {
  glab_lua_setfuncs(L, funcs);
}
