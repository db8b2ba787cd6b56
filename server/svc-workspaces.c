/* The Workspaces service: create, list, get and archive evaluation workspaces. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"
#include "indicators.h"
#include "policy.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "store.h"
#include "svc.h"
#include "templates.h"
#include "text.h"
#include "workspace.h"

#define SUBJECT_MAX 256
#define TITLE_MAX 512
#define YEAR_MIN 1990
#define YEAR_MAX 2200
#define LIST_MAX 10000
#define GOAL_MAX 8192

static bool
svc_workspaces_text(struct rpc_call *c, const char *what, const char *v, size_t max,
    bool multiline)
{
	if (v == NULL)
		return true;
	if (strlen(v) > max || !text_utf8_valid(v) || !text_printable(v, multiline)) {
		rpc_call_fail(c, JX_EINVAL, "the %s must be UTF-8 text of at most %zu bytes", what,
		    max);
		return false;
	}
	return true;
}

static void
svc_workspaces_create(Jixiao__Workspaces_Service *service,
    const Jixiao__CreateWorkspaceRequest *in, Jixiao__WorkspaceReply_Closure closure,
    void *data)
{
	Jixiao__WorkspaceReply out = JIXIAO__WORKSPACE_REPLY__INIT;
	Jixiao__Workspace ws = JIXIAO__WORKSPACE__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Template *tmpl = NULL;
	Jixiao__Subject *subj = NULL;
	struct rpc_call *c = data;
	const char *subject = in->subject;
	uint64_t id;

	/* A registered subject names the workspace's subject. */
	if (in->has_subject_id && in->subject_id != 0) {
		if (svc_subjects_load(c, in->subject_id, &subj) != 0)
			goto out;
		subject = subj->name;
	}
	if (subject[0] == '\0' || strlen(subject) > SUBJECT_MAX) {
		rpc_call_fail(c, JX_EINVAL, "the subject must be 1 to %d bytes long", SUBJECT_MAX);
		goto out;
	}
	if (in->fiscal_year < YEAR_MIN || in->fiscal_year > YEAR_MAX) {
		rpc_call_fail(c, JX_EINVAL, "the fiscal year %u is not between %d and %d",
		    in->fiscal_year, YEAR_MIN, YEAR_MAX);
		goto out;
	}
	if (in->kind < JIXIAO__KIND__TARGET_DECLARATION || in->kind > JIXIAO__KIND__KEY_EVALUATION) {
		rpc_call_fail(c, JX_EINVAL, "the kind must be target-declaration, "
		    "self-evaluation or key-evaluation");
		goto out;
	}
	if (!svc_workspaces_text(c, "subject", subject, SUBJECT_MAX, false) ||
	    !svc_workspaces_text(c, "title", in->title, TITLE_MAX, false) ||
	    !svc_workspaces_text(c, "department", in->department, SUBJECT_MAX, false) ||
	    !svc_workspaces_text(c, "unit", in->unit, SUBJECT_MAX, false) ||
	    !svc_workspaces_text(c, "goal", in->goal, GOAL_MAX, true) ||
	    !svc_workspaces_text(c, "lead evaluator", in->lead, SUBJECT_MAX, false))
		goto out;
	if (in->template_id != NULL && in->template_id[0] != '\0') {
		if (templates_load(c, in->template_id, in->has_template_version ?
		    in->template_version : 0, &tmpl) != 0)
			goto out;
		if (tmpl->has_kind && tmpl->kind != in->kind) {
			rpc_call_fail(c, JX_EINVAL, "template %s is for %s workspaces", tmpl->id,
			    tmpl->kind == JIXIAO__KIND__KEY_EVALUATION ? "key-evaluation" :
			    tmpl->kind == JIXIAO__KIND__SELF_EVALUATION ? "self-evaluation" :
			    "target-declaration");
			goto out;
		}
		ws.template_id = tmpl->id;
		ws.has_template_version = 1;
		ws.template_version = tmpl->version;
		/* The template's sign-off rule: how many reviewers, whether the unit comments. */
		ws.has_signoffs_required = tmpl->has_signoffs_required;
		ws.signoffs_required = tmpl->signoffs_required;
		ws.has_comment_round = tmpl->has_comment_round;
		ws.comment_round = tmpl->comment_round;
	}
	if (workspace_check_unique(c, subject, in->fiscal_year, in->kind) != 0 ||
	    workspace_next_seq(c, "seq.workspace", &id) != 0)
		goto out;
	ws.id = id;
	ws.subject = (char *)subject;
	ws.has_subject_id = subj != NULL;
	ws.subject_id = subj != NULL ? subj->id : 0;
	ws.fiscal_year = in->fiscal_year;
	ws.kind = in->kind;
	ws.state = JIXIAO__WORKSPACE_STATE__ACTIVE;
	ws.title = in->title;
	ws.department = in->department;
	ws.unit = in->unit;
	ws.goal = in->goal;
	ws.lead = in->lead != NULL && in->lead[0] != '\0' ? in->lead : NULL;
	ws.has_created_at = 1;
	ws.created_at = rpc_call_now(c);
	ws.created_by = (char *)rpc_call_user(c);
	change.what = "workspace.create";
	change.workspace_after = &ws;
	if (workspace_index_subject(c, &ws) != 0 || workspace_record(c, &ws, &change) != 0 ||
	    (tmpl != NULL && indicators_add_all(c, &ws, tmpl->nodes, tmpl->n_nodes, NULL) != 0) ||
	    indicators_add_all(c, &ws, in->nodes, in->n_nodes, NULL) != 0)
		goto out;
	out.workspace = &ws;
out:
	closure(&out, data);
	free(ws.head.data);
	if (tmpl != NULL)
		jixiao__template__free_unpacked(tmpl, NULL);
	if (subj != NULL)
		jixiao__subject__free_unpacked(subj, NULL);
}

static bool
svc_workspaces_matches(const Jixiao__Workspace *ws, const Jixiao__ListWorkspacesRequest *in)
{
	if (in->has_fiscal_year && in->fiscal_year != 0 && ws->fiscal_year != in->fiscal_year)
		return false;
	if (in->subject != NULL && in->subject[0] != '\0' && strstr(ws->subject, in->subject) == NULL)
		return false;
	return in->include_archived || ws->state == JIXIAO__WORKSPACE_STATE__ACTIVE;
}

struct svc_workspaces_list {
	struct rpc_call *c;
	const Jixiao__ListWorkspacesRequest *in;
	Jixiao__ListWorkspacesReply *out;
	size_t cap;
};

static int
svc_workspaces_list_one(void *arg, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	struct svc_workspaces_list *l = arg;
	Jixiao__Workspace *ws;

	if ((ws = jixiao__workspace__unpack(NULL, vlen, val)) == NULL)
		return JX_EINTERNAL;
	/* Only the workspaces the caller has a role in. */
	if (!svc_workspaces_matches(ws, l->in) || l->out->n_workspaces == LIST_MAX ||
	    !policy_may_read(l->c, ws)) {
		jixiao__workspace__free_unpacked(ws, NULL);
		return 0;
	}
	if (array_grow(&l->out->workspaces, l->out->n_workspaces, &l->cap, sizeof(ws), 16) != 0) {
		jixiao__workspace__free_unpacked(ws, NULL);
		return JX_ENOSPC;
	}
	l->out->workspaces[l->out->n_workspaces++] = ws;
	return 0;
}

static void
svc_workspaces_list(Jixiao__Workspaces_Service *service,
    const Jixiao__ListWorkspacesRequest *in, Jixiao__ListWorkspacesReply_Closure closure,
    void *data)
{
	Jixiao__ListWorkspacesReply out = JIXIAO__LIST_WORKSPACES_REPLY__INIT;
	struct svc_workspaces_list l = { data, in, &out, 0 };
	struct rpc_call *c = data;
	int rv;

	rv = store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_WORKSPACES, NULL, 0,
	    svc_workspaces_list_one, &l);
	if (rv == JX_ENOSPC)
		rpc_call_fail(c, JX_ENOSPC, "too many workspaces to list");
	else if (rv != 0)
		rpc_call_fail(c, JX_EINTERNAL, "the workspaces cannot be read");
	closure(&out, data);
	for (size_t i = 0; i < out.n_workspaces; i++)
		jixiao__workspace__free_unpacked(out.workspaces[i], NULL);
	free(out.workspaces);
}

static void
svc_workspaces_get(Jixiao__Workspaces_Service *service, const Jixiao__GetWorkspaceRequest *in,
    Jixiao__WorkspaceReply_Closure closure, void *data)
{
	Jixiao__WorkspaceReply out = JIXIAO__WORKSPACE_REPLY__INIT;
	Jixiao__Workspace *ws = NULL;

	if (workspace_load(data, in->workspace, &ws) == 0)
		out.workspace = ws;
	closure(&out, data);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static void
svc_workspaces_archive(Jixiao__Workspaces_Service *service,
    const Jixiao__ArchiveWorkspaceRequest *in, Jixiao__WorkspaceReply_Closure closure,
    void *data)
{
	Jixiao__WorkspaceReply out = JIXIAO__WORKSPACE_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;

	if (workspace_load_editable(c, in->workspace, &ws) != 0)
		goto out;
	ws->state = JIXIAO__WORKSPACE_STATE__ARCHIVED;
	change.what = "workspace.archive";
	change.workspace_after = ws;
	if (workspace_record(c, ws, &change) == 0)
		out.workspace = ws;
out:
	closure(&out, data);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

/* A report section: printable text with line breaks, at most this many bytes. */
#define REPORT_TEXT_MAX 65536
#define REPORT_LINE_MAX 512

static bool
svc_workspaces_report_text(struct rpc_call *c, const char *what, const char *v, size_t max,
    bool multiline)
{
	if (v == NULL)
		return true;
	if (strlen(v) > max || !text_utf8_valid(v) || !text_printable(v, multiline)) {
		rpc_call_fail(c, JX_EINVAL, "the %s must be text of at most %zu bytes%s", what, max,
		    multiline ? "" : " on one line");
		return false;
	}
	return true;
}

/* Moves v (when given; "" clears) into *field. */
static int
svc_workspaces_report_set(char **field, const char *v)
{
	if (v == NULL)
		return JX_OK;
	if (v[0] == '\0') {
		free(*field);
		*field = NULL;
		return JX_OK;
	}
	return workspace_set_str(field, v);
}

static void
svc_workspaces_set_report(Jixiao__Workspaces_Service *service,
    const Jixiao__SetReportRequest *in, Jixiao__WorkspaceReply_Closure closure, void *data)
{
	Jixiao__WorkspaceReply out = JIXIAO__WORKSPACE_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	uint64_t base = in->has_base_revision ? in->base_revision : 0;
	uint64_t now;

	if (!svc_workspaces_report_text(c, "项目概况 (overview)", in->overview, REPORT_TEXT_MAX,
		true) ||
	    !svc_workspaces_report_text(c, "评价工作开展情况 (process)", in->process,
		REPORT_TEXT_MAX, true) ||
	    !svc_workspaces_report_text(c, "evaluating organisation", in->evaluator,
		REPORT_LINE_MAX, false) ||
	    !svc_workspaces_report_text(c, "report date", in->report_date, REPORT_LINE_MAX, false))
		goto out;
	if (in->overview == NULL && in->process == NULL && in->evaluator == NULL &&
	    in->report_date == NULL) {
		rpc_call_fail(c, JX_EINVAL, "nothing to change: give at least one section");
		goto out;
	}
	if (workspace_load_editable(c, in->workspace, &ws) != 0)
		goto out;
	now = ws->has_report_revision ? ws->report_revision : 0;
	if (in->has_base_revision && base != now) {
		rpc_call_fail(c, JX_EABORTED, "the report's sections of workspace %" PRIu64 " were "
		    "changed at revision %" PRIu64 " after your revision %" PRIu64 "; review them "
		    "and try again", ws->id, now, base);
		out.workspace = ws;
		goto out;
	}
	if (svc_workspaces_report_set(&ws->overview, in->overview) != 0 ||
	    svc_workspaces_report_set(&ws->process, in->process) != 0 ||
	    svc_workspaces_report_set(&ws->evaluator, in->evaluator) != 0 ||
	    svc_workspaces_report_set(&ws->report_date, in->report_date) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	ws->has_report_revision = 1;
	ws->report_revision = ws->revision + 1;
	change.what = "workspace.report";
	change.workspace_after = ws;
	if (workspace_record(c, ws, &change) == 0)
		out.workspace = ws;
out:
	closure(&out, data);
	jixiao__workspace__free_unpacked(ws, NULL);
}

static Jixiao__Workspaces_Service svc_workspaces_service =
    JIXIAO__WORKSPACES__INIT(svc_workspaces_);

const struct rpc_service svc_workspaces = {
	.service = &svc_workspaces_service.base,
};
