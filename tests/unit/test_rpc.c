/*
 * RPC dispatch in process, on a real store and writer: revision checks, idempotent
 * resends, all-or-nothing edits, and refusals of requests that make no sense.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <cmocka.h>

#include "auth.h"
#include "envelope.h"
#include "jxtest.h"
#include "key.h"
#include "rpc.h"
#include "store.h"
#include "writer.h"

struct fixture {
	char dir[128];
	struct store *store;
	struct writer *writer;
	struct rpc *rpc;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	uint8_t *reply;
	size_t reply_len;
	bool replied;
	struct auth *auth;
	uint32_t pipe;          /* the connection calls come on */
	uint8_t sk[KEY_SECRET_LEN];
};

static int call(struct fixture *f, const ProtobufCServiceDescriptor *svc, unsigned method,
    const uint8_t *id, const ProtobufCMessage *in, ProtobufCMessage **out, char **message);

/* Logs the fixture's connection in as tester, by challenge and signature. */
static void
login(struct fixture *f)
{
	Jixiao__ChallengeRequest creq = JIXIAO__CHALLENGE_REQUEST__INIT;
	Jixiao__LoginRequest lreq = JIXIAO__LOGIN_REQUEST__INIT;
	Jixiao__ChallengeReply *ch;
	Jixiao__LoginReply *lr;
	uint8_t pk[KEY_PUBLIC_LEN], sig[KEY_SIG_LEN];

	assert_jx_ok(call(f, &jixiao__auth__descriptor, 0, NULL, &creq.base,
	    (ProtobufCMessage **)&ch, NULL));
	assert_int_equal(key_verify_challenge(ch->server_key.data, ch->nonce.data,
	    ch->server_signature.data), 0);
	key_public_of(f->sk, pk);
	key_sign_login(f->sk, ch->server_key.data, ch->nonce.data, sig);
	lreq.public_key.data = pk;
	lreq.public_key.len = sizeof(pk);
	lreq.signature.data = sig;
	lreq.signature.len = sizeof(sig);
	assert_jx_ok(call(f, &jixiao__auth__descriptor, 1, NULL, &lreq.base,
	    (ProtobufCMessage **)&lr, NULL));
	assert_string_equal(lr->user, "tester");
	jixiao__login_reply__free_unpacked(lr, NULL);
	jixiao__challenge_reply__free_unpacked(ch, NULL);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char why[256], data[200];
	uint8_t pk[KEY_PUBLIC_LEN];

	snprintf(f->dir, sizeof(f->dir), "/tmp/jxrpc.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(data, sizeof(data), "%s/data", f->dir);
	assert_jx_ok(store_open(data, 0, &f->store, why, sizeof(why)));
	assert_int_equal(key_init(), 0);
	key_generate(pk, f->sk);
	assert_jx_ok(auth_init_store(f->store, "tester", pk, why, sizeof(why)));
	assert_jx_ok(auth_open(f->store, &f->auth, why, sizeof(why)));
	assert_jx_ok(writer_start(f->store, &f->writer));
	assert_jx_ok(rpc_new(f->store, f->writer, NULL, f->auth, &f->rpc));
	pthread_mutex_init(&f->mtx, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->pipe = 1;
	login(f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	writer_free(f->writer);
	rpc_free(f->rpc);
	auth_free(f->auth);
	store_close(f->store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
on_reply(void *arg, uint8_t *reply, size_t len)
{
	struct fixture *f = arg;

	pthread_mutex_lock(&f->mtx);
	f->reply = reply;
	f->reply_len = len;
	f->replied = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mtx);
}

/* Sends a raw frame and waits for its reply; returns the malloc'd reply frame. */
static uint8_t *
roundtrip_raw(struct fixture *f, const uint8_t *frame, size_t len, size_t *reply_len)
{
	uint8_t *reply;

	f->replied = false;
	rpc_handle(f->rpc, f->pipe, frame, len, on_reply, f);
	pthread_mutex_lock(&f->mtx);
	while (!f->replied)
		pthread_cond_wait(&f->cv, &f->mtx);
	reply = f->reply;
	*reply_len = f->reply_len;
	pthread_mutex_unlock(&f->mtx);
	return reply;
}

/* Calls a method; id NULL for a fresh random-ish id. Returns the code. */
static int
call(struct fixture *f, const ProtobufCServiceDescriptor *svc, unsigned method,
    const uint8_t *id, const ProtobufCMessage *in, ProtobufCMessage **out, char **message)
{
	static uint32_t counter;
	uint8_t fresh[ENVELOPE_REQUEST_ID_LEN] = { 0 }, *frame, *reply;
	size_t len, rlen;
	char *msg;
	int code;

	if (id == NULL) {
		counter++;
		memcpy(fresh, &counter, sizeof(counter));
		id = fresh;
	}
	assert_jx_ok(envelope_request_pack(svc, method, id, NULL, in, &frame, &len));
	reply = roundtrip_raw(f, frame, len, &rlen);
	free(frame);
	assert_jx_ok(envelope_reply_unpack(reply, rlen, svc->methods[method].output, &code, &msg,
	    out));
	free(reply);
	if (message != NULL)
		*message = msg;
	else
		free(msg);
	return code;
}

enum { TREE_ADD, TREE_UPDATE, TREE_MOVE, TREE_REMOVE, TREE_GET };

static uint64_t
make_workspace(struct fixture *f)
{
	Jixiao__CreateWorkspaceRequest in = JIXIAO__CREATE_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *out;
	uint64_t id;

	in.subject = "番禺区政务服务数据管理局";
	in.fiscal_year = 2023;
	in.kind = JIXIAO__KIND__KEY_EVALUATION;
	assert_jx_ok(call(f, &jixiao__workspaces__descriptor, 0, NULL, &in.base,
	    (ProtobufCMessage **)&out, NULL));
	id = out->workspace->id;
	assert_int_equal(out->workspace->revision, 1);
	assert_int_equal(out->workspace->head.len, 32);
	jixiao__workspace_reply__free_unpacked(out, NULL);
	return id;
}

static Jixiao__Node *
add_leaf(struct fixture *f, uint64_t ws, const char *name, int64_t weight)
{
	Jixiao__AddNodeRequest in = JIXIAO__ADD_NODE_REQUEST__INIT;
	Jixiao__NodeReply *out;
	Jixiao__Node *node;

	in.workspace = ws;
	in.name = (char *)name;
	in.has_weight = 1;
	in.weight = weight;
	assert_jx_ok(call(f, &jixiao__tree__descriptor, TREE_ADD, NULL, &in.base,
	    (ProtobufCMessage **)&out, NULL));
	node = out->node;
	out->node = NULL;
	jixiao__node_reply__free_unpacked(out, NULL);
	return node;
}

static Jixiao__TreeReply *
get_tree(struct fixture *f, uint64_t ws)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out;

	in.workspace = ws;
	assert_jx_ok(call(f, &jixiao__tree__descriptor, TREE_GET, NULL, &in.base,
	    (ProtobufCMessage **)&out, NULL));
	return out;
}

static void
stale_update_is_aborted_with_the_current_node(void **state)
{
	struct fixture *f = *state;
	Jixiao__UpdateNodeRequest in = JIXIAO__UPDATE_NODE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out;
	Jixiao__TreeReply *tree;
	uint64_t ws = make_workspace(f);
	Jixiao__Node *a = add_leaf(f, ws, "支出完成率", 800);
	Jixiao__Node *b = add_leaf(f, ws, "财务管理情况", 700);
	char *msg;

	ref.code = a->code;
	in.workspace = ws;
	in.node = &ref;
	in.base_revision = a->revision;
	in.has_score = 1;
	in.score = 488;
	in.comment = "支出完成率84.40%，按区间计分";
	assert_jx_ok(call(f, &jixiao__tree__descriptor, TREE_UPDATE, NULL, &in.base,
	    (ProtobufCMessage **)&out, NULL));
	assert_int_equal(out->node->score, 488);
	jixiao__node_reply__free_unpacked(out, NULL);

	/* A second evaluator edits the same indicator from the old revision: refused. */
	in.score = 100;
	assert_jx_err(call(f, &jixiao__tree__descriptor, TREE_UPDATE, NULL, &in.base,
	    (ProtobufCMessage **)&out, &msg), JX_EABORTED);
	assert_non_null(strstr(msg, "tester"));
	assert_non_null(out);
	assert_int_equal(out->node->score, 488);
	free(msg);
	jixiao__node_reply__free_unpacked(out, NULL);

	/* Another indicator, edited from its own revision, never conflicts. */
	ref.code = b->code;
	in.base_revision = b->revision;
	in.score = 600;
	assert_jx_ok(call(f, &jixiao__tree__descriptor, TREE_UPDATE, NULL, &in.base,
	    (ProtobufCMessage **)&out, NULL));
	jixiao__node_reply__free_unpacked(out, NULL);

	tree = get_tree(f, ws);
	assert_int_equal(tree->total, 1088);
	assert_int_equal(tree->workspace->revision, 5);
	jixiao__tree_reply__free_unpacked(tree, NULL);
	jixiao__node__free_unpacked(a, NULL);
	jixiao__node__free_unpacked(b, NULL);
}

static void
resent_request_is_applied_once(void **state)
{
	struct fixture *f = *state;
	Jixiao__AddNodeRequest in = JIXIAO__ADD_NODE_REQUEST__INIT;
	Jixiao__NodeReply *first, *again;
	Jixiao__TreeReply *tree;
	uint64_t ws = make_workspace(f);
	uint8_t id[ENVELOPE_REQUEST_ID_LEN];

	memset(id, 0x5a, sizeof(id));
	in.workspace = ws;
	in.name = "运维项目完成数量";
	assert_jx_ok(call(f, &jixiao__tree__descriptor, TREE_ADD, id, &in.base,
	    (ProtobufCMessage **)&first, NULL));
	assert_jx_ok(call(f, &jixiao__tree__descriptor, TREE_ADD, id, &in.base,
	    (ProtobufCMessage **)&again, NULL));
	assert_int_equal(first->node->id, again->node->id);
	assert_int_equal(first->workspace_revision, again->workspace_revision);
	tree = get_tree(f, ws);
	assert_int_equal(tree->n_nodes, 1);
	assert_int_equal(tree->workspace->revision, 2);
	jixiao__tree_reply__free_unpacked(tree, NULL);
	jixiao__node_reply__free_unpacked(first, NULL);
	jixiao__node_reply__free_unpacked(again, NULL);
}

/* A request id reused for another request is refused, and nothing is applied. */
static void
reused_id_for_another_request_is_refused(void **state)
{
	struct fixture *f = *state;
	Jixiao__AddNodeRequest in = JIXIAO__ADD_NODE_REQUEST__INIT;
	Jixiao__NodeReply *out;
	Jixiao__TreeReply *tree;
	uint64_t ws = make_workspace(f);
	uint8_t id[ENVELOPE_REQUEST_ID_LEN];
	char *msg;

	memset(id, 0x77, sizeof(id));
	in.workspace = ws;
	in.name = "甲";
	assert_jx_ok(call(f, &jixiao__tree__descriptor, TREE_ADD, id, &in.base,
	    (ProtobufCMessage **)&out, NULL));
	jixiao__node_reply__free_unpacked(out, NULL);
	in.name = "乙";
	assert_jx_err(call(f, &jixiao__tree__descriptor, TREE_ADD, id, &in.base,
	    (ProtobufCMessage **)&out, &msg), JX_EINVAL);
	assert_non_null(strstr(msg, "already used"));
	free(msg);
	if (out != NULL)
		jixiao__node_reply__free_unpacked(out, NULL);
	tree = get_tree(f, ws);
	assert_int_equal(tree->n_nodes, 1);
	assert_string_equal(tree->nodes[0]->name, "甲");
	jixiao__tree_reply__free_unpacked(tree, NULL);
}

/* Replies older than the resend window are forgotten as new writes come in. */
static void
old_request_records_are_pruned(void **state)
{
	struct fixture *f = *state;
	uint8_t old_id[ENVELOPE_REQUEST_ID_LEN] = { 0 }, rec[9] = { 0 };
	MDB_txn *txn;
	MDB_val v;

	/* A record from an hour ago, at the front of the table. */
	store_key_u64(rec, (uint64_t)time(NULL) - 3600);
	assert_jx_ok(store_write_begin(f->store, &txn));
	assert_jx_ok(store_put(txn, f->store, STORE_REQUESTS, old_id, sizeof(old_id), rec,
	    sizeof(rec)));
	assert_jx_ok(store_write_commit(f->store, txn));
	make_workspace(f);
	assert_jx_ok(store_read_begin(f->store, &txn));
	assert_jx_err(store_get(txn, f->store, STORE_REQUESTS, old_id, sizeof(old_id), &v),
	    JX_ENOTFOUND);
	store_read_end(f->store, txn);
}

static void
refused_edit_leaves_no_trace(void **state)
{
	struct fixture *f = *state;
	Jixiao__UpdateNodeRequest in = JIXIAO__UPDATE_NODE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out;
	Jixiao__TreeReply *tree;
	uint64_t ws = make_workspace(f);
	Jixiao__Node *a = add_leaf(f, ws, "绩效指标规范性", 400);
	Jixiao__Node *b = add_leaf(f, ws, "绩效目标合理性", 400);

	/* Rename to a taken code and set a comment: the rename fails, so nothing applies. */
	ref.id = a->id;
	ref.has_id = 1;
	in.workspace = ws;
	in.node = &ref;
	in.base_revision = a->revision;
	in.comment = "三级指标未设置指标名称";
	in.code = b->code;
	assert_jx_err(call(f, &jixiao__tree__descriptor, TREE_UPDATE, NULL, &in.base,
	    (ProtobufCMessage **)&out, NULL), JX_EEXIST);
	if (out != NULL)
		jixiao__node_reply__free_unpacked(out, NULL);
	tree = get_tree(f, ws);
	assert_int_equal(tree->workspace->revision, 3);
	assert_null(tree->nodes[0]->comment);
	assert_string_equal(tree->nodes[0]->code, a->code);
	jixiao__tree_reply__free_unpacked(tree, NULL);
	jixiao__node__free_unpacked(a, NULL);
	jixiao__node__free_unpacked(b, NULL);
}

static void
nonsense_requests_get_clear_errors(void **state)
{
	struct fixture *f = *state;
	Jixiao__Request r = JIXIAO__REQUEST__INIT;
	Jixiao__PingRequest ping = JIXIAO__PING_REQUEST__INIT;
	static const uint8_t garbage[] = { 0xff, 0xff, 0xff, 0x07, 0x12, 0x00, 0x99 };
	uint8_t frame[256], *reply;
	ProtobufCMessage *out;
	size_t len, rlen;
	char *msg;
	int code;

	/* Not a request at all. */
	reply = roundtrip_raw(f, garbage, sizeof(garbage), &rlen);
	assert_jx_ok(envelope_reply_unpack(reply, rlen, NULL, &code, &msg, &out));
	assert_int_equal(code, JX_EINVAL);
	free(msg);
	free(reply);
	/* Unknown service, then a method index past the end. */
	r.protocol = JIXIAO__PROTOCOL__PROTOCOL_VERSION;
	r.service = "jixiao.Nothing";
	len = jixiao__request__pack(&r, frame);
	reply = roundtrip_raw(f, frame, len, &rlen);
	assert_jx_ok(envelope_reply_unpack(reply, rlen, NULL, &code, &msg, &out));
	assert_int_equal(code, JX_EINVAL);
	assert_non_null(strstr(msg, "no service"));
	free(msg);
	free(reply);
	assert_jx_err(call(f, &jixiao__system__descriptor, 0, NULL, &ping.base, &out, NULL),
	    JX_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	r.service = "jixiao.System";
	r.method = 2;
	len = jixiao__request__pack(&r, frame);
	reply = roundtrip_raw(f, frame, len, &rlen);
	assert_jx_ok(envelope_reply_unpack(reply, rlen, NULL, &code, &msg, &out));
	assert_int_equal(code, JX_EINVAL);
	assert_non_null(strstr(msg, "no method 2"));
	free(msg);
	free(reply);
	/* A payload that is not the method's input type. */
	r.method = 0;
	r.service = "jixiao.Tree";
	r.has_payload = 1;
	r.payload.data = (uint8_t *)garbage;
	r.payload.len = sizeof(garbage);
	len = jixiao__request__pack(&r, frame);
	reply = roundtrip_raw(f, frame, len, &rlen);
	assert_jx_ok(envelope_reply_unpack(reply, rlen, NULL, &code, &msg, &out));
	assert_int_equal(code, JX_EINVAL);
	assert_non_null(strstr(msg, "could not be decoded"));
	free(msg);
	free(reply);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(stale_update_is_aborted_with_the_current_node, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(resent_request_is_applied_once, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_edit_leaves_no_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(old_request_records_are_pruned, setup, teardown),
		cmocka_unit_test_setup_teardown(reused_id_for_another_request_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(nonsense_requests_get_clear_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
