#include "export.h"

#include "target.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "budget.h"
#include "key.h"
#include "kind.h"
#include "err.h"

int
export_sheet_init(struct export_sheet *s, const Jixiao__TreeReply *t, char *why, size_t whylen)
{
	size_t path[EXPORT_LEVELS_MAX] = { 0 };

	memset(s, 0, sizeof(*s));
	s->tree = t;
	if (t->workspace == NULL) {
		snprintf(why, whylen, "the server's reply holds no workspace");
		return JX_EINVAL;
	}
	if (t->n_nodes == 0)
		return JX_OK;
	if ((s->nodes = calloc(t->n_nodes, sizeof(*s->nodes))) == NULL)
		return JX_EINTERNAL;
	s->n = t->n_nodes;
	for (size_t i = 0; i < s->n; i++) {
		const Jixiao__Node *n = t->nodes[i];
		struct export_node *e = &s->nodes[i];
		unsigned prev = i == 0 ? 0 : s->nodes[i - 1].depth;

		if (!n->has_depth || n->depth < 1 || n->depth > prev + 1) {
			snprintf(why, whylen,
			    "the server's tree is not in depth-first order "
			    "(indicator %s)",
			    n->code);
			return JX_EINVAL;
		}
		if (n->depth > EXPORT_LEVELS_MAX) {
			snprintf(why, whylen,
			    "indicator %s is %u levels deep; an export takes at "
			    "most %d",
			    n->code, n->depth, EXPORT_LEVELS_MAX);
			return JX_EPRECOND;
		}
		e->node = n;
		e->depth = n->depth;
		e->parent = n->depth == 1 ? EXPORT_ROOT : path[n->depth - 2];
		if (e->parent != EXPORT_ROOT && s->nodes[e->parent].node->id != n->parent_id) {
			snprintf(why, whylen,
			    "the server's tree names the wrong parent for "
			    "indicator %s",
			    n->code);
			return JX_EINVAL;
		}
		if (e->parent != EXPORT_ROOT)
			s->nodes[e->parent].nchildren++;
		path[n->depth - 1] = i;
		if (n->depth > s->depth)
			s->depth = n->depth;
	}
	/* From the end: a subtree ends where its last child's does; leaves count upwards. */
	for (size_t i = s->n; i-- > 0;) {
		struct export_node *e = &s->nodes[i];

		if (e->nchildren == 0) {
			e->end = i + 1;
			e->nleaves = 1;
		}
		if (e->parent != EXPORT_ROOT) {
			struct export_node *p = &s->nodes[e->parent];

			if (p->end < e->end)
				p->end = e->end;
			p->nleaves += e->nleaves;
		}
	}
	return JX_OK;
}

void
export_sheet_free(struct export_sheet *s)
{
	free(s->nodes);
	memset(s, 0, sizeof(*s));
}

unsigned
export_levels(const struct export_sheet *s)
{
	return s->depth < 3 ? 3 : s->depth;
}

const char *
export_name(const Jixiao__Node *n)
{
	return n->name != NULL && n->name[0] != '\0' ? n->name : "（未命名指标）";
}

const char *
export_unit(const Jixiao__Workspace *ws)
{
	if (ws->unit != NULL && ws->unit[0] != '\0')
		return ws->unit;
	if (ws->department != NULL && ws->department[0] != '\0')
		return ws->department;
	return "";
}

const char *
export_sheet_title(const Jixiao__Workspace *ws, char *buf, size_t len)
{
	snprintf(buf, len, "%u 年度%s评分表", ws->fiscal_year, kind_zh(ws->kind));
	return buf;
}

const char *
export_zh_number(unsigned v, char *buf, size_t len)
{
	static const char *const digit[] = { "零", "一", "二", "三", "四", "五", "六", "七", "八",
		"九" };

	if (v == 0 || v >= 100)
		snprintf(buf, len, "%u", v);
	else if (v < 10)
		snprintf(buf, len, "%s", digit[v]);
	else
		snprintf(buf, len, "%s十%s", v >= 20 ? digit[v / 10] : "",
		    v % 10 != 0 ? digit[v % 10] : "");
	return buf;
}

const char *
export_level_header(unsigned level, char *buf, size_t len)
{
	char zh[32];

	snprintf(buf, len, "%s级指标", export_zh_number(level, zh, sizeof(zh)));
	return buf;
}

bool
export_score(const Jixiao__Node *n, int64_t *v)
{
	if (n->unscored != 0 && n->total == 0)
		return false;
	*v = n->total;
	return true;
}

bool
export_weight(const Jixiao__Node *n, int64_t *v)
{
	if (!n->has_weight)
		return false;
	*v = n->weight;
	return true;
}

bool
export_rate(int64_t score, int64_t weight, int64_t *tenths)
{
	int64_t num, q, r;

	if (weight <= 0 || score > DEC_MAX || score < -DEC_MAX)
		return false;
	num = score * 1000;
	q = num / weight;
	r = num % weight;
	/* Half away from zero: compare twice the remainder with the divisor. */
	if (r < 0 ? -r * 2 >= weight : r * 2 >= weight)
		q += r < 0 ? -1 : 1;
	*tenths = q;
	return true;
}

const char *
export_rate_text(int64_t score, int64_t weight, char buf[DEC_BUFSZ])
{
	int64_t t;

	if (!export_rate(score, weight, &t)) {
		snprintf(buf, DEC_BUFSZ, "—");
		return buf;
	}
	snprintf(buf, DEC_BUFSZ, "%s%" PRId64 ".%" PRId64 "%%", t < 0 ? "-" : "",
	    (t < 0 ? -t : t) / 10, (t < 0 ? -t : t) % 10);
	return buf;
}

const char *
export_wan(int64_t fen, char buf[DEC_BUFSZ])
{
	int64_t h;

	if (budget_fen_to_wan(fen, &h) != 0) {
		snprintf(buf, DEC_BUFSZ, "?");
		return buf;
	}
	return dec_format(h, buf);
}

const char *
export_grade(const Jixiao__TreeReply *t)
{
	/* Per thread: jixiaod writes exports too. */
	static _Thread_local char buf[128];
	const char *g = t->grade != NULL && t->grade[0] != '\0' ? t->grade : "—";

	if (t->has_grade_final ? t->grade_final : t->unscored == 0)
		return g;
	snprintf(buf, sizeof(buf), "%s（暂定：尚有指标未评分）", g);
	return buf;
}

bool
export_target_flagged(const Jixiao__Node *n)
{
	return target_text_flagged(n->target);
}

const Jixiao__FindingKind export_finding_order[EXPORT_FINDING_KINDS] = {
	JIXIAO__FINDING_KIND__EXPERIENCE,
	JIXIAO__FINDING_KIND__PROBLEM,
	JIXIAO__FINDING_KIND__RECOMMENDATION,
};

const char *
export_finding_heading(Jixiao__FindingKind kind)
{
	switch (kind) {
	case JIXIAO__FINDING_KIND__EXPERIENCE:
		return "主要经验做法";
	case JIXIAO__FINDING_KIND__PROBLEM:
		return "存在问题";
	case JIXIAO__FINDING_KIND__RECOMMENDATION:
		return "相关建议";
	default:
		return "其他";
	}
}

size_t
export_findings_count(const struct export_sheet *s, Jixiao__FindingKind kind)
{
	size_t n = 0;

	if (s->findings == NULL)
		return 0;
	for (size_t i = 0; i < s->findings->n_findings; i++)
		if (kind == 0 || s->findings->findings[i]->kind == kind)
			n++;
	return n;
}

size_t
export_evidence_count(const struct export_sheet *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->nodes[i].node->n_evidence;
	return n;
}

const char *
export_hash_hex(const Jixiao__Evidence *e, char buf[EXPORT_HASH_HEX])
{
	static const char digits[] = "0123456789abcdef";
	size_t n = e->hash.len < 32 ? e->hash.len : 32;

	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = digits[e->hash.data[i] >> 4];
		buf[2 * i + 1] = digits[e->hash.data[i] & 15];
	}
	buf[2 * n] = '\0';
	return buf;
}

void
export_signer(const Jixiao__Workspace *ws, size_t i, struct export_signer *out)
{
	const Jixiao__Signature *sg = ws->signatures[i];
	static const char digits[] = "0123456789abcdef";
	size_t n = sg->digest.len < 32 ? sg->digest.len : 32;
	struct tm tm;
	time_t t;

	memset(out, 0, sizeof(*out));
	out->role = strcmp(sg->kind, "submit") == 0 ? "签字提交 / submitted" :
						      "复核签字 / signed off";
	out->user = sg->user;
	out->revision = sg->revision;
	if (sg->public_key.len == KEY_PUBLIC_LEN)
		key_fingerprint(sg->public_key.data, out->fingerprint);
	else
		snprintf(out->fingerprint, sizeof(out->fingerprint), "?");
	for (size_t k = 0; k < n; k++) {
		out->digest[2 * k] = digits[sg->digest.data[k] >> 4];
		out->digest[2 * k + 1] = digits[sg->digest.data[k] & 15];
	}
	out->digest[2 * n] = '\0';
	t = (time_t)sg->time;
	if (sg->has_time && gmtime_r(&t, &tm) != NULL)
		strftime(out->date, sizeof(out->date), "%Y-%m-%d %H:%M UTC", &tm);
}

bool
export_final(const Jixiao__Workspace *ws)
{
	return ws->has_phase && ws->phase == JIXIAO__PHASE__PHASE_FINAL;
}

const char *
export_unsigned_note(const Jixiao__Workspace *ws)
{
	if (export_final(ws))
		return NULL;
	if (ws->has_phase && ws->phase != JIXIAO__PHASE__PHASE_DRAFT)
		return "已提交，尚未复核签字（submitted, not signed off）";
	return "草稿——未签字（draft — not signed）";
}

const char *
export_none(const Jixiao__Workspace *ws)
{
	return export_final(ws) ? "无。" : "尚未录入。";
}
