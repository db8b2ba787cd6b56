/*
 * The idempotency table: each mutating call's reply kept under its request id, so a
 * resent request is answered with the first reply and applied at most once.
 *
 * STORE_REQUESTS: request id -> time (8, big-endian seconds) + digest of the request (32)
 * + the packed reply frame. Request ids start with the client's clock in milliseconds,
 * so the front of the table holds the oldest; replies older than IDEM_KEEP_SECONDS go
 * from the front, a few with every write. All of it is written through the store, so
 * the log records it and it survives a replay or a rebuild.
 */
#ifndef JX_IDEM_H
#define JX_IDEM_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "store.h"

#define IDEM_DIGEST_LEN 32
/* Far longer than any client waits (30 s) or nng REQ resends (60 s). */
#define IDEM_KEEP_SECONDS 600

/* What a request asks: a BLAKE2b digest of its user, service, method and payload. */
void idem_digest(const char *user, const char *service, uint32_t method,
    const uint8_t *payload, size_t len, uint8_t out[IDEM_DIGEST_LEN]);

enum idem_found {
	IDEM_NONE,  /* a new request */
	IDEM_SAME,  /* a resend: *reply (malloc'd) is the first reply */
	IDEM_OTHER, /* the id was used for another request */
};

/* Looks id up in txn. IDEM_NONE also when the copy cannot be made. */
enum idem_found idem_lookup(MDB_txn *txn, struct store *s, const uint8_t *id, size_t idlen,
    const uint8_t digest[IDEM_DIGEST_LEN], uint8_t **reply, size_t *len);
/* Keeps reply under id, with the time now and the request's digest. */
int idem_remember(MDB_txn *txn, struct store *s, const uint8_t *id, size_t idlen, int64_t now,
    const uint8_t digest[IDEM_DIGEST_LEN], const uint8_t *reply, size_t len);
/*
 * Forgets up to a few replies older than IDEM_KEEP_SECONDS before now. Returns 0 or the
 * store's error (a failed delete is noted in the store for the writer, as every put is).
 */
int idem_prune(MDB_txn *txn, struct store *s, int64_t now);

#endif
