/* plugin_loader.c — loading plugin shared objects into a registry: dlopen(RTLD_NOW|RTLD_LOCAL),
 * ABI check before any plugin code runs, init, and a full rollback on any failure, with messages
 * that name the file and the reason. Also the standard search path. */
#define _GNU_SOURCE /* dladdr */
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <link.h> /* ElfW, STT_FUNC */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gradlab/error.h"
#include "gradlab/plugin.h"
#include "registry_internal.h"

#ifndef GRADLAB_PLUGIN_BUILD_DIR
#define GRADLAB_PLUGIN_BUILD_DIR ""
#endif
#ifndef GRADLAB_PLUGIN_INSTALL_DIR
#define GRADLAB_PLUGIN_INSTALL_DIR ""
#endif

typedef int (*abi_fn)(void);
typedef int (*init_fn)(glab_registry *);

/* Whether the symbol at `addr` is code. An entry symbol that is data (`int glab_plugin_abi = 3;`)
 * would be called and crash; the ELF symbol table says what it is. Unknown: assumed code. */
static int is_function(void *addr) {
  Dl_info info;
  const ElfW(Sym) *sym = NULL;
  if (!dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym) return 1;
  int type = ELF64_ST_TYPE(sym->st_info);
  return type == STT_FUNC || type == STT_GNU_IFUNC;
}

void glab_registry_destroy(glab_registry *r) {
  if (!r) return;
  free(r->e);
  for (size_t i = r->np; i-- > 0;) {
    if (r->p[i].handle) dlclose(r->p[i].handle);
    free(r->p[i].path);
    free(r->p[i].real);
  }
  free(r->p);
  for (size_t i = 0; i < r->nfail; i++)
    free(r->fail[i]);
  free(r->fail);
  for (size_t i = 0; i < r->nwarn; i++)
    free(r->warn[i]);
  free(r->warn);
  free(r);
}

static int loaded_already(const glab_registry *r, const char *real) {
  for (size_t i = 0; i < r->np; i++)
    if (!strcmp(r->p[i].real, real)) return 1;
  return 0;
}

/* Undo a failed load: drop its types and its slot, close it, keep the message. */
static int fail_load(glab_registry *r, size_t nbefore, void *handle, int code, const char *path,
                     const char *what) {
  char msg[1400];
  snprintf(msg, sizeof msg, "plugin %s: %s", path, what);
  glab_registry_truncate(r, nbefore);
  if (r->loading >= 0) {
    free(r->p[r->loading].path);
    free(r->p[r->loading].real);
    r->np--;
    r->loading = -1;
  }
  r->reg_failed = 0;
  if (handle) dlclose(handle);
  if (r->nfail == r->failcap) {
    size_t cap = r->failcap ? 2 * r->failcap : 8;
    char **nf = realloc(r->fail, cap * sizeof *nf);
    if (nf) {
      r->fail = nf;
      r->failcap = cap;
    }
  }
  if (r->nfail < r->failcap && (r->fail[r->nfail] = strdup(msg))) r->nfail++;
  return glab_error(code, "%s", msg);
}

int glab_plugin_load(glab_registry *r, const char *path) {
  char what[1200], real[PATH_MAX];
  struct stat st;
  if (!r || !path || !*path) return glab_error(GLAB_ERR_ARG, "plugin load: NULL registry or path");
  if (r->loading >= 0)
    return glab_error(GLAB_ERR_STATE, "plugin %s: loaded from inside another plugin's init", path);
  if (stat(path, &st) != 0 || !realpath(path, real))
    return glab_error(GLAB_ERR_NOTFOUND, "plugin %s: no such file", path);
  if (!S_ISREG(st.st_mode))
    return glab_error(GLAB_ERR_PLUGIN, "plugin %s: not a regular file", path);
  if (loaded_already(r, real)) return GLAB_OK;

  size_t nbefore = r->n;
  dlerror();
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    snprintf(what, sizeof what, "not a loadable shared object: %s", e ? e : "dlopen failed");
    return fail_load(r, nbefore, NULL, GLAB_ERR_PLUGIN, path, what);
  }
  dlerror();
  abi_fn abi = (abi_fn)(uintptr_t)dlsym(h, "glab_plugin_abi");
  if (!abi) {
    const char *e = dlerror();
    snprintf(what, sizeof what,
             "missing entry symbol 'glab_plugin_abi' (define the plugin with "
             "GLAB_PLUGIN(init) from <gradlab/plugin.h>): %s",
             e ? e : "not found");
    return fail_load(r, nbefore, h, GLAB_ERR_PLUGIN, path, what);
  }
  dlerror();
  init_fn init = (init_fn)(uintptr_t)dlsym(h, "glab_plugin_init");
  if (!init) {
    const char *e = dlerror();
    snprintf(what, sizeof what,
             "missing entry symbol 'glab_plugin_init' (define the plugin with "
             "GLAB_PLUGIN(init) from <gradlab/plugin.h>): %s",
             e ? e : "not found");
    return fail_load(r, nbefore, h, GLAB_ERR_PLUGIN, path, what);
  }
  const char *data_entry = !is_function((void *)(uintptr_t)abi)    ? "glab_plugin_abi"
                           : !is_function((void *)(uintptr_t)init) ? "glab_plugin_init"
                                                                   : NULL;
  if (data_entry) {
    snprintf(what, sizeof what,
             "entry symbol '%s' is not a function (define the plugin with GLAB_PLUGIN(init) "
             "from <gradlab/plugin.h>)",
             data_entry);
    return fail_load(r, nbefore, h, GLAB_ERR_PLUGIN, path, what);
  }
  int v = abi();
  if (v != GLAB_PLUGIN_ABI) {
    char a[64], b[64];
    snprintf(what, sizeof what,
             "ABI mismatch: the plugin was built for %s, this gradlab is %s; "
             "rebuild the plugin against this SDK",
             glab_abi_text(v, a, sizeof a), glab_abi_text(GLAB_PLUGIN_ABI, b, sizeof b));
    return fail_load(r, nbefore, h, GLAB_ERR_PLUGIN, path, what);
  }

  if (r->np == r->pcap) {
    size_t cap = r->pcap ? 2 * r->pcap : 16;
    reg_plugin *np = realloc(r->p, cap * sizeof *np);
    if (!np) return fail_load(r, nbefore, h, GLAB_ERR_NOMEM, path, "out of memory");
    r->p = np;
    r->pcap = cap;
  }
  reg_plugin *p = &r->p[r->np];
  p->path = strdup(path);
  p->real = strdup(real);
  p->handle = h;
  p->abi = v;
  if (!p->path || !p->real) {
    free(p->path);
    free(p->real);
    return fail_load(r, nbefore, h, GLAB_ERR_NOMEM, path, "out of memory");
  }
  r->loading = (long)r->np++;
  r->reg_failed = 0;
  glab_clear_error();
  int rc = init(r);
  if (r->reg_failed) {
    snprintf(what, sizeof what, "%s", r->reg_msg);
    return fail_load(r, nbefore, h, GLAB_ERR_PLUGIN, path, what);
  }
  if (rc != GLAB_OK) {
    const char *e = glab_last_error();
    snprintf(what, sizeof what, "init failed (status %d): %s", rc,
             e && *e ? e : "(the plugin gave no message)");
    return fail_load(r, nbefore, h, GLAB_ERR_PLUGIN, path, what);
  }
  r->loading = -1;
  return GLAB_OK;
}

/* ---- folders and the search path ---- */

typedef struct failures {
  int status, count;
  char first[1400];
} failures;

static void note_failure(failures *f) {
  if (!f->count++) {
    f->status = glab_last_status() ? glab_last_status() : GLAB_ERR_PLUGIN;
    snprintf(f->first, sizeof f->first, "%s", glab_last_error());
  }
}

static int finish(failures *f) {
  if (!f->count) return GLAB_OK;
  if (f->count == 1) return glab_error((glab_status)f->status, "%s", f->first);
  return glab_error((glab_status)f->status, "%s (and %d more plugin load failures)", f->first,
                    f->count - 1);
}

static int ends_with_so(const char *name) {
  size_t n = strlen(name);
  return n > 3 && !strcmp(name + n - 3, ".so");
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void load_dir(glab_registry *r, const char *dir, failures *f) {
  DIR *d = opendir(dir);
  if (!d) return;
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.' || !ends_with_so(de->d_name)) continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 32;
      char **nn = realloc(names, cap * sizeof *nn);
      if (!nn) break;
      names = nn;
    }
    names[n] = strdup(de->d_name);
    if (names[n]) n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (glab_plugin_load(r, path) != GLAB_OK) note_failure(f);
    free(names[i]);
  }
  free(names);
}

int glab_plugin_load_dir(glab_registry *r, const char *dir) {
  failures f = {0};
  struct stat st;
  if (!r || !dir) return glab_error(GLAB_ERR_ARG, "plugin folder: NULL registry or path");
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return glab_error(GLAB_ERR_NOTFOUND, "plugin folder %s: no such folder", dir);
  load_dir(r, dir, &f);
  return finish(&f);
}

static int is_dir(const char *p) {
  struct stat st;
  return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder holding the running libgradlab, or "" if unknown. */
static void lib_dir(char *buf, size_t size) {
  Dl_info info;
  buf[0] = '\0';
  if (!dladdr((void *)(uintptr_t)&glab_plugin_load, &info) || !info.dli_fname) return;
  char real[PATH_MAX];
  if (!realpath(info.dli_fname, real)) return;
  char *slash = strrchr(real, '/');
  if (slash) *slash = '\0';
  snprintf(buf, size, "%s", real);
}

/* The default folders after GRADLAB_PLUGIN_PATH: the build tree's when this libgradlab lives
 * in that build tree ("<build>/lib" next to "<build>/plugins"), else the installed one. */
static void default_dirs(char *build, char *installed, size_t size) {
  char lib[PATH_MAX], b[PATH_MAX];
  build[0] = installed[0] = '\0';
  lib_dir(lib, sizeof lib);
  if (*GRADLAB_PLUGIN_BUILD_DIR && realpath(GRADLAB_PLUGIN_BUILD_DIR "/../lib", b) && *lib &&
      !strcmp(b, lib)) {
    snprintf(build, size, "%s", GRADLAB_PLUGIN_BUILD_DIR);
    return;
  }
  if (*lib) {
    snprintf(installed, size, "%s/gradlab/plugins", lib);
    if (is_dir(installed)) return;
  }
  snprintf(installed, size, "%s", GRADLAB_PLUGIN_INSTALL_DIR);
}

const char *glab_plugin_search_path(char *buf, size_t size) {
  char build[PATH_MAX], inst[PATH_MAX];
  const char *env = getenv("GRADLAB_PLUGIN_PATH");
  default_dirs(build, inst, sizeof build);
  snprintf(buf, size, "%s%s%s%s%s", env && *env ? env : "", env && *env ? ":" : "", build,
           *build && *inst ? ":" : "", inst);
  return buf;
}

static void load_path_item(glab_registry *r, const char *item, failures *f) {
  if (is_dir(item))
    load_dir(r, item, f);
  else if (glab_plugin_load(r, item) != GLAB_OK)
    note_failure(f);
}

/* Remember a search-path warning once per registry (out of memory: dropped). */
static void add_warning(glab_registry *r, const char *msg) {
  for (size_t i = 0; i < r->nwarn; i++)
    if (!strcmp(r->warn[i], msg)) return;
  if (r->nwarn == r->warncap) {
    size_t cap = r->warncap ? 2 * r->warncap : 4;
    char **nw = realloc(r->warn, cap * sizeof *nw);
    if (!nw) return;
    r->warn = nw;
    r->warncap = cap;
  }
  if ((r->warn[r->nwarn] = strdup(msg))) r->nwarn++;
}

/* GRADLAB_PLUGIN_PATH, then the build tree's folder, then the installed one. A path entry that
 * is not there is a warning, not a failure: a stale folder in a profile must not stop every
 * script, but it should not be silent either (a typo looks like "my plugin is not found"). */
static void load_search_path(glab_registry *r, failures *f) {
  const char *env = getenv("GRADLAB_PLUGIN_PATH");
  if (env && *env) {
    char *copy = strdup(env), *save = NULL;
    for (char *tok = copy ? strtok_r(copy, ":", &save) : NULL; tok;
         tok = strtok_r(NULL, ":", &save)) {
      struct stat st;
      char msg[PATH_MAX + 96];
      if (is_dir(tok)) {
        load_dir(r, tok, f);
      } else if (ends_with_so(tok)) {
        load_path_item(r, tok, f); /* a missing .so is a failure ("no such file"), as before */
      } else if (stat(tok, &st) != 0) {
        snprintf(msg, sizeof msg, "GRADLAB_PLUGIN_PATH folder %s does not exist", tok);
        add_warning(r, msg);
      } else {
        snprintf(msg, sizeof msg, "GRADLAB_PLUGIN_PATH entry %s is neither a folder nor a .so file",
                 tok);
        add_warning(r, msg);
      }
    }
    free(copy);
  }
  char build[PATH_MAX], inst[PATH_MAX];
  default_dirs(build, inst, sizeof build);
  if (is_dir(build)) load_dir(r, build, f);
  if (is_dir(inst)) load_dir(r, inst, f);
}

int glab_plugins_load_default(glab_registry *r, const char *const *paths, int npaths) {
  failures f = {0};
  if (!r) return glab_error(GLAB_ERR_ARG, "plugins: NULL registry");
  for (int i = 0; i < npaths; i++)
    if (paths && paths[i]) load_path_item(r, paths[i], &f);
  size_t before = r->nwarn;
  load_search_path(r, &f);
  for (size_t i = before; i < r->nwarn; i++)
    fprintf(stderr, "gradlab: warning: %s (skipped)\n", r->warn[i]);
  return finish(&f);
}

int glab_plugins_load_tolerant(glab_registry *r, const char *const *paths, int npaths,
                               void (*warn)(void *ctx, const char *message), void *ctx) {
  failures f = {0};
  if (!r) return glab_error(GLAB_ERR_ARG, "plugins: NULL registry");
  for (int i = 0; i < npaths; i++)
    if (paths && paths[i]) load_path_item(r, paths[i], &f);
  if (f.count) return finish(&f);
  size_t before = glab_registry_failure_count(r), wbefore = r->nwarn;
  load_search_path(r, &f);
  size_t after = glab_registry_failure_count(r);
  for (size_t i = wbefore; warn && i < r->nwarn; i++)
    warn(ctx, r->warn[i]);
  /* A file that failed before fails again with the same message: say it once per registry. */
  for (size_t i = before; warn && i < after; i++) {
    const char *msg = glab_registry_failure(r, i);
    int seen = 0;
    for (size_t j = 0; j < before && !seen; j++)
      seen = !strcmp(msg, glab_registry_failure(r, j));
    if (!seen) warn(ctx, msg);
  }
  glab_clear_error();
  return GLAB_OK;
}
