/* fixture.h — reader for the reference fixtures written by make_fixtures.py (see FORMAT.md). */
#ifndef GRADLAB_TEST_FIXTURE_H
#define GRADLAB_TEST_FIXTURE_H

#include <stddef.h>

#define FX_MAX_KV 16
#define FX_MAX_DIMS 4

typedef struct fx_kv {
  char key[32];
  char value[64];
} fx_kv;

/* A `layer` or `optim` line: a path (layers only), a type and its options. */
typedef struct fx_spec {
  char path[32];
  char type[32];
  fx_kv kv[FX_MAX_KV];
  int nkv;
} fx_spec;

typedef struct fx_tensor {
  char name[96];
  int ndim;
  int shape[FX_MAX_DIMS];
  size_t size;
  double *data;
  int used; /* set by the test when it compared or consumed this tensor */
} fx_tensor;

typedef struct fx_fixture {
  char name[64];
  char loss[32];
  int steps;
  int has_optim;
  fx_spec optim;
  fx_spec *layers;
  int nlayers;
  fx_tensor *tensors;
  int ntensors;
} fx_fixture;

/* Read a fixture file; NULL and a message in err (errsize bytes) on failure. */
fx_fixture *fx_load(const char *path, char *err, size_t errsize);
void fx_free(fx_fixture *f);
/* The tensor of that name (printf-style), or NULL. */
fx_tensor *fx_find(fx_fixture *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
