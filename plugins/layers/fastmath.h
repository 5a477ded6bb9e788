/* fastmath.h — elementwise exp, tanh and sigmoid for the shipped recurrent layers (a helper
 * of plugins/layers, not part of the SDK). */
#ifndef GRADLAB_PLUGINS_FASTMATH_H
#define GRADLAB_PLUGINS_FASTMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gradlab/tensor.h>

/* Hot row loops are compiled twice, for AVX2 and the x86-64 baseline, and the loader picks one
 * (GCC target_clones). Both do the same IEEE operations in the same order (no FMA contraction:
 * -ffp-contract=off), so results are bit-identical whichever runs. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define GLAB_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GLAB_CLONES
#endif

/* Elementwise math. A double build uses libm (it is the precise reference, and what gradcheck
 * runs). A float build uses inline, branch-free forms the compiler can vectorise: Cephes' expf
 * (range reduction by ln 2, degree-6 polynomial; ~1 ulp) and tanhf (odd polynomial below 0.625,
 * 1 - 2/(e^{2|x|}+1) above), which removes the libm calls that dominated the recurrence. */
#ifdef GRADLAB_DOUBLE
static inline glab_real r_exp(glab_real x) {
  return exp(x);
}
static inline glab_real r_tanh(glab_real x) {
  return tanh(x);
}
#else
static inline float r_exp(float x) {
  x = x < -87.0f ? -87.0f : x; /* NaN passes through both clamps */
  x = x > 88.0f ? 88.0f : x;
  /* n = round(x / ln 2) by the 1.5·2^23 trick (round-to-nearest, no libm call) */
  const float magic = 12582912.0f;
  float t = x * 1.44269504088896341f + magic;
  float n = t - magic;
  float r = x - n * 0.693359375f - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t ti, si;
  float scale;
  memcpy(&ti, &t, sizeof ti);
  si = (ti - 0x4B400000 + 127) << 23; /* 2^n (n + 127 >= 1): n is in t's low mantissa bits */
  memcpy(&scale, &si, sizeof scale);
  return p * scale;
}
static inline float r_tanh(float x) {
  float ax = x < 0 ? -x : x, z = x * x;
  float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z +
                  1.33314422036e-1f) *
                     z -
                 3.33332819422e-1f) *
                    z * x +
                x;
  float big = 1 - 2 / (r_exp(2 * ax) + 1); /* r_exp clamps: e^176 would overflow */
  big = x < 0 ? -big : big;
  return ax < 0.625f ? small : big;
}
#endif

/* 1/(1+e^-x): never NaN for finite x (e^-x is clamped, and σ is then ~0 as it should be). */
static inline glab_real sigm(glab_real x) {
  return 1 / (1 + r_exp(-x));
}

#endif
