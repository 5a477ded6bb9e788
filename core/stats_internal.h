/* stats_internal.h — the partial summaries stats.c merges, and the AVX2 kernels of
 * stats_avx2.c (float builds on x86-64 with GCC or clang; picked at run time). */
#ifndef GRADLAB_STATS_INTERNAL_H
#define GRADLAB_STATS_INTERNAL_H

#include <stddef.h>

#include "gradlab/tensor.h"

#define CHUNK 1024

/* A partial summary of some elements. */
typedef struct part {
  double n;         /* finite elements */
  double nonfinite; /* NaN / inf elements */
  double zeros, act, sum_abs, min, max, mean, m2;
  double scale, ssq; /* sum x² = scale² · ssq */
} part;

void glab_part_init(part *p);
void glab_part_merge(part *a, const part *b);

#if defined(__x86_64__) && defined(__GNUC__) && !defined(GRADLAB_DOUBLE)
#define GLAB_STATS_AVX2 1
/* Whether the CPU has AVX2 and FMA (asked once). */
int glab_stats_avx2(void);
/* One chunk (n <= CHUNK) of floats in one pass; `act`: count x < lo || x > hi. Returns 0 (and
 * leaves *out undefined) if the chunk holds a NaN/inf: the caller takes the exact slow path. */
int glab_chunk_avx2(const float *x, size_t n, int act, float lo, float hi, part *out);
/* The same kernel with AVX-512F/DQ, when the CPU has them. */
int glab_stats_avx512(void);
int glab_chunk_avx512(const float *x, size_t n, int act, float lo, float hi, part *out);
/* The faster AVX-512 kernel without the shift (see stats_avx2.c), with Σu² of a second array
 * (u may be NULL) in the same pass. Returns bit 1 if *out is good (else redo x: NaN/inf, or a
 * large mean against the spread), bit 2 if *usq is (u finite). */
int glab_chunk2_avx512(const float *x, const float *u, size_t n, int act, float lo, float hi,
                       part *out, double *usq);
int glab_chunk2_avx2(const float *x, const float *u, size_t n, int act, float lo, float hi,
                     part *out, double *usq);
/* Sum of squares of a chunk in double; 0 if it holds a NaN/inf. */
int glab_sumsq_avx2(const float *x, size_t n, double *out);
int glab_sumsq_avx512(const float *x, size_t n, double *out);
#else
#define GLAB_STATS_AVX2 0
#endif

#endif
