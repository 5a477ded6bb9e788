/* registry.c — the table of registered types (layers, optimizers, pretrainers): registration
 * with checks (valid names, required callbacks, one name per kind; a clash names both files),
 * lookup with "did you mean" suggestions, enumeration, and the process-wide default registry. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/error.h"
#include "gradlab/plugin.h"
#include "registry_internal.h"

glab_registry *glab_registry_create(void) {
  glab_registry *r = calloc(1, sizeof *r);
  if (!r) {
    glab_error(GLAB_ERR_NOMEM, "registry: out of memory");
    return NULL;
  }
  r->loading = -1;
  return r;
}

static glab_registry *default_reg;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void default_destroy(void) {
  glab_registry_destroy(default_reg);
  default_reg = NULL;
}

static void default_make(void) {
  default_reg = glab_registry_create();
  if (default_reg) atexit(default_destroy);
}

glab_registry *glab_default_registry(void) {
  pthread_once(&default_once, default_make);
  return default_reg;
}

int glab_core_abi(void) {
  return GLAB_PLUGIN_ABI;
}

const char *glab_abi_text(int abi, char *buf, size_t size) {
  int bytes = abi & 0xff;
  const char *real = bytes == (int)sizeof(float)    ? "float"
                     : bytes == (int)sizeof(double) ? "double"
                                                    : "unknown real type";
  snprintf(buf, size, "ABI %d (%s)", abi >> 8, real);
  return buf;
}

const char *glab_type_kind_name(glab_type_kind kind) {
  switch (kind) {
  case GLAB_KIND_LAYER:
    return "layer";
  case GLAB_KIND_OPTIMIZER:
    return "optimizer";
  case GLAB_KIND_PRETRAINER:
    return "pretrainer";
  }
  return "?";
}

static const char *entry_file(const glab_registry *r, const reg_entry *e) {
  return e->plugin >= 0 ? r->p[e->plugin].path : "(built-in)";
}

static const char *current_file(const glab_registry *r) {
  return r->loading >= 0 ? r->p[r->loading].path : "(built-in)";
}

/* Type names become Lua fields (gradlab.layer.NAME): [a-z_][a-z0-9_]*, at most 63 bytes. */
static int valid_name(const char *s) {
  if (!s || !(islower((unsigned char)*s) || *s == '_')) return 0;
  size_t n = 0;
  for (; *s; s++, n++)
    if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_')) return 0;
  return n < 64;
}

/* A registration error: remembered so that the loader fails the plugin even if its init
 * ignores the status. */
static int reg_fail(glab_registry *r, int code, const char *msg) {
  if (r->loading >= 0) {
    r->reg_failed = 1;
    snprintf(r->reg_msg, sizeof r->reg_msg, "%s", msg);
  }
  return glab_error(code, "%s", msg);
}

/* `bad` is NULL for a type whose callbacks and counts are usable, else what is wrong with them
 * ("a required callback is NULL (forward)"), which the message says. */
static int add(glab_registry *r, glab_type_kind kind, const char *name, const char *doc,
               const glab_option *options, const void *type, const char *bad) {
  const char *k = glab_type_kind_name(kind);
  char msg[1024];
  if (!r) return glab_error(GLAB_ERR_ARG, "register %s: NULL registry", k);
  if (!type) {
    snprintf(msg, sizeof msg, "register %s: NULL type", k);
    return reg_fail(r, GLAB_ERR_ARG, msg);
  }
  if (!valid_name(name)) {
    snprintf(msg, sizeof msg,
             "register %s: invalid type name '%s' (use lowercase letters, digits and '_', "
             "not starting with a digit, at most 63)",
             k, name ? name : "(null)");
    return reg_fail(r, GLAB_ERR_ARG, msg);
  }
  if (bad) {
    snprintf(msg, sizeof msg, "register %s '%s': %s", k, name, bad);
    return reg_fail(r, GLAB_ERR_ARG, msg);
  }
  /* The option table now, not at the first construction: a bad default or a name declared
   * twice fails the registration (and so the whole plugin). */
  if (glab_options_check(options, name) != GLAB_OK) {
    const char *m = glab_last_error();
    size_t nl = strlen(name);
    if (!strncmp(m, name, nl) && !strncmp(m + nl, ": ", 2)) m += nl + 2;
    snprintf(msg, sizeof msg, "register %s '%s': %s", k, name, m);
    return reg_fail(r, GLAB_ERR_ARG, msg);
  }
  if (kind == GLAB_KIND_LAYER)
    for (const glab_option *o = options; o && o->name; o++)
      for (const glab_option *g = glab_layer_generic_options(); g->name; g++)
        if (!strcmp(o->name, g->name)) {
          snprintf(msg, sizeof msg,
                   "register %s '%s': option '%s' is one every layer takes (the binding sets it; "
                   "the type would never see it)",
                   k, name, o->name);
          return reg_fail(r, GLAB_ERR_ARG, msg);
        }
  if (kind == GLAB_KIND_OPTIMIZER)
    for (const glab_option *o = options; o && o->name; o++)
      for (const glab_option *g = glab_optimizer_generic_options(); g->name; g++)
        if (!strcmp(o->name, g->name)) {
          snprintf(msg, sizeof msg,
                   "register %s '%s': option '%s' is one the core adds to every optimizer", k, name,
                   o->name);
          return reg_fail(r, GLAB_ERR_ARG, msg);
        }
  for (size_t i = 0; i < r->n; i++) /* wording read by `gradlab gradcheck` (cli/gradcheck.c) */
    if (r->e[i].kind == kind && !strcmp(r->e[i].name, name)) {
      snprintf(msg, sizeof msg, "%s type '%s' from %s is already registered by %s", k, name,
               current_file(r), entry_file(r, &r->e[i]));
      return reg_fail(r, GLAB_ERR_PLUGIN, msg);
    }
  if (r->n == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 32;
    reg_entry *ne = realloc(r->e, cap * sizeof *ne);
    if (!ne) {
      snprintf(msg, sizeof msg, "register %s '%s': out of memory", k, name);
      return reg_fail(r, GLAB_ERR_NOMEM, msg);
    }
    r->e = ne;
    r->cap = cap;
  }
  reg_entry *e = &r->e[r->n++];
  e->kind = kind;
  e->name = name;
  e->doc = doc ? doc : "";
  e->options = options;
  e->type = type;
  e->plugin = r->loading;
  return GLAB_OK;
}

int glab_register_layer(glab_registry *r, const glab_layer_type *t) {
  return add(r, GLAB_KIND_LAYER, t ? t->name : NULL, t ? t->doc : NULL, t ? t->options : NULL, t,
             t && !t->forward ? "a required callback is NULL (forward)" : NULL);
}

int glab_register_optimizer(glab_registry *r, const glab_optimizer_type *t) {
  char slots[96];
  const char *bad = NULL;
  if (t && !t->update) {
    bad = "a required callback is NULL (update)";
  } else if (t && (t->state_slots < 0 || t->state_slots > 16)) {
    snprintf(slots, sizeof slots, "state_slots is %d (0 to 16 per-element state arrays)",
             t->state_slots);
    bad = slots; /* it said "a required callback is NULL" */
  }
  return add(r, GLAB_KIND_OPTIMIZER, t ? t->name : NULL, t ? t->doc : NULL, t ? t->options : NULL,
             t, bad);
}

int glab_register_pretrainer(glab_registry *r, const glab_pretrainer_type *t) {
  return add(r, GLAB_KIND_PRETRAINER, t ? t->name : NULL, t ? t->doc : NULL, t ? t->options : NULL,
             t, t && !t->run ? "a required callback is NULL (run)" : NULL);
}

void glab_registry_truncate(glab_registry *r, size_t n) {
  if (r && n < r->n) r->n = n;
}

long glab_registry_find(const glab_registry *r, glab_type_kind kind, const char *name) {
  if (!r) r = glab_default_registry();
  if (!r || !name) {
    glab_error(GLAB_ERR_ARG, "registry: NULL registry or name");
    return -1;
  }
  const char *names[512];
  size_t nn = 0;
  for (size_t i = 0; i < r->n; i++) {
    if (r->e[i].kind != kind) continue;
    if (!strcmp(r->e[i].name, name)) return (long)i;
    if (nn < 512) names[nn++] = r->e[i].name;
  }
  /* `gradlab gradcheck adam`: the name is there, of another kind; say so, not "did you mean" */
  for (size_t i = 0; i < r->n; i++)
    if (r->e[i].kind != kind && !strcmp(r->e[i].name, name)) {
      glab_error(GLAB_ERR_NOTFOUND, "unknown %s type '%s' ('%s' is %s %s type, from %s)",
                 glab_type_kind_name(kind), name, name,
                 r->e[i].kind == GLAB_KIND_OPTIMIZER ? "an" : "a",
                 glab_type_kind_name(r->e[i].kind), entry_file(r, &r->e[i]));
      return -1;
    }
  const char *s = glab_name_suggest(names, nn, name);
  if (s)
    glab_error(GLAB_ERR_NOTFOUND, "unknown %s type '%s'; did you mean '%s'?",
               glab_type_kind_name(kind), name, s);
  else if (nn == 0)
    glab_error(GLAB_ERR_NOTFOUND,
               "unknown %s type '%s' (no %s types are loaded; are plugins on "
               "the search path?)",
               glab_type_kind_name(kind), name, glab_type_kind_name(kind));
  else
    glab_error(GLAB_ERR_NOTFOUND, "unknown %s type '%s' (see 'gradlab plugins')",
               glab_type_kind_name(kind), name);
  return -1;
}

const glab_layer_type *glab_registry_layer(const glab_registry *r, const char *name) {
  long i = glab_registry_find(r, GLAB_KIND_LAYER, name);
  if (!r) r = glab_default_registry();
  return i >= 0 ? (const glab_layer_type *)r->e[i].type : NULL;
}

const glab_optimizer_type *glab_registry_optimizer(const glab_registry *r, const char *name) {
  long i = glab_registry_find(r, GLAB_KIND_OPTIMIZER, name);
  if (!r) r = glab_default_registry();
  return i >= 0 ? (const glab_optimizer_type *)r->e[i].type : NULL;
}

const glab_pretrainer_type *glab_registry_pretrainer(const glab_registry *r, const char *name) {
  long i = glab_registry_find(r, GLAB_KIND_PRETRAINER, name);
  if (!r) r = glab_default_registry();
  return i >= 0 ? (const glab_pretrainer_type *)r->e[i].type : NULL;
}

size_t glab_registry_count(const glab_registry *r) {
  return r ? r->n : 0;
}

int glab_registry_entry(const glab_registry *r, size_t i, glab_type_kind *kind, const char **name,
                        const char **file, const char **doc, const glab_option **options) {
  if (!r || i >= r->n) return glab_error(GLAB_ERR_ARG, "registry: entry %zu out of range", i);
  const reg_entry *e = &r->e[i];
  if (kind) *kind = e->kind;
  if (name) *name = e->name;
  if (file) *file = entry_file(r, e);
  if (doc) *doc = e->doc;
  if (options) *options = e->options;
  return GLAB_OK;
}

int glab_registry_entry_abi(const glab_registry *r, size_t i) {
  if (!r || i >= r->n) return 0;
  return r->e[i].plugin >= 0 ? r->p[r->e[i].plugin].abi : GLAB_PLUGIN_ABI;
}

size_t glab_registry_failure_count(const glab_registry *r) {
  return r ? r->nfail : 0;
}
const char *glab_registry_failure(const glab_registry *r, size_t i) {
  return r && i < r->nfail ? r->fail[i] : NULL;
}

size_t glab_registry_warning_count(const glab_registry *r) {
  return r ? r->nwarn : 0;
}
const char *glab_registry_warning(const glab_registry *r, size_t i) {
  return r && i < r->nwarn ? r->warn[i] : NULL;
}

size_t glab_registry_plugin_count(const glab_registry *r) {
  return r ? r->np : 0;
}
const char *glab_registry_plugin_file(const glab_registry *r, size_t i) {
  return r && i < r->np ? r->p[i].path : NULL;
}
