/* gradcheck.c — `gradlab gradcheck [TYPE...]`: the conformance gradient check of every (or the
 * named) registered layer type, against central finite differences; exit 1 on any failure. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "run.h"
#include "gradlab/error.h"
#include "gradlab/layer.h"
#include "gradlab/registry.h"

int cli_load_plugins(const char *const *paths, int n); /* plugins.c */

static void usage(FILE *f) {
  fprintf(f,
          "usage: gradlab gradcheck [--plugin PATH]... [TYPE...]\n\n"
          "Check the input gradient and every parameter gradient of each layer type (all loaded\n"
          "types, or the named ones) against central finite differences, in training and\n"
          "evaluation mode, and print the worst relative errors. Exit status 1 if any type\n"
          "exceeds the tolerance (%g in this %s build) or cannot be built, or if a plugin\n"
          "fails to load (a name clash, a bad ABI, a failed init: the report ends with why).\n\n"
          "  --plugin PATH   load this plugin file or folder first (repeatable)\n"
          "  -h, --help      this help\n",
          glab_layer_check_tolerance(), GLAB_REAL_NAME);
}

/* Whether failure i (from `from` on) repeats an earlier one: a folder named twice (--plugin and
 * GRADLAB_PLUGIN_PATH) fails twice with the same message, which is one problem. */
static int repeated(const glab_registry *reg, size_t from, size_t i) {
  for (size_t j = from; j < i; j++)
    if (!strcmp(glab_registry_failure(reg, i), glab_registry_failure(reg, j))) return 1;
  return 0;
}

/* Whether a load failure since `from` is a clash over the layer type `name` (the registry's
 * "layer type 'NAME' from B is already registered by A"): the type checked under that name is
 * then A's, and its line says so, or "dense ok" would pass for the shipped dense. */
static int clashed(const glab_registry *reg, size_t from, const char *name) {
  char needle[128];
  snprintf(needle, sizeof needle, "layer type '%s' from ", name);
  for (size_t i = from, n = glab_registry_failure_count(reg); i < n; i++) {
    const char *msg = glab_registry_failure(reg, i);
    if (strstr(msg, needle) && strstr(msg, " is already registered by ")) return 1;
  }
  return 0;
}

/* Each type's line is flushed as it is printed: a type that crashes in its forward or backward
 * (a new plugin's likeliest failure) ends the process, and the lines before it (and the fatal
 * line naming it) must still reach a pipe. */
static int check_one(glab_registry *reg, const char *name, double tol, size_t fail_from) {
  glab_layer_check rep;
  const char *file = "?";
  for (size_t i = 0, n = glab_registry_count(reg); i < n; i++) {
    glab_type_kind kind;
    const char *nm, *f;
    glab_registry_entry(reg, i, &kind, &nm, &f, NULL, NULL);
    if (kind == GLAB_KIND_LAYER && !strcmp(nm, name)) file = f;
  }
  run_guard_context("checking layer type %s (%s)", name, file);
  int rc = glab_layer_gradcheck(reg, name, &rep);
  run_guard_context(NULL);
  if (rc != GLAB_OK) {
    printf("%-12s ERROR  %s\n", name, glab_last_error());
    fflush(stdout);
    return 1;
  }
  int ok = rep.worst <= tol;
  printf("%-12s %-5s  worst %.3e (input %.3e, params %.3e; at %s; %zu elements, %d params)", name,
         ok ? "ok" : "FAIL", rep.worst, rep.worst_input, rep.worst_param, rep.worst_where,
         rep.checked, rep.nparams);
  if (clashed(reg, fail_from, name))
    printf(" [checked: the one from %s; see the clash below]", file);
  printf("\n");
  fflush(stdout);
  return !ok;
}

/* The verdict. A plugin that failed to load (a clash, a bad ABI, a failed init) fails the
 * command even when every type that did load passed, so the last lines say so and why — each
 * message names the file (a clash both files) — rather than "N of N passed" and exit 1. */
static void summary(const glab_registry *reg, size_t fail_from, int checked, int bad) {
  size_t n = glab_registry_failure_count(reg);
  int nfail = 0;
  for (size_t i = fail_from; i < n; i++)
    nfail += !repeated(reg, fail_from, i);
  printf("%d of %d layer types passed", checked - bad, checked);
  if (!nfail) {
    printf("\n");
    return;
  }
  printf(", %s %d plugin%s failed to load:\n", bad ? "and" : "but", nfail, nfail > 1 ? "s" : "");
  for (size_t i = fail_from; i < n; i++)
    if (!repeated(reg, fail_from, i)) printf("  %s\n", glab_registry_failure(reg, i));
}

int cli_gradcheck(int argc, char **argv) {
  static const struct option longopts[] = {{"plugin", required_argument, NULL, 'p'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *paths[64];
  int npaths = 0, c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'p':
      if (npaths == 64) return cli_error("too many --plugin options (64 at most)"), CLI_USAGE;
      paths[npaths++] = optarg;
      break;
    case 'h':
      usage(stdout);
      return CLI_OK;
    default:
      cli_error("gradcheck: unknown option or missing value '%s'", argv[optind - 1]);
      usage(stderr);
      return CLI_USAGE;
    }
  }
  if (cli_check_plugin_paths("gradcheck", paths, npaths) != CLI_OK) return CLI_USAGE;
  glab_registry *reg = glab_default_registry();
  size_t fail_from = glab_registry_failure_count(reg);
  int failed = cli_load_plugins(paths, npaths) ? 1 : 0;
  double tol = glab_layer_check_tolerance();
  int bad = 0, checked = 0;
  printf("gradcheck (%s build, tolerance %g)\n", GLAB_REAL_NAME, tol);
  fflush(stdout);
  if (optind < argc) {
    for (int i = optind; i < argc; i++, checked++)
      bad += check_one(reg, argv[i], tol, fail_from);
  } else {
    size_t n = glab_registry_count(reg);
    for (size_t i = 0; i < n; i++) {
      glab_type_kind kind;
      const char *name;
      glab_registry_entry(reg, i, &kind, &name, NULL, NULL, NULL);
      if (kind != GLAB_KIND_LAYER) continue;
      bad += check_one(reg, name, tol, fail_from);
      checked++;
    }
  }
  if (!checked) return cli_error("no layer types to check (are plugins on the search path?)");
  summary(reg, fail_from, checked, bad);
  return bad || failed ? CLI_FAIL : CLI_OK;
}
