/* registry_internal.h — the registry's private layout, shared by registry.c and
 * plugin_loader.c only (never installed). */
#ifndef GRADLAB_REGISTRY_INTERNAL_H
#define GRADLAB_REGISTRY_INTERNAL_H

#include "gradlab/registry.h"

typedef struct reg_entry {
  glab_type_kind kind;
  const char *name;
  const char *doc;
  const glab_option *options;
  const void *type; /* glab_layer_type / glab_optimizer_type / glab_pretrainer_type */
  long plugin;      /* index into plugins, -1 for a built-in type */
} reg_entry;

typedef struct reg_plugin {
  char *path; /* as given */
  char *real; /* realpath, to load each file once */
  void *handle;
  int abi;
} reg_plugin;

struct glab_registry {
  reg_entry *e;
  size_t n, cap;
  reg_plugin *p;
  size_t np, pcap;
  long loading;   /* plugin index whose init is running, -1 otherwise */
  int reg_failed; /* a registration failed during that init */
  char reg_msg[1024];
  char **fail; /* every load failure's message, in order */
  size_t nfail, failcap;
  char **warn; /* search-path warnings (a missing folder), each once */
  size_t nwarn, warncap;
};

/* Drop entries registered after the first `n` (a failed plugin's), newest first. */
void glab_registry_truncate(glab_registry *reg, size_t n);

#endif
