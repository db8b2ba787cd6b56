#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "store.h"

#define BACKUP_MAGIC "jixiao-backup 1"
/* The last line: "#manifest LEN\n", LEN the manifest's bytes before it. */
#define BACKUP_TAIL_TAG "#manifest "
#define BACKUP_TAIL_MAX 40
/* A manifest line per workspace is under 120 bytes: room for a million workspaces. */
#define BACKUP_MANIFEST_MAX ((size_t)128 << 20)
#define BACKUP_PATH_MAX 4096
#define BACKUP_IO 65536

static int
backup_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copies fd from offset 0 to its end into out; hashes the first hash_len bytes if h. */
static int
backup_copy(int fd, int out, crypto_generichash_state *h, uint64_t hash_len)
{
	uint8_t *buf = malloc(BACKUP_IO);
	uint64_t off = 0;
	ssize_t n;
	int rv = -1;

	if (buf == NULL)
		return -1;
	for (;;) {
		n = pread(fd, buf, BACKUP_IO, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (h != NULL && off < hash_len)
			crypto_generichash_update(h, buf,
			    (size_t)(hash_len - off < (uint64_t)n ? hash_len - off : (uint64_t)n));
		if (out >= 0 && backup_write_all(out, buf, (size_t)n) != 0)
			goto out;
		off += (uint64_t)n;
	}
	rv = 0;
out:
	free(buf);
	return rv;
}

static int
backup_hash(int fd, uint64_t len, uint8_t hash[FSCK_HASH_LEN])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, FSCK_HASH_LEN);
	if (backup_copy(fd, -1, &h, len) != 0)
		return -1;
	crypto_generichash_final(&h, hash, FSCK_HASH_LEN);
	return 0;
}

/* The manifest's text, malloc'd in *text. */
static int
backup_manifest_text(const struct backup_manifest *m, char **text, size_t *len)
{
	char *f = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&f, &n);

	if (mem == NULL)
		return -1;
	backup_manifest_print(mem, m);
	if (fclose(mem) != 0) {
		free(f);
		return -1;
	}
	*text = f;
	*len = n;
	return 0;
}

void
backup_manifest_print(FILE *f, const struct backup_manifest *m)
{
	char hex[2 * FSCK_HASH_LEN + 1];

	sodium_bin2hex(hex, sizeof(hex), m->hash, FSCK_HASH_LEN);
	fprintf(f, BACKUP_MAGIC "\nformat %s\ncreated %s\nbytes %" PRIu64 "\nblake2b %s\n"
	    "workspaces %zu\n", m->format, m->created, m->bytes, hex, m->nws);
	for (size_t i = 0; i < m->nws; i++) {
		if (m->ws[i].has_head)
			sodium_bin2hex(hex, sizeof(hex), m->ws[i].head, FSCK_HASH_LEN);
		fprintf(f, "workspace %" PRIu64 " revision %" PRIu64 " head %s\n", m->ws[i].id,
		    m->ws[i].revision, m->ws[i].has_head ? hex : "-");
	}
}

void
backup_manifest_free(struct backup_manifest *m)
{
	free(m->ws);
	m->ws = NULL;
	m->nws = 0;
}

static int
backup_parse_u64(const char *s, const char *end, uint64_t *v)
{
	uint64_t x = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

static int
backup_parse_hex(const char *s, const char *end, uint8_t out[FSCK_HASH_LEN])
{
	size_t got;

	if (end - s != 2 * FSCK_HASH_LEN ||
	    sodium_hex2bin(out, FSCK_HASH_LEN, s, (size_t)(end - s), NULL, &got, NULL) != 0 ||
	    got != FSCK_HASH_LEN)
		return -1;
	return 0;
}

/* One "workspace ID revision REV head HEX|-" line. */
static int
backup_parse_ws(const char *p, const char *eol, struct fsck_workspace *w)
{
	const char *sp;

	memset(w, 0, sizeof(*w));
	if ((size_t)(eol - p) < 10 || memcmp(p, "workspace ", 10) != 0)
		return -1;
	p += 10;
	if ((sp = memchr(p, ' ', (size_t)(eol - p))) == NULL || backup_parse_u64(p, sp, &w->id))
		return -1;
	p = sp + 1;
	if ((size_t)(eol - p) < 9 || memcmp(p, "revision ", 9) != 0)
		return -1;
	p += 9;
	if ((sp = memchr(p, ' ', (size_t)(eol - p))) == NULL ||
	    backup_parse_u64(p, sp, &w->revision))
		return -1;
	p = sp + 1;
	if ((size_t)(eol - p) < 5 || memcmp(p, "head ", 5) != 0)
		return -1;
	p += 5;
	if (eol - p == 1 && *p == '-')
		return 0;
	w->has_head = true;
	return backup_parse_hex(p, eol, w->head);
}

/* Parses the manifest text; every line must be known and every field present. */
static int
backup_manifest_parse(const char *t, size_t len, struct backup_manifest *m, char *why,
    size_t whylen)
{
	const char *p = t, *end = t + len, *eol;
	uint64_t nws = 0;
	int line = 0, seen = 0;
	size_t cap = 0;

	memset(m, 0, sizeof(*m));
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			goto bad;
		line++;
		if (line == 1) {
			if ((size_t)(eol - p) != strlen(BACKUP_MAGIC) ||
			    memcmp(p, BACKUP_MAGIC, (size_t)(eol - p)) != 0)
				goto bad;
		} else if (eol - p > 7 && memcmp(p, "format ", 7) == 0 && eol - p - 7 < 16) {
			memcpy(m->format, p + 7, (size_t)(eol - p - 7));
			m->format[eol - p - 7] = '\0';
			seen |= 1;
		} else if (eol - p > 8 && memcmp(p, "created ", 8) == 0 && eol - p - 8 < 32) {
			memcpy(m->created, p + 8, (size_t)(eol - p - 8));
			m->created[eol - p - 8] = '\0';
			seen |= 2;
		} else if (eol - p > 6 && memcmp(p, "bytes ", 6) == 0) {
			if (backup_parse_u64(p + 6, eol, &m->bytes) != 0)
				goto bad;
			seen |= 4;
		} else if (eol - p > 8 && memcmp(p, "blake2b ", 8) == 0) {
			if (backup_parse_hex(p + 8, eol, m->hash) != 0)
				goto bad;
			seen |= 8;
		} else if (eol - p > 11 && memcmp(p, "workspaces ", 11) == 0) {
			if (backup_parse_u64(p + 11, eol, &nws) != 0 || nws > BACKUP_MANIFEST_MAX)
				goto bad;
			seen |= 16;
		} else if (eol - p > 10 && memcmp(p, "workspace ", 10) == 0) {
			if (m->nws == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				void *q = realloc(m->ws, ncap * sizeof(*m->ws));
				if (q == NULL)
					goto bad;
				m->ws = q;
				cap = ncap;
			}
			if (backup_parse_ws(p, eol, &m->ws[m->nws]) != 0 ||
			    (m->nws > 0 && m->ws[m->nws].id <= m->ws[m->nws - 1].id))
				goto bad;
			m->nws++;
		} else {
			goto bad;
		}
	}
	if (seen != 31 || nws != m->nws) {
		line = 0;
		goto bad;
	}
	return JX_OK;
bad:
	if (line > 0)
		snprintf(why, whylen, "the backup's manifest is damaged (line %d)", line);
	else
		snprintf(why, whylen, "the backup's manifest is incomplete");
	backup_manifest_free(m);
	return JX_EINVAL;
}

static void
backup_now(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Fsyncs the directory holding path, so a rename in it is durable. */
static void
backup_sync_dir(const char *path)
{
	char dir[BACKUP_PATH_MAX];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Checks the copy at path and fills m from it: the workspaces, the size, the hash. */
static int
backup_examine(const char *path, int fd, struct backup_manifest *m,
    unsigned long long *problems, fsck_problem_fn problem, void *arg, char *why,
    size_t whylen)
{
	struct fsck_report r;
	struct store *st = NULL;
	struct stat sb;
	int rv;

	if ((rv = store_open_readonly(path, true, &st, why, whylen)) != 0)
		return rv;
	rv = fsck_run(st, problem, arg, &r);
	store_close(st);
	if (rv != 0) {
		snprintf(why, whylen, "the copy cannot be read back: %s", jx_strerror(rv));
		fsck_report_free(&r);
		return rv;
	}
	*problems = r.problems;
	m->ws = r.ws;
	m->nws = r.nws;
	if (fstat(fd, &sb) != 0 || backup_hash(fd, (uint64_t)sb.st_size, m->hash) != 0) {
		snprintf(why, whylen, "cannot read the copy back: %s", strerror(errno));
		return JX_EINTERNAL;
	}
	m->bytes = (uint64_t)sb.st_size;
	return JX_OK;
}

int
backup_write(const char *data_dir, const char *out, struct backup_manifest *m,
    unsigned long long *problems, fsck_problem_fn problem, void *arg, char *why,
    size_t whylen)
{
	char part[BACKUP_PATH_MAX], tail[BACKUP_TAIL_MAX];
	struct store *st = NULL;
	char *text = NULL;
	size_t tlen = 0;
	int fd = -1, rv, n;
	bool made = false;

	memset(m, 0, sizeof(*m));
	*problems = 0;
	snprintf(m->format, sizeof(m->format), "%s", store_format());
	if (out != NULL && access(out, F_OK) == 0) {
		snprintf(why, whylen, "%s exists already; give the backup a new name", out);
		return JX_EEXIST;
	}
	if (out != NULL)
		n = snprintf(part, sizeof(part), "%s.part", out);
	else
		n = snprintf(part, sizeof(part), "%s/backup-%ld.part", data_dir, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(part)) {
		snprintf(why, whylen, "the backup's path is too long");
		return JX_EINVAL;
	}
	if ((rv = store_open_readonly(data_dir, false, &st, why, whylen)) != 0)
		return rv;
	if ((fd = open(part, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		snprintf(why, whylen, "cannot create %s: %s", part, strerror(errno));
		rv = JX_EINTERNAL;
		goto out;
	}
	made = true;
	backup_now(m->created);
	if ((rv = store_copy_fd(st, fd, why, whylen)) != 0)
		goto out;
	store_close(st);
	st = NULL;
	if ((rv = backup_examine(part, fd, m, problems, problem, arg, why, whylen)) != 0 ||
	    (rv = backup_manifest_text(m, &text, &tlen)) != 0) {
		if (rv == -1) {
			snprintf(why, whylen, "out of memory");
			rv = JX_EINTERNAL;
		}
		goto out;
	}
	n = snprintf(tail, sizeof(tail), BACKUP_TAIL_TAG "%zu\n", tlen);
	if (lseek(fd, 0, SEEK_END) < 0 || backup_write_all(fd, text, tlen) != 0 ||
	    backup_write_all(fd, tail, (size_t)n) != 0 || fsync(fd) != 0) {
		snprintf(why, whylen, "cannot write %s: %s", part, strerror(errno));
		rv = JX_EINTERNAL;
		goto out;
	}
	if (out == NULL) {
		struct stat sb;
		/* "--stdout > FILE" made FILE with the shell's umask: close it to others too. */
		if (fstat(STDOUT_FILENO, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (sb.st_mode & 077) != 0 && fchmod(STDOUT_FILENO, sb.st_mode & 0700) != 0)
			fprintf(stderr, "jixiaod: warning: the backup is readable by others and "
			    "cannot be made 0600: %s\n", strerror(errno));
		if (backup_copy(fd, STDOUT_FILENO, NULL, 0) != 0) {
			snprintf(why, whylen, "cannot write the backup to standard output: %s",
			    strerror(errno));
			rv = JX_EINTERNAL;
		}
		goto out;
	}
	/* link, not rename: a file made at out meanwhile is never replaced. */
	if (link(part, out) != 0) {
		snprintf(why, whylen, "cannot put the backup at %s: %s", out, strerror(errno));
		rv = errno == EEXIST ? JX_EEXIST : JX_EINTERNAL;
		goto out;
	}
	backup_sync_dir(out);
out:
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(part);
	store_close(st);
	free(text);
	if (rv != 0)
		backup_manifest_free(m);
	return rv;
}

/* Copies the backup (a path, or "-" for standard input) into the new file fd. */
static int
backup_spool(const char *backup, int fd, char *why, size_t whylen)
{
	uint8_t *buf;
	int in, rv = JX_OK;
	ssize_t n;

	if (strcmp(backup, "-") == 0)
		in = STDIN_FILENO;
	else if ((in = open(backup, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(why, whylen, "cannot open %s: %s", backup, strerror(errno));
		return JX_ENOTFOUND;
	}
	if ((buf = malloc(BACKUP_IO)) == NULL) {
		rv = JX_EINTERNAL;
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (;;) {
		n = read(in, buf, BACKUP_IO);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && backup_write_all(fd, buf, (size_t)n) != 0)) {
			snprintf(why, whylen, "cannot copy the backup: %s", strerror(errno));
			rv = JX_EINTERNAL;
			break;
		}
		if (n == 0)
			break;
	}
out:
	free(buf);
	if (in != STDIN_FILENO)
		close(in);
	return rv;
}

/* Reads the manifest from the end of the spooled file and cuts the file to the copy. */
static int
backup_read_manifest(int fd, struct backup_manifest *m, char *why, size_t whylen)
{
	char tail[BACKUP_TAIL_MAX + 1], *nl, *text = NULL;
	uint64_t size, tlen, tail_at;
	struct stat sb;
	size_t got;
	int rv;

	if (fstat(fd, &sb) != 0)
		goto io;
	size = (uint64_t)sb.st_size;
	got = size < BACKUP_TAIL_MAX ? (size_t)size : BACKUP_TAIL_MAX;
	if (got < 2 || pread(fd, tail, got, (off_t)(size - got)) != (ssize_t)got)
		goto damaged;
	tail[got] = '\0';
	if (tail[got - 1] != '\n')
		goto damaged;
	tail[got - 1] = '\0';
	if ((nl = strrchr(tail, '\n')) == NULL || strncmp(nl + 1, BACKUP_TAIL_TAG,
	    strlen(BACKUP_TAIL_TAG)) != 0 ||
	    backup_parse_u64(nl + 1 + strlen(BACKUP_TAIL_TAG), tail + got - 1, &tlen) != 0 ||
	    tlen > BACKUP_MANIFEST_MAX)
		goto damaged;
	tail_at = size - (uint64_t)(tail + got - 1 - nl);
	if (tlen > tail_at)
		goto damaged;
	if ((text = malloc((size_t)tlen + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	if (pread(fd, text, (size_t)tlen, (off_t)(tail_at - tlen)) != (ssize_t)tlen)
		goto io;
	if ((rv = backup_manifest_parse(text, (size_t)tlen, m, why, whylen)) != 0) {
		free(text);
		return rv;
	}
	free(text);
	if (m->bytes != tail_at - tlen) {
		snprintf(why, whylen, "the backup is %" PRIu64 " bytes but its manifest says the "
		    "copy alone is %" PRIu64 ": it is truncated or damaged", size, m->bytes);
		backup_manifest_free(m);
		return JX_EINVAL;
	}
	if (ftruncate(fd, (off_t)m->bytes) != 0)
		goto io;
	return JX_OK;
damaged:
	snprintf(why, whylen, "this is not a jixiaod backup, or it is truncated: it does not "
	    "end with a manifest");
	return JX_EINVAL;
io:
	free(text);
	snprintf(why, whylen, "cannot read the backup back: %s", strerror(errno));
	return JX_EINTERNAL;
}

/* The copy's workspaces must be exactly the manifest's, at its revisions and heads. */
static int
backup_match(const struct backup_manifest *m, const struct backup_manifest *got, char *why,
    size_t whylen)
{
	for (size_t i = 0; i < m->nws || i < got->nws; i++) {
		const struct fsck_workspace *a = i < m->nws ? &m->ws[i] : NULL;
		const struct fsck_workspace *b = i < got->nws ? &got->ws[i] : NULL;
		if (a == NULL || b == NULL || a->id != b->id) {
			snprintf(why, whylen, "the backup holds other workspaces than its manifest "
			    "lists (workspace %" PRIu64 ")", a != NULL ? a->id : b->id);
			return JX_EINVAL;
		}
		if (a->revision != b->revision || a->has_head != b->has_head ||
		    (a->has_head && sodium_memcmp(a->head, b->head, FSCK_HASH_LEN) != 0)) {
			snprintf(why, whylen, "workspace %" PRIu64 " in the backup is not at the "
			    "revision and chain head its manifest lists", a->id);
			return JX_EINVAL;
		}
	}
	return JX_OK;
}

int
backup_restore(const char *backup, const char *data_dir, struct backup_manifest *m,
    fsck_problem_fn problem, void *arg, char *why, size_t whylen)
{
	char part[BACKUP_PATH_MAX], data[BACKUP_PATH_MAX];
	struct backup_manifest got = { 0 };
	unsigned long long problems = 0;
	uint8_t hash[FSCK_HASH_LEN];
	int lock = -1, fd = -1, rv, n1, n2;
	bool made = false;

	memset(m, 0, sizeof(*m));
	n1 = snprintf(part, sizeof(part), "%s/restore.part", data_dir);
	n2 = snprintf(data, sizeof(data), "%s/data.mdb", data_dir);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(part) || (size_t)n2 >= sizeof(data)) {
		snprintf(why, whylen, "the data directory's path is too long");
		return JX_EINVAL;
	}
	if ((rv = store_lock(data_dir, &lock, why, whylen)) != 0) {
		if (rv == JX_EPRECOND)
			snprintf(why, whylen, "a jixiaod is running on %s: restore into a new "
			    "directory, or stop it and move its store aside first", data_dir);
		return rv;
	}
	if (access(data, F_OK) == 0) {
		snprintf(why, whylen, "%s already holds a store (%s): restore into a new directory, "
		    "or move the old store aside first", data_dir, data);
		rv = JX_EEXIST;
		goto out;
	}
	if ((fd = open(part, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(why, whylen, "cannot create %s: %s", part, strerror(errno));
		rv = JX_EINTERNAL;
		goto out;
	}
	made = true;
	if ((rv = backup_spool(backup, fd, why, whylen)) != 0 ||
	    (rv = backup_read_manifest(fd, m, why, whylen)) != 0)
		goto out;
	if (strcmp(m->format, store_format()) != 0) {
		snprintf(why, whylen, "the backup holds store format %s; this jixiaod reads format "
		    "%s", m->format, store_format());
		rv = JX_EPRECOND;
		goto out;
	}
	if (backup_hash(fd, m->bytes, hash) != 0) {
		snprintf(why, whylen, "cannot read the backup back: %s", strerror(errno));
		rv = JX_EINTERNAL;
		goto out;
	}
	if (sodium_memcmp(hash, m->hash, FSCK_HASH_LEN) != 0) {
		snprintf(why, whylen, "the backup is damaged: its content does not have the "
		    "BLAKE2b its manifest gives");
		rv = JX_EINVAL;
		goto out;
	}
	if ((rv = backup_examine(part, fd, &got, &problems, problem, arg, why, whylen)) != 0)
		goto out;
	if (problems > 0) {
		snprintf(why, whylen, "the backup's store has %llu problem%s (above)", problems,
		    problems == 1 ? "" : "s");
		rv = JX_EINVAL;
		goto out;
	}
	if ((rv = backup_match(m, &got, why, whylen)) != 0)
		goto out;
	if (fsync(fd) != 0 || rename(part, data) != 0) {
		snprintf(why, whylen, "cannot put the store in place as %s: %s", data,
		    strerror(errno));
		rv = JX_EINTERNAL;
		goto out;
	}
	made = false;
	backup_sync_dir(data);
out:
	backup_manifest_free(&got);
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(part);
	if (lock >= 0)
		close(lock);
	if (rv != 0)
		backup_manifest_free(m);
	return rv;
}
