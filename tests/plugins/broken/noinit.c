/* noinit.c — exports the ABI symbol but no glab_plugin_init (loader test). */
#include <gradlab/plugin.h>

GLAB_EXPORT int glab_plugin_abi(void);
GLAB_EXPORT int glab_plugin_abi(void) {
  return GLAB_PLUGIN_ABI;
}
