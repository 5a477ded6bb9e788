/* data_internal.h — what the data files (dataset.c, data_idx.c, data_csv.c, data_synth.c) share:
 * the refcounted storage behind dataset views, and the in-memory parser entry points the fuzzers
 * call. Not part of the public SDK. */
#ifndef GRADLAB_DATA_INTERNAL_H
#define GRADLAB_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "gradlab/data.h"

/* Element types of stored inputs: the IDX type codes, plus "glab_real". */
enum {
  GLAB_DT_U8 = 0x08,
  GLAB_DT_I8 = 0x09,
  GLAB_DT_I16 = 0x0B,
  GLAB_DT_I32 = 0x0C,
  GLAB_DT_F32 = 0x0D,
  GLAB_DT_F64 = 0x0E,
  GLAB_DT_REAL = 0x100
};

struct stat;
/* Open a data file for reading: its descriptor, with *st filled; or -1 with an error naming
 * the path ("cannot open: ...", or "not a regular file (a directory)" for folders, FIFOs and
 * devices — a FIFO is refused without blocking). Shared by the IDX and CSV loaders. */
int glab_data_open_file(const char *path, struct stat *st);

/* Bytes per element of a type code (0 for an unknown code). */
size_t glab_dtype_size(int dtype);

/* The data itself, shared by every view made from it (refcounted, immutable once built). */
typedef struct glab_data_store {
  int refs;
  size_t n; /* items */
  int item_ndim;
  int item_shape[GLAB_MAX_DIMS];
  size_t item_elems;
  int sequence; /* item [T][F], batch [T][n][F] */
  int dtype;    /* of inputs */
  void *inputs; /* n × item_elems elements, host byte order */
  glab_target_kind kind;
  int width;          /* classes for CLASS, W for REAL */
  int32_t *labels;    /* CLASS: n labels */
  glab_real *targets; /* REAL: n × width */
  char name[64];      /* "fashion-mnist-test", "adding", a file's base name, ... */
} glab_data_store;

/* A zeroed store with refs = 1 and the given name; NULL on no memory. */
glab_data_store *glab_store_new(const char *name);
/* Takes ownership of the store's reference: on failure the store is released. The view covers
 * all items in order with GLAB_SCALE_UNIT. */
glab_dataset *glab_dataset_from_store(glab_data_store *st);
void glab_store_release(glab_data_store *st);
/* Rename the storage (and so every view's description), e.g. "fashion-mnist-test". */
void glab_dataset_rename(glab_dataset *ds, const char *name);
/* Check item shape / classes / sizes of a filled store (a last line of defence for loaders). */
int glab_store_validate(const glab_data_store *st);

/* IDX from memory (what the fuzzer calls): both buffers may be gzip or plain. `labels` may be
 * NULL. `images_name`/`labels_name` name them in messages. */
glab_dataset *glab_data_idx_load_memory(const void *images, size_t images_len,
                                        const char *images_name, const void *labels,
                                        size_t labels_len, const char *labels_name,
                                        const glab_idx_options *opt);

/* "item" or "items" for a count of n (messages say "1 item", "2 items"). */
static inline const char *glab_items_word(size_t n) {
  return n == 1 ? "item" : "items";
}

/* CSV from memory (what the fuzzer calls); `name` stands for the file in messages. */
glab_dataset *glab_data_csv_load_memory(const void *buf, size_t len, const char *name,
                                        const glab_csv_options *opt);

#endif
