#include "arena.h"

#include <stdlib.h>

#include "err.h"

/* Every allocation starts on this boundary, as malloc's do. */
#define ARENA_ALIGN 16

static void *
arena_alloc(void *data, size_t size)
{
	struct arena *a = data;
	size_t at = (a->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (size <= a->cap && at <= a->cap - size) {
		a->used = at + size;
		return a->block + at;
	}
	return malloc(size);
}

static void
arena_release(void *data, void *p)
{
	struct arena *a = data;

	if ((uint8_t *)p < a->block || (uint8_t *)p >= a->block + a->cap)
		free(p);
}

int
arena_init(struct arena *a, size_t cap)
{
	a->cap = cap;
	a->used = 0;
	if ((a->block = malloc(cap)) == NULL)
		return JX_EINTERNAL;
	a->allocator = (ProtobufCAllocator){ arena_alloc, arena_release, a };
	return JX_OK;
}

void
arena_free(struct arena *a)
{
	free(a->block);
	a->block = NULL;
	a->cap = a->used = 0;
}

void
arena_reset(struct arena *a)
{
	a->used = 0;
}
