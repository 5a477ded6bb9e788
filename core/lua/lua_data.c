/* lua_data.c — gradlab.data: dataset constructors (xor, blobs, spirals, adding, copy, idx,
 * fashion_mnist, csv) and the dataset userdata ("gradlab.dataset": size, get, batch, split,
 * subset, shuffle, classes, class_counts, shape, standardize, ...).
 *
 * A userdata holds one reference to a glab_dataset view; views made by split/subset/shuffle
 * share the storage (see data.h), so splitting Fashion-MNIST copies indices, not pixels. The
 * userdata is created before the C object, so a Lua error never leaks the dataset. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gradlab/config.h"
#include "gradlab/data.h"
#include "gradlab/rng.h"
#include "lua_internal.h"

typedef struct lua_dataset {
  glab_dataset *ds;
  int closed; /* 1 once __close or __gc ran */
} lua_dataset;

/* ---- the userdata ---- */

static lua_dataset *new_ud(lua_State *L) {
  lua_dataset *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->ds = NULL;
  u->closed = 0;
  luaL_setmetatable(L, GLAB_LUA_DATASET);
  return u;
}

/* Push a dataset userdata, then make the dataset (the userdata owns it from the start, so a
 * later Lua error cannot leak it); raise the library's error as "fname: message". */
#define PUSH_NEW(L, expr, fname)                                                                   \
  do {                                                                                             \
    lua_dataset *u_ = new_ud(L);                                                                   \
    u_->ds = (expr);                                                                               \
    if (!u_->ds) glab_lua_fail(L, fname);                                                          \
  } while (0)

glab_dataset *glab_lua_check_dataset(lua_State *L, int arg) {
  lua_dataset *u = glab_lua_checkudata(L, arg, GLAB_LUA_DATASET);
  if (!u->ds)
    glab_lua_argerror(L, arg,
                      u->closed
                          ? "dataset has been closed: its __close or __gc metamethod was called"
                          : "dataset is not initialised");
  return u->ds;
}

static int l_gc(lua_State *L) {
  lua_dataset *u = glab_lua_checkudata(L, 1, GLAB_LUA_DATASET);
  glab_dataset_destroy(u->ds);
  u->ds = NULL;
  u->closed = 1;
  return 0;
}

static int l_tostring(lua_State *L) {
  lua_dataset *u = glab_lua_checkudata(L, 1, GLAB_LUA_DATASET);
  lua_pushfstring(L, "gradlab.dataset(%s)",
                  u->ds       ? glab_dataset_name(u->ds)
                  : u->closed ? "closed"
                              : "empty");
  return 1;
}

/* ---- options tables ---- */

/* Field `key` of the table at idx pushed; returns its type (LUA_TNIL if no table). */
static int field(lua_State *L, int idx, const char *key) {
  if (lua_type(L, idx) != LUA_TTABLE) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  return lua_getfield(L, idx, key);
}

static lua_Integer opt_int(lua_State *L, int idx, const char *key, lua_Integer dflt, lua_Integer lo,
                           const char *fname) {
  lua_Integer v = dflt;
  if (field(L, idx, key) != LUA_TNIL) { /* counts and sizes are C ints below: never wrap */
    char what[64];
    snprintf(what, sizeof what, "option '%s'", key);
    v = glab_lua_check_int(L, -1, lo, INT_MAX, fname, what);
  }
  lua_pop(L, 1);
  return v;
}

/* A real option, finite and > 0 (positive) or >= 0: the C constructors read NaN, 0 or a negative
 * spread as "the default" and a NaN or negative noise as 0, so a value given here is checked
 * first — a NaN is never "not given". */
static double opt_num(lua_State *L, int idx, const char *key, double dflt, int positive,
                      const char *fname) {
  double v = dflt;
  if (field(L, idx, key) != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TNUMBER)
      luaL_error(L, "%s: option '%s' must be a number, got %s", fname, key, luaL_typename(L, -1));
    v = lua_tonumber(L, -1);
    if (!isfinite(v) || (positive ? !(v > 0) : !(v >= 0)))
      luaL_error(L, "%s: option '%s' must be a finite number %s, got %s", fname, key,
                 positive ? "> 0" : ">= 0", glab_lua_push_number_text(L, v));
  }
  lua_pop(L, 1);
  return v;
}

/* A string option; the result stays valid while the options table holds it. */
static const char *opt_str(lua_State *L, int idx, const char *key, const char *dflt,
                           const char *fname) {
  const char *v = dflt;
  if (field(L, idx, key) != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "%s: option '%s' must be a string", fname, key);
    v = lua_tostring(L, -1);
  }
  lua_pop(L, 1);
  return v;
}

static int opt_bool(lua_State *L, int idx, const char *key, int dflt, const char *fname) {
  int v = dflt;
  int t = field(L, idx, key);
  if (t != LUA_TNIL) {
    if (t != LUA_TBOOLEAN) luaL_error(L, "%s: option '%s' must be true or false", fname, key);
    v = lua_toboolean(L, -1);
  }
  lua_pop(L, 1);
  return v;
}

/* seed= option, else a draw from the run's generator (so gradlab.seed(n) fixes the data, and
 * two calls give two different datasets). */
static uint64_t opt_seed(lua_State *L, int idx, const char *fname) {
  if (field(L, idx, "seed") != LUA_TNIL) { /* 0..2^53-1, as gradlab.seed and --seed */
    lua_Integer s = glab_lua_check_int(L, -1, 0, GLAB_LUA_SEED_MAX, fname, "option 'seed'");
    lua_pop(L, 1);
    return (uint64_t)s;
  }
  lua_pop(L, 1);
  glab_rng *r = glab_default_rng();
  uint64_t hi = glab_rng_u32(r);
  return hi << 32 | glab_rng_u32(r);
}

/* scale= true | false | "unit" | "raw" | "standard" */
static glab_data_scale opt_scale(lua_State *L, int idx, const char *fname) {
  glab_data_scale s = GLAB_SCALE_UNIT;
  int t = field(L, idx, "scale");
  if (t == LUA_TBOOLEAN)
    s = lua_toboolean(L, -1) ? GLAB_SCALE_UNIT : GLAB_SCALE_RAW;
  else if (t == LUA_TSTRING) {
    const char *v = lua_tostring(L, -1);
    if (!strcmp(v, "unit"))
      s = GLAB_SCALE_UNIT;
    else if (!strcmp(v, "raw"))
      s = GLAB_SCALE_RAW;
    else if (!strcmp(v, "standard"))
      s = GLAB_SCALE_STANDARD;
    else
      luaL_error(L, "%s: scale must be true, false, \"unit\", \"raw\" or \"standard\"", fname);
  } else if (t != LUA_TNIL) {
    luaL_error(L, "%s: scale must be true, false, \"unit\", \"raw\" or \"standard\"", fname);
  }
  lua_pop(L, 1);
  return s;
}

static void apply_scale(lua_State *L, glab_dataset *ds, glab_data_scale s, const char *fname) {
  if (s != GLAB_SCALE_UNIT && glab_dataset_set_scale(ds, s) != GLAB_OK) glab_lua_fail(L, fname);
}

/* ---- constructors ---- */

static int l_xor(lua_State *L) {
  static const char *const keys[] = {NULL};
  glab_lua_check_options(L, 0, 1, "gradlab.data.xor", keys);
  PUSH_NEW(L, glab_data_xor(), "gradlab.data.xor");
  return 1;
}

static int l_blobs(lua_State *L) {
  static const char *const keys[] = {"n", "classes", "dim", "spread", "seed", NULL};
  const char *f = "gradlab.data.blobs";
  glab_lua_check_options(L, 0, 1, f, keys);
  lua_Integer n = opt_int(L, 1, "n", 300, 1, f), k = opt_int(L, 1, "classes", 3, 1, f);
  lua_Integer d = opt_int(L, 1, "dim", 2, 1, f);
  double spread = opt_num(L, 1, "spread", 1.0, 1, f);
  uint64_t seed = opt_seed(L, 1, f);
  if (k > 65536 || d > (1 << 20)) luaL_error(L, "%s: classes or dim too large", f);
  PUSH_NEW(L, glab_data_blobs((size_t)n, (int)k, (int)d, spread, seed), f);
  return 1;
}

static int l_spirals(lua_State *L) {
  static const char *const keys[] = {"n", "noise", "seed", NULL};
  const char *f = "gradlab.data.spirals";
  glab_lua_check_options(L, 0, 1, f, keys);
  lua_Integer n = opt_int(L, 1, "n", 200, 2, f);
  double noise = opt_num(L, 1, "noise", 0.05, 0, f);
  uint64_t seed = opt_seed(L, 1, f);
  PUSH_NEW(L, glab_data_spirals((size_t)n, noise, seed), f);
  return 1;
}

static int l_adding(lua_State *L) {
  static const char *const keys[] = {"T", "n", "seed", NULL};
  const char *f = "gradlab.data.adding";
  glab_lua_check_options(L, 0, 1, f, keys);
  lua_Integer T = opt_int(L, 1, "T", 50, 2, f), n = opt_int(L, 1, "n", 1000, 1, f);
  uint64_t seed = opt_seed(L, 1, f);
  if (T > (1 << 20)) luaL_error(L, "%s: T too large", f);
  PUSH_NEW(L, glab_data_adding((int)T, (size_t)n, seed), f);
  return 1;
}

static int l_copy(lua_State *L) {
  static const char *const keys[] = {"T", "n", "symbols", "seed", NULL};
  const char *f = "gradlab.data.copy";
  glab_lua_check_options(L, 0, 1, f, keys);
  lua_Integer T = opt_int(L, 1, "T", 20, 2, f), n = opt_int(L, 1, "n", 1000, 1, f);
  lua_Integer k = opt_int(L, 1, "symbols", 8, 2, f);
  uint64_t seed = opt_seed(L, 1, f);
  if (T > (1 << 20) || k > 4096) luaL_error(L, "%s: T or symbols too large", f);
  PUSH_NEW(L, glab_data_copy((int)T, (size_t)n, (int)k, seed), f);
  return 1;
}

static int l_idx(lua_State *L) {
  static const char *const keys[] = {"images", "labels", "scale", "limit", "flatten", NULL};
  const char *f = "gradlab.data.idx";
  glab_lua_checktype(L, 1, LUA_TTABLE);
  glab_lua_check_options(L, 0, 1, f, keys);
  const char *images = opt_str(L, 1, "images", NULL, f);
  const char *labels = opt_str(L, 1, "labels", NULL, f);
  if (!images) luaL_error(L, "%s: option 'images' (a file name) is required", f);
  glab_idx_options o = {opt_scale(L, 1, f), (size_t)opt_int(L, 1, "limit", 0, 1, f),
                        !opt_bool(L, 1, "flatten", 1, f)};
  lua_dataset *u = new_ud(L);
  u->ds = glab_data_idx_load(images, labels, &o);
  if (!u->ds) glab_lua_fail(L, f);
  return 1;
}

static int l_fashion_mnist(lua_State *L) {
  static const char *const keys[] = {"split", "limit", "scale", NULL};
  const char *f = "gradlab.data.fashion_mnist";
  glab_lua_check_options(L, 0, 1, f, keys);
  const char *split = opt_str(L, 1, "split", "train", f);
  size_t limit = (size_t)opt_int(L, 1, "limit", 0, 1, f);
  glab_data_scale s = opt_scale(L, 1, f);
  lua_dataset *u = new_ud(L);
  u->ds = glab_data_fashion_mnist(split, limit);
  if (!u->ds) glab_lua_fail(L, f);
  apply_scale(L, u->ds, s, f);
  return 1;
}

static int l_csv(lua_State *L) {
  static const char *const keys[] = {"path",   "label", "header", "delimiter",
                                     "target", "limit", "scale",  NULL};
  const char *f = "gradlab.data.csv";
  glab_lua_checktype(L, 1, LUA_TTABLE);
  glab_lua_check_options(L, 0, 1, f, keys);
  glab_csv_options o;
  glab_csv_options_init(&o);
  const char *path = opt_str(L, 1, "path", NULL, f);
  if (!path) luaL_error(L, "%s: option 'path' is required", f);
  o.header = opt_bool(L, 1, "header", 1, f);
  const char *delim = opt_str(L, 1, "delimiter", ",", f);
  if (strlen(delim) != 1) luaL_error(L, "%s: delimiter must be one character", f);
  o.delimiter = delim[0];
  int t = field(L, 1, "label"); /* a name, a 1-based column number, or false for none */
  if (t == LUA_TSTRING)
    o.label_name = lua_tostring(L, -1); /* kept alive by the table */
  else if (t == LUA_TNUMBER && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 &&
           lua_tointeger(L, -1) <= 1000000)
    o.label_index = (int)lua_tointeger(L, -1) - 1;
  else if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))
    o.label_index = -2;
  else if (t != LUA_TNIL)
    luaL_error(L, "%s: label must be a column name, a column number (1-based) or false", f);
  lua_pop(L, 1);
  const char *target = opt_str(L, 1, "target", "class", f);
  if (strcmp(target, "class") && strcmp(target, "real"))
    luaL_error(L, "%s: target must be \"class\" or \"real\"", f);
  o.real_target = !strcmp(target, "real");
  o.limit = (size_t)opt_int(L, 1, "limit", 0, 1, f);
  glab_data_scale s = opt_scale(L, 1, f);
  lua_dataset *u = new_ud(L);
  u->ds = glab_data_csv_load(path, &o);
  if (!u->ds) glab_lua_fail(L, f);
  apply_scale(L, u->ds, s, f);
  return 1;
}

/* ---- methods ---- */

static int m_size(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)glab_dataset_size(glab_lua_check_dataset(L, 1)));
  return 1;
}

/* Fill and push the inputs and targets of items idx[0..n-1] (0-based view indices). single:
 * the input has the item shape and a class label is one integer; else the batch shape and a
 * table of labels. Real targets: a tensor [W] (single) or [n][W]; no targets: nil. one_hot: class
 * labels as one-hot rows instead, a tensor [K] (single) or [n][K]. */
static int push_items(lua_State *L, glab_dataset *ds, const size_t *idx, size_t n, int single,
                      int one_hot, const char *fname) {
  int shape[GLAB_MAX_DIMS];
  int nd = single ? glab_dataset_item_shape(ds, shape) : glab_dataset_batch_shape(ds, n, shape);
  if (nd == 0) return glab_lua_fail(L, fname);
  glab_target_kind kind = glab_dataset_target_kind(ds);
  if (one_hot && kind != GLAB_TARGET_CLASS)
    return luaL_error(L, "%s: \"one_hot\" needs class labels; this dataset has %s", fname,
                      kind == GLAB_TARGET_REAL ? "real targets" : "no targets");
  glab_tensor *x = glab_lua_new_tensor(L, nd, shape);
  int *lab = NULL;
  glab_real *tg = NULL;
  if (kind == GLAB_TARGET_CLASS && one_hot) {
    int ts[2] = {(int)n, glab_dataset_target_width(ds)};
    tg = single ? glab_lua_new_tensor(L, 1, ts + 1)->data : glab_lua_new_tensor(L, 2, ts)->data;
  } else if (kind == GLAB_TARGET_CLASS) {
    lab = glab_lua_newuserdata(L, 0, n, sizeof *lab, 0, "the labels");
  } else if (kind == GLAB_TARGET_REAL) {
    int ts[2] = {(int)n, glab_dataset_target_width(ds)};
    tg = single ? glab_lua_new_tensor(L, 1, ts + 1)->data : glab_lua_new_tensor(L, 2, ts)->data;
  } else {
    lua_pushnil(L);
  }
  int rc = single ? glab_dataset_item(ds, idx[0], x, tg, lab)
                  : glab_dataset_batch(ds, idx, n, x, tg, lab);
  if (rc != GLAB_OK) return glab_lua_fail(L, fname);
  if (lab) {
    if (single) {
      lua_pushinteger(L, lab[0]);
    } else {
      lua_createtable(L, (int)n, 0);
      for (size_t b = 0; b < n; b++) {
        lua_pushinteger(L, lab[b]);
        lua_rawseti(L, -2, (lua_Integer)b + 1);
      }
    }
    lua_remove(L, -2); /* the scratch labels */
  }
  return 2;
}

/* A 1-based item number at `arg`, checked against the size; returns it 0-based. */
static size_t check_item(lua_State *L, int arg, glab_dataset *ds) {
  lua_Integer i = glab_lua_checkinteger(L, arg);
  if (i < 1 || (size_t)i > glab_dataset_size(ds))
    glab_lua_argerror(
        L, arg,
        lua_pushfstring(L, "item %I is out of range 1..%I", i, (lua_Integer)glab_dataset_size(ds)));
  return (size_t)(i - 1);
}

/* An optional "one_hot" at `arg`: 1 when given. */
static int check_one_hot(lua_State *L, int arg) {
  if (lua_isnoneornil(L, arg)) return 0;
  const char *s = glab_lua_checkstring(L, arg);
  if (strcmp(s, "one_hot"))
    glab_lua_argerror(L, arg, lua_pushfstring(L, "\"one_hot\" or nothing expected, got \"%s\"", s));
  return 1;
}

/* data:get(i [, "one_hot"]) -> input tensor (item shape), label (class index 0..K-1) or
 * one-hot tensor [K] / target tensor / nil */
static int m_get(lua_State *L) {
  glab_dataset *ds = glab_lua_check_dataset(L, 1);
  size_t i = check_item(L, 2, ds);
  int one_hot = check_one_hot(L, 3);
  return push_items(L, ds, &i, 1, 1, one_hot, "dataset:get");
}

/* The indices an argument list names, into a scratch userdata (pushed): a table of 1-based
 * item numbers at `arg`, or (first, count) at arg, arg+1. */
static size_t *check_indices(lua_State *L, int arg, glab_dataset *ds, size_t *n) {
  if (lua_type(L, arg) == LUA_TTABLE) {
    size_t len = lua_rawlen(L, arg);
    if (len == 0) glab_lua_argerror(L, arg, "no items");
    size_t *idx = glab_lua_newuserdata(L, 0, len, sizeof *idx, 0, "the item indices");
    for (size_t k = 0; k < len; k++) {
      lua_rawgeti(L, arg, (lua_Integer)k + 1);
      int ok;
      lua_Integer i = lua_tointegerx(L, -1, &ok);
      lua_pop(L, 1);
      if (!ok || i < 1 || (size_t)i > glab_dataset_size(ds))
        glab_lua_argerror(L, arg,
                          lua_pushfstring(L, "entry %I is not an item number in 1..%I",
                                          (lua_Integer)k + 1, (lua_Integer)glab_dataset_size(ds)));
      idx[k] = (size_t)(i - 1);
    }
    *n = len;
    return idx;
  }
  size_t first = check_item(L, arg, ds);
  lua_Integer cnt = 1;
  if (!lua_isnoneornil(L, arg + 1))
    cnt = glab_lua_check_int_arg(L, arg + 1, 1, LUA_MAXINTEGER, "count");
  if ((lua_Unsigned)cnt > glab_dataset_size(ds) - first)
    glab_lua_argerror(L, arg + 1,
                      lua_pushfstring(L,
                                      "count %I from item %I runs past the end: the dataset has "
                                      "%I items",
                                      cnt, (lua_Integer)first + 1,
                                      (lua_Integer)glab_dataset_size(ds)));
  size_t *idx = glab_lua_newuserdata(L, 0, (size_t)cnt, sizeof *idx, 0, "the item indices");
  for (size_t k = 0; k < (size_t)cnt; k++)
    idx[k] = first + k;
  *n = (size_t)cnt;
  return idx;
}

/* data:batch(first, count [, "one_hot"]) or data:batch({i, j, ...} [, "one_hot"]) -> inputs
 * [n][...] (sequences [T][n][F]), labels table or one-hot tensor [n][K] / targets tensor [n][W] /
 * nil */
static int m_batch(lua_State *L) {
  glab_dataset *ds = glab_lua_check_dataset(L, 1);
  int one_hot = check_one_hot(L, lua_type(L, 2) == LUA_TTABLE ? 3 : 4);
  size_t n;
  size_t *idx = check_indices(L, 2, ds, &n);
  return push_items(L, ds, idx, n, 0, one_hot, "dataset:batch");
}

/* data:split(fraction [, shuffle]) -> first round(fraction·n) items, the rest */
static int m_split(lua_State *L) {
  glab_dataset *ds = glab_lua_check_dataset(L, 1);
  double fr = glab_lua_checknumber(L, 2);
  glab_lua_argcheck(L, fr >= 0 && fr <= 1, 2, "fraction must be in [0, 1]");
  if (!lua_isnoneornil(L, 3) && !lua_isboolean(L, 3))
    glab_lua_argerror(L, 3,
                      lua_pushfstring(L, "shuffle must be a boolean, got %s", luaL_typename(L, 3)));
  int shuffle = lua_toboolean(L, 3);
  lua_dataset *a = new_ud(L), *b = new_ud(L);
  glab_dataset *x, *y;
  if (glab_dataset_split(ds, fr, shuffle ? glab_default_rng() : NULL, &x, &y) != GLAB_OK)
    return glab_lua_fail(L, "dataset:split");
  a->ds = x;
  b->ds = y;
  return 2;
}

/* data:subset(n) -> the first n items; data:subset{i, j, ...} -> those items (1-based) */
static int m_subset(lua_State *L) {
  glab_dataset *ds = glab_lua_check_dataset(L, 1);
  lua_dataset *u;
  if (lua_type(L, 2) == LUA_TTABLE) {
    size_t n;
    size_t *idx = check_indices(L, 2, ds, &n);
    u = new_ud(L);
    u->ds = glab_dataset_subset(ds, idx, n);
  } else {
    lua_Integer n = glab_lua_checkinteger(L, 2);
    glab_lua_argcheck(L, n >= 0, 2, "count must be >= 0");
    if ((lua_Unsigned)n > glab_dataset_size(ds)) /* never silently fewer than asked for */
      return luaL_error(L,
                        "dataset:subset: asked for the first %I items of a dataset of %I (use "
                        "data:subset(math.min(n, data:size())) for at most n)",
                        n, (lua_Integer)glab_dataset_size(ds));
    u = new_ud(L);
    u->ds = glab_dataset_head(ds, (size_t)n);
  }
  if (!u->ds) return glab_lua_fail(L, "dataset:subset");
  return 1;
}

/* data:shuffle() -> a shuffled view (the run's generator) */
static int m_shuffle(lua_State *L) {
  glab_dataset *ds = glab_lua_check_dataset(L, 1);
  lua_dataset *u = new_ud(L);
  u->ds = glab_dataset_shuffled(ds, glab_default_rng());
  if (!u->ds) return glab_lua_fail(L, "dataset:shuffle");
  return 1;
}

static int m_classes(lua_State *L) {
  lua_pushinteger(L, glab_dataset_classes(glab_lua_check_dataset(L, 1)));
  return 1;
}

/* data:class_counts() -> array: counts[k+1] items of class k (class indices start at 0) */
static int m_class_counts(lua_State *L) {
  glab_dataset *ds = glab_lua_check_dataset(L, 1);
  int k = glab_dataset_classes(ds);
  if (k <= 0)
    return luaL_error(L, "dataset:class_counts: %s has no class labels", glab_dataset_name(ds));
  size_t *c = lua_newuserdatauv(L, (size_t)k * sizeof *c, 0);
  if (glab_dataset_class_counts(ds, c) != GLAB_OK) return glab_lua_fail(L, "dataset:class_counts");
  lua_createtable(L, k, 0);
  for (int i = 0; i < k; i++) {
    lua_pushinteger(L, (lua_Integer)c[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* data:shape() -> the item shape, e.g. {28, 28} or {T, F} */
static int m_shape(lua_State *L) {
  int shape[GLAB_MAX_DIMS];
  int nd = glab_dataset_item_shape(glab_lua_check_dataset(L, 1), shape);
  lua_createtable(L, nd, 0);
  for (int i = 0; i < nd; i++) {
    lua_pushinteger(L, shape[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int m_is_sequence(lua_State *L) {
  lua_pushboolean(L, glab_dataset_is_sequence(glab_lua_check_dataset(L, 1)));
  return 1;
}

/* "class", "real" or "none" */
static int m_target(lua_State *L) {
  static const char *const names[] = {"none", "class", "real"};
  lua_pushstring(L, names[glab_dataset_target_kind(glab_lua_check_dataset(L, 1))]);
  lua_pushinteger(L, glab_dataset_target_width(glab_lua_check_dataset(L, 1)));
  return 2;
}

/* data:standardize([stats_from]) -> data, switched to per-feature (x - mean) / std with the
 * statistics of stats_from (default: itself) */
static int m_standardize(lua_State *L) {
  glab_dataset *ds = glab_lua_check_dataset(L, 1);
  glab_dataset *from = lua_isnoneornil(L, 2) ? NULL : glab_lua_check_dataset(L, 2);
  if (glab_dataset_standardize(ds, from) != GLAB_OK) return glab_lua_fail(L, "dataset:standardize");
  lua_settop(L, 1);
  return 1;
}

static const luaL_Reg methods[] = {{"size", m_size},
                                   {"get", m_get},
                                   {"batch", m_batch},
                                   {"split", m_split},
                                   {"subset", m_subset},
                                   {"shuffle", m_shuffle},
                                   {"classes", m_classes},
                                   {"class_counts", m_class_counts},
                                   {"shape", m_shape},
                                   {"is_sequence", m_is_sequence},
                                   {"target", m_target},
                                   {"standardize", m_standardize},
                                   {"__len", m_size},
                                   {"__gc", l_gc},
                                   {"__close", l_gc},
                                   {"__tostring", l_tostring},
                                   {NULL, NULL}};

static const luaL_Reg constructors[] = {{"xor", l_xor},
                                        {"blobs", l_blobs},
                                        {"spirals", l_spirals},
                                        {"adding", l_adding},
                                        {"copy", l_copy},
                                        {"idx", l_idx},
                                        {"fashion_mnist", l_fashion_mnist},
                                        {"csv", l_csv},
                                        {NULL, NULL}};

int glab_lua_open_data(lua_State *L) {
  glab_lua_newclass(L, GLAB_LUA_DATASET, methods);
  lua_createtable(L, 0, sizeof constructors / sizeof constructors[0]);
  luaL_setfuncs(L, constructors, 0);
  return 1;
}
