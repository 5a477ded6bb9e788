/* stats_avx2.c — the one-pass statistics kernels for float builds on x86-64 CPUs with AVX2/FMA
 * (chosen at run time; stats.c keeps the portable path and the exact slow path).
 *
 * Per chunk, with K = the chunk's first element: min, max, zeros and the activation count on the
 * floats (8 lanes); Σ(x−K), Σ(x−K)², Σ|x| in double (2×4 lanes). Then mean = K + Σ(x−K)/n,
 * M2 = Σ(x−K)² − (Σ(x−K))²/n and Σx² = Σ(x−K)² + 2K·Σ(x−K) + n·K². Since K is one of the
 * elements, (mean−K)² <= M2 and max|x|² <= Σx², so the cancellation loses at most log2(n+1) bits
 * (10 of 53 for a chunk of 1024). A float squared never under- or overflows a double, so Σx² needs
 * no scaling. A NaN/inf makes the sums non-finite and sends the chunk to the slow path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats_internal.h"

#if GLAB_STATS_AVX2
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

/* GRADLAB_STATS_SIMD=none|avx2 restricts the kernels (tests cover every path this way). */
static int simd_allowed(const char *level) {
  const char *e = getenv("GRADLAB_STATS_SIMD");
  if (!e || !*e) return 1;
  if (!strcmp(e, "none")) return 0;
  return !strcmp(e, "avx2") ? !strcmp(level, "avx2") : 1;
}

int glab_stats_avx2(void) {
  static int cached = -1; /* a benign race: every thread computes the same value */
  if (cached < 0) {
    __builtin_cpu_init();
    cached =
        __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && simd_allowed("avx2");
  }
  return cached;
}

AVX2 static inline double hsum_pd(__m256d v) {
  __m128d a = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(a) + _mm_cvtsd_f64(_mm_unpackhi_pd(a, a));
}

AVX2 static inline long hsum_epi32(__m256i v) {
  int t[8];
  _mm256_storeu_si256((__m256i *)t, v);
  long s = 0;
  for (int k = 0; k < 8; k++)
    s += t[k];
  return s;
}

AVX2 int glab_chunk_avx2(const float *x, size_t n, int act, float lo, float hi, part *out) {
  if (n == 0) return 0;
  double K = (double)x[0];
  if (!isfinite(K)) return 0;
  const __m256d k4 = _mm256_set1_pd(K);
  const __m256d absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
  const __m256 zero = _mm256_setzero_ps(), lo8 = _mm256_set1_ps(lo), hi8 = _mm256_set1_ps(hi);
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, q0 = s0, q1 = s0, a0 = s0, a1 = s0;
  __m256 mn = _mm256_set1_ps(x[0]), mx = mn;
  __m256i zc = _mm256_setzero_si256(), ac = zc;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 f = _mm256_loadu_ps(x + i);
    mn = _mm256_min_ps(mn, f);
    mx = _mm256_max_ps(mx, f);
    zc = _mm256_sub_epi32(zc, _mm256_castps_si256(_mm256_cmp_ps(f, zero, _CMP_EQ_OQ)));
    if (act) {
      __m256 m = _mm256_or_ps(_mm256_cmp_ps(f, lo8, _CMP_LT_OQ), _mm256_cmp_ps(f, hi8, _CMP_GT_OQ));
      ac = _mm256_sub_epi32(ac, _mm256_castps_si256(m));
    }
    __m256d d0 = _mm256_cvtps_pd(_mm256_castps256_ps128(f));
    __m256d d1 = _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1));
    a0 = _mm256_add_pd(a0, _mm256_and_pd(d0, absmask));
    a1 = _mm256_add_pd(a1, _mm256_and_pd(d1, absmask));
    d0 = _mm256_sub_pd(d0, k4);
    d1 = _mm256_sub_pd(d1, k4);
    s0 = _mm256_add_pd(s0, d0);
    s1 = _mm256_add_pd(s1, d1);
    q0 = _mm256_fmadd_pd(d0, d0, q0);
    q1 = _mm256_fmadd_pd(d1, d1, q1);
  }
  double s = hsum_pd(_mm256_add_pd(s0, s1)), q = hsum_pd(_mm256_add_pd(q0, q1));
  double sa = hsum_pd(_mm256_add_pd(a0, a1));
  float t[8], u[8];
  _mm256_storeu_ps(t, mn);
  _mm256_storeu_ps(u, mx);
  float vmin = t[0], vmax = u[0];
  for (int k = 1; k < 8; k++) {
    vmin = t[k] < vmin ? t[k] : vmin;
    vmax = u[k] > vmax ? u[k] : vmax;
  }
  double zeros = (double)hsum_epi32(zc), acts = act ? (double)hsum_epi32(ac) : 0;
  for (; i < n; i++) {
    float f = x[i];
    vmin = f < vmin ? f : vmin;
    vmax = f > vmax ? f : vmax;
    zeros += f == 0;
    if (act) acts += f < lo || f > hi;
    double d = (double)f;
    sa += fabs(d);
    d -= K;
    s += d;
    q += d * d;
  }
  if (!isfinite(s) || !isfinite(q) || !isfinite(sa)) return 0;
  double nn = (double)n;
  double m2 = q - s * s / nn, sumsq = q + 2 * K * s + nn * K * K;
  out->n = nn;
  out->nonfinite = 0;
  out->zeros = zeros;
  out->act = acts;
  out->sum_abs = sa;
  out->min = vmin;
  out->max = vmax;
  out->mean = K + s / nn;
  out->m2 = m2 > 0 ? m2 : 0;
  out->scale = sumsq > 0 ? 1.0 : 0.0;
  out->ssq = sumsq > 0 ? sumsq : 0.0;
  return 1;
}

/* The unshifted kernel of glab_chunk2_avx512 (see there) for AVX2: Σx, Σx², Σ|x| in double,
 * optionally Σu² of a second array in the same pass. Same return bits. */
AVX2 int glab_chunk2_avx2(const float *x, const float *u, size_t n, int act, float lo, float hi,
                          part *out, double *usq) {
  const __m256d absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
  const __m256 zero = _mm256_setzero_ps(), lo8 = _mm256_set1_ps(lo), hi8 = _mm256_set1_ps(hi);
  __m256d s0 = _mm256_setzero_pd(), s1 = s0, q0 = s0, q1 = s0, a0 = s0, a1 = s0, u0 = s0, u1 = s0;
  __m256 mn = _mm256_set1_ps(INFINITY), mx = _mm256_set1_ps(-INFINITY);
  __m256i zc = _mm256_setzero_si256(), ac = zc;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 f = _mm256_loadu_ps(x + i);
    mn = _mm256_min_ps(mn, f);
    mx = _mm256_max_ps(mx, f);
    zc = _mm256_sub_epi32(zc, _mm256_castps_si256(_mm256_cmp_ps(f, zero, _CMP_EQ_OQ)));
    if (act) {
      __m256 m = _mm256_or_ps(_mm256_cmp_ps(f, lo8, _CMP_LT_OQ), _mm256_cmp_ps(f, hi8, _CMP_GT_OQ));
      ac = _mm256_sub_epi32(ac, _mm256_castps_si256(m));
    }
    __m256d d0 = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
    __m256d d1 = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4));
    s0 = _mm256_add_pd(s0, d0);
    s1 = _mm256_add_pd(s1, d1);
    q0 = _mm256_fmadd_pd(d0, d0, q0);
    q1 = _mm256_fmadd_pd(d1, d1, q1);
    a0 = _mm256_add_pd(a0, _mm256_and_pd(d0, absmask));
    a1 = _mm256_add_pd(a1, _mm256_and_pd(d1, absmask));
    if (u) {
      __m256d e0 = _mm256_cvtps_pd(_mm_loadu_ps(u + i));
      __m256d e1 = _mm256_cvtps_pd(_mm_loadu_ps(u + i + 4));
      u0 = _mm256_fmadd_pd(e0, e0, u0);
      u1 = _mm256_fmadd_pd(e1, e1, u1);
    }
  }
  double s = hsum_pd(_mm256_add_pd(s0, s1)), q = hsum_pd(_mm256_add_pd(q0, q1));
  double sa = hsum_pd(_mm256_add_pd(a0, a1)), uq = hsum_pd(_mm256_add_pd(u0, u1));
  float t[8], v[8];
  _mm256_storeu_ps(t, mn);
  _mm256_storeu_ps(v, mx);
  float vmin = t[0], vmax = v[0];
  for (int k = 1; k < 8; k++) {
    vmin = t[k] < vmin ? t[k] : vmin;
    vmax = v[k] > vmax ? v[k] : vmax;
  }
  double zeros = (double)hsum_epi32(zc), acts = act ? (double)hsum_epi32(ac) : 0;
  for (; i < n; i++) {
    float f = x[i];
    vmin = f < vmin ? f : vmin;
    vmax = f > vmax ? f : vmax;
    zeros += f == 0;
    if (act) acts += f < lo || f > hi;
    double d = (double)f;
    s += d;
    q += d * d;
    sa += fabs(d);
    if (u) uq += (double)u[i] * (double)u[i];
  }
  int ok = 0;
  if (u && isfinite(uq)) {
    *usq = uq;
    ok |= 2;
  }
  if (n == 0 || !isfinite(s) || !isfinite(q) || !isfinite(sa)) return ok;
  double nn = (double)n, m2 = q - s * s / nn;
  if (!(q <= 1024.0 * m2) && q > 0) return ok; /* large mean, small spread: shift by K */
  out->n = nn;
  out->nonfinite = 0;
  out->zeros = zeros;
  out->act = acts;
  out->sum_abs = sa;
  out->min = vmin;
  out->max = vmax;
  out->mean = s / nn;
  out->m2 = m2 > 0 ? m2 : 0;
  out->scale = q > 0 ? 1.0 : 0.0;
  out->ssq = q;
  return ok | 1;
}

/* The same with AVX-512 (16 floats per vector; counts by mask popcount). */
#define AVX512 __attribute__((target("avx512f,avx512dq")))

int glab_stats_avx512(void) {
  static int cached = -1;
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             simd_allowed("avx512");
  }
  return cached;
}

AVX512 int glab_chunk_avx512(const float *x, size_t n, int act, float lo, float hi, part *out) {
  if (n == 0) return 0;
  double K = (double)x[0];
  if (!isfinite(K)) return 0;
  const __m512d k8 = _mm512_set1_pd(K);
  const __m512 zero = _mm512_setzero_ps(), lo16 = _mm512_set1_ps(lo), hi16 = _mm512_set1_ps(hi);
  __m512d s0 = _mm512_setzero_pd(), s1 = s0, q0 = s0, q1 = s0, a0 = s0, a1 = s0;
  __m512 mn = _mm512_set1_ps(x[0]), mx = mn;
  const __m512i one = _mm512_set1_epi32(1);
  __m512i zc = _mm512_setzero_si512(), ac = zc;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 f = _mm512_loadu_ps(x + i);
    mn = _mm512_min_ps(mn, f);
    mx = _mm512_max_ps(mx, f);
    zc = _mm512_mask_add_epi32(zc, _mm512_cmp_ps_mask(f, zero, _CMP_EQ_OQ), zc, one);
    if (act)
      ac = _mm512_mask_add_epi32(
          ac, _mm512_cmp_ps_mask(f, lo16, _CMP_LT_OQ) | _mm512_cmp_ps_mask(f, hi16, _CMP_GT_OQ), ac,
          one);
    __m512d d0 = _mm512_cvtps_pd(_mm512_castps512_ps256(f));
    __m512d d1 = _mm512_cvtps_pd(_mm512_extractf32x8_ps(f, 1));
    a0 = _mm512_add_pd(a0, _mm512_abs_pd(d0));
    a1 = _mm512_add_pd(a1, _mm512_abs_pd(d1));
    d0 = _mm512_sub_pd(d0, k8);
    d1 = _mm512_sub_pd(d1, k8);
    s0 = _mm512_add_pd(s0, d0);
    s1 = _mm512_add_pd(s1, d1);
    q0 = _mm512_fmadd_pd(d0, d0, q0);
    q1 = _mm512_fmadd_pd(d1, d1, q1);
  }
  double s = _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
  double q = _mm512_reduce_add_pd(_mm512_add_pd(q0, q1));
  double sa = _mm512_reduce_add_pd(_mm512_add_pd(a0, a1));
  float vmin = _mm512_reduce_min_ps(mn), vmax = _mm512_reduce_max_ps(mx);
  long zeros = _mm512_reduce_add_epi32(zc), acts = _mm512_reduce_add_epi32(ac);
  for (; i < n; i++) {
    float f = x[i];
    vmin = f < vmin ? f : vmin;
    vmax = f > vmax ? f : vmax;
    zeros += f == 0;
    if (act) acts += f < lo || f > hi;
    double d = (double)f;
    sa += fabs(d);
    d -= K;
    s += d;
    q += d * d;
  }
  if (!isfinite(s) || !isfinite(q) || !isfinite(sa)) return 0;
  double nn = (double)n;
  double m2 = q - s * s / nn, sumsq = q + 2 * K * s + nn * K * K;
  out->n = nn;
  out->nonfinite = 0;
  out->zeros = (double)zeros;
  out->act = (double)acts;
  out->sum_abs = sa;
  out->min = vmin;
  out->max = vmax;
  out->mean = K + s / nn;
  out->m2 = m2 > 0 ? m2 : 0;
  out->scale = sumsq > 0 ? 1.0 : 0.0;
  out->ssq = sumsq > 0 ? sumsq : 0.0;
  return 1;
}

/* The fast kernel (K = 0): Σx, Σx², Σ(x<0 ? x : 0) in double, min/max/zeros/act on the floats;
 * optionally Σu² of a second array in the same pass. The halves are converted straight from
 * memory (no extract), and Σ|x| = Σx − 2·Σ(x<0 ? x : 0) takes one masked add instead of abs +
 * add (no cancellation: both terms are at most Σ|x| in size). Without the shift by K, the
 * variance M2 = Σx² − (Σx)²/n cancels when the mean is large against the spread: the kernel
 * reports that (Σx² > 1024·M2, i.e. more than 10 bits lost) and the caller redoes the chunk
 * with glab_chunk_avx512. Returns bit 1 if x's part is good, bit 2 if Σu² is. */
AVX512 int glab_chunk2_avx512(const float *x, const float *u, size_t n, int act, float lo, float hi,
                              part *out, double *usq) {
  const __m512 zero = _mm512_setzero_ps(), lo16 = _mm512_set1_ps(lo), hi16 = _mm512_set1_ps(hi);
  __m512d s0 = _mm512_setzero_pd(), s1 = s0, q0 = s0, q1 = s0, g0 = s0, g1 = s0, u0 = s0, u1 = s0;
  __m512 mn = _mm512_set1_ps(INFINITY), mx = _mm512_set1_ps(-INFINITY);
  const __m512i one = _mm512_set1_epi32(1);
  __m512i zc = _mm512_setzero_si512(), ac = zc;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 f = _mm512_loadu_ps(x + i);
    mn = _mm512_min_ps(mn, f);
    mx = _mm512_max_ps(mx, f);
    zc = _mm512_mask_add_epi32(zc, _mm512_cmp_ps_mask(f, zero, _CMP_EQ_OQ), zc, one);
    __mmask16 neg = _mm512_cmp_ps_mask(f, zero, _CMP_LT_OQ);
    if (act)
      ac = _mm512_mask_add_epi32(
          ac, _mm512_cmp_ps_mask(f, lo16, _CMP_LT_OQ) | _mm512_cmp_ps_mask(f, hi16, _CMP_GT_OQ), ac,
          one);
    __m512d d0 = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));
    __m512d d1 = _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8));
    s0 = _mm512_add_pd(s0, d0);
    s1 = _mm512_add_pd(s1, d1);
    q0 = _mm512_fmadd_pd(d0, d0, q0);
    q1 = _mm512_fmadd_pd(d1, d1, q1);
    g0 = _mm512_mask_add_pd(g0, (__mmask8)neg, g0, d0);
    g1 = _mm512_mask_add_pd(g1, (__mmask8)(neg >> 8), g1, d1);
    if (u) {
      __m512d e0 = _mm512_cvtps_pd(_mm256_loadu_ps(u + i));
      __m512d e1 = _mm512_cvtps_pd(_mm256_loadu_ps(u + i + 8));
      u0 = _mm512_fmadd_pd(e0, e0, u0);
      u1 = _mm512_fmadd_pd(e1, e1, u1);
    }
  }
  double s = _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
  double q = _mm512_reduce_add_pd(_mm512_add_pd(q0, q1));
  double g = _mm512_reduce_add_pd(_mm512_add_pd(g0, g1));
  double uq = _mm512_reduce_add_pd(_mm512_add_pd(u0, u1));
  float vmin = _mm512_reduce_min_ps(mn), vmax = _mm512_reduce_max_ps(mx);
  long zeros = _mm512_reduce_add_epi32(zc), acts = _mm512_reduce_add_epi32(ac);
  for (; i < n; i++) {
    float f = x[i];
    vmin = f < vmin ? f : vmin;
    vmax = f > vmax ? f : vmax;
    zeros += f == 0;
    if (act) acts += f < lo || f > hi;
    double d = (double)f;
    s += d;
    q += d * d;
    if (d < 0) g += d;
    if (u) uq += (double)u[i] * (double)u[i];
  }
  int ok = 0;
  if (u && isfinite(uq)) {
    *usq = uq;
    ok |= 2;
  }
  if (n == 0 || !isfinite(s) || !isfinite(q)) return ok; /* a NaN/inf: the exact slow path */
  double nn = (double)n, m2 = q - s * s / nn;
  if (!(q <= 1024.0 * m2) && q > 0) return ok; /* large mean, small spread: shift by K */
  out->n = nn;
  out->nonfinite = 0;
  out->zeros = (double)zeros;
  out->act = (double)acts;
  out->sum_abs = s - 2.0 * g;
  out->min = vmin;
  out->max = vmax;
  out->mean = s / nn;
  out->m2 = m2 > 0 ? m2 : 0;
  out->scale = q > 0 ? 1.0 : 0.0;
  out->ssq = q;
  return ok | 1;
}

/* Σx² with four independent chains (the add latency, not the ports, bounds two). */
AVX512 int glab_sumsq_avx512(const float *x, size_t n, double *out) {
  __m512d q0 = _mm512_setzero_pd(), q1 = q0, q2 = q0, q3 = q0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m512d d0 = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));
    __m512d d1 = _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8));
    __m512d d2 = _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 16));
    __m512d d3 = _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 24));
    q0 = _mm512_fmadd_pd(d0, d0, q0);
    q1 = _mm512_fmadd_pd(d1, d1, q1);
    q2 = _mm512_fmadd_pd(d2, d2, q2);
    q3 = _mm512_fmadd_pd(d3, d3, q3);
  }
  double q = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(q0, q1), _mm512_add_pd(q2, q3)));
  for (; i < n; i++)
    q += (double)x[i] * (double)x[i];
  if (!isfinite(q)) return 0;
  *out = q;
  return 1;
}

AVX2 int glab_sumsq_avx2(const float *x, size_t n, double *out) {
  __m256d q0 = _mm256_setzero_pd(), q1 = q0, q2 = q0, q3 = q0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256d d0 = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
    __m256d d1 = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4));
    __m256d d2 = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 8));
    __m256d d3 = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 12));
    q0 = _mm256_fmadd_pd(d0, d0, q0);
    q1 = _mm256_fmadd_pd(d1, d1, q1);
    q2 = _mm256_fmadd_pd(d2, d2, q2);
    q3 = _mm256_fmadd_pd(d3, d3, q3);
  }
  double q = hsum_pd(_mm256_add_pd(_mm256_add_pd(q0, q1), _mm256_add_pd(q2, q3)));
  for (; i < n; i++)
    q += (double)x[i] * (double)x[i];
  if (!isfinite(q)) return 0;
  *out = q;
  return 1;
}
#endif
