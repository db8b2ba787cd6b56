/* jx export --format md: the scoring sheet as a Markdown report. */
#include <inttypes.h>
#include <string.h>

#include "kind.h"
#include "err.h"
#include "export.h"

/*
 * Writes text so that Markdown shows it as written: ASCII punctuation that could start
 * markup is escaped with a backslash, and in a table cell a line break becomes <br>.
 * Other control characters are dropped.
 */
static void
export_md_text(FILE *f, const char *s, bool cell)
{
	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n') {
			fputs(cell ? "<br>" : "  \n", f);
		} else if (c < 0x20 || c == 0x7f) {
			if (c == '\t')
				fputc(' ', f);
		} else {
			if (strchr("\\`*_[]<>|&#~!", c) != NULL)
				fputc('\\', f);
			fputc(c, f);
		}
	}
}

static void
export_md_header(const Jixiao__TreeReply *t, FILE *f)
{
	const Jixiao__Workspace *ws = t->workspace;
	char buf[256];

	fputs("# ", f);
	export_md_text(f, ws->title != NULL && ws->title[0] != '\0' ? ws->title : ws->subject,
	    false);
	fputs("\n\n", f);
	export_md_text(f, export_sheet_title(ws, buf, sizeof(buf)), false);
	fputs("\n\n| 项目 | 内容 |\n| --- | --- |\n| 单位名称 | ", f);
	export_md_text(f, export_unit(ws)[0] != '\0' ? export_unit(ws) : "—", true);
	if (ws->department != NULL && ws->department[0] != '\0' &&
	    strcmp(ws->department, export_unit(ws)) != 0) {
		fputs(" |\n| 主管部门 | ", f);
		export_md_text(f, ws->department, true);
	}
	fputs(" |\n| 项目名称 | ", f);
	export_md_text(f, ws->subject, true);
	fprintf(f, " |\n| 评价年度 | %u |\n| 评价类型 | %s |\n", ws->fiscal_year,
	    kind_zh(ws->kind));
	if (ws->template_id != NULL) {
		fputs("| 指标体系 | ", f);
		export_md_text(f, ws->template_id, true);
		if (ws->has_template_version)
			fprintf(f, "（第 %u 版）", ws->template_version);
		fputs(" |\n", f);
	}
	if (ws->goal != NULL && ws->goal[0] != '\0') {
		fputs("| 绩效目标 | ", f);
		export_md_text(f, ws->goal, true);
		fputs(" |\n", f);
	}
}

/* A section the team writes (jx ws report); left out of a final report without it. */
static void
export_md_section(FILE *f, const Jixiao__Workspace *ws, const char *heading, const char *text)
{
	bool blank = text == NULL || text[0] == '\0';

	if (blank && export_final(ws))
		return;
	fprintf(f, "\n## %s\n\n", heading);
	if (blank) {
		fprintf(f, "%s\n", export_none(ws));
		return;
	}
	for (; *text != '\0'; text++) {
		if (*text == '\n')
			fputs("\n\n", f);
		else if (*text != '\r')
			fputc(*text, f);
	}
	fputc('\n', f);
}

static void
export_md_budget(const Jixiao__Budget *b, bool final, FILE *f)
{
	char x[DEC_BUFSZ], y[DEC_BUFSZ];

	fputs("\n## 预算及执行情况\n\n", f);
	if (b == NULL || (!b->has_initial && !b->has_spent && b->n_adjustments == 0)) {
		fputs(final ? "本项目没有预算数据。\n" : "尚未录入预算数据。\n", f);
		return;
	}
	fputs("| 项目 | 金额（万元） | 说明 |\n| --- | ---: | --- |\n", f);
	if (b->has_initial)
		fprintf(f, "| 年初预算 | %s | |\n", export_wan(b->initial, x));
	if (b->has_carry_over && b->carry_over != 0)
		fprintf(f, "| 上年结转 | %s | |\n", export_wan(b->carry_over, x));
	for (size_t i = 0; i < b->n_adjustments; i++) {
		const Jixiao__BudgetAdjustment *a = b->adjustments[i];

		fprintf(f, "| %s | %s | ", a->amount < 0 ? "预算调减" : "预算调增",
		    export_wan(a->amount, x));
		export_md_text(f, a->document, true);
		fputs(" |\n", f);
	}
	if (b->has_final)
		fprintf(f, "| 全年预算 | %s | 年初预算 + 上年结转 + 调整 |\n",
		    export_wan(b->final, x));
	if (b->has_spent)
		fprintf(f, "| 支出 | %s | |\n", export_wan(b->spent, x));
	if (b->has_rate)
		fprintf(f, "| 预算执行率 | %s%% | 支出 ÷ 全年预算 |\n", dec_format(b->rate, x));
	if (b->n_lines > 0 && b->has_lines_total)
		fprintf(f, "| 支出明细 | %s | %zu 笔，合计 %s 元 |\n",
		    export_wan(b->lines_total, x), b->n_lines, dec_format(b->lines_total, y));
}

/* The subtotals of every indicator with indicators under it. */
static void
export_md_summary(const struct export_sheet *s, FILE *f)
{
	char w[DEC_BUFSZ], v[DEC_BUFSZ], r[DEC_BUFSZ];

	fputs("\n## 指标得分汇总\n\n| 编号 | 指标 | 分值 | 评价得分 | 得分率 |\n"
	      "| --- | --- | ---: | ---: | ---: |\n",
	    f);
	for (size_t i = 0; i < s->n; i++) {
		const struct export_node *e = &s->nodes[i];
		int64_t weight = 0, score = 0;
		bool hw, hs;

		if (e->nchildren == 0 && e->depth > 1)
			continue;
		hw = export_weight(e->node, &weight);
		hs = export_score(e->node, &score);
		fputs("| ", f);
		export_md_text(f, e->node->code, true);
		fputs(" | ", f);
		export_md_text(f, export_name(e->node), true);
		fprintf(f, " | %s | %s | %s |\n", hw ? dec_format_short(weight, w) : "—",
		    hs ? dec_format(score, v) : "—",
		    hw && hs ? export_rate_text(score, weight, r) : "—");
	}
}

static void
export_md_cells(FILE *f, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		fputs(" |", f);
}

/* The 评分表: one row per leaf, each parent named on its first leaf's row. */
static bool
export_md_table(const struct export_sheet *s, FILE *f)
{
	unsigned levels = export_levels(s);
	char buf[64], w[DEC_BUFSZ], v[DEC_BUFSZ], r[DEC_BUFSZ];
	bool named[EXPORT_LEVELS_MAX + 1] = { false }, any_computed = false;
	size_t shown[EXPORT_LEVELS_MAX] = { 0 };

	fputs("\n## 评分表\n\n|", f);
	for (unsigned l = 1; l <= levels; l++)
		fprintf(f, " %s |", export_level_header(l, buf, sizeof(buf)));
	fputs(" 分值 | 评价得分 | 评价情况 |\n|", f);
	for (unsigned l = 1; l <= levels; l++)
		fputs(" --- |", f);
	fputs(" ---: | ---: | --- |\n", f);
	for (size_t i = 0; i < s->n; i++) {
		const struct export_node *e = &s->nodes[i];
		const Jixiao__Node *n = e->node;
		int64_t weight, score;

		shown[e->depth - 1] = i;
		named[e->depth - 1] = false;
		if (e->nchildren > 0)
			continue;
		fputs("|", f);
		for (unsigned l = 1; l < e->depth; l++) {
			const Jixiao__Node *p = s->nodes[shown[l - 1]].node;

			fputs(" ", f);
			if (!named[l - 1]) {
				export_md_text(f, export_name(p), true);
				if (export_weight(p, &weight))
					fprintf(f, "（%s分）", dec_format_short(weight, w));
				named[l - 1] = true;
			}
			fputs(" |", f);
		}
		fputs(" ", f);
		export_md_text(f, export_name(n), true);
		fputs(" |", f);
		export_md_cells(f, levels - e->depth);
		fprintf(f, " %s |", export_weight(n, &weight) ? dec_format_short(weight, w) : "—");
		if (export_score(n, &score))
			fprintf(f, " %s%s |", dec_format(score, v), n->computed ? "\\*" : "");
		else
			fputs(" — |", f);
		any_computed |= n->computed && n->unscored == 0;
		fputs(" ", f);
		export_md_text(f, n->comment, true);
		if (export_target_flagged(n))
			fputs(EXPORT_FLAG_NOTE, f);
		if (n->note != NULL && n->note[0] != '\0') {
			fputs(n->comment != NULL && n->comment[0] != '\0' ? "<br>" : "", f);
			fputs("（未评分：", f);
			export_md_text(f, n->note, true);
			fputs("）", f);
		}
		fputs(" |\n", f);
		/* The level-1 indicator's subtotal after its last leaf. */
		if (e->depth > 1 && s->nodes[shown[0]].end == i + 1) {
			const Jixiao__Node *top = s->nodes[shown[0]].node;
			bool hw = export_weight(top, &weight), hs = export_score(top, &score);

			fputs("| **", f);
			export_md_text(f, export_name(top), true);
			fputs(" 小计** |", f);
			export_md_cells(f, levels - 1);
			fprintf(f, " **%s** | **%s** | 得分率 %s |\n",
			    hw ? dec_format_short(weight, w) : "—", hs ? dec_format(score, v) : "—",
			    hw && hs ? export_rate_text(score, weight, r) : "—");
		}
	}
	fputs("| **合计** |", f);
	export_md_cells(f, levels - 1);
	fprintf(f, " **%s** | **%s** | 得分率 %s |\n", dec_format_short(s->tree->weight, w),
	    dec_format(s->tree->total, v), export_rate_text(s->tree->total, s->tree->weight, r));
	return any_computed;
}

/* 经验做法、存在问题和建议: a numbered list under each heading, as seed 002's §五. */
static void
export_md_findings(const struct export_sheet *s, FILE *f)
{
	fputs("\n## 经验做法、存在问题和建议\n", f);
	for (size_t k = 0; k < EXPORT_FINDING_KINDS; k++) {
		Jixiao__FindingKind kind = export_finding_order[k];
		size_t n = 0;

		fprintf(f, "\n### %s\n\n", export_finding_heading(kind));
		for (size_t i = 0; s->findings != NULL && i < s->findings->n_findings; i++) {
			const Jixiao__Finding *x = s->findings->findings[i];

			if (x->kind != kind)
				continue;
			fprintf(f, "%zu. ", ++n);
			export_md_text(f, x->text, false);
			if (x->indicator != NULL && x->indicator[0] != '\0') {
				fputs("（指标 ", f);
				export_md_text(f, x->indicator, false);
				fputs("）", f);
			}
			fputs("\n", f);
		}
		if (n == 0)
			fprintf(f, "%s\n", export_none(s->tree->workspace));
	}
}

/* 签字: who submitted and who signed off, on which revision, with which key. */
static void
export_md_signatures(const Jixiao__Workspace *ws, FILE *f)
{
	const char *note = export_unsigned_note(ws);
	struct export_signer g;

	fputs("\n## 签字\n\n", f);
	if (note != NULL)
		fprintf(f, "%s\n", note);
	if (ws->n_signatures == 0)
		return;
	fputs("\n| 签字 | 签字人 | 修订 | 密钥指纹 | 摘要（BLAKE2b） | 时间 |\n"
	      "| --- | --- | ---: | --- | --- | --- |\n", f);
	for (size_t i = 0; i < ws->n_signatures; i++) {
		export_signer(ws, i, &g);
		fprintf(f, "| %s | ", g.role);
		export_md_text(f, g.user, true);
		fprintf(f, " | %" PRIu64 " | `%s` | `%s` | %s |\n", g.revision, g.fingerprint,
		    g.digest, g.date);
	}
}

/* 档案清单: every evidence file under its indicator, with its size and BLAKE2b hash. */
static void
export_md_inventory(const struct export_sheet *s, FILE *f)
{
	char hex[EXPORT_HASH_HEX];

	fputs("\n## 档案清单\n\n", f);
	if (export_evidence_count(s) == 0) {
		fputs(export_final(s->tree->workspace) ? "本项目没有登记佐证材料。\n" :
		    "尚无佐证材料。\n", f);
		return;
	}
	fputs("| 编号 | 指标 | 文件 | 大小（字节） | BLAKE2b-256 |\n| --- | --- | --- | ---: | --- |\n",
	    f);
	for (size_t i = 0; i < s->n; i++) {
		const Jixiao__Node *n = s->nodes[i].node;

		for (size_t k = 0; k < n->n_evidence; k++) {
			fputs("| ", f);
			export_md_text(f, n->code, true);
			fputs(" | ", f);
			export_md_text(f, export_name(n), true);
			fputs(" | ", f);
			export_md_text(f, n->evidence[k]->name, true);
			fprintf(f, " | %" PRIu64 " | `%s` |\n", n->evidence[k]->size,
			    export_hash_hex(n->evidence[k], hex));
		}
	}
}

int
export_md(const struct export_sheet *s, FILE *f, char *why, size_t whylen)
{
	const Jixiao__TreeReply *t = s->tree;
	char v[DEC_BUFSZ];

	export_md_header(t, f);
	export_md_section(f, t->workspace, "项目概况", t->workspace->overview);
	export_md_section(f, t->workspace, "评价工作开展情况", t->workspace->process);
	export_md_budget(t->budget, export_final(t->workspace), f);
	if (s->n == 0) {
		fputs("\n## 评分表\n\n尚无指标。\n", f);
		export_md_findings(s, f);
		return JX_OK;
	}
	export_md_summary(s, f);
	if (export_md_table(s, f))
		fputs("\n\\* 由指标的评分方法计算。\n", f);
	if (t->unscored > 0)
		fprintf(f, "\n尚有 %u 个指标未评分。\n", t->unscored);
	export_md_findings(s, f);
	fprintf(f, "\n## 评价结论\n\n评价得分为 **%s** 分，评价等级为“%s”。%s\n",
	    dec_format(t->total, v), export_grade(t), t->vetoed ? EXPORT_VETO_NOTE : "");
	if (t->workspace->evaluator != NULL && t->workspace->evaluator[0] != '\0')
		fprintf(f, "\n%s\n", t->workspace->evaluator);
	if (t->workspace->report_date != NULL && t->workspace->report_date[0] != '\0')
		fprintf(f, "\n%s\n", t->workspace->report_date);
	export_md_signatures(t->workspace, f);
	export_md_inventory(s, f);
	return JX_OK;
}
