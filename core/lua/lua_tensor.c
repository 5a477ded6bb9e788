/* lua_tensor.c — the tensor userdata: gradlab.tensor(nested_table), t:shape(), t:totable(),
 * t:item(), t:size(), tostring(t). Plain tensors keep their numbers inside the userdata;
 * node tensors (results of net:forward and the losses) point at a model's tape. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lua_internal.h"

static glab_lua_tensor *new_ud(lua_State *L, int ndim, const int *shape, int zero) {
  size_t n = 1;
  int big = 0;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] <= 0)
      luaL_error(L, "%s: dimension %d is %d (must be >= 1)", glab_lua_fname(L, "gradlab.tensor"),
                 i + 1, shape[i]);
    big |= n > ((size_t)1 << 40) / (size_t)shape[i];
    n *= (size_t)shape[i];
  }
  char what[80] = "tensor";
  glab_shape_str(ndim, shape, what + 6, sizeof what - 6);
  if (big)
    luaL_error(L, "%s: %s has more than 2^40 elements", glab_lua_fname(L, "gradlab.tensor"), what);
  glab_lua_tensor *u = glab_lua_newuserdata(L, sizeof *u, n, sizeof(glab_real), 1, what);
  memset(u, 0, sizeof *u);
  u->t.ndim = ndim;
  for (int i = 0; i < ndim; i++)
    u->t.shape[i] = shape[i];
  u->t.size = n;
  u->t.data = (glab_real *)(u + 1);
  if (zero) memset(u->t.data, 0, n * sizeof(glab_real));
  luaL_setmetatable(L, GLAB_LUA_TENSOR);
  return u;
}

glab_tensor *glab_lua_new_tensor(lua_State *L, int ndim, const int *shape) {
  if (ndim < 0 || ndim > GLAB_MAX_DIMS)
    luaL_error(L, "gradlab.tensor: %d dimensions (at most %d)", ndim, GLAB_MAX_DIMS);
  return &new_ud(L, ndim, shape, 1)->t;
}

glab_tensor *glab_lua_push_tensor(lua_State *L, const glab_tensor *src) {
  glab_lua_tensor *u = new_ud(L, src->ndim, src->shape, 0);
  memcpy(u->t.data, src->data, src->size * sizeof(glab_real));
  return &u->t;
}

glab_lua_tensor *glab_lua_push_node(lua_State *L, int model_idx, glab_var *v) {
  model_idx = lua_absindex(L, model_idx);
  struct glab_lua_model *m = lua_touserdata(L, model_idx);
  glab_lua_tensor *u = lua_newuserdatauv(L, sizeof *u, 1);
  u->t = v->value;
  u->var = v;
  u->model = m;
  u->gen = glab_lua_model_gen(m);
  luaL_setmetatable(L, GLAB_LUA_TENSOR);
  lua_pushvalue(L, model_idx);
  lua_setiuservalue(L, -2, 1); /* keep the model (and its tape) alive */
  return u;
}

int glab_lua_is_tensor(lua_State *L, int arg) {
  return luaL_testudata(L, arg, GLAB_LUA_TENSOR) != NULL;
}

glab_lua_tensor *glab_lua_check_tensor_ud(lua_State *L, int arg) {
  glab_lua_tensor *u = glab_lua_checkudata(L, arg, GLAB_LUA_TENSOR);
  if (u->var && !u->model->tr) /* its tape is gone with it */
    glab_lua_argerror(L, arg, "tensor's model has been collected: its __gc metamethod was called");
  if (u->var && glab_lua_model_gen(u->model) != u->gen)
    glab_lua_argerror(L, arg,
                      "tensor is stale (its model ran forward again; copy it with "
                      "gradlab.tensor(t:totable()) to keep it)");
  return u;
}

const glab_tensor *glab_lua_check_tensor(lua_State *L, int arg) {
  return &glab_lua_check_tensor_ud(L, arg)->t;
}

/* Shape of a nested table: follow first elements down. */
static int table_shape(lua_State *L, int idx, int *shape, int arg) {
  int ndim = 0;
  lua_pushvalue(L, idx);
  while (lua_type(L, -1) == LUA_TTABLE) {
    if (ndim == GLAB_MAX_DIMS) glab_lua_argerror(L, arg, "table nests deeper than 4 dimensions");
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (n <= 0)
      glab_lua_argerror(L, arg, "empty table (tensors need at least one number per dimension)");
    if (n > 0x7fffffff) glab_lua_argerror(L, arg, "table too long");
    shape[ndim++] = (int)n;
    lua_rawgeti(L, -1, 1);
    lua_remove(L, -2);
  }
  lua_pop(L, 1);
  return ndim;
}

/* A table of a tensor must be an array 1..n: a hole ({[1]=1, [3]=3}) or a key that is not such
 * an index ({1, 2, x=3}) is an error naming where it is, never silently dropped. */
static void check_array(lua_State *L, int idx, int n, int arg, const char *where) {
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    lua_Integer k = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    if (k >= 1 && k <= n) continue;
    const char *key = lua_type(L, -1) == LUA_TSTRING
                          ? lua_pushfstring(L, "'%s'", lua_tostring(L, -1))
                          : luaL_tolstring(L, -1, NULL);
    glab_lua_argerror(L, arg,
                      lua_pushfstring(L,
                                      "%s%s has key %s, outside 1..%d: a tensor's tables must be "
                                      "arrays without holes or other keys",
                                      where[0] ? "element " : "the table", where, key, n));
  }
}

/* x as a glab_real. A finite number too large for it (float: |x| > 3.4e38) is an argument error
 * naming its position (`where`, "[2][3]"), never a silent inf; NaN and infinities given as data
 * stay as they are. */
static glab_real to_real(lua_State *L, lua_Number x, int arg, const char *where) {
  glab_real r = (glab_real)x;
  if (isinf(r) && isfinite(x)) {
    const char *text = glab_lua_push_number_text(L, x);
    glab_lua_argerror(L, arg,
                      lua_pushfstring(L, "tensor%s = %s does not fit in %s (largest magnitude %s)",
                                      where, text, GLAB_REAL_NAME,
                                      sizeof(glab_real) == sizeof(float) ? "3.4028234663853e+38"
                                                                         : "1.7976931348623e+308"));
  }
  return r;
}

static void fill(lua_State *L, int idx, const int *shape, int ndim, int depth, glab_real **out,
                 int arg, char *where, size_t wlen) {
  if (depth == ndim) {
    int isnum = 0;
    lua_Number x = lua_tonumberx(L, idx, &isnum);
    if (!isnum || lua_type(L, idx) == LUA_TSTRING)
      glab_lua_argerror(L, arg,
                        lua_pushfstring(L, "element %s is a %s, not a number",
                                        where[0] ? where : "", luaL_typename(L, idx)));
    *(*out)++ = to_real(L, x, arg, where);
    return;
  }
  if (lua_type(L, idx) != LUA_TTABLE)
    glab_lua_argerror(L, arg,
                      lua_pushfstring(L, "element %s is a %s, expected a table of %d", where,
                                      luaL_typename(L, idx), shape[depth]));
  if ((lua_Integer)lua_rawlen(L, idx) != shape[depth])
    glab_lua_argerror(L, arg,
                      lua_pushfstring(L, "ragged table: %s has %d elements, expected %d",
                                      where[0] ? where : "the table", (int)lua_rawlen(L, idx),
                                      shape[depth]));
  check_array(L, idx, shape[depth], arg, where);
  size_t len = strlen(where);
  for (int i = 1; i <= shape[depth]; i++) {
    snprintf(where + len, wlen - len, "[%d]", i);
    lua_rawgeti(L, idx, i);
    fill(L, lua_gettop(L), shape, ndim, depth + 1, out, arg, where, wlen);
    lua_pop(L, 1);
  }
  where[len] = '\0';
}

glab_tensor *glab_lua_table_to_tensor(lua_State *L, int idx, int arg) {
  idx = lua_absindex(L, idx);
  int shape[GLAB_MAX_DIMS];
  if (lua_type(L, idx) == LUA_TNUMBER) {
    shape[0] = 1;
    glab_tensor *t = &new_ud(L, 1, shape, 0)->t;
    t->data[0] = to_real(L, lua_tonumber(L, idx), arg, "[1]");
    return t;
  }
  if (lua_type(L, idx) != LUA_TTABLE) glab_lua_typeerror(L, arg, "tensor or table of numbers");
  int ndim = table_shape(L, idx, shape, arg);
  glab_lua_tensor *u = new_ud(L, ndim, shape, 0);
  glab_real *p = u->t.data;
  char where[64] = "";
  fill(L, idx, shape, ndim, 0, &p, arg, where, sizeof where);
  return &u->t;
}

const glab_tensor *glab_lua_to_tensor(lua_State *L, int arg) {
  arg = lua_absindex(L, arg);
  if (lua_type(L, arg) == LUA_TUSERDATA) return glab_lua_check_tensor(L, arg);
  glab_tensor *t = glab_lua_table_to_tensor(L, arg, arg);
  lua_replace(L, arg);
  return t;
}

glab_lua_tensor *glab_lua_to_tensor_ud(lua_State *L, int arg) {
  arg = lua_absindex(L, arg);
  if (lua_type(L, arg) == LUA_TUSERDATA) return glab_lua_check_tensor_ud(L, arg);
  glab_lua_table_to_tensor(L, arg, arg);
  lua_replace(L, arg);
  return lua_touserdata(L, arg);
}

/* gradlab.tensor(nested_table | tensor | number) -> a plain tensor (always a copy). */
static int l_tensor(lua_State *L) {
  if (lua_type(L, 1) == LUA_TUSERDATA) {
    glab_lua_push_tensor(L, glab_lua_check_tensor(L, 1));
    return 1;
  }
  glab_lua_table_to_tensor(L, 1, 1);
  return 1;
}

/* gradlab.zeros(d1, d2, ...) -> a zero-filled tensor. */
static int l_zeros(lua_State *L) {
  int n = lua_gettop(L), shape[GLAB_MAX_DIMS];
  if (n < 1 || n > GLAB_MAX_DIMS) return luaL_error(L, "gradlab.zeros: give 1 to 4 dimensions");
  for (int i = 0; i < n; i++) {
    lua_Integer d = glab_lua_checkinteger(L, i + 1);
    if (d < 1 || d > INT_MAX) /* before the cast: 2^32 + 3 must not become 3 */
      return luaL_error(L, "gradlab.zeros: dimension %d is %I (must be 1..%d)", i + 1, d, INT_MAX);
    shape[i] = (int)d;
  }
  glab_lua_new_tensor(L, n, shape);
  return 1;
}

static int m_shape(lua_State *L) {
  const glab_tensor *t = glab_lua_check_tensor(L, 1);
  lua_createtable(L, t->ndim, 0);
  for (int i = 0; i < t->ndim; i++) {
    lua_pushinteger(L, t->shape[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int m_size(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)glab_lua_check_tensor(L, 1)->size);
  return 1;
}

static void push_nested(lua_State *L, const glab_tensor *t, int depth, const glab_real **p) {
  if (depth >= t->ndim || depth >= GLAB_MAX_DIMS) { /* ndim <= GLAB_MAX_DIMS: say so */
    lua_pushnumber(L, (lua_Number) * (*p)++);
    return;
  }
  lua_createtable(L, t->shape[depth], 0);
  for (int i = 1; i <= t->shape[depth]; i++) {
    push_nested(L, t, depth + 1, p);
    lua_rawseti(L, -2, i);
  }
}

static int m_totable(lua_State *L) {
  const glab_tensor *t = glab_lua_check_tensor(L, 1);
  const glab_real *p = t->data;
  luaL_checkstack(L, 2 * GLAB_MAX_DIMS + 4, "totable");
  push_nested(L, t, 0, &p);
  return 1;
}

static int m_item(lua_State *L) {
  const glab_tensor *t = glab_lua_check_tensor(L, 1);
  if (lua_isnoneornil(L, 2)) {
    if (t->size != 1)
      return luaL_error(L, "item: tensor has %d elements (use item(i) or totable())", (int)t->size);
    lua_pushnumber(L, (lua_Number)t->data[0]);
    return 1;
  }
  lua_Integer i = glab_lua_checkinteger(L, 2); /* 1-based flat index */
  glab_lua_argcheck(L, i >= 1 && (size_t)i <= t->size, 2, "index out of range");
  lua_pushnumber(L, (lua_Number)t->data[i - 1]);
  return 1;
}

static int m_tostring(lua_State *L) {
  glab_lua_tensor *u = glab_lua_checkudata(L, 1, GLAB_LUA_TENSOR);
  char shape[64];
  glab_shape_str(u->t.ndim, u->t.shape, shape, sizeof shape);
  if (u->var && (!u->model->tr || glab_lua_model_gen(u->model) != u->gen)) {
    lua_pushfstring(L, "tensor%s (%s)", shape, u->model->tr ? "stale" : "model collected");
    return 1;
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "tensor");
  luaL_addstring(&b, shape);
  luaL_addstring(&b, " {");
  size_t show = u->t.size < 8 ? u->t.size : 8;
  for (size_t i = 0; i < show; i++) {
    char num[32];
    double v = (double)u->t.data[i];
    if (isnan(v)) /* "nan" whatever its sign bit (0/0 is -nan on x86), as metrics.csv writes */
      snprintf(num, sizeof num, "%snan", i ? ", " : "");
    else
      snprintf(num, sizeof num, "%s%.6g", i ? ", " : "", v);
    luaL_addstring(&b, num);
  }
  if (show < u->t.size) luaL_addstring(&b, ", ...");
  luaL_addstring(&b, "}");
  luaL_pushresult(&b);
  return 1;
}

static int m_len(lua_State *L) {
  const glab_tensor *t = glab_lua_check_tensor(L, 1);
  lua_pushinteger(L, t->ndim ? t->shape[0] : 1);
  return 1;
}

static const luaL_Reg tensor_methods[] = {
    {"shape", m_shape},         {"totable", m_totable}, {"item", m_item}, {"size", m_size},
    {"__tostring", m_tostring}, {"__len", m_len},       {NULL, NULL}};

static const luaL_Reg tensor_funcs[] = {{"tensor", l_tensor}, {"zeros", l_zeros}, {NULL, NULL}};

/* Called by luaopen_gradlab with the module table on top. */
void glab_lua_open_tensor(lua_State *L) {
  glab_lua_newclass(L, GLAB_LUA_TENSOR, tensor_methods);
  glab_lua_setfuncs(L, tensor_funcs);
}
