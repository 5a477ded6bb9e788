/* main.c — the gradlab command: global options and dispatch to one file per subcommand. */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gradlab/build_config.h"
#include "gradlab/tensor.h"

static const struct {
  const char *name;
  int (*fn)(int, char **);
  const char *summary;
} commands[] = {
    {"run", cli_run, "run one Lua study script into a run folder"},
    {"batch", cli_batch, "run many scripts / a parameter grid in parallel, resumable"},
    {"merge", cli_merge, "combine the outputs of sharded batches into one summary"},
    {"plugins", cli_plugins, "list loaded plugin types, or --describe NAME"},
    {"gradcheck", cli_gradcheck,
     "check every (or the named) layer type against finite differences"},
    {"plot", cli_plot, "draw a run folder's figures with gnuplot"},
};

int cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("gradlab: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return CLI_FAIL;
}

int cli_check_plugin_paths(const char *cmd, const char *const *paths, int n) {
  for (int i = 0; i < n; i++) {
    struct stat st;
    if (stat(paths[i], &st) != 0) {
      cli_error("%s: --plugin '%s': %s", cmd, paths[i],
                errno == ENOENT ? "no such file or folder" : strerror(errno));
      return CLI_USAGE;
    }
  }
  return CLI_OK;
}

const char *cli_self_path(void) {
  static char path[4096];
  if (!path[0]) {
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return "gradlab";
    path[n] = '\0';
  }
  return path;
}

static void usage(FILE *f) {
  fprintf(f, "usage: gradlab COMMAND [ARGS...]\n"
             "       gradlab COMMAND --help\n\n"
             "gradlab studies how gradients flow through deep networks.\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "  %-10s %s\n", "version", "print the version and build (real type)");
  fprintf(f, "\nexit status: 0 success, 1 error in the work, 2 bad usage\n");
}

static void on_sigxfsz(int sig) {
  (void)sig; /* the write that passed the limit fails with EFBIG instead */
}

int main(int argc, char **argv) {
  /* A file size limit (ulimit -f) ends a process with SIGXFSZ at the write that passes it,
   * without a word and with the rows still buffered lost. Caught, the write fails with EFBIG
   * and is reported as any failed write ("cannot write metrics.csv in DIR: File too large",
   * every whole row kept). Caught, not ignored, so that the programs gradlab starts (gnuplot,
   * batch jobs) get the default back. */
  struct sigaction xfsz;
  memset(&xfsz, 0, sizeof xfsz);
  xfsz.sa_handler = on_sigxfsz;
  sigemptyset(&xfsz.sa_mask);
  sigaction(SIGXFSZ, &xfsz, NULL);
  if (argc < 2) {
    usage(stderr);
    return CLI_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return CLI_OK;
  }
  if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
      printf("usage: gradlab version\n\nPrints the version and the build's real type.\n");
      return CLI_OK;
    }
    if (argc > 2) {
      cli_error("%s takes no arguments (got '%s')", cmd, argv[2]);
      return CLI_USAGE;
    }
    printf("gradlab %s (%s)\n", GRADLAB_VERSION, GLAB_REAL_NAME);
    return CLI_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(cmd, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  cli_error("unknown command '%s' (try 'gradlab --help')", cmd);
  return CLI_USAGE;
}
