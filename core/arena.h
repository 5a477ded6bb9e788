/* arena.h — internal: a chunked bump allocator for tape nodes (not part of the public SDK).
 * Allocations are 32-byte aligned. Reset keeps every chunk, so a loop that repeats the same
 * allocations after a reset reuses the same memory and never calls malloc. */
#ifndef GRADLAB_ARENA_H
#define GRADLAB_ARENA_H

#include <stddef.h>
#include <stdint.h>

#define GLAB_ARENA_ALIGN 32
/* The largest request the arena takes. Far above any real node, and low enough that rounding
 * and adding a few such sizes can never wrap around SIZE_MAX. */
#define GLAB_ARENA_MAX (SIZE_MAX / 4)

typedef struct glab_arena_chunk glab_arena_chunk;

typedef struct glab_arena {
  glab_arena_chunk *first, *last, *cur; /* chunk list; cur is where allocation happens */
  size_t used;                          /* bytes used in cur */
  size_t total;                         /* bytes held by all chunks */
} glab_arena;

void glab_arena_init(glab_arena *a);
void glab_arena_free(glab_arena *a);
void glab_arena_reset(glab_arena *a);
/* Not zeroed; NULL (with glab_error) on no memory. */
void *glab_arena_alloc(glab_arena *a, size_t bytes);

/* n rounded up to GLAB_ARENA_ALIGN. Only for n <= GLAB_ARENA_MAX: near SIZE_MAX the sum wraps
 * to 0 (check first, e.g. with glab_arena_add). */
static inline size_t glab_arena_round(size_t n) {
  return (n + (GLAB_ARENA_ALIGN - 1)) & ~(size_t)(GLAB_ARENA_ALIGN - 1);
}

/* *sum += glab_arena_round(n) and 1; or 0 (and *sum unchanged) if n or the new sum would be more
 * than GLAB_ARENA_MAX. */
static inline int glab_arena_add(size_t *sum, size_t n) {
  if (n > GLAB_ARENA_MAX) return 0;
  size_t r = glab_arena_round(n);
  if (*sum > GLAB_ARENA_MAX - r) return 0;
  *sum += r;
  return 1;
}

#endif
