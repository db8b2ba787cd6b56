#define _XOPEN_SOURCE 700 /* nftw */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <sys/stat.h>

#include "invariant.h"
#include "jxtest.h"
#include "key.h"

extern char **environ;

/*
 * Daemons and background jx still running when the test process exits (a failed
 * assertion jumps past jxd_cleanup or jxd_jx_wait): killed at exit, so no stray daemon outlives its test or holds ctest's
 * pipes open.
 */
#define JXD_MAX 64
static pid_t jxd_running[JXD_MAX];

static void
jxd_kill_all(void)
{
	for (int i = 0; i < JXD_MAX; i++)
		if (jxd_running[i] > 0) {
			kill(jxd_running[i], SIGKILL);
			waitpid(jxd_running[i], NULL, 0);
		}
}

static void
jxd_track(pid_t pid, bool add)
{
	static bool registered;

	if (!registered) {
		atexit(jxd_kill_all);
		registered = true;
	}
	for (int i = 0; i < JXD_MAX; i++) {
		if (add && jxd_running[i] == 0) {
			jxd_running[i] = pid;
			return;
		}
		if (!add && jxd_running[i] == pid) {
			jxd_running[i] = 0;
			return;
		}
	}
}

static const char *
jxd_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0')
		fail_msg("%s is not set: run the tests through ctest", name);
	return v;
}

static long long
jxd_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Reads the daemon's stdout until the readiness line, or fails after 20 s. */
static void
jxd_wait_ready(struct jxd *d)
{
	char buf[2048];
	size_t used = 0;
	long long deadline = jxd_ms() + 20000;

	for (;;) {
		struct pollfd p = { .fd = d->out_fd, .events = POLLIN };
		long long left = deadline - jxd_ms();
		ssize_t n;
		char *line;

		if (left <= 0)
			fail_msg("jixiaod did not become ready within 20 s");
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = read(d->out_fd, buf + used, sizeof(buf) - 1 - used);
		if (n <= 0)
			fail_msg("jixiaod exited before it was ready");
		used += (size_t)n;
		buf[used] = '\0';
		if ((line = strstr(buf, "jixiaod: ready on ")) != NULL && strchr(line, '\n')) {
			char *tcp = strstr(line, " tcp://"), *tls = strstr(line, " tls+tcp://");
			if (d->tcp && tcp != NULL)
				snprintf(d->tcp_url, sizeof(d->tcp_url), "%.*s",
				    (int)strcspn(tcp + 1, " \n"), tcp + 1);
			char *m = strstr(line, "/metrics");
			if (d->want_metrics && m != NULL) {
				char *b = m;
				while (b > line && b[-1] != ' ')
					b--;
				snprintf(d->metrics_url, sizeof(d->metrics_url), "%.*s",
				    (int)(m + 8 - b), b);
			}
			/* The web's URL is http://HOST:PORT, no path (the metrics' has one). */
			for (char *h = strstr(line, " http://"); d->want_http && h != NULL;
			    h = strstr(h + 1, " http://")) {
				size_t len = strcspn(h + 1, " \n");
				if (memchr(h + 8, '/', len - 7) == NULL) {
					snprintf(d->http_url, sizeof(d->http_url), "%.*s", (int)len,
					    h + 1);
					break;
				}
			}
			if (d->tls_cert[0] != '\0' && tls != NULL)
				snprintf(d->tls_url, sizeof(d->tls_url), "%.*s",
				    (int)strcspn(tls + 1, " \n"), tls + 1);
			return;
		}
		if (used == sizeof(buf) - 1)
			used = 0;
	}
}

static void
jxd_spawn(struct jxd *d)
{
	posix_spawn_file_actions_t fa;
	char log[400];
	int pipefd[2];
	const char *argv[32];
	int n = 0;

	if (pipe(pipefd) != 0)
		fail_msg("pipe: %s", strerror(errno));
	argv[n++] = jxd_env("JIXIAOD");
	argv[n++] = "--data";
	argv[n++] = d->data;
	argv[n++] = "--listen";
	argv[n++] = d->url;
	argv[n++] = "--feed";
	argv[n++] = d->tls_feed ? "tls+tcp://127.0.0.1:0" : d->feed_url;
	if (d->tcp) {
		argv[n++] = "--listen";
		/* The first start picks a free port; a restart reuses it. */
		argv[n++] = d->tcp_url[0] != '\0' ? d->tcp_url : "tcp://127.0.0.1:0";
	}
	if (d->tls_cert[0] != '\0') {
		argv[n++] = "--listen";
		argv[n++] = d->tls_url[0] != '\0' ? d->tls_url : "tls+tcp://127.0.0.1:0";
		argv[n++] = "--tls-cert";
		argv[n++] = d->tls_cert;
		argv[n++] = "--tls-key";
		argv[n++] = d->tls_key;
	}
	for (int i = 0; d->args != NULL && d->args[i] != NULL && i < 8; i++)
		argv[n++] = d->args[i];
	if (d->want_metrics) {
		argv[n++] = "--metrics";
		/* The first start picks a free port; a restart reuses it. */
		argv[n++] = d->metrics_url[0] != '\0' ? d->metrics_url
						      : "http://127.0.0.1:0/metrics";
	}
	if (d->want_http) {
		argv[n++] = "--http";
		/* The first start picks a free port; a restart reuses it. */
		argv[n++] = d->http_url[0] != '\0' ? d->http_url : "http://127.0.0.1:0";
	}
	argv[n] = NULL;
	snprintf(log, sizeof(log), "%s/jixiaod.log", d->dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log, O_WRONLY | O_CREAT | O_APPEND,
	    0600);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	if (posix_spawn(&d->pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
		fail_msg("cannot start %s: %s", argv[0], strerror(errno));
	posix_spawn_file_actions_destroy(&fa);
	jxd_track(d->pid, true);
	close(pipefd[1]);
	d->out_fd = pipefd[0];
	jxd_wait_ready(d);
}

const char *
jxd_key_path(const struct jxd *d, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/keys/%s.key", d->dir, name);
	return buf;
}

/* Makes name's key pair in dir/keys unless it is there. Returns true when it made it. */
static bool
jxd_make_key(const struct jxd *d, const char *name)
{
	uint8_t pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN];
	char path[400], why[600];

	jxd_key_path(d, name, path, sizeof(path));
	if (access(path, F_OK) == 0)
		return false;
	assert_int_equal(key_init(), 0);
	key_generate(pk, sk);
	if (key_save(path, pk, sk, name, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	return true;
}

/* Runs argv to its end with output to the test's log; returns its exit status. */
static int
jxd_run(struct jxd *d, const char *const *argv)
{
	posix_spawn_file_actions_t fa;
	char log[400];
	int status;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/jixiaod.log", d->dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND,
	    0600);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log, O_WRONLY | O_CREAT | O_APPEND,
	    0600);
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
		fail_msg("cannot start %s: %s", argv[0], strerror(errno));
	posix_spawn_file_actions_destroy(&fa);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void
jxd_user(struct jxd *d, const char *name, bool admin)
{
	char path[400], pub[420];
	int rv;

	if (!jxd_make_key(d, name))
		return;
	jxd_key_path(d, name, path, sizeof(path));
	snprintf(pub, sizeof(pub), "%s.pub", path);
	jxd_key_path(d, "admin", path, sizeof(path));
	rv = jxd_jx(d, NULL, NULL, "--key", path, "user", "add", name, pub,
	    admin ? "--admin" : NULL, NULL);
	if (rv != 0)
		fail_msg("jx user add %s failed with %d", name, rv);
}

#define JXD_IDENTITIES 128

struct jxd_identity {
	char name[64];
	char known[400];
	uint8_t sk[KEY_SECRET_LEN];
	struct client_identity id;
};

const struct client_identity *
jxd_identity(struct jxd *d, const char *name)
{
	static struct jxd_identity ids[JXD_IDENTITIES];
	char path[400], why[600];
	int i;

	jxd_user(d, name, true);
	for (i = 0; i < JXD_IDENTITIES && ids[i].name[0] != '\0'; i++)
		if (strcmp(ids[i].name, name) == 0 && strncmp(ids[i].known, d->dir,
		    strlen(d->dir)) == 0)
			return &ids[i].id;
	if (i == JXD_IDENTITIES)
		fail_msg("more than %d test identities", JXD_IDENTITIES);
	if (key_load_secret(jxd_key_path(d, name, path, sizeof(path)), ids[i].sk, why,
	    sizeof(why)) != 0)
		fail_msg("%s", why);
	snprintf(ids[i].name, sizeof(ids[i].name), "%s", name);
	snprintf(ids[i].known, sizeof(ids[i].known), "%s/config/known_servers.c", d->dir);
	ids[i].id.secret_key = ids[i].sk;
	ids[i].id.known_servers = ids[i].known;
	return &ids[i].id;
}

/* A store with the server's key and user admin, as an operator makes it. */
static void
jxd_init_store(struct jxd *d)
{
	char path[400], pub[420], dir[400];
	const char *argv[8];
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/keys", d->dir);
	if (mkdir(dir, 0700) != 0)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	snprintf(dir, sizeof(dir), "%s/config", d->dir);
	if (mkdir(dir, 0700) != 0)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	jxd_make_key(d, "admin");
	snprintf(pub, sizeof(pub), "%s.pub", jxd_key_path(d, "admin", path, sizeof(path)));
	argv[n++] = jxd_env("JIXIAOD");
	argv[n++] = "init";
	argv[n++] = "--data";
	argv[n++] = d->data;
	argv[n++] = "--admin-key";
	argv[n++] = pub;
	argv[n] = NULL;
	if (jxd_run(d, argv) != 0)
		fail_msg("jixiaod init failed (see %s/jixiaod.log)", d->dir);
}

void
jxd_start(struct jxd *d, bool tcp)
{
	struct jxd_opts o = { .tcp = tcp };

	jxd_start_opts(d, &o);
}

void
jxd_start_opts(struct jxd *d, const struct jxd_opts *o)
{
	const char *tmp = getenv("TMPDIR");

	memset(d, 0, sizeof(*d));
	d->out_fd = -1;
	d->tcp = o->tcp;
	d->args = o->args;
	d->want_metrics = o->metrics;
	d->want_http = o->http;
	if (o->tls_cert != NULL && o->tls_key != NULL) {
		snprintf(d->tls_cert, sizeof(d->tls_cert), "%s", o->tls_cert);
		snprintf(d->tls_key, sizeof(d->tls_key), "%s", o->tls_key);
		d->tls_feed = o->tls_feed;
	}
	snprintf(d->dir, sizeof(d->dir), "%s/jxtest.XXXXXX", tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(d->dir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(d->data, sizeof(d->data), "%s/data", d->dir);
	snprintf(d->url, sizeof(d->url), "ipc://%s/jixiaod.sock", d->dir);
	snprintf(d->feed_url, sizeof(d->feed_url), "ipc://%s/feed.sock", d->dir);
	jxd_init_store(d);
	jxd_spawn(d);
}

void
jxd_kill(struct jxd *d)
{
	if (d->pid == 0)
		return;
	kill(d->pid, SIGKILL);
	waitpid(d->pid, NULL, 0);
	jxd_track(d->pid, false);
	d->pid = 0;
	close(d->out_fd);
	d->out_fd = -1;
}

void
jxd_restart(struct jxd *d)
{
	if (d->pid != 0)
		jxd_stop(d);
	jxd_spawn(d);
}

void
jxd_stop(struct jxd *d)
{
	long long deadline = jxd_ms() + 20000;
	int status;
	pid_t r;

	if (d->pid == 0)
		return;
	if (!d->no_invariants)
		invariant_check(d);
	kill(d->pid, SIGTERM);
	while ((r = waitpid(d->pid, &status, WNOHANG)) == 0 && jxd_ms() < deadline) {
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	jxd_track(d->pid, false);
	if (r == 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &status, 0);
		d->pid = 0;
		fail_msg("jixiaod did not stop within 20 s of SIGTERM");
	}
	d->pid = 0;
	close(d->out_fd);
	d->out_fd = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("jixiaod stopped badly (status %d)", status);
	/* And the store it left is sound: chains, indexes and evidence (jixiaod check). */
	if (!d->no_invariants) {
		const char *argv[] = { jxd_env("JIXIAOD"), "check", "--data", d->data, NULL };
		if (jxd_run(d, argv) != 0)
			fail_msg("jixiaod check found the store damaged (see %s/jixiaod.log)", d->dir);
	}
}

void
jxd_cleanup(struct jxd *d)
{
	if (d->pid != 0) {
		if (!d->no_invariants)
			invariant_check(d);
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
		jxd_track(d->pid, false);
		d->pid = 0;
	}
	if (d->out_fd >= 0)
		close(d->out_fd);
	if (d->dir[0] != '\0')
		jxtest_rmtree(d->dir);
}

/* Reads all of fd into a malloc'd string. */
static char *
jxd_slurp(int fd)
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

/* Starts jx as jxd_jx_start does, its configuration directory dir/sub. */
static void
jxd_jx_spawn(struct jxd *d, struct jxd_proc *p, const char *const *args, const char *sub)
{
	posix_spawn_file_actions_t fa;
	const char *argv[64], *user = "admin";
	char key[400], config[400];
	int po[2], pe[2], n = 0;
	bool has_key = false;

	/* --user NAME picks the test's key for NAME; an explicit --key stands. */
	for (const char *const *a = args; *a != NULL; a++) {
		if (strcmp(*a, "--user") == 0 && a[1] != NULL)
			user = a[1];
		if (strcmp(*a, "--key") == 0)
			has_key = true;
	}
	if (!has_key)
		jxd_user(d, user, true);
	argv[n++] = jxd_env("JX");
	argv[n++] = "--server";
	argv[n++] = d->url;
	if (!has_key) {
		argv[n++] = "--key";
		argv[n++] = jxd_key_path(d, user, key, sizeof(key));
	}
	for (; *args != NULL && n < 63; args++) {
		if (strcmp(*args, "--user") == 0 && args[1] != NULL) {
			args++;
			continue;
		}
		argv[n++] = *args;
	}
	argv[n] = NULL;
	/* jx keeps the servers it has seen in the test's own configuration directory. */
	snprintf(config, sizeof(config), "%s/%s", d->dir, sub);
	if (mkdir(config, 0700) != 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", config, strerror(errno));
	setenv("XDG_CONFIG_HOME", config, 1);
	if (pipe(po) != 0 || pipe(pe) != 0)
		fail_msg("pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pe[1], STDERR_FILENO);
	posix_spawn_file_actions_addclose(&fa, po[0]);
	posix_spawn_file_actions_addclose(&fa, pe[0]);
	posix_spawn_file_actions_addclose(&fa, po[1]);
	posix_spawn_file_actions_addclose(&fa, pe[1]);
	if (posix_spawn(&p->pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
		fail_msg("cannot run %s: %s", argv[0], strerror(errno));
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	p->out_fd = po[0];
	p->err_fd = pe[0];
	jxd_track(p->pid, true);
}

void
jxd_jx_start(struct jxd *d, struct jxd_proc *p, const char *const *args)
{
	jxd_jx_spawn(d, p, args, "config");
}

int
jxd_jx_aside(struct jxd *d, char **out, char **err, const char *const *args)
{
	struct jxd_proc p;

	jxd_jx_spawn(d, &p, args, "config-aside");
	return jxd_jx_wait(&p, out, err);
}

int
jxd_jx_wait(struct jxd_proc *p, char **out, char **err)
{
	int status;
	char *o, *e;

	/* jx's outputs are small: reading them one after the other cannot deadlock. */
	o = jxd_slurp(p->out_fd);
	e = jxd_slurp(p->err_fd);
	close(p->out_fd);
	close(p->err_fd);
	waitpid(p->pid, &status, 0);
	jxd_track(p->pid, false);
	p->pid = 0;
	if (out != NULL)
		*out = o;
	else
		free(o);
	if (err != NULL)
		*err = e;
	else
		free(e);
	if (!WIFEXITED(status))
		fail_msg("jx died with status %d", status);
	return WEXITSTATUS(status);
}

int
jxd_jxv(struct jxd *d, char **out, char **err, const char *const *args)
{
	struct jxd_proc p;

	jxd_jx_start(d, &p, args);
	return jxd_jx_wait(&p, out, err);
}

int
jxd_jx(struct jxd *d, char **out, char **err, ...)
{
	const char *args[64];
	const char *a;
	va_list ap;
	int n = 0;

	va_start(ap, err);
	while ((a = va_arg(ap, const char *)) != NULL && n < 63)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	return jxd_jxv(d, out, err, args);
}
