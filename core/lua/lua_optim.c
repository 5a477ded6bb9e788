/* lua_optim.c — optimizers: gradlab.optim.<type>{lr=..., clip_norm=, clip_value=} for every
 * optimizer type in the registry (looked up by name), and opt:step(net). */
#include <math.h>
#include <string.h>

#include "gradlab/optim.h"
#include "gradlab/train.h"
#include "lua_internal.h"

typedef struct {
  glab_optimizer *o;
  int collected; /* 1 once __gc ran */
} optim_ud;

glab_optimizer *glab_lua_check_optim(lua_State *L, int arg) {
  optim_ud *u = glab_lua_checkudata(L, arg, GLAB_LUA_OPTIM);
  if (!u->o)
    glab_lua_argerror(L, arg,
                      u->collected ? "optimizer has been collected: its __gc metamethod was called"
                                   : "optimizer is not usable (its creation failed)");
  return u->o;
}

static int l_construct(lua_State *L) {
  const char *type = lua_tostring(L, lua_upvalueindex(1));
  const char *fname = lua_tostring(L, lua_upvalueindex(2));
  const glab_optimizer_type *ot = glab_registry_optimizer(glab_lua_registry(L), type);
  if (!ot) return luaL_error(L, "%s: optimizer type '%s' is no longer registered", fname, type);
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  if (lua_type(L, 1) != LUA_TTABLE) return glab_lua_typeerror(L, 1, "table of options");
  lua_settop(L, 1);
  if (lua_rawlen(L, 1) > 0) return luaL_error(L, "%s: options must be named (e.g. lr=0.1)", fname);
  /* The type's options plus the ones every optimizer takes (clip_norm, clip_value), so that
   * text such as clip_norm="1" (from --set or a sweep) is parsed as a number like lr="0.1". */
  size_t nt = 0, ng = 0;
  const glab_option *generic = glab_optimizer_generic_options();
  while (ot->options && ot->options[nt].name)
    nt++;
  while (generic[ng].name)
    ng++;
  glab_option *all = lua_newuserdatauv(L, (nt + ng + 1) * sizeof *all, 0); /* 2 */
  if (nt) memcpy(all, ot->options, nt * sizeof *all);
  memcpy(all + nt, generic, (ng + 1) * sizeof *all);
  glab_config *cfg = glab_lua_check_config(L, 1, all, fname, NULL);
  for (size_t i = 0; i < ng; i++) {
    const char *k = generic[i].name;
    double v = glab_config_has(cfg, k) ? (double)glab_config_real(cfg, k) : 0;
    if (!isfinite(v)) /* worded as the core's check of a type's own options (config.c) */
      return luaL_error(L, "%s: option '%s' must be a finite number, got %s", fname, k,
                        isnan(v) ? "nan"
                        : v > 0  ? "inf"
                                 : "-inf");
  }
  optim_ud *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->o = NULL;
  u->collected = 0;
  luaL_setmetatable(L, GLAB_LUA_OPTIM);
  u->o = glab_optimizer_create(glab_lua_registry(L), type, cfg);
  if (!u->o) return glab_lua_fail_type(L, fname, type);
  return 1;
}

static int optim_index(lua_State *L) {
  const char *name = glab_lua_checkstring(L, 2);
  if (!glab_registry_optimizer(glab_lua_registry(L), name)) {
    const char *s = glab_lua_suggest_type(L, GLAB_KIND_OPTIMIZER, name);
    glab_lua_push_type_names(L, GLAB_KIND_OPTIMIZER);
    if (s)
      return luaL_error(L, "gradlab.optim: unknown optimizer '%s'; did you mean '%s'? (known: %s)",
                        name, s, lua_tostring(L, -1));
    return luaL_error(L, "gradlab.optim: unknown optimizer '%s' (known: %s)", name,
                      lua_tostring(L, -1));
  }
  lua_pushstring(L, name);
  lua_pushfstring(L, "gradlab.optim.%s", name);
  lua_pushcclosure(L, l_construct, 2);
  lua_pushvalue(L, 2);
  lua_pushvalue(L, -2);
  lua_rawset(L, 1);
  return 1;
}

/* opt:step(net) -> true, or false, message after a non-finite gradient (no update applied). */
static int m_step(lua_State *L) {
  glab_optimizer *o = glab_lua_check_optim(L, 1);
  struct glab_lua_model *m = glab_lua_check_idle_model(L, 2, "opt:step");
  return glab_lua_nonfinite_result(L, m, glab_trainer_step(m->tr, o), "opt:step");
}

static int m_steps(lua_State *L) {
  lua_pushinteger(L, glab_optimizer_steps(glab_lua_check_optim(L, 1)));
  return 1;
}

/* opt:grad_norm(): the global gradient norm before clipping at the last step. */
static int m_grad_norm(lua_State *L) {
  lua_pushnumber(L, glab_optimizer_last_grad_norm(glab_lua_check_optim(L, 1)));
  return 1;
}

/* opt:set_clipping(clip_norm, clip_value): nil or 0 disables; a negative value is the core's
 * error (naming the option), raised at the script's line. */
static int m_set_clipping(lua_State *L) {
  glab_optimizer *o = glab_lua_check_optim(L, 1);
  lua_Number v[2] = {glab_lua_optnumber(L, 2, 0), glab_lua_optnumber(L, 3, 0)};
  for (int i = 0; i < 2; i++)
    if (!isfinite(v[i]))
      return glab_lua_argerror(L, i + 2,
                               i ? "clip_value must be a finite number (nil or 0: off)"
                                 : "clip_norm must be a finite number (nil or 0: off)");
  if (glab_optimizer_set_clipping(o, v[0], v[1]) != GLAB_OK)
    return glab_lua_fail(L, "opt:set_clipping");
  lua_settop(L, 1);
  return 1;
}

static int m_tostring(lua_State *L) {
  optim_ud *u = glab_lua_checkudata(L, 1, GLAB_LUA_OPTIM);
  lua_pushfstring(L, "optimizer %s",
                  u->o           ? glab_optimizer_get_type(u->o)->name
                  : u->collected ? "(collected)"
                                 : "(unusable)");
  return 1;
}

static int m_gc(lua_State *L) {
  optim_ud *u = glab_lua_checkudata(L, 1, GLAB_LUA_OPTIM);
  glab_optimizer_destroy(u->o);
  u->o = NULL;
  u->collected = 1;
  return 0;
}

static int m_index(lua_State *L) {
  optim_ud *u = glab_lua_checkudata(L, 1, GLAB_LUA_OPTIM);
  const char *k = lua_tostring(L, 2);
  if (k && u->o && !strcmp(k, "type")) {
    lua_pushstring(L, glab_optimizer_get_type(u->o)->name);
    return 1;
  }
  lua_getmetatable(L, 1);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static const luaL_Reg optim_methods[] = {{"step", m_step},
                                         {"steps", m_steps},
                                         {"grad_norm", m_grad_norm},
                                         {"set_clipping", m_set_clipping},
                                         {"__tostring", m_tostring},
                                         {"__gc", m_gc},
                                         {NULL, NULL}};

void glab_lua_open_optim(lua_State *L) {
  luaL_newmetatable(L, GLAB_LUA_OPTIM);
  luaL_setfuncs(L, optim_methods, 0);
  lua_pushcfunction(L, m_index);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, optim_index);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_setfield(L, -2, "optim");
}
