/* fixture.c — reader for the reference fixtures (format in FORMAT.md): a token reader over a
 * text file; values are parsed with strtod so %.17g round-trips exactly. */
#include "fixture.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
  FILE *fp;
  int line;
  char *err;
  size_t errsize;
  const char *path;
} reader;

static int fail(reader *r, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(r->err, r->errsize, "%s:%d: %s", r->path, r->line, msg);
  return -1;
}

/* Split a line into whitespace-separated tokens (in place). Returns the count. */
static int split(char *line, char **tok, int max) {
  int n = 0;
  for (char *s = strtok(line, " \t\r\n"); s && n < max; s = strtok(NULL, " \t\r\n")) tok[n++] = s;
  return n;
}

static int parse_kv(reader *r, fx_spec *spec, char **tok, int ntok) {
  for (int i = 0; i < ntok; i++) {
    char *eq = strchr(tok[i], '=');
    if (!eq || eq == tok[i]) return fail(r, "expected key=value, got '%s'", tok[i]);
    if (spec->nkv == FX_MAX_KV) return fail(r, "too many options");
    *eq = '\0';
    fx_kv *kv = &spec->kv[spec->nkv++];
    if (strlen(tok[i]) >= sizeof kv->key || strlen(eq + 1) >= sizeof kv->value)
      return fail(r, "option too long");
    strcpy(kv->key, tok[i]);
    strcpy(kv->value, eq + 1);
  }
  return 0;
}

/* Read `size` numbers following a tensor header. */
static int read_values(reader *r, fx_tensor *t) {
  size_t have = 0;
  char buf[4096];
  while (have < t->size) {
    if (!fgets(buf, sizeof buf, r->fp)) return fail(r, "tensor %s: %zu of %zu values", t->name, have, t->size);
    r->line++;
    char *tok[64];
    int n = split(buf, tok, 64);
    for (int i = 0; i < n; i++) {
      if (have == t->size) return fail(r, "tensor %s: too many values", t->name);
      char *end;
      errno = 0;
      t->data[have++] = strtod(tok[i], &end);
      if (*end || errno) return fail(r, "tensor %s: bad number '%s'", t->name, tok[i]);
    }
  }
  return 0;
}

static void *grow(void *p, int n, size_t elem) {
  if ((n & (n - 1)) == 0) { /* n is 0 or a power of two: double the room */
    void *q = realloc(p, (size_t)(n ? 2 * n : 8) * elem);
    if (!q) free(p);
    return q;
  }
  return p;
}

static int parse_line(reader *r, fx_fixture *f, char *buf) {
  char *tok[FX_MAX_KV + 8];
  int n = split(buf, tok, FX_MAX_KV + 8);
  if (n == 0 || tok[0][0] == '#') return 0;
  if (!strcmp(tok[0], "gradlab-fixture")) {
    if (n != 2 || strcmp(tok[1], "1")) return fail(r, "unsupported fixture version");
  } else if (!strcmp(tok[0], "case") && n == 2) {
    snprintf(f->name, sizeof f->name, "%s", tok[1]);
  } else if (!strcmp(tok[0], "loss") && n == 2) {
    snprintf(f->loss, sizeof f->loss, "%s", tok[1]);
  } else if (!strcmp(tok[0], "steps") && n == 2) {
    f->steps = atoi(tok[1]);
    if (f->steps < 1 || f->steps > 100) return fail(r, "bad step count");
  } else if (!strcmp(tok[0], "optim") && n >= 2) {
    f->has_optim = 1;
    snprintf(f->optim.type, sizeof f->optim.type, "%s", tok[1]);
    return parse_kv(r, &f->optim, tok + 2, n - 2);
  } else if (!strcmp(tok[0], "layer") && n >= 3) {
    if (!(f->layers = grow(f->layers, f->nlayers, sizeof *f->layers))) return fail(r, "no memory");
    fx_spec *s = &f->layers[f->nlayers++];
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", tok[1]);
    snprintf(s->type, sizeof s->type, "%s", tok[2]);
    return parse_kv(r, s, tok + 3, n - 3);
  } else if (!strcmp(tok[0], "tensor") && n >= 3) {
    if (!(f->tensors = grow(f->tensors, f->ntensors, sizeof *f->tensors)))
      return fail(r, "no memory");
    fx_tensor *t = &f->tensors[f->ntensors++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", tok[1]);
    t->ndim = atoi(tok[2]);
    if (t->ndim < 0 || t->ndim > FX_MAX_DIMS || n != 3 + t->ndim)
      return fail(r, "tensor %s: bad dimensions", t->name);
    t->size = 1;
    for (int i = 0; i < t->ndim; i++) {
      t->shape[i] = atoi(tok[3 + i]);
      if (t->shape[i] <= 0 || t->shape[i] > 1000000) return fail(r, "tensor %s: bad shape", t->name);
      t->size *= (size_t)t->shape[i];
    }
    if (!(t->data = malloc(t->size * sizeof *t->data))) return fail(r, "no memory");
    return read_values(r, t);
  } else {
    return fail(r, "unknown directive '%s'", tok[0]);
  }
  return 0;
}

fx_fixture *fx_load(const char *path, char *err, size_t errsize) {
  reader r = {fopen(path, "r"), 0, err, errsize, path};
  if (!r.fp) {
    snprintf(err, errsize, "%s: cannot open", path);
    return NULL;
  }
  fx_fixture *f = calloc(1, sizeof *f);
  if (!f) {
    fclose(r.fp);
    snprintf(err, errsize, "%s: no memory", path);
    return NULL;
  }
  int rc = 0;
  f->steps = 1;
  char buf[4096];
  while (rc == 0 && fgets(buf, sizeof buf, r.fp)) {
    r.line++;
    rc = parse_line(&r, f, buf);
  }
  fclose(r.fp);
  if (rc == 0 && (!f->name[0] || !f->loss[0] || f->nlayers == 0))
    rc = fail(&r, "missing case, loss or layers");
  if (rc) {
    fx_free(f);
    return NULL;
  }
  return f;
}

void fx_free(fx_fixture *f) {
  if (!f) return;
  for (int i = 0; i < f->ntensors; i++) free(f->tensors[i].data);
  free(f->tensors);
  free(f->layers);
  free(f);
}

fx_tensor *fx_find(fx_fixture *f, const char *fmt, ...) {
  char name[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(name, sizeof name, fmt, ap);
  va_end(ap);
  for (int i = 0; i < f->ntensors; i++)
    if (!strcmp(f->tensors[i].name, name)) return &f->tensors[i];
  return NULL;
}
