/* lua_sweep.c — gradlab.sweep{key={v1, v2, ...}, ...}: a script declares its parameter grid.
 * Protocol with `gradlab batch`: when GRADLAB_SWEEP_OUT is set, the grid is written to that file
 * as JSON ({"key": [values...]}, keys sorted) and the script ends successfully right there.
 * Otherwise every key not already given (by --set, or a batch job) takes its first value in
 * gradlab.params, and the params table is returned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gradlab/runlog.h"
#include "lua_internal.h"

/* Sorted array of the grid's keys, pushed. Checks the values. */
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
    if (lua_type(L, -1) != LUA_TTABLE || lua_rawlen(L, -1) == 0)
      luaL_error(L, "gradlab.sweep: '%s' must be a non-empty list of values", k);
    for (lua_Integer i = 1, len = (lua_Integer)lua_rawlen(L, -1); i <= len; i++) {
      int t = lua_rawgeti(L, -1, i);
      if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN)
        luaL_error(L, "gradlab.sweep: value %d of '%s' is a %s (numbers, strings, booleans only)",
                   (int)i, k, lua_typename(L, t));
      lua_pop(L, 1);
    }
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
        item = lua_isinteger(L, -1) ? cJSON_CreateNumber((double)lua_tointeger(L, -1))
                                    : cJSON_CreateNumber(lua_tonumber(L, -1));
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

static int l_sweep(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  push_sorted_keys(L); /* 2 */
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
    lua_getglobal(L, "os"); /* stock lua: end the script as os.exit(true, true) would */
    lua_getfield(L, -1, "exit");
    lua_pushboolean(L, 1);
    lua_pushboolean(L, 1);
    lua_call(L, 2, 0);
    return 0;
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
  lua_pushvalue(L, params);
  return 1;
}

static const luaL_Reg funcs[] = {{"sweep", l_sweep}, {NULL, NULL}};

void glab_lua_open_sweep(lua_State *L) {
  glab_lua_setfuncs(L, funcs);
}
