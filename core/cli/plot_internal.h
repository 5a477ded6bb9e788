/* plot_internal.h — what the two files of `gradlab plot` share: the figure model and its gnuplot
 * writer (plot_figure.c), and the CSV reader (libcsv) used for metrics.csv and figures.csv. */
#ifndef GRADLAB_CLI_PLOT_INTERNAL_H
#define GRADLAB_CLI_PLOT_INTERNAL_H

#include <stddef.h>

enum { PNG_W = 960, PNG_H = 600 };

/* realloc that reports running out of memory (and frees p then). */
void *plot_xrealloc(void *p, size_t n);

/* A small set of distinct strings in insertion order (layers, keys, categories). */
typedef struct strset {
  char **s;
  int n, cap;
} strset;
/* The index of s, added if new; -1 on no memory. */
int plot_strset_id(strset *t, const char *s);
void plot_strset_free(strset *t);

typedef struct series {
  char *label;
  size_t n, cap;
  double *x, *y;
} series;

typedef struct figure {
  char name[96], title[200], xlabel[120], ylabel[120];
  int logx, logy, bars, points; /* bars: x is an index into cats */
  series *s;
  int ns;
  strset cats;
  double hline;
  char hline_label[80];
} figure;

void plot_fig_init(figure *f, const char *name, const char *title, const char *xl, const char *yl);
void plot_fig_free(figure *f);
/* The series called label, added if new; NULL on no memory. */
series *plot_fig_series(figure *f, const char *label);
int plot_series_add(series *s, double x, double y);
/* Write NAME.dat and NAME.gp into dir: 0, 1 when the figure has no series, -1 on error. */
int plot_fig_write(const figure *f, const char *dir);

/* A row of a CSV file and the line it starts on; non-zero stops the reading (after a message). */
typedef int (*row_fn)(void *ud, size_t line, int nf, char **fields);
/* Call fn for each row of a CSV file (the header included; empty lines are skipped), read
 * strictly (RFC 4180 quoting: a stray quote is an error): 0, -1 with a "FILE:LINE: reason"
 * message on failure, 1 when the file does not exist. */
int plot_csv_each_row(const char *path, row_fn fn, void *ud);
/* The same for the first `limit` bytes of the file only (< 0: all of it). */
int plot_csv_each_row_upto(const char *path, long long limit, row_fn fn, void *ud);

/* A figure handed on to be written and drawn: 0, or non-zero after a message. */
typedef int (*fig_fn)(figure *f, void *ud);
/* A name safe as a file name: letters, digits and '-' kept, anything else '_'. */
void plot_sanitize(char *out, size_t n, const char *in);
/* The figures RUN_DIR/figures.csv declares, each to emit (plot_spec.c): 0 when there is no
 * figures.csv or every figure went; non-zero after a message. */
int plot_spec_figures(const char *run_dir, fig_fn emit, void *ud);

#endif
