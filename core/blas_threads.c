/* blas_threads.c — reading and setting the BLAS's thread team. OpenBLAS's own calls are looked
 * up at run time, not linked: libgradlab builds against any CBLAS, and only OpenBLAS has them. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <stdint.h>

#include "gradlab/blas.h"
#include "gradlab/error.h"

typedef int (*get_fn)(void);
typedef void (*set_fn)(int);

static void *blas_symbol(const char *name) {
  return dlsym(RTLD_DEFAULT, name);
}

int glab_blas_threads(void) {
  get_fn get = (get_fn)(uintptr_t)blas_symbol("openblas_get_num_threads");
  return get ? get() : 0;
}

int glab_set_blas_threads(int n) {
  if (n < 1) return glab_error(GLAB_ERR_ARG, "blas threads: %d is not a thread count (1 or more)", n);
  set_fn set = (set_fn)(uintptr_t)blas_symbol("openblas_set_num_threads");
  if (!set)
    return glab_error(GLAB_ERR_NOTFOUND,
                      "blas threads: the BLAS in use has no openblas_set_num_threads (set its own "
                      "environment variable, e.g. OMP_NUM_THREADS, instead)");
  set(n);
  return GLAB_OK;
}
