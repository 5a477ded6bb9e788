/* dataabi.c — its entry symbols are data, not functions (`int glab_plugin_abi = ...`): the loader
 * must refuse it by the symbol table, not call the data and crash (loader test). */
#include <gradlab/plugin.h>

GLAB_EXPORT const int glab_plugin_abi = GLAB_PLUGIN_ABI;
GLAB_EXPORT const int glab_plugin_init = 0;
