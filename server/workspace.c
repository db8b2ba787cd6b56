#include "workspace.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "log.h"
#include "store.h"

int
workspace_load(struct rpc_call *c, uint64_t id, Jixiao__Workspace **ws)
{
	uint8_t key[8];
	int rv;

	store_key_u64(key, id);
	rv = store_get_msg(rpc_call_txn(c), rpc_call_store(c), STORE_WORKSPACES, key,
	    sizeof(key), &jixiao__workspace__descriptor, (ProtobufCMessage **)ws);
	if (rv == JX_ENOTFOUND)
		rpc_call_fail(c, rv, "workspace %llu does not exist", (unsigned long long)id);
	else if (rv != 0)
		rpc_call_fail(c, rv, "workspace %llu cannot be read", (unsigned long long)id);
	return rv;
}

int
workspace_load_editable(struct rpc_call *c, uint64_t id, Jixiao__Workspace **ws)
{
	int rv;

	if ((rv = workspace_load(c, id, ws)) != 0)
		return rv;
	if ((*ws)->state != JIXIAO__WORKSPACE_STATE__ACTIVE) {
		rpc_call_fail(c, JX_EPRECOND, "workspace %llu is archived and cannot be changed",
		    (unsigned long long)id);
		jixiao__workspace__free_unpacked(*ws, NULL);
		*ws = NULL;
		return JX_EPRECOND;
	}
	return JX_OK;
}

int
workspace_next_seq(struct rpc_call *c, const char *name, uint64_t *v)
{
	uint8_t buf[8];
	MDB_val val;
	int rv;

	rv = store_get(rpc_call_txn(c), rpc_call_store(c), STORE_META, name, strlen(name), &val);
	if (rv == JX_ENOTFOUND)
		*v = 1;
	else if (rv == 0 && val.mv_size == 8)
		*v = store_key_get_u64(val.mv_data) + 1;
	else
		rv = JX_EINTERNAL;
	if (rv != 0 && rv != JX_ENOTFOUND) {
		rpc_call_fail(c, rv, "the store's counters are damaged");
		return rv;
	}
	store_key_u64(buf, *v);
	rv = store_put(rpc_call_txn(c), rpc_call_store(c), STORE_META, name, strlen(name), buf,
	    sizeof(buf));
	if (rv != 0)
		rpc_call_fail(c, rv, "the change could not be saved");
	return rv;
}

int
workspace_set_str(char **field, const char *v)
{
	char *copy = strdup(v != NULL ? v : "");

	if (copy == NULL)
		return JX_EINTERNAL;
	free(*field);
	*field = copy;
	return JX_OK;
}

static int
workspace_set_head(Jixiao__Workspace *ws, const uint8_t *rec, size_t len)
{
	uint8_t *head = malloc(WORKSPACE_HASH_LEN);

	if (head == NULL)
		return JX_EINTERNAL;
	crypto_generichash(head, WORKSPACE_HASH_LEN, rec, len, NULL, 0);
	/* Unpacked bytes are malloc'd by protobuf-c's default allocator. */
	if (ws->has_head)
		free(ws->head.data);
	ws->has_head = 1;
	ws->head.data = head;
	ws->head.len = WORKSPACE_HASH_LEN;
	return JX_OK;
}

int
workspace_record(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Change *change)
{
	uint8_t key[16], *rec = NULL;
	size_t len;
	int rv;

	ws->revision++;
	ws->has_updated_at = 1;
	ws->updated_at = rpc_call_now(c);
	change->workspace = ws->id;
	change->revision = ws->revision;
	change->time = rpc_call_now(c);
	change->user = (char *)rpc_call_user(c);
	change->has_prev = ws->has_head;
	change->prev = ws->head;

	len = protobuf_c_message_get_packed_size(&change->base);
	if ((rec = malloc(len > 0 ? len : 1)) == NULL) {
		rv = JX_EINTERNAL;
		goto out;
	}
	protobuf_c_message_pack(&change->base, rec);
	store_key_pair(key, ws->id, ws->revision);
	if ((rv = store_put(rpc_call_txn(c), rpc_call_store(c), STORE_HISTORY, key, sizeof(key),
	    rec, len)) != 0)
		goto out;
	if ((rv = workspace_set_head(ws, rec, len)) != 0)
		goto out;
	if ((rv = store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_WORKSPACES, key, 8,
	    &ws->base)) != 0)
		goto out;
	rv = rpc_call_publish(c, ws->id, rec, len);
out:
	/* The change borrowed these; the caller owns the change, not our pointers. */
	change->user = NULL;
	change->has_prev = 0;
	change->prev.data = NULL;
	change->prev.len = 0;
	free(rec);
	if (rv != 0)
		rpc_call_fail(c, rv, "the change could not be saved");
	return rv;
}
