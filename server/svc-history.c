/*
 * The History service: a workspace's change log and who set each score (blame), and
 * across fiscal years: carrying a workspace forward and a subject's trend.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "checkpoint.h"
#include "err.h"
#include "history.h"
#include "indicators.h"
#include "policy.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "scoresheet.h"
#include "store.h"
#include "svc.h"
#include "workspace.h"

#define LOG_MAX 1000
#define TREND_MAX 50
/* Record bytes in one Records reply: at least one record, then no more than this. */
#define RECORDS_BYTES_MAX ((size_t)2 << 20)

/* A page of a workspace's history records: what fits in one reply. */
struct svc_history_page {
	size_t n, limit, bytes, room;
};

/*
 * Whether the record of vlen bytes with key (klen) goes on the page: 0 when it does,
 * STORE_SCAN_STOP when the page is full, JX_EINTERNAL for a damaged key.
 */
static int
svc_history_page_fits(struct svc_history_page *p, size_t klen, size_t vlen)
{
	if (klen != 16)
		return JX_EINTERNAL;
	/* A page fits in one reply (--max-message); the client asks for the rest. */
	if (p->n == p->limit || (p->n > 0 && p->bytes + vlen > p->room))
		return STORE_SCAN_STOP;
	p->bytes += vlen;
	return 0;
}

struct svc_history_changes_page {
	struct svc_history_page page;
	Jixiao__LogReply *out;
};

static int
svc_history_changes_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct svc_history_changes_page *p = arg;
	Jixiao__Change *ch;
	int rv;

	if ((rv = svc_history_page_fits(&p->page, klen, vlen)) != 0)
		return rv;
	if ((ch = jixiao__change__unpack(NULL, vlen, val)) == NULL)
		return JX_EINTERNAL;
	p->out->changes[p->out->n_changes++] = ch;
	p->page.n++;
	return 0;
}

/* Answers with up to limit change records of wsid from revision from on. */
static void
svc_history_changes(struct rpc_call *c, uint64_t wsid, uint64_t from, uint32_t limit,
    Jixiao__LogReply_Closure closure)
{
	Jixiao__LogReply out = JIXIAO__LOG_REPLY__INIT;
	struct svc_history_changes_page p = { { 0 }, &out };
	Jixiao__Workspace *ws = NULL;
	void *data = c;
	uint8_t key[16];

	if (limit == 0 || limit > LOG_MAX)
		limit = LOG_MAX;
	if (from == 0)
		from = 1;
	if (workspace_load(c, wsid, &ws) != 0)
		goto out;
	if ((out.changes = calloc(limit, sizeof(*out.changes))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	p.page.limit = limit;
	p.page.room = rpc_call_max_reply(c) / 2;
	store_key_pair(key, ws->id, from);
	if (store_scan_from(rpc_call_txn(c), rpc_call_store(c), STORE_HISTORY, key, 8, key,
	    sizeof(key), svc_history_changes_one, &p) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the history of workspace %" PRIu64 " cannot be "
		    "read", ws->id);
		goto out;
	}
	out.has_head_revision = 1;
	out.head_revision = ws->revision;
out:
	closure(&out, data);
	for (size_t i = 0; i < out.n_changes; i++)
		jixiao__change__free_unpacked(out.changes[i], NULL);
	free(out.changes);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static void
svc_history_log(Jixiao__History_Service *service, const Jixiao__LogRequest *in,
    Jixiao__LogReply_Closure closure, void *data)
{
	svc_history_changes(data, in->workspace, in->has_from ? in->from : 1,
	    in->has_limit ? in->limit : LOG_MAX, closure);
}

static void
svc_history_changes_since(Jixiao__History_Service *service,
    const Jixiao__ChangesSinceRequest *in, Jixiao__LogReply_Closure closure, void *data)
{
	if (in->after == UINT64_MAX) {
		rpc_call_fail(data, JX_EINVAL, "there is no revision after %" PRIu64, in->after);
		closure(NULL, data);
		return;
	}
	svc_history_changes(data, in->workspace, in->after + 1, in->has_limit ? in->limit : LOG_MAX,
	    closure);
}

/* Same score (or both unscored): the blame run goes on. */
static int
svc_history_same_score(const Jixiao__Node *older, const Jixiao__Node *now)
{
	return older->has_score == now->has_score && (!now->has_score ||
	    older->score == now->score);
}

static void
svc_history_blame(Jixiao__History_Service *service, const Jixiao__BlameRequest *in,
    Jixiao__BlameReply_Closure closure, void *data)
{
	Jixiao__BlameReply out = JIXIAO__BLAME_REPLY__INIT;
	struct scoresheet r;
	struct rpc_call *c = data;
	Jixiao__BlameLine *lines = NULL;
	Jixiao__Node *then = NULL;

	if (scoresheet_load(c, in->workspace, 0, &r) != 0)
		goto out;
	if (r.reply.n_nodes > 0 &&
	    ((lines = calloc(r.reply.n_nodes, sizeof(*lines))) == NULL ||
	    (out.lines = calloc(r.reply.n_nodes, sizeof(*out.lines))) == NULL)) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < r.reply.n_nodes; i++) {
		const Jixiao__Node *n = r.reply.nodes[i];
		Jixiao__BlameLine *l = &lines[i];
		uint64_t since;

		jixiao__blame_line__init(l);
		l->node = n->id;
		l->code = n->code;
		l->name = n->name;
		l->has_score = n->has_score;
		l->score = n->score;
		/* The oldest state in the run with today's score is the edit that set it. */
		if (history_since(c, r.ws->id, n->id, r.ws->revision, svc_history_same_score, n,
		    &since) != 0) {
			rpc_call_fail(c, JX_EINTERNAL, "the history of indicator %s cannot be read",
			    n->code);
			goto out;
		}
		if (since != 0 && history_state_at(c, r.ws->id, n->id, since,
		    &jixiao__node__descriptor, (ProtobufCMessage **)&then) == 0) {
			l->has_revision = 1;
			l->revision = since;
			l->user = then->updated_by != NULL ? strdup(then->updated_by) : NULL;
			l->has_time = then->has_updated_at;
			l->time = then->updated_at;
			jixiao__node__free_unpacked(then, NULL);
			then = NULL;
		}
		out.lines[out.n_lines++] = l;
	}
out:
	closure(&out, data);
	for (size_t i = 0; i < out.n_lines; i++)
		free(out.lines[i]->user);
	free(out.lines);
	free(lines);
	scoresheet_free(&r);
}

/* ---- Carry */

static void
svc_history_carry(Jixiao__History_Service *service, const Jixiao__CarryRequest *in,
    Jixiao__WorkspaceReply_Closure closure, void *data)
{
	Jixiao__WorkspaceReply out = JIXIAO__WORKSPACE_REPLY__INIT;
	Jixiao__Workspace ws = JIXIAO__WORKSPACE__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__AddNodeRequest *reqs = NULL, **ptrs = NULL;
	Jixiao__NodeRef *refs = NULL;
	uint64_t *lineages = NULL, id;
	struct scoresheet r;
	struct rpc_call *c = data;
	size_t n;

	if (scoresheet_load(c, in->workspace, 0, &r) != 0)
		goto out;
	if (in->to_year <= r.ws->fiscal_year || in->to_year > 2200) {
		rpc_call_fail(c, JX_EINVAL, "carry forward to a later fiscal year than %u",
		    r.ws->fiscal_year);
		goto out;
	}
	n = r.reply.n_nodes;
	if (n > 0 && ((reqs = calloc(n, sizeof(*reqs))) == NULL ||
	    (ptrs = calloc(n, sizeof(*ptrs))) == NULL ||
	    (refs = calloc(n, sizeof(*refs))) == NULL ||
	    (lineages = calloc(n, sizeof(*lineages))) == NULL)) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	/* The tree, weights, targets, criteria and methods; not actuals, scores, comments. */
	for (size_t i = 0; i < n; i++) {
		const Jixiao__Node *s = r.reply.nodes[i];
		Jixiao__AddNodeRequest *q = &reqs[i];

		jixiao__add_node_request__init(q);
		q->code = s->code;
		q->name = s->name;
		q->has_weight = s->has_weight;
		q->weight = s->weight;
		q->category = s->category;
		q->criteria = s->criteria;
		q->target = s->target;
		q->method = s->method;
		q->params = s->params;
		for (size_t k = 0; k < i && s->parent_id != 0; k++) {
			if (r.reply.nodes[k]->id == s->parent_id) {
				jixiao__node_ref__init(&refs[i]);
				refs[i].code = r.reply.nodes[k]->code;
				q->parent = &refs[i];
			}
		}
		lineages[i] = s->lineage != 0 ? s->lineage : s->id;
		ptrs[i] = q;
	}
	if (workspace_check_unique(c, r.ws->subject, in->to_year, r.ws->kind) != 0 ||
	    workspace_next_seq(c, "seq.workspace", &id) != 0)
		goto out;
	ws.id = id;
	ws.subject = r.ws->subject;
	ws.has_subject_id = r.ws->has_subject_id;
	ws.subject_id = r.ws->subject_id;
	ws.fiscal_year = in->to_year;
	ws.kind = r.ws->kind;
	ws.state = JIXIAO__WORKSPACE_STATE__ACTIVE;
	ws.title = r.ws->title;
	ws.department = r.ws->department;
	ws.unit = r.ws->unit;
	ws.goal = r.ws->goal;
	ws.lead = r.ws->lead;
	ws.template_id = r.ws->template_id;
	ws.has_template_version = r.ws->has_template_version;
	ws.template_version = r.ws->template_version;
	ws.has_created_at = 1;
	ws.created_at = rpc_call_now(c);
	ws.created_by = (char *)rpc_call_user(c);
	change.what = "workspace.carry";
	change.workspace_after = &ws;
	if (workspace_index_subject(c, &ws) != 0 || workspace_record(c, &ws, &change) != 0 ||
	    indicators_add_all(c, &ws, ptrs, n, lineages) != 0)
		goto out;
	out.workspace = &ws;
out:
	closure(&out, data);
	free(ws.head.data);
	free(reqs);
	free(ptrs);
	free(refs);
	free(lineages);
	scoresheet_free(&r);
}

/* ---- Trend */

struct svc_history_trend {
	struct rpc_call *c;
	const Jixiao__TrendRequest *in;
	uint64_t ids[TREND_MAX];
	uint32_t years[TREND_MAX], kinds[TREND_MAX];
	size_t n;
};

/* Keeps the newest workspace of each (year, kind): the index lists them by id. */
static int
svc_history_trend_one(void *arg, uint64_t ws, uint32_t year, uint32_t kind)
{
	struct svc_history_trend *t = arg;

	Jixiao__Workspace *w;
	uint8_t key[8];
	bool readable;

	if (t->in->has_kind && t->in->kind != 0 && kind != t->in->kind)
		return 0;
	/* Only the years the caller has a role in. */
	store_key_u64(key, ws);
	if (store_get_msg(rpc_call_txn(t->c), rpc_call_store(t->c), STORE_WORKSPACES, key,
	    sizeof(key), &jixiao__workspace__descriptor, (ProtobufCMessage **)&w) != 0)
		return 0;
	readable = policy_may_read(t->c, w);
	jixiao__workspace__free_unpacked(w, NULL);
	if (!readable)
		return 0;
	if (t->n > 0 && t->years[t->n - 1] == year && t->kinds[t->n - 1] == kind) {
		t->ids[t->n - 1] = ws;
		return 0;
	}
	if (t->n == TREND_MAX)
		return STORE_SCAN_STOP;
	t->ids[t->n] = ws;
	t->years[t->n] = year;
	t->kinds[t->n++] = kind;
	return 0;
}

static void
svc_history_trend(Jixiao__History_Service *service, const Jixiao__TrendRequest *in,
    Jixiao__TrendReply_Closure closure, void *data)
{
	Jixiao__TrendReply out = JIXIAO__TREND_REPLY__INIT;
	struct svc_history_trend t = { .c = data, .in = in };
	struct scoresheet sheets[TREND_MAX];
	Jixiao__TrendYear years[TREND_MAX], *yp[TREND_MAX];
	Jixiao__Node **level1[TREND_MAX] = { 0 };
	struct rpc_call *c = data;
	size_t loaded = 0;

	if (in->subject[0] == '\0') {
		rpc_call_fail(c, JX_EINVAL, "name the subject");
		goto out;
	}
	if (workspace_each_of_subject(c, in->subject, 0, 0, svc_history_trend_one, &t) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the workspaces of %.256s cannot be read",
		    in->subject);
		goto out;
	}
	if (t.n == 0) {
		rpc_call_fail(c, JX_ENOTFOUND, "no workspace evaluates %.256s", in->subject);
		goto out;
	}
	for (size_t i = 0; i < t.n; i++, loaded++) {
		struct scoresheet *s = &sheets[i];
		Jixiao__TrendYear *y = &years[i];
		size_t nl = 0;

		if (scoresheet_load(c, t.ids[i], 0, s) != 0) {
			loaded++;
			goto out;
		}
		jixiao__trend_year__init(y);
		y->workspace = s->ws;
		y->total = s->reply.total;
		/* A year with indicators still unscored has no grade yet. */
		y->grade = s->reply.unscored == 0 ? s->reply.grade : NULL;
		y->has_vetoed = 1;
		y->vetoed = s->reply.vetoed;
		y->budget = s->budget;
		if ((level1[i] = calloc(s->reply.n_nodes + 1, sizeof(**level1))) == NULL) {
			loaded++;
			rpc_call_fail(c, JX_EINTERNAL, "out of memory");
			goto out;
		}
		for (size_t k = 0; k < s->reply.n_nodes; k++) {
			Jixiao__Node *nd = s->reply.nodes[k];
			if (nd->depth == 1)
				level1[i][nl++] = nd;
			if (in->has_lineage && in->lineage != 0 &&
			    (nd->lineage == in->lineage || nd->id == in->lineage))
				y->indicator = nd;
		}
		y->level1 = level1[i];
		y->n_level1 = nl;
		yp[i] = y;
	}
	out.years = yp;
	out.n_years = t.n;
out:
	closure(&out, data);
	for (size_t i = 0; i < loaded; i++) {
		free(level1[i]);
		scoresheet_free(&sheets[i]);
	}
}

/* ---- Records */

struct svc_history_records_page {
	struct svc_history_page page;
	Jixiao__RecordsReply *out;
};

static int
svc_history_records_one(void *arg, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	struct svc_history_records_page *p = arg;
	int rv;

	if ((rv = svc_history_page_fits(&p->page, klen, vlen)) != 0)
		return rv;
	/* Borrowed from the read transaction, which outlives the reply. */
	p->out->records[p->out->n_records].data = (uint8_t *)val;
	p->out->records[p->out->n_records++].len = vlen;
	p->page.n++;
	return 0;
}

/* The records as stored, for archives: their hashes are over these very bytes. */
static void
svc_history_records(Jixiao__History_Service *service, const Jixiao__LogRequest *in,
    Jixiao__RecordsReply_Closure closure, void *data)
{
	Jixiao__RecordsReply out = JIXIAO__RECORDS_REPLY__INIT;
	struct svc_history_records_page p = { { 0 }, &out };
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	uint32_t limit = in->has_limit && in->limit != 0 && in->limit < LOG_MAX ? in->limit
										    : LOG_MAX;
	uint8_t key[16];

	p.page.limit = limit;
	p.page.room = rpc_call_max_reply(c) / 2;
	if (p.page.room > RECORDS_BYTES_MAX)
		p.page.room = RECORDS_BYTES_MAX;
	if (workspace_load(c, in->workspace, &ws) != 0)
		goto out;
	if ((out.records = calloc(limit, sizeof(*out.records))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	store_key_pair(key, ws->id, in->has_from && in->from != 0 ? in->from : 1);
	if (store_scan_from(rpc_call_txn(c), rpc_call_store(c), STORE_HISTORY, key, 8, key,
	    sizeof(key), svc_history_records_one, &p) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the history of workspace %" PRIu64 " cannot be "
		    "read", ws->id);
		goto out;
	}
	out.has_head_revision = 1;
	out.head_revision = ws->revision;
out:
	closure(&out, data);
	free(out.records);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

/* ---- Checkpoint */

static void
svc_history_checkpoint(Jixiao__History_Service *service, const Jixiao__GetWorkspaceRequest *in,
    Jixiao__CheckpointReply_Closure closure, void *data)
{
	Jixiao__CheckpointReply out = JIXIAO__CHECKPOINT_REPLY__INIT;
	struct rpc_call *c = data;
	struct auth *a = rpc_call_auth(c);
	Jixiao__Workspace *ws = NULL;
	char note[CHECKPOINT_MAX];

	if (workspace_load(c, in->workspace, &ws) != 0)
		goto out;
	if (a == NULL || !ws->has_head || ws->head.len != CHECKPOINT_HEAD_LEN ||
	    auth_checkpoint(a, ws->id, ws->revision, ws->head.data, note, sizeof(note)) != 0) {
		rpc_call_fail(c, JX_EUNAVAIL, "the server cannot sign a checkpoint of workspace %"
		    PRIu64 " right now", in->workspace);
		goto out;
	}
	out.note = note;
	out.server_key.data = (uint8_t *)auth_server_key(a);
	out.server_key.len = KEY_PUBLIC_LEN;
out:
	closure(rpc_call_code(c) == JX_OK ? &out : NULL, data);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static Jixiao__History_Service svc_history_service = JIXIAO__HISTORY__INIT(svc_history_);

const struct rpc_service svc_history = {
	.service = &svc_history_service.base,
};
