/*
 * jx export --format xlsx: the scoring sheet as an Excel workbook, laid out like seed
 * 002's appendix (2023 年度项目支出绩效评价评分表): a title, the header block, one row per
 * leaf with each parent's name merged over its leaves' rows, a subtotal row per level-1
 * indicator, the total and the grade; the budget facts on a second sheet, then the
 * findings (经验做法 / 存在问题 / 建议) and the archive inventory (档案清单) on sheets of
 * their own when there are any. Numbers are cells of numbers, scores shown with two
 * decimals. Subtotals, the total and 得分率 are formulas over the score cells, with the
 * values jixiao computed cached in them: a viewer that does not calculate shows those,
 * and a score changed in Excel, WPS or LibreOffice moves the totals.
 */
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include <sodium.h>

#include "budget.h"
#include "kind.h"
#include "err.h"
#include "export.h"
#include "xlsx.h"

/* Excel's limit on a cell's text, in characters. */
#define EXPORT_XLSX_STR_MAX 32767
/* The rows above the table: title, two rows of header block, the column header. */
#define EXPORT_XLSX_HEAD_ROWS 4
/* Excel's limit on a formula's length, in characters. */
#define EXPORT_XLSX_FORMULA_MAX 8192

enum export_xlsx_style {
	XS_TITLE,     /* the sheet's title */
	XS_LABEL,     /* a header-block label, a column header */
	XS_VALUE,     /* a header-block value */
	XS_NAME,      /* an indicator's name */
	XS_TEXT,      /* criteria and comments, wrapped */
	XS_WEIGHT,    /* 分值 */
	XS_SCORE,     /* 评价得分, two decimals */
	XS_SUB_LABEL, /* the subtotal and total rows */
	XS_SUB_WEIGHT,
	XS_SUB_SCORE,
	XS_MONEY,   /* 万元 and yuan, two decimals */
	XS_PERCENT, /* a rate, two decimals */
	XS_N
};

struct export_xlsx {
	lxw_workbook *wb;
	lxw_format *fmt[XS_N];
	lxw_error err; /* the first error; later calls are skipped */
};

static void
export_xlsx_fail(struct export_xlsx *x, lxw_error e)
{
	if (x->err == LXW_NO_ERROR)
		x->err = e;
}

static lxw_format *
export_xlsx_style(lxw_workbook *wb, enum export_xlsx_style s)
{
	lxw_format *f = workbook_add_format(wb);

	if (f == NULL)
		return NULL;
	format_set_font_name(f, "宋体");
	format_set_font_size(f, 10.5);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	if (s != XS_TITLE)
		format_set_border(f, LXW_BORDER_THIN);
	switch (s) {
	case XS_TITLE:
		format_set_bold(f);
		format_set_font_size(f, 16);
		format_set_align(f, LXW_ALIGN_CENTER);
		break;
	case XS_LABEL:
		format_set_bold(f);
		format_set_bg_color(f, 0xDFE7F0);
		format_set_align(f, LXW_ALIGN_CENTER);
		format_set_text_wrap(f);
		break;
	case XS_VALUE:
	case XS_TEXT:
		format_set_align(f, LXW_ALIGN_LEFT);
		format_set_text_wrap(f);
		break;
	case XS_NAME:
		format_set_align(f, LXW_ALIGN_CENTER);
		format_set_text_wrap(f);
		break;
	case XS_WEIGHT:
		format_set_align(f, LXW_ALIGN_CENTER);
		break;
	case XS_SCORE:
		format_set_align(f, LXW_ALIGN_CENTER);
		format_set_num_format(f, "0.00");
		break;
	case XS_SUB_LABEL:
		format_set_bold(f);
		format_set_bg_color(f, 0xF1F5F9);
		format_set_align(f, LXW_ALIGN_CENTER);
		format_set_text_wrap(f);
		break;
	case XS_SUB_WEIGHT:
		format_set_bold(f);
		format_set_bg_color(f, 0xF1F5F9);
		format_set_align(f, LXW_ALIGN_CENTER);
		break;
	case XS_SUB_SCORE:
		format_set_bold(f);
		format_set_bg_color(f, 0xF1F5F9);
		format_set_align(f, LXW_ALIGN_CENTER);
		format_set_num_format(f, "0.00");
		break;
	case XS_MONEY:
		format_set_align(f, LXW_ALIGN_RIGHT);
		format_set_num_format(f, "#,##0.00");
		break;
	case XS_PERCENT:
		format_set_align(f, LXW_ALIGN_RIGHT);
		format_set_num_format(f, "0.00%");
		break;
	case XS_N:
		break;
	}
	return f;
}

/*
 * A cell's text, cut to Excel's limit with "…" when longer. Returns s itself or a
 * copy in *owned for the caller to free; NULL when out of memory.
 */
static const char *
export_xlsx_fit(const char *s, char **owned)
{
	size_t chars = 0, i;

	*owned = NULL;
	if (s == NULL)
		return "";
	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (++chars == EXPORT_XLSX_STR_MAX)
			break;
	}
	if (s[i] == '\0')
		return s;
	if ((*owned = malloc(i + sizeof("…"))) == NULL)
		return NULL;
	memcpy(*owned, s, i);
	memcpy(*owned + i, "…", sizeof("…"));
	return *owned;
}

/* Text in the cells first..last (one cell, or merged), all in style s. */
static void
export_xlsx_text(struct export_xlsx *x, lxw_worksheet *ws, lxw_row_t r1, lxw_col_t c1, lxw_row_t r2,
    lxw_col_t c2, const char *s, enum export_xlsx_style st)
{
	const char *t;
	char *owned;

	if (x->err != LXW_NO_ERROR)
		return;
	if ((t = export_xlsx_fit(s, &owned)) == NULL) {
		export_xlsx_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	if (r1 == r2 && c1 == c2)
		export_xlsx_fail(x,
		    t[0] != '\0' ? worksheet_write_string(ws, r1, c1, t, x->fmt[st])
				 : worksheet_write_blank(ws, r1, c1, x->fmt[st]));
	else
		export_xlsx_fail(x, worksheet_merge_range(ws, r1, c1, r2, c2, t, x->fmt[st]));
	free(owned);
}

/*
 * A number in hundredths (points, 万元, percent), or a blank cell when there is none.
 * The cell holds a binary double, as every spreadsheet number does: the value is only
 * shown from here on, never summed back into jixiao.
 */
static void
export_xlsx_number(struct export_xlsx *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, bool has,
    int64_t v, double scale, enum export_xlsx_style st)
{
	if (x->err != LXW_NO_ERROR)
		return;
	if (has)
		export_xlsx_fail(x,
		    worksheet_write_number(ws, r, c, (double)v / scale, x->fmt[st]));
	else
		export_xlsx_fail(x, worksheet_write_blank(ws, r, c, x->fmt[st]));
}

/* A parent's name as seed 002 writes it: "项目安排（15分）". */
static const char *
export_xlsx_parent_name(const Jixiao__Node *n, char *buf, size_t len)
{
	char w[DEC_BUFSZ];
	int64_t v;

	if (export_weight(n, &v))
		snprintf(buf, len, "%s（%s分）", export_name(n), dec_format_short(v, w));
	else
		snprintf(buf, len, "%s", export_name(n));
	return buf;
}

static void
export_xlsx_head(struct export_xlsx *x, lxw_worksheet *ws, const struct export_sheet *s,
    lxw_col_t levels)
{
	const Jixiao__Workspace *w = s->tree->workspace;
	lxw_col_t last = levels + 3;
	char buf[256], kind[128];

	export_xlsx_fail(x, worksheet_set_row(ws, 0, 32, NULL));
	export_xlsx_text(x, ws, 0, 0, 0, last, export_sheet_title(w, buf, sizeof(buf)), XS_TITLE);
	export_xlsx_fail(x, worksheet_set_row(ws, 1, 36, NULL));
	export_xlsx_fail(x, worksheet_set_row(ws, 2, 24, NULL));
	export_xlsx_text(x, ws, 1, 0, 1, 0, "单位名称", XS_LABEL);
	export_xlsx_text(x, ws, 1, 1, 1, levels - 1, export_unit(w), XS_VALUE);
	export_xlsx_text(x, ws, 1, levels, 1, levels, "项目名称", XS_LABEL);
	export_xlsx_text(x, ws, 1, levels + 1, 1, last, w->subject, XS_VALUE);
	export_xlsx_text(x, ws, 2, 0, 2, 0, "项目编号", XS_LABEL);
	export_xlsx_text(x, ws, 2, 1, 2, levels - 1, "/", XS_VALUE);
	export_xlsx_text(x, ws, 2, levels, 2, levels, "评价类型", XS_LABEL);
	snprintf(kind, sizeof(kind), "%u 年度 · %s", w->fiscal_year, kind_zh(w->kind));
	export_xlsx_text(x, ws, 2, levels + 1, 2, last, kind, XS_VALUE);
	for (lxw_col_t l = 0; l < levels; l++)
		export_xlsx_text(x, ws, 3, l, 3, l, export_level_header(l + 1, buf, sizeof(buf)),
		    XS_LABEL);
	export_xlsx_text(x, ws, 3, levels, 3, levels, "分值", XS_LABEL);
	export_xlsx_text(x, ws, 3, levels + 1, 3, levels + 1, "评分标准", XS_LABEL);
	export_xlsx_text(x, ws, 3, levels + 2, 3, levels + 2, "评价情况", XS_LABEL);
	export_xlsx_text(x, ws, 3, last, 3, last, "评价得分", XS_LABEL);
}

/* The 评价情况 cell: the comment, and why a method could not score the leaf yet. */
static void
export_xlsx_comment(struct export_xlsx *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
    const Jixiao__Node *n)
{
	char *text = export_comment(n);

	if (text == NULL) {
		export_xlsx_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	export_xlsx_text(x, ws, r, c, r, c, text, XS_TEXT);
	free(text);
}

/* A cell's name: "H12" for row 11, column 7 (both from 0). */
static const char *
export_xlsx_cell(lxw_row_t r, lxw_col_t c, char buf[24])
{
	char col[8];

	snprintf(buf, 24, "%s%lu", xlsx_column((size_t)c + 1, col), (unsigned long)r + 1);
	return buf;
}

/*
 * A subtotal or total row: label over cols c1..levels-1, weight, rate, score. The score
 * is the formula sum (when it fits; else the number), cached with jixiao's value, and
 * 得分率 a formula over the score and weight cells.
 */
static void
export_xlsx_sum_row(struct export_xlsx *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c1,
    lxw_col_t levels, const char *label, const Jixiao__Node *n, int64_t weight, int64_t score,
    const char *sum)
{
	char rate[DEC_BUFSZ], text[64], f[128], wc[24], sc[24];
	bool hw = true, hs = true;

	if (n != NULL) {
		hw = export_weight(n, &weight);
		hs = export_score(n, &score);
	}
	snprintf(text, sizeof(text), "得分率 %s",
	    hw && hs ? export_rate_text(score, weight, rate) : "—");
	export_xlsx_text(x, ws, r, c1, r, levels - 1, label, XS_SUB_LABEL);
	export_xlsx_number(x, ws, r, levels, hw, weight, 100.0, XS_SUB_WEIGHT);
	export_xlsx_text(x, ws, r, levels + 1, r, levels + 2, text, XS_SUB_LABEL);
	if (hw && weight > 0 && x->err == LXW_NO_ERROR) {
		/* Rounded as export_rate rounds: tenths of a percent, half away from zero. */
		snprintf(f, sizeof(f), "=\"得分率 \"&TEXT(%s/%s,\"0.0%%\")",
		    export_xlsx_cell(r, levels + 3, sc), export_xlsx_cell(r, levels, wc));
		export_xlsx_fail(x, worksheet_write_formula_str(ws, r, levels + 1, f,
		    x->fmt[XS_SUB_LABEL], text));
	}
	if (sum == NULL || x->err != LXW_NO_ERROR) {
		export_xlsx_number(x, ws, r, levels + 3, hs, score, 100.0, XS_SUB_SCORE);
		return;
	}
	export_xlsx_fail(x, worksheet_write_formula_num(ws, r, levels + 3, sum,
	    x->fmt[XS_SUB_SCORE], hs ? (double)score / 100.0 : 0));
}

/* Appends "+H12" (or "=H12" first) to the formula f; false when it would not fit. */
static bool
export_xlsx_add_term(char *f, size_t len, lxw_row_t r, lxw_col_t c)
{
	char cell[24];
	size_t used = strlen(f);
	int n = snprintf(f + used, len - used, "%s%s", used == 0 ? "=" : "+",
	    export_xlsx_cell(r, c, cell));

	if (n < 0 || (size_t)n >= len - used) {
		f[used] = '\0';
		return false;
	}
	return true;
}

static void
export_xlsx_sheet(struct export_xlsx *x, const struct export_sheet *s)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, "评分表");
	lxw_col_t levels = (lxw_col_t)export_levels(s);
	lxw_row_t r = EXPORT_XLSX_HEAD_ROWS, first = r;
	lxw_col_t sc = levels + 3;
	char buf[1024], grade[256], sub[64], cell[2][24];
	char *total = calloc(1, EXPORT_XLSX_FORMULA_MAX);
	bool has, fits = true;
	int64_t v = 0;

	if (total == NULL) {
		export_xlsx_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}

	if (ws == NULL) {
		export_xlsx_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		free(total);
		return;
	}
	export_xlsx_fail(x, worksheet_set_column(ws, 0, levels - 1, 14, NULL));
	export_xlsx_fail(x, worksheet_set_column(ws, levels, levels, 9, NULL));
	export_xlsx_fail(x, worksheet_set_column(ws, levels + 1, levels + 1, 42, NULL));
	export_xlsx_fail(x, worksheet_set_column(ws, levels + 2, levels + 2, 60, NULL));
	export_xlsx_fail(x, worksheet_set_column(ws, levels + 3, levels + 3, 10, NULL));
	if (s->for_editing) {
		lxw_row_col_options hidden = { .hidden = 1 };

		export_xlsx_fail(x, worksheet_set_column_opt(ws, EXPORT_COL_ID(levels),
		    EXPORT_COL_ID(levels), 8, NULL, &hidden));
	}
	export_xlsx_head(x, ws, s, levels);
	for (size_t i = 0; i < s->n && x->err == LXW_NO_ERROR; i++) {
		const struct export_node *e = &s->nodes[i];
		const Jixiao__Node *n = e->node;
		lxw_col_t c = (lxw_col_t)(e->depth - 1);
		size_t top = i;

		/* Rows advance at leaves only: a parent's first leaf is on the current row. */
		if (e->depth == 1)
			first = r;
		if (e->nchildren > 0) {
			lxw_row_t span = (lxw_row_t)(e->nleaves + (e->depth == 1 ? 1 : 0));

			export_xlsx_text(x, ws, r, c, r + span - 1, c,
			    export_xlsx_parent_name(n, buf, sizeof(buf)), XS_NAME);
			continue;
		}
		export_xlsx_text(x, ws, r, c, r, levels - 1, export_name(n), XS_NAME);
		has = export_weight(n, &v);
		export_xlsx_number(x, ws, r, levels, has, v, 100.0, XS_WEIGHT);
		export_xlsx_text(x, ws, r, levels + 1, r, levels + 1, n->criteria, XS_TEXT);
		export_xlsx_comment(x, ws, r, levels + 2, n);
		has = export_score(n, &v);
		export_xlsx_number(x, ws, r, levels + 3, has, v, 100.0, XS_SCORE);
		if (s->for_editing && x->err == LXW_NO_ERROR)
			export_xlsx_fail(x, worksheet_write_number(ws, r, EXPORT_COL_ID(levels),
			    (double)n->id, NULL));
		r++;
		while (s->nodes[top].parent != EXPORT_ROOT)
			top = s->nodes[top].parent;
		if (top == i) {
			fits = fits && export_xlsx_add_term(total, EXPORT_XLSX_FORMULA_MAX, r - 1, sc);
		} else if (s->nodes[top].end == i + 1) {
			snprintf(sub, sizeof(sub), "=SUM(%s:%s)", export_xlsx_cell(first, sc, cell[0]),
			    export_xlsx_cell(r - 1, sc, cell[1]));
			fits = fits && export_xlsx_add_term(total, EXPORT_XLSX_FORMULA_MAX, r, sc);
			export_xlsx_sum_row(x, ws, r++, 1, levels, "小计", s->nodes[top].node, 0,
			    0, sub);
		}
	}
	export_xlsx_sum_row(x, ws, r++, 0, levels, "合计", NULL, s->tree->weight, s->tree->total,
	    fits && total[0] != '\0' ? total : NULL);
	free(total);
	snprintf(grade, sizeof(grade), "%s%s", export_grade(s->tree),
	    s->tree->vetoed ? "（" EXPORT_VETO_NOTE "）" : "");
	export_xlsx_text(x, ws, r, 0, r, levels - 1, "评价等级", XS_SUB_LABEL);
	export_xlsx_text(x, ws, r, levels, r, levels + 3, grade, XS_SUB_LABEL);
	worksheet_freeze_panes(ws, EXPORT_XLSX_HEAD_ROWS, 0);
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_center_horizontally(ws);
	export_xlsx_fail(x,
	    worksheet_repeat_rows(ws, EXPORT_XLSX_HEAD_ROWS - 1, EXPORT_XLSX_HEAD_ROWS - 1));
}

/* A row of the budget sheet: label, amount in fen shown as 万元, remark. */
static void
export_xlsx_money(struct export_xlsx *x, lxw_worksheet *ws, lxw_row_t r, const char *label,
    int64_t fen, const char *remark)
{
	int64_t wan = 0;
	/* 万元 with two decimals, rounded as the reports round them. */
	bool ok = budget_fen_to_wan(fen, &wan) == 0;

	export_xlsx_text(x, ws, r, 0, r, 0, label, XS_VALUE);
	export_xlsx_number(x, ws, r, 1, ok, wan, 100.0, XS_MONEY);
	export_xlsx_text(x, ws, r, 2, r, 2, remark, XS_TEXT);
}

static void
export_xlsx_budget(struct export_xlsx *x, const Jixiao__Budget *b)
{
	lxw_worksheet *ws;
	lxw_row_t r = 2;
	char buf[128], yuan[DEC_BUFSZ];

	if (b == NULL || (!b->has_initial && !b->has_spent && b->n_adjustments == 0))
		return;
	if ((ws = workbook_add_worksheet(x->wb, "预算执行")) == NULL) {
		export_xlsx_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	export_xlsx_fail(x, worksheet_set_column(ws, 0, 0, 16, NULL));
	export_xlsx_fail(x, worksheet_set_column(ws, 1, 1, 16, NULL));
	export_xlsx_fail(x, worksheet_set_column(ws, 2, 2, 48, NULL));
	export_xlsx_fail(x, worksheet_set_row(ws, 0, 28, NULL));
	export_xlsx_text(x, ws, 0, 0, 0, 2, "预算及执行情况", XS_TITLE);
	export_xlsx_text(x, ws, 1, 0, 1, 0, "项目", XS_LABEL);
	export_xlsx_text(x, ws, 1, 1, 1, 1, "金额（万元）", XS_LABEL);
	export_xlsx_text(x, ws, 1, 2, 1, 2, "说明", XS_LABEL);
	if (b->has_initial)
		export_xlsx_money(x, ws, r++, "年初预算", b->initial, "");
	if (b->has_carry_over && b->carry_over != 0)
		export_xlsx_money(x, ws, r++, "上年结转", b->carry_over, "");
	for (size_t i = 0; i < b->n_adjustments; i++)
		export_xlsx_money(x, ws, r++,
		    b->adjustments[i]->amount < 0 ? "预算调减" : "预算调增",
		    b->adjustments[i]->amount, b->adjustments[i]->document);
	if (b->has_final)
		export_xlsx_money(x, ws, r++, "全年预算", b->final,
		    "年初预算 + 上年结转 + 预算调整");
	if (b->has_spent)
		export_xlsx_money(x, ws, r++, "支出", b->spent, "");
	if (b->has_rate) {
		export_xlsx_text(x, ws, r, 0, r, 0, "预算执行率", XS_VALUE);
		/* Hundredths of a percent: 8440 is 84.40 %, the fraction 0.8440. */
		export_xlsx_number(x, ws, r, 1, true, b->rate, 10000.0, XS_PERCENT);
		export_xlsx_text(x, ws, r, 2, r, 2, "支出 ÷ 全年预算", XS_TEXT);
		r++;
	}
	if (b->n_lines > 0 && b->has_lines_total) {
		snprintf(buf, sizeof(buf), "支出明细 %zu 笔，合计 %s 元", b->n_lines,
		    dec_format(b->lines_total, yuan));
		export_xlsx_money(x, ws, r++, "支出明细", b->lines_total, buf);
	}
}

/* A sheet with a title over ncols columns and their headers, widths in characters. */
static lxw_worksheet *
export_xlsx_list_sheet(struct export_xlsx *x, const char *name, const char *title,
    const char *const *heads, const double *widths, lxw_col_t ncols)
{
	lxw_worksheet *ws;

	if ((ws = workbook_add_worksheet(x->wb, name)) == NULL) {
		export_xlsx_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return NULL;
	}
	export_xlsx_fail(x, worksheet_set_row(ws, 0, 28, NULL));
	export_xlsx_text(x, ws, 0, 0, 0, ncols - 1, title, XS_TITLE);
	for (lxw_col_t c = 0; c < ncols; c++) {
		export_xlsx_fail(x, worksheet_set_column(ws, c, c, widths[c], NULL));
		export_xlsx_text(x, ws, 1, c, 1, c, heads[c], XS_LABEL);
	}
	worksheet_freeze_panes(ws, 2, 0);
	return ws;
}

/* 问题与建议: one row per finding, in the order of the report. */
static void
export_xlsx_findings(struct export_xlsx *x, const struct export_sheet *s)
{
	static const char *const heads[] = { "类别", "序号", "内容", "相关指标" };
	static const double widths[] = { 14, 6, 90, 12 };
	lxw_worksheet *ws;
	lxw_row_t r = 2;

	if (export_findings_count(s, 0) == 0 ||
	    (ws = export_xlsx_list_sheet(x, "问题与建议", "项目实施的经验、存在的问题和改进措施",
		 heads, widths, 4)) == NULL)
		return;
	for (size_t k = 0; k < EXPORT_FINDING_KINDS; k++) {
		Jixiao__FindingKind kind = export_finding_order[k];
		int64_t n = 0;

		for (size_t i = 0; i < s->findings->n_findings && x->err == LXW_NO_ERROR; i++) {
			const Jixiao__Finding *f = s->findings->findings[i];

			if (f->kind != kind)
				continue;
			export_xlsx_text(x, ws, r, 0, r, 0, export_finding_heading(kind), XS_NAME);
			export_xlsx_number(x, ws, r, 1, true, ++n, 1.0, XS_WEIGHT);
			export_xlsx_text(x, ws, r, 2, r, 2, f->text, XS_TEXT);
			export_xlsx_text(x, ws, r, 3, r, 3, f->indicator, XS_NAME);
			r++;
		}
	}
}

/* 档案清单: every evidence file under its indicator, with its size and BLAKE2b hash. */
static void
export_xlsx_inventory(struct export_xlsx *x, const struct export_sheet *s)
{
	static const char *const heads[] = { "指标编号", "指标名称", "文件", "大小（字节）",
		"BLAKE2b-256" };
	static const double widths[] = { 10, 24, 36, 14, 68 };
	char hex[EXPORT_HASH_HEX];
	lxw_worksheet *ws;
	lxw_row_t r = 2;

	if (export_evidence_count(s) == 0 ||
	    (ws = export_xlsx_list_sheet(x, "档案清单", "档案清单", heads, widths, 5)) == NULL)
		return;
	for (size_t i = 0; i < s->n && x->err == LXW_NO_ERROR; i++) {
		const Jixiao__Node *n = s->nodes[i].node;

		for (size_t k = 0; k < n->n_evidence; k++, r++) {
			export_xlsx_text(x, ws, r, 0, r, 0, n->code, XS_NAME);
			export_xlsx_text(x, ws, r, 1, r, 1, export_name(n), XS_TEXT);
			export_xlsx_text(x, ws, r, 2, r, 2, n->evidence[k]->name, XS_TEXT);
			/* Sizes stay below 2^53, so the double holds them exactly. */
			export_xlsx_number(x, ws, r, 3, true, (int64_t)n->evidence[k]->size, 1.0,
			    XS_WEIGHT);
			export_xlsx_text(x, ws, r, 4, r, 4, export_hash_hex(n->evidence[k], hex),
			    XS_VALUE);
		}
	}
}

/* The hidden, protected sheet jx import edits reads (export.h, EXPORT_EDIT_SHEET). */
static void
export_xlsx_edit_sheet(struct export_xlsx *x, const struct export_sheet *s)
{
	uint8_t digest[EXPORT_EDIT_DIGEST_LEN];
	char hex[2 * EXPORT_EDIT_DIGEST_LEN + 1];
	lxw_worksheet *ws;
	lxw_row_t r = 6;

	if (export_edit_digest(s, digest) != JX_OK ||
	    (ws = workbook_add_worksheet(x->wb, EXPORT_EDIT_SHEET)) == NULL) {
		export_xlsx_fail(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	export_xlsx_fail(x, worksheet_write_string(ws, 0, 0, "magic", NULL));
	export_xlsx_fail(x, worksheet_write_string(ws, 0, 1, EXPORT_EDIT_MAGIC, NULL));
	export_xlsx_fail(x, worksheet_write_string(ws, 1, 0, "workspace", NULL));
	export_xlsx_fail(x, worksheet_write_number(ws, 1, 1, (double)s->tree->workspace->id, NULL));
	export_xlsx_fail(x, worksheet_write_string(ws, 2, 0, "revision", NULL));
	export_xlsx_fail(x, worksheet_write_number(ws, 2, 1,
	    (double)s->tree->workspace->revision, NULL));
	export_xlsx_fail(x, worksheet_write_string(ws, 3, 0, "levels", NULL));
	export_xlsx_fail(x, worksheet_write_number(ws, 3, 1, export_levels(s), NULL));
	export_xlsx_fail(x, worksheet_write_string(ws, 4, 0, "digest", NULL));
	export_xlsx_fail(x, worksheet_write_string(ws, 4, 1, hex, NULL));
	export_xlsx_fail(x, worksheet_write_string(ws, 5, 0, "id", NULL));
	export_xlsx_fail(x, worksheet_write_string(ws, 5, 1, "revision", NULL));
	export_xlsx_fail(x, worksheet_write_string(ws, 5, 2, "code", NULL));
	for (size_t i = 0; i < s->n && x->err == LXW_NO_ERROR; i++) {
		const Jixiao__Node *n = s->nodes[i].node;

		if (s->nodes[i].nchildren > 0)
			continue;
		export_xlsx_fail(x, worksheet_write_number(ws, r, 0, (double)n->id, NULL));
		export_xlsx_fail(x, worksheet_write_number(ws, r, 1, (double)n->revision, NULL));
		export_xlsx_fail(x, worksheet_write_string(ws, r, 2, n->code, NULL));
		r++;
	}
	worksheet_hide(ws);
	worksheet_protect(ws, NULL, NULL);
}

int
export_xlsx(const struct export_sheet *s, const char *path, char *why, size_t whylen)
{
	struct export_xlsx x = { 0 };
	char title[256];
	lxw_doc_properties props = { 0 };
	lxw_error closed;

	if ((x.wb = workbook_new(path)) == NULL)
		return JX_EINTERNAL;
	for (int i = 0; i < XS_N; i++)
		if ((x.fmt[i] = export_xlsx_style(x.wb, (enum export_xlsx_style)i)) == NULL)
			export_xlsx_fail(&x, LXW_ERROR_MEMORY_MALLOC_FAILED);
	props.title = (char *)export_sheet_title(s->tree->workspace, title, sizeof(title));
	props.subject = s->tree->workspace->subject;
	props.comments = "jx export";
	if (x.err == LXW_NO_ERROR)
		export_xlsx_fail(&x, workbook_set_properties(x.wb, &props));
	if (x.err == LXW_NO_ERROR)
		export_xlsx_sheet(&x, s);
	if (x.err == LXW_NO_ERROR)
		export_xlsx_budget(&x, s->tree->budget);
	if (x.err == LXW_NO_ERROR)
		export_xlsx_findings(&x, s);
	if (x.err == LXW_NO_ERROR)
		export_xlsx_inventory(&x, s);
	if (x.err == LXW_NO_ERROR && s->for_editing)
		export_xlsx_edit_sheet(&x, s);
	/* Closing writes the file and frees the workbook, also after an error. */
	closed = workbook_close(x.wb);
	export_xlsx_fail(&x, closed);
	if (x.err == LXW_NO_ERROR)
		return JX_OK;
	snprintf(why, whylen, "cannot write the workbook: %s", lxw_strerror(x.err));
	return JX_EINTERNAL;
}
