/* lua_config.c — option tables to glab_config: a Lua table {units=30, init={"normal", std=0.1},
 * sizes={1,2,3}, bias=true, ...} becomes the typed key-value config a registered type reads.
 * The config lives in a userdata box (freed by __gc), so a Lua error mid-way leaks nothing. */
#include <math.h>
#include <string.h>

#include "gradlab/layer.h"
#include "lua_internal.h"

#define CONFIG_BOX "gradlab.configbox"

typedef struct {
  glab_config *cfg;
} config_box;

static int box_gc(lua_State *L) {
  config_box *b = glab_lua_checkudata(L, 1, CONFIG_BOX);
  glab_config_destroy(b->cfg);
  b->cfg = NULL;
  return 0;
}

static const glab_option *find_option(const glab_option *opts, const char *name) {
  for (const glab_option *o = opts; o && o->name; o++)
    if (!strcmp(o->name, name)) return o;
  return NULL;
}

static const char *kind_text(glab_opt_kind k) {
  switch (k) {
  case GLAB_OPT_INT:
    return "an integer";
  case GLAB_OPT_REAL:
    return "a number";
  case GLAB_OPT_BOOL:
    return "a boolean";
  case GLAB_OPT_STRING:
    return "a string";
  case GLAB_OPT_INTS:
    return "a list of integers";
  case GLAB_OPT_INIT:
    return "an initializer name or {name, std=, value=}";
  }
  return "a value";
}

static int wrong(lua_State *L, const char *fname, const char *key, const glab_option *o, int v) {
  return luaL_error(L, "%s: option '%s' must be %s, got %s", fname, key, kind_text(o->kind),
                    luaL_typename(L, v));
}

static int set_init(lua_State *L, glab_config *cfg, const char *fname, const char *key, int v) {
  glab_init init;
  if (lua_type(L, v) == LUA_TSTRING) {
    if (glab_init_parse(lua_tostring(L, v), &init) != GLAB_OK)
      return luaL_error(L, "%s: option '%s': %s", fname, key, glab_last_error());
  } else {
    lua_rawgeti(L, v, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      return luaL_error(
          L, "%s: option '%s': the table's first element must be the initializer name", fname, key);
    if (glab_init_parse(lua_tostring(L, -1), &init) != GLAB_OK)
      return luaL_error(L, "%s: option '%s': %s", fname, key, glab_last_error());
    lua_pop(L, 1);
    const char *fields[] = {"std", "value"};
    double *dest[] = {&init.std, &init.value};
    for (int i = 0; i < 2; i++) {
      int t = lua_getfield(L, v, fields[i]);
      if (t == LUA_TNUMBER) {
        /* NaN means "not given" to glab_init: a given NaN/inf must not read as the default */
        *dest[i] = lua_tonumber(L, -1);
        if (!isfinite(*dest[i])) /* worded as glab_init_check's message (init.c) */
          return luaL_error(L, "%s: option '%s': %s %s must be a finite number%s, got %s", fname,
                            key, init.name, fields[i], i ? "" : " >= 0",
                            isnan(*dest[i]) ? "nan"
                            : *dest[i] > 0  ? "inf"
                                            : "-inf");
      } else if (t != LUA_TNIL)
        return luaL_error(L, "%s: option '%s': %s must be a number", fname, key, fields[i]);
      lua_pop(L, 1);
    }
    /* Catch typos such as {"normal", sdt=0.1}. */
    lua_pushnil(L);
    while (lua_next(L, v)) {
      lua_pop(L, 1);
      if (lua_type(L, -1) == LUA_TSTRING) {
        const char *f = lua_tostring(L, -1);
        if (strcmp(f, "std") && strcmp(f, "value"))
          return luaL_error(L, "%s: option '%s': unknown initializer field '%s' (std, value)",
                            fname, key, f);
      } else if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) != 1) {
        return luaL_error(L, "%s: option '%s': unexpected element in initializer table", fname,
                          key);
      }
    }
  }
  return glab_config_set_init(cfg, key, &init);
}

static int set_ints(lua_State *L, glab_config *cfg, const char *fname, const char *key, int v) {
  long small[16];
  lua_Integer n = (lua_Integer)lua_rawlen(L, v);
  if (n > 16) return luaL_error(L, "%s: option '%s': at most 16 integers", fname, key);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, v, i);
    int ok = 0;
    lua_Integer x = lua_tointegerx(L, -1, &ok);
    if (!ok)
      return luaL_error(L, "%s: option '%s': element %d is not an integer", fname, key, (int)i);
    small[i - 1] = (long)x;
    lua_pop(L, 1);
  }
  return glab_config_set_ints(cfg, key, small, (int)n);
}

/* Set one key by its declared kind (or by the Lua type when the option is unknown, so that
 * glab_config_validate reports it with its suggestion). */
static int set_one(lua_State *L, glab_config *cfg, const glab_option *opts, const char *fname,
                   const char *key, int v) {
  const glab_option *o = find_option(opts, key);
  int t = lua_type(L, v);
  if (!o) {
    if (t == LUA_TBOOLEAN) return glab_config_set_bool(cfg, key, lua_toboolean(L, v));
    if (t == LUA_TSTRING) return glab_config_set_string(cfg, key, lua_tostring(L, v));
    if (t == LUA_TNUMBER) return glab_config_set_real(cfg, key, lua_tonumber(L, v));
    return glab_config_set_bool(cfg, key, 1);
  }
  if (t == LUA_TSTRING && o->kind != GLAB_OPT_STRING && o->kind != GLAB_OPT_INIT) {
    /* Text from --set or a sweep: parse it as the option's kind. */
    if (glab_config_set_from_text(cfg, key, o->kind, lua_tostring(L, v)) != GLAB_OK) {
      const char *msg = glab_last_error();
      if (strstr(msg, key)) return luaL_error(L, "%s: %s", fname, msg);
      return luaL_error(L, "%s: option '%s': %s", fname, key, msg);
    }
    return GLAB_OK;
  }
  switch (o->kind) {
  case GLAB_OPT_INT: {
    int ok = 0;
    lua_Integer x = t == LUA_TNUMBER ? lua_tointegerx(L, v, &ok) : 0;
    if (!ok) {
      if (t == LUA_TNUMBER)
        return luaL_error(L, "%s: option '%s' must be an integer, got %s", fname, key,
                          glab_lua_push_value_text(L, v));
      return wrong(L, fname, key, o, v);
    }
    return glab_config_set_int(cfg, key, (long)x);
  }
  case GLAB_OPT_REAL:
    if (t != LUA_TNUMBER) return wrong(L, fname, key, o, v);
    return glab_config_set_real(cfg, key, lua_tonumber(L, v));
  case GLAB_OPT_BOOL:
    if (t != LUA_TBOOLEAN) return wrong(L, fname, key, o, v);
    return glab_config_set_bool(cfg, key, lua_toboolean(L, v));
  case GLAB_OPT_STRING:
    if (t != LUA_TSTRING) return wrong(L, fname, key, o, v);
    return glab_config_set_string(cfg, key, lua_tostring(L, v));
  case GLAB_OPT_INTS:
    if (t == LUA_TNUMBER && lua_isinteger(L, v)) {
      long x = (long)lua_tointeger(L, v);
      return glab_config_set_ints(cfg, key, &x, 1);
    }
    if (t != LUA_TTABLE) return wrong(L, fname, key, o, v);
    return set_ints(L, cfg, fname, key, v);
  case GLAB_OPT_INIT:
    if (t != LUA_TSTRING && t != LUA_TTABLE) return wrong(L, fname, key, o, v);
    return set_init(L, cfg, fname, key, v);
  }
  return GLAB_OK;
}

static int in_list(const char *key, const glab_option *skip) {
  for (; skip && skip->name; skip++)
    if (!strcmp(skip->name, key)) return 1;
  return 0;
}

glab_config *glab_lua_check_config(lua_State *L, int idx, const glab_option *opts,
                                   const char *fname, const glab_option *skip) {
  idx = lua_absindex(L, idx);
  config_box *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->cfg = NULL;
  if (luaL_newmetatable(L, CONFIG_BOX)) {
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  b->cfg = glab_config_create();
  if (!b->cfg) return glab_lua_fail(L, fname), NULL;
  if (lua_isnoneornil(L, idx)) return b->cfg;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      const char *key = lua_tostring(L, -2);
      if (!in_list(key, skip) && set_one(L, b->cfg, opts, fname, key, lua_gettop(L)) != GLAB_OK)
        glab_lua_fail(L, fname);
    } else if (lua_type(L, -2) != LUA_TNUMBER) {
      luaL_error(L, "%s: option keys must be names, got a %s", fname, luaL_typename(L, -2));
    }
    lua_pop(L, 1);
  }
  return b->cfg;
}
