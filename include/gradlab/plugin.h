/* plugin.h — everything a plugin needs. A plugin is one shared object that uses this SDK only:
 *
 *     #include <gradlab/plugin.h>
 *     static const glab_layer_type swish = { ... };
 *     static int init(glab_registry *reg) { return glab_register_layer(reg, &swish); }
 *     GLAB_PLUGIN(init)
 *
 * The loader calls glab_plugin_abi() first and refuses a plugin built for another ABI version or
 * real type before glab_plugin_init() runs (dlopen itself runs the file's ELF constructors, if it
 * has any, before that: nothing can stop those). Both entry symbols must be functions. */
#ifndef GRADLAB_PLUGIN_H
#define GRADLAB_PLUGIN_H

#include "gradlab/error.h"
#include "gradlab/gradcheck.h"
#include "gradlab/layer.h"
#include "gradlab/ops.h"
#include "gradlab/optim.h"
#include "gradlab/pretrain.h"
#include "gradlab/registry.h"
#include "gradlab/tape.h"

/* Bump GLAB_ABI_VERSION whenever a struct or function a plugin uses changes incompatibly. */
#define GLAB_ABI_VERSION 1
/* The low byte carries sizeof(glab_real), so a float plugin never loads into a double core. */
#define GLAB_PLUGIN_ABI ((GLAB_ABI_VERSION << 8) | (int)sizeof(glab_real))

#if defined(__GNUC__)
#define GLAB_EXPORT __attribute__((visibility("default")))
#else
#define GLAB_EXPORT
#endif

#ifdef __cplusplus
#define GLAB_EXTERN_C extern "C"
#else
#define GLAB_EXTERN_C
#endif

/* The prototypes first, so a plugin built with -Wmissing-prototypes stays warning-free. */
#define GLAB_PLUGIN(init_fn)                                                                       \
  GLAB_EXTERN_C GLAB_EXPORT int glab_plugin_abi(void);                                             \
  GLAB_EXTERN_C GLAB_EXPORT int glab_plugin_init(glab_registry *reg);                              \
  GLAB_EXTERN_C GLAB_EXPORT int glab_plugin_abi(void) {                                            \
    return GLAB_PLUGIN_ABI;                                                                        \
  }                                                                                                \
  GLAB_EXTERN_C GLAB_EXPORT int glab_plugin_init(glab_registry *reg) {                             \
    return init_fn(reg);                                                                           \
  }

#endif
