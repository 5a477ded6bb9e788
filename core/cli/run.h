/* run.h — what the files of `gradlab run` share (run.c, run_guard.c, run_folder.c). */
#ifndef GRADLAB_CLI_RUN_H
#define GRADLAB_CLI_RUN_H

/* ---- run_guard.c ---- */
/* Install the fatal-signal handlers (SEGV, BUS, FPE, ILL, ABRT: one line naming the context,
 * then the process ends by that signal) and the exit() hook. Once per process. */
void run_guard_install(void);
/* What the run is doing now, for that line: "loading plugin FILE", "running SCRIPT"...
 * (printf-style). NULL: nothing (the run ends through its own path). */
void run_guard_context(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* A plugin on the search path that failed to load: its message. */
typedef void (*run_warn_fn)(void *ud, const char *message);
/* Load the --plugin paths (files or folders; a failure is an error, printed: CLI_FAIL), then
 * the search path (a failure there goes to warn), one file at a time, each under its context. */
int run_load_plugins(const char *const *paths, int npaths, run_warn_fn warn, void *ud);

/* ---- run_folder.c ---- */
/* --out DIR: create it, lock it (*lockfd, held until closed or the process ends; CLI_FAIL with
 * "in use by another gradlab run (pid N)"), then refuse a folder holding a run (CLI_USAGE)
 * unless overwrite, which removes that run's files. */
int run_folder_prepare(const char *dir, int overwrite, int *lockfd);

/* ---- run_lua.c ---- */
typedef struct lua_State lua_State;
/* load/loadfile default to mode "t", dofile and require's Lua searcher take source only. */
void run_text_only(lua_State *L);
/* 1 if the file is a precompiled chunk (after an optional BOM and '#' line, as Lua reads it). */
int run_is_binary_chunk(const char *path);

#endif
