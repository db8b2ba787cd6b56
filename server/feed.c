#include "feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>

#include "err.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "proto/jixiao.pb-c.h"
#include "store.h"
#include "tls.h"

/* A packed FeedNotice: two varint fields of at most 10 bytes, with their tags. */
#define FEED_NOTICE_MAX 22

struct feed {
	nng_socket sock;
	char url[512];
};

/* Subscribers come and go: counted for the metrics. */
static void
feed_pipe_event(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	metrics_subscribers(ev == NNG_PIPE_EV_ADD_POST ? 1 : -1);
}

int
feed_open(const char *url, struct listen *ls, struct feed **fp, char *why, size_t whylen)
{
	struct feed *f;
	int rv;

	*fp = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return JX_EINTERNAL;
	if ((rv = nng_pub0_open(&f->sock)) != 0) {
		free(f);
		snprintf(why, whylen, "cannot open the feed socket: %s", nng_strerror(rv));
		return JX_EINTERNAL;
	}
	nng_pipe_notify(f->sock, NNG_PIPE_EV_ADD_POST, feed_pipe_event, f);
	nng_pipe_notify(f->sock, NNG_PIPE_EV_REM_POST, feed_pipe_event, f);
	if (url == NULL) {
		*fp = f;
		return JX_OK;
	}
	if ((rv = listen_add(ls, f->sock, url, f->url, sizeof(f->url))) != 0) {
		nng_close(f->sock);
		free(f);
		snprintf(why, whylen, "cannot publish the feed on %s: %s", url,
		    tls_url(url) && rv == NNG_EINVAL ? "it needs --tls-cert FILE and "
		    "--tls-key FILE" : nng_strerror(rv));
		return JX_EINVAL;
	}
	*fp = f;
	return JX_OK;
}

const char *
feed_url(const struct feed *f)
{
	return f != NULL && f->url[0] != '\0' ? f->url : NULL;
}

nng_socket
feed_socket(const struct feed *f)
{
	return f->sock;
}

void
feed_publish(struct feed *f, uint64_t ws, uint64_t revision)
{
	Jixiao__FeedNotice notice = JIXIAO__FEED_NOTICE__INIT;
	uint8_t buf[8 + FEED_NOTICE_MAX];
	nng_msg *msg;
	size_t len;
	int rv;

	if (f == NULL)
		return;
	notice.workspace = ws;
	notice.revision = revision;
	store_key_u64(buf, ws);
	len = 8 + protobuf_c_message_pack(&notice.base, buf + 8);
	if (nng_msg_alloc(&msg, 0) != 0)
		return;
	if (nng_msg_append(msg, buf, len) != 0) {
		nng_msg_free(msg);
		return;
	}
	/* PUB never blocks: a slow subscriber loses messages, and resumes from history. */
	if ((rv = nng_sendmsg(f->sock, msg, NNG_FLAG_NONBLOCK)) != 0) {
		nng_msg_free(msg);
		log_debug("feed: %s", nng_strerror(rv));
	}
}

void
feed_close(struct feed *f)
{
	if (f == NULL)
		return;
	nng_close(f->sock);
	free(f);
}
