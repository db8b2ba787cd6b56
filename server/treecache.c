#include "treecache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "proto/jixiao.pb-c.h"

struct treecache_entry {
	atomic_int refs;
	uint64_t ws;
	uint8_t key[TREECACHE_KEY_LEN];
	size_t len;
	uint8_t frame[];
};

struct treecache {
	pthread_mutex_t mtx;
	struct treecache_entry *slots[TREECACHE_SLOTS];
	size_t bytes;
};

int
treecache_new(struct treecache **tp)
{
	struct treecache *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return JX_EINTERNAL;
	pthread_mutex_init(&t->mtx, NULL);
	*tp = t;
	return JX_OK;
}

static void
treecache_unref(struct treecache_entry *e)
{
	if (e != NULL && atomic_fetch_sub(&e->refs, 1) == 1)
		free(e);
}

void
treecache_free(struct treecache *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < TREECACHE_SLOTS; i++)
		treecache_unref(t->slots[i]);
	pthread_mutex_destroy(&t->mtx);
	free(t);
}

static void
treecache_hash_record(crypto_generichash_state *st, MDB_txn *txn, struct store *s,
    enum store_db db, const uint8_t *key, size_t klen)
{
	MDB_val v;
	uint8_t n[8];

	if (store_get(txn, s, db, key, klen, &v) != 0)
		v.mv_size = 0;
	store_key_u64(n, v.mv_size);
	crypto_generichash_update(st, n, sizeof(n));
	if (v.mv_size > 0)
		crypto_generichash_update(st, v.mv_data, v.mv_size);
}

int
treecache_key(MDB_txn *txn, struct store *s, uint64_t ws, int64_t now,
    uint8_t key[TREECACHE_KEY_LEN])
{
	crypto_generichash_state st;
	MDB_cursor *cur;
	MDB_val k, v;
	uint8_t wkey[8];
	int rc;

	store_key_u64(wkey, ws);
	crypto_generichash_init(&st, NULL, 0, TREECACHE_KEY_LEN);
	treecache_hash_record(&st, txn, s, STORE_WORKSPACES, wkey, sizeof(wkey));
	treecache_hash_record(&st, txn, s, STORE_BUDGETS, wkey, sizeof(wkey));
	/* The claims on ws's indicators that are live now: ws (8) + node (8) -> Claim. */
	if (store_cursor(txn, s, STORE_CLAIMS, &cur) != 0)
		return JX_EINTERNAL;
	k.mv_size = sizeof(wkey);
	k.mv_data = wkey;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	     rc == 0 && k.mv_size == 16 && memcmp(k.mv_data, wkey, 8) == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Jixiao__Claim *cl = jixiao__claim__unpack(NULL, v.mv_size, v.mv_data);
		if (cl == NULL) {
			mdb_cursor_close(cur);
			return JX_EINTERNAL;
		}
		if (cl->until > now) {
			crypto_generichash_update(&st, k.mv_data, k.mv_size);
			crypto_generichash_update(&st, v.mv_data, v.mv_size);
		}
		jixiao__claim__free_unpacked(cl, NULL);
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return JX_EINTERNAL;
	crypto_generichash_final(&st, key, TREECACHE_KEY_LEN);
	return JX_OK;
}

bool
treecache_get(struct treecache *t, uint64_t ws, const uint8_t key[TREECACHE_KEY_LEN],
    uint8_t **frame, size_t *len)
{
	struct treecache_entry *e;

	pthread_mutex_lock(&t->mtx);
	e = t->slots[ws % TREECACHE_SLOTS];
	if (e != NULL && e->ws == ws && memcmp(e->key, key, TREECACHE_KEY_LEN) == 0)
		atomic_fetch_add(&e->refs, 1);
	else
		e = NULL;
	pthread_mutex_unlock(&t->mtx);
	if (e == NULL)
		return false;
	/* The copy outside the lock: the entry stays alive by its reference. */
	if ((*frame = malloc(e->len > 0 ? e->len : 1)) != NULL) {
		memcpy(*frame, e->frame, e->len);
		*len = e->len;
	}
	treecache_unref(e);
	return *frame != NULL;
}

void
treecache_put(struct treecache *t, uint64_t ws, const uint8_t key[TREECACHE_KEY_LEN],
    const uint8_t *frame, size_t len)
{
	struct treecache_entry *e, *old;
	size_t slot = ws % TREECACHE_SLOTS;

	if (len > TREECACHE_MAX_ENTRY || (e = malloc(sizeof(*e) + len)) == NULL)
		return;
	atomic_init(&e->refs, 1);
	e->ws = ws;
	memcpy(e->key, key, TREECACHE_KEY_LEN);
	e->len = len;
	memcpy(e->frame, frame, len);
	pthread_mutex_lock(&t->mtx);
	old = t->slots[slot];
	if (t->bytes - (old != NULL ? old->len : 0) + len > TREECACHE_MAX_BYTES) {
		pthread_mutex_unlock(&t->mtx);
		free(e);
		return;
	}
	t->bytes = t->bytes - (old != NULL ? old->len : 0) + len;
	t->slots[slot] = e;
	pthread_mutex_unlock(&t->mtx);
	treecache_unref(old);
}
