/*
 * server/wal.c, reading what is on the disk: any bytes after a log file's header are
 * opened (a torn tail cut) or refused with a sentence, never a crash; every record that
 * opens replays, and its operations parse (wal_op_next) within the payload or are
 * refused. And a log written by wal_append, then cut at any byte, opens with exactly
 * the records before the cut and takes the next append.
 *
 * The first input byte picks the mode: even, the rest is the body of a log file after a
 * valid header; odd, the rest is cut into payloads (a length byte, then the bytes) that
 * are appended, and the last two bytes say where to cut the file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "wal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_WAL_HEADER 32

static char fuzz_wal_dir[64];

/* An empty data directory for one input. */
static void
fuzz_wal_reset(void)
{
	char path[160];
	struct dirent *e;
	DIR *d;

	if (fuzz_wal_dir[0] == '\0') {
		snprintf(fuzz_wal_dir, sizeof(fuzz_wal_dir), "/dev/shm/jxfuzzwal.XXXXXX");
		if (mkdtemp(fuzz_wal_dir) == NULL) {
			snprintf(fuzz_wal_dir, sizeof(fuzz_wal_dir), "/tmp/jxfuzzwal.XXXXXX");
			if (mkdtemp(fuzz_wal_dir) == NULL)
				abort();
		}
	}
	snprintf(path, sizeof(path), "%s/wal", fuzz_wal_dir);
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char file[200];
			if (e->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/wal/%s", fuzz_wal_dir, e->d_name);
			unlink(file);
		}
		closedir(d);
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		abort();
}

static void
fuzz_wal_write(const char *path, const uint8_t *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || (len > 0 && write(fd, p, len) != (ssize_t)len)) {
		fprintf(stderr, "fuzz_wal: cannot write %s: %s\n", path, strerror(errno));
		abort();
	}
	close(fd);
}

struct fuzz_wal_seen {
	uint64_t next, records;
};

/* Every record in order; its operations parse within it, or the payload is refused. */
static int
fuzz_wal_record(void *arg, uint64_t lsn, const uint8_t *payload, size_t len)
{
	struct fuzz_wal_seen *s = arg;
	struct wal_op op;
	size_t off = 0;
	int r;

	if (lsn != s->next)
		abort();
	s->next++;
	s->records++;
	while ((r = wal_op_next(payload, len, &off, &op)) == 1) {
		if (op.key < payload || op.key + op.klen > payload + len || off > len)
			abort();
		if (op.kind == WAL_PUT && (op.val < payload || op.val + op.vlen > payload + len))
			abort();
		if (op.kind != WAL_PUT && op.kind != WAL_DEL)
			abort();
	}
	return 0;
}

/* Opens the log; when it opens, replays it whole and returns its last LSN, else -1. */
static int64_t
fuzz_wal_open_replay(void)
{
	struct fuzz_wal_seen s = { 1, 0 };
	struct wal *w;
	char why[512] = "";
	int64_t last;

	if (wal_open(fuzz_wal_dir, &w, why, sizeof(why)) != 0) {
		if (why[0] == '\0')
			abort();
		return -1;
	}
	why[0] = '\0';
	if (wal_replay(w, 0, fuzz_wal_record, &s, why, sizeof(why)) != 0) {
		if (why[0] == '\0')
			abort();
	} else if (s.records != wal_last(w)) {
		abort();
	}
	last = (int64_t)wal_last(w);
	wal_close(w);
	return last;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[160];
	struct wal *w;
	char why[512];
	uint64_t lsn;

	if (size < 1)
		return 0;
	fuzz_wal_reset();
	snprintf(path, sizeof(path), "%s/wal/%016x.log", fuzz_wal_dir, 1u);
	if ((data[0] & 1) == 0) {
		/* A valid header (magic, an id, first LSN 1), then the input. */
		uint8_t *file = malloc(FUZZ_WAL_HEADER + size - 1);
		if (file == NULL)
			abort();
		memset(file, 0, FUZZ_WAL_HEADER);
		memcpy(file, "JXWAL001", 8);
		memset(file + 8, 0x5a, WAL_ID_LEN);
		file[24] = 1;
		memcpy(file + FUZZ_WAL_HEADER, data + 1, size - 1);
		fuzz_wal_write(path, file, FUZZ_WAL_HEADER + size - 1);
		free(file);
		if (fuzz_wal_open_replay() >= 0 && fuzz_wal_open_replay() < 0)
			abort(); /* what opened once opens again (a cut tail stays cut) */
		return 0;
	}

	/* Payloads appended by the log itself, then the file cut at a byte. */
	{
		const uint8_t *p = data + 1, *end = data + size - (size >= 3 ? 2 : 0);
		uint64_t n = 0, ends[64];
		struct stat st;
		size_t cut;
		int64_t last;

		if (wal_open(fuzz_wal_dir, &w, why, sizeof(why)) != 0)
			abort();
		while (p < end && n < 64) {
			size_t len = *p++;
			if (len > (size_t)(end - p))
				len = (size_t)(end - p);
			if (wal_append(w, p, len, &lsn) != 0 || lsn != n + 1)
				abort();
			p += len;
			if (stat(path, &st) != 0)
				abort();
			ends[n++] = wal_disk_bytes(w); /* header + records so far */
		}
		wal_close(w);
		if (n == 0 || size < 3)
			return 0;
		cut = ((size_t)data[size - 2] << 8 | data[size - 1]) % (ends[n - 1] + 1);
		if (truncate(path, (off_t)cut) != 0)
			abort();
		last = fuzz_wal_open_replay();
		/* Exactly the records wholly before the cut (a cut header: a new, empty log). */
		{
			int64_t whole = 0;
			while ((uint64_t)whole < n && ends[whole] <= cut)
				whole++;
			if (last != (cut < FUZZ_WAL_HEADER ? 0 : whole)) {
				fprintf(stderr, "fuzz_wal: %llu records, cut at byte %zu: the log "
				    "opened with %lld records, not %lld\n", (unsigned long long)n, cut,
				    (long long)last, (long long)whole);
				abort();
			}
		}
		if (wal_open(fuzz_wal_dir, &w, why, sizeof(why)) != 0 ||
		    wal_append(w, "x", 1, &lsn) != 0 || lsn != (uint64_t)last + 1)
			abort();
		wal_close(w);
	}
	return 0;
}
