/*
 * The scoring methods of an indicator leaf, the total and the grade. Pure functions:
 * no allocation, no state; every pointer argument is borrowed for the call only.
 *
 * Units, all int64:
 *  - points (weights, scores, adjustments): hundredths of a point, 4.88 -> 488;
 *  - shares, ratios and rates: hundredths of a percent, 84.40 % -> 8440, 100 % -> 10000;
 *  - actual and target values of the completion method: any one unit, the same for both
 *    (only their ratio is used), e.g. both counts or both in hundredths.
 *
 * Rounding: a method's score is computed exactly from its inputs and rounded once, half
 * up, to the hundredth of a point (4.875 -> 4.88), as the reports print it. Rates are
 * taken as the reports print them, already rounded (budget_rate() does that): seed 002
 * scores 支出完成率 from 84.40 %, not from 428.54 / 507.74 = 84.4015... %. Comparisons
 * with thresholds (r >= 100 %, r > 150 %, a band's lower bound) use the exact ratio,
 * never a rounded one. Totals are exact sums and are never rounded.
 *
 * Every function returns 0 or JX_EINVAL and writes its outputs only on success. JX_EINVAL
 * means a nonsensical input: a negative weight or one above DEC_MAX (decimal.h), a score
 * outside 0 ... weight, lo >= hi, a zero divisor, a share above 100 %, a malformed table,
 * or a result that would not fit.
 */
#ifndef JX_SCORE_H
#define JX_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 100 % in hundredths of a percent. */
#define SCORE_PCT 10000

/*
 * Manual: the evaluator enters 0 ... weight. Refuses a score above the weight. Sets
 * *needs_comment (may be NULL) when the score is below full marks: a reason is required.
 */
int score_manual(int64_t weight, int64_t score, bool *needs_comment);

/* The direction of a numeric target, ">= 1000 个" or "<= 5 秒"; score "= 5 个" as at-least. */
enum score_dir {
	SCORE_AT_LEAST,
	SCORE_AT_MOST,
};

/* One row of a band table: a ratio from min (inclusive) earns share of the weight. */
struct score_band {
	int64_t min;   /* hundredths of a percent, >= 0 */
	int64_t share; /* hundredths of a percent, 0 ... SCORE_PCT */
};

/*
 * A template's completion rule. r = actual / target (at-least) or target / actual
 * (at-most). r > over earns over_share of the weight (the target was set too low); else
 * r >= 100 % earns full marks; else, without bands, weight x r; with bands, the share of
 * the first row whose min <= r (rows best first, min strictly decreasing), 0 when no row
 * matches. over == 0 disables the over-delivery rule.
 */
struct score_completion {
	int64_t over;                   /* hundredths of a percent, 0 or >= SCORE_PCT */
	int64_t over_share;             /* hundredths of a percent */
	const struct score_band *bands; /* NULL: linear in r */
	size_t nbands;
};

/*
 * Guangzhou's department rule: above 150 % half the weight (seed 000); below 100 % weight x r
 * as DOMAIN §5 has it, though seed 001 lost more than that for 94.07 % of a 95 % target.
 */
extern const struct score_completion score_completion_guangzhou;

/*
 * Completion of a numeric target. actual >= 0; the divisor (target for at-least, actual
 * for at-most) must be > 0: an at-most target met with 0 has no ratio, score it otherwise.
 */
int score_completion(const struct score_completion *rule, int64_t weight, enum score_dir dir,
    int64_t actual, int64_t target, int64_t *score);

/* A ratio num / den, den > 0, num >= 0: one clause's completion, exact. */
struct score_ratio {
	int64_t num, den;
};

/* How a compound target's clause ratios combine (DOMAIN §4). */
enum score_join {
	SCORE_ALL, /* every clause must hold: scored by the weakest clause */
	SCORE_ANY, /* one clause must hold (或): scored by the best clause */
};

/*
 * Completion of a target of n >= 1 clauses, each already a ratio (score_completion_ratio's
 * terms, or score_zero_ratio's for an at-most-0 clause). The leaf is scored by the
 * weakest clause (ALL) or the best (ANY) as score_completion scores one ratio. The
 * over-delivery rule (r > over: over_share of the weight) is judged on the combined
 * ratio: the best clause for ANY, the mean of the clause ratios for ALL, which is the
 * indicator's completion rate as a report states it (seed 000's 态势感知 was halved while
 * its weakest clause, 5 秒 against 4.24 秒, was only 117.9 %); it caps the score at
 * over_share of the weight and never lifts a clause that fell short (≤5秒 met in 6 秒
 * beside ≥40TB met with 400 TB scores weight × 5/6 capped at half). One clause is exactly
 * score_completion. *combined (may be NULL) gets that combined ratio in hundredths of a
 * percent, rounded half up, for display.
 */
int score_completion_clauses(const struct score_completion *rule, int64_t weight,
    enum score_join join, const struct score_ratio *r, size_t n, int64_t *score,
    int64_t *combined);

/* The terms of one clause's ratio: r = actual / target (at least) or target / actual. */
int score_ratio_of(enum score_dir dir, int64_t actual, int64_t target, struct score_ratio *r);

/*
 * An at-most-0 target (0起, 零事故): none is full marks; each occurrence takes per_event
 * points off the weight, floor 0; per_event 0 (the default rule) means any occurrence
 * scores 0. Returned as a ratio of the weight, so that it combines with other clauses.
 * count >= 0.
 */
int score_zero_ratio(int64_t weight, int64_t per_event, int64_t count, struct score_ratio *r);

/* The completion ratio r for display, rounded half up: 2000 against >= 1000 -> 20000. */
int score_completion_ratio(enum score_dir dir, int64_t actual, int64_t target, int64_t *ratio);

/*
 * Linear band: x < lo -> 0; x >= hi -> full; between -> weight x (x - lo) / (hi - lo).
 * x, lo and hi share one unit (hundredths of a percent for rates). Needs lo < hi.
 */
int score_linear(int64_t weight, int64_t lo, int64_t hi, int64_t x, int64_t *score);

/* Tiers: the first row whose conditions all hold gives the score; no row -> 0. */
#define SCORE_TIER_CONDS 4

enum score_cmp {
	SCORE_GE,
	SCORE_GT,
	SCORE_LE,
	SCORE_LT,
	SCORE_EQ,
};

/* vars[var] cmp value, e.g. { 0, SCORE_GE, 6 }: "at least 6 indicators". */
struct score_cond {
	size_t var;
	enum score_cmp cmp;
	int64_t value;
};

/* A row with no conditions always matches (an "otherwise" row). */
struct score_tier {
	struct score_cond conds[SCORE_TIER_CONDS];
	size_t nconds;
	int64_t score; /* points, 0 ... weight */
};

/*
 * Scores vars (nvars integers, e.g. { indicators, quantitative }) against the table.
 * The whole table is checked first, so a bad row fails whatever the vars.
 */
int score_tiers(int64_t weight, const struct score_tier *rows, size_t nrows, const int64_t *vars,
    size_t nvars, int64_t *score);

/* The evaluator's verdict on a qualitative target. */
enum score_verdict {
	SCORE_NOT_MET,
	SCORE_PARTLY,
	SCORE_MET,
};

/* Qualitative: met -> full; partly -> partly_share of the weight; not met -> 0. */
int score_qualitative(int64_t weight, enum score_verdict verdict, int64_t partly_share,
    int64_t *score);

/* One recorded deduction; reason is the caller's, non-empty UTF-8, and is not copied. */
struct score_deduction {
	int64_t points; /* 0 ... DEC_MAX */
	const char *reason;
};

/*
 * Deduction: start at full and subtract each deduction, floor at 0. full is the leaf's
 * weight, or another method's score when deductions are applied on top of it (seed 002
 * docks points from a tier score "酌情扣分"). A deduction without a reason is refused.
 */
int score_deduct(int64_t full, const struct score_deduction *deductions, size_t n, int64_t *score);

/*
 * The most a personalised indicator with no target value may score (seed 002: "否则该指标
 * 按起评分50%计算"): 50 % of its weight, rounded half up (7 -> 3.50). Use it as the weight
 * of the leaf's method.
 */
int score_no_target_cap(int64_t weight, int64_t *cap);

/*
 * The one rule of a manual leaf's score, for every way a score is entered (a node's
 * score, an evaluator's mark): the leaf needs a weight, 0 <= score <= weight, and below
 * full marks a comment (扣分原因). Returns 0, or JX_EINVAL with a sentence in why naming
 * code (why may be NULL). comment may be NULL (none).
 */
int score_manual_check(const char *code, bool has_weight, int64_t weight, int64_t score,
    const char *comment, char *why, size_t whylen);

/*
 * A veto (否定性指标) on an indicator already scored: x below threshold (seed 002: 支出完成率
 * below 60 %, threshold 6000) sets *score to 0 and *vetoed, which caps the grade
 * (score_grade). Otherwise *score is left alone and *vetoed cleared.
 */
int score_veto(int64_t x, int64_t threshold, int64_t *score, bool *vetoed);

/*
 * total = sum of leaf scores + sum of adjustments (加减分, signed). Leaves are 0 ... DEC_MAX,
 * adjustments and the total within +-DEC_MAX. Either array may be NULL when its count is 0.
 */
int score_total(const int64_t *leaves, size_t nleaves, const int64_t *adjustments,
    size_t nadjustments, int64_t *total);

/* A grade band: a total from min (inclusive) up to the next better band's min. */
struct score_grade {
	const char *name; /* UTF-8, e.g. "优" */
	const char *key;  /* English, e.g. "excellent" */
	int64_t min;      /* points */
};

/*
 * A template's grade bands, best first with strictly decreasing min; a total below every
 * min gets the last band. Under a veto no band better than bands[veto_cap] is given.
 */
struct score_grades {
	const struct score_grade *bands;
	size_t nbands;
	size_t veto_cap;
};

/* Guangzhou: 优 >= 90, 良 >= 80, 中 >= 70, 低 >= 60, 差 below; a veto caps at 中. */
extern const struct score_grades score_grades_guangzhou;
/* Ministry of Finance: 优 >= 90, 良 >= 80, 中 >= 60, 差 below; a veto caps at 中. */
extern const struct score_grades score_grades_mof;

/* The grade of a total. *grade points into the table. */
int score_grade(const struct score_grades *grades, int64_t total, bool vetoed,
    const struct score_grade **grade);

#endif
