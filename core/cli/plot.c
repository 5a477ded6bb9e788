/* plot.c — placeholder until the 'gradlab plot' subcommand is built (its owner replaces this file). */
#include "cli.h"

int cli_plot(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'gradlab plot' is not built yet");
}
