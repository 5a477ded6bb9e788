/* config.c — the typed key-value configuration that reaches a plugin type's create(), and its
 * validation against the type's option table (unknown names with a nearest-name suggestion,
 * wrong kinds, missing required options, defaults parsed from the table's text). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/config.h"
#include "gradlab/error.h"
#include "gradlab/layer.h"
#include "gradlab/tensor.h"

typedef struct entry {
  char *key;
  glab_opt_kind kind;
  long i;     /* INT, BOOL */
  double r;   /* REAL */
  int unset;  /* REAL: set from empty text ("" default: "not set", NaN) rather than a value */
  char *s;    /* STRING */
  long *ints; /* INTS */
  int n;      /* INTS count */
  glab_init init;
} entry;

struct glab_config {
  entry *e;
  size_t n, cap;
};

glab_config *glab_config_create(void) {
  glab_config *c = calloc(1, sizeof *c);
  if (!c) glab_error(GLAB_ERR_NOMEM, "config: out of memory");
  return c;
}

static void entry_clear(entry *e) {
  free(e->s);
  free(e->ints);
  e->s = NULL;
  e->ints = NULL;
  e->n = 0;
}

void glab_config_destroy(glab_config *c) {
  if (!c) return;
  for (size_t i = 0; i < c->n; i++) {
    entry_clear(&c->e[i]);
    free(c->e[i].key);
  }
  free(c->e);
  free(c);
}

static entry *find(const glab_config *c, const char *key) {
  if (!c || !key) return NULL;
  for (size_t i = 0; i < c->n; i++)
    if (!strcmp(c->e[i].key, key)) return &c->e[i];
  return NULL;
}

/* The entry for `key`, emptied, ready to take a new value (created if absent). */
static entry *slot(glab_config *c, const char *key) {
  if (!c || !key || !*key) {
    glab_error(GLAB_ERR_ARG, "config: NULL config or empty key");
    return NULL;
  }
  entry *e = find(c, key);
  if (e) {
    entry_clear(e);
    e->unset = 0;
    return e;
  }
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 8;
    entry *ne = realloc(c->e, cap * sizeof *ne);
    if (!ne) {
      glab_error(GLAB_ERR_NOMEM, "config: out of memory");
      return NULL;
    }
    c->e = ne;
    c->cap = cap;
  }
  e = &c->e[c->n];
  memset(e, 0, sizeof *e);
  e->key = strdup(key);
  if (!e->key) {
    glab_error(GLAB_ERR_NOMEM, "config: out of memory");
    return NULL;
  }
  c->n++;
  return e;
}

int glab_config_set_int(glab_config *c, const char *key, long v) {
  entry *e = slot(c, key);
  if (!e) return glab_last_status();
  e->kind = GLAB_OPT_INT;
  e->i = v;
  return GLAB_OK;
}

int glab_config_set_real(glab_config *c, const char *key, double v) {
  entry *e = slot(c, key);
  if (!e) return glab_last_status();
  e->kind = GLAB_OPT_REAL;
  e->r = v;
  return GLAB_OK;
}

int glab_config_set_bool(glab_config *c, const char *key, int v) {
  entry *e = slot(c, key);
  if (!e) return glab_last_status();
  e->kind = GLAB_OPT_BOOL;
  e->i = v != 0;
  return GLAB_OK;
}

int glab_config_set_string(glab_config *c, const char *key, const char *v) {
  entry *e = slot(c, key);
  if (!e) return glab_last_status();
  e->kind = GLAB_OPT_STRING;
  e->s = strdup(v ? v : "");
  if (!e->s) return glab_error(GLAB_ERR_NOMEM, "config: out of memory");
  return GLAB_OK;
}

int glab_config_set_ints(glab_config *c, const char *key, const long *v, int n) {
  if (n < 0 || (n > 0 && !v)) return glab_error(GLAB_ERR_ARG, "config: bad int list for '%s'", key);
  entry *e = slot(c, key);
  if (!e) return glab_last_status();
  e->kind = GLAB_OPT_INTS;
  e->ints = malloc((size_t)(n ? n : 1) * sizeof *e->ints);
  if (!e->ints) return glab_error(GLAB_ERR_NOMEM, "config: out of memory");
  if (n) memcpy(e->ints, v, (size_t)n * sizeof *v);
  e->n = n;
  return GLAB_OK;
}

int glab_config_set_init(glab_config *c, const char *key, const glab_init *v) {
  if (!v) return glab_error(GLAB_ERR_ARG, "config: NULL initializer for '%s'", key);
  glab_init tmp;
  if (glab_init_parse(v->name, &tmp) != GLAB_OK) return glab_last_status();
  entry *e = slot(c, key);
  if (!e) return glab_last_status();
  e->kind = GLAB_OPT_INIT;
  e->init = *v;
  return GLAB_OK;
}

int glab_config_has(const glab_config *c, const char *key) {
  return find(c, key) != NULL;
}
size_t glab_config_count(const glab_config *c) {
  return c ? c->n : 0;
}
const char *glab_config_key_at(const glab_config *c, size_t i) {
  return c && i < c->n ? c->e[i].key : NULL;
}
int glab_config_kind(const glab_config *c, const char *key) {
  entry *e = find(c, key);
  return e ? (int)e->kind : -1;
}

glab_config *glab_config_copy(const glab_config *src) {
  glab_config *c = glab_config_create();
  if (!c || !src) return c;
  for (size_t i = 0; i < src->n; i++) {
    const entry *s = &src->e[i];
    int rc = GLAB_OK;
    switch (s->kind) {
    case GLAB_OPT_INT:
      rc = glab_config_set_int(c, s->key, s->i);
      break;
    case GLAB_OPT_REAL:
      rc = s->unset ? glab_config_set_from_text(c, s->key, GLAB_OPT_REAL, "")
                    : glab_config_set_real(c, s->key, s->r);
      break;
    case GLAB_OPT_BOOL:
      rc = glab_config_set_bool(c, s->key, (int)s->i);
      break;
    case GLAB_OPT_STRING:
      rc = glab_config_set_string(c, s->key, s->s);
      break;
    case GLAB_OPT_INTS:
      rc = glab_config_set_ints(c, s->key, s->ints, s->n);
      break;
    case GLAB_OPT_INIT:
      rc = glab_config_set_init(c, s->key, &s->init);
      break;
    }
    if (rc != GLAB_OK) {
      glab_config_destroy(c);
      return NULL;
    }
  }
  return c;
}

const char *glab_opt_kind_name(glab_opt_kind kind) {
  switch (kind) {
  case GLAB_OPT_INT:
    return "int";
  case GLAB_OPT_REAL:
    return "real";
  case GLAB_OPT_BOOL:
    return "bool";
  case GLAB_OPT_STRING:
    return "string";
  case GLAB_OPT_INTS:
    return "ints";
  case GLAB_OPT_INIT:
    return "init";
  }
  return "?";
}

/* ---- text parsing ---- */

static int parse_long(const char *s, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  while (isspace((unsigned char)*end))
    end++;
  if (end == s || *end || errno) return 0;
  *out = v;
  return 1;
}

static int parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  while (isspace((unsigned char)*end))
    end++;
  if (end == s || *end || (errno && fabs(v) > 1.0)) return 0;
  *out = v;
  return 1;
}

/* "name", "name(x)": x is std for normal, value for constant. */
static int parse_init_text(const char *text, glab_init *out) {
  char name[64];
  const char *paren = strchr(text, '(');
  size_t len = paren ? (size_t)(paren - text) : strlen(text);
  if (len >= sizeof name) return glab_error(GLAB_ERR_ARG, "unknown initializer '%s'", text);
  memcpy(name, text, len);
  name[len] = '\0';
  if (glab_init_parse(name, out) != GLAB_OK) return glab_last_status();
  if (paren) {
    char arg[64];
    const char *close = strchr(paren, ')');
    size_t alen = close ? (size_t)(close - paren - 1) : 0;
    double v;
    if (!close || close[1] || alen >= sizeof arg)
      return glab_error(GLAB_ERR_ARG, "initializer '%s': expected name(number)", text);
    memcpy(arg, paren + 1, alen);
    arg[alen] = '\0';
    if (!parse_double(arg, &v) || !isfinite(v))
      return glab_error(GLAB_ERR_ARG, "initializer '%s': '%s' is not a finite number", text, arg);
    if (!strcmp(out->name, "normal"))
      out->std = v;
    else if (!strcmp(out->name, "constant"))
      out->value = v;
    else
      return glab_error(GLAB_ERR_ARG, "initializer '%s' takes no argument", out->name);
  }
  return GLAB_OK;
}

int glab_config_set_from_text(glab_config *c, const char *key, glab_opt_kind kind,
                              const char *text) {
  if (!text) return glab_error(GLAB_ERR_ARG, "config: no text for '%s'", key);
  switch (kind) {
  case GLAB_OPT_INT: {
    long v;
    if (!parse_long(text, &v))
      return glab_error(GLAB_ERR_ARG, "option '%s': '%s' is not an integer", key, text);
    return glab_config_set_int(c, key, v);
  }
  case GLAB_OPT_REAL: {
    double v = NAN;
    if (*text && !parse_double(text, &v))
      return glab_error(GLAB_ERR_ARG, "option '%s': '%s' is not a number", key, text);
    if (glab_config_set_real(c, key, v) != GLAB_OK) return glab_last_status();
    find(c, key)->unset = !*text;
    return GLAB_OK;
  }
  case GLAB_OPT_BOOL: /* the message lists every word accepted (docs/plugins.md, Options) */
    if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes"))
      return glab_config_set_bool(c, key, 1);
    if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no"))
      return glab_config_set_bool(c, key, 0);
    return glab_error(GLAB_ERR_ARG,
                      "option '%s': '%s' is not a boolean (true/false, yes/no or 1/0)", key, text);
  case GLAB_OPT_STRING:
    return glab_config_set_string(c, key, text);
  case GLAB_OPT_INTS: {
    long buf[64];
    int n = 0;
    const char *p = text;
    while (*p) {
      char item[32];
      const char *comma = strchr(p, ',');
      size_t len = comma ? (size_t)(comma - p) : strlen(p);
      if (n == 64)
        return glab_error(GLAB_ERR_ARG, "option '%s': list '%s' has more than 64 integers", key,
                          text);
      if (len >= sizeof item)
        return glab_error(GLAB_ERR_ARG,
                          "option '%s': list '%s': entry %d is too long for an integer (%zu "
                          "characters)",
                          key, text, n + 1, len);
      memcpy(item, p, len);
      item[len] = '\0';
      if (!parse_long(item, &buf[n++]))
        return glab_error(GLAB_ERR_ARG, "option '%s': '%s' is not a list of integers", key, text);
      p += len + (comma ? 1 : 0);
    }
    return glab_config_set_ints(c, key, buf, n);
  }
  case GLAB_OPT_INIT: {
    glab_init in;
    if (parse_init_text(text, &in) != GLAB_OK) return glab_error_context("option '%s'", key);
    return glab_config_set_init(c, key, &in);
  }
  }
  return glab_error(GLAB_ERR_ARG, "option '%s': unknown kind %d", key, (int)kind);
}

/* ---- suggestions ---- */

static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return (size_t)-1;
  size_t row[64];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = diag + cost;
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

const char *glab_name_suggest(const char *const *names, size_t n, const char *name) {
  const char *best = NULL;
  size_t bestd = (size_t)-1;
  if (!name) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (!names[i]) continue;
    size_t d = edit_distance(names[i], name);
    if (d < bestd) {
      bestd = d;
      best = names[i];
    }
  }
  /* close enough: at most 2 edits, and fewer than half of the name */
  size_t len = strlen(name);
  if (best && bestd <= 2 && 2 * bestd <= len + 1) return best;
  return NULL;
}

const char *glab_option_suggest(const glab_option *options, const char *name) {
  const char *names[256];
  size_t n = 0;
  for (const glab_option *o = options; o && o->name && n < 256; o++)
    names[n++] = o->name;
  return glab_name_suggest(names, n, name);
}

/* ---- validation ---- */

static const glab_option *option_find(const glab_option *options, const char *name) {
  for (const glab_option *o = options; o && o->name; o++)
    if (!strcmp(o->name, name)) return o;
  return NULL;
}

static int unknown_option(const glab_option *options, const char *type_name, const char *key) {
  const char *s = glab_option_suggest(options, key);
  if (s)
    return glab_error(GLAB_ERR_ARG, "%s: unknown option '%s'; did you mean '%s'?", type_name, key,
                      s);
  if (!options || !options->name)
    return glab_error(GLAB_ERR_ARG, "%s: unknown option '%s' (%s takes no options)", type_name, key,
                      type_name);
  char list[512];
  size_t used = 0;
  list[0] = '\0';
  for (const glab_option *o = options; o->name && used + 1 < sizeof list; o++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", o->name);
  return glab_error(GLAB_ERR_ARG, "%s: unknown option '%s' (options: %s)", type_name, key, list);
}

static const char *given_kind_name(const entry *e) {
  switch (e->kind) {
  case GLAB_OPT_INT:
    return "an integer";
  case GLAB_OPT_REAL:
    return "a number";
  case GLAB_OPT_BOOL:
    return "a boolean";
  case GLAB_OPT_STRING:
    return "a string";
  case GLAB_OPT_INTS:
    return "a list of integers";
  case GLAB_OPT_INIT:
    return "an initializer";
  }
  return "?";
}

static const char *wanted_kind_name(glab_opt_kind k) {
  switch (k) {
  case GLAB_OPT_INT:
    return "an integer";
  case GLAB_OPT_REAL:
    return "a number";
  case GLAB_OPT_BOOL:
    return "a boolean";
  case GLAB_OPT_STRING:
    return "a string";
  case GLAB_OPT_INTS:
    return "a list of integers";
  case GLAB_OPT_INIT:
    return "an initializer name (e.g. \"xavier_uniform\")";
  }
  return "?";
}

/* Convert entry `e` to the declared kind where that is lossless; error otherwise. */
static int coerce(glab_config *c, entry *e, const glab_option *o, const char *type_name) {
  if (e->kind == o->kind) return GLAB_OK;
  char key[128];
  snprintf(key, sizeof key, "%s", e->key);
  if (o->kind == GLAB_OPT_REAL && e->kind == GLAB_OPT_INT)
    return glab_config_set_real(c, key, (double)e->i);
  if (o->kind == GLAB_OPT_INT && e->kind == GLAB_OPT_REAL && e->r == floor(e->r) &&
      fabs(e->r) < 9e15)
    return glab_config_set_int(c, key, (long)e->r);
  if (o->kind == GLAB_OPT_INTS && e->kind == GLAB_OPT_INT) {
    long v = e->i;
    return glab_config_set_ints(c, key, &v, 1);
  }
  if (o->kind == GLAB_OPT_INIT && e->kind == GLAB_OPT_STRING) {
    glab_init in;
    if (parse_init_text(e->s, &in) != GLAB_OK)
      return glab_error_context("%s: option '%s'", type_name, key);
    return glab_config_set_init(c, key, &in);
  }
  return glab_error(GLAB_ERR_ARG, "%s: option '%s' expects %s, got %s", type_name, key,
                    wanted_kind_name(o->kind), given_kind_name(e));
}

/* Values no option can mean: a non-finite real given explicitly (inf makes the weights inf;
 * NaN is "not set" only as an empty default), a negative or non-finite std, a non-finite
 * constant. */
static int check_value(const entry *e, const char *type_name) {
  if (e->kind == GLAB_OPT_REAL && !e->unset && !isfinite(e->r))
    return glab_error(GLAB_ERR_ARG, "%s: option '%s' must be a finite number, got %s", type_name,
                      e->key,
                      isnan(e->r) ? "nan"
                      : e->r > 0  ? "inf"
                                  : "-inf");
  /* Options reach glab_real arithmetic: in a float build 1e300 would be inf there. */
  if (e->kind == GLAB_OPT_REAL && !e->unset && fabs(e->r) > GLAB_REAL_MAX)
    return glab_error(GLAB_ERR_ARG, "%s: option '%s' is %g, too large for %s (at most %g)",
                      type_name, e->key, e->r, GLAB_REAL_NAME, (double)GLAB_REAL_MAX);
  if (e->kind == GLAB_OPT_INIT) return glab_init_check(&e->init, type_name, e->key);
  /* Integer options are read as C ints (sizes, counts): 2^32 + 3 must not become 3. */
  if (e->kind == GLAB_OPT_INT && (e->i < INT_MIN || e->i > INT_MAX))
    return glab_error(GLAB_ERR_ARG,
                      "%s: option '%s' is %ld, outside the range of integer options "
                      "(%d..%d)",
                      type_name, e->key, e->i, INT_MIN, INT_MAX);
  if (e->kind == GLAB_OPT_INTS)
    for (int k = 0; k < e->n; k++)
      if (e->ints[k] < INT_MIN || e->ints[k] > INT_MAX)
        return glab_error(GLAB_ERR_ARG,
                          "%s: option '%s': entry %d is %ld, outside the range of integer options "
                          "(%d..%d)",
                          type_name, e->key, k + 1, e->ints[k], INT_MIN, INT_MAX);
  return GLAB_OK;
}

int glab_config_validate(glab_config *c, const glab_option *options, const char *type_name) {
  if (!c) return glab_error(GLAB_ERR_ARG, "%s: NULL config", type_name);
  if (!type_name) type_name = "?";
  for (size_t i = 0; i < c->n; i++) {
    const glab_option *o = option_find(options, c->e[i].key);
    if (!o) return unknown_option(options, type_name, c->e[i].key);
    if (coerce(c, &c->e[i], o, type_name) != GLAB_OK) return glab_last_status();
    if (check_value(&c->e[i], type_name) != GLAB_OK) return glab_last_status();
  }
  for (const glab_option *o = options; o && o->name; o++) {
    if (find(c, o->name)) continue;
    if (!o->def)
      return glab_error(GLAB_ERR_ARG, "%s: missing required option '%s' (%s)", type_name, o->name,
                        o->doc ? o->doc : glab_opt_kind_name(o->kind));
    if (glab_config_set_from_text(c, o->name, o->kind, o->def) != GLAB_OK ||
        check_value(find(c, o->name), type_name) != GLAB_OK)
      return glab_error_context("%s: bad default", type_name);
  }
  return GLAB_OK;
}

/* `msg` without a leading "<type>: " and "option '<name>'" (": " or " "): what is left says
 * what is wrong with the value. */
static const char *reason_of(const char *msg, const char *type_name, const char *name) {
  size_t tl = strlen(type_name), nl = strlen(name);
  if (!strncmp(msg, type_name, tl) && !strncmp(msg + tl, ": ", 2)) msg += tl + 2;
  if (!strncmp(msg, "option '", 8) && !strncmp(msg + 8, name, nl) && msg[8 + nl] == '\'') {
    msg += 9 + nl;
    if (*msg == ':') msg++;
    if (*msg == ' ') msg++;
  }
  return msg;
}

static int valid_option_name(const char *s) {
  if (!s || !(isalpha((unsigned char)*s) || *s == '_')) return 0;
  size_t n = 0;
  for (; *s; s++, n++)
    if (!(isalnum((unsigned char)*s) || *s == '_')) return 0;
  return n < 64;
}

#define MAX_OPTIONS 200

int glab_options_check(const glab_option *options, const char *type_name) {
  if (!type_name) type_name = "?";
  size_t n = 0;
  for (; options && options[n].name; n++)
    if (n == MAX_OPTIONS)
      return glab_error(GLAB_ERR_ARG,
                        "%s: more than %d options (or the table lacks GLAB_OPTIONS_END)", type_name,
                        MAX_OPTIONS);
  for (size_t i = 0; i < n; i++) {
    const glab_option *o = &options[i];
    if (!valid_option_name(o->name))
      return glab_error(GLAB_ERR_ARG,
                        "%s: option %zu has an invalid name '%s' (use letters, digits and '_', "
                        "at most 63)",
                        type_name, i + 1, o->name);
    if ((int)o->kind < GLAB_OPT_INT || (int)o->kind > GLAB_OPT_INIT)
      return glab_error(GLAB_ERR_ARG, "%s: option '%s' has an unknown kind %d", type_name, o->name,
                        (int)o->kind);
    for (size_t j = 0; j < i; j++)
      if (!strcmp(options[j].name, o->name))
        return glab_error(GLAB_ERR_ARG, "%s: option '%s' is declared twice (options %zu and %zu)",
                          type_name, o->name, j + 1, i + 1);
    if (!o->def) continue; /* required */
    glab_config *c = glab_config_create();
    if (!c) return glab_last_status();
    int rc = glab_config_set_from_text(c, o->name, o->kind, o->def);
    if (rc == GLAB_OK) rc = check_value(find(c, o->name), type_name);
    glab_config_destroy(c);
    if (rc != GLAB_OK) {
      char why[512];
      snprintf(why, sizeof why, "%s", reason_of(glab_last_error(), type_name, o->name));
      return glab_error(GLAB_ERR_ARG, "%s: option '%s': bad default \"%s\": %s", type_name, o->name,
                        o->def, why);
    }
  }
  return GLAB_OK;
}

/* ---- declared ranges ("[lo,hi]", "(0,inf)") ---- */

typedef struct range {
  double lo, hi;
  int lo_open, hi_open;
} range;

static const char *skip_blanks(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

static int parse_range(const char *text, range *r) {
  const char *p = skip_blanks(text);
  char *end;
  if (*p != '[' && *p != '(') return 0;
  r->lo_open = *p++ == '(';
  r->lo = strtod(p, &end);
  if (end == p || isnan(r->lo)) return 0;
  p = skip_blanks(end);
  if (*p++ != ',') return 0;
  r->hi = strtod(p, &end);
  if (end == p || isnan(r->hi)) return 0;
  p = skip_blanks(end);
  if (*p != ']' && *p != ')') return 0;
  r->hi_open = *p++ == ')';
  if (*skip_blanks(p)) return 0;
  return r->lo < r->hi || (r->lo == r->hi && !r->lo_open && !r->hi_open);
}

/* "> 0", ">= 0", "< 1", "in [0, 1)" */
static const char *range_words(const range *r, char *buf, size_t size) {
  if (isinf(r->hi) && r->hi > 0 && !isinf(r->lo))
    snprintf(buf, size, "%s %g", r->lo_open ? ">" : ">=", r->lo);
  else if (isinf(r->lo) && r->lo < 0 && !isinf(r->hi))
    snprintf(buf, size, "%s %g", r->hi_open ? "<" : "<=", r->hi);
  else
    snprintf(buf, size, "in %c%g, %g%c", r->lo_open ? '(' : '[', r->lo, r->hi,
             r->hi_open ? ')' : ']');
  return buf;
}

const char *glab_num_text(double v, char *buf, size_t size) {
  if (isnan(v)) return "nan";
  if (isinf(v)) return v > 0 ? "inf" : "-inf";
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(buf, size, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  return buf;
}

int glab_is_decimal(const char *s, int *nonzero) {
  int nz = 0, digits = 0;
  if (*s == '+' || *s == '-') s++;
  for (; *s >= '0' && *s <= '9'; s++)
    digits++, nz |= *s != '0';
  if (*s == '.')
    for (s++; *s >= '0' && *s <= '9'; s++)
      digits++, nz |= *s != '0';
  if (nonzero) *nonzero = nz;
  if (!digits) return 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-') s++;
    if (!(*s >= '0' && *s <= '9')) return 0;
    while (*s >= '0' && *s <= '9')
      s++;
  }
  return *s == '\0';
}

int glab_config_check_ranges(const glab_config *c, const glab_option_range *ranges,
                             const char *type_name) {
  if (!type_name) type_name = "?";
  for (const glab_option_range *q = ranges; q && q->name; q++) {
    range r;
    const entry *e = find(c, q->name);
    if (!q->range || !parse_range(q->range, &r))
      return glab_error(GLAB_ERR_ARG,
                        "%s: option '%s': bad range \"%s\" (write [lo,hi], with ( or ) for an "
                        "open end and inf for no bound: \"(0,inf)\", \"[0,1)\")",
                        type_name, q->name, q->range ? q->range : "(null)");
    if (!e) continue; /* not in this config: nothing to check */
    if (e->kind != GLAB_OPT_INT && e->kind != GLAB_OPT_REAL)
      return glab_error(GLAB_ERR_ARG, "%s: option '%s': a range is for int and real options only",
                        type_name, q->name);
    if (e->kind == GLAB_OPT_REAL && (e->unset || isnan(e->r))) continue; /* "not set" */
    double v = e->kind == GLAB_OPT_INT ? (double)e->i : e->r;
    if (v < r.lo || (r.lo_open && v == r.lo) || v > r.hi || (r.hi_open && v == r.hi)) {
      char words[128], num[40];
      return glab_error(GLAB_ERR_ARG, "%s: option '%s' must be %s, got %s", type_name, q->name,
                        range_words(&r, words, sizeof words), glab_num_text(v, num, sizeof num));
    }
  }
  return GLAB_OK;
}

int glab_config_set_pairs(glab_config *c, const glab_option *options, const char *type_name,
                          const char *text) {
  if (!text) return GLAB_OK;
  if (!type_name) type_name = "?";
  const char *p = text;
  for (;;) {
    while (*p && (isspace((unsigned char)*p) || *p == ';'))
      p++;
    if (!*p) break;
    const char *end = p;
    while (*end && !isspace((unsigned char)*end) && *end != ';')
      end++;
    char item[256];
    size_t len = (size_t)(end - p);
    if (len >= sizeof item)
      return glab_error(GLAB_ERR_ARG,
                        "%s: option text '%.32s...' is too long (%zu bytes, at most %zu)",
                        type_name, p, len, sizeof item - 1);
    memcpy(item, p, len);
    item[len] = '\0';
    char *eq = strchr(item, '=');
    if (!eq || eq == item)
      return glab_error(GLAB_ERR_ARG, "%s: expected key=value, got '%s'", type_name, item);
    *eq = '\0';
    const glab_option *o = option_find(options, item);
    if (!o) return unknown_option(options, type_name, item);
    if (glab_config_set_from_text(c, item, o->kind, eq + 1) != GLAB_OK)
      return glab_error_context("%s", type_name);
    p = end;
  }
  return GLAB_OK;
}

/* ---- readers ---- */

long glab_config_int(const glab_config *c, const char *key) {
  entry *e = find(c, key);
  if (!e) return 0;
  if (e->kind == GLAB_OPT_INT || e->kind == GLAB_OPT_BOOL) return e->i;
  if (e->kind == GLAB_OPT_REAL) return (long)e->r;
  return 0;
}

double glab_config_real(const glab_config *c, const char *key) {
  entry *e = find(c, key);
  if (!e) return NAN;
  if (e->kind == GLAB_OPT_REAL) return e->r;
  if (e->kind == GLAB_OPT_INT) return (double)e->i;
  return NAN;
}

int glab_config_bool(const glab_config *c, const char *key) {
  entry *e = find(c, key);
  return e && (e->kind == GLAB_OPT_BOOL || e->kind == GLAB_OPT_INT) ? e->i != 0 : 0;
}

const char *glab_config_string(const glab_config *c, const char *key) {
  entry *e = find(c, key);
  return e && e->kind == GLAB_OPT_STRING ? e->s : NULL;
}

const long *glab_config_ints(const glab_config *c, const char *key, int *n) {
  entry *e = find(c, key);
  if (!e || e->kind != GLAB_OPT_INTS) {
    if (n) *n = 0;
    return NULL;
  }
  if (n) *n = e->n;
  return e->ints;
}

const glab_init *glab_config_init(const glab_config *c, const char *key) {
  entry *e = find(c, key);
  return e && e->kind == GLAB_OPT_INIT ? &e->init : NULL;
}

char *glab_config_value_text(const glab_config *c, const char *key, char *buf, size_t size) {
  entry *e = find(c, key);
  if (!size) return buf;
  buf[0] = '\0';
  if (!e) return buf;
  switch (e->kind) {
  case GLAB_OPT_INT:
    snprintf(buf, size, "%ld", e->i);
    break;
  case GLAB_OPT_REAL:
    snprintf(buf, size, "%.17g", e->r);
    break;
  case GLAB_OPT_BOOL:
    snprintf(buf, size, "%s", e->i ? "true" : "false");
    break;
  case GLAB_OPT_STRING:
    snprintf(buf, size, "%s", e->s);
    break;
  case GLAB_OPT_INTS: {
    size_t used = 0;
    for (int i = 0; i < e->n && used + 1 < size; i++)
      used += (size_t)snprintf(buf + used, size - used, "%s%ld", i ? "," : "", e->ints[i]);
    break;
  }
  case GLAB_OPT_INIT:
    if (!isnan(e->init.std))
      snprintf(buf, size, "%s(%.17g)", e->init.name, e->init.std);
    else if (!isnan(e->init.value))
      snprintf(buf, size, "%s(%.17g)", e->init.name, e->init.value);
    else
      snprintf(buf, size, "%s", e->init.name);
    break;
  }
  return buf;
}
