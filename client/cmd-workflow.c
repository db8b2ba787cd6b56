/*
 * jx submit, signoff, reopen, comment and workflow: how a workspace becomes final.
 * jx computes the digest it signs itself, from the content the server shows it, with
 * the same code the server checks it with (common/digest.h), and signs it with the
 * user's key, which never leaves this machine.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <sodium.h>

#include "cli.h"
#include "decimal.h"
#include "digest.h"
#include "key.h"

/* The sheet of ws at revision at (0: now). */
static int
workflow_tree(struct cli *cli, uint64_t ws, uint64_t at, Jixiao__TreeReply **t)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;

	in.workspace = ws;
	if (at != 0) {
		in.has_at = 1;
		in.at = at;
	}
	return cli_call(cli, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)t);
}

/* The digest of the sheet t, with the workspace's findings, as they stand at t's revision. */
static int
workflow_digest(struct cli *cli, const Jixiao__TreeReply *t, uint8_t out[DIGEST_LEN])
{
	Jixiao__ListFindingsRequest in = JIXIAO__LIST_FINDINGS_REQUEST__INIT;
	Jixiao__ListFindingsReply *f;
	int rv;

	if (!t->has_head || t->head.len != DIGEST_LEN)
		return cli_error(EX_PROTOCOL, "the server did not say its history's head; "
		    "upgrade jixiaod");
	in.workspace = t->workspace->id;
	in.has_at = 1;
	in.at = t->workspace->revision;
	if ((rv = cli_call(cli, &jixiao__findings__descriptor, "List", &in.base,
	    (ProtobufCMessage **)&f)) != 0)
		return rv;
	if (digest_content(t->workspace, t->workspace->revision, t->head.data,
	    (Jixiao__Node *const *)t->nodes, t->n_nodes, t->budget,
	    (Jixiao__Finding *const *)f->findings, f->n_findings, out) != 0)
		rv = cli_error(EX_OSERR, "out of memory");
	jixiao__list_findings_reply__free_unpacked(f, NULL);
	return rv;
}

/* Signs and sends Submit or SignOff for revision t's; prints the outcome. */
static int
workflow_sign(struct cli *cli, const Jixiao__TreeReply *t, const char *kind,
    const uint8_t digest[DIGEST_LEN])
{
	Jixiao__SignRequest in = JIXIAO__SIGN_REQUEST__INIT;
	Jixiao__WorkspaceReply *r;
	uint8_t sk[KEY_SECRET_LEN], pk[KEY_PUBLIC_LEN], sig[KEY_SIG_LEN];
	char hex[2 * DIGEST_LEN + 1], fp[KEY_FINGERPRINT_LEN], total[DEC_BUFSZ];
	bool submit = strcmp(kind, DIGEST_SUBMIT) == 0;
	int rv;

	if ((rv = cli_secret_key(cli, sk)) != 0)
		return rv;
	digest_sign(kind, digest, sk, sig);
	key_public_of(sk, pk);
	sodium_memzero(sk, sizeof(sk));
	in.workspace = t->workspace->id;
	in.revision = t->workspace->revision;
	in.digest.data = (uint8_t *)digest;
	in.digest.len = DIGEST_LEN;
	in.signature.data = sig;
	in.signature.len = sizeof(sig);
	if ((rv = cli_call(cli, &jixiao__workflow__descriptor, submit ? "Submit" : "SignOff",
	    &in.base, (ProtobufCMessage **)&r)) != 0)
		return rv;
	key_hex(digest, DIGEST_LEN, hex);
	key_fingerprint(pk, fp);
	dec_format(t->total, total);
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", in.workspace);
		out_json_uint(j, "revision", in.revision);
		out_json_string(j, "kind", kind);
		out_json_string(j, "digest", hex);
		out_json_string(j, "key", fp);
		out_json_hundredths(j, "total", t->total);
		out_json_string(j, "grade", t->grade);
		if (r->workspace != NULL)
			cli_json_workspace(j, "workspace_after", r->workspace);
		out_json_free(j);
	} else {
		printf("%s revision %" PRIu64 " of workspace %" PRIu64 ": total %s%s%s.\n",
		    submit ? "Submitted (签字提交)" : "Signed off (复核签字)", in.revision,
		    in.workspace, total, t->grade != NULL ? " → " : "",
		    t->grade != NULL ? t->grade : "");
		printf("Digest %s, signed with key %s.\n", hex, fp);
		if (r->workspace != NULL)
			printf("The workspace is now %s.\n", cli_phase_name(r->workspace->phase));
	}
	jixiao__workspace_reply__free_unpacked(r, NULL);
	return 0;
}

int
cmd_submit(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmd = { "submit", cmd_submit, "jx submit WS",
		"Signs the workspace as it is now with your key and submits it (签字提交):\n"
		"the digest covers every indicator, the budget facts, the findings and the\n"
		"history's head. Any change after this makes the submission stale.\n"
		"Evaluators only." };
	Jixiao__TreeReply *t = NULL;
	uint8_t digest[DIGEST_LEN];
	uint64_t ws;
	int rv;

	if ((rv = cli_ws_arg(&cmd, argc, argv, &ws)) >= 0)
		return rv;
	if ((rv = workflow_tree(cli, ws, 0, &t)) != 0)
		return rv;
	if ((rv = workflow_digest(cli, t, digest)) == 0)
		rv = workflow_sign(cli, t, DIGEST_SUBMIT, digest);
	jixiao__tree_reply__free_unpacked(t, NULL);
	return rv;
}

int
cmd_signoff(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmd = { "signoff", cmd_signoff, "jx signoff WS",
		"Signs off the submitted revision as a reviewer (复核签字). jx recomputes the\n"
		"digest of that revision itself and refuses to sign when it differs from the\n"
		"submission's. With enough sign-offs the workspace is final and read-only." };
	Jixiao__GetWorkspaceRequest in = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *w = NULL;
	Jixiao__TreeReply *t = NULL;
	const Jixiao__Signature *sub = NULL;
	uint8_t digest[DIGEST_LEN];
	int rv;

	if ((rv = cli_ws_arg(&cmd, argc, argv, &in.workspace)) >= 0)
		return rv;
	if ((rv = cli_call(cli, &jixiao__workspaces__descriptor, "Get", &in.base,
	    (ProtobufCMessage **)&w)) != 0)
		return rv;
	if (w->workspace == NULL || w->workspace->phase != JIXIAO__PHASE__PHASE_SUBMITTED) {
		rv = cli_error(EX_DATAERR, "workspace %" PRIu64 " is %s: there is no submission "
		    "to sign off", in.workspace, w->workspace != NULL ?
		    cli_phase_name(w->workspace->phase) : "unknown");
		goto out;
	}
	for (size_t i = w->workspace->n_signatures; i-- > 0 && sub == NULL;) {
		const Jixiao__Signature *s = w->workspace->signatures[i];
		if (strcmp(s->kind, DIGEST_SUBMIT) == 0 &&
		    s->revision == w->workspace->submitted_revision)
			sub = s;
	}
	if ((rv = workflow_tree(cli, in.workspace, w->workspace->submitted_revision, &t)) != 0 ||
	    (rv = workflow_digest(cli, t, digest)) != 0)
		goto out;
	if (sub == NULL || sub->digest.len != DIGEST_LEN ||
	    sodium_memcmp(sub->digest.data, digest, DIGEST_LEN) != 0) {
		rv = cli_error(EX_DATAERR, "the submission of revision %" PRIu64 " does not match "
		    "what jx computes from that revision: not signing (run jx verify %" PRIu64 ")",
		    w->workspace->submitted_revision, in.workspace);
		goto out;
	}
	rv = workflow_sign(cli, t, DIGEST_SIGNOFF, digest);
out:
	if (t != NULL)
		jixiao__tree_reply__free_unpacked(t, NULL);
	jixiao__workspace_reply__free_unpacked(w, NULL);
	return rv;
}

/* Prints the workspace after a workflow step. */
static int
workflow_done(struct cli *cli, Jixiao__WorkspaceReply *r, const char *what)
{
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		if (r->workspace != NULL)
			cli_json_workspace(j, "workspace", r->workspace);
		out_json_free(j);
	} else if (r->workspace != NULL) {
		printf("%s: workspace %" PRIu64 " is %s (version %u).\n", what, r->workspace->id,
		    cli_phase_name(r->workspace->phase),
		    r->workspace->has_version && r->workspace->version > 0 ?
		    r->workspace->version : 1);
	}
	jixiao__workspace_reply__free_unpacked(r, NULL);
	return 0;
}

int
cmd_reopen(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmd = { "reopen", cmd_reopen,
		"jx reopen WS --reason TEXT",
		"Reopens a final workspace as the draft of its next version (reviewers).\n"
		"The signed version stays in the history, verifiable." };
	Jixiao__ReopenRequest in = JIXIAO__REOPEN_REQUEST__INIT;
	Jixiao__WorkspaceReply *r;
	int rv;

	if ((rv = cli_ws_arg(&cmd, argc, argv, &in.workspace)) >= 0)
		return rv;
	if (cli->reason == NULL || cli->reason[0] == '\0')
		return cli_usage_error("say why with --reason TEXT: it is recorded in the history");
	in.reason = (char *)cli->reason;
	if ((rv = cli_call(cli, &jixiao__workflow__descriptor, "Reopen", &in.base,
	    (ProtobufCMessage **)&r)) != 0)
		return rv;
	return workflow_done(cli, r, "Reopened");
}

int
cmd_comment(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmd = { "comment", cmd_comment,
		"jx comment WS TEXT | jx comment WS --end",
		"The evaluated unit's comments on a submitted workspace (征求意见), recorded in\n"
		"its history; --end closes the round (evaluators and reviewers) so reviewers\n"
		"can sign off." };
	static const struct option opts[] = {
		{ "end", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__CommentRequest in = JIXIAO__COMMENT_REQUEST__INIT;
	Jixiao__GetWorkspaceRequest end = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *r;
	bool ending = false;
	uint64_t ws;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&cmd, "  --end  close the comment round\n");
			return 0;
		}
		if (c != 'e')
			return EX_USAGE;
		ending = true;
	}
	if (argc - optind != (ending ? 1 : 2))
		return cli_usage_error("usage: %s", cmd.usage);
	if (cli_parse_id(argv[optind], "the workspace", &ws) != 0)
		return EX_USAGE;
	if (ending) {
		end.workspace = ws;
		rv = cli_call(cli, &jixiao__workflow__descriptor, "EndComments", &end.base,
		    (ProtobufCMessage **)&r);
	} else {
		in.workspace = ws;
		in.text = argv[optind + 1];
		rv = cli_call(cli, &jixiao__workflow__descriptor, "Comment", &in.base,
		    (ProtobufCMessage **)&r);
	}
	if (rv != 0)
		return rv;
	return workflow_done(cli, r, ending ? "Comment round closed" : "Comment recorded");
}

static int
workflow_parse_on(const char *s, bool *on)
{
	if (strcmp(s, "on") == 0 || strcmp(s, "yes") == 0)
		*on = true;
	else if (strcmp(s, "off") == 0 || strcmp(s, "no") == 0)
		*on = false;
	else
		return -1;
	return 0;
}

int
cmd_workflow(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmd = { "workflow", cmd_workflow,
		"jx workflow WS [--signoffs N] [--comment-round on|off]",
		"Shows how workspace WS becomes final, or sets it (admins, while a draft):\n"
		"how many reviewers sign off (1 to 5), and whether the evaluated unit comments\n"
		"before they do." };
	static const struct option opts[] = {
		{ "signoffs", required_argument, NULL, 's' },
		{ "comment-round", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__WorkflowSettingsRequest in = JIXIAO__WORKFLOW_SETTINGS_REQUEST__INIT;
	Jixiao__GetWorkspaceRequest get = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *r;
	bool on, set = false;
	char *end;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_help(&cmd, "  --signoffs N            reviewers' sign-offs needed (1-5)\n"
				       "  --comment-round on|off  the unit comments before sign-off\n");
			return 0;
		case 's':
			in.signoffs_required = (uint32_t)strtoul(optarg, &end, 10);
			if (*end != '\0' || optarg[0] == '-' || in.signoffs_required < 1 ||
			    in.signoffs_required > 5)
				return cli_usage_error("--signoffs is 1 to 5, not %s", optarg);
			in.has_signoffs_required = 1;
			set = true;
			break;
		case 'c':
			if (workflow_parse_on(optarg, &on) != 0)
				return cli_usage_error("--comment-round is on or off, not %s", optarg);
			in.has_comment_round = 1;
			in.comment_round = on;
			set = true;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", cmd.usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0)
		return EX_USAGE;
	get.workspace = in.workspace;
	rv = set ? cli_call(cli, &jixiao__workflow__descriptor, "Settings", &in.base,
	    (ProtobufCMessage **)&r) : cli_call(cli, &jixiao__workspaces__descriptor, "Get",
	    &get.base, (ProtobufCMessage **)&r);
	if (rv != 0)
		return rv;
	if (!cli->json && r->workspace != NULL) {
		cli_print_workspace(r->workspace);
		jixiao__workspace_reply__free_unpacked(r, NULL);
		return 0;
	}
	return workflow_done(cli, r, "Set");
}
