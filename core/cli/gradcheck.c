/* gradcheck.c — placeholder until the 'gradlab gradcheck' subcommand is built (its owner replaces this file). */
#include "cli.h"

int cli_gradcheck(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'gradlab gradcheck' is not built yet");
}
