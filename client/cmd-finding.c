/* jx finding add|ls|set|rm: problems, recommendations and experience (存在问题 / 建议 / 经验做法). */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

static int finding_add(struct cli *cli, int argc, char **argv);
static int finding_ls(struct cli *cli, int argc, char **argv);
static int finding_set(struct cli *cli, int argc, char **argv);
static int finding_rm(struct cli *cli, int argc, char **argv);

static const struct cli_command finding_commands[] = {
	{ "add", finding_add,
	    "jx finding add WS --kind problem|recommendation|experience TEXT [--indicator CODE]",
	    "Adds a finding to a workspace: a problem found (存在问题), a recommendation (建议)\n"
	    "or experience worth passing on (经验做法), optionally about one indicator." },
	{ "ls", finding_ls, "jx finding ls WS [--kind K] [--at REV]",
	    "Lists a workspace's findings grouped under 存在问题, 建议 and 经验做法, each with\n"
	    "its id and the revision an edit names; --at shows them as they were then." },
	{ "set", finding_set,
	    "jx finding set WS ID [TEXT] [--rev N] [--indicator CODE | --no-indicator]",
	    "Rewrites a finding, or links it to another indicator. The edit is based on\n"
	    "revision N (default: the current one) and refused, exit 75, when someone changed\n"
	    "the finding since: nothing is overwritten." },
	{ "rm", finding_rm, "jx finding rm WS ID [--rev N]",
	    "Removes a finding (kept in the history); with --rev, only if it is unchanged\n"
	    "since that revision." },
};

static const char *const finding_details =
    "  -k, --kind K          problem (存在问题), recommendation (建议) or experience (经验做法)\n"
    "  -i, --indicator CODE  the indicator the finding is about\n"
    "      --no-indicator    set: unlink it from its indicator\n"
    "  -r, --rev N           the finding's revision the edit is based on\n"
    "      --at REV          ls: as of a past workspace revision\n"
    "      --json            print JSON\n";

int
cmd_finding(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "finding", finding_commands,
	    sizeof(finding_commands) / sizeof(finding_commands[0]), argc, argv);
}

static const struct {
	Jixiao__FindingKind kind;
	const char *name, *zh, *alias;
} finding_kinds[] = {
	{ JIXIAO__FINDING_KIND__PROBLEM, "problem", "存在问题", "问题" },
	{ JIXIAO__FINDING_KIND__RECOMMENDATION, "recommendation", "建议", "改进措施" },
	{ JIXIAO__FINDING_KIND__EXPERIENCE, "experience", "经验做法", "经验" },
};
#define FINDING_NKINDS (sizeof(finding_kinds) / sizeof(finding_kinds[0]))

static int
finding_parse_kind(const char *s, Jixiao__FindingKind *kind)
{
	for (size_t i = 0; i < FINDING_NKINDS; i++) {
		if (strcmp(s, finding_kinds[i].name) == 0 || strcmp(s, finding_kinds[i].zh) == 0 ||
		    strcmp(s, finding_kinds[i].alias) == 0) {
			*kind = finding_kinds[i].kind;
			return 0;
		}
	}
	cli_error(0, "the kind must be problem, recommendation or experience, not '%s'", s);
	return -1;
}

const char *
cli_finding_kind_name(Jixiao__FindingKind kind)
{
	for (size_t i = 0; i < FINDING_NKINDS; i++)
		if (finding_kinds[i].kind == kind)
			return finding_kinds[i].name;
	return "unknown";
}

const char *
cli_finding_kind_zh(Jixiao__FindingKind kind)
{
	for (size_t i = 0; i < FINDING_NKINDS; i++)
		if (finding_kinds[i].kind == kind)
			return finding_kinds[i].zh;
	return "其他";
}

void
cli_json_finding(struct out_json *j, const char *key, const Jixiao__Finding *f)
{
	out_json_object(j, key);
	out_json_uint(j, "id", f->id);
	out_json_string(j, "kind", cli_finding_kind_name(f->kind));
	out_json_string(j, "kind_zh", cli_finding_kind_zh(f->kind));
	out_json_string(j, "text", f->text);
	out_json_string(j, "indicator", f->indicator);
	out_json_uint(j, "revision", f->revision);
	out_json_string(j, "author", f->author);
	out_json_int(j, "created_at", f->created_at);
	out_json_string(j, "updated_by", f->updated_by);
	out_json_int(j, "updated_at", f->updated_at);
	out_json_uint(j, "order", f->order);
	out_json_end(j);
}

/*
 * Prints a finding's text for a terminal: line breaks continue indented, other control
 * characters (the server refuses them, but this is the server's word) become spaces.
 */
static void
finding_print_text(FILE *f, const char *s, const char *indent)
{
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fprintf(f, "\n%s", indent);
		else if (c < 0x20 || c == 0x7f)
			fputc(' ', f);
		else
			fputc(c, f);
	}
	fputc('\n', f);
}

/* Prints the outcome of an edit; on a conflict, what the finding says now. */
static int
finding_report(struct cli *cli, int rv, Jixiao__FindingReply *out, const char *done)
{
	const Jixiao__Finding *f = out != NULL ? out->finding : NULL;

	if (rv != 0) {
		if (f != NULL && !cli->json) {
			fprintf(stderr, "    now (revision %" PRIu64 ", by %s): ", f->revision,
			    f->updated_by != NULL ? f->updated_by : "-");
			finding_print_text(stderr, f->text, "    ");
		}
	} else if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		cli_json_finding(j, "finding", f);
		out_json_uint(j, "workspace_revision", out->workspace_revision);
		out_json_free(j);
	} else {
		printf("%s finding %" PRIu64 " (%s, revision %" PRIu64 ").\n", done, f->id,
		    cli_finding_kind_zh(f->kind), out->workspace_revision);
	}
	if (out != NULL)
		jixiao__finding_reply__free_unpacked(out, NULL);
	return rv;
}

enum { OPT_NO_INDICATOR = 256, OPT_AT };

struct finding_args {
	const char *indicator;
	Jixiao__FindingKind kind;
	uint64_t rev, at;
	bool has_kind, has_rev, has_at, no_indicator;
};

/*
 * Parses the options cmd allows ("kirnat": kind, indicator, rev, no-indicator, at),
 * leaving the positionals at argv[optind]. Returns -1 to go on, else an exit code.
 */
static int
finding_options(const struct cli_command *cmd, const char *allowed, int argc, char **argv,
    struct finding_args *a)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "indicator", required_argument, NULL, 'i' },
		{ "rev", required_argument, NULL, 'r' },
		{ "no-indicator", no_argument, NULL, OPT_NO_INDICATOR },
		{ "at", required_argument, NULL, OPT_AT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 0;
	while ((c = getopt_long(argc, argv, "k:i:r:h", opts, NULL)) != -1) {
		int letter = c == OPT_NO_INDICATOR ? 'n' : c == OPT_AT ? 'a' : c;

		if (c == 'h') {
			cli_help(cmd, finding_details);
			return 0;
		}
		if (c == '?' || strchr(allowed, letter) == NULL)
			return c == '?' ? EX_USAGE :
					  cli_usage_error("that option does not apply: %s", cmd->usage);
		switch (c) {
		case 'k':
			if (finding_parse_kind(optarg, &a->kind) != 0)
				return EX_USAGE;
			a->has_kind = true;
			break;
		case 'i':
			a->indicator = optarg;
			break;
		case 'r':
			if (cli_parse_id(optarg, "the revision", &a->rev) != 0)
				return EX_USAGE;
			a->has_rev = true;
			break;
		case OPT_NO_INDICATOR:
			a->no_indicator = true;
			break;
		case OPT_AT:
			if (cli_parse_id(optarg, "the revision", &a->at) != 0)
				return EX_USAGE;
			a->has_at = true;
			break;
		}
	}
	return -1;
}

static int
finding_list(struct cli *cli, uint64_t ws, uint64_t at, Jixiao__ListFindingsReply **out)
{
	Jixiao__ListFindingsRequest in = JIXIAO__LIST_FINDINGS_REQUEST__INIT;

	in.workspace = ws;
	in.has_at = at != 0;
	in.at = at;
	return cli_call(cli, &jixiao__findings__descriptor, "List", &in.base,
	    (ProtobufCMessage **)out);
}

static int
finding_add(struct cli *cli, int argc, char **argv)
{
	Jixiao__AddFindingRequest in = JIXIAO__ADD_FINDING_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__FindingReply *out = NULL;
	struct finding_args a;
	int rv;

	if ((rv = finding_options(&finding_commands[0], "ki", argc, argv, &a)) >= 0)
		return rv;
	if (argc - optind != 2)
		return cli_usage_error("usage: %s", finding_commands[0].usage);
	if (!a.has_kind)
		return cli_usage_error("say which kind of finding with --kind problem, "
				       "recommendation or experience");
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0)
		return EX_USAGE;
	in.kind = a.kind;
	in.text = argv[optind + 1];
	if (a.indicator != NULL) {
		ref.code = (char *)a.indicator;
		in.indicator = &ref;
	}
	rv = cli_call(cli, &jixiao__findings__descriptor, "Add", &in.base,
	    (ProtobufCMessage **)&out);
	return finding_report(cli, rv, out, "Added");
}

static int
finding_ls(struct cli *cli, int argc, char **argv)
{
	Jixiao__ListFindingsReply *out;
	struct out_json *j;
	struct finding_args a;
	uint64_t ws;
	size_t shown = 0;
	int rv;

	if ((rv = finding_options(&finding_commands[1], "ka", argc, argv, &a)) >= 0)
		return rv;
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", finding_commands[1].usage);
	if (cli_parse_id(argv[optind], "the workspace", &ws) != 0)
		return EX_USAGE;
	if ((rv = finding_list(cli, ws, a.has_at ? a.at : 0, &out)) != 0)
		return rv;
	if (cli->json) {
		j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", ws);
		out_json_uint(j, "revision", out->workspace_revision);
		out_json_array(j, "findings");
		for (size_t i = 0; i < out->n_findings; i++)
			if (!a.has_kind || out->findings[i]->kind == a.kind)
				cli_json_finding(j, NULL, out->findings[i]);
		out_json_free(j);
		jixiao__list_findings_reply__free_unpacked(out, NULL);
		return 0;
	}
	for (size_t k = 0; k < FINDING_NKINDS; k++) {
		size_t n = 0;

		if (a.has_kind && finding_kinds[k].kind != a.kind)
			continue;
		for (size_t i = 0; i < out->n_findings; i++) {
			const Jixiao__Finding *f = out->findings[i];

			if (f->kind != finding_kinds[k].kind)
				continue;
			if (n++ == 0)
				printf("%s%s (%s)\n", shown > 0 ? "\n" : "", finding_kinds[k].zh,
				    finding_kinds[k].name);
			printf("  %zu. [#%" PRIu64 " rev %" PRIu64 "%s%s] ", n, f->id, f->revision,
			    f->indicator != NULL ? ", " : "",
			    f->indicator != NULL ? f->indicator : "");
			finding_print_text(stdout, f->text, "     ");
			shown++;
		}
	}
	if (shown == 0)
		printf("No findings yet: add one with 'jx finding add %" PRIu64
		       " --kind problem TEXT'.\n", ws);
	jixiao__list_findings_reply__free_unpacked(out, NULL);
	return 0;
}

/* The current revision of finding id, for an edit that names none. */
static int
finding_current_rev(struct cli *cli, uint64_t ws, uint64_t id, uint64_t *rev)
{
	Jixiao__ListFindingsReply *out;
	int rv;

	if ((rv = finding_list(cli, ws, 0, &out)) != 0)
		return rv;
	rv = EX_NOINPUT;
	for (size_t i = 0; i < out->n_findings; i++) {
		if (out->findings[i]->id == id) {
			*rev = out->findings[i]->revision;
			rv = 0;
			break;
		}
	}
	jixiao__list_findings_reply__free_unpacked(out, NULL);
	if (rv != 0)
		cli_error(0, "finding %" PRIu64 " does not exist in workspace %" PRIu64, id, ws);
	return rv;
}

static int
finding_set(struct cli *cli, int argc, char **argv)
{
	Jixiao__SetFindingRequest in = JIXIAO__SET_FINDING_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__FindingReply *out = NULL;
	struct finding_args a;
	int rv;

	if ((rv = finding_options(&finding_commands[2], "irn", argc, argv, &a)) >= 0)
		return rv;
	if (argc - optind != 2 && argc - optind != 3)
		return cli_usage_error("usage: %s", finding_commands[2].usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0 ||
	    cli_parse_id(argv[optind + 1], "the finding", &in.id) != 0)
		return EX_USAGE;
	if (a.indicator != NULL && a.no_indicator)
		return cli_usage_error("give --indicator CODE or --no-indicator, not both");
	if (argc - optind == 2 && a.indicator == NULL && !a.no_indicator)
		return cli_usage_error("nothing to change: give the new TEXT, --indicator CODE "
				       "or --no-indicator");
	if (argc - optind == 3)
		in.text = argv[optind + 2];
	if (a.indicator != NULL) {
		ref.code = (char *)a.indicator;
		in.indicator = &ref;
	}
	in.has_clear_indicator = a.no_indicator;
	in.clear_indicator = a.no_indicator;
	if (!a.has_rev && (rv = finding_current_rev(cli, in.workspace, in.id, &a.rev)) != 0)
		return rv;
	in.base_revision = a.rev;
	rv = cli_call(cli, &jixiao__findings__descriptor, "Set", &in.base,
	    (ProtobufCMessage **)&out);
	return finding_report(cli, rv, out, "Updated");
}

static int
finding_rm(struct cli *cli, int argc, char **argv)
{
	Jixiao__RemoveFindingRequest in = JIXIAO__REMOVE_FINDING_REQUEST__INIT;
	Jixiao__FindingReply *out = NULL;
	struct finding_args a;
	int rv;

	if ((rv = finding_options(&finding_commands[3], "r", argc, argv, &a)) >= 0)
		return rv;
	if (argc - optind != 2)
		return cli_usage_error("usage: %s", finding_commands[3].usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0 ||
	    cli_parse_id(argv[optind + 1], "the finding", &in.id) != 0)
		return EX_USAGE;
	in.has_base_revision = a.has_rev;
	in.base_revision = a.rev;
	rv = cli_call(cli, &jixiao__findings__descriptor, "Remove", &in.base,
	    (ProtobufCMessage **)&out);
	return finding_report(cli, rv, out, "Removed");
}
