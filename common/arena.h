/*
 * An arena: a bump allocator for protobuf-c's unpacking, for a client that decodes
 * many replies one after the other (jx-bench). Every allocation of an unpack is a
 * pointer bump in one block instead of a malloc, freeing a message costs nothing, and
 * arena_reset takes everything back at once before the next reply. What does not fit
 * comes from malloc and is freed as usual.
 *
 * One thread at a time per arena.
 */
#ifndef JX_ARENA_H
#define JX_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

struct arena {
	uint8_t *block;
	size_t cap, used;
	ProtobufCAllocator allocator; /* for protobuf-c: alloc and free in this arena */
};

/* A block of cap bytes. Returns 0 or JX_EINTERNAL (out of memory). */
int arena_init(struct arena *a, size_t cap);
void arena_free(struct arena *a);
/* Takes back everything allocated in the block: nothing from it may be used after. */
void arena_reset(struct arena *a);

#endif
