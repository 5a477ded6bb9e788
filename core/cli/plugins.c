/* plugins.c — placeholder until the 'gradlab plugins' subcommand is built (its owner replaces this file). */
#include "cli.h"

int cli_plugins(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'gradlab plugins' is not built yet");
}
