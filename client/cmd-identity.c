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
	Jixiao__ListWorkspacesRequest in = JIXIAO__LIST_WORKSPACES_REQUEST__INIT;
	Jixiao__ListWorkspacesReply *r;
	const char *me;
	bool admin;
	int rv;

	if ((rv = cli_plain_args(&cmd, argc, argv, 0)) >= 0)
		return rv;
	/* Any call that needs a login logs in; one any user may make. */
	if ((rv = cli_call(cli, &jixiao__workspaces__descriptor, "List", &in.base,
	    (ProtobufCMessage **)&r)) != 0)
		return rv;
	jixiao__list_workspaces_reply__free_unpacked(r, NULL);
	me = client_user(cli->client);
	admin = client_admin(cli->client);
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
	return 0;
}

/* ---- jx user */

static int user_add(struct cli *cli, int argc, char **argv);
static int user_ls(struct cli *cli, int argc, char **argv);
static int user_disable(struct cli *cli, int argc, char **argv);
static int user_enable(struct cli *cli, int argc, char **argv);
static int user_key(struct cli *cli, int argc, char **argv);

static const struct cli_command user_commands[] = {
	{ "add", user_add, "jx user add NAME FILE.pub|'jixiao-ed25519 KEY…' [--admin]",
	    "Registers a user by the public key jx keygen wrote, or the line the web "
	    "interface shows (admins only)." },
	{ "ls", user_ls, "jx user ls [--ws WS]",
	    "Lists the registered users and their key fingerprints (admins only); with --ws,\n"
	    "the users of a workspace you belong to: its members and who signed there." },
	{ "disable", user_disable, "jx user disable NAME --reason TEXT",
	    "Disables a user, e.g. an evaluator who left (admins only): their sessions end at\n"
	    "once and they cannot log in. What they signed stays valid; jx verify notes that\n"
	    "the signer was disabled later. The reason is kept in their record." },
	{ "enable", user_enable, "jx user enable NAME [--reason TEXT]",
	    "Lets a disabled user log in again (admins only)." },
	{ "key", user_key, "jx user key NAME NEW.pub [--reason TEXT]",
	    "Replaces a user's key, e.g. a lost or stolen one (admins only): sessions on the old\n"
	    "key end at once and it logs in no more; signatures made with it before stay\n"
	    "valid, and jx verify notes that the key was replaced later." },
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

/* The newest event of u that says what (e.g. "user.disable"), or NULL. */
static const Jixiao__UserEvent *
user_last_event(const Jixiao__User *u, const char *what)
{
	for (size_t i = u->n_events; i-- > 0;)
		if (strcmp(u->events[i]->what, what) == 0)
			return u->events[i];
	return NULL;
}

static int
user_ls(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ws", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const head[] = { "user", "admin", "key", "added", "status" };
	Jixiao__ListUsersRequest in = JIXIAO__LIST_USERS_REQUEST__INIT;
	Jixiao__ListMembersRequest min = JIXIAO__LIST_MEMBERS_REQUEST__INIT;
	Jixiao__ListUsersReply *r;
	struct out_table *tab;
	struct out_json *j;
	char fp[KEY_FINGERPRINT_LEN], t[32], status[64];
	bool by_ws = false;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&user_commands[1], "  --ws WS  the users of workspace WS\n");
			return 0;
		}
		if (c != 'w' || cli_parse_id(optarg, "the workspace", &min.workspace) != 0)
			return EX_USAGE;
		by_ws = true;
	}
	if (argc != optind)
		return cli_usage_error("usage: %s", user_commands[1].usage);
	if (by_ws)
		rv = cli_call(cli, &jixiao__users__descriptor, "Members", &min.base,
		    (ProtobufCMessage **)&r);
	else
		rv = cli_call(cli, &jixiao__users__descriptor, "List", &in.base,
		    (ProtobufCMessage **)&r);
	if (rv != 0)
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
			out_json_bool(j, "disabled", u->has_disabled && u->disabled);
			out_json_array(j, "events");
			for (size_t k = 0; k < u->n_events; k++) {
				const Jixiao__UserEvent *e = u->events[k];
				out_json_object(j, NULL);
				out_json_int(j, "time", e->time);
				out_json_string(j, "by", e->by);
				out_json_string(j, "what", e->what);
				out_json_string(j, "reason", e->reason);
				if (e->has_old_key && e->old_key.len == KEY_PUBLIC_LEN) {
					key_hex(e->old_key.data, KEY_PUBLIC_LEN, hex);
					out_json_string(j, "old_key", hex);
				}
				out_json_end(j);
			}
			out_json_end(j);
			out_json_end(j);
		}
		out_json_free(j);
	} else {
		tab = out_table_new(5, head);
		for (size_t i = 0; i < r->n_users; i++) {
			const Jixiao__User *u = r->users[i];
			const Jixiao__UserEvent *off = user_last_event(u, "user.disable");
			const Jixiao__UserEvent *rekey = user_last_event(u, "user.key");
			char t2[32];
			const char *row[5] = { u->name, u->has_admin && u->admin ? "yes" : "", fp,
				cli_time(u->created_at, t), status };
			if (u->public_key.len == KEY_PUBLIC_LEN)
				key_fingerprint(u->public_key.data, fp);
			else
				snprintf(fp, sizeof(fp), "?");
			if (u->has_disabled && u->disabled)
				snprintf(status, sizeof(status), "disabled %s",
				    off != NULL ? cli_time(off->time, t2) : "");
			else if (rekey != NULL)
				snprintf(status, sizeof(status), "key replaced %s",
				    cli_time(rekey->time, t2));
			else
				status[0] = '\0';
			out_table_row(tab, row);
		}
		out_table_print(tab, stdout);
		out_table_free(tab);
	}
	jixiao__list_users_reply__free_unpacked(r, NULL);
	return 0;
}

/* Prints what a change of a user's standing left. Returns 0. */
static int
user_print(struct cli *cli, const Jixiao__User *u, const char *done)
{
	char fp[KEY_FINGERPRINT_LEN] = "?";

	if (u->public_key.len == KEY_PUBLIC_LEN)
		key_fingerprint(u->public_key.data, fp);
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_string(j, "user", u->name);
		out_json_bool(j, "disabled", u->has_disabled && u->disabled);
		out_json_string(j, "fingerprint", fp);
		out_json_free(j);
	} else {
		printf("%s %s (key %s).\n", done, u->name, fp);
	}
	return 0;
}

/* jx user disable|enable: one function, enable says which. */
static int
user_standing(struct cli *cli, int argc, char **argv, const struct cli_command *cmd,
    bool enable)
{
	Jixiao__DisableUserRequest in = JIXIAO__DISABLE_USER_REQUEST__INIT;
	Jixiao__UserReply *r;
	int rv;

	/* --reason is jx's global option (sent with the call too): it says why. */
	if ((rv = cli_plain_args(cmd, argc, argv, 1)) >= 0)
		return rv;
	in.reason = cli->reason != NULL ? (char *)cli->reason : "";
	if (!enable && in.reason[0] == '\0')
		return cli_usage_error("say why with --reason TEXT (it is kept in the user's "
		    "record)");
	in.name = argv[optind];
	in.has_enable = enable;
	in.enable = enable;
	if ((rv = cli_call(cli, &jixiao__users__descriptor, "Disable", &in.base,
	    (ProtobufCMessage **)&r)) != 0)
		return rv;
	if (r->user != NULL)
		user_print(cli, r->user, enable ? "Enabled" : "Disabled");
	jixiao__user_reply__free_unpacked(r, NULL);
	return 0;
}

static int
user_disable(struct cli *cli, int argc, char **argv)
{
	return user_standing(cli, argc, argv, &user_commands[2], false);
}

static int
user_enable(struct cli *cli, int argc, char **argv)
{
	return user_standing(cli, argc, argv, &user_commands[3], true);
}

static int
user_key(struct cli *cli, int argc, char **argv)
{
	Jixiao__SetUserKeyRequest in = JIXIAO__SET_USER_KEY_REQUEST__INIT;
	Jixiao__UserReply *r;
	uint8_t pk[KEY_PUBLIC_LEN];
	char why[600];
	int rv;

	if ((rv = cli_plain_args(&user_commands[4], argc, argv, 2)) >= 0)
		return rv;
	in.reason = (char *)cli->reason;
	if (key_load_public(argv[optind + 1], pk, why, sizeof(why)) != 0)
		return cli_error(EX_DATAERR, "%s", why);
	in.name = argv[optind];
	in.public_key.data = pk;
	in.public_key.len = sizeof(pk);
	if ((rv = cli_call(cli, &jixiao__users__descriptor, "SetKey", &in.base,
	    (ProtobufCMessage **)&r)) != 0)
		return rv;
	if (r->user != NULL)
		user_print(cli, r->user, "Replaced the key of");
	jixiao__user_reply__free_unpacked(r, NULL);
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
