/* gradcheck.h — compare the tape's gradients with central finite differences. */
#ifndef GRADLAB_GRADCHECK_H
#define GRADLAB_GRADCHECK_H

#include "gradlab/tape.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Build a one-element result on `tape` from the variables (and ctx). NULL on error. */
typedef glab_var *(*glab_gradcheck_fn)(glab_tape *tape, glab_var *const *vars, int nvars,
                                       void *ctx);

/* Each is 0 for its default, else a finite number in (0, 1]: anything else (negative, NaN, inf,
 * above 1) makes glab_gradcheck fail with GLAB_ERR_ARG and a message naming the field. */
typedef struct glab_gradcheck_opts {
  double step;  /* finite-difference step h (0: 1e-5 double build, 2e-2 float build) */
  double floor; /* relative error = |a - n| / max(|a|, |n|, floor) (0: 1e-3 double, 1e-2 float) */
} glab_gradcheck_opts;

typedef struct glab_gradcheck_report {
  double worst_rel_error; /* over every element of every variable with NEEDS_GRAD */
  double worst_abs_error;
  int worst_var;            /* index into vars */
  size_t worst_index;       /* element index */
  double analytic, numeric; /* at the worst place */
  size_t checked;           /* elements compared */
} glab_gradcheck_report;

/* vars are persistent variables (glab_var_create); each is perturbed in place and restored.
 * opts may be NULL for defaults. Returns GLAB_OK (the report tells how close) or an error. Bad
 * opts, a variable element that is not finite, or one where x ± step rounds back to x in
 * glab_real (the step is too small for that value) are GLAB_ERR_ARG, with a message naming the
 * field or the variable and element, rather than an infinite error blamed on the backward. */
int glab_gradcheck(glab_gradcheck_fn fn, glab_var *const *vars, int nvars, void *ctx,
                   const glab_gradcheck_opts *opts, glab_gradcheck_report *report);

#ifdef __cplusplus
}
#endif
#endif
