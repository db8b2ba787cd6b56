#include "wal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sodium.h>

#include "crc32c.h"
#include "err.h"
#include "log.h"

#define WAL_FILE_MAGIC "JXWAL001"
#define WAL_FILE_HEADER 32
#define WAL_RECORD_MAGIC 0x3152584au /* "JXR1" */
#define WAL_RECORD_HEADER 24
#define WAL_OP_HEADER 8
#define WAL_PATH_MAX 4096
/*
 * The file is extended with zeros this much ahead of the records, so an append
 * overwrites blocks already on the device and its flush need not write the inode too.
 */
#define WAL_PREALLOC ((uint64_t)1 << 20)
/* A batch buffer bigger than this is freed after its commit, not kept. */
#define WAL_BATCH_KEEP ((size_t)8 << 20)

struct wal {
	char dir[WAL_PATH_MAX];  /* the data directory */
	char wdir[WAL_PATH_MAX]; /* dir/wal */
	int fd;                  /* the last file, for appending */
	/*
	 * The files: the writer adds one, a checkpoint removes old ones (wal_prune), from
	 * another thread: firsts and nfiles change under lock.
	 */
	pthread_mutex_t lock;
	uint64_t *firsts;        /* every file's first LSN, in order */
	size_t nfiles, capfiles;
	uint8_t id[WAL_ID_LEN];
	uint64_t last;           /* the last LSN */
	uint64_t size;           /* the end of the last file's records */
	uint64_t alloc;          /* the last file's size: its records, then zeros */
	uint64_t undo_size;      /* its size before the last append */
	bool can_undo;
	bool broken;
	bool readonly;           /* wal_check: a torn tail is measured, not cut */
	uint64_t torn;           /* its bytes */
	uint64_t written;
	atomic_uint_fast64_t disk; /* bytes of the files' headers and records */
	atomic_uint_fast64_t segment_max;
};

/* ---- little-endian numbers */

static void
wal_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
wal_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
wal_get32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
wal_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- batches */

void
wal_batch_reset(struct wal_batch *b)
{
	if (b->cap > WAL_BATCH_KEEP) {
		free(b->buf);
		b->buf = NULL;
		b->cap = 0;
	}
	b->len = 0;
	b->failed = false;
}

void
wal_batch_free(struct wal_batch *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

void
wal_batch_add(struct wal_batch *b, enum wal_op_kind kind, unsigned db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	size_t need = WAL_OP_HEADER + klen + vlen;
	uint8_t *p;

	if (b->failed)
		return;
	if (klen > UINT16_MAX || vlen > UINT32_MAX || db > UINT8_MAX ||
	    need > WAL_RECORD_MAX - b->len) {
		b->failed = true;
		return;
	}
	if (b->len + need > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 4096;
		while (cap < b->len + need)
			cap *= 2;
		if ((p = realloc(b->buf, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	p = b->buf + b->len;
	p[0] = (uint8_t)db;
	p[1] = (uint8_t)kind;
	p[2] = (uint8_t)klen;
	p[3] = (uint8_t)(klen >> 8);
	wal_put32(p + 4, (uint32_t)vlen);
	memcpy(p + WAL_OP_HEADER, key, klen);
	if (vlen > 0)
		memcpy(p + WAL_OP_HEADER + klen, val, vlen);
	b->len += need;
}

void
wal_batch_rewind(struct wal_batch *b, size_t len)
{
	if (len < b->len)
		b->len = len;
}

int
wal_op_next(const uint8_t *p, size_t len, size_t *off, struct wal_op *op)
{
	size_t o = *off, klen, vlen;

	if (o == len)
		return 0;
	if (len - o < WAL_OP_HEADER)
		return -1;
	klen = (size_t)p[o + 2] | (size_t)p[o + 3] << 8;
	vlen = wal_get32(p + o + 4);
	if (p[o + 1] != WAL_PUT && p[o + 1] != WAL_DEL)
		return -1;
	if (len - o - WAL_OP_HEADER < klen || len - o - WAL_OP_HEADER - klen < vlen)
		return -1;
	op->db = p[o];
	op->kind = p[o + 1];
	op->key = p + o + WAL_OP_HEADER;
	op->klen = klen;
	op->val = op->kind == WAL_PUT ? op->key + klen : NULL;
	op->vlen = vlen;
	*off = o + WAL_OP_HEADER + klen + vlen;
	return 1;
}

/* ---- files */

static void
wal_file_path(const struct wal *w, uint64_t first, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%016" PRIx64 ".log", w->wdir, first);
}

int
wal_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fsync(fd) != 0)
		rc = -1;
	if (fd >= 0)
		close(fd);
	return rc;
}

static int
wal_add_file(struct wal *w, uint64_t first)
{
	uint64_t *p;
	int rv = JX_OK;

	pthread_mutex_lock(&w->lock);
	if (w->nfiles == w->capfiles) {
		size_t cap = w->capfiles != 0 ? w->capfiles * 2 : 16;
		if ((p = realloc(w->firsts, cap * sizeof(*p))) == NULL) {
			rv = JX_EINTERNAL;
			goto out;
		}
		w->firsts = p;
		w->capfiles = cap;
	}
	w->firsts[w->nfiles++] = first;
out:
	pthread_mutex_unlock(&w->lock);
	return rv;
}

static uint32_t
wal_record_crc(const uint8_t *header, const void *payload, size_t len)
{
	return crc32c(crc32c(0, header + 4, 12), payload, len);
}

/* Writes all of iov at off; on a short write, the error. */
static int
wal_pwritev(int fd, struct iovec *iov, int n, uint64_t off)
{
	ssize_t r;

	while (n > 0) {
		r = pwritev(fd, iov, n, (off_t)off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		off += (uint64_t)r;
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

/*
 * Starts a new file whose first record will be LSN first: its header on the device and
 * its name in the directory before any record goes in.
 */
static int
wal_new_file(struct wal *w, uint64_t first, char *why, size_t whylen)
{
	char path[WAL_PATH_MAX + 32];
	uint8_t h[WAL_FILE_HEADER];
	struct iovec iov = { h, sizeof(h) };
	int fd, rc;

	wal_file_path(w, first, path, sizeof(path));
	memcpy(h, WAL_FILE_MAGIC, 8);
	memcpy(h + 8, w->id, WAL_ID_LEN);
	wal_put64(h + 24, first);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(why, whylen, "cannot create the log file %s: %s", path, strerror(errno));
		return errno == ENOSPC ? JX_ENOSPC : JX_EUNAVAIL;
	}
	if ((rc = wal_pwritev(fd, &iov, 1, 0)) != 0 || fdatasync(fd) != 0 ||
	    wal_sync_dir(w->wdir) != 0) {
		if (rc == 0)
			rc = errno;
		snprintf(why, whylen, "cannot write the log file %s: %s", path, strerror(rc));
		close(fd);
		unlink(path);
		return rc == ENOSPC ? JX_ENOSPC : JX_EUNAVAIL;
	}
	if (wal_add_file(w, first) != 0) {
		close(fd);
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	/* The file before keeps its records only: its zeros ahead are not needed now. */
	if (w->fd >= 0 && ftruncate(w->fd, (off_t)w->size) != 0)
		log_warn("cannot trim the log file before %s: %s", path, strerror(errno));
	if (w->fd >= 0)
		close(w->fd);
	w->fd = fd;
	w->size = w->alloc = WAL_FILE_HEADER;
	w->written += WAL_FILE_HEADER;
	atomic_fetch_add(&w->disk, WAL_FILE_HEADER);
	return JX_OK;
}

/* Whether p holds only zeros. */
static bool
wal_zeros(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Extends the last file with zeros to hold at least end bytes (flushed with the record). */
static int
wal_extend(struct wal *w, uint64_t end)
{
	static const uint8_t zeros[65536];
	uint64_t target = end + WAL_PREALLOC;
	struct iovec iov;
	int rc;

	while (w->alloc < target) {
		size_t n = target - w->alloc < sizeof(zeros) ? (size_t)(target - w->alloc) :
		    sizeof(zeros);
		iov = (struct iovec){ (void *)zeros, n };
		if ((rc = wal_pwritev(w->fd, &iov, 1, w->alloc)) != 0)
			return rc;
		w->alloc += n;
		w->written += n;
	}
	return 0;
}

/* A read-only map of a whole file; *len 0 (and NULL) for an empty one. */
static int
wal_map(const char *path, const uint8_t **p, size_t *len)
{
	struct stat st;
	void *m;
	int fd;

	*p = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (st.st_size > 0) {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			close(fd);
			return -1;
		}
		madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
		*p = m;
		*len = (size_t)st.st_size;
	}
	close(fd);
	return 0;
}

static void
wal_unmap(const uint8_t *p, size_t len)
{
	if (p != NULL)
		munmap((void *)p, len);
}

/* Whether a whole, intact record with LSN lsn starts at p (len bytes left). */
static bool
wal_record_ok(const uint8_t *p, size_t len, uint64_t lsn, size_t *size)
{
	size_t plen;

	if (len < WAL_RECORD_HEADER || wal_get32(p) != WAL_RECORD_MAGIC ||
	    wal_get64(p + 8) != lsn)
		return false;
	plen = wal_get32(p + 4);
	if (plen > WAL_RECORD_MAX || plen > len - WAL_RECORD_HEADER)
		return false;
	if (wal_get32(p + 16) != wal_record_crc(p, p + WAL_RECORD_HEADER, plen))
		return false;
	*size = WAL_RECORD_HEADER + plen;
	return true;
}

/* Whether a whole record of LSN lsn or lsn + 1 starts anywhere in p. */
static bool
wal_record_after(const uint8_t *p, size_t len, uint64_t lsn)
{
	size_t size;

	for (size_t o = 0; o + WAL_RECORD_HEADER <= len; o++)
		if (wal_get32(p + o) == WAL_RECORD_MAGIC &&
		    (wal_record_ok(p + o, len - o, lsn, &size) ||
		    wal_record_ok(p + o, len - o, lsn + 1, &size)))
			return true;
	return false;
}

static int
wal_compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Lists dir/wal's files by their first LSN. */
static int
wal_list(struct wal *w, char *why, size_t whylen)
{
	struct dirent *e;
	DIR *d;
	char *end;
	uint64_t first;

	if ((d = opendir(w->wdir)) == NULL) {
		snprintf(why, whylen, "cannot read the log folder %s: %s", w->wdir,
		    strerror(errno));
		return JX_EINTERNAL;
	}
	while ((e = readdir(d)) != NULL) {
		if (strlen(e->d_name) != 20 || strcmp(e->d_name + 16, ".log") != 0)
			continue;
		errno = 0;
		first = strtoull(e->d_name, &end, 16);
		if (errno != 0 || end != e->d_name + 16 || first == 0)
			continue;
		if (wal_add_file(w, first) != 0) {
			closedir(d);
			snprintf(why, whylen, "out of memory");
			return JX_EINTERNAL;
		}
	}
	closedir(d);
	if (w->nfiles > 1)
		qsort(w->firsts, w->nfiles, sizeof(*w->firsts), wal_compare_u64);
	return JX_OK;
}

/*
 * Checks file i (of the listed ones): its header, and with records set, its records,
 * cutting a torn tail. Only the last file is read whole at start-up: the others were
 * flushed before a later file began and are never written again; their records are
 * checked when they are replayed. *drop is set when the last file's header is
 * incomplete: it was being made when the process stopped, so it holds no record.
 */
static int
wal_check_file(struct wal *w, size_t i, bool records, bool *drop, char *why, size_t whylen)
{
	char path[WAL_PATH_MAX + 32];
	const uint8_t *p;
	size_t len, off, size;
	bool lastfile = i + 1 == w->nfiles;
	int rv = JX_OK;

	*drop = false;
	wal_file_path(w, w->firsts[i], path, sizeof(path));
	if (wal_map(path, &p, &len) != 0) {
		snprintf(why, whylen, "cannot read the log file %s: %s", path, strerror(errno));
		return JX_EINTERNAL;
	}
	if (len < WAL_FILE_HEADER || memcmp(p, WAL_FILE_MAGIC, 8) != 0 ||
	    wal_get64(p + 24) != w->firsts[i]) {
		if (lastfile && (len < WAL_FILE_HEADER || wal_get64(p + 24) == 0)) {
			*drop = true;
			goto out;
		}
		snprintf(why, whylen, "the log file %s is not a jixiao log file", path);
		rv = JX_EINTERNAL;
		goto out;
	}
	if (i == 0)
		memcpy(w->id, p + 8, WAL_ID_LEN);
	else if (memcmp(w->id, p + 8, WAL_ID_LEN) != 0) {
		snprintf(why, whylen, "the log file %s belongs to another log", path);
		rv = JX_EINTERNAL;
		goto out;
	}
	if (w->firsts[i] != w->last + 1) {
		snprintf(why, whylen, "the log is missing records %" PRIu64 " to %" PRIu64
		    " (before %s)", w->last + 1, w->firsts[i] - 1, path);
		rv = JX_EINTERNAL;
		goto out;
	}
	if (!records) {
		w->last = w->firsts[i + 1] - 1;
		goto out;
	}
	for (off = WAL_FILE_HEADER; off < len && wal_record_ok(p + off, len - off, w->last + 1,
	    &size); off += size)
		w->last++;
	w->alloc = len;
	if (off < len && wal_zeros(p + off, len - off)) {
		/* The zeros ahead of the records (WAL_PREALLOC): the end. */
	} else if (off < len) {
		/*
		 * Only the append in progress when the process or the machine stopped can
		 * be damaged, and it is the last thing in the last file. A whole record
		 * after the damage means the damage is elsewhere: refuse, cut nothing.
		 */
		if (!lastfile || wal_record_after(p + off + 1, len - off - 1, w->last + 1)) {
			snprintf(why, whylen, "the log file %s is damaged at byte %zu (record %"
			    PRIu64 "), and records follow: it is not a torn last write", path,
			    off, w->last + 1);
			rv = JX_EINTERNAL;
			goto out;
		}
		if (w->readonly) {
			w->torn = len - off;
			goto out;
		}
		log_warn("the log ended in an incomplete record (%zu bytes after record %"
		    PRIu64 " in %s), from a write that was never acknowledged: cut", len - off,
		    w->last, path);
		if (truncate(path, (off_t)off) != 0) {
			snprintf(why, whylen, "cannot cut the log file %s: %s", path,
			    strerror(errno));
			rv = JX_EINTERNAL;
			goto out;
		}
		w->alloc = off;
	}
	w->size = off;
out:
	wal_unmap(p, len);
	return rv;
}

int
wal_open(const char *dir, struct wal **wp, char *why, size_t whylen)
{
	return wal_open_sized(dir, WAL_SEGMENT_MAX, wp, why, whylen);
}

int
wal_open_sized(const char *dir, uint64_t segment_max, struct wal **wp, char *why,
    size_t whylen)
{
	char path[WAL_PATH_MAX + 32];
	struct wal *w;
	bool drop;
	int rv;

	*wp = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	w->fd = -1;
	pthread_mutex_init(&w->lock, NULL);
	atomic_init(&w->segment_max, segment_max);
	atomic_init(&w->disk, 0);
	snprintf(w->dir, sizeof(w->dir), "%s", dir);
	if ((size_t)snprintf(w->wdir, sizeof(w->wdir), "%s/wal", dir) >= sizeof(w->wdir)) {
		snprintf(why, whylen, "the data directory's path is too long");
		rv = JX_EINVAL;
		goto fail;
	}
	/* The folder's name on the device too, before any record is acknowledged in it. */
	if ((mkdir(w->wdir, 0700) != 0 && errno != EEXIST) || wal_sync_dir(w->dir) != 0) {
		snprintf(why, whylen, "cannot create the log folder %s: %s", w->wdir,
		    strerror(errno));
		rv = JX_EINTERNAL;
		goto fail;
	}
	if ((rv = wal_list(w, why, whylen)) != 0)
		goto fail;
	/* The log begins where its first file does: a checkpoint took the files before. */
	if (w->nfiles > 0)
		w->last = w->firsts[0] - 1;
	for (size_t i = 0; i + 1 < w->nfiles; i++)
		if ((rv = wal_check_file(w, i, false, &drop, why, whylen)) != 0)
			goto fail;
	while (w->nfiles > 0) {
		if ((rv = wal_check_file(w, w->nfiles - 1, true, &drop, why, whylen)) != 0)
			goto fail;
		if (!drop)
			break;
		wal_file_path(w, w->firsts[w->nfiles - 1], path, sizeof(path));
		log_warn("removing the log file %s, left unfinished", path);
		if (unlink(path) != 0 || wal_sync_dir(w->wdir) != 0) {
			snprintf(why, whylen, "cannot remove %s: %s", path, strerror(errno));
			rv = JX_EINTERNAL;
			goto fail;
		}
		w->nfiles--;
		/* The file before it is the last now: read whole, from its first record. */
		if (w->nfiles > 0)
			w->last = w->firsts[w->nfiles - 1] - 1;
	}
	if (w->nfiles == 0) {
		randombytes_buf(w->id, WAL_ID_LEN);
		if ((rv = wal_new_file(w, 1, why, whylen)) != 0)
			goto fail;
	} else {
		wal_file_path(w, w->firsts[w->nfiles - 1], path, sizeof(path));
		if ((w->fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 || fdatasync(w->fd) != 0) {
			snprintf(why, whylen, "cannot open the log file %s: %s", path,
			    strerror(errno));
			rv = JX_EINTERNAL;
			goto fail;
		}
	}
	w->written = 0;
	{
		/* The files before the last as they are on the disk, the last's records. */
		uint64_t disk = w->size;
		struct stat st;
		for (size_t i = 0; i + 1 < w->nfiles; i++) {
			wal_file_path(w, w->firsts[i], path, sizeof(path));
			if (stat(path, &st) == 0)
				disk += (uint64_t)st.st_size;
		}
		atomic_store(&w->disk, disk);
	}
	*wp = w;
	return JX_OK;
fail:
	wal_close(w);
	return rv;
}

void
wal_close(struct wal *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	pthread_mutex_destroy(&w->lock);
	free(w->firsts);
	free(w);
}

int
wal_check(const char *dir, struct wal_check_report *r, char *why, size_t whylen)
{
	struct wal w = { .fd = -1, .readonly = true };
	char path[WAL_PATH_MAX + 32];
	bool drop = false;
	int rv;

	memset(r, 0, sizeof(*r));
	why[0] = '\0';
	pthread_mutex_init(&w.lock, NULL);
	snprintf(w.dir, sizeof(w.dir), "%s", dir);
	snprintf(w.wdir, sizeof(w.wdir), "%s/wal", dir);
	if (access(w.wdir, F_OK) != 0) {
		rv = JX_OK; /* no log: a store from before it, or never started */
		goto out;
	}
	if ((rv = wal_list(&w, why, whylen)) != 0)
		goto out;
	r->files = w.nfiles;
	if (w.nfiles == 0)
		goto out;
	w.last = w.firsts[0] - 1;
	r->first = w.firsts[0];
	/* Every file whole, the last one's torn tail measured: nothing is changed. */
	for (size_t i = 0; i < w.nfiles && rv == 0 && !drop; i++) {
		struct stat st;
		if ((rv = wal_check_file(&w, i, true, &drop, why, whylen)) != 0)
			break;
		if (i + 1 < w.nfiles && w.last + 1 != w.firsts[i + 1]) {
			wal_file_path(&w, w.firsts[i], path, sizeof(path));
			snprintf(why, whylen, "the log file %s ends at record %" PRIu64 ", but the next "
			    "file begins at record %" PRIu64, path, w.last, w.firsts[i + 1]);
			rv = JX_EINTERNAL;
			break;
		}
		wal_file_path(&w, w.firsts[i], path, sizeof(path));
		if (stat(path, &st) == 0)
			r->bytes += (uint64_t)st.st_size;
	}
	r->unfinished = drop;
	r->last = w.last;
	r->torn = w.torn;
	memcpy(r->id, w.id, WAL_ID_LEN);
out:
	pthread_mutex_destroy(&w.lock);
	free(w.firsts);
	return rv;
}

uint64_t
wal_last(const struct wal *w)
{
	return w->last;
}

void
wal_id(const struct wal *w, uint8_t id[WAL_ID_LEN])
{
	memcpy(id, w->id, WAL_ID_LEN);
}

uint64_t
wal_bytes(const struct wal *w)
{
	return w->written;
}

uint64_t
wal_disk_bytes(struct wal *w)
{
	return atomic_load(&w->disk);
}

void
wal_set_segment_max(struct wal *w, uint64_t bytes)
{
	atomic_store(&w->segment_max, bytes);
}

uint64_t
wal_first(struct wal *w)
{
	uint64_t first;

	pthread_mutex_lock(&w->lock);
	first = w->nfiles > 0 ? w->firsts[0] : w->last + 1;
	pthread_mutex_unlock(&w->lock);
	return first;
}

size_t
wal_files(struct wal *w)
{
	size_t n;

	pthread_mutex_lock(&w->lock);
	n = w->nfiles;
	pthread_mutex_unlock(&w->lock);
	return n;
}

int
wal_prune(struct wal *w, uint64_t upto, unsigned *removed)
{
	char path[WAL_PATH_MAX + 32];
	uint64_t *gone = NULL;
	size_t n = 0;
	struct stat st;
	int rv = JX_OK;

	*removed = 0;
	pthread_mutex_lock(&w->lock);
	/* Never the last file: the writer appends to it. */
	while (n + 1 < w->nfiles && w->firsts[n + 1] <= upto + 1)
		n++;
	if (n > 0 && (gone = malloc(n * sizeof(*gone))) != NULL) {
		memcpy(gone, w->firsts, n * sizeof(*gone));
		memmove(w->firsts, w->firsts + n, (w->nfiles - n) * sizeof(*w->firsts));
		w->nfiles -= n;
	}
	pthread_mutex_unlock(&w->lock);
	if (n > 0 && gone == NULL)
		return JX_EINTERNAL;
	for (size_t i = 0; i < n; i++) {
		wal_file_path(w, gone[i], path, sizeof(path));
		if (stat(path, &st) == 0)
			atomic_fetch_sub(&w->disk, (uint64_t)st.st_size);
		if (unlink(path) != 0) {
			log_warn("cannot remove the log file %s: %s", path, strerror(errno));
			rv = JX_EINTERNAL;
		} else
			(*removed)++;
	}
	if (n > 0 && wal_sync_dir(w->wdir) != 0)
		rv = JX_EINTERNAL;
	free(gone);
	return rv;
}

const char *
wal_dir(const struct wal *w)
{
	return w->wdir;
}

int
wal_append(struct wal *w, const void *payload, size_t len, uint64_t *lsn)
{
	uint8_t h[WAL_RECORD_HEADER];
	struct iovec iov[2];
	char why[256];
	int rc, rv;

	w->can_undo = false;
	if (w->broken)
		return JX_EUNAVAIL;
	if (len > WAL_RECORD_MAX)
		return JX_ENOSPC;
	if (w->size > WAL_FILE_HEADER &&
	    w->size + WAL_RECORD_HEADER + len > atomic_load(&w->segment_max) &&
	    (rv = wal_new_file(w, w->last + 1, why, sizeof(why))) != 0) {
		log_error("%s", why);
		return rv;
	}
	wal_put32(h, WAL_RECORD_MAGIC);
	wal_put32(h + 4, (uint32_t)len);
	wal_put64(h + 8, w->last + 1);
	wal_put32(h + 20, 0);
	wal_put32(h + 16, wal_record_crc(h, payload, len));
	iov[0] = (struct iovec){ h, sizeof(h) };
	iov[1] = (struct iovec){ (void *)payload, len };
	rc = 0;
	if (w->size + WAL_RECORD_HEADER + len > w->alloc)
		rc = wal_extend(w, w->size + WAL_RECORD_HEADER + len);
	if (rc == 0)
		rc = wal_pwritev(w->fd, iov, len > 0 ? 2 : 1, w->size);
	if (rc == 0 && fdatasync(w->fd) != 0) {
		/* What reached the device is unknown now: no more appends in this process. */
		rc = errno;
		w->broken = true;
		log_error("the log's flush failed (%s): refusing writes until a restart",
		    strerror(rc));
	}
	if (rc != 0) {
		if (ftruncate(w->fd, (off_t)w->size) != 0)
			w->broken = true;
		w->alloc = w->size;
		log_error("cannot append to the log: %s", strerror(rc));
		return rc == ENOSPC || rc == EDQUOT ? JX_ENOSPC : JX_EUNAVAIL;
	}
	w->undo_size = w->size;
	w->can_undo = true;
	w->size += WAL_RECORD_HEADER + len;
	w->written += WAL_RECORD_HEADER + len;
	atomic_fetch_add(&w->disk, WAL_RECORD_HEADER + len);
	*lsn = ++w->last;
	return JX_OK;
}

int
wal_undo(struct wal *w)
{
	if (!w->can_undo)
		return JX_EINTERNAL;
	w->can_undo = false;
	w->alloc = w->undo_size;
	if (ftruncate(w->fd, (off_t)w->undo_size) != 0 || fdatasync(w->fd) != 0) {
		w->broken = true;
		log_error("cannot take back the log's last record: %s; refusing writes until "
		    "a restart", strerror(errno));
		return JX_EUNAVAIL;
	}
	atomic_fetch_sub(&w->disk, w->size - w->undo_size);
	w->size = w->undo_size;
	w->last--;
	return JX_OK;
}

int
wal_replay(struct wal *w, uint64_t after, wal_fn fn, void *arg, char *why, size_t whylen)
{
	char path[WAL_PATH_MAX + 32];
	const uint8_t *p;
	size_t len, off, size;
	uint64_t lsn, end;
	int rv = JX_OK;

	for (size_t i = 0; i < w->nfiles && rv == 0; i++) {
		if (i + 1 < w->nfiles && w->firsts[i + 1] <= after + 1)
			continue;
		wal_file_path(w, w->firsts[i], path, sizeof(path));
		if (wal_map(path, &p, &len) != 0) {
			snprintf(why, whylen, "cannot read the log file %s: %s", path,
			    strerror(errno));
			return JX_EINTERNAL;
		}
		lsn = w->firsts[i];
		end = i + 1 < w->nfiles ? w->firsts[i + 1] - 1 : w->last;
		for (off = WAL_FILE_HEADER; off < len && lsn <= end; off += size, lsn++) {
			if (!wal_record_ok(p + off, len - off, lsn, &size)) {
				if (wal_zeros(p + off, len - off))
					break;
				snprintf(why, whylen, "the log file %s is damaged at byte %zu "
				    "(record %" PRIu64 ")", path, off, lsn);
				rv = JX_EINTERNAL;
				break;
			}
			if (lsn > after && (rv = fn(arg, lsn, p + off + WAL_RECORD_HEADER,
			    size - WAL_RECORD_HEADER)) != 0) {
				snprintf(why, whylen, "record %" PRIu64 " of the log could not be "
				    "applied", lsn);
				break;
			}
		}
		if (rv == 0 && lsn <= end) {
			snprintf(why, whylen, "the log file %s ends before record %" PRIu64, path,
			    lsn);
			rv = JX_EINTERNAL;
		}
		wal_unmap(p, len);
	}
	return rv;
}

int
wal_restart(struct wal *w, char *why, size_t whylen)
{
	char aside[WAL_PATH_MAX + 32];
	int n;

	for (n = 1; n < 1000; n++) {
		snprintf(aside, sizeof(aside), "%s/wal.replaced.%d", w->dir, n);
		if (access(aside, F_OK) != 0)
			break;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (rename(w->wdir, aside) != 0 || mkdir(w->wdir, 0700) != 0 ||
	    wal_sync_dir(w->dir) != 0) {
		snprintf(why, whylen, "cannot move the log %s aside: %s", w->wdir,
		    strerror(errno));
		return JX_EINTERNAL;
	}
	log_warn("the log did not belong to this store: moved to %s; a new log begins", aside);
	w->nfiles = 0;
	atomic_store(&w->disk, 0);
	w->last = 0;
	w->can_undo = false;
	randombytes_buf(w->id, WAL_ID_LEN);
	return wal_new_file(w, 1, why, whylen);
}
