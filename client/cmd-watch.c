/*
 * jx watch WS: a workspace's changes as they are committed. The feed (nng PUB, no
 * login) only says "workspace W is at revision N" (FeedNotice); each notice of a newer
 * revision makes jx fetch the changes through the authenticated History.ChangesSince,
 * which also fills every gap the feed dropped or a broken connection left: each
 * revision is shown once, and only to those who may read the workspace.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>

#include "cli.h"
#include "dial.h"
#include "err.h"

#define WATCH_POLL_MS 1000
/* How often the history is asked anyway, in case the feed silently lost the last one. */
#define WATCH_CHECK_MS 5000

static const struct cli_command watch_command = { "watch", cmd_watch,
	"jx watch WS [--from REV] [--count N] [--feed URL]",
	"Prints a workspace's changes live, as they are committed. --from REV first shows the\n"
	"history from that revision; --count N stops after N changes. Gaps in the live feed\n"
	"are filled from the history, so every revision is shown exactly once. The feed\n"
	"itself only says which revision a workspace is at; the changes are fetched with\n"
	"your login, so you see only workspaces you may read." };

struct watch {
	struct cli *cli;
	uint64_t ws, last;   /* the newest revision shown */
	uint64_t count, shown;
	struct out_json *j;
};

static void
watch_show(struct watch *w, const Jixiao__Change *ch)
{
	if (ch->revision <= w->last || (w->count != 0 && w->shown >= w->count))
		return;
	if (w->j != NULL) {
		cli_print_change(ch, w->j);
		out_json_free(w->j);
		w->j = out_json_new(stdout);
	} else {
		cli_print_change(ch, NULL);
	}
	fflush(stdout);
	w->last = ch->revision;
	w->shown++;
}

/* Shows every change after w->last from the history. Returns a sysexits code. */
static int
watch_catch_up(struct watch *w)
{
	for (;;) {
		Jixiao__ChangesSinceRequest in = JIXIAO__CHANGES_SINCE_REQUEST__INIT;
		Jixiao__LogReply *out;
		size_t n;
		int rv;

		in.workspace = w->ws;
		in.after = w->last;
		if ((rv = cli_call(w->cli, &jixiao__history__descriptor, "ChangesSince", &in.base,
		    (ProtobufCMessage **)&out)) != 0)
			return rv;
		n = out->n_changes;
		for (size_t i = 0; i < n; i++)
			watch_show(w, out->changes[i]);
		jixiao__log_reply__free_unpacked(out, NULL);
		if (n == 0 || (w->count != 0 && w->shown >= w->count))
			return 0;
	}
}

static long long
watch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The feed's address: --feed, or what the server says. */
static int
watch_feed_url(struct cli *cli, const char *given, char *url, size_t len)
{
	Jixiao__VersionRequest in = JIXIAO__VERSION_REQUEST__INIT;
	Jixiao__VersionReply *out;
	int rv;

	if (given != NULL) {
		snprintf(url, len, "%s", given);
		return 0;
	}
	if ((rv = cli_call(cli, &jixiao__system__descriptor, "Version", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	rv = out->feed != NULL && out->feed[0] != '\0' ? 0 : EX_UNAVAILABLE;
	if (rv == 0)
		snprintf(url, len, "%s", out->feed);
	else
		cli_error(0, "jixiaod publishes no change feed; start it with --feed URL");
	jixiao__version_reply__free_unpacked(out, NULL);
	return rv;
}

static int
watch_head(struct cli *cli, uint64_t ws, uint64_t *head)
{
	Jixiao__GetWorkspaceRequest in = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
	Jixiao__WorkspaceReply *out;
	int rv;

	in.workspace = ws;
	if ((rv = cli_call(cli, &jixiao__workspaces__descriptor, "Get", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	*head = out->workspace->revision;
	jixiao__workspace_reply__free_unpacked(out, NULL);
	return 0;
}

int
cmd_watch(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "feed", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch w = { .cli = cli };
	const char *feed = NULL;
	char url[512], why[600];
	uint64_t from = 0;
	uint8_t topic[8];
	nng_socket sub;
	long long checked;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&watch_command, "  --from REV  show the history from REV first\n"
						 "  --count N   stop after N changes\n"
						 "  --feed URL  the feed's address (default: the server's)\n");
			return 0;
		}
		if (c == 'u')
			feed = optarg;
		else if (c == 'f' && cli_parse_id(optarg, "the revision", &from) == 0)
			continue;
		else if (c == 'c' && cli_parse_id(optarg, "the count", &w.count) == 0)
			continue;
		else
			return EX_USAGE;
	}
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", watch_command.usage);
	if (cli_parse_id(argv[optind], "the workspace", &w.ws) != 0)
		return EX_USAGE;
	if ((rv = watch_feed_url(cli, feed, url, sizeof(url))) != 0)
		return rv;
	/* Subscribe before reading the head, so nothing committed in between is missed. */
	if (nng_sub0_open(&sub) != 0)
		return cli_error(EX_OSERR, "cannot open a socket");
	for (int i = 7; i >= 0; i--)
		topic[7 - i] = (uint8_t)(w.ws >> (8 * i));
	nng_socket_set(sub, NNG_OPT_SUB_SUBSCRIBE, topic, sizeof(topic));
	nng_socket_set_ms(sub, NNG_OPT_RECVTIMEO, WATCH_POLL_MS);
	nng_socket_set_size(sub, NNG_OPT_RECVMAXSZ, (size_t)64 << 10); /* notices: a few bytes */
	/* Without waiting: the feed may come up later, and the history fills the gap. */
	if ((rv = dial_start(sub, url, cli->ca, false, why, sizeof(why))) != 0) {
		nng_close(sub);
		return cli_error(rv == JX_EINVAL ? EX_USAGE : EX_UNAVAILABLE,
		    "cannot subscribe to the change feed: %s", why);
	}
	if (from > 0) {
		w.last = from - 1;
	} else if ((rv = watch_head(cli, w.ws, &w.last)) != 0) {
		nng_close(sub);
		return rv;
	}
	if (cli->json)
		w.j = out_json_new(stdout);
	rv = watch_catch_up(&w);
	checked = watch_ms();
	while (rv == 0 && (w.count == 0 || w.shown < w.count)) {
		nng_msg *msg;
		int r = nng_recvmsg(sub, &msg, 0);

		if (r == 0) {
			Jixiao__FeedNotice *n = NULL;
			if (nng_msg_len(msg) > 8)
				n = jixiao__feed_notice__unpack(NULL, nng_msg_len(msg) - 8,
				    (uint8_t *)nng_msg_body(msg) + 8);
			nng_msg_free(msg);
			if (n == NULL)
				continue;
			/* Newer than what was shown: the changes come by login, gaps included. */
			if (n->workspace == w.ws && n->revision > w.last) {
				rv = watch_catch_up(&w);
				checked = watch_ms();
			}
			jixiao__feed_notice__free_unpacked(n, NULL);
		} else if (r != NNG_ETIMEDOUT) {
			rv = cli_error(EX_UNAVAILABLE, "the change feed failed: %s", nng_strerror(r));
		}
		if (rv == 0 && watch_ms() - checked >= WATCH_CHECK_MS) {
			rv = watch_catch_up(&w);
			checked = watch_ms();
		}
	}
	nng_close(sub);
	out_json_free(w.j);
	return rv;
}
