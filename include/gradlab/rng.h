/* rng.h — PCG32 (O'Neill 2014, pcg-random.org, "pcg32_random_r"): one seeded generator per run. */
#ifndef GRADLAB_RNG_H
#define GRADLAB_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct glab_rng {
  uint64_t state;
  uint64_t inc;
  int has_spare; /* Box–Muller keeps its second normal */
  double spare;
} glab_rng;

/* Every call takes NULL for `r` as the run generator (glab_default_rng()). */
void glab_rng_seed(glab_rng *r, uint64_t seed, uint64_t stream);
uint32_t glab_rng_u32(glab_rng *r);
uint32_t glab_rng_below(glab_rng *r, uint32_t bound);        /* unbiased, in [0, bound) */
double glab_rng_uniform(glab_rng *r);                        /* in [0, 1), 53 random bits */
double glab_rng_normal(glab_rng *r);                         /* N(0, 1) */
/* Fisher–Yates; NULL items (n > 1): nothing shuffled, glab_error set. */
void glab_rng_shuffle(glab_rng *r, size_t *items, size_t n);

/* The process-wide run generator (seeded 42 until glab_seed is called). */
glab_rng *glab_default_rng(void);
void glab_seed(uint64_t seed);
/* The seed last given to glab_seed (42 before any). */
uint64_t glab_seed_value(void);

#ifdef __cplusplus
}
#endif
#endif
