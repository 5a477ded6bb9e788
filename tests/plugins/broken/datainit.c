/* datainit.c — a right ABI function, but glab_plugin_init is data: refused, never called. */
#include <gradlab/plugin.h>

GLAB_EXPORT int glab_plugin_abi(void);
GLAB_EXPORT int glab_plugin_abi(void) {
  return GLAB_PLUGIN_ABI;
}
GLAB_EXPORT const char glab_plugin_init[] = "not code";
