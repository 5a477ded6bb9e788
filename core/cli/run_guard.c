/* run_guard.c — what `gradlab run` does before the run folder exists, and what it says when the
 * process dies: plugins are loaded one file at a time (explicit --plugin paths, then the search
 * path), each under a context line ("loading plugin FILE", later "running SCRIPT"), so that a
 * fatal signal (SEGV, BUS, FPE, ILL, ABRT) prints `gradlab: fatal: signal N (NAME) while
 * CONTEXT` — with write(2) only, async-signal-safe — and then ends the process by that signal.
 * exit() called from C code (a plugin) cannot be stopped; an atexit hook names the context. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gradlab/error.h"
#include "gradlab/registry.h"
#include "run.h"

/* ---- the context and the fatal-signal line ---- */

/* Two buffers: the handler reads the one fatal_ctx points at while the next one is written. */
static char ctx_buf[2][4200];
static int ctx_next;
static const char *volatile fatal_ctx;

void run_guard_context(const char *fmt, ...) {
  if (!fmt) {
    fatal_ctx = NULL;
    return;
  }
  char *b = ctx_buf[ctx_next];
  ctx_next ^= 1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b, sizeof ctx_buf[0], fmt, ap);
  va_end(ap);
  fatal_ctx = b;
}

static const struct {
  int sig;
  const char *name;
} fatal_signals[] = {
    {SIGSEGV, "SIGSEGV"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
    {SIGILL, "SIGILL"},   {SIGABRT, "SIGABRT"},
};
enum { NFATAL = sizeof fatal_signals / sizeof fatal_signals[0] };
static struct sigaction fatal_old[NFATAL]; /* what was there before (a sanitizer's handler) */

/* Append s to the line buffer (async-signal-safe: no stdio). */
static size_t put(char *buf, size_t n, size_t size, const char *s) {
  while (*s && n + 1 < size)
    buf[n++] = *s++;
  return n;
}

static size_t put_int(char *buf, size_t n, size_t size, int v) {
  char d[16];
  int k = 0;
  unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
  do
    d[k++] = (char)('0' + u % 10);
  while ((u /= 10) && k < 15);
  if (v < 0 && n + 1 < size) buf[n++] = '-';
  while (k > 0 && n + 1 < size)
    buf[n++] = d[--k];
  return n;
}

static void write_line(const char *head, int sig, const char *name, const char *tail) {
  char line[4400];
  size_t n = put(line, 0, sizeof line, head);
  if (sig) {
    n = put(line, n, sizeof line, "signal ");
    n = put_int(line, n, sizeof line, sig);
    n = put(line, n, sizeof line, " (");
    n = put(line, n, sizeof line, name);
    n = put(line, n, sizeof line, ") ");
  }
  const char *ctx = fatal_ctx;
  n = put(line, n, sizeof line, "while ");
  n = put(line, n, sizeof line, ctx ? ctx : "ending");
  n = put(line, n, sizeof line, tail);
  line[n++] = '\n';
  for (size_t off = 0; off < n;) {
    ssize_t w = write(2, line + off, n - off);
    if (w <= 0) break;
    off += (size_t)w;
  }
}

static void on_fatal(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  int i = 0;
  while (i < NFATAL - 1 && fatal_signals[i].sig != sig)
    i++;
  write_line("gradlab: fatal: ", sig, fatal_signals[i].name, "");
  /* The disposition from before: a sanitizer's handler gets the fault (and reports it), else
   * the default action ends the process by the signal, so its exit status stays the signal. */
  struct sigaction old = fatal_old[i];
  int chained = (old.sa_flags & SA_SIGINFO)
                    ? old.sa_sigaction != NULL
                    : old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN;
  if (!chained) {
    memset(&old, 0, sizeof old);
    old.sa_handler = SIG_DFL;
    sigemptyset(&old.sa_mask);
  }
  sigaction(sig, &old, NULL);
  if (chained && si && si->si_code > 0) return; /* a fault: it happens again, for that handler */
  raise(sig);                                   /* sent (kill, abort): send it again */
}

static void on_exit_hook(void) {
  if (fatal_ctx) /* the run did not end through its own path: C code called exit() */
    write_line("gradlab: fatal: exit() called ", 0, NULL,
               " (from C code, e.g. a plugin: gradlab cannot stop that)");
}

void run_guard_install(void) {
  static int done;
  if (done) return;
  done = 1;
  /* A stack of its own for the handler, so a stack overflow (deep recursion in C) still gets
   * its line; unless one is set already (a sanitizer's). */
  static char alt[1 << 16];
  stack_t ss;
  if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_DISABLE)) {
    ss.ss_sp = alt;
    ss.ss_size = sizeof alt;
    ss.ss_flags = 0;
    sigaltstack(&ss, NULL);
  }
  for (int i = 0; i < NFATAL; i++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(fatal_signals[i].sig, &sa, &fatal_old[i]);
  }
  atexit(on_exit_hook);
}

/* ---- plugins, one file at a time ---- */

static int ends_with_so(const char *name) {
  size_t n = strlen(name);
  return n > 3 && !strcmp(name + n - 3, ".so");
}

static int is_dir(const char *p) {
  struct stat st;
  return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct loader {
  glab_registry *reg;
  run_warn_fn warn; /* NULL: a failure is an error */
  void *ud;
  int failed;
} loader;

static void load_file(loader *ld, const char *path) {
  run_guard_context("loading plugin %s", path);
  if (glab_plugin_load(ld->reg, path) == GLAB_OK) return;
  if (ld->warn)
    ld->warn(ld->ud, glab_last_error());
  else if (!ld->failed++)
    cli_error("run: %s", glab_last_error());
}

/* Every *.so of a folder, sorted by name (as the core's loader takes them). */
static void load_folder(loader *ld, const char *dir) {
  run_guard_context("loading plugins from %s", dir);
  DIR *d = opendir(dir);
  if (!d) return;
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || !ends_with_so(e->d_name)) continue;
    if (n == cap) {
      char **nn = realloc(names, (cap = cap ? 2 * cap : 32) * sizeof *nn);
      if (!nn) break;
      names = nn;
    }
    if ((names[n] = strdup(e->d_name))) n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (!ld->failed) load_file(ld, path);
    free(names[i]);
  }
  free(names);
}

int run_load_plugins(const char *const *paths, int npaths, run_warn_fn warn, void *ud) {
  loader ld = {glab_default_registry(), NULL, NULL, 0};
  for (int i = 0; i < npaths && !ld.failed; i++)
    if (is_dir(paths[i]))
      load_folder(&ld, paths[i]);
    else
      load_file(&ld, paths[i]);
  if (ld.failed) return CLI_FAIL;
  /* The search path (GRADLAB_PLUGIN_PATH, the build tree's folder, the installed one): a
   * broken file there is skipped with a warning, as glab_plugins_load_tolerant does. */
  ld.warn = warn;
  ld.ud = ud;
  char sp[8192];
  glab_plugin_search_path(sp, sizeof sp);
  for (char *save = NULL, *tok = strtok_r(sp, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
    if (is_dir(tok))
      load_folder(&ld, tok);
    else if (ends_with_so(tok))
      load_file(&ld, tok);
  glab_clear_error();
  return CLI_OK;
}
