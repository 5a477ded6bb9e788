/* config.h — typed option tables that plugin types declare, and the typed key-value config
 * that reaches their create(). The core validates a config against the table (unknown names
 * with a nearest-name suggestion, wrong kinds, missing required options) and fills defaults,
 * so create() can read every declared option without checking. */
#ifndef GRADLAB_CONFIG_H
#define GRADLAB_CONFIG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum glab_opt_kind {
  GLAB_OPT_INT,
  GLAB_OPT_REAL, /* an int given for a real option is accepted */
  GLAB_OPT_BOOL,
  GLAB_OPT_STRING,
  GLAB_OPT_INTS, /* list of ints */
  GLAB_OPT_INIT  /* an initializer: a name, or a name with std=/value= */
} glab_opt_kind;

/* One declared option. `def` is the default written as text ("0.1", "true", "xavier_uniform",
 * "1,2,3"); NULL means required; "" for a string means empty, for a real means "not set" (NaN). */
typedef struct glab_option {
  const char *name;
  glab_opt_kind kind;
  const char *def;
  const char *doc;
} glab_option;
#define GLAB_OPTIONS_END                                                                           \
  { NULL, GLAB_OPT_INT, NULL, NULL }

/* An initializer choice: uniform01 normal normal_scaled xavier_uniform xavier_normal he_normal
 * zeros constant. `std` (normal; default 1) and `value` (constant; default 0) are NaN when not
 * given. As text: "xavier_uniform", "normal(0.1)" (std) or "constant(0.5)" (value). */
typedef struct glab_init {
  char name[32];
  double std;
  double value;
} glab_init;

typedef struct glab_config glab_config;

glab_config *glab_config_create(void);
void glab_config_destroy(glab_config *cfg);
/* Setters replace an existing key. Return GLAB_OK or an error. */
int glab_config_set_int(glab_config *cfg, const char *key, long v);
int glab_config_set_real(glab_config *cfg, const char *key, double v);
int glab_config_set_bool(glab_config *cfg, const char *key, int v);
int glab_config_set_string(glab_config *cfg, const char *key, const char *v);
int glab_config_set_ints(glab_config *cfg, const char *key, const long *v, int n);
int glab_config_set_init(glab_config *cfg, const char *key, const glab_init *v);
int glab_config_has(const glab_config *cfg, const char *key);
size_t glab_config_count(const glab_config *cfg);
const char *glab_config_key_at(const glab_config *cfg, size_t i);

/* Check against `options` for type `type_name`, convert (int -> real, a string naming an
 * initializer -> init) and fill defaults. Error messages name the type and option, e.g.
 * "dense: unknown option 'unit'; did you mean 'units'?". */
int glab_config_validate(glab_config *cfg, const glab_option *options, const char *type_name);

/* Check an option table itself (the registry does this when a type is registered): at most 200
 * options, names of letters, digits and '_', known kinds, no name twice, and every default
 * parses for its kind and is a value the option accepts. The message names the type and the
 * option ("thing: option 'rate': bad default \"fast\": 'fast' is not a number"). */
int glab_options_check(const glab_option *options, const char *type_name);

/* Value ranges of int and real options, checked by the type itself (in create(), or at the
 * start of a pretrainer's run()) on its validated config, so every plugin words them alike:
 *     static const glab_option_range ranges[] = {{"lr", "(0,inf)"}, {"beta1", "[0,1)"},
 *                                                GLAB_RANGES_END};
 *     if (glab_config_check_ranges(cfg, ranges, "adam") != GLAB_OK) return glab_last_status();
 * A range is an interval "[lo,hi]", "(" / ")" marking an open end, inf / -inf no bound:
 * "(0,inf)" is > 0, "[0,inf)" >= 0, "[0,1)". The message names the type, option and value
 * ("adam: option 'beta1' must be in [0, 1), got 1"); an unset real (NaN) passes; a badly
 * written range is an error too. */
typedef struct glab_option_range {
  const char *name;
  const char *range;
} glab_option_range;
#define GLAB_RANGES_END                                                                            \
  { NULL, NULL }
int glab_config_check_ranges(const glab_config *cfg, const glab_option_range *ranges,
                             const char *type_name);

/* Readers (valid after validation; a missing key reads as 0 / NaN / NULL). */
long glab_config_int(const glab_config *cfg, const char *key);
double glab_config_real(const glab_config *cfg, const char *key);
int glab_config_bool(const glab_config *cfg, const char *key);
const char *glab_config_string(const glab_config *cfg, const char *key);
const long *glab_config_ints(const glab_config *cfg, const char *key, int *n);
const glab_init *glab_config_init(const glab_config *cfg, const char *key);

/* Parse an option kind's default text into a config value (used for defaults and CLI --set).
 * A bool is one of true, yes, 1 or false, no, 0 (lowercase). */
int glab_config_set_from_text(glab_config *cfg, const char *key, glab_opt_kind kind,
                              const char *text);
/* Levenshtein-nearest of `options` to `name`, or NULL when nothing is close. */
const char *glab_option_suggest(const glab_option *options, const char *name);
/* Levenshtein-nearest of a NULL-terminated list of names, or NULL when nothing is close. */
const char *glab_name_suggest(const char *const *names, size_t n, const char *name);

/* A number as messages show it: "nan" whatever its sign bit (printf says "-nan" for 0/0 on
 * x86), "inf", "-inf", else the shortest of %.6g .. %.17g that reads back as v (so 0.9999999 is
 * not shown as 1). Returns buf. */
const char *glab_num_text(double v, char *buf, size_t size);
/* Whether s is a decimal number and nothing else: [+-] digits [. digits] [e [+-] digits], with
 * a digit before the exponent; no blanks, no hex, no inf or nan (strtod and Lua take those).
 * *nonzero (may be NULL): a digit other than 0 before the exponent, so that 1e-400 (read as 0)
 * can be told from 0e5. */
int glab_is_decimal(const char *s, int *nonzero);

/* A deep copy (NULL on no memory). */
glab_config *glab_config_copy(const glab_config *cfg);
/* The kind a key currently holds; -1 if absent. */
int glab_config_kind(const glab_config *cfg, const char *key);
/* Set options from text "key=value key=value" (whitespace- or ';'-separated; a value may be
 * a comma list "1,2,3" or an initializer "normal(0.1)"), each parsed by its declared kind.
 * Unknown keys are an error with a suggestion, as in glab_config_validate. */
int glab_config_set_pairs(glab_config *cfg, const glab_option *options, const char *type_name,
                          const char *text);
/* The option kind's name ("int", "real", "bool", "string", "ints", "init"). */
const char *glab_opt_kind_name(glab_opt_kind kind);
/* A value as text (for --describe, logs and run summaries); returns buf. */
char *glab_config_value_text(const glab_config *cfg, const char *key, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
