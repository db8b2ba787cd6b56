#include "check-tree.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/*
 * Template A's personalised indicators (个性化指标) are the project's own leaves under
 * 项目产出 and 项目效益, beside their 综合评价 (seed 002's criteria).
 */
static bool
check_tree_personalised(const Jixiao__Node *leaf, const Jixiao__Node *parent)
{
	return parent != NULL && parent->name != NULL &&
	    (strcmp(parent->name, "项目产出") == 0 || strcmp(parent->name, "项目效益") == 0) &&
	    (leaf->name == NULL || strcmp(leaf->name, "综合评价") != 0);
}

static size_t
check_tree_index(const Jixiao__TreeReply *t, uint64_t id)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i]->id == id)
			return i;
	return CHECK_ROOT;
}

int
check_tree_reply(const Jixiao__TreeReply *t, struct check_warning **w, size_t *nw)
{
	struct check_input in = { 0 };
	struct check_node *nodes;
	int rv;

	if ((nodes = calloc(t->n_nodes + 1, sizeof(*nodes))) == NULL)
		return JX_EINTERNAL;
	for (size_t i = 0; i < t->n_nodes; i++) {
		const Jixiao__Node *n = t->nodes[i];
		size_t p = n->parent_id != 0 ? check_tree_index(t, n->parent_id) : CHECK_ROOT;
		bool leaf = i + 1 >= t->n_nodes || t->nodes[i + 1]->parent_id != n->id;

		nodes[i] = (struct check_node){ .code = n->code, .name = n->name, .parent = p,
			.has_weight = n->has_weight, .weight = n->weight,
			.has_score = leaf && n->unscored == 0, .score = n->total,
			.has_stated = n->has_stated, .stated = n->stated, .criteria = n->criteria,
			.target = n->target, .actual = n->actual, .comment = n->comment,
			.category = n->category, .method = n->method,
			.personalised = leaf && check_tree_personalised(n, p == CHECK_ROOT ? NULL :
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
