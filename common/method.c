#include "method.h"

#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "err.h"
#include "target.h"

#define PARAM_MAX 1024

static const struct {
	enum method_kind kind;
	const char *name, *zh;
} method_names[] = {
	{ METHOD_MANUAL, "manual", "手工" },
	{ METHOD_COMPLETION, "completion", "完成率" },
	{ METHOD_LINEAR, "linear", "区间" },
	{ METHOD_TIERS, "tiers", "分档" },
	{ METHOD_QUALITATIVE, "qualitative", "定性" },
	{ METHOD_DEDUCTION, "deduction", "扣分" },
	{ METHOD_ADJUSTMENT, "adjustment", "加减分" },
};

const char *
method_name(enum method_kind kind)
{
	for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (method_names[i].kind == kind)
			return method_names[i].name;
	return "manual";
}

/* "60%" or "60" → 6000: hundredths of the unit, the percent sign optional. */
static int
parse_amount(const char *s, int64_t *v)
{
	char buf[DEC_BUFSZ];
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '%')
		n--;
	if (n == 0 || n >= sizeof(buf))
		return JX_EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return dec_parse_written(buf, n, v);
}

/* Splits s at sep into at most max parts, in place; returns the count. */
static size_t
split(char *s, char sep, char **parts, size_t max)
{
	size_t n = 0;

	while (n < max) {
		char *end = strchr(s, sep);
		parts[n++] = s;
		if (end == NULL)
			break;
		*end = '\0';
		s = end + 1;
	}
	return n;
}

static int
parse_tiers(struct method *m, char *v, char *why, size_t whylen)
{
	char *rows[METHOD_TIERS_MAX + 1];
	size_t nrows = split(v, '|', rows, METHOD_TIERS_MAX + 1);

	if (nrows > METHOD_TIERS_MAX) {
		snprintf(why, whylen, "at most %d tiers", METHOD_TIERS_MAX);
		return JX_EINVAL;
	}
	for (size_t i = 0; i < nrows; i++) {
		struct score_tier *t = &m->tiers[i];
		char *colon = strchr(rows[i], ':'), *bounds[SCORE_TIER_CONDS + 1];
		size_t nb;

		if (colon == NULL || dec_parse_written(colon + 1, strlen(colon + 1), &t->score) != 0) {
			snprintf(why, whylen, "a tier is BOUNDS:POINTS, like 6,4:4");
			return JX_EINVAL;
		}
		*colon = '\0';
		nb = rows[i][0] == '\0' ? 0 : split(rows[i], ',', bounds, SCORE_TIER_CONDS + 1);
		if (nb > SCORE_TIER_CONDS) {
			snprintf(why, whylen, "a tier has at most %d bounds", SCORE_TIER_CONDS);
			return JX_EINVAL;
		}
		for (size_t b = 0; b < nb; b++) {
			int64_t bound;
			if (dec_parse(bounds[b], &bound) != 0 || bound % 100 != 0) {
				snprintf(why, whylen, "tier bounds are whole numbers, not '%s'",
				    bounds[b]);
				return JX_EINVAL;
			}
			t->conds[b] = (struct score_cond){ b, SCORE_GE, bound / 100 };
		}
		t->nconds = nb;
	}
	m->ntiers = nrows;
	return JX_OK;
}

static int
parse_deductions(struct method *m, char *v, char *why, size_t whylen)
{
	char *items[METHOD_DEDUCTIONS_MAX + 1];
	size_t n = split(v, '|', items, METHOD_DEDUCTIONS_MAX + 1);

	if (n > METHOD_DEDUCTIONS_MAX) {
		snprintf(why, whylen, "at most %d deductions", METHOD_DEDUCTIONS_MAX);
		return JX_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		char *colon = strchr(items[i], ':');
		if (colon == NULL || colon[1] == '\0') {
			snprintf(why, whylen, "a deduction is POINTS:REASON, like 0.5:合同未及时备案");
			return JX_EINVAL;
		}
		*colon = '\0';
		if (dec_parse_written(items[i], strlen(items[i]), &m->deductions[i].points) != 0 ||
		    m->deductions[i].points < 0) {
			snprintf(why, whylen, "'%s' is not a number of points to deduct", items[i]);
			return JX_EINVAL;
		}
		snprintf(m->reasons[i], METHOD_REASON_MAX, "%s", colon + 1);
		m->deductions[i].reason = m->reasons[i];
	}
	m->ndeductions = n;
	return JX_OK;
}

static int
parse_verdict(const char *v, enum score_verdict *verdict)
{
	if (strcmp(v, "met") == 0 || strcmp(v, "达成") == 0 || strcmp(v, "满足") == 0 ||
	    strcmp(v, "完成") == 0)
		*verdict = SCORE_MET;
	else if (strcmp(v, "partly") == 0 || strcmp(v, "部分达成") == 0 || strcmp(v, "部分") == 0)
		*verdict = SCORE_PARTLY;
	else if (strcmp(v, "not") == 0 || strcmp(v, "未达成") == 0 || strcmp(v, "未完成") == 0)
		*verdict = SCORE_NOT_MET;
	else
		return JX_EINVAL;
	return JX_OK;
}

/* Applies one key=value; returns 0 or JX_EINVAL with why. */
static int
method_param(struct method *m, const char *key, char *v, char *why, size_t whylen)
{
	int64_t *amount = NULL;

	if (strcmp(key, "source") == 0) {
		if (strcmp(v, "execution") == 0 || strcmp(v, "支出完成率") == 0)
			m->source = METHOD_SOURCE_EXECUTION;
		else if (strcmp(v, "actual") == 0)
			m->source = METHOD_SOURCE_ACTUAL;
		else
			goto bad;
		return JX_OK;
	}
	if (strcmp(key, "tiers") == 0)
		return parse_tiers(m, v, why, whylen);
	if (strcmp(key, "deduct") == 0)
		return parse_deductions(m, v, why, whylen);
	if (strcmp(key, "verdict") == 0) {
		if (parse_verdict(v, &m->verdict) != 0)
			goto bad;
		m->has_verdict = true;
		return JX_OK;
	}
	if (strcmp(key, "points") == 0) {
		/* Signed: a bonus or a penalty. */
		if (dec_parse_written(v, strlen(v), &m->points) != 0 || m->points > 10000 ||
		    m->points < -10000)
			goto bad;
		return JX_OK;
	}
	if (strcmp(key, "lo") == 0)
		amount = &m->lo;
	else if (strcmp(key, "hi") == 0)
		amount = &m->hi;
	else if (strcmp(key, "veto") == 0)
		amount = &m->veto, m->has_veto = true;
	else if (strcmp(key, "over") == 0)
		amount = &m->over;
	else if (strcmp(key, "share") == 0)
		amount = &m->share;
	else if (strcmp(key, "partly") == 0)
		amount = &m->partly;
	else if (strcmp(key, "per") == 0)
		amount = &m->per_event;
	if (amount == NULL) {
		snprintf(why, whylen, "the %s method has no parameter '%s'", method_name(m->kind),
		    key);
		return JX_EINVAL;
	}
	if (parse_amount(v, amount) == 0 && *amount >= 0)
		return JX_OK;
bad:
	snprintf(why, whylen, "'%s' is not a valid value for %s", v, key);
	return JX_EINVAL;
}

int
method_parse(const char *name, const char *params, struct method *m, char *why, size_t whylen)
{
	char buf[PARAM_MAX], *items[32];
	size_t n;
	int rv;

	memset(m, 0, sizeof(*m));
	m->kind = METHOD_MANUAL;
	m->over = score_completion_guangzhou.over;
	m->share = score_completion_guangzhou.over_share;
	m->partly = SCORE_PCT / 2;
	m->hi = 100 * 100;
	if (name != NULL && name[0] != '\0') {
		size_t i;
		for (i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++) {
			if (strcmp(name, method_names[i].name) == 0 ||
			    strcmp(name, method_names[i].zh) == 0)
				break;
		}
		if (i == sizeof(method_names) / sizeof(method_names[0])) {
			snprintf(why, whylen, "'%s' is not a scoring method: use manual, "
			    "completion, linear, tiers, qualitative, deduction or adjustment", name);
			return JX_EINVAL;
		}
		m->kind = method_names[i].kind;
	}
	if (params == NULL || params[0] == '\0')
		goto validate;
	if (strlen(params) >= sizeof(buf)) {
		snprintf(why, whylen, "the method parameters are longer than %d bytes", PARAM_MAX);
		return JX_EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", params);
	n = split(buf, ';', items, 32);
	for (size_t i = 0; i < n; i++) {
		char *eq = strchr(items[i], '=');
		if (items[i][0] == '\0')
			continue;
		if (eq == NULL) {
			snprintf(why, whylen, "parameters are key=value, not '%s'", items[i]);
			return JX_EINVAL;
		}
		*eq = '\0';
		if ((rv = method_param(m, items[i], eq + 1, why, whylen)) != 0)
			return rv;
	}
validate:
	if (m->kind == METHOD_LINEAR && m->lo >= m->hi) {
		snprintf(why, whylen, "a linear band needs lo below hi");
		return JX_EINVAL;
	}
	if (m->kind == METHOD_TIERS && m->ntiers == 0) {
		snprintf(why, whylen, "the tiers method needs tiers=BOUNDS:POINTS|...");
		return JX_EINVAL;
	}
	if (m->partly > SCORE_PCT || m->share > SCORE_PCT) {
		snprintf(why, whylen, "a share cannot exceed 100%%");
		return JX_EINVAL;
	}
	return JX_OK;
}

/* The first number of an actual ("84.40%", "2000个"), in hundredths of its unit. */
static int
first_value(const char *text, int64_t *v)
{
	struct target t;

	if (text == NULL || text[0] == '\0' ||
	    target_parse_len(text, strnlen(text, TARGET_TEXT_MAX + 1), TARGET_ACTUAL, &t) != 0 ||
	    t.kind != TARGET_QUANTITATIVE || t.nclauses == 0)
		return JX_ENOTFOUND;
	*v = t.clauses[0].value;
	return JX_OK;
}

/* Whole numbers in a text, in order: "8个指标，其中7个量化" → 8, 7. */
static size_t
text_numbers(const char *s, int64_t *vars, size_t max)
{
	size_t n = 0;

	while (*s != '\0' && n < max) {
		if (*s >= '0' && *s <= '9') {
			int64_t v = 0;
			for (; *s >= '0' && *s <= '9'; s++)
				if (v < DEC_MAX)
					v = v * 10 + (*s - '0');
			if (*s == '.')
				for (s++; *s >= '0' && *s <= '9'; s++)
					;
			vars[n++] = v;
		} else {
			s++;
		}
	}
	return n;
}

/* A veto on x, when the method has one: score_veto is the rule. */
static void
method_veto(const struct method *m, int64_t x, int64_t *score, bool *vetoed)
{
	if (m->has_veto)
		(void)score_veto(x, m->veto, score, vetoed);
}

/* How a clause is named in messages: its label, else its place. */
static void
method_clause_name(const struct target *t, size_t i, char *buf, size_t len)
{
	if (t->clauses[i].label[0] != '\0')
		snprintf(buf, len, "「%s」", t->clauses[i].label);
	else
		snprintf(buf, len, "第 %zu 项 (clause %zu)", i + 1, i + 1);
}

/* How well labels a and b name the same thing: 2 equal, 1 one holds the other, 0 not. */
static int
method_label_match(const char *a, const char *b)
{
	if (a[0] == '\0' || b[0] == '\0')
		return 0;
	if (strcmp(a, b) == 0)
		return 2;
	return strstr(a, b) != NULL || strstr(b, a) != NULL;
}

/*
 * Finds, for each clause of target t, the clause of actual a that answers it: by label
 * (equal, or one label within the other, 统计 for 一般性统计; an equal one wins), else
 * by position when both have as many clauses and the actual's clause has no label; a
 * single clause answers a single clause. idx[i] is -1 when none does. Returns 0, or
 * JX_EINVAL with the reason in note when an actual clause could answer two ways.
 */
static int
method_match(const struct target *t, const struct target *a, int *idx, char *note, size_t notelen)
{
	bool used[TARGET_MAX_CLAUSES] = { false };
	char name[TARGET_LABEL_MAX + 32];

	if (t->nclauses == 1 && a->nclauses == 1) {
		idx[0] = 0;
		return JX_OK;
	}
	for (size_t i = 0; i < t->nclauses; i++) {
		int best = -1, bestq = 0, ties = 0;

		idx[i] = -1;
		for (size_t j = 0; j < a->nclauses; j++) {
			int q = method_label_match(t->clauses[i].label, a->clauses[j].label);

			if (q > bestq) {
				best = (int)j, bestq = q, ties = 0;
			} else if (q > 0 && q == bestq)
				ties++;
		}
		if (ties > 0) {
			method_clause_name(t, i, name, sizeof(name));
			snprintf(note, notelen, "完成值里有几项都像是%s，请写清楚 / more than one "
			    "actual value could answer %s", name, name);
			return JX_EINVAL;
		}
		if (best >= 0) {
			if (used[best]) {
				snprintf(note, notelen, "完成值「%s」对应了指标值的两项 / the actual "
				    "value 「%s」 answers two clauses", a->clauses[best].label,
				    a->clauses[best].label);
				return JX_EINVAL;
			}
			idx[i] = best;
			used[best] = true;
		}
	}
	if (a->nclauses != t->nclauses)
		return JX_OK;
	for (size_t i = 0; i < t->nclauses; i++)
		if (idx[i] < 0 && !used[i] && a->clauses[i].label[0] == '\0') {
			idx[i] = (int)i;
			used[i] = true;
		}
	return JX_OK;
}

/* One clause's ratio: a zero count by the zero rule, else actual against target. */
static int
method_clause_ratio(const struct method *m, int64_t weight, const struct target_clause *tc,
    const struct target_clause *ac, struct score_ratio *r)
{
	bool down = tc->cmp == TARGET_LE || tc->cmp == TARGET_LT;

	if (down && tc->value == 0)	/* 0起: count occurrences; 1.5 counts as 2 */
		return score_zero_ratio(weight, m->per_event, (ac->value + 99) / 100, r);
	if (down && ac->value == 0) {	/* ≤5秒 met with 0: met, nothing to compare */
		*r = (struct score_ratio){ 1, 1 };
		return JX_OK;
	}
	return score_ratio_of(down ? SCORE_AT_MOST : SCORE_AT_LEAST, ac->value, tc->value, r);
}

static int
score_completion_leaf(const struct method *m, int64_t weight, const char *target,
    const char *actual, int64_t *score, bool *vetoed, char *note, size_t notelen)
{
	struct score_completion rule = { m->over, m->share, NULL, 0 };
	struct score_ratio r[TARGET_MAX_CLAUSES];
	struct target t, a;
	char name[TARGET_LABEL_MAX + 32];
	int idx[TARGET_MAX_CLAUSES];
	int64_t combined;
	size_t n = 0;

	if (target == NULL || target_parse(target, &t) != 0 || t.kind != TARGET_QUANTITATIVE) {
		snprintf(note, notelen, "%s", target != NULL && !t.flagged ?
		    "指标值是定性的，不能按完成率计分 / the target is qualitative: score it "
		    "another way" : "指标值没有读懂，请核对 / the target was not understood: "
		    "check it");
		return JX_EINVAL;
	}
	if (actual == NULL || actual[0] == '\0') {
		snprintf(note, notelen, "还没有完成值 / no actual value (完成值) yet");
		return JX_ENOTFOUND;
	}
	if (target_parse_len(actual, strnlen(actual, TARGET_TEXT_MAX + 1), TARGET_ACTUAL, &a) !=
	    0 || a.kind != TARGET_QUANTITATIVE) {
		snprintf(note, notelen, "完成值里没有读出数字 / the actual value holds no number "
		    "to compare with the target");
		return JX_EINVAL;
	}
	if (method_match(&t, &a, idx, note, notelen) != JX_OK)
		return JX_EINVAL;
	for (size_t i = 0; i < t.nclauses; i++) {
		const struct target_clause *tc = &t.clauses[i], *ac;

		method_clause_name(&t, i, name, sizeof(name));
		if (idx[i] < 0) {
			if (t.join == TARGET_ANY)
				continue;
			snprintf(note, notelen, "完成值里找不到%s / the actual value has nothing "
			    "for %s", name, name);
			return JX_EINVAL;
		}
		ac = &a.clauses[idx[i]];
		if (tc->unit[0] != '\0' && ac->unit[0] != '\0' && strcmp(tc->unit, ac->unit) != 0) {
			snprintf(note, notelen, "%s的完成值单位是「%s」，指标值是「%s」 / the actual "
			    "for %s is in %s, the target in %s", name, ac->unit, tc->unit, name,
			    ac->unit, tc->unit);
			return JX_EINVAL;
		}
		if (method_clause_ratio(m, weight, tc, ac, &r[n]) != JX_OK) {
			snprintf(note, notelen, "%s的完成值不能与指标值相比 / the actual for %s "
			    "cannot be compared with the target", name, name);
			return JX_EINVAL;
		}
		n++;
	}
	if (n == 0) {
		snprintf(note, notelen, "完成值没有回答指标值的任何一项 / the actual value answers "
		    "none of the target's clauses");
		return JX_EINVAL;
	}
	if (score_completion_clauses(&rule, weight, t.join == TARGET_ANY ? SCORE_ANY : SCORE_ALL,
	    r, n, score, &combined) != JX_OK) {
		snprintf(note, notelen, "the actual value cannot be compared with the target");
		return JX_EINVAL;
	}
	method_veto(m, combined, score, vetoed);
	return JX_OK;
}

int
method_score(const struct method *m, int64_t weight, const char *target, const char *actual,
    const struct method_context *ctx, int64_t *score, bool *vetoed, char *note, size_t notelen)
{
	int64_t x, vars[SCORE_TIER_CONDS];
	size_t nvars;

	*vetoed = false;
	note[0] = '\0';
	switch (m->kind) {
	case METHOD_MANUAL:
		return JX_ENOTFOUND;
	case METHOD_COMPLETION:
		return score_completion_leaf(m, weight, target, actual, score, vetoed, note,
		    notelen);
	case METHOD_LINEAR:
		if (m->source == METHOD_SOURCE_EXECUTION) {
			if (ctx == NULL || !ctx->has_rate) {
				snprintf(note, notelen, "no budget facts yet to compute the "
				    "execution rate from");
				return JX_ENOTFOUND;
			}
			x = ctx->rate;
		} else if (first_value(actual, &x) != 0) {
			snprintf(note, notelen, "no actual value (完成值) yet");
			return JX_ENOTFOUND;
		}
		if (score_linear(weight, m->lo, m->hi, x, score) != 0)
			goto bad;
		method_veto(m, x, score, vetoed);
		return JX_OK;
	case METHOD_TIERS:
		nvars = actual != NULL ? text_numbers(actual, vars, SCORE_TIER_CONDS) : 0;
		if (nvars == 0) {
			snprintf(note, notelen, "the actual value should list the counts the tiers "
			    "compare");
			return JX_ENOTFOUND;
		}
		for (size_t i = nvars; i < SCORE_TIER_CONDS; i++)
			vars[i] = 0;
		if (score_tiers(weight, m->tiers, m->ntiers, vars, SCORE_TIER_CONDS, score) != 0)
			goto bad;
		return JX_OK;
	case METHOD_QUALITATIVE:
		if (!m->has_verdict) {
			snprintf(note, notelen, "no verdict yet: met, partly or not");
			return JX_ENOTFOUND;
		}
		if (score_qualitative(weight, m->verdict, m->partly, score) != 0)
			goto bad;
		return JX_OK;
	case METHOD_DEDUCTION:
		if (score_deduct(weight, m->deductions, m->ndeductions, score) != 0)
			goto bad;
		return JX_OK;
	case METHOD_ADJUSTMENT:
		*score = m->points;
		return JX_OK;
	}
bad:
	snprintf(note, notelen, "the method's parameters do not fit this indicator's weight");
	return JX_EINVAL;
}
