/* jx log, diff, blame, trend: a workspace's revisions and a subject's years. */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "budget.h"
#include "cli.h"
#include "decimal.h"
#include "text.h"

#define DESCRIBE_MAX 2048

static const struct cli_command log_command = { "log", cmd_log,
	"jx log WS [--from REV] [--limit N]",
	"Every revision of a workspace, oldest first: who, when, what changed (old → new)." };
static const struct cli_command diff_command = { "diff", cmd_diff, "jx diff WS REV1 REV2",
	"What changed between two revisions, indicator by indicator." };
static const struct cli_command blame_command = { "blame", cmd_blame, "jx blame WS",
	"For each indicator, who set its current score, and when." };
static const struct cli_command trend_command = { "trend", cmd_trend,
	"jx trend SUBJECT [--kind KIND] [--indicator LINEAGE]",
	"A subject's evaluations year by year: total, grade, level-1 scores, budget, spending\n"
	"and execution rate; --indicator follows one indicator (its lineage, see jx tree\n"
	"--json) through the years: target, actual and score." };

/* A bounded sentence being built: "field: old → new; field: old → new". */
struct say {
	char *buf;
	size_t len, used;
};

static void say(struct say *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct say *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->used + 1 >= s->len)
		return;
	if (s->used > 0)
		s->used += (size_t)snprintf(s->buf + s->used, s->len - s->used, "; ");
	if (s->used + 1 >= s->len) {
		s->used = s->len - 1;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->used, s->len - s->used, fmt, ap);
	va_end(ap);
	if (n > 0 && s->used + (size_t)n < s->len) {
		s->used += (size_t)n;
	} else if (n > 0) {
		/* Cut short: never in the middle of a character. */
		s->used = text_utf8_whole(s->buf, s->len - 1);
		s->buf[s->used] = '\0';
	}
}

static void
say_text(struct say *s, const char *label, const char *a, const char *b)
{
	a = a != NULL ? a : "";
	b = b != NULL ? b : "";
	if (strcmp(a, b) != 0)
		say(s, "%s: %s → %s", label, a[0] != '\0' ? a : "-", b[0] != '\0' ? b : "-");
}

static void
say_points(struct say *s, const char *label, bool ha, int64_t a, bool hb, int64_t b)
{
	char x[DEC_BUFSZ], y[DEC_BUFSZ];

	if (ha != hb || (hb && a != b))
		say(s, "%s: %s → %s", label, ha ? dec_format_short(a, x) : "-",
		    hb ? dec_format_short(b, y) : "-");
}

/* Writes "field: old → new" for every field that differs between a and b. */
static void
describe(const Jixiao__Node *a, const Jixiao__Node *b, char *buf, size_t len)
{
	struct say s = { buf, len, 0 };

	buf[0] = '\0';
	say_text(&s, "code", a->code, b->code);
	say_text(&s, "name", a->name, b->name);
	say_points(&s, "weight", a->has_weight, a->weight, b->has_weight, b->weight);
	say_points(&s, "score", a->has_score, a->score, b->has_score, b->score);
	say_text(&s, "comment", a->comment, b->comment);
	say_text(&s, "target", a->target, b->target);
	say_text(&s, "actual", a->actual, b->actual);
	say_text(&s, "category", a->category, b->category);
	say_text(&s, "criteria", a->criteria, b->criteria);
	say_text(&s, "method", a->method, b->method);
	say_text(&s, "params", a->params, b->params);
	if (a->parent_id != b->parent_id)
		say(&s, "moved");
	if (a->n_evidence != b->n_evidence)
		say(&s, "evidence: %zu → %zu files%s%s", a->n_evidence, b->n_evidence,
		    b->n_evidence > a->n_evidence ? ", +" : "",
		    b->n_evidence > a->n_evidence ? b->evidence[b->n_evidence - 1]->name : "");
	if (a->n_marks != b->n_marks)
		say(&s, "marks: %zu → %zu", a->n_marks, b->n_marks);
}

/* Fen as 万元, exact: two decimals at least, more when the fen need them ("507.7412"). */
static const char *
history_wan(int64_t fen, char buf[40])
{
	uint64_t v = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;
	char frac[8];
	int n;

	snprintf(frac, sizeof(frac), "%06llu", (unsigned long long)(v % 1000000));
	for (n = 6; n > 2 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	snprintf(buf, 40, "%s%llu.%s", fen < 0 ? "-" : "", (unsigned long long)(v / 1000000),
	    frac);
	return buf;
}

static void
say_wan(struct say *s, const char *label, bool ha, int64_t a, bool hb, int64_t b)
{
	char x[40], y[40];

	if (ha != hb || (hb && a != b))
		say(s, "%s: %s → %s", label, ha ? history_wan(a, x) : "-", hb ? history_wan(b, y) : "-");
}

/*
 * Writes "field: old → new" (money in 万元) for every budget fact that differs between a
 * and b; either may be NULL (no budget yet). Adjustments and expense lines are compared
 * one by one, in order.
 */
static void
history_describe_budget(const Jixiao__Budget *a, const Jixiao__Budget *b, char *buf,
    size_t len)
{
	static const Jixiao__Budget none = JIXIAO__BUDGET__INIT;
	struct say s = { buf, len, 0 };
	char label[64];
	size_t n;

	buf[0] = '\0';
	a = a != NULL ? a : &none;
	b = b != NULL ? b : &none;
	say_wan(&s, "年初预算 initial 万元", a->has_initial, a->initial, b->has_initial, b->initial);
	say_wan(&s, "上年结转 carry-over 万元", a->has_carry_over, a->carry_over, b->has_carry_over,
	    b->carry_over);
	n = a->n_adjustments > b->n_adjustments ? a->n_adjustments : b->n_adjustments;
	for (size_t i = 0; i < n; i++) {
		const Jixiao__BudgetAdjustment *x = i < a->n_adjustments ? a->adjustments[i] : NULL;
		const Jixiao__BudgetAdjustment *y = i < b->n_adjustments ? b->adjustments[i] : NULL;
		snprintf(label, sizeof(label), "调整 adjustment %zu 万元", i + 1);
		say_wan(&s, label, x != NULL, x != NULL ? x->amount : 0, y != NULL,
		    y != NULL ? y->amount : 0);
		snprintf(label, sizeof(label), "调整 adjustment %zu document", i + 1);
		if (x != NULL || y != NULL)
			say_text(&s, label, x != NULL ? x->document : NULL,
			    y != NULL ? y->document : NULL);
	}
	say_wan(&s, "支出 spent 万元", a->has_spent, a->spent, b->has_spent, b->spent);
	n = a->n_lines > b->n_lines ? a->n_lines : b->n_lines;
	for (size_t i = 0; i < n; i++) {
		const Jixiao__ExpenseLine *x = i < a->n_lines ? a->lines[i] : NULL;
		const Jixiao__ExpenseLine *y = i < b->n_lines ? b->lines[i] : NULL;
		snprintf(label, sizeof(label), "支出明细 line %zu 万元", i + 1);
		say_wan(&s, label, x != NULL, x != NULL ? x->amount : 0, y != NULL,
		    y != NULL ? y->amount : 0);
		if (x == NULL || y == NULL)
			continue;
		snprintf(label, sizeof(label), "支出明细 line %zu date", i + 1);
		say_text(&s, label, x->date, y->date);
		snprintf(label, sizeof(label), "支出明细 line %zu payee", i + 1);
		say_text(&s, label, x->payee, y->payee);
		snprintf(label, sizeof(label), "支出明细 line %zu purpose", i + 1);
		say_text(&s, label, x->purpose, y->purpose);
	}
}

/* Writes "field: old → new" for every field of a finding that differs between a and b. */
static void
describe_finding(const Jixiao__Finding *a, const Jixiao__Finding *b, char *buf, size_t len)
{
	struct say s = { buf, len, 0 };

	buf[0] = '\0';
	if (a->kind != b->kind)
		say(&s, "kind: %s → %s", cli_finding_kind_zh(a->kind), cli_finding_kind_zh(b->kind));
	say_text(&s, "text", a->text, b->text);
	say_text(&s, "indicator", a->indicator, b->indicator);
}

/* "#3 存在问题: the first 60 bytes of its text…", cut at a character, one line. */
static const char *
history_finding_label(const Jixiao__Finding *f, char *buf, size_t len)
{
	const char *t = f->text != NULL ? f->text : "";
	size_t n = 0, used;

	used = (size_t)snprintf(buf, len, "#%" PRIu64 " %s: ", f->id, cli_finding_kind_zh(f->kind));
	while (t[n] != '\0' && t[n] != '\n' && n < 60)
		n++;
	while (n > 0 && t[n] != '\0' && ((unsigned char)t[n] & 0xc0) == 0x80)
		n--;
	if (used < len)
		snprintf(buf + used, len - used, "%.*s%s", (int)n, t, t[n] != '\0' ? "…" : "");
	return buf;
}

/* Prints a change to a finding as cli_print_change does; false when it is not one. */
static bool
history_print_finding(const Jixiao__Change *ch, struct out_json *j)
{
	const Jixiao__Finding *f = ch->finding_after != NULL ? ch->finding_after
							      : ch->finding_before;
	char fwhat[DESCRIBE_MAX] = "", flabel[256], ft[32];

	if (f == NULL)
		return false;
	if (ch->finding_before != NULL && ch->finding_after != NULL)
		describe_finding(ch->finding_before, ch->finding_after, fwhat,
		    sizeof(fwhat));
	if (j != NULL) {
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", ch->workspace);
		out_json_uint(j, "revision", ch->revision);
		out_json_int(j, "time", ch->time);
		out_json_string(j, "user", ch->user);
		out_json_string(j, "what", ch->what);
		out_json_uint(j, "finding", f->id);
		out_json_string(j, "changes", fwhat[0] != '\0' ? fwhat : NULL);
		if (ch->reason != NULL)
			out_json_string(j, "reason", ch->reason);
		if (ch->finding_before != NULL)
			cli_json_finding(j, "before", ch->finding_before);
		if (ch->finding_after != NULL)
			cli_json_finding(j, "after", ch->finding_after);
		out_json_end(j);
		return true;
	}
	printf("%6" PRIu64 "  %s  %-10s %-17s %s\n", ch->revision, cli_time(ch->time, ft),
	    ch->user != NULL ? ch->user : "-", ch->what,
	    history_finding_label(f, flabel, sizeof(flabel)));
	if (fwhat[0] != '\0')
		printf("        %s\n", fwhat);
	if (ch->reason != NULL)
		printf("        reason: %s\n", ch->reason);
	return true;
}

void
cli_print_change(const Jixiao__Change *ch, struct out_json *j)
{
	const Jixiao__Node *n = ch->after != NULL ? ch->after : ch->before;
	char what[DESCRIBE_MAX] = "", t[32];

	if (history_print_finding(ch, j))
		return;
	if (ch->before != NULL && ch->after != NULL)
		describe(ch->before, ch->after, what, sizeof(what));
	else if (ch->budget_before != NULL || ch->budget_after != NULL)
		history_describe_budget(ch->budget_before, ch->budget_after, what, sizeof(what));
	if (j != NULL) {
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", ch->workspace);
		out_json_uint(j, "revision", ch->revision);
		out_json_int(j, "time", ch->time);
		out_json_string(j, "user", ch->user);
		out_json_string(j, "what", ch->what);
		out_json_bool(j, "forced", ch->forced);
		out_json_string(j, "code", n != NULL ? n->code : NULL);
		out_json_string(j, "changes", what[0] != '\0' ? what : NULL);
		if (ch->reason != NULL)
			out_json_string(j, "reason", ch->reason);
		if (ch->comment != NULL)
			out_json_string(j, "comment", ch->comment);
		if (ch->before != NULL)
			cli_json_node(j, "before", ch->before);
		if (ch->after != NULL)
			cli_json_node(j, "after", ch->after);
		if (ch->budget_before != NULL)
			cli_json_budget(j, "budget_before", ch->budget_before);
		if (ch->budget_after != NULL)
			cli_json_budget(j, "budget_after", ch->budget_after);
		out_json_end(j);
		return;
	}
	printf("%6" PRIu64 "  %s  %-10s %-17s %s%s%s%s\n", ch->revision, cli_time(ch->time, t),
	    ch->user != NULL ? ch->user : "-", ch->what, n != NULL ? n->code
	    : ch->budget_before != NULL || ch->budget_after != NULL ? "预算 budget" : "",
	    n != NULL && n->name != NULL ? " " : "", n != NULL && n->name != NULL ? n->name : "",
	    ch->forced ? "  (forced over a newer revision)" : "");
	if (what[0] != '\0')
		printf("        %s\n", what);
	if (ch->reason != NULL)
		printf("        reason: %s\n", ch->reason);
	if (ch->comment != NULL)
		printf("        comment: %s\n", ch->comment);
}

int
cmd_log(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__LogRequest in = JIXIAO__LOG_REQUEST__INIT;
	Jixiao__LogReply *out;
	struct out_json *j = NULL;
	uint64_t v;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&log_command, "  --from REV  start at this revision\n"
					       "  --limit N   at most N revisions (1000 at most)\n");
			return 0;
		}
		if ((c != 'f' && c != 'l') || cli_parse_id(optarg, "the number", &v) != 0)
			return EX_USAGE;
		if (c == 'f')
			in.has_from = 1, in.from = v;
		else
			in.has_limit = 1, in.limit = v > 1000 ? 1000 : (uint32_t)v;
	}
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", log_command.usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0)
		return EX_USAGE;
	if ((rv = cli_call(cli, &jixiao__history__descriptor, "Log", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (cli->json) {
		j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", in.workspace);
		out_json_uint(j, "head_revision", out->head_revision);
		out_json_array(j, "changes");
	}
	for (size_t i = 0; i < out->n_changes; i++)
		cli_print_change(out->changes[i], j);
	out_json_free(j);
	jixiao__log_reply__free_unpacked(out, NULL);
	return 0;
}

static int
history_tree(struct cli *cli, uint64_t ws, uint64_t at, Jixiao__TreeReply **out)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;

	in.workspace = ws;
	in.has_at = 1;
	in.at = at;
	return cli_call(cli, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)out);
}

static Jixiao__Finding *
history_find_finding(const Jixiao__ListFindingsReply *l, uint64_t id)
{
	for (size_t i = 0; i < l->n_findings; i++)
		if (l->findings[i]->id == id)
			return l->findings[i];
	return NULL;
}

/*
 * The findings added, removed and changed between revisions r1 and r2, as jx diff
 * prints indicators; adds their number to *changes. Returns an exit code.
 */
static int
history_diff_findings(struct cli *cli, uint64_t ws, uint64_t r1, uint64_t r2,
    struct out_json *j, int *changes)
{
	Jixiao__ListFindingsRequest in = JIXIAO__LIST_FINDINGS_REQUEST__INIT;
	Jixiao__ListFindingsReply *a = NULL, *b = NULL;
	char what[DESCRIBE_MAX], label[256];
	int rv;

	in.workspace = ws;
	in.has_at = 1;
	in.at = r1;
	if ((rv = cli_call(cli, &jixiao__findings__descriptor, "List", &in.base,
	    (ProtobufCMessage **)&a)) != 0)
		goto out;
	in.at = r2;
	if ((rv = cli_call(cli, &jixiao__findings__descriptor, "List", &in.base,
	    (ProtobufCMessage **)&b)) != 0)
		goto out;
	for (size_t i = 0; i < a->n_findings + b->n_findings; i++) {
		const Jixiao__Finding *old = i < a->n_findings ? a->findings[i] : NULL;
		const Jixiao__Finding *new = old != NULL ? history_find_finding(b, old->id)
							 : b->findings[i - a->n_findings];
		const Jixiao__Finding *f;
		const char *kind;

		if (old == NULL && history_find_finding(a, new->id) != NULL)
			continue;
		what[0] = '\0';
		if (old != NULL && new != NULL)
			describe_finding(old, new, what, sizeof(what));
		if (old != NULL && new != NULL && what[0] == '\0')
			continue;
		kind = old == NULL ? "added" : new == NULL ? "removed" : "changed";
		f = new != NULL ? new : old;
		(*changes)++;
		if (j != NULL) {
			out_json_object(j, NULL);
			out_json_string(j, "change", kind);
			out_json_uint(j, "finding", f->id);
			out_json_string(j, "kind", cli_finding_kind_name(f->kind));
			out_json_string(j, "text", f->text);
			out_json_string(j, "fields", what[0] != '\0' ? what : NULL);
			out_json_end(j);
		} else {
			printf("%-8s %s%s%s\n", kind, history_finding_label(f, label, sizeof(label)),
			    what[0] != '\0' ? "\n         " : "", what);
		}
	}
out:
	if (a != NULL)
		jixiao__list_findings_reply__free_unpacked(a, NULL);
	if (b != NULL)
		jixiao__list_findings_reply__free_unpacked(b, NULL);
	return rv;
}

static const Jixiao__Node *
history_find(const Jixiao__TreeReply *t, uint64_t id)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i]->id == id)
			return t->nodes[i];
	return NULL;
}

int
cmd_diff(struct cli *cli, int argc, char **argv)
{
	Jixiao__TreeReply *a = NULL, *b = NULL;
	struct out_json *j = NULL;
	uint64_t ws, r1, r2;
	char x[DEC_BUFSZ], y[DEC_BUFSZ], what[DESCRIBE_MAX];
	int rv, changes = 0;

	if ((rv = cli_plain_args(&diff_command, argc, argv, 3)) >= 0)
		return rv;
	if (cli_parse_id(argv[optind], "the workspace", &ws) != 0 ||
	    cli_parse_id(argv[optind + 1], "the first revision", &r1) != 0 ||
	    cli_parse_id(argv[optind + 2], "the second revision", &r2) != 0)
		return EX_USAGE;
	if ((rv = history_tree(cli, ws, r1, &a)) != 0 || (rv = history_tree(cli, ws, r2, &b)) != 0)
		goto out;
	if (cli->json) {
		j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", ws);
		out_json_uint(j, "from", r1);
		out_json_uint(j, "to", r2);
		out_json_hundredths(j, "total_from", a->total);
		out_json_hundredths(j, "total_to", b->total);
		out_json_array(j, "changes");
	}
	for (size_t i = 0; i < a->n_nodes + b->n_nodes; i++) {
		const Jixiao__Node *old = i < a->n_nodes ? a->nodes[i] : NULL;
		const Jixiao__Node *new = i < a->n_nodes ? history_find(b, old->id) : b->nodes[i -
		    a->n_nodes];
		const char *kind;

		if (old == NULL && history_find(a, new->id) != NULL)
			continue;
		what[0] = '\0';
		if (old != NULL && new != NULL)
			describe(old, new, what, sizeof(what));
		if (old != NULL && new != NULL && what[0] == '\0')
			continue;
		kind = old == NULL ? "added" : new == NULL ? "removed" : "changed";
		changes++;
		if (j != NULL) {
			out_json_object(j, NULL);
			out_json_string(j, "change", kind);
			out_json_string(j, "code", (new != NULL ? new : old)->code);
			out_json_string(j, "name", (new != NULL ? new : old)->name);
			out_json_string(j, "fields", what[0] != '\0' ? what : NULL);
			out_json_end(j);
		} else {
			printf("%-8s %-8s %s%s%s\n", kind, (new != NULL ? new : old)->code,
			    (new != NULL ? new : old)->name, what[0] != '\0' ? ": " : "", what);
		}
	}
	history_describe_budget(a->budget, b->budget, what, sizeof(what));
	if (what[0] != '\0') {
		changes++;
		if (j != NULL) {
			out_json_object(j, NULL);
			out_json_string(j, "change", a->budget == NULL ? "added" : "changed");
			out_json_string(j, "budget", "budget");
			out_json_string(j, "fields", what);
			out_json_end(j);
		} else {
			printf("%-8s budget   预算: %s\n", a->budget == NULL ? "added" : "changed", what);
		}
	}
	if ((rv = history_diff_findings(cli, ws, r1, r2, j, &changes)) != 0)
		goto out;
	if (j == NULL)
		printf("%s%d change%s from revision %" PRIu64 " to %" PRIu64 "; total %s → %s\n",
		    changes > 0 ? "\n" : "", changes, changes == 1 ? "" : "s", r1, r2,
		    dec_format(a->total, x), dec_format(b->total, y));
out:
	out_json_free(j);
	if (a != NULL)
		jixiao__tree_reply__free_unpacked(a, NULL);
	if (b != NULL)
		jixiao__tree_reply__free_unpacked(b, NULL);
	return rv;
}

int
cmd_blame(struct cli *cli, int argc, char **argv)
{
	Jixiao__BlameRequest in = JIXIAO__BLAME_REQUEST__INIT;
	Jixiao__BlameReply *out;
	int rv;

	if ((rv = cli_ws_arg(&blame_command, argc, argv, &in.workspace)) >= 0)
		return rv;
	if ((rv = cli_call(cli, &jixiao__history__descriptor, "Blame", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_array(j, "lines");
		for (size_t i = 0; i < out->n_lines; i++) {
			const Jixiao__BlameLine *l = out->lines[i];
			out_json_object(j, NULL);
			out_json_string(j, "code", l->code);
			out_json_string(j, "name", l->name);
			if (l->has_score)
				out_json_hundredths(j, "score", l->score);
			else
				out_json_null(j, "score");
			out_json_uint(j, "revision", l->revision);
			out_json_string(j, "user", l->user);
			out_json_int(j, "time", l->time);
			out_json_end(j);
		}
		out_json_free(j);
	} else {
		static const char *const head[] = { "code", "indicator", "score", "rev", "by",
			"when" };
		struct out_table *t = out_table_new(6, head);
		char score[DEC_BUFSZ], rev[24], when[32];

		out_table_align(t, 2, OUT_RIGHT);
		out_table_align(t, 3, OUT_RIGHT);
		out_table_max_width(t, 1, 30);
		for (size_t i = 0; i < out->n_lines; i++) {
			const Jixiao__BlameLine *l = out->lines[i];
			const char *row[6] = { l->code, l->name,
				l->has_score ? dec_format(l->score, score) : "-", rev, l->user,
				l->has_time ? cli_time(l->time, when) : "-" };
			snprintf(rev, sizeof(rev), "%" PRIu64, l->revision);
			out_table_row(t, row);
		}
		out_table_print(t, stdout);
		out_table_free(t);
	}
	jixiao__blame_reply__free_unpacked(out, NULL);
	return 0;
}

/* "项目安排 12.00 · 项目管理 20.38 · …" */
static void
trend_level1(const Jixiao__TrendYear *y, char *buf, size_t len)
{
	char x[DEC_BUFSZ];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < y->n_level1 && used + 1 < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s %s", i ? " · " : "",
		    y->level1[i]->name != NULL ? y->level1[i]->name : y->level1[i]->code,
		    dec_format(y->level1[i]->total, x));
		if (n < 0)
			break;
		used += (size_t)n < len - used ? (size_t)n : len - used - 1;
	}
}

int
cmd_trend(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "indicator", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__TrendRequest in = JIXIAO__TREND_REQUEST__INIT;
	Jixiao__TrendReply *out;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&trend_command, "  --kind KIND        only one kind of evaluation\n"
						 "  --indicator ID     follow one indicator (lineage)\n");
			return 0;
		}
		if (c == 'k' && cli_parse_kind(optarg, &in.kind) == 0)
			in.has_kind = 1;
		else if (c == 'i' && cli_parse_id(optarg, "the indicator", &in.lineage) == 0)
			in.has_lineage = 1;
		else
			return EX_USAGE;
	}
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", trend_command.usage);
	in.subject = argv[optind];
	if ((rv = cli_call(cli, &jixiao__history__descriptor, "Trend", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_string(j, "subject", in.subject);
		out_json_array(j, "years");
		for (size_t i = 0; i < out->n_years; i++) {
			const Jixiao__TrendYear *y = out->years[i];
			out_json_object(j, NULL);
			out_json_uint(j, "fiscal_year", y->workspace->fiscal_year);
			out_json_uint(j, "workspace", y->workspace->id);
			out_json_string(j, "kind", cli_kind_name(y->workspace->kind));
			out_json_hundredths(j, "total", y->total);
			out_json_string(j, "grade", y->grade);
			out_json_bool(j, "vetoed", y->vetoed);
			out_json_array(j, "level1");
			for (size_t k = 0; k < y->n_level1; k++) {
				out_json_object(j, NULL);
				out_json_string(j, "name", y->level1[k]->name);
				out_json_hundredths(j, "weight", y->level1[k]->weight);
				out_json_hundredths(j, "total", y->level1[k]->total);
				out_json_end(j);
			}
			out_json_end(j);
			if (y->budget != NULL)
				cli_json_budget(j, "budget", y->budget);
			if (y->indicator != NULL)
				cli_json_node(j, "indicator", y->indicator);
			out_json_end(j);
		}
		out_json_free(j);
	} else {
		static const char *const head[] = { "year", "kind", "total", "grade", "budget 万元",
			"spent 万元", "rate", "level-1 / indicator" };
		struct out_table *t = out_table_new(8, head);
		char year[12], total[DEC_BUFSZ], fb[DEC_BUFSZ], sp[DEC_BUFSZ], rate[DEC_BUFSZ + 1];
		char l1[1024], is[DEC_BUFSZ];
		int64_t h;

		for (int k = 2; k <= 6; k++)
			if (k != 3)
				out_table_align(t, (size_t)k, OUT_RIGHT);
		for (size_t i = 0; i < out->n_years; i++) {
			const Jixiao__TrendYear *y = out->years[i];
			const Jixiao__Budget *b = y->budget;
			const Jixiao__Node *ind = y->indicator;
			const char *row[8] = { year, cli_kind_zh(y->workspace->kind), total,
				y->grade != NULL ? y->grade : "(incomplete)", "-", "-", "-", l1 };

			snprintf(year, sizeof(year), "%u", y->workspace->fiscal_year);
			dec_format(y->total, total);
			if (b != NULL && b->has_final && budget_fen_to_wan(b->final, &h) == 0)
				row[4] = dec_format(h, fb);
			if (b != NULL && b->has_spent && budget_fen_to_wan(b->spent, &h) == 0)
				row[5] = dec_format(h, sp);
			if (b != NULL && b->has_rate) {
				dec_format(b->rate, rate);
				strncat(rate, "%", sizeof(rate) - strlen(rate) - 1);
				row[6] = rate;
			}
			if (in.has_lineage && ind != NULL)
				snprintf(l1, sizeof(l1), "%s %s: target %s, actual %s, score %s",
				    ind->code, ind->name != NULL ? ind->name : "",
				    ind->target != NULL ? ind->target : "-",
				    ind->actual != NULL ? ind->actual : "-",
				    ind->unscored == 0 ? dec_format(ind->total, is) : "-");
			else if (in.has_lineage)
				snprintf(l1, sizeof(l1), "(the indicator is not in this year)");
			else
				trend_level1(y, l1, sizeof(l1));
			out_table_row(t, row);
		}
		out_table_print(t, stdout);
		out_table_free(t);
	}
	jixiao__trend_reply__free_unpacked(out, NULL);
	return 0;
}
