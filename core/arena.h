/* arena.h — internal: a chunked bump allocator for tape nodes (not part of the public SDK).
 * Allocations are 32-byte aligned. Reset keeps every chunk, so a loop that repeats the same
 * allocations after a reset reuses the same memory and never calls malloc. */
#ifndef GRADLAB_ARENA_H
#define GRADLAB_ARENA_H

#include <stddef.h>

#define GLAB_ARENA_ALIGN 32

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

static inline size_t glab_arena_round(size_t n) {
  return (n + (GLAB_ARENA_ALIGN - 1)) & ~(size_t)(GLAB_ARENA_ALIGN - 1);
}

#endif
