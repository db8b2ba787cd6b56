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
	return dec_parse(buf, v);
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

		if (colon == NULL || dec_parse(colon + 1, &t->score) != 0) {
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
		if (dec_parse(items[i], &m->deductions[i].points) != 0 ||
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
		if (dec_parse(v, &m->points) != 0 || m->points > 10000 || m->points < -10000)
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

/* The first number of a text ("84.40%", "2000个"), in hundredths of its unit. */
static int
first_value(const char *text, int64_t *v)
{
	struct target t;

	if (text == NULL || text[0] == '\0' || target_parse(text, &t) != 0 ||
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

static int
method_veto(const struct method *m, int64_t x, int64_t *score, bool *vetoed)
{
	if (m->has_veto && x < m->veto) {
		*score = 0;
		*vetoed = true;
	}
	return JX_OK;
}

static int
score_completion_leaf(const struct method *m, int64_t weight, const char *target,
    const char *actual, int64_t *score, bool *vetoed, char *note, size_t notelen)
{
	struct score_completion rule = { m->over, m->share, NULL, 0 };
	struct target t;
	enum target_dir dir;
	int64_t a, ratio;

	if (target == NULL || target_parse(target, &t) != 0 ||
	    (dir = target_direction(&t)) == TARGET_DIR_NONE) {
		snprintf(note, notelen, "the target is not a single number to compare with");
		return JX_EINVAL;
	}
	if (first_value(actual, &a) != 0) {
		snprintf(note, notelen, "no actual value (完成值) yet");
		return JX_ENOTFOUND;
	}
	if (score_completion(&rule, weight, dir == TARGET_DIR_UP ? SCORE_AT_LEAST : SCORE_AT_MOST,
	    a, t.clauses[0].value, score) != 0 ||
	    score_completion_ratio(dir == TARGET_DIR_UP ? SCORE_AT_LEAST : SCORE_AT_MOST, a,
	    t.clauses[0].value, &ratio) != 0) {
		snprintf(note, notelen, "the actual value cannot be compared with the target");
		return JX_EINVAL;
	}
	return method_veto(m, ratio, score, vetoed);
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
		return method_veto(m, x, score, vetoed);
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
