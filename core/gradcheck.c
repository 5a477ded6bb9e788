/* gradcheck.c — compare the tape's gradients with central finite differences, element by
 * element, and report the worst relative error and where it occurred. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradlab/config.h"
#include "gradlab/error.h"
#include "gradlab/gradcheck.h"

#ifdef GRADLAB_DOUBLE
#define DEFAULT_STEP 1e-5
#define DEFAULT_FLOOR 1e-3
#else
#define DEFAULT_STEP 2e-2
#define DEFAULT_FLOOR 1e-2
#endif

/* The largest step and floor accepted. A central difference approximates a derivative only for a
 * small step, and a floor above 1 divides the error of gradients of order 1 by more than their
 * size: beyond these the report would pass a wrong backward (or blame a right one) silently. */
#define MAX_STEP 1.0
#define MAX_FLOOR 1.0

/* opts->step or opts->floor: 0 means the default, anything else must be finite, > 0 and at most
 * `max`. A negative or NaN value used to fall back to the default without a word, and an
 * infinite or huge step perturbed the variables to inf. */
static int check_opt(const char *what, double v, double def, double max) {
  char num[40], dnum[40];
  if (v == 0 || (isfinite(v) && v > 0 && v <= max)) return GLAB_OK;
  return glab_error(GLAB_ERR_ARG,
                    "gradcheck: opts->%s must be a finite number in (0, %g] (or 0 for the default "
                    "%s), got %s",
                    what, max, glab_num_text(def, dnum, sizeof dnum),
                    glab_num_text(v, num, sizeof num));
}

/* x ± h as glab_real must differ, or the quotient below is 0/0 and the report blames the
 * backward for the step's fault (x = 1e20 and h = 1e-5 round to x both ways). A value that is
 * not finite has no finite difference either. (With h <= 1 a finite x ± h stays finite.) */
static int check_perturbation(int var, size_t k, glab_real x, glab_real xp, glab_real xm,
                              double h) {
  char xs[40], hs[40];
  if (!isfinite(x))
    return glab_error(GLAB_ERR_ARG, "gradcheck: variable %d element %zu is %s (not finite)", var, k,
                      glab_num_text((double)x, xs, sizeof xs));
  if (xp == xm)
    return glab_error(GLAB_ERR_ARG,
                      "gradcheck: variable %d element %zu: step %s is lost in rounding at x = %s "
                      "(%s); use a larger step",
                      var, k, glab_num_text(h, hs, sizeof hs),
                      glab_num_text((double)x, xs, sizeof xs), GLAB_REAL_NAME);
  return GLAB_OK;
}

/* Evaluate fn on a fresh tape; *out gets the one-element result. */
static int eval(glab_tape *tape, glab_gradcheck_fn fn, glab_var *const *vars, int nvars, void *ctx,
                glab_var **out) {
  glab_tape_reset(tape);
  glab_var *y = fn(tape, vars, nvars, ctx);
  if (!y) {
    if (glab_last_status() == GLAB_OK) glab_error(GLAB_ERR_ARG, "the function returned NULL");
    return glab_error_context("gradcheck");
  }
  if (y->value.size != 1) {
    char buf[64];
    return glab_error(GLAB_ERR_SHAPE, "gradcheck: the function must return one element, not %s",
                      glab_shape_str(y->value.ndim, y->value.shape, buf, sizeof buf));
  }
  *out = y;
  return GLAB_OK;
}

int glab_gradcheck(glab_gradcheck_fn fn, glab_var *const *vars, int nvars, void *ctx,
                   const glab_gradcheck_opts *opts, glab_gradcheck_report *report) {
  if (!fn || !vars || nvars < 1 || !report)
    return glab_error(GLAB_ERR_ARG, "gradcheck: need a function, variables and a report");
  for (int i = 0; i < nvars; i++)
    if (!vars[i] || vars[i]->tape)
      return glab_error(GLAB_ERR_ARG, "gradcheck: variable %d is %s", i,
                        vars[i] ? "a tape node (use glab_var_create)" : "NULL");
  if (opts && (check_opt("step", opts->step, DEFAULT_STEP, MAX_STEP) != GLAB_OK ||
               check_opt("floor", opts->floor, DEFAULT_FLOOR, MAX_FLOOR) != GLAB_OK))
    return glab_last_status();
  double h = opts && opts->step > 0 ? opts->step : DEFAULT_STEP;
  double floor_ = opts && opts->floor > 0 ? opts->floor : DEFAULT_FLOOR;
  memset(report, 0, sizeof *report);
  report->worst_var = -1;

  int rc = GLAB_OK;
  glab_tape *tape = glab_tape_create();
  glab_real **saved = calloc((size_t)nvars, sizeof *saved); /* the caller's gradients */
  glab_real **analytic = calloc((size_t)nvars, sizeof *analytic);
  if (!tape || !saved || !analytic) {
    rc = glab_error(GLAB_ERR_NOMEM, "gradcheck: out of memory");
    goto done;
  }
  for (int i = 0; i < nvars; i++) {
    glab_var *v = vars[i];
    if (!glab_var_needs_grad(v)) continue;
    size_t bytes = v->value.size * sizeof(glab_real);
    saved[i] = malloc(bytes);
    analytic[i] = calloc(v->value.size, sizeof(glab_real));
    if (!saved[i] || !analytic[i] || !glab_var_grad(v)) {
      rc = glab_error(GLAB_ERR_NOMEM, "gradcheck: out of memory");
      goto done;
    }
    memcpy(saved[i], v->grad, bytes);
    glab_var_zero_grad(v);
  }

  glab_var *y;
  if ((rc = eval(tape, fn, vars, nvars, ctx, &y)) != GLAB_OK) goto done;
  if ((rc = glab_backward(tape, y)) != GLAB_OK) goto done;
  for (int i = 0; i < nvars; i++)
    if (analytic[i]) memcpy(analytic[i], vars[i]->grad, vars[i]->value.size * sizeof(glab_real));

  for (int i = 0; i < nvars; i++) {
    if (!analytic[i]) continue;
    glab_real *x = vars[i]->value.data;
    for (size_t k = 0; k < vars[i]->value.size; k++) {
      glab_real orig = x[k];
      glab_real xp = (glab_real)(orig + h), xm = (glab_real)(orig - h);
      if ((rc = check_perturbation(i, k, orig, xp, xm, h)) != GLAB_OK) goto done;
      x[k] = xp;
      if ((rc = eval(tape, fn, vars, nvars, ctx, &y)) != GLAB_OK) {
        x[k] = orig;
        goto done;
      }
      double fp = y->value.data[0];
      x[k] = xm;
      if ((rc = eval(tape, fn, vars, nvars, ctx, &y)) != GLAB_OK) {
        x[k] = orig;
        goto done;
      }
      double fm = y->value.data[0];
      x[k] = orig;
      /* Divide by the step actually taken (x ± h rounded to glab_real). */
      double num = (fp - fm) / ((double)xp - (double)xm);
      double ana = analytic[i][k];
      double abs_err = fabs(ana - num);
      double den = fmax(fmax(fabs(ana), fabs(num)), floor_);
      double rel = abs_err / den;
      if (report->worst_var < 0 || !(rel <= report->worst_rel_error)) { /* NaN counts */
        report->worst_rel_error = isnan(rel) ? INFINITY : rel;
        report->worst_var = i;
        report->worst_index = k;
        report->analytic = ana;
        report->numeric = num;
      }
      if (!(abs_err <= report->worst_abs_error)) report->worst_abs_error = abs_err;
      report->checked++;
    }
  }

done:
  for (int i = 0; i < nvars; i++) {
    if (saved && saved[i] && vars[i]->grad)
      memcpy(vars[i]->grad, saved[i], vars[i]->value.size * sizeof(glab_real));
    if (saved) free(saved[i]);
    if (analytic) free(analytic[i]);
  }
  free(saved);
  free(analytic);
  glab_tape_destroy(tape);
  return rc;
}
