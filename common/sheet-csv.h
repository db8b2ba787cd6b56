/*
 * The scoring sheet (评分表) as evaluators keep it in a spreadsheet, saved as CSV.
 *
 * Columns, in any order, named by a header row (rows above it, like a title, are
 * skipped; columns with other names are ignored; English names in brackets):
 *   一级指标 二级指标 [三级指标 [四级指标]]  (level1 … level4, also "level 1")
 *   分值 (weight)  评分标准 (criteria)  评价情况 (evaluation, comment)  评价得分 (score)
 *   optional: 指标值 (target)  完成值 (actual)  评分方法 (method)  参数 (params,
 *   parameters)  类别 (category)
 * 一级指标 and 分值 are required.
 *
 * Each row names one indicator: its rightmost filled level cell. The level cells left of
 * it name the indicators it sits under; a blank one repeats the indicator of the row
 * above (merged cells), and so does a name equal to the one in the row above under the
 * same parent. Any other name starts a new indicator, so the same name under the same
 * parent on rows further apart is two indicators. Rows blank in every known column are
 * skipped. A row may stop at any level; when rows below descend from it, its indicator
 * is a parent and its 分值 is the parent's stated weight (its score must be blank).
 *
 * A level cell may carry a weight: "项目安排（15分）", "项目安排(15)" → name 项目安排,
 * weight 15 (stated). 分值 and 评价得分 are "4.88" or "4.88分": at most two decimals,
 * not negative; thousands separators and full-width digits are read (1,164.43,
 * １６．６), ambiguous forms (1,16) are not. Every leaf needs a weight. A parent's
 * weight is the stated one, or else the sum of its children's; a stated weight that
 * differs from the sum is kept as stated, for a consistency check to report.
 *
 * 加减分 (bonus and penalty points outside the 100): a row whose 评分方法 is adjustment
 * (加减分), or that sits under or is named 加减分 / 加减分项 / 加分项 / 减分项, is an
 * adjustment: its points are its 评价得分 (or its 分值 when that is blank), signed
 * ("+2.5", "-3"), its weight 0, its method adjustment with points=… as its parameter.
 *
 * A sheet's own check rows are not indicators: a row named 合计 (总计, 总分, 综合得分,
 * 得分合计) states the sheet's total in its 评价得分; a 小计 row states its group's
 * score (the indicator in the level column left of 小计, or the level-1 indicator above
 * when 小计 is in the 一级 column). They are kept as stated figures (has_total, a node's
 * has_stated) for jx check to compare with what the indicators add up to.
 */
#ifndef JX_SHEET_CSV_H
#define JX_SHEET_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"

#define SHEET_CSV_LEVELS 4
/* Room for a code like "100000.100000.100000.100000" and its terminator. */
#define SHEET_CSV_CODE_MAX 32

struct sheet_csv_node {
	char code[SHEET_CSV_CODE_MAX]; /* "1", "1.2", "1.2.3": order among siblings */
	ptrdiff_t parent;              /* index in nodes, -1 for a first-level indicator */
	int depth;                     /* 1 … SHEET_CSV_LEVELS */
	size_t nchildren;              /* 0 for a leaf */
	char *name;                    /* without a "（15分）" weight */
	int64_t weight;                /* hundredths of a point */
	bool weight_stated;            /* the sheet gave it (always, for a leaf) */
	bool has_score;                /* leaves only */
	int64_t score;                 /* hundredths of a point */
	/* The remaining text columns, trimmed; "" when blank, never NULL. */
	char *criteria; /* 评分标准 */
	char *comment;  /* 评价情况 */
	char *target;   /* 指标值, verbatim */
	char *actual;   /* 完成值 */
	char *method;   /* 评分方法 (method.h); "" is manual */
	char *params;   /* 参数 */
	char *category; /* 类别 */
	size_t line;    /* line of the CSV row that first named it */
	bool has_stated; /* a 小计 row stated this score for it */
	int64_t stated;
	bool adjustment; /* a 加减分 row: score signed, weight 0, method adjustment */
};

/* The indicators in depth-first order: each node's descendants follow it. */
struct sheet_csv {
	struct sheet_csv_node *nodes;
	size_t n;
	bool has_total;    /* a 合计 row stated the sheet's total */
	int64_t total;
	size_t total_line;
	char ignored[256]; /* the header's other columns, ignored: "备注、序号"; "" when none */
};

/*
 * A table of cells as a CSV file or a spreadsheet's sheet holds it: what the reader
 * reads, so that any file format can feed the same indicators. cell returns UTF-8 the
 * table owns, NULL or "" for an empty cell; line gives the row's line (or row number)
 * for messages, and may be NULL (row + 1).
 */
struct sheet_table {
	const void *data;
	size_t (*nrows)(const void *data);
	size_t (*ncols)(const void *data, size_t row);
	const char *(*cell)(const void *data, size_t row, size_t col);
	size_t (*line)(const void *data, size_t row);
};

/*
 * Reads the sheet in csv (which the caller keeps and frees). On success *out is a new
 * sheet the caller frees with sheet_csv_free. On failure returns JX_EINVAL with a
 * sentence in why naming the row (line of the file), column and header, in Chinese and
 * English — e.g. 第 12 行第 4 列「分值」：“abc”不是数字 / row 12, column 4 (分值): "abc"
 * is not a number — or JX_EINTERNAL when out of memory.
 */
int sheet_csv_read(const struct csv *csv, struct sheet_csv **out, char *why, size_t whylen);

/*
 * Whether a cell names a table's own check row: 合计 (总计, 总分 …) or 小计, spaces
 * aside. Other tables (budget lines) skip such rows with this one list.
 */
bool sheet_csv_total_label(const char *cell);

/* sheet_csv_read from any table of cells (an .xlsx sheet, say), with the same rules. */
int sheet_csv_read_table(const struct sheet_table *t, struct sheet_csv **out, char *why,
    size_t whylen);

/*
 * Writes the sheet in the same format, so that sheet_csv_read gives the same tree back
 * (the nodes must be as sheet_csv_read leaves them: depth-first, no NULL strings):
 * UTF-8 with a byte-order mark, CRLF rows, a Chinese header with as many level columns as
 * needed (at least three) and the optional columns some node uses. A parent gets its own
 * row only when it has text of its own; otherwise its name, with its stated weight as
 * "（15分）", is written on its first descendant's row and left blank below.
 * Two adjacent siblings with the same name that are both parents without rows of their
 * own cannot be told apart once written, and a name that itself ends in a bracketed
 * number is read back as a weight. Returns 0, JX_EINVAL when a node is deeper than
 * SHEET_CSV_LEVELS, or JX_EINTERNAL when the stream reports an error.
 */
int sheet_csv_write(const struct sheet_csv *sheet, FILE *f);

void sheet_csv_free(struct sheet_csv *sheet);

#endif
