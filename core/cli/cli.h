/* cli.h — the gradlab command's subcommands, one file each (run.c, batch.c, ...). */
#ifndef GRADLAB_CLI_H
#define GRADLAB_CLI_H

/* Exit statuses fixed by the contract: 0 success, 1 error in the work, 2 bad usage. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Each takes the arguments after the subcommand name (argv[0] is the subcommand). */
int cli_run(int argc, char **argv);
int cli_batch(int argc, char **argv);
int cli_merge(int argc, char **argv);
int cli_plugins(int argc, char **argv);
int cli_gradcheck(int argc, char **argv);
int cli_plot(int argc, char **argv);

/* Print "gradlab: error: <msg>" to stderr; returns CLI_FAIL (or use the status you need). */
int cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Bad usage (a message "CMD: --plugin 'PATH': no such file or folder", CLI_USAGE) when one of
 * the --plugin paths does not exist; CLI_OK otherwise (loading them may still fail: exit 1). */
int cli_check_plugin_paths(const char *cmd, const char *const *paths, int n);
/* The path of the running gradlab executable (for spawning jobs), from /proc/self/exe. */
const char *cli_self_path(void);

#endif
