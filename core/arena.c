/* arena.c — chunked bump allocator behind the tape (see arena.h). Chunks are never freed on
 * reset: after one warm step the same sequence of allocations fits in the same chunks. */
#include <stdint.h>
#include <stdlib.h>

#include "arena.h"
#include "gradlab/error.h"

#define GLAB_ARENA_MIN_CHUNK ((size_t)64 * 1024)

struct glab_arena_chunk {
  glab_arena_chunk *next;
  size_t cap;
  unsigned char *mem; /* GLAB_ARENA_ALIGN-aligned */
};

void glab_arena_init(glab_arena *a) {
  a->first = a->last = a->cur = NULL;
  a->used = 0;
  a->total = 0;
}

void glab_arena_free(glab_arena *a) {
  glab_arena_chunk *c = a->first;
  while (c) {
    glab_arena_chunk *next = c->next;
    free(c->mem);
    free(c);
    c = next;
  }
  glab_arena_init(a);
}

void glab_arena_reset(glab_arena *a) {
  a->cur = a->first;
  a->used = 0;
}

static glab_arena_chunk *chunk_new(size_t cap) {
  glab_arena_chunk *c = malloc(sizeof *c);
  if (!c) return NULL;
  void *mem = NULL;
  if (posix_memalign(&mem, GLAB_ARENA_ALIGN, cap) != 0) {
    free(c);
    return NULL;
  }
  c->next = NULL;
  c->cap = cap;
  c->mem = mem;
  return c;
}

void *glab_arena_alloc(glab_arena *a, size_t bytes) {
  if (bytes > GLAB_ARENA_MAX) { /* before rounding, which would wrap to 0 near SIZE_MAX */
    glab_error(GLAB_ERR_NOMEM, "arena: request of %zu bytes is too large", bytes);
    return NULL;
  }
  size_t n = glab_arena_round(bytes ? bytes : 1);
  if (a->cur && n <= a->cur->cap - a->used) {
    void *p = a->cur->mem + a->used;
    a->used += n;
    return p;
  }
  /* The next kept chunk that is large enough (the same ones are skipped every step). */
  glab_arena_chunk *c = a->cur ? a->cur->next : a->first;
  while (c && c->cap < n)
    c = c->next;
  if (!c) {
    size_t cap = a->total > GLAB_ARENA_MIN_CHUNK ? a->total : GLAB_ARENA_MIN_CHUNK;
    if (cap < n) cap = n;
    c = chunk_new(cap);
    if (!c) {
      glab_error(GLAB_ERR_NOMEM, "arena: out of memory for a chunk of %zu bytes", cap);
      return NULL;
    }
    if (a->last)
      a->last->next = c;
    else
      a->first = c;
    a->last = c;
    a->total += cap;
  }
  a->cur = c;
  a->used = n;
  return c->mem;
}
