/*
 * What a hostile or broken peer can send a real jixiaod: garbage bytes, half an SP
 * handshake then a hang-up (nng issue 1518), frames that lie about their length,
 * oversized frames, undecodable envelopes. Afterwards the daemon still answers
 * Ping and nothing has changed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "daemon.h"
#include "envelope.h"
#include "err.h"

static int
setup(void **state)
{
	struct jxd *d = calloc(1, sizeof(*d));

	jxd_start(d, true);
	assert_true(d->tcp_url[0] != '\0');
	assert_int_equal(jxd_jx(d, NULL, NULL, "ws", "create", "--subject", "测试", "--year",
	    "2023", "--kind", "self-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "add", "1", "产出", "--weight", "20",
	    NULL), 0);
	*state = d;
	return 0;
}

static int
teardown(void **state)
{
	struct jxd *d = *state;

	jxd_cleanup(d);
	free(d);
	return 0;
}

static int
tcp_port(const struct jxd *d)
{
	const char *colon = strrchr(d->tcp_url, ':');

	assert_non_null(colon);
	return (int)strtol(colon + 1, NULL, 10);
}

/* Connects a plain TCP socket to the daemon's tcp listener. */
static int
raw_connect(const struct jxd *d)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	struct timeval tv = { 5, 0 };

	sa.sin_port = htons((uint16_t)tcp_port(d));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A daemon that stops answering fails the test instead of hanging it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
raw_send(int fd, const void *buf, size_t len)
{
	assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* The SP header a REQ peer sends: "\0SP\0", protocol 0x30 (req), reserved. */
static const uint8_t sp_req_header[8] = { 0, 'S', 'P', 0, 0, 0x30, 0, 0 };

/* The state a healthy daemon must still be in. */
static void
assert_daemon_intact(struct jxd *d)
{
	char *out;

	assert_int_equal(jxd_jx(d, NULL, NULL, "ping", NULL), 0);
	assert_int_equal(jxd_jx(d, &out, NULL, "tree", "1", "--json", NULL), 0);
	assert_non_null(strstr(out, "\"revision\": 2,"));
	assert_non_null(strstr(out, "\"name\": \"产出\""));
	free(out);
	assert_int_equal(jxd_jx(d, &out, NULL, "ws", "list", "--all", "--json", NULL), 0);
	assert_null(strstr(out, "\"id\": 2"));
	free(out);
}

static void
garbage_and_half_handshakes_do_not_upset_the_listener(void **state)
{
	struct jxd *d = *state;
	uint8_t junk[4096];
	int fd;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	/* Garbage instead of a handshake. */
	fd = raw_connect(d);
	raw_send(fd, junk, sizeof(junk));
	close(fd);
	/* Connect and hang up at once, and after every prefix of a handshake. */
	for (int round = 0; round < 20; round++) {
		for (size_t cut = 0; cut < sizeof(sp_req_header); cut++) {
			fd = raw_connect(d);
			if (cut > 0)
				raw_send(fd, sp_req_header, cut);
			close(fd);
		}
	}
	assert_daemon_intact(d);
}

static void
frames_that_lie_about_their_length(void **state)
{
	struct jxd *d = *state;
	uint8_t hdr[8], buf[64];
	int fd;

	/* A valid handshake, then a frame claiming 1 TiB. */
	fd = raw_connect(d);
	raw_send(fd, sp_req_header, sizeof(sp_req_header));
	memset(hdr, 0, sizeof(hdr));
	hdr[2] = 1; /* 2^40 bytes, big-endian */
	raw_send(fd, hdr, sizeof(hdr));
	recv(fd, buf, sizeof(buf), 0);
	close(fd);
	/* A frame claiming 100 bytes that sends 10 and hangs up. */
	fd = raw_connect(d);
	raw_send(fd, sp_req_header, sizeof(sp_req_header));
	memset(hdr, 0, sizeof(hdr));
	hdr[7] = 100;
	raw_send(fd, hdr, sizeof(hdr));
	raw_send(fd, "\x80\0\0\1garbag", 10);
	close(fd);
	assert_daemon_intact(d);
}

/*
 * A frame that really is larger than the daemon accepts, sent whole over raw TCP (an
 * nng REQ socket left with such a send pending can hang in nng_close on 1.5.2, so the
 * client side is done by hand): the daemon drops the connection and carries on.
 */
static void
oversized_frame_is_dropped(void **state)
{
	struct jxd *d = *state;
	size_t big = ENVELOPE_MAX + 4096, sent = 0;
	uint8_t hdr[8], *buf = calloc(1, big), reply[64];
	ssize_t n;
	int fd;

	assert_non_null(buf);
	fd = raw_connect(d);
	raw_send(fd, sp_req_header, sizeof(sp_req_header));
	for (int i = 0; i < 8; i++)
		hdr[i] = (uint8_t)((uint64_t)big >> (8 * (7 - i)));
	raw_send(fd, hdr, sizeof(hdr));
	buf[0] = 0x80; /* a REQ request id, then zeros */
	while (sent < big && (n = send(fd, buf + sent, big - sent, MSG_NOSIGNAL)) > 0)
		sent += (size_t)n;
	/* No reply ever comes: the peer's header, then the end of the connection. */
	while ((n = recv(fd, reply, sizeof(reply), 0)) > 0)
		assert_true(n <= 8);
	/* Closed by the daemon, not merely silent until our time-out. */
	assert_true(n == 0 || errno == ECONNRESET);
	close(fd);
	free(buf);
	assert_daemon_intact(d);
}

static void
undecodable_envelopes_get_an_error_reply(void **state)
{
	struct jxd *d = *state;
	static const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01 };
	Jixiao__Request r = JIXIAO__REQUEST__INIT;
	uint8_t frame[128];
	nng_socket s;
	char *msg;
	ProtobufCMessage *out;
	void *reply;
	size_t len;
	int code;

	assert_int_equal(nng_req0_open(&s), 0);
	nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 5000);
	assert_int_equal(nng_dial(s, d->url, NULL, 0), 0);
	/* Garbage, an empty frame, a bad method index, a truncated payload. */
	r.protocol = JIXIAO__PROTOCOL__PROTOCOL_VERSION;
	r.service = "jixiao.Tree";
	r.method = 200;
	size_t n = jixiao__request__pack(&r, frame);
	struct { const void *buf; size_t len; } cases[] = {
		{ junk, sizeof(junk) }, { "", 0 }, { frame, n }, { frame, n - 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(nng_send(s, (void *)cases[i].buf, cases[i].len, 0), 0);
		assert_int_equal(nng_recv(s, &reply, &len, NNG_FLAG_ALLOC), 0);
		assert_int_equal(envelope_reply_unpack(reply, len, NULL, &code, &msg, &out), 0);
		assert_int_equal(code, JX_EINVAL);
		assert_non_null(msg);
		free(msg);
		nng_free(reply, len);
	}
	nng_close(s);
	assert_daemon_intact(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(garbage_and_half_handshakes_do_not_upset_the_listener,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(frames_that_lie_about_their_length, setup, teardown),
		cmocka_unit_test_setup_teardown(oversized_frame_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(undecodable_envelopes_get_an_error_reply, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
