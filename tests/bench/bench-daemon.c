#include "bench-daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

volatile sig_atomic_t bench_stop;

uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
bench_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}


/* Reads the daemon's stdout until the readiness line; fills d->url for tcp. */
static int
bench_daemon_wait(struct bench_daemon *d)
{
	char buf[2048];
	size_t used = 0;
	uint64_t deadline = bench_now_ns() + (uint64_t)BENCH_WAIT_MS * 1000000u;

	for (;;) {
		struct pollfd p = { .fd = d->out_fd, .events = POLLIN };
		uint64_t now = bench_now_ns();
		char *line, *tcp;
		ssize_t n;

		if (now >= deadline || bench_stop)
			return -1;
		if (poll(&p, 1, (int)((deadline - now) / 1000000u) + 1) <= 0)
			continue;
		if ((n = read(d->out_fd, buf + used, sizeof(buf) - 1 - used)) <= 0)
			return -1;
		used += (size_t)n;
		buf[used] = '\0';
		if ((line = strstr(buf, "jixiaod: ready on ")) != NULL && strchr(line, '\n')) {
			if (d->tcp && (tcp = strstr(line, "tcp://")) != NULL)
				snprintf(d->url, sizeof(d->url), "%.*s", (int)strcspn(tcp, " \n"),
				    tcp);
			return 0;
		}
		if (used == sizeof(buf) - 1)
			used = 0;
	}
}

static void
bench_print_log(const struct bench_daemon *d)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if ((fd = open(d->log, O_RDONLY)) < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
	close(fd);
}

/* The store's first start: a key for the benchmark's admin, and jixiaod init. */
static int
bench_daemon_init(struct bench_daemon *d)
{
	uint8_t pk[KEY_PUBLIC_LEN];
	char key[400], pub[420], why[600];
	const char *argv[8];
	int status;
	pid_t pid;

	snprintf(key, sizeof(key), "%s/admin.key", d->dir);
	snprintf(pub, sizeof(pub), "%s.pub", key);
	if (key_init() != 0)
		return -1;
	key_generate(pk, d->sk);
	if (key_save(key, pk, d->sk, "bench", why, sizeof(why)) != 0) {
		fprintf(stderr, "jx-bench: %s\n", why);
		return -1;
	}
	argv[0] = d->path;
	argv[1] = "init";
	argv[2] = "--data";
	argv[3] = d->data;
	argv[4] = "--admin-key";
	argv[5] = pub;
	argv[6] = NULL;
	if (posix_spawn(&pid, d->path, NULL, NULL, (char *const *)argv, environ) != 0 ||
	    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "jx-bench: jixiaod init failed\n");
		return -1;
	}
	d->id.secret_key = d->sk;
	d->id.known_servers = NULL;
	d->initialised = true;
	return 0;
}

/* Starts jixiaod -v on d->data; a restart keeps the address. */
int
bench_daemon_start(struct bench_daemon *d)
{
	posix_spawn_file_actions_t fa;
	const char *argv[10];
	int pipefd[2], n = 0, rv;

	if (!d->initialised && bench_daemon_init(d) != 0)
		return -1;
	if (pipe(pipefd) != 0) {
		fprintf(stderr, "jx-bench: pipe: %s\n", strerror(errno));
		return -1;
	}
	argv[n++] = d->path;
	argv[n++] = "--data";
	argv[n++] = d->data;
	argv[n++] = "--listen";
	argv[n++] = d->url[0] != '\0' ? d->url : "tcp://127.0.0.1:0";
	argv[n++] = "-v";
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, d->log, O_WRONLY | O_CREAT | O_TRUNC,
	    0600);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	rv = posix_spawn(&d->pid, d->path, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rv != 0) {
		close(pipefd[0]);
		d->pid = 0;
		fprintf(stderr, "jx-bench: cannot start %s: %s\n", d->path, strerror(rv));
		return -1;
	}
	d->out_fd = pipefd[0];
	if (bench_daemon_wait(d) != 0) {
		fprintf(stderr, "jx-bench: %s did not become ready; its log:\n", d->path);
		bench_print_log(d);
		return -1;
	}
	return 0;
}

/* Finds the writer's last "writer stopped after N transactions for M writes". */
bool
bench_daemon_stats(const struct bench_daemon *d, unsigned long long *commits,
    unsigned long long *writes)
{
	static const char key[] = "writer stopped after ";
	char *buf, *p, *found = NULL, *end;
	size_t used = 0;
	ssize_t n;
	int fd;
	bool ok = false;

	if ((buf = malloc(BENCH_LOG_MAX + 1)) == NULL)
		return false;
	if ((fd = open(d->log, O_RDONLY)) >= 0) {
		/* The line is near the end: the audit log makes the file long. */
		off_t size = lseek(fd, 0, SEEK_END);
		if (size < 0 || lseek(fd, size > (off_t)BENCH_LOG_MAX ?
		    size - (off_t)BENCH_LOG_MAX : 0, SEEK_SET) < 0)
			size = 0;
		while (used < BENCH_LOG_MAX && (n = read(fd, buf + used, BENCH_LOG_MAX - used)) > 0)
			used += (size_t)n;
		close(fd);
	}
	buf[used] = '\0';
	for (p = buf; (p = strstr(p, key)) != NULL; p += sizeof(key) - 1)
		found = p;
	if (found != NULL) {
		p = found + sizeof(key) - 1;
		errno = 0;
		*commits = strtoull(p, &end, 10);
		if (errno == 0 && end != p && strncmp(end, " transactions for ", 18) == 0) {
			p = end + 18;
			*writes = strtoull(p, &end, 10);
			ok = errno == 0 && end != p;
		}
	}
	free(buf);
	return ok;
}

/* SIGTERM and a clean exit within 20 s, else SIGKILL. Returns 0 on a clean exit. */
int
bench_daemon_stop(struct bench_daemon *d)
{
	uint64_t deadline = bench_now_ns() + (uint64_t)BENCH_WAIT_MS * 1000000u;
	int status = 0, rv = 0;
	pid_t r;

	if (d->pid <= 0)
		return 0;
	kill(d->pid, SIGTERM);
	while ((r = waitpid(d->pid, &status, WNOHANG)) == 0 && bench_now_ns() < deadline)
		bench_sleep_ms(10);
	if (r == 0) {
		fprintf(stderr, "jx-bench: jixiaod did not stop within 20 s; killing it\n");
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &status, 0);
		rv = -1;
	} else if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "jx-bench: jixiaod stopped badly (status %d)\n", status);
		rv = -1;
	}
	d->pid = 0;
	close(d->out_fd);
	d->out_fd = -1;
	return rv;
}

