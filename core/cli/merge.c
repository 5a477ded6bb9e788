/* merge.c — placeholder until the 'gradlab merge' subcommand is built (its owner replaces this file). */
#include "cli.h"

int cli_merge(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'gradlab merge' is not built yet");
}
