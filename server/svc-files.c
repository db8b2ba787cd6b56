/*
 * The Files service: evidence (佐证材料) stored once by its BLAKE2b-256 hash, sent in
 * chunks, and linked to indicators. A file is linked only after the server has read
 * every chunk back and found the hash it was announced with.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "indicators.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "store.h"
#include "svc.h"
#include "text.h"
#include "workspace.h"

#define HASH_LEN 32
#define NAME_MAX_BYTES 256
#define FILES_PER_NODE 256

static uint64_t svc_files_max = SVC_FILES_DEFAULT_MAX;

void
svc_files_set_max(uint64_t bytes)
{
	if (bytes > 0)
		svc_files_max = bytes;
}

static void
blob_key(uint8_t key[HASH_LEN + 8], const uint8_t *hash, uint64_t offset)
{
	memcpy(key, hash, HASH_LEN);
	store_key_u64(key + HASH_LEN, offset);
}

/* 'l' + ws + hash: the file is evidence in ws, so ws's readers may fetch it. */
static void
link_key(uint8_t key[1 + 8 + HASH_LEN], uint64_t ws, const uint8_t *hash)
{
	key[0] = 'l';
	store_key_u64(key + 1, ws);
	memcpy(key + 9, hash, HASH_LEN);
}

static void
svc_files_put_chunk(Jixiao__Files_Service *service, const Jixiao__PutChunkRequest *in,
    Jixiao__PutChunkReply_Closure closure, void *data)
{
	Jixiao__PutChunkReply out = JIXIAO__PUT_CHUNK_REPLY__INIT;
	struct rpc_call *c = data;
	uint8_t key[HASH_LEN + 8];

	if (in->hash.len != HASH_LEN || in->offset % SVC_FILES_CHUNK != 0 ||
	    in->data.len == 0 || in->data.len > SVC_FILES_CHUNK ||
	    in->offset + in->data.len > svc_files_max) {
		rpc_call_fail(c, JX_EINVAL, "a chunk is 1 byte to 1 MiB at a multiple of 1 MiB, "
		    "of a file of at most %" PRIu64 " bytes", svc_files_max);
		goto out;
	}
	blob_key(key, in->hash.data, in->offset);
	if (store_put(rpc_call_txn(c), rpc_call_store(c), STORE_BLOBS, key, sizeof(key),
	    in->data.data, in->data.len) != 0) {
		rpc_call_fail(c, JX_ENOSPC, "the chunk could not be stored");
		goto out;
	}
	out.has_offset = 1;
	out.offset = in->offset;
out:
	closure(&out, data);
}

/* Reads the file back, chunk by chunk: 0 when all of it is there and hashes to hash. */
static int
svc_files_verify(struct rpc_call *c, const uint8_t *hash, uint64_t size)
{
	crypto_generichash_state st;
	uint8_t key[HASH_LEN + 8], got[HASH_LEN];
	MDB_val v;

	crypto_generichash_init(&st, NULL, 0, HASH_LEN);
	for (uint64_t off = 0; off < size; off += SVC_FILES_CHUNK) {
		uint64_t want = size - off < SVC_FILES_CHUNK ? size - off : SVC_FILES_CHUNK;
		blob_key(key, hash, off);
		if (store_get(rpc_call_txn(c), rpc_call_store(c), STORE_BLOBS, key, sizeof(key),
		    &v) != 0 || v.mv_size != want)
			return JX_EPRECOND;
		crypto_generichash_update(&st, v.mv_data, v.mv_size);
	}
	crypto_generichash_final(&st, got, sizeof(got));
	return sodium_memcmp(got, hash, HASH_LEN) == 0 ? JX_OK : JX_EINVAL;
}

static void
svc_files_add_evidence(Jixiao__Files_Service *service, const Jixiao__AddEvidenceRequest *in,
    Jixiao__EvidenceReply_Closure closure, void *data)
{
	Jixiao__EvidenceReply out = JIXIAO__EVIDENCE_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Evidence ev = JIXIAO__EVIDENCE__INIT, **list = NULL, **saved = NULL;
	Jixiao__Node *node = NULL, *before = NULL;
	Jixiao__Workspace *ws = NULL;
	Jixiao__NodeReply nr = JIXIAO__NODE_REPLY__INIT;
	struct rpc_call *c = data;
	uint8_t lkey[1 + 8 + HASH_LEN];
	size_t nsaved = 0;
	bool swapped = false;
	int rv;

	if (in->hash.len != HASH_LEN || in->size == 0 || in->size > svc_files_max) {
		rpc_call_fail(c, JX_EINVAL, "evidence is a file of 1 to %" PRIu64 " bytes, named by "
		    "its 32-byte hash", svc_files_max);
		goto out;
	}
	if (in->name[0] == '\0' || strlen(in->name) > NAME_MAX_BYTES ||
	    !text_utf8_valid(in->name) || !text_printable(in->name, false)) {
		rpc_call_fail(c, JX_EINVAL, "a file name is one line of 1 to %d bytes",
		    NAME_MAX_BYTES);
		goto out;
	}
	if (workspace_load_editable(c, in->workspace, &ws) != 0 ||
	    indicators_resolve(c, ws->id, in->node, &node) != 0)
		goto out;
	for (size_t i = 0; i < node->n_evidence; i++) {
		if (node->evidence[i]->hash.len == HASH_LEN &&
		    memcmp(node->evidence[i]->hash.data, in->hash.data, HASH_LEN) == 0 &&
		    strcmp(node->evidence[i]->name, in->name) == 0) {
			/* Already linked: nothing changes. */
			out.evidence = node->evidence[i];
			out.has_workspace_revision = 1;
			out.workspace_revision = ws->revision;
			goto out;
		}
	}
	if (node->n_evidence >= FILES_PER_NODE) {
		rpc_call_fail(c, JX_ENOSPC, "indicator %s has %d files already", node->code,
		    FILES_PER_NODE);
		goto out;
	}
	if ((rv = svc_files_verify(c, in->hash.data, in->size)) != 0) {
		rpc_call_fail(c, rv, rv == JX_EPRECOND ? "the file has not been sent completely; "
		    "send it again" : "the file sent does not match its hash; send it again");
		goto out;
	}
	if (rpc_call_copy(c, &node->base, (ProtobufCMessage **)&before) != 0 ||
	    (list = calloc(node->n_evidence + 1, sizeof(*list))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	/* The first file: node->evidence is NULL, which memcpy may not be given. */
	if (node->n_evidence > 0)
		memcpy(list, node->evidence, node->n_evidence * sizeof(*list));
	ev.hash = in->hash;
	ev.name = in->name;
	ev.size = in->size;
	ev.added_by = (char *)rpc_call_user(c);
	ev.has_added_at = 1;
	ev.added_at = rpc_call_now(c);
	list[node->n_evidence] = &ev;
	saved = node->evidence;
	nsaved = node->n_evidence;
	swapped = true;
	node->evidence = list;
	node->n_evidence = nsaved + 1;
	link_key(lkey, ws->id, in->hash.data);
	if (store_put(rpc_call_txn(c), rpc_call_store(c), STORE_BLOBS, lkey, sizeof(lkey), "",
	    0) != 0) {
		rpc_call_fail(c, JX_ENOSPC, "the link could not be stored");
		goto out;
	}
	if (indicators_save(c, ws, before, node, "node.evidence", &change, &nr) == 0) {
		out.evidence = &ev;
		out.has_workspace_revision = 1;
		out.workspace_revision = ws->revision;
	}
out:
	closure(&out, data);
	if (swapped) {
		node->evidence = saved;
		node->n_evidence = nsaved;
	}
	free(list);
	if (before != NULL)
		jixiao__node__free_unpacked(before, NULL);
	if (node != NULL)
		jixiao__node__free_unpacked(node, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static void
svc_files_get_chunk(Jixiao__Files_Service *service, const Jixiao__GetChunkRequest *in,
    Jixiao__GetChunkReply_Closure closure, void *data)
{
	Jixiao__GetChunkReply out = JIXIAO__GET_CHUNK_REPLY__INIT;
	struct rpc_call *c = data;
	uint8_t key[HASH_LEN + 8], lkey[1 + 8 + HASH_LEN];
	MDB_val v;

	if (in->hash.len != HASH_LEN || in->offset % SVC_FILES_CHUNK != 0 || !in->has_workspace) {
		rpc_call_fail(c, JX_EINVAL, "a chunk is named by the workspace it is evidence in, "
		    "the file's 32-byte hash and an offset that is a multiple of 1 MiB");
		goto out;
	}
	link_key(lkey, in->workspace, in->hash.data);
	if (store_get(rpc_call_txn(c), rpc_call_store(c), STORE_BLOBS, lkey, sizeof(lkey),
	    &v) != 0) {
		rpc_call_fail(c, JX_ENOTFOUND, "workspace %" PRIu64 " has no such evidence file",
		    in->workspace);
		goto out;
	}
	blob_key(key, in->hash.data, in->offset);
	if (store_get(rpc_call_txn(c), rpc_call_store(c), STORE_BLOBS, key, sizeof(key),
	    &v) != 0) {
		rpc_call_fail(c, JX_ENOTFOUND, "no such file, or no such part of it");
		goto out;
	}
	/* The value lives as long as the read transaction: the reply is packed before. */
	out.has_data = 1;
	out.data.data = v.mv_data;
	out.data.len = v.mv_size;
out:
	closure(&out, data);
}

static Jixiao__Files_Service svc_files_service = JIXIAO__FILES__INIT(svc_files_);

const struct rpc_service svc_files = {
	.service = &svc_files_service.base,
};
