/* test_optim.c — every shipped optimizer's first two steps on f(p) = ½·Σ a_i·p_i² (a = [1, 3],
 * p₀ = [1, −2]) against hand-computed values (PyTorch's formulas), convergence through the tape,
 * weight decay, exact clipping by global norm and by value (and both, in that order), non-finite
 * gradients (nothing applied), state kept per parameter, and option validation. */
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

#ifdef GRADLAB_DOUBLE
#define TOL 1e-12
#else
#define TOL 2e-6
#endif

static glab_var *vec(int n, const double *v) {
  glab_var *p = glab_var_create(1, &n, 1);
  for (int i = 0; i < n; i++)
    p->value.data[i] = (glab_real)v[i];
  return p;
}

/* Two steps with g = a∘p + b set by hand (f = ½·Σ a_i·p_i² + b·p); compare with the expected
 * p₁ and p₂. */
static void two_steps_b(const char *type, const char *opts, const double *b, const double *p1,
                        const double *p2) {
  glab_optimizer *o = pt_optim(reg, type, opts);
  CU_ASSERT_PTR_NOT_NULL_FATAL(o);
  const double p0[2] = {1, -2}, a[2] = {1, 3};
  glab_var *p = vec(2, p0);
  for (int step = 0; step < 2; step++) {
    for (int i = 0; i < 2; i++)
      p->grad[i] = (glab_real)(a[i] * p->value.data[i] + b[i]);
    glab_real before[2] = {p->value.data[0], p->value.data[1]};
    CU_ASSERT_EQUAL(glab_optimizer_step(o, &p, 1), GLAB_OK);
    const double *want = step ? p2 : p1;
    for (int i = 0; i < 2; i++)
      PT_CLOSE(p->value.data[i], want[i], TOL);
    const glab_real *last = glab_optimizer_last_update(o, p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(last);
    for (int i = 0; i < 2; i++)
      PT_CLOSE(last[i], p->value.data[i] - before[i], TOL);
  }
  CU_ASSERT_EQUAL(glab_optimizer_steps(o), 2);
  glab_var_destroy(p);
  glab_optimizer_destroy(o);
}

static void two_steps(const char *type, const char *opts, const double *p1, const double *p2) {
  two_steps_b(type, opts, (double[]){0, 0}, p1, p2);
}

static void test_sgd(void) {
  two_steps("sgd", "lr=0.1", (double[]){0.9, -1.4}, (double[]){0.81, -0.98});
}

static void test_momentum(void) {
  /* b₁ = g₀ = [1, −6]; b₂ = 0.9·b₁ + g₁ = [1.8, −9.6] */
  two_steps("momentum", "lr=0.1", (double[]){0.9, -1.4}, (double[]){0.72, -0.44});
}

static void test_nesterov(void) {
  /* p₁ = p₀ − 0.1·(g₀ + 0.9·g₀); b₂ = [1.71, −7.98], p₂ = p₁ − 0.1·(g₁ + 0.9·b₂) */
  two_steps("momentum", "lr=0.1 nesterov=true", (double[]){0.81, -0.86},
            (double[]){0.5751, 0.1162});
}

static void test_adam(void) {
  /* step 1 moves each coordinate by lr·g/(|g| + ε) ≈ 0.1; step 2 from the bias-corrected
   * moments m₂ = [0.18, −1.11], v₂ = [0.001809, 0.068454], 1−β₁² = 0.19, 1−β₂² = 0.001999 */
  two_steps("adam", "lr=0.1", (double[]){0.900000001, -1.9000000001666666},
            (double[]){0.8004122297123382, -1.800166485947237});
}

static void test_rmsprop(void) {
  /* v₁ = 0.01·g₀² = [0.01, 0.36]; v₂ = 0.99·v₁ + 0.01·g₁² = [0.018, 0.6813] */
  two_steps("rmsprop", "lr=0.01", (double[]){0.9000000099999991, -1.9000000016666667},
            (double[]){0.8329179752650593, -1.8309433278740568});
}

/* weight_decay adds wd·p to the gradient before the update (PyTorch's L2 penalty). With
 * g = a∘p alone Adam and RMSprop would hardly see it (they are nearly invariant to a per-
 * coordinate scale of g), so the gradient has an offset b = [0.5, 1]. Expected values from
 * torch.optim (SGD, SGD momentum/nesterov, Adam, RMSprop; weight_decay=0.5), float64. */
static void test_weight_decay(void) {
  const double b[2] = {0.5, 1};
  two_steps_b("sgd", "lr=0.1 weight_decay=0.5", b, (double[]){0.8, -1.4}, (double[]){0.63, -1.01});
  two_steps_b("momentum", "lr=0.1 weight_decay=0.5", b, (double[]){0.8, -1.4},
              (double[]){0.45, -0.4699999999999998});
  two_steps_b("momentum", "lr=0.1 nesterov=true weight_decay=0.5", b,
              (double[]){0.62, -0.8599999999999999},
              (double[]){0.1862999999999999, 0.0079000000000002});
  two_steps_b("adam", "lr=0.1 weight_decay=0.5", b, (double[]){0.9000000005, -1.9000000001666666},
              (double[]){0.8002787748202871, -1.8002016494469097});
  two_steps_b("rmsprop", "lr=0.01 weight_decay=0.5", b,
              (double[]){0.9000000049999998, -1.9000000016666667},
              (double[]){0.8319120978068745, -1.8312622081575034});
}

/* Minimise ½·Σ a∘p² through the tape; every optimizer must get close to 0. */
static void converge(const char *type, const char *opts, int steps, double tol) {
  glab_optimizer *o = pt_optim(reg, type, opts);
  CU_ASSERT_PTR_NOT_NULL_FATAL(o);
  const double p0[3] = {1, -2, 0.5}, av[3] = {1, 3, 0.5};
  glab_var *p = vec(3, p0), *a = vec(3, av);
  a->flags &= ~(unsigned)GLAB_VAR_NEEDS_GRAD;
  glab_tape *t = glab_tape_create();
  for (int s = 0; s < steps; s++) {
    glab_tape_reset(t);
    glab_var_zero_grad(p);
    glab_var *loss = glab_scale(t, glab_sum(t, glab_mul(t, a, glab_square(t, p))), 0.5);
    CU_ASSERT_EQUAL_FATAL(glab_backward(t, loss), GLAB_OK);
    CU_ASSERT_EQUAL_FATAL(glab_optimizer_step(o, &p, 1), GLAB_OK);
  }
  double worst = 0;
  for (int i = 0; i < 3; i++)
    worst = fmax(worst, fabs(p->value.data[i]));
  if (!(worst < tol)) printf("\n  %s {%s}: |p| = %g after %d steps\n", type, opts, worst, steps);
  CU_ASSERT(worst < tol);
  glab_tape_destroy(t);
  glab_var_destroy(p);
  glab_var_destroy(a);
  glab_optimizer_destroy(o);
}

static void test_convergence(void) {
  converge("sgd", "lr=0.3", 200, 1e-4);
  converge("momentum", "lr=0.1", 300, 1e-4);
  converge("momentum", "lr=0.1 nesterov=true", 300, 1e-4);
  converge("adam", "lr=0.05", 600, 2e-2);
  converge("rmsprop", "lr=0.01", 600, 2e-2);
}

static void test_clip_norm(void) {
  int one = 1;
  glab_var *p[2] = {glab_var_create(1, &one, 1), glab_var_create(1, &one, 1)};
  p[0]->grad[0] = 3;
  p[1]->grad[0] = -4;
  double coef = 1.0 / (5.0 + 1e-6); /* as torch.nn.utils.clip_grad_norm_ */
  PT_CLOSE(glab_clip_grad_norm(p, 2, 1.0), 5.0, 1e-12);
  CU_ASSERT_EQUAL(p[0]->grad[0], (glab_real)(3 * coef));
  CU_ASSERT_EQUAL(p[1]->grad[0], (glab_real)(-4 * coef));
  /* below the limit: untouched */
  p[0]->grad[0] = 3;
  p[1]->grad[0] = -4;
  PT_CLOSE(glab_clip_grad_norm(p, 2, 10.0), 5.0, 1e-12);
  CU_ASSERT_EQUAL(p[0]->grad[0], 3);
  CU_ASSERT_EQUAL(p[1]->grad[0], -4);
  /* the norm of tiny gradients does not underflow */
  p[0]->grad[0] = (glab_real)3e-25;
  p[1]->grad[0] = (glab_real)4e-25;
  CU_ASSERT(fabs(glab_clip_grad_norm(p, 2, 0) / 5e-25 - 1) < 1e-6);
#ifdef GRADLAB_DOUBLE
  p[0]->grad[0] = 3e-170; /* squares underflow double */
  p[1]->grad[0] = 4e-170;
  CU_ASSERT(fabs(glab_clip_grad_norm(p, 2, 0) / 5e-170 - 1) < 1e-12);
  p[0]->grad[0] = 3e200; /* squares overflow double */
  p[1]->grad[0] = 4e200;
  CU_ASSERT(fabs(glab_clip_grad_norm(p, 2, 0) / 5e200 - 1) < 1e-12);
#endif

  /* through an optimizer: sgd lr=1 with clip_norm=1 from p = 0 */
  glab_optimizer *o = pt_optim(reg, "sgd", "lr=1 clip_norm=1");
  CU_ASSERT_PTR_NOT_NULL_FATAL(o);
  p[0]->value.data[0] = p[1]->value.data[0] = 0;
  p[0]->grad[0] = 3;
  p[1]->grad[0] = -4;
  CU_ASSERT_EQUAL(glab_optimizer_step(o, p, 2), GLAB_OK);
  CU_ASSERT_EQUAL(p[0]->value.data[0], -(glab_real)(3 * coef));
  CU_ASSERT_EQUAL(p[1]->value.data[0], (glab_real)(4 * coef));
  PT_CLOSE(glab_optimizer_last_grad_norm(o), 5.0, 1e-12);
  /* set_clipping refuses a negative, NaN or infinite value naming the option, and changes
   * nothing then: clip_norm=1 is still in force */
  CU_ASSERT_EQUAL(glab_optimizer_set_clipping(o, -1, 0), GLAB_ERR_ARG);
  CU_ASSERT_STRING_EQUAL(glab_last_error(),
                         "sgd: option 'clip_norm' must be a finite number >= 0 (0: off), got -1");
  CU_ASSERT_EQUAL(glab_optimizer_set_clipping(o, 0, NAN), GLAB_ERR_ARG);
  CU_ASSERT_STRING_EQUAL(glab_last_error(),
                         "sgd: option 'clip_value' must be a finite number >= 0 (0: off), got nan");
  CU_ASSERT_EQUAL(glab_optimizer_set_clipping(o, -NAN, 0), GLAB_ERR_ARG);
  CU_ASSERT(strstr(glab_last_error(), "'clip_norm'") && strstr(glab_last_error(), "got nan"));
  CU_ASSERT_EQUAL(glab_optimizer_set_clipping(o, 2, -0.5), GLAB_ERR_ARG);
  CU_ASSERT(strstr(glab_last_error(), "'clip_value'") && strstr(glab_last_error(), "got -0.5"));
  CU_ASSERT_EQUAL(glab_optimizer_set_clipping(o, INFINITY, 0), GLAB_ERR_ARG);
  CU_ASSERT(strstr(glab_last_error(), "got inf") != NULL);
  CU_ASSERT_EQUAL(glab_optimizer_set_clipping(NULL, 0, 0), GLAB_ERR_ARG);
  p[0]->value.data[0] = p[1]->value.data[0] = 0;
  p[0]->grad[0] = 3;
  p[1]->grad[0] = -4;
  CU_ASSERT_EQUAL(glab_optimizer_step(o, p, 2), GLAB_OK);
  CU_ASSERT_EQUAL(p[0]->value.data[0], -(glab_real)(3 * coef));
  /* set_clipping overrides the option; 0 disables */
  CU_ASSERT_EQUAL(glab_optimizer_set_clipping(o, 0, 0), GLAB_OK);
  p[0]->value.data[0] = 0;
  p[0]->grad[0] = 3;
  p[1]->grad[0] = -4;
  CU_ASSERT_EQUAL(glab_optimizer_step(o, p, 2), GLAB_OK);
  CU_ASSERT_EQUAL(p[0]->value.data[0], -3);
  glab_optimizer_destroy(o);
  glab_var_destroy(p[0]);
  glab_var_destroy(p[1]);
}

static void test_clip_value(void) {
  int n = 4;
  glab_var *p = glab_var_create(1, &n, 1);
  const glab_real g[4] = {-3, 0.25f, 2, -0.5f};
  memcpy(p->grad, g, sizeof g);
  glab_clip_grad_value(&p, 1, 0.5);
  CU_ASSERT_EQUAL(p->grad[0], -0.5f);
  CU_ASSERT_EQUAL(p->grad[1], 0.25f);
  CU_ASSERT_EQUAL(p->grad[2], 0.5f);
  CU_ASSERT_EQUAL(p->grad[3], -0.5f);
  glab_optimizer *o = pt_optim(reg, "sgd", "lr=2 clip_value=0.5");
  CU_ASSERT_PTR_NOT_NULL_FATAL(o);
  memcpy(p->grad, g, sizeof g);
  memset(p->value.data, 0, sizeof g);
  CU_ASSERT_EQUAL(glab_optimizer_step(o, &p, 1), GLAB_OK);
  CU_ASSERT_EQUAL(p->value.data[0], 1);
  CU_ASSERT_EQUAL(p->value.data[1], -0.5f);
  CU_ASSERT_EQUAL(p->value.data[2], -1);
  CU_ASSERT_EQUAL(p->value.data[3], 1);
  glab_optimizer_destroy(o);
  /* both: the norm first, then the value. g = [3, −4], clip_norm=1 → [0.6, −0.8] → clip_value
   * 0.7 → [0.6, −0.7]; the other order would give [0.7, −0.7] (norm 0.99: not clipped). */
  o = pt_optim(reg, "sgd", "lr=1 clip_norm=1 clip_value=0.7");
  CU_ASSERT_PTR_NOT_NULL_FATAL(o);
  int two = 2;
  glab_var *q = glab_var_create(1, &two, 1);
  q->grad[0] = 3;
  q->grad[1] = -4;
  CU_ASSERT_EQUAL(glab_optimizer_step(o, &q, 1), GLAB_OK);
  PT_CLOSE(q->value.data[0], -3 / (5 + 1e-6), 1e-6);
  PT_CLOSE(q->value.data[1], 0.7, 1e-6);
  glab_optimizer_destroy(o);
  glab_var_destroy(q);
  glab_var_destroy(p);
}

static void test_nonfinite(void) {
  glab_optimizer *o = pt_optim(reg, "momentum", "lr=0.1");
  CU_ASSERT_PTR_NOT_NULL_FATAL(o);
  int n = 3;
  glab_var *p[2] = {glab_var_create(1, &n, 1), glab_var_create(1, &n, 1)};
  for (int i = 0; i < 3; i++)
    p[0]->grad[i] = p[1]->grad[i] = 1;
  p[1]->grad[2] = (glab_real)NAN;
  CU_ASSERT_EQUAL(glab_optimizer_step(o, p, 2), GLAB_ERR_NONFINITE);
  PT_MSG_HAS("nothing applied");
  PT_MSG_HAS("parameter 2");
  for (int i = 0; i < 3; i++)
    CU_ASSERT(p[0]->value.data[i] == 0 && p[1]->value.data[i] == 0);
  CU_ASSERT_EQUAL(glab_optimizer_steps(o), 0);
  CU_ASSERT_PTR_NULL(glab_optimizer_last_update(o, p[0]));
  p[1]->grad[2] = (glab_real)INFINITY;
  CU_ASSERT_EQUAL(glab_optimizer_step(o, p, 2), GLAB_ERR_NONFINITE);
  PT_MSG_HAS("infinite");
  glab_optimizer_destroy(o);
  glab_var_destroy(p[0]);
  glab_var_destroy(p[1]);
}

/* State is per parameter; parameters seen later start fresh; frozen ones are skipped. */
static void test_state_per_param(void) {
  glab_optimizer *o = pt_optim(reg, "momentum", "lr=1 momentum=0.5");
  CU_ASSERT_PTR_NOT_NULL_FATAL(o);
  int one = 1;
  glab_var *a = glab_var_create(1, &one, 1), *b = glab_var_create(1, &one, 1);
  glab_var *frozen = glab_var_create(1, &one, 0);
  a->grad[0] = 1;
  CU_ASSERT_EQUAL(glab_optimizer_step(o, &a, 1), GLAB_OK); /* buf_a = 1 */
  glab_var *both[3] = {a, b, frozen};
  b->grad[0] = 1;
  CU_ASSERT_EQUAL(glab_optimizer_step(o, both, 3), GLAB_OK); /* buf_a = 1.5, buf_b = 1 */
  PT_CLOSE(a->value.data[0], -2.5, 1e-6);
  PT_CLOSE(b->value.data[0], -1.0, 1e-6);
  CU_ASSERT_EQUAL(frozen->value.data[0], 0);
  CU_ASSERT_PTR_NULL(glab_optimizer_last_update(o, frozen));
  glab_optimizer_destroy(o);
  glab_var_destroy(a);
  glab_var_destroy(b);
  glab_var_destroy(frozen);
}

static void test_options(void) {
  CU_ASSERT_PTR_NULL(pt_optim(reg, "sgd", "lr=0.1 momentun=0.9"));
  PT_MSG_HAS("unknown option 'momentun'");
  glab_config *cfg = glab_config_create();
  glab_config_set_real(cfg, "lr2", 0.1);
  CU_ASSERT_PTR_NULL(glab_optimizer_create(reg, "adam", cfg));
  PT_MSG_HAS("adam: unknown option 'lr2'; did you mean 'lr'?");
  glab_config_destroy(cfg);
  cfg = glab_config_create();
  CU_ASSERT_PTR_NULL(glab_optimizer_create(reg, "sgd", cfg));
  PT_MSG_HAS("sgd: missing required option 'lr'");
  glab_config_set_string(cfg, "lr", "fast");
  CU_ASSERT_PTR_NULL(glab_optimizer_create(reg, "sgd", cfg));
  PT_MSG_HAS("option 'lr' expects a number, got a string");
  glab_config_set_int(cfg, "lr", 1); /* an int for a real is fine */
  glab_optimizer *o = glab_optimizer_create(reg, "sgd", cfg);
  CU_ASSERT_PTR_NOT_NULL(o);
  CU_ASSERT(isnan(glab_config_real(glab_optimizer_config(o), "clip_norm")));
  glab_optimizer_destroy(o);
  CU_ASSERT_PTR_NULL(glab_optimizer_create(reg, "adamw", cfg));
  PT_MSG_HAS("unknown optimizer type 'adamw'; did you mean 'adam'?");
  glab_config_destroy(cfg);
  CU_ASSERT_PTR_NULL(pt_optim(reg, "momentum", "lr=0.1 momentum=1.5"));
  PT_MSG_HAS("momentum: option 'momentum' must be in [0, 1), got 1.5"); /* the declared range */
}

int main(void) {
  const pt_test tests[] = {{"sgd two steps", test_sgd},
                           {"momentum two steps", test_momentum},
                           {"nesterov two steps", test_nesterov},
                           {"adam two steps", test_adam},
                           {"rmsprop two steps", test_rmsprop},
                           {"weight decay two steps", test_weight_decay},
                           {"convergence", test_convergence},
                           {"clip by global norm", test_clip_norm},
                           {"clip by value", test_clip_value},
                           {"non-finite gradient", test_nonfinite},
                           {"state per parameter", test_state_per_param},
                           {"options", test_options},
                           {NULL, NULL}};
  return pt_run("plugins_optim", tests, setup, teardown);
}
