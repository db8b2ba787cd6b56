/*
 * Resource exhaustion against a real jixiaod: a full file system (a small tmpfs, when
 * the test runs as root), a full store that may not grow (--max-store), and 10,000
 * connections. Each time: writes are refused with RESOURCE_EXHAUSTED (jx exits 74)
 * and a plain sentence, reads keep working, the daemon keeps running, nothing
 * acknowledged is lost, and writes work again when there is room.
 */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sysexits.h>

#include "client.h"
#include "daemon.h"
#include "err.h"
#include "jxtest.h"
#include "proto/jixiao.pb-c.h"

#define EXHAUSTION_CONNECTIONS 10000

static long long
exhaustion_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Adds indicator name to workspace 1; returns jx's exit status, *err its stderr. */
static int
exhaustion_add(struct jxd *d, const char *name, char **err)
{
	return jxd_jx(d, NULL, err, "node", "add", "1", name, "--weight", "1", "--criteria",
	    "按照《项目支出绩效评价管理办法》逐项核对立项依据、资金使用与产出完成情况",
	    NULL);
}

/* Every acknowledged indicator is in the tree, and the history verifies. */
static void
exhaustion_check_all(struct jxd *d, int acknowledged)
{
	char *out = NULL, name[32];

	assert_int_equal(jxd_jx(d, &out, NULL, "tree", "1", NULL), 0);
	for (int i = 0; i < acknowledged; i++) {
		snprintf(name, sizeof(name), "指标%d", i);
		if (strstr(out, name) == NULL)
			fail_msg("acknowledged indicator %s is missing", name);
	}
	free(out);
	assert_int_equal(jxd_jx(d, NULL, NULL, "verify", "1", NULL), 0);
}

/* Fills the file system holding dir to the last block. */
static void
exhaustion_fill(const char *dir, char *path, size_t len)
{
	static char block[1 << 20];
	size_t chunk = sizeof(block);
	ssize_t n;
	int fd;

	snprintf(path, len, "%s/filler", dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0);
	memset(block, 'x', sizeof(block));
	while (chunk >= 512) {
		n = write(fd, block, chunk);
		if (n < 0 && errno == ENOSPC)
			chunk /= 2;
		else
			assert_true(n > 0);
	}
	close(fd);
}

/* The tmpfs and its daemon, undone by full_disk_teardown even after a failure. */
struct full_disk {
	struct jxd d;
	char mnt[256];
	bool mounted;
};

static int
full_disk_setup(void **state)
{
	struct full_disk *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->d.pid = 0;
	*state = f;
	return 0;
}

static int
full_disk_teardown(void **state)
{
	struct full_disk *f = *state;

	if (f->d.dir[0] != '\0')
		jxd_cleanup(&f->d);
	/* Lazily: a killed daemon's files may still be closing. */
	if (f->mounted && umount2(f->mnt, MNT_DETACH) != 0)
		print_message("cannot unmount %s: %s\n", f->mnt, strerror(errno));
	if (f->mnt[0] != '\0')
		rmdir(f->mnt);
	free(f);
	return 0;
}

/*
 * The data directory on a 24 MiB tmpfs that fills up: writes are refused as a full
 * disk, reads go on, and when the space comes back the same daemon takes writes again.
 */
static void
full_disk_refuses_writes_and_recovers(void **state)
{
	struct full_disk *f = *state;
	char filler[320], name[32], *err = NULL, *out = NULL;
	char *mnt = f->mnt;
	const char *tmp = getenv("TMPDIR");
	char *saved = tmp != NULL ? strdup(tmp) : NULL;
	int acknowledged = 0, rv = 0;

	if (geteuid() != 0) {
		print_message("SKIPPED: a full disk needs a tmpfs mount, and this test is not "
			      "running as root\n");
		skip();
	}
	snprintf(mnt, sizeof(f->mnt), "%s/jxfull.XXXXXX", tmp != NULL ? tmp : "/tmp");
	assert_non_null(mkdtemp(mnt));
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=24m,mode=0700") != 0) {
		print_message("SKIPPED: cannot mount a tmpfs on %s: %s\n", mnt, strerror(errno));
		skip();
	}
	f->mounted = true;
	setenv("TMPDIR", mnt, 1);
	jxd_start(&f->d, false);
	if (saved != NULL)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);

	assert_int_equal(jxd_jx(&f->d, NULL, NULL, "ws", "create", "--subject", "磁盘已满", "--year",
	    "2024", "--kind", "key-evaluation", NULL), 0);
	for (; acknowledged < 5; acknowledged++) {
		snprintf(name, sizeof(name), "指标%d", acknowledged);
		assert_int_equal(exhaustion_add(&f->d, name, NULL), 0);
	}
	exhaustion_fill(mnt, filler, sizeof(filler));
	/* LMDB may still find free pages for a while: write until the disk says no. */
	for (int i = 0; i < 400; i++) {
		snprintf(name, sizeof(name), "指标%d", acknowledged);
		free(err);
		if ((rv = exhaustion_add(&f->d, name, &err)) != 0)
			break;
		acknowledged++;
	}
	print_message("full disk: %d edits acknowledged, then: %s", acknowledged, err);
	/* Again, and the daemon is still there; reads work on the full disk. */
	assert_int_equal(exhaustion_add(&f->d, "又一个", NULL), EX_IOERR);
	assert_int_equal(jxd_jx(&f->d, &out, NULL, "tree", "1", NULL), 0);
	free(out);
	assert_int_equal(jxd_jx(&f->d, NULL, NULL, "ping", NULL), 0);
	assert_int_equal(kill(f->d.pid, 0), 0);
	assert_int_equal(rv, EX_IOERR);
	assert_non_null(strstr(err, "数据目录所在磁盘已满"));
	assert_non_null(strstr(err, "MiB free"));
	free(err);

	/* Room again: the same daemon takes writes, and nothing acknowledged was lost. */
	assert_int_equal(unlink(filler), 0);
	snprintf(name, sizeof(name), "指标%d", acknowledged);
	assert_int_equal(exhaustion_add(&f->d, name, NULL), 0);
	acknowledged++;
	exhaustion_check_all(&f->d, acknowledged);
	jxd_stop(&f->d);
	/* And after a restart. */
	jxd_restart(&f->d);
	exhaustion_check_all(&f->d, acknowledged);
}

/* Writes random bytes to a new file of size bytes in dir. */
static void
exhaustion_file(const char *path, size_t size)
{
	unsigned char buf[4096];
	FILE *f = fopen(path, "wb");
	unsigned seed = (unsigned)size ^ (unsigned)exhaustion_ms();

	assert_non_null(f);
	for (size_t done = 0; done < size; done += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (unsigned char)rand_r(&seed);
		assert_int_equal(fwrite(buf, 1, sizeof(buf), f), sizeof(buf));
	}
	assert_int_equal(fclose(f), 0);
}

/*
 * A store that may not grow past 2 MiB (--max-store) and fills with evidence: the
 * write that does not fit is refused with the limit named; reads and smaller writes
 * that fit in freed pages go on; the daemon keeps running.
 */
static void
full_store_refuses_writes(void **state)
{
	static const char *const args[] = { "--map-size", "1048576", "--max-store", "2097152",
		NULL };
	struct jxd_opts o = { .args = args };
	char path[400], *err = NULL, *out = NULL;
	int rv = 0, added = 0;
	struct jxd d;

	(void)state;
	jxd_start_opts(&d, &o);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "库满", "--year",
	    "2024", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(exhaustion_add(&d, "指标0", NULL), 0);
	for (int i = 0; i < 12; i++) {
		snprintf(path, sizeof(path), "%s/evidence%d.bin", d.dir, i);
		exhaustion_file(path, 256 << 10);
		free(err);
		if ((rv = jxd_jx(&d, NULL, &err, "evidence", "add", "1", "1", path, NULL)) != 0)
			break;
		added++;
	}
	print_message("full store: %d evidence files of 256 KiB stored, then: %s", added, err);
	assert_true(added >= 1);
	assert_int_equal(rv, EX_IOERR);
	assert_non_null(strstr(err, "maximum size of 2 MiB"));
	free(err);
	assert_int_equal(kill(d.pid, 0), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "evidence", "ls", "1", NULL), 0);
	free(out);
	exhaustion_check_all(&d, 1);
	jxd_cleanup(&d);
}

/*
 * A workspace grown to the size cap (--max-message 4 MiB, the smallest): the indicator that would
 * make its tree reply too big is refused with the numbers, and every view of the
 * workspace (tree, score, log, verify) still reads; nothing acknowledged is lost.
 */
static void
workspace_at_the_size_cap(void **state)
{
	static const char *const args[] = { "--max-message", "4194304", NULL };
	Jixiao__AddNodeRequest in = JIXIAO__ADD_NODE_REQUEST__INIT;
	struct jxd_opts o = { .args = args };
	static char criteria[8001];
	char name[32], message[1200], why[256], *out = NULL;
	ProtobufCMessage *reply;
	struct client *cl;
	int rv = 0, acknowledged = 0;
	struct jxd d;

	(void)state;
	jxd_start_opts(&d, &o);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "大工作区", "--year",
	    "2024", "--kind", "key-evaluation", NULL), 0);
	assert_jx_ok(client_open(d.url, jxd_identity(&d, "admin"), &cl, why, sizeof(why)));
	memset(criteria, 'a', sizeof(criteria) - 1);
	in.workspace = 1;
	in.name = name;
	in.criteria = criteria;
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "指标%d", acknowledged);
		rv = client_call(cl, &jixiao__tree__descriptor, "AddNode", &in.base, &reply, message,
		    sizeof(message));
		protobuf_c_message_free_unpacked(reply, NULL);
		if (rv != 0)
			break;
		acknowledged++;
	}
	print_message("size cap: %d indicators of 8 KB acknowledged, then: %s\n", acknowledged,
	    message);
	assert_jx_err(rv, JX_ENOSPC);
	assert_non_null(strstr(message, "would no longer fit in one reply"));
	assert_non_null(strstr(message, "KiB, more than the 4092 KiB"));
	client_close(cl);
	/* jx says the same, and exits 74. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "再一个", "--criteria",
	    criteria, NULL), EX_IOERR);
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", NULL), 0);
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", NULL), 0);
	free(out);
	exhaustion_check_all(&d, acknowledged);
	assert_int_equal(kill(d.pid, 0), 0);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/*
 * Opens n TCP connections to url (tcp://127.0.0.1:PORT) at once, without waiting for
 * each (nng accepts a few hundred a second on a busy machine; the kernel queues the
 * rest), and waits until every one is established. Fails the test if one is refused.
 */
static void
exhaustion_connect_all(const char *url, int *fds, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	const char *colon = strrchr(url, ':');
	struct epoll_event ev, evs[256];
	long long deadline = exhaustion_ms() + 60000;
	int ep, pending = n;

	assert_non_null(colon);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)strtol(colon + 1, NULL, 10));
	assert_true((ep = epoll_create1(EPOLL_CLOEXEC)) >= 0);
	for (int i = 0; i < n; i++) {
		assert_true((fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0)) >= 0);
		if (connect(fds[i], (struct sockaddr *)&a, sizeof(a)) != 0 && errno != EINPROGRESS)
			fail_msg("connection %d: %s", i, strerror(errno));
		ev.events = EPOLLOUT;
		ev.data.u32 = (uint32_t)i;
		assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev), 0);
	}
	while (pending > 0 && exhaustion_ms() < deadline) {
		int got = epoll_wait(ep, evs, 256, 1000);
		for (int i = 0; i < got; i++) {
			int fd = fds[evs[i].data.u32], soerr = 0;
			socklen_t len = sizeof(soerr);
			assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len), 0);
			if (soerr != 0)
				fail_msg("connection %u refused: %s", evs[i].data.u32, strerror(soerr));
			assert_int_equal(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL), 0);
			pending--;
		}
	}
	close(ep);
	if (pending > 0)
		fail_msg("%d of %d connections not established within 60 s", pending, n);
}

/*
 * 10,000 connections that say nothing: a real call still answers, and after they all
 * hang up at once as well. The daemon raises its own descriptor limit; the test
 * raises its own (and the daemon inherits the hard one) or says why it opens fewer.
 */
static void
ten_thousand_connections(void **state)
{
	struct rlimit rl;
	struct jxd d;
	int *fds, want = EXHAUSTION_CONNECTIONS, n = 0;
	long long start;
	char *out = NULL;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max < (rlim_t)want + 2000) {
		struct rlimit more = { (rlim_t)want + 2000, (rlim_t)want + 2000 };
		if (setrlimit(RLIMIT_NOFILE, &more) == 0)
			rl = more;
	}
	rl.rlim_cur = rl.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < (rlim_t)want + 200) {
		want = (int)rl.rlim_cur / 2 - 100;
		print_message("only %d connections: the descriptor limit is %llu and cannot be "
			      "raised here (not root)\n", want, (unsigned long long)rl.rlim_cur);
	}
	jxd_start(&d, true);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "万连接", "--year",
	    "2024", "--kind", "key-evaluation", NULL), 0);
	assert_non_null(fds = calloc((size_t)want, sizeof(*fds)));
	start = exhaustion_ms();
	exhaustion_connect_all(d.tcp_url, fds, want);
	n = want;
	print_message("%d idle connections opened in %lld ms\n", n, exhaustion_ms() - start);
	start = exhaustion_ms();
	assert_int_equal(exhaustion_add(&d, "指标0", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "tree", "1", NULL), 0);
	free(out);
	print_message("a write and a read with %d connections open: %lld ms\n", n,
	    exhaustion_ms() - start);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	start = exhaustion_ms();
	assert_int_equal(exhaustion_add(&d, "指标1", NULL), 0);
	print_message("a write after they all hung up: %lld ms\n", exhaustion_ms() - start);
	assert_int_equal(kill(d.pid, 0), 0);
	exhaustion_check_all(&d, 2);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(full_disk_refuses_writes_and_recovers,
		    full_disk_setup, full_disk_teardown),
		cmocka_unit_test(full_store_refuses_writes),
		cmocka_unit_test(workspace_at_the_size_cap),
		cmocka_unit_test(ten_thousand_connections),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
