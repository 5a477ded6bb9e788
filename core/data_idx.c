/* data_idx.c — IDX files (LeCun's MNIST format), plain or gzip, from a file or from memory.
 *
 * Format: 0x00 0x00 TYPE NDIM, then NDIM big-endian uint32 dimensions, then the elements
 * (big-endian). Untrusted input: the header is validated — magic, type, dimensions, and the size
 * it declares against the real length (a plain file's size; for gzip its ISIZE trailer and the
 * deflate ratio bound) — before anything is allocated, and decompression writes straight into a
 * buffer of the declared size, never past it, so a lying header cannot cause a large allocation
 * or an overflow. A gzip file may be several members (RFC 1952 2.2), read in order as gzip -dc
 * does; its trailer then gives the last member's size only, so on a mismatch the members are
 * counted through once (output discarded) before the allocation. Elements keep their type in
 * memory (uint8 stays uint8). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "data_internal.h"
#include "gradlab/error.h"

#define IDX_MAX_CLASSES 65536
#define CHUNK (256 * 1024)
/* deflate cannot compress better than about 1032:1; anything claiming more is lying. */
#define DEFLATE_MAX_RATIO 1040

/* A byte source: a plain or gzip stream over a file descriptor or a memory buffer. */
typedef struct src {
  const char *name;
  int fd;                   /* -1 for memory */
  const unsigned char *mem; /* memory source */
  size_t mem_len, mem_pos;
  uint64_t raw_len; /* bytes of the file / buffer */
  int gz;
  int z_ready, z_end;
  int members;      /* gzip members finished so far */
  int member_start; /* inflate was just reset for the next member */
  z_stream zs;
  unsigned char *inbuf; /* file + gzip: compressed chunk */
  uint64_t isize;       /* gzip trailer: uncompressed length mod 2^32 */
  uint64_t declared;    /* header + data bytes the header declares (0 until it is read) */
} src;

static int src_open_memory(src *s, const char *name, const void *buf, size_t len) {
  memset(s, 0, sizeof *s);
  s->name = name;
  s->fd = -1;
  s->mem = buf;
  s->mem_len = len;
  s->raw_len = len;
  s->gz = len >= 2 && s->mem[0] == 0x1f && s->mem[1] == 0x8b;
  if (s->gz) {
    if (len < 18)
      return glab_error(GLAB_ERR_FORMAT, "%s: truncated gzip stream (%zu bytes)", name, len);
    const unsigned char *t = s->mem + len - 4;
    s->isize = (uint64_t)t[0] | (uint64_t)t[1] << 8 | (uint64_t)t[2] << 16 | (uint64_t)t[3] << 24;
  }
  return GLAB_OK;
}

static int read_full(int fd, void *buf, size_t n, off_t at) {
  unsigned char *p = buf;
  while (n > 0) {
    ssize_t r = pread(fd, p, n, at);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
    at += r;
  }
  return 0;
}

static int src_open_file(src *s, const char *path) {
  memset(s, 0, sizeof *s);
  s->name = path;
  struct stat sb;
  s->fd = glab_data_open_file(path, &sb);
  if (s->fd < 0) return glab_last_status();
  s->raw_len = (uint64_t)sb.st_size;
  unsigned char magic[2];
  if (s->raw_len >= 2 && read_full(s->fd, magic, 2, 0) == 0)
    s->gz = magic[0] == 0x1f && magic[1] == 0x8b;
  if (s->gz) {
    unsigned char t[4];
    if (s->raw_len < 18 || read_full(s->fd, t, 4, (off_t)(s->raw_len - 4)) != 0)
      return glab_error(GLAB_ERR_FORMAT, "%s: truncated gzip stream (%llu bytes)", path,
                        (unsigned long long)s->raw_len);
    s->isize = (uint64_t)t[0] | (uint64_t)t[1] << 8 | (uint64_t)t[2] << 16 | (uint64_t)t[3] << 24;
    s->inbuf = malloc(CHUNK);
    if (!s->inbuf) return glab_error(GLAB_ERR_NOMEM, "%s: out of memory", path);
  }
  return GLAB_OK;
}

static void src_close(src *s) {
  if (s->z_ready) inflateEnd(&s->zs);
  if (s->fd >= 0) close(s->fd);
  free(s->inbuf);
  s->fd = -1;
  s->inbuf = NULL;
  s->z_ready = 0;
}

/* Give inflate more compressed bytes; 0 when the raw input is exhausted. */
static size_t src_refill(src *s) {
  if (s->fd < 0) {
    size_t left = s->mem_len - s->mem_pos;
    size_t take = left > (size_t)UINT_MAX ? (size_t)UINT_MAX : left;
    s->zs.next_in = (unsigned char *)(s->mem + s->mem_pos);
    s->zs.avail_in = (uInt)take;
    s->mem_pos += take;
    return take;
  }
  ssize_t r;
  do
    r = read(s->fd, s->inbuf, CHUNK);
  while (r < 0 && errno == EINTR);
  if (r <= 0) return 0;
  s->zs.next_in = s->inbuf;
  s->zs.avail_in = (uInt)r;
  return (size_t)r;
}

/* After a member's Z_STREAM_END: another member follows when compressed input remains (RFC
 * 1952 2.2: a gzip file is a series of members, read one after the other, as gzip -dc does);
 * restart inflate for it. Otherwise the stream has ended. */
static void src_member_end(src *s) {
  s->members++;
  if (s->zs.avail_in == 0) src_refill(s);
  if (s->zs.avail_in > 0 && inflateReset(&s->zs) == Z_OK) {
    s->member_start = 1;
    return;
  }
  s->z_end = 1;
}

/* A zlib error: bytes after a member that are not a member say so; else "corrupt". */
static int gz_corrupt(const char *name, int members, int member_start, const char *msg, int rc) {
  if (member_start && rc == Z_DATA_ERROR)
    return glab_error(GLAB_ERR_FORMAT,
                      "%s: corrupt gzip stream: the bytes after gzip member %d are not another "
                      "member (%s)",
                      name, members, msg ? msg : zError(rc));
  return glab_error(GLAB_ERR_FORMAT, "%s: corrupt gzip stream (%s)", name, msg ? msg : zError(rc));
}

/* The trailer of a one-member gzip file agrees with the header (mod 2^32), so the file is not
 * cut short: a stream that then does not decompress to the declared size is damaged, and
 * corruption, not length, is what to report. */
static int gz_trailer_agrees(const src *s, uint64_t total) {
  return s->gz && s->members == 0 && total && (total & 0xffffffffu) == s->isize;
}

/* Compressed input ran out inside the stream (while reading `what`; NULL: after the declared
 * data): truncated — unless the trailer is there and agrees, which a cut file's is not. */
static int gz_breaks_off(const src *s, const char *what) {
  char part[96];
  if (what)
    snprintf(part, sizeof part, "while reading %s", what);
  else
    snprintf(part, sizeof part, "%s",
             gz_trailer_agrees(s, s->declared) ? "after the declared data"
                                               : "its trailer is missing");
  if (gz_trailer_agrees(s, s->declared))
    return glab_error(GLAB_ERR_FORMAT,
                      "%s: truncated gzip stream (%s), though its size trailer agrees with the "
                      "header: the file looks corrupt",
                      s->name, part);
  return glab_error(GLAB_ERR_FORMAT, "%s: truncated gzip stream (%s)", s->name, part);
}

/* Read exactly n bytes (plain: from offset `pos`, sequentially). */
static int src_read(src *s, void *dst, size_t n, uint64_t pos, const char *what) {
  if (!s->gz) {
    if (pos + n > s->raw_len || pos + n < pos)
      return glab_error(
          GLAB_ERR_FORMAT, "%s: truncated file: reading %s needs %llu bytes, the file has %llu",
          s->name, what, (unsigned long long)(pos + n), (unsigned long long)s->raw_len);
    if (s->fd < 0) {
      memcpy(dst, s->mem + pos, n);
      return GLAB_OK;
    }
    if (read_full(s->fd, dst, n, (off_t)pos) != 0)
      return glab_error(GLAB_ERR_IO, "%s: read error: %s", s->name, strerror(errno));
    return GLAB_OK;
  }
  if (!s->z_ready) {
    if (s->fd >= 0 && lseek(s->fd, 0, SEEK_SET) != 0)
      return glab_error(GLAB_ERR_IO, "%s: cannot seek", s->name);
    if (inflateInit2(&s->zs, 15 + 16) != Z_OK)
      return glab_error(GLAB_ERR_NOMEM, "%s: zlib: cannot initialise", s->name);
    s->z_ready = 1;
  }
  unsigned char *out = dst;
  while (n > 0) {
    if (s->z_end)
      return glab_error(GLAB_ERR_FORMAT,
                        "%s: truncated: the gzip stream ends before %s (%llu bytes short)", s->name,
                        what, (unsigned long long)n);
    if (s->zs.avail_in == 0 && src_refill(s) == 0) return gz_breaks_off(s, what);
    size_t step = n > (size_t)UINT_MAX ? (size_t)UINT_MAX : n;
    s->zs.next_out = out;
    s->zs.avail_out = (uInt)step;
    int rc = inflate(&s->zs, Z_NO_FLUSH);
    size_t got = step - s->zs.avail_out;
    out += got;
    n -= got;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
      return gz_corrupt(s->name, s->members, s->member_start, s->zs.msg, rc);
    s->member_start = 0;
    if (rc == Z_STREAM_END) {
      src_member_end(s);
    } else if (rc == Z_BUF_ERROR) {
      if (s->zs.avail_in != 0 && got == 0)
        return glab_error(GLAB_ERR_FORMAT, "%s: corrupt gzip stream", s->name);
    }
  }
  return GLAB_OK;
}

/* How far past the declared length gz_longer decompresses (output discarded) to find out why. */
#define GZ_LONGER_SCAN ((uint64_t)64 << 20)

/* The gzip stream goes on after the `pos` bytes the header declares (one byte of it read).
 * A file that really is longer ends its stream cleanly; a damaged one — a few bad bytes in the
 * middle make inflate decode garbage for a while — fails zlib's checks further on (Z_DATA_ERROR:
 * "incorrect data check", "invalid distance too far back", ...) or breaks off while its trailer
 * agrees with the header. The rest is decompressed into a scratch buffer to tell which, up to
 * the declared length again plus GZ_LONGER_SCAN (no allocation). */
static int gz_longer(src *s, uint64_t pos) {
  unsigned char scratch[16384];
  uint64_t extra = 1, limit = pos + GZ_LONGER_SCAN;
  int corrupt_hint = gz_trailer_agrees(s, pos);
  while (extra <= limit) {
    if (s->zs.avail_in == 0 && src_refill(s) == 0) {
      if (corrupt_hint)
        return glab_error(GLAB_ERR_FORMAT,
                          "%s: the file looks corrupt: its gzip stream decompresses past the %llu "
                          "bytes the header declares and then breaks off before its end",
                          s->name, (unsigned long long)pos);
      break;
    }
    s->zs.next_out = scratch;
    s->zs.avail_out = sizeof scratch;
    int rc = inflate(&s->zs, Z_NO_FLUSH);
    size_t got = sizeof scratch - s->zs.avail_out;
    extra += got;
    if (rc == Z_STREAM_END) break; /* a whole, checked member: really longer */
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || (rc == Z_BUF_ERROR && s->zs.avail_in && !got))
      return glab_error(GLAB_ERR_FORMAT,
                        "%s: the file looks corrupt: its gzip stream decompresses past the %llu "
                        "bytes the header declares and then fails zlib's check (%s)",
                        s->name, (unsigned long long)pos,
                        s->zs.msg ? s->zs.msg : zError(rc == Z_BUF_ERROR ? Z_DATA_ERROR : rc));
  }
  return glab_error(GLAB_ERR_FORMAT, "%s: longer than its header declares (%llu bytes)", s->name,
                    (unsigned long long)pos);
}

/* After the last declared byte: a gzip stream must end there (and its CRC is checked). */
static int src_expect_end(src *s, uint64_t pos) {
  if (!s->gz) return GLAB_OK; /* plain: the exact length was checked up front */
  unsigned char extra;
  while (!s->z_end) {
    if (s->zs.avail_in == 0 && src_refill(s) == 0) return gz_breaks_off(s, NULL);
    s->zs.next_out = &extra;
    s->zs.avail_out = 1;
    int rc = inflate(&s->zs, Z_NO_FLUSH);
    if (s->zs.avail_out == 0) return gz_longer(s, pos);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
      return gz_corrupt(s->name, s->members, s->member_start, s->zs.msg, rc);
    s->member_start = 0;
    if (rc == Z_STREAM_END) src_member_end(s);
  }
  return GLAB_OK;
}

/* The decompressed length of the whole gzip file (every member), counted without keeping the
 * output, stopping once it passes `limit`; *members: how many members were seen. Used only when
 * the last member's size trailer disagrees with the header (a multi-member file's trailer holds
 * its last member only), before anything is allocated for the data. */
static int gz_scan(src *s, uint64_t limit, uint64_t *total, int *members) {
  z_stream z;
  unsigned char out[16384], *in = NULL;
  uint64_t pos = 0;
  int rc = GLAB_OK, zrc = Z_OK, start = 0;
  *total = 0;
  *members = 0;
  memset(&z, 0, sizeof z);
  if (s->fd >= 0 && !(in = malloc(CHUNK)))
    return glab_error(GLAB_ERR_NOMEM, "%s: out of memory", s->name);
  if (inflateInit2(&z, 15 + 16) != Z_OK) {
    free(in);
    return glab_error(GLAB_ERR_NOMEM, "%s: zlib: cannot initialise", s->name);
  }
  for (;;) {
    if (z.avail_in == 0 && pos < s->raw_len) { /* more compressed input */
      uint64_t left = s->raw_len - pos;
      if (s->fd < 0) {
        z.next_in = (unsigned char *)(s->mem + pos);
        z.avail_in = left > UINT_MAX ? UINT_MAX : (uInt)left;
      } else {
        size_t take = left > CHUNK ? CHUNK : (size_t)left;
        if (read_full(s->fd, in, take, (off_t)pos) != 0) {
          rc = glab_error(GLAB_ERR_IO, "%s: read error: %s", s->name, strerror(errno));
          break;
        }
        z.next_in = in;
        z.avail_in = (uInt)take;
      }
      pos += z.avail_in;
    }
    if (z.avail_in == 0) break; /* the input ended inside a member: counted as far as it goes */
    z.next_out = out;
    z.avail_out = sizeof out;
    zrc = inflate(&z, Z_NO_FLUSH);
    *total += sizeof out - z.avail_out;
    if (*total > limit) break;
    if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR) {
      rc = gz_corrupt(s->name, *members, start, z.msg, zrc);
      break;
    }
    start = 0;
    if (zrc == Z_STREAM_END) {
      ++*members;
      if (z.avail_in == 0 && pos >= s->raw_len) break;
      inflateReset(&z);
      start = 1;
    }
  }
  inflateEnd(&z);
  free(in);
  return rc;
}

/* ---- the header ---- */

typedef struct idx_header {
  int dtype;
  int ndim;
  uint32_t dims[GLAB_MAX_DIMS];
  size_t count;      /* dims[0] */
  size_t item_elems; /* product of dims[1..] (1 for a 1-dim file) */
  size_t header_len; /* 4 + 4·ndim */
  uint64_t data_len; /* declared bytes after the header */
} idx_header;

static const char *dtype_name(int t) {
  switch (t) {
  case GLAB_DT_U8:
    return "uint8";
  case GLAB_DT_I8:
    return "int8";
  case GLAB_DT_I16:
    return "int16";
  case GLAB_DT_I32:
    return "int32";
  case GLAB_DT_F32:
    return "float32";
  case GLAB_DT_F64:
    return "float64";
  default:
    return "?";
  }
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Read and validate the header; checks the declared length against what the source can hold. */
static int read_header(src *s, idx_header *h) {
  unsigned char b[4 + 4 * 255];
  memset(h, 0, sizeof *h);
  if (!s->gz && s->raw_len < 4)
    return glab_error(GLAB_ERR_FORMAT, "%s: truncated file: %llu bytes, an IDX header needs 4",
                      s->name, (unsigned long long)s->raw_len);
  if (src_read(s, b, 4, 0, "the header") != GLAB_OK) return GLAB_ERR_FORMAT;
  if (b[0] != 0 || b[1] != 0)
    return glab_error(GLAB_ERR_FORMAT,
                      "%s: not an IDX file (wrong magic %02x %02x %02x %02x; expected 00 00 "
                      "<type> <ndim>)",
                      s->name, b[0], b[1], b[2], b[3]);
  h->dtype = b[2];
  if (glab_dtype_size(h->dtype) == 0 || h->dtype == GLAB_DT_REAL)
    return glab_error(GLAB_ERR_FORMAT, "%s: unknown IDX element type 0x%02x", s->name, b[2]);
  h->ndim = b[3];
  if (h->ndim < 1 || h->ndim > GLAB_MAX_DIMS)
    return glab_error(GLAB_ERR_FORMAT, "%s: %d dimensions (gradlab reads IDX files of 1 to %d)",
                      s->name, h->ndim, GLAB_MAX_DIMS);
  h->header_len = 4 + 4 * (size_t)h->ndim;
  if (src_read(s, b + 4, 4 * (size_t)h->ndim, 4, "the dimensions") != GLAB_OK)
    return GLAB_ERR_FORMAT;
  uint64_t elems = 1;
  for (int i = 0; i < h->ndim; i++) {
    h->dims[i] = be32(b + 4 + 4 * i);
    if (h->dims[i] > INT_MAX)
      return glab_error(GLAB_ERR_FORMAT, "%s: dimension %d is %u (too large)", s->name, i + 1,
                        h->dims[i]);
    if (h->dims[i] == 0)
      return glab_error(GLAB_ERR_FORMAT, "%s: dimension %d is 0 (no data)", s->name, i + 1);
    if (i > 0) elems *= h->dims[i]; /* <= 2^93 cannot happen: 3 × 31 bits, checked below */
    if (elems > ((uint64_t)1 << 40))
      return glab_error(GLAB_ERR_FORMAT, "%s: items of %llu+ elements are too large", s->name,
                        (unsigned long long)elems);
  }
  if (elems > INT_MAX)
    return glab_error(GLAB_ERR_FORMAT, "%s: items of %llu elements are too large", s->name,
                      (unsigned long long)elems);
  h->count = h->dims[0];
  h->item_elems = (size_t)elems;
  /* count < 2^31, item_elems <= 2^40, size <= 8: the product fits in 64 bits. */
  h->data_len = (uint64_t)h->count * elems * glab_dtype_size(h->dtype);
  uint64_t total = h->header_len + h->data_len;
  s->declared = total;
  if (!s->gz) {
    if (s->raw_len < total)
      return glab_error(GLAB_ERR_FORMAT,
                        "%s: truncated file: the header declares %zu %s (%llu bytes), the "
                        "file has %llu bytes",
                        s->name, h->count, glab_items_word(h->count), (unsigned long long)total,
                        (unsigned long long)s->raw_len);
    if (s->raw_len > total)
      return glab_error(GLAB_ERR_FORMAT,
                        "%s: %llu bytes but the header declares %llu (extra data at the end)",
                        s->name, (unsigned long long)s->raw_len, (unsigned long long)total);
  } else {
    if (total / DEFLATE_MAX_RATIO > s->raw_len)
      return glab_error(GLAB_ERR_FORMAT,
                        "%s: the header declares %zu %s (%llu bytes), more than a %llu-byte "
                        "gzip file can hold",
                        s->name, h->count, glab_items_word(h->count), (unsigned long long)total,
                        (unsigned long long)s->raw_len);
  }
  /* A consistent header may still describe more than this machine holds (a gzip bomb that
   * decompresses to its claim): refuse before allocating rather than be killed midway. */
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  uint64_t ram = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : UINT64_MAX;
  if (total > SIZE_MAX / 2 || total > ram)
    return glab_error(GLAB_ERR_NOMEM,
                      "%s: the header declares %llu bytes, more than this machine's memory "
                      "(%llu bytes)",
                      s->name, (unsigned long long)total, (unsigned long long)ram);
  /* gzip: the size trailer (mod 2^32) must agree. It is the last member's only, so when it does
   * not, the members are counted through (no output kept) before the data is allocated. */
  if (s->gz && (total & 0xffffffffu) != s->isize) {
    uint64_t real;
    int members;
    if (gz_scan(s, total, &real, &members) != GLAB_OK) return glab_last_status();
    if (members < 2)
      return glab_error(GLAB_ERR_FORMAT,
                        "%s: the header declares %llu bytes but the gzip trailer says %llu "
                        "(truncated or not the declared size)",
                        s->name, (unsigned long long)total, (unsigned long long)s->isize);
    if (real > total)
      return glab_error(GLAB_ERR_FORMAT,
                        "%s: longer than its header declares (%llu bytes): its gzip members hold "
                        "more",
                        s->name, (unsigned long long)total);
    if (real < total)
      return glab_error(GLAB_ERR_FORMAT,
                        "%s: truncated: the header declares %llu bytes but its %d gzip members "
                        "hold %llu",
                        s->name, (unsigned long long)total, members, (unsigned long long)real);
  }
  return GLAB_OK;
}

/* IDX stores big-endian; convert in place to host order. */
static void to_host(void *data, size_t count, size_t size) {
  const uint16_t probe = 1;
  if (size == 1 || *(const unsigned char *)&probe == 0) return; /* big-endian host */
  unsigned char *p = data;
  for (size_t i = 0; i < count; i++, p += size)
    for (size_t a = 0, b = size - 1; a < b; a++, b--) {
      unsigned char t = p[a];
      p[a] = p[b];
      p[b] = t;
    }
}

/* Read the first `keep` items' elements (keep <= count) into a new buffer. */
static void *read_body(src *s, const idx_header *h, size_t keep) {
  size_t esz = glab_dtype_size(h->dtype);
  size_t bytes = keep * h->item_elems * esz;
  void *data = malloc(bytes ? bytes : 1);
  if (!data) {
    glab_error(GLAB_ERR_NOMEM, "%s: out of memory for %zu bytes", s->name, bytes);
    return NULL;
  }
  if (src_read(s, data, bytes, h->header_len, "the data") != GLAB_OK ||
      (keep == h->count && src_expect_end(s, h->header_len + bytes) != GLAB_OK)) {
    free(data);
    return NULL;
  }
  to_host(data, keep * h->item_elems, esz);
  return data;
}

/* Float data is data, as in CSV: every element finite and within glab_real's range (a float64
 * 1e300 would become inf in a float build). One pass at load, so batches convert unchecked. */
static int check_floats(const src *s, const idx_header *h, const void *data, size_t keep) {
  if (h->dtype != GLAB_DT_F32 && h->dtype != GLAB_DT_F64) return GLAB_OK;
  size_t n = keep * h->item_elems;
  for (size_t i = 0; i < n; i++) {
    double v =
        h->dtype == GLAB_DT_F32 ? (double)((const float *)data)[i] : ((const double *)data)[i];
    if (isfinite(v) && fabs(v) <= GLAB_REAL_MAX) continue;
    size_t item = i / h->item_elems, el = i % h->item_elems;
    if (!isfinite(v))
      return glab_error(GLAB_ERR_FORMAT,
                        "%s: item %zu, element %zu (counting from 0): %s value %s is not finite",
                        s->name, item, el, dtype_name(h->dtype),
                        isnan(v) ? "nan"
                        : v > 0  ? "inf"
                                 : "-inf");
    return glab_error(GLAB_ERR_FORMAT,
                      "%s: item %zu, element %zu (counting from 0): %s value %g is too large for "
                      "%s (at most %g)",
                      s->name, item, el, dtype_name(h->dtype), v, GLAB_REAL_NAME,
                      (double)GLAB_REAL_MAX);
  }
  return GLAB_OK;
}

/* The labels a loader takes: 0..classes-1; `known` (or NULL) says why, for the message. Any IDX
 * file: 0..IDX_MAX_CLASSES-1. A data set of known classes checks its own (a damaged Fashion-MNIST
 * label of 200 gave 201 classes). */
typedef struct label_range {
  int classes;
  const char *known;
} label_range;

static const label_range any_labels = {IDX_MAX_CLASSES, NULL};

static int read_labels(src *s, const idx_header *h, size_t keep, const label_range *range,
                       int32_t **out, int *classes) {
  if (h->ndim != 1)
    return glab_error(GLAB_ERR_FORMAT,
                      "%s: a label file has 1 dimension, this one has %d (an image file given "
                      "as labels?)",
                      s->name, h->ndim);
  if (h->dtype == GLAB_DT_F32 || h->dtype == GLAB_DT_F64)
    return glab_error(GLAB_ERR_FORMAT, "%s: labels must be integers, not %s", s->name,
                      dtype_name(h->dtype));
  void *raw = read_body(s, h, keep);
  if (!raw) return glab_last_status();
  int32_t *lab = malloc((keep ? keep : 1) * sizeof *lab);
  if (!lab) {
    free(raw);
    return glab_error(GLAB_ERR_NOMEM, "%s: out of memory", s->name);
  }
  int32_t maxv = -1;
  for (size_t i = 0; i < keep; i++) {
    int32_t v;
    switch (h->dtype) {
    case GLAB_DT_U8:
      v = ((const uint8_t *)raw)[i];
      break;
    case GLAB_DT_I8:
      v = ((const int8_t *)raw)[i];
      break;
    case GLAB_DT_I16:
      v = ((const int16_t *)raw)[i];
      break;
    default:
      v = ((const int32_t *)raw)[i];
      break;
    }
    if (v < 0 || v >= range->classes) {
      free(raw);
      free(lab);
      return glab_error(GLAB_ERR_FORMAT, "%s: label %ld of item %zu is outside 0..%d%s%s%s",
                        s->name, (long)v, i, range->classes - 1, range->known ? " (" : "",
                        range->known ? range->known : "", range->known ? ")" : "");
    }
    if (v > maxv) maxv = v;
    lab[i] = v;
  }
  free(raw);
  *out = lab;
  *classes = maxv + 1 > 0 ? maxv + 1 : 1;
  return GLAB_OK;
}

static const char *base_name(const char *path) {
  const char *b = strrchr(path, '/');
  return b ? b + 1 : path;
}

/* The common part: both sources opened; headers validated before any allocation. */
static glab_dataset *load(src *im, src *lb, const glab_idx_options *opt, const label_range *range) {
  glab_idx_options def = {GLAB_SCALE_UNIT, 0, 0};
  if (!opt) opt = &def;
  idx_header hi, hl;
  if (read_header(im, &hi) != GLAB_OK) return NULL;
  if (hi.ndim < 2) {
    glab_error(GLAB_ERR_FORMAT,
               "%s: 1 dimension of %zu %s %s — this looks like a label file; images need "
               "at least 2 dimensions (items × features)",
               im->name, hi.count, dtype_name(hi.dtype), hi.count == 1 ? "value" : "values");
    return NULL;
  }
  if (lb) {
    if (read_header(lb, &hl) != GLAB_OK) return NULL;
    if (hl.ndim != 1) {
      glab_error(GLAB_ERR_FORMAT,
                 "%s: a label file has 1 dimension, this one has %d (an image file given as "
                 "labels?)",
                 lb->name, hl.ndim);
      return NULL;
    }
    if (hl.count != hi.count) {
      glab_error(GLAB_ERR_FORMAT, "images and labels disagree: %s has %zu %s, %s has %zu", im->name,
                 hi.count, glab_items_word(hi.count), lb->name, hl.count);
      return NULL;
    }
  }
  size_t keep = opt->limit && opt->limit < hi.count ? opt->limit : hi.count;
  glab_data_store *st = glab_store_new(base_name(im->name));
  if (!st) return NULL;
  st->n = keep;
  st->item_ndim = opt->keep_shape ? hi.ndim - 1 : 1;
  if (opt->keep_shape)
    for (int i = 1; i < hi.ndim; i++)
      st->item_shape[i - 1] = (int)hi.dims[i];
  else
    st->item_shape[0] = (int)hi.item_elems;
  st->item_elems = hi.item_elems;
  st->dtype = hi.dtype;
  st->inputs = read_body(im, &hi, keep);
  if (!st->inputs || check_floats(im, &hi, st->inputs, keep) != GLAB_OK) {
    glab_store_release(st);
    return NULL;
  }
  if (lb) {
    st->kind = GLAB_TARGET_CLASS;
    if (read_labels(lb, &hl, keep, range, &st->labels, &st->width) != GLAB_OK) {
      glab_store_release(st);
      return NULL;
    }
  }
  glab_dataset *ds = glab_dataset_from_store(st);
  if (ds && glab_dataset_set_scale(ds, opt->scale) != GLAB_OK) {
    glab_dataset_destroy(ds);
    return NULL;
  }
  return ds;
}

static glab_dataset *load_files(const char *images, const char *labels, const glab_idx_options *opt,
                                const label_range *range) {
  if (!images) {
    glab_error(GLAB_ERR_ARG, "idx: no images file given");
    return NULL;
  }
  src im, lb;
  glab_dataset *ds = NULL;
  int ok = src_open_file(&im, images) == GLAB_OK;
  int lok = !labels || src_open_file(&lb, labels) == GLAB_OK;
  if (ok && lok) ds = load(&im, labels ? &lb : NULL, opt, range);
  src_close(&im);
  if (labels) src_close(&lb);
  return ds;
}

glab_dataset *glab_data_idx_load(const char *images, const char *labels,
                                 const glab_idx_options *opt) {
  return load_files(images, labels, opt, &any_labels);
}

glab_dataset *glab_data_idx_load_memory(const void *images, size_t images_len,
                                        const char *images_name, const void *labels,
                                        size_t labels_len, const char *labels_name,
                                        const glab_idx_options *opt) {
  src im, lb;
  glab_dataset *ds = NULL;
  memset(&lb, 0, sizeof lb); /* closed below even when opening the images fails */
  lb.fd = -1;
  if (src_open_memory(&im, images_name ? images_name : "images", images, images_len) == GLAB_OK &&
      (!labels ||
       src_open_memory(&lb, labels_name ? labels_name : "labels", labels, labels_len) == GLAB_OK))
    ds = load(&im, labels ? &lb : NULL, opt, &any_labels);
  src_close(&im);
  if (labels) src_close(&lb);
  return ds;
}

/* ---- Fashion-MNIST ---- */

#define FMNIST_SYSTEM_DIR "/usr/share/datasets/fashion-mnist"

static _Thread_local char fmnist_dir[4096];

/* Path of `file` (plain or .gz) in dir, or 0 if neither exists. */
static int find_file(const char *dir, const char *file, char *out, size_t outsz) {
  snprintf(out, outsz, "%s/%s.gz", dir, file);
  if (access(out, R_OK) == 0) return 1;
  snprintf(out, outsz, "%s/%s", dir, file);
  return access(out, R_OK) == 0;
}

/* Any of the four files: the folder is meant to hold Fashion-MNIST (a missing one is then
 * named by glab_data_fashion_mnist). */
static int has_fmnist(const char *dir) {
  static const char *const files[] = {"t10k-labels-idx1-ubyte", "train-labels-idx1-ubyte",
                                      "t10k-images-idx3-ubyte", "train-images-idx3-ubyte"};
  char p[4200];
  for (size_t i = 0; i < sizeof files / sizeof *files; i++)
    if (find_file(dir, files[i], p, sizeof p)) return 1;
  return 0;
}

const char *glab_data_fashion_mnist_dir(void) {
  const char *env = getenv("GRADLAB_DATA");
  if (env && env[0]) {
    /* An explicit setting wins: GRADLAB_DATA itself or its fashion-mnist/ subfolder. */
    snprintf(fmnist_dir, sizeof fmnist_dir, "%s", env);
    if (has_fmnist(fmnist_dir)) return fmnist_dir;
    snprintf(fmnist_dir, sizeof fmnist_dir, "%s/fashion-mnist", env);
    if (has_fmnist(fmnist_dir)) return fmnist_dir;
    glab_error(GLAB_ERR_NOTFOUND,
               "fashion_mnist: no Fashion-MNIST files in GRADLAB_DATA=%s (expected "
               "train-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, ...); install the Debian "
               "package with `apt-get install dataset-fashion-mnist` and unset GRADLAB_DATA",
               env);
    return NULL;
  }
  snprintf(fmnist_dir, sizeof fmnist_dir, "%s", FMNIST_SYSTEM_DIR);
  if (has_fmnist(fmnist_dir)) return fmnist_dir;
  glab_error(GLAB_ERR_NOTFOUND,
             "fashion_mnist: the data is not installed (looked in %s/): install it with "
             "`apt-get install dataset-fashion-mnist`, or set GRADLAB_DATA to a folder holding "
             "the IDX files",
             FMNIST_SYSTEM_DIR);
  return NULL;
}

glab_dataset *glab_data_fashion_mnist(const char *split, size_t limit) {
  const char *prefix;
  if (!split || !strcmp(split, "train"))
    prefix = "train";
  else if (!strcmp(split, "test"))
    prefix = "t10k";
  else {
    glab_error(GLAB_ERR_ARG, "fashion_mnist: split must be \"train\" or \"test\", not \"%s\"",
               split);
    return NULL;
  }
  const char *dir = glab_data_fashion_mnist_dir();
  if (!dir) return NULL;
  char images[4200], labels[4200], name[64];
  snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
  int a = find_file(dir, name, images, sizeof images);
  snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
  int b = find_file(dir, name, labels, sizeof labels);
  if (!a || !b) {
    char missing[160];
    if (a != b) /* one of the pair is there: name the other */
      snprintf(missing, sizeof missing, "%s-%s-idx%d-ubyte.gz (or without .gz) is missing", prefix,
               a ? "labels" : "images", a ? 1 : 3);
    else
      snprintf(missing, sizeof missing,
               "%s-images-idx3-ubyte.gz and %s-labels-idx1-ubyte.gz are "
               "missing",
               prefix, prefix);
    glab_error(GLAB_ERR_NOTFOUND,
               "fashion_mnist: the %s split is incomplete in %s: %s; `apt-get install "
               "dataset-fashion-mnist` provides both",
               split ? split : "train", dir, missing);
    return NULL;
  }
  glab_idx_options opt = {GLAB_SCALE_UNIT, limit, 0};
  static const label_range ten = {10, "Fashion-MNIST has 10 classes"};
  glab_dataset *ds = load_files(images, labels, &opt, &ten);
  snprintf(name, sizeof name, "fashion-mnist-%s", split ? split : "train");
  glab_dataset_rename(ds, name);
  return ds;
}
