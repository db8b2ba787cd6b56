/*
 * Operating a real jixiaod: the metrics endpoint speaks the Prometheus text format and
 * its counters move with the calls made; /healthz answers 200 while the store takes
 * writes; the audit log has one JSON line per write, login and refusal, naming who,
 * with which key, from where, what and the revision, and no secret.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "client.h"
#include "daemon.h"
#include "err.h"
#include "exposition.h"
#include "http.h"
#include "jxtest.h"
#include "key.h"

static void
assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* GETs path from the metrics URL's host and port: the status, and the body in *body. */
static int
ops_get(const struct jxd *d, const char *path, char **body)
{
	return http_get(d->metrics_url, path, NULL, body);
}

/* The value of the sample whose line starts with series (then a space), or 0. */
static double
sample(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return 0;
}

static char *
slurp_log(const struct jxd *d)
{
	char path[400], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/jixiaod.log", d->dir);
	assert_non_null(f = fopen(path, "r"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * The log once it holds needle: a call's audit line is written just after its reply, so
 * it may come a moment after the caller has its answer. Gives up after 5 s.
 */
static char *
slurp_log_with(const struct jxd *d, const char *needle)
{
	struct timespec ts = { 0, 10000000 };
	char *log = slurp_log(d);

	for (int i = 0; i < 500 && strstr(log, needle) == NULL; i++) {
		free(log);
		nanosleep(&ts, NULL);
		log = slurp_log(d);
	}
	return log;
}

/* The audit line of the given event and method (and user when not NULL), or fails. */
static char *
audit_line(const char *log, const char *event, const char *method, const char *user)
{
	char ev[64], me[96], us[96];
	const char *p;

	snprintf(ev, sizeof(ev), "{\"audit\":\"%s\"", event);
	snprintf(me, sizeof(me), "\"method\":\"%s\"", method);
	snprintf(us, sizeof(us), "\"user\":\"%s\"", user != NULL ? user : "");
	for (p = strstr(log, ev); p != NULL; p = strstr(p + 1, ev)) {
		const char *eol = strchr(p, '\n');
		char *line;
		assert_non_null(eol);
		line = strndup(p, (size_t)(eol - p));
		if (strstr(line, me) != NULL && (user == NULL || strstr(line, us) != NULL)) {
			assert_int_equal(line[strlen(line) - 1], '}');
			return line;
		}
		free(line);
	}
	fail_msg("no %s line for %s in the log:\n%s", event, method, log);
	return NULL;
}

static void
metrics_health_and_audit(void **state)
{
	struct jxd d;
	struct jxd_opts o = { .metrics = true };
	char *before, *after, *body, *log, *line, path[400], fp[KEY_FINGERPRINT_LEN],
	    hex[2 * KEY_SECRET_LEN + 1], why[256], want[128];
	uint8_t pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN];
	struct client_identity stranger = { 0 };
	struct client *cl;

	jxd_start_opts(&d, &o);
	assert_true(d.metrics_url[0] != '\0');
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "运维", "--year",
	    "2024", "--kind", "self-evaluation", NULL), 0);

	assert_int_equal(ops_get(&d, "/metrics", &before), 200);
	exposition_check(before);
	assert_has(before, "jixiaod_build_info{version=\"");
	assert_has(before, "# TYPE jixiaod_request_duration_seconds histogram");
	/* Every method of the table has its series before its first call. */
	assert_has(before, "jixiaod_requests_total{service=\"Findings\",method=\"Add\",code=\"OK\"} 0\n");
	for (int i = 0; i < 3; i++)
		assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "指标", "--weight", "10",
		    NULL), 0);
	/* A key nobody registered: its login is refused. */
	key_generate(pk, sk);
	stranger.secret_key = sk;
	assert_int_equal(client_open(d.url, &stranger, &cl, why, sizeof(why)), 0);
	assert_int_equal(client_login(cl, why, sizeof(why)), JX_EUNAUTH);
	client_close(cl);
	/* A user without a role is refused a write. */
	jxd_user(&d, "wang", false);
	assert_int_not_equal(jxd_jx(&d, NULL, NULL, "--user", "wang", "node", "add", "1", "越权",
	    "--weight", "1", NULL), 0);

	assert_int_equal(ops_get(&d, "/metrics", &after), 200);
	exposition_check(after);
	{
		const char *add = "jixiaod_requests_total{service=\"Tree\",method=\"AddNode\","
				  "code=\"OK\"}";
		assert_true(sample(after, add) == sample(before, add) + 3);
		assert_true(sample(after, "jixiaod_requests_total{service=\"Tree\","
		    "method=\"AddNode\",code=\"PERMISSION_DENIED\"}") == 1);
		assert_true(sample(after, "jixiaod_write_batches_total") >=
		    sample(before, "jixiaod_write_batches_total") + 3);
		assert_true(sample(after, "jixiaod_write_batch_size_count") >=
		    sample(before, "jixiaod_write_batch_size_count") + 3);
		assert_true(sample(after, "jixiaod_commit_duration_seconds_count") >= 3);
		assert_true(sample(after, "jixiaod_logins_total{result=\"refused\"}") ==
		    sample(before, "jixiaod_logins_total{result=\"refused\"}") + 1);
		assert_true(sample(after, "jixiaod_logins_total{result=\"ok\"}") >=
		    sample(before, "jixiaod_logins_total{result=\"ok\"}") + 4);
		assert_true(sample(after, "jixiaod_request_duration_seconds_count{service=\"Tree\","
		    "method=\"AddNode\"}") >= 4);
		assert_true(sample(after, "jixiaod_store_size_bytes") > 0);
		assert_true(sample(after, "jixiaod_store_map_size_bytes") >=
		    sample(after, "jixiaod_store_size_bytes"));
		/* The writes above are in the log. */
		assert_true(sample(after, "jixiaod_log_size_bytes") >
		    sample(before, "jixiaod_log_size_bytes"));
		assert_true(sample(after, "jixiaod_connections_total") >= 5);
	}
	free(before);
	free(after);

	assert_int_equal(ops_get(&d, "/healthz", &body), 200);
	assert_string_equal(body, "ok\n");
	free(body);
	assert_int_equal(ops_get(&d, "/nothing", &body), 404);
	free(body);

	/* The audit lines: who, with which key, from where, what, which revision. */
	log = slurp_log_with(&d, "{\"audit\":\"refused\"");
	{
		char pub[420];
		snprintf(pub, sizeof(pub), "%s.pub", jxd_key_path(&d, "admin", path, sizeof(path)));
		assert_int_equal(key_load_public(pub, pk, why, sizeof(why)), 0);
	}
	key_fingerprint(pk, fp);
	line = audit_line(log, "write", "Workspaces.Create", "admin");
	assert_has(line, "\"workspace\":1,\"revision\":1,");
	free(line);
	line = audit_line(log, "write", "Tree.AddNode", "admin");
	snprintf(want, sizeof(want), "\"key\":\"%s\"", fp);
	assert_has(line, want);
	assert_has(line, "\"peer\":\"ipc:");
	assert_has(line, "\"workspace\":1,\"revision\":2,\"changes\":1,\"status\":\"OK\"");
	assert_has(line, "\"time\":\"20");
	free(line);
	line = audit_line(log, "login", "Auth.Login", "admin");
	assert_has(line, want);
	free(line);
	line = audit_line(log, "login", "Auth.Login", "");
	assert_has(line, "\"status\":\"UNAUTHENTICATED\"");
	key_fingerprint(stranger.secret_key + 32, fp);
	snprintf(want, sizeof(want), "\"key\":\"%s\"", fp);
	assert_has(line, want);
	free(line);
	line = audit_line(log, "refused", "Tree.AddNode", "wang");
	assert_has(line, "\"workspace\":1,\"revision\":null,\"changes\":0,"
			 "\"status\":\"PERMISSION_DENIED\"");
	free(line);
	/* Never a secret: no secret key, in hex, anywhere in the log. */
	sodium_bin2hex(hex, sizeof(hex), sk, KEY_SECRET_LEN);
	assert_null(strstr(log, hex));
	assert_null(strstr(log, hex + 64));
	free(log);

	/* A listener that no longer accepts (its socket file deleted): 503, naming it. */
	assert_int_equal(unlink(d.url + strlen("ipc://")), 0);
	assert_int_equal(ops_get(&d, "/healthz", &body), 503);
	assert_has(body, "unhealthy: ipc://");
	assert_has(body, "does not accept connections");
	free(body);
	/* jx cannot reach it either, so the invariant check at stop cannot run. */
	d.no_invariants = true;

	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* The next datagram on fd within 5 s, into buf. */
static void
next_notice(int fd, char *buf, size_t len)
{
	struct timeval tv = { .tv_sec = 5 };
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, buf, len - 1, 0);
	if (n < 0 || (size_t)n >= len) {
		fail_msg("no notice from jixiaod within 5 s");
		return;
	}
	buf[n] = '\0';
}

/*
 * systemd's notification protocol: READY=1 once the listeners accept, WATCHDOG=1
 * keep-alives from the writer's loop at half the asked interval, STOPPING=1 at the end.
 */
static void
systemd_notifications(void **state)
{
	char dir[] = "/tmp/jxnotify.XXXXXX", cmd[128], buf[1024];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct jxd d;
	int fd, watchdogs = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	setenv("WATCHDOG_USEC", "200000", 1);
	jxd_start(&d, false);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	do
		next_notice(fd, buf, sizeof(buf));
	while (strcmp(buf, "WATCHDOG=1") == 0);
	assert_int_equal(strncmp(buf, "READY=1\nSTATUS=serving ipc://", 29), 0);
	while (watchdogs < 3) {
		next_notice(fd, buf, sizeof(buf));
		assert_string_equal(buf, "WATCHDOG=1");
		watchdogs++;
	}
	jxd_stop(&d);
	do
		next_notice(fd, buf, sizeof(buf));
	while (strcmp(buf, "WATCHDOG=1") == 0);
	assert_string_equal(buf, "STOPPING=1");
	close(fd);
	jxd_cleanup(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Starts jixiaod with args, returns its readiness line (or what it said), then stops it. */
static int
run_daemon(const char *const *args, char *line, size_t len)
{
	int out[2], status;
	ssize_t n;
	size_t used = 0;
	pid_t pid;

	assert_int_equal(pipe(out), 0);
	if ((pid = fork()) == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		close(out[0]);
		execv(getenv("JIXIAOD"), (char *const *)args);
		_exit(127);
	}
	close(out[1]);
	/* Until it is ready or it has exited: log lines may come first, in writes of their own. */
	while (used < len - 1 && (n = read(out[0], line + used, len - 1 - used)) > 0) {
		used += (size_t)n;
		line[used] = '\0';
		if (strstr(line, "jixiaod: ready on ") != NULL &&
		    strchr(strstr(line, "jixiaod: ready on "), '\n') != NULL)
			break;
	}
	line[used] = '\0';
	if (strstr(line, "jixiaod: ready on ") != NULL)
		kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	close(out[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* jixiaod --config FILE: the file's options, the command line's over them, errors by line. */
static void
config_file(void **state)
{
	char conf[400], sock_a[400], sock_b[400], line[2048], text[1400];
	const char *args[8];
	struct jxd d;
	FILE *f;

	jxd_start(&d, false);
	jxd_stop(&d);
	snprintf(conf, sizeof(conf), "%s/jixiaod.conf", d.dir);
	snprintf(sock_a, sizeof(sock_a), "ipc://%s/a.sock", d.dir);
	snprintf(sock_b, sizeof(sock_b), "ipc://%s/b.sock", d.dir);
	snprintf(text, sizeof(text), "# a test\ndata = %s\n  listen = %s   # local\n\n"
	    "log_level = info\nmetrics = http://127.0.0.1:0/metrics\nworkers = 4\n", d.data,
	    sock_a);
	assert_non_null(f = fopen(conf, "w"));
	fputs(text, f);
	fclose(f);
	args[0] = getenv("JIXIAOD");
	args[1] = "--config";
	args[2] = conf;
	args[3] = NULL;
	assert_int_equal(run_daemon(args, line, sizeof(line)), 0);
	assert_has(line, "jixiaod: ready on ");
	assert_has(line, sock_a);
	assert_has(line, "/metrics");
	/* The command line wins: its --listen replaces the file's. */
	args[3] = "--listen";
	args[4] = sock_b;
	args[5] = NULL;
	assert_int_equal(run_daemon(args, line, sizeof(line)), 0);
	assert_has(line, sock_b);
	assert_null(strstr(line, sock_a));
	/* An unknown key is an error naming its line. */
	assert_non_null(f = fopen(conf, "a"));
	fputs("colour = blue\n", f);
	fclose(f);
	args[3] = NULL;
	assert_int_equal(run_daemon(args, line, sizeof(line)), 78);
	assert_has(line, "jixiaod.conf:8: unknown key colour");
	jxd_cleanup(&d);
}

/*
 * Under systemd with stderr the journal's stream but journald not answering (as here,
 * with no journald), no audit record is lost: it falls back to the stderr line.
 */
static void
audit_falls_back_to_stderr(void **state)
{
	char path[400], stream[64], *log, *line;
	struct stat st;
	struct jxd d;

	jxd_start(&d, false);
	jxd_stop(&d);
	snprintf(path, sizeof(path), "%s/jixiaod.log", d.dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(stream, sizeof(stream), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", stream, 1);
	jxd_restart(&d);
	unsetenv("JOURNAL_STREAM");
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "日志", "--year",
	    "2024", "--kind", "self-evaluation", NULL), 0);
	log = slurp_log_with(&d, "\"method\":\"Workspaces.Create\"");
	line = audit_line(log, "write", "Workspaces.Create", "admin");
	assert_has(line, "\"workspace\":1,\"revision\":1,");
	free(line);
	free(log);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static void
metrics_usage_errors(void **state)
{
	char cmd[512];
	int rc;

	snprintf(cmd, sizeof(cmd), "'%s' --data /nonexistent/x --metrics ftp://x/ 2>/dev/null",
	    getenv("JIXIAOD"));
	rc = system(cmd);
	assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) != 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_health_and_audit),
		cmocka_unit_test(metrics_usage_errors),
		cmocka_unit_test(systemd_notifications),
		cmocka_unit_test(config_file),
		cmocka_unit_test(audit_falls_back_to_stderr),
	};

	assert_int_equal(key_init(), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
