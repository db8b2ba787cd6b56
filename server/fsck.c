#include "fsck.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "array.h"
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
	size_t wscap; /* r->ws's room */
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

static int
fsck_workspace_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct fsck *f = arg;
	Jixiao__Workspace *ws;
	struct fsck_workspace *w;
	uint64_t id;

	if (klen != 8) {
		fsck_problem(f, "a workspace record has a key of %zu bytes, not 8", klen);
		return 0;
	}
	id = store_key_get_u64(key);
	ws = jixiao__workspace__unpack(NULL, vlen, val);
	if (ws == NULL) {
		fsck_problem(f, "workspace %" PRIu64 ": its record does not decode", id);
		return 0;
	}
	if (ws->id != id)
		fsck_problem(f, "workspace %" PRIu64 ": its record says id %" PRIu64, id, ws->id);
	if (array_grow(&f->r->ws, f->r->nws, &f->wscap, sizeof(*f->r->ws), 64) != 0) {
		jixiao__workspace__free_unpacked(ws, NULL);
		return JX_EINTERNAL;
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
	return 0;
}

/* Every workspace record, in key (= id) order, into r->ws. */
static int
fsck_workspaces(struct fsck *f)
{
	return store_scan(f->txn, f->store, STORE_WORKSPACES, NULL, 0, fsck_workspace_one, f);
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

/* Where the walk through the history table is: in workspace ws, after revision last. */
struct fsck_chain {
	struct fsck *f;
	uint8_t prev[FSCK_HASH_LEN]; /* the hash of revision last */
	uint64_t ws, last;
	bool in_ws;
};

static int
fsck_chain_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct fsck_chain *h = arg;
	struct fsck *f = h->f;
	Jixiao__Change *ch;
	uint64_t id, rev;

	if (klen != 16) {
		fsck_problem(f, "a history record has a key of %zu bytes, not 16", klen);
		return 0;
	}
	id = store_key_get_u64(key);
	rev = store_key_get_u64((const uint8_t *)key + 8);
	if (!h->in_ws || id != h->ws) {
		if (h->in_ws)
			fsck_chain_end(f, h->ws, h->last, h->prev);
		h->ws = id;
		h->last = 0;
		h->in_ws = true;
	}
	f->r->records++;
	if (rev != h->last + 1)
		fsck_problem(f, "workspace %" PRIu64 ": history revision %" PRIu64 " follows "
		    "%" PRIu64 " (records are missing)", id, rev, h->last);
	ch = jixiao__change__unpack(NULL, vlen, val);
	if (ch == NULL) {
		fsck_problem(f, "workspace %" PRIu64 ": history record %" PRIu64 " does not "
		    "decode", id, rev);
	} else {
		if (ch->workspace != id || ch->revision != rev)
			fsck_problem(f, "workspace %" PRIu64 ": history record %" PRIu64 " says "
			    "it is workspace %" PRIu64 " revision %" PRIu64, id, rev,
			    ch->workspace, ch->revision);
		if (h->last == 0 && rev == 1 && ch->has_prev)
			fsck_problem(f, "workspace %" PRIu64 ": its first history record names "
			    "a previous one", id);
		else if (h->last > 0 && (!ch->has_prev || ch->prev.len != FSCK_HASH_LEN ||
		    sodium_memcmp(ch->prev.data, h->prev, FSCK_HASH_LEN) != 0))
			fsck_problem(f, "workspace %" PRIu64 ": the hash chain breaks at "
			    "revision %" PRIu64 " (it does not name the hash of revision %"
			    PRIu64 ")", id, rev, h->last);
		jixiao__change__free_unpacked(ch, NULL);
	}
	crypto_generichash(h->prev, sizeof(h->prev), val, vlen, NULL, 0);
	h->last = rev;
	return 0;
}

/* Every history record: consecutive revisions, each naming the hash of the one before. */
static int
fsck_chains(struct fsck *f)
{
	struct fsck_chain h = { .f = f };
	int rv;

	rv = store_scan(f->txn, f->store, STORE_HISTORY, NULL, 0, fsck_chain_one, &h);
	if (h.in_ws)
		fsck_chain_end(f, h.ws, h.last, h.prev);
	if (rv != 0)
		return rv;
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

/*
 * A record kept under (workspace, id), what in words ("indicator", "finding"): its key's
 * length, that its workspace exists, that it decodes as desc and that its first field
 * (its id) says it is the one its key names. Returns the message, for the caller to check
 * further and free, or NULL when it does not decode (or its key is wrong).
 */
static ProtobufCMessage *
fsck_ws_record(struct fsck *f, const void *key, size_t klen, const void *val, size_t vlen,
    const char *what, const ProtobufCMessageDescriptor *desc, uint64_t *ws, uint64_t *id)
{
	const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(desc, 1);
	ProtobufCMessage *m;
	uint64_t said;

	if (klen != 16) {
		fsck_problem(f, "a record of a %s has a key of %zu bytes, not 16", what, klen);
		return NULL;
	}
	*ws = store_key_get_u64(key);
	*id = store_key_get_u64((const uint8_t *)key + 8);
	if (fsck_find_ws(f, *ws) == NULL)
		fsck_problem(f, "%s %" PRIu64 " belongs to workspace %" PRIu64 ", which does not "
		    "exist", what, *id, *ws);
	if ((m = protobuf_c_message_unpack(desc, NULL, vlen, val)) == NULL) {
		fsck_problem(f, "workspace %" PRIu64 ": %s %" PRIu64 " does not decode", *ws, what,
		    *id);
		return NULL;
	}
	if (fd == NULL || fd->type != PROTOBUF_C_TYPE_UINT64)
		return m;
	memcpy(&said, (const uint8_t *)m + fd->offset, sizeof(said));
	if (said != *id)
		fsck_problem(f, "workspace %" PRIu64 ": %s %" PRIu64 " says it is %" PRIu64, *ws,
		    what, *id, said);
	return m;
}

static int
fsck_node_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct fsck *f = arg;
	uint8_t code[8 + 4096], ck[24];
	Jixiao__Node *n;
	uint64_t ws, id, got;
	size_t clen;
	MDB_val cv;

	if ((n = (Jixiao__Node *)fsck_ws_record(f, key, klen, val, vlen, "indicator",
	    &jixiao__node__descriptor, &ws, &id)) == NULL)
		return 0;
	f->r->nodes++;
	clen = strlen(n->code);
	if (clen > sizeof(code) - 8) {
		fsck_problem(f, "workspace %" PRIu64 ": indicator %" PRIu64 " has a code of "
		    "%zu bytes", ws, id, clen);
	} else {
		store_key_u64(code, ws);
		memcpy(code + 8, n->code, clen);
		if (!fsck_exists(f, STORE_CODES, code, 8 + clen, &cv) || cv.mv_size != 8)
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
	return 0;
}

/* Every indicator against the code index and the children index, and back. */
static int
fsck_nodes(struct fsck *f)
{
	return store_scan(f->txn, f->store, STORE_NODES, NULL, 0, fsck_node_one, f);
}

static int
fsck_code_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct fsck *f = arg;
	uint8_t nk[16];

	if (klen < 8 || vlen != 8) {
		fsck_problem(f, "a code index entry is malformed");
		return 0;
	}
	store_key_pair(nk, store_key_get_u64(key), store_key_get_u64(val));
	if (!fsck_exists(f, STORE_NODES, nk, sizeof(nk), NULL))
		fsck_problem(f, "workspace %" PRIu64 ": the code index names %.*s, an "
		    "indicator that does not exist", store_key_get_u64(key),
		    (int)(klen - 8 > 64 ? 64 : klen - 8), (const char *)key + 8);
	return 0;
}

static int
fsck_child_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct fsck *f = arg;
	const uint8_t *p = key;
	uint8_t nk[16];
	MDB_val nv;
	Jixiao__Node *n;

	if (klen != 24) {
		fsck_problem(f, "a children index entry is malformed");
		return 0;
	}
	store_key_pair(nk, store_key_get_u64(p), store_key_get_u64(p + 16));
	if (!fsck_exists(f, STORE_NODES, nk, sizeof(nk), &nv)) {
		fsck_problem(f, "workspace %" PRIu64 ": the children index names indicator %"
		    PRIu64 ", which does not exist", store_key_get_u64(p),
		    store_key_get_u64(p + 16));
		return 0;
	}
	if ((n = jixiao__node__unpack(NULL, nv.mv_size, nv.mv_data)) == NULL)
		return 0; /* told by fsck_nodes */
	if (n->parent_id != store_key_get_u64(p + 8))
		fsck_problem(f, "workspace %" PRIu64 ": the children index puts %s under %"
		    PRIu64 ", but its parent is %" PRIu64, store_key_get_u64(p), n->code,
		    store_key_get_u64(p + 8), n->parent_id);
	jixiao__node__free_unpacked(n, NULL);
	return 0;
}

/* Index entries that point at nothing: codes and children. */
static int
fsck_indexes(struct fsck *f)
{
	int rv;

	if ((rv = store_scan(f->txn, f->store, STORE_CODES, NULL, 0, fsck_code_one, f)) != 0)
		return rv;
	return store_scan(f->txn, f->store, STORE_CHILDREN, NULL, 0, fsck_child_one, f);
}

static int
fsck_finding_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct fsck *f = arg;
	Jixiao__Finding *fi;
	uint64_t ws, id;

	if ((fi = (Jixiao__Finding *)fsck_ws_record(f, key, klen, val, vlen, "finding",
	    &jixiao__finding__descriptor, &ws, &id)) == NULL)
		return 0;
	f->r->findings++;
	jixiao__finding__free_unpacked(fi, NULL);
	return 0;
}

static int
fsck_state_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct fsck *f = arg;
	struct fsck_workspace *w;
	uint64_t rev;

	if (klen != 24) {
		fsck_problem(f, "a state index entry has a key of %zu bytes, not 24", klen);
		return 0;
	}
	rev = store_key_get_u64((const uint8_t *)key + 16);
	if ((w = fsck_find_ws(f, store_key_get_u64(key))) == NULL)
		fsck_problem(f, "the state index names workspace %" PRIu64 ", which does not "
		    "exist", store_key_get_u64(key));
	else if (rev > w->revision)
		fsck_problem(f, "workspace %" PRIu64 ": the state index has revision %" PRIu64
		    ", past the workspace's %" PRIu64, w->id, rev, w->revision);
	return 0;
}

static int
fsck_subject_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct fsck *f = arg;
	uint64_t ws;

	if (klen < 1 + 4 + 4 + 8) {
		fsck_problem(f, "a subject index entry is malformed");
		return 0;
	}
	ws = store_key_get_u64((const uint8_t *)key + klen - 8);
	if (fsck_find_ws(f, ws) == NULL)
		fsck_problem(f, "the subject index names workspace %" PRIu64 ", which does "
		    "not exist", ws);
	return 0;
}

/* Findings, past states and the subject index name workspaces (and revisions) that exist. */
static int
fsck_records(struct fsck *f)
{
	int rv;

	if ((rv = store_scan(f->txn, f->store, STORE_FINDINGS, NULL, 0, fsck_finding_one, f)) ||
	    (rv = store_scan(f->txn, f->store, STORE_STATES, NULL, 0, fsck_state_one, f)))
		return rv;
	return store_scan(f->txn, f->store, STORE_SUBJECTS, NULL, 0, fsck_subject_one, f);
}

/* A user by name: its record, and the key index sending its key back to it. */
static void
fsck_user_by_name(struct fsck *f, const uint8_t *key, size_t klen, const void *val,
    size_t vlen)
{
	Jixiao__User *u = jixiao__user__unpack(NULL, vlen, val);
	uint8_t kk[33];
	MDB_val kv;

	f->r->users++;
	if (u == NULL) {
		fsck_problem(f, "user %.*s: the record does not decode",
		    (int)(klen - 1 > 64 ? 64 : klen - 1), key + 1);
		return;
	}
	if (strlen(u->name) != klen - 1 || memcmp(u->name, key + 1, klen - 1) != 0)
		fsck_problem(f, "user %s is stored under another name", u->name);
	if (u->public_key.len != 32) {
		fsck_problem(f, "user %s: the public key is %zu bytes", u->name,
		    u->public_key.len);
	} else {
		kk[0] = 'k';
		memcpy(kk + 1, u->public_key.data, 32);
		if (!fsck_exists(f, STORE_USERS, kk, sizeof(kk), &kv) ||
		    kv.mv_size != strlen(u->name) || memcmp(kv.mv_data, u->name, kv.mv_size) != 0)
			fsck_problem(f, "user %s: the key index does not send the user's "
			    "key to the user", u->name);
	}
	jixiao__user__free_unpacked(u, NULL);
}

static int
fsck_user_one(void *arg, const void *keyp, size_t klen, const void *val, size_t vlen)
{
	struct fsck *f = arg;
	const uint8_t *key = keyp;

	if (klen > 1 && key[0] == 'n') {
		fsck_user_by_name(f, key, klen, val, vlen);
	} else if (klen == 33 && (key[0] == 'k' || key[0] == 'r')) {
		/* 'k' a current key, 'r' a retired one: either names a user who exists. */
		uint8_t nk[1 + 256];
		if (vlen == 0 || vlen > 256) {
			fsck_problem(f, "a key index entry names no user");
			return 0;
		}
		nk[0] = 'n';
		memcpy(nk + 1, val, vlen);
		if (!fsck_exists(f, STORE_USERS, nk, 1 + vlen, NULL))
			fsck_problem(f, "the %s key index names user %.*s, who does not "
			    "exist", key[0] == 'k' ? "current" : "retired", (int)vlen,
			    (const char *)val);
	} else {
		fsck_problem(f, "a user record has an unknown key");
	}
	return 0;
}

/* Users by name against users by key (current 'k', retired 'r'). */
static int
fsck_users(struct fsck *f)
{
	return store_scan(f->txn, f->store, STORE_USERS, NULL, 0, fsck_user_one, f);
}

/* Where the walk through the evidence table is: in the file named hash, or in none. */
struct fsck_file {
	struct fsck *f;
	crypto_generichash_state st;
	uint8_t hash[FSCK_HASH_LEN];
	uint64_t next; /* the offset the next chunk must have */
	bool in_file, broken;
};

/* The file ended: is it linked anywhere, and is it whole? */
static void
fsck_file_end(struct fsck_file *w)
{
	struct fsck *f = w->f;
	uint8_t lk[1 + 8 + FSCK_HASH_LEN], got[FSCK_HASH_LEN];
	bool linked = false;

	for (size_t i = 0; i < f->r->nws && !linked; i++) {
		lk[0] = 'l';
		store_key_u64(lk + 1, f->r->ws[i].id);
		memcpy(lk + 9, w->hash, FSCK_HASH_LEN);
		linked = fsck_exists(f, STORE_BLOBS, lk, sizeof(lk), NULL);
	}
	crypto_generichash_final(&w->st, got, sizeof(got));
	w->broken = w->broken || sodium_memcmp(got, w->hash, FSCK_HASH_LEN) != 0;
	if (linked && w->broken) {
		char hex[2 * FSCK_HASH_LEN + 1];
		sodium_bin2hex(hex, sizeof(hex), w->hash, FSCK_HASH_LEN);
		fsck_problem(f, "evidence file %.16s…: its content does not hash to its "
		    "name (damaged or incomplete)", hex);
	} else if (linked) {
		f->r->files++;
	} else {
		f->r->partial++;
	}
	w->in_file = false;
}

static int
fsck_file_one(void *arg, const void *keyp, size_t klen, const void *val, size_t vlen)
{
	struct fsck_file *w = arg;
	struct fsck *f = w->f;
	const uint8_t *key = keyp;
	bool chunk = klen == FSCK_HASH_LEN + 8;

	if (w->in_file && !(chunk && memcmp(key, w->hash, FSCK_HASH_LEN) == 0))
		fsck_file_end(w);
	if (chunk) {
		uint64_t off = store_key_get_u64(key + FSCK_HASH_LEN);
		if (!w->in_file) {
			memcpy(w->hash, key, FSCK_HASH_LEN);
			crypto_generichash_init(&w->st, NULL, 0, FSCK_HASH_LEN);
			w->in_file = true;
			w->broken = false;
			w->next = 0;
		}
		if (off != w->next)
			w->broken = true;
		crypto_generichash_update(&w->st, val, vlen);
		w->next = off + vlen;
		if (vlen != SVC_FILES_CHUNK)
			w->next = (w->next + SVC_FILES_CHUNK - 1) / SVC_FILES_CHUNK * SVC_FILES_CHUNK;
	} else if (klen == 1 + 8 + FSCK_HASH_LEN && key[0] == 'l') {
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
	return 0;
}

/*
 * Evidence: the chunks of each file, read back in order and hashed. A file linked to a
 * workspace must be whole and hash to its name; chunks nobody linked are an upload
 * that never finished, counted, not a problem.
 */
static int
fsck_files(struct fsck *f)
{
	struct fsck_file w = { .f = f };
	int rv;

	rv = store_scan(f->txn, f->store, STORE_BLOBS, NULL, 0, fsck_file_one, &w);
	if (w.in_file)
		fsck_file_end(&w);
	return rv;
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
