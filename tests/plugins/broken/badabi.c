/* badabi.c — claims a future ABI version; its init must never run (loader test). */
#include <stdlib.h>

#include <gradlab/plugin.h>

GLAB_EXPORT int glab_plugin_abi(void);
GLAB_EXPORT int glab_plugin_init(glab_registry *reg);
GLAB_EXPORT int glab_plugin_abi(void) {
  return ((GLAB_ABI_VERSION + 98) << 8) | (int)sizeof(glab_real);
}
GLAB_EXPORT int glab_plugin_init(glab_registry *reg) {
  (void)reg;
  abort(); /* the loader must refuse before calling this */
}
