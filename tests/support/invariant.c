#include "invariant.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client.h"
#include "daemon.h"
#include "proto/jixiao.pb-c.h"
#include "tree-order.h"

static int
invariant_cmp_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The tree's shape: depth first, parents right, each id once, within the depth limit. */
static void
invariant_tree(uint64_t ws, const Jixiao__TreeReply *t)
{
	uint64_t path[TREE_DEPTH_MAX], *ids;
	unsigned prev = 0;

	if (t->n_nodes == 0)
		return;
	assert_non_null(ids = calloc(t->n_nodes, sizeof(*ids)));
	for (size_t i = 0; i < t->n_nodes; i++) {
		const Jixiao__Node *n = t->nodes[i];

		if (!n->has_depth || n->depth < 1 || n->depth > prev + 1)
			fail_msg("workspace %" PRIu64 ": indicator %s is out of depth-first order "
			    "(level %u after %u)", ws, n->code, n->depth, prev);
		if (n->depth > TREE_DEPTH_MAX)
			fail_msg("workspace %" PRIu64 ": indicator %s is %u levels deep; indicators "
			    "nest at most %d", ws, n->code, n->depth, TREE_DEPTH_MAX);
		if (n->parent_id != (n->depth == 1 ? 0 : path[n->depth - 2]))
			fail_msg("workspace %" PRIu64 ": indicator %s is listed under the wrong "
			    "parent", ws, n->code);
		path[n->depth - 1] = n->id;
		prev = n->depth;
		ids[i] = n->id;
	}
	qsort(ids, t->n_nodes, sizeof(*ids), invariant_cmp_id);
	for (size_t i = 1; i < t->n_nodes; i++)
		if (ids[i] == ids[i - 1])
			fail_msg("workspace %" PRIu64 ": indicator id %" PRIu64 " is listed twice",
			    ws, ids[i]);
	free(ids);
}

/* jx verify WS: passes, and its replay of the history holds exactly n indicators. */
static void
invariant_verify(struct jxd *d, uint64_t ws, size_t n)
{
	char id[24], want[48], *out = NULL, *err = NULL;
	const char *args[] = { "verify", id, "--json", NULL };
	int rv;

	snprintf(id, sizeof(id), "%" PRIu64, ws);
	/* Aside: the checkpoint this verify keeps must not change what the test's jx sees. */
	rv = jxd_jx_aside(d, &out, &err, args);
	if (rv != 0)
		fail_msg("workspace %" PRIu64 ": jx verify exits %d:\n%s%s", ws, rv, out, err);
	snprintf(want, sizeof(want), "\"indicators\": %zu,", n);
	if (strstr(out, want) == NULL)
		fail_msg("workspace %" PRIu64 ": the tree lists %zu indicators, but the history "
		    "holds another number:\n%s", ws, n, out);
	free(out);
	free(err);
}

void
invariant_check(struct jxd *d)
{
	Jixiao__ListWorkspacesRequest lin = JIXIAO__LIST_WORKSPACES_REQUEST__INIT;
	Jixiao__ListWorkspacesReply *list = NULL;
	struct client *cl = NULL;
	char why[512];

	if (client_open(d->url, jxd_identity(d, "admin"), &cl, why, sizeof(why)) != 0)
		fail_msg("invariants: %s", why);
	lin.has_include_archived = 1;
	lin.include_archived = 1;
	if (client_call(cl, &jixiao__workspaces__descriptor, "List", &lin.base,
	    (ProtobufCMessage **)&list, why, sizeof(why)) != 0)
		fail_msg("invariants: the workspaces cannot be listed: %s", why);
	for (size_t w = 0; w < list->n_workspaces; w++) {
		Jixiao__GetTreeRequest tin = JIXIAO__GET_TREE_REQUEST__INIT;
		Jixiao__TreeReply *t = NULL;
		uint64_t ws = list->workspaces[w]->id;

		tin.workspace = ws;
		if (client_call(cl, &jixiao__tree__descriptor, "GetTree", &tin.base,
		    (ProtobufCMessage **)&t, why, sizeof(why)) != 0)
			fail_msg("invariants: workspace %" PRIu64 " cannot be read: %s", ws, why);
		invariant_tree(ws, t);
		invariant_verify(d, ws, t->n_nodes);
		jixiao__tree_reply__free_unpacked(t, NULL);
	}
	jixiao__list_workspaces_reply__free_unpacked(list, NULL);
	client_close(cl);
}
