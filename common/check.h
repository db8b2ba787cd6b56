/*
 * Consistency checks of a scoring sheet (评分表): the warnings behind `jx check WS`, for
 * what real reports get wrong (DOMAIN §8). Pure code: no allocation but the result, no
 * state; the server and the CLI map their tree to check_node.
 *
 * Units, all int64: points (weights, scores, stated subtotals) in hundredths of a point,
 * 4.88 -> 488; money in fen (budget.h). Texts are UTF-8 and may be NULL.
 *
 * The warnings and their stable kind keys, in the order a node's warnings come:
 *   weight-sum          a parent's weight is not the sum of its children's weights, or
 *                       the level-1 weights do not add up to expected_total (workspace)
 *   subtotal            a stated subtotal is not the sum of its children's scores (a
 *                       child counts with its own stated subtotal when it has one), or
 *                       the stated total is not the sum of the level-1 scores (workspace)
 *   stated-score        a leaf's stated score is not its score (body text vs appendix)
 *   formula-weight      the criteria's multiplier ("×17"), top score ("得2分") or full
 *                       marks ("总分20分") is not the weight
 *   unit                a text quotes the ledger's expenditure or final budget with the
 *                       wrong unit ("支出 428.54 元" where 万元 is meant, or the reverse)
 *   full-critical       full marks while the comment or actual is critical ("不一致")
 *   no-comment          a manual leaf below full marks without a comment (DOMAIN §5)
 *   no-name             an indicator without a name
 *   no-target           a personalised indicator without a target: at most 50 %
 *   no-target-cap       ... and scored above that cap (score_no_target_cap)
 *   qualitative-target  a target with no number in it: it cannot be measured
 *   score-range         a score above the weight or below 0
 *   weight-range        a negative weight
 *   no-evidence         a scored leaf without any evidence file (filter it out when
 *                       evidence is not tracked)
 *   no-satisfaction     a 效益 group (the topmost parent whose name or category says
 *                       效益) with no leaf whose name or category says 满意: -3
 *   personalised-count  a parent of fewer than CHECK_PERSONAL_MIN personalised children
 *   personalised-weight a personalised indicator above CHECK_PERSONAL_MAX_WEIGHT
 *   unscored            a leaf without a score yet (list_unscored): the grade is
 *                       provisional; the method's note says why when it has one
 *   flagged-target      a target text the parser (target.h) did not understand
 *   budget-stated       a stated final budget or execution rate that the ledger's
 *                       arithmetic contradicts (seed 003: 1062.78 printed, 2062.78 computed)
 * A leaf scored by the adjustment method (加减分) is outside the weights: score-range
 * does not apply to it.
 *   truncated           last, when more than CHECK_WARNINGS_MAX warnings were found
 * no-satisfaction, personalised-* and the 50 % cap are seed 002's template (Guangzhou
 * project key evaluation); the others hold for any sheet.
 *
 * Texts are read for numbers in ASCII or full-width digits ("1,260,000", "428.54"). In a
 * formula "×100%", "×100", "×分值" and "7×24小时" are not multipliers; "得15分以上" (a band),
 * "每项得1分" (per item) and "得0分" do not state the top score. Critical wording is a
 * fixed list ("不一致", "未见", "未能", "有待" …) outside clauses saying "未发现"; "问题"
 * is not on it, as seed 002's full-mark comments use it neutrally.
 */
#ifndef JX_CHECK_H
#define JX_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The parent of a level-1 indicator, and the node of a workspace-wide warning. */
#define CHECK_ROOT ((size_t)-1)

/* Most nodes accepted: keeps every sum of DEC_MAX-bounded points within int64. */
#define CHECK_NODES_MAX 4096
/* Most warnings returned, the "truncated" one included. */
#define CHECK_WARNINGS_MAX 1024
#define CHECK_KIND_MAX 32
#define CHECK_TEXT_MAX 512

/* Seed 002: "需分设3个以上的三级个性化指标…单个指标分值不超过7分…应设未设满意度指标的扣3分". */
#define CHECK_PERSONAL_MIN 3
#define CHECK_PERSONAL_MAX_WEIGHT 700
#define CHECK_NO_SATISFACTION_PENALTY 300

/* One indicator. Every pointer is the caller's, borrowed for the call. */
struct check_node {
	const char *code; /* required, e.g. "3.2.1" */
	const char *name; /* NULL or blank: none */
	size_t parent;    /* index of the parent, earlier in the array; CHECK_ROOT */
	bool has_weight;
	int64_t weight; /* 分值, points */
	bool has_score;
	int64_t score; /* 得分 of a leaf, points */
	bool has_stated;
	int64_t stated;       /* a score a report states for the node, e.g. a subtotal */
	const char *criteria; /* 评分标准 */
	const char *target;   /* 指标值 */
	const char *actual;   /* 完成值 / 完成情况 */
	const char *comment;  /* 评价情况 / 扣分原因 */
	const char *category; /* 类别, e.g. "满意度" */
	const char *method;   /* NULL, "", "manual" or "手工": manual; see method.h */
	bool personalised;    /* a project-specific indicator (个性化指标) */
	unsigned evidence;    /* evidence files (佐证材料) attached */
	const char *note;     /* why its method could not score it, when it could not */
};

/* The workspace's budget facts, in fen. */
struct check_ledger {
	bool present;
	int64_t final_budget; /* 全年预算 */
	int64_t spent;        /* 支出 */
	bool has_stated_final;
	int64_t stated_final; /* the final budget as the report prints it */
	bool has_stated_rate;
	int64_t stated_rate; /* the execution rate as printed, hundredths of a percent */
};

struct check_input {
	const struct check_node *nodes; /* parents before their children, siblings in order */
	size_t n;
	struct check_ledger ledger;
	int64_t expected_total; /* Σ level-1 weights, usually 10000; 0: not checked */
	bool has_stated_total;
	int64_t stated_total; /* the total a report states (综合得分, a sheet's 合计) */
	bool list_unscored;   /* warn about leaves without a score (not for declarations) */
};

struct check_warning {
	size_t node;               /* index into the input's nodes; CHECK_ROOT: the workspace */
	const char *code;          /* that node's code, borrowed from the input; NULL: workspace */
	char kind[CHECK_KIND_MAX]; /* a stable key from the list above */
	char text[CHECK_TEXT_MAX]; /* one plain English sentence with the Chinese terms */
};

/*
 * Runs every check. On success returns 0, *out an array of *n warnings in tree order
 * (workspace first, then each node in pre-order, a node's warnings in the order above)
 * that the caller frees with check_free(), and NULL when there are none. Returns
 * JX_EINVAL for a malformed input (no code, a parent not before its child, more than
 * CHECK_NODES_MAX nodes, points or money beyond DEC_MAX) and JX_ENOSPC when out of
 * memory; *out and *n are then unchanged.
 */
int check_run(const struct check_input *in, struct check_warning **out, size_t *n);

/* Frees check_run()'s array; NULL is fine. */
void check_free(struct check_warning *w);

#endif
