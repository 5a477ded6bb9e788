/* names.c — the rules of user-given names (model and layer names), checked in one place. */
#include <stdio.h>
#include <string.h>

#include "gradlab/error.h"
#include "names_internal.h"

/* `name` for a message: control bytes as \xNN (an ESC must not reach the terminal), at most 40
 * bytes of it, cut before a UTF-8 continuation byte, "..." when cut. */
static void shown(const char *name, size_t len, char *out, size_t size) {
  size_t k = 0, i = 0;
  for (; i < len && i < 40 && k + 5 < size; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c < 0x20 || c == 0x7f)
      k += (size_t)snprintf(out + k, size - k, "\\x%02x", c);
    else
      out[k++] = (char)c;
  }
  if (i < len) {
    while (k > 0 && i > 0 && ((unsigned char)name[i] & 0xc0) == 0x80) /* mid-character */
      k--, i--;
    if (k + 4 < size) memcpy(out + k, "...", 3), k += 3;
  }
  out[k] = '\0';
}

int glab_check_name(const char *what, const char *name, size_t len, size_t max_len,
                    const char *why) {
  int ok = name && len >= 1 && (!max_len || len <= max_len);
  for (size_t i = 0; ok && i < len; i++)
    ok = name[i] != '/' && (unsigned char)name[i] >= 0x20 && name[i] != 0x7f;
  if (ok) return GLAB_OK;
  char buf[200], limit[48] = "";
  shown(name ? name : "", name ? len : 0, buf, sizeof buf);
  if (max_len) snprintf(limit, sizeof limit, ", at most %zu bytes", max_len);
  return glab_error(GLAB_ERR_ARG,
                    "%s name '%s': a name is printable text, not empty%s, without '/' or a NUL "
                    "byte (%s)",
                    what, buf, limit, why);
}
