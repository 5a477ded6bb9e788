/* data_csv.c — numeric CSV files (RFC 4180, parsed by libcsv): an optional header row, any
 * one-byte delimiter, a label column chosen by name or index, CRLF or LF line ends, a missing
 * final newline. Every other field must be a finite number; an empty field, a non-number or a
 * row of the wrong length is an error "FILE:LINE:COLUMN: reason". Line numbers are physical
 * lines (quoted fields spanning lines are counted), columns are 1-based fields. */
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data_internal.h"
#include "gradlab/config.h"
#include "gradlab/error.h"

#define CSV_MAX_CLASSES 65536

typedef struct parse {
  const char *name;
  const glab_csv_options *opt;
  size_t line;      /* physical line where the current row starts (1-based) */
  size_t next_line; /* line the parser is on now */
  int last_cr;      /* the previous row ended with CR (so a following LF is not a new line) */
  size_t nfields;   /* fields in the current row */
  size_t ncols;     /* columns of the file (0 until the first row) */
  int header_pending;
  char **names; /* header names (nnames) or NULL */
  size_t nnames, names_cap;
  double *row; /* the current row's numbers */
  size_t row_cap;
  long label_col;  /* -1: no label */
  glab_real *vals; /* features, rows × (ncols - has label) */
  size_t nvals, vals_cap;
  double *labels; /* one per row */
  size_t nlabels, labels_cap;
  size_t rows;
  int done; /* limit reached */
  int err;  /* first error (then everything else is ignored) */
} parse;

void glab_csv_options_init(glab_csv_options *opt) {
  opt->header = 1;
  opt->delimiter = ',';
  opt->label_name = NULL;
  opt->label_index = -1;
  opt->real_target = 0;
  opt->limit = 0;
}

static int grow(void **buf, size_t *cap, size_t need, size_t elem, parse *p) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap : 64;
  while (nc < need) {
    if (nc > SIZE_MAX / 2 / elem) {
      p->err = glab_error(GLAB_ERR_NOMEM, "%s: too large", p->name);
      return -1;
    }
    nc *= 2;
  }
  void *nb = realloc(*buf, nc * elem);
  if (!nb) {
    p->err = glab_error(GLAB_ERR_NOMEM, "%s: out of memory at line %zu", p->name, p->line);
    return -1;
  }
  *buf = nb;
  *cap = nc;
  return 0;
}

/* A data field is a decimal number (glab_is_decimal), leading blanks allowed. strtod alone would
 * also take "0x10", "inf", "nan" and "infinity", none of which is data. */
static int decimal_field(const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  return glab_is_decimal(s, NULL);
}


/* "\"text\"" shown in a message: at most ~40 bytes, never cut inside a UTF-8 character. */
static const char *quoted(const char *s, char *buf, size_t size) {
  size_t n = strlen(s), max = 40;
  if (n > max) {
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
      max--;
    n = max;
  }
  snprintf(buf, size, "\"%.*s%s\"", (int)n, s, s[n] ? "..." : "");
  return buf;
}

/* "FILE:LINE:COL (name): " prefix with the column's header name when there is one. */
static int field_error(parse *p, size_t col, const char *fmt, const char *detail) {
  char where[96] = "", name[64];
  if (p->names && col < p->ncols && p->names[col][0])
    snprintf(where, sizeof where, " (column %s)", quoted(p->names[col], name, sizeof name));
  p->err = glab_error(GLAB_ERR_FORMAT, "%s:%zu:%zu%s: %s%s", p->name, p->line, col + 1, where, fmt,
                      detail ? detail : "");
  return p->err;
}

static void on_field(void *data, size_t len, void *ctx) {
  parse *p = ctx;
  const char *s = data ? data : "";
  if (p->err || p->done) return;
  if (p->nfields == 0) p->line = p->next_line;
  for (size_t i = 0; i < len; i++) /* newlines inside a quoted field */
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n'))) p->next_line++;
  size_t col = p->nfields++;
  /* A NUL byte is never CSV text (header or data): said as such, rather than cut at by the C
   * strings below (the field 1<NUL>2 was "not a number: \"1\"", quoting a valid number). */
  const char *nul = memchr(s, '\0', len);
  if (nul) {
    char at[64];
    snprintf(at, sizeof at, " (byte %zu of %zu)", (size_t)(nul - s) + 1, len);
    field_error(p, col, "the field holds a NUL byte", at);
    return;
  }
  if (p->header_pending) {
    if (grow((void **)&p->names, &p->names_cap, col + 1, sizeof *p->names, p)) return;
    p->names[col] = malloc(len + 1);
    if (!p->names[col]) {
      p->err = glab_error(GLAB_ERR_NOMEM, "%s: out of memory", p->name);
      return;
    }
    memcpy(p->names[col], s, len);
    p->names[col][len] = 0;
    p->nnames = col + 1;
    return;
  }
  if (grow((void **)&p->row, &p->row_cap, col + 1, sizeof *p->row, p)) return;
  if (len == 0) {
    field_error(p, col, "empty field", NULL);
    return;
  }
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (end != s + len || !decimal_field(s)) {
    char shown[64];
    /* what strtod takes but data is not: hex, inf, nan */
    field_error(p, col, end == s + len ? "not a decimal number: " : "not a number: ",
                quoted(s, shown, sizeof shown));
    return;
  }
  if (!isfinite(v) || !isfinite((double)(glab_real)v)) {
    char shown[64];
    field_error(p, col, "not a finite number: ", quoted(s, shown, sizeof shown));
    return;
  }
  p->row[col] = v;
}

/* Decide the label column once the number of columns is known. */
static int resolve_label(parse *p) {
  const glab_csv_options *o = p->opt;
  p->label_col = -1;
  if (o->label_name) {
    if (!p->names)
      return p->err = glab_error(GLAB_ERR_ARG, "%s: label column \"%s\" needs a header row",
                                 p->name, o->label_name);
    for (size_t k = 0; k < p->ncols; k++) {
      if (strcmp(p->names[k], o->label_name)) continue;
      if (p->label_col >= 0) /* never a silent pick between two columns of that name */
        return p->err = glab_error(GLAB_ERR_ARG,
                                   "%s: the header names two columns \"%s\" (columns %ld and "
                                   "%zu); give the label column by number",
                                   p->name, o->label_name, p->label_col + 1, k + 1);
      p->label_col = (long)k;
    }
    if (p->label_col < 0)
      return p->err = glab_error(GLAB_ERR_ARG, "%s: no column named \"%s\" in the header", p->name,
                                 o->label_name);
  } else if (o->label_index == -1) {
    p->label_col = (long)p->ncols - 1;
  } else if (o->label_index >= 0) {
    if ((size_t)o->label_index >= p->ncols)
      return p->err = glab_error(GLAB_ERR_ARG, "%s: label column %d but the file has %zu", p->name,
                                 o->label_index + 1, p->ncols);
    p->label_col = o->label_index;
  } else if (o->label_index != -2) {
    return p->err =
               glab_error(GLAB_ERR_ARG, "%s: bad label column index %d", p->name, o->label_index);
  }
  if (p->label_col >= 0 && p->ncols < 2)
    return p->err =
               glab_error(GLAB_ERR_FORMAT,
                          "%s: only one column, which is the label: no input features", p->name);
  return GLAB_OK;
}

static void end_row(parse *p) {
  size_t nf = p->nfields;
  p->nfields = 0;
  if (p->header_pending) {
    p->header_pending = 0;
    p->ncols = nf;
    resolve_label(p);
    return;
  }
  if (p->ncols == 0) {
    p->ncols = nf;
    if (resolve_label(p)) return;
  }
  if (nf != p->ncols) {
    char msg[96];
    snprintf(msg, sizeof msg, "ragged row: %zu fields where %s has %zu", nf,
             p->names ? "the header" : "the first row", p->ncols);
    field_error(p, nf < p->ncols ? nf : p->ncols, msg, NULL);
    return;
  }
  size_t nfeat = p->ncols - (p->label_col >= 0);
  if (grow((void **)&p->vals, &p->vals_cap, p->nvals + nfeat, sizeof *p->vals, p)) return;
  for (size_t k = 0; k < p->ncols; k++)
    if ((long)k != p->label_col) p->vals[p->nvals++] = (glab_real)p->row[k];
  if (p->label_col >= 0) {
    double v = p->row[p->label_col];
    if (!p->opt->real_target && (v < 0 || v >= CSV_MAX_CLASSES || v != floor(v))) {
      char shown[48];
      snprintf(shown, sizeof shown, "%g", v);
      field_error(p, (size_t)p->label_col,
                  "a class label must be an integer in 0..65535 (for a real target: "
                  "target=\"real\" in gradlab.data.csv, .real_target = 1 in C): ",
                  shown);
      return;
    }
    if (grow((void **)&p->labels, &p->labels_cap, p->nlabels + 1, sizeof *p->labels, p)) return;
    p->labels[p->nlabels++] = v;
  }
  p->rows++;
  if (p->opt->limit && p->rows >= p->opt->limit) p->done = 1;
}

static void on_row(int c, void *ctx) {
  parse *p = ctx;
  if (p->err) return;
  if (p->nfields == 0) { /* CSV_REPALL_NL: an empty line, or the LF of a CRLF */
    if (!(c == '\n' && p->last_cr) && c >= 0) p->next_line++;
    p->last_cr = c == '\r';
    return;
  }
  if (!p->done) end_row(p);
  p->nfields = 0;
  if (c >= 0) p->next_line++;
  p->last_cr = c == '\r';
}

static void parse_free(parse *p) {
  for (size_t k = 0; k < p->nnames; k++)
    free(p->names[k]);
  free(p->names);
  free(p->row);
  free(p->vals);
  free(p->labels);
}

/* Feed chunks through libcsv; `next` returns the next chunk (len 0 at the end). */
typedef size_t (*feeder)(void *ctx, const char **chunk);

static glab_dataset *parse_all(const char *name, const glab_csv_options *opt, feeder next,
                               void *fctx) {
  glab_csv_options def;
  if (!opt) {
    glab_csv_options_init(&def);
    opt = &def;
  }
  if (opt->delimiter == '"' || opt->delimiter == '\n' || opt->delimiter == '\r' ||
      opt->delimiter == 0) {
    glab_error(GLAB_ERR_ARG, "%s: bad delimiter", name);
    return NULL;
  }
  parse p;
  memset(&p, 0, sizeof p);
  p.name = name;
  p.opt = opt;
  p.line = p.next_line = 1;
  p.header_pending = opt->header;
  struct csv_parser cp;
  if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL) != 0) {
    glab_error(GLAB_ERR_NOMEM, "%s: cannot initialise the CSV parser", name);
    return NULL;
  }
  csv_set_delim(&cp, (unsigned char)opt->delimiter);
  const char *chunk;
  size_t len;
  int first = 1;
  while (!p.err && !p.done && (len = next(fctx, &chunk)) > 0) {
    /* A UTF-8 byte order mark (spreadsheet exports) is not part of the first field. */
    if (first && len >= 3 && !memcmp(chunk, "\xEF\xBB\xBF", 3)) chunk += 3, len -= 3;
    first = 0;
    if (csv_parse(&cp, chunk, len, on_field, on_row, &p) != len && !p.err && !p.done)
      p.err = glab_error(GLAB_ERR_FORMAT, "%s:%zu: %s", name, p.next_line,
                         csv_strerror(csv_error(&cp)));
  }
  if (!p.err && !p.done && csv_fini(&cp, on_field, on_row, &p) != 0 && !p.err)
    p.err = glab_error(GLAB_ERR_FORMAT, "%s:%zu: %s (an unterminated quoted field?)", name,
                       p.next_line, csv_strerror(csv_error(&cp)));
  csv_free(&cp);
  if (!p.err && p.header_pending)
    p.err = glab_error(GLAB_ERR_FORMAT, "%s: empty file (no header row)", name);
  if (!p.err && p.rows == 0) p.err = glab_error(GLAB_ERR_FORMAT, "%s: no data rows", name);
  glab_data_store *st = NULL;
  if (!p.err) st = glab_store_new(strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
  if (!st) {
    parse_free(&p);
    return NULL;
  }
  st->n = p.rows;
  st->item_ndim = 1;
  st->item_shape[0] = (int)(p.ncols - (p.label_col >= 0));
  st->item_elems = (size_t)st->item_shape[0];
  st->dtype = GLAB_DT_REAL;
  st->inputs = p.vals;
  p.vals = NULL;
  if (p.label_col >= 0 && opt->real_target) {
    st->kind = GLAB_TARGET_REAL;
    st->width = 1;
    st->targets = malloc(p.rows * sizeof *st->targets);
    if (st->targets)
      for (size_t i = 0; i < p.rows; i++)
        st->targets[i] = (glab_real)p.labels[i];
  } else if (p.label_col >= 0) {
    st->kind = GLAB_TARGET_CLASS;
    st->labels = malloc(p.rows * sizeof *st->labels);
    int maxv = 0;
    if (st->labels)
      for (size_t i = 0; i < p.rows; i++) {
        st->labels[i] = (int32_t)p.labels[i];
        if (st->labels[i] > maxv) maxv = st->labels[i];
      }
    st->width = maxv + 1;
  }
  parse_free(&p);
  if (st->kind != GLAB_TARGET_NONE && !st->labels && !st->targets) {
    glab_error(GLAB_ERR_NOMEM, "%s: out of memory", name);
    glab_store_release(st);
    return NULL;
  }
  return glab_dataset_from_store(st);
}

typedef struct file_feed {
  FILE *f;
  char buf[64 * 1024];
} file_feed;

static size_t feed_file(void *ctx, const char **chunk) {
  file_feed *ff = ctx;
  *chunk = ff->buf;
  return fread(ff->buf, 1, sizeof ff->buf, ff->f);
}

typedef struct mem_feed {
  const char *buf;
  size_t len, pos;
} mem_feed;

static size_t feed_mem(void *ctx, const char **chunk) {
  mem_feed *m = ctx;
  size_t take = m->len - m->pos;
  if (take > 1 << 20) take = 1 << 20;
  *chunk = m->buf + m->pos;
  m->pos += take;
  return take;
}

glab_dataset *glab_data_csv_load(const char *path, const glab_csv_options *opt) {
  if (!path) {
    glab_error(GLAB_ERR_ARG, "csv: no path given");
    return NULL;
  }
  file_feed *ff = malloc(sizeof *ff);
  if (!ff) {
    glab_error(GLAB_ERR_NOMEM, "csv: out of memory");
    return NULL;
  }
  struct stat st;
  int fd = glab_data_open_file(path, &st); /* a folder is not "an empty file" */
  ff->f = fd >= 0 ? fdopen(fd, "rb") : NULL;
  if (!ff->f) {
    if (fd >= 0) {
      glab_error(GLAB_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
      close(fd);
    }
    free(ff);
    return NULL;
  }
  glab_dataset *ds = parse_all(path, opt, feed_file, ff);
  if (ds && ferror(ff->f)) {
    glab_error(GLAB_ERR_IO, "%s: read error", path);
    glab_dataset_destroy(ds);
    ds = NULL;
  }
  fclose(ff->f);
  free(ff);
  return ds;
}

glab_dataset *glab_data_csv_load_memory(const void *buf, size_t len, const char *name,
                                        const glab_csv_options *opt) {
  mem_feed m = {buf, len, 0};
  return parse_all(name ? name : "csv", opt, feed_mem, &m);
}
