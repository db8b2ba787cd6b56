/* jx node add|set|mv|rm: edit the indicators (指标) of a workspace. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "decimal.h"

static int node_add(struct cli *cli, int argc, char **argv);
static int node_set(struct cli *cli, int argc, char **argv);
static int node_mv(struct cli *cli, int argc, char **argv);
static int node_rm(struct cli *cli, int argc, char **argv);
static int node_claim(struct cli *cli, int argc, char **argv);
static int node_mark(struct cli *cli, int argc, char **argv);

static const struct cli_command node_commands[] = {
	{ "add", node_add, "jx node add WS NAME [--parent CODE] [--code CODE] [FIELDS...]",
	    "Adds an indicator, at the top level or under --parent." },
	{ "set", node_set, "jx node set WS CODE [--rev N] FIELDS...",
	    "Changes fields of an indicator. Refused if someone changed it since revision N." },
	{ "mv", node_mv, "jx node mv WS CODE (--parent CODE | --top) [--rev N]",
	    "Moves an indicator (and what is under it) under another, or to the top level." },
	{ "rm", node_rm, "jx node rm WS CODE [--recursive] [--rev N]",
	    "Removes an indicator; --recursive also removes what is under it." },
	{ "claim", node_claim, "jx node claim WS CODE [--minutes N | --release]",
	    "Tells the team you are working on an indicator (default 30 minutes). Others see\n"
	    "it in jx tree and are warned when they edit it; nobody is locked out." },
	{ "mark", node_mark, "jx node mark WS CODE SCORE [--comment TEXT] | --clear",
	    "Independent scoring (独立打分): records your own score for an indicator beside the\n"
	    "other evaluators'; its score is their mean. jx score shows the spread and flags\n"
	    "disagreement. Marks never conflict with each other." },
};

static const char node_fields_help[] =
    "fields:\n"
    "  --name TEXT       指标名称, the indicator's name\n"
    "  --weight POINTS   分值, e.g. 8 or 4.5\n"
    "  --score POINTS    得分, 0 to the weight, on indicators without sub-indicators\n"
    "  --clear-score     remove the score\n"
    "  --comment TEXT    评价情况 / 扣分原因, the evaluator's reasons\n"
    "  --category TEXT   类别, e.g. 产出/数量\n"
    "  --criteria TEXT   评分标准, the scoring criteria\n"
    "  --target TEXT     指标值, the target as written\n"
    "  --actual TEXT     完成值, the actual value as written\n"
    "  --code CODE       the indicator's code (set: renames it)\n"
    "  --method NAME     评分方法: manual, completion, linear, tiers, qualitative, deduction\n"
    "  --params TEXT     the method's parameters, e.g. source=execution;lo=60%;hi=100%;veto=60%\n"
    "  --stated POINTS   a subtotal a report states for this indicator (checked by jx check)\n"
    "  --clear-stated    remove the stated subtotal\n"
    "  --rev N           the revision your edit is based on (default: the current one)\n"
    "  --force           set: apply even if someone changed the indicator since --rev;\n"
    "                    the override is recorded in the history\n";

enum {
	OPT_NAME = 256, OPT_WEIGHT, OPT_SCORE, OPT_CLEAR_SCORE, OPT_COMMENT, OPT_CATEGORY,
	OPT_CRITERIA, OPT_TARGET, OPT_ACTUAL, OPT_METHOD, OPT_PARAMS, OPT_STATED,
	OPT_CLEAR_STATED, OPT_CODE, OPT_REV, OPT_PARENT, OPT_TOP, OPT_RECURSIVE, OPT_FORCE,
	OPT_HELP
};

static const struct option node_opts[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "weight", required_argument, NULL, OPT_WEIGHT },
	{ "score", required_argument, NULL, OPT_SCORE },
	{ "clear-score", no_argument, NULL, OPT_CLEAR_SCORE },
	{ "comment", required_argument, NULL, OPT_COMMENT },
	{ "category", required_argument, NULL, OPT_CATEGORY },
	{ "criteria", required_argument, NULL, OPT_CRITERIA },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "actual", required_argument, NULL, OPT_ACTUAL },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "params", required_argument, NULL, OPT_PARAMS },
	{ "stated", required_argument, NULL, OPT_STATED },
	{ "clear-stated", no_argument, NULL, OPT_CLEAR_STATED },
	{ "code", required_argument, NULL, OPT_CODE },
	{ "rev", required_argument, NULL, OPT_REV },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "top", no_argument, NULL, OPT_TOP },
	{ "recursive", no_argument, NULL, OPT_RECURSIVE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Everything a node command line can say; each command takes the part it allows. */
struct node_args {
	const char *name, *comment, *category, *criteria, *target, *actual, *code, *parent;
	const char *method, *params;
	int64_t weight, score, stated;
	uint64_t rev;
	bool has_weight, has_score, clear_score, has_rev, top, recursive, has_stated, force;
	bool clear_stated;
	int nfields;
};

/* Parses options; returns -1 to go on, else an exit code. */
static int
node_parse(const struct cli_command *cmd, const char *allowed, int argc, char **argv,
    struct node_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", node_opts, NULL)) != -1) {
		if (c == 'h' || c == OPT_HELP) {
			cli_help(cmd, strchr(allowed, 'F') != NULL ? node_fields_help : NULL);
			return 0;
		}
		if (c == '?')
			return EX_USAGE;
		/* allowed: F = fields, r = --rev, p = --parent, t = --top, R = --recursive */
		if ((c >= OPT_NAME && c <= OPT_CODE && strchr(allowed, 'F') == NULL) ||
		    (c == OPT_REV && strchr(allowed, 'r') == NULL) ||
		    (c == OPT_PARENT && strchr(allowed, 'p') == NULL) ||
		    (c == OPT_TOP && strchr(allowed, 't') == NULL) ||
		    (c == OPT_RECURSIVE && strchr(allowed, 'R') == NULL) ||
		    (c == OPT_FORCE && strchr(allowed, 'f') == NULL))
			return cli_usage_error("%s does not take --%s (see --help)", cmd->usage,
			    node_opts[c - OPT_NAME].name);
		if (c >= OPT_NAME && c <= OPT_CODE)
			a->nfields++;
		switch (c) {
		case OPT_NAME: a->name = optarg; break;
		case OPT_COMMENT: a->comment = optarg; break;
		case OPT_CATEGORY: a->category = optarg; break;
		case OPT_CRITERIA: a->criteria = optarg; break;
		case OPT_TARGET: a->target = optarg; break;
		case OPT_ACTUAL: a->actual = optarg; break;
		case OPT_CODE: a->code = optarg; break;
		case OPT_METHOD: a->method = optarg; break;
		case OPT_PARAMS: a->params = optarg; break;
		case OPT_CLEAR_STATED: a->clear_stated = true; break;
		case OPT_STATED:
			if (cli_parse_points(optarg, "the stated score", &a->stated) != 0)
				return EX_USAGE;
			a->has_stated = true;
			break;
		case OPT_PARENT: a->parent = optarg; break;
		case OPT_TOP: a->top = true; break;
		case OPT_RECURSIVE: a->recursive = true; break;
		case OPT_FORCE: a->force = true; break;
		case OPT_CLEAR_SCORE: a->clear_score = true; break;
		case OPT_WEIGHT:
			if (cli_parse_points(optarg, "the weight", &a->weight) != 0)
				return EX_USAGE;
			a->has_weight = true;
			break;
		case OPT_SCORE:
			if (cli_parse_points(optarg, "the score", &a->score) != 0)
				return EX_USAGE;
			a->has_score = true;
			break;
		case OPT_REV:
			if (cli_parse_id(optarg, "the revision", &a->rev) != 0)
				return EX_USAGE;
			a->has_rev = true;
			break;
		}
	}
	if (a->has_score && a->clear_score)
		return cli_usage_error("give --score or --clear-score, not both");
	return -1;
}

/* The node's current revision, for an edit that did not name one. */
static int
node_current_rev(struct cli *cli, uint64_t ws, const char *code, uint64_t *rev)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out;
	int rv;

	in.workspace = ws;
	if ((rv = cli_call(cli, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	rv = EX_NOINPUT;
	for (size_t i = 0; i < out->n_nodes; i++) {
		if (strcmp(out->nodes[i]->code, code) == 0) {
			*rev = out->nodes[i]->revision;
			rv = 0;
		}
	}
	jixiao__tree_reply__free_unpacked(out, NULL);
	if (rv != 0)
		cli_error(0, "workspace %" PRIu64 " has no indicator %s", ws, code);
	return rv;
}

/* Prints the outcome of an edit; on a conflict, what the indicator holds now. */
static int
node_report(struct cli *cli, int rv, Jixiao__NodeReply *out, const char *done)
{
	char w[DEC_BUFSZ], s[DEC_BUFSZ];
	const Jixiao__Node *n = out != NULL ? out->node : NULL;

	if (rv != 0) {
		if (n != NULL && !cli->json)
			fprintf(stderr, "    now: %s %s, weight %s, score %s%s%s (revision %" PRIu64
			    ")\n", n->code, n->name != NULL ? n->name : "",
			    n->has_weight ? dec_format_short(n->weight, w) : "-",
			    n->has_score ? dec_format_short(n->score, s) : "-",
			    n->comment != NULL ? ", comment: " : "",
			    n->comment != NULL ? n->comment : "", n->revision);
	} else if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		cli_json_node(j, "node", n);
		out_json_uint(j, "workspace_revision", out->workspace_revision);
		out_json_free(j);
	} else {
		printf("%s %s %s (revision %" PRIu64 ").\n", done, n->code,
		    n->name != NULL ? n->name : "", out->workspace_revision);
	}
	if (out != NULL)
		jixiao__node_reply__free_unpacked(out, NULL);
	return rv;
}

/* Parses "WS CODE" (or "WS NAME") positionals. */
static int
node_positionals(const struct cli_command *cmd, int argc, char **argv, uint64_t *ws,
    const char **second)
{
	*second = NULL;
	if (argc - optind != 2)
		return cli_usage_error("usage: %s", cmd->usage);
	if (cli_parse_id(argv[optind], "the workspace", ws) != 0)
		return EX_USAGE;
	*second = argv[optind + 1];
	return -1;
}

static int
node_add(struct cli *cli, int argc, char **argv)
{
	Jixiao__AddNodeRequest in = JIXIAO__ADD_NODE_REQUEST__INIT;
	Jixiao__NodeRef parent = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out;
	struct node_args a;
	const char *name = NULL;
	int rv;

	if ((rv = node_parse(&node_commands[0], "Fp", argc, argv, &a)) >= 0)
		return rv;
	if ((rv = node_positionals(&node_commands[0], argc, argv, &in.workspace, &name)) >= 0)
		return rv;
	if (a.name != NULL)
		return cli_usage_error("the name is the second argument; --name is for jx node set");
	if (a.clear_score || a.clear_stated)
		return cli_usage_error("a new indicator has nothing to clear");
	in.name = (char *)name;
	if (a.parent != NULL) {
		parent.code = (char *)a.parent;
		in.parent = &parent;
	}
	in.code = (char *)a.code;
	in.has_weight = a.has_weight;
	in.weight = a.weight;
	in.has_score = a.has_score;
	in.score = a.score;
	in.comment = (char *)a.comment;
	in.category = (char *)a.category;
	in.criteria = (char *)a.criteria;
	in.target = (char *)a.target;
	in.actual = (char *)a.actual;
	in.method = (char *)a.method;
	in.params = (char *)a.params;
	in.has_stated = a.has_stated;
	in.stated = a.stated;
	rv = cli_call(cli, &jixiao__tree__descriptor, "AddNode", &in.base,
	    (ProtobufCMessage **)&out);
	return node_report(cli, rv, out, "Added");
}

static int
node_set(struct cli *cli, int argc, char **argv)
{
	Jixiao__UpdateNodeRequest in = JIXIAO__UPDATE_NODE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out;
	struct node_args a;
	const char *code = NULL;
	int rv;

	if ((rv = node_parse(&node_commands[1], "Frf", argc, argv, &a)) >= 0)
		return rv;
	if ((rv = node_positionals(&node_commands[1], argc, argv, &in.workspace, &code)) >= 0)
		return rv;
	if (a.nfields == 0)
		return cli_usage_error("nothing to change: give at least one field (see jx node "
				       "set --help)");
	if (!a.has_rev && (rv = node_current_rev(cli, in.workspace, code, &a.rev)) != 0)
		return rv;
	ref.code = (char *)code;
	in.node = &ref;
	in.base_revision = a.rev;
	in.name = (char *)a.name;
	in.code = (char *)a.code;
	in.has_weight = a.has_weight;
	in.weight = a.weight;
	in.has_score = a.has_score;
	in.score = a.score;
	in.has_clear_score = a.clear_score;
	in.clear_score = a.clear_score;
	in.comment = (char *)a.comment;
	in.category = (char *)a.category;
	in.criteria = (char *)a.criteria;
	in.target = (char *)a.target;
	in.actual = (char *)a.actual;
	in.method = (char *)a.method;
	in.params = (char *)a.params;
	in.has_stated = a.has_stated;
	in.stated = a.stated;
	in.has_clear_stated = a.clear_stated;
	in.clear_stated = a.clear_stated;
	in.has_force = a.force;
	in.force = a.force;
	if (a.force && !a.has_rev)
		return cli_usage_error("--force needs the --rev your edit was based on");
	rv = cli_call(cli, &jixiao__tree__descriptor, "UpdateNode", &in.base,
	    (ProtobufCMessage **)&out);
	return node_report(cli, rv, out, "Updated");
}

static int
node_mv(struct cli *cli, int argc, char **argv)
{
	Jixiao__MoveNodeRequest in = JIXIAO__MOVE_NODE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT, parent = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out;
	struct node_args a;
	const char *code = NULL;
	int rv;

	if ((rv = node_parse(&node_commands[2], "rpt", argc, argv, &a)) >= 0)
		return rv;
	if ((rv = node_positionals(&node_commands[2], argc, argv, &in.workspace, &code)) >= 0)
		return rv;
	if ((a.parent == NULL) == !a.top)
		return cli_usage_error("give either --parent CODE or --top");
	if (!a.has_rev && (rv = node_current_rev(cli, in.workspace, code, &a.rev)) != 0)
		return rv;
	ref.code = (char *)code;
	in.node = &ref;
	in.base_revision = a.rev;
	if (a.parent != NULL) {
		parent.code = (char *)a.parent;
		in.new_parent = &parent;
	}
	rv = cli_call(cli, &jixiao__tree__descriptor, "MoveNode", &in.base,
	    (ProtobufCMessage **)&out);
	return node_report(cli, rv, out, "Moved");
}

static int
node_rm(struct cli *cli, int argc, char **argv)
{
	Jixiao__RemoveNodeRequest in = JIXIAO__REMOVE_NODE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out;
	struct node_args a;
	const char *code = NULL;
	int rv;

	if ((rv = node_parse(&node_commands[3], "rR", argc, argv, &a)) >= 0)
		return rv;
	if ((rv = node_positionals(&node_commands[3], argc, argv, &in.workspace, &code)) >= 0)
		return rv;
	if (!a.has_rev && (rv = node_current_rev(cli, in.workspace, code, &a.rev)) != 0)
		return rv;
	ref.code = (char *)code;
	in.node = &ref;
	in.base_revision = a.rev;
	in.has_recursive = a.recursive;
	in.recursive = a.recursive;
	rv = cli_call(cli, &jixiao__tree__descriptor, "RemoveNode", &in.base,
	    (ProtobufCMessage **)&out);
	return node_report(cli, rv, out, "Removed");
}

static int
node_claim(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "minutes", required_argument, NULL, 'm' },
		{ "release", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__ClaimRequest in = JIXIAO__CLAIM_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out;
	uint64_t minutes;
	const char *code = NULL;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&node_commands[4], "  --minutes N  how long (default 30, at most 1440)\n"
						    "  --release    give the claim up\n");
			return 0;
		} else if (c == 'm' && cli_parse_id(optarg, "the minutes", &minutes) == 0 &&
		    minutes <= 1440) {
			in.has_minutes = 1;
			in.minutes = (uint32_t)minutes;
		} else if (c == 'r') {
			in.has_minutes = 1;
			in.minutes = 0;
		} else {
			return EX_USAGE;
		}
	}
	if ((rv = node_positionals(&node_commands[4], argc, argv, &in.workspace, &code)) >= 0)
		return rv;
	ref.code = (char *)code;
	in.node = &ref;
	rv = cli_call(cli, &jixiao__tree__descriptor, "Claim", &in.base,
	    (ProtobufCMessage **)&out);
	return node_report(cli, rv, out, in.has_minutes && in.minutes == 0 ? "Released" :
	    "Claimed");
}

static int
node_mark(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "comment", required_argument, NULL, 'c' },
		{ "clear", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__MarkRequest in = JIXIAO__MARK_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__NodeReply *out;
	const char *code;
	int c, rv, nargs;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&node_commands[5], "  --comment TEXT  why points were taken off\n"
						    "  --clear         withdraw your mark\n");
			return 0;
		} else if (c == 'c') {
			in.comment = optarg;
		} else if (c == 'x') {
			in.has_clear = 1;
			in.clear = 1;
		} else {
			return EX_USAGE;
		}
	}
	nargs = in.clear ? 2 : 3;
	if (argc - optind != nargs)
		return cli_usage_error("usage: %s", node_commands[5].usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0)
		return EX_USAGE;
	code = argv[optind + 1];
	if (!in.clear) {
		if (cli_parse_points(argv[optind + 2], "the score", &in.score) != 0)
			return EX_USAGE;
		in.has_score = 1;
	}
	ref.code = (char *)code;
	in.node = &ref;
	rv = cli_call(cli, &jixiao__tree__descriptor, "Mark", &in.base, (ProtobufCMessage **)&out);
	return node_report(cli, rv, out, in.clear ? "Withdrew your mark on" : "Marked");
}

int
cmd_node(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "node", node_commands,
	    sizeof(node_commands) / sizeof(node_commands[0]), argc, argv);
}
