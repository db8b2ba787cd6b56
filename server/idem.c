#include "idem.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"

/* Old records removed per write: enough to keep up, bounded per call. */
#define IDEM_PRUNE_PER_CALL 4
/* Longest request id kept (LMDB's key limit). */
#define IDEM_ID_MAX 511
#define IDEM_HEAD (8 + IDEM_DIGEST_LEN)

void
idem_digest(const char *user, const char *service, uint32_t method, const uint8_t *payload,
    size_t len, uint8_t out[IDEM_DIGEST_LEN])
{
	crypto_generichash_state st;
	uint8_t m[4];

	for (int i = 0; i < 4; i++)
		m[i] = (uint8_t)(method >> (8 * (3 - i)));
	crypto_generichash_init(&st, NULL, 0, IDEM_DIGEST_LEN);
	crypto_generichash_update(&st, (const uint8_t *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const uint8_t *)service, strlen(service) + 1);
	crypto_generichash_update(&st, m, sizeof(m));
	if (payload != NULL)
		crypto_generichash_update(&st, payload, len);
	crypto_generichash_final(&st, out, IDEM_DIGEST_LEN);
}

enum idem_found
idem_lookup(MDB_txn *txn, struct store *s, const uint8_t *id, size_t idlen,
    const uint8_t digest[IDEM_DIGEST_LEN], uint8_t **reply, size_t *len)
{
	MDB_val v;

	*reply = NULL;
	*len = 0;
	if (store_get(txn, s, STORE_REQUESTS, id, idlen, &v) != 0 || v.mv_size < IDEM_HEAD)
		return IDEM_NONE;
	if (sodium_memcmp(digest, (uint8_t *)v.mv_data + 8, IDEM_DIGEST_LEN) != 0)
		return IDEM_OTHER;
	if ((*reply = malloc(v.mv_size - IDEM_HEAD + 1)) == NULL)
		return IDEM_NONE;
	memcpy(*reply, (uint8_t *)v.mv_data + IDEM_HEAD, v.mv_size - IDEM_HEAD);
	*len = v.mv_size - IDEM_HEAD;
	return IDEM_SAME;
}

int
idem_remember(MDB_txn *txn, struct store *s, const uint8_t *id, size_t idlen, int64_t now,
    const uint8_t digest[IDEM_DIGEST_LEN], const uint8_t *reply, size_t len)
{
	uint8_t *rec;
	int rv;

	if ((rec = malloc(IDEM_HEAD + len)) == NULL)
		return JX_EINTERNAL;
	store_key_u64(rec, (uint64_t)now);
	memcpy(rec + 8, digest, IDEM_DIGEST_LEN);
	memcpy(rec + IDEM_HEAD, reply, len);
	rv = store_put(txn, s, STORE_REQUESTS, id, idlen, rec, IDEM_HEAD + len);
	free(rec);
	return rv;
}

/* The oldest replies, up to IDEM_PRUNE_PER_CALL of them, that have expired. */
struct idem_expired {
	uint8_t keys[IDEM_PRUNE_PER_CALL][IDEM_ID_MAX];
	size_t lens[IDEM_PRUNE_PER_CALL];
	int n;
	int64_t before;
};

static int
idem_expired_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct idem_expired *e = arg;

	if (e->n == IDEM_PRUNE_PER_CALL || vlen < 8 || klen > IDEM_ID_MAX ||
	    (int64_t)store_key_get_u64(val) > e->before)
		return STORE_SCAN_STOP;
	memcpy(e->keys[e->n], key, klen);
	e->lens[e->n++] = klen;
	return 0;
}

int
idem_prune(MDB_txn *txn, struct store *s, int64_t now)
{
	struct idem_expired e = { .before = now - IDEM_KEEP_SECONDS };
	int rv;

	if ((rv = store_scan(txn, s, STORE_REQUESTS, NULL, 0, idem_expired_one, &e)) != 0)
		return rv;
	/* Through the store, so the log records the deletes. */
	for (int i = 0; i < e.n; i++)
		if ((rv = store_del(txn, s, STORE_REQUESTS, e.keys[i], e.lens[i])) != 0)
			return rv;
	return JX_OK;
}
