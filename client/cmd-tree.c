/* jx tree WS: the scoring sheet (评分表) of a workspace, with totals. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <sysexits.h>

#include "cli.h"
#include "decimal.h"
#include "err.h"
#include "target.h"

#define TREE_INDENT_MAX 16

static const struct cli_command tree_command = { "tree", cmd_tree,
	"jx tree WS [--at REV] [--targets]",
	"Prints the indicator tree of a workspace: code, name, weight, score and comment,\n"
	"with each parent's score the sum of its children's (integer hundredths).\n"
	"--targets prints every target (指标值) as the parser reads it instead (with --json,\n"
	"each node's clauses: comparator, value, unit, label), flagging what it did not\n"
	"understand." };
static const struct cli_command score_command = { "score", cmd_score, "jx score WS [--at REV]",
	"Prints the scoring sheet (评分表): every indicator's weight, score and comment,\n"
	"scores computed by their methods (marked *), the budget execution rate, the total\n"
	"and the grade (等级), capped at 中 when a veto (否定性指标) fired. While leaves are\n"
	"unscored the grade is provisional (暂定); targets the parser did not understand\n"
	"are marked ⚑." };

/* The grade is final only when the server says every leaf is scored. */
static bool
tree_grade_final(const Jixiao__TreeReply *t)
{
	return t->has_grade_final ? t->grade_final : t->unscored == 0;
}

static void
tree_json(const Jixiao__TreeReply *t, bool targets)
{
	struct out_json *j = out_json_new(stdout);

	out_json_object(j, NULL);
	cli_json_workspace(j, "workspace", t->workspace);
	out_json_hundredths(j, "weight", t->weight);
	out_json_hundredths(j, "total", t->total);
	out_json_string(j, "grade", t->grade);
	out_json_string(j, "grade_key", t->grade_key);
	out_json_bool(j, "grade_final", tree_grade_final(t));
	out_json_bool(j, "vetoed", t->vetoed);
	out_json_uint(j, "unscored", t->unscored);
	if (t->budget != NULL)
		cli_json_budget(j, "budget", t->budget);
	out_json_array(j, "nodes");
	for (size_t i = 0; i < t->n_nodes; i++)
		cli_json_node(j, NULL, t->nodes[i]);
	out_json_end(j);
	if (targets) {
		/* Each target as parsed: [{code, target: {text, kind, clauses: [...]}}]. */
		out_json_array(j, "targets");
		for (size_t i = 0; i < t->n_nodes; i++) {
			const Jixiao__Node *n = t->nodes[i];
			struct target tg;

			if (n->target == NULL || n->target[0] == '\0' ||
			    target_parse_len(n->target, strlen(n->target), 0, &tg) != JX_OK)
				continue;
			out_json_object(j, NULL);
			out_json_string(j, "code", n->code);
			out_json_string(j, "name", n->name);
			cli_json_target(j, "target", &tg);
			out_json_end(j);
		}
		out_json_end(j);
	}
	out_json_free(j);
}

/* jx tree WS --targets: code, indicator, the target as written and as read. */
static void
tree_print_targets(const Jixiao__TreeReply *t)
{
	static const char *const head[] = { "code", "indicator", "target (指标值)", "read as" };
	char read[TARGET_FORMAT_MAX];
	struct out_table *tab;
	unsigned nflagged = 0;

	if ((tab = out_table_new(4, head)) == NULL)
		return;
	out_table_max_width(tab, 1, 30);
	out_table_max_width(tab, 2, 40);
	out_table_max_width(tab, 3, 50);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const Jixiao__Node *n = t->nodes[i];
		const char *row[4];
		struct target tg;

		if (n->target == NULL || n->target[0] == '\0' ||
		    target_parse_len(n->target, strlen(n->target), 0, &tg) != JX_OK)
			continue;
		cli_target_describe(&tg, read, sizeof(read));
		nflagged += tg.flagged;
		row[0] = n->code;
		row[1] = n->name != NULL ? n->name : "";
		row[2] = tg.text;
		row[3] = read;
		out_table_row(tab, row);
	}
	out_table_print(tab, stdout);
	out_table_free(tab);
	if (nflagged > 0)
		printf("\n⚑ %u target%s not understood (未能识别): they are kept as written and "
		    "scored by hand.\n", nflagged, nflagged == 1 ? "" : "s");
}

static void
tree_print(const Jixiao__TreeReply *t, bool sheet)
{
	static const char *const head[] = { "code", "indicator", "weight", "score", "comment" };
	char name[1024], weight[DEC_BUFSZ], score[DEC_BUFSZ + 8], total[DEC_BUFSZ], marks[160];
	bool any_computed = false, any_flagged = false;
	const Jixiao__Workspace *ws = t->workspace;
	struct out_table *tab;
	uint32_t unscored = 0;

	printf("workspace %" PRIu64 " · %s · %u · %s · revision %" PRIu64 "\n\n", ws->id,
	    ws->subject, ws->fiscal_year, cli_kind_zh(ws->kind), ws->revision);
	if (t->n_nodes == 0) {
		printf("No indicators yet: add some with 'jx node add %" PRIu64 " NAME'.\n", ws->id);
		return;
	}
	if ((tab = out_table_new(5, head)) == NULL)
		return;
	out_table_align(tab, 2, OUT_RIGHT);
	out_table_align(tab, 3, OUT_RIGHT);
	out_table_max_width(tab, 1, 40);
	out_table_max_width(tab, 4, 40);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const Jixiao__Node *n = t->nodes[i];
		unsigned indent = n->depth > 0 ? n->depth - 1 : 0;
		const char *row[5];

		if (indent > TREE_INDENT_MAX)
			indent = TREE_INDENT_MAX;
		snprintf(name, sizeof(name), "%*s%s%s%s%s", (int)indent * 2, "",
		    n->name != NULL ? n->name : "", n->claimed_by != NULL ? " [" : "",
		    n->claimed_by != NULL ? n->claimed_by : "", n->claimed_by != NULL ? "]" : "");
		/* A parent shows the sum of its children; a leaf its own score, or '-'. */
		if (n->unscored == 0 || n->total != 0)
			dec_format(n->total, score);
		else
			snprintf(score, sizeof(score), "-");
		if (n->computed && n->unscored == 0) {
			strncat(score, "*", sizeof(score) - strlen(score) - 1);
			any_computed = true;
		}
		if (target_text_flagged(n->target)) {
			strncat(score, "⚑", sizeof(score) - strlen(score) - 1);
			any_flagged = true;
		}
		row[0] = n->code;
		row[1] = name;
		row[2] = n->has_weight ? dec_format(n->weight, weight) : "-";
		row[3] = score;
		/* A leaf its method could not score says why instead of a comment. */
		row[4] = n->note != NULL ? n->note : n->comment;
		if (n->n_marks > 0) {
			int64_t lo, hi;
			char a[DEC_BUFSZ], b[DEC_BUFSZ];
			cli_marks_spread(n, &lo, &hi);
			snprintf(marks, sizeof(marks), "%zu marks %s–%s%s", n->n_marks,
			    dec_format_short(lo, a), dec_format_short(hi, b),
			    cli_marks_disagree(n) ? " ⚠ evaluators disagree" : "");
			row[4] = marks;
		}
		out_table_row(tab, row);
		if (n->depth == 1)
			unscored += n->unscored;
	}
	out_table_print(tab, stdout);
	out_table_free(tab);
	if (any_computed)
		printf("\n* computed by the indicator's method\n");
	if (any_flagged)
		printf("%s⚑ its target (指标值) was not understood: see jx tree %" PRIu64
		    " --targets\n", any_computed ? "" : "\n", ws->id);
	if (sheet && t->budget != NULL && t->budget->has_rate)
		printf("\n支出完成率 execution rate %s%%\n", dec_format(t->budget->rate, score));
	printf("\ntotal %s of %s", dec_format(t->total, total), dec_format(t->weight, weight));
	if (sheet && t->grade != NULL)
		printf(" → %s (%s)%s%s", t->grade, t->grade_key,
		    tree_grade_final(t) ? "" : " 暂定 provisional",
		    t->vetoed ? ", capped by a veto (否定性指标)" : "");
	if (unscored > 0)
		printf(" (%u indicator%s not scored yet)", unscored, unscored == 1 ? "" : "s");
	printf("\n");
}

static int
tree_run(struct cli *cli, const struct cli_command *cmd, bool sheet, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "targets", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out;
	bool targets = false;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(cmd, sheet ? "  --at REV  as it was at revision REV (see jx log)\n" :
			    "  --at REV   as it was at revision REV (see jx log)\n"
			    "  --targets  every target as the parser reads it\n");
			return 0;
		}
		if (c == 't' && !sheet) {
			targets = true;
			continue;
		}
		if (c != 'a' || cli_parse_id(optarg, "the revision", &in.at) != 0)
			return EX_USAGE;
		in.has_at = 1;
	}
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", cmd->usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0)
		return EX_USAGE;
	if ((rv = cli_call(cli, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (cli->json)
		tree_json(out, targets);
	else if (targets)
		tree_print_targets(out);
	else
		tree_print(out, sheet);
	jixiao__tree_reply__free_unpacked(out, NULL);
	return 0;
}

int
cmd_tree(struct cli *cli, int argc, char **argv)
{
	return tree_run(cli, &tree_command, false, argc, argv);
}

int
cmd_score(struct cli *cli, int argc, char **argv)
{
	return tree_run(cli, &score_command, true, argc, argv);
}
