/*
 * The GetTree reply cache: the packed reply frame of a workspace's current tree, kept
 * per workspace under a key that names everything the reply is made of — the
 * workspace's record (its revision moves with every change to its indicators), its
 * budget record and the claims live now — so an unchanged workspace is answered with
 * a copy instead of unpacking, scoring and packing every indicator.
 *
 * Any thread; entries are immutable and shared by reference. Bounded: at most
 * TREECACHE_SLOTS workspaces and TREECACHE_MAX_BYTES in all; a reply bigger than
 * TREECACHE_MAX_ENTRY is not kept.
 */
#ifndef JX_TREECACHE_H
#define JX_TREECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "store.h"

#define TREECACHE_KEY_LEN 16
#define TREECACHE_SLOTS 256
#define TREECACHE_MAX_BYTES ((size_t)128 << 20)
#define TREECACHE_MAX_ENTRY ((size_t)8 << 20)

struct treecache;

int treecache_new(struct treecache **tp);
/* Accepts NULL. */
void treecache_free(struct treecache *t);

/*
 * The key of workspace ws's current tree in snapshot txn at time now (claims expire).
 * Returns 0, or an error when the records cannot be read (then: no caching).
 */
int treecache_key(MDB_txn *txn, struct store *s, uint64_t ws, int64_t now,
    uint8_t key[TREECACHE_KEY_LEN]);
/* A copy (malloc'd) of the frame kept for ws under key; false when there is none. */
bool treecache_get(struct treecache *t, uint64_t ws, const uint8_t key[TREECACHE_KEY_LEN],
    uint8_t **frame, size_t *len);
/* Keeps a copy of frame for ws under key, replacing what ws had. */
void treecache_put(struct treecache *t, uint64_t ws, const uint8_t key[TREECACHE_KEY_LEN],
    const uint8_t *frame, size_t len);

#endif
