/* stats.c — the summary statistics of one tensor, in one pass over memory.
 *
 * The data is cut into chunks of CHUNK elements. A chunk is first summed (sum, sum |x|, min, max,
 * zeros, activation count) in double with several independent lanes (so the compiler can
 * vectorise without reassociating); if the sum is not finite the chunk holds a NaN/inf (or, in
 * a double build, overflows) and is redone element by element by the exact slow path. A second
 * loop over the chunk, still in L1, gives the centred sum of squares (for std) and the scaled sum
 * of squares (x / amax)² (for the norm). Chunks merge with Chan et al.'s pairwise formula for the
 * variance and LAPACK dlassq's rule for the (scale, ssq) pair of the norm — so the norm of 1e-25
 * floats is ~1e-25·sqrt(n) and 1e30 entries never overflow, whatever the real type. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "gradlab/stats.h"
#include "stats_internal.h"

#define LANES 8

void glab_part_init(part *p) {
  memset(p, 0, sizeof *p);
  p->min = INFINITY;
  p->max = -INFINITY;
}

void glab_part_merge(part *a, const part *b) {
  a->nonfinite += b->nonfinite;
  if (b->n == 0) return;
  if (a->n == 0) {
    double nf = a->nonfinite;
    *a = *b;
    a->nonfinite = nf;
    return;
  }
  double n = a->n + b->n;
  double delta = b->mean - a->mean;
  a->mean += delta * (b->n / n);
  a->m2 += b->m2 + delta * delta * (a->n * b->n / n);
  a->n = n;
  a->zeros += b->zeros;
  a->act += b->act;
  a->sum_abs += b->sum_abs;
  if (b->min < a->min) a->min = b->min;
  if (b->max > a->max) a->max = b->max;
  if (b->scale > a->scale) {
    double r = a->scale / b->scale;
    a->ssq = b->ssq + a->ssq * r * r;
    a->scale = b->scale;
  } else if (b->scale > 0) {
    double r = b->scale / a->scale;
    a->ssq += b->ssq * r * r;
  }
}

/* The exact element-by-element path (chunks holding NaN/inf, or extreme doubles). */
static void part_add_one(part *p, double v, double lo, double hi) {
  if (!isfinite(v)) {
    p->nonfinite += 1;
    return;
  }
  part e;
  double a = fabs(v);
  e.n = 1;
  e.nonfinite = 0;
  e.zeros = v == 0;
  e.act = v < lo || v > hi;
  e.sum_abs = a;
  e.min = e.max = e.mean = v;
  e.m2 = 0;
  e.scale = a;
  e.ssq = a > 0 ? 1 : 0;
  glab_part_merge(p, &e);
}

/* One chunk of type T (n <= CHUNK) into *out; lo/hi: the activation band (count x<lo || x>hi). */
#define DEFINE_CHUNK(NAME, T)                                                                      \
  static void NAME(const T *x, size_t n, double lo, double hi, part *out) {                        \
    double s[LANES], sa[LANES], mn[LANES], mx[LANES], z[LANES], ac[LANES];                         \
    for (int k = 0; k < LANES; k++) {                                                              \
      s[k] = sa[k] = z[k] = ac[k] = 0;                                                             \
      mn[k] = INFINITY;                                                                            \
      mx[k] = -INFINITY;                                                                           \
    }                                                                                              \
    size_t i = 0;                                                                                  \
    for (; i + LANES <= n; i += LANES)                                                             \
      for (int k = 0; k < LANES; k++) {                                                            \
        double v = (double)x[i + k];                                                               \
        s[k] += v;                                                                                 \
        sa[k] += fabs(v);                                                                          \
        mn[k] = v < mn[k] ? v : mn[k];                                                             \
        mx[k] = v > mx[k] ? v : mx[k];                                                             \
        z[k] += v == 0 ? 1.0 : 0.0;                                                                \
        ac[k] += ((v < lo) | (v > hi)) ? 1.0 : 0.0;                                                \
      }                                                                                            \
    for (; i < n; i++) {                                                                           \
      double v = (double)x[i];                                                                     \
      s[0] += v;                                                                                   \
      sa[0] += fabs(v);                                                                            \
      mn[0] = v < mn[0] ? v : mn[0];                                                               \
      mx[0] = v > mx[0] ? v : mx[0];                                                               \
      z[0] += v == 0 ? 1.0 : 0.0;                                                                  \
      ac[0] += ((v < lo) | (v > hi)) ? 1.0 : 0.0;                                                  \
    }                                                                                              \
    double sum = 0, sum_abs = 0, zeros = 0, act = 0, lo_v = INFINITY, hi_v = -INFINITY;            \
    for (int k = 0; k < LANES; k++) {                                                              \
      sum += s[k];                                                                                 \
      sum_abs += sa[k];                                                                            \
      zeros += z[k];                                                                               \
      act += ac[k];                                                                                \
      lo_v = mn[k] < lo_v ? mn[k] : lo_v;                                                          \
      hi_v = mx[k] > hi_v ? mx[k] : hi_v;                                                          \
    }                                                                                              \
    double amax = fmax(-lo_v, hi_v);                                                               \
    if (!isfinite(sum) || !isfinite(sum_abs) || (amax > 0 && amax < 4 * DBL_MIN)) {                \
      glab_part_init(out);                                                                         \
      for (i = 0; i < n; i++)                                                                      \
        part_add_one(out, (double)x[i], lo, hi);                                                   \
      return;                                                                                      \
    }                                                                                              \
    double mean = sum / (double)n, m2 = 0, ssq = 0;                                                \
    if (amax > 0) {                                                                                \
      double inv = 1.0 / amax, d2[LANES], q[LANES];                                                \
      for (int k = 0; k < LANES; k++)                                                              \
        d2[k] = q[k] = 0;                                                                          \
      for (i = 0; i + LANES <= n; i += LANES)                                                      \
        for (int k = 0; k < LANES; k++) {                                                          \
          double v = (double)x[i + k], d = v - mean, t = v * inv;                                  \
          d2[k] += d * d;                                                                          \
          q[k] += t * t;                                                                           \
        }                                                                                          \
      for (; i < n; i++) {                                                                         \
        double v = (double)x[i], d = v - mean, t = v * inv;                                        \
        d2[0] += d * d;                                                                            \
        q[0] += t * t;                                                                             \
      }                                                                                            \
      for (int k = 0; k < LANES; k++) {                                                            \
        m2 += d2[k];                                                                               \
        ssq += q[k];                                                                               \
      }                                                                                            \
    }                                                                                              \
    out->n = (double)n;                                                                            \
    out->nonfinite = 0;                                                                            \
    out->zeros = zeros;                                                                            \
    out->act = act;                                                                                \
    out->sum_abs = sum_abs;                                                                        \
    out->min = lo_v;                                                                               \
    out->max = hi_v;                                                                               \
    out->mean = mean;                                                                              \
    out->m2 = m2;                                                                                  \
    out->scale = amax;                                                                             \
    out->ssq = ssq;                                                                                \
  }

DEFINE_CHUNK(chunk_real, glab_real)
#ifndef GRADLAB_DOUBLE
DEFINE_CHUNK(chunk_double, double)
#endif

static void finish(const part *p, size_t count, glab_stats *out, double *fraction) {
  memset(out, 0, sizeof *out);
  out->count = count;
  out->nonfinite = (size_t)p->nonfinite;
  if (fraction) *fraction = 0;
  if (count > 0) out->frac_zero = p->zeros / (double)count;
  if (p->n == 0) return;
  out->norm = p->scale * sqrt(p->ssq);
  out->mean = p->mean;
  out->std = sqrt(p->m2 / p->n);
  out->min = p->min;
  out->max = p->max;
  out->mean_abs = p->sum_abs / p->n;
  if (fraction) *fraction = p->act / p->n;
}

static void act_band(glab_act_kind kind, double *lo, double *hi) {
  switch (kind) {
  case GLAB_ACT_SIGMOID:
    *lo = 0.01, *hi = 0.99;
    break;
  case GLAB_ACT_TANH:
    *lo = -0.99, *hi = 0.99;
    break;
  case GLAB_ACT_RELU:
    *lo = DBL_TRUE_MIN, *hi = INFINITY;
    break; /* x < min positive: x <= 0 */
  default:
    *lo = -INFINITY, *hi = INFINITY;
    break;
  }
}

/* Merge a chunk's (scale, ssq) pair into the running one (LAPACK dlassq's rule). */
static void ssq_merge(double *scale, double *ssq, double cscale, double cssq) {
  if (cscale > *scale) {
    double r = *scale / cscale;
    *ssq = cssq + *ssq * r * r;
    *scale = cscale;
  } else if (cscale > 0) {
    double r = cscale / *scale;
    *ssq += cssq * r * r;
  }
}

/* The norm of one chunk (m <= CHUNK) merged into (scale, ssq); non-finite entries counted in
 * *bad. `fast`: 0 portable, 1 AVX2, 2 AVX-512. */
static void norm_chunk(const glab_real *c, size_t m, int fast, double *scale, double *ssq,
                       double *bad) {
#if GLAB_STATS_AVX2
  double fss;
  if (fast && (fast == 2 ? glab_sumsq_avx512 : glab_sumsq_avx2)(c, m, &fss)) {
    if (fss > 0) ssq_merge(scale, ssq, 1.0, fss); /* float squares never under/overflow */
    return;
  }
#else
  (void)fast;
#endif
  double mx[LANES];
  for (int k = 0; k < LANES; k++)
    mx[k] = 0;
  size_t j = 0;
  for (; j + LANES <= m; j += LANES)
    for (int k = 0; k < LANES; k++) {
      double a = fabs((double)c[j + k]);
      mx[k] = a > mx[k] ? a : mx[k];
    }
  for (; j < m; j++) {
    double a = fabs((double)c[j]);
    mx[0] = a > mx[0] ? a : mx[0];
  }
  double amax = 0;
  for (int k = 0; k < LANES; k++)
    amax = mx[k] > amax ? mx[k] : amax;
  double cs = 0, csc = 0;
  int slow = !(amax <= DBL_MAX) || (amax > 0 && amax < 4 * DBL_MIN);
  if (!slow) { /* a NaN compares false above: it shows in the sum */
    double inv = amax > 0 ? 1.0 / amax : 1.0, q[LANES];
    for (int k = 0; k < LANES; k++)
      q[k] = 0;
    for (j = 0; j + LANES <= m; j += LANES)
      for (int k = 0; k < LANES; k++) {
        double t = (double)c[j + k] * inv;
        q[k] += t * t;
      }
    for (; j < m; j++) {
      double t = (double)c[j] * inv;
      q[0] += t * t;
    }
    for (int k = 0; k < LANES; k++)
      cs += q[k];
    if (!isfinite(cs)) slow = 1;
    csc = amax;
  }
  if (slow) {
    part p;
    glab_part_init(&p);
    for (j = 0; j < m; j++)
      part_add_one(&p, (double)c[j], -INFINITY, INFINITY);
    *bad += p.nonfinite;
    cs = p.ssq;
    csc = p.scale;
  }
  ssq_merge(scale, ssq, csc, cs);
}

static int simd_level(void) {
#if GLAB_STATS_AVX2
  return glab_stats_avx512() ? 2 : glab_stats_avx2();
#else
  return 0;
#endif
}

/* The statistics of x (with the activation band of `kind`) and, if u is given, the L2 norm of
 * u (same length) in the same pass over memory. */
static void compute(const glab_real *x, const glab_real *u, size_t n, glab_act_kind kind,
                    glab_stats *out, double *fraction, double *unorm, size_t *ubad) {
  part total, p;
  double lo, hi, uscale = 0, ussq = 0, bad = 0;
  act_band(kind, &lo, &hi);
  glab_part_init(&total);
  int fast = simd_level();
#if GLAB_STATS_AVX2
  float lo_f = kind == GLAB_ACT_RELU ? FLT_TRUE_MIN : (float)lo; /* x < min positive: x <= 0 */
  int act = kind != GLAB_ACT_NONE;
#endif
  if (!x) n = 0;
  /* the SIMD kernels take blocks of 4 chunks at once (fewer reductions and merges); a block the
   * unshifted kernel cannot take is redone chunk by chunk below, with the shift */
  size_t block = fast ? 4 * CHUNK : CHUNK;
  for (size_t i = 0; i < n; i += block) {
    size_t m = n - i < block ? n - i : block;
    int done = 0; /* bit 1: x's block, bit 2: u's block */
#if GLAB_STATS_AVX2
    if (fast) {
      double usq = 0;
      done = (fast == 2 ? glab_chunk2_avx512 : glab_chunk2_avx2)(x + i, u ? u + i : NULL, m, act,
                                                                 lo_f, (float)hi, &p, &usq);
      if (done & 2 && usq > 0) ssq_merge(&uscale, &ussq, 1.0, usq);
      if (done & 1) glab_part_merge(&total, &p);
    }
#endif
    for (size_t j = i; j < i + m; j += CHUNK) {
      size_t c = i + m - j < CHUNK ? i + m - j : CHUNK;
      if (!(done & 1)) {
        int ok = 0;
#if GLAB_STATS_AVX2
        if (fast == 2)
          ok = glab_chunk_avx512(x + j, c, act, lo_f, (float)hi, &p);
        else if (fast)
          ok = glab_chunk_avx2(x + j, c, act, lo_f, (float)hi, &p);
#endif
        if (!ok) chunk_real(x + j, c, lo, hi, &p);
        glab_part_merge(&total, &p);
      }
      if (u && !(done & 2)) norm_chunk(u + j, c, fast, &uscale, &ussq, &bad);
    }
  }
  finish(&total, n, out, fraction);
  if (unorm) *unorm = u ? uscale * sqrt(ussq) : 0;
  if (ubad) *ubad = (size_t)bad;
}

void glab_stats_compute_act(const glab_real *x, size_t n, glab_act_kind kind, glab_stats *out,
                            double *fraction) {
  compute(x, NULL, n, kind, out, fraction, NULL, NULL);
}

void glab_stats_compute(const glab_real *x, size_t n, glab_stats *out) {
  compute(x, NULL, n, GLAB_ACT_NONE, out, NULL, NULL, NULL);
}

void glab_stats_compute_pair(const glab_real *x, const glab_real *u, size_t n, glab_stats *out,
                             double *u_norm, size_t *u_nonfinite) {
  compute(x, u, n, GLAB_ACT_NONE, out, NULL, u_norm, u_nonfinite);
}

void glab_stats_compute_double(const double *x, size_t n, glab_stats *out) {
#ifdef GRADLAB_DOUBLE
  glab_stats_compute(x, n, out);
#else
  part total, p;
  glab_part_init(&total);
  for (size_t i = 0; x && i < n; i += CHUNK) {
    chunk_double(x + i, n - i < CHUNK ? n - i : CHUNK, -INFINITY, INFINITY, &p);
    glab_part_merge(&total, &p);
  }
  finish(&total, x ? n : 0, out, NULL);
#endif
}

/* The norm alone: only the (scale, ssq) pair per chunk. */
double glab_norm2(const glab_real *x, size_t n, size_t *nonfinite) {
  double scale = 0, ssq = 0, bad = 0;
  int fast = simd_level();
  for (size_t i = 0; x && i < n; i += CHUNK)
    norm_chunk(x + i, n - i < CHUNK ? n - i : CHUNK, fast, &scale, &ssq, &bad);
  if (nonfinite) *nonfinite = (size_t)bad;
  return scale * sqrt(ssq);
}

double glab_act_fraction(const glab_real *x, size_t n, glab_act_kind kind) {
  glab_stats s;
  double f;
  glab_stats_compute_act(x, n, kind, &s, &f);
  return f;
}

double glab_update_ratio(double update_norm, double weight_norm) {
  if (isnan(update_norm) || isnan(weight_norm)) return NAN;
  if (weight_norm == 0) return update_norm == 0 ? 0 : INFINITY;
  return update_norm / weight_norm;
}

static const char *const stat_names[GLAB_STAT_NFIELDS] = {
    "count", "norm", "mean", "std", "min", "max", "mean_abs", "frac_zero", "nonfinite"};

const char *glab_stat_name(int field) {
  return field >= 0 && field < GLAB_STAT_NFIELDS ? stat_names[field] : NULL;
}

int glab_stat_index(const char *name) {
  for (int i = 0; name && i < GLAB_STAT_NFIELDS; i++)
    if (!strcmp(stat_names[i], name)) return i;
  return -1;
}

double glab_stats_get(const glab_stats *s, int field) {
  switch (field) {
  case GLAB_STAT_COUNT:
    return (double)s->count;
  case GLAB_STAT_NORM:
    return s->norm;
  case GLAB_STAT_MEAN:
    return s->mean;
  case GLAB_STAT_STD:
    return s->std;
  case GLAB_STAT_MIN:
    return s->min;
  case GLAB_STAT_MAX:
    return s->max;
  case GLAB_STAT_MEAN_ABS:
    return s->mean_abs;
  case GLAB_STAT_FRAC_ZERO:
    return s->frac_zero;
  case GLAB_STAT_NONFINITE:
    return (double)s->nonfinite;
  default:
    return NAN;
  }
}
