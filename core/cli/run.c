/* run.c — `gradlab run SCRIPT.lua [--out DIR] [--seed N] [--set KEY=VALUE]... [--plugin PATH]...
 * [-- ARGS...]`: one study script in an embedded Lua 5.4 with the gradlab module preloaded,
 * writing its run folder (metrics.csv, summary.json, log.txt, script.lua) through runlog.h.
 * A syntax or runtime error prints `FILE:LINE: message` and a traceback, flushes what was
 * recorded with finished=false and exits 1. Everything that can raise a Lua error runs inside
 * lua_pcall, so no error escapes to a panic. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "cli.h"
#include "gradlab/registry.h"
#include "gradlab/rng.h"
#include "gradlab/runlog.h"
#include "lua_internal.h"
#include "plot.h"

typedef struct run_opts {
  const char *script;
  const char *out;
  unsigned long long seed;
  int have_seed;
  const char **sets; /* "KEY=VALUE" */
  int nsets;
  const char **plugins;
  int nplugins;
  char **args; /* script arguments */
  int nargs;
  glab_runlog *log;
  int sweep_ended;
  int no_plot; /* the script set gradlab.params.plot = false */
} run_opts;

/* SIGINT/SIGTERM: stop the script at its next Lua instruction (as lua.c does), so that the run
 * folder is flushed with finished=false; the signal is raised again once that is done. */
static lua_State *signal_L;
static volatile sig_atomic_t caught_signal;

static void stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  lua_Debug d;
  const char *where = "";
  for (int level = 0; lua_getstack(L, level, &d); level++) /* the script's position */
    if (lua_getinfo(L, "Sl", &d) && d.currentline > 0) {
      where = lua_pushfstring(L, "%s:%d: ", d.short_src, d.currentline);
      break;
    }
  lua_pushfstring(L, "%sinterrupted by signal %d", where, (int)caught_signal);
  lua_error(L);
}

static void on_signal(int sig) {
  caught_signal = sig;
  signal(sig, SIG_DFL); /* a second signal ends the process at once */
  if (signal_L) lua_sethook(signal_L, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

static void usage(FILE *f) {
  fprintf(f, "usage: gradlab run SCRIPT.lua [--out DIR] [--seed N] [--set KEY=VALUE]...\n"
             "                   [--plugin PATH]... [-- ARGS...]\n\n"
             "Runs a Lua study script with the gradlab module preloaded (require \"gradlab\").\n"
             "  --out DIR         the run folder (default runs/<script>-<time>-<pid>/)\n"
             "  --seed N          seed of the run's generator (default 42)\n"
             "  --set KEY=VALUE   a parameter, read by the script as gradlab.params.KEY\n"
             "                    (numbers and true/false converted); repeatable\n"
             "  --plugin PATH     load a plugin file or folder first; repeatable\n"
             "  ARGS              reach the script as arg[1], arg[2], ... (and as ...)\n\n"
             "The run folder gets metrics.csv, summary.json, log.txt and script.lua; figures are\n"
             "drawn at the end unless GRADLAB_PLOT=0.\n"
             "exit status: 0 success, 1 script error, 2 bad usage\n");
}

/* print(...) writes to stdout and to the run's log.txt. */
static int l_print(lua_State *L) {
  run_opts *o = lua_touserdata(L, lua_upvalueindex(1));
  int n = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; i++) {
    size_t len;
    const char *s = luaL_tolstring(L, i, &len);
    if (i > 1) luaL_addchar(&b, '\t');
    luaL_addvalue(&b);
    (void)s;
  }
  luaL_pushresult(&b);
  const char *line = lua_tostring(L, -1);
  fputs(line, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  if (o->log) glab_runlog_log(o->log, "%s", line);
  return 0;
}

/* Message handler: the error message plus a traceback (as lua.c's msghandler). */
static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* table.sort comparator for result keys: integers first (numerically), then strings. */
static int key_less(lua_State *L) {
  int ia = lua_isinteger(L, 1), ib = lua_isinteger(L, 2);
  if (ia != ib) {
    lua_pushboolean(L, ia);
  } else if (ia) {
    lua_pushboolean(L, lua_tointeger(L, 1) < lua_tointeger(L, 2));
  } else {
    lua_pushboolean(L, strcmp(lua_tostring(L, 1), lua_tostring(L, 2)) < 0);
  }
  return 1;
}

/* The script's result table into summary.json's "result", flattened ("a.b", "list.1"), keys in
 * a fixed order (so the same results give the same summary). */
static void flatten(lua_State *L, glab_runlog *log, int idx, const char *prefix, int depth) {
  idx = lua_absindex(L, idx);
  if (depth > 8) return;
  luaL_checkstack(L, 8, "result table");
  lua_newtable(L); /* the keys (integers and strings), sorted */
  int keys = lua_gettop(L);
  lua_Integer n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING || lua_isinteger(L, -1)) {
      lua_pushvalue(L, -1);
      lua_rawseti(L, keys, ++n);
    }
  }
  lua_getglobal(L, "table");
  lua_getfield(L, -1, "sort");
  lua_pushvalue(L, keys);
  lua_pushcfunction(L, key_less);
  lua_call(L, 2, 0);
  lua_pop(L, 1);
  for (lua_Integer i = 1; i <= n; i++) {
    int top = lua_gettop(L);
    lua_rawgeti(L, keys, i);
    char kbuf[32];
    const char *k;
    if (lua_isinteger(L, -1)) {
      snprintf(kbuf, sizeof kbuf, "%lld", (long long)lua_tointeger(L, -1));
      k = kbuf;
    } else {
      k = lua_tostring(L, -1);
    }
    lua_pushvalue(L, -1);
    lua_rawget(L, idx);
    int v = lua_gettop(L);
    const char *key = prefix[0] ? lua_pushfstring(L, "%s.%s", prefix, k) : lua_pushstring(L, k);
    switch (lua_type(L, v)) {
    case LUA_TNUMBER:
      glab_runlog_set_result_number(log, key, lua_tonumber(L, v));
      break;
    case LUA_TBOOLEAN:
      glab_runlog_set_result_number(log, key, lua_toboolean(L, v));
      break;
    case LUA_TSTRING:
      glab_runlog_set_result_string(log, key, lua_tostring(L, v));
      break;
    case LUA_TTABLE:
      flatten(L, log, v, key, depth + 1);
      break;
    default:
      glab_runlog_set_result_string(log, key, luaL_tolstring(L, v, NULL));
      break;
    }
    lua_settop(L, top);
  }
  lua_settop(L, keys - 1);
}

/* Everything that touches Lua, run under lua_pcall (so that no error can escape to a panic):
 * set up the state, run the script, record its results. A script error is raised again with
 * its traceback; the end by gradlab.sweep is a success (o->sweep_ended). */
static int pmain(lua_State *L) {
  run_opts *o = lua_touserdata(L, 1);
  luaL_openlibs(L);
  glab_lua_set_outdir(L, glab_runlog_dir(o->log));
  glab_lua_set_runlog(L, o->log);
  for (int i = 0; i < o->nsets; i++) {
    const char *eq = strchr(o->sets[i], '=');
    lua_pushlstring(L, o->sets[i], (size_t)(eq - o->sets[i]));
    glab_lua_set_param(L, lua_tostring(L, -1), eq + 1);
    lua_pop(L, 1);
  }
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_gradlab);
  lua_setfield(L, -2, "gradlab");
  lua_pop(L, 1);
  lua_pushlightuserdata(L, o);
  lua_pushcclosure(L, l_print, 1);
  lua_setglobal(L, "print");
  /* arg: arg[0] = the script, arg[1..] = its arguments, arg[-1] = this command. */
  lua_createtable(L, o->nargs, 2);
  lua_pushstring(L, cli_self_path());
  lua_rawseti(L, -2, -1);
  lua_pushstring(L, o->script);
  lua_rawseti(L, -2, 0);
  for (int i = 0; i < o->nargs; i++) {
    lua_pushstring(L, o->args[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setglobal(L, "arg");

  lua_pushcfunction(L, msghandler);
  int handler = lua_gettop(L);
  if (luaL_loadfile(L, o->script) != LUA_OK) return lua_error(L); /* FILE:LINE: syntax error */
  luaL_checkstack(L, o->nargs + 4, "too many script arguments");
  for (int i = 0; i < o->nargs; i++)
    lua_pushstring(L, o->args[i]);
  int base = handler;
  if (lua_pcall(L, o->nargs, LUA_MULTRET, handler) != LUA_OK) {
    if (glab_lua_sweep_ended(L)) {
      o->sweep_ended = 1;
      return 0;
    }
    return lua_error(L); /* message with traceback */
  }
  int top = lua_gettop(L);     /* the script's results are base+1..top */
  lua_getglobal(L, "package"); /* --set plot=false (or the script) turns the figures off */
  lua_getfield(L, -1, "loaded");
  if (lua_getfield(L, -1, "gradlab") == LUA_TTABLE && lua_getfield(L, -1, "params") == LUA_TTABLE &&
      lua_getfield(L, -1, "plot") == LUA_TBOOLEAN)
    o->no_plot = !lua_toboolean(L, -1);
  lua_settop(L, top);
  if (lua_gettop(L) > base && lua_istable(L, base + 1))
    flatten(L, o->log, base + 1, "", 0);
  else if (lua_gettop(L) > base && !lua_isnil(L, base + 1)) {
    /* A single value: result.value */
    if (lua_type(L, base + 1) == LUA_TNUMBER)
      glab_runlog_set_result_number(o->log, "value", lua_tonumber(L, base + 1));
    else
      glab_runlog_set_result_string(o->log, "value", luaL_tolstring(L, base + 1, NULL));
  }
  return 0;
}

static int parse(int argc, char **argv, run_opts *o) {
  static const struct option longopts[] = {
      {"out", required_argument, NULL, 'o'}, {"seed", required_argument, NULL, 's'},
      {"set", required_argument, NULL, 'S'}, {"plugin", required_argument, NULL, 'p'},
      {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (c) {
    case 'o':
      o->out = optarg;
      break;
    case 's': {
      char *end;
      o->seed = strtoull(optarg, &end, 10);
      if (!optarg[0] || *end || optarg[0] == '-') {
        cli_error("run: --seed wants a non-negative integer, got '%s'", optarg);
        return CLI_USAGE;
      }
      o->have_seed = 1;
      break;
    }
    case 'S':
      if (!strchr(optarg, '=') || optarg[0] == '=') {
        cli_error("run: --set wants KEY=VALUE, got '%s'", optarg);
        return CLI_USAGE;
      }
      o->sets[o->nsets++] = optarg;
      break;
    case 'p':
      o->plugins[o->nplugins++] = optarg;
      break;
    case 'h':
      usage(stdout);
      return -1;
    case ':':
      cli_error("run: option '%s' needs a value", argv[optind - 1]);
      return CLI_USAGE;
    default:
      cli_error("run: unknown option '%s' (try 'gradlab run --help')", argv[optind - 1]);
      return CLI_USAGE;
    }
  }
  if (optind >= argc) {
    cli_error("run: no script given");
    usage(stderr);
    return CLI_USAGE;
  }
  o->script = argv[optind];
  o->args = argv + optind + 1;
  o->nargs = argc - optind - 1;
  if (access(o->script, R_OK) != 0) {
    cli_error("run: cannot read script '%s'", o->script);
    return CLI_USAGE;
  }
  return CLI_OK;
}

/* Parameters, seed and plugins into summary.json. */
static void describe_run(run_opts *o, lua_State *L) {
  glab_runlog_set_seed(o->log, o->have_seed ? o->seed : 42);
  for (int i = 0; i < o->nsets; i++) {
    const char *eq = strchr(o->sets[i], '=');
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
    char *end;
    double v = strtod(eq + 1, &end);
    if (eq[1] && !*end && isfinite(v))
      glab_runlog_set_param_number(o->log, key, v);
    else
      glab_runlog_set_param_string(o->log, key, eq + 1);
  }
  (void)L;
  glab_registry *reg = glab_default_registry();
  for (size_t i = 0, n = glab_registry_count(reg); i < n; i++) {
    glab_type_kind kind;
    const char *name, *file, *doc;
    const glab_option *opts;
    if (glab_registry_entry(reg, i, &kind, &name, &file, &doc, &opts) == GLAB_OK)
      glab_runlog_add_plugin(o->log, glab_type_kind_name(kind), name, file ? file : "");
  }
}

static void warn_plugin(void *log, const char *message) {
  fprintf(stderr, "gradlab: warning: %s (skipped)\n", message);
  glab_runlog_log(log, "warning: %s (skipped)", message);
}

int cli_run(int argc, char **argv) {
  run_opts o;
  memset(&o, 0, sizeof o);
  const char **sets = calloc((size_t)argc + 1, sizeof *sets);
  const char **plugins = calloc((size_t)argc + 1, sizeof *plugins);
  if (!sets || !plugins) {
    free(sets);
    free(plugins);
    return cli_error("run: out of memory");
  }
  o.sets = sets;
  o.plugins = plugins;
  int st = parse(argc, argv, &o);
  if (st != CLI_OK) {
    free(sets);
    free(plugins);
    return st < 0 ? CLI_OK : st;
  }
  if (o.have_seed)
    glab_seed((uint64_t)o.seed);
  else
    glab_seed(42);
  o.log = glab_runlog_create(o.out, o.script);
  if (!o.log) {
    cli_error("run: %s", glab_last_error());
    free(sets);
    free(plugins);
    return CLI_FAIL;
  }
  /* Plugins after the folder exists, so a failure is recorded there (finished = false). A
   * --plugin that fails is an error; a broken file on the search path is a warning. */
  if (glab_plugins_load_tolerant(glab_default_registry(), o.plugins, o.nplugins, warn_plugin,
                                 o.log) != GLAB_OK) {
    cli_error("run: %s", glab_last_error());
    glab_runlog_log(o.log, "error: %s", glab_last_error());
    glab_runlog_flush(o.log, 0);
    glab_runlog_destroy(o.log);
    free(sets);
    free(plugins);
    return CLI_FAIL;
  }
  lua_State *L = luaL_newstate();
  if (!L) {
    glab_runlog_destroy(o.log);
    free(sets);
    free(plugins);
    return cli_error("run: cannot create a Lua state (out of memory)");
  }
  describe_run(&o, L);
  glab_runlog_log(o.log, "gradlab run %s (seed %llu)", o.script, o.have_seed ? o.seed : 42ULL);
  lua_pushcfunction(L, pmain);
  lua_pushlightuserdata(L, &o);
  signal_L = L;
  void (*old_int)(int) = signal(SIGINT, on_signal);
  void (*old_term)(int) = signal(SIGTERM, on_signal);
  int status = lua_pcall(L, 1, 0, 0);
  signal_L = NULL;
  if (!caught_signal) {
    signal(SIGINT, old_int);
    signal(SIGTERM, old_term);
  }
  int rc = CLI_OK;
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (!msg) msg = "(error object is not a string)";
    fprintf(stderr, "%s\n", msg);
    glab_runlog_log(o.log, "error: %s", msg);
    lua_pop(L, 1);
    rc = CLI_FAIL;
  }
  /* Close Lua first: models (and their trainers, which write to the log) go with it. */
  lua_close(L);
  if (rc == CLI_OK) {
    if (o.sweep_ended) glab_runlog_log(o.log, "sweep grid written; script ended by gradlab.sweep");
    glab_runlog_finish(o.log);
  } else {
    glab_runlog_flush(o.log, 0);
  }
  char *dir = strdup(glab_runlog_dir(o.log));
  glab_runlog_destroy(o.log);
  if (rc == CLI_OK && dir && !o.sweep_ended) {
    const char *plot = getenv("GRADLAB_PLOT");
    if ((!plot || strcmp(plot, "0")) && !o.no_plot) cli_plot_dir(dir, 0, 1);
  }
  if (dir) fprintf(stderr, "gradlab: run folder %s\n", dir);
  free(dir);
  free(sets);
  free(plugins);
  if (caught_signal) raise(caught_signal); /* end as the signal would have, now it is recorded */
  return rc;
}
