/* data_test_util.h — helpers for the data tests: a temporary folder that is removed at the end,
 * writing small IDX files (plain or gzip, any element type) and text files. Header-only (static
 * functions), included by each test program once. */
#ifndef GRADLAB_DATA_TEST_UTIL_H
#define GRADLAB_DATA_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char tu_dir[256];
static char tu_files[128][320];
static int tu_nfiles;

static int tu_setup(void) {
  snprintf(tu_dir, sizeof tu_dir, "/tmp/gradlab-data-test-XXXXXX");
  return mkdtemp(tu_dir) ? 0 : -1;
}

static int tu_teardown(void) {
  for (int i = 0; i < tu_nfiles; i++)
    unlink(tu_files[i]);
  rmdir(tu_dir);
  return 0;
}

/* Full path of a file in the temporary folder (remembered for removal). */
static const char *tu_path(const char *name) {
  for (int i = 0; i < tu_nfiles; i++) {
    const char *b = strrchr(tu_files[i], '/');
    if (b && !strcmp(b + 1, name)) return tu_files[i];
  }
  if (tu_nfiles >= 128) return "/nonexistent";
  snprintf(tu_files[tu_nfiles], sizeof tu_files[0], "%s/%s", tu_dir, name);
  return tu_files[tu_nfiles++];
}

static int tu_write_bytes(const char *name, const void *buf, size_t len) {
  FILE *f = fopen(tu_path(name), "wb");
  if (!f) return -1;
  size_t w = fwrite(buf, 1, len, f);
  fclose(f);
  return w == len ? 0 : -1;
}

static int tu_write_text(const char *name, const char *text) {
  return tu_write_bytes(name, text, strlen(text));
}

static int tu_write_gz(const char *name, const void *buf, size_t len) {
  gzFile g = gzopen(tu_path(name), "wb");
  if (!g) return -1;
  int w = len ? gzwrite(g, buf, (unsigned)len) : 0;
  gzclose(g);
  return (size_t)w == len ? 0 : -1;
}

static size_t tu_esize(int type) {
  switch (type) {
  case 0x08:
  case 0x09:
    return 1;
  case 0x0B:
    return 2;
  case 0x0C:
  case 0x0D:
    return 4;
  case 0x0E:
    return 8;
  default:
    return 1;
  }
}

/* Build an IDX image in memory: header + values (given as doubles, stored as `type`, big-endian).
 * Returns a malloc'd buffer; *len receives its length. */
static unsigned char *tu_idx(int type, int ndim, const uint32_t *dims, const double *vals,
                             size_t *len) {
  size_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= dims[i];
  size_t es = tu_esize(type), hl = 4 + 4 * (size_t)ndim;
  unsigned char *b = calloc(1, hl + n * es);
  b[2] = (unsigned char)type;
  b[3] = (unsigned char)ndim;
  for (int i = 0; i < ndim; i++)
    for (int k = 0; k < 4; k++)
      b[4 + 4 * i + k] = (unsigned char)(dims[i] >> (24 - 8 * k));
  for (size_t i = 0; i < n; i++) {
    unsigned char raw[8];
    double v = vals[i];
    switch (type) {
    case 0x08:
      raw[0] = (uint8_t)v;
      break;
    case 0x09:
      raw[0] = (uint8_t)(int8_t)v;
      break;
    case 0x0B: {
      uint16_t u = (uint16_t)(int16_t)v;
      memcpy(raw, &u, 2);
      break;
    }
    case 0x0C: {
      uint32_t u = (uint32_t)(int32_t)v;
      memcpy(raw, &u, 4);
      break;
    }
    case 0x0D: {
      float f = (float)v;
      memcpy(raw, &f, 4);
      break;
    }
    default:
      memcpy(raw, &v, 8);
      break;
    }
    /* host (little-endian here) → big-endian */
    const uint16_t probe = 1;
    int little = *(const unsigned char *)&probe == 1;
    for (size_t k = 0; k < es; k++)
      b[hl + i * es + k] = little ? raw[es - 1 - k] : raw[k];
  }
  *len = hl + n * es;
  return b;
}

/* Write an IDX file (gz != 0: gzip). */
static int tu_write_idx(const char *name, int gz, int type, int ndim, const uint32_t *dims,
                        const double *vals) {
  size_t len;
  unsigned char *b = tu_idx(type, ndim, dims, vals, &len);
  int rc = gz ? tu_write_gz(name, b, len) : tu_write_bytes(name, b, len);
  free(b);
  return rc;
}

/* Read a whole file into memory (malloc'd); NULL on failure. */
static unsigned char *tu_read(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc(n > 0 ? (size_t)n : 1);
  *len = fread(b, 1, (size_t)n, f);
  fclose(f);
  return b;
}

#endif
