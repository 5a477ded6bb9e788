/* run.c — placeholder until the 'gradlab run' subcommand is built (its owner replaces this file). */
#include "cli.h"

int cli_run(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'gradlab run' is not built yet");
}
