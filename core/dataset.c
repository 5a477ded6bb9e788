/* dataset.c — dataset views over shared storage: inspection, batches converted into caller
 * buffers (no allocation per batch), subsets, splits, shuffles, class counts, scaling and
 * standardisation. The loaders live in data_*.c (arrays and built-in tasks: data_synth.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data_internal.h"
#include "gradlab/error.h"

struct glab_dataset {
  int refs;
  glab_data_store *st;
  size_t n;
  size_t *index; /* n indices into the store, or NULL: items 0..n-1 */
  glab_data_scale scale;
  glab_real *mean;    /* item_elems, for GLAB_SCALE_STANDARD */
  glab_real *inv_std; /* item_elems */
  char name[256];
};

/* What a non-regular file is, for "not a regular file (a directory)". */
static const char *node_kind(mode_t m) {
  return S_ISDIR(m)    ? "a directory"
         : S_ISFIFO(m) ? "a FIFO"
         : S_ISCHR(m)  ? "a character device"
         : S_ISBLK(m)  ? "a block device"
         : S_ISSOCK(m) ? "a socket"
                       : "not a plain file";
}

int glab_data_open_file(const char *path, struct stat *st) {
  /* O_NONBLOCK: opening a FIFO with no writer must not hang before fstat can refuse it. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return glab_error(GLAB_ERR_IO, "%s: cannot open: %s", path, strerror(errno)), -1;
  if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
    int e = errno;
    const char *what = S_ISREG(st->st_mode) ? strerror(e) : node_kind(st->st_mode);
    close(fd);
    return glab_error(GLAB_ERR_IO, "%s: not a regular file (%s)", path, what), -1;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl != -1) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

size_t glab_dtype_size(int dtype) {
  switch (dtype) {
  case GLAB_DT_U8:
  case GLAB_DT_I8:
    return 1;
  case GLAB_DT_I16:
    return 2;
  case GLAB_DT_I32:
  case GLAB_DT_F32:
    return 4;
  case GLAB_DT_F64:
    return 8;
  case GLAB_DT_REAL:
    return sizeof(glab_real);
  default:
    return 0;
  }
}

/* ---- storage ---- */

glab_data_store *glab_store_new(const char *name) {
  glab_data_store *st = calloc(1, sizeof *st);
  if (!st) {
    glab_error(GLAB_ERR_NOMEM, "dataset: out of memory");
    return NULL;
  }
  st->refs = 1;
  st->dtype = GLAB_DT_REAL;
  snprintf(st->name, sizeof st->name, "%s", name ? name : "data");
  return st;
}

void glab_store_release(glab_data_store *st) {
  if (!st || --st->refs > 0) return;
  free(st->inputs);
  free(st->labels);
  free(st->targets);
  free(st);
}

int glab_store_validate(const glab_data_store *st) {
  if (st->item_ndim < 1 || st->item_ndim > GLAB_MAX_DIMS - 1)
    return glab_error(GLAB_ERR_SHAPE, "%s: items must have 1 to %d dimensions, not %d", st->name,
                      GLAB_MAX_DIMS - 1, st->item_ndim);
  if (st->sequence && st->item_ndim != 2)
    return glab_error(GLAB_ERR_SHAPE, "%s: sequence items must be [T][F]", st->name);
  size_t e = glab_shape_size(st->item_ndim, st->item_shape);
  if (e == 0 || e != st->item_elems)
    return glab_error(GLAB_ERR_SHAPE, "%s: bad item shape", st->name);
  if (glab_dtype_size(st->dtype) == 0)
    return glab_error(GLAB_ERR_ARG, "%s: unknown element type 0x%x", st->name, st->dtype);
  if (st->kind == GLAB_TARGET_CLASS) {
    if (st->width < 1 || !st->labels)
      return glab_error(GLAB_ERR_ARG, "%s: class data needs labels and classes >= 1", st->name);
    for (size_t i = 0; i < st->n; i++)
      if (st->labels[i] < 0 || st->labels[i] >= st->width)
        return glab_error(GLAB_ERR_ARG, "%s: label %d of item %zu is outside 0..%d", st->name,
                          (int)st->labels[i], i, st->width - 1);
  } else if (st->kind == GLAB_TARGET_REAL) {
    if (st->width < 1 || !st->targets)
      return glab_error(GLAB_ERR_ARG, "%s: real targets need a width >= 1", st->name);
  } else if (st->width != 0) {
    return glab_error(GLAB_ERR_ARG, "%s: a dataset without targets has width 0", st->name);
  }
  return GLAB_OK;
}

static void describe(glab_dataset *ds) {
  const glab_data_store *st = ds->st;
  char shape[64];
  glab_shape_str(st->item_ndim, st->item_shape, shape, sizeof shape);
  const char *arrow = st->kind == GLAB_TARGET_NONE ? "" : " -> ";
  char tgt[48] = "";
  if (st->kind == GLAB_TARGET_CLASS)
    snprintf(tgt, sizeof tgt, "%d class%s", st->width, st->width == 1 ? "" : "es");
  if (st->kind == GLAB_TARGET_REAL) snprintf(tgt, sizeof tgt, "real[%d]", st->width);
  snprintf(ds->name, sizeof ds->name, "%s: %zu %s %s%s%s%s", st->name, ds->n,
           glab_items_word(ds->n), shape, st->sequence ? " (sequence)" : "", arrow, tgt);
}

static glab_dataset *view_new(glab_data_store *st, size_t n, size_t *index, glab_data_scale scale) {
  glab_dataset *ds = calloc(1, sizeof *ds);
  if (!ds) {
    free(index);
    glab_error(GLAB_ERR_NOMEM, "dataset: out of memory");
    return NULL;
  }
  ds->refs = 1;
  ds->st = st;
  st->refs++;
  ds->n = n;
  ds->index = index;
  ds->scale = scale;
  describe(ds);
  return ds;
}

glab_dataset *glab_dataset_from_store(glab_data_store *st) {
  if (!st) return NULL;
  if (glab_store_validate(st) != GLAB_OK) {
    glab_store_release(st);
    return NULL;
  }
  glab_dataset *ds = view_new(st, st->n, NULL, GLAB_SCALE_UNIT);
  glab_store_release(st); /* the view holds it now */
  return ds;
}

void glab_dataset_rename(glab_dataset *ds, const char *name) {
  if (!ds || !name) return;
  snprintf(ds->st->name, sizeof ds->st->name, "%s", name);
  describe(ds);
}

glab_dataset *glab_dataset_retain(glab_dataset *ds) {
  if (ds) ds->refs++;
  return ds;
}

void glab_dataset_destroy(glab_dataset *ds) {
  if (!ds || --ds->refs > 0) return;
  glab_store_release(ds->st);
  free(ds->index);
  free(ds->mean);
  free(ds->inv_std);
  free(ds);
}

/* ---- inspection ---- */

size_t glab_dataset_size(const glab_dataset *ds) {
  return ds ? ds->n : 0;
}

int glab_dataset_item_shape(const glab_dataset *ds, int *shape) {
  for (int i = 0; i < ds->st->item_ndim; i++)
    shape[i] = ds->st->item_shape[i];
  return ds->st->item_ndim;
}

size_t glab_dataset_item_elems(const glab_dataset *ds) {
  return ds->st->item_elems;
}
int glab_dataset_is_sequence(const glab_dataset *ds) {
  return ds->st->sequence;
}
glab_target_kind glab_dataset_target_kind(const glab_dataset *ds) {
  return ds->st->kind;
}
int glab_dataset_classes(const glab_dataset *ds) {
  return ds->st->kind == GLAB_TARGET_CLASS ? ds->st->width : 0;
}
int glab_dataset_target_width(const glab_dataset *ds) {
  return ds->st->width;
}
glab_data_scale glab_dataset_scale(const glab_dataset *ds) {
  return ds->scale;
}
const char *glab_dataset_name(const glab_dataset *ds) {
  return ds->name;
}

static size_t store_index(const glab_dataset *ds, size_t i) {
  return ds->index ? ds->index[i] : i;
}

/* ---- batches ---- */

int glab_dataset_batch_shape(const glab_dataset *ds, size_t n, int *shape) {
  const glab_data_store *st = ds->st;
  if (n == 0 || n > INT_MAX) {
    glab_error(GLAB_ERR_ARG, "dataset batch: %zu items is not a valid batch size", n);
    return 0;
  }
  if (st->sequence) {
    shape[0] = st->item_shape[0];
    shape[1] = (int)n;
    shape[2] = st->item_shape[1];
    return 3;
  }
  shape[0] = (int)n;
  for (int i = 0; i < st->item_ndim; i++)
    shape[i + 1] = st->item_shape[i];
  return st->item_ndim + 1;
}

/* Multiplier that maps a stored value to "unit" scale: uint8 to [0, 1] (/255); a signed type
 * of b bits to [-1, 1) by 2^-(b-1), so its most negative value is exactly -1 (dividing by the
 * maximum, 127, gave -128/127 = -1.008) and the factor is exact in binary. */
static double unit_mult(int dtype) {
  switch (dtype) {
  case GLAB_DT_U8:
    return 1.0 / 255.0;
  case GLAB_DT_I8:
    return 1.0 / 128.0;
  case GLAB_DT_I16:
    return 1.0 / 32768.0;
  case GLAB_DT_I32:
    return 1.0 / 2147483648.0;
  default:
    return 1.0;
  }
}

#define CONVERT(type)                                                                              \
  do {                                                                                             \
    const type *restrict s = (const type *)src + off;                                              \
    if (mean)                                                                                      \
      for (size_t k = 0; k < count; k++)                                                           \
        dst[k] = (glab_real)(((glab_real)s[k] * m - mean[k]) * inv_std[k]);                        \
    else if (m == 1)                                                                               \
      for (size_t k = 0; k < count; k++)                                                           \
        dst[k] = (glab_real)s[k];                                                                  \
    else                                                                                           \
      for (size_t k = 0; k < count; k++)                                                           \
        dst[k] = (glab_real)((glab_real)s[k] * m);                                                 \
  } while (0)

/* Convert `count` stored elements starting at element `off` into dst. mean/inv_std: the
 * statistics of these features (NULL unless standardising). The loops are vectorised (with
 * -fvect-cost-model=dynamic at -O2, see core/CMakeLists.txt): for uint8 pixels that is faster than
 * a 256-entry table, whose one gather per element the compiler cannot vectorise. */
static void convert(int dtype, const void *src, size_t off, size_t count, glab_real *restrict dst,
                    glab_real m, const glab_real *mean, const glab_real *inv_std) {
  switch (dtype) {
  case GLAB_DT_U8:
    CONVERT(uint8_t);
    break;
  case GLAB_DT_I8:
    CONVERT(int8_t);
    break;
  case GLAB_DT_I16:
    CONVERT(int16_t);
    break;
  case GLAB_DT_I32:
    CONVERT(int32_t);
    break;
  case GLAB_DT_F32:
    CONVERT(float);
    break;
  case GLAB_DT_F64:
    CONVERT(double);
    break;
  default:
    CONVERT(glab_real);
    break;
  }
}

/* Store item `si` into batch slot b of n: chunk t of the item (F elements) goes to
 * dst[(t·n + b)·F] — for flat data T = 1, F = item_elems, i.e. dst[b·E]. */
static void fill_item(const glab_dataset *ds, size_t si, size_t b, size_t n, glab_real *dst,
                      glab_data_scale scale) {
  const glab_data_store *st = ds->st;
  size_t T = st->sequence ? (size_t)st->item_shape[0] : 1;
  size_t F = st->item_elems / T;
  glab_real m = scale == GLAB_SCALE_RAW ? 1 : (glab_real)unit_mult(st->dtype);
  int stdz = scale == GLAB_SCALE_STANDARD && ds->mean;
  for (size_t t = 0; t < T; t++) {
    glab_real *out = dst + (t * n + b) * F;
    size_t off = si * st->item_elems + t * F;
    convert(st->dtype, st->inputs, off, F, out, m, stdz ? ds->mean + t * F : NULL,
            stdz ? ds->inv_std + t * F : NULL);
  }
}

static int fill_targets(const glab_dataset *ds, const size_t *indices, size_t n, glab_real *targets,
                        int *labels) {
  const glab_data_store *st = ds->st;
  if (labels && st->kind != GLAB_TARGET_CLASS)
    return glab_error(GLAB_ERR_ARG, "dataset batch: %s has no class labels", st->name);
  if (targets && st->kind == GLAB_TARGET_NONE)
    return glab_error(GLAB_ERR_ARG, "dataset batch: %s has no targets", st->name);
  size_t W = (size_t)st->width;
  for (size_t b = 0; b < n; b++) {
    size_t si = store_index(ds, indices[b]);
    if (st->kind == GLAB_TARGET_CLASS) {
      if (labels) labels[b] = st->labels[si];
      if (targets) {
        memset(targets + b * W, 0, W * sizeof *targets);
        targets[b * W + (size_t)st->labels[si]] = 1;
      }
    } else if (targets) {
      memcpy(targets + b * W, st->targets + si * W, W * sizeof *targets);
    }
  }
  return GLAB_OK;
}

static int check_indices(const glab_dataset *ds, const size_t *indices, size_t n, const char *fn) {
  for (size_t b = 0; b < n; b++)
    if (indices[b] >= ds->n)
      return glab_error(GLAB_ERR_ARG, "%s: index %zu is out of range for %zu %s", fn, indices[b],
                        ds->n, glab_items_word(ds->n));
  return GLAB_OK;
}

int glab_dataset_batch(const glab_dataset *ds, const size_t *indices, size_t n, glab_tensor *inputs,
                       glab_real *targets, int *labels) {
  if (!ds || !indices || !inputs || !inputs->data)
    return glab_error(GLAB_ERR_ARG, "dataset batch: NULL argument");
  int shape[GLAB_MAX_DIMS];
  int nd = glab_dataset_batch_shape(ds, n, shape);
  if (nd == 0) return GLAB_ERR_ARG;
  if (!glab_shape_equal(inputs->ndim, inputs->shape, nd, shape)) {
    char want[64], got[64];
    glab_shape_str(nd, shape, want, sizeof want);
    glab_shape_str(inputs->ndim, inputs->shape, got, sizeof got);
    return glab_error(GLAB_ERR_SHAPE, "dataset batch: input tensor is %s, a batch of %zu is %s",
                      got, n, want);
  }
  if (check_indices(ds, indices, n, "dataset batch") != GLAB_OK) return GLAB_ERR_ARG;
  int rc = fill_targets(ds, indices, n, targets, labels);
  if (rc != GLAB_OK) return rc;
  size_t esz = glab_dtype_size(ds->st->dtype), item_bytes = ds->st->item_elems * esz;
  for (size_t b = 0; b < n; b++) {
    /* Items are scattered (shuffled order): fetch the next one while converting this one. */
    if (b + 1 < n) {
      const char *next =
          (const char *)ds->st->inputs + store_index(ds, indices[b + 1]) * item_bytes;
      for (size_t off = 0; off < item_bytes; off += 64)
        __builtin_prefetch(next + off);
    }
    fill_item(ds, store_index(ds, indices[b]), b, n, inputs->data, ds->scale);
  }
  return GLAB_OK;
}

int glab_dataset_item(const glab_dataset *ds, size_t i, glab_tensor *input, glab_real *target,
                      int *label) {
  if (!ds || !input || !input->data) return glab_error(GLAB_ERR_ARG, "dataset item: NULL argument");
  if (!glab_shape_equal(input->ndim, input->shape, ds->st->item_ndim, ds->st->item_shape))
    return glab_error(GLAB_ERR_SHAPE, "dataset item: tensor does not have the item shape");
  if (check_indices(ds, &i, 1, "dataset item") != GLAB_OK) return GLAB_ERR_ARG;
  int rc = fill_targets(ds, &i, 1, target, label);
  if (rc != GLAB_OK) return rc;
  fill_item(ds, store_index(ds, i), 0, 1, input->data, ds->scale); /* [T][1][F] = [T][F] */
  return GLAB_OK;
}

size_t glab_dataset_num_batches(size_t n, size_t batch, int drop_last) {
  if (batch == 0) return 0;
  return drop_last ? n / batch : (n + batch - 1) / batch;
}

int glab_one_hot(const int *labels, size_t n, int classes, glab_real *out) {
  for (size_t i = 0; i < n; i++)
    if (labels[i] < 0 || labels[i] >= classes)
      return glab_error(GLAB_ERR_ARG, "one_hot: label %d of row %zu is outside 0..%d", labels[i], i,
                        classes - 1);
  memset(out, 0, n * (size_t)classes * sizeof *out);
  for (size_t i = 0; i < n; i++)
    out[i * (size_t)classes + (size_t)labels[i]] = 1;
  return GLAB_OK;
}

/* ---- new views ---- */

static int copy_stats(glab_dataset *dst, const glab_dataset *src) {
  if (!src->mean) return GLAB_OK;
  size_t e = src->st->item_elems;
  dst->mean = malloc(e * sizeof *dst->mean);
  dst->inv_std = malloc(e * sizeof *dst->inv_std);
  if (!dst->mean || !dst->inv_std) return glab_error(GLAB_ERR_NOMEM, "dataset: out of memory");
  memcpy(dst->mean, src->mean, e * sizeof *dst->mean);
  memcpy(dst->inv_std, src->inv_std, e * sizeof *dst->inv_std);
  return GLAB_OK;
}

/* A view of ds's items indices[0..n-1]; `indices` are view indices (checked). */
static glab_dataset *make_view(glab_dataset *ds, const size_t *indices, size_t n) {
  if (check_indices(ds, indices, n, "dataset subset") != GLAB_OK) return NULL;
  size_t *idx = malloc((n ? n : 1) * sizeof *idx);
  if (!idx) {
    glab_error(GLAB_ERR_NOMEM, "dataset subset: out of memory for %zu indices", n);
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    idx[i] = store_index(ds, indices[i]);
  glab_dataset *v = view_new(ds->st, n, idx, ds->scale);
  if (v && copy_stats(v, ds) != GLAB_OK) {
    glab_dataset_destroy(v);
    return NULL;
  }
  return v;
}

glab_dataset *glab_dataset_subset(glab_dataset *ds, const size_t *indices, size_t n) {
  if (!ds || (!indices && n)) {
    glab_error(GLAB_ERR_ARG, "dataset subset: NULL argument");
    return NULL;
  }
  return make_view(ds, indices, n);
}

static size_t *iota(size_t n) {
  size_t *idx = malloc((n ? n : 1) * sizeof *idx);
  if (!idx) {
    glab_error(GLAB_ERR_NOMEM, "dataset: out of memory for %zu indices", n);
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  return idx;
}

glab_dataset *glab_dataset_head(glab_dataset *ds, size_t n) {
  if (!ds) {
    glab_error(GLAB_ERR_ARG, "dataset head: NULL dataset");
    return NULL;
  }
  if (n > ds->n) n = ds->n;
  size_t *idx = iota(n);
  if (!idx) return NULL;
  glab_dataset *v = make_view(ds, idx, n);
  free(idx);
  return v;
}

glab_dataset *glab_dataset_shuffled(glab_dataset *ds, glab_rng *rng) {
  if (!ds || !rng) {
    glab_error(GLAB_ERR_ARG, "dataset shuffle: NULL argument");
    return NULL;
  }
  size_t *idx = iota(ds->n);
  if (!idx) return NULL;
  glab_rng_shuffle(rng, idx, ds->n);
  glab_dataset *v = make_view(ds, idx, ds->n);
  free(idx);
  return v;
}

int glab_dataset_split(glab_dataset *ds, double fraction, glab_rng *rng, glab_dataset **first,
                       glab_dataset **second) {
  if (!ds || !first || !second) return glab_error(GLAB_ERR_ARG, "dataset split: NULL argument");
  *first = *second = NULL;
  if (!(fraction >= 0 && fraction <= 1))
    return glab_error(GLAB_ERR_ARG, "dataset split: fraction %g is not in [0, 1]", fraction);
  size_t *idx = iota(ds->n);
  if (!idx) return GLAB_ERR_NOMEM;
  if (rng) glab_rng_shuffle(rng, idx, ds->n);
  size_t k = (size_t)floor(fraction * (double)ds->n + 0.5);
  if (k > ds->n) k = ds->n;
  *first = make_view(ds, idx, k);
  *second = *first ? make_view(ds, idx + k, ds->n - k) : NULL;
  free(idx);
  if (!*second) {
    glab_dataset_destroy(*first);
    *first = NULL;
    return glab_last_status() ? glab_last_status() : GLAB_ERR_NOMEM;
  }
  return GLAB_OK;
}

int glab_dataset_class_counts(const glab_dataset *ds, size_t *counts) {
  if (!ds || !counts) return glab_error(GLAB_ERR_ARG, "dataset class_counts: NULL argument");
  if (ds->st->kind != GLAB_TARGET_CLASS)
    return glab_error(GLAB_ERR_ARG, "dataset class_counts: %s has no class labels", ds->st->name);
  memset(counts, 0, (size_t)ds->st->width * sizeof *counts);
  for (size_t i = 0; i < ds->n; i++)
    counts[ds->st->labels[store_index(ds, i)]]++;
  return GLAB_OK;
}

/* ---- scaling ---- */

int glab_dataset_set_scale(glab_dataset *ds, glab_data_scale scale) {
  if (!ds) return glab_error(GLAB_ERR_ARG, "dataset scale: NULL dataset");
  if (scale != GLAB_SCALE_UNIT && scale != GLAB_SCALE_RAW && scale != GLAB_SCALE_STANDARD)
    return glab_error(GLAB_ERR_ARG, "dataset scale: unknown mode %d", (int)scale);
  if (scale == GLAB_SCALE_STANDARD && !ds->mean) return glab_dataset_standardize(ds, NULL);
  ds->scale = scale;
  return GLAB_OK;
}

int glab_dataset_standardize(glab_dataset *ds, const glab_dataset *from) {
  if (!ds) return glab_error(GLAB_ERR_ARG, "dataset standardize: NULL dataset");
  if (!from) from = ds;
  const glab_data_store *a = ds->st, *b = from->st;
  if (!glab_shape_equal(a->item_ndim, a->item_shape, b->item_ndim, b->item_shape))
    return glab_error(GLAB_ERR_SHAPE, "dataset standardize: %s and %s have different items",
                      a->name, b->name);
  if (from->n == 0)
    return glab_error(GLAB_ERR_ARG, "dataset standardize: %s has no items", b->name);
  size_t e = a->item_elems;
  double *sum = calloc(e, sizeof *sum), *sq = calloc(e, sizeof *sq);
  glab_real *x = malloc(e * sizeof *x);
  glab_real *mean = malloc(e * sizeof *mean), *inv = malloc(e * sizeof *inv);
  int rc = GLAB_OK;
  if (!sum || !sq || !x || !mean || !inv) {
    rc = glab_error(GLAB_ERR_NOMEM, "dataset standardize: out of memory");
    goto done;
  }
  /* Two passes (mean, then squared deviations): accurate without a large cancellation. */
  for (size_t i = 0; i < from->n; i++) {
    fill_item(from, store_index(from, i), 0, 1, x, GLAB_SCALE_UNIT);
    for (size_t k = 0; k < e; k++)
      sum[k] += x[k];
  }
  for (size_t k = 0; k < e; k++)
    sum[k] /= (double)from->n;
  for (size_t i = 0; i < from->n; i++) {
    fill_item(from, store_index(from, i), 0, 1, x, GLAB_SCALE_UNIT);
    for (size_t k = 0; k < e; k++)
      sq[k] += ((double)x[k] - sum[k]) * ((double)x[k] - sum[k]);
  }
  for (size_t k = 0; k < e; k++) {
    double sd = sqrt(sq[k] / (double)from->n);
    mean[k] = (glab_real)sum[k];
    inv[k] = (glab_real)(sd < 1e-8 ? 1.0 : 1.0 / sd);
  }
  free(ds->mean);
  free(ds->inv_std);
  ds->mean = mean;
  ds->inv_std = inv;
  mean = inv = NULL;
  ds->scale = GLAB_SCALE_STANDARD;
done:
  free(sum);
  free(sq);
  free(x);
  free(mean);
  free(inv);
  return rc;
}
