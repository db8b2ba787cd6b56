/* jx check WS: the consistency checks real reports fail (DOMAIN §8), computed here. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "check.h"
#include "cli.h"
#include "err.h"

static const struct cli_command check_command = { "check", cmd_check, "jx check WS",
	"Reports what does not add up in a workspace, one plain sentence per warning with the\n"
	"indicator code: weights that do not sum, stated subtotals that differ from their\n"
	"children, formula texts that disagree with the weight, amounts in the wrong unit,\n"
	"full marks with a critical comment, missing names, comments and measurable targets,\n"
	"leaves not scored yet (the grade is provisional), targets the parser did not\n"
	"understand, a sheet's 合计 that is not its indicators' sum, and stated budget\n"
	"figures (jx budget set --stated-final/--stated-rate) the arithmetic contradicts.\n"
	"Exit status 0 when there is nothing to report, 1 when there are warnings." };

/*
 * Template A's personalised indicators (个性化指标) are the project's own leaves under
 * 项目产出 and 项目效益, beside their 综合评价 (seed 002's criteria).
 */
static bool
check_personalised(const Jixiao__Node *leaf, const Jixiao__Node *parent)
{
	return parent != NULL && parent->name != NULL &&
	    (strcmp(parent->name, "项目产出") == 0 || strcmp(parent->name, "项目效益") == 0) &&
	    (leaf->name == NULL || strcmp(leaf->name, "综合评价") != 0);
}

static size_t
check_index(const Jixiao__TreeReply *t, uint64_t id)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i]->id == id)
			return i;
	return CHECK_ROOT;
}

/* Runs the checks on the tree; warnings about evidence wait for evidence to be tracked. */
static int
check_tree(const Jixiao__TreeReply *t, struct check_warning **w, size_t *nw)
{
	struct check_input in = { 0 };
	struct check_node *nodes;
	int rv;

	if ((nodes = calloc(t->n_nodes + 1, sizeof(*nodes))) == NULL)
		return JX_EINTERNAL;
	for (size_t i = 0; i < t->n_nodes; i++) {
		const Jixiao__Node *n = t->nodes[i];
		size_t p = n->parent_id != 0 ? check_index(t, n->parent_id) : CHECK_ROOT;
		bool leaf = i + 1 >= t->n_nodes || t->nodes[i + 1]->parent_id != n->id;

		nodes[i] = (struct check_node){ .code = n->code, .name = n->name, .parent = p,
			.has_weight = n->has_weight, .weight = n->weight,
			.has_score = leaf && n->unscored == 0, .score = n->total,
			.has_stated = n->has_stated, .stated = n->stated, .criteria = n->criteria,
			.target = n->target, .actual = n->actual, .comment = n->comment,
			.category = n->category, .method = n->method,
			.personalised = leaf && check_personalised(n, p == CHECK_ROOT ? NULL :
			    t->nodes[p]),
			.evidence = (unsigned)n->n_evidence, .note = n->note };
	}
	in.nodes = nodes;
	in.n = t->n_nodes;
	in.expected_total = t->workspace->kind == JIXIAO__KIND__TARGET_DECLARATION ? 0 : 10000;
	if (t->budget != NULL && t->budget->has_final && t->budget->has_spent) {
		in.ledger.present = true;
		in.ledger.final_budget = t->budget->final;
		in.ledger.spent = t->budget->spent;
		in.ledger.has_stated_final = t->budget->has_stated_final;
		in.ledger.stated_final = t->budget->stated_final;
		in.ledger.has_stated_rate = t->budget->has_stated_rate;
		in.ledger.stated_rate = t->budget->stated_rate;
	}
	in.has_stated_total = t->workspace->has_stated_total;
	in.stated_total = t->workspace->stated_total;
	in.list_unscored = t->workspace->kind != JIXIAO__KIND__TARGET_DECLARATION;
	rv = check_run(&in, w, nw);
	free(nodes);
	return rv;
}

int
cmd_check(struct cli *cli, int argc, char **argv)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out;
	struct check_warning *w = NULL;
	size_t nw = 0;
	int rv;

	if ((rv = cli_ws_arg(&check_command, argc, argv, &in.workspace)) >= 0)
		return rv;
	if ((rv = cli_call(cli, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (check_tree(out, &w, &nw) != 0) {
		jixiao__tree_reply__free_unpacked(out, NULL);
		return cli_error(EX_DATAERR, "workspace %" PRIu64 " is too large to check",
		    in.workspace);
	}
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", in.workspace);
		out_json_array(j, "warnings");
		for (size_t i = 0; i < nw; i++) {
			out_json_object(j, NULL);
			out_json_string(j, "code", w[i].code);
			out_json_string(j, "kind", w[i].kind);
			out_json_string(j, "text", w[i].text);
			out_json_end(j);
		}
		out_json_free(j);
	} else if (nw == 0) {
		printf("workspace %" PRIu64 ": nothing to report.\n", in.workspace);
	} else {
		for (size_t i = 0; i < nw; i++)
			printf("%-8s %s\n", w[i].code != NULL ? w[i].code : "(all)", w[i].text);
		printf("\n%zu warning%s in workspace %" PRIu64 ".\n", nw, nw == 1 ? "" : "s",
		    in.workspace);
	}
	check_free(w);
	jixiao__tree_reply__free_unpacked(out, NULL);
	return nw == 0 ? 0 : 1;
}
