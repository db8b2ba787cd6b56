/*
 * The GetTree reply cache (server/treecache.c) never answers with a stale tree: a claim
 * or its release (which leave the workspace's revision alone), an edit and a budget
 * change each show in the next GetTree, and a repeated GetTree of an unchanged workspace
 * is the same reply, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
#include "daemon.h"
#include "err.h"
#include "jxtest.h"
#include "proto/jixiao.pb-c.h"

static uint8_t *
tree_packed(struct client *cl, uint64_t ws, Jixiao__TreeReply **tree, size_t *len)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	uint8_t *buf;
	char msg[1100];

	in.workspace = ws;
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)tree, msg, sizeof(msg)));
	*len = jixiao__tree_reply__get_packed_size(*tree);
	assert_non_null(buf = malloc(*len + 1));
	jixiao__tree_reply__pack(*tree, buf);
	return buf;
}

static const Jixiao__Node *
find(const Jixiao__TreeReply *t, const char *code)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i]->code, code) == 0)
			return t->nodes[i];
	fail_msg("no indicator %s", code);
	return NULL;
}

static void
claim(struct client *cl, uint64_t ws, uint64_t node, uint32_t minutes)
{
	Jixiao__ClaimRequest in = JIXIAO__CLAIM_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out;
	char msg[1100];

	ref.has_id = 1;
	ref.id = node;
	in.workspace = ws;
	in.node = &ref;
	in.has_minutes = 1;
	in.minutes = minutes;
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "Claim", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg)));
	jixiao__node_reply__free_unpacked(out, NULL);
}

static void
treecache_never_answers_stale(void **state)
{
	Jixiao__CreateWorkspaceRequest c = JIXIAO__CREATE_WORKSPACE_REQUEST__INIT;
	Jixiao__ImportTreeRequest imp = JIXIAO__IMPORT_TREE_REQUEST__INIT;
	Jixiao__UpdateNodeRequest up = JIXIAO__UPDATE_NODE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__AddNodeRequest add[2], *adds[2];
	Jixiao__WorkspaceReply *wout;
	Jixiao__ImportTreeReply *iout;
	Jixiao__NodeReply *nout;
	Jixiao__TreeReply *t1, *t2;
	struct client *cl;
	struct jxd d;
	uint8_t *a, *b;
	size_t la, lb;
	uint64_t ws, id, rev;
	char why[256], msg[1100];

	jxd_start(&d, false);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	c.subject = "缓存";
	c.fiscal_year = 2024;
	c.kind = JIXIAO__KIND__KEY_EVALUATION;
	assert_jx_ok(client_call(cl, &jixiao__workspaces__descriptor, "Create", &c.base,
	    (ProtobufCMessage **)&wout, msg, sizeof(msg)));
	ws = wout->workspace->id;
	jixiao__workspace_reply__free_unpacked(wout, NULL);
	for (int i = 0; i < 2; i++) {
		jixiao__add_node_request__init(&add[i]);
		add[i].workspace = ws;
		add[i].code = i == 0 ? "C1" : "C2";
		add[i].name = i == 0 ? "缓存一" : "缓存二";
		add[i].has_weight = 1;
		add[i].weight = 1000;
		adds[i] = &add[i];
	}
	imp.workspace = ws;
	imp.n_nodes = 2;
	imp.nodes = adds;
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "Import", &imp.base,
	    (ProtobufCMessage **)&iout, msg, sizeof(msg)));
	jixiao__import_tree_reply__free_unpacked(iout, NULL);

	/* Unchanged: the same reply twice (the second from the cache). */
	a = tree_packed(cl, ws, &t1, &la);
	b = tree_packed(cl, ws, &t2, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	id = find(t1, "C1")->id;
	rev = t1->workspace->revision;
	assert_null(find(t1, "C1")->claimed_by);
	jixiao__tree_reply__free_unpacked(t1, NULL);
	jixiao__tree_reply__free_unpacked(t2, NULL);
	free(a);
	free(b);

	/* A claim leaves the revision alone, and still shows. */
	claim(cl, ws, id, 30);
	a = tree_packed(cl, ws, &t1, &la);
	assert_int_equal(t1->workspace->revision, rev);
	assert_non_null(find(t1, "C1")->claimed_by);
	assert_string_equal(find(t1, "C1")->claimed_by, "admin");
	jixiao__tree_reply__free_unpacked(t1, NULL);
	free(a);
	claim(cl, ws, id, 0);
	a = tree_packed(cl, ws, &t1, &la);
	assert_null(find(t1, "C1")->claimed_by);
	jixiao__tree_reply__free_unpacked(t1, NULL);
	free(a);

	/* An edit shows. */
	ref.has_id = 1;
	ref.id = id;
	up.workspace = ws;
	up.node = &ref;
	up.base_revision = 0;
	a = tree_packed(cl, ws, &t1, &la);
	up.base_revision = find(t1, "C1")->revision;
	jixiao__tree_reply__free_unpacked(t1, NULL);
	free(a);
	up.has_score = 1;
	up.score = 555;
	up.comment = "缓存之后";
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "UpdateNode", &up.base,
	    (ProtobufCMessage **)&nout, msg, sizeof(msg)));
	jixiao__node_reply__free_unpacked(nout, NULL);
	a = tree_packed(cl, ws, &t1, &la);
	assert_int_equal(t1->workspace->revision, rev + 1);
	assert_true(find(t1, "C1")->has_score);
	assert_int_equal(find(t1, "C1")->score, 555);
	jixiao__tree_reply__free_unpacked(t1, NULL);
	free(a);

	client_close(cl);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(treecache_never_answers_stale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
