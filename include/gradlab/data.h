/* data.h — datasets: IDX (MNIST/Fashion-MNIST, plain or gzip), CSV, built-in synthetic tasks,
 * and the operations a training loop needs (batches into caller-owned buffers, subsets, splits,
 * shuffles, class counts).
 *
 * Items and batches. Every item has an input of a fixed shape (the "item shape") and a target:
 *  - flat data (images, CSV rows, blobs): item shape e.g. [28][28] or [F]; a batch of n items is
 *    [n][...item shape] (batches are rows);
 *  - sequence data (adding, copy): item shape [T][F]; a batch is [T][n][F] (time major, as the
 *    recurrent layers take it).
 * Targets are one of: class indices 0..K-1 (GLAB_TARGET_CLASS), a real vector of width W per
 * item (GLAB_TARGET_REAL), or nothing (GLAB_TARGET_NONE, e.g. an IDX image file without labels).
 *
 * Storage and sharing. Loaded data stays compact (IDX uint8 stays uint8) and is converted to
 * glab_real per batch, scaled to [0,1] (default), standardised, or raw. A glab_dataset is an
 * immutable *view*: storage (refcounted, shared) plus an optional index map. subset/split/
 * shuffled/head return new views sharing the storage in O(n indices) memory, never copying the
 * data. Each view is itself refcounted: glab_dataset_retain() adds an owner (e.g. two Lua
 * objects), glab_dataset_destroy() drops one; memory goes when the last view of a storage goes.
 * Views are read-only after creation, so sharing them between readers is safe.
 *
 * Errors: NULL / non-zero status with glab_last_error() naming the file, line/column or the
 * reason. Malformed files never crash and never allocate more than their real length justifies. */
#ifndef GRADLAB_DATA_H
#define GRADLAB_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "gradlab/rng.h"
#include "gradlab/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glab_dataset glab_dataset;

typedef enum glab_target_kind {
  GLAB_TARGET_NONE = 0, /* inputs only */
  GLAB_TARGET_CLASS,    /* one class index per item, 0..classes-1 */
  GLAB_TARGET_REAL      /* a real vector of width target_width per item */
} glab_target_kind;

/* How stored values become glab_real in a batch. */
typedef enum glab_data_scale {
  GLAB_SCALE_UNIT = 0, /* uint8 /255 → [0,1]; signed b-bit integers /2^(b-1) → [-1,1)
                          (int8 /128); real storage unchanged. The default. */
  GLAB_SCALE_RAW,      /* values as stored */
  GLAB_SCALE_STANDARD  /* per input feature (x - mean) / std, with the statistics of
                          glab_dataset_standardize(); std < 1e-8 counts as 1 */
} glab_data_scale;

/* ---- Inspecting a dataset ---------------------------------------------------------------- */

size_t glab_dataset_size(const glab_dataset *ds);
/* Per-item input shape (e.g. [28][28], [2], or [T][F] for sequences); returns ndim and fills
 * shape[GLAB_MAX_DIMS]. */
int glab_dataset_item_shape(const glab_dataset *ds, int *shape);
size_t glab_dataset_item_elems(const glab_dataset *ds); /* product of the item shape */
int glab_dataset_is_sequence(const glab_dataset *ds);   /* item [T][F], batch [T][n][F] */
glab_target_kind glab_dataset_target_kind(const glab_dataset *ds);
int glab_dataset_classes(const glab_dataset *ds);      /* K for class targets, else 0 */
int glab_dataset_target_width(const glab_dataset *ds); /* W for real targets, K for class
                                                          targets (the one-hot width), 0 for none */
glab_data_scale glab_dataset_scale(const glab_dataset *ds);
/* A short description for printing: "fashion-mnist-test: 10000 items [28][28] → 10 classes". */
const char *glab_dataset_name(const glab_dataset *ds);

/* ---- Batches (no allocation: the caller owns and reuses every buffer) -------------------- */

/* Shape of the input tensor for a batch of n items: [n][item...] or, for sequences, [T][n][F].
 * Returns ndim and fills shape[GLAB_MAX_DIMS]; 0 on error (n = 0 or too large for int). */
int glab_dataset_batch_shape(const glab_dataset *ds, size_t n, int *shape);

/* Fill a batch with the items indices[0..n-1] (indices into this view, each < size).
 *  inputs: a tensor whose shape is exactly glab_dataset_batch_shape(ds, n) (a tensor made for a
 *          bigger batch may be reshaped in place by the caller — it is plain data — as long as
 *          its buffer is large enough);
 *  targets (may be NULL): n × target_width reals, row-major — the real targets, or for class
 *          datasets the one-hot encoding of the labels (for an MSE loss);
 *  labels (may be NULL): n class indices; only for class datasets (GLAB_ERR_ARG otherwise).
 * Returns GLAB_OK or an error code (bad index, wrong shape). */
int glab_dataset_batch(const glab_dataset *ds, const size_t *indices, size_t n, glab_tensor *inputs,
                       glab_real *targets, int *labels);

/* One item: `input` has the item shape (glab_dataset_item_shape); targets/labels as above with
 * n = 1. */
int glab_dataset_item(const glab_dataset *ds, size_t i, glab_tensor *input, glab_real *target,
                      int *label);

/* Number of batches of `batch` items in an epoch of n items (last partial batch kept unless
 * drop_last). */
size_t glab_dataset_num_batches(size_t n, size_t batch, int drop_last);

/* One-hot rows: out[i*classes + labels[i]] = 1, else 0. GLAB_ERR_ARG on a label out of range. */
int glab_one_hot(const int *labels, size_t n, int classes, glab_real *out);

/* ---- New views (share storage; each result must be destroyed) ---------------------------- */

glab_dataset *glab_dataset_retain(glab_dataset *ds); /* returns ds */
void glab_dataset_destroy(glab_dataset *ds);         /* drops one reference; NULL is fine */

/* Items indices[0..n-1] of ds (repeats allowed), in that order. */
glab_dataset *glab_dataset_subset(glab_dataset *ds, const size_t *indices, size_t n);
/* The first min(n, size) items. */
glab_dataset *glab_dataset_head(glab_dataset *ds, size_t n);
/* A permutation of ds drawn from rng (Fisher–Yates, glab_rng_shuffle). */
glab_dataset *glab_dataset_shuffled(glab_dataset *ds, glab_rng *rng);
/* Split into the first round(fraction·size) items and the rest; if rng is not NULL the items
 * are shuffled first. fraction in [0,1]. Returns GLAB_OK and sets *first and *second. */
int glab_dataset_split(glab_dataset *ds, double fraction, glab_rng *rng, glab_dataset **first,
                       glab_dataset **second);
/* counts[0..classes-1] = number of items of each class (class datasets only). */
int glab_dataset_class_counts(const glab_dataset *ds, size_t *counts);

/* Change how values are converted (affects this view only; call before sharing it). */
int glab_dataset_set_scale(glab_dataset *ds, glab_data_scale scale);
/* Compute per-feature mean and std over the items of `stats_from` (NULL: ds itself, e.g. pass the
 * training set when standardising its test set) and switch ds to GLAB_SCALE_STANDARD. The
 * statistics are of the unit-scaled values. Shapes must match. */
int glab_dataset_standardize(glab_dataset *ds, const glab_dataset *stats_from);

/* ---- Creating datasets ------------------------------------------------------------------- */

/* From memory (copied): n items of item shape (ndim, shape), inputs n × item_elems reals.
 * sequence: item shape must be [T][F]. kind CLASS: labels[n] in 0..width-1 (width = classes);
 * REAL: targets n × width; NONE: both NULL, width 0. */
glab_dataset *glab_dataset_from_arrays(size_t n, int ndim, const int *shape, int sequence,
                                       const glab_real *inputs, glab_target_kind kind, int width,
                                       const glab_real *targets, const int *labels);

/* IDX (LeCun's MNIST format), plain or gzip (by content, not by name). `images` holds the
 * inputs (any element type: u8 i8 i16 i32 f32 f64; 1 to 4 dims, first = item count); `labels`
 * (may be NULL) a 1-dim file of integer class indices with the same count. `limit` > 0 keeps only
 * the first `limit` items (only those are decompressed). */
typedef struct glab_idx_options {
  glab_data_scale scale; /* default GLAB_SCALE_UNIT */
  size_t limit;          /* 0: all */
  int keep_shape;        /* 0 (default): items are flattened to 1-D ([28][28] -> [784]), so a
                            batch is [n][784], rows ready for a dense layer; 1: items keep
                            the file's shape ([n][28][28]) */
} glab_idx_options;
glab_dataset *glab_data_idx_load(const char *images, const char *labels,
                                 const glab_idx_options *opt /* NULL: defaults */);

/* Fashion-MNIST from $GRADLAB_DATA (a folder with the four *-idx?-ubyte[.gz] files) or
 * /usr/share/datasets/fashion-mnist/ (Debian package dataset-fashion-mnist). split: "train"
 * (60000) or "test" (10000); limit 0 = all. The error says how to install the data when absent;
 * a label outside 0..9 is GLAB_ERR_FORMAT naming the file, the item and the value. */
glab_dataset *glab_data_fashion_mnist(const char *split, size_t limit);
/* The folder that would be used (NULL if none found; sets the error). */
const char *glab_data_fashion_mnist_dir(void);

/* CSV (RFC 4180 through libcsv). All fields but the label must be numbers. */
typedef struct glab_csv_options {
  int header;             /* first row holds column names (default 1) */
  char delimiter;         /* default ',' */
  const char *label_name; /* label column by name (needs a header), or NULL */
  int label_index;        /* label column by 0-based index; -1 = last column; -2 = no label */
  int real_target;        /* label is a real number (GLAB_TARGET_REAL, width 1) rather than a
                             class index (non-negative integer) */
  size_t limit;           /* 0: all rows */
} glab_csv_options;
void glab_csv_options_init(glab_csv_options *opt); /* the defaults above (label: last column) */
glab_dataset *glab_data_csv_load(const char *path, const glab_csv_options *opt /* NULL: dflt */);

/* ---- Built-in data (no files) ------------------------------------------------------------ */

/* The 4 XOR points, inputs [2] in {0,1}, real target width 1 (0 or 1). */
glab_dataset *glab_data_xor(void);
/* n points in `classes` isotropic Gaussian blobs (std `spread`, a finite number > 0; 1 is the
 * Lua default) in `dim` dimensions, centres drawn uniformly in [-5,5]^dim; labels balanced
 * (item i has class i % classes). A NaN, infinite, zero or negative spread is an error naming
 * the option and the value (NULL). */
glab_dataset *glab_data_blobs(size_t n, int classes, int dim, double spread, uint64_t seed);
/* Two interleaved spirals in 2-D, n points (half per class), Gaussian noise `noise` (a finite
 * number >= 0; NaN, infinite or negative is an error naming the option and the value). */
glab_dataset *glab_data_spirals(size_t n, double noise, uint64_t seed);
/* The adding problem (Hochreiter & Schmidhuber 1997): item [T][2] of (value ~ U[0,1], marker);
 * exactly two markers, one in the first half and one in the second; target (real, width 1) =
 * sum of the two marked values. Predicting the mean 1 gives MSE ≈ 1/6 ≈ 0.167. T >= 2. */
glab_dataset *glab_data_adding(int T, size_t n, uint64_t seed);
/* Copy (memory) task: step 1 shows one of `symbols` symbols (one-hot), steps 2..T-1 are blank,
 * step T raises a "recall" channel; the class target is the symbol shown at step 1. Item
 * [T][symbols+1]; chance accuracy 1/symbols. T >= 2, symbols >= 2 (default 8 if <= 0). */
glab_dataset *glab_data_copy(int T, size_t n, int symbols, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
