/* clones.h — the shipped optimizers' update loops (a helper of plugins/optimizers, not part of the
 * SDK). They run once per parameter per step and compute in double, so on the x86-64 baseline
 * (SSE2: two doubles per instruction) they are a large part of a small net's step. Each is
 * compiled for AVX-512, AVX2 and the baseline, and the loader picks one (GCC target_clones through
 * a glibc ifunc, resolved once). Every clone does the same IEEE operations in the same order (no
 * FMA contraction: -ffp-contract=off; elementwise, no reduction), so results are bit-identical
 * whichever runs. */
#ifndef GRADLAB_PLUGINS_OPTIM_CLONES_H
#define GRADLAB_PLUGINS_OPTIM_CLONES_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define GLAB_UPDATE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GLAB_UPDATE_CLONES
#endif

#endif
