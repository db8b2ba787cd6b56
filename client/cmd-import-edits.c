/*
 * jx import edits WS FILE.xlsx: a 评分表 exported with jx export --for-editing, filled in
 * offline, turned back into edits. The file's hidden sheet names the revision it was
 * exported at; the values at that revision (the base) come from the server and must
 * hash to the file's digest. Each row's cells are compared with the base (yours) and
 * with the indicator now (theirs): a cell only you changed is applied, a cell changed on
 * both sides to different values is a conflict, and an indicator with a conflict is not
 * changed at all. Every edit goes to the server in one ApplyEdits call, one request id,
 * each at the revision it was merged against.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <sodium.h>

#include "cli.h"
#include "csv.h"
#include "decimal.h"
#include "err.h"
#include "export.h"
#include "table-file.h"
#include "text.h"
#include "xlsx.h"

enum edits_field { EF_NAME, EF_WEIGHT, EF_CRITERIA, EF_COMMENT, EF_SCORE, EF_N };

static const char *const edits_field_zh[EF_N] = { "指标名称", "分值", "评分标准", "评价情况",
	"评价得分" };
static const char *const edits_field_key[EF_N] = { "name", "weight", "criteria", "comment",
	"score" };

/* A field's value: text, or a number in hundredths (has = false: blank). */
struct edits_value {
	char *text;
	bool has;
	int64_t v;
};

struct edits_conflict {
	const Jixiao__Node *node; /* theirs */
	enum edits_field f;
	struct edits_value yours, theirs, base;
	const char *why; /* NULL: changed on both sides */
};

struct edits {
	struct cli *cli;
	uint64_t ws, rev;
	unsigned levels;
	uint8_t digest[EXPORT_EDIT_DIGEST_LEN];
	const struct csv *meta, *sheet;
	Jixiao__TreeReply *base, *now;
	Jixiao__UpdateNodeRequest *reqs, **reqp;
	size_t nreqs;
	Jixiao__AddNodeRequest *adds, **addp;
	size_t nadds;
	struct edits_conflict *conflicts;
	size_t nconflicts, cap;
	char **owned; /* strings the requests borrow */
	size_t nowned, ownedcap;
	size_t unchanged, deleted, newrows;
};

static const Jixiao__Node *
edits_find(const Jixiao__TreeReply *t, uint64_t id, size_t *idx)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		if (t->nodes[i]->id == id) {
			if (idx != NULL)
				*idx = i;
			return t->nodes[i];
		}
	}
	return NULL;
}

static bool
edits_is_leaf(const Jixiao__TreeReply *t, size_t i)
{
	return i + 1 >= t->n_nodes || t->nodes[i + 1]->depth <= t->nodes[i]->depth;
}

/* The value in the row named by meta's column-A label, or "". */
static const char *
edits_meta(const struct csv *meta, const char *label)
{
	for (size_t r = 0; r < csv_nrows(meta); r++)
		if (strcmp(csv_cell(meta, r, 0), label) == 0)
			return csv_cell(meta, r, 1);
	return "";
}

static bool
edits_uint(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	if (s[0] < '0' || s[0] > '9')
		return false;
	n = strtoull(s, &end, 10);
	if (*end != '\0')
		return false;
	*v = n;
	return true;
}

/* Trimmed copy of a cell. */
static char *
edits_trim(const char *s)
{
	const char *t;
	size_t len = csv_trim(s, &t);

	return strndup(t, len);
}

/* A number cell as the sheet shows it: blank, "4.5", "4.5分". */
static int
edits_number(const char *cell, struct edits_value *v)
{
	char buf[DEC_BUFSZ + 8];
	const char *t;
	size_t len = csv_trim(cell, &t);

	v->has = false;
	if (len == 0)
		return 0;
	if (len >= 3 && memcmp(t + len - 3, "分", 3) == 0)
		len -= 3;
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, t, len);
	buf[len] = '\0';
	if (dec_parse(buf, &v->v) != JX_OK)
		return -1;
	v->has = true;
	return 0;
}

/* A node's value of field f, as exported. */
static int
edits_node_value(const Jixiao__Node *n, enum edits_field f, struct edits_value *v)
{
	memset(v, 0, sizeof(*v));
	switch (f) {
	case EF_NAME:
		v->text = edits_trim(export_name(n));
		break;
	case EF_CRITERIA:
		v->text = edits_trim(n->criteria != NULL ? n->criteria : "");
		break;
	case EF_COMMENT: {
		char *c = export_comment(n);
		if (c == NULL)
			return -1;
		v->text = edits_trim(c);
		free(c);
		break;
	}
	case EF_WEIGHT:
		v->has = export_weight(n, &v->v);
		return 0;
	case EF_SCORE:
		v->has = export_score(n, &v->v);
		return 0;
	default:
		return -1;
	}
	return v->text != NULL ? 0 : -1;
}

static bool
edits_equal(enum edits_field f, const struct edits_value *a, const struct edits_value *b)
{
	if (f == EF_WEIGHT || f == EF_SCORE)
		return a->has == b->has && (!a->has || a->v == b->v);
	return strcmp(a->text, b->text) == 0;
}

static const char *
edits_show(enum edits_field f, const struct edits_value *v, char buf[DEC_BUFSZ])
{
	if (f == EF_WEIGHT || f == EF_SCORE)
		return v->has ? dec_format_short(v->v, buf) : "（空）";
	return v->text;
}

static void
edits_value_free(struct edits_value *v)
{
	free(v->text);
	v->text = NULL;
}

static int
edits_own(struct edits *e, char *s)
{
	if (e->nowned == e->ownedcap) {
		size_t ncap = e->ownedcap == 0 ? 64 : e->ownedcap * 2;
		char **n = realloc(e->owned, ncap * sizeof(*n));

		if (n == NULL) {
			free(s);
			return -1;
		}
		e->owned = n;
		e->ownedcap = ncap;
	}
	e->owned[e->nowned++] = s;
	return 0;
}

static int
edits_conflict(struct edits *e, const Jixiao__Node *node, enum edits_field f,
    struct edits_value *yours, struct edits_value *theirs, struct edits_value *base,
    const char *why)
{
	struct edits_conflict *c;

	if (e->nconflicts == e->cap) {
		size_t ncap = e->cap == 0 ? 16 : e->cap * 2;
		struct edits_conflict *n = realloc(e->conflicts, ncap * sizeof(*n));

		if (n == NULL)
			return -1;
		e->conflicts = n;
		e->cap = ncap;
	}
	c = &e->conflicts[e->nconflicts++];
	c->node = node;
	c->f = f;
	c->yours = *yours;
	c->theirs = *theirs;
	c->base = *base;
	c->why = why;
	memset(yours, 0, sizeof(*yours));
	memset(theirs, 0, sizeof(*theirs));
	memset(base, 0, sizeof(*base));
	return 0;
}

/* The sheet's cell for field f of a leaf at depth d in row r. */
static const char *
edits_cell(const struct edits *e, size_t r, enum edits_field f, unsigned depth)
{
	switch (f) {
	case EF_NAME:
		return csv_cell(e->sheet, r, depth - 1);
	case EF_WEIGHT:
		return csv_cell(e->sheet, r, EXPORT_COL_WEIGHT(e->levels));
	case EF_CRITERIA:
		return csv_cell(e->sheet, r, EXPORT_COL_CRITERIA(e->levels));
	case EF_COMMENT:
		return csv_cell(e->sheet, r, EXPORT_COL_COMMENT(e->levels));
	case EF_SCORE:
		return csv_cell(e->sheet, r, EXPORT_COL_SCORE(e->levels));
	default:
		return "";
	}
}

static int
edits_yours(const struct edits *e, size_t r, enum edits_field f, unsigned depth,
    struct edits_value *v)
{
	const char *cell = edits_cell(e, r, f, depth);

	memset(v, 0, sizeof(*v));
	if (f == EF_WEIGHT || f == EF_SCORE)
		return edits_number(cell, v);
	return (v->text = edits_trim(cell)) != NULL ? 0 : -1;
}

/* Sets field f of the request to v. */
static int
edits_set(struct edits *e, Jixiao__UpdateNodeRequest *q, enum edits_field f,
    const struct edits_value *v)
{
	char *s = NULL;

	if (f != EF_WEIGHT && f != EF_SCORE) {
		if ((s = strdup(v->text)) == NULL || edits_own(e, s) != 0)
			return -1;
	}
	switch (f) {
	case EF_NAME:
		q->name = s;
		break;
	case EF_CRITERIA:
		q->criteria = s;
		break;
	case EF_COMMENT:
		q->comment = s;
		break;
	case EF_WEIGHT:
		if (!v->has)
			return 1;
		q->has_weight = 1;
		q->weight = v->v;
		break;
	case EF_SCORE:
		if (v->has) {
			q->has_score = 1;
			q->score = v->v;
		} else {
			q->clear_score = 1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/*
 * One row the file maps to indicator id: the cells you changed, merged with the
 * indicator as it is now. Adds an edit, or conflicts, or nothing.
 */
static int
edits_row(struct edits *e, size_t r, const Jixiao__Node *base)
{
	const Jixiao__Node *now = edits_find(e->now, base->id, NULL);
	Jixiao__UpdateNodeRequest *q = &e->reqs[e->nreqs];
	struct edits_value yours, theirs, bv;
	size_t first = e->nconflicts;
	bool any = false;

	jixiao__update_node_request__init(q);
	for (int f = 0; f < EF_N; f++) {
		memset(&theirs, 0, sizeof(theirs));
		if (edits_yours(e, r, f, base->depth, &yours) != 0) {
			return cli_error(EX_DATAERR, "第 %zu 行「%s」：“%s”不是数字 / row %zu "
			    "(%s): not a number", csv_line(e->sheet, r), edits_field_zh[f],
			    edits_cell(e, r, f, base->depth), csv_line(e->sheet, r),
			    edits_field_key[f]);
		}
		if (edits_node_value(base, f, &bv) != 0) {
			edits_value_free(&yours);
			return cli_error(EX_OSERR, "out of memory");
		}
		if (edits_equal(f, &yours, &bv)) {
			edits_value_free(&yours);
			edits_value_free(&bv);
			continue;
		}
		if (now == NULL) {
			if (edits_conflict(e, base, f, &yours, &theirs, &bv,
			    "removed on the server / 服务器上已删除") != 0)
				return cli_error(EX_OSERR, "out of memory");
			continue;
		}
		if (edits_node_value(now, f, &theirs) != 0)
			return cli_error(EX_OSERR, "out of memory");
		if (f == EF_SCORE && now->computed) {
			if (edits_conflict(e, now, f, &yours, &theirs, &bv,
			    "scored by its method / 由评分方法计算") != 0)
				return cli_error(EX_OSERR, "out of memory");
			continue;
		}
		if (f == EF_WEIGHT && !yours.has) {
			if (edits_conflict(e, now, f, &yours, &theirs, &bv,
			    "a weight cannot be blank / 分值不能为空") != 0)
				return cli_error(EX_OSERR, "out of memory");
			continue;
		}
		if (now->revision != base->revision && !edits_equal(f, &theirs, &bv)) {
			if (edits_equal(f, &theirs, &yours)) {
				/* The server already holds what you wrote. */
				edits_value_free(&yours);
				edits_value_free(&theirs);
				edits_value_free(&bv);
				continue;
			}
			if (edits_conflict(e, now, f, &yours, &theirs, &bv, NULL) != 0)
				return cli_error(EX_OSERR, "out of memory");
			continue;
		}
		if (edits_set(e, q, f, &yours) < 0)
			return cli_error(EX_OSERR, "out of memory");
		any = true;
		edits_value_free(&yours);
		edits_value_free(&theirs);
		edits_value_free(&bv);
	}
	/* Nothing half-applied: an indicator with a conflict keeps all its cells. */
	if (e->nconflicts > first || !any) {
		if (!any && e->nconflicts == first)
			e->unchanged++;
		return 0;
	}
	q->workspace = e->ws;
	q->node = malloc(sizeof(*q->node));
	if (q->node == NULL || edits_own(e, (char *)q->node) != 0)
		return cli_error(EX_OSERR, "out of memory");
	jixiao__node_ref__init(q->node);
	q->node->has_id = 1;
	q->node->id = now->id;
	q->base_revision = now->revision;
	e->reqp[e->nreqs++] = q;
	return 0;
}

/* A row without an id in the table: a new indicator beside the row above (or below). */
static int
edits_new_row(struct edits *e, size_t r, const Jixiao__Node *above, bool add)
{
	Jixiao__AddNodeRequest *a = &e->adds[e->nadds];
	struct edits_value w, s;
	char *name = NULL;
	int c;

	for (c = (int)e->levels - 1; c >= 0; c--)
		if (!csv_blank(csv_cell(e->sheet, r, (size_t)c)))
			break;
	if (c < 0)
		return 0;
	e->newrows++;
	if (!add) {
		fprintf(stderr, "jx: 第 %zu 行是新增的「%s」：未添加（加 --add 才会添加）/ row %zu is "
		    "new (%s): not added without --add\n", csv_line(e->sheet, r),
		    csv_cell(e->sheet, r, (size_t)c), csv_line(e->sheet, r),
		    csv_cell(e->sheet, r, (size_t)c));
		return 0;
	}
	if (above == NULL)
		return cli_error(EX_DATAERR, "第 %zu 行：新增的行上面没有指标，不知道它属于哪一级 / "
		    "row %zu: a new row needs an indicator above it to find its parent",
		    csv_line(e->sheet, r), csv_line(e->sheet, r));
	if (edits_number(csv_cell(e->sheet, r, EXPORT_COL_WEIGHT(e->levels)), &w) != 0 ||
	    !w.has || edits_number(csv_cell(e->sheet, r, EXPORT_COL_SCORE(e->levels)), &s) != 0)
		return cli_error(EX_DATAERR, "第 %zu 行：新增的指标需要数字的分值和得分 / row %zu: "
		    "a new indicator needs a numeric weight (and score, if any)",
		    csv_line(e->sheet, r), csv_line(e->sheet, r));
	jixiao__add_node_request__init(a);
	a->workspace = e->ws;
	if ((name = edits_trim(csv_cell(e->sheet, r, (size_t)c))) == NULL || edits_own(e, name) != 0)
		return cli_error(EX_OSERR, "out of memory");
	a->name = name;
	a->has_weight = 1;
	a->weight = w.v;
	if (s.has) {
		a->has_score = 1;
		a->score = s.v;
	}
	if ((a->criteria = edits_trim(csv_cell(e->sheet, r, EXPORT_COL_CRITERIA(e->levels)))) ==
		NULL || edits_own(e, a->criteria) != 0 ||
	    (a->comment = edits_trim(csv_cell(e->sheet, r, EXPORT_COL_COMMENT(e->levels)))) ==
		NULL || edits_own(e, a->comment) != 0)
		return cli_error(EX_OSERR, "out of memory");
	if (above->parent_id != 0) {
		if ((a->parent = malloc(sizeof(*a->parent))) == NULL ||
		    edits_own(e, (char *)a->parent) != 0)
			return cli_error(EX_OSERR, "out of memory");
		jixiao__node_ref__init(a->parent);
		a->parent->has_id = 1;
		a->parent->id = above->parent_id;
	}
	e->addp[e->nadds++] = a;
	return 0;
}

/* The hidden sheet: the workspace, revision, levels and digest, checked. */
static int
edits_read_meta(struct edits *e, const char *path)
{
	uint64_t ws, rev, levels;
	const char *hex = edits_meta(e->meta, "digest");
	size_t binlen = 0;

	if (strcmp(edits_meta(e->meta, "magic"), EXPORT_EDIT_MAGIC) != 0 ||
	    !edits_uint(edits_meta(e->meta, "workspace"), &ws) ||
	    !edits_uint(edits_meta(e->meta, "revision"), &rev) ||
	    !edits_uint(edits_meta(e->meta, "levels"), &levels) || levels < 3 ||
	    levels > EXPORT_LEVELS_MAX ||
	    sodium_hex2bin(e->digest, sizeof(e->digest), hex, strlen(hex), NULL, &binlen, NULL) !=
		0 ||
	    binlen != sizeof(e->digest))
		return cli_error(EX_DATAERR, "%s: 隐藏的「%s」工作表不完整或被改动过 / the hidden "
		    "sheet %s is incomplete or was altered", path, EXPORT_EDIT_SHEET,
		    EXPORT_EDIT_SHEET);
	if (ws != e->ws)
		return cli_error(EX_DATAERR, "%s 是工作区 %" PRIu64 " 导出的，不是 %" PRIu64 " / %s "
		    "was exported from workspace %" PRIu64 ", not %" PRIu64, path, ws, e->ws, path,
		    ws, e->ws);
	e->rev = rev;
	e->levels = (unsigned)levels;
	return 0;
}

/* The base: the tree at the revision exported, which must hash to the file's digest. */
static int
edits_check_base(struct edits *e, const char *path)
{
	struct export_sheet s = { 0 };
	uint8_t d[EXPORT_EDIT_DIGEST_LEN];
	char why[EXPORT_WHY_MAX];
	size_t k = 0, row;

	if (export_sheet_init(&s, e->base, why, sizeof(why)) != JX_OK) {
		export_sheet_free(&s);
		return cli_error(EX_PROTOCOL, "%s", why);
	}
	if (export_edit_digest(&s, d) != JX_OK || export_levels(&s) != e->levels ||
	    sodium_memcmp(d, e->digest, sizeof(d)) != 0) {
		export_sheet_free(&s);
		return cli_error(EX_DATAERR, "%s: 隐藏的编号或摘要与第 %" PRIu64 " 版不符（被改动过？）"
		    " / the hidden ids or digest do not match revision %" PRIu64 " (altered?)",
		    path, e->rev, e->rev);
	}
	/* The list of leaves in the hidden sheet is the base's. */
	for (row = 0; row < csv_nrows(e->meta); row++)
		if (strcmp(csv_cell(e->meta, row, 0), "id") == 0)
			break;
	for (size_t i = 0; i < s.n; i++) {
		uint64_t id, rev;

		if (s.nodes[i].nchildren > 0)
			continue;
		if (++row >= csv_nrows(e->meta) || !edits_uint(csv_cell(e->meta, row, 0), &id) ||
		    !edits_uint(csv_cell(e->meta, row, 1), &rev) || id != s.nodes[i].node->id ||
		    rev != s.nodes[i].node->revision) {
			export_sheet_free(&s);
			return cli_error(EX_DATAERR, "%s: 隐藏的指标列表被改动过 / the hidden list of "
			    "indicators was altered", path);
		}
		k++;
	}
	export_sheet_free(&s);
	return 0;
}

static void
edits_print(const struct edits *e, bool dry, const Jixiao__ApplyEditsReply *out)
{
	char a[DEC_BUFSZ], b[DEC_BUFSZ], c[DEC_BUFSZ];

	if (e->cli->json) {
		struct out_json *j = out_json_new(stdout);

		out_json_object(j, NULL);
		out_json_uint(j, "workspace", e->ws);
		out_json_uint(j, "exported_at", e->rev);
		out_json_bool(j, "dry_run", dry);
		out_json_uint(j, "edits", e->nreqs);
		out_json_uint(j, "applied", out != NULL ? out->n_applied : 0);
		out_json_uint(j, "added", out != NULL ? out->n_added : 0);
		out_json_uint(j, "unchanged", e->unchanged);
		out_json_uint(j, "deleted_rows", e->deleted);
		out_json_uint(j, "new_rows", e->newrows);
		out_json_array(j, "conflicts");
		for (size_t i = 0; i < e->nconflicts; i++) {
			const struct edits_conflict *k = &e->conflicts[i];

			out_json_object(j, NULL);
			out_json_string(j, "code", k->node->code);
			out_json_string(j, "field", edits_field_key[k->f]);
			out_json_string(j, "yours", edits_show(k->f, &k->yours, a));
			out_json_string(j, "theirs", k->theirs.text != NULL || k->f == EF_WEIGHT ||
			    k->f == EF_SCORE ? edits_show(k->f, &k->theirs, b) : "");
			out_json_string(j, "base", edits_show(k->f, &k->base, c));
			if (k->why != NULL)
				out_json_string(j, "why", k->why);
			out_json_end(j);
		}
		out_json_end(j);
		if (out != NULL) {
			out_json_array(j, "stale");
			for (size_t i = 0; i < out->n_stale; i++)
				out_json_string(j, NULL, out->stale[i]->code);
			out_json_end(j);
			out_json_uint(j, "workspace_revision", out->workspace_revision);
		}
		out_json_free(j);
		return;
	}
	for (size_t i = 0; i < e->nreqs; i++) {
		const Jixiao__Node *n = edits_find(e->now, e->reqp[i]->node->id, NULL);

		printf("%s %s %s\n", dry ? "would change" : "changes", n->code, export_name(n));
	}
	for (size_t i = 0; i < e->nconflicts; i++) {
		const struct edits_conflict *k = &e->conflicts[i];

		printf("conflict %s %s「%s」: yours %s, theirs %s, base %s%s%s\n", k->node->code,
		    export_name(k->node), edits_field_zh[k->f], edits_show(k->f, &k->yours, a),
		    k->theirs.text != NULL || k->f == EF_WEIGHT || k->f == EF_SCORE ?
		    edits_show(k->f, &k->theirs, b) : "—", edits_show(k->f, &k->base, c),
		    k->why != NULL ? " — " : "", k->why != NULL ? k->why : "");
	}
	for (size_t i = 0; out != NULL && i < out->n_stale; i++)
		printf("conflict %s: changed on the server while importing; not applied, import "
		       "again\n", out->stale[i]->code);
	if (dry)
		printf("Dry run: %zu indicators would change, %zu new rows, %zu conflicts; nothing "
		       "was sent.\n", e->nreqs, e->nadds, e->nconflicts);
	else
		printf("Applied %zu edits and %zu new indicators to workspace %" PRIu64 " (revision "
		       "%" PRIu64 "); %zu conflicts left as they were.\n",
		    out != NULL ? out->n_applied : 0, out != NULL ? out->n_added : 0, e->ws,
		    out != NULL ? out->workspace_revision : 0,
		    e->nconflicts + (out != NULL ? out->n_stale : 0));
}

static void
edits_free(struct edits *e)
{
	for (size_t i = 0; i < e->nconflicts; i++) {
		edits_value_free(&e->conflicts[i].yours);
		edits_value_free(&e->conflicts[i].theirs);
		edits_value_free(&e->conflicts[i].base);
	}
	free(e->conflicts);
	for (size_t i = 0; i < e->nowned; i++)
		free(e->owned[i]);
	free(e->owned);
	free(e->reqs);
	free(e->reqp);
	free(e->adds);
	free(e->addp);
	jixiao__tree_reply__free_unpacked(e->base, NULL);
	jixiao__tree_reply__free_unpacked(e->now, NULL);
}

static const struct cli_command edits_command = { "edits", cmd_import_edits,
	"jx import edits WS FILE.xlsx [--dry-run] [--add]",
	"Brings back a 评分表 exported with 'jx export WS --format xlsx --for-editing' and\n"
	"filled in offline: every cell changed in the file becomes an edit of its indicator at\n"
	"the revision it was exported at. Cells also changed on the server since are\n"
	"conflicts, shown with your value, theirs and the one exported, and such an\n"
	"indicator is left as it is; all the edits go in one call, so resending applies\n"
	"nothing twice. After a submission, give --reason like for any edit." };

int
cmd_import_edits(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "add", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__GetTreeRequest tin = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__ApplyEditsRequest in = JIXIAO__APPLY_EDITS_REQUEST__INIT;
	Jixiao__ApplyEditsReply *out = NULL;
	struct edits e = { .cli = cli };
	struct csv *meta = NULL, *sheet = NULL;
	struct xlsx *x = NULL;
	const Jixiao__Node *above = NULL;
	const char *path;
	char *data = NULL, why[XLSX_WHY_MAX];
	bool dry = false, add = false, *seen = NULL;
	size_t len = 0, msheet = SIZE_MAX;
	int c, rv, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "nah", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			dry = true;
			break;
		case 'a':
			add = true;
			break;
		case 'h':
			cli_help(&edits_command, "  --dry-run  show what would change and the conflicts; "
			    "send nothing\n  --add      add rows new in the file as indicators (under "
			    "the parent of the row above)\n\nRows deleted in the file are reported, "
			    "never deleted: use jx node rm.\n");
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("usage: %s", edits_command.usage);
	if (cli_parse_id(argv[optind], "the workspace", &e.ws) != 0)
		return EX_USAGE;
	path = argv[optind + 1];
	if ((rv = table_file_load(path, XLSX_MAX_FILE, &data, &len)) != 0)
		return rv;
	if ((err = xlsx_open(data, len, &x, why, sizeof(why))) != JX_OK) {
		rv = err == JX_EINTERNAL ? cli_error(EX_OSERR, "out of memory") :
					   cli_error(EX_DATAERR, "%s: %s", path, why);
		goto out;
	}
	for (size_t i = 0; i < xlsx_nsheets(x); i++)
		if (strcmp(xlsx_sheet_name(x, i), EXPORT_EDIT_SHEET) == 0)
			msheet = i;
	if (msheet == SIZE_MAX) {
		rv = cli_error(EX_DATAERR, "%s 不是用 jx export --for-editing 导出的（没有隐藏的「%s」"
		    "工作表）/ %s was not exported with --for-editing; import a new sheet with "
		    "jx import sheet", path, EXPORT_EDIT_SHEET, path);
		goto out;
	}
	if ((err = xlsx_sheet(x, msheet, &meta, why, sizeof(why))) != JX_OK ||
	    (err = xlsx_sheet(x, 0, &sheet, why, sizeof(why))) != JX_OK) {
		rv = err == JX_EINTERNAL ? cli_error(EX_OSERR, "out of memory") :
					   cli_error(EX_DATAERR, "%s: %s", path, why);
		goto out;
	}
	e.meta = meta;
	e.sheet = sheet;
	if ((rv = edits_read_meta(&e, path)) != 0)
		goto out;
	tin.workspace = e.ws;
	tin.has_at = 1;
	tin.at = e.rev;
	if ((rv = cli_call(cli, &jixiao__tree__descriptor, "GetTree", &tin.base,
	    (ProtobufCMessage **)&e.base)) != 0)
		goto out;
	if ((rv = edits_check_base(&e, path)) != 0)
		goto out;
	tin.has_at = 0;
	tin.at = 0;
	if ((rv = cli_call(cli, &jixiao__tree__descriptor, "GetTree", &tin.base,
	    (ProtobufCMessage **)&e.now)) != 0)
		goto out;
	if ((e.reqs = calloc(e.base->n_nodes + 1, sizeof(*e.reqs))) == NULL ||
	    (e.reqp = calloc(e.base->n_nodes + 1, sizeof(*e.reqp))) == NULL ||
	    (e.adds = calloc(csv_nrows(sheet) + 1, sizeof(*e.adds))) == NULL ||
	    (e.addp = calloc(csv_nrows(sheet) + 1, sizeof(*e.addp))) == NULL ||
	    (seen = calloc(e.base->n_nodes + 1, sizeof(*seen))) == NULL) {
		rv = cli_error(EX_OSERR, "out of memory");
		goto out;
	}
	/* A new row takes the parent of the row above it, or else of the first row below. */
	for (size_t r = 0; r < csv_nrows(sheet) && above == NULL; r++) {
		uint64_t id;

		if (csv_line(sheet, r) > 4 &&
		    edits_uint(csv_cell(sheet, r, EXPORT_COL_ID(e.levels)), &id))
			above = edits_find(e.base, id, NULL);
	}
	/* The table: from the column headers (row 4) to the 合计 row. */
	for (size_t r = 0; r < csv_nrows(sheet); r++) {
		const char *idcell = csv_cell(sheet, r, EXPORT_COL_ID(e.levels));
		const Jixiao__Node *base;
		uint64_t id;
		size_t idx;

		if (csv_line(sheet, r) <= 4)
			continue;
		if (strcmp(csv_cell(sheet, r, 0), "合计") == 0)
			break;
		if (strcmp(csv_cell(sheet, r, 1), "小计") == 0)
			continue;
		if (csv_blank(idcell)) {
			if ((rv = edits_new_row(&e, r, above, add)) != 0)
				goto out;
			continue;
		}
		if (!edits_uint(idcell, &id) || (base = edits_find(e.base, id, &idx)) == NULL ||
		    !edits_is_leaf(e.base, idx) || seen[idx]) {
			rv = cli_error(EX_DATAERR, "%s: 第 %zu 行的隐藏编号“%s”无效或重复 / row %zu: the "
			    "hidden id \"%s\" is not valid or repeated", path, csv_line(sheet, r), idcell,
			    csv_line(sheet, r), idcell);
			goto out;
		}
		seen[idx] = true;
		above = base;
		if ((rv = edits_row(&e, r, base)) != 0)
			goto out;
	}
	for (size_t i = 0; i < e.base->n_nodes; i++) {
		if (seen[i] || !edits_is_leaf(e.base, i))
			continue;
		e.deleted++;
		fprintf(stderr, "jx: 文件里删掉了 %s「%s」：未删除（要删除请用 jx node rm）/ %s was "
		    "deleted in the file: not deleted (use jx node rm)\n", e.base->nodes[i]->code,
		    export_name(e.base->nodes[i]), e.base->nodes[i]->code);
	}
	if (!dry && e.nreqs + e.nadds > 0) {
		in.workspace = e.ws;
		in.edits = e.reqp;
		in.n_edits = e.nreqs;
		in.added = e.addp;
		in.n_added = e.nadds;
		if ((rv = cli_call(cli, &jixiao__tree__descriptor, "ApplyEdits", &in.base,
		    (ProtobufCMessage **)&out)) != 0)
			goto out;
	}
	edits_print(&e, dry, out);
	if (e.nconflicts > 0 || (out != NULL && out->n_stale > 0))
		rv = EX_TEMPFAIL;
out:
	jixiao__apply_edits_reply__free_unpacked(out, NULL);
	free(seen);
	edits_free(&e);
	csv_free(meta);
	csv_free(sheet);
	xlsx_free(x);
	free(data);
	return rv;
}
