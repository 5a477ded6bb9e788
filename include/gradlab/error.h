/* error.h — status codes and the thread-local last-error message (as sqlite3_errmsg). */
#ifndef GRADLAB_ERROR_H
#define GRADLAB_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum glab_status {
  GLAB_OK = 0,
  GLAB_ERR_ARG,       /* invalid argument or option */
  GLAB_ERR_SHAPE,     /* tensor shapes do not fit */
  GLAB_ERR_NOMEM,     /* allocation failed or a size would overflow */
  GLAB_ERR_IO,        /* a file could not be read or written */
  GLAB_ERR_FORMAT,    /* a file's contents are malformed */
  GLAB_ERR_NOTFOUND,  /* unknown name, missing file or symbol */
  GLAB_ERR_PLUGIN,    /* a plugin failed to load or register */
  GLAB_ERR_NONFINITE, /* NaN or infinity met where it is not allowed */
  GLAB_ERR_STATE      /* call made in the wrong state (e.g. backward twice) */
} glab_status;

/* The message of the last failed call on this thread ("" if none). */
const char *glab_last_error(void);
/* The status of the last failed call on this thread (GLAB_OK if none). */
glab_status glab_last_status(void);
/* Record an error (printf-style) and return `code`, so `return glab_error(...)` reads well. */
int glab_error(glab_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Prefix the current message with more context: "ctx: <old message>". Returns the status. */
int glab_error_context(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
void glab_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
