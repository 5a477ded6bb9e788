/* test_files.c — the core's file writers (glab_model_save, glab_write_file_atomic, the run
 * folder) write a temporary file and rename it over the target: they must replace only regular
 * files. A FIFO, a directory or a dangling link at the target is refused with an error naming
 * the path and left as it was; a symbolic link is followed (its file is replaced, the link
 * stays); a temporary name planted in advance is never followed. (No device node is used: as
 * root a failing writer would replace it.) Loading a model reads regular files only. */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gradlab/error.h"
#include "gradlab/layer.h"
#include "gradlab/model.h"
#include "gradlab/registry.h"
#include "gradlab/runlog.h"

static glab_registry *reg;
static char dir[] = "/tmp/gradlab-files-XXXXXX";

static int setup(void) {
  reg = glab_registry_create();
  if (!reg || glab_plugins_load_default(reg, NULL, 0) != GLAB_OK) {
    fprintf(stderr, "plugins: %s\n", glab_last_error());
    return 1;
  }
  return mkdtemp(dir) ? 0 : 1;
}

static int teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  glab_registry_destroy(reg);
  return system(cmd) == 0 ? 0 : 1;
}

static const char *path(const char *name) {
  static char buf[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

static int has(const char *s) {
  int ok = strstr(glab_last_error(), s) != NULL;
  if (!ok) printf("\n    '%s' not in '%s'\n", s, glab_last_error());
  return ok;
}

/* Names holding ".tmp-" in folder d (temporary files left behind). */
static int leftovers(const char *d) {
  DIR *dd = opendir(d);
  int n = 0;
  struct dirent *e;
  while (dd && (e = readdir(dd)))
    if (strstr(e->d_name, ".tmp-")) n++;
  if (dd) closedir(dd);
  return n;
}

static mode_t kind(const char *p) {
  struct stat st;
  return lstat(p, &st) == 0 ? (st.st_mode & S_IFMT) : 0;
}

static void write_text(const char *p, const char *text) {
  FILE *f = fopen(p, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
}

static char *read_text(const char *p) {
  static char buf[4096];
  FILE *f = fopen(p, "rb");
  buf[0] = '\0';
  if (!f) return buf;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static glab_model *small_model(void) {
  glab_config *cfg = glab_config_create();
  glab_config_set_int(cfg, "inputs", 2);
  glab_config_set_int(cfg, "outputs", 3);
  glab_layer *l = glab_layer_create(reg, "dense", cfg, NULL, 0);
  glab_config_destroy(cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(l);
  glab_model *m = glab_model_create(&l, 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  return m;
}

static void test_model_save_targets(void) {
  glab_model *m = small_model();
  /* a regular file (new, then replaced) */
  CU_ASSERT_EQUAL(glab_model_save(m, path("m.glab")), GLAB_OK);
  CU_ASSERT_EQUAL(glab_model_save(m, path("m.glab")), GLAB_OK);
  CU_ASSERT_EQUAL(kind(path("m.glab")), S_IFREG);
  /* a FIFO: refused, naming the path; the FIFO stays (and nothing blocks on it) */
  CU_ASSERT_EQUAL_FATAL(mkfifo(path("fifo"), 0600), 0);
  CU_ASSERT_EQUAL(glab_model_save(m, path("fifo")), GLAB_ERR_IO);
  CU_ASSERT(has(path("fifo")) && has("not a regular file") && has("FIFO"));
  CU_ASSERT_EQUAL(kind(path("fifo")), S_IFIFO);
  /* a directory */
  CU_ASSERT_EQUAL_FATAL(mkdir(path("adir"), 0700), 0);
  CU_ASSERT_EQUAL(glab_model_save(m, path("adir")), GLAB_ERR_IO);
  CU_ASSERT(has(path("adir")) && has("directory"));
  CU_ASSERT_EQUAL(kind(path("adir")), S_IFDIR);
  /* a symbolic link: the file it points to is replaced (beside itself), the link stays */
  CU_ASSERT_EQUAL_FATAL(mkdir(path("real"), 0700), 0);
  write_text(path("real/target.glab"), "old");
  CU_ASSERT_EQUAL_FATAL(symlink(path("real/target.glab"), path("link.glab")), 0);
  CU_ASSERT_EQUAL(glab_model_save(m, path("link.glab")), GLAB_OK);
  CU_ASSERT_EQUAL(kind(path("link.glab")), S_IFLNK);
  CU_ASSERT_EQUAL(kind(path("real/target.glab")), S_IFREG);
  CU_ASSERT_EQUAL(glab_model_load(m, path("real/target.glab")), GLAB_OK);
  CU_ASSERT_EQUAL(glab_model_load(m, path("link.glab")), GLAB_OK);
  CU_ASSERT_EQUAL(leftovers(path("real")), 0);
  /* a link to a FIFO, a dangling link: refused, the link stays */
  CU_ASSERT_EQUAL_FATAL(symlink(path("fifo"), path("fifolink")), 0);
  CU_ASSERT_EQUAL(glab_model_save(m, path("fifolink")), GLAB_ERR_IO);
  CU_ASSERT(has(path("fifolink")) && has("FIFO"));
  CU_ASSERT_EQUAL(kind(path("fifo")), S_IFIFO);
  CU_ASSERT_EQUAL_FATAL(symlink(path("nowhere/x"), path("dangling")), 0);
  CU_ASSERT_EQUAL(glab_model_save(m, path("dangling")), GLAB_ERR_IO);
  CU_ASSERT(has(path("dangling")) && has("symbolic link"));
  CU_ASSERT_EQUAL(kind(path("dangling")), S_IFLNK);
  /* a temporary name planted in advance (a link to a victim) is not followed */
  char planted[600];
  snprintf(planted, sizeof planted, "%s.tmp-%ld", path("p.glab"), (long)getpid());
  write_text(path("victim"), "victim");
  CU_ASSERT_EQUAL_FATAL(symlink(path("victim"), planted), 0);
  CU_ASSERT_EQUAL(glab_model_save(m, path("p.glab")), GLAB_OK);
  CU_ASSERT_STRING_EQUAL(read_text(path("victim")), "victim");
  CU_ASSERT_EQUAL(kind(planted), S_IFLNK);
  CU_ASSERT_EQUAL(glab_model_load(m, path("p.glab")), GLAB_OK);
  unlink(planted);
  CU_ASSERT_EQUAL(leftovers(dir), 0);
  glab_model_destroy(m);
}

/* Loading reads regular files only, as the data loaders do: a directory, a FIFO (without
 * blocking on it: the alarm ends a test that hangs) or a device is refused naming the path and
 * its kind ("cannot size the file" before, for a directory); a missing file stays NOTFOUND. */
static void test_model_load_targets(void) {
  glab_model *m = small_model();
  CU_ASSERT_EQUAL_FATAL(mkdir(path("loaddir"), 0700), 0);
  CU_ASSERT_EQUAL(glab_model_load(m, path("loaddir")), GLAB_ERR_IO);
  char want[700];
  snprintf(want, sizeof want, "load %s: not a regular file (a directory)", path("loaddir"));
  CU_ASSERT_STRING_EQUAL(glab_last_error(), want);
  CU_ASSERT_EQUAL_FATAL(mkfifo(path("loadfifo"), 0600), 0);
  alarm(20);
  CU_ASSERT_EQUAL(glab_model_load(m, path("loadfifo")), GLAB_ERR_IO);
  alarm(0);
  CU_ASSERT(has(path("loadfifo")) && has("not a regular file (a FIFO)"));
  CU_ASSERT_EQUAL(glab_model_load(m, "/dev/null"), GLAB_ERR_IO);
  CU_ASSERT(has("load /dev/null: not a regular file (a character device)"));
  CU_ASSERT_EQUAL(glab_model_load(m, path("missing.glab")), GLAB_ERR_NOTFOUND);
  CU_ASSERT(has(path("missing.glab")) && has("No such file"));
  /* and a regular file still loads */
  CU_ASSERT_EQUAL(glab_model_save(m, path("load.glab")), GLAB_OK);
  CU_ASSERT_EQUAL(glab_model_load(m, path("load.glab")), GLAB_OK);
  glab_model_destroy(m);
}

static void test_write_file_atomic(void) {
  CU_ASSERT_EQUAL(glab_write_file_atomic(path("w.txt"), "abc", 3), GLAB_OK);
  CU_ASSERT_STRING_EQUAL(read_text(path("w.txt")), "abc");
  CU_ASSERT_EQUAL(glab_write_file_atomic(path("fifo"), "abc", 3), GLAB_ERR_IO);
  CU_ASSERT(has(path("fifo")));
  CU_ASSERT_EQUAL(kind(path("fifo")), S_IFIFO);
  CU_ASSERT_EQUAL(leftovers(dir), 0);
}

/* The durable writer: the same rules, the same result (its fsync calls are not observable here,
 * but a file replaced through a link and a refused FIFO are). */
static void test_write_file_durable(void) {
  CU_ASSERT_EQUAL(glab_write_file_durable(path("d.txt"), "old", 3), GLAB_OK);
  CU_ASSERT_EQUAL(glab_write_file_durable(path("d.txt"), "abcd", 4), GLAB_OK);
  CU_ASSERT_STRING_EQUAL(read_text(path("d.txt")), "abcd");
  CU_ASSERT_EQUAL(symlink("d.txt", path("d.link")), 0);
  CU_ASSERT_EQUAL(glab_write_file_durable(path("d.link"), "via", 3), GLAB_OK);
  CU_ASSERT_EQUAL(kind(path("d.link")), S_IFLNK);
  CU_ASSERT_STRING_EQUAL(read_text(path("d.txt")), "via");
  CU_ASSERT_EQUAL(glab_write_file_durable(path("fifo"), "abc", 3), GLAB_ERR_IO);
  CU_ASSERT_EQUAL(kind(path("fifo")), S_IFIFO);
  CU_ASSERT_EQUAL(leftovers(dir), 0);
  unlink(path("d.link"));
}

/* The run folder: metrics.csv, log.txt, summary.json (temp + rename) and the .part streams. */
static void test_runlog_targets(void) {
  /* metrics.csv is a FIFO: the first flush (in create) fails naming it, the FIFO stays */
  CU_ASSERT_EQUAL_FATAL(mkdir(path("run1"), 0700), 0);
  CU_ASSERT_EQUAL_FATAL(mkfifo(path("run1/metrics.csv"), 0600), 0);
  CU_ASSERT_PTR_NULL(glab_runlog_create(path("run1"), NULL));
  CU_ASSERT(has("metrics.csv") && has("FIFO"));
  CU_ASSERT_EQUAL(kind(path("run1/metrics.csv")), S_IFIFO);
  CU_ASSERT_EQUAL(leftovers(path("run1")), 0);
  /* metrics.csv.part is a link to a victim: refused, never written through */
  CU_ASSERT_EQUAL_FATAL(mkdir(path("run2"), 0700), 0);
  write_text(path("victim2"), "victim");
  CU_ASSERT_EQUAL_FATAL(symlink(path("victim2"), path("run2/metrics.csv.part")), 0);
  CU_ASSERT_PTR_NULL(glab_runlog_create(path("run2"), NULL));
  CU_ASSERT(has("metrics.csv.part"));
  CU_ASSERT_STRING_EQUAL(read_text(path("victim2")), "victim");
  /* summary.json and metrics.csv are links: their files get the content, the links stay */
  CU_ASSERT_EQUAL_FATAL(mkdir(path("run3"), 0700), 0);
  CU_ASSERT_EQUAL_FATAL(mkdir(path("elsewhere"), 0700), 0);
  CU_ASSERT_EQUAL_FATAL(symlink(path("elsewhere/s.json"), path("run3/summary.json")), 0);
  write_text(path("elsewhere/s.json"), "{}");
  write_text(path("elsewhere/m.csv"), "");
  CU_ASSERT_EQUAL_FATAL(symlink(path("elsewhere/m.csv"), path("run3/metrics.csv")), 0);
  glab_runlog *log = glab_runlog_create(path("run3"), NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(log);
  CU_ASSERT_EQUAL(glab_runlog_metric(log, 1, 1, "1", "weight", "norm", 2.5), GLAB_OK);
  CU_ASSERT_EQUAL(glab_runlog_finish(log), GLAB_OK);
  glab_runlog_destroy(log);
  CU_ASSERT_EQUAL(kind(path("run3/summary.json")), S_IFLNK);
  CU_ASSERT_EQUAL(kind(path("run3/metrics.csv")), S_IFLNK);
  CU_ASSERT_PTR_NOT_NULL(strstr(read_text(path("elsewhere/s.json")), "\"finished\":\ttrue"));
  CU_ASSERT_PTR_NOT_NULL(strstr(read_text(path("elsewhere/m.csv")), "1,1,1,weight,norm,2.5"));
  CU_ASSERT_EQUAL(kind(path("run3/metrics.csv.part")), 0);
  CU_ASSERT_EQUAL(leftovers(path("run3")) + leftovers(path("elsewhere")), 0);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 2;
  CU_pSuite s = CU_add_suite("core_files", setup, teardown);
  CU_add_test(s, "model save: only regular files are replaced", test_model_save_targets);
  CU_add_test(s, "model load: only regular files are read", test_model_load_targets);
  CU_add_test(s, "glab_write_file_atomic refuses a FIFO", test_write_file_atomic);
  CU_add_test(s, "glab_write_file_durable: same rules", test_write_file_durable);
  CU_add_test(s, "run folder files", test_runlog_targets);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
