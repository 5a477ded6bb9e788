/* batch.c — placeholder until the 'gradlab batch' subcommand is built (its owner replaces this file). */
#include "cli.h"

int cli_batch(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'gradlab batch' is not built yet");
}
