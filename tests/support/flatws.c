#include "flatws.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "jxtest.h"
#include "proto/jixiao.pb-c.h"

uint64_t
jxtest_flat_workspace(struct client *cl, const char *subject, uint32_t year, int n,
    char *const *codes, char *const *names, int64_t weight, uint64_t *revision)
{
	Jixiao__CreateWorkspaceRequest c = JIXIAO__CREATE_WORKSPACE_REQUEST__INIT;
	Jixiao__ImportTreeRequest in = JIXIAO__IMPORT_TREE_REQUEST__INIT;
	Jixiao__AddNodeRequest *add = calloc((size_t)n, sizeof(*add));
	Jixiao__AddNodeRequest **adds = calloc((size_t)n, sizeof(*adds));
	Jixiao__WorkspaceReply *wout;
	Jixiao__ImportTreeReply *iout;
	char msg[1100];
	uint64_t ws;

	assert_non_null(add);
	assert_non_null(adds);
	c.subject = (char *)subject;
	c.fiscal_year = year;
	c.kind = JIXIAO__KIND__KEY_EVALUATION;
	assert_jx_ok(client_call(cl, &jixiao__workspaces__descriptor, "Create", &c.base,
	    (ProtobufCMessage **)&wout, msg, sizeof(msg)));
	ws = wout->workspace->id;
	jixiao__workspace_reply__free_unpacked(wout, NULL);
	for (int i = 0; i < n; i++) {
		jixiao__add_node_request__init(&add[i]);
		add[i].workspace = ws;
		add[i].code = codes[i];
		add[i].name = names[i];
		add[i].has_weight = 1;
		add[i].weight = weight;
		adds[i] = &add[i];
	}
	in.workspace = ws;
	in.n_nodes = (size_t)n;
	in.nodes = adds;
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "Import", &in.base,
	    (ProtobufCMessage **)&iout, msg, sizeof(msg)));
	assert_int_equal(iout->added, n);
	if (revision != NULL)
		*revision = iout->workspace_revision;
	jixiao__import_tree_reply__free_unpacked(iout, NULL);
	free(add);
	free(adds);
	return ws;
}
