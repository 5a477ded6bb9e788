/* lua_result.c — the value a script returns, flattened for summary.json's "result": {a={b=1},
 * list={5, 6}, ok=true} becomes "a.b": 1, "list.1": 5, "list.2": 6, "ok": 1 (a single value:
 * "value"). Nothing is lost or made up silently: two paths giving one flat key ({["a.b"]=4,
 * a={b=5}}), keys other than strings and integers (1.5, true, a table), values other than
 * numbers, strings, booleans and tables (a function would be "function: 0x...", different in
 * every run), integers a JSON number cannot hold exactly and tables nested deeper than 8 are
 * errors naming the key. gradlab.flatten_result(v) in Lua; glab_lua_store_result for the
 * runner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/runlog.h"
#include "lua_internal.h"

#define MAX_DEPTH 8

/* Stack slots of one flattening: out[flat key] = value, order[i] = flat key (in the order they
 * are stored: per table, integer keys ascending, then string keys by strcmp — the same results
 * give the same summary), from[flat key] = the path that gave it (for the collision message). */
typedef struct {
  lua_State *L;
  int out, order, from;
} flat;

typedef struct {
  int is_int;
  lua_Integer i;
  const char *s; /* anchored by the table being walked */
} key_ref;

static int key_cmp(const void *a, const void *b) {
  const key_ref *x = a, *y = b;
  if (x->is_int != y->is_int) return x->is_int ? -1 : 1;
  if (x->is_int) return x->i < y->i ? -1 : x->i > y->i;
  return strcmp(x->s, y->s);
}

static int is_name(const char *s) {
  if (!s[0] || (s[0] >= '0' && s[0] <= '9')) return 0;
  for (; *s; s++)
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9')))
      return 0;
  return 1;
}

/* The path a message shows for the key at the top under `src` (a Lua-like path: a.b, list[2],
 * ["a.b"]), pushed. */
static const char *push_src(lua_State *L, const char *src, const key_ref *k) {
  if (k->is_int) return lua_pushfstring(L, "%s[%I]", src, k->i);
  if (is_name(k->s)) return lua_pushfstring(L, "%s%s%s", src, src[0] ? "." : "", k->s);
  return lua_pushfstring(L, "%s[\"%s\"]", src, k->s);
}

/* One stored value: the value at v under flat key `key` (from path `src`). */
static void put(flat *f, const char *key, const char *src, int v) {
  lua_State *L = f->L;
  if (lua_getfield(L, f->from, key) == LUA_TSTRING)
    luaL_error(L,
               "result: key '%s' comes from both %s and %s: one value would be lost (rename "
               "one of them)",
               key, lua_tostring(L, -1), src);
  lua_pop(L, 1);
  if (lua_isinteger(L, v)) {
    lua_Integer x = lua_tointeger(L, v);
    if (x > (1LL << 53) || x < -(1LL << 53))
      luaL_error(L,
                 "result: %s = %I is beyond 2^53: a JSON number would not hold it exactly "
                 "(give it as a string)",
                 src, x);
  }
  lua_pushstring(L, src);
  lua_setfield(L, f->from, key);
  if (lua_type(L, v) == LUA_TBOOLEAN)
    lua_pushinteger(L, lua_toboolean(L, v)); /* booleans are stored as 1/0 */
  else
    lua_pushvalue(L, v);
  lua_setfield(L, f->out, key);
  lua_pushstring(L, key);
  lua_rawseti(L, f->order, (lua_Integer)lua_rawlen(L, f->order) + 1);
}

static void walk(flat *f, int idx, const char *prefix, const char *src, int depth);

/* The value at v under flat key `key`, path `src`. */
static void add(flat *f, int v, const char *key, const char *src, int depth) {
  lua_State *L = f->L;
  switch (lua_type(L, v)) {
  case LUA_TNUMBER:
  case LUA_TSTRING:
  case LUA_TBOOLEAN:
    put(f, key, src, v);
    break;
  case LUA_TTABLE:
    if (depth >= MAX_DEPTH)
      luaL_error(L, "result: %s nests tables deeper than %d levels (a table that holds itself?)",
                 src, MAX_DEPTH);
    walk(f, v, key, src, depth + 1);
    break;
  default:
    luaL_error(L,
               "result: %s is a %s: only numbers, strings, booleans and tables of them can be "
               "stored%s",
               src, luaL_typename(L, v),
               lua_type(L, v) == LUA_TUSERDATA ? " (a tensor: store t:totable() or t:item())" : "");
  }
}

static void walk(flat *f, int idx, const char *prefix, const char *src, int depth) {
  lua_State *L = f->L;
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 12, "result table");
  int top = lua_gettop(L);
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    n++;
  }
  key_ref *keys = lua_newuserdatauv(L, (n ? n : 1) * sizeof *keys, 0);
  size_t k = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) {
      keys[k++] = (key_ref){0, 0, lua_tostring(L, -1)};
    } else if (lua_isinteger(L, -1)) {
      keys[k++] = (key_ref){1, lua_tointeger(L, -1), NULL};
    } else if (lua_type(L, -1) == LUA_TNUMBER) {
      luaL_error(L, "result: %s has the key %s: only string and integer keys can be stored",
                 src[0] ? src : "the result table",
                 glab_lua_push_number_text(L, lua_tonumber(L, -1)));
    } else {
      luaL_error(L, "result: %s has a %s as a key: only string and integer keys can be stored",
                 src[0] ? src : "the result table", luaL_typename(L, -1));
    }
  }
  qsort(keys, n, sizeof *keys, key_cmp);
  for (size_t i = 0; i < n; i++) {
    int base = lua_gettop(L);
    const char *kt = keys[i].is_int ? lua_pushfstring(L, "%I", keys[i].i) : keys[i].s;
    const char *key = prefix[0] ? lua_pushfstring(L, "%s.%s", prefix, kt) : kt;
    const char *path = push_src(L, src, &keys[i]);
    if (keys[i].is_int) {
      lua_rawgeti(L, idx, keys[i].i);
    } else {
      lua_pushstring(L, keys[i].s);
      lua_rawget(L, idx);
    }
    add(f, lua_gettop(L), key, path, depth);
    lua_settop(L, base);
  }
  lua_settop(L, top);
}

/* Flatten the value at idx; pushes out (flat key -> value) and order (the keys in order). */
static void flatten(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_newtable(L); /* out */
  lua_newtable(L); /* order */
  lua_newtable(L); /* from */
  flat f = {L, lua_gettop(L) - 2, lua_gettop(L) - 1, lua_gettop(L)};
  if (lua_type(L, idx) == LUA_TTABLE)
    walk(&f, idx, "", "", 0);
  else if (!lua_isnoneornil(L, idx))
    add(&f, idx, "value", "the result", 0);
  lua_pop(L, 1);
}

void glab_lua_store_result(lua_State *L, int idx, glab_runlog *log) {
  flatten(L, idx);
  int out = lua_gettop(L) - 1, order = lua_gettop(L);
  for (lua_Integer i = 1, n = (lua_Integer)lua_rawlen(L, order); log && i <= n; i++) {
    lua_rawgeti(L, order, i);
    const char *key = lua_tostring(L, -1);
    lua_getfield(L, out, key);
    if (lua_type(L, -1) == LUA_TNUMBER)
      glab_runlog_set_result_number(log, key, lua_tonumber(L, -1));
    else
      glab_runlog_set_result_string(log, key, lua_tostring(L, -1));
    lua_pop(L, 2);
  }
  lua_pop(L, 2);
}

/* gradlab.flatten_result(v) -> the flat table summary.json's "result" holds for v (booleans as
 * 1/0), and its keys in their stored order; an error naming the key for what cannot be stored. */
static int l_flatten_result(lua_State *L) {
  lua_settop(L, 1);
  flatten(L, 1);
  return 2;
}

static const luaL_Reg funcs[] = {{"flatten_result", l_flatten_result}, {NULL, NULL}};

void glab_lua_open_result(lua_State *L) {
  glab_lua_setfuncs(L, funcs);
}
