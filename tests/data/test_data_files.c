/* test_data_files.c — the IDX and CSV loaders: round trips on small files this test writes into
 * a temporary folder (plain and gzip, every IDX element type), every malformed input the issue
 * lists (each must give a clear error naming the file, never a crash or a huge allocation), and
 * the installed Fashion-MNIST test split (SKIPPED, said plainly, when it is not installed). */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data_test_util.h"
#include "gradlab/data.h"
#include "gradlab/error.h"

#define HAS(msg, part) (strstr((msg), (part)) != NULL)

static void expect_error(glab_dataset *ds, const char *part1, const char *part2) {
  CU_ASSERT_PTR_NULL(ds);
  const char *m = glab_last_error();
  int ok = HAS(m, part1) && (!part2 || HAS(m, part2));
  if (!ok)
    printf("\n    unexpected message: %s (wanted \"%s\"%s%s)\n", m, part1, part2 ? " and " : "",
           part2 ? part2 : "");
  CU_ASSERT(ok);
  glab_dataset_destroy(ds);
}

/* 5 images of 3×2 uint8, labels 0..2. */
static double img_vals[30];
static const double lab_vals[5] = {0, 2, 1, 2, 0};
static const uint32_t img_dims[3] = {5, 3, 2};
static const uint32_t lab_dims[1] = {5};

static void write_pair(const char *im, const char *lb, int gz, int type, int ltype) {
  for (int i = 0; i < 30; i++)
    img_vals[i] = type == 0x08 ? (i * 37) % 256 : (i * 7) % 100 - 50;
  CU_ASSERT_EQUAL(tu_write_idx(im, gz, type, 3, img_dims, img_vals), 0);
  CU_ASSERT_EQUAL(tu_write_idx(lb, gz, ltype, 1, lab_dims, lab_vals), 0);
}

static void test_idx_u8_plain(void) {
  write_pair("u8-images", "u8-labels", 0, 0x08, 0x08);
  glab_dataset *ds = glab_data_idx_load(tu_path("u8-images"), tu_path("u8-labels"), NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_size(ds), 5);
  int shape[GLAB_MAX_DIMS];
  CU_ASSERT_EQUAL(glab_dataset_item_shape(ds, shape), 1); /* flattened by default */
  CU_ASSERT(shape[0] == 6);
  CU_ASSERT_EQUAL(glab_dataset_classes(ds), 3);
  CU_ASSERT_EQUAL(glab_dataset_target_kind(ds), GLAB_TARGET_CLASS);
  /* batch of items 4, 1: [2][6], values /255, labels, one-hot */
  int bs[GLAB_MAX_DIMS];
  CU_ASSERT_EQUAL(glab_dataset_batch_shape(ds, 2, bs), 2);
  glab_tensor *x = glab_tensor_create(2, bs);
  size_t idx[2] = {4, 1};
  int labels[2];
  glab_real onehot[6];
  CU_ASSERT_EQUAL(glab_dataset_batch(ds, idx, 2, x, onehot, labels), GLAB_OK);
  for (int k = 0; k < 6; k++) {
    CU_ASSERT_DOUBLE_EQUAL(x->data[k], img_vals[24 + k] / 255.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(x->data[6 + k], img_vals[6 + k] / 255.0, 1e-6);
  }
  CU_ASSERT(labels[0] == 0 && labels[1] == 2);
  CU_ASSERT(onehot[0] == 1 && onehot[1] == 0 && onehot[2] == 0);
  CU_ASSERT(onehot[3] == 0 && onehot[4] == 0 && onehot[5] == 1);
  /* raw scale */
  CU_ASSERT_EQUAL(glab_dataset_set_scale(ds, GLAB_SCALE_RAW), GLAB_OK);
  CU_ASSERT_EQUAL(glab_dataset_batch(ds, idx, 2, x, NULL, NULL), GLAB_OK);
  CU_ASSERT_DOUBLE_EQUAL(x->data[1], img_vals[25], 1e-9);
  /* a wrong tensor shape is refused with both shapes named */
  CU_ASSERT_EQUAL(glab_dataset_batch(ds, idx, 1, x, NULL, NULL), GLAB_ERR_SHAPE);
  CU_ASSERT(HAS(glab_last_error(), "[2][6]") && HAS(glab_last_error(), "[1][6]"));
  size_t bad = 5;
  CU_ASSERT_EQUAL(glab_dataset_batch(ds, &bad, 1, x, NULL, NULL), GLAB_ERR_SHAPE);
  glab_tensor_destroy(x);
  size_t counts[3];
  CU_ASSERT_EQUAL(glab_dataset_class_counts(ds, counts), GLAB_OK);
  CU_ASSERT(counts[0] == 2 && counts[1] == 1 && counts[2] == 2);
  glab_dataset_destroy(ds);
  /* limit keeps the first items; keep_shape keeps [3][2] */
  glab_idx_options opt = {GLAB_SCALE_UNIT, 3, 1};
  ds = glab_data_idx_load(tu_path("u8-images"), tu_path("u8-labels"), &opt);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_size(ds), 3);
  CU_ASSERT_EQUAL(glab_dataset_item_shape(ds, shape), 2);
  CU_ASSERT(shape[0] == 3 && shape[1] == 2);
  CU_ASSERT_EQUAL(glab_dataset_batch_shape(ds, 2, bs), 3);
  CU_ASSERT(bs[0] == 2 && bs[1] == 3 && bs[2] == 2);
  glab_dataset_destroy(ds);
}

/* Every element type, gzip, read back raw. */
static void test_idx_types_gz(void) {
  static const int types[] = {0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E};
  static const int ltypes[] = {0x08, 0x09, 0x0B, 0x0C, 0x08, 0x0C};
  for (int t = 0; t < 6; t++) {
    for (int gz = 0; gz < 2; gz++) {
      char im[64], lb[64];
      snprintf(im, sizeof im, "t%02x-%d-images", types[t], gz);
      snprintf(lb, sizeof lb, "t%02x-%d-labels", types[t], gz);
      write_pair(im, lb, gz, types[t], ltypes[t]);
      glab_idx_options opt = {GLAB_SCALE_RAW, 0, 1};
      glab_dataset *ds = glab_data_idx_load(tu_path(im), tu_path(lb), &opt);
      if (!ds) printf("\n    type 0x%02x gz=%d: %s\n", types[t], gz, glab_last_error());
      CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
      CU_ASSERT_EQUAL(glab_dataset_size(ds), 5);
      int shape[GLAB_MAX_DIMS];
      glab_tensor *x = glab_tensor_create(2, (int[]){3, 2});
      for (size_t i = 0; i < 5; i++) {
        int label;
        CU_ASSERT_EQUAL(glab_dataset_item(ds, i, x, NULL, &label), GLAB_OK);
        CU_ASSERT_EQUAL(label, (int)lab_vals[i]);
        for (int k = 0; k < 6; k++)
          CU_ASSERT_DOUBLE_EQUAL(x->data[k], img_vals[i * 6 + k], 1e-5);
      }
      (void)shape;
      glab_tensor_destroy(x);
      glab_dataset_destroy(ds);
    }
  }
  /* unit scale of int16: value / 32768 */
  glab_dataset *ds = glab_data_idx_load(tu_path("t0b-1-images"), NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_target_kind(ds), GLAB_TARGET_NONE);
  glab_tensor *x = glab_tensor_create(1, (int[]){6});
  CU_ASSERT_EQUAL(glab_dataset_item(ds, 1, x, NULL, NULL), GLAB_OK);
  CU_ASSERT_DOUBLE_EQUAL(x->data[0], img_vals[6] / 32768.0, 1e-6);
  int lab;
  CU_ASSERT_EQUAL(glab_dataset_item(ds, 1, x, NULL, &lab), GLAB_ERR_ARG); /* no labels */
  glab_tensor_destroy(x);
  glab_dataset_destroy(ds);
}

static void test_idx_bad(void) {
  unsigned char buf[64] = {0};
  /* wrong magic */
  memcpy(buf, "\x12\x34\x08\x03", 4);
  tu_write_bytes("bad-magic", buf, 32);
  expect_error(glab_data_idx_load(tu_path("bad-magic"), NULL, NULL), "bad-magic", "wrong magic");
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_FORMAT);
  /* unknown type, no dims, too many dims, zero dim */
  memcpy(buf, "\x00\x00\x0a\x01\x00\x00\x00\x01", 8);
  tu_write_bytes("bad-type", buf, 9);
  expect_error(glab_data_idx_load(tu_path("bad-type"), NULL, NULL), "bad-type", "element type");
  memcpy(buf, "\x00\x00\x08\x00", 4);
  tu_write_bytes("bad-ndim0", buf, 4);
  expect_error(glab_data_idx_load(tu_path("bad-ndim0"), NULL, NULL), "bad-ndim0", "dimensions");
  memcpy(buf, "\x00\x00\x08\x05", 4);
  tu_write_bytes("bad-ndim5", buf, 40);
  expect_error(glab_data_idx_load(tu_path("bad-ndim5"), NULL, NULL), "bad-ndim5", "dimensions");
  memcpy(buf, "\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x00", 12);
  tu_write_bytes("bad-zero", buf, 12);
  expect_error(glab_data_idx_load(tu_path("bad-zero"), NULL, NULL), "bad-zero", "is 0");
  /* empty file, header cut short */
  tu_write_bytes("empty", buf, 0);
  expect_error(glab_data_idx_load(tu_path("empty"), NULL, NULL), "empty", "truncated");
  memcpy(buf, "\x00\x00\x08\x03\x00\x00", 6);
  tu_write_bytes("short-header", buf, 6);
  expect_error(glab_data_idx_load(tu_path("short-header"), NULL, NULL), "short-header",
               ": truncated file: reading the dimensions needs 16 bytes, the file has 6");
  /* a label file (1 dimension) given as images: one value is "1 ... value" */
  memcpy(buf, "\x00\x00\x08\x01\x00\x00\x00\x01\x07", 9);
  tu_write_bytes("one-label", buf, 9);
  expect_error(glab_data_idx_load(tu_path("one-label"), NULL, NULL), "one-label",
               ": 1 dimension of 1 uint8 value — this looks like a label file");
  /* truncated data (plain) */
  size_t len;
  unsigned char *idx = tu_idx(0x08, 3, img_dims, img_vals, &len);
  tu_write_bytes("trunc", idx, len - 7);
  expect_error(glab_data_idx_load(tu_path("trunc"), NULL, NULL), "trunc", "truncated");
  /* extra bytes after the declared data */
  unsigned char *longer = calloc(1, len + 3);
  memcpy(longer, idx, len);
  tu_write_bytes("longer", longer, len + 3);
  expect_error(glab_data_idx_load(tu_path("longer"), NULL, NULL), "longer", "extra data");
  free(longer);
  free(idx);
  /* a header claiming billions of items in a tiny file: plain and gzip */
  memcpy(buf, "\x00\x00\x08\x03\x7f\xff\xff\xff\x00\x00\x00\x1c\x00\x00\x00\x1c", 16);
  tu_write_bytes("billions", buf, 64);
  expect_error(glab_data_idx_load(tu_path("billions"), NULL, NULL), "billions", "truncated");
  tu_write_gz("billions-gz", buf, 64);
  expect_error(glab_data_idx_load(tu_path("billions-gz"), NULL, NULL), "billions-gz", "items");
  /* ... even with a gzip trailer forged to agree with the header (mod 2^32) */
  {
    size_t gl;
    unsigned char *g = tu_read(tu_path("billions-gz"), &len);
    gl = len;
    uint64_t total = 16 + (uint64_t)0x7fffffff * 28 * 28;
    for (int k = 0; k < 4; k++)
      g[gl - 4 + k] = (unsigned char)(total >> (8 * k));
    tu_write_bytes("billions-forged", g, gl);
    free(g);
    expect_error(glab_data_idx_load(tu_path("billions-forged"), NULL, NULL), "billions-forged",
                 NULL);
  }
  /* unreadable path */
  expect_error(glab_data_idx_load("/nonexistent/images", NULL, NULL), "/nonexistent/images",
               "cannot open");
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_IO);
}

static void test_idx_bad_gzip(void) {
  size_t len, glen = 0;
  unsigned char *idx = tu_idx(0x08, 3, img_dims, img_vals, &len);
  tu_write_gz("good-gz", idx, len);
  free(idx);
  unsigned char *g = tu_read(tu_path("good-gz"), &glen);
  CU_ASSERT_PTR_NOT_NULL_FATAL(g);
  /* truncated gzip stream: cut in the middle */
  tu_write_bytes("trunc-gz", g, glen / 2);
  expect_error(glab_data_idx_load(tu_path("trunc-gz"), NULL, NULL), "trunc-gz", "truncated");
  /* cut, but with the original trailer appended (so the size check passes): still an error */
  unsigned char *h = malloc(glen);
  memcpy(h, g, glen / 2);
  memcpy(h + glen / 2, g + glen - 8, 8);
  tu_write_bytes("trunc-gz2", h, glen / 2 + 8);
  expect_error(glab_data_idx_load(tu_path("trunc-gz2"), NULL, NULL), "trunc-gz2", NULL);
  /* corrupt CRC */
  memcpy(h, g, glen);
  h[glen - 8] ^= 0xff;
  tu_write_bytes("badcrc-gz", h, glen);
  expect_error(glab_data_idx_load(tu_path("badcrc-gz"), NULL, NULL), "badcrc-gz", "corrupt");
  /* only the gzip magic */
  tu_write_bytes("magic-only-gz", g, 2);
  expect_error(glab_data_idx_load(tu_path("magic-only-gz"), NULL, NULL), "magic-only-gz",
               "truncated");
  free(h);
  free(g);
  /* ~50 damaged bytes in the middle of a larger file: inflate decodes garbage for a while, and
   * often more of it than the header declares before its check fails ("incorrect data check").
   * Whichever way it goes, the message says the file looks corrupt — not "longer than its
   * header declares", true of the garbage but misleading. Several placements of the damage. */
  uint32_t dims[3] = {200, 28, 28};
  size_t nv = 200 * 28 * 28;
  double *vals = malloc(nv * sizeof *vals);
  uint32_t r = 12345;
  for (size_t i = 0; i < nv; i++) {
    r = r * 1103515245u + 12345u;
    vals[i] = (r >> 16) % 4 ? 0 : (r >> 8) % 256;
  }
  CU_ASSERT_EQUAL(tu_write_idx("big-gz", 1, 0x08, 3, dims, vals), 0);
  free(vals);
  g = tu_read(tu_path("big-gz"), &glen);
  CU_ASSERT_PTR_NOT_NULL_FATAL(g);
  CU_ASSERT_FATAL(glen > 4000);
  h = malloc(glen);
  for (int k = 0; k < 24; k++) {
    memcpy(h, g, glen);
    size_t at = glen / 2 + (size_t)k * 97 - 1200;
    for (int i = 0; i < 50; i++) {
      r = r * 1103515245u + 12345u;
      h[at + (size_t)i] = (unsigned char)(r >> 16);
    }
    tu_write_bytes("damaged-gz", h, glen);
    expect_error(glab_data_idx_load(tu_path("damaged-gz"), NULL, NULL), "damaged-gz", "corrupt");
    if (HAS(glab_last_error(), "longer than"))
      printf("\n    damage at %zu: %s\n", at, glab_last_error());
    CU_ASSERT(!HAS(glab_last_error(), "longer than"));
  }
  /* cut in the middle, its trailer kept: not how a file gets cut (its trailer goes too), so
   * "truncated" alone would mislead — it looks damaged */
  memcpy(h, g, glen / 2);
  memcpy(h + glen / 2, g + glen - 8, 8);
  tu_write_bytes("cut-big-gz", h, glen / 2 + 8);
  expect_error(glab_data_idx_load(tu_path("cut-big-gz"), NULL, NULL), "cut-big-gz",
               "the file looks corrupt");
  free(h);
  free(g);
}

/* gzip files of several members (cat a.gz b.gz > c.gz; RFC 1952 2.2, gzip -dc reads them): the
 * members' data in order, with every size check kept. */
static void test_idx_multi_member_gzip(void) {
  size_t len, glen = 0;
  double vals[30];
  for (int i = 0; i < 30; i++)
    vals[i] = (i * 37) % 256;
  unsigned char *idx = tu_idx(0x08, 3, img_dims, vals, &len);
  /* split the file at 3 places: inside the header, between header and data, inside the data */
  const size_t cuts[3] = {2, 16, 16 + 7};
  unsigned char *all = NULL;
  size_t alen = 0;
  for (int k = 0; k <= 3; k++) {
    size_t from = k ? cuts[k - 1] : 0, to = k < 3 ? cuts[k] : len;
    char part[32];
    snprintf(part, sizeof part, "mm-part%d", k);
    CU_ASSERT_EQUAL(tu_write_gz(part, idx + from, to - from), 0);
    unsigned char *g = tu_read(tu_path(part), &glen);
    all = realloc(all, alen + glen);
    memcpy(all + alen, g, glen);
    alen += glen;
    free(g);
  }
  tu_write_bytes("mm.gz", all, alen);
  glab_idx_options raw = {GLAB_SCALE_RAW, 0, 0};
  glab_dataset *ds = glab_data_idx_load(tu_path("mm.gz"), NULL, &raw);
  if (!ds) printf("\n    %s\n", glab_last_error());
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_size(ds), 5);
  glab_tensor *x = glab_tensor_create(1, (int[]){6});
  for (size_t i = 0; i < 5; i++) {
    CU_ASSERT_EQUAL(glab_dataset_item(ds, i, x, NULL, NULL), GLAB_OK);
    for (int e = 0; e < 6; e++)
      CU_ASSERT_EQUAL(x->data[e], vals[i * 6 + e]);
  }
  glab_tensor_destroy(x);
  glab_dataset_destroy(ds);
  /* with limit (the rest is not read) */
  glab_idx_options lim = {GLAB_SCALE_UNIT, 2, 0};
  ds = glab_data_idx_load(tu_path("mm.gz"), NULL, &lim);
  CU_ASSERT(ds && glab_dataset_size(ds) == 2);
  glab_dataset_destroy(ds);
  /* an empty member in between is fine */
  CU_ASSERT_EQUAL(tu_write_gz("mm-empty", "", 0), 0);
  unsigned char *e = tu_read(tu_path("mm-empty"), &glen);
  unsigned char *two = malloc(alen + glen);
  size_t first = 0; /* the first member's length: re-read part 0 */
  free(tu_read(tu_path("mm-part0"), &first));
  memcpy(two, all, first);
  memcpy(two + first, e, glen);
  memcpy(two + first + glen, all + first, alen - first);
  tu_write_bytes("mm-with-empty.gz", two, alen + glen);
  ds = glab_data_idx_load(tu_path("mm-with-empty.gz"), NULL, NULL);
  if (!ds) printf("\n    %s\n", glab_last_error());
  CU_ASSERT_PTR_NOT_NULL(ds);
  glab_dataset_destroy(ds);
  free(e);
  /* still checked: a member too many (more data than declared), one missing (less), garbage
   * after the last member, a corrupt member */
  unsigned char *more = malloc(alen + 64);
  memcpy(more, all, alen);
  unsigned char *p3 = tu_read(tu_path("mm-part3"), &glen);
  memcpy(more + alen, p3, glen);
  tu_write_bytes("mm-more.gz", more, alen + glen);
  expect_error(glab_data_idx_load(tu_path("mm-more.gz"), NULL, NULL), "mm-more.gz", NULL);
  tu_write_bytes("mm-less.gz", all, alen - glen);
  expect_error(glab_data_idx_load(tu_path("mm-less.gz"), NULL, NULL), "mm-less.gz", "declares");
  memcpy(more, all, alen);
  memcpy(more + alen, "garbage!", 8);
  tu_write_bytes("mm-garbage.gz", more, alen + 8);
  expect_error(glab_data_idx_load(tu_path("mm-garbage.gz"), NULL, NULL), "mm-garbage.gz", NULL);
  memcpy(more, all, alen);
  more[first + 12] ^= 0x55; /* inside the second member's deflate data */
  tu_write_bytes("mm-corrupt.gz", more, alen);
  expect_error(glab_data_idx_load(tu_path("mm-corrupt.gz"), NULL, NULL), "mm-corrupt.gz", NULL);
  free(p3);
  free(more);
  free(two);
  free(all);
  free(idx);
}

static void test_idx_pairs(void) {
  write_pair("p-images", "p-labels", 1, 0x08, 0x08);
  /* count mismatch */
  uint32_t four[1] = {4};
  tu_write_idx("p-labels4", 1, 0x08, 1, four, lab_vals);
  expect_error(glab_data_idx_load(tu_path("p-images"), tu_path("p-labels4"), NULL), "disagree",
               "p-labels4");
  /* a label file given as images, an image file given as labels */
  expect_error(glab_data_idx_load(tu_path("p-labels"), tu_path("p-labels"), NULL), "p-labels",
               "label file");
  expect_error(glab_data_idx_load(tu_path("p-images"), tu_path("p-images"), NULL), "p-images",
               "image file given as labels");
  /* negative label */
  double neg[5] = {0, 1, -1, 0, 0};
  tu_write_idx("p-neg", 0, 0x0C, 1, lab_dims, neg);
  expect_error(glab_data_idx_load(tu_path("p-images"), tu_path("p-neg"), NULL), "p-neg", "outside");
  /* float labels */
  tu_write_idx("p-flt", 0, 0x0D, 1, lab_dims, lab_vals);
  expect_error(glab_data_idx_load(tu_path("p-images"), tu_path("p-flt"), NULL), "p-flt",
               "integers");
}

/* "unit" scale of signed types divides by 2^(bits-1): the most negative value is exactly -1 and
 * the range [-1, 1) (int8 -128 was -1.008 when divided by 127). uint8 still divides by 255. */
static void test_idx_signed_unit(void) {
  static const uint32_t dims[2] = {1, 4};
  const struct {
    int type;
    double lo, hi;
  } t[] = {{0x09, -128, 127}, {0x0B, -32768, 32767}, {0x0C, -2147483648.0, 2147483647.0}};
  for (int k = 0; k < 3; k++) {
    double v[4] = {t[k].lo, t[k].hi, 0, t[k].lo / 2};
    char name[32];
    snprintf(name, sizeof name, "signed-%02x", t[k].type);
    CU_ASSERT_EQUAL(tu_write_idx(name, 0, t[k].type, 2, dims, v), 0);
    glab_dataset *ds = glab_data_idx_load(tu_path(name), NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    glab_tensor *x = glab_tensor_create(1, (int[]){4});
    CU_ASSERT_EQUAL(glab_dataset_item(ds, 0, x, NULL, NULL), GLAB_OK);
    if (x->data[0] != -1) printf("\n    type 0x%02x: lowest -> %.9g\n", t[k].type, x->data[0]);
    CU_ASSERT(x->data[0] == -1);
    /* int32's largest values round to 1 in a float (24-bit significand) */
    CU_ASSERT(x->data[1] <= 1 && x->data[1] > 0.99);
    if (t[k].type != 0x0C) CU_ASSERT(x->data[1] < 1);
    CU_ASSERT_DOUBLE_EQUAL(x->data[1], t[k].hi / -t[k].lo, 1e-7);
    CU_ASSERT(x->data[2] == 0 && x->data[3] == (glab_real)-0.5);
    glab_tensor_destroy(x);
    glab_dataset_destroy(ds);
  }
}

/* Float data must be finite and fit the real type, as in CSV: a NaN, an infinity, or a float64
 * beyond the float range in a float build is an error naming the file and the item. */
static void test_idx_nonfinite(void) {
  static const uint32_t dims[2] = {4, 3};
  double v[12];
  for (int i = 0; i < 12; i++)
    v[i] = i * 0.5 - 2;
  CU_ASSERT_EQUAL(tu_write_idx("fin-f32", 0, 0x0D, 2, dims, v), 0);
  glab_dataset *ds = glab_data_idx_load(tu_path("fin-f32"), NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL(ds);
  glab_dataset_destroy(ds);
  const struct {
    const char *name;
    int type, gz;
    int at;
    double bad;
    const char *what;
  } cases[] = {
      {"nan-f32", 0x0D, 0, 7, NAN, "nan"},
      {"inf-f32", 0x0D, 1, 11, INFINITY, "inf"},
      {"ninf-f64", 0x0E, 0, 0, -INFINITY, "-inf"},
      {"nan-f64", 0x0E, 1, 5, NAN, "nan"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    double w[12];
    memcpy(w, v, sizeof w);
    w[cases[c].at] = cases[c].bad;
    CU_ASSERT_EQUAL(tu_write_idx(cases[c].name, cases[c].gz, cases[c].type, 2, dims, w), 0);
    char item[64];
    snprintf(item, sizeof item, "item %d, element %d", cases[c].at / 3, cases[c].at % 3);
    expect_error(glab_data_idx_load(tu_path(cases[c].name), NULL, NULL), cases[c].name, item);
    CU_ASSERT(HAS(glab_last_error(), cases[c].what) && HAS(glab_last_error(), "not finite"));
    CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_FORMAT);
  }
  /* float64 1e300: fine in a double build, too large for float in a float build */
  double w[12];
  memcpy(w, v, sizeof w);
  w[4] = -1e300;
  CU_ASSERT_EQUAL(tu_write_idx("big-f64", 0, 0x0E, 2, dims, w), 0);
  ds = glab_data_idx_load(tu_path("big-f64"), NULL, NULL);
  if (sizeof(glab_real) == sizeof(double)) {
    CU_ASSERT_PTR_NOT_NULL(ds);
    glab_dataset_destroy(ds);
  } else {
    expect_error(ds, "big-f64", "item 1, element 1");
    CU_ASSERT(HAS(glab_last_error(), "-1e+300") && HAS(glab_last_error(), "too large for float"));
  }
}

/* ---- CSV ---- */

static glab_csv_options csv_opts(void) {
  glab_csv_options o;
  glab_csv_options_init(&o);
  return o;
}

static void test_csv_roundtrip(void) {
  /* header, label by name in the middle, CRLF, quoted number, no final newline */
  tu_write_text("a.csv", "x1,label,x2\r\n1.5,2,-3\r\n\"4\",0,5e-1\r\n\r\n7,1,8");
  glab_csv_options o = csv_opts();
  o.label_name = "label";
  glab_dataset *ds = glab_data_csv_load(tu_path("a.csv"), &o);
  if (!ds) printf("\n    %s\n", glab_last_error());
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_size(ds), 3);
  CU_ASSERT_EQUAL(glab_dataset_classes(ds), 3);
  int shape[GLAB_MAX_DIMS];
  CU_ASSERT_EQUAL(glab_dataset_item_shape(ds, shape), 1);
  CU_ASSERT_EQUAL(shape[0], 2);
  glab_tensor *x = glab_tensor_create(2, (int[]){3, 2});
  size_t idx[3] = {0, 1, 2};
  int lab[3];
  CU_ASSERT_EQUAL(glab_dataset_batch(ds, idx, 3, x, NULL, lab), GLAB_OK);
  const double want[6] = {1.5, -3, 4, 0.5, 7, 8};
  for (int k = 0; k < 6; k++)
    CU_ASSERT_DOUBLE_EQUAL(x->data[k], want[k], 1e-6);
  CU_ASSERT(lab[0] == 2 && lab[1] == 0 && lab[2] == 1);
  glab_tensor_destroy(x);
  glab_dataset_destroy(ds);
  /* no header, ';' delimiter, label = first column by index, real target */
  tu_write_text("b.csv", "0.25;1;2\n0.75;3;4\n");
  o = csv_opts();
  o.header = 0;
  o.delimiter = ';';
  o.label_index = 0;
  o.real_target = 1;
  ds = glab_data_csv_load(tu_path("b.csv"), &o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_target_kind(ds), GLAB_TARGET_REAL);
  CU_ASSERT_EQUAL(glab_dataset_target_width(ds), 1);
  x = glab_tensor_create(1, (int[]){2});
  glab_real t;
  CU_ASSERT_EQUAL(glab_dataset_item(ds, 1, x, &t, NULL), GLAB_OK);
  CU_ASSERT_DOUBLE_EQUAL(t, 0.75, 1e-7);
  CU_ASSERT_DOUBLE_EQUAL(x->data[0], 3, 1e-7);
  CU_ASSERT_DOUBLE_EQUAL(x->data[1], 4, 1e-7);
  glab_tensor_destroy(x);
  glab_dataset_destroy(ds);
  /* no label at all; limit */
  o = csv_opts();
  o.header = 0;
  o.delimiter = ';';
  o.label_index = -2;
  o.limit = 1;
  ds = glab_data_csv_load(tu_path("b.csv"), &o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_size(ds), 1);
  CU_ASSERT_EQUAL(glab_dataset_target_kind(ds), GLAB_TARGET_NONE);
  CU_ASSERT_EQUAL(glab_dataset_item_elems(ds), 3);
  glab_dataset_destroy(ds);
  /* a UTF-8 byte order mark (spreadsheet exports) is not part of the first column's name, nor
   * of the first number of a file without a header */
  tu_write_text("bom.csv", "\xEF\xBB\xBFy,a\n1,2.5\n0,3\n");
  o = csv_opts();
  o.label_name = "y";
  ds = glab_data_csv_load(tu_path("bom.csv"), &o);
  if (!ds) printf("\n    %s\n", glab_last_error());
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  x = glab_tensor_create(1, (int[]){1});
  int l1 = -1;
  CU_ASSERT_EQUAL(glab_dataset_item(ds, 0, x, NULL, &l1), GLAB_OK);
  CU_ASSERT(l1 == 1 && x->data[0] == (glab_real)2.5);
  glab_dataset_destroy(ds);
  tu_write_text("bomh.csv", "\xEF\xBB\xBF\"1\",2.5\n0,3\n");
  o = csv_opts();
  o.header = 0;
  o.label_index = 0;
  ds = glab_data_csv_load(tu_path("bomh.csv"), &o);
  if (!ds) printf("\n    %s\n", glab_last_error());
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_item(ds, 0, x, NULL, &l1), GLAB_OK);
  CU_ASSERT(l1 == 1 && x->data[0] == (glab_real)2.5);
  glab_tensor_destroy(x);
  glab_dataset_destroy(ds);
  /* default: last column is the label */
  tu_write_text("c.csv", "a,b,y\n1,2,1\n3,4,0\n");
  ds = glab_data_csv_load(tu_path("c.csv"), NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_classes(ds), 2);
  glab_dataset_destroy(ds);
}

static void test_csv_bad(void) {
  glab_csv_options o = csv_opts();
  tu_write_text("bad1.csv", "a,b,y\n1,2,0\n3,abc,1\n");
  expect_error(glab_data_csv_load(tu_path("bad1.csv"), &o), "bad1.csv:3:2", "not a number");
  tu_write_text("bad2.csv", "a,b,y\r\n1,2,0\r\n\r\n3,,1\r\n");
  expect_error(glab_data_csv_load(tu_path("bad2.csv"), &o), "bad2.csv:4:2", "empty field");
  tu_write_text("bad3.csv", "a,b,y\n1,2,0\n3,4\n");
  expect_error(glab_data_csv_load(tu_path("bad3.csv"), &o), "bad3.csv:3:3", "ragged");
  tu_write_text("bad4.csv", "a,b,y\n1,2,0,9\n");
  expect_error(glab_data_csv_load(tu_path("bad4.csv"), &o), "bad4.csv:2:", "ragged");
  tu_write_text("bad5.csv", "a,b,y\n1,2,0.5\n");
  expect_error(glab_data_csv_load(tu_path("bad5.csv"), &o), "bad5.csv:2:3", "class label");
  expect_error(glab_data_csv_load(tu_path("bad5.csv"), &o), "bad5.csv:2:3",
               ".real_target = 1 in C");
  tu_write_text("bad5h.csv", "a,b,y\n1,2,0\n0x10,2,1\n");
  expect_error(glab_data_csv_load(tu_path("bad5h.csv"), &o), "bad5h.csv:3:1",
               "not a decimal number: \"0x10\"");
  tu_write_text("bad5n.csv", "a,b,y\n1,nan,0\n");
  expect_error(glab_data_csv_load(tu_path("bad5n.csv"), &o), "bad5n.csv:2:2",
               "not a decimal number: \"nan\"");
  tu_write_text("bad6.csv", "a,b,y\n1,2,1\n1,2e999,1\n");
  expect_error(glab_data_csv_load(tu_path("bad6.csv"), &o), "bad6.csv:3:2", "finite");
  tu_write_text("bad7.csv", "a,b,y\n\"1,2,1\n");
  expect_error(glab_data_csv_load(tu_path("bad7.csv"), &o), "bad7.csv", NULL);
  tu_write_text("bad8.csv", "");
  expect_error(glab_data_csv_load(tu_path("bad8.csv"), &o), "bad8.csv", "empty");
  tu_write_text("bad9.csv", "a,b,y\n");
  expect_error(glab_data_csv_load(tu_path("bad9.csv"), &o), "bad9.csv", "no data rows");
  o.label_name = "z";
  expect_error(glab_data_csv_load(tu_path("c.csv"), &o), "c.csv", "no column named");
  o = csv_opts();
  o.label_index = 7;
  expect_error(glab_data_csv_load(tu_path("c.csv"), &o), "c.csv", "label column");
  /* a label name the header has twice is ambiguous, not the last (or first) of them */
  tu_write_text("dup.csv", "y,a,y\n1,2,0\n");
  o = csv_opts();
  o.label_name = "y";
  expect_error(glab_data_csv_load(tu_path("dup.csv"), &o), "dup.csv",
               "two columns \"y\" (columns 1 and 3)");
  /* a quoted field spanning lines keeps the line count right */
  tu_write_text("bad10.csv", "\"a\nb\",c,y\n1,2,3\n1,x,3\n");
  o = csv_opts();
  expect_error(glab_data_csv_load(tu_path("bad10.csv"), &o), "bad10.csv:4:2", "column \"c\"");
  expect_error(glab_data_csv_load("/nonexistent.csv", &o), "/nonexistent.csv", "cannot open");
  /* a NUL byte in a field (printf '1\0002'): said as such, with line and column — not "not a
   * number: \"1\"", the text cut at the NUL, which quoted a valid number */
  static const char nul_csv[] = "a,b,y\n1,2,0\n3,1\0002,1\n";
  tu_write_bytes("nul.csv", nul_csv, sizeof nul_csv - 1);
  expect_error(glab_data_csv_load(tu_path("nul.csv"), &o), "nul.csv:3:2 (column \"b\")",
               ": the field holds a NUL byte (byte 2 of 3)");
  CU_ASSERT(!HAS(glab_last_error(), "not a number"));
  static const char nul_head[] = "a,b\0c,y\n1,2,0\n";
  tu_write_bytes("nul-head.csv", nul_head, sizeof nul_head - 1);
  expect_error(glab_data_csv_load(tu_path("nul-head.csv"), &o), "nul-head.csv:1:2", "NUL byte");
}

/* A folder or a FIFO is not a data file: both loaders say "not a regular file" (and a FIFO
 * with no writer must not block the open). */
static void test_not_regular(void) {
  expect_error(glab_data_csv_load(tu_dir, NULL), tu_dir, "not a regular file");
  CU_ASSERT(HAS(glab_last_error(), "a directory"));
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_IO);
  expect_error(glab_data_idx_load(tu_dir, NULL, NULL), tu_dir, "not a regular file");
  CU_ASSERT_EQUAL(mkfifo(tu_path("pipe"), 0600), 0);
  expect_error(glab_data_csv_load(tu_path("pipe"), NULL), "pipe", "not a regular file");
  CU_ASSERT(HAS(glab_last_error(), "a FIFO"));
  expect_error(glab_data_idx_load(tu_path("pipe"), NULL, NULL), "pipe", "not a regular file");
  write_pair("nr-images", "nr-labels", 0, 0x08, 0x08);
  expect_error(glab_data_idx_load(tu_path("nr-images"), tu_dir, NULL), tu_dir,
               "not a regular file");
}

/* ---- Fashion-MNIST ---- */

static int fmnist_skipped;

static void test_fashion_mnist(void) {
  const char *saved = getenv("GRADLAB_DATA");
  char *keep = saved ? strdup(saved) : NULL;
  /* a folder without the files: the error says how to install them */
  setenv("GRADLAB_DATA", tu_dir, 1);
  expect_error(glab_data_fashion_mnist("test", 0), "apt-get install dataset-fashion-mnist", NULL);
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_NOTFOUND);
  /* the images without the labels: the message names the missing file */
  tu_write_text("t10k-images-idx3-ubyte", "only its name matters here");
  expect_error(glab_data_fashion_mnist("test", 0),
               "the test split is incomplete in /tmp/gradlab-data-test-",
               ": t10k-labels-idx1-ubyte.gz (or without .gz) is missing");
  expect_error(glab_data_fashion_mnist("train", 0), "the train split is incomplete",
               "train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz are missing");
  unlink(tu_path("t10k-images-idx3-ubyte"));
  if (keep)
    setenv("GRADLAB_DATA", keep, 1);
  else
    unsetenv("GRADLAB_DATA");
  free(keep);
  expect_error(glab_data_fashion_mnist("validation", 0), "split", NULL);

  if (!glab_data_fashion_mnist_dir()) {
    printf("\n    SKIPPED: Fashion-MNIST is not installed (%s)\n", glab_last_error());
    fmnist_skipped = 1;
    return;
  }
  glab_dataset *ds = glab_data_fashion_mnist("test", 0);
  if (!ds) printf("\n    %s\n", glab_last_error());
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_size(ds), 10000);
  CU_ASSERT_EQUAL(glab_dataset_classes(ds), 10);
  int shape[GLAB_MAX_DIMS];
  CU_ASSERT_EQUAL(glab_dataset_item_shape(ds, shape), 1);
  CU_ASSERT(shape[0] == 784);
  size_t counts[10];
  CU_ASSERT_EQUAL(glab_dataset_class_counts(ds, counts), GLAB_OK);
  for (int c = 0; c < 10; c++)
    CU_ASSERT_EQUAL(counts[c], 1000);
  glab_tensor *x = glab_tensor_create(1, shape);
  double lo = 1, hi = 0;
  for (size_t i = 0; i < 10000; i += 997) {
    CU_ASSERT_EQUAL(glab_dataset_item(ds, i, x, NULL, NULL), GLAB_OK);
    for (size_t k = 0; k < x->size; k++) {
      lo = fmin(lo, x->data[k]);
      hi = fmax(hi, x->data[k]);
    }
  }
  CU_ASSERT(lo >= 0 && lo < 0.01 && hi <= 1 && hi > 0.99);
  printf("\n    %s\n", glab_dataset_name(ds));
  glab_tensor_destroy(x);
  glab_dataset_destroy(ds);
  ds = glab_data_fashion_mnist("train", 100);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_size(ds), 100);
  glab_dataset_destroy(ds);
}

/* Fashion-MNIST has 10 classes: in its loader a label outside 0..9 (a damaged file) is an error
 * naming the file, the item and the value; a generic IDX load of the same pair takes it (201
 * classes), as any IDX label file may hold up to 65536 classes. */
static void test_fashion_mnist_labels(void) {
  const char *saved = getenv("GRADLAB_DATA");
  char *keep = saved ? strdup(saved) : NULL;
  setenv("GRADLAB_DATA", tu_dir, 1);
  static const double bad[5] = {0, 9, 1, 200, 3};
  CU_ASSERT_EQUAL(tu_write_idx("t10k-images-idx3-ubyte", 0, 0x08, 3, img_dims, img_vals), 0);
  CU_ASSERT_EQUAL(tu_write_idx("t10k-labels-idx1-ubyte", 0, 0x08, 1, lab_dims, bad), 0);
  glab_dataset *ds = glab_data_fashion_mnist("test", 0);
  CU_ASSERT_PTR_NULL(ds);
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_FORMAT);
  const char *m = glab_last_error(), *file = tu_path("t10k-labels-idx1-ubyte");
  int ok = !strncmp(m, file, strlen(file)) &&
           !strcmp(m + strlen(file),
                   ": label 200 of item 3 is outside 0..9 (Fashion-MNIST has 10 classes)");
  if (!ok) printf("\n    unexpected message: %s\n", m);
  CU_ASSERT(ok);
  glab_dataset_destroy(ds);
  /* past the limit the label is not read, so not checked */
  ds = glab_data_fashion_mnist("test", 3);
  CU_ASSERT_PTR_NOT_NULL(ds);
  glab_dataset_destroy(ds);
  ds = glab_data_idx_load(tu_path("t10k-images-idx3-ubyte"), tu_path("t10k-labels-idx1-ubyte"),
                          NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_classes(ds), 201);
  glab_dataset_destroy(ds);
  /* labels 0..9 load */
  static const double good[5] = {0, 9, 1, 2, 3};
  CU_ASSERT_EQUAL(tu_write_idx("t10k-labels-idx1-ubyte", 0, 0x08, 1, lab_dims, good), 0);
  ds = glab_data_fashion_mnist("test", 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  CU_ASSERT_EQUAL(glab_dataset_classes(ds), 10);
  glab_dataset_destroy(ds);
  unlink(tu_path("t10k-images-idx3-ubyte"));
  unlink(tu_path("t10k-labels-idx1-ubyte"));
  if (keep)
    setenv("GRADLAB_DATA", keep, 1);
  else
    unsetenv("GRADLAB_DATA");
  free(keep);
}

/* `data_files --fashion-mnist` runs only the Fashion-MNIST test and exits 77 when the data is
 * not installed, so that CTest lists data_fashion_mnist as skipped, not passed. */
int main(int argc, char **argv) {
  int only_fmnist = argc > 1 && !strcmp(argv[1], "--fashion-mnist");
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  if (only_fmnist) {
    CU_pSuite f = CU_add_suite("data_fashion_mnist", tu_setup, tu_teardown);
    CU_add_test(f, "Fashion-MNIST test split", test_fashion_mnist);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : fmnist_skipped ? 77 : 0;
  }
  CU_pSuite s = CU_add_suite("data_files", tu_setup, tu_teardown);
  CU_add_test(s, "IDX uint8 plain: batches, scale, labels, limit", test_idx_u8_plain);
  CU_add_test(s, "IDX every element type, plain and gzip", test_idx_types_gz);
  CU_add_test(s, "IDX malformed headers and sizes", test_idx_bad);
  CU_add_test(s, "IDX truncated or corrupt gzip", test_idx_bad_gzip);
  CU_add_test(s, "IDX gzip of several members", test_idx_multi_member_gzip);
  CU_add_test(s, "IDX images/labels pairs", test_idx_pairs);
  CU_add_test(s, "IDX float data must be finite", test_idx_nonfinite);
  CU_add_test(s, "IDX signed types scale to [-1, 1)", test_idx_signed_unit);
  CU_add_test(s, "CSV round trips", test_csv_roundtrip);
  CU_add_test(s, "CSV bad input: file:line:column", test_csv_bad);
  CU_add_test(s, "a folder or FIFO is not a regular file", test_not_regular);
  CU_add_test(s, "Fashion-MNIST test split", test_fashion_mnist);
  CU_add_test(s, "Fashion-MNIST labels are 0..9", test_fashion_mnist_labels);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
