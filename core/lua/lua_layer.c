/* lua_layer.c — layers: gradlab.layer.<type>{options..., child, child, ...} for every layer type
 * in the registry (looked up by name when first used, so a plugin loaded later appears with no
 * binding change), and the layer object: layer.name, layer.type, param/grad/set_param/
 * param_names/layers. Statistics methods are added by lua_stats.c. */
#include <string.h>

#include "gradlab/layer.h"
#include "lua_internal.h"

static const char key_layers = 'l'; /* weak map: lightuserdata(glab_layer*) -> userdata */

int glab_lua_fail_type(lua_State *L, const char *fname, const char *type) {
  const char *msg = glab_last_error();
  size_t n = strlen(type);
  if (msg && !strncmp(msg, type, n) && msg[n] == ':' && msg[n + 1] == ' ') msg += n + 2;
  return luaL_error(L, "%s: %s", fname, msg && msg[0] ? msg : "failed");
}

static void push_weak_map(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_layers) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushstring(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_layers);
  }
}

static glab_lua_layer *new_layer_ud(lua_State *L) {
  glab_lua_layer *u = lua_newuserdatauv(L, sizeof *u, 2); /* owner, given name */
  u->l = NULL;
  u->owned = 1;
  u->gone = 0;
  luaL_setmetatable(L, GLAB_LUA_LAYER);
  return u;
}

static void remember(lua_State *L, glab_layer *l, int ud_idx) {
  ud_idx = lua_absindex(L, ud_idx);
  push_weak_map(L);
  lua_pushvalue(L, ud_idx);
  lua_rawsetp(L, -2, l);
  lua_pop(L, 1);
}

void glab_lua_forget_layer(lua_State *L, glab_layer *l) {
  if (!l) return;
  push_weak_map(L);
  lua_pushnil(L);
  lua_rawsetp(L, -2, l);
  lua_pop(L, 1);
  for (int i = 0; i < glab_layer_nchildren(l); i++)
    glab_lua_forget_layer(L, glab_layer_child(l, i));
}

static void list_layers(lua_State *L, glab_layer *l, int list) {
  lua_pushlightuserdata(L, l);
  lua_rawseti(L, list, (lua_Integer)lua_rawlen(L, list) + 1);
  for (int i = 0; i < glab_layer_nchildren(l); i++)
    list_layers(L, glab_layer_child(l, i), list);
}

void glab_lua_push_layer_list(lua_State *L, glab_layer *const *layers, int n) {
  lua_newtable(L);
  for (int i = 0; i < n; i++)
    list_layers(L, layers[i], lua_gettop(L));
}

void glab_lua_forget_list(lua_State *L, int list) {
  list = lua_absindex(L, list);
  push_weak_map(L);
  for (lua_Integer i = 1, n = (lua_Integer)lua_rawlen(L, list); i <= n; i++) {
    lua_rawgeti(L, list, i);
    lua_pushnil(L);
    lua_rawset(L, -3); /* only the addresses: the layers are gone */
  }
  lua_pop(L, 1);
}

/* NULL when the layer userdata at idx can be used, else why not: its layer was destroyed, or a
 * container or model it belongs to was (a __gc called by hand destroys them; the handle must
 * not reach the freed layer). */
const char *glab_lua_layer_dead(lua_State *L, int idx) {
  glab_lua_layer *u = lua_touserdata(L, idx);
  if (!u->l)
    return u->gone == GLAB_LUA_LAYER_COLLECTED
               ? "layer has been collected: its __gc metamethod was called"
               : "layer was destroyed with a failed constructor (the container or model it was "
                 "given to could not be made)";
  const char *why = NULL;
  lua_getiuservalue(L, idx, 1);
  for (int guard = 0; guard < 64 && !why; guard++) {
    struct glab_lua_model *m = luaL_testudata(L, -1, GLAB_LUA_MODEL);
    glab_lua_layer *p = m ? NULL : luaL_testudata(L, -1, GLAB_LUA_LAYER);
    if (m && m->collected)
      why = "layer belongs to a model that has been collected: its __gc metamethod was called";
    if (p && !p->l) why = "layer belongs to a container layer that has been collected";
    if (!p) break;
    lua_getiuservalue(L, -1, 1);
    lua_remove(L, -2);
  }
  lua_pop(L, 1);
  return why;
}

glab_lua_layer *glab_lua_check_layer(lua_State *L, int arg) {
  glab_lua_layer *u = glab_lua_checkudata(L, arg, GLAB_LUA_LAYER);
  const char *why = glab_lua_layer_dead(L, arg);
  if (why) glab_lua_argerror(L, arg, why);
  return u;
}

void glab_lua_push_layer(lua_State *L, glab_layer *l, int owner_idx) {
  owner_idx = lua_absindex(L, owner_idx);
  push_weak_map(L);
  if (lua_rawgetp(L, -1, l) == LUA_TUSERDATA) {
    lua_remove(L, -2);
    return;
  }
  lua_pop(L, 2);
  glab_lua_layer *u = new_layer_ud(L);
  u->l = l;
  u->owned = 0;
  lua_pushvalue(L, owner_idx);
  lua_setiuservalue(L, -2, 1);
  remember(L, l, -1);
}

glab_layer *glab_lua_adopt_layer(lua_State *L, int arg, int owner_idx, const char *fname) {
  owner_idx = lua_absindex(L, owner_idx);
  glab_lua_layer *u = luaL_testudata(L, arg, GLAB_LUA_LAYER);
  if (!u) luaL_error(L, "%s: element %d is a %s, not a layer", fname, arg, luaL_typename(L, arg));
  if (glab_lua_layer_dead(L, arg))
    luaL_error(L, "%s: element %d: %s", fname, arg, glab_lua_layer_dead(L, arg));
  if (!u->owned)
    luaL_error(L, "%s: element %d: layer '%s' already belongs to a model or container", fname, arg,
               glab_layer_name(u->l));
  u->owned = 0;
  lua_pushvalue(L, owner_idx);
  lua_setiuservalue(L, arg, 1);
  return u->l;
}

int glab_lua_push_layer_model(lua_State *L, int layer_idx) {
  lua_pushvalue(L, layer_idx);
  for (int guard = 0; guard < 64; guard++) {
    if (luaL_testudata(L, -1, GLAB_LUA_MODEL)) return 1;
    if (!luaL_testudata(L, -1, GLAB_LUA_LAYER)) break;
    lua_getiuservalue(L, -1, 1);
    lua_remove(L, -2);
  }
  lua_pop(L, 1);
  lua_pushnil(L);
  return 0;
}

/* ---- constructors: gradlab.layer.<type>{...} ---- */

static int l_construct(lua_State *L) {
  const char *type = lua_tostring(L, lua_upvalueindex(1));
  const char *fname = lua_tostring(L, lua_upvalueindex(2));
  glab_registry *reg = glab_lua_registry(L);
  const glab_layer_type *lt = glab_registry_layer(reg, type);
  if (!lt) return luaL_error(L, "%s: layer type '%s' is no longer registered", fname, type);
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  if (lua_type(L, 1) != LUA_TTABLE) return glab_lua_typeerror(L, 1, "table of options");
  lua_settop(L, 1);
  int nchild = (int)lua_rawlen(L, 1);
  /* the name before anything is built: a bad one (the '/' that metrics.csv reads as a model
   * prefix) must not leave a half-made layer behind */
  if (lua_getfield(L, 1, "name") == LUA_TSTRING) {
    size_t len;
    const char *nm = lua_tolstring(L, -1, &len);
    if (strlen(nm) != len) /* C would see only the bytes before it */
      return luaL_error(L, "%s: layer name: a name cannot hold a NUL byte (byte %d of %d)", fname,
                        (int)strlen(nm) + 1, (int)len);
    if (glab_layer_check_name(nm)) return luaL_error(L, "%s: %s", fname, glab_last_error());
  }
  lua_pop(L, 1);
  if (nchild > 0 && !lt->takes_children)
    return luaL_error(L, "%s: %s takes no child layers (got %d positional elements)", fname, type,
                      nchild);
  /* the options every layer takes (name) are the binding's, set below, not the type's */
  glab_config *cfg =
      glab_lua_check_config(L, 1, lt->options, fname, glab_layer_generic_options()); /* box: 2 */
  glab_lua_layer *self = new_layer_ud(L);                                            /* 3 */
  glab_layer **kids = NULL;
  if (nchild > 0) {
    kids = lua_newuserdatauv(L, (size_t)nchild * sizeof *kids, 0); /* 4 */
    for (int i = 1; i <= nchild; i++) { /* check them all before taking any */
      lua_rawgeti(L, 1, i);
      glab_lua_layer *c = luaL_testudata(L, -1, GLAB_LUA_LAYER);
      if (!c)
        return luaL_error(L, "%s: element %d is a %s, not a layer", fname, i, luaL_typename(L, -1));
      if (glab_lua_layer_dead(L, -1))
        return luaL_error(L, "%s: element %d: %s", fname, i, glab_lua_layer_dead(L, -1));
      if (!c->owned)
        return luaL_error(L, "%s: element %d: layer '%s' already belongs to a model or container",
                          fname, i, glab_layer_name(c->l));
      for (int j = 0; j < i - 1; j++)
        if (kids[j] == c->l)
          return luaL_error(L, "%s: element %d repeats element %d", fname, i, j + 1);
      kids[i - 1] = c->l;
      lua_pop(L, 1);
    }
    if (!strcmp(type, "residual")) /* its children run in order: their widths must fit */
      glab_lua_check_widths(L, kids, nchild, fname, "child");
    for (int i = 1; i <= nchild; i++) { /* the new layer owns them from here, also on failure */
      lua_rawgeti(L, 1, i);
      ((glab_lua_layer *)lua_touserdata(L, -1))->owned = 0;
      lua_pushvalue(L, 3);
      lua_setiuservalue(L, -2, 1);
      lua_pop(L, 1);
    }
  }
  glab_lua_push_layer_list(L, kids, nchild); /* 4 or 5 */
  glab_layer *l = glab_layer_create(reg, type, cfg, kids, nchild);
  if (!l) {
    glab_lua_forget_list(L, -1);
    for (int i = 1; i <= nchild; i++) { /* destroyed with the failure */
      lua_rawgeti(L, 1, i);
      glab_lua_layer *c = lua_touserdata(L, -1);
      c->l = NULL;
      c->gone = GLAB_LUA_LAYER_FAILED;
      lua_pop(L, 1);
    }
    return glab_lua_fail_type(L, fname, type);
  }
  self->l = l;
  /* Children keep the names they were given (a new parent renames its children by position). */
  for (int i = 1; i <= nchild; i++) {
    lua_rawgeti(L, 1, i);
    if (lua_getiuservalue(L, -1, 2) == LUA_TSTRING)
      glab_layer_set_name(((glab_lua_layer *)lua_touserdata(L, -2))->l, lua_tostring(L, -1));
    lua_pop(L, 2);
  }
  if (lua_getfield(L, 1, "name") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING)
      return luaL_error(L, "%s: option 'name' must be a string", fname);
    glab_layer_set_name(l, lua_tostring(L, -1));
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, 3, 2);
  }
  lua_pop(L, 1);
  remember(L, l, 3);
  lua_pushvalue(L, 3);
  return 1;
}

/* Suggest the nearest registered name of a kind (through glab_option_suggest). */
const char *glab_lua_suggest_type(lua_State *L, glab_type_kind want, const char *name) {
  glab_registry *reg = glab_lua_registry(L);
  size_t n = glab_registry_count(reg), k = 0;
  glab_option *opts = lua_newuserdatauv(L, (n + 1) * sizeof *opts, 0);
  for (size_t i = 0; i < n; i++) {
    glab_type_kind kind;
    const char *tn = NULL, *file, *doc;
    const glab_option *o;
    if (glab_registry_entry(reg, i, &kind, &tn, &file, &doc, &o) == GLAB_OK && kind == want)
      opts[k++] = (glab_option){tn, GLAB_OPT_INT, NULL, NULL};
  }
  opts[k] = (glab_option)GLAB_OPTIONS_END;
  const char *s = glab_option_suggest(opts, name);
  lua_pop(L, 1); /* the names belong to the registry, not to the userdata */
  return s;
}

/* Push "a, b, c" listing registered names of a kind. */
void glab_lua_push_type_names(lua_State *L, glab_type_kind want) {
  glab_registry *reg = glab_lua_registry(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  int first = 1;
  for (size_t i = 0, n = glab_registry_count(reg); i < n; i++) {
    glab_type_kind kind;
    const char *tn = NULL, *file, *doc;
    const glab_option *o;
    if (glab_registry_entry(reg, i, &kind, &tn, &file, &doc, &o) != GLAB_OK || kind != want)
      continue;
    if (!first) luaL_addstring(&b, ", ");
    luaL_addstring(&b, tn);
    first = 0;
  }
  if (first) luaL_addstring(&b, "none");
  luaL_pushresult(&b);
}

/* gradlab.layer.__index(t, name): the constructor of a registered type (cached in t). */
static int layer_index(lua_State *L) {
  const char *name = glab_lua_checkstring(L, 2);
  if (!glab_registry_layer(glab_lua_registry(L), name)) {
    const char *s = glab_lua_suggest_type(L, GLAB_KIND_LAYER, name);
    glab_lua_push_type_names(L, GLAB_KIND_LAYER);
    if (s)
      return luaL_error(L, "gradlab.layer: unknown layer type '%s'; did you mean '%s'? (known: %s)",
                        name, s, lua_tostring(L, -1));
    return luaL_error(L, "gradlab.layer: unknown layer type '%s' (known: %s)", name,
                      lua_tostring(L, -1));
  }
  lua_pushstring(L, name);
  lua_pushfstring(L, "gradlab.layer.%s", name);
  lua_pushcclosure(L, l_construct, 2);
  lua_pushvalue(L, 2);
  lua_pushvalue(L, -2);
  lua_rawset(L, 1);
  return 1;
}

/* ---- the layer object ---- */

static glab_var *check_param(lua_State *L, glab_lua_layer *u, int arg, const char *fname) {
  const char *name = glab_lua_checkstring(L, arg);
  glab_var *v = glab_layer_param(u->l, name);
  if (!v) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 0, n = glab_layer_nparams(u->l); i < n; i++) {
      const char *pn;
      int isbuf;
      glab_layer_param_at(u->l, i, &pn, &isbuf);
      if (i) luaL_addstring(&b, ", ");
      luaL_addstring(&b, pn);
    }
    luaL_pushresult(&b);
    luaL_error(L, "%s: layer '%s' (%s) has no parameter '%s' (it has: %s)", fname,
               glab_layer_name(u->l), glab_layer_get_type(u->l)->name, name,
               lua_rawlen(L, -1) ? lua_tostring(L, -1) : "none");
  }
  return v;
}

static int m_param(lua_State *L) {
  glab_lua_layer *u = glab_lua_check_layer(L, 1);
  glab_var *v = check_param(L, u, 2, "layer:param");
  glab_lua_push_tensor(L, &v->value);
  return 1;
}

static int m_grad(lua_State *L) {
  glab_lua_layer *u = glab_lua_check_layer(L, 1);
  glab_var *v = check_param(L, u, 2, "layer:grad");
  glab_tensor *t = glab_lua_new_tensor(L, v->value.ndim, v->value.shape);
  if (v->grad) memcpy(t->data, v->grad, t->size * sizeof(glab_real));
  return 1;
}

static int m_set_param(lua_State *L) {
  glab_lua_layer *u = glab_lua_check_layer(L, 1);
  glab_var *v = check_param(L, u, 2, "layer:set_param");
  const glab_tensor *t = glab_lua_to_tensor(L, 3);
  if (t->size != v->value.size ||
      !glab_shape_equal(t->ndim, t->shape, v->value.ndim, v->value.shape)) {
    char want[64], got[64];
    glab_shape_str(v->value.ndim, v->value.shape, want, sizeof want);
    glab_shape_str(t->ndim, t->shape, got, sizeof got);
    /* A flat list of the right length is accepted too (e.g. a bias given as {..}). */
    if (t->size != v->value.size || t->ndim != 1)
      return luaL_error(L, "layer:set_param: layer '%s' parameter '%s' is %s, got %s",
                        glab_layer_name(u->l), lua_tostring(L, 2), want, got);
  }
  memmove(v->value.data, t->data, t->size * sizeof(glab_real));
  return 0;
}

static int m_param_names(lua_State *L) {
  glab_lua_layer *u = glab_lua_check_layer(L, 1);
  int n = glab_layer_nparams(u->l);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    const char *pn;
    int isbuf;
    glab_layer_param_at(u->l, i, &pn, &isbuf);
    lua_pushstring(L, pn);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int m_layers(lua_State *L) {
  glab_lua_layer *u = glab_lua_check_layer(L, 1);
  int n = glab_layer_nchildren(u->l);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    glab_lua_push_layer(L, glab_layer_child(u->l, i), 1);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int m_tostring(lua_State *L) {
  glab_lua_layer *u = glab_lua_checkudata(L, 1, GLAB_LUA_LAYER);
  if (glab_lua_layer_dead(L, 1)) {
    lua_pushstring(L, !u->l && u->gone == GLAB_LUA_LAYER_COLLECTED ? "layer (collected)"
                      : !u->l                                      ? "layer (destroyed)"
                              : "layer (its model has been collected)");
    return 1;
  }
  lua_pushfstring(L, "layer '%s' (%s)", glab_layer_name(u->l), glab_layer_get_type(u->l)->name);
  return 1;
}

/* Only a handle that owns its layer destroys it; the handle of a layer in a model or container
 * owns nothing, so its __gc (called by hand) leaves it usable. */
static int m_gc(lua_State *L) {
  glab_lua_layer *u = glab_lua_checkudata(L, 1, GLAB_LUA_LAYER);
  if (u->owned && u->l) {
    glab_lua_forget_layer(L, u->l);
    glab_layer_destroy(u->l);
    u->l = NULL;
    u->gone = GLAB_LUA_LAYER_COLLECTED;
  }
  return 0;
}

/* layer.name, layer.type, then the methods (kept in the metatable). */
static int m_index(lua_State *L) {
  glab_lua_layer *u = glab_lua_checkudata(L, 1, GLAB_LUA_LAYER);
  const char *k = lua_tostring(L, 2);
  if (k && (!strcmp(k, "name") || !strcmp(k, "type")) && glab_lua_layer_dead(L, 1))
    k = NULL; /* nil */
  if (k && u->l && !strcmp(k, "name")) {
    lua_pushstring(L, glab_layer_name(u->l));
    return 1;
  }
  if (k && u->l && !strcmp(k, "type")) {
    lua_pushstring(L, glab_layer_get_type(u->l)->name);
    return 1;
  }
  lua_getmetatable(L, 1);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static const luaL_Reg layer_methods[] = {{"param", m_param},
                                         {"grad", m_grad},
                                         {"set_param", m_set_param},
                                         {"param_names", m_param_names},
                                         {"layers", m_layers},
                                         {"__tostring", m_tostring},
                                         {"__gc", m_gc},
                                         {NULL, NULL}};

void glab_lua_open_layer(lua_State *L) {
  luaL_newmetatable(L, GLAB_LUA_LAYER);
  luaL_setfuncs(L, layer_methods, 0);
  lua_pushcfunction(L, m_index);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_newtable(L); /* gradlab.layer */
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, layer_index);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_setfield(L, -2, "layer");
}
