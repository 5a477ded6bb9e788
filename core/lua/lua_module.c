/* lua_module.c — luaopen_gradlab: the module table and its setup functions (version, seed,
 * params, outdir, load_plugin, plugins, sweep), shared helpers (errors, classes), and the state
 * `gradlab run` hands to the module (run folder, --set values). The same module serves stock
 * lua5.4 (require "gradlab" through package.cpath) and the gradlab command. */
#define _GNU_SOURCE /* dladdr */
#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/blas.h"
#include "gradlab/config.h"
#include "gradlab/layer.h"
#include "gradlab/rng.h"
#include "gradlab/runlog.h"
#include "lua_internal.h"

/* Keys in the Lua registry (their addresses are unique). */
static const char key_params = 'p';
static const char key_outdir = 'o';
static const char key_seed = 's';
static const char key_sweep_done = 'w';
static const char key_runlog = 'r';
static const char key_stop = 'x';
static const char key_names = 'n'; /* C function -> "net:forward" / "gradlab.zeros" */

volatile sig_atomic_t glab_lua_signal;

int glab_lua_fail(lua_State *L, const char *fname) {
  const char *msg = glab_last_error();
  if (!msg || !msg[0]) msg = "failed";
  return luaL_error(L, "%s: %s", fname, msg);
}

const char *glab_lua_push_number_text(lua_State *L, lua_Number v) {
  if (isnan(v)) return lua_pushliteral(L, "nan");
  if (isinf(v)) return lua_pushstring(L, v > 0 ? "inf" : "-inf");
  if (v == floor(v) && fabs(v) < 9.2e18) return lua_pushfstring(L, "%I", (lua_Integer)v);
  return lua_pushfstring(L, "%f", v); /* LUAI_NUMFFORMAT: %.14g */
}

const char *glab_lua_push_value_text(lua_State *L, int idx) {
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) return lua_pushfstring(L, "%I", lua_tointeger(L, idx));
    return glab_lua_push_number_text(L, lua_tonumber(L, idx));
  case LUA_TSTRING:
    return lua_pushfstring(L, "\"%s\"", lua_tostring(L, idx));
  default:
    return lua_pushstring(L, luaL_typename(L, idx));
  }
}

const char *glab_lua_int_problem(lua_State *L, int idx, lua_Integer lo, lua_Integer hi,
                                 const char *what, lua_Integer *out) {
  idx = lua_absindex(L, idx);
  int ok = 0;
  lua_Integer v = lua_type(L, idx) == LUA_TNUMBER || lua_type(L, idx) == LUA_TSTRING
                      ? lua_tointegerx(L, idx, &ok)
                      : 0;
  if (!ok) {
    lua_Number x = lua_type(L, idx) == LUA_TNUMBER ? lua_tonumber(L, idx) : 0.5;
    const char *text = glab_lua_push_value_text(L, idx);
    if (isfinite(x) && x == floor(x)) /* an integer value beyond 64 bits */
      return x < 0 ? lua_pushfstring(L, "%s must be >= %I, got %s", what, lo, text)
                   : lua_pushfstring(L, "%s is %s, more than %I", what, text, hi);
    return lua_pushfstring(L, "%s must be an integer, got %s", what, text);
  }
  if (v < lo) return lua_pushfstring(L, "%s must be >= %I, got %I", what, lo, v);
  if (v > hi) return lua_pushfstring(L, "%s is %I, more than %I", what, v, hi);
  *out = v;
  return NULL;
}

lua_Integer glab_lua_check_int(lua_State *L, int idx, lua_Integer lo, lua_Integer hi,
                               const char *fname, const char *what) {
  lua_Integer v = 0;
  const char *why = glab_lua_int_problem(L, idx, lo, hi, what, &v);
  if (why) luaL_error(L, "%s: %s", fname, why);
  return v;
}

lua_Integer glab_lua_check_int_arg(lua_State *L, int arg, lua_Integer lo, lua_Integer hi,
                                   const char *what) {
  lua_Integer v = 0;
  const char *why = glab_lua_int_problem(L, arg, lo, hi, what, &v);
  if (why) glab_lua_argerror(L, arg, why);
  return v;
}

/* The registered name of the running C function pushed, or nothing (returns NULL). */
static const char *push_running_name(lua_State *L) {
  lua_Debug ar;
  if (!lua_getstack(L, 0, &ar) || !lua_getinfo(L, "f", &ar)) return NULL;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_names) == LUA_TTABLE) {
    lua_pushvalue(L, -2);
    if (lua_rawget(L, -2) == LUA_TSTRING) {
      lua_replace(L, -3);
      lua_pop(L, 1);
      return lua_tostring(L, -1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return NULL;
}

const char *glab_lua_fname(lua_State *L, const char *fallback) {
  const char *name = push_running_name(L);
  return name ? name : fallback;
}

int glab_lua_argerror(lua_State *L, int arg, const char *msg) {
  const char *name = push_running_name(L);
  if (!name || !strchr(name, ':')) return luaL_argerror(L, arg, msg); /* Lua's own naming */
  if (arg == 1) return luaL_error(L, "calling '%s' on bad self (%s)", name, msg);
  return luaL_error(L, "bad argument #%d to '%s' (%s)", arg - 1, name, msg);
}

int glab_lua_typeerror(lua_State *L, int arg, const char *tname) {
  const char *got;
  if (luaL_getmetafield(L, arg, "__name") == LUA_TSTRING)
    got = lua_tostring(L, -1);
  else if (lua_type(L, arg) == LUA_TLIGHTUSERDATA)
    got = "light userdata";
  else
    got = luaL_typename(L, arg);
  return glab_lua_argerror(L, arg, lua_pushfstring(L, "%s expected, got %s", tname, got));
}

void glab_lua_checktype(lua_State *L, int arg, int t) {
  if (lua_type(L, arg) != t) glab_lua_typeerror(L, arg, lua_typename(L, t));
}

void *glab_lua_checkudata(lua_State *L, int arg, const char *tname) {
  void *p = luaL_testudata(L, arg, tname);
  if (!p) glab_lua_typeerror(L, arg, tname);
  return p;
}

lua_Integer glab_lua_checkinteger(lua_State *L, int arg) {
  int ok = 0;
  lua_Integer v = lua_tointegerx(L, arg, &ok);
  if (!ok) {
    if (lua_isnumber(L, arg)) glab_lua_argerror(L, arg, "number has no integer representation");
    glab_lua_typeerror(L, arg, "number");
  }
  return v;
}

lua_Integer glab_lua_optinteger(lua_State *L, int arg, lua_Integer def) {
  return lua_isnoneornil(L, arg) ? def : glab_lua_checkinteger(L, arg);
}

lua_Number glab_lua_checknumber(lua_State *L, int arg) {
  int ok = 0;
  lua_Number v = lua_tonumberx(L, arg, &ok);
  if (!ok) glab_lua_typeerror(L, arg, "number");
  return v;
}

lua_Number glab_lua_optnumber(lua_State *L, int arg, lua_Number def) {
  return lua_isnoneornil(L, arg) ? def : glab_lua_checknumber(L, arg);
}

const char *glab_lua_checkstring(lua_State *L, int arg) {
  const char *s = lua_tostring(L, arg);
  if (!s) glab_lua_typeerror(L, arg, "string");
  return s;
}

static int alloc_ud(lua_State *L) {
  lua_newuserdatauv(L, *(const size_t *)lua_touserdata(L, 1), (int)lua_tointeger(L, 2));
  return 1;
}

void *glab_lua_newuserdata(lua_State *L, size_t header, size_t count, size_t elem, int nuv,
                           const char *what) {
  int rc = LUA_ERRMEM;
  size_t size = header + count * elem;
  if (!elem || count <= (SIZE_MAX - header) / elem) {
    lua_pushcfunction(L, alloc_ud);
    lua_pushlightuserdata(L, &size);
    lua_pushinteger(L, nuv);
    rc = lua_pcall(L, 2, 1, 0);
    if (rc == LUA_OK) return lua_touserdata(L, -1);
    if (rc != LUA_ERRMEM) return lua_error(L), NULL;
    lua_pop(L, 1);
  }
  luaL_error(L, "%s: cannot allocate %s bytes for %s", glab_lua_fname(L, "gradlab"),
             glab_lua_push_number_text(L, (lua_Number)count * (lua_Number)elem), what);
  return NULL;
}

/* names[f] = prefix .. sep .. key for every function field of the table at `t` (metamethods
 * "__..." left out: Lua names those itself). */
static void name_functions(lua_State *L, int names, int t, const char *prefix, const char *sep) {
  t = lua_absindex(L, t);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    if (k && lua_iscfunction(L, -1) && strncmp(k, "__", 2)) {
      lua_pushvalue(L, -1);
      lua_pushfstring(L, "%s%s%s", prefix, sep, k);
      lua_rawset(L, names);
    }
    lua_pop(L, 1);
  }
}

/* The names of the binding's functions, for glab_lua_argerror and glab_lua_fname; the module
 * table is at the top. */
static void register_names(lua_State *L) {
  lua_newtable(L);
  int names = lua_gettop(L);
  static const char *const classes[][2] = {{GLAB_LUA_TENSOR, "tensor"},
                                           {GLAB_LUA_MODEL, "net"},
                                           {GLAB_LUA_LAYER, "layer"},
                                           {GLAB_LUA_OPTIM, "opt"},
                                           {GLAB_LUA_DATASET, "dataset"}};
  for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
    luaL_getmetatable(L, classes[i][0]);
    name_functions(L, names, -1, classes[i][1], ":");
    lua_pop(L, 1);
  }
  name_functions(L, names, names - 1, "gradlab", ".");
  static const char *const subs[] = {"loss", "data"};
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    lua_getfield(L, names - 1, subs[i]);
    lua_pushfstring(L, "gradlab.%s", subs[i]);
    name_functions(L, names, -2, lua_tostring(L, -1), ".");
    lua_pop(L, 2);
  }
  lua_rawsetp(L, LUA_REGISTRYINDEX, &key_names);
}

glab_registry *glab_lua_registry(lua_State *L) {
  (void)L;
  return glab_default_registry();
}

void glab_lua_setfuncs(lua_State *L, const luaL_Reg *funcs) {
  luaL_setfuncs(L, funcs, 0);
}

void glab_lua_newclass(lua_State *L, const char *name, const luaL_Reg *methods) {
  if (luaL_newmetatable(L, name)) {
    luaL_setfuncs(L, methods, 0);
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__name");
  }
  lua_pop(L, 1);
}

/* ---- the run context (set by `gradlab run`; defaults for stock lua) ---- */

static void push_params(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_params) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_params);
  }
}


/* The one rule for --set numbers (gradlab run and batch jobs): glab_is_decimal's. Lua itself
 * also reads hex (0x10) and surrounding spaces (" 3"); CSV data and summary.json take neither. */
int glab_lua_push_param_value(lua_State *L, const char *text) {
  int nonzero;
  if (!strcmp(text, "true") || !strcmp(text, "false")) {
    lua_pushboolean(L, text[0] == 't');
    return GLAB_LUA_PARAM_OK;
  }
  if (!glab_is_decimal(text, &nonzero) || lua_stringtonumber(L, text) == 0) {
    lua_pushstring(L, text);
    return GLAB_LUA_PARAM_OK;
  }
  if (lua_isinteger(L, -1)) return GLAB_LUA_PARAM_OK;
  lua_Number v = lua_tonumber(L, -1);
  if (!isfinite(v)) return GLAB_LUA_PARAM_INFINITE;
  if (v == 0 && nonzero) return GLAB_LUA_PARAM_UNDERFLOW;
  return GLAB_LUA_PARAM_OK;
}

void glab_lua_set_param(lua_State *L, const char *key, const char *text) {
  push_params(L);
  glab_lua_push_param_value(L, text);
  lua_setfield(L, -2, key);
  lua_pop(L, 1);
}

void glab_lua_set_outdir(lua_State *L, const char *dir) {
  lua_pushstring(L, dir);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &key_outdir);
}

void glab_lua_set_runlog(lua_State *L, glab_runlog *log) {
  lua_pushlightuserdata(L, log);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &key_runlog);
}

glab_runlog *glab_lua_runlog(lua_State *L) {
  glab_runlog *log = NULL;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_runlog) == LUA_TLIGHTUSERDATA)
    log = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return log;
}

void glab_lua_mark_sweep_ended(lua_State *L) {
  lua_pushboolean(L, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &key_sweep_done);
}

int glab_lua_sweep_ended(lua_State *L) {
  int done = lua_rawgetp(L, LUA_REGISTRYINDEX, &key_sweep_done) == LUA_TBOOLEAN;
  lua_pop(L, 1);
  return done;
}

lua_Integer glab_lua_current_seed(lua_State *L) {
  lua_Integer s = (lua_Integer)glab_seed_value();
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_seed) == LUA_TNUMBER) s = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return s;
}

/* ---- stopping a run ---- */

/* Count hook (count 1: every instruction of a Lua function; never inside C functions such as a
 * message handler, so raising here cannot cause an error in error handling). */
static void stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_stop) != LUA_TNIL) lua_error(L); /* os.exit */
  lua_pop(L, 1);
  if (!glab_lua_signal) {
    lua_sethook(L, NULL, 0, 0);
    return;
  }
  lua_Debug d;
  const char *where = "";
  for (int level = 0; lua_getstack(L, level, &d); level++) /* the script's position */
    if (lua_getinfo(L, "Sl", &d) && d.currentline > 0) {
      where = lua_pushfstring(L, "%s:%d: ", d.short_src, d.currentline);
      break;
    }
  lua_pushfstring(L, "%sinterrupted by signal %d", where, (int)glab_lua_signal);
  lua_error(L);
}

void glab_lua_arm_stop(lua_State *L) {
  lua_sethook(L, stop_hook, LUA_MASKCOUNT, 1);
}

int glab_lua_stop_with(lua_State *L) {
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &key_stop);
  glab_lua_arm_stop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  glab_lua_arm_stop(lua_tothread(L, -1));
  lua_pop(L, 1);
  return lua_error(L);
}

int glab_lua_raise_interrupt(lua_State *L) {
  glab_lua_arm_stop(L);
  return luaL_error(L, "interrupted by signal %d", (int)glab_lua_signal);
}

void glab_lua_record_seed(glab_runlog *log, uint64_t seed) {
  if (log) glab_runlog_set_seed(log, seed); /* exact digits (2^53-1 stays exact) */
}

/* gradlab.seed(n): reseed the run's generator (layers created afterwards, shuffles, data).
 * gradlab.seed(): the current seed (--seed, or the last gradlab.seed(n); 42 by default). */
static int l_seed(lua_State *L) {
  if (lua_isnoneornil(L, 1)) {
    lua_pushinteger(L, glab_lua_current_seed(L));
    return 1;
  }
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 0 && n <= GLAB_LUA_SEED_MAX, 1,
                "a seed is an integer from 0 to 9007199254740991 (2^53-1)");
  glab_seed((uint64_t)n);
  lua_pushinteger(L, n);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &key_seed);
  /* "seed" stays the run's (--seed: what repeats the run); a study that seeds each of its
   * networks itself would otherwise record only its last network's seed as the run's */
  glab_runlog *log = glab_lua_runlog(L);
  if (log && glab_runlog_set_uint(log, "last_seed", (uint64_t)n) == GLAB_OK)
    glab_runlog_write_summary(log); /* on disk now: a run killed later keeps it */
  return 0;
}

/* gradlab.outdir(): the run folder (gradlab run), else $GRADLAB_OUT, else ".". */
static int l_outdir(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_outdir) == LUA_TSTRING) return 1;
  lua_pop(L, 1);
  const char *env = getenv("GRADLAB_OUT");
  lua_pushstring(L, env && env[0] ? env : ".");
  return 1;
}

void glab_lua_record_plugins(glab_runlog *log, glab_registry *reg) {
  if (!log || !reg) return;
  for (size_t i = 0, n = glab_registry_count(reg); i < n; i++) {
    glab_type_kind kind;
    const char *name, *file, *doc;
    const glab_option *opts;
    char real[PATH_MAX];
    if (glab_registry_entry(reg, i, &kind, &name, &file, &doc, &opts) != GLAB_OK) continue;
    if (file && *file && realpath(file, real)) file = real;
    glab_runlog_add_plugin(log, glab_type_kind_name(kind), name, file ? file : "");
  }
}

static int l_load_plugin(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  if (glab_plugin_load(glab_lua_registry(L), path) != GLAB_OK)
    return glab_lua_fail(L, "gradlab.load_plugin");
  /* its types into summary.json now: a run killed later still names the plugins it used */
  glab_runlog *log = glab_lua_runlog(L);
  if (log) {
    glab_lua_record_plugins(log, glab_lua_registry(L));
    glab_runlog_write_summary(log);
  }
  return 0;
}

/* gradlab.plugins() -> array of {kind=, name=, file=, doc=}. */
static int l_plugins(lua_State *L) {
  glab_registry *reg = glab_lua_registry(L);
  size_t n = glab_registry_count(reg);
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    glab_type_kind kind;
    const char *name = NULL, *file = NULL, *doc = NULL;
    const glab_option *opts = NULL;
    if (glab_registry_entry(reg, i, &kind, &name, &file, &doc, &opts) != GLAB_OK) continue;
    lua_createtable(L, 0, 4);
    lua_pushstring(L, glab_type_kind_name(kind));
    lua_setfield(L, -2, "kind");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, file ? file : "(built in)");
    lua_setfield(L, -2, "file");
    lua_pushstring(L, doc ? doc : "");
    lua_setfield(L, -2, "doc");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* gradlab.has_type(kind, name): is a type of that kind ("layer", "optimizer", "pretrainer")
 * registered? (gradlab.layer.<name> raises for an unknown name, with the nearest one.) */
static int l_has_type(lua_State *L) {
  const char *kind = glab_lua_checkstring(L, 1), *name = glab_lua_checkstring(L, 2);
  glab_registry *reg = glab_lua_registry(L);
  int found;
  if (!strcmp(kind, "layer"))
    found = glab_registry_layer(reg, name) != NULL;
  else if (!strcmp(kind, "optimizer"))
    found = glab_registry_optimizer(reg, name) != NULL;
  else if (!strcmp(kind, "pretrainer"))
    found = glab_registry_pretrainer(reg, name) != NULL;
  else
    return glab_lua_argerror(
        L, 1,
        lua_pushfstring(L, "kind must be \"layer\", \"optimizer\" or \"pretrainer\", got \"%s\"",
                        kind));
  lua_pushboolean(L, found);
  return 1;
}

/* gradlab.blas_threads() -> the BLAS's threads (nil if the BLAS cannot say);
 * gradlab.blas_threads(n) sets them (an integer >= 1) and returns the new count. */
static int l_blas_threads(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) {
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= 4096, 1, "a thread count is an integer from 1 to 4096");
    if (glab_set_blas_threads((int)n) != GLAB_OK) return glab_lua_fail(L, "gradlab.blas_threads");
  }
  int t = glab_blas_threads();
  if (t > 0)
    lua_pushinteger(L, t);
  else
    lua_pushnil(L);
  return 1;
}

static const luaL_Reg module_funcs[] = {{"seed", l_seed},       {"has_type", l_has_type},
                                        {"outdir", l_outdir},   {"load_plugin", l_load_plugin},
                                        {"plugins", l_plugins}, {"blas_threads", l_blas_threads},
                                        {NULL, NULL}};

/* The part of the module table every file adds to. */
typedef void (*opener)(lua_State *L);
static const opener openers[] = {glab_lua_open_tensor, glab_lua_open_layer, glab_lua_open_model,
                                 glab_lua_open_optim,  glab_lua_open_loss,  glab_lua_open_train,
                                 glab_lua_open_stats,  glab_lua_open_sweep, glab_lua_open_result};

/* Stock lua5.4 dlcloses C modules when its state closes; libgradlab (with the plugins it
 * dlopened and its exit handlers) must not be unmapped under them. Pin the module and the
 * library for the life of the process. */
static void pin_self(void) {
  static int pinned;
  if (pinned) return;
  pinned = 1;
  void *fns[] = {(void *)luaopen_gradlab, (void *)glab_default_registry};
  for (int i = 0; i < 2; i++) {
    Dl_info info;
    if (dladdr(fns[i], &info) && info.dli_fname) {
      void *h = dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE | RTLD_NOLOAD);
      (void)h; /* the handle is deliberately kept: RTLD_NODELETE pins the object */
    }
  }
}

static void warn_plugin(void *ctx, const char *message) {
  (void)ctx;
  fprintf(stderr, "gradlab: warning: %s (skipped)\n", message);
}

int luaopen_gradlab(lua_State *L) {
  pin_self();
  /* The shipped plugins (and GRADLAB_PLUGIN_PATH); files already loaded are skipped, and a
   * broken file there is a warning, not a failure of every script. */
  if (glab_plugins_load_tolerant(glab_lua_registry(L), NULL, 0, warn_plugin, NULL) != GLAB_OK)
    return glab_lua_fail(L, "require \"gradlab\"");
  lua_newtable(L);
  luaL_setfuncs(L, module_funcs, 0);
  lua_pushstring(L, GRADLAB_VERSION);
  lua_setfield(L, -2, "version");
  lua_pushstring(L, GLAB_REAL_NAME);
  lua_setfield(L, -2, "real");
  push_params(L);
  lua_setfield(L, -2, "params");
  for (size_t i = 0; i < sizeof openers / sizeof openers[0]; i++)
    openers[i](L);
  glab_lua_open_data(L);
  lua_setfield(L, -2, "data");
  register_names(L);
  /* The sub-tables also as package.loaded["gradlab.loss"] etc.: Lua names a function in an
   * argument error by searching package.loaded one level deep, so `pcall(gradlab.loss.mse, x)`
   * says "bad argument #1 to 'gradlab.loss.mse'" instead of '?'. */
  static const char *const subs[] = {"loss", "layer", "optim", "data"};
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    char name[32];
    snprintf(name, sizeof name, "gradlab.%s", subs[i]);
    lua_getfield(L, -2, subs[i]);
    lua_setfield(L, -2, name);
  }
  lua_pop(L, 1);
  return 1;
}

int glab_lua_in_run(lua_State *L) {
  int in = lua_rawgetp(L, LUA_REGISTRYINDEX, &key_outdir) == LUA_TSTRING;
  lua_pop(L, 1);
  return in;
}

void glab_lua_check_options(lua_State *L, int narray, int idx, const char *fname,
                            const char *const *known) {
  if (lua_isnoneornil(L, idx)) return;
  glab_lua_checktype(L, idx, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (narray && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 &&
        lua_tointeger(L, -1) <= narray)
      continue; /* the array part: the layers of a sequential */
    if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "%s: option names must be strings", fname);
    const char *k = lua_tostring(L, -1);
    int ok = 0;
    for (const char *const *p = known; *p; p++)
      ok |= !strcmp(*p, k);
    if (!ok) {
      size_t n = 0;
      while (known[n])
        n++;
      if (n == 0) luaL_error(L, "%s: unknown option '%s' (it takes no options)", fname, k);
      const char *near = glab_name_suggest(known, n, k);
      if (near) luaL_error(L, "%s: unknown option '%s'; did you mean '%s'?", fname, k, near);
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      for (const char *const *p = known; *p; p++) {
        luaL_addstring(&b, p == known ? "" : ", ");
        luaL_addstring(&b, *p);
      }
      luaL_pushresult(&b);
      luaL_error(L, "%s: unknown option '%s' (options: %s)", fname, k, lua_tostring(L, -1));
    }
  }
}
