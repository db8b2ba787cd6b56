/*
 * jx export --format html: a standalone report page in the outline of seed 002 —
 * overview, budget and execution, indicator analysis per level-1 indicator, the
 * experience, problems and recommendations, the conclusion, and the scoring table and the
 * archive inventory as appendices — with inline CSS and charts as inline SVG, so the
 * file needs nothing else to show or print. Every sentence is made of the workspace's
 * own facts and findings.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kind.h"
#include "err.h"
#include "export.h"

/* The bar chart: bars up to this many pixels long, one group per level-1 indicator. */
#define EXPORT_HTML_BAR 520
#define EXPORT_HTML_ROW 58

static const char *const export_html_style =
    "body{margin:0;background:#f3f3ef;color:#222;line-height:1.75;font-family:"
    "\"Noto Serif CJK SC\",\"Source Han Serif SC\",\"Songti SC\",SimSun,serif}\n"
    "main{max-width:1040px;margin:0 auto;background:#fff;padding:40px 56px 56px}\n"
    "h1{text-align:center;font-size:25px;margin:8px 0}\n"
    ".sub{text-align:center;color:#555;margin:0 0 24px}\n"
    "h2{font-size:19px;border-bottom:2px solid #1f4e79;padding-bottom:4px;margin-top:36px}\n"
    "h3{font-size:17px;margin:24px 0 6px}h4{font-size:16px;margin:18px 0 4px}\n"
    "h5{font-size:15px;margin:14px 0 2px}\n"
    "p{margin:6px 0}.text{text-indent:2em}.muted{color:#666}.warn{color:#a12}\n"
    "table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}\n"
    "th,td{border:1px solid #8a8a8a;padding:4px 6px;vertical-align:middle}\n"
    "th{background:#dfe7f0}td.num{text-align:right;white-space:nowrap}\n"
    "td.name{text-align:center;min-width:5.5em}td.long{min-width:14em}\n"
    "table.facts th{width:9em;text-align:left}\n"
    "tr.subtotal td{background:#f1f5f9;font-weight:bold}\n"
    "tr.total td{background:#dfe7f0;font-weight:bold}\n"
    "td.hash{font-family:monospace;font-size:11px;word-break:break-all}\n"
    ".conclusion{font-size:17px;font-weight:bold}\n"
    ".closing{text-align:right;margin:28px 0 8px;line-height:2}\n"
    "svg{display:block;margin:8px 0}svg text{font-family:sans-serif;font-size:13px}\n"
    "footer{margin-top:40px;color:#888;font-size:12px;text-align:right}\n"
    "@page{size:A4;margin:16mm 16mm 18mm;@bottom-center{content:\"第 \" counter(page) "
    "\" 页，共 \" counter(pages) \" 页\";font-size:10px;color:#666}}\n"
    "@media print{body{background:#fff}main{padding:0;max-width:none}"
    "tr,.finding,.signatures{break-inside:avoid}thead{display:table-header-group}"
    "h2,h3,h4{break-after:avoid}}\n";

/*
 * Writes text escaped for HTML: & < > " ' as entities, a line break as <br> when br
 * (else a space), other control characters dropped.
 */
static void
export_html_text(FILE *f, const char *s, bool br)
{
	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		case '\n':
			fputs(br ? "<br>\n" : " ", f);
			break;
		case '\t':
			fputc(' ', f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 && *s != 0x7f)
				fputc(*s, f);
		}
	}
}

static bool
export_html_blank(const char *s)
{
	return s == NULL || s[0] == '\0';
}

static void
export_html_fact(FILE *f, const char *label, const char *value)
{
	if (export_html_blank(value))
		return;
	fprintf(f, "<tr><th>%s</th><td>", label);
	export_html_text(f, value, true);
	fputs("</td></tr>\n", f);
}

/*
 * A section the team writes (jx ws report): one paragraph per line; in a draft without
 * it, "尚未录入。"; in a final report without it, nothing.
 */
static void
export_html_section(FILE *f, const Jixiao__Workspace *ws, const char *heading, const char *text)
{
	if (export_html_blank(text) && export_final(ws))
		return;
	fprintf(f, "<h3>%s</h3>\n", heading);
	if (export_html_blank(text)) {
		fprintf(f, "<p class=\"muted\">%s</p>\n", export_none(ws));
		return;
	}
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t len = nl != NULL ? (size_t)(nl - text) : strlen(text);
		char *line = strndup(text, len);

		if (line != NULL && len > 0) {
			fputs("<p class=\"text\">", f);
			export_html_text(f, line, false);
			fputs("</p>\n", f);
		}
		free(line);
		text += len + (nl != NULL);
	}
}

/* 落款: the evaluating organisation and the date, at the report's end, when written. */
static void
export_html_signoff_line(FILE *f, const Jixiao__Workspace *ws)
{
	if (export_html_blank(ws->evaluator) && export_html_blank(ws->report_date))
		return;
	fputs("<p class=\"closing\">", f);
	export_html_text(f, ws->evaluator, false);
	if (!export_html_blank(ws->evaluator) && !export_html_blank(ws->report_date))
		fputs("<br>\n", f);
	export_html_text(f, ws->report_date, false);
	fputs("</p>\n", f);
}

static void
export_html_overview(const Jixiao__TreeReply *t, FILE *f)
{
	const Jixiao__Workspace *ws = t->workspace;
	char year[16], tmpl[128];

	fputs("<h2>一、基本情况</h2>\n<table class=\"facts\">\n", f);
	export_html_fact(f, "单位名称", export_unit(ws));
	if (!export_html_blank(ws->department) && strcmp(ws->department, export_unit(ws)) != 0)
		export_html_fact(f, "主管部门", ws->department);
	export_html_fact(f, "项目名称", ws->subject);
	snprintf(year, sizeof(year), "%u 年度", ws->fiscal_year);
	export_html_fact(f, "评价年度", year);
	export_html_fact(f, "评价类型", kind_zh(ws->kind));
	if (!export_html_blank(ws->template_id)) {
		if (ws->has_template_version)
			snprintf(tmpl, sizeof(tmpl), "%s（第 %u 版）", ws->template_id,
			    ws->template_version);
		else
			snprintf(tmpl, sizeof(tmpl), "%s", ws->template_id);
		export_html_fact(f, "指标体系", tmpl);
	}
	export_html_fact(f, "绩效目标", ws->goal);
	fputs("</table>\n", f);
	export_html_section(f, ws, "（一）项目概况", ws->overview);
	export_html_section(f, ws, "（二）评价工作开展情况", ws->process);
}

/* The years of the subject a report shows: of the workspace's kind, up to its year. */
static bool
export_html_trend_year(const Jixiao__Workspace *ws, const Jixiao__TrendYear *y)
{
	return y->workspace != NULL && y->workspace->kind == ws->kind &&
	    y->workspace->fiscal_year <= ws->fiscal_year;
}

/* 历年评价情况: the subject's total year by year as columns, when it has two years or more. */
static void
export_html_trend(const struct export_sheet *s, FILE *f)
{
	const Jixiao__Workspace *ws = s->tree->workspace;
	const Jixiao__TrendReply *t = s->trend;
	int64_t top = 10000;
	size_t n = 0, k = 0;
	char x[DEC_BUFSZ];
	int height = 180, col = 90;

	for (size_t i = 0; t != NULL && i < t->n_years; i++) {
		if (!export_html_trend_year(ws, t->years[i]))
			continue;
		n++;
		if (t->years[i]->total > top)
			top = t->years[i]->total;
	}
	if (n < 2)
		return;
	fputs("<h3>历年评价情况</h3>\n", f);
	fprintf(f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%zu\" height=\"%d\" "
	    "viewBox=\"0 0 %zu %d\" role=\"img\" aria-label=\"历年评价得分\">\n"
	    "<title>历年评价得分</title>\n"
	    "<line x1=\"0\" y1=\"%d\" x2=\"%zu\" y2=\"%d\" stroke=\"#8a8a8a\"/>\n",
	    n * (size_t)col + 20, height + 60, n * (size_t)col + 20, height + 60, height + 30,
	    n * (size_t)col + 20, height + 30);
	for (size_t i = 0; i < t->n_years; i++) {
		const Jixiao__TrendYear *y = t->years[i];
		int64_t total = y->total < 0 ? 0 : y->total, h = total * height / top;
		int cx = 10 + (int)k * col;

		if (!export_html_trend_year(ws, y))
			continue;
		k++;
		fprintf(f,
		    "<rect class=\"trend\" x=\"%d\" y=\"%" PRId64 "\" width=\"%d\" "
		    "height=\"%" PRId64 "\" fill=\"%s\"/>\n"
		    "<text x=\"%d\" y=\"%" PRId64 "\">%s</text>\n"
		    "<text x=\"%d\" y=\"%d\">%u 年",
		    cx + 12, height + 30 - h, col - 34, h,
		    y->workspace->id == ws->id ? "#2e75b6" : "#9bb7d4", cx + 8,
		    height + 24 - h, dec_format(y->total, x), cx + 8, height + 50,
		    y->workspace->fiscal_year);
		if (!export_html_blank(y->grade)) {
			fputs(" ", f);
			export_html_text(f, y->grade, false);
		}
		fputs("</text>\n", f);
	}
	fputs("</svg>\n<p class=\"text\">", f);
	k = 0;
	for (size_t i = 0; i < t->n_years; i++) {
		const Jixiao__TrendYear *y = t->years[i];

		if (!export_html_trend_year(ws, y))
			continue;
		if (export_html_blank(y->grade)) {
			fprintf(f, "%s%u 年度尚未评完（已得 %s 分）", k++ > 0 ? "，" : "",
			    y->workspace->fiscal_year, dec_format(y->total, x));
			continue;
		}
		fprintf(f, "%s%u 年度评价得分 %s 分（", k++ > 0 ? "，" : "",
		    y->workspace->fiscal_year, dec_format(y->total, x));
		export_html_text(f, y->grade, false);
		fputs("）", f);
	}
	fputs("。</p>\n", f);
}

/* The execution rate as a bar against 100 %. */
static void
export_html_rate_bar(const Jixiao__Budget *b, FILE *f)
{
	int64_t rate = b->rate < 0 ? 0 : b->rate, w;
	char x[DEC_BUFSZ];

	w = (rate > 10000 ? 10000 : rate) * EXPORT_HTML_BAR / 10000;
	fprintf(f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"54\" "
	    "viewBox=\"0 0 %d 54\" role=\"img\" aria-label=\"预算执行率 %s%%\">\n"
	    "<title>预算执行率</title>\n"
	    "<text x=\"0\" y=\"14\">预算执行率（支出 ÷ 全年预算）</text>\n"
	    "<rect x=\"0\" y=\"22\" width=\"%d\" height=\"18\" fill=\"#e4e8ee\"/>\n"
	    "<rect x=\"0\" y=\"22\" width=\"%" PRId64 "\" height=\"18\" fill=\"#2e75b6\"/>\n"
	    "<text x=\"%d\" y=\"36\">%s%%</text>\n</svg>\n",
	    EXPORT_HTML_BAR + 120, EXPORT_HTML_BAR + 120, dec_format(b->rate, x), EXPORT_HTML_BAR,
	    w, EXPORT_HTML_BAR + 10, x);
}

static void
export_html_budget(const Jixiao__Budget *b, bool final, FILE *f)
{
	char x[DEC_BUFSZ], y[DEC_BUFSZ];

	fputs("<h2>二、预算及执行情况</h2>\n", f);
	if (b == NULL || (!b->has_initial && !b->has_spent && b->n_adjustments == 0)) {
		fprintf(f, "<p class=\"muted\">%s</p>\n", final ? "本项目没有预算数据。" :
		    "尚未录入预算数据。");
		return;
	}
	fputs("<table class=\"facts\">\n<tr><th>项目</th><th>金额（万元）</th><th>说明</th></tr>\n",
	    f);
	if (b->has_initial)
		fprintf(f, "<tr><td>年初预算</td><td class=\"num\">%s</td><td></td></tr>\n",
		    export_wan(b->initial, x));
	if (b->has_carry_over && b->carry_over != 0)
		fprintf(f, "<tr><td>上年结转</td><td class=\"num\">%s</td><td></td></tr>\n",
		    export_wan(b->carry_over, x));
	for (size_t i = 0; i < b->n_adjustments; i++) {
		const Jixiao__BudgetAdjustment *a = b->adjustments[i];

		fprintf(f, "<tr><td>%s</td><td class=\"num\">%s</td><td>",
		    a->amount < 0 ? "预算调减" : "预算调增", export_wan(a->amount, x));
		export_html_text(f, a->document, true);
		fputs("</td></tr>\n", f);
	}
	if (b->has_final)
		fprintf(f,
		    "<tr><td>全年预算</td><td class=\"num\">%s</td>"
		    "<td>年初预算 + 上年结转 + 预算调整</td></tr>\n",
		    export_wan(b->final, x));
	if (b->has_spent)
		fprintf(f, "<tr><td>支出</td><td class=\"num\">%s</td><td></td></tr>\n",
		    export_wan(b->spent, x));
	if (b->has_rate)
		fprintf(f,
		    "<tr><td>预算执行率</td><td class=\"num\">%s%%</td>"
		    "<td>支出 ÷ 全年预算</td></tr>\n",
		    dec_format(b->rate, x));
	if (b->n_lines > 0 && b->has_lines_total)
		fprintf(f,
		    "<tr><td>支出明细</td><td class=\"num\">%s</td>"
		    "<td>%zu 笔，合计 %s 元</td></tr>\n",
		    export_wan(b->lines_total, x), b->n_lines, dec_format(b->lines_total, y));
	fputs("</table>\n", f);
	if (b->has_final && b->has_spent && b->has_rate) {
		fprintf(f, "<p class=\"text\">项目全年预算 %s 万元，", export_wan(b->final, x));
		fprintf(f, "支出 %s 万元，预算执行率为 %s%%。</p>\n", export_wan(b->spent, x),
		    dec_format(b->rate, y));
		export_html_rate_bar(b, f);
	}
}

/* Scores against weights per level-1 indicator, as horizontal bars. */
static void
export_html_chart(const struct export_sheet *s, FILE *f)
{
	int64_t maxw = 0, v;
	size_t ntop = 0;
	char a[DEC_BUFSZ], b[DEC_BUFSZ], r[DEC_BUFSZ];
	int y = 34;

	for (size_t i = 0; i < s->n; i++) {
		if (s->nodes[i].depth != 1)
			continue;
		ntop++;
		if (export_weight(s->nodes[i].node, &v) && v > maxw)
			maxw = v;
	}
	if (ntop == 0 || maxw <= 0)
		return;
	fprintf(f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
	    "viewBox=\"0 0 %d %zu\" role=\"img\" aria-label=\"各一级指标得分与分值\">\n"
	    "<title>各一级指标得分与分值</title>\n"
	    "<rect x=\"0\" y=\"4\" width=\"14\" height=\"12\" fill=\"#c9d3df\"/>"
	    "<text x=\"20\" y=\"15\">分值</text>\n"
	    "<rect x=\"70\" y=\"4\" width=\"14\" height=\"12\" fill=\"#2e75b6\"/>"
	    "<text x=\"90\" y=\"15\">评价得分</text>\n",
	    EXPORT_HTML_BAR + 200, 40 + ntop * EXPORT_HTML_ROW, EXPORT_HTML_BAR + 200,
	    40 + ntop * EXPORT_HTML_ROW);
	for (size_t i = 0; i < s->n; i++) {
		const Jixiao__Node *n = s->nodes[i].node;
		int64_t weight = 0, score = 0, ww, sw;
		bool hw, hs;

		if (s->nodes[i].depth != 1)
			continue;
		hw = export_weight(n, &weight);
		hs = export_score(n, &score);
		ww = hw && weight > 0 ? (weight > maxw ? maxw : weight) * EXPORT_HTML_BAR / maxw
				      : 0;
		sw = hs && score > 0 ? (score > maxw ? maxw : score) * EXPORT_HTML_BAR / maxw : 0;
		fprintf(f, "<text x=\"0\" y=\"%d\">", y + 12);
		export_html_text(f, export_name(n), false);
		fprintf(f,
		    "</text>\n<rect x=\"0\" y=\"%d\" width=\"%" PRId64 "\" height=\"14\" "
		    "fill=\"#c9d3df\"/>\n"
		    "<rect x=\"0\" y=\"%d\" width=\"%" PRId64 "\" height=\"14\" "
		    "fill=\"#2e75b6\"/>\n"
		    "<text x=\"%" PRId64 "\" y=\"%d\">%s / %s（%s）</text>\n",
		    y + 18, ww, y + 34, sw, (ww > sw ? ww : sw) + 8, y + 46,
		    hs ? dec_format(score, a) : "—", hw ? dec_format_short(weight, b) : "—",
		    hw && hs ? export_rate_text(score, weight, r) : "—");
		y += EXPORT_HTML_ROW;
	}
	fputs("</svg>\n", f);
}

/* "指标分值 15 分，评价得分 12 分，得分率为 80.0%。" */
static void
export_html_figures(const Jixiao__Node *n, FILE *f)
{
	char a[DEC_BUFSZ], b[DEC_BUFSZ], r[DEC_BUFSZ];
	int64_t weight = 0, score = 0;
	bool hw = export_weight(n, &weight), hs = export_score(n, &score);

	if (hw)
		fprintf(f, "指标分值 %s 分，", dec_format_short(weight, a));
	if (hs)
		fprintf(f, "评价得分 %s 分", dec_format_short(score, b));
	else
		fputs("尚未评分", f);
	if (hw && hs && weight > 0)
		fprintf(f, "，得分率为 %s", export_rate_text(score, weight, r));
	fputs("。", f);
}

static void
export_html_heading(FILE *f, unsigned depth, unsigned number, const Jixiao__Node *n)
{
	char zh[32];
	unsigned h = depth + 2 > 5 ? 5 : depth + 2;

	fprintf(f, "<h%u>", h);
	if (depth == 1)
		fprintf(f, "（%s）", export_zh_number(number, zh, sizeof(zh)));
	else if (depth == 2)
		fprintf(f, "%u.", number);
	else if (depth == 3)
		fprintf(f, "（%u）", number);
	else
		fprintf(f, "%u）", number);
	export_html_text(f, export_name(n), false);
	if (depth == 1)
		fputs("指标分析", f);
	fprintf(f, "</h%u>\n", h);
}

/* 三、绩效指标分析: each indicator's figures, parents first, leaves with their comments. */
static void
export_html_analysis(const struct export_sheet *s, FILE *f)
{
	unsigned number[EXPORT_LEVELS_MAX] = { 0 };
	char zh[32];

	fputs("<h2>三、绩效指标分析</h2>\n", f);
	if (s->n == 0) {
		fputs("<p class=\"muted\">尚无指标。</p>\n", f);
		return;
	}
	export_html_chart(s, f);
	for (size_t i = 0; i < s->n; i++) {
		const struct export_node *e = &s->nodes[i];
		const Jixiao__Node *n = e->node;

		number[e->depth - 1]++;
		for (unsigned d = e->depth; d < EXPORT_LEVELS_MAX; d++)
			number[d] = 0;
		export_html_heading(f, e->depth, number[e->depth - 1], n);
		fputs("<p class=\"text\">", f);
		if (e->nchildren > 0) {
			fputs(e->depth == 1 ? "指标下设" : "该指标下设", f);
			for (size_t k = i + 1; k < e->end; k++) {
				if (s->nodes[k].parent != i)
					continue;
				fputs("“", f);
				export_html_text(f, export_name(s->nodes[k].node), false);
				fputs("”", f);
			}
			fprintf(f, " %zu 个%s级指标，", e->nchildren,
			    export_zh_number(e->depth + 1, zh, sizeof(zh)));
		}
		export_html_figures(n, f);
		if (e->nchildren == 0 && n->computed && n->unscored == 0)
			fputs("得分由评分方法计算。", f);
		if (n->has_vetoed && n->vetoed)
			fputs("<span class=\"warn\">该指标为否定性指标，未达标。</span>", f);
		fputs("</p>\n", f);
		if (e->nchildren > 0)
			continue;
		if (!export_html_blank(n->target) || !export_html_blank(n->actual)) {
			fputs("<p class=\"text\">", f);
			if (!export_html_blank(n->target)) {
				fputs("指标值：", f);
				export_html_text(f, n->target, false);
				if (export_target_flagged(n))
					fputs(EXPORT_FLAG_NOTE, f);
				fputs(export_html_blank(n->actual) ? "。" : "；", f);
			}
			if (!export_html_blank(n->actual)) {
				fputs("完成值：", f);
				export_html_text(f, n->actual, false);
				fputs("。", f);
			}
			fputs("</p>\n", f);
		}
		if (!export_html_blank(n->comment)) {
			fputs("<p class=\"text\">", f);
			export_html_text(f, n->comment, true);
			fputs("</p>\n", f);
		}
		if (!export_html_blank(n->note)) {
			fputs("<p class=\"text warn\">未评分：", f);
			export_html_text(f, n->note, false);
			fputs("</p>\n", f);
		}
	}
}

/* 四、项目实施的经验、存在的问题和改进措施, as seed 002's §五. */
static void
export_html_findings(const struct export_sheet *s, FILE *f)
{
	char zh[32];

	fputs("<h2>四、项目实施的经验、存在的问题和改进措施</h2>\n", f);
	for (size_t k = 0; k < EXPORT_FINDING_KINDS; k++) {
		Jixiao__FindingKind kind = export_finding_order[k];
		size_t n = 0;

		fprintf(f, "<h3>（%s）%s</h3>\n", export_zh_number((unsigned)k + 1, zh, sizeof(zh)),
		    export_finding_heading(kind));
		for (size_t i = 0; s->findings != NULL && i < s->findings->n_findings; i++) {
			const Jixiao__Finding *x = s->findings->findings[i];

			if (x->kind != kind)
				continue;
			fprintf(f, "<p class=\"text finding\">%zu. ", ++n);
			export_html_text(f, x->text, true);
			if (!export_html_blank(x->indicator)) {
				fputs("<span class=\"muted\">（指标 ", f);
				export_html_text(f, x->indicator, false);
				fputs("）</span>", f);
			}
			fputs("</p>\n", f);
		}
		if (n == 0)
			fprintf(f, "<p class=\"muted\">%s</p>\n", export_none(s->tree->workspace));
	}
}

/* 签字: who submitted and who signed off, on which revision, with which key. */
static void
export_html_signatures(const Jixiao__Workspace *ws, FILE *f)
{
	const char *note = export_unsigned_note(ws);
	struct export_signer g;

	fputs("<section class=\"signatures\">\n<h3>签字</h3>\n", f);
	if (note != NULL)
		fprintf(f, "<p class=\"warn\">%s</p>\n", note);
	if (ws->n_signatures > 0) {
		fputs("<table class=\"sign\">\n<thead><tr><th>签字</th><th>签字人</th><th>修订</th>"
		      "<th>密钥指纹</th><th>摘要（BLAKE2b）</th><th>时间</th></tr></thead>\n<tbody>\n",
		    f);
		for (size_t i = 0; i < ws->n_signatures; i++) {
			export_signer(ws, i, &g);
			fprintf(f, "<tr><td>%s</td><td>", g.role);
			export_html_text(f, g.user, false);
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"hash\">%s</td>"
			    "<td class=\"hash\">%s</td><td>%s</td></tr>\n", g.revision, g.fingerprint,
			    g.digest, g.date);
		}
		fputs("</tbody>\n</table>\n", f);
	}
	fputs("</section>\n", f);
}

/* 七、附件：档案清单 — every evidence file under its indicator, with size and hash. */
static void
export_html_inventory(const struct export_sheet *s, FILE *f)
{
	char hex[EXPORT_HASH_HEX];

	fputs("<h2>七、附件：档案清单</h2>\n", f);
	if (export_evidence_count(s) == 0) {
		fprintf(f, "<p class=\"muted\">%s</p>\n", export_final(s->tree->workspace) ?
		    "本项目没有登记佐证材料。" : "尚无佐证材料。");
		return;
	}
	fputs("<table class=\"inventory\">\n<thead><tr><th>编号</th><th>指标</th><th>文件</th>"
	      "<th>大小（字节）</th><th>BLAKE2b-256</th></tr></thead>\n<tbody>\n",
	    f);
	for (size_t i = 0; i < s->n; i++) {
		const Jixiao__Node *n = s->nodes[i].node;

		for (size_t k = 0; k < n->n_evidence; k++) {
			fputs("<tr><td>", f);
			export_html_text(f, n->code, false);
			fputs("</td><td>", f);
			export_html_text(f, export_name(n), false);
			fputs("</td><td>", f);
			export_html_text(f, n->evidence[k]->name, false);
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"hash\">%s"
				   "</td></tr>\n",
			    n->evidence[k]->size, export_hash_hex(n->evidence[k], hex));
		}
	}
	fputs("</tbody>\n</table>\n", f);
}

static void
export_html_num(FILE *f, bool has, int64_t v, bool short_form)
{
	char x[DEC_BUFSZ];

	fprintf(f, "<td class=\"num\">%s</td>",
	    !has             ? ""
		: short_form ? dec_format_short(v, x)
			     : dec_format(v, x));
}

/* 六、附件：评分表, as seed 002's appendix, parents' cells spanning their leaves' rows. */
static void
export_html_table(const struct export_sheet *s, FILE *f)
{
	unsigned levels = export_levels(s);
	char buf[64], r[DEC_BUFSZ];
	int64_t v = 0;
	bool has;

	fprintf(f, "<h2>六、附件：%s</h2>\n",
	    export_sheet_title(s->tree->workspace, buf, sizeof(buf)));
	if (s->n == 0) {
		fputs("<p class=\"muted\">尚无指标。</p>\n", f);
		return;
	}
	fputs("<table class=\"sheet\">\n<thead><tr>", f);
	for (unsigned l = 1; l <= levels; l++)
		fprintf(f, "<th>%s</th>", export_level_header(l, buf, sizeof(buf)));
	fputs("<th>分值</th><th>评分标准</th><th>评价情况</th><th>评价得分</th></tr></thead>\n"
	      "<tbody>\n",
	    f);
	for (size_t i = 0; i < s->n; i++) {
		const struct export_node *e = &s->nodes[i];
		const Jixiao__Node *n = e->node;
		size_t top = i;

		/* A parent's cell opens the row of its first leaf, which comes next. */
		if (e->nchildren > 0) {
			size_t span = e->nleaves + (e->depth == 1 ? 1 : 0);

			if (i == 0 || s->nodes[i - 1].nchildren == 0)
				fputs("<tr>", f);
			fprintf(f, "<td class=\"name\" rowspan=\"%zu\">", span);
			export_html_text(f, export_name(n), false);
			if (export_weight(n, &v))
				fprintf(f, "（%s分）", dec_format_short(v, r));
			fputs("</td>", f);
			continue;
		}
		if (i == 0 || s->nodes[i - 1].nchildren == 0)
			fputs("<tr>", f);
		fprintf(f, "<td class=\"name\"%s", levels > e->depth ? " colspan=\"" : "");
		if (levels > e->depth)
			fprintf(f, "%u\"", levels - e->depth + 1);
		fputs(">", f);
		export_html_text(f, export_name(n), false);
		fputs("</td>", f);
		has = export_weight(n, &v);
		export_html_num(f, has, v, true);
		fputs("<td class=\"long\">", f);
		export_html_text(f, n->criteria, true);
		fputs("</td><td class=\"long\">", f);
		export_html_text(f, n->comment, true);
		if (!export_html_blank(n->note)) {
			fputs(export_html_blank(n->comment) ? "<span class=\"warn\">未评分："
							    : "<br><span class=\"warn\">未评分：",
			    f);
			export_html_text(f, n->note, false);
			fputs("</span>", f);
		}
		fputs("</td>", f);
		has = export_score(n, &v);
		export_html_num(f, has, v, false);
		fputs("</tr>\n", f);
		/* The level-1 subtotal row closes the group, under its spanning cell. */
		while (s->nodes[top].parent != EXPORT_ROOT)
			top = s->nodes[top].parent;
		if (top != i && s->nodes[top].end == i + 1) {
			const Jixiao__Node *t = s->nodes[top].node;
			int64_t weight = 0, score = 0;
			bool hw = export_weight(t, &weight), hs = export_score(t, &score);

			fprintf(f, "<tr class=\"subtotal\"><td colspan=\"%u\">小计</td>",
			    levels - 1);
			export_html_num(f, hw, weight, true);
			fprintf(f, "<td colspan=\"2\">得分率 %s</td>",
			    hw && hs ? export_rate_text(score, weight, r) : "—");
			export_html_num(f, hs, score, false);
			fputs("</tr>\n", f);
		}
	}
	fprintf(f, "<tr class=\"total\"><td colspan=\"%u\">合计</td>", levels);
	export_html_num(f, true, s->tree->weight, true);
	fputs("<td colspan=\"2\">评价等级：", f);
	export_html_text(f, export_grade(s->tree), false);
	fputs("</td>", f);
	export_html_num(f, true, s->tree->total, false);
	fputs("</tr>\n</tbody>\n</table>\n", f);
}

int
export_html(const struct export_sheet *s, FILE *f, char *why, size_t whylen)
{
	const Jixiao__TreeReply *t = s->tree;
	const Jixiao__Workspace *ws = t->workspace;
	/* A title of its own is the report's whole title; a subject needs the words. */
	bool titled = !export_html_blank(ws->title);
	const char *title = titled ? ws->title : ws->subject;
	char buf[256];

	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>",
	    f);
	export_html_text(f, title, false);
	fputs(titled ? "</title>\n<style>\n" : "绩效评价报告</title>\n<style>\n", f);
	fputs(export_html_style, f);
	fputs("</style>\n</head>\n<body>\n<main>\n<h1>", f);
	export_html_text(f, title, false);
	fputs(titled ? "</h1>\n<p class=\"sub\">" : "<br>绩效评价报告</h1>\n<p class=\"sub\">", f);
	export_html_text(f, export_unit(ws), false);
	fprintf(f, "%s%s</p>\n", export_unit(ws)[0] != '\0' ? " · " : "",
	    export_sheet_title(ws, buf, sizeof(buf)));
	export_html_overview(t, f);
	export_html_trend(s, f);
	export_html_budget(t->budget, export_final(ws), f);
	export_html_analysis(s, f);
	export_html_findings(s, f);
	fputs("<h2>五、评价结论</h2>\n<p class=\"text conclusion\">", f);
	fprintf(f, "综上所述，本项目评价得分为 %s 分，评价等级为“", dec_format(t->total, buf));
	export_html_text(f, export_grade(t), false);
	fprintf(f, "”。%s</p>\n", t->vetoed ? EXPORT_VETO_NOTE : "");
	if (t->unscored > 0)
		fprintf(f, "<p class=\"text warn\">尚有 %u 个指标未评分。</p>\n", t->unscored);
	export_html_signoff_line(f, ws);
	export_html_signatures(ws, f);
	export_html_table(s, f);
	export_html_inventory(s, f);
	fprintf(f,
	    "<footer>工作区 %" PRIu64 "，修订 %" PRIu64 "；由 jx export 生成</footer>\n"
	    "</main>\n</body>\n</html>\n",
	    ws->id, ws->revision);
	return JX_OK;
}
