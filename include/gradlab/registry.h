/* registry.h — the table of registered types (layers, optimizers, pretrainers) and the plugin
 * loader that fills it. A name may be registered once; a clash names both files. */
#ifndef GRADLAB_REGISTRY_H
#define GRADLAB_REGISTRY_H

#include "gradlab/layer.h"
#include "gradlab/optim.h"
#include "gradlab/pretrain.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum glab_type_kind {
  GLAB_KIND_LAYER,
  GLAB_KIND_OPTIMIZER,
  GLAB_KIND_PRETRAINER
} glab_type_kind;

glab_registry *glab_registry_create(void);
void glab_registry_destroy(glab_registry *reg); /* unloads its plugins */
/* The process-wide registry used by the command and the Lua module. */
glab_registry *glab_default_registry(void);

/* Called from a plugin's init (and by the core for built-in types). The type struct must
 * outlive the registry (static storage in the plugin). */
int glab_register_layer(glab_registry *reg, const glab_layer_type *type);
int glab_register_optimizer(glab_registry *reg, const glab_optimizer_type *type);
int glab_register_pretrainer(glab_registry *reg, const glab_pretrainer_type *type);

const glab_layer_type *glab_registry_layer(const glab_registry *reg, const char *name);
const glab_optimizer_type *glab_registry_optimizer(const glab_registry *reg, const char *name);
const glab_pretrainer_type *glab_registry_pretrainer(const glab_registry *reg, const char *name);

/* Enumerate everything registered, in registration order. */
size_t glab_registry_count(const glab_registry *reg);
int glab_registry_entry(const glab_registry *reg, size_t i, glab_type_kind *kind, const char **name,
                        const char **file, const char **doc, const glab_option **options);
const char *glab_type_kind_name(glab_type_kind kind); /* "layer", "optimizer", "pretrainer" */
/* The ABI the entry's plugin was built for (GLAB_PLUGIN_ABI; the core's own for built-ins). */
int glab_registry_entry_abi(const glab_registry *reg, size_t i);
/* Find an entry by kind and name: its index, or -1 (with a "did you mean" message). */
long glab_registry_find(const glab_registry *reg, glab_type_kind kind, const char *name);
/* Plugin files loaded into this registry, in load order. */
size_t glab_registry_plugin_count(const glab_registry *reg);
const char *glab_registry_plugin_file(const glab_registry *reg, size_t i);
/* Every plugin load failure so far (each message names the file), oldest first. */
size_t glab_registry_failure_count(const glab_registry *reg);
const char *glab_registry_failure(const glab_registry *reg, size_t i);
/* Warnings of the search so far, oldest first, each once: a GRADLAB_PLUGIN_PATH entry that
 * does not exist (a stale folder) or is neither a folder nor a .so file. Not failures: the
 * search goes on and the loaders still return GLAB_OK for them. */
size_t glab_registry_warning_count(const glab_registry *reg);
const char *glab_registry_warning(const glab_registry *reg, size_t i);
/* The ABI this core accepts; and "ABI 1 (float)" style text for any ABI value. */
int glab_core_abi(void);
const char *glab_abi_text(int abi, char *buf, size_t size);

/* Load one plugin file: dlopen(RTLD_NOW|RTLD_LOCAL), check the ABI before init, call init.
 * On any failure nothing from that file stays registered and the message names the file. */
int glab_plugin_load(glab_registry *reg, const char *path);
/* Load every *.so in a folder (sorted by name). A broken file does not stop the others: the
 * return is the first failure's status, with its message (plus "(and N more ...)"); every
 * failure's own message is kept in the registry (glab_registry_failure). */
int glab_plugin_load_dir(glab_registry *reg, const char *dir);
/* The standard search: explicit paths (files or folders), then GRADLAB_PLUGIN_PATH
 * (colon-separated), then the build tree's plugin folder (only when this libgradlab is the
 * build tree's own), then the installed folder ($libdir/gradlab/plugins, found next to the
 * running libgradlab so an installed tree can be moved). A file already loaded is not loaded
 * twice; failures are reported as in load_dir. A GRADLAB_PLUGIN_PATH folder that does not exist
 * is skipped with a warning (glab_registry_warning), which this function also writes to stderr
 * as "gradlab: warning: ... (skipped)", once per registry; the default folders are skipped
 * silently when absent. */
int glab_plugins_load_default(glab_registry *reg, const char *const *paths, int npaths);
/* As glab_plugins_load_default, but only the explicit paths must load (their first failure is
 * returned). A broken file on the search path is skipped, so one stray .so in a plugin folder
 * does not stop every script: `warn` (may be NULL) gets each such failure's message once per
 * registry, and each search-path warning (a missing folder) once per registry — this function
 * prints nothing itself. Returns GLAB_OK unless an explicit path failed. */
int glab_plugins_load_tolerant(glab_registry *reg, const char *const *paths, int npaths,
                               void (*warn)(void *ctx, const char *message), void *ctx);
/* The folders the standard search visits after explicit paths, ':'-joined into buf. */
const char *glab_plugin_search_path(char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
