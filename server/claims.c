#include "claims.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "store.h"

Jixiao__Claim *
claims_get(struct rpc_call *c, uint64_t ws, uint64_t id)
{
	Jixiao__Claim *cl = NULL;
	uint8_t key[16];

	store_key_pair(key, ws, id);
	if (store_get_msg(rpc_call_txn(c), rpc_call_store(c), STORE_CLAIMS, key, sizeof(key),
	    &jixiao__claim__descriptor, (ProtobufCMessage **)&cl) != 0)
		return NULL;
	if (cl->until <= rpc_call_now(c)) {
		jixiao__claim__free_unpacked(cl, NULL);
		return NULL;
	}
	return cl;
}

void
claims_warn(struct rpc_call *c, uint64_t ws, const Jixiao__Node *node)
{
	Jixiao__Claim *cl = claims_get(c, ws, node->id);

	if (cl != NULL && strcmp(cl->user, rpc_call_user(c)) != 0)
		rpc_call_note(c, "indicator %s is claimed by %s for %" PRId64 " more minutes; "
		    "tell them about your change", node->code, cl->user,
		    (cl->until - rpc_call_now(c) + 59) / 60);
	if (cl != NULL)
		jixiao__claim__free_unpacked(cl, NULL);
}

void
claims_fill(struct rpc_call *c, uint64_t ws, Jixiao__Node **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		Jixiao__Claim *cl = claims_get(c, ws, nodes[i]->id);
		if (cl == NULL)
			continue;
		free(nodes[i]->claimed_by);
		nodes[i]->claimed_by = strdup(cl->user);
		nodes[i]->has_claimed_until = 1;
		nodes[i]->claimed_until = cl->until;
		jixiao__claim__free_unpacked(cl, NULL);
	}
}


int
claims_set(struct rpc_call *c, uint64_t ws, uint64_t id, int64_t until)
{
	Jixiao__Claim cl = JIXIAO__CLAIM__INIT;
	uint8_t key[16];
	int rv;

	store_key_pair(key, ws, id);
	if (until == 0) {
		rv = store_del(rpc_call_txn(c), rpc_call_store(c), STORE_CLAIMS, key, sizeof(key));
		return rv == JX_ENOTFOUND ? JX_OK : rv;
	}
	cl.user = (char *)rpc_call_user(c);
	cl.until = until;
	return store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_CLAIMS, key, sizeof(key),
	    &cl.base);
}
