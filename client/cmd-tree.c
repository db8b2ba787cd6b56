/* jx tree WS: the scoring sheet (评分表) of a workspace, with totals. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <sysexits.h>

#include "cli.h"
#include "decimal.h"

#define TREE_INDENT_MAX 16

static const struct cli_command tree_command = { "tree", cmd_tree, "jx tree WS [--at REV]",
	"Prints the indicator tree of a workspace: code, name, weight, score and comment,\n"
	"with each parent's score the sum of its children's (integer hundredths)." };
static const struct cli_command score_command = { "score", cmd_score, "jx score WS [--at REV]",
	"Prints the scoring sheet (评分表): every indicator's weight, score and comment,\n"
	"scores computed by their methods (marked *), the budget execution rate, the total\n"
	"and the grade (等级), capped at 中 when a veto (否定性指标) fired." };

static void
tree_json(const Jixiao__TreeReply *t)
{
	struct out_json *j = out_json_new(stdout);

	out_json_object(j, NULL);
	cli_json_workspace(j, "workspace", t->workspace);
	out_json_hundredths(j, "weight", t->weight);
	out_json_hundredths(j, "total", t->total);
	out_json_string(j, "grade", t->grade);
	out_json_string(j, "grade_key", t->grade_key);
	out_json_bool(j, "vetoed", t->vetoed);
	out_json_uint(j, "unscored", t->unscored);
	if (t->budget != NULL)
		cli_json_budget(j, "budget", t->budget);
	out_json_array(j, "nodes");
	for (size_t i = 0; i < t->n_nodes; i++)
		cli_json_node(j, NULL, t->nodes[i]);
	out_json_free(j);
}

static void
tree_print(const Jixiao__TreeReply *t, bool sheet)
{
	static const char *const head[] = { "code", "indicator", "weight", "score", "comment" };
	char name[1024], weight[DEC_BUFSZ], score[DEC_BUFSZ + 1], total[DEC_BUFSZ], marks[160];
	bool any_computed = false;
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
	if (sheet && t->budget != NULL && t->budget->has_rate)
		printf("\n支出完成率 execution rate %s%%\n", dec_format(t->budget->rate, score));
	printf("\ntotal %s of %s", dec_format(t->total, total), dec_format(t->weight, weight));
	if (sheet && t->grade != NULL)
		printf(" → %s (%s)%s", t->grade, t->grade_key,
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(cmd, "  --at REV  as it was at revision REV (see jx log)\n");
			return 0;
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
		tree_json(out);
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
