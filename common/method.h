/*
 * Scoring methods (评分方法) as the template or the sheet names them, with their
 * parameters, and how one leaf is scored by them. The arithmetic is score.h's.
 *
 * A method is a name and "key=value;key=value" parameters:
 *   manual                         the evaluator's score (the default)
 *   completion  over=150%;share=50%;veto=60%;per=0.5
 *                                  actual vs the target text (DOMAIN §5): r ≥ 1 full,
 *                                  r < 1 weight × r, r > over → share of the weight.
 *                                  The actual is parsed with the target's grammar and
 *                                  its clauses answer the target's by label (equal, or
 *                                  one within the other), else by position; a compound
 *                                  target scores by its weakest clause, an alternative
 *                                  (或) by its best (score_completion_clauses).
 *                                  An at-most-0 target (0起, 零事故, 无重大安全事故):
 *                                  0 occurrences full marks; without per any occurrence
 *                                  scores 0, with per=P each takes P points off (floor 0)
 *   linear      source=execution|actual;lo=60%;hi=100%;veto=60%
 *                                  x below lo 0, above hi full, linear between; source
 *                                  execution takes x from the budget facts
 *   tiers       tiers=6,4:4|5,3:3|4,2:2|3,1:1
 *                                  the actual text lists numbers (vars); the first row
 *                                  whose every var is ≥ its bound gives the score
 *   qualitative verdict=met|partly|not;partly=50%
 *   deduction   deduct=0.5:合同未及时备案|1:信息公开用语不规范
 *                                  full marks minus each deduction, floor 0
 *   adjustment  points=2.5 or points=-3
 *                                  加减分: points added to the total outside the 100,
 *                                  on an indicator without a weight
 * Percentages are hundredths of a percent ("60%" → 6000); plain numbers are hundredths.
 * A veto fires when x (or r) is below it: the leaf scores 0 and the grade is capped.
 */
#ifndef JX_METHOD_H
#define JX_METHOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "score.h"

#define METHOD_TIERS_MAX 8
#define METHOD_DEDUCTIONS_MAX 16
#define METHOD_REASON_MAX 128

enum method_kind {
	METHOD_MANUAL,
	METHOD_COMPLETION,
	METHOD_LINEAR,
	METHOD_TIERS,
	METHOD_QUALITATIVE,
	METHOD_DEDUCTION,
	METHOD_ADJUSTMENT,
};

enum method_source {
	METHOD_SOURCE_ACTUAL,    /* the leaf's actual text */
	METHOD_SOURCE_EXECUTION, /* the workspace's budget execution rate */
};

struct method {
	enum method_kind kind;
	enum method_source source;
	int64_t lo, hi;                 /* linear */
	bool has_veto;
	int64_t veto;
	int64_t over, share;            /* completion */
	int64_t per_event;              /* completion of an at-most-0 target: points off per
					   occurrence; 0: any occurrence scores 0 */
	int64_t partly;                 /* qualitative, hundredths of a percent */
	int64_t points;                 /* adjustment, signed hundredths */
	bool has_verdict;
	enum score_verdict verdict;
	struct score_tier tiers[METHOD_TIERS_MAX];
	size_t ntiers;
	struct score_deduction deductions[METHOD_DEDUCTIONS_MAX];
	char reasons[METHOD_DEDUCTIONS_MAX][METHOD_REASON_MAX];
	size_t ndeductions;
};

/*
 * Parses a method name (NULL or "" is manual; Chinese names 手工 完成率 区间 分档 定性
 * 扣分 are accepted) and its parameters. Returns 0, or JX_EINVAL with a sentence in why.
 */
int method_parse(const char *name, const char *params, struct method *m, char *why,
    size_t whylen);

/* The canonical English name of a kind: "manual", "linear", ... */
const char *method_name(enum method_kind kind);

/* What a leaf's method may read besides the leaf itself. */
struct method_context {
	bool has_rate;
	int64_t rate; /* budget execution rate, hundredths of a percent */
};

/*
 * Scores a leaf of weight by m from its target and actual texts (either may be NULL).
 * Returns 0 with *score (hundredths) and *vetoed set; JX_ENOTFOUND when the leaf
 * cannot be scored yet (no actual value, no verdict, no budget), with the reason in
 * note; JX_EINVAL when the inputs contradict the method (note says how). Manual leaves
 * are the caller's: this returns JX_ENOTFOUND for them.
 */
int method_score(const struct method *m, int64_t weight, const char *target, const char *actual,
    const struct method_context *ctx, int64_t *score, bool *vetoed, char *note, size_t notelen);

#endif
