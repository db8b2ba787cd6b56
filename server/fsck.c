#include "fsck.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "proto/jixiao.pb-c.h"
#include "svc.h"

/* Problems told one by one; past this many only counted, so a wrecked store stays readable. */
#define FSCK_TELL_MAX 200

struct fsck {
	struct store *store;
	MDB_txn *txn;
	fsck_problem_fn problem;
	void *arg;
	struct fsck_report *r;
};

static void
fsck_problem(struct fsck *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fsck_problem(struct fsck *f, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (f->r->problems++ >= FSCK_TELL_MAX || f->problem == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	f->problem(f->arg, text);
}

static struct fsck_workspace *
fsck_find_ws(struct fsck *f, uint64_t id)
{
	size_t lo = 0, hi = f->r->nws;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->r->ws[mid].id == id)
			return &f->r->ws[mid];
		if (f->r->ws[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Every workspace record, in key (= id) order, into r->ws. */
static int
fsck_workspaces(struct fsck *f)
{
	size_t cap = 0;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, rv;

	if ((rv = store_cursor(f->txn, f->store, STORE_WORKSPACES, &cur)) != 0)
		return rv;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Jixiao__Workspace *ws;
		struct fsck_workspace *w;
		uint64_t id;

		if (k.mv_size != 8) {
			fsck_problem(f, "a workspace record has a key of %zu bytes, not 8", k.mv_size);
			continue;
		}
		id = store_key_get_u64(k.mv_data);
		ws = jixiao__workspace__unpack(NULL, v.mv_size, v.mv_data);
		if (ws == NULL) {
			fsck_problem(f, "workspace %" PRIu64 ": its record does not decode", id);
			continue;
		}
		if (ws->id != id)
			fsck_problem(f, "workspace %" PRIu64 ": its record says id %" PRIu64, id,
			    ws->id);
		if (f->r->nws == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			void *p = realloc(f->r->ws, ncap * sizeof(*f->r->ws));
			if (p == NULL) {
				jixiao__workspace__free_unpacked(ws, NULL);
				mdb_cursor_close(cur);
				return JX_EINTERNAL;
			}
			f->r->ws = p;
			cap = ncap;
		}
		w = &f->r->ws[f->r->nws++];
		memset(w, 0, sizeof(*w));
		w->id = id;
		w->revision = ws->revision;
		if (ws->has_head && ws->head.len == FSCK_HASH_LEN) {
			w->has_head = true;
			memcpy(w->head, ws->head.data, FSCK_HASH_LEN);
		} else if (ws->has_head) {
			fsck_problem(f, "workspace %" PRIu64 ": its head is %zu bytes, not %d", id,
			    ws->head.len, FSCK_HASH_LEN);
		}
		jixiao__workspace__free_unpacked(ws, NULL);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? JX_OK : store_err(rc);
}

/* The end of one workspace's chain: it must be where its record says its head is. */
static void
fsck_chain_end(struct fsck *f, uint64_t id, uint64_t last, const uint8_t *hash)
{
	struct fsck_workspace *w = fsck_find_ws(f, id);

	if (w == NULL) {
		fsck_problem(f, "workspace %" PRIu64 " has %" PRIu64 " history records but no "
		    "workspace record", id, last);
		return;
	}
	if (w->revision != last)
		fsck_problem(f, "workspace %" PRIu64 " is at revision %" PRIu64 " but its history "
		    "ends at %" PRIu64, id, w->revision, last);
	else if (last > 0 && (!w->has_head || sodium_memcmp(w->head, hash, FSCK_HASH_LEN) != 0))
		fsck_problem(f, "workspace %" PRIu64 ": its head is not the hash of its last "
		    "history record (revision %" PRIu64 ")", id, last);
}

/* Every history record: consecutive revisions, each naming the hash of the one before. */
static int
fsck_chains(struct fsck *f)
{
	uint8_t prev[FSCK_HASH_LEN];
	uint64_t ws = 0, last = 0;
	bool in_ws = false;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, rv;

	if ((rv = store_cursor(f->txn, f->store, STORE_HISTORY, &cur)) != 0)
		return rv;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Jixiao__Change *ch;
		uint64_t id, rev;

		if (k.mv_size != 16) {
			fsck_problem(f, "a history record has a key of %zu bytes, not 16", k.mv_size);
			continue;
		}
		id = store_key_get_u64(k.mv_data);
		rev = store_key_get_u64((const uint8_t *)k.mv_data + 8);
		if (!in_ws || id != ws) {
			if (in_ws)
				fsck_chain_end(f, ws, last, prev);
			ws = id;
			last = 0;
			in_ws = true;
		}
		f->r->records++;
		if (rev != last + 1)
			fsck_problem(f, "workspace %" PRIu64 ": history revision %" PRIu64 " follows "
			    "%" PRIu64 " (records are missing)", id, rev, last);
		ch = jixiao__change__unpack(NULL, v.mv_size, v.mv_data);
		if (ch == NULL) {
			fsck_problem(f, "workspace %" PRIu64 ": history record %" PRIu64 " does not "
			    "decode", id, rev);
		} else {
			if (ch->workspace != id || ch->revision != rev)
				fsck_problem(f, "workspace %" PRIu64 ": history record %" PRIu64 " says "
				    "it is workspace %" PRIu64 " revision %" PRIu64, id, rev,
				    ch->workspace, ch->revision);
			if (last == 0 && rev == 1 && ch->has_prev)
				fsck_problem(f, "workspace %" PRIu64 ": its first history record names "
				    "a previous one", id);
			else if (last > 0 && (!ch->has_prev || ch->prev.len != FSCK_HASH_LEN ||
			    sodium_memcmp(ch->prev.data, prev, FSCK_HASH_LEN) != 0))
				fsck_problem(f, "workspace %" PRIu64 ": the hash chain breaks at "
				    "revision %" PRIu64 " (it does not name the hash of revision %"
				    PRIu64 ")", id, rev, last);
			jixiao__change__free_unpacked(ch, NULL);
		}
		crypto_generichash(prev, sizeof(prev), v.mv_data, v.mv_size, NULL, 0);
		last = rev;
	}
	if (in_ws)
		fsck_chain_end(f, ws, last, prev);
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	/* A workspace that has changed must have a chain; each was ended above if it had. */
	for (size_t i = 0; i < f->r->nws; i++) {
		MDB_val hv;
		uint8_t key[16];
		if (f->r->ws[i].revision == 0)
			continue;
		store_key_pair(key, f->r->ws[i].id, f->r->ws[i].revision);
		if (store_get(f->txn, f->store, STORE_HISTORY, key, sizeof(key), &hv) != 0)
			fsck_problem(f, "workspace %" PRIu64 " is at revision %" PRIu64 " but has "
			    "no history record of it", f->r->ws[i].id, f->r->ws[i].revision);
	}
	return JX_OK;
}

static bool
fsck_exists(struct fsck *f, enum store_db db, const void *key, size_t klen, MDB_val *v)
{
	MDB_val tmp;

	return store_get(f->txn, f->store, db, key, klen, v != NULL ? v : &tmp) == 0;
}

/* Every indicator against the code index and the children index, and back. */
static int
fsck_nodes(struct fsck *f)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, rv;

	if ((rv = store_cursor(f->txn, f->store, STORE_NODES, &cur)) != 0)
		return rv;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint8_t key[8 + 4096], ck[24];
		Jixiao__Node *n;
		uint64_t ws, id, got;
		size_t clen;
		MDB_val cv;

		if (k.mv_size != 16) {
			fsck_problem(f, "an indicator record has a key of %zu bytes, not 16",
			    k.mv_size);
			continue;
		}
		f->r->nodes++;
		ws = store_key_get_u64(k.mv_data);
		id = store_key_get_u64((const uint8_t *)k.mv_data + 8);
		if (fsck_find_ws(f, ws) == NULL)
			fsck_problem(f, "indicator %" PRIu64 " belongs to workspace %" PRIu64 ", which "
			    "does not exist", id, ws);
		if ((n = jixiao__node__unpack(NULL, v.mv_size, v.mv_data)) == NULL) {
			fsck_problem(f, "workspace %" PRIu64 ": indicator %" PRIu64 " does not decode",
			    ws, id);
			continue;
		}
		if (n->id != id)
			fsck_problem(f, "workspace %" PRIu64 ": indicator %" PRIu64 " says it is %"
			    PRIu64, ws, id, n->id);
		clen = strlen(n->code);
		if (clen > sizeof(key) - 8) {
			fsck_problem(f, "workspace %" PRIu64 ": indicator %" PRIu64 " has a code of "
			    "%zu bytes", ws, id, clen);
		} else {
			store_key_u64(key, ws);
			memcpy(key + 8, n->code, clen);
			if (!fsck_exists(f, STORE_CODES, key, 8 + clen, &cv) || cv.mv_size != 8)
				fsck_problem(f, "workspace %" PRIu64 ": indicator %s is missing from "
				    "the code index", ws, n->code);
			else if ((got = store_key_get_u64(cv.mv_data)) != id)
				fsck_problem(f, "workspace %" PRIu64 ": the code index sends %s to "
				    "indicator %" PRIu64 ", not %" PRIu64, ws, n->code, got, id);
		}
		store_key_pair(ck, ws, n->parent_id);
		store_key_u64(ck + 16, id);
		if (!fsck_exists(f, STORE_CHILDREN, ck, sizeof(ck), NULL))
			fsck_problem(f, "workspace %" PRIu64 ": indicator %s is missing from its "
			    "parent's children", ws, n->code);
		if (n->parent_id != 0) {
			uint8_t pk[16];
			store_key_pair(pk, ws, n->parent_id);
			if (!fsck_exists(f, STORE_NODES, pk, sizeof(pk), NULL))
				fsck_problem(f, "workspace %" PRIu64 ": indicator %s has parent %" PRIu64
				    ", which does not exist", ws, n->code, n->parent_id);
		}
		jixiao__node__free_unpacked(n, NULL);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? JX_OK : store_err(rc);
}

/* Index entries that point at nothing: codes and children. */
static int
fsck_indexes(struct fsck *f)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, rv;

	if ((rv = store_cursor(f->txn, f->store, STORE_CODES, &cur)) != 0)
		return rv;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint8_t nk[16];
		if (k.mv_size < 8 || v.mv_size != 8) {
			fsck_problem(f, "a code index entry is malformed");
			continue;
		}
		store_key_pair(nk, store_key_get_u64(k.mv_data), store_key_get_u64(v.mv_data));
		if (!fsck_exists(f, STORE_NODES, nk, sizeof(nk), NULL))
			fsck_problem(f, "workspace %" PRIu64 ": the code index names %.*s, an "
			    "indicator that does not exist", store_key_get_u64(k.mv_data),
			    (int)(k.mv_size - 8 > 64 ? 64 : k.mv_size - 8),
			    (const char *)k.mv_data + 8);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if ((rv = store_cursor(f->txn, f->store, STORE_CHILDREN, &cur)) != 0)
		return rv;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *p = k.mv_data;
		uint8_t nk[16];
		MDB_val nv;
		Jixiao__Node *n;
		if (k.mv_size != 24) {
			fsck_problem(f, "a children index entry is malformed");
			continue;
		}
		store_key_pair(nk, store_key_get_u64(p), store_key_get_u64(p + 16));
		if (!fsck_exists(f, STORE_NODES, nk, sizeof(nk), &nv)) {
			fsck_problem(f, "workspace %" PRIu64 ": the children index names indicator %"
			    PRIu64 ", which does not exist", store_key_get_u64(p),
			    store_key_get_u64(p + 16));
			continue;
		}
		if ((n = jixiao__node__unpack(NULL, nv.mv_size, nv.mv_data)) == NULL)
			continue; /* told by fsck_nodes */
		if (n->parent_id != store_key_get_u64(p + 8))
			fsck_problem(f, "workspace %" PRIu64 ": the children index puts %s under %"
			    PRIu64 ", but its parent is %" PRIu64, store_key_get_u64(p), n->code,
			    store_key_get_u64(p + 8), n->parent_id);
		jixiao__node__free_unpacked(n, NULL);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? JX_OK : store_err(rc);
}

/* Findings, past states and the subject index name workspaces (and revisions) that exist. */
static int
fsck_records(struct fsck *f)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, rv;

	if ((rv = store_cursor(f->txn, f->store, STORE_FINDINGS, &cur)) != 0)
		return rv;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Jixiao__Finding *fi;
		uint64_t ws, id;
		if (k.mv_size != 16) {
			fsck_problem(f, "a finding has a key of %zu bytes, not 16", k.mv_size);
			continue;
		}
		f->r->findings++;
		ws = store_key_get_u64(k.mv_data);
		id = store_key_get_u64((const uint8_t *)k.mv_data + 8);
		if (fsck_find_ws(f, ws) == NULL)
			fsck_problem(f, "finding %" PRIu64 " belongs to workspace %" PRIu64 ", which "
			    "does not exist", id, ws);
		if ((fi = jixiao__finding__unpack(NULL, v.mv_size, v.mv_data)) == NULL) {
			fsck_problem(f, "workspace %" PRIu64 ": finding %" PRIu64 " does not decode",
			    ws, id);
			continue;
		}
		if (fi->id != id)
			fsck_problem(f, "workspace %" PRIu64 ": finding %" PRIu64 " says it is %"
			    PRIu64, ws, id, fi->id);
		jixiao__finding__free_unpacked(fi, NULL);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);

	if ((rv = store_cursor(f->txn, f->store, STORE_STATES, &cur)) != 0)
		return rv;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct fsck_workspace *w;
		uint64_t rev;
		if (k.mv_size != 24) {
			fsck_problem(f, "a state index entry has a key of %zu bytes, not 24",
			    k.mv_size);
			continue;
		}
		rev = store_key_get_u64((const uint8_t *)k.mv_data + 16);
		if ((w = fsck_find_ws(f, store_key_get_u64(k.mv_data))) == NULL)
			fsck_problem(f, "the state index names workspace %" PRIu64 ", which does not "
			    "exist", store_key_get_u64(k.mv_data));
		else if (rev > w->revision)
			fsck_problem(f, "workspace %" PRIu64 ": the state index has revision %" PRIu64
			    ", past the workspace's %" PRIu64, w->id, rev, w->revision);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);

	if ((rv = store_cursor(f->txn, f->store, STORE_SUBJECTS, &cur)) != 0)
		return rv;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < 1 + 4 + 4 + 8) {
			fsck_problem(f, "a subject index entry is malformed");
			continue;
		}
		uint64_t ws = store_key_get_u64((const uint8_t *)k.mv_data + k.mv_size - 8);
		if (fsck_find_ws(f, ws) == NULL)
			fsck_problem(f, "the subject index names workspace %" PRIu64 ", which does "
			    "not exist", ws);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? JX_OK : store_err(rc);
}

/* Users by name against users by key (current 'k', retired 'r'). */
static int
fsck_users(struct fsck *f)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, rv;

	if ((rv = store_cursor(f->txn, f->store, STORE_USERS, &cur)) != 0)
		return rv;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const uint8_t *key = k.mv_data;
		if (k.mv_size > 1 && key[0] == 'n') {
			Jixiao__User *u = jixiao__user__unpack(NULL, v.mv_size, v.mv_data);
			uint8_t kk[33];
			MDB_val kv;
			f->r->users++;
			if (u == NULL) {
				fsck_problem(f, "user %.*s: the record does not decode",
				    (int)(k.mv_size - 1 > 64 ? 64 : k.mv_size - 1), key + 1);
				continue;
			}
			if (strlen(u->name) != k.mv_size - 1 ||
			    memcmp(u->name, key + 1, k.mv_size - 1) != 0)
				fsck_problem(f, "user %s is stored under another name", u->name);
			if (u->public_key.len != 32) {
				fsck_problem(f, "user %s: the public key is %zu bytes", u->name,
				    u->public_key.len);
			} else {
				kk[0] = 'k';
				memcpy(kk + 1, u->public_key.data, 32);
				if (!fsck_exists(f, STORE_USERS, kk, sizeof(kk), &kv) ||
				    kv.mv_size != strlen(u->name) ||
				    memcmp(kv.mv_data, u->name, kv.mv_size) != 0)
					fsck_problem(f, "user %s: the key index does not send the user's "
					    "key to the user", u->name);
			}
			jixiao__user__free_unpacked(u, NULL);
		} else if (k.mv_size == 33 && (key[0] == 'k' || key[0] == 'r')) {
			/* 'k' a current key, 'r' a retired one: either names a user who exists. */
			uint8_t nk[1 + 256];
			if (v.mv_size == 0 || v.mv_size > 256) {
				fsck_problem(f, "a key index entry names no user");
				continue;
			}
			nk[0] = 'n';
			memcpy(nk + 1, v.mv_data, v.mv_size);
			if (!fsck_exists(f, STORE_USERS, nk, 1 + v.mv_size, NULL))
				fsck_problem(f, "the %s key index names user %.*s, who does not "
				    "exist", key[0] == 'k' ? "current" : "retired", (int)v.mv_size,
				    (const char *)v.mv_data);
		} else {
			fsck_problem(f, "a user record has an unknown key");
		}
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? JX_OK : store_err(rc);
}

/*
 * Evidence: the chunks of each file, read back in order and hashed. A file linked to a
 * workspace must be whole and hash to its name; chunks nobody linked are an upload
 * that never finished, counted, not a problem.
 */
static int
fsck_files(struct fsck *f)
{
	crypto_generichash_state st;
	uint8_t hash[FSCK_HASH_LEN], got[FSCK_HASH_LEN];
	uint64_t next = 0;
	bool in_file = false, broken = false;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, rv;

	if ((rv = store_cursor(f->txn, f->store, STORE_BLOBS, &cur)) != 0)
		return rv;
	rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	for (;;) {
		const uint8_t *key = k.mv_data;
		bool chunk = rc == 0 && k.mv_size == FSCK_HASH_LEN + 8;
		bool same = chunk && in_file && memcmp(key, hash, FSCK_HASH_LEN) == 0;

		if (in_file && !same) {
			/* The file ended: is it linked anywhere, and is it whole? */
			uint8_t lk[1 + 8 + FSCK_HASH_LEN];
			bool linked = false;
			for (size_t i = 0; i < f->r->nws && !linked; i++) {
				lk[0] = 'l';
				store_key_u64(lk + 1, f->r->ws[i].id);
				memcpy(lk + 9, hash, FSCK_HASH_LEN);
				linked = fsck_exists(f, STORE_BLOBS, lk, sizeof(lk), NULL);
			}
			crypto_generichash_final(&st, got, sizeof(got));
			broken = broken || sodium_memcmp(got, hash, FSCK_HASH_LEN) != 0;
			if (linked && broken) {
				char hex[2 * FSCK_HASH_LEN + 1];
				sodium_bin2hex(hex, sizeof(hex), hash, FSCK_HASH_LEN);
				fsck_problem(f, "evidence file %.16s…: its content does not hash to its "
				    "name (damaged or incomplete)", hex);
			} else if (linked) {
				f->r->files++;
			} else {
				f->r->partial++;
			}
			in_file = false;
		}
		if (rc != 0)
			break;
		if (chunk) {
			uint64_t off = store_key_get_u64(key + FSCK_HASH_LEN);
			if (!in_file) {
				memcpy(hash, key, FSCK_HASH_LEN);
				crypto_generichash_init(&st, NULL, 0, FSCK_HASH_LEN);
				in_file = true;
				broken = false;
				next = 0;
			}
			if (off != next)
				broken = true;
			crypto_generichash_update(&st, v.mv_data, v.mv_size);
			next = off + v.mv_size;
			if (v.mv_size != SVC_FILES_CHUNK)
				next = (next + SVC_FILES_CHUNK - 1) / SVC_FILES_CHUNK * SVC_FILES_CHUNK;
		} else if (k.mv_size == 1 + 8 + FSCK_HASH_LEN && key[0] == 'l') {
			uint8_t first[FSCK_HASH_LEN + 8];
			if (fsck_find_ws(f, store_key_get_u64(key + 1)) == NULL)
				fsck_problem(f, "an evidence file is linked to workspace %" PRIu64
				    ", which does not exist", store_key_get_u64(key + 1));
			memcpy(first, key + 9, FSCK_HASH_LEN);
			store_key_u64(first + FSCK_HASH_LEN, 0);
			if (!fsck_exists(f, STORE_BLOBS, first, sizeof(first), NULL))
				fsck_problem(f, "workspace %" PRIu64 " links an evidence file the "
				    "store does not hold", store_key_get_u64(key + 1));
		} else {
			fsck_problem(f, "an evidence record has an unknown key");
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? JX_OK : store_err(rc);
}

int
fsck_run(struct store *s, fsck_problem_fn problem, void *arg, struct fsck_report *r)
{
	struct fsck f = { .store = s, .problem = problem, .arg = arg, .r = r };
	int rv;

	memset(r, 0, sizeof(*r));
	if ((rv = store_read_begin(s, &f.txn)) != 0)
		return rv;
	if ((rv = fsck_workspaces(&f)) != 0 || (rv = fsck_chains(&f)) != 0 ||
	    (rv = fsck_nodes(&f)) != 0 || (rv = fsck_indexes(&f)) != 0 ||
	    (rv = fsck_records(&f)) != 0 || (rv = fsck_users(&f)) != 0 ||
	    (rv = fsck_files(&f)) != 0)
		goto out;
out:
	store_read_end(s, f.txn);
	return rv;
}

void
fsck_report_free(struct fsck_report *r)
{
	free(r->ws);
	r->ws = NULL;
	r->nws = 0;
}
