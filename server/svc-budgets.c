/* The Budgets service: a workspace's budget facts (预算、调整、结转、支出、支出明细). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "decimal.h"
#include "err.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "store.h"
#include "svc.h"
#include "text.h"
#include "workspace.h"

#define ADJUSTMENTS_MAX 64
#define LINES_MAX 10000
#define DOC_MAX 256

/* Fills the computed fields; a budget that cannot be computed gets none. */
void
svc_budgets_derive(Jixiao__Budget *b)
{
	budget_derive(b);
}

int
svc_budgets_load(struct rpc_call *c, uint64_t ws, Jixiao__Budget **budget)
{
	uint8_t key[8];
	int rv;

	store_key_u64(key, ws);
	rv = store_get_msg(rpc_call_txn(c), rpc_call_store(c), STORE_BUDGETS, key, sizeof(key),
	    &jixiao__budget__descriptor, (ProtobufCMessage **)budget);
	if (rv == JX_ENOTFOUND) {
		*budget = NULL;
		return JX_OK;
	}
	if (rv != 0) {
		rpc_call_fail(c, rv, "the budget facts of workspace %" PRIu64 " cannot be read", ws);
		return rv;
	}
	svc_budgets_derive(*budget);
	return JX_OK;
}

static bool
svc_budgets_amount(struct rpc_call *c, const char *what, int64_t v, bool signed_ok)
{
	char buf[DEC_BUFSZ];

	if (v > DEC_MAX || v < (signed_ok ? -DEC_MAX : 0)) {
		rpc_call_fail(c, JX_EINVAL, "%s %s is out of range%s", what, dec_format(v, buf),
		    signed_ok ? "" : " (it cannot be negative)");
		return false;
	}
	return true;
}

static bool
svc_budgets_text(struct rpc_call *c, const char *what, const char *v)
{
	if (v == NULL)
		return true;
	if (strlen(v) > DOC_MAX || !text_utf8_valid(v) || !text_printable(v, false)) {
		rpc_call_fail(c, JX_EINVAL, "the %s must be one line of text of at most %d bytes",
		    what, DOC_MAX);
		return false;
	}
	return true;
}

static bool
svc_budgets_valid(struct rpc_call *c, const Jixiao__Budget *b)
{
	if (b->n_adjustments > ADJUSTMENTS_MAX || b->n_lines > LINES_MAX) {
		rpc_call_fail(c, JX_EINVAL, "at most %d adjustments and %d expenditure lines",
		    ADJUSTMENTS_MAX, LINES_MAX);
		return false;
	}
	if ((b->has_initial && !svc_budgets_amount(c, "the initial budget", b->initial, false)) ||
	    (b->has_carry_over && !svc_budgets_amount(c, "the carry-over", b->carry_over, true)) ||
	    (b->has_spent && !svc_budgets_amount(c, "the expenditure", b->spent, false)) ||
	    (b->has_stated_final &&
	    !svc_budgets_amount(c, "the stated final budget", b->stated_final, false)) ||
	    (b->has_stated_rate &&
	    !svc_budgets_amount(c, "the stated execution rate", b->stated_rate, false)))
		return false;
	for (size_t i = 0; i < b->n_adjustments; i++)
		if (!svc_budgets_amount(c, "an adjustment", b->adjustments[i]->amount, true) ||
		    !svc_budgets_text(c, "adjustment's document", b->adjustments[i]->document))
			return false;
	for (size_t i = 0; i < b->n_lines; i++) {
		const Jixiao__ExpenseLine *l = b->lines[i];
		if (!svc_budgets_amount(c, "an expenditure line", l->amount, true) ||
		    !svc_budgets_text(c, "line's date", l->date) ||
		    !svc_budgets_text(c, "line's payee", l->payee) ||
		    !svc_budgets_text(c, "line's purpose", l->purpose))
			return false;
	}
	return true;
}

static void
svc_budgets_get(Jixiao__Budgets_Service *service, const Jixiao__GetBudgetRequest *in,
    Jixiao__BudgetReply_Closure closure, void *data)
{
	Jixiao__BudgetReply out = JIXIAO__BUDGET_REPLY__INIT;
	Jixiao__Budget none = JIXIAO__BUDGET__INIT;
	Jixiao__Workspace *ws = NULL;
	Jixiao__Budget *b = NULL;

	/* No facts yet is an empty budget at revision 0, the base of the first Set. */
	if (workspace_load(data, in->workspace, &ws) == 0 &&
	    svc_budgets_load(data, ws->id, &b) == 0)
		out.budget = b != NULL ? b : &none;
	closure(&out, data);
	if (b != NULL)
		jixiao__budget__free_unpacked(b, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static void
svc_budgets_set(Jixiao__Budgets_Service *service, const Jixiao__SetBudgetRequest *in,
    Jixiao__BudgetReply_Closure closure, void *data)
{
	Jixiao__BudgetReply out = JIXIAO__BUDGET_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Workspace *ws = NULL;
	Jixiao__Budget *before = NULL, after;
	struct rpc_call *c = data;
	uint64_t current;
	uint8_t key[8];

	if (workspace_load_editable(c, in->workspace, &ws) != 0 ||
	    svc_budgets_load(c, ws->id, &before) != 0)
		goto out;
	current = before != NULL ? before->revision : 0;
	if (current != in->base_revision) {
		rpc_call_fail(c, JX_EABORTED, "the budget facts were changed by %s at revision %"
		    PRIu64 " after your revision %" PRIu64 "; review them and try again",
		    before != NULL && before->updated_by != NULL ? before->updated_by : "someone",
		    current, in->base_revision);
		out.budget = before;
		goto out;
	}
	if (!svc_budgets_valid(c, in->budget))
		goto out;
	after = *in->budget;
	after.has_revision = 1;
	after.revision = ws->revision + 1;
	after.updated_by = (char *)rpc_call_user(c);
	after.has_updated_at = 1;
	after.updated_at = rpc_call_now(c);
	after.has_final = after.has_rate = after.has_lines_total = 0;
	store_key_u64(key, ws->id);
	if (store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_BUDGETS, key, sizeof(key),
	    &after.base) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the budget facts could not be saved");
		goto out;
	}
	change.what = "budget.set";
	change.budget_before = before;
	change.budget_after = &after;
	if (workspace_record(c, ws, &change) != 0)
		goto out;
	svc_budgets_derive(&after);
	out.budget = &after;
	out.has_workspace_revision = 1;
	out.workspace_revision = ws->revision;
out:
	closure(&out, data);
	if (before != NULL)
		jixiao__budget__free_unpacked(before, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static Jixiao__Budgets_Service svc_budgets_service = JIXIAO__BUDGETS__INIT(svc_budgets_);

const struct rpc_service svc_budgets = {
	.service = &svc_budgets_service.base,
};
