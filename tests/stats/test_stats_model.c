/* test_stats_model.c — the model container around side forwards: glab_evaluate and
 * glab_model_describe between a loss and its backward leave that step's statistics intact, and
 * describe indents nested layers by depth (also when they have given names). */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/gradlab.h"
#include "local_types.h"

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

/* Every statistic of two layer records is identical. */
static void same_record(const glab_layer_record *a, const glab_layer_record *b) {
  CU_ASSERT_EQUAL(a->has_output_grad, b->has_output_grad);
  CU_ASSERT_EQUAL(a->has_activation, b->has_activation);
  CU_ASSERT_EQUAL(a->ntime, b->ntime);
  CU_ASSERT_EQUAL_FATAL(a->nparams, b->nparams);
  for (int k = 0; k < GLAB_STAT_NFIELDS; k++) {
    CU_ASSERT_EQUAL(glab_stats_get(&a->output_grad, k), glab_stats_get(&b->output_grad, k));
    CU_ASSERT_EQUAL(glab_stats_get(&a->activation, k), glab_stats_get(&b->activation, k));
    for (int j = 0; j < a->nparams; j++) {
      if (a->params[j].is_buffer) continue; /* tblock counts its forwards */
      CU_ASSERT_EQUAL(glab_stats_get(&a->params[j].grad, k), glab_stats_get(&b->params[j].grad, k));
      CU_ASSERT_EQUAL(glab_stats_get(&a->params[j].value, k),
                      glab_stats_get(&b->params[j].value, k));
    }
    for (int t = 0; t < a->ntime && t < b->ntime; t++)
      CU_ASSERT_EQUAL(glab_stats_get(&a->time[t], k), glab_stats_get(&b->time[t], k));
  }
  for (int j = 0; j < a->nparams; j++)
    if (!a->params[j].is_buffer)
      CU_ASSERT_EQUAL(a->params[j].update_norm, b->params[j].update_norm);
}

/* glab_evaluate and glab_model_describe between a loss and its backward run forwards of their
 * own; the pending step's statistics (output gradients, activations, time steps) and the input
 * gradient are the same as without them. */
static void test_side_forwards_keep_step(void) {
  glab_model *ms[2];
  glab_trainer *trs[2];
  for (int k = 0; k < 2; k++) {
    ms[k] = model_of(mk_scale(reg, 2, 0.5), mk_block2(mk_seq(reg, 2, 0.9), mk_plain(reg, "tsig")),
                     mk_plain(reg, "trelu"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(ms[k]);
    trs[k] = glab_trainer_create(ms[k]);
  }
  int shape[1] = {2};
  glab_real in[6] = {0.2f, -0.4f, 0.8f, 0.1f, -1.0f, 0.3f}, tg[6] = {0, 1, 0, 1, 1, 0};
  glab_dataset *ds = glab_dataset_from_arrays(3, 1, shape, 0, in, GLAB_TARGET_REAL, 2, tg, NULL);
  glab_real v[4] = {1, -2, 3, 0.5f};
  glab_tensor *x = tensor2(2, 2, v);
  glab_optimizer *opt = mk_tsgd(reg, 0.1);
  for (int k = 0; k < 2; k++) {
    glab_var *y = glab_trainer_forward(trs[k], x);
    glab_var *loss = y ? glab_sum(glab_trainer_tape(trs[k]), y) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(loss);
    if (k == 1) { /* the side forwards, on [1][2] batches */
      glab_eval_result e;
      CU_ASSERT_EQUAL(glab_evaluate(ms[k], ds, GLAB_LOSS_MSE, 1, &e), GLAB_OK);
      if (e.items != 3) fprintf(stderr, "evaluate: %s\n", glab_last_error());
      char *d = glab_model_describe(ms[k], 1, shape);
      CU_ASSERT(d && strstr(d, "-> [1][2]"));
      free(d);
    }
    glab_trainer_zero_grad(trs[k]);
    CU_ASSERT_EQUAL(glab_trainer_backward(trs[k], loss), GLAB_OK);
    CU_ASSERT_EQUAL(glab_trainer_step(trs[k], opt), GLAB_OK);
  }
  glab_recorder *r0 = glab_trainer_recorder(trs[0]), *r1 = glab_trainer_recorder(trs[1]);
  CU_ASSERT_EQUAL_FATAL(glab_recorder_nlayers(r1), 5);
  for (int i = 0; i < 5; i++) {
    const glab_layer_record *a = glab_recorder_latest(r0, i), *b = glab_recorder_latest(r1, i);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT(b->has_output_grad && b->has_activation);
    same_record(a, b);
  }
  /* the [2][2] batch of the step, not an evaluation batch */
  CU_ASSERT_EQUAL(glab_recorder_latest(r1, 0)->activation.count, 4);
  CU_ASSERT_EQUAL(glab_recorder_latest(r1, 0)->output_grad.count, 4);
  CU_ASSERT_EQUAL(glab_recorder_latest(r1, 2)->ntime, 2); /* tseq's time steps */
  glab_var *g0 = glab_trainer_input(trs[0]), *g1 = glab_trainer_input(trs[1]);
  CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
  CU_ASSERT_EQUAL(memcmp(g0->grad, g1->grad, 4 * sizeof *g0->grad), 0);
  glab_optimizer_destroy(opt);
  glab_tensor_destroy(x);
  glab_dataset_destroy(ds);
  for (int k = 0; k < 2; k++) {
    glab_trainer_destroy(trs[k]);
    glab_model_destroy(ms[k]);
  }
}

/* Nested layers are indented by depth, also when they have a given name. */
static void test_describe_nesting(void) {
  glab_layer *a = mk_scale(reg, 2, 1), *b = mk_plain(reg, "tsig");
  glab_layer *blk = mk_block2(a, b);
  glab_layer_set_name(blk, "outer");
  glab_layer_set_name(a, "inner_a");
  glab_model *m = model_of(mk_scale(reg, 2, 1), blk, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  char *d = glab_model_describe(m, 0, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT(strstr(d, "\n  1 ") != NULL);
  CU_ASSERT(strstr(d, "\n  outer ") != NULL);
  CU_ASSERT(strstr(d, "\n    inner_a ") != NULL); /* depth 1: two more spaces */
  CU_ASSERT(strstr(d, "\n    outer.2 ") != NULL);
  free(d);
  glab_model_destroy(m);
}

int main(void) {
  reg = local_registry();
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("stats_model", NULL, NULL);
  CU_add_test(s, "side forwards keep the pending step", test_side_forwards_keep_step);
  CU_add_test(s, "describe indents named nested layers", test_describe_nesting);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  glab_registry_destroy(reg);
  return failed ? 1 : 0;
}
