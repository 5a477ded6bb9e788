/* plugins.c — `gradlab plugins`: list every registered type (kind, name, ABI, plugin file), or
 * `--describe NAME` to print a type's options with kinds, defaults and docs. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "run.h"
#include "gradlab/error.h"
#include "gradlab/layer.h"
#include "gradlab/optim.h"
#include "gradlab/registry.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: gradlab plugins [--plugin PATH]... [--describe NAME]\n\n"
          "List every loaded layer, optimizer and pretrainer type with its plugin file and ABI,\n"
          "or describe one type's options.\n\n"
          "  --plugin PATH     load this plugin file or folder first (repeatable)\n"
          "  --describe NAME   print NAME's options: kind, default and documentation\n"
          "  -h, --help        this help\n\n"
          "Search order: --plugin paths, GRADLAB_PLUGIN_PATH (colon-separated), the build tree's\n"
          "plugins folder, the installed $libdir/gradlab/plugins. Here that is:\n");
  char path[4096];
  glab_plugin_search_path(path, sizeof path);
  for (char *p = path, *colon; *p; p = colon + 1) {
    colon = strchr(p, ':');
    if (colon) *colon = '\0';
    fprintf(f, "  %s\n", p);
    if (!colon) break;
  }
}

/* Loads the standard search into the default registry; prints each failure on its own line
 * (the search-path warnings, such as a missing GRADLAB_PLUGIN_PATH folder, are printed by
 * glab_plugins_load_default itself, once: not again here). Returns the number of distinct
 * failures (0 when all loaded). Shared with gradcheck.c. */
int cli_load_plugins(const char *const *paths, int n);
int cli_load_plugins(const char *const *paths, int n) {
  glab_registry *reg = glab_default_registry();
  if (!reg) return cli_error("%s", glab_last_error()), 1;
  size_t before = glab_registry_failure_count(reg);
  /* A plugin that crashes (or calls exit()) in its init ends the process: say where it was, as
   * gradlab run does ("gradlab: fatal: signal 11 (SIGSEGV) while loading plugins from ..."). */
  run_guard_install();
  char where[4096] = "", sp[4096];
  size_t len = 0;
  for (int i = 0; i < n && len + 1 < sizeof where; i++)
    len += (size_t)snprintf(where + len, sizeof where - len, "%s%s", i ? " " : "", paths[i]);
  glab_plugin_search_path(sp, sizeof sp);
  run_guard_context("loading plugins from %s%s%s", where, *where && *sp ? " " : "", sp);
  int ok = glab_plugins_load_default(reg, paths, n) == GLAB_OK;
  run_guard_context(NULL);
  if (ok) return 0;
  size_t after = glab_registry_failure_count(reg);
  if (after == before) return cli_error("%s", glab_last_error()), 1;
  /* A file named twice (a folder both in --plugin and on GRADLAB_PLUGIN_PATH) fails twice with
   * one message: one problem, said once. */
  int count = 0;
  for (size_t i = before; i < after; i++) {
    const char *msg = glab_registry_failure(reg, i);
    size_t j = before;
    while (j < i && strcmp(msg, glab_registry_failure(reg, j)))
      j++;
    if (j < i) continue;
    cli_error("%s", msg);
    count++;
  }
  return count;
}

static void print_options(const glab_option *o, int *any) {
  for (; o && o->name; o++) {
    const char *def = !o->def ? "(required)" : !*o->def ? "(unset)" : o->def;
    printf("  %-18s %-7s %-16s %s\n", o->name, glab_opt_kind_name(o->kind), def,
           o->doc ? o->doc : "");
    *any = 1;
  }
}

static int describe(const char *name) {
  glab_registry *reg = glab_default_registry();
  size_t n = glab_registry_count(reg), found = 0;
  for (size_t i = 0; i < n; i++) {
    glab_type_kind kind;
    const char *nm, *file, *doc;
    const glab_option *opts;
    glab_registry_entry(reg, i, &kind, &nm, &file, &doc, &opts);
    if (strcmp(nm, name)) continue;
    char abi[64];
    if (found++) printf("\n");
    printf("%s (%s)\n  %s\n\nfile: %s\nabi:  %s\n\noptions:\n", nm, glab_type_kind_name(kind), doc,
           file, glab_abi_text(glab_registry_entry_abi(reg, i), abi, sizeof abi));
    int any = 0;
    printf("  %-18s %-7s %-16s %s\n", "NAME", "KIND", "DEFAULT", "DOC");
    print_options(opts, &any);
    if (kind == GLAB_KIND_OPTIMIZER) print_options(glab_optimizer_generic_options(), &any);
    if (kind == GLAB_KIND_LAYER) { /* `name`, which the embedder handles for every layer */
      print_options(glab_layer_generic_options(), &any);
      const glab_layer_type *t = glab_registry_layer(reg, nm);
      if (t && t->takes_children) printf("  (takes child layers)\n");
    }
    if (!any) printf("  (none)\n");
  }
  if (found) return CLI_OK;
  /* unknown: suggest among every registered name */
  const char *names[512];
  size_t nn = 0;
  for (size_t i = 0; i < n && nn < 512; i++)
    glab_registry_entry(reg, i, NULL, &names[nn++], NULL, NULL, NULL);
  const char *s = glab_name_suggest(names, nn, name);
  if (s) return cli_error("no type named '%s'; did you mean '%s'?", name, s);
  return cli_error("no type named '%s' (run 'gradlab plugins' for the list)", name);
}

static void list(void) {
  glab_registry *reg = glab_default_registry();
  size_t n = glab_registry_count(reg);
  printf("%-11s %-14s %-15s %s\n", "KIND", "NAME", "ABI", "FILE");
  for (size_t i = 0; i < n; i++) {
    glab_type_kind kind;
    const char *nm, *file;
    char abi[64];
    glab_registry_entry(reg, i, &kind, &nm, &file, NULL, NULL);
    printf("%-11s %-14s %-15s %s\n", glab_type_kind_name(kind), nm,
           glab_abi_text(glab_registry_entry_abi(reg, i), abi, sizeof abi), file);
  }
  if (!n) {
    char path[4096];
    printf("(no types loaded; searched: %s)\n", glab_plugin_search_path(path, sizeof path));
  }
}

int cli_plugins(int argc, char **argv) {
  static const struct option longopts[] = {{"plugin", required_argument, NULL, 'p'},
                                           {"describe", required_argument, NULL, 'd'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *paths[64];
  int npaths = 0, c;
  const char *desc = NULL;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "+p:d:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'p':
      if (npaths == 64) return cli_error("too many --plugin options (64 at most)"), CLI_USAGE;
      paths[npaths++] = optarg;
      break;
    case 'd':
      desc = optarg;
      break;
    case 'h':
      usage(stdout);
      return CLI_OK;
    default:
      cli_error("plugins: unknown option or missing value '%s'", argv[optind - 1]);
      usage(stderr);
      return CLI_USAGE;
    }
  }
  if (optind < argc) {
    cli_error("plugins: unexpected argument '%s'", argv[optind]);
    usage(stderr);
    return CLI_USAGE;
  }
  if (cli_check_plugin_paths("plugins", paths, npaths) != CLI_OK) return CLI_USAGE;
  int failures = cli_load_plugins(paths, npaths);
  int rc = desc ? describe(desc) : (list(), CLI_OK);
  return failures ? CLI_FAIL : rc;
}
