/* test_loader.c — the plugin loader against deliberately broken plugins: each failure gives a
 * message naming the file and the reason, the process keeps running, and nothing from the
 * broken file stays registered. Also the registry's own checks and the search path. */
#include <stdlib.h>
#include <unistd.h>

#include "gradlab/plugin.h"
#include "plugtest.h"

#ifndef BROKEN_DIR
#error "BROKEN_DIR must name the folder of the broken test plugins"
#endif
#define BROKEN(f) BROKEN_DIR "/" f

static glab_registry *reg;
static size_t shipped;

static int setup(void) {
  reg = glab_registry_create();
  if (glab_plugins_load_default(reg, NULL, 0) != GLAB_OK) return 1;
  shipped = glab_registry_count(reg);
  return shipped < 12;
}
static int teardown(void) {
  glab_registry_destroy(reg);
  return 0;
}

/* Loading `file` fails with a message containing the path and `reason`; nothing is added. */
static void refused(const char *file, const char *reason) {
  size_t before = glab_registry_count(reg), plugins = glab_registry_plugin_count(reg);
  int rc = glab_plugin_load(reg, file);
  CU_ASSERT_NOT_EQUAL(rc, GLAB_OK);
  PT_MSG_HAS(file);
  PT_MSG_HAS(reason);
  CU_ASSERT_EQUAL(glab_registry_count(reg), before);
  CU_ASSERT_EQUAL(glab_registry_plugin_count(reg), plugins);
}

static void test_not_a_shared_object(void) {
  refused(BROKEN("not_a_plugin.so"), "not a loadable shared object");
  PT_MSG_HAS("invalid ELF header"); /* dlerror() text included */
  refused(BROKEN("no_such_file.so"), "no such file");
}

static void test_missing_symbols(void) {
  refused(BROKEN("nosym.so"), "missing entry symbol 'glab_plugin_abi'");
  refused(BROKEN("noinit.so"), "missing entry symbol 'glab_plugin_init'");
  /* Entry symbols that are data: calling them would crash (SIGSEGV, or run the bytes). */
  refused(BROKEN("dataabi.so"), "entry symbol 'glab_plugin_abi' is not a function");
  refused(BROKEN("datainit.so"), "entry symbol 'glab_plugin_init' is not a function");
}

static void test_abi_mismatch(void) {
  char want[64];
  glab_abi_text(GLAB_PLUGIN_ABI, want, sizeof want);
  refused(BROKEN("badabi.so"), "ABI mismatch: the plugin was built for ABI 99");
  PT_MSG_HAS(want); /* both versions named; and its init (abort) never ran */
  char buf[64];
  CU_ASSERT_STRING_EQUAL(glab_abi_text((1 << 8) | 8, buf, sizeof buf), "ABI 1 (double)");
  CU_ASSERT_STRING_EQUAL(glab_abi_text((1 << 8) | 4, buf, sizeof buf), "ABI 1 (float)");
}

static void test_init_failure(void) {
  refused(BROKEN("initfail.so"), "init failed");
  PT_MSG_HAS("initfail: the frobnicator is missing");
  CU_ASSERT_PTR_NULL(glab_registry_layer(reg, "initfail_layer"));
}

static void test_duplicates(void) {
  refused(BROKEN("dup_dense.so"), "layer type 'dense' from " BROKEN("dup_dense.so"));
  PT_MSG_HAS("/dense.so"); /* the first file is named too */
  CU_ASSERT_EQUAL(glab_plugin_load(reg, BROKEN("dup_a.so")), GLAB_OK);
  CU_ASSERT_PTR_NOT_NULL(glab_registry_layer(reg, "dup_layer"));
  CU_ASSERT_PTR_NOT_NULL(glab_registry_layer(reg, "dup_a_extra"));
  refused(BROKEN("dup_b.so"), "is already registered by " BROKEN("dup_a.so"));
  CU_ASSERT_PTR_NULL(glab_registry_layer(reg, "dup_b_extra")); /* nothing half-registered */
  /* the layer that stayed is dup_a's */
  CU_ASSERT_STRING_EQUAL(glab_registry_layer(reg, "dup_layer")->doc, "from dup_a");
  /* loading the same file again is a no-op */
  size_t n = glab_registry_count(reg);
  CU_ASSERT_EQUAL(glab_plugin_load(reg, BROKEN("dup_a.so")), GLAB_OK);
  CU_ASSERT_EQUAL(glab_registry_count(reg), n);
  /* the process keeps working: a shipped layer still builds */
  glab_layer *l = pt_layer(reg, "dense", "inputs=2 outputs=2", NULL, 0);
  CU_ASSERT_PTR_NOT_NULL(l);
  glab_layer_destroy(l);
}

static void test_folder_keeps_going(void) {
  glab_registry *r = glab_registry_create();
  int rc = glab_plugin_load_dir(r, BROKEN_DIR);
  CU_ASSERT_NOT_EQUAL(rc, GLAB_OK);
  /* every broken file is reported; the good ones (dup_a, dup_dense: no clash here) loaded */
  PT_MSG_HAS("badabi.so"); /* the first failure, in name order */
  PT_MSG_HAS("(and 7 more plugin load failures)");
  const char *want[8] = {"badabi.so", "dataabi.so", "datainit.so", "dup_b.so",
                         "initfail.so", "noinit.so", "nosym.so", "not_a_plugin.so"};
  CU_ASSERT_EQUAL_FATAL(glab_registry_failure_count(r), 8);
  for (int i = 0; i < 8; i++)
    CU_ASSERT_PTR_NOT_NULL(strstr(glab_registry_failure(r, i), want[i]));
  CU_ASSERT_PTR_NOT_NULL(glab_registry_layer(r, "dup_layer"));
  CU_ASSERT_PTR_NOT_NULL(glab_registry_layer(r, "dense"));
  CU_ASSERT_PTR_NULL(glab_registry_layer(r, "initfail_layer"));
  glab_registry_destroy(r);
  CU_ASSERT_EQUAL(glab_plugin_load_dir(reg, BROKEN_DIR "/nope"), GLAB_ERR_NOTFOUND);
}

static void test_registry_checks(void) {
  glab_registry *r = glab_registry_create();
  glab_layer_type bad = {.name = "Bad-Name", .forward = NULL};
  CU_ASSERT_NOT_EQUAL(glab_register_layer(r, &bad), GLAB_OK);
  PT_MSG_HAS("invalid type name 'Bad-Name'");
  bad.name = "ok_name";
  CU_ASSERT_NOT_EQUAL(glab_register_layer(r, &bad), GLAB_OK);
  PT_MSG_HAS("a required callback is NULL");
  CU_ASSERT_EQUAL(glab_registry_count(r), 0);
  CU_ASSERT_PTR_NULL(glab_registry_layer(r, "dense"));
  PT_MSG_HAS("no layer types are loaded");
  glab_registry_destroy(r);
}

static glab_var *stub_forward(glab_layer *self, glab_tape *tape, glab_var *x);
static int stub_update(glab_optimizer *self, const glab_real *value, const glab_real *grad,
                       glab_real *delta, glab_real **state, size_t n, long step);

/* The registry's messages say what is wrong: which callback is NULL, a state_slots count out of
 * range (it said "a required callback is NULL"), the rule a 64-byte name breaks, and a name
 * asked for as the wrong kind (`gradlab gradcheck adam` suggested nothing). */
static void test_registry_messages(void) {
  glab_registry *r = glab_registry_create();
  glab_layer_type l = {.name = "no_forward"};
  CU_ASSERT_NOT_EQUAL(glab_register_layer(r, &l), GLAB_OK);
  PT_MSG_HAS("register layer 'no_forward': a required callback is NULL (forward)");
  glab_optimizer_type o = {.name = "no_update"};
  CU_ASSERT_NOT_EQUAL(glab_register_optimizer(r, &o), GLAB_OK);
  PT_MSG_HAS("register optimizer 'no_update': a required callback is NULL (update)");
  o = (glab_optimizer_type){.name = "many_slots", .update = stub_update, .state_slots = 17};
  CU_ASSERT_NOT_EQUAL(glab_register_optimizer(r, &o), GLAB_OK);
  PT_MSG_HAS("register optimizer 'many_slots': state_slots is 17 (0 to 16");
  o.state_slots = -1;
  CU_ASSERT_NOT_EQUAL(glab_register_optimizer(r, &o), GLAB_OK);
  PT_MSG_HAS("state_slots is -1 (0 to 16");
  o.state_slots = 16;
  CU_ASSERT_EQUAL(glab_register_optimizer(r, &o), GLAB_OK);
  glab_pretrainer_type p = {.name = "no_run"};
  CU_ASSERT_NOT_EQUAL(glab_register_pretrainer(r, &p), GLAB_OK);
  PT_MSG_HAS("register pretrainer 'no_run': a required callback is NULL (run)");
  char longname[65];
  memset(longname, 'a', 64);
  longname[64] = '\0';
  l = (glab_layer_type){.name = longname, .forward = stub_forward};
  CU_ASSERT_NOT_EQUAL(glab_register_layer(r, &l), GLAB_OK);
  PT_MSG_HAS("not starting with a digit, at most 63)");
  longname[63] = '\0';
  CU_ASSERT_EQUAL(glab_register_layer(r, &l), GLAB_OK);
  /* a name of another kind */
  CU_ASSERT_PTR_NULL(glab_registry_layer(r, "many_slots"));
  PT_MSG_HAS(
      "unknown layer type 'many_slots' ('many_slots' is an optimizer type, from (built-in))");
  CU_ASSERT_PTR_NULL(glab_registry_optimizer(r, longname));
  PT_MSG_HAS("' is a layer type, from (built-in))");
  glab_registry_destroy(r);
  CU_ASSERT_PTR_NULL(glab_registry_layer(reg, "adam")); /* and with the shipped plugins */
  PT_MSG_HAS("unknown layer type 'adam' ('adam' is an optimizer type, from ");
  PT_MSG_HAS("adam.so)");
}

static glab_var *stub_forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self, (void)tape;
  return x;
}
static int stub_update(glab_optimizer *self, const glab_real *value, const glab_real *grad,
                       glab_real *delta, glab_real **state, size_t n, long step) {
  (void)self, (void)value, (void)grad, (void)delta, (void)state, (void)n, (void)step;
  return GLAB_OK;
}
static int stub_run(const glab_config *cfg, glab_model *m, glab_dataset *d,
                    glab_pretrain_report_fn report, void *ctx) {
  (void)cfg, (void)m, (void)d, (void)report, (void)ctx;
  return GLAB_OK;
}

/* Option tables are checked when a type registers: a bad default or a name declared twice fails
 * the plugin, naming the file, the type and the option, and nothing of it stays registered. */
static void test_option_tables(void) {
  refused(BADOPTS_DIR "/baddefault.so", "register layer 'baddefault_layer': option 'rate': "
                                        "bad default \"fast\": 'fast' is not a number");
  CU_ASSERT_PTR_NULL(glab_registry_layer(reg, "baddefault_good")); /* rolled back too */
  refused(BADOPTS_DIR "/dupopt.so", "register optimizer 'dupopt': option 'lr' is declared twice");
  CU_ASSERT_PTR_NULL(glab_registry_optimizer(reg, "dupopt"));
  /* the same checks for types registered directly (built-in), each kind */
  glab_registry *r = glab_registry_create();
  static const glab_option inf_def[] = {{"x", GLAB_OPT_REAL, "inf", "doc"}, GLAB_OPTIONS_END};
  static const glab_option bad_init[] = {{"w", GLAB_OPT_INIT, "gaussian", "doc"}, GLAB_OPTIONS_END};
  static const glab_option bad_ints[] = {{"layers", GLAB_OPT_INTS, "1,two", "doc"},
                                         GLAB_OPTIONS_END};
  static const glab_option bad_name[] = {{"my option", GLAB_OPT_INT, "1", "doc"}, GLAB_OPTIONS_END};
  static const glab_option bad_kind[] = {{"k", (glab_opt_kind)42, "1", "doc"}, GLAB_OPTIONS_END};
  static const glab_option clip[] = {{"clip_norm", GLAB_OPT_REAL, "1", "doc"}, GLAB_OPTIONS_END};
  static const glab_option fine[] = {{"x", GLAB_OPT_REAL, "", "unset is fine"},
                                     {"s", GLAB_OPT_STRING, "", "empty is fine"},
                                     {"n", GLAB_OPT_INT, NULL, "required is fine"},
                                     GLAB_OPTIONS_END};
  glab_layer_type lt = {.name = "t_layer", .options = inf_def, .forward = stub_forward};
  CU_ASSERT_NOT_EQUAL(glab_register_layer(r, &lt), GLAB_OK);
  PT_MSG_HAS("register layer 't_layer': option 'x': bad default \"inf\": must be a finite number");
  lt.options = bad_init;
  CU_ASSERT_NOT_EQUAL(glab_register_layer(r, &lt), GLAB_OK);
  PT_MSG_HAS("option 'w': bad default \"gaussian\": unknown initializer 'gaussian'");
  lt.options = bad_name;
  CU_ASSERT_NOT_EQUAL(glab_register_layer(r, &lt), GLAB_OK);
  PT_MSG_HAS("option 1 has an invalid name 'my option'");
  lt.options = bad_kind;
  CU_ASSERT_NOT_EQUAL(glab_register_layer(r, &lt), GLAB_OK);
  PT_MSG_HAS("option 'k' has an unknown kind 42");
  glab_pretrainer_type pt = {.name = "t_pre", .options = bad_ints, .run = stub_run};
  CU_ASSERT_NOT_EQUAL(glab_register_pretrainer(r, &pt), GLAB_OK);
  PT_MSG_HAS("register pretrainer 't_pre': option 'layers': bad default \"1,two\"");
  glab_optimizer_type ot = {.name = "t_opt", .options = clip, .update = stub_update};
  CU_ASSERT_NOT_EQUAL(glab_register_optimizer(r, &ot), GLAB_OK);
  PT_MSG_HAS("option 'clip_norm' is one the core adds to every optimizer");
  static const glab_option named[] = {{"name", GLAB_OPT_STRING, "", "doc"}, GLAB_OPTIONS_END};
  lt.options = named;
  CU_ASSERT_NOT_EQUAL(glab_register_layer(r, &lt), GLAB_OK);
  PT_MSG_HAS("option 'name' is one every layer takes");
  CU_ASSERT_EQUAL(glab_registry_count(r), 0); /* nothing registered */
  lt.options = fine;
  CU_ASSERT_EQUAL(glab_register_layer(r, &lt), GLAB_OK);
  CU_ASSERT_EQUAL(glab_registry_count(r), 1);
  glab_registry_destroy(r);
  /* every shipped type's table passes (they are registered in setup) */
  CU_ASSERT(shipped >= 12);
}

static void test_search_path(void) {
  char buf[4096];
  setenv("GRADLAB_PLUGIN_PATH", "/tmp/a:/tmp/b", 1);
  glab_plugin_search_path(buf, sizeof buf);
  CU_ASSERT(strncmp(buf, "/tmp/a:/tmp/b:", 14) == 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "plugins"));
  /* an explicit path comes first: dup_dense before the shipped dense, which then clashes */
  glab_registry *r = glab_registry_create();
  setenv("GRADLAB_PLUGIN_PATH", "", 1);
  const char *paths[1] = {BROKEN("dup_dense.so")};
  CU_ASSERT_NOT_EQUAL(glab_plugins_load_default(r, paths, 1), GLAB_OK);
  CU_ASSERT_STRING_EQUAL(glab_registry_layer(r, "dense")->doc, "an impostor");
  PT_MSG_HAS("layer type 'dense' from");
  CU_ASSERT_PTR_NOT_NULL(glab_registry_layer(r, "lstm")); /* the rest still loaded */
  glab_registry_destroy(r);
  /* GRADLAB_PLUGIN_PATH folders come before the build tree's */
  r = glab_registry_create();
  setenv("GRADLAB_PLUGIN_PATH", BROKEN_DIR, 1);
  CU_ASSERT_NOT_EQUAL(glab_plugins_load_default(r, NULL, 0), GLAB_OK);
  CU_ASSERT_STRING_EQUAL(glab_registry_layer(r, "dense")->doc, "an impostor");
  glab_registry_destroy(r);
  unsetenv("GRADLAB_PLUGIN_PATH");
}

static int warned;
static char warned_msg[1024];
static void on_warn(void *ctx, const char *message) {
  (void)ctx;
  warned++;
  snprintf(warned_msg, sizeof warned_msg, "%s", message);
}

/* A GRADLAB_PLUGIN_PATH folder that does not exist (a stale path) is a warning naming it, on
 * stderr or through the tolerant loader's callback, once per registry; never a failure. */
static void test_missing_path_folder(void) {
  setenv("GRADLAB_PLUGIN_PATH", "/nonexistent/gradlab-plugins::" BROKEN_DIR "/initfail.so", 1);
  /* the standard search: the warning goes to stderr (captured here) and stays in the registry */
  char tmpl[] = "/tmp/gradlab-stderr-XXXXXX";
  int fd = mkstemp(tmpl);
  CU_ASSERT_FATAL(fd >= 0);
  fflush(stderr);
  int saved = dup(2);
  dup2(fd, 2);
  glab_registry *r = glab_registry_create();
  glab_plugins_load_default(r, NULL, 0); /* initfail.so fails (a failure, as before) */
  glab_plugins_load_default(r, NULL, 0); /* again: no second warning */
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  char out[4096] = "";
  ssize_t n = pread(fd, out, sizeof out - 1, 0);
  out[n > 0 ? n : 0] = '\0';
  close(fd);
  unlink(tmpl);
  const char *w = "gradlab: warning: GRADLAB_PLUGIN_PATH folder /nonexistent/gradlab-plugins does "
                  "not exist (skipped)";
  CU_ASSERT_PTR_NOT_NULL(strstr(out, w));
  CU_ASSERT_PTR_NULL(strstr(strstr(out, w) ? strstr(out, w) + 1 : out, w)); /* once */
  CU_ASSERT_EQUAL(glab_registry_warning_count(r), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(glab_registry_warning(r, 0), "/nonexistent/gradlab-plugins"));
  for (size_t i = 0; i < glab_registry_failure_count(r); i++) /* initfail: a warning is not one */
    CU_ASSERT_PTR_NOT_NULL(strstr(glab_registry_failure(r, i), "initfail.so"));
  CU_ASSERT_PTR_NOT_NULL(glab_registry_layer(r, "dense")); /* the rest of the search ran */
  glab_registry_destroy(r);
  /* the tolerant loader hands it to its callback, once per registry */
  setenv("GRADLAB_PLUGIN_PATH", "/nonexistent/gradlab-plugins", 1);
  r = glab_registry_create();
  warned = 0;
  CU_ASSERT_EQUAL(glab_plugins_load_tolerant(r, NULL, 0, on_warn, NULL), GLAB_OK);
  CU_ASSERT_EQUAL(glab_plugins_load_tolerant(r, NULL, 0, on_warn, NULL), GLAB_OK);
  CU_ASSERT_EQUAL(warned, 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(warned_msg, "GRADLAB_PLUGIN_PATH folder "
                                            "/nonexistent/gradlab-plugins does not exist"));
  glab_registry_destroy(r);
  unsetenv("GRADLAB_PLUGIN_PATH");
}

int main(void) {
  const pt_test tests[] = {{"not a shared object", test_not_a_shared_object},
                           {"missing entry symbols", test_missing_symbols},
                           {"ABI mismatch", test_abi_mismatch},
                           {"init failure", test_init_failure},
                           {"duplicate names", test_duplicates},
                           {"a folder keeps going", test_folder_keeps_going},
                           {"registry checks", test_registry_checks},
                           {"registry messages", test_registry_messages},
                           {"option tables checked at registration", test_option_tables},
                           {"search path", test_search_path},
                           {"a missing GRADLAB_PLUGIN_PATH folder", test_missing_path_folder},
                           {NULL, NULL}};
  return pt_run("plugins_loader", tests, setup, teardown);
}
