#include "sheet-csv.h"

#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "err.h"
#include "method.h"
#include "text.h"

enum sheet_csv_col {
	COL_L1,
	COL_L2,
	COL_L3,
	COL_L4,
	COL_WEIGHT,
	COL_CRITERIA,
	COL_COMMENT,
	COL_SCORE,
	COL_TARGET,
	COL_ACTUAL,
	COL_METHOD,
	COL_PARAMS,
	COL_CATEGORY,
	COL_N
};

/* The header each column is written with, then its other names. */
static const struct {
	enum sheet_csv_col col;
	const char *names[4];
} sheet_csv_headers[] = {
	{ COL_L1, { "一级指标", "level1" } },
	{ COL_L2, { "二级指标", "level2" } },
	{ COL_L3, { "三级指标", "level3" } },
	{ COL_L4, { "四级指标", "level4" } },
	{ COL_WEIGHT, { "分值", "weight" } },
	{ COL_CRITERIA, { "评分标准", "criteria" } },
	{ COL_COMMENT, { "评价情况", "evaluation", "comment" } },
	{ COL_SCORE, { "评价得分", "score" } },
	{ COL_TARGET, { "指标值", "target" } },
	{ COL_ACTUAL, { "完成值", "actual" } },
	{ COL_METHOD, { "评分方法", "method" } },
	{ COL_PARAMS, { "参数", "params", "parameters" } },
	{ COL_CATEGORY, { "类别", "category" } },
};
_Static_assert(sizeof(sheet_csv_headers) / sizeof(sheet_csv_headers[0]) == COL_N,
    "one row per column, in enum order");

/* Room for a header as quoted in messages. */
#define HEADER_MAX 64

struct sheet_csv_reader {
	const struct sheet_table *t;
	size_t col[COL_N];              /* 1-based column in the file, 0 when absent */
	char header[COL_N][HEADER_MAX]; /* as written, for messages */
	int nlevels;
	struct sheet_csv *sheet;
	size_t cap;
	ptrdiff_t path[SHEET_CSV_LEVELS]; /* the previous row's indicators, by level */
	int pathdepth;
	char *why;
	size_t whylen;
};

/* Copies at most n - 1 bytes of s into buf, cut at a character boundary. */
static void
sheet_csv_cut(char *buf, size_t n, const char *s, size_t len)
{
	if (len >= n) {
		len = n - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
}

/* A value as quoted in a message: trimmed, and cut with "…" when long. */
static void
sheet_csv_quote(char *buf, size_t n, const char *s)
{
	const char *t;
	size_t len = csv_trim(s, &t);

	if (len <= 40) {
		sheet_csv_cut(buf, n, t, len);
		return;
	}
	sheet_csv_cut(buf, n - 4, t, 40);
	memcpy(buf + strlen(buf), "…", sizeof("…"));
}

/* The length of s[0..len) without the spaces at its end. */
static size_t
sheet_csv_rtrim(const char *s, size_t len)
{
	for (;;) {
		if (len >= 1 && strchr(" \t\r\n\v\f", s[len - 1]) != NULL && s[len - 1] != '\0')
			len -= 1;
		else if (len >= 3 && memcmp(s + len - 3, "\xe3\x80\x80", 3) == 0)
			len -= 3;
		else if (len >= 2 && memcmp(s + len - 2, "\xc2\xa0", 2) == 0)
			len -= 2;
		else
			return len;
	}
}

/*
 * Parses points written as "4.88", "4.88分", " 4.88 分 ", "１，０００" from s[0..len)
 * (dec_parse_written: thousands separators and full-width digits, nothing ambiguous).
 */
static bool
sheet_csv_points(const char *s, size_t len, int64_t *v)
{
	const char *t;
	char buf[128];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	len = csv_trim(buf, &t);
	if (len >= 3 && memcmp(t + len - 3, "分", 3) == 0)
		len = sheet_csv_rtrim(t, len - 3);
	return dec_parse_written(t, len, v) == JX_OK;
}

static int
sheet_csv_fail(struct sheet_csv_reader *r, size_t line, enum sheet_csv_col col, const char *zh,
    const char *en)
{
	return csv_why(r->why, r->whylen, line, r->col[col], r->header[col], zh, en);
}

static size_t
sheet_csv_line(const struct sheet_csv_reader *r, size_t row)
{
	return r->t->line != NULL ? r->t->line(r->t->data, row) : row + 1;
}

/* Cell col of row as the table has it, "" when absent. */
static const char *
sheet_csv_raw(const struct sheet_csv_reader *r, size_t row, size_t col)
{
	const char *v = col < r->t->ncols(r->t->data, row) ? r->t->cell(r->t->data, row, col) : NULL;

	return v != NULL ? v : "";
}

static const char *
sheet_csv_cell(const struct sheet_csv_reader *r, size_t row, enum sheet_csv_col col)
{
	const char *v;

	if (r->col[col] == 0 || r->col[col] - 1 >= r->t->ncols(r->t->data, row))
		return "";
	v = r->t->cell(r->t->data, row, r->col[col] - 1);
	return v != NULL ? v : "";
}

static int
sheet_csv_header(struct sheet_csv_reader *r, size_t row)
{
	size_t line = sheet_csv_line(r, row);

	for (size_t c = 0; c < r->t->ncols(r->t->data, row); c++) {
		const char *cell = sheet_csv_raw(r, row, c), *t;
		size_t len, known = 0;

		for (size_t h = 0; h < sizeof(sheet_csv_headers) / sizeof(sheet_csv_headers[0]);
		     h++) {
			enum sheet_csv_col col = sheet_csv_headers[h].col;
			int match = 0;

			for (size_t k = 0; k < 4 && sheet_csv_headers[h].names[k] != NULL; k++)
				match |= csv_header_eq(cell, sheet_csv_headers[h].names[k]);
			if (!match)
				continue;
			len = csv_trim(cell, &t);
			if (r->col[col] != 0) {
				char dup[HEADER_MAX];

				sheet_csv_cut(dup, sizeof(dup), t, len);
				return csv_why(r->why, r->whylen, line, c + 1, dup, "这一列重复了",
				    "a second column with this name");
			}
			r->col[col] = c + 1;
			sheet_csv_cut(r->header[col], HEADER_MAX, t, len);
			known++;
		}
		/* Other columns are ignored, and named in ignored for a note. */
		if (known == 0 && (len = csv_trim(cell, &t)) > 0) {
			size_t used = strlen(r->sheet->ignored);

			if (used + len + 4 < sizeof(r->sheet->ignored))
				snprintf(r->sheet->ignored + used, sizeof(r->sheet->ignored) - used,
				    "%s%.*s", used > 0 ? "、" : "", (int)len, t);
		}
	}
	if (r->col[COL_WEIGHT] == 0)
		return csv_why(r->why, r->whylen, line, 0, NULL, "表头缺少「分值」列",
		    "the header has no 分值 (weight) column");
	for (int i = 0; i < SHEET_CSV_LEVELS; i++) {
		if (r->col[COL_L1 + i] == 0)
			break;
		r->nlevels = i + 1;
	}
	for (int i = r->nlevels; i < SHEET_CSV_LEVELS; i++)
		if (r->col[COL_L1 + i] != 0)
			return sheet_csv_fail(r, line, COL_L1 + i, "缺少它的上一级指标列",
			    "the column for the level above it is missing");
	return JX_OK;
}

/* Parses a weight or a score: "4.88" or "4.88分", not negative unless signed is set. */
static int
sheet_csv_number_signed(struct sheet_csv_reader *r, size_t line, enum sheet_csv_col col,
    const char *cell, bool sign, bool *has, int64_t *v)
{
	char q[64], zh[128], en[128];
	const char *t;
	size_t len = csv_trim(cell, &t);

	*has = false;
	if (len == 0)
		return JX_OK;
	if (sheet_csv_points(t, len, v)) {
		if (*v < 0 && !sign)
			return sheet_csv_fail(r, line, col, "不能是负数", "cannot be negative");
		*has = true;
		return JX_OK;
	}
	sheet_csv_quote(q, sizeof(q), cell);
	snprintf(zh, sizeof(zh), "“%s”不是数字", q);
	snprintf(en, sizeof(en), "\"%s\" is not a number", q);
	return sheet_csv_fail(r, line, col, zh, en);
}

static int
sheet_csv_number(struct sheet_csv_reader *r, size_t line, enum sheet_csv_col col, const char *cell,
    bool *has, int64_t *v)
{
	return sheet_csv_number_signed(r, line, col, cell, false, has, v);
}

/*
 * Parses a level cell: the name, and a weight in brackets at its end ("项目安排（15分）",
 * "项目安排(15)"). A bracket holding anything else is part of the name.
 */
static int
sheet_csv_name(struct sheet_csv_reader *r, size_t line, enum sheet_csv_col col, const char *cell,
    char **name, bool *has, int64_t *w)
{
	const char *t;
	size_t len = csv_trim(cell, &t), open = 0, olen = 0, close = 0;

	*has = false;
	if (len >= 1 && t[len - 1] == ')')
		close = 1;
	else if (len >= 3 && memcmp(t + len - 3, "）", 3) == 0)
		close = 3;
	for (size_t i = 0; close > 0 && i + close < len; i++) {
		if (t[i] == '(') {
			open = i;
			olen = 1;
		} else if (i + 3 <= len && memcmp(t + i, "（", 3) == 0) {
			open = i;
			olen = 3;
		}
	}
	if (olen > 0 && sheet_csv_rtrim(t, open) > 0 &&
	    sheet_csv_points(t + open + olen, len - close - open - olen, w) && *w >= 0) {
		*has = true;
		len = sheet_csv_rtrim(t, open);
	}
	if ((*name = strndup(t, len)) == NULL)
		return JX_EINTERNAL;
	if (!text_printable(*name, false)) {
		free(*name);
		*name = NULL;
		return sheet_csv_fail(r, line, col, "指标名称里有换行或控制字符",
		    "the indicator name holds a line break or a control character");
	}
	return JX_OK;
}

static int
sheet_csv_text(struct sheet_csv_reader *r, size_t row, enum sheet_csv_col col, char **out)
{
	const char *t;
	size_t len = csv_trim(sheet_csv_cell(r, row, col), &t);

	if ((*out = strndup(t, len)) == NULL)
		return JX_EINTERNAL;
	if (!text_printable(*out, true))
		return sheet_csv_fail(r, sheet_csv_line(r, row), col, "含有控制字符",
		    "holds a control character");
	return JX_OK;
}

/* Appends a node; the sheet owns name from here on, even on failure. */
static int
sheet_csv_add(struct sheet_csv_reader *r, int depth, ptrdiff_t parent, char *name, size_t line,
    ptrdiff_t *idx)
{
	struct sheet_csv *s = r->sheet;
	struct sheet_csv_node *n;

	if (s->n == r->cap) {
		size_t ncap = r->cap == 0 ? 64 : r->cap * 2;
		struct sheet_csv_node *nn = realloc(s->nodes, ncap * sizeof(*nn));

		if (nn == NULL) {
			free(name);
			return JX_EINTERNAL;
		}
		s->nodes = nn;
		r->cap = ncap;
	}
	n = &s->nodes[s->n];
	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->depth = depth;
	n->name = name;
	n->line = line;
	*idx = (ptrdiff_t)s->n++;
	return JX_OK;
}

static bool
sheet_csv_row_blank(const struct sheet_csv_reader *r, size_t row)
{
	for (int c = 0; c < COL_N; c++)
		if (!csv_blank(sheet_csv_cell(r, row, c)))
			return false;
	return true;
}

/* Names of a sheet's own check rows, spaces aside: the whole sheet's, and a group's. */
static const char *const sheet_csv_total_names[] = {
	"合计", "总计", "总分", "综合得分", "得分合计", "评价得分合计", "总得分",
};
static const char *const sheet_csv_subtotal_names[] = { "小计" };

/* Whether cell, trimmed and without spaces inside, is one of names. */
static bool
sheet_csv_is_word(const char *cell, const char *const *names, size_t n)
{
	char buf[64];
	size_t o = 0;

	for (const char *p = cell; *p != '\0'; p++) {
		if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
			continue;
		if (strncmp(p, "\xe3\x80\x80", 3) == 0) {
			p += 2;
			continue;
		}
		if (o + 1 >= sizeof(buf))
			return false;
		buf[o++] = *p;
	}
	buf[o] = '\0';
	for (size_t i = 0; i < n; i++)
		if (strcmp(buf, names[i]) == 0)
			return true;
	return false;
}

bool
sheet_csv_total_label(const char *cell)
{
	return sheet_csv_is_word(cell, sheet_csv_total_names,
		   sizeof(sheet_csv_total_names) / sizeof(sheet_csv_total_names[0])) ||
	    sheet_csv_is_word(cell, sheet_csv_subtotal_names,
		sizeof(sheet_csv_subtotal_names) / sizeof(sheet_csv_subtotal_names[0]));
}

/*
 * A 合计 or 小计 row: not an indicator but the figures the sheet states, kept for
 * jx check to compare with the computed ones. 合计 (总计, 总分 …) states the total;
 * 小计 states its group's score: the indicator left of it (一级 when 小计 is in the
 * 二级 column), or the level-1 indicator above it when 小计 is in the 一级 column.
 * Returns JX_ENOTFOUND for any other row.
 */
static int
sheet_csv_total_row(struct sheet_csv_reader *r, size_t row)
{
	const char *label = NULL;
	size_t line = sheet_csv_line(r, row);
	bool total, has;
	int64_t v;
	int d = 0, rv;
	ptrdiff_t group;

	for (int i = 0; i < r->nlevels; i++)
		if (!csv_blank(sheet_csv_cell(r, row, COL_L1 + i)))
			d = i + 1;
	if (d > 0) {
		label = sheet_csv_cell(r, row, COL_L1 + d - 1);
	} else {
		/* Merged across the level columns: the first cell with text says it. */
		for (size_t c = 0; c < r->t->ncols(r->t->data, row) && label == NULL; c++)
			if (!csv_blank(sheet_csv_raw(r, row, c)))
				label = sheet_csv_raw(r, row, c);
		if (label == NULL)
			return JX_ENOTFOUND;
	}
	if (sheet_csv_is_word(label, sheet_csv_total_names, sizeof(sheet_csv_total_names) /
	    sizeof(sheet_csv_total_names[0])))
		total = true;
	else if (sheet_csv_is_word(label, sheet_csv_subtotal_names,
	    sizeof(sheet_csv_subtotal_names) / sizeof(sheet_csv_subtotal_names[0])))
		total = false;
	else
		return JX_ENOTFOUND;
	if ((rv = sheet_csv_number(r, line, COL_SCORE, sheet_csv_cell(r, row, COL_SCORE), &has,
	    &v)) != JX_OK)
		return rv;
	if (!has)
		return JX_OK; /* a total row with no score states nothing */
	if (total) {
		r->sheet->has_total = true;
		r->sheet->total = v;
		r->sheet->total_line = line;
		return JX_OK;
	}
	if (r->pathdepth == 0)
		return sheet_csv_fail(r, line, COL_SCORE, "小计上面还没有指标",
		    "a 小计 (subtotal) row with no indicators above it");
	group = r->path[d >= 2 && d - 2 < r->pathdepth ? d - 2 : 0];
	r->sheet->nodes[group].has_stated = true;
	r->sheet->nodes[group].stated = v;
	return JX_OK;
}

/* Whether a name says its rows are 加减分 (bonus and penalty points outside the 100). */
static bool
sheet_csv_adjustment_name(const char *name)
{
	return strstr(name, "加减分") != NULL || strcmp(name, "加分项") == 0 ||
	    strcmp(name, "减分项") == 0 || strcmp(name, "加分") == 0 || strcmp(name, "减分") == 0;
}

/* Whether a row's method cell names the adjustment method (method.h's names). */
static bool
sheet_csv_adjustment_method(const char *cell)
{
	char name[64], why[128];
	struct method m;
	const char *t;
	size_t len = csv_trim(cell, &t);

	if (len == 0 || len >= sizeof(name))
		return false;
	memcpy(name, t, len);
	name[len] = '\0';
	return method_parse(name, NULL, &m, why, sizeof(why)) == JX_OK &&
	    m.kind == METHOD_ADJUSTMENT;
}

static int
sheet_csv_row(struct sheet_csv_reader *r, size_t row)
{
	struct sheet_csv_node *n;
	ptrdiff_t path[SHEET_CSV_LEVELS];
	size_t line = sheet_csv_line(r, row);
	bool fresh = false, has, adjust;
	int64_t v;
	int d = 0, rv;

	for (int i = 0; i < r->nlevels; i++)
		if (!csv_blank(sheet_csv_cell(r, row, COL_L1 + i)))
			d = i + 1;
	if (d == 0)
		return sheet_csv_fail(r, line, COL_L1, "这一行没有指标名称",
		    "the row names no indicator");
	for (int i = 0; i < d; i++) {
		enum sheet_csv_col col = COL_L1 + i;
		const char *cell = sheet_csv_cell(r, row, col);
		char *name;

		if (csv_blank(cell)) {
			if (fresh)
				return sheet_csv_fail(r, line, col,
				    "左边是新的指标，这一格不能空着",
				    "cannot be blank when the indicator to its left is new");
			if (i >= r->pathdepth)
				return sheet_csv_fail(r, line, col, "空着，但上面没有可沿用的指标",
				    "is blank and there is no indicator above to repeat");
			path[i] = r->path[i];
			continue;
		}
		if ((rv = sheet_csv_name(r, line, col, cell, &name, &has, &v)) != JX_OK)
			return rv;
		if (i < d - 1 && !fresh && i < r->pathdepth &&
		    strcmp(r->sheet->nodes[r->path[i]].name, name) == 0) {
			free(name);
			path[i] = r->path[i];
			n = &r->sheet->nodes[path[i]];
			if (has && n->weight_stated && n->weight != v) {
				char a[DEC_BUFSZ], b[DEC_BUFSZ], zh[128], en[128];

				dec_format_short(n->weight, a);
				dec_format_short(v, b);
				snprintf(zh, sizeof(zh), "分值与上面给的不一致（%s 与 %s）", a, b);
				snprintf(en, sizeof(en),
				    "a weight unlike the one given above (%s, %s)", a, b);
				return sheet_csv_fail(r, line, col, zh, en);
			}
			if (has) {
				n->weight = v;
				n->weight_stated = true;
			}
			continue;
		}
		if ((rv = sheet_csv_add(r, i + 1, i == 0 ? -1 : path[i - 1], name, line,
			 &path[i])) != JX_OK)
			return rv;
		fresh = true;
		if (has) {
			r->sheet->nodes[path[i]].weight = v;
			r->sheet->nodes[path[i]].weight_stated = true;
		}
	}
	n = &r->sheet->nodes[path[d - 1]];
	adjust = sheet_csv_adjustment_method(sheet_csv_cell(r, row, COL_METHOD));
	for (int i = 0; i < d; i++)
		adjust |= sheet_csv_adjustment_name(r->sheet->nodes[path[i]].name);
	if ((rv = sheet_csv_number_signed(r, line, COL_WEIGHT, sheet_csv_cell(r, row, COL_WEIGHT),
	    adjust, &has, &v)) != JX_OK)
		return rv;
	if (has && !adjust) {
		if (n->weight_stated && n->weight != v)
			return sheet_csv_fail(r, line, COL_WEIGHT, "与指标名称里写的分值不一致",
			    "differs from the weight written in the indicator's name");
		n->weight = v;
		n->weight_stated = true;
	}
	if ((rv = sheet_csv_number_signed(r, line, COL_SCORE, sheet_csv_cell(r, row, COL_SCORE),
	    adjust, &n->has_score, &n->score)) != JX_OK)
		return rv;
	if (adjust) {
		/* 加减分 as written: the points in 评价得分, or in 分值 when that is blank. */
		if (has && n->has_score && v != n->score)
			return sheet_csv_fail(r, line, COL_SCORE, "加减分的分值与得分不一致",
			    "an adjustment's 分值 and 评价得分 differ");
		if (has && !n->has_score) {
			n->has_score = true;
			n->score = v;
		}
		n->adjustment = true;
		n->weight = 0;
		n->weight_stated = true;
	}
	if ((rv = sheet_csv_text(r, row, COL_CRITERIA, &n->criteria)) != JX_OK ||
	    (rv = sheet_csv_text(r, row, COL_COMMENT, &n->comment)) != JX_OK ||
	    (rv = sheet_csv_text(r, row, COL_TARGET, &n->target)) != JX_OK ||
	    (rv = sheet_csv_text(r, row, COL_ACTUAL, &n->actual)) != JX_OK ||
	    (rv = sheet_csv_text(r, row, COL_METHOD, &n->method)) != JX_OK ||
	    (rv = sheet_csv_text(r, row, COL_PARAMS, &n->params)) != JX_OK ||
	    (rv = sheet_csv_text(r, row, COL_CATEGORY, &n->category)) != JX_OK)
		return rv;
	memcpy(r->path, path, sizeof(path));
	r->pathdepth = d;
	return JX_OK;
}

/* Codes, child counts, parents' weights, and the checks that need the whole tree. */
static int
sheet_csv_finish(struct sheet_csv_reader *r)
{
	struct sheet_csv *s = r->sheet;
	int64_t *sum = NULL;
	size_t top = 0;
	int rv = JX_OK;

	for (size_t i = 0; i < s->n; i++) {
		struct sheet_csv_node *n = &s->nodes[i];
		int len;

		char prefix[SHEET_CSV_CODE_MAX];

		/* Copied first: the compiler cannot see that a parent is never n itself. */
		if (n->parent < 0) {
			len = snprintf(n->code, sizeof(n->code), "%zu", ++top);
		} else {
			memcpy(prefix, s->nodes[n->parent].code, sizeof(prefix));
			len = snprintf(n->code, sizeof(n->code), "%s.%zu", prefix,
			    ++s->nodes[n->parent].nchildren);
		}
		if (len < 0 || (size_t)len >= sizeof(n->code))
			return JX_EINTERNAL;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct sheet_csv_node *n = &s->nodes[i];
		char zh[CSV_WHY_MAX], en[CSV_WHY_MAX];

		if (n->nchildren == 0 && !n->weight_stated) {
			snprintf(zh, sizeof(zh), "末级指标「%s」需要分值", n->name);
			snprintf(en, sizeof(en),
			    "「%s」 has no indicators under it and needs a weight", n->name);
			return sheet_csv_fail(r, n->line, COL_WEIGHT, zh, en);
		}
		if (n->nchildren > 0 && n->has_score) {
			snprintf(zh, sizeof(zh),
			    "「%s」下面还有指标，得分应当空着（是下级得分之和）", n->name);
			snprintf(en, sizeof(en),
			    "「%s」 has indicators under it, so its score must be "
			    "blank (it is theirs added up)",
			    n->name);
			return sheet_csv_fail(r, n->line, COL_SCORE, zh, en);
		}
	}
	if ((sum = calloc(s->n + 1, sizeof(*sum))) == NULL)
		return JX_EINTERNAL;
	for (size_t i = s->n; i-- > 0;) {
		struct sheet_csv_node *n = &s->nodes[i];

		if (n->nchildren > 0 && !n->weight_stated)
			n->weight = sum[i];
		if (n->parent >= 0) {
			sum[n->parent] += n->weight;
			if (sum[n->parent] > DEC_MAX) {
				rv = sheet_csv_fail(r, n->line, COL_WEIGHT, "分值合计太大",
				    "the weights add up to too much");
				break;
			}
		}
	}
	free(sum);
	return rv;
}

/* Gives every text field that no row set an empty string. */
static int
sheet_csv_fill(struct sheet_csv *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct sheet_csv_node *n = &s->nodes[i];
		char **f[] = { &n->criteria, &n->comment, &n->target, &n->actual, &n->method,
			&n->params, &n->category };

		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			if (*f[k] == NULL && (*f[k] = strdup("")) == NULL)
				return JX_EINTERNAL;
	}
	return JX_OK;
}

/*
 * Adjustment rows get the adjustment method and their points as its parameter, unless
 * the sheet gave both, and a parent of adjustments weighs nothing.
 */
static int
sheet_csv_adjustments(struct sheet_csv *s)
{
	char buf[DEC_BUFSZ + 16], num[DEC_BUFSZ];

	for (size_t i = 0; i < s->n; i++) {
		struct sheet_csv_node *n = &s->nodes[i];

		if (!n->adjustment || n->nchildren > 0)
			continue;
		if (n->method[0] == '\0') {
			free(n->method);
			if ((n->method = strdup("adjustment")) == NULL)
				return JX_EINTERNAL;
		}
		if (n->params[0] == '\0' && n->has_score) {
			snprintf(buf, sizeof(buf), "points=%s", dec_format_short(n->score, num));
			free(n->params);
			if ((n->params = strdup(buf)) == NULL)
				return JX_EINTERNAL;
		}
	}
	return JX_OK;
}

static size_t
sheet_csv_csv_nrows(const void *data)
{
	return csv_nrows(data);
}

static size_t
sheet_csv_csv_ncols(const void *data, size_t row)
{
	return csv_ncols(data, row);
}

static const char *
sheet_csv_csv_cell(const void *data, size_t row, size_t col)
{
	return csv_cell(data, row, col);
}

static size_t
sheet_csv_csv_line(const void *data, size_t row)
{
	return csv_line(data, row);
}

int
sheet_csv_read(const struct csv *csv, struct sheet_csv **out, char *why, size_t whylen)
{
	const struct sheet_table t = { csv, sheet_csv_csv_nrows, sheet_csv_csv_ncols,
		sheet_csv_csv_cell, sheet_csv_csv_line };

	return sheet_csv_read_table(&t, out, why, whylen);
}

int
sheet_csv_read_table(const struct sheet_table *t, struct sheet_csv **out, char *why,
    size_t whylen)
{
	struct sheet_csv_reader r = { .t = t, .why = why, .whylen = whylen };
	size_t row, nrows = t->nrows(t->data);
	int rv;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((r.sheet = calloc(1, sizeof(*r.sheet))) == NULL)
		return JX_EINTERNAL;
	for (row = 0; row < nrows; row++) {
		int found = 0;

		for (size_t c = 0; c < t->ncols(t->data, row); c++)
			found |= csv_header_eq(sheet_csv_raw(&r, row, c), "一级指标") ||
			    csv_header_eq(sheet_csv_raw(&r, row, c), "level1");
		if (found)
			break;
	}
	if (row == nrows) {
		snprintf(why, whylen,
		    "找不到表头：需要名为「一级指标」（level1）的一列 / "
		    "no header row: a column named 一级指标 (level1) is needed");
		rv = JX_EINVAL;
		goto out;
	}
	if ((rv = sheet_csv_header(&r, row)) != JX_OK)
		goto out;
	for (row++; row < nrows; row++) {
		if (sheet_csv_row_blank(&r, row))
			continue;
		if ((rv = sheet_csv_total_row(&r, row)) == JX_OK)
			continue;
		if (rv != JX_ENOTFOUND || (rv = sheet_csv_row(&r, row)) != JX_OK)
			goto out;
	}
	if (r.sheet->n == 0) {
		snprintf(why, whylen, "表里没有指标 / the sheet holds no indicators");
		rv = JX_EINVAL;
		goto out;
	}
	if ((rv = sheet_csv_finish(&r)) != JX_OK || (rv = sheet_csv_fill(r.sheet)) != JX_OK ||
	    (rv = sheet_csv_adjustments(r.sheet)) != JX_OK)
		goto out;
	*out = r.sheet;
	r.sheet = NULL;
out:
	sheet_csv_free(r.sheet);
	return rv;
}

void
sheet_csv_free(struct sheet_csv *sheet)
{
	if (sheet == NULL)
		return;
	for (size_t i = 0; i < sheet->n; i++) {
		struct sheet_csv_node *n = &sheet->nodes[i];

		free(n->name);
		free(n->criteria);
		free(n->comment);
		free(n->target);
		free(n->actual);
		free(n->method);
		free(n->params);
		free(n->category);
	}
	free(sheet->nodes);
	free(sheet);
}

static bool
sheet_csv_has_text(const struct sheet_csv_node *n)
{
	return n->criteria[0] != '\0' || n->comment[0] != '\0' || n->target[0] != '\0' ||
	    n->actual[0] != '\0' || n->method[0] != '\0' || n->params[0] != '\0' ||
	    n->category[0] != '\0';
}

int
sheet_csv_write(const struct sheet_csv *sheet, FILE *f)
{
	/* The optional columns, in the order they are written, and the fields they hold. */
	static const enum sheet_csv_col optcol[] = { COL_TARGET, COL_ACTUAL, COL_METHOD, COL_PARAMS,
		COL_CATEGORY };
	const char *hdr[COL_N], *cells[COL_N];
	char *named[SHEET_CSV_LEVELS] = { NULL };
	char wbuf[DEC_BUFSZ], sbuf[DEC_BUFSZ];
	bool *introduced = NULL, useopt[5] = { false };
	int levels = 3, ncols, rv = JX_OK;

	for (size_t i = 0; i < sheet->n; i++) {
		const struct sheet_csv_node *n = &sheet->nodes[i];
		const char *opt[5] = { n->target, n->actual, n->method, n->params, n->category };

		if (n->depth < 1 || n->depth > SHEET_CSV_LEVELS)
			return JX_EINVAL;
		if (n->depth > levels)
			levels = n->depth;
		for (int k = 0; k < 5; k++)
			useopt[k] |= opt[k][0] != '\0';
	}
	ncols = 0;
	for (int i = 0; i < levels; i++)
		hdr[ncols++] = sheet_csv_headers[COL_L1 + i].names[0];
	for (int c = COL_WEIGHT; c <= COL_SCORE; c++)
		hdr[ncols++] = sheet_csv_headers[c].names[0];
	for (int k = 0; k < 5; k++)
		if (useopt[k])
			hdr[ncols++] = sheet_csv_headers[optcol[k]].names[0];
	fputs("\xef\xbb\xbf", f);
	if ((rv = csv_write_row(f, hdr, (size_t)ncols)) != JX_OK)
		return rv;
	if ((introduced = calloc(sheet->n + 1, sizeof(*introduced))) == NULL)
		return JX_EINTERNAL;
	for (size_t i = 0; i < sheet->n && rv == JX_OK; i++) {
		const struct sheet_csv_node *n = &sheet->nodes[i];
		const char *opt[5] = { n->target, n->actual, n->method, n->params, n->category };
		int c = 0;

		if (n->nchildren > 0 && !sheet_csv_has_text(n))
			continue;
		for (int k = 0; k < levels; k++)
			cells[k] = "";
		for (ptrdiff_t a = n->parent; a >= 0; a = sheet->nodes[a].parent) {
			const struct sheet_csv_node *p = &sheet->nodes[a];
			size_t len;

			if (introduced[a])
				continue;
			introduced[a] = true;
			cells[p->depth - 1] = p->name;
			if (!p->weight_stated)
				continue;
			len = strlen(p->name) + DEC_BUFSZ + 16;
			if ((named[p->depth - 1] = malloc(len)) == NULL) {
				rv = JX_EINTERNAL;
				break;
			}
			snprintf(named[p->depth - 1], len, "%s（%s分）", p->name,
			    dec_format_short(p->weight, wbuf));
			cells[p->depth - 1] = named[p->depth - 1];
		}
		introduced[i] = true;
		cells[n->depth - 1] = n->name;
		c = levels;
		cells[c++] = n->nchildren == 0 || n->weight_stated
		    ? dec_format_short(n->weight, wbuf)
		    : "";
		cells[c++] = n->criteria;
		cells[c++] = n->comment;
		cells[c++] = n->nchildren == 0 && n->has_score ? dec_format_short(n->score, sbuf)
							       : "";
		for (int k = 0; k < 5; k++)
			if (useopt[k])
				cells[c++] = opt[k];
		if (rv == JX_OK)
			rv = csv_write_row(f, cells, (size_t)c);
		for (int k = 0; k < SHEET_CSV_LEVELS; k++) {
			free(named[k]);
			named[k] = NULL;
		}
	}
	free(introduced);
	return rv;
}
