#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

#define SNAPSHOT_PATH_MAX 4200
#define SNAPSHOT_SUFFIX ".snapshot"
#define SNAPSHOT_NAME_LEN (16 + sizeof(SNAPSHOT_SUFFIX) - 1)
#define SNAPSHOT_COPY_BUF ((size_t)1 << 20)

bool
snapshot_due(uint64_t log_bytes, size_t files, uint64_t store_bytes, uint64_t every)
{
	return files > 1 && log_bytes >= every && log_bytes >= store_bytes / 2;
}

uint64_t
snapshot_segment(uint64_t every)
{
	uint64_t seg = every / 4;

	return seg > WAL_SEGMENT_MAX ? WAL_SEGMENT_MAX : seg;
}

/* The LSN of a snapshot's file name, or 0 when name is not one. */
static uint64_t
snapshot_name_lsn(const char *name)
{
	char *end;
	uint64_t lsn;

	if (strlen(name) != SNAPSHOT_NAME_LEN ||
	    strcmp(name + 16, SNAPSHOT_SUFFIX) != 0)
		return 0;
	errno = 0;
	lsn = strtoull(name, &end, 16);
	return errno == 0 && end == name + 16 ? lsn : 0;
}

int
snapshot_newest(const char *wdir, uint64_t *lsn, char *path, size_t pathlen)
{
	struct dirent *e;
	uint64_t n;
	DIR *d;

	*lsn = 0;
	if ((d = opendir(wdir)) == NULL)
		return JX_ENOTFOUND;
	while ((e = readdir(d)) != NULL)
		if ((n = snapshot_name_lsn(e->d_name)) > *lsn)
			*lsn = n;
	closedir(d);
	if (*lsn == 0)
		return JX_ENOTFOUND;
	snprintf(path, pathlen, "%s/%016" PRIx64 SNAPSHOT_SUFFIX, wdir, *lsn);
	return JX_OK;
}

/* Removes the snapshots older than lsn, and a copy left unfinished. */
static void
snapshot_remove_older(const char *wdir, uint64_t lsn)
{
	char path[SNAPSHOT_PATH_MAX];
	struct dirent *e;
	uint64_t n;
	DIR *d;

	if ((d = opendir(wdir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		n = snapshot_name_lsn(e->d_name);
		if ((n == 0 || n >= lsn) && strcmp(e->d_name, "snapshot.tmp") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", wdir, e->d_name);
		if (unlink(path) != 0)
			log_warn("cannot remove the old snapshot %s: %s", path, strerror(errno));
	}
	closedir(d);
}

static double
snapshot_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
snapshot_make(struct store *s, struct wal *w, uint64_t *lsn, char *why, size_t whylen)
{
	char tmp[SNAPSHOT_PATH_MAX], path[SNAPSHOT_PATH_MAX];
	uint8_t id[WAL_ID_LEN], wid[WAL_ID_LEN];
	struct store *copy = NULL;
	double start = snapshot_seconds();
	unsigned removed;
	off_t size;
	bool has;
	int fd, rv;

	*lsn = 0;
	snprintf(tmp, sizeof(tmp), "%s/snapshot.tmp", wal_dir(w));
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(why, whylen, "cannot create %s: %s", tmp, strerror(errno));
		return errno == ENOSPC ? JX_ENOSPC : JX_EINTERNAL;
	}
	rv = store_copy_fd(s, fd, why, whylen);
	if (rv == 0 && fsync(fd) != 0) {
		snprintf(why, whylen, "cannot flush %s: %s", tmp, strerror(errno));
		rv = errno == ENOSPC ? JX_ENOSPC : JX_EINTERNAL;
	}
	size = lseek(fd, 0, SEEK_END);
	close(fd);
	/* The copy says which record it holds the store after. */
	if (rv == 0 && (rv = store_open_readonly(tmp, true, &copy, why, whylen)) == 0) {
		rv = store_position(copy, id, lsn, &has);
		store_close(copy);
		wal_id(w, wid);
		if (rv == 0 && (!has || memcmp(id, wid, WAL_ID_LEN) != 0)) {
			snprintf(why, whylen, "the copy of the store is not at a position of "
			    "its log");
			rv = JX_EINTERNAL;
		}
	}
	if (rv == 0) {
		snprintf(path, sizeof(path), "%s/%016" PRIx64 SNAPSHOT_SUFFIX, wal_dir(w), *lsn);
		if (rename(tmp, path) != 0 || wal_sync_dir(wal_dir(w)) != 0) {
			snprintf(why, whylen, "cannot put the snapshot %s in place: %s", path,
			    strerror(errno));
			rv = JX_EINTERNAL;
		}
	}
	if (rv != 0) {
		unlink(tmp);
		return rv;
	}
	snapshot_remove_older(wal_dir(w), *lsn);
	if (wal_prune(w, *lsn, &removed) != 0)
		log_warn("the snapshot at record %" PRIu64 " is made, but not every log file "
		    "before it could be removed", *lsn);
	log_info("snapshot at record %" PRIu64 " of the log: %.1f MB in %.2f s; %u log "
	    "file(s) before it removed, %.1f MB of log left", *lsn, (double)size / 1e6,
	    snapshot_seconds() - start, removed, (double)wal_disk_bytes(w) / 1e6);
	return JX_OK;
}

/* Copies the file at from to a new file at to, flushed. 0 or an errno. */
static int
snapshot_copy_file(const char *from, const char *to)
{
	int in, out, rc = 0;
	uint8_t *buf;
	ssize_t n, m;

	if ((buf = malloc(SNAPSHOT_COPY_BUF)) == NULL)
		return ENOMEM;
	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0) {
		free(buf);
		return errno;
	}
	if ((out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		rc = errno;
		goto out;
	}
	while (rc == 0 && (n = read(in, buf, SNAPSHOT_COPY_BUF)) != 0) {
		if (n < 0) {
			if (errno != EINTR)
				rc = errno;
			continue;
		}
		for (ssize_t off = 0; rc == 0 && off < n; off += m)
			if ((m = write(out, buf + off, (size_t)(n - off))) < 0) {
				rc = errno != EINTR ? errno : 0;
				m = 0;
			}
	}
	if (rc == 0 && fsync(out) != 0)
		rc = errno;
	close(out);
out:
	close(in);
	free(buf);
	return rc;
}

int
snapshot_install(const char *dir, uint64_t *lsn, char *why, size_t whylen)
{
	char wdir[SNAPSHOT_PATH_MAX], snap[SNAPSHOT_PATH_MAX];
	char tmp[SNAPSHOT_PATH_MAX], data[SNAPSHOT_PATH_MAX];
	int rc;

	snprintf(wdir, sizeof(wdir), "%s/wal", dir);
	if (snapshot_newest(wdir, lsn, snap, sizeof(snap)) != 0)
		return JX_ENOTFOUND;
	snprintf(tmp, sizeof(tmp), "%s/data.mdb.snapshot", dir);
	snprintf(data, sizeof(data), "%s/data.mdb", dir);
	if ((rc = snapshot_copy_file(snap, tmp)) != 0 || (rename(tmp, data) != 0 &&
	    (rc = errno) != 0) || (wal_sync_dir(dir) != 0 && (rc = errno) != 0)) {
		snprintf(why, whylen, "cannot put the snapshot %s in place as %s: %s", snap,
		    data, strerror(rc));
		unlink(tmp);
		return rc == ENOSPC ? JX_ENOSPC : JX_EINTERNAL;
	}
	log_warn("the store starts from its snapshot at record %" PRIu64 " of the log (%s)",
	    *lsn, snap);
	return JX_OK;
}
