/* crash_plugin.c — a test plugin whose layer segfaults on purpose (a real invalid write), so the
 * batch tests can check that one crashing job is recorded as failed and the others carry on. */
#include <stdint.h>

#include <gradlab/plugin.h>

/* An address in the never-mapped first page, not NULL itself (UBSan would stop a NULL store
 * before it faults); volatile, so the compiler cannot drop the store: a real SIGSEGV. Under ASan
 * the job ends with ASan's "SEGV" report instead of the signal. */
static volatile int *volatile crash_target = (volatile int *)(uintptr_t)16;

static int crash_create(glab_layer *self, const glab_config *cfg) {
  (void)self;
  (void)cfg;
  *crash_target = 1;
  return 0;
}

static glab_var *crash_forward(glab_layer *self, glab_tape *tape, glab_var *x) {
  (void)self;
  (void)tape;
  *crash_target = 1;
  return x;
}

static const glab_layer_type crash_type = {
    .name = "batch_crash",
    .doc = "segfaults when created (batch tests only)",
    .create = crash_create,
    .forward = crash_forward,
};

static int crash_init(glab_registry *reg) {
  return glab_register_layer(reg, &crash_type);
}

GLAB_PLUGIN(crash_init)
