/* run_lua.c — pieces of `gradlab run`'s Lua side that need nothing of the run's own state:
 * loading Lua source only (the script, and load/loadfile/dofile/require inside it). */
#include <stdio.h>

#include <lauxlib.h>
#include <lua.h>

#include "run.h"

/* ---- text chunks only ----
 * Lua does not check binary chunks: a damaged or hostile one can crash the process (the Lua
 * manual says so of load). So the script is loaded as source only, and under gradlab run the
 * script's own load/loadfile default to mode "t" (a script that means to load bytecode says so:
 * load(s, name, "b"), loadfile(f, "bt")); dofile and require's Lua searcher take source only. */

/* load/loadfile with their mode argument (upvalue 2: its position) defaulting to "t";
 * upvalue 1: the original function. The argument count is kept: an explicit nil env is not the
 * same as none. */
static int l_text_default(lua_State *L) {
  int mode = (int)lua_tointeger(L, lua_upvalueindex(2));
  if (lua_gettop(L) < mode) lua_settop(L, mode);
  if (lua_isnil(L, mode)) {
    lua_pushliteral(L, "t");
    lua_replace(L, mode);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static void text_default(lua_State *L, const char *name, int mode_arg) {
  lua_getglobal(L, name);
  lua_pushinteger(L, mode_arg);
  lua_pushcclosure(L, l_text_default, 2);
  lua_setglobal(L, name);
}

static int dofile_cont(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  (void)ctx;
  return lua_gettop(L) - 1;
}

/* dofile as lbaselib's, loading source only. */
static int l_dofile(lua_State *L) {
  const char *fname = luaL_optstring(L, 1, NULL);
  lua_settop(L, 1);
  if (luaL_loadfilex(L, fname, "t") != LUA_OK) return lua_error(L);
  lua_callk(L, 0, LUA_MULTRET, 0, dofile_cont);
  return dofile_cont(L, 0, 0);
}

/* require's searcher for Lua files (package.searchers[2], as loadlib.c's searcher_Lua), loading
 * source only. */
static int l_search_lua(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchpath");
  lua_pushstring(L, name);
  lua_getfield(L, -3, "path");
  if (!lua_isstring(L, -1)) return luaL_error(L, "'package.path' must be a string");
  lua_call(L, 2, 2);
  if (lua_isnil(L, -2)) return 1; /* "no file ..." */
  lua_pop(L, 1);
  const char *file = lua_tostring(L, -1);
  if (luaL_loadfilex(L, file, "t") != LUA_OK)
    return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, file,
                      lua_tostring(L, -1));
  lua_pushstring(L, file);
  return 2;
}

void run_text_only(lua_State *L) {
  text_default(L, "load", 3);
  text_default(L, "loadfile", 2);
  lua_pushcfunction(L, l_dofile);
  lua_setglobal(L, "dofile");
  lua_getglobal(L, "package");
  if (lua_getfield(L, -1, "searchers") == LUA_TTABLE) {
    lua_pushcfunction(L, l_search_lua);
    lua_rawseti(L, -2, 2);
  }
  lua_pop(L, 2);
}

/* 1 if the file is a binary chunk (luac output): its first character after an optional UTF-8
 * byte order mark and '#' line is the signature's ESC, as luaL_loadfilex reads it. */
int run_is_binary_chunk(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  int c = getc(f);
  if (c == 0xEF && getc(f) == 0xBB && getc(f) == 0xBF) c = getc(f);
  if (c == '#')
    while ((c = getc(f)) != EOF && c != '\n') {
    }
  if (c == '\n') c = getc(f);
  fclose(f);
  return c == LUA_SIGNATURE[0];
}
