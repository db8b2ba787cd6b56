/*
 * TLS on the wire: a throwaway CA and server certificate made with the openssl CLI in
 * the test's own directory, a real jixiaod with a tls+tcp listener, and the real jx.
 * A client trusting the CA is served; one trusting another CA, one without a CA and
 * a plain-TCP peer are turned away, and the daemon carries on. A missing certificate
 * or an exposed key stops jixiaod at start with a sentence naming the file.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>

#include "client.h"
#include "daemon.h"
#include "dial.h"
#include "err.h"
#include "jxtest.h"
#include "proto/jixiao.pb-c.h"

extern char **environ;

struct tls_test {
	struct jxd d;
	char dir[256];        /* certificates and keys, removed at teardown */
	char ca[320], other_ca[320], cert[320], key[320];
};

/* Reads all of fd into a malloc'd string. */
static char *
slurp(int fd)
{
	size_t cap = 4096, used = 0;
	char *buf = malloc(cap);
	ssize_t n;

	assert_non_null(buf);
	while ((n = read(fd, buf + used, cap - used - 1)) > 0) {
		used += (size_t)n;
		if (cap - used < 2) {
			cap *= 2;
			assert_non_null(buf = realloc(buf, cap));
		}
	}
	buf[used] = '\0';
	return buf;
}

/* Runs argv (found in $PATH) in dir; returns its exit status, *err its stderr. */
static int
run(const char *dir, char **err, const char *const *argv)
{
	posix_spawn_file_actions_t fa;
	int pe[2], status;
	char *e, cwd[4096];
	pid_t pid;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(pipe(pe), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pe[1], STDERR_FILENO);
	posix_spawn_file_actions_addclose(&fa, pe[0]);
	posix_spawn_file_actions_addclose(&fa, pe[1]);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
		fail_msg("cannot run %s: %s", argv[0], strerror(errno));
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(chdir(cwd), 0);
	close(pe[1]);
	e = slurp(pe[0]);
	close(pe[0]);
	waitpid(pid, &status, 0);
	if (err != NULL)
		*err = e;
	else
		free(e);
	if (!WIFEXITED(status))
		fail_msg("%s died with status %d", argv[0], status);
	return WEXITSTATUS(status);
}

static void
openssl(const char *dir, const char *const *argv)
{
	char *err;

	if (run(dir, &err, argv) != 0)
		fail_msg("%s %s failed: %s", argv[0], argv[1], err);
	free(err);
}

/*
 * A CA, a server certificate it signs for localhost and 127.0.0.1, and an unrelated
 * self-signed CA. mbedTLS 2.28 (nng's TLS on Debian 12) matches the host only against
 * DNS names, so 127.0.0.1 is one as well as an IP address.
 */
static void
make_certificates(struct tls_test *t)
{
	static const char *const ca[] = { "openssl", "req", "-x509", "-newkey", "ec",
		"-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key",
		"-out", "ca.pem", "-days", "2", "-subj", "/CN=jixiao test CA", NULL };
	static const char *const other[] = { "openssl", "req", "-x509", "-newkey", "ec",
		"-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "other.key",
		"-out", "other.pem", "-days", "2", "-subj", "/CN=jixiao other CA", NULL };
	static const char *const csr[] = { "openssl", "req", "-newkey", "ec", "-pkeyopt",
		"ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "server.key", "-out",
		"server.csr", "-subj", "/CN=localhost", NULL };
	static const char *const sign[] = { "openssl", "x509", "-req", "-in", "server.csr",
		"-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
		"-days", "2", "-extfile", "ext.cnf", NULL };
	char path[400];
	FILE *f;

	openssl(t->dir, ca);
	openssl(t->dir, other);
	openssl(t->dir, csr);
	snprintf(path, sizeof(path), "%s/ext.cnf", t->dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("subjectAltName=DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1\n", f);
	assert_int_equal(fclose(f), 0);
	openssl(t->dir, sign);
	snprintf(t->ca, sizeof(t->ca), "%s/ca.pem", t->dir);
	snprintf(t->other_ca, sizeof(t->other_ca), "%s/other.pem", t->dir);
	snprintf(t->cert, sizeof(t->cert), "%s/server.pem", t->dir);
	snprintf(t->key, sizeof(t->key), "%s/server.key", t->dir);
	assert_int_equal(chmod(t->key, 0600), 0);
}

static int
setup(void **state)
{
	struct tls_test *t = calloc(1, sizeof(*t));
	const char *tmp = getenv("TMPDIR");
	struct jxd_opts o = { .tcp = true, .tls_feed = true };

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "%s/jxtls.XXXXXX", tmp != NULL ? tmp : "/tmp");
	assert_non_null(mkdtemp(t->dir));
	/* No CA from the environment or a developer's config file. */
	unsetenv("JX_CA");
	setenv("XDG_CONFIG_HOME", t->dir, 1);
	make_certificates(t);
	o.tls_cert = t->cert;
	o.tls_key = t->key;
	jxd_start_opts(&t->d, &o);
	assert_true(strncmp(t->d.tls_url, "tls+tcp://127.0.0.1:", 20) == 0);
	assert_true(strcmp(t->d.tls_url, "tls+tcp://127.0.0.1:0") != 0);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tls_test *t = *state;

	if (t == NULL)
		return 0;
	jxd_cleanup(&t->d);
	jxtest_rmtree(t->dir);
	free(t);
	return 0;
}

/* jx over TLS, trusting ca (NULL: no --ca). */
static int
jx_tls(struct tls_test *t, const char *ca, char **out, char **err, ...)
{
	const char *args[32];
	const char *a;
	va_list ap;
	int n = 0;

	args[n++] = "--server";
	args[n++] = t->d.tls_url;
	if (ca != NULL) {
		args[n++] = "--ca";
		args[n++] = ca;
	}
	va_start(ap, err);
	while ((a = va_arg(ap, const char *)) != NULL && n < 31)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	return jxd_jxv(&t->d, out, err, args);
}

/* The daemon still serves TLS clients (and its ipc listener) after whatever came before. */
static void
assert_serves_tls(struct tls_test *t)
{
	char *err;

	if (jx_tls(t, t->ca, NULL, &err, "ping", NULL) != 0)
		fail_msg("ping over TLS failed: %s", err);
	free(err);
	assert_int_equal(jxd_jx(&t->d, NULL, NULL, "ping", NULL), 0);
}

static void
a_client_trusting_the_ca_is_served(void **state)
{
	struct tls_test *t = *state;
	char *out, *err, path[400];
	FILE *f;

	assert_serves_tls(t);
	assert_int_equal(jx_tls(t, t->ca, NULL, NULL, "ws", "create", "--subject", "加密测试",
	    "--year", "2023", "--kind", "self-evaluation", NULL), 0);
	assert_int_equal(jx_tls(t, t->ca, NULL, NULL, "node", "add", "1", "产出", "--weight",
	    "20", NULL), 0);
	assert_int_equal(jx_tls(t, t->ca, &out, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_non_null(strstr(out, "\"subject\": \"加密测试\""));
	free(out);
	/* The same workspace over ipc: one store behind both listeners. */
	assert_int_equal(jxd_jx(&t->d, &out, NULL, "tree", "1", "--json", NULL), 0);
	assert_non_null(strstr(out, "\"name\": \"产出\""));
	free(out);

	/* The CA from $JX_CA, then from "ca = FILE" in the config file. */
	setenv("JX_CA", t->ca, 1);
	assert_int_equal(jx_tls(t, NULL, NULL, NULL, "ping", NULL), 0);
	unsetenv("JX_CA");
	/* The harness runs jx with XDG_CONFIG_HOME=DIR/config, where jx keeps its files. */
	snprintf(path, sizeof(path), "%s/config/jixiao", t->d.dir);
	assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
	snprintf(path, sizeof(path), "%s/config/jixiao/config", t->d.dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "# test\nca = %s\n", t->ca);
	assert_int_equal(fclose(f), 0);
	if (jx_tls(t, NULL, NULL, &err, "ping", NULL) != 0)
		fail_msg("ping with ca from the config file failed: %s", err);
	free(err);
	assert_int_equal(remove(path), 0);
}

static void
a_client_trusting_another_ca_is_refused(void **state)
{
	struct tls_test *t = *state;
	char *out, *err;

	assert_int_equal(jx_tls(t, t->other_ca, &out, &err, "ping", NULL), 69);
	assert_string_equal(out, "");
	/* One plain sentence naming the address and the CA file, on one line. */
	assert_true(strncmp(err, "jx: cannot reach jixiaod at tls+tcp://127.0.0.1:", 48) == 0);
	assert_non_null(strstr(err, "not signed by the CA in "));
	assert_non_null(strstr(err, t->other_ca));
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
	free(out);
	free(err);
	/* Nothing was written by the refused client. */
	assert_int_equal(jx_tls(t, t->other_ca, NULL, NULL, "ws", "create", "--subject", "x",
	    "--year", "2023", "--kind", "self-evaluation", NULL), 69);
	assert_int_equal(jxd_jx(&t->d, &out, NULL, "ws", "list", "--all", "--json", NULL), 0);
	assert_null(strstr(out, "\"subject\": \"x\""));
	free(out);
	assert_serves_tls(t);
}

static void
a_tls_address_without_a_ca_is_an_error(void **state)
{
	struct tls_test *t = *state;
	char *err;

	assert_int_not_equal(jx_tls(t, NULL, NULL, &err, "ping", NULL), 0);
	assert_non_null(strstr(err, "needs a CA certificate"));
	assert_non_null(strstr(err, "--ca FILE"));
	free(err);
	/* An unreadable CA file is named. */
	assert_int_not_equal(jx_tls(t, "/nonexistent/ca.pem", NULL, &err, "ping", NULL), 0);
	assert_non_null(strstr(err, "/nonexistent/ca.pem"));
	free(err);
}

/* Connects a plain TCP socket to url's port on 127.0.0.1. */
static int
raw_connect(const char *url)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { 10, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_port = htons((uint16_t)strtol(strrchr(url, ':') + 1, NULL, 10));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A daemon that neither answers nor hangs up fails the test instead of hanging it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
a_plain_tcp_peer_gets_nothing(void **state)
{
	struct tls_test *t = *state;
	static const uint8_t sp_req_header[8] = { 0, 'S', 'P', 0, 0, 0x30, 0, 0 };
	uint8_t buf[4096];
	ssize_t n;
	char url[80], *err;
	int fd;

	/* An SP handshake in the clear: never answered with one, and hung up on. */
	fd = raw_connect(t->d.tls_url);
	assert_int_equal(send(fd, sp_req_header, sizeof(sp_req_header), MSG_NOSIGNAL),
	    (ssize_t)sizeof(sp_req_header));
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		assert_null(memmem(buf, (size_t)n, "SP", 2));
	assert_true(n == 0 || errno == ECONNRESET);
	close(fd);
	/* jx speaking plain tcp:// to the TLS port is refused at once, with a hint. */
	snprintf(url, sizeof(url), "tcp://%s", t->d.tls_url + strlen("tls+tcp://"));
	assert_int_equal(jxd_jx(&t->d, NULL, &err, "--server", url, "ping", NULL), 69);
	assert_non_null(strstr(err, "cannot reach jixiaod at tcp://"));
	free(err);
	/* And TLS to the plain tcp port fails the handshake. */
	snprintf(url, sizeof(url), "tls+tcp://%s", t->d.tcp_url + strlen("tcp://"));
	assert_int_equal(jxd_jx(&t->d, NULL, &err, "--server", url, "--ca", t->ca, "ping",
	    NULL), 69);
	assert_non_null(strstr(err, "TLS handshake failed"));
	free(err);
	assert_serves_tls(t);
}

/* Runs $JIXIAOD with args on a fresh data directory; it must exit, not start. */
static int
jixiaod_fails(struct tls_test *t, char **err, const char *cert, const char *key)
{
	char data[400];
	const char *argv[12];
	int n = 0;

	snprintf(data, sizeof(data), "%s/refused-data", t->dir);
	argv[n++] = getenv("JIXIAOD");
	argv[n++] = "--data";
	argv[n++] = data;
	argv[n++] = "--listen";
	argv[n++] = "tls+tcp://127.0.0.1:0";
	if (cert != NULL) {
		argv[n++] = "--tls-cert";
		argv[n++] = cert;
	}
	if (key != NULL) {
		argv[n++] = "--tls-key";
		argv[n++] = key;
	}
	argv[n] = NULL;
	assert_non_null(argv[0]);
	return run(t->dir, err, argv);
}

static void
jixiaod_refuses_a_bad_certificate_or_key(void **state)
{
	struct tls_test *t = *state;
	char missing[400], *err;

	snprintf(missing, sizeof(missing), "%s/missing.pem", t->dir);
	assert_int_not_equal(jixiaod_fails(t, &err, missing, t->key), 0);
	assert_non_null(strstr(err, "jixiaod: cannot read the TLS certificate "));
	assert_non_null(strstr(err, missing));
	free(err);
	/* Refused before the store was created. */
	snprintf(missing, sizeof(missing), "%s/refused-data", t->dir);
	assert_int_not_equal(access(missing, F_OK), 0);
	/* A key that is no certificate. */
	assert_int_not_equal(jixiaod_fails(t, &err, t->key, t->key), 0);
	assert_non_null(strstr(err, "holds no valid PEM certificate"));
	free(err);
	/* A tls+tcp address without any. */
	assert_int_equal(jixiaod_fails(t, &err, NULL, NULL), 64);
	assert_non_null(strstr(err, "--tls-cert FILE and --tls-key FILE"));
	free(err);
	/* A key others can read. */
	assert_int_equal(chmod(t->key, 0644), 0);
	assert_int_not_equal(jixiaod_fails(t, &err, t->cert, t->key), 0);
	assert_non_null(strstr(err, "is readable by others"));
	assert_non_null(strstr(err, t->key));
	free(err);
	assert_int_equal(chmod(t->key, 0600), 0);
	assert_serves_tls(t);
}

/*
 * The change feed over TLS with the daemon's certificate: a subscriber trusting the CA
 * receives notices of committed changes. PUB drops what it publishes before the daemon has added
 * the new connection, so changes are made until one arrives (at most 20, each waited
 * for up to 2 s), never a sleep.
 */
static void
the_feed_is_served_over_tls(void **state)
{
	struct tls_test *t = *state;
	Jixiao__VersionRequest in = JIXIAO__VERSION_REQUEST__INIT;
	Jixiao__VersionReply *out = NULL;
	char why[600], msg[512], feed[320], name[32];
	struct client *cl;
	nng_socket sub;
	nng_msg *m = NULL;
	int rv = NNG_ETIMEDOUT;

	struct client_identity anonymous = { .ca_file = t->ca };

	assert_jx_ok(client_open(t->d.tls_url, &anonymous, &cl, why, sizeof(why)));
	assert_jx_ok(client_call(cl, &jixiao__system__descriptor, "Version", &in.base,
	    (ProtobufCMessage **)&out, msg, sizeof(msg)));
	assert_non_null(out->feed);
	assert_true(strncmp(out->feed, "tls+tcp://127.0.0.1:", 20) == 0);
	assert_true(strcmp(out->feed, "tls+tcp://127.0.0.1:0") != 0);
	snprintf(feed, sizeof(feed), "%s", out->feed);
	jixiao__version_reply__free_unpacked(out, NULL);
	client_close(cl);

	assert_int_equal(nng_sub0_open(&sub), 0);
	assert_int_equal(nng_socket_set(sub, NNG_OPT_SUB_SUBSCRIBE, "", 0), 0);
	assert_int_equal(nng_socket_set_ms(sub, NNG_OPT_RECVTIMEO, 2000), 0);
	/* Another CA's subscriber is refused at the handshake. */
	assert_jx_err(dial_start(sub, feed, t->other_ca, true, why, sizeof(why)), JX_EUNAVAIL);
	assert_jx_ok(dial_start(sub, feed, t->ca, true, why, sizeof(why)));
	for (int i = 0; i < 20 && rv == NNG_ETIMEDOUT; i++) {
		snprintf(name, sizeof(name), "feed %d", i);
		assert_int_equal(jx_tls(t, t->ca, NULL, NULL, "node", "add", "1", name, NULL), 0);
		rv = nng_recvmsg(sub, &m, 0);
	}
	assert_int_equal(rv, 0);
	/* The workspace id, then a notice of its revision: never the node's content. */
	assert_true(nng_msg_len(m) > 8);
	assert_int_equal(((uint8_t *)nng_msg_body(m))[7], 1);
	assert_null(memmem(nng_msg_body(m), nng_msg_len(m), "feed ", 5));
	{
		Jixiao__FeedNotice *n = jixiao__feed_notice__unpack(NULL, nng_msg_len(m) - 8,
		    (uint8_t *)nng_msg_body(m) + 8);
		assert_non_null(n);
		assert_int_equal(n->workspace, 1);
		assert_true(n->revision > 1);
		jixiao__feed_notice__free_unpacked(n, NULL);
	}
	nng_msg_free(m);
	nng_close(sub);
}

/* Pings over TLS trusting ca until it answers, for up to 5 s. */
static void
wait_tls(struct tls_test *t, const char *ca)
{
	for (int i = 0; i < 50; i++) {
		if (jx_tls(t, ca, NULL, NULL, "ping", NULL) == 0)
			return;
		usleep(100000);
	}
	fail_msg("TLS with %s did not answer within 5 s", ca);
}

/*
 * SIGHUP (systemctl reload) serves a renewed certificate on the TLS listener; a bad
 * file keeps the one in use; a client on the ipc listener keeps its connection.
 */
static void
sighup_reloads_the_certificate(void **state)
{
	static const char *const csr[] = { "openssl", "req", "-newkey", "ec", "-pkeyopt",
		"ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "new.key", "-out",
		"new.csr", "-subj", "/CN=localhost", NULL };
	static const char *const sign[] = { "openssl", "x509", "-req", "-in", "new.csr",
		"-CA", "other.pem", "-CAkey", "other.key", "-CAcreateserial", "-out", "new.pem",
		"-days", "2", "-extfile", "ext.cnf", NULL };
	Jixiao__PingRequest in = JIXIAO__PING_REQUEST__INIT;
	Jixiao__PingReply *out = NULL;
	struct tls_test *t = *state;
	struct client *cl;
	char why[256], path[400];
	FILE *f;

	assert_int_equal(client_open(t->d.url, jxd_identity(&t->d, "admin"), &cl, why,
	    sizeof(why)), 0);
	assert_int_equal(client_login(cl, why, sizeof(why)), 0);
	/* Renewed: a certificate from the other CA, put in place of the first. */
	openssl(t->dir, csr);
	openssl(t->dir, sign);
	snprintf(path, sizeof(path), "%s/new.key", t->dir);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(rename(path, t->key), 0);
	snprintf(path, sizeof(path), "%s/new.pem", t->dir);
	assert_int_equal(rename(path, t->cert), 0);
	assert_int_equal(kill(t->d.pid, SIGHUP), 0);
	wait_tls(t, t->other_ca);
	assert_int_not_equal(jx_tls(t, t->ca, NULL, NULL, "ping", NULL), 0);
	/* A damaged certificate file: the one in use stays. */
	assert_non_null(f = fopen(t->cert, "w"));
	fputs("not a certificate\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(kill(t->d.pid, SIGHUP), 0);
	usleep(200000);
	wait_tls(t, t->other_ca);
	/* The logged-in ipc connection was never dropped: still logged in, no new login. */
	assert_int_equal(client_call(cl, &jixiao__system__descriptor, "Ping", &in.base,
	    (ProtobufCMessage **)&out, why, sizeof(why)), 0);
	jixiao__ping_reply__free_unpacked(out, NULL);
	assert_string_equal(client_user(cl), "admin");
	client_close(cl);
}

/* Last: after all of the above the daemon stops cleanly, exit status 0 (no crash). */
static void
the_daemon_stops_cleanly(void **state)
{
	struct tls_test *t = *state;

	jxd_stop(&t->d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_client_trusting_the_ca_is_served),
		cmocka_unit_test(a_client_trusting_another_ca_is_refused),
		cmocka_unit_test(a_tls_address_without_a_ca_is_an_error),
		cmocka_unit_test(a_plain_tcp_peer_gets_nothing),
		cmocka_unit_test(jixiaod_refuses_a_bad_certificate_or_key),
		cmocka_unit_test(the_feed_is_served_over_tls),
		cmocka_unit_test(sighup_reloads_the_certificate),
		cmocka_unit_test(the_daemon_stops_cleanly),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
