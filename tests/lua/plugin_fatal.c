/* plugin_fatal.c — test plugins whose init goes wrong on purpose (tests/lua/fatal.sh): built
 * with FATAL_SEGV, a real invalid write (SIGSEGV); with FATAL_EXIT, exit(3). gradlab run must
 * say which plugin it was loading, and leave no run folder. */
#include <stdint.h>
#include <stdlib.h>

#include <gradlab/plugin.h>

/* In the never-mapped first page, not NULL itself (UBSan would stop a NULL store first);
 * volatile, so the store stays. */
static volatile int *volatile fatal_target = (volatile int *)(uintptr_t)16;

static int fatal_init(glab_registry *reg) {
  (void)reg;
#if defined(FATAL_SEGV)
  *fatal_target = 1;
#elif defined(FATAL_EXIT)
  (void)fatal_target;
  exit(3);
#endif
  return 0;
}

GLAB_PLUGIN(fatal_init)
