/* plot_spec.c — the figures a study declares for `gradlab plot`: RUN_DIR/figures.csv (columns
 * name,title,xlabel,ylabel,logx,logy,kind,data,hline,hline_label; one row per figure) and the
 * data files it names (columns [figure,]series,x,y; rows of other figures are skipped; for bars
 * x is a category). Each figure goes to the same emitter as the standard ones (plot.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plot_internal.h"

typedef struct spec_data {
  figure *f;
  int header, cf, cx, cs, cy;
  const char *path;
} spec_data;

static int spec_data_row(void *ud, size_t line, int nf, char **fld) {
  spec_data *d = ud;
  if (!d->header) {
    d->cf = d->cs = d->cx = d->cy = -1;
    for (int i = 0; i < nf; i++) {
      if (!fld[i]) continue;
      if (!strcmp(fld[i], "figure")) d->cf = i;
      if (!strcmp(fld[i], "series")) d->cs = i;
      if (!strcmp(fld[i], "x")) d->cx = i;
      if (!strcmp(fld[i], "y")) d->cy = i;
    }
    if (d->cs < 0 || d->cx < 0 || d->cy < 0)
      return cli_error("%s:%zu: expected the header [figure,]series,x,y", d->path, line);
    d->header = 1;
    return 0;
  }
  int mx = d->cs > d->cx ? d->cs : d->cx;
  mx = mx > d->cy ? mx : d->cy;
  mx = mx > d->cf ? mx : d->cf;
  if (nf <= mx) return 0;
  if (d->cf >= 0 && (!fld[d->cf] || strcmp(fld[d->cf], d->f->name))) return 0;
  const char *s = fld[d->cs] ? fld[d->cs] : "", *xs = fld[d->cx] ? fld[d->cx] : "";
  double y = fld[d->cy] ? strtod(fld[d->cy], NULL) : NAN, x;
  if (d->f->bars) {
    int c = plot_strset_id(&d->f->cats, xs);
    if (c < 0) return -1;
    x = c;
  } else {
    char *end;
    x = strtod(xs, &end);
    if (end == xs) return 0;
  }
  return plot_series_add(plot_fig_series(d->f, s), x, y);
}

enum {
  S_NAME,
  S_TITLE,
  S_XLABEL,
  S_YLABEL,
  S_LOGX,
  S_LOGY,
  S_KIND,
  S_DATA,
  S_HLINE,
  S_HLABEL,
  S_NCOLS
};
static const char *spec_cols[S_NCOLS] = {"name", "title", "xlabel", "ylabel", "logx",
                                         "logy", "kind",  "data",   "hline",  "hline_label"};

typedef struct spec_ctx {
  const char *run_dir, *path;
  int col[S_NCOLS], header, rc;
  fig_fn emit;
  void *ud;
} spec_ctx;

static int spec_row(void *ud, size_t line, int nf, char **fld) {
  spec_ctx *c = ud;
  if (!c->header) {
    for (int k = 0; k < S_NCOLS; k++) {
      c->col[k] = -1;
      for (int i = 0; i < nf; i++)
        if (fld[i] && !strcmp(fld[i], spec_cols[k])) c->col[k] = i;
    }
    if (c->col[S_NAME] < 0 || c->col[S_DATA] < 0)
      return cli_error("%s:%zu: the header needs at least 'name' and 'data'", c->path, line);
    c->header = 1;
    return 0;
  }
  const char *v[S_NCOLS];
  for (int k = 0; k < S_NCOLS; k++)
    v[k] = c->col[k] >= 0 && c->col[k] < nf && fld[c->col[k]] ? fld[c->col[k]] : "";
  if (!*v[S_NAME] || !*v[S_DATA] || strchr(v[S_DATA], '/')) {
    cli_error("%s:%zu: a figure needs a 'name' and a 'data' file inside the run folder", c->path,
              line);
    c->rc = -1;
    return 0;
  }
  figure f;
  char clean[96];
  plot_sanitize(clean, sizeof clean, v[S_NAME]);
  plot_fig_init(&f, clean, *v[S_TITLE] ? v[S_TITLE] : v[S_NAME], *v[S_XLABEL] ? v[S_XLABEL] : "x",
                *v[S_YLABEL] ? v[S_YLABEL] : "y");
  f.logx = !strcmp(v[S_LOGX], "true") || !strcmp(v[S_LOGX], "1");
  f.logy = !strcmp(v[S_LOGY], "true") || !strcmp(v[S_LOGY], "1");
  f.bars = !strcmp(v[S_KIND], "bars");
  f.points = !strcmp(v[S_KIND], "points");
  if (*v[S_HLINE]) f.hline = strtod(v[S_HLINE], NULL);
  snprintf(f.hline_label, sizeof f.hline_label, "%s", v[S_HLABEL]);
  snprintf(f.name, sizeof f.name, "%s", v[S_NAME]);
  char dpath[4096];
  int n = snprintf(dpath, sizeof dpath, "%s/%s", c->run_dir, v[S_DATA]);
  if (n < 0 || (size_t)n >= sizeof dpath) {
    cli_error("plot: %s:%zu: data file %s/%s: path too long", c->path, line, c->run_dir, v[S_DATA]);
    c->rc = -1;
    plot_fig_free(&f);
    return 0;
  }
  spec_data d = {&f, 0, 0, 0, 0, 0, dpath};
  int r = plot_csv_each_row(dpath, spec_data_row, &d);
  snprintf(f.name, sizeof f.name, "%s", clean);
  if (r == 1)
    cli_error("plot: %s: data file %s is missing", c->path, dpath), c->rc = -1;
  else if (r == 0)
    c->rc |= c->emit(&f, c->ud);
  else
    c->rc = -1;
  plot_fig_free(&f);
  return 0;
}

int plot_spec_figures(const char *run_dir, fig_fn emit, void *ud) {
  char path[4096];
  snprintf(path, sizeof path, "%s/figures.csv", run_dir);
  spec_ctx c = {run_dir, path, {0}, 0, 0, emit, ud};
  int r = plot_csv_each_row(path, spec_row, &c);
  return r == 1 ? 0 : r ? r : c.rc;
}
