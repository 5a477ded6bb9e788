/* run.c — `gradlab run SCRIPT.lua [--out DIR] [--seed N] [--set KEY=VALUE]... [--plugin PATH]...
 * [-- ARGS...]`: one study script in an embedded Lua 5.4 with the gradlab module preloaded,
 * writing its run folder (metrics.csv, summary.json, log.txt, script.lua) through runlog.h.
 * A syntax or runtime error prints `FILE:LINE: message` and a traceback, flushes what was
 * recorded with finished=false and exits 1. Everything that can raise a Lua error runs inside
 * lua_pcall, so no error escapes to a panic. Also: run_guard.c (plugins, fatal signals),
 * run_folder.c (the --out folder and its lock), run_lua.c (source-only loading); --set values
 * are read and the result table is flattened by the binding (glab_lua_push_param_value,
 * glab_lua_store_result). */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
#include "run.h"

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
  int no_plot;            /* the script set gradlab.params.plot = false */
  int exited;             /* the script called os.exit */
  lua_Integer exit_value; /* ... with this code (true: 0, false: 1) */
  int overwrite;          /* --overwrite: remove a previous run's outputs from --out first */
  char **warnings;        /* plugins on the search path that failed, for log.txt */
  int nwarnings;
} run_opts;

/* SIGINT/SIGTERM/SIGHUP: the script stops at its next Lua instruction (a count hook that keeps
 * raising, so a pcall in the script cannot swallow it) and gradlab.train within one step (its
 * step callback checks glab_lua_signal); the run folder is then flushed with finished=false and
 * the signal is raised again once that is done. Further signals are ignored meanwhile: the run
 * folder is always completed (Ctrl-\\, SIGQUIT, still ends the process at once). A SIGHUP that
 * was ignored when gradlab started (nohup) stays ignored. SIGPIPE is caught and does nothing: a
 * reader of stdout that went away (`| head`) makes writes fail with EPIPE instead of killing the
 * run, which goes on writing log.txt (caught, not ignored, so that children get it back). */
static lua_State *signal_L;
static volatile sig_atomic_t nsignals;

static void on_signal(int sig) {
  if (!glab_lua_signal) glab_lua_signal = sig;
  if (nsignals++ == 1) { /* the second one: say why nothing seems to happen */
    static const char msg[] = "gradlab: stopping; writing the run folder\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
  }
  if (signal_L) glab_lua_arm_stop(signal_L);
}

static void on_sigpipe(int sig) {
  (void)sig; /* the write that raised it fails with EPIPE */
}

static void set_handler(int sig, void (*fn)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaddset(&sa.sa_mask, SIGHUP);
  sa.sa_flags = SA_RESTART;
  sigaction(sig, &sa, NULL);
}

/* The signals gradlab run handles, and what they were before (restored at the end). */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
enum { NSTOP = sizeof stop_signals / sizeof stop_signals[0] };

/* os.exit(code) inside gradlab run: the script ends through the normal path (run folder written,
 * finished = (code == 0)), then the process exits with that code. The error object that carries
 * it is this sentinel (a light userdata nobody else can make). */
static const char exit_sentinel = 'e';

static int l_exit(lua_State *L) {
  run_opts *o = lua_touserdata(L, lua_upvalueindex(1));
  lua_Integer code = EXIT_SUCCESS;
  if (lua_isboolean(L, 1))
    code = lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
  else if (!lua_isnoneornil(L, 1))
    code = luaL_checkinteger(L, 1);
  if (!o->exited) {
    o->exited = 1;
    o->exit_value = code;
  }
  lua_settop(L, 0);
  lua_pushlightuserdata(L, (void *)&exit_sentinel);
  return glab_lua_stop_with(L);
}

static void usage(FILE *f) {
  fprintf(
      f, "usage: gradlab run SCRIPT.lua [--out DIR [--overwrite]] [--seed N] [--set KEY=VALUE]...\n"
         "                   [--plugin PATH]... [-- ARGS...]\n\n"
         "Runs a Lua study script with the gradlab module preloaded (require \"gradlab\").\n"
         "  --out DIR         the run folder (default runs/<script>-<time>-<pid>/); a folder\n"
         "                    that already holds a run is refused unless --overwrite, one\n"
         "                    another run is writing into (DIR/.lock) always (exit 1)\n"
         "  --overwrite       remove the previous run's files from --out DIR first (metrics,\n"
         "                    summary, log, script copy, figures; nothing else)\n"
         "  --seed N          seed of the run's generator, 0..2^53-1 (default 42)\n"
         "  --set KEY=VALUE   a parameter, read by the script as gradlab.params.KEY\n"
         "                    (numbers and true/false converted); repeatable\n"
         "  --plugin PATH     load a plugin file or folder first; repeatable\n"
         "  ARGS              reach the script as arg[1], arg[2], ... (and as ...)\n\n"
         "SCRIPT is Lua source (precompiled bytecode is refused); inside it load/loadfile\n"
         "default to source, dofile/require take source only.\n"
         "The run folder gets metrics.csv, summary.json, log.txt and script.lua; figures are\n"
         "drawn at the end unless GRADLAB_PLOT=0.\n"
         "SIGINT/SIGTERM/SIGHUP stop the script (gradlab.train within a step), write the folder\n"
         "(finished=false) and end the process by that signal; os.exit(code) also writes it.\n"
         "A closed stdout (| head) does not stop the run: print goes on into log.txt.\n"
         "exit status: 0 success, 1 script error, 2 bad usage, or os.exit's code & 255 (1 when\n"
         "a code other than 0 has a low byte of 0)\n");
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

/* "FILE:LINE: " of the innermost Lua function on the stack (the one that called error), or "". */
static const char *push_where(lua_State *L) {
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); level++)
    if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
      return lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
  return lua_pushliteral(L, "");
}

/* Message handler: the error message plus a traceback (as lua.c's msghandler). An error object
 * that is not a string (error({})) gets the place it was raised, as a string error does. */
static int msghandler(lua_State *L) {
  if (lua_touserdata(L, 1) == (void *)&exit_sentinel) return 1; /* os.exit: no message */
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    const char *where = push_where(L);
    msg = lua_pushfstring(L, "%s(error object is a %s value)", where, luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* A --set number must be finite (1e400 would be inf in Lua and something else in summary.json)
 * and a non-zero one must not underflow to 0 (1e-400): both are refused naming the key. The
 * reading itself is the binding's (glab_lua_push_param_value), as gradlab.params gets it. */
static int check_sets(run_opts *o, lua_State *L) {
  for (int i = 0; i < o->nsets; i++) {
    const char *eq = strchr(o->sets[i], '=');
    int st = glab_lua_push_param_value(L, eq + 1);
    lua_pop(L, 1);
    if (st == GLAB_LUA_PARAM_INFINITE) {
      cli_error("run: --set %s: the number is out of range (parameters must be finite)",
                o->sets[i]);
      return CLI_USAGE;
    }
    if (st == GLAB_LUA_PARAM_UNDERFLOW) {
      cli_error("run: --set %s: the number is too small for a double (it would be 0; the "
                "smallest is about 4.9e-324): give %.*s a value that is not 0, or 0 itself",
                o->sets[i], (int)(eq - o->sets[i]), o->sets[i]);
      return CLI_USAGE;
    }
  }
  return CLI_OK;
}

/* The script, compiled before the run folder exists (source only): the function, or the syntax
 * error message, kept in the registry under this key for pmain. */
static const char chunk_key = 'c';

static int pload(lua_State *L) {
  const char *script = lua_touserdata(L, 1);
  if (luaL_loadfilex(L, script, "t") != LUA_OK) return lua_error(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &chunk_key);
  return 0;
}

/* A syntax error is not bad usage: the run folder records it (finished = false) and the run
 * exits 1, as for any script error; pmain raises it where the script would have started. */
static void load_script(run_opts *o, lua_State *L) {
  run_guard_context("loading %s", o->script);
  lua_pushcfunction(L, pload);
  lua_pushlightuserdata(L, (void *)o->script);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) lua_rawsetp(L, LUA_REGISTRYINDEX, &chunk_key);
}

/* glab_lua_store_result(value 1, runlog 2), protected so that its error can name the script. */
static int pstore(lua_State *L) {
  glab_lua_store_result(L, 1, lua_touserdata(L, 2));
  return 0;
}

/* Everything that touches Lua, run under lua_pcall (so that no error can escape to a panic):
 * set up the state, run the script, record its results. A script error is raised again with
 * its traceback; the end by gradlab.sweep is a success (o->sweep_ended). */
static int pmain(lua_State *L) {
  run_opts *o = lua_touserdata(L, 1);
  luaL_openlibs(L);
  /* Lua's warnings on (stock lua5.4 needs -W): an error inside a __gc metamethod, which Lua
   * cannot raise, is then printed ("Lua warning: error in __gc ...") instead of dropped; the
   * script's own warn() calls print too. */
  lua_warning(L, "@on", 0);
  run_text_only(L);
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
  lua_getglobal(L, "os"); /* os.exit ends the script through the normal path */
  lua_pushlightuserdata(L, o);
  lua_pushcclosure(L, l_exit, 1);
  lua_setfield(L, -2, "exit");
  lua_pop(L, 1);
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
  /* The chunk compiled by load_script, or its FILE:LINE: syntax error */
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &chunk_key) != LUA_TFUNCTION) return lua_error(L);
  lua_pushnil(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &chunk_key);
  luaL_checkstack(L, o->nargs + 4, "too many script arguments");
  for (int i = 0; i < o->nargs; i++)
    lua_pushstring(L, o->args[i]);
  int base = handler;
  if (lua_pcall(L, o->nargs, LUA_MULTRET, handler) != LUA_OK) {
    if (o->exited) return 0; /* os.exit: the caller ends with its code */
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
  /* The result table (or a single value, "value") into summary.json: what cannot be stored
   * without losing data (colliding flat keys, keys that are neither strings nor integers, a
   * function) is an error naming the key, raised here so that the run fails (exit 1,
   * finished=false) with that message. */
  if (top > base) {
    lua_pushcfunction(L, pstore);
    lua_pushvalue(L, base + 1);
    lua_pushlightuserdata(L, o->log);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK)
      return luaL_error(L, "%s: %s", o->script, lua_tostring(L, -1)); /* no line to name */
  }
  return 0;
}

static int parse(int argc, char **argv, run_opts *o) {
  enum { O_OVERWRITE = 256 };
  static const struct option longopts[] = {{"out", required_argument, NULL, 'o'},
                                           {"seed", required_argument, NULL, 's'},
                                           {"set", required_argument, NULL, 'S'},
                                           {"plugin", required_argument, NULL, 'p'},
                                           {"help", no_argument, NULL, 'h'},
                                           {"overwrite", no_argument, NULL, O_OVERWRITE},
                                           {NULL, 0, NULL, 0}};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (c) {
    case 'o':
      if (!optarg[0]) {
        cli_error("run: --out wants a folder name, got an empty one");
        return CLI_USAGE;
      }
      o->out = optarg;
      break;
    case 's': {
      /* Seeds are exact everywhere they go: a Lua integer, a JSON number (a double). */
      char *end;
      errno = 0;
      o->seed = strtoull(optarg, &end, 10);
      if (!optarg[0] || *end || optarg[0] == '-' || optarg[0] == '+' || errno ||
          o->seed > GLAB_LUA_SEED_MAX) {
        cli_error("run: --seed wants a non-negative integer up to %lld (2^53-1), got '%s'",
                  GLAB_LUA_SEED_MAX, optarg);
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
    case O_OVERWRITE:
      o->overwrite = 1;
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
  o->args = argv + optind + 1; /* everything after the script, "--" or not */
  o->nargs = argc - optind - 1;
  if (cli_check_plugin_paths("run", o->plugins, o->nplugins) != CLI_OK) return CLI_USAGE;
  if (o->overwrite && !o->out)
    fprintf(stderr, "gradlab: warning: run: --overwrite does nothing without --out (the run gets "
                    "a new folder under runs/)\n");
  struct stat st;
  if (stat(o->script, &st) == 0 && S_ISDIR(st.st_mode)) {
    cli_error("run: '%s' is a directory, not a script", o->script);
    return CLI_USAGE;
  }
  if (access(o->script, R_OK) != 0) {
    cli_error("run: cannot read script '%s': %s", o->script, strerror(errno));
    return CLI_USAGE;
  }
  if (run_is_binary_chunk(o->script)) {
    cli_error("run: '%s' is precompiled Lua bytecode; gradlab run takes Lua source only (a "
              "binary chunk is not checked, and a damaged one can crash Lua)",
              o->script);
    return CLI_USAGE;
  }
  return CLI_OK;
}

/* Every registered type into summary.json's "plugins", with the absolute path of its file (a
 * path as typed means nothing from another folder). Called at the start and again at the end,
 * for the types a script loaded itself (gradlab.load_plugin records them too, at once); the log
 * lists each once. */
static void record_plugins(run_opts *o) {
  glab_lua_record_plugins(o->log, glab_default_registry());
}

/* Parameters, seed and plugins into summary.json. */
static void describe_run(run_opts *o, lua_State *L) {
  glab_lua_record_seed(o->log, o->have_seed ? o->seed : 42);
  for (int i = 0; i < o->nsets; i++) {
    const char *eq = strchr(o->sets[i], '=');
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
    glab_lua_push_param_value(L, eq + 1); /* the value exactly as gradlab.params has it */
    /* an integer beyond 2^53 (the script gets it exactly) has no exact JSON number: its text */
    if (lua_isinteger(L, -1) && (lua_tointeger(L, -1) > (1LL << 53) ||
                                 lua_tointeger(L, -1) < -(1LL << 53)))
      glab_runlog_set_param_string(o->log, key, eq + 1);
    else if (lua_type(L, -1) == LUA_TNUMBER)
      glab_runlog_set_param_number(o->log, key, lua_tonumber(L, -1));
    else if (lua_type(L, -1) == LUA_TBOOLEAN) /* as the script sees it, not the text "true" */
      glab_runlog_set_param_bool(o->log, key, lua_toboolean(L, -1));
    else
      glab_runlog_set_param_string(o->log, key, eq + 1);
    lua_pop(L, 1);
  }
  record_plugins(o);
}

/* A broken plugin on the search path: said now, written to log.txt once the folder exists. */
static void warn_plugin(void *ud, const char *message) {
  run_opts *o = ud;
  fprintf(stderr, "gradlab: warning: %s (skipped)\n", message);
  char **w = realloc(o->warnings, (size_t)(o->nwarnings + 1) * sizeof *w);
  if (!w) return;
  o->warnings = w;
  if ((w[o->nwarnings] = strdup(message))) o->nwarnings++;
}

static int run_main(run_opts *o, lua_State *L);

int cli_run(int argc, char **argv) {
  run_opts o;
  memset(&o, 0, sizeof o);
  const char **sets = calloc((size_t)argc + 1, sizeof *sets);
  const char **plugins = calloc((size_t)argc + 1, sizeof *plugins);
  lua_State *L = sets && plugins ? luaL_newstate() : NULL;
  if (!L) {
    free(sets);
    free(plugins);
    return cli_error("run: out of memory");
  }
  o.sets = sets;
  o.plugins = plugins;
  int st = parse(argc, argv, &o);
  if (st == CLI_OK) st = check_sets(&o, L);
  /* Plugins and the script before the run folder: a plugin that fails (or crashes, or calls
   * exit) leaves no half-made folder behind. */
  if (st == CLI_OK) {
    run_guard_install();
    st = run_load_plugins(o.plugins, o.nplugins, warn_plugin, &o);
  }
  if (st == CLI_OK) load_script(&o, L);
  int lockfd = -1;
  if (st == CLI_OK && o.out) st = run_folder_prepare(o.out, o.overwrite, &lockfd);
  if (st == CLI_OK)
    st = run_main(&o, L); /* closes L */
  else
    lua_close(L);
  run_guard_context(NULL); /* the end through our own path: the exit hook stays quiet */
  if (lockfd >= 0) close(lockfd);
  for (int i = 0; i < o.nwarnings; i++)
    free(o.warnings[i]);
  free(o.warnings);
  free(sets);
  free(plugins);
  return st < 0 ? CLI_OK : st;
}

/* The run itself: folder, the script under signal handlers, the final flush. */
static int run_main(run_opts *o, lua_State *L) {
  glab_seed((uint64_t)(o->have_seed ? o->seed : 42));
  run_guard_context("creating the run folder %s", o->out ? o->out : "under runs/");
  o->log = glab_runlog_create(o->out, o->script);
  if (!o->log) {
    lua_close(L);
    return cli_error("run: %s", glab_last_error());
  }
  for (int i = 0; i < o->nwarnings; i++)
    glab_runlog_log(o->log, "warning: %s (skipped)", o->warnings[i]);
  describe_run(o, L);
  glab_runlog_log(o->log, "gradlab run %s (seed %llu)", o->script, o->have_seed ? o->seed : 42ULL);
  /* on disk now, not only at the end: a run that dies of a signal keeps its seed, parameters
   * and plugins in summary.json (it had "seed": null, "plugins": []) */
  glab_runlog_write_summary(o->log);
  lua_pushcfunction(L, pmain);
  lua_pushlightuserdata(L, o);
  struct sigaction old_stop[NSTOP], old_pipe;
  signal_L = L;
  for (int i = 0; i < NSTOP; i++) {
    sigaction(stop_signals[i], NULL, &old_stop[i]);
    if (stop_signals[i] != SIGHUP || old_stop[i].sa_handler != SIG_IGN) /* nohup: keep it */
      set_handler(stop_signals[i], on_signal);
  }
  sigaction(SIGPIPE, NULL, &old_pipe);
  set_handler(SIGPIPE, on_sigpipe);
  run_guard_context("running %s", o->script);
  int status = lua_pcall(L, 1, 0, 0);
  signal_L = NULL; /* from here on a signal is only remembered: the folder gets written */
  int rc = CLI_OK;
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (!msg) msg = "(error object is not a string)";
    fprintf(stderr, "%s\n", msg);
    glab_runlog_log(o->log, "error: %s", msg);
    lua_pop(L, 1);
    rc = CLI_FAIL;
  } else if (o->exited) {
    glab_runlog_log(o->log, "script ended by os.exit(%lld)", (long long)o->exit_value);
    /* Any code but 0 is a failure (finished = false). The shell sees only code & 255, and
     * 256 would read as success there: such codes end with 1. */
    rc = (int)(o->exit_value & 0xff);
    if (o->exit_value != 0 && rc == 0) rc = CLI_FAIL;
    if (o->exit_value != 0) /* the line a batch shows as the job's error */
      fprintf(stderr, "gradlab: %s ended by os.exit(%lld)\n", o->script, (long long)o->exit_value);
  }
  /* Close Lua first: models (and their trainers, which write to the log) go with it. */
  run_guard_context("ending %s (closing Lua, writing the run folder %s)", o->script,
                    glab_runlog_dir(o->log));
  lua_sethook(L, NULL, 0, 0);
  lua_close(L);
  record_plugins(o);
  int written;
  if (rc == CLI_OK && !glab_lua_signal) {
    if (o->sweep_ended)
      glab_runlog_log(o->log, "sweep grid written; script ended by gradlab.sweep");
    written = glab_runlog_finish(o->log);
  } else {
    written = glab_runlog_close(o->log); /* finished: false */
  }
  if (written != GLAB_OK) { /* a full disk: the run's files are not complete, say so */
    cli_error("run: %s", glab_last_error());
    if (rc == CLI_OK) rc = CLI_FAIL;
  }
  char *dir = strdup(glab_runlog_dir(o->log));
  glab_runlog_destroy(o->log);
  if (rc == CLI_OK && !glab_lua_signal && dir && !o->sweep_ended) {
    const char *plot = getenv("GRADLAB_PLOT");
    if ((!plot || strcmp(plot, "0")) && !o->no_plot) {
      run_guard_context("drawing the figures of %s", dir);
      cli_plot_dir(dir, 0, 1);
    }
  }
  if (dir) fprintf(stderr, "gradlab: run folder %s\n", dir);
  free(dir);
  int sig = glab_lua_signal;
  if (sig) { /* end as the signal would have, now that the folder is written */
    signal(sig, SIG_DFL);
    raise(sig);
  }
  for (int i = 0; i < NSTOP; i++)
    sigaction(stop_signals[i], &old_stop[i], NULL);
  sigaction(SIGPIPE, &old_pipe, NULL);
  return rc;
}
