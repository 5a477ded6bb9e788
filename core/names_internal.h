/* names_internal.h — the rules every user-given name follows (model and layer names): they
 * become metrics.csv fields and figure labels, read back by gradlab plot. */
#ifndef GRADLAB_NAMES_INTERNAL_H
#define GRADLAB_NAMES_INTERNAL_H

#include <stddef.h>

/* GLAB_OK when `name` (len bytes: a NUL inside is seen) is 1 to max_len bytes (0: no limit) of
 * text with no control character and no '/'; else an error "WHAT name 'SHOWN': a name is ...
 * (WHY)" with the name shown escaped (\xNN for control bytes) and cut at 40 bytes on a UTF-8
 * boundary. */
int glab_check_name(const char *what, const char *name, size_t len, size_t max_len,
                    const char *why);

#endif
