#include "score.h"

#include <stdio.h>

#include "decimal.h"
#include "err.h"

/* Wide enough for any product of two int64 magnitudes. */
__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 s128;

const struct score_completion score_completion_guangzhou = {
	.over = 15000,
	.over_share = 5000,
	.bands = NULL,
	.nbands = 0,
};

static const struct score_grade grades_guangzhou[] = {
	{ "优", "excellent", 9000 },
	{ "良", "good", 8000 },
	{ "中", "fair", 7000 },
	{ "低", "low", 6000 },
	{ "差", "poor", 0 },
};

const struct score_grades score_grades_guangzhou = {
	.bands = grades_guangzhou,
	.nbands = sizeof(grades_guangzhou) / sizeof(grades_guangzhou[0]),
	.veto_cap = 2,
};

static const struct score_grade grades_mof[] = {
	{ "优", "excellent", 9000 },
	{ "良", "good", 8000 },
	{ "中", "fair", 6000 },
	{ "差", "poor", 0 },
};

const struct score_grades score_grades_mof = {
	.bands = grades_mof,
	.nbands = sizeof(grades_mof) / sizeof(grades_mof[0]),
	.veto_cap = 2,
};

static bool
score_weight_ok(int64_t weight)
{
	return weight >= 0 && weight <= DEC_MAX;
}

static bool
score_share_ok(int64_t share)
{
	return share >= 0 && share <= SCORE_PCT;
}

/* a x b / c rounded half up; a and b below 2^64, c > 0. JX_EINVAL if it exceeds int64. */
static int
score_muldiv(u128 a, u128 b, u128 c, int64_t *out)
{
	u128 p = a * b, q = p / c;

	if (p % c * 2 >= c)
		q++;
	if (q > (u128)INT64_MAX)
		return JX_EINVAL;
	*out = (int64_t)q;
	return JX_OK;
}

/* share (hundredths of a percent) of weight, rounded half up. */
static int
score_share(int64_t weight, int64_t share, int64_t *score)
{
	return score_muldiv((u128)weight, (u128)share, SCORE_PCT, score);
}

int
score_manual(int64_t weight, int64_t score, bool *needs_comment)
{
	if (!score_weight_ok(weight) || score < 0 || score > weight)
		return JX_EINVAL;
	if (needs_comment != NULL)
		*needs_comment = score < weight;
	return JX_OK;
}

int
score_manual_check(const char *code, bool has_weight, int64_t weight, int64_t score,
    const char *comment, char *why, size_t whylen)
{
	char s[DEC_BUFSZ], w[DEC_BUFSZ];
	bool needs_comment;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (code == NULL)
		code = "";
	if (!has_weight) {
		if (why != NULL)
			snprintf(why, whylen, "indicator %s needs a weight before a score", code);
		return JX_EINVAL;
	}
	if (score_manual(weight, score, &needs_comment) != JX_OK) {
		if (why != NULL)
			snprintf(why, whylen, "the score %s of indicator %s is outside 0 to %s, its "
			    "weight", dec_format_short(score, s), code, dec_format_short(weight, w));
		return JX_EINVAL;
	}
	/* DOMAIN §5: points taken off a manual score are explained (扣分原因). */
	if (needs_comment && (comment == NULL || comment[0] == '\0')) {
		if (why != NULL)
			snprintf(why, whylen, "indicator %s scores %s of %s: give the reason for the "
			    "deduction (扣分原因) as its comment", code, dec_format_short(score, s),
			    dec_format_short(weight, w));
		return JX_EINVAL;
	}
	return JX_OK;
}

static bool
score_completion_ok(const struct score_completion *rule)
{
	if (rule->over != 0 && rule->over < SCORE_PCT)
		return false;
	if (!score_share_ok(rule->over_share))
		return false;
	if ((rule->bands == NULL) != (rule->nbands == 0))
		return false;
	for (size_t i = 0; i < rule->nbands; i++) {
		const struct score_band *b = &rule->bands[i];

		if (b->min < 0 || b->min > SCORE_PCT || !score_share_ok(b->share))
			return false;
		if (i > 0 && b->min >= rule->bands[i - 1].min)
			return false;
	}
	return true;
}

/* r = *num / *den for the direction; the divisor must be positive. */
static int
score_ratio_terms(enum score_dir dir, int64_t actual, int64_t target, int64_t *num, int64_t *den)
{
	if (actual < 0 || target < 0)
		return JX_EINVAL;
	switch (dir) {
	case SCORE_AT_LEAST:
		*num = actual;
		*den = target;
		break;
	case SCORE_AT_MOST:
		*num = target;
		*den = actual;
		break;
	default:
		return JX_EINVAL;
	}
	return *den > 0 ? JX_OK : JX_EINVAL;
}

int
score_completion(const struct score_completion *rule, int64_t weight, enum score_dir dir,
    int64_t actual, int64_t target, int64_t *score)
{
	int64_t num, den;

	if (rule == NULL || score == NULL || !score_weight_ok(weight) || !score_completion_ok(rule))
		return JX_EINVAL;
	if (score_ratio_terms(dir, actual, target, &num, &den) != JX_OK)
		return JX_EINVAL;

	/* r > over, compared exactly: num / den > over / SCORE_PCT. */
	if (rule->over != 0 && (s128)num * SCORE_PCT > (s128)rule->over * den)
		return score_share(weight, rule->over_share, score);
	if (num >= den) {
		*score = weight;
		return JX_OK;
	}
	if (rule->bands == NULL)
		return score_muldiv((u128)weight, (u128)num, (u128)den, score);
	for (size_t i = 0; i < rule->nbands; i++) {
		if ((s128)num * SCORE_PCT >= (s128)rule->bands[i].min * den)
			return score_share(weight, rule->bands[i].share, score);
	}
	*score = 0;
	return JX_OK;
}

int
score_ratio_of(enum score_dir dir, int64_t actual, int64_t target, struct score_ratio *r)
{
	if (r == NULL)
		return JX_EINVAL;
	return score_ratio_terms(dir, actual, target, &r->num, &r->den);
}

int
score_zero_ratio(int64_t weight, int64_t per_event, int64_t count, struct score_ratio *r)
{
	s128 off;

	if (r == NULL || !score_weight_ok(weight) || per_event < 0 || per_event > DEC_MAX ||
	    count < 0)
		return JX_EINVAL;
	if (count == 0) {
		*r = (struct score_ratio){ 1, 1 };
		return JX_OK;
	}
	off = (s128)per_event * count;
	if (per_event == 0 || weight == 0 || off >= weight)
		*r = (struct score_ratio){ 0, 1 };
	else
		*r = (struct score_ratio){ weight - (int64_t)off, weight };
	return JX_OK;
}

/* Whether a / b < c / d, exactly; b, d > 0. */
static bool
score_ratio_less(const struct score_ratio *a, const struct score_ratio *b)
{
	return (s128)a->num * b->den < (s128)b->num * a->den;
}

int
score_completion_clauses(const struct score_completion *rule, int64_t weight,
    enum score_join join, const struct score_ratio *r, size_t n, int64_t *score,
    int64_t *combined)
{
	const struct score_ratio *pick;
	bool over;
	int64_t shown, got, half = 0;

	if (rule == NULL || score == NULL || r == NULL || n == 0 || !score_weight_ok(weight) ||
	    !score_completion_ok(rule) || (join != SCORE_ALL && join != SCORE_ANY))
		return JX_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (r[i].num < 0 || r[i].den <= 0)
			return JX_EINVAL;
	pick = &r[0];
	for (size_t i = 1; i < n; i++)
		if (join == SCORE_ALL ? score_ratio_less(&r[i], pick) : score_ratio_less(pick, &r[i]))
			pick = &r[i];
	if (join == SCORE_ANY || n == 1) {
		over = rule->over != 0 && (s128)pick->num * SCORE_PCT > (s128)rule->over * pick->den;
		if (score_muldiv((u128)pick->num, SCORE_PCT, (u128)pick->den, &shown) != JX_OK)
			return JX_EINVAL;
	} else {
		/* The mean of the ratios, each in 10^-8 of 1 rounded half up. */
		s128 sum = 0;
		int64_t part;

		for (size_t i = 0; i < n; i++) {
			if (score_muldiv((u128)r[i].num, 100000000u, (u128)r[i].den, &part) != JX_OK)
				return JX_EINVAL;
			sum += part;
		}
		over = rule->over != 0 && sum * SCORE_PCT > (s128)rule->over * 100000000 * (s128)n;
		shown = (int64_t)((sum / (s128)n + 5000) / 10000);
	}
	if (score_completion(&(struct score_completion){ 0, 0, rule->bands, rule->nbands },
	    weight, SCORE_AT_LEAST, pick->num, pick->den, &got) != JX_OK)
		return JX_EINVAL;
	/* Over-delivery caps the score; it never lifts a clause that fell short. */
	if (over && (score_share(weight, rule->over_share, &half) != JX_OK))
		return JX_EINVAL;
	*score = over && half < got ? half : got;
	if (combined != NULL)
		*combined = shown;
	return JX_OK;
}

int
score_completion_ratio(enum score_dir dir, int64_t actual, int64_t target, int64_t *ratio)
{
	int64_t num, den;

	if (ratio == NULL || score_ratio_terms(dir, actual, target, &num, &den) != JX_OK)
		return JX_EINVAL;
	return score_muldiv((u128)num, SCORE_PCT, (u128)den, ratio);
}

int
score_linear(int64_t weight, int64_t lo, int64_t hi, int64_t x, int64_t *score)
{
	if (score == NULL || !score_weight_ok(weight) || lo >= hi)
		return JX_EINVAL;
	if (x < lo)
		*score = 0;
	else if (x >= hi)
		*score = weight;
	else
		return score_muldiv((u128)weight, (u128)((s128)x - lo), (u128)((s128)hi - lo),
		    score);
	return JX_OK;
}

static bool
score_cond_holds(const struct score_cond *c, const int64_t *vars)
{
	int64_t v = vars[c->var];

	switch (c->cmp) {
	case SCORE_GE:
		return v >= c->value;
	case SCORE_GT:
		return v > c->value;
	case SCORE_LE:
		return v <= c->value;
	case SCORE_LT:
		return v < c->value;
	case SCORE_EQ:
		return v == c->value;
	}
	return false;
}

static bool
score_tier_ok(int64_t weight, const struct score_tier *row, size_t nvars)
{
	if (row->nconds > SCORE_TIER_CONDS || row->score < 0 || row->score > weight)
		return false;
	for (size_t i = 0; i < row->nconds; i++) {
		const struct score_cond *c = &row->conds[i];

		if (c->var >= nvars)
			return false;
		switch (c->cmp) {
		case SCORE_GE:
		case SCORE_GT:
		case SCORE_LE:
		case SCORE_LT:
		case SCORE_EQ:
			break;
		default:
			return false;
		}
	}
	return true;
}

int
score_tiers(int64_t weight, const struct score_tier *rows, size_t nrows, const int64_t *vars,
    size_t nvars, int64_t *score)
{
	if (score == NULL || !score_weight_ok(weight) || (rows == NULL && nrows != 0) ||
	    (vars == NULL && nvars != 0))
		return JX_EINVAL;
	for (size_t i = 0; i < nrows; i++) {
		if (!score_tier_ok(weight, &rows[i], nvars))
			return JX_EINVAL;
	}
	for (size_t i = 0; i < nrows; i++) {
		size_t j;

		for (j = 0; j < rows[i].nconds; j++) {
			if (!score_cond_holds(&rows[i].conds[j], vars))
				break;
		}
		if (j == rows[i].nconds) {
			*score = rows[i].score;
			return JX_OK;
		}
	}
	*score = 0;
	return JX_OK;
}

int
score_qualitative(int64_t weight, enum score_verdict verdict, int64_t partly_share, int64_t *score)
{
	if (score == NULL || !score_weight_ok(weight) || !score_share_ok(partly_share))
		return JX_EINVAL;
	switch (verdict) {
	case SCORE_MET:
		*score = weight;
		return JX_OK;
	case SCORE_PARTLY:
		return score_share(weight, partly_share, score);
	case SCORE_NOT_MET:
		*score = 0;
		return JX_OK;
	}
	return JX_EINVAL;
}

int
score_deduct(int64_t full, const struct score_deduction *deductions, size_t n, int64_t *score)
{
	int64_t left = full;

	if (score == NULL || !score_weight_ok(full) || (deductions == NULL && n != 0))
		return JX_EINVAL;
	for (size_t i = 0; i < n; i++) {
		const struct score_deduction *d = &deductions[i];

		if (d->points < 0 || d->points > DEC_MAX || d->reason == NULL ||
		    d->reason[0] == '\0')
			return JX_EINVAL;
		left = left > d->points ? left - d->points : 0;
	}
	*score = left;
	return JX_OK;
}

int
score_no_target_cap(int64_t weight, int64_t *cap)
{
	if (cap == NULL || !score_weight_ok(weight))
		return JX_EINVAL;
	return score_share(weight, SCORE_PCT / 2, cap);
}

int
score_veto(int64_t x, int64_t threshold, int64_t *score, bool *vetoed)
{
	if (score == NULL || vetoed == NULL)
		return JX_EINVAL;
	*vetoed = x < threshold;
	if (*vetoed)
		*score = 0;
	return JX_OK;
}

int
score_total(const int64_t *leaves, size_t nleaves, const int64_t *adjustments, size_t nadjustments,
    int64_t *total)
{
	s128 sum = 0;

	if (total == NULL || (leaves == NULL && nleaves != 0) ||
	    (adjustments == NULL && nadjustments != 0))
		return JX_EINVAL;
	/* Under 2^61 terms of at most 2^50 each: sum stays below 2^111. */
	for (size_t i = 0; i < nleaves; i++) {
		if (leaves[i] < 0 || leaves[i] > DEC_MAX)
			return JX_EINVAL;
		sum += leaves[i];
	}
	for (size_t i = 0; i < nadjustments; i++) {
		if (adjustments[i] < -DEC_MAX || adjustments[i] > DEC_MAX)
			return JX_EINVAL;
		sum += adjustments[i];
	}
	if (sum < -DEC_MAX || sum > DEC_MAX)
		return JX_EINVAL;
	*total = (int64_t)sum;
	return JX_OK;
}

static bool
score_grades_ok(const struct score_grades *g)
{
	if (g->bands == NULL || g->nbands == 0 || g->veto_cap >= g->nbands)
		return false;
	for (size_t i = 0; i < g->nbands; i++) {
		if (g->bands[i].name == NULL || g->bands[i].key == NULL)
			return false;
		if (i > 0 && g->bands[i].min >= g->bands[i - 1].min)
			return false;
	}
	return true;
}

int
score_grade(const struct score_grades *grades, int64_t total, bool vetoed,
    const struct score_grade **grade)
{
	size_t i;

	if (grades == NULL || grade == NULL || !score_grades_ok(grades))
		return JX_EINVAL;
	for (i = 0; i + 1 < grades->nbands; i++) {
		if (total >= grades->bands[i].min)
			break;
	}
	if (vetoed && i < grades->veto_cap)
		i = grades->veto_cap;
	*grade = &grades->bands[i];
	return JX_OK;
}
