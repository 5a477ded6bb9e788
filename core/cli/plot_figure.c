/* plot_figure.c — the figure model of `gradlab plot` (series of points, or bars by category), its
 * gnuplot writer (NAME.dat + NAME.gp giving PNG and SVG) and the CSV reader (libcsv). */
#include <csv.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gradlab/error.h"
#include "plot_internal.h"

/* ---------- small growable things ---------- */

void *plot_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    fprintf(stderr, "gradlab: error: plot: out of memory\n");
    free(p);
  }
  return q;
}

int plot_strset_id(strset *t, const char *s) {
  for (int i = t->n - 1; i >= 0; i--)
    if (!strcmp(t->s[i], s)) return i;
  if (t->n == t->cap) {
    int cap = t->cap ? 2 * t->cap : 16;
    char **p = realloc(t->s, (size_t)cap * sizeof *p);
    if (!p) return -1;
    t->s = p, t->cap = cap;
  }
  if (!(t->s[t->n] = strdup(s))) return -1;
  return t->n++;
}

void plot_strset_free(strset *t) {
  for (int i = 0; i < t->n; i++)
    free(t->s[i]);
  free(t->s);
  memset(t, 0, sizeof *t);
}

/* ---------- the figure model ---------- */

void plot_fig_init(figure *f, const char *name, const char *title, const char *xl, const char *yl) {
  memset(f, 0, sizeof *f);
  snprintf(f->name, sizeof f->name, "%s", name);
  snprintf(f->title, sizeof f->title, "%s", title);
  snprintf(f->xlabel, sizeof f->xlabel, "%s", xl);
  snprintf(f->ylabel, sizeof f->ylabel, "%s", yl);
  f->hline = NAN;
}

void plot_fig_free(figure *f) {
  for (int i = 0; i < f->ns; i++)
    free(f->s[i].label), free(f->s[i].x), free(f->s[i].y);
  free(f->s);
  plot_strset_free(&f->cats);
}

series *plot_fig_series(figure *f, const char *label) {
  for (int i = 0; i < f->ns; i++)
    if (!strcmp(f->s[i].label, label)) return &f->s[i];
  series *p = realloc(f->s, (size_t)(f->ns + 1) * sizeof *p);
  if (!p) return NULL;
  f->s = p;
  memset(&p[f->ns], 0, sizeof *p);
  if (!(p[f->ns].label = strdup(label))) return NULL;
  return &p[f->ns++];
}

int plot_series_add(series *s, double x, double y) {
  if (!s) return -1;
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 64;
    double *nx = realloc(s->x, cap * sizeof *nx);
    if (!nx) return -1;
    s->x = nx;
    double *ny = realloc(s->y, cap * sizeof *ny);
    if (!ny) return -1;
    s->y = ny, s->cap = cap;
  }
  s->x[s->n] = x, s->y[s->n] = y, s->n++;
  return 0;
}

/* A string as a gnuplot command's literal: single-quoted, ' doubled, line breaks dropped. Not
 * double quotes: gnuplot runs `...` inside a double-quoted string as a shell command (and
 * expands backslash escapes), and the text comes from the run folder — layer names, figure
 * titles, series labels — which may come from anyone: `gradlab plot` on a received run folder
 * must not run what it says. In single quotes nothing is expanded. */
static void gp_quote(FILE *f, const char *s) {
  fputc('\'', f);
  for (; *s; s++) {
    if (*s == '\n' || *s == '\r') continue;
    if (*s == '\'') fputc('\'', f);
    fputc(*s, f);
  }
  fputc('\'', f);
}

/* A string as a token of a .dat file (data, never run: gnuplot's data files know only double
 * quotes, without escapes, so a " in it becomes '). */
static void dat_quote(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++)
    if (*s != '\n' && *s != '\r') fputc(*s == '"' ? '\'' : *s, f);
  fputc('"', f);
}

/* Points worth plotting: finite, and positive on a log axis. */
static int point_ok(const figure *f, double x, double y) {
  if (!isfinite(x) || !isfinite(y)) return 0;
  if (f->logy && y <= 0) return 0;
  if (f->logx && x <= 0) return 0;
  return 1;
}

/* Why a series has nothing to draw, for its legend entry. */
static const char *why_empty(const double *y, size_t n) {
  int finite = 0, zeros = 1;
  for (size_t k = 0; k < n; k++)
    if (isfinite(y[k])) finite = 1, zeros &= y[k] == 0;
  return !finite ? "not finite" : zeros ? "all 0" : "nothing > 0";
}

/* Characters (not bytes) of a UTF-8 string: what the legend's width depends on. */
static size_t u8len(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* The key entry naming the reference line (drawn with `set arrow`), as the plot's next item. */
static void hline_key(FILE *g, const figure *f, int first) {
  fprintf(g, "%skeyentry with lines dt 3 lw 2 lc rgb '#444444' title ", first ? "" : ", \\\n     ");
  gp_quote(g, f->hline_label);
}

/* dir/NAME.EXT, made in memory and written by the core's atomic writer (cli_files.c): never
 * half a file, and a FIFO, device or folder there is refused, a link followed. A path that does
 * not fit (PATH_MAX) is an error, never a file written under a name cut short. */
static FILE *open_fig(cli_buf *b, char *path, size_t size, const char *dir, const char *name,
                      const char *ext) {
  int n = snprintf(path, size, "%s/%s.%s", dir, name, ext);
  if (n < 0 || (size_t)n >= size) {
    cli_error("plot: cannot write %s/%s.%s: path too long", dir, name, ext);
    return NULL;
  }
  FILE *f = cli_buf_open(b);
  if (!f) cli_error("plot: cannot write %s: out of memory", path);
  return f;
}

static int close_fig(cli_buf *b, const char *path) {
  if (cli_buf_write(b, path, 0) != 0) return cli_error("plot: %s", glab_last_error()), -1;
  return 0;
}

/* Write NAME.dat and NAME.gp into dir. Returns 0, or 1 when the figure has no plottable data. */
int plot_fig_write(const figure *f, const char *dir) {
  char path[PATH_MAX];
  cli_buf buf;
  int any = 0;
  for (int i = 0; i < f->ns; i++)
    for (size_t k = 0; k < f->s[i].n; k++)
      any |= point_ok(f, f->s[i].x[k], f->s[i].y[k]);
  if (!f->ns) return 1;
  FILE *d = open_fig(&buf, path, sizeof path, dir, f->name, "dat");
  if (!d) return -1;
  fprintf(d, "# data for %s.gp (written by gradlab plot)\n", f->name);
  if (f->bars) { /* one row per category: index, "label", one column per series */
    for (int c = 0; c < f->cats.n; c++) {
      fprintf(d, "%d ", c);
      dat_quote(d, f->cats.s[c]);
      for (int i = 0; i < f->ns; i++) {
        double v = NAN;
        for (size_t k = 0; k < f->s[i].n; k++)
          if ((int)f->s[i].x[k] == c) v = f->s[i].y[k];
        if (point_ok(f, c + 1.0, v))
          fprintf(d, " %.9g", v);
        else
          fprintf(d, " ?");
      }
      fputc('\n', d);
    }
  } else { /* one block per series, two blank lines apart: plotted with `index i` */
    for (int i = 0; i < f->ns; i++) {
      fprintf(d, "# %s\n", f->s[i].label);
      int wrote = 0;
      for (size_t k = 0; k < f->s[i].n; k++)
        if (point_ok(f, f->s[i].x[k], f->s[i].y[k]))
          fprintf(d, "%.9g %.9g\n", f->s[i].x[k], f->s[i].y[k]), wrote = 1;
      if (!wrote) fprintf(d, "? ?\n");
      fputs("\n\n", d);
    }
  }
  if (close_fig(&buf, path)) return -1;

  FILE *g = open_fig(&buf, path, sizeof path, dir, f->name, "gp");
  if (!g) return -1;
  fprintf(g, "# %s — written by `gradlab plot`; edit freely and rerun: gnuplot %s.gp\n", f->name,
          f->name);
  fprintf(g, "set encoding utf8\nset datafile missing '?'\n");
  fprintf(g,
          "# PNG: pngcairo when this gnuplot has it, else the libgd png terminal\n"
          "if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {\n"
          "  set terminal pngcairo size %d,%d enhanced font 'sans,11' linewidth 1.5\n"
          "} else {\n  set terminal png size %d,%d enhanced\n}\n",
          PNG_W, PNG_H, PNG_W, PNG_H);
  /* `out`: where the figures go without the extension. gradlab plot passes a temporary name
   * (gnuplot -e) and moves the finished files into place; run by hand, the script writes
   * NAME.png and NAME.svg itself. */
  fprintf(g, "if (!exists('out')) out = '%s'\nset output out.'.png'\n", f->name);
  fputs("set title ", g), gp_quote(g, f->title);
  fprintf(g, " noenhanced font ',%d'\n",
          strlen(f->title) > 90   ? 10
          : strlen(f->title) > 70 ? 11
                                  : 13);
  fputs("set xlabel ", g), gp_quote(g, f->xlabel), fputc('\n', g);
  fputs("set ylabel ", g), gp_quote(g, f->ylabel), fputc('\n', g);
  size_t longest = 0; /* long legend entries go below the plot, so the plot keeps its width */
  for (int i = 0; i < f->ns; i++) {
    size_t len = u8len(f->s[i].label);
    int ok = f->bars; /* a line series with nothing to draw gets a longer, marked legend entry */
    for (size_t k = 0; k < f->s[i].n && !ok; k++)
      ok = point_ok(f, f->s[i].x[k], f->s[i].y[k]);
    if (!ok) len += 20;
    longest = len > longest ? len : longest;
  }
  int nkey = f->ns; /* key entries: the series and the named reference line */
  if (isfinite(f->hline) && f->hline_label[0] && !(f->bars && f->ns == 1)) {
    nkey++;
    longest = u8len(f->hline_label) > longest ? u8len(f->hline_label) : longest;
  }
  fprintf(g, "set grid xtics ytics mytics lc rgb '#dddddd'\nset border 3\nset tics nomirror\n");
  if (longest > 24) { /* under the x label, with room made for them: two columns when the
                         entries fit in half the width (gnuplot reckons ~9 px a character at
                         this font, plus the sample), else one */
    int cols = longest > 45 ? 1 : 2;
    fprintf(g,
            "set key at screen 0.5, screen 0.01 center bottom horizontal maxcols %d Left "
            "reverse noenhanced box opaque\nset bmargin %d\n",
            cols, 5 + (nkey + cols - 1) / cols);
  } else
    fprintf(g, "set key outside right top vertical Left reverse noenhanced box opaque width 1\n");
  fprintf(g, "set format y '%s'\n", f->logy ? "10^{%L}" : "%g");
  if (f->logy) fprintf(g, "set logscale y\n");
  double ylo = INFINITY, yhi = 0;
  for (int i = 0; i < f->ns; i++)
    for (size_t k = 0; k < f->s[i].n; k++)
      if (point_ok(f, f->bars ? 1 : f->s[i].x[k], f->s[i].y[k]) && f->s[i].y[k] > 0)
        ylo = fmin(ylo, f->s[i].y[k]), yhi = fmax(yhi, f->s[i].y[k]);
  if (f->logy && yhi > 0 && yhi / ylo < 100) { /* under two decades: label 1-2-5 ticks too */
    fprintf(g, "set ytics (");
    int first = 1;
    for (int e = (int)floor(log10(ylo)) - 1; e <= (int)ceil(log10(yhi)); e++)
      for (int m = 1; m <= 5; m += m == 1 ? 1 : 3) { /* 1, 2, 5 */
        fprintf(g, "%s\"%g\" %g", first ? "" : ", ", m * pow(10, e), m * pow(10, e));
        first = 0;
      }
    fprintf(g, ")\n");
  }
  if (!f->bars && !f->logx) { /* small integer x (layers, depths): one tick per value */
    double lo = INFINITY, hi = -INFINITY;
    int ints = 1;
    for (int i = 0; i < f->ns; i++)
      for (size_t k = 0; k < f->s[i].n; k++) {
        double x = f->s[i].x[k];
        if (!isfinite(x)) continue;
        ints &= x == floor(x);
        lo = fmin(lo, x), hi = fmax(hi, x);
      }
    if (ints && hi > lo && hi - lo <= 24)
      fprintf(g, "set xtics 1\nset xrange [%g:%g]\n", lo - 0.2, hi + 0.2);
  }
  /* A single x value, or a single y value, among the points drawn (a run of one step, a loss
   * that did not move): gnuplot would widen the empty range itself, with a "Warning: empty x
   * range" on stderr. Give such an axis a range around the value instead. */
  double xl = INFINITY, xh = -INFINITY, yl = INFINITY, yh = -INFINITY;
  for (int i = 0; i < f->ns; i++)
    for (size_t k = 0; k < f->s[i].n; k++) {
      double x = f->bars ? 1 : f->s[i].x[k], y = f->s[i].y[k];
      if (!point_ok(f, x, y)) continue;
      xl = fmin(xl, x), xh = fmax(xh, x), yl = fmin(yl, y), yh = fmax(yh, y);
    }
  int one_y = any && yl == yh;
  if (any && !f->bars && xl == xh) {
    if (f->logx)
      fprintf(g, "set xrange [%.9g:%.9g]\n", xl / 2, xl * 2);
    else
      fprintf(g, "%sset xrange [%.9g:%.9g]\n", xl == floor(xl) ? "set xtics 1\n" : "", xl - 1,
              xl + 1);
  }
  if (one_y) {
    double d = yl == 0 ? 1 : fabs(yl) * 0.1;
    if (f->logy)
      fprintf(g, "set yrange [%.9g:%.9g]\n", yl / 2, yl * 2);
    else if (f->bars) /* bars start at 0 */
      fprintf(g, "set yrange [%.9g:%.9g]\n", fmin(0, yl - d), fmax(0, yl + d));
    else
      fprintf(g, "set yrange [%.9g:%.9g]\n", yl - d, yl + d);
  }
  if (f->logx) fprintf(g, "set logscale x\n");
  /* ten distinguishable colours (Tableau 10), then dashes for more series */
  static const char *pal[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                              "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  for (int i = 0; i < 10; i++)
    fprintf(g, "set linetype %d lc rgb '%s' lw 2 pt 7 ps 0.6 dt 1\n", i + 1, pal[i]);
  for (int i = 10; i < 20; i++)
    fprintf(g, "set linetype %d lc rgb '%s' lw 2 pt 5 ps 0.6 dt 2\n", i + 1, pal[i - 10]);
  fprintf(g, "set linetype cycle 20\n");
  if (isfinite(f->hline)) {
    fprintf(g,
            "set arrow from graph 0, first %.9g to graph 1, first %.9g nohead dt 3 lw 2 "
            "lc rgb '#444444' front\n",
            f->hline, f->hline);
    /* its label goes in the key (a label on the line would sit on the data, which is often
       right at the reference); one-series bars have no other key: above the plot */
    if (f->hline_label[0] && f->bars && f->ns == 1)
      fprintf(g, "set key outside top center horizontal noenhanced nobox\n");
  }
  if (!f->logy &&
      !f->bars) /* no curve drawn on the frame (e.g. accuracy at chance = the minimum) */
    fprintf(g, "set offsets 0, 0, graph 0.04, graph 0.04\n");
  if (!any) { /* say so rather than leave the reader with an empty frame or no figure */
    int finite = 0, zeros = 1; /* e.g. gradients that all underflowed to exactly 0: say that */
    for (int i = 0; i < f->ns; i++)
      for (size_t k = 0; k < f->s[i].n; k++)
        if (isfinite(f->s[i].y[k])) finite = 1, zeros &= f->s[i].y[k] == 0;
    fprintf(g,
            "unset logscale\nunset key\nset xrange [0:1]\nset yrange [0:1]\n"
            "unset xtics\nunset ytics\nset label 1 'nothing to draw: %s%s' at graph 0.5, "
            "graph 0.5 center font ',14'\nplot -1 notitle",
            finite && zeros ? "every value is exactly 0" : "every value is 0 or not finite",
            f->logy || f->logx ? " (the axis is logarithmic)" : "");
  } else if (f->bars) {
    fprintf(g, "set style data histograms\nset style histogram clustered gap 1\n"
               "set style fill solid 0.85 border rgb '#333333'\nset boxwidth 0.9\n"
               "set xtics rotate by -30 noenhanced\n");
    if (one_y) /* the range set above, with room for the value */
      fprintf(g, "set offsets 0, 0, graph 0.08, 0\n");
    else if (f->logy)
      fprintf(g, "set yrange [*:*]\n");
    else
      fprintf(g, "set yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\n"); /* room for the values */
    int keyline = isfinite(f->hline) && f->hline_label[0];
    if (f->ns == 1 && !keyline) fprintf(g, "unset key\n"); /* the title and y label say it all */
    fprintf(g, "plot ");
    for (int i = 0; i < f->ns; i++) {
      fprintf(g, "%s'%s.dat' using %d%s lt %d ", i ? ", \\\n     " : "", f->name, i + 3,
              i ? "" : ":xtic(2)", i + 1);
      if (f->ns == 1)
        fputs("notitle", g);
      else
        fputs("title ", g), gp_quote(g, f->s[i].label);
    }
    if (keyline) hline_key(g, f, 0);
    if (f->ns == 1) /* one bar per category: print each value above its bar */
      fprintf(g,
              ", \\\n     '%s.dat' using 1:3:(sprintf('%%.3g', $3)) with labels "
              "offset 0,0.8 notitle",
              f->name);
  } else {
    size_t maxn = 0;
    for (int i = 0; i < f->ns; i++)
      maxn = f->s[i].n > maxn ? f->s[i].n : maxn;
    const char *with = f->points ? "points" : maxn > 60 ? "lines" : "linespoints";
    fprintf(g, "plot ");
    int first = 1;
    for (int i = 0; i < f->ns; i++) {
      int ok = 0; /* a series with nothing to draw (e.g. all zero on a log axis) is not drawn but
                     stays in the legend, marked, so the reader knows it was there */
      for (size_t k = 0; k < f->s[i].n && !ok; k++)
        ok = point_ok(f, f->s[i].x[k], f->s[i].y[k]);
      if (ok) {
        fprintf(g, "%s'%s.dat' index %d using 1:2 with %s lt %d title ", first ? "" : ", \\\n     ",
                f->name, i, with, i + 1);
        gp_quote(g, f->s[i].label);
      } else {
        char lab[600];
        snprintf(lab, sizeof lab, "%s (%s: not drawn)", f->s[i].label,
                 why_empty(f->s[i].y, f->s[i].n));
        fprintf(g, "%skeyentry with %s lt %d title ", first ? "" : ", \\\n     ", with, i + 1);
        gp_quote(g, lab);
      }
      first = 0;
    }
    if (isfinite(f->hline) && f->hline_label[0]) hline_key(g, f, first);
  }
  fprintf(g,
          "\n# the same figure as SVG\nset terminal svg size %d,%d enhanced font 'sans,11' "
          "background rgb 'white'\nset output out.'.svg'\nreplot\nset output\n",
          PNG_W, PNG_H);
  return close_fig(&buf, path);
}

/* ---------- CSV reading (libcsv) ---------- */

typedef struct csv_reader {
  char **f;
  int nf, cap, failed;
  size_t line;      /* the physical line the current record starts on (1-based) */
  size_t next_line; /* the line of the next byte */
  const char *path;
  row_fn fn;
  void *ud;
} csv_reader;

static void on_field(void *s, size_t len, void *data) {
  csv_reader *r = data;
  if (r->failed) return;
  for (size_t i = 0; i < len; i++) /* a line break inside a quoted field */
    r->next_line += ((const char *)s)[i] == '\n';
  /* The fields are read as C strings: a NUL byte would cut "0.1\0garbage" to 0.1 unseen. No
   * gradlab writer puts one there, so it is damage, said as the other damaged rows are. */
  if (len && memchr(s, '\0', len)) {
    cli_error("%s:%zu: field %d holds a NUL byte (a damaged row)", r->path, r->line, r->nf + 1);
    r->failed = 1;
    return;
  }
  if (r->nf == r->cap) {
    int cap = r->cap ? 2 * r->cap : 8;
    char **p = realloc(r->f, (size_t)cap * sizeof *p);
    if (!p) {
      r->failed = 1;
      return;
    }
    r->f = p, r->cap = cap;
  }
  char *c = malloc(len + 1);
  if (!c) {
    r->failed = 1;
    return;
  }
  if (len) memcpy(c, s, len);
  c[len] = '\0';
  r->f[r->nf++] = c;
}

/* Every line break ends a row here (CSV_REPALL_NL): "\r\n" gives a row and an empty one. */
static void on_row(int term, void *data) {
  csv_reader *r = data;
  if (!r->failed && r->nf > 0 && r->fn(r->ud, r->line, r->nf, r->f)) r->failed = 1;
  for (int i = 0; i < r->nf; i++)
    free(r->f[i]);
  r->nf = 0;
  if (term == '\n') r->line = ++r->next_line; /* the next record starts there */
}

int plot_csv_each_row(const char *path, row_fn fn, void *ud) {
  return plot_csv_each_row_upto(path, -1, fn, ud);
}

int plot_csv_each_row_upto(const char *path, long long limit, row_fn fn, void *ud) {
  FILE *in = fopen(path, "rb");
  if (!in)
    return errno == ENOENT ? 1 : (cli_error("plot: cannot read %s: %s", path, strerror(errno)), -1);
  struct csv_parser p;
  csv_reader r = {0};
  r.fn = fn, r.ud = ud, r.path = path, r.line = r.next_line = 1;
  /* Strict: a stray quote is an error, not a field that swallows the rest of the file. */
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL |
                       CSV_EMPTY_IS_NULL) != 0) {
    fclose(in);
    return cli_error("plot: cannot start the CSV parser"), -1;
  }
  char buf[1 << 16];
  size_t n;
  int rc = 0;
  long long left = limit; /* bytes still to read; < 0: all */
  while (!r.failed && left != 0 &&
         (n = fread(buf, 1, left > 0 && left < (long long)sizeof buf ? (size_t)left : sizeof buf,
                    in)) > 0) {
    if (left > 0) left -= (long long)n;
    size_t done = csv_parse(&p, buf, n, on_field, on_row, &r);
    if (done != n) {
      size_t line = r.line; /* the record being read starts there (a stray quote, maybe) */
      if (csv_error(&p) == CSV_EPARSE)
        cli_error("%s:%zu: malformed CSV: a quote inside a field, or text after a closing "
                  "quote (fields with quotes must be quoted whole, quotes doubled)",
                  path, line);
      else
        cli_error("%s:%zu: %s", path, line, csv_strerror(csv_error(&p)));
      rc = -1;
      break;
    }
  }
  if (!rc && !r.failed && ferror(in)) {
    cli_error("plot: cannot read %s: %s", path, strerror(errno));
    rc = -1;
  }
  if (!rc && !r.failed && csv_fini(&p, on_field, on_row, &r) != 0) {
    cli_error("%s:%zu: malformed CSV: a quoted field that starts here is never closed (a stray "
              "'\"'?)",
              path, r.line);
    rc = -1;
  }
  if (!rc && r.failed) rc = -1; /* the row callback printed why */
  for (int i = 0; i < r.nf; i++)
    free(r.f[i]);
  free(r.f);
  csv_free(&p);
  fclose(in);
  return rc;
}
