/* jx target TEXT: what the target parser (common/target.c) reads in a text, offline. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "decimal.h"
#include "err.h"
#include "target.h"

static const struct cli_command target_command = { "target", cmd_target,
	"jx target [--actual] TEXT...",
	"Parses target values (指标值) as jixiao reads them and prints each clause: label,\n"
	"comparator, value, unit and the prose after it; qualitative targets say so, and a\n"
	"text that was not understood is flagged (未能识别), never guessed at. --actual\n"
	"reads the texts as actual values (完成值): finer values are rounded, not flagged.\n"
	"Works offline." };

const char *
cli_target_kind(const struct target *t)
{
	if (t->kind == TARGET_QUANTITATIVE && t->nclauses > 1)
		return t->join == TARGET_ANY ? "any" : "all";
	if (t->kind == TARGET_QUANTITATIVE)
		return "quantitative";
	return t->flagged ? "flagged" : "qualitative";
}

/* The value of a clause as its unit reads it: 95 for 9500 of "%". */
static const char *
cmd_target_value(const struct target_clause *c, char buf[DEC_BUFSZ])
{
	return dec_format_short(c->value, buf);
}

void
cli_json_target(struct out_json *j, const char *key, const struct target *t)
{
	char v[DEC_BUFSZ];

	out_json_object(j, key);
	out_json_string(j, "text", t->text);
	out_json_string(j, "kind", t->kind == TARGET_QUANTITATIVE ? "quantitative" :
	    "qualitative");
	out_json_bool(j, "flagged", t->flagged);
	out_json_string(j, "join", t->join == TARGET_ANY ? "any" : "all");
	out_json_array(j, "clauses");
	for (size_t i = 0; i < t->nclauses; i++) {
		const struct target_clause *c = &t->clauses[i];

		out_json_object(j, NULL);
		out_json_string(j, "label", c->label);
		out_json_string(j, "comparator", target_cmp_symbol(c->cmp));
		out_json_hundredths(j, "value", c->value);
		out_json_string(j, "value_text", cmd_target_value(c, v));
		out_json_string(j, "unit", c->unit);
		out_json_string(j, "tail", c->tail);
		out_json_end(j);
	}
	out_json_end(j);
	out_json_end(j);
}

void
cli_target_describe(const struct target *t, char *buf, size_t len)
{
	if (t->kind == TARGET_QUALITATIVE) {
		snprintf(buf, len, "%s", t->flagged ? "⚑ 未能识别 not understood" :
		    "定性 qualitative");
		return;
	}
	if (target_format(t, buf, len) != JX_OK && len > 0)
		buf[len - 1] = '\0';
}

int
cmd_target(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "actual", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct out_json *j = NULL;
	unsigned flags = 0;
	int c, flagged = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&target_command, "  --actual  read the texts as actual values (完成值)\n");
			return 0;
		}
		if (c != 'a')
			return EX_USAGE;
		flags |= TARGET_ACTUAL;
	}
	if (optind >= argc)
		return cli_usage_error("usage: %s", target_command.usage);
	if (cli->json) {
		j = out_json_new(stdout);
		out_json_array(j, NULL);
	}
	for (int i = optind; i < argc; i++) {
		struct target t;
		char v[DEC_BUFSZ];

		if (target_parse_len(argv[i], strlen(argv[i]), flags, &t) != JX_OK) {
			if (j != NULL)
				out_json_free(j);
			return cli_error(EX_DATAERR, "a target is at most %d bytes", TARGET_TEXT_MAX);
		}
		flagged |= t.flagged;
		if (j != NULL) {
			cli_json_target(j, NULL, &t);
			continue;
		}
		printf("%s\n  %s%s\n", t.text, cli_target_kind(&t),
		    t.kind == TARGET_QUANTITATIVE && t.nclauses > 1 ?
		    (t.join == TARGET_ANY ? " (或: one clause must hold)" :
		    " (every clause must hold)") : "");
		for (size_t k = 0; k < t.nclauses; k++) {
			const struct target_clause *cl = &t.clauses[k];

			printf("  %zu. %s%s%s %s%s%s%s\n", k + 1, cl->label,
			    cl->label[0] != '\0' ? " " : "", target_cmp_symbol(cl->cmp),
			    cmd_target_value(cl, v), cl->unit, cl->tail[0] != '\0' ? " · " : "",
			    cl->tail);
		}
		if (t.flagged)
			printf("  ⚑ not understood (未能识别): write it as a comparison, like ≥95%% "
			    "or 不超过5个工作日\n");
	}
	if (j != NULL)
		out_json_free(j);
	return flagged ? 1 : 0;
}
