/* What every jx command shares: options, the connection, errors, and output. */
#ifndef JX_CLI_H
#define JX_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"
#include "out.h"
#include "proto/jixiao.pb-c.h"

struct cli {
	const char *server;     /* resolved URL */
	const char *key;        /* the secret key file (--key, $JX_KEY, config, default) */
	const char *reason;     /* --reason: why the change, sent with every call */
	const char *ca;         /* CA file for tls+tcp:// servers, or NULL */
	bool json;
	struct client *client;  /* connected on first use */
};

/* $XDG_CONFIG_HOME/jixiao/NAME (or ~/.config/jixiao/NAME) into buf; -1 when unknown. */
int cli_config_path(const char *name, char *buf, size_t len);
/* Makes $XDG_CONFIG_HOME/jixiao (0700) when missing. Returns 0 or -1. */
int cli_config_mkdir(void);
/* Loads the user's secret key (cli->key) into sk. Returns a sysexits code. */
int cli_secret_key(struct cli *cli, uint8_t sk[64]);

/* A command or subcommand: its name, entry point, usage line and summary. */
struct cli_command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *usage;
	const char *summary;
};

/* Runs the subcommand of a group ("jx ws create ..."): argv[0] is the group name. */
int cli_dispatch(struct cli *cli, const char *group, const struct cli_command *cmds, size_t n,
    int argc, char **argv);
/*
 * Parses a command that takes only --help and nargs arguments (then at argv[optind]).
 * Returns -1 to go on, else the exit code to return (0 after printing the help).
 */
int cli_plain_args(const struct cli_command *cmd, int argc, char **argv, int nargs);
/* The same for a command whose one argument is a workspace id, parsed into *ws. */
int cli_ws_arg(const struct cli_command *cmd, int argc, char **argv, uint64_t *ws);
/* Prints a command's help to stdout. */
void cli_help(const struct cli_command *cmd, const char *details);

/*
 * Calls a method and, when it fails, tells the user in one sentence (and as JSON
 * with --json). Returns a sysexits code: 0 on success. *output as client_call, but
 * on failure it is NULL unless the failure is a conflict (EX_TEMPFAIL), whose reply
 * holds the current state for the caller to show and free.
 */
int cli_call(struct cli *cli, const ProtobufCServiceDescriptor *service, const char *method,
    const ProtobufCMessage *input, ProtobufCMessage **output);

/* Prints "jx: <sentence>" (and, under --json, the JSON error) and returns EX_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Under --json, failures are also told as {"error": {"code", "message"}} on stdout. */
void cli_set_json(bool on);
/*
 * A command that returned EX_USAGE without saying it in JSON (getopt's own errors):
 * tells it now, with the last sentence said. Does nothing without --json.
 */
void cli_usage_json(void);
/* The name in cmds nearest to a mistyped word (one or two edits, or a prefix), or NULL. */
const char *cli_suggest(const char *word, const struct cli_command *cmds, size_t n);
/* Prints "jx: <sentence>" and returns code. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The sysexits code for a jx_err. */
int cli_exit_code(int err);

/* Argument parsers: 0 or -1 (after telling the user what was wrong). */
int cli_parse_id(const char *s, const char *what, uint64_t *id);
int cli_parse_points(const char *s, const char *what, int64_t *v);
int cli_parse_year(const char *s, uint32_t *year);
int cli_parse_kind(const char *s, Jixiao__Kind *kind);

const char *cli_kind_name(Jixiao__Kind kind);
const char *cli_kind_zh(Jixiao__Kind kind);
const char *cli_state_name(Jixiao__WorkspaceState state);
/* Formats Unix seconds as "2026-11-21 13:05" in local time. */
const char *cli_time(int64_t t, char buf[32]);

/* JSON forms shared by several commands. */
void cli_json_workspace(struct out_json *j, const char *key, const Jixiao__Workspace *ws);
/* "members": [{"user", "role"}...] of a workspace. */
void cli_json_members(struct out_json *j, const Jixiao__Workspace *ws);
void cli_json_node(struct out_json *j, const char *key, const Jixiao__Node *node);
void cli_json_budget(struct out_json *j, const char *key, const Jixiao__Budget *b);
/* The lowest and highest of a node's evaluator marks. */
void cli_marks_spread(const Jixiao__Node *n, int64_t *lo, int64_t *hi);
/* True when the marks spread over more than a fifth of the weight. */
bool cli_marks_disagree(const Jixiao__Node *n);
/* Prints the workspace, or the budget facts, in a few human lines. */
void cli_print_workspace(const Jixiao__Workspace *ws);
void cli_print_budget(const Jixiao__Budget *b);

/* Command groups, one file each (cmd-NAME.c). */
int cmd_ping(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_ws(struct cli *cli, int argc, char **argv);
int cmd_node(struct cli *cli, int argc, char **argv);
int cmd_tree(struct cli *cli, int argc, char **argv);
int cmd_score(struct cli *cli, int argc, char **argv);
int cmd_budget(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
/* jx import edits (cmd-import-edits.c): a 评分表 exported for editing, brought back. */
int cmd_import_edits(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_template(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_log(struct cli *cli, int argc, char **argv);
int cmd_diff(struct cli *cli, int argc, char **argv);
int cmd_blame(struct cli *cli, int argc, char **argv);
int cmd_trend(struct cli *cli, int argc, char **argv);
int cmd_unit(struct cli *cli, int argc, char **argv);
int cmd_project(struct cli *cli, int argc, char **argv);

/* Prints one change record: a log line, or a JSON object into j when j is not NULL. */
void cli_print_change(const Jixiao__Change *ch, struct out_json *j);
int cmd_watch(struct cli *cli, int argc, char **argv);
int cmd_evidence(struct cli *cli, int argc, char **argv);
int cmd_keygen(struct cli *cli, int argc, char **argv);
int cmd_whoami(struct cli *cli, int argc, char **argv);
int cmd_user(struct cli *cli, int argc, char **argv);
int cmd_member(struct cli *cli, int argc, char **argv);
int cmd_submit(struct cli *cli, int argc, char **argv);
int cmd_signoff(struct cli *cli, int argc, char **argv);
int cmd_reopen(struct cli *cli, int argc, char **argv);
int cmd_comment(struct cli *cli, int argc, char **argv);
int cmd_workflow(struct cli *cli, int argc, char **argv);
/* "draft", "submitted", ... */
const char *cli_phase_name(Jixiao__Phase p);
const char *cli_role_name(Jixiao__Role r);
int cmd_finding(struct cli *cli, int argc, char **argv);
/* Findings (cmd-finding.c): a kind's name ("problem") and heading ("存在问题"), JSON form. */
const char *cli_finding_kind_name(Jixiao__FindingKind kind);
const char *cli_finding_kind_zh(Jixiao__FindingKind kind);
void cli_json_finding(struct out_json *j, const char *key, const Jixiao__Finding *f);
int cmd_verify(struct cli *cli, int argc, char **argv);
int cmd_target(struct cli *cli, int argc, char **argv);
/* Targets as jx shows them (cmd-target.c): the parse as JSON, in one line, and its kind. */
struct target;
void cli_json_target(struct out_json *j, const char *key, const struct target *t);
void cli_target_describe(const struct target *t, char *buf, size_t len);
const char *cli_target_kind(const struct target *t);

/* The id of a registered unit or project named ref (its name, or its id). */
int cli_find_subject(struct cli *cli, const char *ref, uint64_t *id);

struct csv;
/* Reads and parses a CSV file; tells the user and returns an exit code on failure. */
int import_csv_file(const char *path, struct csv **csv);

#endif
