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
          "exceeds the tolerance (%g in this %s build) or cannot be built.\n\n"
          "  --plugin PATH   load this plugin file or folder first (repeatable)\n"
          "  -h, --help      this help\n",
          glab_layer_check_tolerance(), GLAB_REAL_NAME);
}

/* Each type's line is flushed as it is printed: a type that crashes in its forward or backward
 * (a new plugin's likeliest failure) ends the process, and the lines before it (and the fatal
 * line naming it) must still reach a pipe. */
static int check_one(glab_registry *reg, const char *name, double tol) {
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
  printf("%-12s %-5s  worst %.3e (input %.3e, params %.3e; at %s; %zu elements, %d params)\n", name,
         ok ? "ok" : "FAIL", rep.worst, rep.worst_input, rep.worst_param, rep.worst_where,
         rep.checked, rep.nparams);
  fflush(stdout);
  return !ok;
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
  int failed = cli_load_plugins(paths, npaths) ? 1 : 0;
  glab_registry *reg = glab_default_registry();
  double tol = glab_layer_check_tolerance();
  int bad = 0, checked = 0;
  printf("gradcheck (%s build, tolerance %g)\n", GLAB_REAL_NAME, tol);
  fflush(stdout);
  if (optind < argc) {
    for (int i = optind; i < argc; i++, checked++)
      bad += check_one(reg, argv[i], tol);
  } else {
    size_t n = glab_registry_count(reg);
    for (size_t i = 0; i < n; i++) {
      glab_type_kind kind;
      const char *name;
      glab_registry_entry(reg, i, &kind, &name, NULL, NULL, NULL);
      if (kind != GLAB_KIND_LAYER) continue;
      bad += check_one(reg, name, tol);
      checked++;
    }
  }
  if (!checked) return cli_error("no layer types to check (are plugins on the search path?)");
  printf("%d of %d layer types passed\n", checked - bad, checked);
  return bad || failed ? CLI_FAIL : CLI_OK;
}
