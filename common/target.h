/*
 * Target values (指标值): the free Chinese text a unit writes as an indicator's annual
 * target, parsed into clauses a scoring method can compare an actual against.
 *
 *   "不少于3000个"                      one clause: ≥ 3000 个
 *   "148.75万件"                        one clause: reach 1 487 500 件
 *   "一般性操作≤5秒，一般性统计≤20秒"  all of two clauses, each with its label
 *   "面向政府用户≥50或面向公众用户≥200" any one of two clauses
 *   "满足", "完成项目终验"              qualitative: an evaluator judges it
 *
 * Clauses are separated by ，；。(or , ;) or follow each other ("≥6Gbps日志存储能力≥40TB");
 * 或 between them makes the target "any". Within one separated stretch holding a
 * comparator, numbers without one are prose ("2022年访问量不少于100万次"), and so are
 * dates (2022年12月底), names (IPv6), ordinals (第3期) and 7×24 everywhere.
 *
 * At most: 不超过, 以内, and a bare 内 after a unit of time (5个工作日内办结, 4小时内响应).
 * At least, bound included: 98%及以上, 100%（含）以上. Dates are prose, never values:
 * 2023年12月31日前完成, 6月30日之前, 年底前 are qualitative milestones.
 * Zero counts are at most 0 (one occurrence fails): a bare 0 (0起, 安全事故0起, 0次, 为0)
 * and the words 零 / 无 / 未发生 / 杜绝 before an event (零事故, 无重大安全事故,
 * 实现零投诉): "≤ 0" with the event as the tail.
 *
 * Parsing never fails on content: text it cannot make sense of comes back qualitative
 * and flagged, for a person to look at: targets relative to last year (较上年, 同比,
 * 不低于上年水平: they need last year's actual), relative or approximate values (提高50%,
 * 约3个, 5个左右), ranges (3-5个), several bare numbers side by side, a clause with no
 * value beside ones with values, 或 mixed with other joins, more than
 * TARGET_MAX_CLAUSES clauses, values not exact in hundredths or beyond DEC_MAX (decimal.h).
 * The struct does not own the original text; the caller keeps that verbatim beside
 * the parse, which can always be recomputed.
 */
#ifndef JX_TARGET_H
#define JX_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* Longest text accepted, in bytes; longer text is refused, not truncated. */
#define TARGET_TEXT_MAX 4096

#define TARGET_MAX_CLAUSES 8
/* Buffer sizes, terminator included; longer strings are cut at a character boundary. */
#define TARGET_LABEL_MAX 192
#define TARGET_TAIL_MAX 128
#define TARGET_UNIT_MAX 24
#define TARGET_DISPLAY_MAX 512

/* Room for target_format's rendering of any target. */
#define TARGET_FORMAT_MAX \
	(TARGET_DISPLAY_MAX + TARGET_MAX_CLAUSES * \
	    (TARGET_LABEL_MAX + TARGET_UNIT_MAX + TARGET_TAIL_MAX + 48))

enum target_cmp {
	TARGET_EQ,	/* a bare value, 为, 达到: reach it */
	TARGET_GE,	/* ≥ 不少于 不低于 …以上 */
	TARGET_GT,	/* > 大于 高于 超过 */
	TARGET_LE,	/* ≤ 不超过 不高于 …以内 …以下 */
	TARGET_LT,	/* < 小于 低于 不足 */
};

enum target_kind {
	TARGET_QUANTITATIVE,	/* nclauses >= 1 */
	TARGET_QUALITATIVE,	/* nclauses == 0; judged by an evaluator */
};

enum target_join {
	TARGET_ALL,		/* every clause must hold (clauses joined by ，；or nothing) */
	TARGET_ANY,		/* one clause must hold (joined by 或) */
};

enum target_dir {
	TARGET_DIR_NONE,	/* qualitative, or several clauses */
	TARGET_DIR_UP,		/* at least: ≥ > and reach; more is better */
	TARGET_DIR_DOWN,	/* at most: ≤ <; less is better */
};

/*
 * One comparison, read as label, comparator, value, unit, tail:
 * "编制不少于3份信用监管相关标准规范" is "编制" ≥ 300 "份" "信用监管相关标准规范".
 * label and tail are the prose around the value, trimmed; either may be empty.
 */
struct target_clause {
	char label[TARGET_LABEL_MAX];
	enum target_cmp cmp;
	int64_t value;			/* hundredths of the unit: 95% is 9500, 3万 is 3000000 */
	char unit[TARGET_UNIT_MAX];	/* as written ("%", "个月", "Gbps"), "" when none */
	char tail[TARGET_TAIL_MAX];
};

struct target {
	enum target_kind kind;
	enum target_join join;
	int flagged;			/* qualitative only because the text was not understood */
	size_t nclauses;
	struct target_clause clauses[TARGET_MAX_CLAUSES];
	/*
	 * The text for display: trimmed, cut to fit at a character, control characters
	 * shown as spaces and invalid UTF-8 as U+FFFD.
	 */
	char text[TARGET_DISPLAY_MAX];
};

/*
 * Parses text into *out. Full-width digits, letters, ％ ＞ ＜ ＝ are read as their
 * ASCII forms, and labels and units are stored in those forms; values carry at most
 * two decimals of their unit after applying 万 / 亿, or the target is flagged.
 * Returns 0, or JX_EINVAL when text or out is NULL or text is longer than
 * TARGET_TEXT_MAX bytes, in which case *out is unchanged. Empty text, invalid UTF-8
 * and anything unclassifiable come back as 0 with a qualitative, flagged target.
 */
int target_parse(const char *text, struct target *out);

/*
 * Parse an actual value (完成值), which is written in the same grammar: values finer
 * than hundredths are rounded half up instead of flagged (386.7540TB -> 386.75), and
 * words about last year are prose, not a relative target.
 */
#define TARGET_ACTUAL 1u

/*
 * target_parse on len bytes of text, which need not be NUL-terminated and may hold NUL
 * bytes (read as spaces): what a fuzzing harness calls. flags is 0 or TARGET_ACTUAL.
 * JX_EINVAL for NULL or len above TARGET_TEXT_MAX.
 */
int target_parse_len(const char *text, size_t len, unsigned flags, struct target *out);

/*
 * Whether text is a target the parser did not understand (flagged): false for NULL, a
 * blank text and a text above TARGET_TEXT_MAX. What jx score, jx check and the exports
 * mark with ⚑.
 */
int target_text_flagged(const char *text);

/* "=", "≥", ">", "≤", "<"; "?" for anything else. Never NULL. */
const char *target_cmp_symbol(enum target_cmp cmp);

/*
 * Whether a quantitative single-clause target asks for at least or at most its value.
 * A bare value ("reach") counts as at least. TARGET_DIR_NONE for NULL, qualitative
 * and multi-clause targets, whose clauses the caller must look at one by one.
 */
enum target_dir target_direction(const struct target *t);

/*
 * Renders t canonically into buf: clauses as label, symbol, value, unit, tail,
 * joined by "；" (all) or "或" (any), values with 万 / 亿 where exact, e.g.
 * "≥95%；系统对用户操作的响应时间≤5秒". A bare value shows no symbol unless "=" is
 * needed to read it back. Qualitative targets render as their text. Parsing the
 * rendering of a parsed target gives back the same clauses. Returns 0; JX_EINVAL
 * for NULL or len 0; JX_ENOSPC when buf is too small, with buf holding as much as
 * fits, cut at a character. A buffer of TARGET_FORMAT_MAX bytes always suffices.
 */
int target_format(const struct target *t, char *buf, size_t len);

#endif
