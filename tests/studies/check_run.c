/* check_run.c — test helper: checks that a run folder holds what a study promises.
 *
 *   check_run RUN_DIR [--no-summary] [--no-metrics] [--min-figures N] [--png WxH]
 *             [--result KEY<VALUE | KEY>VALUE]... [--figure NAME]...
 *
 * metrics.csv: header step,epoch,layer,tensor,stat,value and at least one row of 6 fields with
 * numeric step and value (libcsv). summary.json: parses (cJSON), has script, params, seed,
 * finished = true and a result object; --result compares a number in it. Every *.csv file the
 * study wrote parses. Every figure named in figures.csv (and every --figure) has figures/NAME.png
 * (PNG signature, IHDR of the expected size), NAME.svg (an <svg> element) and NAME.gp.
 * Prints each failure and exits 1 if any. */
#include <cjson/cJSON.h>
#include <csv.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void fail(const char *fmt, const char *a, const char *b) {
  fprintf(stderr, "check_run: FAIL: ");
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
  failures++;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  size_t n = 0, cap = 0, got;
  char tmp[8192];
  while ((got = fread(tmp, 1, sizeof tmp, f)) > 0) {
    if (n + got + 1 > cap) {
      cap = 2 * (n + got + 1);
      char *p = realloc(buf, cap);
      if (!p) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = p;
    }
    memcpy(buf + n, tmp, got);
    n += got;
  }
  fclose(f);
  if (!buf && !(buf = calloc(1, 1))) return NULL;
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

/* ---- CSV ---- */
typedef struct {
  int row, field, bad, fields_in_row, nfields0;
  int metrics;              /* check the metrics.csv header and numeric columns */
  char **names;             /* figures.csv: collected figure names */
  int nnames, name_col;
  char cell[256];
} csv_state;

static const char *mcols[6] = {"step", "epoch", "layer", "tensor", "stat", "value"};

static void on_field(void *s, size_t len, void *data) {
  csv_state *c = data;
  size_t k = len < sizeof c->cell - 1 ? len : sizeof c->cell - 1;
  if (k) memcpy(c->cell, s, k);
  c->cell[k] = '\0';
  if (c->metrics) {
    if (c->row == 0 && (c->field >= 6 || strcmp(c->cell, mcols[c->field]))) c->bad = 1;
    if (c->row > 0 && (c->field == 0 || c->field == 5)) {
      char *end;
      strtod(c->cell, &end);
      if (end == c->cell) c->bad = 1;
    }
  }
  if (c->names && c->row == 0 && !strcmp(c->cell, "name")) c->name_col = c->field;
  if (c->names && c->row > 0 && c->field == c->name_col) {
    char **p = realloc(c->names, (size_t)(c->nnames + 2) * sizeof *p);
    if (p) {
      c->names = p;
      c->names[c->nnames++] = strdup(c->cell);
    }
  }
  c->field++;
}

static void on_row(int t, void *data) {
  (void)t;
  csv_state *c = data;
  if (c->row == 0) c->nfields0 = c->field;
  else if (c->field != c->nfields0) c->bad = 1;
  c->row++;
  c->field = 0;
}

/* Parse a CSV file; returns the number of data rows or -1. */
static int check_csv(const char *path, csv_state *st) {
  size_t n;
  char *text = slurp(path, &n);
  if (!text) return -1;
  struct csv_parser p;
  csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
  int ok = csv_parse(&p, text, n, on_field, on_row, st) == n &&
           csv_fini(&p, on_field, on_row, st) == 0;
  csv_free(&p);
  free(text);
  return ok && !st->bad ? st->row - 1 : -1;
}

/* ---- PNG ---- */
static int check_png(const char *path, int w, int h) {
  FILE *f = fopen(path, "rb");
  if (!f) return fail("%s is missing", path, ""), -1;
  unsigned char b[24];
  size_t n = fread(b, 1, sizeof b, f);
  fclose(f);
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (n < 24 || memcmp(b, sig, 8) || memcmp(b + 12, "IHDR", 4))
    return fail("%s is not a PNG file", path, ""), -1;
  long pw = (long)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
  long ph = (long)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
  if (pw != w || ph != h) {
    char got[64];
    snprintf(got, sizeof got, "%ldx%ld, expected %dx%d", pw, ph, w, h);
    return fail("%s has size %s", path, got), -1;
  }
  return 0;
}

static void check_figure(const char *dir, const char *name, int w, int h) {
  char path[4096];
  snprintf(path, sizeof path, "%s/figures/%s.png", dir, name);
  check_png(path, w, h);
  snprintf(path, sizeof path, "%s/figures/%s.svg", dir, name);
  char *svg = slurp(path, NULL);
  if (!svg || !strstr(svg, "<svg")) fail("%s is missing or not SVG", path, "");
  free(svg);
  snprintf(path, sizeof path, "%s/figures/%s.gp", dir, name);
  char *gp = slurp(path, NULL);
  if (!gp || !strstr(gp, "plot ")) fail("%s is missing or has no plot command", path, "");
  free(gp);
}

static void check_result(const cJSON *result, const char *expr) {
  char key[256];
  const char *op = strpbrk(expr, "<>");
  if (!op || op == expr || (size_t)(op - expr) >= sizeof key) {
    fail("bad --result '%s' (want KEY<VALUE or KEY>VALUE)", expr, "");
    return;
  }
  memcpy(key, expr, (size_t)(op - expr));
  key[op - expr] = '\0';
  double want = strtod(op + 1, NULL);
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(result, key);
  if (!cJSON_IsNumber(v)) {
    fail("summary.json result has no number '%s'%s", key, "");
    return;
  }
  double got = v->valuedouble;
  if (!(*op == '<' ? got < want : got > want)) {
    char msg[128];
    snprintf(msg, sizeof msg, "%.6g, wanted %s", got, op);
    fail("result %s = %s", key, msg);
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: check_run RUN_DIR [--no-summary] [--no-metrics] [--min-figures N] "
                    "[--png WxH] [--result KEY<V|KEY>V]... [--figure NAME]...\n");
    return 2;
  }
  const char *dir = argv[1];
  int summary = 1, metrics = 1, min_figures = 0, w = 960, h = 600, nfig = 0;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--no-summary")) summary = 0;
    else if (!strcmp(argv[i], "--no-metrics")) metrics = 0;
    else if (!strcmp(argv[i], "--min-figures") && i + 1 < argc) min_figures = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--png") && i + 1 < argc) sscanf(argv[++i], "%dx%d", &w, &h);
    else if ((!strcmp(argv[i], "--result") || !strcmp(argv[i], "--figure")) && i + 1 < argc) i++;
    else return fprintf(stderr, "check_run: unknown argument %s\n", argv[i]), 2;
  }
  char path[4096];
  if (metrics) {
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    csv_state st = {0};
    st.metrics = 1;
    int rows = check_csv(path, &st);
    if (rows < 1) fail("%s is missing, malformed or empty", path, "");
  }
  cJSON *root = NULL;
  if (summary) {
    snprintf(path, sizeof path, "%s/summary.json", dir);
    char *text = slurp(path, NULL);
    root = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!root) fail("%s is missing or not JSON", path, "");
    const char *keys[] = {"script", "params", "seed", "finished", "result"};
    for (size_t k = 0; root && k < sizeof keys / sizeof *keys; k++)
      if (!cJSON_GetObjectItemCaseSensitive(root, keys[k]))
        fail("summary.json has no '%s'%s", keys[k], "");
    if (root && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "finished")))
      fail("summary.json: finished is not true%s%s", "", "");
  }
  const cJSON *result = root ? cJSON_GetObjectItemCaseSensitive(root, "result") : NULL;
  for (int i = 2; i < argc; i++)
    if (!strcmp(argv[i], "--result") && i + 1 < argc) check_result(result, argv[++i]);

  /* every CSV the run wrote parses */
  DIR *d = opendir(dir);
  if (!d) return fail("cannot open %s", dir, ""), 1;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".csv")) continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    csv_state st = {0};
    if (check_csv(path, &st) < 0) fail("%s does not parse as CSV%s", path, "");
  }
  closedir(d);

  /* figures declared by the study, and the ones asked for */
  snprintf(path, sizeof path, "%s/figures.csv", dir);
  csv_state st = {0};
  st.names = calloc(1, sizeof *st.names);
  st.name_col = -1;
  FILE *probe = fopen(path, "rb");
  if (probe) {
    fclose(probe);
    if (check_csv(path, &st) < 0) fail("%s does not parse%s", path, "");
  }
  for (int i = 0; i < st.nnames; i++) check_figure(dir, st.names[i], w, h), nfig++;
  for (int i = 2; i < argc; i++)
    if (!strcmp(argv[i], "--figure") && i + 1 < argc) check_figure(dir, argv[++i], w, h), nfig++;
  if (nfig < min_figures) {
    char a[32], b[32];
    snprintf(a, sizeof a, "%d", nfig), snprintf(b, sizeof b, "%d", min_figures);
    fail("%s figures checked, expected at least %s", a, b);
  }
  for (int i = 0; i < st.nnames; i++) free(st.names[i]);
  free(st.names);
  cJSON_Delete(root);
  if (failures) fprintf(stderr, "check_run: %d failure(s) in %s\n", failures, dir);
  else printf("check_run: %s ok (%d figures)\n", dir, nfig);
  return failures ? 1 : 0;
}
