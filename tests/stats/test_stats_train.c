/* test_stats_train.c — glab_train: XOR to MSE < 0.05 with the shipped dense/sigmoid/adam plugins
 * (deterministic for a seed, statistics recorded, metrics rows written), the non-finite policies
 * (stop, raise, continue; a loss event and gradient events with and without recording), and the
 * callbacks (stop, abort with the callback's message, epoch counting), drop_last, mse/bce
 * on class labels (one output: 2 classes only) and the clipping options (negative: an error). */
#include <CUnit/Basic.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/gradlab.h"
#include "gradlab/runlog.h"
#include "local_types.h"

static glab_registry *reg;     /* local types */
static glab_registry *plugins; /* the shipped plugins */

static glab_model *model_of(glab_layer *a, glab_layer *b) {
  glab_layer *ls[2] = {a, b};
  return glab_model_create(ls, b ? 2 : 1);
}

static glab_layer *dense(int in, int out) {
  glab_config *c = glab_config_create();
  glab_config_set_int(c, "inputs", in);
  glab_config_set_int(c, "outputs", out);
  glab_layer *l = glab_layer_create(plugins, "dense", c, NULL, 0);
  glab_config_destroy(c);
  return l;
}

static double train_xor(double *accuracy, long *rows, double *h1) {
  glab_seed(3);
  glab_layer *ls[4] = {dense(2, 8), glab_layer_create(plugins, "sigmoid", NULL, NULL, 0),
                       dense(8, 1), glab_layer_create(plugins, "sigmoid", NULL, NULL, 0)};
  for (int i = 0; i < 4; i++)
    if (!ls[i]) {
      fprintf(stderr, "xor: %s\n", glab_last_error());
      return NAN;
    }
  glab_model *m = glab_model_create(ls, 4);
  glab_config *c = glab_config_create();
  glab_config_set_real(c, "lr", 0.05);
  glab_optimizer *opt = glab_optimizer_create(plugins, "adam", c);
  glab_config_destroy(c);
  glab_dataset * xor = glab_data_xor();
  glab_trainer *tr = glab_trainer_create(m);
  char dir[] = "/tmp/glab_xor_XXXXXX";
  glab_runlog *log = glab_runlog_create(mkdtemp(dir), NULL);
  glab_train_opts o;
  glab_train_opts_init(&o);
  o.trainer = tr;
  o.data = xor;
  o.loss = GLAB_LOSS_MSE;
  o.optimizer = opt;
  o.epochs = 1500;
  o.batch = 4;
  o.record_every = 100;
  o.runlog = log;
  glab_train_result res;
  int rc = glab_train(&o, &res);
  CU_ASSERT_EQUAL(rc, GLAB_OK);
  if (rc) fprintf(stderr, "xor: %s\n", glab_last_error());
  CU_ASSERT_EQUAL(res.steps, 1500);
  CU_ASSERT_EQUAL(res.epochs, 1500);
  CU_ASSERT_EQUAL(res.stopped, GLAB_STOP_DONE);
  glab_eval_result e;
  CU_ASSERT_EQUAL(glab_evaluate(m, xor, GLAB_LOSS_MSE, 0, &e), GLAB_OK);
  *accuracy = e.accuracy;
  *rows = glab_runlog_metric_rows(log);
  cJSON *final = cJSON_GetObjectItem(glab_runlog_summary(log), "final");
  CU_ASSERT(cJSON_GetObjectItem(final, "loss") && cJSON_GetObjectItem(final, "accuracy"));
  CU_ASSERT_EQUAL(cJSON_GetObjectItem(final, "steps")->valuedouble, 1500);
  /* recorded every 100 steps: 15 rows of history for the first dense layer's weight */
  double h[32];
  CU_ASSERT_EQUAL(glab_recorder_history(glab_trainer_recorder(tr), 0, "params.weight.grad.norm", h,
                                        NULL, NULL, 32),
                  15);
  *h1 = h[0];
  CU_ASSERT(h[0] > 0 && isfinite(h[0]));
  const glab_layer_record *r = glab_recorder_latest(glab_trainer_recorder(tr), 1);
  CU_ASSERT(r && r->saturation >= 0 && r->saturation <= 1);
  glab_runlog_destroy(log);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
  glab_trainer_destroy(tr);
  glab_dataset_destroy(xor);
  glab_optimizer_destroy(opt);
  glab_model_destroy(m);
  return e.loss;
}

static void test_xor(void) {
  if (!plugins) {
    CU_FAIL("plugins not loaded");
    return;
  }
  double acc, acc2, h1, h2;
  long rows, rows2;
  double loss = train_xor(&acc, &rows, &h1);
  CU_ASSERT(loss < 0.05);
  CU_ASSERT_EQUAL(acc, 1.0);
  CU_ASSERT(rows > 15 * 50);
  /* same seed: bit-identical */
  double loss2 = train_xor(&acc2, &rows2, &h2);
  CU_ASSERT_EQUAL(loss, loss2);
  CU_ASSERT_EQUAL(h1, h2);
  CU_ASSERT_EQUAL(rows, rows2);
}

/* Counts the lines of `path` that contain `text`. */
static int lines_with(const char *path, const char *text) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[512];
  int n = 0;
  while (fgets(line, sizeof line, f))
    n += strstr(line, text) != NULL;
  fclose(f);
  return n;
}

/* Two models in one run: a named model's rows say NAME/LAYER and NAME/model, an unnamed one's
 * LAYER and model, so a study's networks stay apart in metrics.csv. */
static void test_model_names(void) {
  if (!plugins) {
    CU_FAIL("plugins not loaded");
    return;
  }
  glab_model *named = model_of(dense(2, 1), NULL), *plain = model_of(dense(2, 1), NULL);
  CU_ASSERT_PTR_NULL(glab_model_name(named));
  CU_ASSERT_EQUAL(glab_model_set_name(named, "a/b"), GLAB_ERR_ARG);
  CU_ASSERT(strstr(glab_last_error(), "without '/'") != NULL);
  CU_ASSERT_EQUAL(glab_model_set_name(named, ""), GLAB_ERR_ARG);
  char long_name[202];
  memset(long_name, 'x', 201), long_name[201] = '\0';
  CU_ASSERT_EQUAL(glab_model_set_name(named, long_name), GLAB_ERR_ARG);
  CU_ASSERT_EQUAL(glab_model_set_name(named, "depth 4, seed 1"), GLAB_OK);
  CU_ASSERT_STRING_EQUAL(glab_model_name(named), "depth 4, seed 1");
  char buf[8], *heap;
  const char *s = glab_model_row_layer(named, "3.1", buf, sizeof buf, &heap);
  CU_ASSERT(s && heap == s && !strcmp(s, "depth 4, seed 1/3.1")); /* past buf: malloc'ed */
  free(heap);
  CU_ASSERT_STRING_EQUAL(glab_model_row_layer(plain, "3.1", buf, sizeof buf, &heap), "3.1");
  CU_ASSERT_PTR_NULL(heap);

  char dir[] = "/tmp/glab_names_XXXXXX";
  glab_runlog *log = glab_runlog_create(mkdtemp(dir), NULL);
  glab_dataset *xor = glab_data_xor();
  glab_config *c = glab_config_create();
  glab_config_set_real(c, "lr", 0.1);
  glab_optimizer *opt = glab_optimizer_create(plugins, "sgd", c);
  glab_config_destroy(c);
  glab_model *models[2] = {named, plain};
  for (int i = 0; i < 2; i++) {
    glab_trainer *tr = glab_trainer_create(models[i]);
    glab_train_opts o;
    glab_train_opts_init(&o);
    o.trainer = tr, o.data = xor, o.loss = GLAB_LOSS_MSE, o.optimizer = opt;
    o.epochs = 2, o.batch = 4, o.record_every = 1, o.runlog = log;
    glab_train_result res;
    int rc = glab_train(&o, &res);
    CU_ASSERT_EQUAL(rc, GLAB_OK);
    if (rc) fprintf(stderr, "model names: %s\n", glab_last_error());
    glab_trainer_destroy(tr);
  }
  CU_ASSERT_EQUAL(glab_runlog_flush(log, 1), GLAB_OK);
  char path[128];
  snprintf(path, sizeof path, "%s/metrics.csv", dir);
  /* per step: 9 stats of output_grad, weight, weight.grad, bias, bias.grad + 2 update stats x 2 */
  int per_layer = lines_with(path, ",\"depth 4, seed 1/1\",");
  CU_ASSERT(per_layer > 0);
  CU_ASSERT_EQUAL(lines_with(path, ",1,output_grad,"), lines_with(path, "seed 1/1\",output_grad,"));
  CU_ASSERT_EQUAL(lines_with(path, ",\"depth 4, seed 1/model\",loss,value,"), 2);
  CU_ASSERT_EQUAL(lines_with(path, ",model,loss,value,"), 2);
  CU_ASSERT_EQUAL(lines_with(path, ",model,loss,epoch_mean,"), 2);
  glab_runlog_destroy(log);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
  glab_dataset_destroy(xor);
  glab_optimizer_destroy(opt);
  glab_model_destroy(named);
  glab_model_destroy(plain);
}

/* The shipped rnn reports ||dL/dh_t|| for every t: with L = sum(h_T), dL/dh_T is all ones. */
static void test_rnn_time_steps(void) {
  if (!plugins) {
    CU_FAIL("plugins not loaded");
    return;
  }
  glab_seed(5);
  glab_config *c = glab_config_create();
  glab_config_set_int(c, "inputs", 2);
  glab_config_set_int(c, "hidden", 3);
  glab_layer *rnn = glab_layer_create(plugins, "rnn", c, NULL, 0);
  glab_config_destroy(c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rnn);
  glab_model *m = model_of(rnn, NULL);
  glab_trainer *tr = glab_trainer_create(m);
  int shape[3] = {5, 4, 2}; /* T=5, B=4, F=2 */
  glab_tensor *x = glab_tensor_create(3, shape);
  for (size_t i = 0; i < x->size; i++)
    x->data[i] = (glab_real)(0.1 * (double)(i % 7) - 0.3);
  glab_var *y = glab_trainer_forward(tr, x);
  glab_var *loss = glab_sum(glab_trainer_tape(tr), y);
  CU_ASSERT_EQUAL_FATAL(glab_trainer_backward(tr, loss), GLAB_OK);
  const glab_layer_record *r = glab_recorder_latest(glab_trainer_recorder(tr), 0);
  CU_ASSERT_EQUAL_FATAL(r->ntime, 5);
  CU_ASSERT(fabs(r->time[4].norm - sqrt(12.0)) < 1e-5);
  for (int t = 0; t < 4; t++)
    CU_ASSERT(r->time[t].norm > 0 && isfinite(r->time[t].norm));
  CU_ASSERT_EQUAL(r->time[0].count, 12);
  double h[1];
  CU_ASSERT_EQUAL(
      glab_recorder_history(glab_trainer_recorder(tr), 0, "time.5.norm", h, NULL, NULL, 1), 1);
  CU_ASSERT(fabs(h[0] - sqrt(12.0)) < 1e-5);
  glab_tensor_destroy(x);
  glab_trainer_destroy(tr);
  glab_model_destroy(m);
}

/* 4 items of 2 features, real targets of width 2. */
static glab_dataset *tiny_data(double fill) {
  int shape[1] = {2};
  glab_real in[8], tg[8];
  for (int i = 0; i < 8; i++)
    in[i] = (glab_real)fill, tg[i] = 0;
  return glab_dataset_from_arrays(4, 1, shape, 0, in, GLAB_TARGET_REAL, 2, tg, NULL);
}

static int run(glab_model *m, glab_dataset *ds, glab_nonfinite_policy p, long every,
               glab_train_result *res, glab_runlog *log) {
  glab_optimizer *opt = mk_tsgd(reg, 0.1);
  glab_train_opts o;
  glab_train_opts_init(&o);
  o.model = m;
  o.data = ds;
  o.optimizer = opt;
  o.epochs = 3;
  o.batch = 2;
  o.on_nonfinite = p;
  o.record_every = every;
  o.runlog = log;
  int rc = glab_train(&o, res);
  glab_optimizer_destroy(opt);
  return rc;
}

static void test_loss_event(void) {
  glab_model *m = model_of(mk_scale(reg, 2, 1), NULL);
  glab_model_params(m)[0]->value.data[1] = NAN;
  glab_dataset *ds = tiny_data(1);
  glab_train_result res;
  char dir[] = "/tmp/glab_ev_XXXXXX";
  glab_runlog *log = glab_runlog_create(mkdtemp(dir), NULL);
  CU_ASSERT_EQUAL(run(m, ds, GLAB_NONFINITE_STOP, 1, &res, log), GLAB_OK);
  CU_ASSERT_EQUAL(res.stopped, GLAB_STOP_NONFINITE);
  CU_ASSERT_EQUAL(res.steps, 1);
  CU_ASSERT_EQUAL(res.nevents, 1);
  CU_ASSERT_STRING_EQUAL(res.first_event.layer, "model");
  CU_ASSERT_STRING_EQUAL(res.first_event.tensor, "loss");
  CU_ASSERT_EQUAL(res.first_event.step, 1);
  cJSON *events = cJSON_GetObjectItem(glab_runlog_summary(log), "events");
  CU_ASSERT_EQUAL(cJSON_GetArraySize(events), 1);
  glab_runlog_destroy(log);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);

  CU_ASSERT_EQUAL(run(m, ds, GLAB_NONFINITE_RAISE, 1, &res, NULL), GLAB_ERR_NONFINITE);
  CU_ASSERT(strstr(glab_last_error(), "step 1") && strstr(glab_last_error(), "loss"));

  CU_ASSERT_EQUAL(run(m, ds, GLAB_NONFINITE_CONTINUE, 1, &res, NULL), GLAB_OK);
  CU_ASSERT_EQUAL(res.stopped, GLAB_STOP_DONE);
  CU_ASSERT_EQUAL(res.steps, 6);
  CU_ASSERT_EQUAL(res.nevents, 6);
  CU_ASSERT_EQUAL(res.epochs, 3);
  glab_dataset_destroy(ds);
  glab_model_destroy(m);
}

/* sqrt at 0: finite loss, non-finite gradient below it. */
static void test_gradient_event(void) {
  glab_model *m = model_of(mk_scale(reg, 2, 1), mk_plain(reg, "tsqrt"));
  glab_dataset *ds = tiny_data(0);
  glab_train_result res;
  /* recorded: found in the captured statistics, the layer nearest the loss first; the summary
   * holds the event once */
  for (long every = 1; every >= 0; every--) {
    char dir[] = "/tmp/glab_gev_XXXXXX";
    glab_runlog *log = glab_runlog_create(mkdtemp(dir), NULL);
    CU_ASSERT_EQUAL(run(m, ds, GLAB_NONFINITE_STOP, every, &res, log), GLAB_OK);
    CU_ASSERT_EQUAL(res.stopped, GLAB_STOP_NONFINITE);
    CU_ASSERT_EQUAL(res.nevents, 1);
    CU_ASSERT_STRING_EQUAL(res.first_event.layer, "1");
    /* not recorded: found by the optimizer's check, placed on the parameter */
    CU_ASSERT_STRING_EQUAL(res.first_event.tensor, every ? "output_grad" : "params.w.grad");
    cJSON *events = cJSON_GetObjectItem(glab_runlog_summary(log), "events");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(events), 1);
    cJSON *msg = cJSON_GetObjectItem(cJSON_GetArrayItem(events, 0), "message");
    CU_ASSERT(cJSON_IsString(msg) && strstr(msg->valuestring, "(policy stop)"));
    glab_runlog_destroy(log);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
  }
  /* continue: no update is ever applied */
  CU_ASSERT_EQUAL(run(m, ds, GLAB_NONFINITE_CONTINUE, 0, &res, NULL), GLAB_OK);
  CU_ASSERT_EQUAL(res.nevents, 6);
  CU_ASSERT_EQUAL(glab_model_params(m)[0]->value.data[0], 1);
  glab_dataset_destroy(ds);
  glab_model_destroy(m);
}

typedef struct cb_state {
  int steps, epochs, stop_at, abort_at;
} cb_state;

static int on_step(void *ctx, const glab_step_info *info) {
  cb_state *s = ctx;
  s->steps++;
  CU_ASSERT(isfinite(info->loss) && info->items == 2);
  if (s->abort_at && info->step == s->abort_at) {
    glab_error(GLAB_ERR_ARG, "script.lua:3: boom");
    return GLAB_TRAIN_ABORT;
  }
  return info->step == s->stop_at ? GLAB_TRAIN_STOP : GLAB_TRAIN_CONTINUE;
}

static int on_epoch(void *ctx, const glab_epoch_info *info) {
  cb_state *s = ctx;
  s->epochs++;
  CU_ASSERT(info->loss >= 0);
  return GLAB_TRAIN_CONTINUE;
}

static void test_callbacks(void) {
  glab_model *m = model_of(mk_scale(reg, 2, 1), NULL);
  glab_dataset *ds = tiny_data(1);
  glab_optimizer *opt = mk_tsgd(reg, 0.01);
  glab_train_opts o;
  glab_train_opts_init(&o);
  o.model = m;
  o.data = ds;
  o.optimizer = opt;
  o.epochs = 5;
  o.batch = 2;
  o.on_step = on_step;
  o.on_epoch = on_epoch;
  cb_state st = {0, 0, 0, 0};
  o.ctx = &st;
  glab_train_result res;
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_OK);
  CU_ASSERT_EQUAL(st.steps, 10);
  CU_ASSERT_EQUAL(st.epochs, 5);
  CU_ASSERT(res.loss < 1);
  st = (cb_state){0, 0, 3, 0};
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_OK);
  CU_ASSERT_EQUAL(res.stopped, GLAB_STOP_CALLBACK);
  CU_ASSERT_EQUAL(res.steps, 3);
  st = (cb_state){0, 0, 0, 2};
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_ERR_ARG);
  CU_ASSERT_STRING_EQUAL(glab_last_error(), "script.lua:3: boom");
  /* bad options */
  o.optimizer = NULL;
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_ERR_ARG);
  CU_ASSERT(strstr(glab_last_error(), "optimizer") != NULL);
  o.optimizer = opt;
  o.loss = GLAB_LOSS_CROSS_ENTROPY;
  CU_ASSERT_NOT_EQUAL(glab_train(&o, &res), GLAB_OK);
  CU_ASSERT(strstr(glab_last_error(), "class") != NULL);
  glab_optimizer_destroy(opt);
  glab_dataset_destroy(ds);
  glab_model_destroy(m);
}

/* drop_last: 4 items in batches of 3 give 3+1 per epoch, or only the full 3 with drop_last. */
static int count_items(void *ctx, const glab_step_info *info) {
  size_t *seen = ctx;
  seen[0]++;
  seen[1] += info->items;
  if (info->items != 3) seen[2]++;
  return GLAB_TRAIN_CONTINUE;
}

static void test_drop_last(void) {
  glab_model *m = model_of(mk_scale(reg, 2, 1), NULL);
  glab_dataset *ds = tiny_data(1);
  glab_optimizer *opt = mk_tsgd(reg, 0.01);
  glab_train_opts o;
  glab_train_opts_init(&o);
  CU_ASSERT_EQUAL(o.drop_last, 0);
  o.model = m;
  o.data = ds;
  o.optimizer = opt;
  o.epochs = 2;
  o.batch = 3;
  o.on_step = count_items;
  size_t seen[3] = {0, 0, 0};
  o.ctx = seen;
  glab_train_result res;
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_OK);
  CU_ASSERT_EQUAL(res.steps, 4);
  CU_ASSERT_EQUAL(seen[1], 8);
  CU_ASSERT_EQUAL(seen[2], 2);
  o.drop_last = 1;
  memset(seen, 0, sizeof seen);
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_OK);
  CU_ASSERT_EQUAL(res.steps, 2);
  CU_ASSERT_EQUAL(res.epochs, 2);
  CU_ASSERT_EQUAL(seen[1], 6);
  CU_ASSERT_EQUAL(seen[2], 0);
  o.batch = 4; /* exactly the dataset: nothing dropped */
  memset(seen, 0, sizeof seen);
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_OK);
  CU_ASSERT_EQUAL(res.steps, 2);
  CU_ASSERT_EQUAL(seen[1], 8);
  o.batch = 5; /* no full batch left */
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_ERR_ARG);
  CU_ASSERT(strstr(glab_last_error(), "drop_last") != NULL);
  o.drop_last = 0; /* without drop_last the batch is clamped to the dataset */
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_OK);
  CU_ASSERT_EQUAL(res.steps, 2);
  glab_optimizer_destroy(opt);
  glab_dataset_destroy(ds);
  glab_model_destroy(m);
}

/* clip_norm/clip_value of glab_train: a negative (or infinite) one is an error naming the option
 * before anything trains (glab_optimizer_set_clipping turned it into "off"); 0 is off, and the
 * one not given is off when the other is. */
static void test_clip_options(void) {
  glab_model *m = model_of(mk_scale(reg, 2, 1), NULL);
  glab_dataset *ds = tiny_data(1);
  glab_optimizer *opt = mk_tsgd(reg, 0.01);
  glab_train_opts o;
  glab_train_opts_init(&o);
  o.model = m;
  o.data = ds;
  o.optimizer = opt;
  o.batch = 2;
  glab_train_result res;
  o.clip_norm = -1;
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_ERR_ARG);
  CU_ASSERT_STRING_EQUAL(glab_last_error(),
                         "tsgd: option 'clip_norm' must be a finite number >= 0 (0: off), got -1");
  CU_ASSERT_EQUAL(res.steps, 0);
  CU_ASSERT_EQUAL(glab_optimizer_steps(opt), 0);
  o.clip_norm = NAN;
  o.clip_value = -0.25;
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_ERR_ARG);
  CU_ASSERT(strstr(glab_last_error(), "option 'clip_value' must be a finite number >= 0") &&
            strstr(glab_last_error(), "got -0.25"));
  o.clip_value = INFINITY;
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_ERR_ARG);
  CU_ASSERT(strstr(glab_last_error(), "'clip_value'") && strstr(glab_last_error(), "got inf"));
  CU_ASSERT_EQUAL(glab_optimizer_steps(opt), 0);
  o.clip_value = 0; /* off; clip_norm not given: off too */
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_OK);
  CU_ASSERT_EQUAL(res.steps, 2);
  o.clip_norm = 1;
  o.clip_value = NAN;
  CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_OK);
  glab_optimizer_destroy(opt);
  glab_dataset_destroy(ds);
  glab_model_destroy(m);
}

/* mse/bce on class labels with one output: the label itself is the 0/1 target, meant for 2
 * classes only; for 3 classes glab_train and glab_evaluate refuse it naming the loss, the
 * classes and the output (they trained against the raw index 2). K outputs take one-hot rows. */
static void test_class_targets(void) {
  if (!plugins) {
    CU_FAIL("plugins not loaded");
    return;
  }
  glab_dataset *three = glab_data_blobs(12, 3, 2, 1, 7), *two = glab_data_blobs(12, 2, 2, 1, 7);
  CU_ASSERT_PTR_NOT_NULL_FATAL(three);
  CU_ASSERT_PTR_NOT_NULL_FATAL(two);
  glab_config *c = glab_config_create();
  glab_config_set_real(c, "lr", 0.1);
  glab_optimizer *opt = glab_optimizer_create(plugins, "sgd", c);
  glab_config_destroy(c);
  CU_ASSERT_PTR_NOT_NULL_FATAL(opt);
  glab_model *one = model_of(dense(2, 1), NULL), *k3 = model_of(dense(2, 3), NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(one);
  CU_ASSERT_PTR_NOT_NULL_FATAL(k3);
  const glab_loss_kind kinds[2] = {GLAB_LOSS_MSE, GLAB_LOSS_BCE};
  for (int i = 0; i < 2; i++) {
    glab_train_opts o;
    glab_train_opts_init(&o);
    o.model = one;
    o.data = three;
    o.optimizer = opt;
    o.loss = kinds[i];
    o.batch = 4;
    glab_train_result res;
    CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_ERR_SHAPE);
    CU_ASSERT_EQUAL(res.steps, 0);
    const char *e = glab_last_error();
    char want[64];
    snprintf(want, sizeof want, "loss '%s' on class labels", glab_loss_name(kinds[i]));
    CU_ASSERT(strstr(e, want) != NULL);
    CU_ASSERT(strstr(e, "the data has 3 classes and the model gives 1 output per item") != NULL);
    CU_ASSERT(strstr(e, "(output [4][1])") != NULL);
    CU_ASSERT(strstr(e, "2 classes only") != NULL);
    if (!strstr(e, want)) fprintf(stderr, "class targets: %s\n", e);
    glab_eval_result ev;
    CU_ASSERT_EQUAL(glab_evaluate(one, three, kinds[i], 0, &ev), GLAB_ERR_SHAPE);
    CU_ASSERT(strstr(glab_last_error(), want) != NULL);
    CU_ASSERT(strstr(glab_last_error(), "3 classes") != NULL);
    /* 2 classes with one output, and 3 classes with 3 outputs, train */
    o.data = two;
    CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_OK);
    CU_ASSERT_EQUAL(res.steps, 3);
    CU_ASSERT_EQUAL(glab_evaluate(one, two, kinds[i], 0, &ev), GLAB_OK);
    o.model = k3;
    o.data = three;
    CU_ASSERT_EQUAL(glab_train(&o, &res), GLAB_OK);
    CU_ASSERT_EQUAL(glab_evaluate(k3, three, kinds[i], 0, &ev), GLAB_OK);
    CU_ASSERT(ev.accuracy >= 0 && ev.accuracy <= 1);
  }
  glab_model_destroy(one);
  glab_model_destroy(k3);
  glab_optimizer_destroy(opt);
  glab_dataset_destroy(three);
  glab_dataset_destroy(two);
}

int main(void) {
  reg = local_registry();
  plugins = glab_registry_create();
  if (glab_plugins_load_default(plugins, NULL, 0) != GLAB_OK ||
      !glab_registry_layer(plugins, "dense")) {
    fprintf(stderr, "cannot load the plugins: %s\n", glab_last_error());
    glab_registry_destroy(plugins);
    plugins = NULL;
  }
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("stats_train", NULL, NULL);
  CU_add_test(s, "xor to mse < 0.05", test_xor);
  CU_add_test(s, "rnn time steps", test_rnn_time_steps);
  CU_add_test(s, "named models in metrics.csv", test_model_names);
  CU_add_test(s, "loss event policies", test_loss_event);
  CU_add_test(s, "gradient events", test_gradient_event);
  CU_add_test(s, "callbacks", test_callbacks);
  CU_add_test(s, "drop_last", test_drop_last);
  CU_add_test(s, "mse/bce on class labels need 2 classes for one output", test_class_targets);
  CU_add_test(s, "clip_norm/clip_value: negative is an error", test_clip_options);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  glab_registry_destroy(plugins);
  glab_registry_destroy(reg);
  return failed ? 1 : 0;
}
