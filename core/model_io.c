/* model_io.c — save and load a model's parameters and buffers.
 *
 * Format (all integers little-endian; documented in docs/statistics.md):
 *   "GLABMODL"  8 bytes magic
 *   u32 version (2) · u32 real size (4 float, 8 double) · u32 entry count · u32 flags (0)
 *   version 2 only: u32 layer count · per layer (every layer, nested ones too, model order):
 *              u16 name length · name ("2", "3.1") · u16 type length · type name ("tanh")
 *   per entry: u16 name length · name ("2.weight") · u8 kind (0 parameter, 1 buffer) · u8 ndim ·
 *              i32 shape[ndim] · values (product of shape × real size bytes, little-endian IEEE)
 *   u32 CRC-32 (zlib) of every byte before it.
 * Loading checks everything (sizes against the real file length, the CRC, names, shapes and,
 * from version 2 on, every layer's type: a tanh layer has no tensors, so without its type the
 * weights of dense-tanh-dense loaded silently into dense-relu-dense) before touching the model;
 * a file of the other real type is converted. Version 1 files (no layer table) still load. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "data_internal.h"
#include "gradlab/error.h"
#include "gradlab/model.h"
#include "gradlab/runlog.h"

#define MAGIC "GLABMODL"
#define VERSION 2u /* written; 1 is read too */
#define MAX_FILE ((size_t)1 << 34)

typedef struct entry {
  char *name; /* "<layer>.<param>", allocated (layer names have no length limit) */
  glab_var *var;
  glab_layer *layer;
  const char *pname;
  int is_buffer;
} entry;

static void free_entries(entry *e, int n) {
  if (!e) return;
  for (int i = 0; i < n; i++)
    free(e[i].name);
  free(e);
}

/* Every parameter and buffer of the model, with qualified names. */
static entry *model_entries(const glab_model *m, int *count) {
  int n = 0;
  for (int i = 0; i < glab_model_nall(m); i++)
    n += glab_layer_nparams(glab_model_all(m, i));
  entry *e = calloc((size_t)n + 1, sizeof *e);
  if (!e) {
    glab_error(GLAB_ERR_NOMEM, "model io: out of memory");
    return NULL;
  }
  int k = 0;
  for (int i = 0; i < glab_model_nall(m); i++) {
    glab_layer *l = glab_model_all(m, i);
    for (int j = 0; j < glab_layer_nparams(l); j++, k++) {
      e[k].var = glab_layer_param_at(l, j, &e[k].pname, &e[k].is_buffer);
      e[k].layer = l;
      size_t len = strlen(glab_layer_name(l)) + strlen(e[k].pname) + 2;
      e[k].name = malloc(len);
      if (!e[k].name) {
        free_entries(e, k);
        glab_error(GLAB_ERR_NOMEM, "model io: out of memory");
        return NULL;
      }
      snprintf(e[k].name, len, "%s.%s", glab_layer_name(l), e[k].pname);
    }
  }
  *count = n;
  return e;
}

typedef struct wbuf {
  unsigned char *p;
  size_t len, cap;
} wbuf;

static int put(wbuf *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
      cap *= 2;
    unsigned char *q = realloc(b->p, cap);
    if (!q) return -1;
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
  return 0;
}

static int put_u32(wbuf *b, uint32_t v) {
  unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                        (unsigned char)(v >> 24)};
  return put(b, c, 4);
}

static uint32_t get_u32(const unsigned char *c) {
  return (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
}

/* How many of the first `len` bytes of s to show, at most `max`, never splitting a UTF-8
 * character (a cut backs off over continuation bytes). */
static int shown_len(const unsigned char *s, size_t len, size_t max) {
  if (len <= max) return (int)len;
  while (max > 0 && (s[max] & 0xC0) == 0x80)
    max--;
  return (int)max;
}

/* A name the format holds in a u16 length: a longer one is refused naming its start. */
static int name_fits(const char *path, const char *what, const char *name) {
  size_t nl = strlen(name);
  if (nl <= 0xffff) return GLAB_OK;
  return glab_error(GLAB_ERR_ARG,
                    "save %s: %s name '%.*s...' is %zu bytes (the format holds at most 65535)",
                    path, what, shown_len((const unsigned char *)name, nl, 40), name, nl);
}

static const char *layer_type_name(const glab_layer *l) {
  const glab_layer_type *t = glab_layer_get_type(l);
  return t && t->name ? t->name : "";
}

static int put_str16(wbuf *b, const char *s) {
  size_t len = strlen(s);
  unsigned char c[2] = {(unsigned char)len, (unsigned char)(len >> 8)};
  return put(b, c, 2) | put(b, s, len);
}

/* The layer table of version 2: every layer's name and type, so that load can tell a tanh
 * layer from a relu one (neither has a tensor to compare). */
static int put_layers(wbuf *b, const glab_model *m) {
  int bad = put_u32(b, (uint32_t)glab_model_nall(m));
  for (int i = 0; i < glab_model_nall(m) && !bad; i++) {
    const glab_layer *l = glab_model_all(m, i);
    bad |= put_str16(b, glab_layer_name(l)) | put_str16(b, layer_type_name(l));
  }
  return bad;
}

int glab_model_save(const glab_model *m, const char *path) {
  if (!m || !path) return glab_error(GLAB_ERR_ARG, "save: NULL model or path");
  for (int i = 0; i < glab_model_nall(m); i++) {
    const glab_layer *l = glab_model_all(m, i);
    if (name_fits(path, "layer", glab_layer_name(l)) != GLAB_OK ||
        name_fits(path, "layer type", layer_type_name(l)) != GLAB_OK)
      return glab_last_status();
  }
  int n = 0;
  entry *e = model_entries(m, &n);
  if (!e) return glab_error_context("save %s", path);
  for (int i = 0; i < n; i++)
    if (name_fits(path, "tensor", e[i].name) != GLAB_OK) {
      free_entries(e, n);
      return glab_last_status();
    }
  wbuf b = {0};
  int bad = put(&b, MAGIC, 8) | put_u32(&b, VERSION) | put_u32(&b, (uint32_t)sizeof(glab_real)) |
            put_u32(&b, (uint32_t)n) | put_u32(&b, 0);
  if (!bad) bad |= put_layers(&b, m);
  for (int i = 0; i < n && !bad; i++) {
    unsigned char hdr[2] = {(unsigned char)e[i].is_buffer, (unsigned char)e[i].var->value.ndim};
    bad |= put_str16(&b, e[i].name) | put(&b, hdr, 2);
    for (int d = 0; d < e[i].var->value.ndim; d++)
      bad |= put_u32(&b, (uint32_t)e[i].var->value.shape[d]);
    bad |= put(&b, e[i].var->value.data, e[i].var->value.size * sizeof(glab_real));
  }
  if (!bad) bad |= put_u32(&b, (uint32_t)crc32_z(0L, b.p, b.len));
  free_entries(e, n);
  int rc = bad ? glab_error(GLAB_ERR_NOMEM, "save %s: out of memory", path)
               : glab_write_file_atomic(path, b.p, b.len);
  free(b.p);
  return rc;
}

/* The whole file. It is opened as the data loaders open theirs (glab_data_open_file): a
 * directory, FIFO or device is refused by name — "not a regular file (a directory)" — and a FIFO
 * without a writer does not block the open (fopen + ftell said "cannot size the file" for a
 * directory and waited forever on a FIFO). */
static unsigned char *read_all(const char *path, size_t *len) {
  struct stat st;
  if (stat(path, &st) != 0 && errno == ENOENT) { /* missing: GLAB_ERR_NOTFOUND, as it was */
    glab_error(GLAB_ERR_NOTFOUND, "load %s: %s", path, strerror(errno));
    return NULL;
  }
  int fd = glab_data_open_file(path, &st);
  if (fd < 0) { /* "PATH: not a regular file (...)" -> "load PATH: ...", as the other messages */
    char why[1024];
    snprintf(why, sizeof why, "%s", glab_last_error());
    glab_error(glab_last_status(), "load %s", why);
    return NULL;
  }
  if ((uint64_t)st.st_size > MAX_FILE) {
    close(fd);
    glab_error(GLAB_ERR_FORMAT, "load %s: %llu bytes, more than a model file holds (%llu)", path,
               (unsigned long long)st.st_size, (unsigned long long)MAX_FILE);
    return NULL;
  }
  size_t size = (size_t)st.st_size, got = 0;
  unsigned char *p = malloc(size + 1);
  int e = 0;
  while (p && got < size && !e) {
    ssize_t r = read(fd, p + got, size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) e = errno;
    if (r <= 0) break; /* an error, or the file shrank while being read */
    got += (size_t)r;
  }
  close(fd);
  if (!p || got != size) {
    if (!p)
      glab_error(GLAB_ERR_NOMEM, "load %s: out of memory for %zu bytes", path, size);
    else
      glab_error(GLAB_ERR_IO, "load %s: cannot read: %s", path,
                 e ? strerror(e) : "the file ended early (changed while being read?)");
    free(p);
    return NULL;
  }
  *len = size;
  return p;
}

/* Parsed entry of the file. */
typedef struct fentry {
  const unsigned char *name;
  size_t name_len;
  int is_buffer, ndim;
  int shape[GLAB_MAX_DIMS];
  size_t size;
  const unsigned char *data;
} fentry;

static int find_fentry(const fentry *fe, size_t nf, const char *name) {
  size_t len = strlen(name);
  for (size_t j = 0; j < nf; j++)
    if (fe[j].name_len == len && !memcmp(fe[j].name, name, len)) return (int)j;
  return -1;
}

/* "'2.weight' [3][4]" (a long name shown by its start). */
static const char *tensor_text(const unsigned char *name, size_t nl, int ndim, const int *shape,
                               char *buf, size_t size) {
  char shp[64];
  snprintf(buf, size, "'%.*s%s' %s", shown_len(name, nl, 80), (const char *)name,
           nl > 80 ? "..." : "", glab_shape_str(ndim, shape, shp, sizeof shp));
  return buf;
}

static const char *fentry_text(const fentry *f, char *buf, size_t size) {
  return tensor_text(f->name, f->name_len, f->ndim, f->shape, buf, size);
}

static const char *entry_text(const entry *e, char *buf, size_t size) {
  return tensor_text((const unsigned char *)e->name, strlen(e->name), e->var->value.ndim,
                     e->var->value.shape, buf, size);
}

/* A layer of the file's table (version 2): name and type, as stored (not NUL-terminated). */
typedef struct flayer {
  const unsigned char *name, *type;
  size_t name_len, type_len;
} flayer;

/* The u16-length string at *off: 0, or -1 when it runs past `end`. */
static int get_str16(const unsigned char *p, size_t *off, size_t end, const unsigned char **str,
                     size_t *n) {
  if (end - *off < 2) return -1;
  *n = (size_t)p[*off] | (size_t)p[*off + 1] << 8;
  *off += 2;
  if (end - *off < *n) return -1;
  *str = p + *off;
  *off += *n;
  return 0;
}

static int same_name(const unsigned char *s, size_t n, const char *c) {
  return strlen(c) == n && !memcmp(s, c, n);
}

/* Version 2: every layer of the model is in the file with the same type, and the file has no
 * other. Checked after the tensors (their message names the shapes), before anything is copied:
 * a layer without tensors (an activation) differs only here. */
static int check_layers(const char *path, const glab_model *m, const flayer *fl, size_t nl) {
  int nm = glab_model_nall(m);
  for (int i = 0; i < nm; i++) {
    const glab_layer *l = glab_model_all(m, i);
    const char *name = glab_layer_name(l), *type = layer_type_name(l);
    size_t j = 0;
    while (j < nl && !same_name(fl[j].name, fl[j].name_len, name))
      j++;
    if (j == nl)
      return glab_error(GLAB_ERR_FORMAT,
                        "load %s: layer %s (%s) is not in the file (the file holds %zu layer%s, "
                        "the model has %d)",
                        path, name, type, nl, nl == 1 ? "" : "s", nm);
    if (!same_name(fl[j].type, fl[j].type_len, type))
      return glab_error(GLAB_ERR_FORMAT,
                        "load %s: layer %s is %s in the model but %.*s in the file (the weights "
                        "were saved from another layer type)",
                        path, name, type, shown_len(fl[j].type, fl[j].type_len, 80),
                        (const char *)fl[j].type);
  }
  if (nl == (size_t)nm) return GLAB_OK;
  for (size_t j = 0; j < nl; j++) { /* every model layer is in the file: the file has more */
    int found = 0;
    for (int i = 0; i < nm && !found; i++)
      found = same_name(fl[j].name, fl[j].name_len, glab_layer_name(glab_model_all(m, i)));
    if (!found)
      return glab_error(GLAB_ERR_FORMAT,
                        "load %s: the file's layer %.*s%s (%.*s) is not in the model (the file "
                        "holds %zu layers, the model has %d)",
                        path, shown_len(fl[j].name, fl[j].name_len, 80), (const char *)fl[j].name,
                        fl[j].name_len > 80 ? "..." : "", shown_len(fl[j].type, fl[j].type_len, 80),
                        (const char *)fl[j].type, nl, nm);
  }
  return glab_error(GLAB_ERR_FORMAT,
                    "load %s: the file holds %zu layers, the model has %d (a name repeats in the "
                    "file)",
                    path, nl, nm);
}

static int bad_list(const char *path) {
  return glab_error(GLAB_ERR_FORMAT, "load %s: malformed or truncated entry list", path);
}

static int load_checked(glab_model *m, const char *path, const unsigned char *p, size_t len) {
  if (len < 28 || memcmp(p, MAGIC, 8) != 0)
    return glab_error(GLAB_ERR_FORMAT, "load %s: not a gradlab model file (bad magic)", path);
  uint32_t version = get_u32(p + 8), rs = get_u32(p + 12), count = get_u32(p + 16);
  if (version != 1 && version != VERSION)
    return glab_error(GLAB_ERR_FORMAT, "load %s: format version %u (this gradlab reads 1 to %u)",
                      path, version, VERSION);
  if (rs != 4 && rs != 8) return glab_error(GLAB_ERR_FORMAT, "load %s: bad real size %u", path, rs);
  if (get_u32(p + len - 4) != (uint32_t)crc32_z(0L, p, len - 4))
    return glab_error(GLAB_ERR_FORMAT, "load %s: checksum mismatch (file damaged or truncated)",
                      path);
  /* every entry takes at least 8 bytes, every layer 4: bound the counts by the file before
   * allocating */
  size_t off = 24, end = len - 4, nl = 0;
  if (version >= 2) {
    if (end - off < 4) return bad_list(path);
    nl = get_u32(p + off);
    off += 4;
    if (nl > (end - off) / 4) return bad_list(path);
  }
  if (count > (end - off) / 8) return bad_list(path);
  int n = 0;
  entry *e = model_entries(m, &n);
  if (!e) return glab_error_context("load %s", path);
  int rc = GLAB_OK;
  size_t nf = count;
  fentry *fe = calloc(nf + 1, sizeof *fe);
  int *match = calloc((size_t)n + 1, sizeof *match);
  flayer *fl = calloc(nl + 1, sizeof *fl);
  if (!fe || !match || !fl) {
    rc = glab_error(GLAB_ERR_NOMEM, "load %s: out of memory", path);
    goto done;
  }
  for (size_t i = 0; i < nl; i++)
    if (get_str16(p, &off, end, &fl[i].name, &fl[i].name_len) != 0 ||
        get_str16(p, &off, end, &fl[i].type, &fl[i].type_len) != 0)
      goto trunc;
  for (size_t i = 0; i < nf; i++) {
    fentry *f = &fe[i];
    if (end - off < 2) goto trunc;
    f->name_len = (size_t)p[off] | (size_t)p[off + 1] << 8;
    off += 2;
    if (end - off < f->name_len + 2) goto trunc;
    f->name = p + off;
    off += f->name_len;
    f->is_buffer = p[off];
    f->ndim = p[off + 1];
    off += 2;
    if (f->ndim < 1 || f->ndim > GLAB_MAX_DIMS || end - off < 4 * (size_t)f->ndim) goto trunc;
    f->size = 1;
    for (int d = 0; d < f->ndim; d++, off += 4) {
      uint32_t s = get_u32(p + off);
      if (s == 0 || s > (1u << 30)) goto trunc;
      f->shape[d] = (int)s;
      f->size *= s;
      if (f->size > MAX_FILE) goto trunc;
    }
    if ((end - off) / rs < f->size) goto trunc;
    f->data = p + off;
    off += f->size * rs;
  }
  if (off != end) goto trunc;
  /* match by name, check shapes — before changing anything. A tensor without a counterpart is
   * named with its shape, and with what the other side holds at the same position. */
  for (int i = 0; i < n; i++) {
    int j = find_fentry(fe, nf, e[i].name);
    const glab_layer_type *t = glab_layer_get_type(e[i].layer);
    const glab_tensor *v = &e[i].var->value;
    char a[64], b[160];
    if (j < 0) {
      rc = glab_error(GLAB_ERR_FORMAT,
                      "load %s: layer %s (%s) %s '%s' %s is not in the file (the file holds %zu "
                      "tensor%s, the model has %d; at that position the file has %s)",
                      path, glab_layer_name(e[i].layer), t ? t->name : "?",
                      e[i].is_buffer ? "buffer" : "parameter", e[i].pname,
                      glab_shape_str(v->ndim, v->shape, a, sizeof a), nf, nf == 1 ? "" : "s", n,
                      (size_t)i < nf ? fentry_text(&fe[i], b, sizeof b) : "nothing");
      goto done;
    }
    const fentry *f = &fe[j];
    if (!glab_shape_equal(v->ndim, v->shape, f->ndim, f->shape)) {
      rc = glab_error(GLAB_ERR_FORMAT,
                      "load %s: layer %s (%s) parameter '%s': file has %s, model has %s", path,
                      glab_layer_name(e[i].layer), t ? t->name : "?", e[i].pname,
                      glab_shape_str(f->ndim, f->shape, b, sizeof b),
                      glab_shape_str(v->ndim, v->shape, a, sizeof a));
      goto done;
    }
    match[i] = j;
  }
  if (nf != (size_t)n) { /* every model tensor is in the file: the file has more */
    for (size_t j = 0; j < nf; j++) {
      int used = 0;
      for (int i = 0; i < n && !used; i++)
        used = match[i] == (int)j;
      if (used) continue;
      char a[160], b[200];
      rc = glab_error(GLAB_ERR_FORMAT,
                      "load %s: the file's tensor %s has no counterpart in the model (the file "
                      "holds %zu tensor%s, the model has %d; at that position the model has %s)",
                      path, fentry_text(&fe[j], a, sizeof a), nf, nf == 1 ? "" : "s", n,
                      j < (size_t)n ? entry_text(&e[j], b, sizeof b) : "nothing");
      goto done;
    }
    rc = glab_error(GLAB_ERR_FORMAT,
                    "load %s: the file holds %zu tensor%s, the model has %d "
                    "(a name repeats in the file)",
                    path, nf, nf == 1 ? "" : "s", n);
    goto done;
  }
  if (version >= 2 && (rc = check_layers(path, m, fl, nl)) != GLAB_OK) goto done;
  for (int i = 0; i < n; i++) {
    const fentry *f = &fe[match[i]];
    glab_real *dst = e[i].var->value.data;
    for (size_t k = 0; k < f->size; k++) {
      if (rs == 4) {
        float x;
        memcpy(&x, f->data + 4 * k, 4);
        dst[k] = (glab_real)x;
      } else {
        double x;
        memcpy(&x, f->data + 8 * k, 8);
        dst[k] = (glab_real)x;
      }
    }
  }
  goto done;
trunc:
  rc = bad_list(path);
done:
  free(fl);
  free(match);
  free(fe);
  free_entries(e, n);
  return rc;
}

int glab_model_load(glab_model *m, const char *path) {
  if (!m || !path) return glab_error(GLAB_ERR_ARG, "load: NULL model or path");
  size_t len = 0;
  unsigned char *p = read_all(path, &len);
  if (!p) return glab_last_status();
  int rc = load_checked(m, path, p, len);
  free(p);
  return rc;
}
