/* init.c — parameter initializers (uniform01, normal, normal_scaled, xavier_uniform,
 * xavier_normal, he_normal, zeros, constant), drawn from a glab_rng so runs are reproducible.
 * Glorot & Bengio 2010 for the xavier pair, He et al. 2015 for he_normal. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gradlab/error.h"
#include "gradlab/layer.h"

static const char *const init_names[] = {"uniform01",      "normal",        "normal_scaled",
                                         "xavier_uniform", "xavier_normal", "he_normal",
                                         "zeros",          "constant"};
#define NINITS (sizeof init_names / sizeof init_names[0])

int glab_init_parse(const char *name, glab_init *out) {
  if (!name || !out) return glab_error(GLAB_ERR_ARG, "initializer: NULL name");
  for (size_t i = 0; i < NINITS; i++) {
    if (!strcmp(name, init_names[i])) {
      memset(out, 0, sizeof *out);
      snprintf(out->name, sizeof out->name, "%s", name);
      out->std = NAN;
      out->value = NAN;
      return GLAB_OK;
    }
  }
  const char *s = glab_name_suggest(init_names, NINITS, name);
  if (s) return glab_error(GLAB_ERR_ARG, "unknown initializer '%s'; did you mean '%s'?", name, s);
  return glab_error(GLAB_ERR_ARG,
                    "unknown initializer '%s' (known: uniform01 normal normal_scaled "
                    "xavier_uniform xavier_normal he_normal zeros constant)",
                    name);
}

int glab_init_check(const glab_init *init, const char *type_name, const char *key) {
  if (!init) return glab_error(GLAB_ERR_ARG, "initializer: NULL");
  if (!type_name) type_name = "initializer";
  if (!key) key = "init";
  /* A field the initializer does not read is a mistake, not a no-op: {"he_normal", std=3} drew
   * he_normal's own std (0.1 for 200 inputs) without a word. */
  if (!isnan(init->std) && strcmp(init->name, "normal"))
    return glab_error(GLAB_ERR_ARG,
                      "%s: option '%s': %s takes no std (only normal does: {\"normal\", std=...})",
                      type_name, key, init->name);
  if (!isnan(init->value) && strcmp(init->name, "constant"))
    return glab_error(GLAB_ERR_ARG,
                      "%s: option '%s': %s takes no value (only constant does: {\"constant\", "
                      "value=...})",
                      type_name, key, init->name);
  if (!isnan(init->std) && !(isfinite(init->std) && init->std >= 0))
    return glab_error(GLAB_ERR_ARG, "%s: option '%s': %s std must be a finite number >= 0, got %g",
                      type_name, key, init->name, init->std);
  if (isinf(init->value))
    return glab_error(GLAB_ERR_ARG, "%s: option '%s': %s value must be a finite number, got %g",
                      type_name, key, init->name, init->value);
  /* Finite but beyond glab_real (float: 1e300) would fill the weights with ±inf. */
  if (!isnan(init->std) && init->std > GLAB_REAL_MAX)
    return glab_error(GLAB_ERR_ARG, "%s: option '%s': %s std %g is too large for %s (at most %g)",
                      type_name, key, init->name, init->std, GLAB_REAL_NAME, (double)GLAB_REAL_MAX);
  if (!isnan(init->value) && fabs(init->value) > GLAB_REAL_MAX)
    return glab_error(GLAB_ERR_ARG, "%s: option '%s': %s value %g is too large for %s (at most %g)",
                      type_name, key, init->name, init->value, GLAB_REAL_NAME,
                      (double)GLAB_REAL_MAX);
  return GLAB_OK;
}

/* A std that fits glab_real may still give draws that do not (std 3e38 · 1.5): refuse those
 * rather than leave ±inf weights. */
static int fill_normal(glab_tensor *t, double std, glab_rng *rng) {
  for (size_t i = 0; i < t->size; i++) {
    double x = std * glab_rng_normal(rng);
    if (fabs(x) > GLAB_REAL_MAX)
      return glab_error(GLAB_ERR_ARG, "initializer: normal std %g gives values too large for %s",
                        std, GLAB_REAL_NAME);
    t->data[i] = (glab_real)x;
  }
  return GLAB_OK;
}

static void fill_uniform(glab_tensor *t, double lo, double hi, glab_rng *rng) {
  for (size_t i = 0; i < t->size; i++)
    t->data[i] = (glab_real)(lo + (hi - lo) * glab_rng_uniform(rng));
}

int glab_init_apply(const glab_init *init, glab_tensor *t, int fan_in, int fan_out, glab_rng *rng) {
  if (!init || !t) return glab_error(GLAB_ERR_ARG, "initializer: NULL argument");
  if (!rng) rng = glab_default_rng();
  if (glab_init_check(init, NULL, NULL) != GLAB_OK) return glab_last_status();
  const char *n = init->name;
  int needs_fan =
      !strcmp(n, "normal_scaled") || !strcmp(n, "he_normal") || !strncmp(n, "xavier", 6);
  if (needs_fan && (fan_in <= 0 || (!strncmp(n, "xavier", 6) && fan_in + fan_out <= 0)))
    return glab_error(GLAB_ERR_ARG, "initializer %s: needs a positive fan_in (got %d)", n, fan_in);
  int rc = GLAB_OK;
  if (!strcmp(n, "uniform01")) {
    fill_uniform(t, 0.0, 1.0, rng);
  } else if (!strcmp(n, "normal")) {
    rc = fill_normal(t, isnan(init->std) ? 1.0 : init->std, rng);
  } else if (!strcmp(n, "normal_scaled")) {
    rc = fill_normal(t, 1.0 / sqrt((double)fan_in), rng);
  } else if (!strcmp(n, "xavier_uniform")) {
    double a = sqrt(6.0 / (double)(fan_in + fan_out));
    fill_uniform(t, -a, a, rng);
  } else if (!strcmp(n, "xavier_normal")) {
    rc = fill_normal(t, sqrt(2.0 / (double)(fan_in + fan_out)), rng);
  } else if (!strcmp(n, "he_normal")) {
    rc = fill_normal(t, sqrt(2.0 / (double)fan_in), rng);
  } else if (!strcmp(n, "zeros") || !strcmp(n, "constant")) {
    glab_real v = (glab_real)(!strcmp(n, "zeros") || isnan(init->value) ? 0.0 : init->value);
    for (size_t i = 0; i < t->size; i++)
      t->data[i] = v;
  } else {
    glab_init tmp;
    return glab_init_parse(n, &tmp); /* sets the "unknown initializer" message */
  }
  return rc;
}
