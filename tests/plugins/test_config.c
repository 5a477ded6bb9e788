/* test_config.c — typed configs and their validation against option tables (suggestions,
 * kinds, required options, defaults from text), initializers, and layer instances: naming of
 * children, training mode, parameter layouts and the semantics of each shipped layer. */
#include <stdlib.h>

#include "plugtest.h"

static glab_registry *reg;

static int setup(void) {
  reg = glab_registry_create();
  return glab_plugins_load_default(reg, NULL, 0) != GLAB_OK;
}
static int teardown(void) {
  glab_registry_destroy(reg);
  return 0;
}

static const glab_option opts[] = {{"units", GLAB_OPT_INT, NULL, "how many"},
                                   {"rate", GLAB_OPT_REAL, "0.5", "a rate"},
                                   {"flag", GLAB_OPT_BOOL, "true", "a flag"},
                                   {"label", GLAB_OPT_STRING, "x", "a label"},
                                   {"sizes", GLAB_OPT_INTS, "1,2,3", "a list"},
                                   {"init", GLAB_OPT_INIT, "normal(0.1)", "an initializer"},
                                   {"cut", GLAB_OPT_REAL, "", "optional"},
                                   GLAB_OPTIONS_END};

static void test_validate(void) {
  glab_config *c = glab_config_create();
  glab_config_set_int(c, "unit", 3);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: unknown option 'unit'; did you mean 'units'?");
  glab_config_destroy(c);

  c = glab_config_create();
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: missing required option 'units'");
  glab_config_set_real(c, "units", 4.0); /* integral real accepted for an int */
  glab_config_set_int(c, "rate", 2);     /* int accepted for a real */
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_OK);
  CU_ASSERT_EQUAL(glab_config_kind(c, "units"), GLAB_OPT_INT);
  CU_ASSERT_EQUAL(glab_config_int(c, "units"), 4);
  CU_ASSERT_EQUAL(glab_config_real(c, "rate"), 2.0);
  CU_ASSERT_EQUAL(glab_config_bool(c, "flag"), 1);
  CU_ASSERT_STRING_EQUAL(glab_config_string(c, "label"), "x");
  int n;
  const long *s = glab_config_ints(c, "sizes", &n);
  CU_ASSERT(n == 3 && s && s[0] == 1 && s[2] == 3);
  const glab_init *in = glab_config_init(c, "init");
  CU_ASSERT(in && !strcmp(in->name, "normal") && in->std == 0.1);
  CU_ASSERT(isnan(glab_config_real(c, "cut")));
  CU_ASSERT_EQUAL(glab_config_count(c), 7);
  char buf[64];
  CU_ASSERT_STRING_EQUAL(glab_config_value_text(c, "sizes", buf, sizeof buf), "1,2,3");
  CU_ASSERT_STRING_EQUAL(glab_config_value_text(c, "init", buf, sizeof buf),
                         "normal(0.10000000000000001)");
  glab_config *copy = glab_config_copy(c);
  CU_ASSERT_EQUAL(glab_config_int(copy, "units"), 4);
  glab_config_destroy(copy);

  glab_config_set_real(c, "units", 4.5);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("option 'units' expects an integer, got a number");
  glab_config_set_int(c, "units", 4);
  glab_config_set_string(c, "flag", "yes");
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("option 'flag' expects a boolean, got a string");
  glab_config_set_bool(c, "flag", 0);
  glab_config_set_string(c, "init", "xavier_unifrom");
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("unknown initializer 'xavier_unifrom'; did you mean 'xavier_uniform'?");
  glab_config_set_string(c, "init", "constant(0.25)");
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_OK);
  CU_ASSERT_EQUAL(glab_config_init(c, "init")->value, 0.25);
  glab_config_destroy(c);

  c = glab_config_create();
  CU_ASSERT_EQUAL(glab_config_set_pairs(c, opts, "thing", "units=3 rate=1e-3; flag=false"),
                  GLAB_OK);
  CU_ASSERT_EQUAL(glab_config_set_pairs(c, opts, "thing", "ratee=1"), GLAB_ERR_ARG);
  PT_MSG_HAS("did you mean 'rate'?");
  CU_ASSERT_EQUAL(glab_config_set_pairs(c, opts, "thing", "units=three"), GLAB_ERR_ARG);
  PT_MSG_HAS("'three' is not an integer");
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_OK);
  CU_ASSERT_EQUAL(glab_config_real(c, "rate"), 1e-3);
  CU_ASSERT_EQUAL(glab_config_bool(c, "flag"), 0);
  CU_ASSERT_PTR_NULL(glab_option_suggest(opts, "zzzzzz"));
  glab_config_destroy(c);

  /* integer options are C ints for the types: 2^32 + 3 is refused, never read as 3 */
  c = glab_config_create();
  glab_config_set_int(c, "units", 4294967299L);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: option 'units' is 4294967299, outside the range of integer options");
  glab_config_set_real(c, "units", 2147483648.0);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("option 'units' is 2147483648, outside");
  glab_config_set_int(c, "units", 2147483647L);
  long big[2] = {1, -4294967296L};
  glab_config_set_ints(c, "sizes", big, 2);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("option 'sizes': entry 2 is -4294967296, outside");
  big[1] = 2;
  glab_config_set_ints(c, "sizes", big, 2);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_OK);
  glab_config_destroy(c);
}

/* Sample moments of n values: mean, variance, kurtosis (m4/var²: 3 normal, 1.8 uniform). */
typedef struct moments {
  double mean, var, kurt, lo, hi;
} moments;

static moments moments_of(const glab_real *x, size_t n) {
  moments m = {0, 0, 0, INFINITY, -INFINITY};
  for (size_t i = 0; i < n; i++) {
    m.mean += x[i];
    m.lo = fmin(m.lo, x[i]);
    m.hi = fmax(m.hi, x[i]);
  }
  m.mean /= (double)n;
  double m4 = 0;
  for (size_t i = 0; i < n; i++) {
    double d = x[i] - m.mean;
    m.var += d * d;
    m4 += d * d * d * d;
  }
  m.var /= (double)n;
  m.kurt = m4 / (double)n / (m.var * m.var);
  return m;
}

/* The distribution, not only its first two moments: mean, variance (±5%), kurtosis (normal
 * 3, uniform 1.8; ±0.3, about 9 standard errors at n = 20000), and a uniform's range reached
 * at both ends. */
static void check_distribution(const char *what, const glab_real *x, size_t n, double mean,
                               double var, int uniform, double lo, double hi) {
  moments m = moments_of(x, n);
  double kurt = uniform ? 1.8 : 3.0, sd = sqrt(var);
  int ok_mean = fabs(m.mean - mean) <= 0.1 * sd, ok_var = fabs(m.var / var - 1) <= 0.05;
  int ok_kurt = fabs(m.kurt - kurt) <= 0.3, ok_range = m.lo >= lo && m.hi <= hi;
  if (uniform)
    ok_range = ok_range && m.lo <= lo + 0.01 * (hi - lo) && m.hi >= hi - 0.01 * (hi - lo);
  if (!(ok_mean && ok_var && ok_kurt && ok_range))
    printf("\n  %s: mean %g var %g kurtosis %g range [%g, %g] (want %g %g %g [%g, %g])\n", what,
           m.mean, m.var, m.kurt, m.lo, m.hi, mean, var, kurt, lo, hi);
  CU_ASSERT(ok_mean);
  CU_ASSERT(ok_var);
  CU_ASSERT(ok_kurt);
  CU_ASSERT(ok_range);
}

static void test_initializers(void) {
  int shape[2] = {200, 100};
  glab_tensor *t = glab_tensor_create(2, shape);
  glab_rng rng;
  glab_rng_seed(&rng, 1, 1);
  struct {
    const char *name;
    double mean, var;
    int uniform;
    double lo, hi;
  } cases[] = {
      {"uniform01", 0.5, 1.0 / 12, 1, 0, 1},
      {"normal", 0, 1, 0, -10, 10},
      {"normal_scaled", 0, 1.0 / 200, 0, -1, 1},
      {"xavier_uniform", 0, 6.0 / 300 / 3, 1, -sqrt(6.0 / 300), sqrt(6.0 / 300)},
      {"xavier_normal", 0, 2.0 / 300, 0, -1, 1},
      {"he_normal", 0, 2.0 / 200, 0, -1, 1},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    glab_init in;
    CU_ASSERT_EQUAL_FATAL(glab_init_parse(cases[k].name, &in), GLAB_OK);
    CU_ASSERT_EQUAL(glab_init_apply(&in, t, 200, 100, &rng), GLAB_OK);
    check_distribution(cases[k].name, t->data, t->size, cases[k].mean, cases[k].var,
                       cases[k].uniform, cases[k].lo, cases[k].hi);
  }
  glab_init in;
  /* constant, zeros: every element set (each fill starts from the previous one's values) */
  glab_init_parse("constant", &in);
  in.value = 0.75;
  glab_init_apply(&in, t, 1, 1, &rng);
  size_t bad = 0;
  for (size_t i = 0; i < t->size; i++)
    bad += t->data[i] != 0.75f;
  CU_ASSERT_EQUAL(bad, 0);
  glab_init_parse("zeros", &in);
  glab_init_apply(&in, t, 1, 1, &rng);
  bad = 0;
  for (size_t i = 0; i < t->size; i++)
    bad += t->data[i] != 0;
  CU_ASSERT_EQUAL(bad, 0);
  glab_init_parse("normal", &in);
  in.std = 0.01;
  glab_init_apply(&in, t, 1, 1, &rng);
  double s2 = 0;
  for (size_t i = 0; i < t->size; i++)
    s2 += (double)t->data[i] * t->data[i];
  CU_ASSERT(fabs(sqrt(s2 / t->size) / 0.01 - 1) < 0.05);
  check_distribution("normal(0.01)", t->data, t->size, 0, 1e-4, 0, -1, 1);
  glab_init_parse("constant", &in); /* constant without a value is 0 */
  glab_init_apply(&in, t, 1, 1, &rng);
  bad = 0;
  for (size_t i = 0; i < t->size; i++)
    bad += t->data[i] != 0;
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_EQUAL(glab_init_parse("gaussian", &in), GLAB_ERR_ARG);
  glab_init_parse("he_normal", &in);
  CU_ASSERT_EQUAL(glab_init_apply(&in, t, 0, 0, &rng), GLAB_ERR_ARG);
  glab_tensor_destroy(t);
}

/* A layer's init options reach its parameters with the layer's fans: dense passes
 * fan_in = inputs, fan_out = outputs (he_normal and normal_scaled would show a swap). */
static void test_layer_initializers(void) {
  struct {
    const char *opts;
    double var;
    int uniform;
    double bound;
  } cases[] = {
      {"inputs=200 outputs=100", 6.0 / 300 / 3, 1, sqrt(6.0 / 300)}, /* default xavier_uniform */
      {"inputs=200 outputs=100 init=he_normal", 2.0 / 200, 0, 1},
      {"inputs=200 outputs=100 init=normal_scaled", 1.0 / 200, 0, 1},
      {"inputs=100 outputs=200 init=he_normal", 2.0 / 100, 0, 1},
      {"inputs=200 outputs=100 init=xavier_normal", 2.0 / 300, 0, 1},
      {"inputs=200 outputs=100 init=normal(0.05)", 0.05 * 0.05, 0, 1},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    glab_layer *l = pt_layer(reg, "dense", cases[k].opts, NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    glab_var *w = glab_layer_param(l, "weight"), *b = glab_layer_param(l, "bias");
    check_distribution(cases[k].opts, w->value.data, w->value.size, 0, cases[k].var,
                       cases[k].uniform, -cases[k].bound, cases[k].bound);
    for (size_t i = 0; i < b->value.size; i++) /* bias_init zeros by default */
      CU_ASSERT_EQUAL(b->value.data[i], 0);
    glab_layer_destroy(l);
  }
}

/* dense: y = x·W + b with W [inputs][outputs] exactly as np.dot(x, W) */
static void test_dense_layout(void) {
  glab_layer *l =
      pt_layer(reg, "dense", "inputs=2 outputs=3 init=uniform01 bias_init=constant(0.5)", NULL, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  glab_var *w = glab_layer_param(l, "weight"), *b = glab_layer_param(l, "bias");
  CU_ASSERT(w && w->value.ndim == 2 && w->value.shape[0] == 2 && w->value.shape[1] == 3);
  CU_ASSERT(b && b->value.ndim == 1 && b->value.shape[0] == 3 && b->value.data[2] == 0.5f);
  for (int i = 0; i < 6; i++)
    w->value.data[i] = (glab_real)(i + 1); /* [[1,2,3],[4,5,6]] */
  glab_tape *t = glab_tape_create();
  int xs[2] = {1, 2};
  glab_var *x = glab_tape_leaf(t, 2, xs, 0);
  x->value.data[0] = 1;
  x->value.data[1] = -1;
  glab_var *y = glab_layer_forward(l, t, x);
  CU_ASSERT_PTR_NOT_NULL_FATAL(y);
  CU_ASSERT(y->value.data[0] == -2.5f && y->value.data[1] == -2.5f && y->value.data[2] == -2.5f);
  CU_ASSERT_PTR_EQUAL(glab_layer_output(l), y);
  CU_ASSERT_PTR_EQUAL(glab_layer_input(l), x);
  int bad[2] = {1, 3};
  CU_ASSERT_PTR_NULL(glab_layer_forward(l, t, glab_tape_leaf(t, 2, bad, 0)));
  PT_MSG_HAS("has 3 features, expected inputs=2");
  glab_tape_destroy(t);
  glab_layer_destroy(l);

  CU_ASSERT_PTR_NULL(pt_layer(reg, "dense", "inputs=2 output=3", NULL, 0));
  PT_MSG_HAS("dense: unknown option 'output'; did you mean 'outputs'?");
  glab_config *cfg = glab_config_create();
  glab_config_set_int(cfg, "inputs", 2);
  glab_config_set_int(cfg, "outputs", 2);
  glab_config_set_string(cfg, "init", "xavier");
  CU_ASSERT_PTR_NULL(glab_layer_create(reg, "dense", cfg, NULL, 0));
  PT_MSG_HAS("unknown initializer 'xavier'");
  glab_config_set_string(cfg, "init", "he_normal");
  glab_config_set_bool(cfg, "bias", 0);
  l = glab_layer_create(reg, "dense", cfg, NULL, 0);
  CU_ASSERT_PTR_NOT_NULL(l);
  CU_ASSERT_EQUAL(glab_layer_nparams(l), 1);
  CU_ASSERT_PTR_NULL(glab_layer_param(l, "bias"));
  glab_layer_destroy(l);
  CU_ASSERT_PTR_NULL(glab_layer_create(reg, "dens", cfg, NULL, 0));
  PT_MSG_HAS("unknown layer type 'dens'; did you mean 'dense'?");
  glab_config_destroy(cfg);
}

static void test_batchnorm(void) {
  glab_layer *l = pt_layer(reg, "batchnorm", "features=2 momentum=0.1", NULL, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  const char *name;
  int is_buf;
  CU_ASSERT_EQUAL(glab_layer_nparams(l), 4);
  glab_layer_param_at(l, 2, &name, &is_buf);
  CU_ASSERT(!strcmp(name, "running_mean") && is_buf);
  glab_var *rm = glab_layer_param(l, "running_mean"), *rv = glab_layer_param(l, "running_var");
  glab_tape *t = glab_tape_create();
  int xs[2] = {4, 2};
  glab_var *x = glab_tape_leaf(t, 2, xs, 0);
  const glab_real xv[8] = {1, 10, 2, 20, 3, 30, 4, 40}; /* feature 0: mean 2.5, var 1.25 */
  memcpy(x->value.data, xv, sizeof xv);
  glab_var *y = glab_layer_forward(l, t, x);
  CU_ASSERT_PTR_NOT_NULL_FATAL(y);
  PT_CLOSE(y->value.data[0], -1.5 / sqrt(1.25 + 1e-5), 1e-5);
  PT_CLOSE(y->value.data[7], 15 / sqrt(125 + 1e-5), 1e-5);
  /* running = 0.9·running + 0.1·batch, with the unbiased variance (1.25·4/3) */
  PT_CLOSE(rm->value.data[0], 0.25, 1e-6);
  PT_CLOSE(rm->value.data[1], 2.5, 1e-6);
  PT_CLOSE(rv->value.data[0], 0.9 + 0.1 * 1.25 * 4 / 3, 1e-6);
  PT_CLOSE(rv->value.data[1], 0.9 + 0.1 * 125 * 4 / 3, 1e-5);
  /* evaluation: running statistics, and they stay put */
  glab_layer_set_training(l, 0);
  glab_tape_reset(t);
  x = glab_tape_leaf(t, 2, xs, 0);
  memcpy(x->value.data, xv, sizeof xv);
  y = glab_layer_forward(l, t, x);
  CU_ASSERT_PTR_NOT_NULL_FATAL(y);
  PT_CLOSE(y->value.data[0], (1 - 0.25) / sqrt(rv->value.data[0] + 1e-5), 1e-5);
  PT_CLOSE(rm->value.data[0], 0.25, 1e-6);
  glab_tape_destroy(t);
  glab_layer_destroy(l);
}

static void test_recurrent(void) {
  glab_layer *l = pt_layer(reg, "lstm", "inputs=2 hidden=3 forget_bias=2.5", NULL, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  glab_var *b = glab_layer_param(l, "bias"), *wx = glab_layer_param(l, "w_x");
  glab_var *wh = glab_layer_param(l, "w_h");
  CU_ASSERT(b->value.shape[0] == 12 && wx->value.shape[0] == 2 && wx->value.shape[1] == 12);
  CU_ASSERT(wh->value.shape[0] == 3 && wh->value.shape[1] == 12);
  for (int j = 0; j < 12; j++)
    CU_ASSERT(b->value.data[j] == (j >= 3 && j < 6 ? 2.5f : 0.0f));
  /* with zero weights: i = f = o = σ(b), g = 0 → c = h = 0; with g's bias set: known values */
  memset(wx->value.data, 0, 24 * sizeof(glab_real));
  memset(wh->value.data, 0, 36 * sizeof(glab_real));
  for (int j = 0; j < 12; j++)
    b->value.data[j] = 0;
  for (int j = 6; j < 9; j++)
    b->value.data[j] = 1; /* g = tanh(1) */
  glab_tape *t = glab_tape_create();
  int xs[3] = {2, 1, 2};
  glab_var *x = glab_tape_leaf(t, 3, xs, 1);
  glab_var *h = glab_layer_forward(l, t, x);
  CU_ASSERT_PTR_NOT_NULL_FATAL(h);
  CU_ASSERT(h->value.ndim == 2 && h->value.shape[0] == 1 && h->value.shape[1] == 3);
  double c1 = 0.5 * tanh(1.0), h1 = 0.5 * tanh(c1), c2 = 0.5 * c1 + 0.5 * tanh(1.0);
  PT_CLOSE(h->value.data[0], 0.5 * tanh(c2), 1e-6);
  glab_var **steps;
  CU_ASSERT_EQUAL(glab_layer_steps(l, &steps), 2);
  PT_CLOSE(steps[0]->value.data[1], h1, 1e-6);
  CU_ASSERT_EQUAL(steps[1]->value.data[2], h->value.data[2]); /* a view of the last step */
  CU_ASSERT_EQUAL(steps[1]->value.size, h->value.size);
  /* the per-step nodes are views of the sequence output, with no buffer of their own */
  CU_ASSERT((steps[0]->flags & GLAB_VAR_VIEW) && (steps[1]->flags & GLAB_VAR_VIEW));
  CU_ASSERT(steps[1]->value.data == steps[0]->value.data + 3);
  /* ||dL/dh_t|| is the total derivative: h_1 gets a gradient through step 2 */
  CU_ASSERT_EQUAL(glab_backward(t, glab_sum(t, h)), GLAB_OK);
  CU_ASSERT_PTR_NOT_NULL_FATAL(steps[0]->grad);
  CU_ASSERT_PTR_NOT_NULL_FATAL(steps[1]->grad);
  CU_ASSERT_EQUAL(steps[1]->grad[0], 1); /* the last step: only the direct part */
  CU_ASSERT_EQUAL(steps[0]->grad[0], 0); /* W_h = 0: h_1 does not reach the loss */
  glab_tape_destroy(t);
  glab_layer_destroy(l);

  l = pt_layer(
      reg, "rnn",
      "inputs=1 hidden=1 return_sequence=true init=constant(0.5) recurrent_init=constant(2)", NULL,
      0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  t = glab_tape_create();
  int s3[3] = {3, 1, 1};
  x = glab_tape_leaf(t, 3, s3, 0);
  x->value.data[0] = 1;
  glab_var *y = glab_layer_forward(l, t, x);
  CU_ASSERT_PTR_NOT_NULL_FATAL(y);
  CU_ASSERT(y->value.ndim == 3 && y->value.shape[0] == 3);
  double r1 = tanh(0.5), r2 = tanh(2 * r1), r3 = tanh(2 * r2);
  PT_CLOSE(y->value.data[0], r1, 1e-6);
  PT_CLOSE(y->value.data[1], r2, 1e-6);
  PT_CLOSE(y->value.data[2], r3, 1e-6);
  CU_ASSERT_EQUAL(glab_layer_steps(l, NULL), 3);
  int s2[2] = {3, 1};
  CU_ASSERT_PTR_NULL(glab_layer_forward(l, t, glab_tape_leaf(t, 2, s2, 0)));
  PT_MSG_HAS("expected input [T][B][1]");
  glab_tape_destroy(t);
  glab_layer_destroy(l);
}

static double sigm(double z) {
  return 1 / (1 + exp(-z));
}

/* lstm against a direct transcription of LUA_API.md: pre = x_t·W_x + b + h_{t-1}·W_h with
 * W_x [inputs][4H], W_h [H][4H], b [4H] in blocks i, f, g, o; c_t = σ(f)·c_{t-1} + σ(i)·tanh(g),
 * h_t = σ(o)·tanh(c_t). Every weight differs, so any permutation of the gate blocks (or a
 * transposed layout) changes h. */
static void test_lstm_gate_order(void) {
  enum { I = 2, H = 2, G = 4 * H, T = 3, B = 2 };
  glab_layer *l = pt_layer(reg, "lstm", "inputs=2 hidden=2 return_sequence=true", NULL, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  glab_var *wx = glab_layer_param(l, "w_x"), *wh = glab_layer_param(l, "w_h");
  glab_var *b = glab_layer_param(l, "bias");
  double Wx[I][G], Wh[H][G], bias[G], x[T][B][I];
  for (int k = 0; k < G; k++) {
    for (int r = 0; r < I; r++)
      wx->value.data[r * G + k] = (glab_real)(Wx[r][k] = 0.1 * (k + 1) * (r ? -1 : 1) + 0.05 * r);
    for (int r = 0; r < H; r++)
      wh->value.data[r * G + k] = (glab_real)(Wh[r][k] = 0.3 * cos(1.3 * k + 2.1 * r));
    b->value.data[k] = (glab_real)(bias[k] = 0.4 * sin(0.9 * k + 0.2));
  }
  glab_tape *t = glab_tape_create();
  int xs[3] = {T, B, I};
  glab_var *xv = glab_tape_leaf(t, 3, xs, 0);
  for (int s = 0; s < T; s++)
    for (int n = 0; n < B; n++)
      for (int r = 0; r < I; r++)
        xv->value.data[(s * B + n) * I + r] = (glab_real)(x[s][n][r] = 0.5 * s - 0.7 * n + 0.3 * r);
  glab_var *y = glab_layer_forward(l, t, xv);
  CU_ASSERT_PTR_NOT_NULL_FATAL(y);
  double h[B][H] = {{0}}, c[B][H] = {{0}};
  for (int s = 0; s < T; s++) {
    double hn[B][H];
    for (int n = 0; n < B; n++) {
      double pre[G];
      for (int k = 0; k < G; k++) {
        pre[k] = bias[k];
        for (int r = 0; r < I; r++)
          pre[k] += x[s][n][r] * Wx[r][k];
        for (int r = 0; r < H; r++)
          pre[k] += h[n][r] * Wh[r][k];
      }
      for (int j = 0; j < H; j++) {
        double gi = sigm(pre[j]), gf = sigm(pre[H + j]), gg = tanh(pre[2 * H + j]);
        double go = sigm(pre[3 * H + j]);
        c[n][j] = gf * c[n][j] + gi * gg;
        hn[n][j] = go * tanh(c[n][j]);
        PT_CLOSE(y->value.data[(s * B + n) * H + j], hn[n][j], 1e-6);
      }
    }
    memcpy(h, hn, sizeof h);
  }
  glab_tape_destroy(t);
  glab_layer_destroy(l);
}

static void test_residual_and_names(void) {
  glab_layer *kids[2] = {pt_layer(reg, "dense", "inputs=4 outputs=4", NULL, 0),
                         pt_layer(reg, "relu", "", NULL, 0)};
  glab_layer *r = pt_layer(reg, "residual", "", kids, 2);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_EQUAL(glab_layer_nparams(r), 0); /* same width: no projection */
  glab_layer_set_name(r, "3");
  CU_ASSERT_STRING_EQUAL(glab_layer_name(glab_layer_child(r, 0)), "3.1");
  CU_ASSERT_STRING_EQUAL(glab_layer_name(glab_layer_child(r, 1)), "3.2");
  glab_var *ps[4];
  CU_ASSERT_EQUAL(glab_layer_collect_params(r, ps, 4), 2);
  CU_ASSERT_PTR_EQUAL(ps[0], glab_layer_param(glab_layer_child(r, 0), "weight"));
  /* y = x + relu(x·W + b): with W = 0, b = 0 it is x */
  glab_var *w = glab_layer_param(glab_layer_child(r, 0), "weight");
  memset(w->value.data, 0, 16 * sizeof(glab_real));
  glab_tape *t = glab_tape_create();
  int xs[2] = {1, 4};
  glab_var *x = glab_tape_leaf(t, 2, xs, 0);
  x->value.data[2] = 7;
  glab_var *y = glab_layer_forward(r, t, x);
  CU_ASSERT(y && y->value.data[2] == 7);
  CU_ASSERT_PTR_NOT_NULL(glab_layer_output(glab_layer_child(r, 1)));
  glab_layer_set_training(r, 0);
  CU_ASSERT_EQUAL(glab_layer_is_training(glab_layer_child(r, 1)), 0);
  glab_tape_destroy(t);
  glab_layer_destroy(r);

  glab_layer *k2[1] = {pt_layer(reg, "dense", "inputs=4 outputs=2", NULL, 0)};
  r = pt_layer(reg, "residual", "", k2, 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  glab_var *p = glab_layer_param(r, "proj");
  CU_ASSERT(p && p->value.shape[0] == 4 && p->value.shape[1] == 2);
  glab_layer_destroy(r);

  CU_ASSERT_PTR_NULL(pt_layer(reg, "residual", "", NULL, 0));
  PT_MSG_HAS("needs at least one child");
  glab_layer *k3[1] = {pt_layer(reg, "tanh", "", NULL, 0)};
  CU_ASSERT_PTR_NULL(pt_layer(reg, "dense", "inputs=1 outputs=1", k3, 1)); /* child freed */
  PT_MSG_HAS("takes no child layers");
}

/* Values no option can mean: non-finite reals set explicitly (from C, text or a copy), bad
 * initializer numbers; an empty default ("not set") stays allowed through copies. */
static void test_values(void) {
  glab_config *c = glab_config_create();
  glab_config_set_int(c, "units", 1);
  glab_config_set_real(c, "rate", INFINITY);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: option 'rate' must be a finite number, got inf");
  glab_config_set_real(c, "rate", NAN);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: option 'rate' must be a finite number, got nan");
  CU_ASSERT_EQUAL(glab_config_set_from_text(c, "rate", GLAB_OPT_REAL, "-inf"), GLAB_OK);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: option 'rate' must be a finite number, got -inf");
  glab_config_set_real(c, "rate", 0.25);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_OK); /* "cut" default: unset */
  CU_ASSERT(isnan(glab_config_real(c, "cut")));
  glab_config *d = glab_config_copy(c); /* still "not set" in a copy, validated again */
  CU_ASSERT_EQUAL(glab_config_validate(d, opts, "thing"), GLAB_OK);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_OK);
  glab_config_destroy(d);
  CU_ASSERT_EQUAL(glab_config_set_from_text(c, "init", GLAB_OPT_INIT, "normal(nan)"), GLAB_ERR_ARG);
  PT_MSG_HAS("option 'init': initializer 'normal(nan)': 'nan' is not a finite number");
  CU_ASSERT_EQUAL(glab_config_set_from_text(c, "init", GLAB_OPT_INIT, "constant(inf)"),
                  GLAB_ERR_ARG);
  glab_init in;
  glab_init_parse("normal", &in);
  in.std = -1;
  glab_config_set_init(c, "init", &in);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: option 'init': normal std must be a finite number >= 0, got -1");
  int shape[1] = {4};
  glab_tensor *t = glab_tensor_create(1, shape);
  CU_ASSERT_EQUAL(glab_init_apply(&in, t, 1, 1, NULL), GLAB_ERR_ARG);
  glab_init_parse("constant", &in);
  in.value = -INFINITY;
  CU_ASSERT_EQUAL(glab_init_check(&in, "dense", "bias_init"), GLAB_ERR_ARG);
  PT_MSG_HAS("dense: option 'bias_init': constant value must be a finite number, got -inf");
  CU_ASSERT_EQUAL(glab_init_apply(&in, t, 1, 1, NULL), GLAB_ERR_ARG);
  glab_tensor_destroy(t);
  glab_config_destroy(c);
  /* the optimizers: a learning rate must be > 0 */
  const char *names[] = {"sgd", "momentum", "adam", "rmsprop"};
  for (int k = 0; k < 4; k++) {
    glab_config *oc = glab_config_create();
    glab_config_set_real(oc, "lr", 0);
    CU_ASSERT_PTR_NULL(glab_optimizer_create(reg, names[k], oc));
    PT_MSG_HAS("option 'lr' must be > 0, got 0");
    glab_config_destroy(oc);
  }
}

/* A finite real too large for glab_real (float: 1e300) would become inf: an error naming the
 * type, the option and the value — for plain reals and an initializer's std and value, given
 * from C, from text, or through a layer. The double build holds 1e300, so there it loads. */
static void test_real_range(void) {
  int is_float = sizeof(glab_real) == sizeof(float);
  glab_config *c = glab_config_create();
  glab_config_set_int(c, "units", 1);
  glab_config_set_real(c, "rate", 1e300);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), is_float ? GLAB_ERR_ARG : GLAB_OK);
  if (is_float) PT_MSG_HAS("thing: option 'rate' is 1e+300, too large for float");
  glab_config_set_real(c, "rate", -3.5e38);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), is_float ? GLAB_ERR_ARG : GLAB_OK);
  if (is_float) PT_MSG_HAS("option 'rate' is -3.5e+38");
  glab_config_set_real(c, "rate", 3e38); /* fits a float */
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), GLAB_OK);
  glab_config_set_real(c, "rate", 0.5);
  CU_ASSERT_EQUAL(glab_config_set_from_text(c, "init", GLAB_OPT_INIT, "normal(1e300)"), GLAB_OK);
  CU_ASSERT_EQUAL(glab_config_validate(c, opts, "thing"), is_float ? GLAB_ERR_ARG : GLAB_OK);
  if (is_float) PT_MSG_HAS("thing: option 'init': normal std 1e+300 is too large for float");
  glab_init in;
  glab_init_parse("constant", &in);
  in.value = -1e300;
  CU_ASSERT_EQUAL(glab_init_check(&in, "dense", "bias_init"), is_float ? GLAB_ERR_ARG : GLAB_OK);
  if (is_float) PT_MSG_HAS("dense: option 'bias_init': constant value -1e+300 is too large");
  glab_config_destroy(c);
  /* through a layer: no weights of ±inf */
  glab_layer *l = pt_layer(reg, "dense", "inputs=2 outputs=2 init=normal(1e300)", NULL, 0);
  if (is_float) {
    CU_ASSERT_PTR_NULL(l);
    PT_MSG_HAS("dense: option 'init': normal std 1e+300 is too large for float");
  } else {
    CU_ASSERT_PTR_NOT_NULL(l);
  }
  glab_layer_destroy(l);
  l = pt_layer(reg, "relu", "slope=1e300", NULL, 0);
  CU_ASSERT_PTR_NULL(l); /* too large for float, or outside [0, 1) in double */
  glab_layer_destroy(l);
  /* a std that fits but whose draws do not: the initializer says so instead of writing inf */
  if (is_float) {
    glab_init_parse("normal", &in);
    in.std = 3e38;
    glab_tensor *t = glab_tensor_create(1, (int[]){64});
    CU_ASSERT_EQUAL(glab_init_apply(&in, t, 1, 1, NULL), GLAB_ERR_ARG);
    PT_MSG_HAS("normal std 3e+38 gives values too large for float");
    glab_tensor_destroy(t);
  }
}

/* Real options with a meaningful range declare it (glab_option.range); the core checks every
 * value given and every default against it, naming the type, the option and the value. */
static void test_ranges(void) {
  const struct {
    const char *type, *opts, *want;
  } bad[] = {
      {"sgd", "lr=-1", "sgd: option 'lr' must be > 0, got -1"},
      {"sgd", "lr=0.1 weight_decay=-1", "sgd: option 'weight_decay' must be >= 0, got -1"},
      {"momentum", "lr=0.1 momentum=1", "momentum: option 'momentum' must be in [0, 1), got 1"},
      {"momentum", "lr=0.1 weight_decay=-0.5", "option 'weight_decay' must be >= 0, got -0.5"},
      {"adam", "beta1=1", "adam: option 'beta1' must be in [0, 1), got 1"},
      {"adam", "beta2=-0.1", "adam: option 'beta2' must be in [0, 1), got -0.1"},
      {"adam", "eps=0", "adam: option 'eps' must be > 0, got 0"},
      {"adam", "weight_decay=-1", "adam: option 'weight_decay' must be >= 0, got -1"},
      {"rmsprop", "alpha=1.5", "rmsprop: option 'alpha' must be in [0, 1), got 1.5"},
      {"rmsprop", "eps=-1e-8", "rmsprop: option 'eps' must be > 0, got -1e-08"},
      {"sgd", "lr=0.1 clip_norm=-1", "sgd: option 'clip_norm' must be >= 0, got -1"},
      {"adam", "clip_value=-2", "adam: option 'clip_value' must be >= 0, got -2"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    const glab_optimizer_type *t = glab_registry_optimizer(reg, bad[k].type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    glab_config *c = glab_config_create();
    glab_option all[64];
    size_t n = 0;
    for (const glab_option *o = t->options; o->name; o++)
      all[n++] = *o;
    for (const glab_option *o = glab_optimizer_generic_options(); o->name; o++)
      all[n++] = *o;
    all[n] = (glab_option)GLAB_OPTIONS_END;
    CU_ASSERT_EQUAL(glab_config_set_pairs(c, all, bad[k].type, bad[k].opts), GLAB_OK);
    CU_ASSERT_PTR_NULL(glab_optimizer_create(reg, bad[k].type, c));
    PT_MSG_HAS(bad[k].want);
    glab_config_destroy(c);
  }
  /* the edges that are allowed */
  const char *good[][2] = {{"momentum", "lr=0.1 momentum=0 weight_decay=0"},
                           {"adam", "beta1=0 beta2=0.999999 eps=1e-30"},
                           {"sgd", "lr=1e-30 clip_norm=0 clip_value=0"}};
  for (int k = 0; k < 3; k++) {
    glab_config *c = glab_config_create();
    const glab_optimizer_type *t = glab_registry_optimizer(reg, good[k][0]);
    glab_option all[64];
    size_t n = 0;
    for (const glab_option *o = t->options; o->name; o++)
      all[n++] = *o;
    for (const glab_option *o = glab_optimizer_generic_options(); o->name; o++)
      all[n++] = *o;
    all[n] = (glab_option)GLAB_OPTIONS_END;
    CU_ASSERT_EQUAL(glab_config_set_pairs(c, all, good[k][0], good[k][1]), GLAB_OK);
    glab_optimizer *o = glab_optimizer_create(reg, good[k][0], c);
    if (!o) printf("\n    %s: %s\n", good[k][0], glab_last_error());
    CU_ASSERT_PTR_NOT_NULL(o);
    glab_optimizer_destroy(o);
    glab_config_destroy(c);
  }
  /* layers */
  CU_ASSERT_PTR_NULL(pt_layer(reg, "relu", "slope=1", NULL, 0));
  PT_MSG_HAS("relu: option 'slope' must be in [0, 1), got 1");
  CU_ASSERT_PTR_NULL(pt_layer(reg, "batchnorm", "features=2 momentum=1.5", NULL, 0));
  PT_MSG_HAS("batchnorm: option 'momentum' must be in [0, 1], got 1.5");
  CU_ASSERT_PTR_NULL(pt_layer(reg, "batchnorm", "features=2 eps=0", NULL, 0));
  PT_MSG_HAS("batchnorm: option 'eps' must be > 0, got 0");
  glab_layer *l = pt_layer(reg, "batchnorm", "features=2 momentum=1", NULL, 0);
  CU_ASSERT_PTR_NOT_NULL(l);
  glab_layer_destroy(l);
  /* pretrainers: checked first thing in run(), before the model or data are looked at */
  const char *pre[][3] = {{"rbm", "lr=-1", "rbm: option 'lr' must be > 0, got -1"},
                          {"autoencoder", "lr=0", "autoencoder: option 'lr' must be > 0, got 0"}};
  for (int k = 0; k < 2; k++) {
    const glab_pretrainer_type *t = glab_registry_pretrainer(reg, pre[k][0]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    glab_config *c = glab_config_create();
    CU_ASSERT_EQUAL(glab_config_set_pairs(c, t->options, t->name, pre[k][1]), GLAB_OK);
    CU_ASSERT_EQUAL(glab_config_validate(c, t->options, t->name), GLAB_OK);
    CU_ASSERT_EQUAL(t->run(c, NULL, NULL, NULL, NULL), GLAB_ERR_ARG);
    PT_MSG_HAS(pre[k][2]);
    glab_config_destroy(c);
  }
  /* the helper itself: ints too, open and closed ends, unset reals pass, bad range texts */
  static const glab_option opts2[] = {{"n", GLAB_OPT_INT, "3", "count"},
                                      {"p", GLAB_OPT_REAL, "0.5", "fraction"},
                                      {"t", GLAB_OPT_REAL, "", "unset"},
                                      {"s", GLAB_OPT_STRING, "x", "a string"},
                                      GLAB_OPTIONS_END};
  static const glab_option_range r2[] = {
      {"n", "[1,10]"}, {"p", "[0,1]"}, {"t", "(0,inf)"}, GLAB_RANGES_END};
  glab_config *c = glab_config_create();
  CU_ASSERT_EQUAL(glab_config_validate(c, opts2, "thing"), GLAB_OK);
  CU_ASSERT_EQUAL(glab_config_check_ranges(c, r2, "thing"), GLAB_OK);
  glab_config_set_int(c, "n", 11);
  CU_ASSERT_EQUAL(glab_config_check_ranges(c, r2, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: option 'n' must be in [1, 10], got 11");
  glab_config_set_int(c, "n", 10);
  glab_config_set_real(c, "p", -0.25);
  CU_ASSERT_EQUAL(glab_config_check_ranges(c, r2, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: option 'p' must be in [0, 1], got -0.25");
  glab_config_set_real(c, "p", 0.99999999);
  CU_ASSERT_EQUAL(glab_config_check_ranges(c, r2, "thing"), GLAB_OK);
  glab_config_set_real(c, "p", 1.00000001); /* shown as given, not rounded to 1 */
  CU_ASSERT_EQUAL(glab_config_check_ranges(c, r2, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("got 1.00000001");
  glab_config_set_real(c, "p", 1);
  const char *bad_ranges[] = {"0,1", "[1,0]", "[0,1", "(0,0)", "[a,1]", "[0,1] x", "[nan,1]"};
  for (int k = 0; k < 7; k++) {
    glab_option_range br[2] = {{"p", bad_ranges[k]}, GLAB_RANGES_END};
    CU_ASSERT_EQUAL(glab_config_check_ranges(c, br, "thing"), GLAB_ERR_ARG);
    PT_MSG_HAS("thing: option 'p': bad range");
  }
  glab_option_range sr[2] = {{"s", "[0,1]"}, GLAB_RANGES_END};
  CU_ASSERT_EQUAL(glab_config_check_ranges(c, sr, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("a range is for int and real options");
  glab_config_destroy(c);
}

/* The options every layer takes besides its type's own (`name`), listed by the core so that
 * `gradlab plugins --describe` and the bindings can show them. */
static void test_generic_layer_options(void) {
  const glab_option *g = glab_layer_generic_options();
  CU_ASSERT_PTR_NOT_NULL_FATAL(g);
  CU_ASSERT_STRING_EQUAL(g[0].name, "name");
  CU_ASSERT_EQUAL(g[0].kind, GLAB_OPT_STRING);
  CU_ASSERT_PTR_NOT_NULL(g[0].def);
  CU_ASSERT(g[0].doc && strstr(g[0].doc, "name"));
  CU_ASSERT_PTR_NULL(g[1].name);
  CU_ASSERT_EQUAL(glab_options_check(g, "layer"), GLAB_OK);
  /* no shipped layer type declares it itself */
  for (size_t i = 0; i < glab_registry_count(reg); i++) {
    glab_type_kind kind;
    const glab_option *o;
    glab_registry_entry(reg, i, &kind, NULL, NULL, NULL, &o);
    for (; kind == GLAB_KIND_LAYER && o && o->name; o++)
      CU_ASSERT(strcmp(o->name, "name") != 0);
  }
}

/* The SDK's number helpers for messages and text: glab_num_text words a value as every core
 * message does; glab_is_decimal is the one rule for numbers given as text (--set, CSV fields). */
static void test_number_text(void) {
  char buf[32];
  CU_ASSERT_STRING_EQUAL(glab_num_text(0.1, buf, sizeof buf), "0.1");
  CU_ASSERT_STRING_EQUAL(glab_num_text(0.9999999, buf, sizeof buf), "0.9999999");
  CU_ASSERT_STRING_EQUAL(glab_num_text(1.0 / 3, buf, sizeof buf), "0.3333333333333333");
  CU_ASSERT_STRING_EQUAL(glab_num_text(-1e300, buf, sizeof buf), "-1e+300");
  CU_ASSERT_STRING_EQUAL(glab_num_text(-NAN, buf, sizeof buf), "nan");
  CU_ASSERT_STRING_EQUAL(glab_num_text(NAN, buf, sizeof buf), "nan");
  CU_ASSERT_STRING_EQUAL(glab_num_text(-INFINITY, buf, sizeof buf), "-inf");
  CU_ASSERT_STRING_EQUAL(glab_num_text(INFINITY, buf, sizeof buf), "inf");
  const char *yes[] = {"0", "-3", "+2.5", "1.", ".5", "1e5", "1E-400", "0e5", "007"};
  const char *no[] = {"", "-", ".", "e5", "1e", "1e+", "0x10", " 3", "3 ", "inf", "nan", "1,5",
                      "1.2.3", "--1"};
  for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
    CU_ASSERT(glab_is_decimal(yes[i], NULL));
  for (size_t i = 0; i < sizeof no / sizeof *no; i++)
    CU_ASSERT(!glab_is_decimal(no[i], NULL));
  int nz = -1;
  CU_ASSERT(glab_is_decimal("1e-400", &nz) && nz == 1);
  CU_ASSERT(glab_is_decimal("-0.000e5", &nz) && nz == 0);
}

/* Booleans given as text (option-table defaults, example option text, a string from Lua or
 * --set) are true/false, yes/no or 1/0, lowercase; anything else is an error that lists them
 * all (it said "(true/false)" while accepting yes and 1). */
static void test_bool_text(void) {
  const char *on[] = {"true", "yes", "1"}, *off[] = {"false", "no", "0"};
  const char *bad[] = {"True", "YES", "on", "off", "2", "", " true", "truee"};
  glab_config *c = glab_config_create();
  for (int i = 0; i < 3; i++) {
    CU_ASSERT_EQUAL(glab_config_set_from_text(c, "flag", GLAB_OPT_BOOL, on[i]), GLAB_OK);
    CU_ASSERT_EQUAL(glab_config_bool(c, "flag"), 1);
    CU_ASSERT_EQUAL(glab_config_set_from_text(c, "flag", GLAB_OPT_BOOL, off[i]), GLAB_OK);
    CU_ASSERT_EQUAL(glab_config_bool(c, "flag"), 0);
  }
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    CU_ASSERT_EQUAL(glab_config_set_from_text(c, "flag", GLAB_OPT_BOOL, bad[i]), GLAB_ERR_ARG);
    char want[96];
    snprintf(want, sizeof want, "option 'flag': '%s' is not a boolean", bad[i]);
    PT_MSG_HAS(want);
    PT_MSG_HAS("(true/false, yes/no or 1/0)");
  }
  /* the same words in example text and in an option table's default */
  CU_ASSERT_EQUAL(glab_config_set_pairs(c, opts, "thing", "units=1 flag=no"), GLAB_OK);
  CU_ASSERT_EQUAL(glab_config_bool(c, "flag"), 0);
  CU_ASSERT_EQUAL(glab_config_set_pairs(c, opts, "thing", "flag=on"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: option 'flag': 'on' is not a boolean (true/false, yes/no or 1/0)");
  glab_config_destroy(c);
  static const glab_option yes_default[] = {{"f", GLAB_OPT_BOOL, "yes", "a flag"},
                                            GLAB_OPTIONS_END},
                           on_default[] = {{"f", GLAB_OPT_BOOL, "on", "a flag"}, GLAB_OPTIONS_END};
  CU_ASSERT_EQUAL(glab_options_check(yes_default, "thing"), GLAB_OK);
  CU_ASSERT_EQUAL(glab_options_check(on_default, "thing"), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: option 'f': bad default \"on\": 'on' is not a boolean");
}

/* Text past a limit says which limit (it said "list ... too long" and "option text too long"). */
static void test_text_limits(void) {
  glab_config *c = glab_config_create();
  char list[400] = "";
  for (int i = 0; i < 65; i++)
    strcat(list, i ? ",1" : "1");
  CU_ASSERT_EQUAL(glab_config_set_from_text(c, "sizes", GLAB_OPT_INTS, list), GLAB_ERR_ARG);
  PT_MSG_HAS("option 'sizes': list '1,1,1");
  PT_MSG_HAS("' has more than 64 integers");
  list[2 * 64 - 1] = '\0'; /* 64 entries: fine */
  CU_ASSERT_EQUAL(glab_config_set_from_text(c, "sizes", GLAB_OPT_INTS, list), GLAB_OK);
  CU_ASSERT_EQUAL(glab_config_set_from_text(c, "sizes", GLAB_OPT_INTS,
                                            "1,000000000000000000000000000000000002"),
                  GLAB_ERR_ARG);
  PT_MSG_HAS("entry 2 is too long for an integer (36 characters)");
  char text[300] = "label=";
  memset(text + 6, 'x', 260);
  text[266] = '\0';
  CU_ASSERT_EQUAL(glab_config_set_pairs(c, opts, "thing", text), GLAB_ERR_ARG);
  PT_MSG_HAS("thing: option text 'label=xxxxxxxxxxxxxxxxxxxxxxxxxx...' is too long (266 bytes, at "
             "most 255)");
  glab_config_destroy(c);
}

/* A create() that fails after glab_layer_set_impl (or glab_optimizer_set_impl) gets its
 * destroy() called once, so it need not free the impl itself (the shipped types rely on this);
 * one that fails before setting an impl does not (nothing to free); and create's message
 * survives whatever destroy does to the error state. */
static int destroyed;
typedef struct probe {
  int fail_after_impl;
} probe;
static const glab_option probe_opts[] = {{"late", GLAB_OPT_BOOL, "true", "fail after set_impl"},
                                         GLAB_OPTIONS_END};
static void probe_destroy(glab_layer *self) {
  destroyed++;
  glab_error(GLAB_ERR_STATE, "destroy's own message"); /* must not replace create's */
  free(glab_layer_impl(self));
}
static int probe_create(glab_layer *self, const glab_config *cfg) {
  if (!glab_config_bool(cfg, "late")) return glab_error(GLAB_ERR_ARG, "probe: early failure");
  probe *p = calloc(1, sizeof *p);
  if (!p) return glab_error(GLAB_ERR_NOMEM, "probe: out of memory");
  glab_layer_set_impl(self, p);
  int n = 3;
  glab_init zeros;
  glab_init_parse("zeros", &zeros);
  if (!glab_layer_add_param(self, "w", 1, &n, &zeros, n, n)) return glab_last_status();
  return glab_error(GLAB_ERR_ARG, "probe: late failure");
}
static glab_var *probe_forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self, (void)tape;
  return x;
}
static void probe_opt_destroy(glab_optimizer *self) {
  destroyed++;
  glab_clear_error();
  free(glab_optimizer_impl(self));
}
static int probe_opt_create(glab_optimizer *self, const glab_config *cfg) {
  (void)cfg;
  glab_optimizer_set_impl(self, calloc(1, sizeof(probe)));
  return glab_error(GLAB_ERR_ARG, "probe_opt: late failure");
}
static int probe_update(glab_optimizer *self, const glab_real *value, const glab_real *grad,
                        glab_real *delta, glab_real **state, size_t n, long step) {
  (void)self, (void)value, (void)grad, (void)delta, (void)state, (void)n, (void)step;
  return GLAB_OK;
}

static void test_destroy_after_failed_create(void) {
  static const glab_layer_type lt = {.name = "probe",
                                     .options = probe_opts,
                                     .create = probe_create,
                                     .forward = probe_forward,
                                     .destroy = probe_destroy};
  static const glab_optimizer_type ot = {.name = "probe_opt",
                                         .create = probe_opt_create,
                                         .update = probe_update,
                                         .destroy = probe_opt_destroy};
  glab_registry *r = glab_registry_create();
  CU_ASSERT_EQUAL_FATAL(glab_register_layer(r, &lt), GLAB_OK);
  CU_ASSERT_EQUAL_FATAL(glab_register_optimizer(r, &ot), GLAB_OK);
  destroyed = 0;
  CU_ASSERT_PTR_NULL(pt_layer(r, "probe", "late=true", NULL, 0));
  CU_ASSERT_EQUAL(destroyed, 1);
  CU_ASSERT_EQUAL(glab_last_status(), GLAB_ERR_ARG);
  PT_MSG_HAS("probe: late failure");
  destroyed = 0;
  CU_ASSERT_PTR_NULL(pt_layer(r, "probe", "late=false", NULL, 0));
  CU_ASSERT_EQUAL(destroyed, 0); /* no impl: nothing to destroy */
  PT_MSG_HAS("probe: early failure");
  destroyed = 0;
  CU_ASSERT_PTR_NULL(glab_optimizer_create(r, "probe_opt", NULL));
  CU_ASSERT_EQUAL(destroyed, 1);
  PT_MSG_HAS("probe_opt: late failure");
  glab_registry_destroy(r);
}

/* Nesting has a limit (GLAB_LAYER_MAX_DEPTH levels): names are whole paths ("1.1.1..."), so a
 * chain of D nested layers holds ~D² bytes of names and each wrap renames the whole chain —
 * 5000 levels gave a 50 MB tostring, 100k did not finish. Past the limit: a clear error. */
static void test_nesting_depth(void) {
  CU_ASSERT(GLAB_LAYER_MAX_DEPTH >= 100);
  glab_layer *l = pt_layer(reg, "tanh", "", NULL, 0);
  for (int d = 2; d <= GLAB_LAYER_MAX_DEPTH && l; d++) {
    glab_layer *k[1] = {l};
    l = pt_layer(reg, "residual", "", k, 1);
  }
  CU_ASSERT_PTR_NOT_NULL_FATAL(l); /* exactly at the limit: fine */
  glab_layer *deepest = l;
  while (glab_layer_nchildren(deepest))
    deepest = glab_layer_child(deepest, 0);
  CU_ASSERT_EQUAL(strlen(glab_layer_name(deepest)),
                  strlen("residual") + 2 * (GLAB_LAYER_MAX_DEPTH - 1));
  /* it runs (recursion through every level) */
  glab_tape *t = glab_tape_create();
  int xs[2] = {1, 3};
  glab_var *x = glab_tape_leaf(t, 2, xs, 0);
  CU_ASSERT_PTR_NOT_NULL(glab_layer_forward(l, t, x));
  glab_tape_destroy(t);
  glab_layer *k[1] = {l};
  CU_ASSERT_PTR_NULL(pt_layer(reg, "residual", "", k, 1)); /* one more: refused (child freed) */
  char want[128];
  snprintf(want, sizeof want, "residual: layers nest %d levels deep, more than the limit of %d",
           GLAB_LAYER_MAX_DEPTH + 1, GLAB_LAYER_MAX_DEPTH);
  PT_MSG_HAS(want);
  /* siblings do not add depth: a wide block of shallow children is fine */
  glab_layer *wide[50];
  for (int i = 0; i < 50; i++)
    wide[i] = pt_layer(reg, "tanh", "", NULL, 0);
  l = pt_layer(reg, "residual", "", wide, 50);
  CU_ASSERT_PTR_NOT_NULL(l);
  glab_layer_destroy(l);
}

int main(void) {
  const pt_test tests[] = {{"config validation", test_validate},
                           {"option values", test_values},
                           {"reals too large for glab_real", test_real_range},
                           {"declared option ranges", test_ranges},
                           {"options every layer takes", test_generic_layer_options},
                           {"number text helpers", test_number_text},
                           {"initializers", test_initializers},
                           {"layer initializers", test_layer_initializers},
                           {"dense layout", test_dense_layout},
                           {"batchnorm", test_batchnorm},
                           {"recurrent layers", test_recurrent},
                           {"lstm gate order and layouts", test_lstm_gate_order},
                           {"residual and names", test_residual_and_names},
                           {"nesting depth limit", test_nesting_depth},
                           {"booleans as text", test_bool_text},
                           {"limits of option text", test_text_limits},
                           {"destroy after a failed create", test_destroy_after_failed_create},
                           {NULL, NULL}};
  return pt_run("plugins_config_layers", tests, setup, teardown);
}
