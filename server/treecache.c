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

struct treecache_claims {
	crypto_generichash_state *st;
	int64_t now;
};

/* A claim on one of ws's indicators (ws (8) + node (8) -> Claim) counts while live. */
static int
treecache_hash_claim(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct treecache_claims *t = arg;
	Jixiao__Claim *cl;

	if (klen != 16 || (cl = jixiao__claim__unpack(NULL, vlen, val)) == NULL)
		return JX_EINTERNAL;
	if (cl->until > t->now) {
		crypto_generichash_update(t->st, key, klen);
		crypto_generichash_update(t->st, val, vlen);
	}
	jixiao__claim__free_unpacked(cl, NULL);
	return 0;
}

int
treecache_key(MDB_txn *txn, struct store *s, uint64_t ws, int64_t now,
    uint8_t key[TREECACHE_KEY_LEN])
{
	crypto_generichash_state st;
	struct treecache_claims t = { &st, now };
	uint8_t wkey[8];
	int rv;

	store_key_u64(wkey, ws);
	crypto_generichash_init(&st, NULL, 0, TREECACHE_KEY_LEN);
	treecache_hash_record(&st, txn, s, STORE_WORKSPACES, wkey, sizeof(wkey));
	treecache_hash_record(&st, txn, s, STORE_BUDGETS, wkey, sizeof(wkey));
	/* The claims on ws's indicators that are live now. */
	if ((rv = store_scan(txn, s, STORE_CLAIMS, wkey, sizeof(wkey), treecache_hash_claim,
	    &t)) != 0)
		return rv;
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
