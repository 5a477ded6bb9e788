/* cli.h — the gradlab command's subcommands, one file each (run.c, batch.c, ...). */
#ifndef GRADLAB_CLI_H
#define GRADLAB_CLI_H

#include <stddef.h>
#include <stdio.h>

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

/* ---- cli_files.c: the command's own files, written by the core's glab_write_file_atomic ----
 * (temp O_EXCL|O_NOFOLLOW beside the target, renamed over it; a link is followed; a FIFO,
 * device, directory or dangling link is refused). On failure these return -1 with the message
 * ("cannot write PATH: reason") in glab_last_error(). */
/* Write len bytes to path atomically; sync: durably (glab_write_file_durable: the data fsync'ed
 * before the rename, the folder after it). */
int cli_write_file(const char *path, const void *data, size_t len, int sync);
/* A whole regular file, NUL-terminated and malloc'ed (its length in *len, may be NULL); NULL
 * (errno set) when it cannot be read, is not a regular file (a FIFO is never waited on), or
 * there is no memory. */
char *cli_read_file(const char *path, size_t *len);
/* Text written piece by piece: cli_buf_open gives a stream into memory (NULL: no memory),
 * cli_buf_write closes it and writes what it holds to path as cli_write_file does. */
typedef struct cli_buf {
  FILE *f;
  char *data;
  size_t len;
} cli_buf;
FILE *cli_buf_open(cli_buf *b);
int cli_buf_write(cli_buf *b, const char *path, int sync);
/* Open (create) a lock file to flock and write a pid into: a regular file only — a symbolic
 * link, FIFO or anything else at path is refused, never followed. The descriptor, or -1. */
int cli_open_lock(const char *path);

#endif
