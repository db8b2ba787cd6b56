/* jx: the jixiao command-line client. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_SERVER "tcp://127.0.0.1:7410"

static const struct cli_command jx_commands[] = {
	{ "ping", cmd_ping, "jx ping", "Checks that the server answers, and how fast." },
	{ "version", cmd_version, "jx version", "Shows the versions of jx and of the server." },
	{ "unit", cmd_unit, "jx unit COMMAND", "Departments and budget units: add, list." },
	{ "project", cmd_project, "jx project COMMAND", "Projects of budget units: add, list." },
	{ "ws", cmd_ws, "jx ws COMMAND", "Workspaces: create, list, show, archive." },
	{ "node", cmd_node, "jx node COMMAND", "Indicators: add, set, mv, rm." },
	{ "tree", cmd_tree, "jx tree WS", "Prints a workspace's indicator tree and scores." },
	{ "score", cmd_score, "jx score WS", "Prints the scoring sheet with its total and grade." },
	{ "budget", cmd_budget, "jx budget COMMAND", "Budget facts: show, set." },
	{ "log", cmd_log, "jx log WS", "Every revision of a workspace: who, when, what." },
	{ "diff", cmd_diff, "jx diff WS REV1 REV2", "What changed between two revisions." },
	{ "watch", cmd_watch, "jx watch WS", "Prints a workspace's changes live." },
	{ "blame", cmd_blame, "jx blame WS", "Who set each indicator's current score." },
	{ "trend", cmd_trend, "jx trend SUBJECT", "A subject's evaluations year by year." },
	{ "evidence", cmd_evidence, "jx evidence COMMAND",
	    "Evidence files (佐证材料): add, ls, get." },
	{ "finding", cmd_finding, "jx finding COMMAND",
	    "Findings (存在问题 / 建议 / 经验做法): add, ls, set, rm." },
	{ "check", cmd_check, "jx check WS", "Reports what does not add up in a workspace." },
	{ "template", cmd_template, "jx template COMMAND",
	    "Templates (指标体系): list, show, add." },
	{ "import", cmd_import, "jx import COMMAND", "Import a scoring sheet or a target table." },
	{ "export", cmd_export, "jx export WS --format F -o FILE",
	    "Writes the scoring sheet or a report: xlsx, csv, md, html." },
	{ "keygen", cmd_keygen, "jx keygen", "Makes your Ed25519 key pair (your identity)." },
	{ "whoami", cmd_whoami, "jx whoami", "Logs in and tells who the server knows you as." },
	{ "user", cmd_user, "jx user COMMAND", "Users (admins): add, ls." },
	{ "member", cmd_member, "jx member COMMAND",
	    "Workspace members and roles (admins): set, rm, ls." },
	{ "submit", cmd_submit, "jx submit WS",
	    "Signs and submits the workspace as it is now (签字提交)." },
	{ "signoff", cmd_signoff, "jx signoff WS",
	    "Signs off the submitted revision as a reviewer (复核签字)." },
	{ "reopen", cmd_reopen, "jx reopen WS --reason TEXT",
	    "Reopens a final workspace as a new version (reviewers)." },
	{ "comment", cmd_comment, "jx comment WS TEXT|--end",
	    "The evaluated unit's comments (征求意见), and ending the round." },
	{ "workflow", cmd_workflow, "jx workflow WS [--signoffs N] [--comment-round on|off]",
	    "How a workspace becomes final (admins)." },
	{ "verify", cmd_verify, "jx verify FILE|WS",
	    "Checks an archive offline, or a live workspace: chain, signatures, scores." },
	{ "target", cmd_target, "jx target TEXT", "Shows how a target value (指标值) is read." },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: jx [--server URL] [--key FILE] [--ca FILE] [--reason TEXT] [--json] "
		   "COMMAND "
		   "[ARGS...]\n\n"
		   "jx works on the evaluation workspaces (绩效评价) that jixiaod keeps.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(jx_commands) / sizeof(jx_commands[0]); i++)
		fprintf(f, "  %-8s %s\n", jx_commands[i].name, jx_commands[i].summary);
	fprintf(f, "\noptions:\n"
		   "  -s, --server URL  the server (default: $JX_SERVER, then 'server' in\n"
		   "                    $XDG_CONFIG_HOME/jixiao/config, then " DEFAULT_SERVER ")\n"
		   "  -k, --key FILE    your secret key (default: $JX_KEY, then 'key' in the\n"
		   "                    config, then $XDG_CONFIG_HOME/jixiao/id_ed25519)\n"
		   "  -r, --reason TEXT why you make this change (needed once a workspace is\n"
		   "                    submitted; recorded in its history)\n"
		   "  -c, --ca FILE     the CA certificate (PEM) that signed a tls+tcp:// server's\n"
		   "                    (default: $JX_CA, then 'ca' in the config file)\n"
		   "  -j, --json        print stable JSON for scripts (anywhere on the line)\n"
		   "  -h, --help        show this help; 'jx COMMAND --help' for a command\n"
		   "  -V, --version     show jx's version\n"
		   "\nExit status follows sysexits.h: 0 ok, 64 usage, 65 invalid data, 66 not "
		   "found,\n69 server unavailable, 73 already exists, 74 server out of room (its "
		   "disk or a size limit),\n75 edit conflict, 77 not allowed.\n");
}

/* Reads "key = value" from the config file; returns a malloc'd value or NULL. */
static char *
config_get(const char *key)
{
	char path[4096], line[1024], *value = NULL;
	const char *base = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	FILE *f;

	if (base != NULL && base[0] != '\0')
		snprintf(path, sizeof(path), "%s/jixiao/config", base);
	else if (home != NULL)
		snprintf(path, sizeof(path), "%s/.config/jixiao/config", home);
	else
		return NULL;
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while (value == NULL && fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *eq, *end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || (eq = strchr(p, '=')) == NULL)
			continue;
		for (end = eq; end > p && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		if ((size_t)(end - p) != strlen(key) || strncmp(p, key, strlen(key)) != 0)
			continue;
		for (p = eq + 1; *p == ' ' || *p == '\t'; p++)
			;
		p[strcspn(p, "\r\n")] = '\0';
		for (end = p + strlen(p); end > p && (end[-1] == ' ' || end[-1] == '\t'); end--)
			*(end - 1) = '\0';
		value = strdup(p);
	}
	fclose(f);
	return value;
}


/*
 * Takes --json and --reason TEXT out of argv wherever they stand (before "--"), so
 * every command has them.
 */
static int
take_global(int argc, char **argv, struct cli *cli)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
			cli->json = true;
		else if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			cli->reason = argv[++i];
		else if (strncmp(argv[i], "--reason=", 9) == 0)
			cli->reason = argv[i] + 9;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "reason", required_argument, NULL, 'r' },
		{ "ca", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	char *config_server = NULL, *config_key = NULL, default_key[4096];
	char *config_ca = NULL;
	int c, rv = EX_USAGE;

	argc = take_global(argc, argv, &cli);
	cli_set_json(cli.json);
	/* '+': stop at the command, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+s:k:r:c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cli.server = optarg;
			break;
		case 'k':
			cli.key = optarg;
			break;
		case 'r':
			cli.reason = optarg;
			break;
		case 'c':
			cli.ca = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("jx %s\n", JX_VERSION);
			return 0;
		default:
			usage(stderr);
			cli_usage_json();
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return cli_usage_error("no command given (see jx --help)");
	}
	if (cli.server == NULL)
		cli.server = getenv("JX_SERVER");
	if (cli.server == NULL || cli.server[0] == '\0')
		cli.server = config_server = config_get("server");
	if (cli.server == NULL || cli.server[0] == '\0')
		cli.server = DEFAULT_SERVER;
	if (cli.key == NULL)
		cli.key = getenv("JX_KEY");
	if (cli.key == NULL || cli.key[0] == '\0')
		cli.key = config_key = config_get("key");
	if ((cli.key == NULL || cli.key[0] == '\0'))
		cli.key = cli_config_path("id_ed25519", default_key, sizeof(default_key)) == 0 ?
		    default_key : NULL;
	if (cli.ca == NULL)
		cli.ca = getenv("JX_CA");
	if (cli.ca == NULL || cli.ca[0] == '\0')
		cli.ca = config_ca = config_get("ca");

	argc -= optind;
	argv += optind;
	optind = 0;
	for (size_t i = 0; i < sizeof(jx_commands) / sizeof(jx_commands[0]); i++) {
		if (strcmp(argv[0], jx_commands[i].name) == 0) {
			rv = jx_commands[i].run(&cli, argc, argv);
			goto out;
		}
	}
	if (strcmp(argv[0], "help") == 0) {
		usage(stdout);
		rv = 0;
	} else {
		const char *near = cli_suggest(argv[0], jx_commands,
		    sizeof(jx_commands) / sizeof(jx_commands[0]));
		if (near != NULL)
			rv = cli_usage_error("'%s' is not a jx command; did you mean 'jx %s'? (see "
			    "jx --help)", argv[0], near);
		else
			rv = cli_usage_error("'%s' is not a jx command (see jx --help)", argv[0]);
	}
out:
	if (rv == EX_USAGE)
		cli_usage_json();
	client_close(cli.client);
	free(config_server);
	free(config_key);
	free(config_ca);
	return rv;
}
