/* jx budget show|set: a workspace's budget facts, in 万元 as the reports write them. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "budget.h"
#include "cli.h"
#include "csv.h"
#include "decimal.h"
#include "err.h"
#include "sheet-csv.h"
#include "table-file.h"

#define ADJUST_MAX 64

static int budget_show(struct cli *cli, int argc, char **argv);
static int budget_set(struct cli *cli, int argc, char **argv);
static int budget_lines(struct cli *cli, int argc, char **argv);

static const struct cli_command budget_commands[] = {
	{ "show", budget_show, "jx budget show WS",
	    "Shows the budget facts: initial budget, adjustments, carry-over, final budget,\n"
	    "expenditure and the execution rate (万元)." },
	{ "set", budget_set,
	    "jx budget set WS [--initial 万元] [--carry 万元] [--adjust ±万元[:DOCUMENT]]... "
	    "[--spent 万元] [--stated-final 万元] [--stated-rate PCT] [--rev N]",
	    "Changes the budget facts. Fields not given keep their value; --adjust adds an\n"
	    "adjustment (调增 +, 调减 -), --clear-adjustments removes them all first.\n"
	    "--stated-final and --stated-rate keep the figures as the report prints them;\n"
	    "jx check reports where the arithmetic disagrees. Amounts may be written as\n"
	    "spreadsheets do (1,164.43, full-width digits)." },
	{ "lines", budget_lines, "jx budget lines WS FILE.csv|FILE.xlsx [--rev N] [--sheet NAME|N]",
	    "Replaces the itemised expenditure (支出明细) with the rows of a CSV file: columns\n"
	    "金额 (amount, yuan) and optionally 日期 (date), 收款单位 (payee), 用途 (purpose).\n"
	    "Tells when the lines do not add up to the recorded expenditure." },
};

int
cmd_budget(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "budget", budget_commands,
	    sizeof(budget_commands) / sizeof(budget_commands[0]), argc, argv);
}

/* Fen as 万元 with two decimals: "507.74". */
static const char *
wan(int64_t fen, char buf[DEC_BUFSZ])
{
	int64_t h;

	if (budget_fen_to_wan(fen, &h) != 0)
		return "?";
	return dec_format(h, buf);
}

static int
parse_wan(const char *s, const char *what, int64_t *fen)
{
	int64_t h;

	if (cli_parse_points(s, what, &h) != 0)
		return -1;
	if (budget_wan_to_fen(h, fen) != 0) {
		cli_error(0, "%s %s 万元 is out of range", what, s);
		return -1;
	}
	return 0;
}

void
cli_json_budget(struct out_json *j, const char *key, const Jixiao__Budget *b)
{
	out_json_object(j, key);
	out_json_string(j, "unit", "fen");
	if (b->has_initial)
		out_json_int(j, "initial", b->initial);
	if (b->has_carry_over)
		out_json_int(j, "carry_over", b->carry_over);
	out_json_array(j, "adjustments");
	for (size_t i = 0; i < b->n_adjustments; i++) {
		out_json_object(j, NULL);
		out_json_int(j, "amount", b->adjustments[i]->amount);
		out_json_string(j, "document", b->adjustments[i]->document);
		out_json_end(j);
	}
	out_json_end(j);
	if (b->has_final)
		out_json_int(j, "final", b->final);
	if (b->has_spent)
		out_json_int(j, "spent", b->spent);
	if (b->has_rate)
		out_json_hundredths(j, "rate_percent", b->rate);
	if (b->has_stated_final)
		out_json_int(j, "stated_final", b->stated_final);
	if (b->has_stated_rate)
		out_json_hundredths(j, "stated_rate_percent", b->stated_rate);
	out_json_uint(j, "lines", b->n_lines);
	if (b->has_lines_total)
		out_json_int(j, "lines_total", b->lines_total);
	out_json_uint(j, "revision", b->revision);
	out_json_end(j);
}

void
cli_print_budget(const Jixiao__Budget *b)
{
	char x[DEC_BUFSZ];

	printf("budget (万元), revision %" PRIu64 "\n", b->revision);
	if (b->has_initial)
		printf("  年初预算 initial budget   %12s\n", wan(b->initial, x));
	if (b->has_carry_over && b->carry_over != 0)
		printf("  上年结转 carry-over       %12s\n", wan(b->carry_over, x));
	for (size_t i = 0; i < b->n_adjustments; i++) {
		const Jixiao__BudgetAdjustment *a = b->adjustments[i];
		printf("  %s adjustment       %12s%s%s\n", a->amount < 0 ? "调减" : "调增",
		    wan(a->amount, x), a->document != NULL ? "  " : "",
		    a->document != NULL ? a->document : "");
	}
	if (b->has_final)
		printf("  全年预算 final budget     %12s\n", wan(b->final, x));
	if (b->has_spent)
		printf("  支出 expenditure          %12s\n", wan(b->spent, x));
	if (b->has_stated_final)
		printf("  全年预算 as stated        %12s%s\n", wan(b->stated_final, x),
		    b->has_final && b->final != b->stated_final ? "  ≠ computed" : "");
	if (b->has_rate)
		printf("  执行率 execution rate     %11s%%\n", dec_format(b->rate, x));
	if (b->has_stated_rate)
		printf("  执行率 as stated          %11s%%%s\n", dec_format(b->stated_rate, x),
		    b->has_rate && b->rate != b->stated_rate ? "  ≠ computed" : "");
	if (b->n_lines > 0)
		printf("  支出明细 %zu lines, total %s\n", b->n_lines, wan(b->lines_total, x));
}

static int
budget_fetch(struct cli *cli, uint64_t ws, Jixiao__BudgetReply **out)
{
	Jixiao__GetBudgetRequest in = JIXIAO__GET_BUDGET_REQUEST__INIT;

	in.workspace = ws;
	return cli_call(cli, &jixiao__budgets__descriptor, "Get", &in.base,
	    (ProtobufCMessage **)out);
}

static int
budget_show(struct cli *cli, int argc, char **argv)
{
	Jixiao__BudgetReply *out;
	uint64_t ws;
	int rv;

	if ((rv = cli_ws_arg(&budget_commands[0], argc, argv, &ws)) >= 0)
		return rv;
	if ((rv = budget_fetch(cli, ws, &out)) != 0)
		return rv;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		cli_json_budget(j, NULL, out->budget);
		out_json_free(j);
	} else {
		cli_print_budget(out->budget);
	}
	jixiao__budget_reply__free_unpacked(out, NULL);
	return 0;
}

static int
budget_set(struct cli *cli, int argc, char **argv)
{
	enum { OPT_INITIAL = 256, OPT_CARRY, OPT_ADJUST, OPT_CLEAR, OPT_SPENT, OPT_REV,
		OPT_SFINAL, OPT_SRATE };
	static const struct option opts[] = {
		{ "initial", required_argument, NULL, OPT_INITIAL },
		{ "stated-final", required_argument, NULL, OPT_SFINAL },
		{ "stated-rate", required_argument, NULL, OPT_SRATE },
		{ "carry", required_argument, NULL, OPT_CARRY },
		{ "adjust", required_argument, NULL, OPT_ADJUST },
		{ "clear-adjustments", no_argument, NULL, OPT_CLEAR },
		{ "spent", required_argument, NULL, OPT_SPENT },
		{ "rev", required_argument, NULL, OPT_REV },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__SetBudgetRequest in = JIXIAO__SET_BUDGET_REQUEST__INIT;
	Jixiao__Budget b = JIXIAO__BUDGET__INIT, *cur = NULL;
	Jixiao__BudgetAdjustment adj[ADJUST_MAX], *adjp[2 * ADJUST_MAX];
	Jixiao__BudgetReply *got = NULL, *out;
	int64_t initial = 0, carry = 0, spent = 0, sfinal = 0, srate = 0;
	bool has_initial = false, has_carry = false, has_spent = false, clear = false;
	bool has_sfinal = false, has_srate = false;
	bool has_rev = false;
	size_t nadj = 0, n = 0;
	uint64_t rev = 0;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_INITIAL:
			if (parse_wan(optarg, "the initial budget", &initial) != 0)
				return EX_USAGE;
			has_initial = true;
			break;
		case OPT_CARRY:
			if (parse_wan(optarg, "the carry-over", &carry) != 0)
				return EX_USAGE;
			has_carry = true;
			break;
		case OPT_SPENT:
			if (parse_wan(optarg, "the expenditure", &spent) != 0)
				return EX_USAGE;
			has_spent = true;
			break;
		case OPT_ADJUST: {
			char *colon = strchr(optarg, ':');
			if (nadj == ADJUST_MAX)
				return cli_usage_error("at most %d adjustments", ADJUST_MAX);
			jixiao__budget_adjustment__init(&adj[nadj]);
			if (colon != NULL) {
				*colon = '\0';
				adj[nadj].document = colon + 1;
			}
			if (parse_wan(optarg, "an adjustment", &adj[nadj].amount) != 0)
				return EX_USAGE;
			nadj++;
			break;
		}
		case OPT_SFINAL:
			if (parse_wan(optarg, "the stated final budget", &sfinal) != 0)
				return EX_USAGE;
			has_sfinal = true;
			break;
		case OPT_SRATE: {
			size_t len = strlen(optarg);

			if (len > 0 && optarg[len - 1] == '%')
				optarg[len - 1] = '\0';
			if (cli_parse_points(optarg, "the stated execution rate", &srate) != 0)
				return EX_USAGE;
			if (srate < 0)
				return cli_usage_error("the stated execution rate cannot be negative");
			has_srate = true;
			break;
		}
		case OPT_CLEAR:
			clear = true;
			break;
		case OPT_REV:
			if (cli_parse_id(optarg, "the revision", &rev) != 0)
				return EX_USAGE;
			has_rev = true;
			break;
		case 'h':
			cli_help(&budget_commands[1],
			    "  --initial 万元        年初预算, e.g. 1164.43\n"
			    "  --carry 万元          上年结转\n"
			    "  --adjust ±万元[:DOC]  one 调增/调减 with its document, e.g.\n"
			    "                        -30.01:2023年第二次预算支出调整表 (repeatable)\n"
			    "  --clear-adjustments   drop the adjustments recorded so far\n"
			    "  --spent 万元          支出 / 决算\n"
			    "  --stated-final 万元   全年预算 as the report prints it\n"
			    "  --stated-rate PCT     执行率 as the report prints it, e.g. 100%\n"
			    "  --rev N               the budget revision your change is based on\n");
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", budget_commands[1].usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0)
		return EX_USAGE;
	if (!has_initial && !has_carry && !has_spent && nadj == 0 && !clear && !has_sfinal &&
	    !has_srate)
		return cli_usage_error("nothing to change (see jx budget set --help)");

	/* Start from what is there, so unnamed fields keep their values. */
	rv = budget_fetch(cli, in.workspace, &got);
	if (rv == 0) {
		cur = got->budget;
		b.has_initial = cur->has_initial, b.initial = cur->initial;
		b.has_carry_over = cur->has_carry_over, b.carry_over = cur->carry_over;
		b.has_spent = cur->has_spent, b.spent = cur->spent;
		b.has_stated_final = cur->has_stated_final, b.stated_final = cur->stated_final;
		b.has_stated_rate = cur->has_stated_rate, b.stated_rate = cur->stated_rate;
		b.n_lines = cur->n_lines, b.lines = cur->lines;
		if (!clear)
			for (size_t i = 0; i < cur->n_adjustments && n < ADJUST_MAX; i++)
				adjp[n++] = cur->adjustments[i];
		if (!has_rev)
			rev = cur->revision;
	} else {
		return rv;
	}
	for (size_t i = 0; i < nadj; i++)
		adjp[n++] = &adj[i];
	b.adjustments = adjp;
	b.n_adjustments = n;
	if (has_initial)
		b.has_initial = 1, b.initial = initial;
	if (has_carry)
		b.has_carry_over = 1, b.carry_over = carry;
	if (has_spent)
		b.has_spent = 1, b.spent = spent;
	if (has_sfinal)
		b.has_stated_final = 1, b.stated_final = sfinal;
	if (has_srate)
		b.has_stated_rate = 1, b.stated_rate = srate;
	in.base_revision = rev;
	in.budget = &b;
	rv = cli_call(cli, &jixiao__budgets__descriptor, "Set", &in.base,
	    (ProtobufCMessage **)&out);
	if (rv == 0) {
		if (cli->json) {
			struct out_json *j = out_json_new(stdout);
			cli_json_budget(j, NULL, out->budget);
			out_json_free(j);
		} else {
			cli_print_budget(out->budget);
		}
	}
	if (out != NULL)
		jixiao__budget_reply__free_unpacked(out, NULL);
	if (got != NULL)
		jixiao__budget_reply__free_unpacked(got, NULL);
	return rv;
}

/* Column names of an itemised-expenditure CSV, Chinese and English. */
static const char *const lines_columns[4][4] = {
	{ "金额", "amount", "金额（元）", NULL },
	{ "日期", "date", "支付日期", NULL },
	{ "收款单位", "payee", "供应商", NULL },
	{ "用途", "purpose", "项目名称", "摘要" },
};

/* Rows above the header a file may have: a title, a unit line. */
#define LINES_TITLE_ROWS 10

static int
lines_column(const struct csv *csv, size_t row, size_t which)
{
	for (size_t col = 0; col < csv_ncols(csv, row); col++)
		for (size_t k = 0; k < 4 && lines_columns[which][k] != NULL; k++)
			if (csv_header_eq(csv_cell(csv, row, col), lines_columns[which][k]))
				return (int)col;
	return -1;
}

/* The header: the first row (of the first few) that names the 金额 column. */
static bool
lines_header_row(const struct csv *csv, size_t *row)
{
	for (size_t r = 0; r < csv_nrows(csv) && r < LINES_TITLE_ROWS; r++) {
		if (lines_column(csv, r, 0) >= 0) {
			*row = r;
			return true;
		}
	}
	return false;
}

/* table_file_read's reader: a table with a header naming the 金额 column. */
static int
lines_header(const struct csv *csv, void *arg, char *why, size_t whylen)
{
	size_t row;

	if (lines_header_row(csv, &row))
		return JX_OK;
	snprintf(why, whylen, "找不到表头：需要名为「金额」的一列 / no header row: a column named "
	    "金额 (amount) is needed");
	return JX_EINVAL;
}

/* A 合计 or 小计 row of the table: its amount is the lines' sum, not a line. */
static bool
lines_total_row(const struct csv *csv, size_t row)
{
	for (size_t c = 0; c < csv_ncols(csv, row); c++)
		if (sheet_csv_total_label(csv_cell(csv, row, c)))
			return true;
	return false;
}

/* Reads the lines; on failure tells the user (row and column) and returns an exit code. */
static int
lines_read(const char *path, const struct csv *csv, Jixiao__ExpenseLine *lines,
    Jixiao__ExpenseLine **ptrs, size_t *n)
{
	size_t head = 0;
	int col[4];
	char why[512];

	if (!lines_header_row(csv, &head))
		return cli_error(EX_DATAERR, "%s: a row must name the columns, with 金额 "
		    "(amount) among them", path);
	for (size_t i = 0; i < 4; i++)
		col[i] = lines_column(csv, head, i);
	*n = 0;
	for (size_t r = head + 1; r < csv_nrows(csv); r++) {
		Jixiao__ExpenseLine *l = &lines[*n];
		const char *amount = csv_cell(csv, r, (size_t)col[0]), *start;
		size_t len = csv_trim(amount, &start);

		if (len == 0 || lines_total_row(csv, r))
			continue;
		jixiao__expense_line__init(l);
		if (dec_parse_written(start, len, &l->amount) != 0) {
			csv_why(why, sizeof(why), csv_line(csv, r), (size_t)col[0] + 1, "金额",
			    "不是以元为单位、最多两位小数的金额（可写 1,260,000.00）",
			    "not an amount in yuan with at most two decimals (1,260,000.00 is fine; "
			    "1,26 is not)");
			return cli_error(EX_DATAERR, "%s: %s", path, why);
		}
		if (col[1] >= 0 && !csv_blank(csv_cell(csv, r, (size_t)col[1])))
			l->date = (char *)csv_cell(csv, r, (size_t)col[1]);
		if (col[2] >= 0 && !csv_blank(csv_cell(csv, r, (size_t)col[2])))
			l->payee = (char *)csv_cell(csv, r, (size_t)col[2]);
		if (col[3] >= 0 && !csv_blank(csv_cell(csv, r, (size_t)col[3])))
			l->purpose = (char *)csv_cell(csv, r, (size_t)col[3]);
		ptrs[*n] = l;
		(*n)++;
	}
	return 0;
}

static int
budget_lines(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rev", required_argument, NULL, 'r' },
		{ "sheet", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__SetBudgetRequest in = JIXIAO__SET_BUDGET_REQUEST__INIT;
	const char *which = NULL;
	Jixiao__Budget b = JIXIAO__BUDGET__INIT, *cur;
	Jixiao__BudgetReply *got = NULL, *out = NULL;
	Jixiao__ExpenseLine *lines = NULL, **ptrs = NULL;
	struct csv *csv = NULL;
	uint64_t rev = 0;
	bool has_rev = false;
	size_t n = 0;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "r:s:h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&budget_commands[2], "  --rev N          the budget's revision the "
			    "lines replace\n  --sheet NAME|N   the workbook's sheet to read\n\n"
			    TABLE_FILE_HELP);
			return 0;
		}
		if (c == 's') {
			which = optarg;
			continue;
		}
		if (c != 'r' || cli_parse_id(optarg, "the revision", &rev) != 0)
			return EX_USAGE;
		has_rev = true;
	}
	if (argc - optind != 2)
		return cli_usage_error("usage: %s", budget_commands[2].usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0)
		return EX_USAGE;
	if ((rv = table_file_read(argv[optind + 1], which, lines_header, NULL, &csv)) != 0)
		return rv;
	if ((lines = calloc(csv_nrows(csv) + 1, sizeof(*lines))) == NULL ||
	    (ptrs = calloc(csv_nrows(csv) + 1, sizeof(*ptrs))) == NULL) {
		rv = cli_error(EX_OSERR, "out of memory");
		goto out;
	}
	if ((rv = lines_read(argv[optind + 1], csv, lines, ptrs, &n)) != 0 ||
	    (rv = budget_fetch(cli, in.workspace, &got)) != 0)
		goto out;
	/* The other facts stay as they are; only the lines are replaced. */
	cur = got->budget;
	b = *cur;
	b.has_final = b.has_rate = b.has_lines_total = 0;
	b.lines = ptrs;
	b.n_lines = n;
	in.base_revision = has_rev ? rev : cur->revision;
	in.budget = &b;
	if ((rv = cli_call(cli, &jixiao__budgets__descriptor, "Set", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		goto out;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		cli_json_budget(j, NULL, out->budget);
		out_json_free(j);
	} else {
		char total[DEC_BUFSZ], spent[DEC_BUFSZ];
		printf("Recorded %zu expenditure lines, total %s yuan (%s 万元).\n", n,
		    dec_format(out->budget->lines_total, total), wan(out->budget->lines_total,
		    spent));
		int64_t a = 0, b2 = 0;
		/* Reports round to 0.01 万元: compare at that precision. */
		if (out->budget->has_spent &&
		    (budget_fen_to_wan(out->budget->spent, &a) != 0 ||
		    budget_fen_to_wan(out->budget->lines_total, &b2) != 0 || a != b2))
			printf("Note: the recorded expenditure (支出) is %s 万元; the lines do not "
			       "add up to it.\n", wan(out->budget->spent, spent));
	}
out:
	if (out != NULL)
		jixiao__budget_reply__free_unpacked(out, NULL);
	if (got != NULL)
		jixiao__budget_reply__free_unpacked(got, NULL);
	free(lines);
	free(ptrs);
	csv_free(csv);
	return rv;
}
