/* test_stats_record.c — the model container (names, params), the recorder (values computed by
 * hand, derived statistics, recurrent time steps, history queries, bounded memory over a million
 * steps), the run folder (metrics.csv and summary.json parsed back with libcsv and cJSON) and
 * model save/load (round trip, mismatch errors, damaged files). */
#include <CUnit/Basic.h>
#include <cjson/cJSON.h>
#include <csv.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "gradlab/gradlab.h"
#include "gradlab/runlog.h"
#include "local_types.h"

#define CLOSE(a, b, rel)                                                                           \
  CU_ASSERT(fabs((double)(a) - (double)(b)) <= (rel)*fabs((double)(b)) + 1e-12)

static glab_registry *reg;

static glab_model *model_of(glab_layer *a, glab_layer *b, glab_layer *c) {
  glab_layer *ls[3] = {a, b, c};
  int n = c ? 3 : b ? 2 : 1;
  return glab_model_create(ls, n);
}

static glab_layer *mk_block2(glab_layer *a, glab_layer *b) {
  glab_layer *ch[2] = {a, b};
  return glab_layer_create(reg, "tblock", NULL, ch, 2);
}

static glab_tensor *tensor2(int r, int c, const glab_real *v) {
  int shape[2] = {r, c};
  glab_tensor *t = glab_tensor_create(2, shape);
  memcpy(t->data, v, (size_t)(r * c) * sizeof *v);
  return t;
}

/* One manual step: forward x, loss = sum(y), backward, step. */
static int manual_step(glab_trainer *tr, const glab_tensor *x, glab_optimizer *opt) {
  glab_var *y = glab_trainer_forward(tr, x);
  glab_var *loss = glab_sum(glab_trainer_tape(tr), y);
  if (!loss) return glab_last_status();
  glab_trainer_zero_grad(tr);
  int rc = glab_trainer_backward(tr, loss);
  return rc ? rc : glab_trainer_step(tr, opt);
}

static void test_model_names(void) {
  glab_model *m =
      model_of(mk_scale(reg, 2, 1), mk_block2(mk_scale(reg, 2, 1), mk_plain(reg, "tsig")), NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  CU_ASSERT_EQUAL(glab_model_nlayers(m), 2);
  CU_ASSERT_EQUAL(glab_model_nall(m), 4);
  CU_ASSERT_STRING_EQUAL(glab_layer_name(glab_model_all(m, 0)), "1");
  CU_ASSERT_STRING_EQUAL(glab_layer_name(glab_model_all(m, 1)), "2");
  CU_ASSERT_STRING_EQUAL(glab_layer_name(glab_model_all(m, 2)), "2.1");
  CU_ASSERT_STRING_EQUAL(glab_layer_name(glab_model_all(m, 3)), "2.2");
  CU_ASSERT_EQUAL(glab_model_nparams(m), 2); /* the buffer "2.count" is not trained */
  CU_ASSERT_STRING_EQUAL(glab_model_param_name(m, 1), "2.1.w");
  CU_ASSERT_EQUAL(glab_model_param_count(m), 4);
  CU_ASSERT_PTR_EQUAL(glab_model_find(m, "2.1"), glab_model_all(m, 2));
  CU_ASSERT_PTR_NULL(glab_model_find(m, "9"));
  CU_ASSERT(strstr(glab_last_error(), "9") != NULL);
  int in_shape[1] = {2};
  char *d = glab_model_describe(m, 1, in_shape);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT(strstr(d, "tscale") && strstr(d, "w[2]") && strstr(d, "2.1") && strstr(d, "-> [1][2]"));
  free(d);
  glab_model_set_training(m, 0);
  CU_ASSERT(!glab_model_is_training(m) && !glab_layer_is_training(glab_model_all(m, 3)));
  glab_model_destroy(m);
}

static void test_shape_error_names_layer(void) {
  glab_model *m = model_of(mk_scale(reg, 2, 1), mk_scale(reg, 3, 1), NULL);
  glab_trainer *tr = glab_trainer_create(m);
  glab_real v[4] = {1, 2, 3, 4};
  glab_tensor *x = tensor2(2, 2, v);
  CU_ASSERT_PTR_NULL(glab_trainer_forward(tr, x));
  CU_ASSERT(strstr(glab_last_error(), "layer 2") && strstr(glab_last_error(), "[2][2]"));
  glab_tensor_destroy(x);
  glab_trainer_destroy(tr);
  glab_model_destroy(m);
}

static void test_record_by_hand(void) {
  glab_model *m = model_of(mk_scale(reg, 2, 1), NULL, NULL);
  glab_trainer *tr = glab_trainer_create(m);
  glab_optimizer *opt = mk_tsgd(reg, 0.1);
  glab_real v[4] = {1, 2, 3, 4};
  glab_tensor *x = tensor2(2, 2, v);
  CU_ASSERT_EQUAL_FATAL(manual_step(tr, x, opt), GLAB_OK);
  glab_recorder *r = glab_trainer_recorder(tr);
  const glab_layer_record *rec = glab_recorder_latest(r, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  CU_ASSERT_EQUAL(rec->step, 1);
  CU_ASSERT_STRING_EQUAL(rec->layer, "1");
  CU_ASSERT(rec->has_output_grad);
  CU_ASSERT_EQUAL(rec->output_grad.count, 4); /* d sum(y)/dy = 1 */
  CLOSE(rec->output_grad.norm, 2, 1e-12);
  CLOSE(rec->activation.norm, sqrt(30.0), 1e-6);
  CU_ASSERT(isnan(rec->saturation) && isnan(rec->dead));
  CU_ASSERT_EQUAL_FATAL(rec->nparams, 1);
  const glab_param_record *w = &rec->params[0];
  CU_ASSERT_STRING_EQUAL(w->name, "w");
  CLOSE(w->grad.norm, sqrt(52.0), 1e-6); /* column sums 4, 6 */
  CLOSE(w->grad.mean, 5, 1e-6);
  CLOSE(w->value.norm, sqrt(0.52), 1e-6); /* 1 - 0.4, 1 - 0.6 */
  CLOSE(w->update_norm, 0.1 * sqrt(52.0), 1e-6);
  CLOSE(w->update_ratio, 1.0, 1e-5);
  /* dL/dx = w (before the step) on every row */
  glab_var *in = glab_trainer_input(tr);
  CU_ASSERT_PTR_NOT_NULL_FATAL(in);
  CU_ASSERT_EQUAL(in->grad[0], 1);
  CU_ASSERT_EQUAL(in->grad[3], 1);
  /* second step and the history */
  CU_ASSERT_EQUAL(manual_step(tr, x, opt), GLAB_OK);
  double h[4];
  long steps[4];
  CU_ASSERT_EQUAL(glab_recorder_history(r, 0, "params.w.grad.norm", h, steps, NULL, 4), 2);
  CLOSE(h[0], sqrt(52.0), 1e-6);
  CLOSE(h[1], sqrt(52.0), 1e-6);
  CU_ASSERT(steps[0] == 1 && steps[1] == 2);
  CU_ASSERT_EQUAL(glab_recorder_history(r, 0, "params.w.norm", h, NULL, NULL, 4), 2);
  CLOSE(h[0], sqrt(0.52), 1e-6);
  CLOSE(h[1], sqrt(0.2 * 0.2 + 0.2 * 0.2), 1e-5); /* 0.6-0.4, 0.4-0.6 */
  CU_ASSERT_EQUAL(glab_recorder_history(r, 0, "output_grad.norm", h, NULL, NULL, 4), 2);
  CLOSE(h[1], 2, 1e-12);
  CU_ASSERT_EQUAL(glab_recorder_history(r, 0, "activation.max", h, NULL, NULL, 4), 2);
  CLOSE(h[0], 4, 1e-12);
  CU_ASSERT_EQUAL(glab_recorder_history(r, 0, "params.w.update_ratio", h, NULL, NULL, 0), 2);
  CU_ASSERT_EQUAL(glab_recorder_history(r, 0, "params.w.bogus", h, NULL, NULL, 4), -1);
  CU_ASSERT(strstr(glab_last_error(), "params.w.bogus") != NULL);
  CU_ASSERT_EQUAL(glab_recorder_history(r, 0, "params.nope.norm", h, NULL, NULL, 4), -1);
  CU_ASSERT(strstr(glab_last_error(), "nope") != NULL);
  CU_ASSERT_EQUAL(glab_recorder_history(r, 0, "norm", h, NULL, NULL, 4), -1);
  CU_ASSERT_EQUAL(glab_recorder_find(r, "1"), 0);
  CU_ASSERT_EQUAL(glab_recorder_find(r, "x"), -1);
  glab_tensor_destroy(x);
  glab_optimizer_destroy(opt);
  glab_trainer_destroy(tr);
  glab_model_destroy(m);
}

static void test_saturation_dead(void) {
  glab_model *m = model_of(mk_scale(reg, 2, 100), mk_plain(reg, "tsig"), NULL);
  glab_trainer *tr = glab_trainer_create(m);
  glab_optimizer *opt = mk_tsgd(reg, 0);
  glab_real v[4] = {1, -1, 0.001f, 0};
  glab_tensor *x = tensor2(2, 2, v);
  CU_ASSERT_EQUAL_FATAL(manual_step(tr, x, opt), GLAB_OK);
  const glab_layer_record *rec = glab_recorder_latest(glab_trainer_recorder(tr), 1);
  CLOSE(rec->saturation, 0.5, 1e-12);
  CU_ASSERT(isnan(rec->dead));
  glab_trainer_destroy(tr);
  glab_model_destroy(m);

  m = model_of(mk_scale(reg, 2, 1), mk_plain(reg, "trelu"), NULL);
  tr = glab_trainer_create(m);
  glab_real u[4] = {1, -1, 0, 2};
  glab_tensor *x2 = tensor2(2, 2, u);
  CU_ASSERT_EQUAL_FATAL(manual_step(tr, x2, opt), GLAB_OK);
  rec = glab_recorder_latest(glab_trainer_recorder(tr), 1);
  CLOSE(rec->dead, 0.5, 1e-12);
  double h[2];
  CU_ASSERT_EQUAL(
      glab_recorder_history(glab_trainer_recorder(tr), 1, "activation.dead", h, NULL, NULL, 2), 1);
  CLOSE(h[0], 0.5, 1e-12);
  glab_tensor_destroy(x);
  glab_tensor_destroy(x2);
  glab_optimizer_destroy(opt);
  glab_trainer_destroy(tr);
  glab_model_destroy(m);
}

/* dL/dh_t for h_t = h_{t-1}·w + x_t, loss = sum(h_T): w^(T-t) — the total derivative. */
static void test_time_steps(void) {
  glab_model *m = model_of(mk_seq(reg, 1, 0.5), NULL, NULL);
  glab_trainer *tr = glab_trainer_create(m);
  glab_optimizer *opt = mk_tsgd(reg, 0);
  int shape[3] = {4, 1, 1};
  glab_tensor *x = glab_tensor_create(3, shape);
  for (int t = 0; t < 4; t++)
    x->data[t] = (glab_real)(t + 1);
  CU_ASSERT_EQUAL_FATAL(manual_step(tr, x, opt), GLAB_OK);
  const glab_layer_record *rec = glab_recorder_latest(glab_trainer_recorder(tr), 0);
  CU_ASSERT_EQUAL_FATAL(rec->ntime, 4);
  CLOSE(rec->time[3].norm, 1, 1e-12);
  CLOSE(rec->time[2].norm, 0.5, 1e-12);
  CLOSE(rec->time[1].norm, 0.25, 1e-12);
  CLOSE(rec->time[0].norm, 0.125, 1e-12);
  double h[2];
  CU_ASSERT_EQUAL(
      glab_recorder_history(glab_trainer_recorder(tr), 0, "time.2.norm", h, NULL, NULL, 2), 1);
  CLOSE(h[0], 0.25, 1e-12);
  /* beyond the longest sequence seen: NaN, not an error */
  CU_ASSERT_EQUAL(
      glab_recorder_history(glab_trainer_recorder(tr), 0, "time.9.norm", h, NULL, NULL, 2), 1);
  CU_ASSERT(isnan(h[0]));
  CU_ASSERT_EQUAL(
      glab_recorder_history(glab_trainer_recorder(tr), 0, "time.0.norm", h, NULL, NULL, 2), -1);
  glab_tensor_destroy(x);
  glab_optimizer_destroy(opt);
  glab_trainer_destroy(tr);
  glab_model_destroy(m);
}

/* History paths are parsed strictly by the core (C callers and the Lua binding share it): a time
 * step is digits from 1 without sign, space or leading zero and within int (strtol took "+1",
 * " 1", "01" and overflowing values), only on a layer that records time steps; a long bad path is
 * shown cut, not echoed in full. */
static long hist(glab_recorder *r, int i, const char *path) {
  double h[4];
  return glab_recorder_history(r, i, path, h, NULL, NULL, 4);
}

static void test_strict_paths(void) {
  glab_model *m = model_of(mk_seq(reg, 1, 0.5), NULL, NULL);
  glab_trainer *tr = glab_trainer_create(m);
  glab_optimizer *opt = mk_tsgd(reg, 0);
  int shape[3] = {4, 1, 1};
  glab_tensor *x = glab_tensor_create(3, shape);
  CU_ASSERT_EQUAL_FATAL(manual_step(tr, x, opt), GLAB_OK);
  glab_recorder *r = glab_trainer_recorder(tr);
  const char *type = glab_layer_get_type(glab_recorder_layer(r, 0))->name;
  char want[200];
  CU_ASSERT_EQUAL(hist(r, 0, "time.4.norm"), 1);
  CU_ASSERT_EQUAL(hist(r, 0, "time.1.norm"), 1);
  double h[1];
  CU_ASSERT_EQUAL(glab_recorder_history(r, 0, "time.2147483647.norm", h, NULL, NULL, 1), 1);
  CU_ASSERT(isnan(h[0])); /* beyond the longest sequence seen */
  const char *loose[] = {"time.+1.norm",         "time. 1.norm",  "time.01.norm",
                         "time.0.norm",          "time.-1.norm",  "time.1 .norm",
                         "time.0x1.norm",        "time.1e1.norm", "time.99999999999999999999.norm",
                         "time.2147483648.norm", "time..norm",    NULL};
  for (const char **p = loose; *p; p++) {
    CU_ASSERT_EQUAL(hist(r, 0, *p), -1);
    snprintf(want, sizeof want,
             "history: bad path '%s' for layer '1' (%s): a time step is a whole number from 1 "
             "written in digits (time.3.norm)",
             *p, type);
    CU_ASSERT_STRING_EQUAL(glab_last_error(), want);
    CU_ASSERT_EQUAL(glab_recorder_check_path(r, 0, *p, strlen(*p)), GLAB_ERR_ARG);
  }
  CU_ASSERT_EQUAL(hist(r, 0, "time.1.mean"), -1);
  CU_ASSERT(strstr(glab_last_error(), "time steps keep their norm only (time.1.norm)") != NULL);
  const char *unknown[] = {"time.1",
                           "time.norm",
                           "time.1.norm.x",
                           "output_grad",
                           "output_grad.",
                           ".norm",
                           "output_grad..norm",
                           "output_grad.norm.x",
                           "output_grad.Norm",
                           "params.w",
                           "params..norm",
                           "params.w.grad",
                           "params.w.grad.update_ratio",
                           "params..grad.norm",
                           "params.w..norm",
                           "activation.saturation.x",
                           " output_grad.norm",
                           "",
                           NULL};
  for (const char **p = unknown; *p; p++) {
    CU_ASSERT_EQUAL(hist(r, 0, *p), -1);
    snprintf(want, sizeof want, "history: unknown path '%s' for layer '1' (%s) (e.g. ", *p, type);
    CU_ASSERT(!strncmp(glab_last_error(), want, strlen(want)));
    if (strncmp(glab_last_error(), want, strlen(want)))
      fprintf(stderr, "path '%s': %s\n", *p, glab_last_error());
  }
  /* the length is the binding's: a byte 0 inside is no path */
  CU_ASSERT_EQUAL(glab_recorder_check_path(r, 0, "output_grad.norm\0x", 18), GLAB_ERR_ARG);
  CU_ASSERT_EQUAL(glab_recorder_check_path(r, 0, "output_grad.norm\0", 17), GLAB_ERR_ARG);
  CU_ASSERT_EQUAL(glab_recorder_check_path(r, 0, "output_grad.norm", 16), GLAB_OK);
  CU_ASSERT_EQUAL(glab_recorder_check_path(r, 0, "time.3.norm", 11), GLAB_OK);
  CU_ASSERT_EQUAL(glab_recorder_check_path(r, 1, "time.3.norm", 11), GLAB_ERR_ARG);
  /* a long path is cut in the message */
  size_t n = 200000;
  char *big = malloc(n + 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(big);
  memset(big, 'x', n);
  big[n] = '\0';
  CU_ASSERT_EQUAL(hist(r, 0, big), -1);
  CU_ASSERT(strlen(glab_last_error()) < 300);
  CU_ASSERT(strstr(glab_last_error(), "unknown path 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... "
                                      "(200000 bytes)'") != NULL);
  memcpy(big, "time.", 5);
  CU_ASSERT_EQUAL(hist(r, 0, big), -1);
  CU_ASSERT(strlen(glab_last_error()) < 300 && strstr(glab_last_error(), "(200000 bytes)"));
  memcpy(big, "params.", 7);
  memcpy(big + n - 5, ".norm", 5);
  CU_ASSERT_EQUAL(hist(r, 0, big), -1);
  CU_ASSERT(strlen(glab_last_error()) < 300 && strstr(glab_last_error(), "(200000 bytes)"));
  free(big);
  glab_tensor_destroy(x);
  glab_trainer_destroy(tr);
  glab_model_destroy(m);

  /* time steps on a layer that has none; a buffer has value statistics only */
  m = model_of(mk_scale(reg, 2, 1), mk_block2(mk_scale(reg, 2, 1), mk_plain(reg, "tsig")), NULL);
  tr = glab_trainer_create(m);
  glab_real v[4] = {1, 2, 3, 4};
  x = tensor2(2, 2, v);
  r = glab_trainer_recorder(tr);
  CU_ASSERT_EQUAL(hist(r, 0, "time.1.norm"), 0); /* nothing recorded yet: no rows */
  CU_ASSERT_EQUAL_FATAL(manual_step(tr, x, opt), GLAB_OK);
  type = glab_layer_get_type(glab_recorder_layer(r, 0))->name;
  CU_ASSERT_EQUAL(hist(r, 0, "time.1.norm"), -1);
  snprintf(want, sizeof want,
           "history: layer '1' (%s) has no time steps (time.<t>.norm is recorded for recurrent "
           "layers)",
           type);
  CU_ASSERT_STRING_EQUAL(glab_last_error(), want);
  CU_ASSERT_EQUAL(hist(r, 1, "params.count.norm"), 1);
  CU_ASSERT_EQUAL(hist(r, 1, "params.count.grad.norm"), -1);
  CU_ASSERT(strstr(glab_last_error(), "buffer") != NULL);
  CU_ASSERT_EQUAL(hist(r, 1, "params.count.update_ratio"), -1);
  CU_ASSERT(strstr(glab_last_error(), "buffer") != NULL);
  CU_ASSERT_EQUAL(hist(r, 0, "params.w.update_norm"), 1);
  CU_ASSERT_EQUAL(hist(r, 0, "params.w.grad.frac_zero"), 1);
  CU_ASSERT_EQUAL(hist(r, 0, "params.wieght.norm"), -1);
  CU_ASSERT(strstr(glab_last_error(), "layer 1 has no parameter 'wieght'") != NULL);
  glab_tensor_destroy(x);
  glab_optimizer_destroy(opt);
  glab_trainer_destroy(tr);
  glab_model_destroy(m);
}

/* A million steps, recorded every 8th: memory stays what it was after the first record. */
static void test_bounded_memory(void) {
  glab_model *m = model_of(mk_scale(reg, 1, 1), NULL, NULL);
  glab_trainer *tr = glab_trainer_create(m);
  glab_optimizer *opt = mk_tsgd(reg, 0);
  glab_real v[1] = {1};
  glab_tensor *x = tensor2(1, 1, v);
  glab_trainer_set_record_every(tr, 0);
  CU_ASSERT_EQUAL_FATAL(manual_step(tr, x, opt), GLAB_OK);
  glab_recorder_opts o = {8, 64};
  glab_recorder *r = glab_recorder_create(m, &o);
  CU_ASSERT_EQUAL(glab_recorder_nrows(r), 0);
  size_t mem0 = 0;
  long recorded = 0;
  for (long step = 1; step <= 1000000; step++) {
    if (!glab_recorder_due(r, step)) continue;
    glab_recorder_record(r, step, 1, NULL);
    recorded++;
    if (recorded == 1) mem0 = glab_recorder_memory(r);
  }
  CU_ASSERT_EQUAL(recorded, 125000);
  CU_ASSERT_EQUAL(glab_recorder_memory(r), mem0);
  size_t n = glab_recorder_nrows(r);
  CU_ASSERT(n <= 64 && n >= 32);
  long steps[64];
  double vals[64];
  CU_ASSERT_EQUAL(glab_recorder_history(r, 0, "params.w.norm", vals, steps, NULL, 64), (long)n);
  CU_ASSERT_EQUAL(steps[0], 8);
  long gap = glab_recorder_stride(r);
  CU_ASSERT(gap >= 8 * 2048);
  for (size_t i = 1; i < n; i++)
    CU_ASSERT_EQUAL(steps[i] - steps[i - 1], gap);
  CU_ASSERT(steps[n - 1] <= 1000000 && steps[n - 1] > 1000000 - gap);
  CLOSE(vals[n - 1], 1, 1e-12);
  glab_recorder_destroy(r);
  glab_tensor_destroy(x);
  glab_optimizer_destroy(opt);
  glab_trainer_destroy(tr);
  glab_model_destroy(m);
}

/* ---- run folder ---- */

typedef struct rows {
  char field[6][64];
  int nf;
  long n;
  int found_grad, found_quoted;
  char header[6][64];
} rows;

static void on_field(void *s, size_t len, void *ctx) {
  rows *r = ctx;
  if (r->nf < 6) snprintf(r->field[r->nf], 64, "%.*s", (int)len, (const char *)s);
  r->nf++;
}

static void on_row(int c, void *ctx) {
  (void)c;
  rows *r = ctx;
  if (r->n == 0)
    memcpy(r->header, r->field, sizeof r->header);
  else if (r->nf == 6) {
    if (!strcmp(r->field[0], "1") && !strcmp(r->field[2], "1") &&
        !strcmp(r->field[3], "params.w.grad") && !strcmp(r->field[4], "norm") &&
        fabs(atof(r->field[5]) - sqrt(52.0)) < 1e-5)
      r->found_grad = 1;
    if (!strcmp(r->field[2], "a,\"b\"") && !strcmp(r->field[4], "x") && atof(r->field[5]) == 1.5)
      r->found_quoted = 1;
  } else {
    r->n = -1000000; /* wrong field count */
  }
  r->n++;
  r->nf = 0;
}

static long parse_csv(const char *path, rows *r) {
  memset(r, 0, sizeof *r);
  struct csv_parser p;
  csv_init(&p, CSV_STRICT | CSV_APPEND_NULL);
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  char buf[4096];
  size_t k;
  while ((k = fread(buf, 1, sizeof buf, f)) > 0)
    csv_parse(&p, buf, k, on_field, on_row, r);
  csv_fini(&p, on_field, on_row, r);
  csv_free(&p);
  fclose(f);
  return r->n;
}

static cJSON *read_json(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  static char buf[1 << 16];
  size_t k = fread(buf, 1, sizeof buf - 1, f);
  buf[k] = 0;
  fclose(f);
  return cJSON_Parse(buf);
}

static int leftovers(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;
  while (d && (e = readdir(d)))
    if (strstr(e->d_name, ".part") || strstr(e->d_name, ".tmp")) n++;
  if (d) closedir(d);
  return n;
}

static void test_run_folder(void) {
  char dir[] = "/tmp/glab_stats_XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  char sub[256], path[300];
  snprintf(sub, sizeof sub, "%s/run/a", dir);
  /* the script is copied */
  snprintf(path, sizeof path, "%s/s.lua", dir);
  FILE *f = fopen(path, "w");
  fputs("print('hi')\n", f);
  fclose(f);
  glab_runlog *log = glab_runlog_create(sub, path);
  CU_ASSERT_PTR_NOT_NULL_FATAL(log);
  glab_runlog_set_seed(log, 9007199254740991ULL); /* 2^53 - 1: cJSON alone would round it */
  glab_runlog_set_param_number(log, "lr", 0.1);
  glab_runlog_set_param_string(log, "act", "sigmoid");
  glab_runlog_add_plugin(log, "layer", "dense", "/x/dense.so");
  glab_runlog_log(log, "hello %d", 42);

  glab_model *m = model_of(mk_scale(reg, 2, 1), NULL, NULL);
  glab_trainer *tr = glab_trainer_create(m);
  glab_trainer_set_runlog(tr, log);
  glab_optimizer *opt = mk_tsgd(reg, 0.1);
  glab_real v[4] = {1, 2, 3, 4};
  glab_tensor *x = tensor2(2, 2, v);
  CU_ASSERT_EQUAL(manual_step(tr, x, opt), GLAB_OK);
  glab_runlog_metric(log, 1, 0, "a,\"b\"", "t", "x", 1.5);
  /* a flush mid-run: whole files, finished=false */
  CU_ASSERT_EQUAL(glab_runlog_flush(log, 0), GLAB_OK);
  rows r;
  snprintf(path, sizeof path, "%s/metrics.csv", sub);
  CU_ASSERT_EQUAL(parse_csv(path, &r), glab_runlog_metric_rows(log) + 1);
  CU_ASSERT(r.found_grad && r.found_quoted);
  snprintf(path, sizeof path, "%s/summary.json", sub);
  cJSON *j = read_json(path);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  CU_ASSERT(cJSON_IsFalse(cJSON_GetObjectItem(j, "finished")));
  cJSON_Delete(j);

  CU_ASSERT_EQUAL(manual_step(tr, x, opt), GLAB_OK);
  glab_runlog_set_final(log, "loss", 0.25);
  glab_runlog_set_result_number(log, "acc", 1);
  glab_runlog_set_final(log, "bad", NAN);
  /* the end renames the .part (the same file, not a copy: a copy of a multi-gigabyte
   * metrics.csv took most of a minute and twice the disk) */
  struct stat part_st, csv_st;
  snprintf(path, sizeof path, "%s/metrics.csv.part", sub);
  CU_ASSERT_EQUAL_FATAL(stat(path, &part_st), 0);
  CU_ASSERT_EQUAL(glab_runlog_finish(log), GLAB_OK);
  snprintf(path, sizeof path, "%s/metrics.csv", sub);
  CU_ASSERT_EQUAL_FATAL(stat(path, &csv_st), 0);
  CU_ASSERT_EQUAL(csv_st.st_ino, part_st.st_ino);
  CU_ASSERT_NOT_EQUAL(glab_runlog_metric(log, 9, 0, "late", "t", "x", 1), GLAB_OK); /* closed */
  long nrows = glab_runlog_metric_rows(log);
  glab_trainer_destroy(tr);
  glab_runlog_destroy(log);
  CU_ASSERT_EQUAL(leftovers(sub), 0);
  snprintf(path, sizeof path, "%s/metrics.csv", sub);
  CU_ASSERT_EQUAL(parse_csv(path, &r), nrows + 1);
  CU_ASSERT_STRING_EQUAL(r.header[0], "step");
  CU_ASSERT_STRING_EQUAL(r.header[5], "value");
  snprintf(path, sizeof path, "%s/summary.json", sub);
  j = read_json(path);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(j, "finished")));
  CU_ASSERT_EQUAL(cJSON_GetObjectItem(j, "seed")->valuedouble, 9007199254740991.0);
  CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "params"), "lr")->valuedouble, 0.1);
  CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(j, "plugins")), 1);
  CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(j, "events")), 0);
  CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "final"), "loss")->valuedouble, 0.25);
  CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "final"), "bad")));
  CU_ASSERT(strstr(cJSON_GetObjectItem(j, "script")->valuestring, "s.lua") != NULL);
  cJSON_Delete(j);
  snprintf(path, sizeof path, "%s/script.lua", sub);
  CU_ASSERT(access(path, R_OK) == 0);
  snprintf(path, sizeof path, "%s/log.txt", sub);
  f = fopen(path, "r");
  char line[64] = "";
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
  fclose(f);
  CU_ASSERT_STRING_EQUAL(line, "hello 42\n");
  /* an impossible folder is an error naming it */
  CU_ASSERT_PTR_NULL(glab_runlog_create("/proc/nope/run", NULL));
  CU_ASSERT(strstr(glab_last_error(), "/proc/nope") != NULL);
  glab_tensor_destroy(x);
  glab_optimizer_destroy(opt);
  glab_model_destroy(m);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Numbers written to metrics.csv read back within 9 significant digits. */
static void test_number_format(void) {
  char dir[] = "/tmp/glab_fmt_XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  glab_runlog *log = glab_runlog_create(dir, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(log);
  enum { N = 2000 };
  static double vals[N];
  double fixed[] = {0.1,         1e-25, -3.5e30, 123456789.0,  1234567891.5,
                    0.000012345, 1e-5,  1e-6,    9.9999999996, 99999999.95,
                    -0.5,        1e15,  2.5e15,  1e300,        4.9e-324,
                    0.0,         -0.0,  123.456, 1e9,          999999999.7};
  int nf = (int)(sizeof fixed / sizeof fixed[0]);
  unsigned u = 99;
  for (int i = 0; i < N; i++) {
    if (i < nf)
      vals[i] = fixed[i];
    else {
      u = u * 1103515245u + 12345u;
      double m = (u >> 8) / 16777216.0 + 0.01;
      u = u * 1103515245u + 12345u;
      vals[i] = m * pow(10.0, (int)(u >> 16) % 80 - 40) * ((u & 1) ? -1 : 1);
    }
    glab_runlog_metric(log, i, 0, "l", "t", "s", vals[i]);
  }
  glab_runlog_metric(log, N, 0, "l", "t", "s", NAN);
  glab_runlog_metric(log, N + 1, 0, "l", "t", "s", -INFINITY);
  CU_ASSERT_EQUAL(glab_runlog_finish(log), GLAB_OK);
  glab_runlog_destroy(log);
  char path[300], line[256];
  snprintf(path, sizeof path, "%s/metrics.csv", dir);
  FILE *f = fopen(path, "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f)); /* header */
  int i = 0, bad = 0;
  while (fgets(line, sizeof line, f)) {
    char *num = strrchr(line, ',') + 1, *end;
    double x = strtod(num, &end);
    if (*end != '\n') bad++;
    if (i < N) {
      double tol = 6e-9 * fabs(vals[i]);
#ifdef GRADLAB_DOUBLE
      tol = 1e-15 * fabs(vals[i]);
#endif
      if (!(fabs(x - vals[i]) <= tol)) {
        bad++;
        fprintf(stderr, "format: %.17g written as %s", vals[i], num);
      }
    } else if (i == N) {
      CU_ASSERT(isnan(x));
    } else {
      CU_ASSERT(isinf(x) && x < 0);
    }
    i++;
  }
  fclose(f);
  CU_ASSERT_EQUAL(i, N + 2);
  CU_ASSERT_EQUAL(bad, 0);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
}

/* ---- save / load ---- */

static uint32_t crc32_of(const unsigned char *p, size_t n) { /* zlib's CRC-32, bit by bit */
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++)
      c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
  }
  return ~c;
}

static void put_le(unsigned char *p, size_t *off, uint32_t v, int bytes) {
  for (int k = 0; k < bytes; k++)
    p[(*off)++] = (unsigned char)(v >> (8 * k));
}

/* A version 1 file (no layer table) of one tensor "1.w" = {1, 2, 3}, with version `version`. */
static void write_v1(const char *path, uint32_t version) {
  unsigned char b[128];
  size_t off = 0;
  memcpy(b, "GLABMODL", 8);
  off = 8;
  put_le(b, &off, version, 4);
  put_le(b, &off, (uint32_t)sizeof(glab_real), 4);
  put_le(b, &off, 1, 4); /* entries */
  put_le(b, &off, 0, 4); /* flags */
  put_le(b, &off, 3, 2);
  memcpy(b + off, "1.w", 3);
  off += 3;
  b[off++] = 0; /* parameter */
  b[off++] = 1; /* ndim */
  put_le(b, &off, 3, 4);
  for (int i = 0; i < 3; i++) {
    glab_real v = (glab_real)(i + 1);
    memcpy(b + off, &v, sizeof v);
    off += sizeof v;
  }
  put_le(b, &off, crc32_of(b, off), 4);
  FILE *f = fopen(path, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_EQUAL(fwrite(b, 1, off, f), off);
  fclose(f);
}

static int msg_is(const char *want) {
  int ok = !strcmp(glab_last_error(), want);
  if (!ok) printf("\n    message: %s\n    wanted:  %s\n", glab_last_error(), want);
  return ok;
}

/* Layer types are in the file (format 2): a layer without tensors (an activation) of another
 * type is an error naming the layer and both types, and so is a layer only one side has; the
 * model is left unchanged. `saved` holds scale(3), block(scale(3), tsig). A version 1 file has no
 * types: it loads on names and shapes alone. */
static void load_types(const char *dir, const char *saved) {
  char want[600], p[300];
  glab_model *e =
      model_of(mk_scale(reg, 3, 2), mk_block2(mk_scale(reg, 3, 2), mk_plain(reg, "trelu")), NULL);
  CU_ASSERT_EQUAL(glab_model_load(e, saved), GLAB_ERR_FORMAT);
  snprintf(want, sizeof want,
           "load %s: layer 2.2 is trelu in the model but tsig in the file (the weights were saved "
           "from another layer type)",
           saved);
  CU_ASSERT(msg_is(want));
  CU_ASSERT_EQUAL(glab_model_params(e)[0]->value.data[0], 2); /* unchanged */
  glab_model_destroy(e);
  /* the case of the issue: same shapes, the activation differs */
  snprintf(p, sizeof p, "%s/sig.glab", dir);
  glab_model *sig = model_of(mk_scale(reg, 3, 0.5), mk_plain(reg, "tsig"), NULL);
  glab_model *rel = model_of(mk_scale(reg, 3, 2), mk_plain(reg, "trelu"), NULL);
  CU_ASSERT_EQUAL_FATAL(glab_model_save(sig, p), GLAB_OK);
  CU_ASSERT_EQUAL(glab_model_load(rel, p), GLAB_ERR_FORMAT);
  CU_ASSERT(strstr(glab_last_error(), "layer 2 is trelu in the model but tsig in the file") !=
            NULL);
  CU_ASSERT_EQUAL(glab_model_params(rel)[0]->value.data[0], 2);
  /* a parameterless layer only the model has, or only the file */
  glab_model *more = model_of(mk_scale(reg, 3, 2), mk_plain(reg, "tsig"), mk_plain(reg, "trelu"));
  CU_ASSERT_EQUAL(glab_model_load(more, p), GLAB_ERR_FORMAT);
  snprintf(want, sizeof want,
           "load %s: layer 3 (trelu) is not in the file (the file holds 2 layers, the model has 3)",
           p);
  CU_ASSERT(msg_is(want));
  glab_model *less = model_of(mk_scale(reg, 3, 2), NULL, NULL);
  CU_ASSERT_EQUAL(glab_model_load(less, p), GLAB_ERR_FORMAT);
  snprintf(want, sizeof want,
           "load %s: the file's layer 2 (tsig) is not in the model (the file holds 2 layers, the "
           "model has 1)",
           p);
  CU_ASSERT(msg_is(want));
  CU_ASSERT_EQUAL(glab_model_load(sig, p), GLAB_OK); /* its own file loads */
  /* version 1 (no layer table): names and shapes only, as before */
  write_v1(p, 1);
  CU_ASSERT_EQUAL(glab_model_load(rel, p), GLAB_OK);
  CU_ASSERT_EQUAL(glab_model_params(rel)[0]->value.data[2], 3);
  write_v1(p, 3);
  CU_ASSERT_EQUAL(glab_model_load(rel, p), GLAB_ERR_FORMAT);
  CU_ASSERT(strstr(glab_last_error(), "format version 3 (this gradlab reads 1 to 2)") != NULL);
  glab_model_destroy(sig);
  glab_model_destroy(rel);
  glab_model_destroy(more);
  glab_model_destroy(less);
}

static void test_save_load(void) {
  char dir[] = "/tmp/glab_model_XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  char path[300];
  snprintf(path, sizeof path, "%s/m.glab", dir);
  glab_model *a = model_of(mk_scale(reg, 3, 0.5),
                           mk_block2(mk_scale(reg, 3, 0.25), mk_plain(reg, "tsig")), NULL);
  glab_layer_param(glab_model_all(a, 1), "count")->value.data[0] = 7;
  CU_ASSERT_EQUAL_FATAL(glab_model_save(a, path), GLAB_OK);
  CU_ASSERT_EQUAL(leftovers(dir), 0);
  glab_model *b =
      model_of(mk_scale(reg, 3, 2), mk_block2(mk_scale(reg, 3, 2), mk_plain(reg, "tsig")), NULL);
  CU_ASSERT_EQUAL_FATAL(glab_model_load(b, path), GLAB_OK);
  CU_ASSERT_EQUAL(glab_model_params(b)[0]->value.data[2], (glab_real)0.5);
  CU_ASSERT_EQUAL(glab_model_params(b)[1]->value.data[0], (glab_real)0.25);
  CU_ASSERT_EQUAL(glab_layer_param(glab_model_all(b, 1), "count")->value.data[0], 7);
  load_types(dir, path);
  /* shape mismatch: an error naming the layer and both shapes; model unchanged */
  glab_model *c =
      model_of(mk_scale(reg, 4, 3), mk_block2(mk_scale(reg, 3, 3), mk_plain(reg, "tsig")), NULL);
  CU_ASSERT_EQUAL(glab_model_load(c, path), GLAB_ERR_FORMAT);
  const char *msg = glab_last_error();
  CU_ASSERT(strstr(msg, "layer 1") && strstr(msg, "[3]") && strstr(msg, "[4]") &&
            strstr(msg, "'w'"));
  CU_ASSERT_EQUAL(glab_model_params(c)[1]->value.data[0], 3);
  /* different architecture: counts differ */
  glab_model *d = model_of(mk_scale(reg, 3, 1), NULL, NULL);
  CU_ASSERT_EQUAL(glab_model_load(d, path), GLAB_ERR_FORMAT);
  CU_ASSERT(strstr(glab_last_error(), "tensors") != NULL);
  /* damaged: truncated and garbage files */
  FILE *f = fopen(path, "r+b");
  fseek(f, 30, SEEK_SET);
  fputc(0x5a, f);
  fclose(f);
  CU_ASSERT_EQUAL(glab_model_load(b, path), GLAB_ERR_FORMAT);
  CU_ASSERT(strstr(glab_last_error(), "checksum") != NULL);
  f = fopen(path, "wb");
  fputs("hello, not a model", f);
  fclose(f);
  CU_ASSERT_EQUAL(glab_model_load(b, path), GLAB_ERR_FORMAT);
  CU_ASSERT(strstr(glab_last_error(), "magic") != NULL);
  snprintf(path, sizeof path, "%s/none.glab", dir);
  CU_ASSERT_EQUAL(glab_model_load(b, path), GLAB_ERR_NOTFOUND);
  glab_model_destroy(a);
  glab_model_destroy(b);
  glab_model_destroy(c);
  glab_model_destroy(d);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_evaluate(void) {
  glab_model *m = model_of(mk_scale(reg, 1, 1), NULL, NULL);
  int shape[1] = {1};
  glab_real in[2] = {0.2f, 0.8f}, tg[2] = {0, 1};
  glab_dataset *ds = glab_dataset_from_arrays(2, 1, shape, 0, in, GLAB_TARGET_REAL, 1, tg, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
  glab_eval_result e;
  CU_ASSERT_EQUAL(glab_evaluate(m, ds, GLAB_LOSS_MSE, 1, &e), GLAB_OK);
  CLOSE(e.loss, 0.04, 1e-6);
  CLOSE(e.accuracy, 1.0, 1e-12);
  CU_ASSERT_EQUAL(e.items, 2);
  CU_ASSERT(glab_model_is_training(m)); /* mode restored */
  CU_ASSERT_NOT_EQUAL(glab_evaluate(m, ds, GLAB_LOSS_CROSS_ENTROPY, 0, &e), GLAB_OK);
  CU_ASSERT(strstr(glab_last_error(), "class") != NULL);
  glab_loss_kind k;
  CU_ASSERT_EQUAL(glab_loss_parse("bce", &k), GLAB_OK);
  CU_ASSERT_EQUAL(k, GLAB_LOSS_BCE);
  CU_ASSERT_NOT_EQUAL(glab_loss_parse("l1", &k), GLAB_OK);
  CU_ASSERT(strstr(glab_last_error(), "did you mean") == NULL); /* nothing is near "l1" */
  /* a typo names the nearest loss, as an unknown option or type does */
  CU_ASSERT_EQUAL(glab_loss_parse("msee", &k), GLAB_ERR_ARG);
  CU_ASSERT_STRING_EQUAL(glab_last_error(), "unknown loss 'msee'; did you mean 'mse'? (choose mse, "
                                            "cross_entropy or bce)");
  glab_nonfinite_policy p;
  CU_ASSERT_EQUAL(glab_nonfinite_parse("raize", &p), GLAB_ERR_ARG);
  CU_ASSERT(strstr(glab_last_error(), "did you mean 'raise'?") != NULL);
  glab_dataset_destroy(ds);
  glab_model_destroy(m);
}

int main(void) {
  reg = local_registry();
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("stats_record", NULL, NULL);
  CU_add_test(s, "model names", test_model_names);
  CU_add_test(s, "shape error names the layer", test_shape_error_names_layer);
  CU_add_test(s, "record by hand", test_record_by_hand);
  CU_add_test(s, "saturation and dead", test_saturation_dead);
  CU_add_test(s, "time steps", test_time_steps);
  CU_add_test(s, "strict history paths", test_strict_paths);
  CU_add_test(s, "bounded memory over 1e6 steps", test_bounded_memory);
  CU_add_test(s, "run folder", test_run_folder);
  CU_add_test(s, "number format", test_number_format);
  CU_add_test(s, "save and load", test_save_load);
  CU_add_test(s, "evaluate", test_evaluate);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  glab_registry_destroy(reg);
  return failed ? 1 : 0;
}
