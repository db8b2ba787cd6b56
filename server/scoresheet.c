/*
 * The scoring sheet: a workspace's indicators as of a revision, ordered depth first and
 * scored with common/sheet.c, with its budget, template grades and chain head: what
 * GetTree answers and what check, export, blame and trend read.
 */
#include "scoresheet.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "err.h"
#include "history.h"
#include "indicators.h"
#include "sheet.h"
#include "svc.h"
#include "templates.h"
#include "workspace.h"

struct scoresheet_walk {
	Jixiao__Node **sorted; /* every node loaded (owned); sorted by tree_order_make */
	size_t n;
	struct tree_order ord; /* depth first, borrowing from sorted */
};

/* Scores the ordered tree with common/sheet.c and fills the computed fields. */
static int
scoresheet_score(struct scoresheet_walk *w, const Jixiao__Budget *budget,
    const Jixiao__Template *tmpl, struct sheet_node *sn, Jixiao__TreeReply *out)
{
	struct sheet s = { .nodes = sn, .n = w->ord.n };
	struct score_grade bands[TEMPLATES_GRADES_MAX];
	struct score_grades grades;

	/* The bands of the template the workspace came from; Guangzhou's otherwise. */
	if (templates_grades(tmpl, bands, &grades) == 0)
		s.grades = &grades;

	tree_order_sheet(&w->ord, sn);
	if (budget != NULL && budget->has_rate) {
		s.has_rate = true;
		s.rate = budget->rate;
	}
	if (sheet_compute(&s) != 0)
		return JX_EINTERNAL;
	for (size_t i = 0; i < w->ord.n; i++) {
		Jixiao__Node *n = w->ord.order[i];
		n->has_depth = 1;
		n->depth = w->ord.depth[i];
		n->has_total = n->has_unscored = 1;
		n->total = sn[i].total;
		n->unscored = sn[i].unscored;
		n->has_computed = n->computed = sn[i].computed;
		n->has_vetoed = n->vetoed = sn[i].vetoed;
		/* Borrowed: cleared before the node is freed. */
		n->note = sn[i].note[0] != '\0' ? sn[i].note : NULL;
	}
	out->total = s.total;
	out->weight = s.weight;
	out->has_unscored = 1;
	out->unscored = s.unscored;
	out->has_vetoed = 1;
	out->vetoed = s.vetoed;
	out->has_grade_final = 1;
	out->grade_final = s.unscored == 0;
	if (s.grade != NULL) {
		out->grade = (char *)s.grade->name;
		out->grade_key = (char *)s.grade->key;
	}
	return JX_OK;
}

int
scoresheet_load(struct rpc_call *c, uint64_t wsid, uint64_t at, struct scoresheet *r)
{
	struct scoresheet_walk *w;
	size_t cap = 0;
	int rv;

	memset(r, 0, sizeof(*r));
	jixiao__tree_reply__init(&r->reply);
	if ((w = r->walk = calloc(1, sizeof(*w))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		return JX_EINTERNAL;
	}
	if ((rv = workspace_load(c, wsid, &r->ws)) != 0)
		return rv;
	if (at > r->ws->revision) {
		rpc_call_fail(c, JX_ENOTFOUND, "workspace %" PRIu64 " has no revision %" PRIu64
		    " yet; its newest is %" PRIu64, wsid, at, r->ws->revision);
		return JX_ENOTFOUND;
	}
	/* Now, the head is the workspace's; in the past, the hash of that revision's record. */
	if (r->ws->has_head && r->ws->head.len == sizeof(r->head) &&
	    (at == 0 || at == r->ws->revision)) {
		memcpy(r->head, r->ws->head.data, sizeof(r->head));
		r->reply.has_head = 1;
	} else if (history_head_at(c, wsid, at, r->head) == 0) {
		r->reply.has_head = 1;
	}
	if (at != 0 && at < r->ws->revision) {
		/* The past, from the state index: the workspace, its budget and its nodes then. */
		Jixiao__Workspace *then = NULL;
		rv = history_state_at(c, wsid, HISTORY_WORKSPACE, at, &jixiao__workspace__descriptor,
		    (ProtobufCMessage **)&then);
		if (rv != 0) {
			rpc_call_fail(c, rv, "workspace %" PRIu64 " has no revision %" PRIu64, wsid,
			    at);
			return rv;
		}
		jixiao__workspace__free_unpacked(r->ws, NULL);
		r->ws = then;
		r->ws->revision = at;
		rv = history_state_at(c, wsid, HISTORY_BUDGET, at, &jixiao__budget__descriptor,
		    (ProtobufCMessage **)&r->budget);
		if (rv == 0)
			svc_budgets_derive(r->budget);
		else if (rv != JX_ENOTFOUND)
			goto fail;
		rv = history_nodes_at(c, wsid, at, &w->sorted, &w->n, &cap);
	} else {
		if ((rv = svc_budgets_load(c, wsid, &r->budget)) != 0)
			return rv;
		rv = indicators_load(c, wsid, &w->sorted, &w->n, &cap);
		if (rv == 0)
			claims_fill(c, wsid, w->sorted, w->n);
	}
	if (rv != 0)
		goto fail;
	if (r->ws->template_id != NULL && templates_load(c, r->ws->template_id,
	    r->ws->template_version, &r->tmpl) != 0)
		return rpc_call_code(c);
	r->reply.workspace = r->ws;
	r->reply.budget = r->budget;
	if (tree_order_make(w->sorted, w->n, &w->ord) != 0 ||
	    (w->n > 0 && (r->sheet = calloc(w->n, sizeof(*r->sheet))) == NULL))
		goto fail;
	if (scoresheet_score(w, r->budget, r->tmpl, r->sheet, &r->reply) != 0)
		goto fail;
	r->reply.nodes = w->ord.order;
	r->reply.n_nodes = w->ord.n;
	if (r->reply.has_head) {
		r->reply.head.data = r->head;
		r->reply.head.len = sizeof(r->head);
	}
	return JX_OK;
fail:
	rpc_call_fail(c, JX_EINTERNAL, "the indicator tree of workspace %" PRIu64
	    " cannot be read", wsid);
	return JX_EINTERNAL;
}

void
scoresheet_free(struct scoresheet *r)
{
	struct scoresheet_walk *w = r->walk;

	if (w != NULL) {
		for (size_t i = 0; i < w->n; i++) {
			w->sorted[i]->note = NULL;
			jixiao__node__free_unpacked(w->sorted[i], NULL);
		}
		free(w->sorted);
		tree_order_free(&w->ord);
		free(w);
	}
	free(r->sheet);
	if (r->budget != NULL)
		jixiao__budget__free_unpacked(r->budget, NULL);
	if (r->tmpl != NULL)
		jixiao__template__free_unpacked(r->tmpl, NULL);
	if (r->ws != NULL)
		jixiao__workspace__free_unpacked(r->ws, NULL);
	memset(r, 0, sizeof(*r));
}

int
scoresheet_reply_size(struct rpc_call *c, uint64_t wsid, size_t *bytes)
{
	struct scoresheet r;
	size_t raw;
	int rv;

	/* The stored records, plus room for what scoring adds: exact only when it matters. */
	if ((rv = indicators_stored_bytes(c, wsid, SCORESHEET_RECORD_ROOM, &raw)) != 0)
		return rv;
	*bytes = raw + 64 * 1024;
	if (*bytes < rpc_call_max_reply(c) / 2)
		return JX_OK;
	if ((rv = scoresheet_load(c, wsid, 0, &r)) == 0)
		*bytes = protobuf_c_message_get_packed_size(&r.reply.base);
	scoresheet_free(&r);
	return rv;
}

