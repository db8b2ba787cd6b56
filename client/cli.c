#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "decimal.h"
#include "envelope.h"
#include "err.h"
#include "key.h"
#include "kind.h"
#include "target.h"

/* Under --json every failure is also told on stdout as {"error": ...}, once. */
static bool cli_json_mode, cli_json_told;
/* The last sentence said on stderr, for the JSON of a usage error. */
static char cli_last[512];

static void cli_vsay(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void
cli_vsay(const char *fmt, va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	vsnprintf(cli_last, sizeof(cli_last), fmt, copy);
	va_end(copy);
	fprintf(stderr, "jx: %s\n", cli_last);
}

static void
cli_json_usage(const char *message)
{
	struct out_json *j;

	if (!cli_json_mode || cli_json_told)
		return;
	cli_json_told = true;
	j = out_json_new(stdout);
	out_json_object(j, NULL);
	out_json_object(j, "error");
	out_json_string(j, "code", "USAGE");
	out_json_string(j, "message", message);
	out_json_free(j);
}

void
cli_set_json(bool on)
{
	cli_json_mode = on;
}

void
cli_usage_json(void)
{
	cli_json_usage(cli_last[0] != '\0' ? cli_last
					  : "the command line is not one jx understands (see jx --help)");
}

int
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vsay(fmt, ap);
	va_end(ap);
	cli_json_usage(cli_last);
	return EX_USAGE;
}

/* Edit distance with transpositions ("scroe" is one from "score"), capped at 3. */
static size_t
cli_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[24][24];

	if (la >= 24 || lb >= 24)
		return 3;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb] < 3 ? d[la][lb] : 3;
}

const char *
cli_suggest(const char *word, const struct cli_command *cmds, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3, d;

	for (size_t i = 0; i < n; i++) {
		/* One edit for short names, two for longer ones; a prefix counts too. */
		d = cli_distance(word, cmds[i].name);
		if (d > (strlen(cmds[i].name) > 4 ? 2u : 1u) &&
		    !(strlen(word) >= 2 && strncmp(cmds[i].name, word, strlen(word)) == 0))
			continue;
		if (strncmp(cmds[i].name, word, strlen(word)) == 0 && strlen(word) >= 2)
			d = 1;
		if (best == NULL || d < best_d) {
			best = cmds[i].name;
			best_d = d;
		}
	}
	return best;
}

/* The scheme of url is one jx can dial. */
static bool
cli_known_scheme(const char *url)
{
	static const char *const schemes[] = { "ipc://", "tcp://", "tcp4://", "tcp6://",
		"tls+tcp://", "tls+tcp4://", "tls+tcp6://", "ws://", "wss://" };

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncmp(url, schemes[i], strlen(schemes[i])) == 0)
			return true;
	return false;
}

int
cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vsay(fmt, ap);
	va_end(ap);
	return code;
}

int
cli_exit_code(int err)
{
	switch (err) {
	case JX_OK:
		return 0;
	case JX_EINVAL:
	case JX_EPRECOND:
		return EX_DATAERR;
	case JX_ENOTFOUND:
		return EX_NOINPUT;
	case JX_EEXIST:
		return EX_CANTCREAT;
	case JX_EPERM:
	case JX_EUNAUTH:
		return EX_NOPERM;
	case JX_EABORTED:
		return EX_TEMPFAIL;
	case JX_ENOSPC:
		/* The server is out of room (its disk, its store or a size limit). */
		return EX_IOERR;
	case JX_EUNAVAIL:
		return EX_UNAVAILABLE;
	default:
		return EX_SOFTWARE;
	}
}

void
cli_help(const struct cli_command *cmd, const char *details)
{
	printf("usage: %s\n\n%s\n", cmd->usage, cmd->summary);
	if (details != NULL)
		printf("\n%s", details);
	printf("\nGlobal options: --server URL, --key FILE, --ca FILE, --reason TEXT, --json (see "
	       "jx --help).\n");
}

int
cli_plain_args(const struct cli_command *cmd, int argc, char **argv, int nargs)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c != 'h')
			return EX_USAGE;
		cli_help(cmd, NULL);
		return 0;
	}
	if (argc - optind != nargs)
		return cli_usage_error("usage: %s", cmd->usage);
	return -1;
}

int
cli_ws_arg(const struct cli_command *cmd, int argc, char **argv, uint64_t *ws)
{
	int rv = cli_plain_args(cmd, argc, argv, 1);

	if (rv >= 0)
		return rv;
	return cli_parse_id(argv[optind], "the workspace", ws) == 0 ? -1 : EX_USAGE;
}

int
cli_dispatch(struct cli *cli, const char *group, const struct cli_command *cmds, size_t n,
    int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		printf("usage: jx %s COMMAND [options]\n\ncommands:\n", group);
		for (size_t i = 0; i < n; i++)
			printf("  %-10s %s\n", cmds[i].name, cmds[i].summary);
		printf("\nRun 'jx %s COMMAND --help' for a command's options.\n", group);
		return argc < 2 ? EX_USAGE : 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(cli, argc - 1, argv + 1);
	/* ls and list are one verb in every group. */
	if (strcmp(argv[1], "ls") == 0 || strcmp(argv[1], "list") == 0) {
		const char *other = argv[1][1] == 's' ? "list" : "ls";
		for (size_t i = 0; i < n; i++)
			if (strcmp(other, cmds[i].name) == 0)
				return cmds[i].run(cli, argc - 1, argv + 1);
	}
	{
		const char *near = cli_suggest(argv[1], cmds, n);
		if (near != NULL)
			return cli_usage_error("'%s' is not a jx %s command; did you mean 'jx %s %s'? "
			    "(see jx %s --help)", argv[1], group, group, near, group);
	}
	return cli_usage_error("'%s' is not a jx %s command (see jx %s --help)", argv[1], group,
	    group);
}

int
cli_config_path(const char *name, char *buf, size_t len)
{
	const char *base = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (base != NULL && base[0] != '\0')
		n = snprintf(buf, len, "%s/jixiao/%s", base, name);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, len, "%s/.config/jixiao/%s", home, name);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
cli_config_mkdir(void)
{
	char dir[4096], *slash;

	if (cli_config_path("", dir, sizeof(dir)) != 0)
		return -1;
	dir[strlen(dir) - 1] = '\0';
	/* The parent (~/.config) first, then ours, private. */
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		*slash = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

int
cli_secret_key(struct cli *cli, uint8_t sk[64])
{
	char why[600];

	if (cli->key == NULL)
		return cli_error(EX_CONFIG, "jx does not know where your key is: set "
		    "XDG_CONFIG_HOME or HOME, or pass --key FILE");
	if (access(cli->key, F_OK) != 0)
		return cli_error(EX_NOPERM, "you have no key at %s: make one with jx keygen, and "
		    "ask an admin to add its .pub file (jx user add NAME FILE.pub)", cli->key);
	if (key_load_secret(cli->key, sk, why, sizeof(why)) != 0)
		return cli_error(EX_NOPERM, "%s", why);
	return 0;
}

static int
cli_connect(struct cli *cli)
{
	struct client_identity id = { 0 };
	uint8_t sk[KEY_SECRET_LEN];
	char why[600], known[4096];
	int rv;

	if (cli->client != NULL)
		return JX_OK;
	/* No key yet is fine for ping and version; the server says when one is needed. */
	if (cli->key != NULL && access(cli->key, F_OK) == 0) {
		if (cli_secret_key(cli, sk) != 0)
			return JX_EUNAUTH;
		id.secret_key = sk;
	}
	if (cli_config_path("known_servers", known, sizeof(known)) == 0 && cli_config_mkdir() == 0)
		id.known_servers = known;
	id.ca_file = cli->ca;
	rv = client_open(cli->server, &id, &cli->client, why, sizeof(why));
	sodium_memzero(sk, sizeof(sk));
	if (rv != 0)
		cli_error(0, "%s", why);
	else if (cli->reason != NULL && client_set_reason(cli->client, cli->reason) != 0)
		rv = JX_EINTERNAL;
	return rv;
}

static void
cli_json_error(int code, const char *message, const ProtobufCMessage *current)
{
	struct out_json *j = out_json_new(stdout);

	cli_json_told = true;
	out_json_object(j, NULL);
	out_json_object(j, "error");
	out_json_string(j, "code", jx_errname(code));
	out_json_string(j, "message", message);
	if (current != NULL && current->descriptor == &jixiao__node_reply__descriptor &&
	    ((const Jixiao__NodeReply *)current)->node != NULL)
		cli_json_node(j, "current", ((const Jixiao__NodeReply *)current)->node);
	if (current != NULL && current->descriptor == &jixiao__finding_reply__descriptor &&
	    ((const Jixiao__FindingReply *)current)->finding != NULL)
		cli_json_finding(j, "current", ((const Jixiao__FindingReply *)current)->finding);
	out_json_free(j);
}

int
cli_call(struct cli *cli, const ProtobufCServiceDescriptor *service, const char *method,
    const ProtobufCMessage *input, ProtobufCMessage **output)
{
	char message[ENVELOPE_MESSAGE_MAX + 128];
	int rv;

	*output = NULL;
	if (!cli_known_scheme(cli->server))
		return cli_usage_error("--server %s: jx reaches jixiaod at ipc:///PATH, "
		    "tcp://HOST:PORT or tls+tcp://HOST:PORT (tcp4, tcp6, ws://, wss:// too), not "
		    "at this address", cli->server);
	if ((rv = cli_connect(cli)) != 0) {
		if (cli->json)
			cli_json_error(rv, "cannot reach the server", NULL);
		return cli_exit_code(rv);
	}
	rv = client_call(cli->client, service, method, input, output, message, sizeof(message));
	if (rv == JX_OK) {
		/* A success can carry a warning: someone's claim, an override. */
		if (message[0] != '\0')
			cli_error(0, "note: %s", message);
		return 0;
	}
	cli_error(0, "%s", message);
	if (cli->json)
		cli_json_error(rv, message, *output);
	/* Only a conflict's reply (the current state) is the caller's to show and free. */
	if (rv != JX_EABORTED && *output != NULL) {
		protobuf_c_message_free_unpacked(*output, NULL);
		*output = NULL;
	}
	return cli_exit_code(rv);
}

int
cli_parse_id(const char *s, const char *what, uint64_t *id)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || s[0] == '-') {
		cli_error(0, "%s must be a positive number, not '%s'", what, s);
		return -1;
	}
	*id = v;
	return 0;
}

int
cli_parse_points(const char *s, const char *what, int64_t *v)
{
	if (dec_parse_written(s, strlen(s), v) != 0) {
		cli_error(0, "%s must be a number with at most two decimals, like 4.88 or "
		    "1,164.43, not '%s'", what, s);
		return -1;
	}
	return 0;
}

int
cli_parse_year(const char *s, uint32_t *year)
{
	uint64_t v;

	if (cli_parse_id(s, "the fiscal year", &v) != 0)
		return -1;
	if (v < 1990 || v > 2200) {
		cli_error(0, "the fiscal year must be between 1990 and 2200, not %s", s);
		return -1;
	}
	*year = (uint32_t)v;
	return 0;
}

int
cli_parse_kind(const char *s, Jixiao__Kind *kind)
{
	if (kind_parse(s, kind) == 0)
		return 0;
	cli_error(0, "the kind must be target-declaration (绩效目标申报), self-evaluation "
	    "(绩效自评) or key-evaluation (重点绩效评价), not '%s'", s);
	return -1;
}

const char *
cli_kind_name(Jixiao__Kind kind)
{
	return kind_name(kind);
}

const char *
cli_kind_zh(Jixiao__Kind kind)
{
	return kind_zh(kind);
}

const char *
cli_state_name(Jixiao__WorkspaceState state)
{
	switch (state) {
	case JIXIAO__WORKSPACE_STATE__ACTIVE:
		return "active";
	case JIXIAO__WORKSPACE_STATE__ARCHIVED:
		return "archived";
	default:
		return "unknown";
	}
}

const char *
cli_time(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || localtime_r(&tt, &tm) == NULL)
		snprintf(buf, 32, "-");
	else
		strftime(buf, 32, "%Y-%m-%d %H:%M", &tm);
	return buf;
}

void
cli_json_members(struct out_json *j, const Jixiao__Workspace *ws)
{
	out_json_array(j, "members");
	for (size_t i = 0; i < ws->n_members; i++) {
		out_json_object(j, NULL);
		out_json_string(j, "user", ws->members[i]->user);
		out_json_string(j, "role", cli_role_name(ws->members[i]->role));
		out_json_end(j);
	}
	out_json_end(j);
}

void
cli_json_workspace(struct out_json *j, const char *key, const Jixiao__Workspace *ws)
{
	out_json_object(j, key);
	out_json_uint(j, "id", ws->id);
	out_json_string(j, "subject", ws->subject);
	if (ws->has_subject_id)
		out_json_uint(j, "subject_id", ws->subject_id);
	out_json_uint(j, "fiscal_year", ws->fiscal_year);
	out_json_string(j, "kind", cli_kind_name(ws->kind));
	out_json_string(j, "state", cli_state_name(ws->state));
	out_json_uint(j, "revision", ws->revision);
	out_json_string(j, "title", ws->title);
	out_json_string(j, "department", ws->department);
	out_json_string(j, "unit", ws->unit);
	out_json_string(j, "goal", ws->goal);
	out_json_string(j, "lead", ws->lead);
	out_json_string(j, "template", ws->template_id);
	if (ws->has_template_version)
		out_json_uint(j, "template_version", ws->template_version);
	out_json_int(j, "created_at", ws->created_at);
	out_json_string(j, "created_by", ws->created_by);
	out_json_int(j, "updated_at", ws->updated_at);
	out_json_string(j, "phase", cli_phase_name(ws->phase));
	out_json_uint(j, "version", ws->has_version && ws->version > 0 ? ws->version : 1);
	if (ws->phase != JIXIAO__PHASE__PHASE_DRAFT)
		out_json_uint(j, "submitted_revision", ws->submitted_revision);
	out_json_uint(j, "signoffs_required",
	    ws->has_signoffs_required && ws->signoffs_required > 0 ? ws->signoffs_required : 1);
	out_json_bool(j, "comment_round", ws->has_comment_round && ws->comment_round);
	out_json_string(j, "reopen_reason", ws->reopen_reason);
	cli_json_members(j, ws);
	out_json_array(j, "signatures");
	for (size_t i = 0; i < ws->n_signatures; i++) {
		const Jixiao__Signature *sg = ws->signatures[i];
		char hex[2 * 64 + 1];
		out_json_object(j, NULL);
		out_json_string(j, "kind", sg->kind);
		out_json_string(j, "user", sg->user);
		out_json_uint(j, "revision", sg->revision);
		out_json_uint(j, "version", sg->version);
		out_json_int(j, "time", sg->time);
		if (sg->public_key.len == 32) {
			key_hex(sg->public_key.data, 32, hex);
			out_json_string(j, "public_key", hex);
		}
		if (sg->digest.len == 32) {
			key_hex(sg->digest.data, 32, hex);
			out_json_string(j, "digest", hex);
		}
		if (sg->signature.len == 64) {
			key_hex(sg->signature.data, 64, hex);
			out_json_string(j, "signature", hex);
		}
		out_json_end(j);
	}
	out_json_end(j);
	out_json_end(j);
}

void
cli_json_node(struct out_json *j, const char *key, const Jixiao__Node *n)
{
	out_json_object(j, key);
	out_json_uint(j, "id", n->id);
	out_json_string(j, "code", n->code);
	out_json_uint(j, "parent_id", n->parent_id);
	out_json_string(j, "name", n->name);
	if (n->has_weight)
		out_json_hundredths(j, "weight", n->weight);
	else
		out_json_null(j, "weight");
	if (n->has_score)
		out_json_hundredths(j, "score", n->score);
	else
		out_json_null(j, "score");
	if (n->has_total)
		out_json_hundredths(j, "total", n->total);
	if (n->has_depth)
		out_json_uint(j, "depth", n->depth);
	if (n->has_unscored)
		out_json_uint(j, "unscored", n->unscored);
	out_json_string(j, "category", n->category);
	out_json_string(j, "criteria", n->criteria);
	out_json_string(j, "target", n->target);
	out_json_string(j, "actual", n->actual);
	out_json_string(j, "comment", n->comment);
	out_json_string(j, "method", n->method != NULL ? n->method : "manual");
	out_json_string(j, "params", n->params);
	if (n->has_stated)
		out_json_hundredths(j, "stated", n->stated);
	if (n->has_computed)
		out_json_bool(j, "computed", n->computed);
	if (n->has_vetoed && n->vetoed)
		out_json_bool(j, "vetoed", 1);
	if (n->note != NULL)
		out_json_string(j, "note", n->note);
	if (target_text_flagged(n->target))
		out_json_bool(j, "target_flagged", 1);
	if (n->claimed_by != NULL) {
		out_json_string(j, "claimed_by", n->claimed_by);
		out_json_int(j, "claimed_until", n->claimed_until);
	}
	if (n->n_marks > 0) {
		int64_t lo, hi;
		cli_marks_spread(n, &lo, &hi);
		out_json_array(j, "marks");
		for (size_t i = 0; i < n->n_marks; i++) {
			out_json_object(j, NULL);
			out_json_string(j, "user", n->marks[i]->user);
			out_json_hundredths(j, "score", n->marks[i]->score);
			out_json_string(j, "comment", n->marks[i]->comment);
			out_json_end(j);
		}
		out_json_end(j);
		out_json_hundredths(j, "spread", hi - lo);
		out_json_bool(j, "disagreement", cli_marks_disagree(n));
	}
	out_json_uint(j, "lineage", n->lineage != 0 ? n->lineage : n->id);
	out_json_uint(j, "revision", n->revision);
	out_json_string(j, "updated_by", n->updated_by);
	out_json_int(j, "updated_at", n->updated_at);
	out_json_end(j);
}

void
cli_marks_spread(const Jixiao__Node *n, int64_t *lo, int64_t *hi)
{
	*lo = *hi = n->n_marks > 0 ? n->marks[0]->score : 0;
	for (size_t i = 1; i < n->n_marks; i++) {
		if (n->marks[i]->score < *lo)
			*lo = n->marks[i]->score;
		if (n->marks[i]->score > *hi)
			*hi = n->marks[i]->score;
	}
}

bool
cli_marks_disagree(const Jixiao__Node *n)
{
	int64_t lo, hi;

	cli_marks_spread(n, &lo, &hi);
	/* Evaluators more than a fifth of the weight apart should talk it over. */
	return n->n_marks > 1 && n->has_weight && (hi - lo) * 5 > n->weight;
}

const char *
cli_phase_name(Jixiao__Phase p)
{
	switch (p) {
	case JIXIAO__PHASE__PHASE_SUBMITTED:
		return "submitted";
	case JIXIAO__PHASE__PHASE_COMMENT_ROUND:
		return "comment round";
	case JIXIAO__PHASE__PHASE_FINAL:
		return "final";
	default:
		return "draft";
	}
}

const char *
cli_role_name(Jixiao__Role r)
{
	switch (r) {
	case JIXIAO__ROLE__ROLE_ADMIN:
		return "admin";
	case JIXIAO__ROLE__ROLE_EVALUATOR:
		return "evaluator";
	case JIXIAO__ROLE__ROLE_REVIEWER:
		return "reviewer";
	case JIXIAO__ROLE__ROLE_UNIT:
		return "unit";
	case JIXIAO__ROLE__ROLE_OBSERVER:
		return "observer";
	default:
		return "none";
	}
}

void
cli_print_workspace(const Jixiao__Workspace *ws)
{
	char t[32];

	printf("workspace %" PRIu64 ": %s\n", ws->id, ws->subject);
	if (ws->title != NULL && ws->title[0] != '\0')
		printf("  title:       %s\n", ws->title);
	if (ws->department != NULL && ws->department[0] != '\0')
		printf("  主管部门:    %s\n", ws->department);
	if (ws->unit != NULL && ws->unit[0] != '\0')
		printf("  预算单位:    %s\n", ws->unit);
	if (ws->goal != NULL && ws->goal[0] != '\0')
		printf("  绩效目标:    %s\n", ws->goal);
	printf("  fiscal year: %u\n", ws->fiscal_year);
	printf("  kind:        %s (%s)\n", cli_kind_name(ws->kind), cli_kind_zh(ws->kind));
	printf("  state:       %s\n", cli_state_name(ws->state));
	if (ws->template_id != NULL)
		printf("  template:    %s version %u\n", ws->template_id, ws->template_version);
	printf("  revision:    %" PRIu64 "\n", ws->revision);
	printf("  phase:       %s", cli_phase_name(ws->phase));
	if (ws->phase != JIXIAO__PHASE__PHASE_DRAFT)
		printf(" (revision %" PRIu64 ")", ws->submitted_revision);
	printf(", version %u\n", ws->has_version && ws->version > 0 ? ws->version : 1);
	printf("  sign-off:    %u reviewer%s%s\n",
	    ws->has_signoffs_required && ws->signoffs_required > 0 ? ws->signoffs_required : 1,
	    ws->has_signoffs_required && ws->signoffs_required > 1 ? "s" : "",
	    ws->has_comment_round && ws->comment_round ?
	    ", after the unit's comment round (征求意见)" : "");
	for (size_t i = 0; i < ws->n_signatures; i++) {
		const Jixiao__Signature *sg = ws->signatures[i];
		char fp[KEY_FINGERPRINT_LEN];
		if (sg->public_key.len == KEY_PUBLIC_LEN)
			key_fingerprint(sg->public_key.data, fp);
		else
			snprintf(fp, sizeof(fp), "?");
		printf("  %-12s %s by %s (key %s) on r%" PRIu64 ", version %u, %s\n",
		    strcmp(sg->kind, "submit") == 0 ? "submitted:" : "signed off:",
		    strcmp(sg->kind, "submit") == 0 ? "签字提交" : "复核签字", sg->user, fp,
		    sg->revision, sg->version, cli_time(sg->time, t));
	}
	if (ws->reopen_reason != NULL)
		printf("  reopened:    %s\n", ws->reopen_reason);
	if (ws->n_members > 0) {
		printf("  members:    ");
		for (size_t i = 0; i < ws->n_members; i++)
			printf(" %s (%s)", ws->members[i]->user,
			    cli_role_name(ws->members[i]->role));
		printf("\n");
	}
	printf("  created:     %s by %s\n", cli_time(ws->created_at, t),
	    ws->created_by != NULL ? ws->created_by : "-");
}
