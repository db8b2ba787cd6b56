/* jx ws create|list|show|archive */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "table-file.h"

static int ws_create(struct cli *cli, int argc, char **argv);
static int ws_list(struct cli *cli, int argc, char **argv);
static int ws_show(struct cli *cli, int argc, char **argv);
static int ws_archive(struct cli *cli, int argc, char **argv);
static int ws_carry(struct cli *cli, int argc, char **argv);
static int ws_report(struct cli *cli, int argc, char **argv);

static const struct cli_command ws_commands[] = {
	{ "create", ws_create,
	    "jx ws create --subject NAME --year YYYY --kind KIND [--title TEXT] [--template ID]",
	    "Creates a workspace: one evaluation of one subject for one fiscal year." },
	{ "list", ws_list, "jx ws list [--year YYYY] [--subject TEXT] [--all]",
	    "Lists workspaces (newest first), each in its phase (draft, submitted, comment\n"
	    "round, final) or archived; --all includes archived ones." },
	{ "show", ws_show, "jx ws show WS", "Shows one workspace." },
	{ "archive", ws_archive, "jx ws archive WS",
	    "Archives a workspace: it stays readable but can no longer change." },
	{ "carry", ws_carry, "jx ws carry WS --to YEAR",
	    "Creates the next year's workspace of the same subject: indicators, weights,\n"
	    "targets, criteria and methods carried (each keeps its lineage); actual values,\n"
	    "scores, comments and budget facts start empty." },
	{ "report", ws_report,
	    "jx ws report WS [--overview TEXT|--overview-file FILE] [--process TEXT|--process-file "
	    "FILE] [--evaluator ORG] [--date TEXT] [--rev N]",
	    "Writes the report's own sections: 项目概况, 评价工作开展情况 and the 落款\n"
	    "(evaluating organisation and date), shown in the md, html and pdf reports." },
};

int
cmd_ws(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "ws", ws_commands, sizeof(ws_commands) / sizeof(ws_commands[0]),
	    argc, argv);
}

static int
ws_print(struct cli *cli, const Jixiao__Workspace *ws, const char *done)
{
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		cli_json_workspace(j, NULL, ws);
		out_json_free(j);
	} else {
		if (done != NULL)
			printf("%s workspace %" PRIu64 ".\n", done, ws->id);
		cli_print_workspace(ws);
	}
	return 0;
}

static int
ws_create(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "subject", required_argument, NULL, 's' },
		{ "year", required_argument, NULL, 'y' },
		{ "kind", required_argument, NULL, 'k' },
		{ "title", required_argument, NULL, 't' },
		{ "template", required_argument, NULL, 'T' },
		{ "project", required_argument, NULL, 'P' },
		{ "lead", required_argument, NULL, 'L' },
		{ "unit", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__CreateWorkspaceRequest in = JIXIAO__CREATE_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *out;
	const char *registered = NULL;
	int c, rv;

	in.subject = NULL;
	in.kind = JIXIAO__KIND__KIND_UNSPECIFIED;
	optind = 0;
	while ((c = getopt_long(argc, argv, "s:y:k:t:T:h", opts, NULL)) != -1) {
		if (c == 'L') {
			in.lead = optarg;
			continue;
		}
		if ((c == 'P' || c == 'U') && cli_find_subject(cli, optarg, &in.subject_id) != 0)
			return EX_NOINPUT;
		if (c == 'P' || c == 'U') {
			in.has_subject_id = 1;
			registered = optarg;
			continue;
		}
		switch (c) {
		case 's':
			in.subject = optarg;
			break;
		case 'y':
			if (cli_parse_year(optarg, &in.fiscal_year) != 0)
				return EX_USAGE;
			break;
		case 'k':
			if (cli_parse_kind(optarg, &in.kind) != 0)
				return EX_USAGE;
			break;
		case 't':
			in.title = optarg;
			break;
		case 'T': {
			/* ID or ID@VERSION */
			char *at = strchr(optarg, '@');
			uint64_t v;
			if (at != NULL) {
				*at = '\0';
				if (cli_parse_id(at + 1, "the template version", &v) != 0 ||
				    v > UINT32_MAX)
					return EX_USAGE;
				in.has_template_version = 1;
				in.template_version = (uint32_t)v;
			}
			in.template_id = optarg;
			break;
		}
		case 'h':
			cli_help(&ws_commands[0],
			    "  --subject NAME  what is evaluated: a project or a department\n"
			    "  --year YYYY     the fiscal year evaluated\n"
			    "  --kind KIND     target-declaration (绩效目标申报),\n"
			    "                  self-evaluation (绩效自评) or key-evaluation (重点绩效评价)\n"
			    "  --title TEXT    an optional title\n"
			    "  --lead USER     the lead evaluator (组长): an indicator's score is the\n"
			    "                  lead's mark once given, else the evaluators' mean\n"
			    "  --project NAME  a registered project (jx project list): the subject\n"
			    "  --unit NAME     a registered unit, for a department-overall evaluation\n"
			    "  --template ID   start from a template's indicators and grade bands\n"
			    "                  (A: project key evaluation, B: department self-\n"
			    "                  evaluation; ID@N for version N; see jx template list)\n");
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("unexpected argument '%s'", argv[optind]);
	/* The registered project or unit names the subject: a different --subject is a mistake. */
	if (in.subject != NULL && registered != NULL && strcmp(in.subject, registered) != 0)
		return cli_usage_error("--subject %s and --project/--unit %s name the subject twice: "
		    "the registered %s is the subject, so leave --subject out (or give it the same "
		    "name)", in.subject, registered, registered);
	if (in.subject == NULL && in.has_subject_id)
		in.subject = "";
	if (in.subject == NULL || in.fiscal_year == 0 || in.kind == 0)
		return cli_usage_error("--subject (or --project/--unit), --year and --kind are "
				       "required (see jx ws create --help)");
	if ((rv = cli_call(cli, &jixiao__workspaces__descriptor, "Create", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	ws_print(cli, out->workspace, "Created");
	jixiao__workspace_reply__free_unpacked(out, NULL);
	return 0;
}

static int
ws_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "subject", required_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__ListWorkspacesRequest in = JIXIAO__LIST_WORKSPACES_REQUEST__INIT;
	Jixiao__ListWorkspacesReply *out;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "y:s:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'y':
			if (cli_parse_year(optarg, &in.fiscal_year) != 0)
				return EX_USAGE;
			in.has_fiscal_year = 1;
			break;
		case 's':
			in.subject = optarg;
			break;
		case 'a':
			in.has_include_archived = 1;
			in.include_archived = 1;
			break;
		case 'h':
			cli_help(&ws_commands[1],
			    "  --year YYYY     only this fiscal year\n"
			    "  --subject TEXT  only subjects containing TEXT\n"
			    "  --all           include archived workspaces\n");
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("unexpected argument '%s'", argv[optind]);
	if ((rv = cli_call(cli, &jixiao__workspaces__descriptor, "List", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_array(j, "workspaces");
		for (size_t i = 0; i < out->n_workspaces; i++)
			cli_json_workspace(j, NULL, out->workspaces[i]);
		out_json_free(j);
	} else if (out->n_workspaces == 0) {
		printf("No workspaces%s.\n", in.has_fiscal_year || in.subject ? " match" : " yet");
	} else {
		static const char *const head[] = { "id", "year", "kind", "subject", "state",
			"rev" };
		struct out_table *t = out_table_new(6, head);
		char id[24], year[12], rev[24];
		out_table_align(t, 0, OUT_RIGHT);
		out_table_align(t, 5, OUT_RIGHT);
		out_table_max_width(t, 3, 48);
		for (size_t i = out->n_workspaces; i-- > 0;) {
			const Jixiao__Workspace *ws = out->workspaces[i];
			/* An active workspace shows where it is in the workflow: draft … final. */
			const char *row[6] = { id, year, cli_kind_zh(ws->kind), ws->subject,
				ws->state == JIXIAO__WORKSPACE_STATE__ACTIVE ? cli_phase_name(ws->phase)
				: cli_state_name(ws->state), rev };
			snprintf(id, sizeof(id), "%" PRIu64, ws->id);
			snprintf(year, sizeof(year), "%u", ws->fiscal_year);
			snprintf(rev, sizeof(rev), "%" PRIu64, ws->revision);
			out_table_row(t, row);
		}
		out_table_print(t, stdout);
		out_table_free(t);
	}
	jixiao__list_workspaces_reply__free_unpacked(out, NULL);
	return 0;
}

static int
ws_show(struct cli *cli, int argc, char **argv)
{
	Jixiao__GetWorkspaceRequest in = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *out;
	int rv;

	if ((rv = cli_ws_arg(&ws_commands[2], argc, argv, &in.workspace)) >= 0)
		return rv;
	if ((rv = cli_call(cli, &jixiao__workspaces__descriptor, "Get", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	ws_print(cli, out->workspace, NULL);
	jixiao__workspace_reply__free_unpacked(out, NULL);
	return 0;
}

static int
ws_archive(struct cli *cli, int argc, char **argv)
{
	Jixiao__ArchiveWorkspaceRequest in = JIXIAO__ARCHIVE_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *out;
	int rv;

	if ((rv = cli_ws_arg(&ws_commands[3], argc, argv, &in.workspace)) >= 0)
		return rv;
	if ((rv = cli_call(cli, &jixiao__workspaces__descriptor, "Archive", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	ws_print(cli, out->workspace, "Archived");
	jixiao__workspace_reply__free_unpacked(out, NULL);
	return 0;
}

static int
ws_carry(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__CarryRequest in = JIXIAO__CARRY_REQUEST__INIT;
	Jixiao__WorkspaceReply *out;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&ws_commands[4], "  --to YEAR  the fiscal year of the new workspace\n");
			return 0;
		}
		if (c != 't' || cli_parse_year(optarg, &in.to_year) != 0)
			return EX_USAGE;
	}
	if (argc - optind != 1 || in.to_year == 0)
		return cli_usage_error("usage: %s", ws_commands[4].usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0)
		return EX_USAGE;
	if ((rv = cli_call(cli, &jixiao__history__descriptor, "Carry", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	ws_print(cli, out->workspace, "Carried forward into");
	jixiao__workspace_reply__free_unpacked(out, NULL);
	return 0;
}

/* The text of --NAME-file FILE ("-": standard input), at most 64 KiB, into *out. */
static int
ws_report_file(const char *path, char **out)
{
	size_t len;

	if (strcmp(path, "-") == 0)
		path = "/dev/stdin";
	int rv;

	/* The buffer is larger than the cap: there is room for the terminator. */
	if ((rv = table_file_load(path, (size_t)64 << 10, out, &len)) != 0)
		return rv;
	(*out)[len] = '\0';
	return 0;
}

static int
ws_report(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "overview", required_argument, NULL, 'o' },
		{ "overview-file", required_argument, NULL, 'O' },
		{ "process", required_argument, NULL, 'p' },
		{ "process-file", required_argument, NULL, 'P' },
		{ "evaluator", required_argument, NULL, 'e' },
		{ "date", required_argument, NULL, 'd' },
		{ "rev", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__SetReportRequest in = JIXIAO__SET_REPORT_REQUEST__INIT;
	Jixiao__WorkspaceReply *out = NULL;
	char *files[2] = { NULL, NULL };
	int c, rv = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			in.overview = optarg;
			break;
		case 'p':
			in.process = optarg;
			break;
		case 'O':
		case 'P':
			if ((rv = ws_report_file(optarg, &files[c == 'P'])) != 0)
				goto out;
			if (c == 'O')
				in.overview = files[0];
			else
				in.process = files[1];
			break;
		case 'e':
			in.evaluator = optarg;
			break;
		case 'd':
			in.report_date = optarg;
			break;
		case 'r':
			if (cli_parse_id(optarg, "the revision", &in.base_revision) != 0) {
				rv = EX_USAGE;
				goto out;
			}
			in.has_base_revision = 1;
			break;
		case 'h':
			cli_help(&ws_commands[5],
			    "  --overview TEXT | --overview-file FILE   项目概况: background, funds, "
			    "what the\n                                           project did\n"
			    "  --process TEXT | --process-file FILE     评价工作开展情况: who evaluated, "
			    "when, how\n"
			    "  --evaluator ORG   落款: the evaluating organisation\n"
			    "  --date TEXT       落款: the date as the report writes it (2024年5月20日)\n"
			    "  --rev N           the report revision this edit is based on (exit 75 "
			    "if changed since)\n\nAn empty text clears a section. The sections are "
			    "part of what submit and sign-off sign.\n");
			goto out;
		default:
			rv = EX_USAGE;
			goto out;
		}
	}
	if (argc - optind != 1) {
		rv = cli_usage_error("usage: %s", ws_commands[5].usage);
		goto out;
	}
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0) {
		rv = EX_USAGE;
		goto out;
	}
	if ((rv = cli_call(cli, &jixiao__workspaces__descriptor, "SetReport", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		goto out;
	if (cli->json)
		ws_print(cli, out->workspace, NULL);
	else
		printf("Wrote the report's sections of workspace %" PRIu64 " (report revision %"
		    PRIu64 ").\n", in.workspace, out->workspace->report_revision);
out:
	jixiao__workspace_reply__free_unpacked(out, NULL);
	free(files[0]);
	free(files[1]);
	return rv;
}
