#include "history.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "array.h"
#include "err.h"
#include "store.h"

static void
history_key(uint8_t key[24], uint64_t ws, uint64_t entity, uint64_t rev)
{
	store_key_pair(key, ws, entity);
	store_key_u64(key + 16, rev);
}

static int
history_put(struct rpc_call *c, uint64_t ws, uint64_t entity, uint64_t rev,
    const ProtobufCMessage *msg)
{
	uint8_t key[24];

	history_key(key, ws, entity, rev);
	if (msg == NULL)
		return store_put(rpc_call_txn(c), rpc_call_store(c), STORE_STATES, key, sizeof(key),
		    "", 0);
	return store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_STATES, key, sizeof(key),
	    msg);
}

int
history_index(struct rpc_call *c, const Jixiao__Change *ch)
{
	int rv = JX_OK;

	if (ch->workspace_after != NULL)
		rv = history_put(c, ch->workspace, HISTORY_WORKSPACE, ch->revision,
		    &ch->workspace_after->base);
	if (rv == 0 && ch->after != NULL)
		rv = history_put(c, ch->workspace, ch->after->id, ch->revision, &ch->after->base);
	else if (rv == 0 && ch->before != NULL)
		rv = history_put(c, ch->workspace, ch->before->id, ch->revision, NULL);
	if (rv == 0 && ch->finding_after != NULL)
		rv = history_put(c, ch->workspace, HISTORY_FINDINGS + ch->finding_after->id,
		    ch->revision, &ch->finding_after->base);
	else if (rv == 0 && ch->finding_before != NULL)
		rv = history_put(c, ch->workspace, HISTORY_FINDINGS + ch->finding_before->id,
		    ch->revision, NULL);
	if (rv == 0 && ch->budget_after != NULL)
		rv = history_put(c, ch->workspace, HISTORY_BUDGET, ch->revision,
		    &ch->budget_after->base);
	return rv;
}

/* A state found in the state index: its revision and its value, borrowed from the txn. */
struct history_found {
	bool found;
	uint64_t entity, rev;
	const void *val;
	size_t vlen;
};

static int
history_found_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct history_found *f = arg;

	if (klen != 24)
		return JX_EINTERNAL;
	f->found = true;
	f->entity = store_key_get_u64((const uint8_t *)key + 8);
	f->rev = store_key_get_u64((const uint8_t *)key + 16);
	f->val = val;
	f->vlen = vlen;
	return STORE_SCAN_STOP;
}

/* Finds entity's newest state at or before at: 0 with *f filled, JX_ENOTFOUND, or an error. */
static int
history_seek(struct rpc_call *c, uint64_t ws, uint64_t entity, uint64_t at,
    struct history_found *f)
{
	uint8_t key[24];
	int rv;

	memset(f, 0, sizeof(*f));
	history_key(key, ws, entity, at);
	if ((rv = store_scan_back(rpc_call_txn(c), rpc_call_store(c), STORE_STATES, key, 16, key,
	    sizeof(key), history_found_one, f)) != 0)
		return rv;
	return f->found ? JX_OK : JX_ENOTFOUND;
}

int
history_state_at(struct rpc_call *c, uint64_t ws, uint64_t entity, uint64_t at,
    const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg)
{
	struct history_found f;
	int rv;

	*msg = NULL;
	rv = history_seek(c, ws, entity, at, &f);
	if (rv == 0 && f.vlen == 0)
		rv = JX_ENOTFOUND;
	if (rv == 0 && (*msg = protobuf_c_message_unpack(desc, NULL, f.vlen, f.val)) == NULL)
		rv = JX_EINTERNAL;
	return rv;
}

/*
 * Calls add(arg, msg) with the state as of revision at of every entity in [first, end)
 * of ws that existed then, decoded as desc (add takes msg, or returns an error).
 */
static int
history_states_at(struct rpc_call *c, uint64_t ws, uint64_t first, uint64_t end, uint64_t at,
    const ProtobufCMessageDescriptor *desc, int (*add)(void *arg, ProtobufCMessage *msg),
    void *arg)
{
	struct history_found next, f;
	uint8_t key[24];
	uint64_t entity = first;
	int rv = JX_OK;

	/* Jump from entity to entity: two seeks each, whatever the number of revisions. */
	while (rv == JX_OK) {
		ProtobufCMessage *msg;

		/* The next entity of ws that has a state: the first key at (ws, entity, 0) or after. */
		memset(&next, 0, sizeof(next));
		history_key(key, ws, entity, 0);
		if ((rv = store_scan_from(rpc_call_txn(c), rpc_call_store(c), STORE_STATES, key, 8,
		    key, sizeof(key), history_found_one, &next)) != 0 || !next.found)
			break;
		if ((entity = next.entity) >= end)
			break;
		if ((rv = history_seek(c, ws, entity, at, &f)) == JX_ENOTFOUND)
			rv = JX_OK;
		else if (rv == JX_OK && f.vlen > 0) {
			if ((msg = protobuf_c_message_unpack(desc, NULL, f.vlen, f.val)) == NULL)
				rv = JX_EINTERNAL;
			else if ((rv = add(arg, msg)) != JX_OK)
				protobuf_c_message_free_unpacked(msg, NULL);
		}
		entity++;
	}
	return rv;
}

struct history_nodes {
	Jixiao__Node ***nodes;
	size_t *n, *cap;
};

static int
history_add_node(void *arg, ProtobufCMessage *msg)
{
	struct history_nodes *h = arg;

	if (array_grow(h->nodes, *h->n, h->cap, sizeof(**h->nodes), 64) != 0)
		return JX_EINTERNAL;
	(*h->nodes)[(*h->n)++] = (Jixiao__Node *)msg;
	return JX_OK;
}

int
history_nodes_at(struct rpc_call *c, uint64_t ws, uint64_t at, Jixiao__Node ***nodes,
    size_t *n, size_t *cap)
{
	struct history_nodes h = { nodes, n, cap };

	return history_states_at(c, ws, 1, HISTORY_FINDINGS, at, &jixiao__node__descriptor,
	    history_add_node, &h);
}

struct history_findings {
	Jixiao__Finding ***findings;
	size_t *n, *cap;
};

static int
history_add_finding(void *arg, ProtobufCMessage *msg)
{
	struct history_findings *h = arg;

	if (array_grow(h->findings, *h->n, h->cap, sizeof(**h->findings), 32) != 0)
		return JX_EINTERNAL;
	(*h->findings)[(*h->n)++] = (Jixiao__Finding *)msg;
	return JX_OK;
}

int
history_findings_at(struct rpc_call *c, uint64_t ws, uint64_t at,
    Jixiao__Finding ***findings, size_t *n, size_t *cap)
{
	struct history_findings h = { findings, n, cap };

	return history_states_at(c, ws, HISTORY_FINDINGS + 1, HISTORY_BUDGET, at,
	    &jixiao__finding__descriptor, history_add_finding, &h);
}

struct history_since {
	int (*same)(const Jixiao__Node *older, const Jixiao__Node *now);
	const Jixiao__Node *now;
	uint64_t since;
};

static int
history_since_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct history_since *h = arg;
	Jixiao__Node *older;
	int keep;

	if (klen != 24)
		return JX_EINTERNAL;
	if (vlen == 0)
		return STORE_SCAN_STOP; /* removed then */
	if ((older = jixiao__node__unpack(NULL, vlen, val)) == NULL)
		return JX_EINTERNAL;
	keep = h->same(older, h->now);
	jixiao__node__free_unpacked(older, NULL);
	if (!keep)
		return STORE_SCAN_STOP;
	h->since = store_key_get_u64((const uint8_t *)key + 16);
	return 0;
}

int
history_since(struct rpc_call *c, uint64_t ws, uint64_t entity, uint64_t at,
    int (*same)(const Jixiao__Node *older, const Jixiao__Node *now), const Jixiao__Node *now,
    uint64_t *since)
{
	struct history_since h = { same, now, 0 };
	uint8_t key[24];
	int rv;

	history_key(key, ws, entity, at);
	rv = store_scan_back(rpc_call_txn(c), rpc_call_store(c), STORE_STATES, key, 16, key,
	    sizeof(key), history_since_one, &h);
	*since = h.since;
	return rv;
}

/* ---- the hash chain */

/* Makes the hash of rec ws's head. */
static int
history_set_head(Jixiao__Workspace *ws, const uint8_t *rec, size_t len)
{
	uint8_t *head = malloc(HISTORY_HASH_LEN);

	if (head == NULL)
		return JX_EINTERNAL;
	crypto_generichash(head, HISTORY_HASH_LEN, rec, len, NULL, 0);
	/* Unpacked bytes are malloc'd by protobuf-c's default allocator. */
	if (ws->has_head)
		free(ws->head.data);
	ws->has_head = 1;
	ws->head.data = head;
	ws->head.len = HISTORY_HASH_LEN;
	return JX_OK;
}

int
history_append(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Change *change,
    uint8_t **rec, size_t *len)
{
	uint8_t key[16];
	int rv;

	*rec = NULL;
	change->has_prev = ws->has_head;
	change->prev = ws->head;
	*len = protobuf_c_message_get_packed_size(&change->base);
	if ((*rec = malloc(*len > 0 ? *len : 1)) == NULL)
		return JX_EINTERNAL;
	protobuf_c_message_pack(&change->base, *rec);
	store_key_pair(key, ws->id, change->revision);
	if ((rv = store_put(rpc_call_txn(c), rpc_call_store(c), STORE_HISTORY, key, sizeof(key),
	    *rec, *len)) != 0)
		return rv;
	return history_set_head(ws, *rec, *len);
}

int
history_head_at(struct rpc_call *c, uint64_t ws, uint64_t rev, uint8_t head[HISTORY_HASH_LEN])
{
	uint8_t key[16];
	MDB_val v;
	int rv;

	store_key_pair(key, ws, rev);
	if ((rv = store_get(rpc_call_txn(c), rpc_call_store(c), STORE_HISTORY, key, sizeof(key),
	    &v)) != 0)
		return rv;
	crypto_generichash(head, HISTORY_HASH_LEN, v.mv_data, v.mv_size, NULL, 0);
	return JX_OK;
}
