/* test_ae_gradcheck.c — the autoencoder pretrainer's reconstruction (tied Wᵀ decoder and untied)
 * passes the gradient checker with respect to W, the encoder bias and the decoder's own
 * parameters. Includes the plugin's source to reach ae_reconstruct. */
#include <CUnit/Basic.h>
#include <gradlab/gradcheck.h>

#include "../../plugins/pretrainers/autoencoder.c"

typedef struct ctx {
  lw_unit unit;
  ae_decoder dec;
  glab_tensor *x;
} ctx;

/* vars: W, b, c [, V] */
static glab_var *ae_loss(glab_tape *tape, glab_var *const *vars, int nvars, void *p) {
  ctx *c = p;
  c->dec.c = vars[2];
  c->dec.v = nvars > 3 ? vars[3] : NULL;
  glab_var *x = glab_tape_input(tape, c->x, 0);
  return glab_mse(tape, ae_reconstruct(tape, &c->unit, &c->dec, x, vars[0], vars[1]), x);
}

static void check(int tied, glab_act_kind act, int sigmoid_out) {
  ctx c = {0};
  c.unit.act_kind = act;
  c.unit.relu_slope = 0.1;
  c.unit.inputs = 5;
  c.unit.outputs = 3;
  c.dec.sigmoid_out = sigmoid_out;
  int xs[2] = {4, 5}, ws[2] = {5, 3}, vs[2] = {3, 5}, bs = 3, cs = 5;
  c.x = glab_tensor_create(2, xs);
  glab_var *vars[4] = {glab_var_create(2, ws, 1), glab_var_create(1, &bs, 1),
                       glab_var_create(1, &cs, 1), tied ? NULL : glab_var_create(2, vs, 1)};
  glab_rng rng;
  glab_rng_seed(&rng, 7, 1);
  for (size_t i = 0; i < c.x->size; i++) c.x->data[i] = (glab_real)glab_rng_uniform(&rng);
  for (int v = 0; v < 4; v++)
    for (size_t i = 0; vars[v] && i < vars[v]->value.size; i++)
      vars[v]->value.data[i] = (glab_real)(glab_rng_normal(&rng) * 0.7);
  glab_gradcheck_report rep;
  CU_ASSERT_FATAL(glab_gradcheck(ae_loss, vars, tied ? 3 : 4, &c, NULL, &rep) == GLAB_OK);
  double tol = sizeof(glab_real) == 8 ? 1e-6 : 1e-2;
  printf("\n    tied=%d act=%d sigmoid_out=%d: worst relative error %.3g (var %d)", tied, act,
         sigmoid_out, rep.worst_rel_error, rep.worst_var);
  CU_ASSERT(rep.worst_rel_error <= tol);
  CU_ASSERT(rep.checked == (size_t)(15 + 3 + 5 + (tied ? 0 : 15)));
  for (int v = 0; v < 4; v++) glab_var_destroy(vars[v]);
  glab_tensor_destroy(c.x);
}

static void test_tied_sigmoid(void) { check(1, GLAB_ACT_SIGMOID, 1); }
static void test_tied_tanh_linear(void) { check(1, GLAB_ACT_TANH, 0); }
static void test_untied_sigmoid(void) { check(0, GLAB_ACT_SIGMOID, 1); }
/* Leaky ReLU has a kink at 0 where central differences are wrong by construction; checked in the
 * double build only, where the step (1e-5) is too small to straddle it for these inputs. */
static void test_untied_relu(void) {
  if (sizeof(glab_real) == 8) check(0, GLAB_ACT_RELU, 0);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("autoencoder_gradcheck", NULL, NULL);
  CU_add_test(s, "tied decoder, sigmoid encoder and output", test_tied_sigmoid);
  CU_add_test(s, "tied decoder, tanh encoder, linear output", test_tied_tanh_linear);
  CU_add_test(s, "untied decoder, sigmoid encoder and output", test_untied_sigmoid);
  CU_add_test(s, "untied decoder, leaky ReLU encoder (double build)", test_untied_relu);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
