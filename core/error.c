/* error.c — status codes and the thread-local last-error message (in the manner of
 * sqlite3_errmsg): library calls return a status and leave a message here. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gradlab/error.h"

#define GLAB_ERRMSG_MAX 1024

static _Thread_local char errmsg[GLAB_ERRMSG_MAX];
static _Thread_local glab_status errcode = GLAB_OK;

const char *glab_last_error(void) {
  return errmsg;
}

glab_status glab_last_status(void) {
  return errcode;
}

int glab_error(glab_status code, const char *fmt, ...) {
  if (!fmt) { /* a caller's slip; the code still stands, with a message that says so */
    snprintf(errmsg, sizeof errmsg, "error %d (no message given)", (int)code);
    errcode = code;
    return (int)code;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(errmsg, sizeof errmsg, fmt, ap);
  va_end(ap);
  errcode = code;
  return (int)code;
}

int glab_error_context(const char *fmt, ...) {
  char old[GLAB_ERRMSG_MAX];
  memcpy(old, errmsg, sizeof old);
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(errmsg, sizeof errmsg, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  /* The old message is cut to the room left (precision given, so the cut is deliberate). */
  if ((size_t)n + 3 < sizeof errmsg)
    snprintf(errmsg + n, sizeof errmsg - (size_t)n, ": %.*s", (int)(sizeof errmsg - (size_t)n - 3),
             old);
  if (errcode == GLAB_OK) errcode = GLAB_ERR_ARG; /* context without a cause: still an error */
  return (int)errcode;
}

void glab_clear_error(void) {
  errmsg[0] = '\0';
  errcode = GLAB_OK;
}
