/* rng.c — PCG32 (M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
 * Algorithms for Random Number Generation", 2014; pcg32_random_r and pcg32_srandom_r of the
 * minimal C library at pcg-random.org), Box–Muller normals, Fisher–Yates shuffles. */
#include <math.h>

#include "gradlab/error.h"
#include "gradlab/rng.h"

#define PCG32_MULT 6364136223846793005ULL

uint32_t glab_rng_u32(glab_rng *r) {
  if (!r) r = glab_default_rng();
  uint64_t old = r->state;
  r->state = old * PCG32_MULT + r->inc;
  uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
  uint32_t rot = (uint32_t)(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

void glab_rng_seed(glab_rng *r, uint64_t seed, uint64_t stream) {
  if (!r) r = glab_default_rng();
  r->state = 0u;
  r->inc = (stream << 1u) | 1u;
  glab_rng_u32(r);
  r->state += seed;
  glab_rng_u32(r);
  r->has_spare = 0;
  r->spare = 0;
}

uint32_t glab_rng_below(glab_rng *r, uint32_t bound) {
  if (bound == 0) return 0;
  uint32_t threshold = (uint32_t)(-bound) % bound; /* 2^32 mod bound: reject below it */
  for (;;) {
    uint32_t x = glab_rng_u32(r);
    if (x >= threshold) return x % bound;
  }
}

double glab_rng_uniform(glab_rng *r) {
  uint64_t hi = glab_rng_u32(r) >> 5, lo = glab_rng_u32(r) >> 6; /* 27 + 26 = 53 bits */
  return (double)(hi * 67108864u + lo) * (1.0 / 9007199254740992.0);
}

double glab_rng_normal(glab_rng *r) {
  if (!r) r = glab_default_rng();
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  double u1 = 1.0 - glab_rng_uniform(r); /* (0, 1]: log is finite */
  double u2 = glab_rng_uniform(r);
  double rad = sqrt(-2.0 * log(u1));
  double th = 6.283185307179586476925286766559 * u2;
  r->spare = rad * sin(th);
  r->has_spare = 1;
  return rad * cos(th);
}

void glab_rng_shuffle(glab_rng *r, size_t *items, size_t n) {
  if (!items && n > 1) {
    glab_error(GLAB_ERR_ARG, "rng_shuffle: NULL items (n = %zu)", n);
    return;
  }
  for (size_t i = n; i > 1; i--) {
    size_t j = i <= 0xffffffffu ? glab_rng_below(r, (uint32_t)i)
                                : (size_t)(glab_rng_uniform(r) * (double)i);
    size_t tmp = items[i - 1];
    items[i - 1] = items[j];
    items[j] = tmp;
  }
}

static glab_rng default_rng;
static int default_seeded;
static uint64_t default_seed = 42;

glab_rng *glab_default_rng(void) {
  if (!default_seeded) glab_seed(42);
  return &default_rng;
}

void glab_seed(uint64_t seed) {
  glab_rng_seed(&default_rng, seed, 54u);
  default_seeded = 1;
  default_seed = seed;
}

uint64_t glab_seed_value(void) { return default_seed; }
