/* test_params.c — glab_lua_push_param_value, the one reading of --set values (gradlab.params and
 * summary.json's params, in gradlab run and batch jobs): true/false are booleans, decimal numbers
 * ([+-]digits[.digits][e[+-]digits]) numbers, anything else the string as typed — hex, inf,
 * nan, spaces included, which Lua alone reads partly as numbers; a number too large is
 * GLAB_LUA_PARAM_INFINITE, a non-zero one that reads as 0 GLAB_LUA_PARAM_UNDERFLOW. */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_internal.h"

enum { BOOL, INT, FLOAT, STR };

static const struct {
  const char *text;
  int kind;
  double value; /* numbers: the value; booleans: 1/0 */
  int status;
} cases[] = {
    {"true", BOOL, 1, GLAB_LUA_PARAM_OK},
    {"false", BOOL, 0, GLAB_LUA_PARAM_OK},
    {"3", INT, 3, GLAB_LUA_PARAM_OK},
    {"-2", INT, -2, GLAB_LUA_PARAM_OK},
    {"+7", INT, 7, GLAB_LUA_PARAM_OK},
    {"0.5", FLOAT, 0.5, GLAB_LUA_PARAM_OK},
    {".5", FLOAT, 0.5, GLAB_LUA_PARAM_OK},
    {"1e-3", FLOAT, 1e-3, GLAB_LUA_PARAM_OK},
    {"1E+2", FLOAT, 100, GLAB_LUA_PARAM_OK},
    {"1e-310", FLOAT, 1e-310, GLAB_LUA_PARAM_OK},
    {"0e5", FLOAT, 0, GLAB_LUA_PARAM_OK},
    {"0.000", FLOAT, 0, GLAB_LUA_PARAM_OK},
    {"0x10", STR, 0, GLAB_LUA_PARAM_OK},
    {"0X1p4", STR, 0, GLAB_LUA_PARAM_OK},
    {" 3", STR, 0, GLAB_LUA_PARAM_OK},
    {"3 ", STR, 0, GLAB_LUA_PARAM_OK},
    {"inf", STR, 0, GLAB_LUA_PARAM_OK},
    {"nan", STR, 0, GLAB_LUA_PARAM_OK},
    {"1e", STR, 0, GLAB_LUA_PARAM_OK},
    {"e5", STR, 0, GLAB_LUA_PARAM_OK},
    {".", STR, 0, GLAB_LUA_PARAM_OK},
    {"", STR, 0, GLAB_LUA_PARAM_OK},
    {"relu", STR, 0, GLAB_LUA_PARAM_OK},
    {"True", STR, 0, GLAB_LUA_PARAM_OK},
    {"1e400", FLOAT, 0, GLAB_LUA_PARAM_INFINITE},
    {"1e-400", FLOAT, 0, GLAB_LUA_PARAM_UNDERFLOW},
    {"-1e-400", FLOAT, 0, GLAB_LUA_PARAM_UNDERFLOW},
};

int main(void) {
  lua_State *L = luaL_newstate();
  int bad = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *t = cases[i].text;
    int st = glab_lua_push_param_value(L, t);
    int kind = lua_type(L, -1) == LUA_TBOOLEAN  ? BOOL
               : lua_isinteger(L, -1)           ? INT
               : lua_type(L, -1) == LUA_TNUMBER ? FLOAT
                                                : STR;
    int ok = kind == cases[i].kind && st == cases[i].status;
    if (ok && kind == STR) ok = !strcmp(lua_tostring(L, -1), t); /* as typed */
    if (ok && kind == BOOL) ok = lua_toboolean(L, -1) == (cases[i].value != 0);
    if (ok && (kind == INT || kind == FLOAT) && st == GLAB_LUA_PARAM_OK)
      ok = lua_tonumber(L, -1) == cases[i].value;
    if (!ok) {
      const char *type = luaL_typename(L, -1); /* before luaL_tolstring pushes a string */
      printf("FAIL: '%s': %s %s, status %d (expected kind %d, status %d)\n", t, type,
             luaL_tolstring(L, -1, NULL), st, cases[i].kind, cases[i].status);
      lua_pop(L, 1);
      bad++;
    }
    lua_pop(L, 1);
    if (lua_gettop(L) != 0) {
      printf("FAIL: '%s' left %d values on the stack\n", t, lua_gettop(L));
      bad++;
      lua_settop(L, 0);
    }
  }
  lua_close(L);
  printf("%s: %d of %zu cases wrong\n", bad ? "FAIL" : "ok", bad, sizeof cases / sizeof cases[0]);
  return bad != 0;
}
