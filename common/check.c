#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "decimal.h"
#include "err.h"
#include "method.h"
#include "score.h"
#include "target.h"

/* A node's place in the tree and its subtotal, worked out before the rules run. */
struct check_info {
	size_t first, last, next; /* first and last child, next sibling; CHECK_ROOT: none */
	size_t npersonal;         /* personalised children */
	bool has_sum;             /* every child has a score or a stated subtotal */
	int64_t sum;              /* Σ of the children's shown scores */
	bool in_benefit;          /* the node or an ancestor is a 效益 group */
};

struct check_ctx {
	const struct check_input *in;
	struct check_info *info;
	size_t first_root, last_root;
	const char *kind; /* the running rule's */
	struct check_warning *w;
	size_t n, cap, limit, dropped;
	int err;
	char label[192]; /* check_label()'s */
	char quote[192]; /* check_quote()'s */
};

/* Longest name or quoted text put in a sentence, in bytes, before "…". */
#define CHECK_CLIP 120

/*
 * Critical wording in a comment. "问题" is not one: seed 002's full-mark comments use it
 * neutrally ("分析项目存在的问题", "对…产生的问题进行修复").
 */
static const char *const check_critical_words[] = { "不一致", "未见", "缺少", "缺乏", "不完整",
	"不齐全", "未按", "未及时", "不及时", "不规范", "不足", "偏差", "未提供", "未设置",
	"未明确", "不明确", "不准确", "不清晰", "有待", "滞后", "缺陷", "未能", "差异", "延迟",
	"未开展", "未达到", "未完成" };

/* A clause holding one of these is not critical: "未发现存在…不规范的情况". */
static const char *const check_negations[] = { "未发现", "没有发现", "不存在" };

/* What ends a clause. */
static const char *const check_delims[] = { "，", "。", "；", "：", "！", "？", ",", ";" };

/* What follows "得N分" when N is a band, not a score: "得15分以上". */
static const char *const check_band_words[] = { "以上", "以下", "之间", "左右", "以内", "至", "到",
	"-", "～", "~" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The length of lit when s starts with it, else 0. */
static size_t
check_starts(const char *s, const char *lit)
{
	size_t n = strlen(lit);

	return strncmp(s, lit, n) == 0 ? n : 0;
}

/* The length of the first of the n literals s starts with, else 0. */
static size_t
check_starts_any(const char *s, const char *const *lits, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = check_starts(s, lits[i]);

		if (len > 0)
			return len;
	}
	return 0;
}

/* The next character of UTF-8 text, never past the terminator. */
static const char *
check_next(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	if (c == 0)
		return s;
	for (size_t i = 1; i < n; i++) {
		if (s[i] == '\0')
			return s + i;
	}
	return s + n;
}

/* Past spaces, tabs, line breaks and ideographic spaces. */
static const char *
check_skip_space(const char *s)
{
	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		else if (check_starts(s, "\xe3\x80\x80") > 0)
			s += 3;
		else
			return s;
	}
}

static bool
check_blank(const char *s)
{
	return s == NULL || *check_skip_space(s) == '\0';
}

/* True when [from, to) holds lit. */
static bool
check_has(const char *from, const char *to, const char *lit)
{
	size_t n = strlen(lit);

	for (const char *p = from; p + n <= to; p++) {
		if (memcmp(p, lit, n) == 0)
			return true;
	}
	return false;
}

static bool
check_contains(const char *s, const char *lit)
{
	return s != NULL && strstr(s, lit) != NULL;
}

/* The value of an ASCII or full-width digit at s, its length in *len; -1 if none. */
static int
check_digit(const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] >= '0' && u[0] <= '9') {
		*len = 1;
		return u[0] - '0';
	}
	if (u[0] == 0xef && u[1] == 0xbc && u[2] >= 0x90 && u[2] <= 0x99) {
		*len = 3;
		return u[2] - 0x90;
	}
	return -1;
}

/*
 * Reads a number at s: digits, ',' between groups of three, a '.' and decimals. Returns
 * the bytes read, 0 when s is not a digit. *v is in hundredths; *exact is false when the
 * number has more than two decimals or exceeds DEC_MAX.
 */
static size_t
check_number(const char *s, int64_t *v, bool *exact)
{
	const char *p = s;
	size_t len;
	int d, decimals = 0;
	int64_t x = 0;

	*exact = true;
	if (check_digit(p, &len) < 0)
		return 0;
	for (;;) {
		if ((d = check_digit(p, &len)) >= 0) {
			if (x <= DEC_MAX)
				x = x * 10 + d;
			p += len;
			continue;
		}
		if (*p == ',' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
		    p[3] >= '0' && p[3] <= '9' && !(p[4] >= '0' && p[4] <= '9')) {
			p++;
			continue;
		}
		break;
	}
	if (x > DEC_MAX)
		*exact = false;
	x *= 100;
	if (*p == '.' && check_digit(p + 1, &len) >= 0) {
		p++;
		for (int64_t scale = 10; (d = check_digit(p, &len)) >= 0; p += len, decimals++) {
			if (decimals >= 2)
				*exact = false;
			else
				x += d * scale;
			scale /= 10;
		}
	}
	*v = *exact ? x : 0;
	return (size_t)(p - s);
}

/* How many bytes of s, at most len, end on a whole UTF-8 character. */
static size_t
check_utf8_cut(const char *s, size_t len)
{
	size_t k = len, lead;
	unsigned char c;

	while (k > 0 && ((unsigned char)s[k - 1] & 0xc0) == 0x80)
		k--;
	if (k == 0)
		return 0;
	lead = k - 1;
	c = (unsigned char)s[lead];
	if (c < 0x80)
		return len;
	if (lead + (c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2) > len)
		return lead;
	return len;
}

/*
 * Copies [s, end) (end NULL: all of s) into buf, at most CHECK_CLIP bytes cut on a
 * character and marked "…", control characters turned into spaces. Returns buf.
 */
static char *
check_clip(const char *s, const char *end, char *buf, size_t size)
{
	size_t n = end != NULL ? (size_t)(end - s) : strlen(s), k;
	bool cut = n > CHECK_CLIP;

	if (cut)
		n = check_utf8_cut(s, CHECK_CLIP);
	k = n < size - 4 ? n : check_utf8_cut(s, size - 4);
	memcpy(buf, s, k);
	for (size_t i = 0; i < k; i++) {
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = ' ';
	}
	if (cut || k < n)
		memcpy(buf + k, "…", sizeof("…"));
	else
		buf[k] = '\0';
	return buf;
}

/* How a sentence names node i: “its name”, or "indicator CODE" when it has none. */
static const char *
check_label(struct check_ctx *c, size_t i)
{
	const struct check_node *nd = &c->in->nodes[i];
	char part[CHECK_CLIP + 8];

	if (check_blank(nd->name))
		snprintf(c->label, sizeof(c->label), "indicator %s",
		    check_clip(nd->code, NULL, part, sizeof(part)));
	else
		snprintf(c->label, sizeof(c->label), "“%s”",
		    check_clip(check_skip_space(nd->name), NULL, part, sizeof(part)));
	return c->label;
}

/* [from, to) clipped for a sentence. */
static const char *
check_quote(struct check_ctx *c, const char *from, const char *to)
{
	return check_clip(from, to, c->quote, sizeof(c->quote));
}

/* Records a warning of the running rule's kind about node i (CHECK_ROOT: workspace). */
static void check_warn(struct check_ctx *c, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
check_warn(struct check_ctx *c, size_t i, const char *fmt, ...)
{
	struct check_warning *w;
	va_list ap;
	int len;

	if (c->err != JX_OK)
		return;
	if (c->n >= c->limit) {
		c->dropped++;
		return;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap == 0 ? 16 : c->cap * 2;

		if (cap > CHECK_WARNINGS_MAX)
			cap = CHECK_WARNINGS_MAX;
		if ((w = realloc(c->w, cap * sizeof(*w))) == NULL) {
			c->err = JX_ENOSPC;
			return;
		}
		c->w = w;
		c->cap = cap;
	}
	w = &c->w[c->n++];
	w->node = i;
	w->code = i == CHECK_ROOT ? NULL : c->in->nodes[i].code;
	snprintf(w->kind, sizeof(w->kind), "%s", c->kind);
	va_start(ap, fmt);
	len = vsnprintf(w->text, sizeof(w->text), fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(w->text))
		w->text[check_utf8_cut(w->text, sizeof(w->text) - 1)] = '\0';
}

static bool
check_leaf(const struct check_ctx *c, size_t i)
{
	return c->info[i].first == CHECK_ROOT;
}

static size_t
check_first(const struct check_ctx *c, size_t i)
{
	return i == CHECK_ROOT ? c->first_root : c->info[i].first;
}

/* The score a parent's subtotal counts for child i; false when there is none yet. */
static bool
check_shown(const struct check_ctx *c, size_t i, int64_t *v)
{
	const struct check_node *nd = &c->in->nodes[i];

	if (check_leaf(c, i) && nd->has_score)
		*v = nd->score;
	else if (nd->has_stated)
		*v = nd->stated;
	else if (!check_leaf(c, i) && c->info[i].has_sum)
		*v = c->info[i].sum;
	else
		return false;
	return true;
}

/* Whether a leaf's method (NULL or blank: manual) is kind; an unknown method is none. */
static bool
check_method_is(const char *method, enum method_kind kind)
{
	struct method m;
	char why[128];

	if (check_blank(method))
		return kind == METHOD_MANUAL;
	return method_parse(method, NULL, &m, why, sizeof(why)) == JX_OK && m.kind == kind;
}

static bool
check_manual(const char *method)
{
	return check_method_is(method, METHOD_MANUAL);
}

/* 1. Weights that do not add up, below a parent or over the level-1 indicators. */
static void
check_weight_sum(struct check_ctx *c, size_t i)
{
	const struct check_node *nodes = c->in->nodes;
	int64_t sum = 0, want;
	bool any = false;
	char a[DEC_BUFSZ], b[DEC_BUFSZ];

	if (i == CHECK_ROOT) {
		if (c->in->expected_total == 0)
			return;
		want = c->in->expected_total;
	} else {
		if (check_leaf(c, i) || !nodes[i].has_weight)
			return;
		want = nodes[i].weight;
	}
	for (size_t k = check_first(c, i); k != CHECK_ROOT; k = c->info[k].next) {
		if (nodes[k].has_weight) {
			sum += nodes[k].weight;
			any = true;
		}
	}
	if (!any || sum == want)
		return;
	if (i == CHECK_ROOT)
		check_warn(c, i, "The level-1 weights (一级指标分值) add up to %s, not to %s.",
		    dec_format_short(sum, a), dec_format_short(want, b));
	else
		check_warn(c, i, "The weights (分值) under %s add up to %s, not to its weight %s.",
		    check_label(c, i), dec_format_short(sum, a), dec_format_short(want, b));
}

/* 2. A stated subtotal that is not the sum of its children's scores. */
static void
check_subtotal(struct check_ctx *c, size_t i)
{
	char a[DEC_BUFSZ], b[DEC_BUFSZ];
	int64_t sum = 0, v;
	bool any = false;

	if (i == CHECK_ROOT) {
		if (!c->in->has_stated_total)
			return;
		for (size_t k = c->first_root; k != CHECK_ROOT; k = c->info[k].next) {
			if (!check_shown(c, k, &v))
				return;
			sum += v;
			any = true;
		}
		if (any && sum != c->in->stated_total)
			check_warn(c, i,
			    "The report states a total (综合得分) of %s, but the level-1 scores "
			    "add up to %s.",
			    dec_format_short(c->in->stated_total, a), dec_format_short(sum, b));
		return;
	}
	if (check_leaf(c, i) || !c->in->nodes[i].has_stated || !c->info[i].has_sum ||
	    c->info[i].sum == c->in->nodes[i].stated)
		return;
	check_warn(c, i,
	    "The report states %s points (小计) for %s, but the scores under it add up to %s.",
	    dec_format_short(c->in->nodes[i].stated, a), check_label(c, i),
	    dec_format_short(c->info[i].sum, b));
}

/* 2b. A leaf stated with one score in the text and scored with another in the sheet. */
static void
check_stated_score(struct check_ctx *c, size_t i)
{
	const struct check_node *nd;
	char a[DEC_BUFSZ], b[DEC_BUFSZ];

	if (i == CHECK_ROOT || !check_leaf(c, i))
		return;
	nd = &c->in->nodes[i];
	if (nd->has_stated && nd->has_score && nd->stated != nd->score)
		check_warn(c, i, "The report states %s points for %s, but scores it %s (得分).",
		    dec_format_short(nd->stated, a), check_label(c, i),
		    dec_format_short(nd->score, b));
}

/* True when a digit ends right before p, spaces aside: "7×24" is no formula's weight. */
static bool
check_digit_before(const char *s, const char *p)
{
	size_t len;

	while (p > s && p[-1] == ' ')
		p--;
	if (p > s && p[-1] >= '0' && p[-1] <= '9')
		return true;
	return p - s >= 3 && check_starts(p - 3, "\xef\xbc") > 0 && check_digit(p - 3, &len) >= 0;
}

/*
 * True when what follows a multiplier lets it be the weight: the end, punctuation, 分 or
 * another symbol; not a unit ("24小时", "3 times").
 */
static bool
check_weight_follows(const char *q)
{
	unsigned char u = (unsigned char)*q;

	if (u < 0x80)
		return !((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z'));
	/* CJK punctuation (U+3000...) and full-width forms (U+FF00...). */
	return check_starts(q, "\xe3\x80") > 0 || check_starts(q, "\xef\xbc") > 0 ||
	    check_starts(q, "\xef\xbd") > 0 || check_starts(q, "分") > 0;
}

/*
 * The first multiplier of a formula in s that is not weight ("×17" where the weight is
 * 8), in *mult. Not a multiplier: "×100%", "×100" (a percentage), "×分值" (the weight
 * itself), "7×24小时" (a product of two numbers, or a number with another unit).
 */
static bool
check_find_multiplier(const char *s, int64_t weight, int64_t *mult)
{
	static const char *const ops[] = { "×", "＊", "*", "乘以" };

	for (const char *p = s; *p != '\0';) {
		const char *q;
		size_t len = check_starts_any(p, ops, NELEM(ops));
		int64_t v;
		bool exact;

		if (len == 0) {
			p = check_next(p);
			continue;
		}
		if (check_digit_before(s, p)) {
			p += len;
			continue;
		}
		q = check_skip_space(p + len);
		p += len;
		if ((len = check_number(q, &v, &exact)) == 0 || !exact)
			continue;
		p = q + len;
		q = check_skip_space(p);
		if (check_starts(q, "%") > 0 || check_starts(q, "％") > 0 || v == 10000 ||
		    !check_weight_follows(q))
			continue;
		if (v != weight) {
			*mult = v;
			return true;
		}
	}
	return false;
}

/*
 * The full marks criteria text states: the largest "满分N分" or "总分N分", else the largest
 * "得N分". Not a score: "得0分", "得15分以上" (a band), "每完成一项得1分" (per item).
 * *full tells which kind was found.
 */
static bool
check_find_top(const char *s, int64_t *top, bool *full)
{
	const char *clause = s;
	int64_t best_full = -1, best_de = -1;

	for (const char *p = s; *p != '\0';) {
		const char *q;
		size_t len;
		int64_t v;
		bool exact, is_full = false;

		if ((len = check_starts_any(p, check_delims, NELEM(check_delims))) > 0) {
			p += len;
			clause = p;
			continue;
		}
		if ((len = check_starts(p, "满分")) > 0 || (len = check_starts(p, "总分")) > 0) {
			is_full = true;
			q = check_skip_space(p + len);
			if ((len = check_starts(q, "为")) > 0 ||
			    (len = check_starts(q, "是")) > 0 ||
			    (len = check_starts(q, "：")) > 0 || (len = check_starts(q, ":")) > 0)
				q = check_skip_space(q + len);
		} else if ((len = check_starts(p, "得")) > 0) {
			q = check_skip_space(p + len);
		} else {
			p = check_next(p);
			continue;
		}
		if ((len = check_number(q, &v, &exact)) == 0 || !exact) {
			p = check_next(p);
			continue;
		}
		q = check_skip_space(q + len);
		if ((len = check_starts(q, "分")) == 0) {
			p = check_next(p);
			continue;
		}
		q = check_skip_space(q + len);
		if (is_full) {
			if (v > best_full)
				best_full = v;
		} else if (v > 0 &&
		    check_starts_any(q, check_band_words, NELEM(check_band_words)) == 0 &&
		    !check_has(clause, p, "每")) {
			if (v > best_de)
				best_de = v;
		}
		p = q;
	}
	*full = best_full >= 0;
	*top = *full ? best_full : best_de;
	return *top >= 0;
}

/*
 * The weight the criteria text speaks for: a spreadsheet's merged 评分标准 cell copies
 * one text onto every row of a group ("指标总分20分" over five indicators of 4), so
 * siblings sharing the text share the points it names.
 */
static int64_t
check_criteria_weight(const struct check_ctx *c, size_t i)
{
	const struct check_node *nd = &c->in->nodes[i];
	int64_t sum = 0;

	for (size_t k = 0; k < c->in->n; k++) {
		const struct check_node *o = &c->in->nodes[k];
		if (o->parent == nd->parent && o->has_weight && o->criteria != NULL &&
		    strcmp(o->criteria, nd->criteria) == 0)
			sum += o->weight;
	}
	return sum;
}

/* 3. A formula or a top score in the criteria that disagrees with the weight. */
static void
check_formula_weight(struct check_ctx *c, size_t i)
{
	const struct check_node *nd;
	char a[DEC_BUFSZ], b[DEC_BUFSZ];
	int64_t v;
	bool full;

	if (i == CHECK_ROOT)
		return;
	nd = &c->in->nodes[i];
	if (!nd->has_weight || check_blank(nd->criteria))
		return;
	if (check_find_multiplier(nd->criteria, nd->weight, &v))
		check_warn(c, i,
		    "The criteria (评分标准) of %s multiply by %s (×%s), but its weight (分值) "
		    "is %s.",
		    check_label(c, i), dec_format_short(v, a), a, dec_format_short(nd->weight, b));
	if (check_find_top(nd->criteria, &v, &full) && v != nd->weight &&
	    v != check_criteria_weight(c, i)) {
		if (full)
			check_warn(c, i,
			    "The criteria (评分标准) of %s put full marks (满分) at %s, but its "
			    "weight (分值) is %s.",
			    check_label(c, i), dec_format_short(v, a),
			    dec_format_short(nd->weight, b));
		else
			check_warn(c, i,
			    "The criteria (评分标准) of %s give at most %s points (得%s分), "
			    "but its weight (分值) is %s.",
			    check_label(c, i), dec_format_short(v, a), a,
			    dec_format_short(nd->weight, b));
	}
}

/* One ledger amount a text may quote. */
struct check_amount {
	const char *what;
	int64_t fen;
};

/* The warning for v hundredths labelled 元 (is_wan false) or 万元 that is am in the other unit. */
static void
check_unit_warn(struct check_ctx *c, size_t i, int64_t v, bool is_wan,
    const struct check_amount *am, int64_t wan)
{
	char a[DEC_BUFSZ], b[DEC_BUFSZ];

	if (is_wan)
		check_warn(c, i,
		    "%s writes %s 万元 (10 000 yuan) where the ledger's %s is %s 元 (yuan), %s "
		    "万元: the unit (单位) is wrong.",
		    check_label(c, i), dec_format_short(v, a), am->what, a,
		    dec_format_short(wan, b));
	else
		check_warn(c, i,
		    "%s writes %s 元 (yuan) where the ledger's %s is %s 万元 (10 000 yuan): the "
		    "unit (单位) is wrong.",
		    check_label(c, i), dec_format_short(v, a), am->what, dec_format_short(wan, b));
}

/*
 * Warns about numbers in s labelled 元 or 万元 that are a ledger amount in the other
 * unit, once per amount and unit (*seen).
 */
static void
check_unit_text(struct check_ctx *c, size_t i, const char *s, const struct check_amount *am,
    size_t nam, unsigned *seen)
{
	for (const char *p = s; *p != '\0';) {
		const char *q;
		size_t len;
		int64_t v, wan;
		bool exact, is_wan;

		if ((len = check_number(p, &v, &exact)) == 0) {
			p = check_next(p);
			continue;
		}
		p += len;
		q = check_skip_space(p);
		is_wan = check_starts(q, "万元") > 0;
		if (!exact || v == 0 || (!is_wan && check_starts(q, "元") == 0))
			continue;
		for (size_t k = 0; k < nam; k++) {
			unsigned bit = 1u << (2 * k + is_wan);

			if (budget_fen_to_wan(am[k].fen, &wan) != JX_OK)
				continue;
			/* Right as labelled, or not this amount at all. */
			if (v == (is_wan ? wan : am[k].fen) || v != (is_wan ? am[k].fen : wan))
				continue;
			if ((*seen & bit) == 0)
				check_unit_warn(c, i, v, is_wan, &am[k], wan);
			*seen |= bit;
			break;
		}
	}
}

/* 4. The ledger's expenditure or final budget quoted with the wrong unit. */
static void
check_unit(struct check_ctx *c, size_t i)
{
	const struct check_amount am[] = {
		{ "expenditure (支出)", c->in->ledger.spent },
		{ "final budget (全年预算)", c->in->ledger.final_budget },
	};
	const struct check_node *nd;
	const char *texts[4];
	unsigned seen = 0;

	if (i == CHECK_ROOT || !c->in->ledger.present)
		return;
	nd = &c->in->nodes[i];
	texts[0] = nd->comment;
	texts[1] = nd->actual;
	texts[2] = nd->criteria;
	texts[3] = nd->target;
	for (size_t k = 0; k < NELEM(texts); k++) {
		if (texts[k] != NULL)
			check_unit_text(c, i, texts[k], am, NELEM(am), &seen);
	}
}

/* The first critical clause of s, [*from, *to), and its critical word; false if none. */
static bool
check_find_critical(const char *s, const char **from, const char **to, const char **word)
{
	const char *clause = s;

	for (const char *p = s; *p != '\0';) {
		size_t len;

		if ((len = check_starts_any(p, check_delims, NELEM(check_delims))) > 0) {
			p += len;
			clause = p;
			continue;
		}
		for (size_t k = 0; k < NELEM(check_critical_words); k++) {
			const char *q;
			bool negated = false;

			if (check_starts(p, check_critical_words[k]) == 0)
				continue;
			for (size_t m = 0; m < NELEM(check_negations); m++)
				negated = negated || check_has(clause, p, check_negations[m]);
			if (negated)
				break;
			for (q = p; *q != '\0' &&
			     check_starts_any(q, check_delims, NELEM(check_delims)) == 0;)
				q = check_next(q);
			*from = check_skip_space(clause);
			*to = q;
			*word = check_critical_words[k];
			return true;
		}
		p = check_next(p);
	}
	return false;
}

/* 5. Full marks while the comment (or the actual) says something went wrong. */
static void
check_full_critical(struct check_ctx *c, size_t i)
{
	const struct check_node *nd;
	const char *from, *to, *word, *what;
	char a[DEC_BUFSZ];

	if (i == CHECK_ROOT)
		return;
	nd = &c->in->nodes[i];
	if (!nd->has_score || !nd->has_weight || nd->weight <= 0 || nd->score != nd->weight)
		return;
	if (nd->comment != NULL && check_find_critical(nd->comment, &from, &to, &word))
		what = "comment (评价情况)";
	else if (nd->actual != NULL && check_find_critical(nd->actual, &from, &to, &word))
		what = "actual (完成情况)";
	else
		return;
	check_warn(c, i, "%s gets full marks (满分) %s, but its %s is critical (“%s”): “%s”.",
	    check_label(c, i), dec_format_short(nd->score, a), what, word,
	    check_quote(c, from, to));
}

/* 6. A manual score below full marks with no reason given (DOMAIN §5). */
static void
check_no_comment(struct check_ctx *c, size_t i)
{
	const struct check_node *nd;
	char a[DEC_BUFSZ], b[DEC_BUFSZ];
	bool needs;

	if (i == CHECK_ROOT)
		return;
	nd = &c->in->nodes[i];
	if (!nd->has_score || !nd->has_weight || !check_manual(nd->method) ||
	    !check_blank(nd->comment) || score_manual(nd->weight, nd->score, &needs) != JX_OK ||
	    !needs)
		return;
	check_warn(c, i,
	    "%s scores %s of %s without a comment (评价情况) saying why points were lost.",
	    check_label(c, i), dec_format_short(nd->score, a), dec_format_short(nd->weight, b));
}

/* 7a. An indicator without a name (seed 002's self-evaluation form). */
static void
check_no_name(struct check_ctx *c, size_t i)
{
	if (i != CHECK_ROOT && check_blank(c->in->nodes[i].name))
		check_warn(c, i, "%s has no name (指标名称): say what it measures.",
		    check_label(c, i));
}

/* The 50 % cap of a personalised indicator without a target; false if it has one. */
static bool
check_no_target(const struct check_ctx *c, size_t i, int64_t *cap)
{
	const struct check_node *nd = &c->in->nodes[i];

	if (!nd->personalised || !check_blank(nd->target))
		return false;
	if (!nd->has_weight || score_no_target_cap(nd->weight, cap) != JX_OK)
		*cap = -1;
	return true;
}

/* 7b. A personalised indicator without a target, not (or not yet) above its cap. */
static void
check_no_target_rule(struct check_ctx *c, size_t i)
{
	const struct check_node *nd;
	char a[DEC_BUFSZ], b[DEC_BUFSZ];
	int64_t cap;

	if (i == CHECK_ROOT || !check_no_target(c, i, &cap))
		return;
	nd = &c->in->nodes[i];
	if (cap >= 0 && nd->has_score && nd->score > cap)
		return;
	if (cap >= 0)
		check_warn(c, i,
		    "Personalised indicator (个性化指标) %s has no target value (指标值): it may "
		    "score at most 50 %%, %s of %s.",
		    check_label(c, i), dec_format_short(cap, a), dec_format_short(nd->weight, b));
	else
		check_warn(c, i,
		    "Personalised indicator (个性化指标) %s has no target value (指标值): it may "
		    "score at most 50 %% of its weight.",
		    check_label(c, i));
}

/* 7c. ... and scored above the cap. */
static void
check_no_target_cap(struct check_ctx *c, size_t i)
{
	const struct check_node *nd;
	char a[DEC_BUFSZ], b[DEC_BUFSZ], d[DEC_BUFSZ];
	int64_t cap;

	if (i == CHECK_ROOT || !check_no_target(c, i, &cap))
		return;
	nd = &c->in->nodes[i];
	if (cap < 0 || !nd->has_score || nd->score <= cap)
		return;
	check_warn(c, i,
	    "Personalised indicator (个性化指标) %s has no target value (指标值) yet scores %s, "
	    "above the 50 %% cap of %s of %s.",
	    check_label(c, i), dec_format_short(nd->score, a), dec_format_short(cap, b),
	    dec_format_short(nd->weight, d));
}

/* 7d. A target with no number in it: nothing says when it is met. */
static void
check_qualitative_target(struct check_ctx *c, size_t i)
{
	const char *t;
	size_t len;

	if (i == CHECK_ROOT || check_blank(t = c->in->nodes[i].target))
		return;
	if (check_contains(t, "百分之"))
		return;
	for (const char *p = t; *p != '\0'; p = check_next(p)) {
		if (check_digit(p, &len) >= 0)
			return;
	}
	check_warn(c, i,
	    "The target (指标值) of %s has no number, “%s”: it cannot be measured "
	    "(可衡量性不足) unless it says what counts as met.",
	    check_label(c, i), check_quote(c, check_skip_space(t), NULL));
}

/* 8a. A score outside 0 ... weight (the server refuses them; a report may not). */
static void
check_score_range(struct check_ctx *c, size_t i)
{
	const struct check_node *nd;
	char a[DEC_BUFSZ], b[DEC_BUFSZ];

	if (i == CHECK_ROOT)
		return;
	nd = &c->in->nodes[i];
	/* An adjustment (加减分) adds its points outside the weights: it has none to exceed. */
	if (!nd->has_score || check_method_is(nd->method, METHOD_ADJUSTMENT))
		return;
	if (nd->score < 0)
		check_warn(c, i, "%s has a negative score (得分) of %s.", check_label(c, i),
		    dec_format_short(nd->score, a));
	else if (nd->has_weight && nd->weight >= 0 && nd->score > nd->weight)
		check_warn(c, i, "%s scores %s, above its weight (分值) %s.", check_label(c, i),
		    dec_format_short(nd->score, a), dec_format_short(nd->weight, b));
}

/* 8b. A negative weight. */
static void
check_weight_range(struct check_ctx *c, size_t i)
{
	char a[DEC_BUFSZ];

	if (i != CHECK_ROOT && c->in->nodes[i].has_weight && c->in->nodes[i].weight < 0)
		check_warn(c, i, "%s has a negative weight (分值) of %s.", check_label(c, i),
		    dec_format_short(c->in->nodes[i].weight, a));
}

/* 9. A scored leaf without any evidence file. */
static void
check_no_evidence(struct check_ctx *c, size_t i)
{
	if (i != CHECK_ROOT && check_leaf(c, i) && c->in->nodes[i].has_score &&
	    c->in->nodes[i].evidence == 0)
		check_warn(c, i, "%s is scored without any evidence (佐证材料) attached.",
		    check_label(c, i));
}

static bool
check_is_satisfaction(const struct check_node *nd)
{
	return check_contains(nd->name, "满意") || check_contains(nd->category, "满意");
}

/*
 * True when a leaf under i is a satisfaction indicator. A group row's name may mention
 * one ("…指标，或服务对象满意度指标") without being one.
 */
static bool
check_has_satisfaction(const struct check_ctx *c, size_t i)
{
	size_t k = i;

	/* Walks i's subtree in pre-order. */
	for (;;) {
		if (check_leaf(c, k) && k != i && check_is_satisfaction(&c->in->nodes[k]))
			return true;
		if (c->info[k].first != CHECK_ROOT) {
			k = c->info[k].first;
			continue;
		}
		while (k != i && c->info[k].next == CHECK_ROOT)
			k = c->in->nodes[k].parent;
		if (k == i)
			return false;
		k = c->info[k].next;
	}
}

/* 10a. A 效益 group without a satisfaction indicator: seed 002's criteria deduct 3. */
static void
check_no_satisfaction(struct check_ctx *c, size_t i)
{
	const struct check_node *nd;
	char a[DEC_BUFSZ];

	if (i == CHECK_ROOT || check_leaf(c, i) || !c->info[i].in_benefit)
		return;
	nd = &c->in->nodes[i];
	if (nd->parent != CHECK_ROOT && c->info[nd->parent].in_benefit)
		return;
	if (check_has_satisfaction(c, i))
		return;
	check_warn(c, i,
	    "%s has no satisfaction indicator (满意度指标): where one should be set, the "
	    "template deducts %s points (应设未设满意度指标的扣分).",
	    check_label(c, i), dec_format_short(CHECK_NO_SATISFACTION_PENALTY, a));
}

/* 10b. Too few personalised indicators in one group. */
static void
check_personalised_count(struct check_ctx *c, size_t i)
{
	size_t n;

	if (i == CHECK_ROOT)
		return;
	n = c->info[i].npersonal;
	if (n > 0 && n < CHECK_PERSONAL_MIN)
		check_warn(c, i,
		    "%s has %zu personalised indicator%s (个性化指标), fewer than the %d "
		    "required (需分设%d个以上).",
		    check_label(c, i), n, n == 1 ? "" : "s", CHECK_PERSONAL_MIN,
		    CHECK_PERSONAL_MIN);
}

/* 10c. One personalised indicator weighing too much. */
static void
check_personalised_weight(struct check_ctx *c, size_t i)
{
	const struct check_node *nd;
	char a[DEC_BUFSZ], b[DEC_BUFSZ];

	if (i == CHECK_ROOT)
		return;
	nd = &c->in->nodes[i];
	if (nd->personalised && nd->has_weight && nd->weight > CHECK_PERSONAL_MAX_WEIGHT)
		check_warn(c, i,
		    "Personalised indicator (个性化指标) %s weighs %s, more than the %s allowed "
		    "for one (单个指标分值不超过%s分).",
		    check_label(c, i), dec_format_short(nd->weight, a),
		    dec_format_short(CHECK_PERSONAL_MAX_WEIGHT, b), b);
}

/* 9. A leaf not scored yet: the grade is provisional until every leaf is. */
static void
check_unscored(struct check_ctx *c, size_t i)
{
	const struct check_node *nd;

	if (i == CHECK_ROOT || !c->in->list_unscored || !check_leaf(c, i))
		return;
	nd = &c->in->nodes[i];
	if (nd->has_score)
		return;
	if (!check_blank(nd->note))
		check_warn(c, i, "%s is not scored yet (未评分): %s. The grade is provisional "
		    "(暂定) until it is.", check_label(c, i), check_quote(c, nd->note, NULL));
	else
		check_warn(c, i, "%s is not scored yet (未评分). The grade is provisional (暂定) "
		    "until it is.", check_label(c, i));
}

/* 10. A target the parser did not understand: kept as text, scored by nobody's rule. */
static void
check_flagged_target(struct check_ctx *c, size_t i)
{
	const char *t;

	if (i == CHECK_ROOT || check_blank(t = c->in->nodes[i].target))
		return;
	if (target_text_flagged(t))
		check_warn(c, i, "The target (指标值) of %s, “%s”, was not understood (未能识别): "
		    "write it as a comparison like ≥95%% or 不超过5个工作日, or score it by hand.",
		    check_label(c, i), check_quote(c, check_skip_space(t), NULL));
}

/* 11. Budget figures a report states that its own arithmetic contradicts (seed 003). */
static void
check_budget_stated(struct check_ctx *c, size_t i)
{
	const struct check_ledger *l = &c->in->ledger;
	char a[DEC_BUFSZ], b[DEC_BUFSZ];
	int64_t wan, said, rate;

	if (i != CHECK_ROOT || !l->present)
		return;
	if (l->has_stated_final && l->stated_final != l->final_budget &&
	    budget_fen_to_wan(l->final_budget, &wan) == JX_OK &&
	    budget_fen_to_wan(l->stated_final, &said) == JX_OK)
		check_warn(c, i, "The report states the final budget (全年预算) as %s 万元, but "
		    "the initial budget, carry-over and adjustments give %s 万元.",
		    dec_format(said, a), dec_format(wan, b));
	if (l->has_stated_rate && l->final_budget > 0 &&
	    budget_rate(l->spent, l->final_budget, &rate) == JX_OK && rate != l->stated_rate)
		check_warn(c, i, "The report states an execution rate (执行率) of %s%%, but "
		    "spending over the final budget gives %s%%.", dec_format(l->stated_rate, a),
		    dec_format(rate, b));
}

/* Every rule, in the order a node's warnings come; each runs on the workspace and on each node. */
static const struct check_rule {
	const char *kind;
	void (*run)(struct check_ctx *, size_t);
} check_rules[] = {
	{ "weight-sum", check_weight_sum },
	{ "subtotal", check_subtotal },
	{ "stated-score", check_stated_score },
	{ "formula-weight", check_formula_weight },
	{ "unit", check_unit },
	{ "full-critical", check_full_critical },
	{ "no-comment", check_no_comment },
	{ "no-name", check_no_name },
	{ "no-target", check_no_target_rule },
	{ "no-target-cap", check_no_target_cap },
	{ "qualitative-target", check_qualitative_target },
	{ "score-range", check_score_range },
	{ "weight-range", check_weight_range },
	{ "no-evidence", check_no_evidence },
	{ "no-satisfaction", check_no_satisfaction },
	{ "personalised-count", check_personalised_count },
	{ "personalised-weight", check_personalised_weight },
	{ "unscored", check_unscored },
	{ "flagged-target", check_flagged_target },
	{ "budget-stated", check_budget_stated },
};

static bool
check_points_ok(bool has, int64_t v)
{
	return !has || (v >= -DEC_MAX && v <= DEC_MAX);
}

static int
check_validate(const struct check_input *in)
{
	const struct check_ledger *l = &in->ledger;

	if (in->n > CHECK_NODES_MAX || (in->nodes == NULL && in->n != 0))
		return JX_EINVAL;
	if (in->expected_total < 0 || in->expected_total > DEC_MAX ||
	    !check_points_ok(in->has_stated_total, in->stated_total))
		return JX_EINVAL;
	if (l->present &&
	    (l->spent < 0 || l->spent > DEC_MAX || l->final_budget < 0 ||
		l->final_budget > DEC_MAX || (l->has_stated_final &&
		(l->stated_final < 0 || l->stated_final > DEC_MAX)) ||
		(l->has_stated_rate && (l->stated_rate < 0 || l->stated_rate > DEC_MAX))))
		return JX_EINVAL;
	for (size_t i = 0; i < in->n; i++) {
		const struct check_node *nd = &in->nodes[i];

		if (nd->code == NULL || (nd->parent != CHECK_ROOT && nd->parent >= i))
			return JX_EINVAL;
		if (!check_points_ok(nd->has_weight, nd->weight) ||
		    !check_points_ok(nd->has_score, nd->score) ||
		    !check_points_ok(nd->has_stated, nd->stated))
			return JX_EINVAL;
	}
	return JX_OK;
}

static bool
check_is_benefit(const struct check_node *nd)
{
	return check_contains(nd->name, "效益") || check_contains(nd->category, "效益");
}

/* Links children to parents and sums subtotals bottom up. */
static void
check_prepare(struct check_ctx *c)
{
	const struct check_node *nodes = c->in->nodes;
	size_t n = c->in->n;

	c->first_root = c->last_root = CHECK_ROOT;
	for (size_t i = 0; i < n; i++) {
		size_t p = nodes[i].parent;
		size_t *first = p == CHECK_ROOT ? &c->first_root : &c->info[p].first;
		size_t *last = p == CHECK_ROOT ? &c->last_root : &c->info[p].last;

		c->info[i].first = c->info[i].last = c->info[i].next = CHECK_ROOT;
		if (*first == CHECK_ROOT)
			*first = i;
		else
			c->info[*last].next = i;
		*last = i;
		if (p != CHECK_ROOT && nodes[i].personalised)
			c->info[p].npersonal++;
		c->info[i].in_benefit = check_is_benefit(&nodes[i]) ||
		    (p != CHECK_ROOT && c->info[p].in_benefit);
	}
	/* Children come after their parent: backwards, a parent sees its children done. */
	for (size_t i = n; i-- > 0;) {
		struct check_info *f = &c->info[i];
		int64_t v;

		f->has_sum = f->first != CHECK_ROOT;
		f->sum = 0;
		for (size_t k = f->first; k != CHECK_ROOT; k = c->info[k].next) {
			if (!check_shown(c, k, &v)) {
				f->has_sum = false;
				break;
			}
			f->sum += v;
		}
	}
}

static void
check_apply(struct check_ctx *c, size_t i)
{
	for (size_t r = 0; r < NELEM(check_rules) && c->err == JX_OK; r++) {
		c->kind = check_rules[r].kind;
		check_rules[r].run(c, i);
	}
}

int
check_run(const struct check_input *in, struct check_warning **out, size_t *n)
{
	struct check_ctx c;
	size_t i;
	int rv;

	if (in == NULL || out == NULL || n == NULL)
		return JX_EINVAL;
	if ((rv = check_validate(in)) != JX_OK)
		return rv;
	memset(&c, 0, sizeof(c));
	c.in = in;
	c.limit = CHECK_WARNINGS_MAX - 1; /* the last slot is for "truncated" */
	c.err = JX_OK;
	if (in->n > 0 && (c.info = calloc(in->n, sizeof(*c.info))) == NULL)
		return JX_ENOSPC;
	check_prepare(&c);

	/* The workspace, then every node in pre-order, without a stack. */
	check_apply(&c, CHECK_ROOT);
	for (i = c.first_root; i != CHECK_ROOT && c.err == JX_OK;) {
		check_apply(&c, i);
		if (c.info[i].first != CHECK_ROOT) {
			i = c.info[i].first;
			continue;
		}
		while (i != CHECK_ROOT && c.info[i].next == CHECK_ROOT)
			i = in->nodes[i].parent;
		if (i != CHECK_ROOT)
			i = c.info[i].next;
	}
	if (c.dropped > 0 && c.err == JX_OK) {
		c.kind = "truncated";
		c.limit = CHECK_WARNINGS_MAX;
		check_warn(&c, CHECK_ROOT, "%zu more warnings were left out; fix these first.",
		    c.dropped);
	}
	free(c.info);
	if (c.err != JX_OK) {
		free(c.w);
		return c.err;
	}
	*out = c.w;
	*n = c.n;
	return JX_OK;
}

void
check_free(struct check_warning *w)
{
	free(w);
}
