/* jx keygen, whoami, user and member: who people are, and what they may do where. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "key.h"

int
cmd_keygen(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmd = { "keygen", cmd_keygen, "jx keygen [--name NAME]",
		"Makes your Ed25519 key pair: the secret key (0600) stays on this machine,\n"
		"the .pub file beside it is what an admin registers (jx user add). Never\n"
		"replaces an existing key." };
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN];
	char why[600], fp[KEY_FINGERPRINT_LEN];
	const char *name = getenv("USER");
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&cmd, "  -n, --name NAME  a label in the .pub file (default: $USER)\n"
					"  Where: --key FILE, $JX_KEY, or $XDG_CONFIG_HOME/jixiao/id_ed25519.\n");
			return 0;
		}
		if (c != 'n')
			return EX_USAGE;
		name = optarg;
	}
	if (argc != optind)
		return cli_usage_error("usage: %s", cmd.usage);
	if (name == NULL || name[0] == '\0')
		name = "jixiao";
	if (cli->key == NULL)
		return cli_error(EX_CONFIG, "jx does not know where to put your key: set "
		    "XDG_CONFIG_HOME or HOME, or pass --key FILE");
	if (key_init() != 0)
		return cli_error(EX_SOFTWARE, "the crypto library failed to start");
	if (cli_config_mkdir() != 0 && errno != 0 && strchr(cli->key, '/') == NULL)
		return cli_error(EX_CANTCREAT, "cannot make the configuration directory");
	if (access(cli->key, F_OK) == 0)
		return cli_error(EX_CANTCREAT, "%s exists already: jx never replaces a key (move it "
		    "away first if you really mean to)", cli->key);
	key_generate(pk, sk);
	rv = key_save(cli->key, pk, sk, name, why, sizeof(why));
	sodium_memzero(sk, sizeof(sk));
	if (rv != 0)
		return cli_error(EX_CANTCREAT, "%s", why);
	key_fingerprint(pk, fp);
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		char hex[2 * KEY_PUBLIC_LEN + 1], pub[4200];
		key_hex(pk, KEY_PUBLIC_LEN, hex);
		snprintf(pub, sizeof(pub), "%s.pub", cli->key);
		out_json_object(j, NULL);
		out_json_string(j, "secret_key", cli->key);
		out_json_string(j, "public_key_file", pub);
		out_json_string(j, "public_key", hex);
		out_json_string(j, "fingerprint", fp);
		out_json_free(j);
	} else {
		printf("Your key is in %s (keep it to yourself); its public half in %s.pub.\n"
		       "Fingerprint %s. Send the .pub file to an admin: jx user add NAME FILE.pub\n",
		    cli->key, cli->key, fp);
	}
	return 0;
}

int
cmd_whoami(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmd = { "whoami", cmd_whoami, "jx whoami",
		"Logs in with your key and prints the name the server knows you by." };
	Jixiao__ListUsersRequest in = JIXIAO__LIST_USERS_REQUEST__INIT;
	Jixiao__ListUsersReply *r;
	const char *me;
	bool admin = false;
	int rv;

	if ((rv = cli_plain_args(&cmd, argc, argv, 0)) >= 0)
		return rv;
	/* Any call that needs a login logs in; listing users is the cheapest. */
	if ((rv = cli_call(cli, &jixiao__users__descriptor, "List", &in.base,
	    (ProtobufCMessage **)&r)) != 0)
		return rv;
	me = client_user(cli->client);
	for (size_t i = 0; i < r->n_users; i++)
		if (me != NULL && strcmp(r->users[i]->name, me) == 0)
			admin = r->users[i]->has_admin && r->users[i]->admin;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_string(j, "user", me);
		out_json_bool(j, "admin", admin);
		out_json_string(j, "server", cli->server);
		out_json_free(j);
	} else {
		printf("%s%s on %s\n", me != NULL ? me : "?", admin ? " (admin)" : "", cli->server);
	}
	jixiao__list_users_reply__free_unpacked(r, NULL);
	return 0;
}

/* ---- jx user */

static int user_add(struct cli *cli, int argc, char **argv);
static int user_ls(struct cli *cli, int argc, char **argv);

static const struct cli_command user_commands[] = {
	{ "add", user_add, "jx user add NAME FILE.pub|'jixiao-ed25519 KEY…' [--admin]",
	    "Registers a user by the public key jx keygen wrote, or the line the web "
	    "interface shows (admins only)." },
	{ "ls", user_ls, "jx user ls", "Lists the registered users and their key fingerprints." },
};

int
cmd_user(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "user", user_commands,
	    sizeof(user_commands) / sizeof(user_commands[0]), argc, argv);
}

static int
user_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "admin", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__AddUserRequest in = JIXIAO__ADD_USER_REQUEST__INIT;
	Jixiao__UserReply *r;
	uint8_t pk[KEY_PUBLIC_LEN];
	char why[600], fp[KEY_FINGERPRINT_LEN];
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&user_commands[0], "  --admin  the user administers the store too\n");
			return 0;
		}
		if (c != 'a')
			return EX_USAGE;
		in.has_admin = in.admin = 1;
	}
	if (argc - optind != 2)
		return cli_usage_error("usage: %s", user_commands[0].usage);
	/* The web interface's key is a line to paste, not a file. */
	if (strncmp(argv[optind + 1], "jixiao-ed25519 ", 15) == 0) {
		if (key_parse_public(argv[optind + 1], pk) != 0)
			return cli_error(EX_DATAERR, "that is not a whole jixiao public key line: "
			    "copy the line the web interface shows, in quotes");
	} else if (key_load_public(argv[optind + 1], pk, why, sizeof(why)) != 0) {
		return cli_error(EX_DATAERR, "%s", why);
	}
	in.name = argv[optind];
	in.public_key.data = pk;
	in.public_key.len = sizeof(pk);
	if ((rv = cli_call(cli, &jixiao__users__descriptor, "Add", &in.base,
	    (ProtobufCMessage **)&r)) != 0)
		return rv;
	key_fingerprint(pk, fp);
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_string(j, "user", in.name);
		out_json_bool(j, "admin", in.admin);
		out_json_string(j, "fingerprint", fp);
		out_json_free(j);
	} else {
		printf("Added %s%s (key %s).\n", in.name, in.admin ? ", an admin," : "", fp);
	}
	jixiao__user_reply__free_unpacked(r, NULL);
	return 0;
}

static int
user_ls(struct cli *cli, int argc, char **argv)
{
	static const char *const head[] = { "user", "admin", "key", "added" };
	Jixiao__ListUsersRequest in = JIXIAO__LIST_USERS_REQUEST__INIT;
	Jixiao__ListUsersReply *r;
	struct out_table *tab;
	struct out_json *j;
	char fp[KEY_FINGERPRINT_LEN], t[32];
	int rv;

	if ((rv = cli_plain_args(&user_commands[1], argc, argv, 0)) >= 0)
		return rv;
	if ((rv = cli_call(cli, &jixiao__users__descriptor, "List", &in.base,
	    (ProtobufCMessage **)&r)) != 0)
		return rv;
	if (cli->json) {
		j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_array(j, "users");
		for (size_t i = 0; i < r->n_users; i++) {
			const Jixiao__User *u = r->users[i];
			char hex[2 * KEY_PUBLIC_LEN + 1] = "";
			if (u->public_key.len == KEY_PUBLIC_LEN)
				key_hex(u->public_key.data, KEY_PUBLIC_LEN, hex);
			out_json_object(j, NULL);
			out_json_string(j, "name", u->name);
			out_json_bool(j, "admin", u->has_admin && u->admin);
			out_json_string(j, "public_key", hex);
			out_json_int(j, "created_at", u->created_at);
			out_json_string(j, "created_by", u->created_by);
			out_json_end(j);
		}
		out_json_free(j);
	} else {
		tab = out_table_new(4, head);
		for (size_t i = 0; i < r->n_users; i++) {
			const Jixiao__User *u = r->users[i];
			const char *row[4] = { u->name, u->has_admin && u->admin ? "yes" : "", fp,
				cli_time(u->created_at, t) };
			if (u->public_key.len == KEY_PUBLIC_LEN)
				key_fingerprint(u->public_key.data, fp);
			else
				snprintf(fp, sizeof(fp), "?");
			out_table_row(tab, row);
		}
		out_table_print(tab, stdout);
		out_table_free(tab);
	}
	jixiao__list_users_reply__free_unpacked(r, NULL);
	return 0;
}

/* ---- jx member */

static int member_set(struct cli *cli, int argc, char **argv);
static int member_rm(struct cli *cli, int argc, char **argv);
static int member_ls(struct cli *cli, int argc, char **argv);

static const struct cli_command member_commands[] = {
	{ "set", member_set, "jx member set WS USER ROLE",
	    "Gives a user a role in a workspace (admins): evaluator (评价人员), reviewer\n"
	    "(复核人员), unit (被评价单位: reads drafts, comments) or observer." },
	{ "rm", member_rm, "jx member rm WS USER", "Takes a user's role in a workspace away." },
	{ "ls", member_ls, "jx member ls WS", "Lists a workspace's members and their roles." },
};

int
cmd_member(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "member", member_commands,
	    sizeof(member_commands) / sizeof(member_commands[0]), argc, argv);
}

static Jixiao__Role
member_role_parse(const char *s)
{
	static const struct {
		const char *name;
		Jixiao__Role role;
	} roles[] = {
		{ "evaluator", JIXIAO__ROLE__ROLE_EVALUATOR }, { "评价人员", JIXIAO__ROLE__ROLE_EVALUATOR },
		{ "reviewer", JIXIAO__ROLE__ROLE_REVIEWER }, { "复核人员", JIXIAO__ROLE__ROLE_REVIEWER },
		{ "unit", JIXIAO__ROLE__ROLE_UNIT }, { "被评价单位", JIXIAO__ROLE__ROLE_UNIT },
		{ "observer", JIXIAO__ROLE__ROLE_OBSERVER },
	};

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(s, roles[i].name) == 0)
			return roles[i].role;
	return JIXIAO__ROLE__ROLE_UNSPECIFIED;
}

/* Prints the members after a change, or as asked. */
static void
member_print(struct cli *cli, const Jixiao__Workspace *ws)
{
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", ws->id);
		cli_json_members(j, ws);
		out_json_free(j);
		return;
	}
	if (ws->n_members == 0)
		printf("Workspace %" PRIu64 " has no members; admins can still read and edit it.\n",
		    ws->id);
	for (size_t i = 0; i < ws->n_members; i++)
		printf("%s\t%s\n", ws->members[i]->user, cli_role_name(ws->members[i]->role));
}

static int
member_change(struct cli *cli, uint64_t ws, const char *user, Jixiao__Role role)
{
	Jixiao__SetMemberRequest in = JIXIAO__SET_MEMBER_REQUEST__INIT;
	Jixiao__WorkspaceReply *r;
	int rv;

	in.workspace = ws;
	in.user = (char *)user;
	in.role = role;
	if ((rv = cli_call(cli, &jixiao__users__descriptor, "SetMember", &in.base,
	    (ProtobufCMessage **)&r)) != 0)
		return rv;
	if (r->workspace != NULL)
		member_print(cli, r->workspace);
	jixiao__workspace_reply__free_unpacked(r, NULL);
	return 0;
}

static int
member_set(struct cli *cli, int argc, char **argv)
{
	Jixiao__Role role;
	uint64_t ws;
	int rv;

	if ((rv = cli_plain_args(&member_commands[0], argc, argv, 3)) >= 0)
		return rv;
	if (cli_parse_id(argv[optind], "the workspace", &ws) != 0)
		return EX_USAGE;
	if ((role = member_role_parse(argv[optind + 2])) == JIXIAO__ROLE__ROLE_UNSPECIFIED)
		return cli_usage_error("%s is not a role: evaluator, reviewer, unit or observer "
		    "(admins are users added with --admin)", argv[optind + 2]);
	return member_change(cli, ws, argv[optind + 1], role);
}

static int
member_rm(struct cli *cli, int argc, char **argv)
{
	uint64_t ws;
	int rv;

	if ((rv = cli_plain_args(&member_commands[1], argc, argv, 2)) >= 0)
		return rv;
	if (cli_parse_id(argv[optind], "the workspace", &ws) != 0)
		return EX_USAGE;
	return member_change(cli, ws, argv[optind + 1], JIXIAO__ROLE__ROLE_UNSPECIFIED);
}

static int
member_ls(struct cli *cli, int argc, char **argv)
{
	Jixiao__GetWorkspaceRequest in = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *r;
	int rv;

	if ((rv = cli_ws_arg(&member_commands[2], argc, argv, &in.workspace)) >= 0)
		return rv;
	if ((rv = cli_call(cli, &jixiao__workspaces__descriptor, "Get", &in.base,
	    (ProtobufCMessage **)&r)) != 0)
		return rv;
	if (r->workspace != NULL)
		member_print(cli, r->workspace);
	jixiao__workspace_reply__free_unpacked(r, NULL);
	return 0;
}
