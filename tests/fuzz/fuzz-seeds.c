/*
 * fuzz-seeds OUT DATA: writes the fuzzers' generated seeds into OUT/HARNESS/: a request
 * of every method for the envelope and dispatch harnesses, checkpoints signed with the
 * fixed key, and the target texts and 绩效指标 cells of DATA (tests/data).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "csv.h"
#include "envelope.h"
#include "err.h"
#include "fuzz.h"
#include "sheet-csv.h"
#include "target-table.h"

static const char *fuzz_seeds_out;

static __attribute__((noreturn)) void
fuzz_seeds_die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz-seeds: %s: %s\n", what, why);
	exit(1);
}

static void
fuzz_seeds_mkdir(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		fuzz_seeds_die(path, strerror(errno));
}

static void
fuzz_seeds_write(const char *harness, const char *name, const void *data, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_seeds_out, harness);
	fuzz_seeds_mkdir(path);
	snprintf(path, sizeof(path), "%s/%s/%s", fuzz_seeds_out, harness, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		fuzz_seeds_die(path, strerror(errno));
}

static char *
fuzz_seeds_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		fuzz_seeds_die(path, "cannot read");
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct csv *
fuzz_seeds_csv(const char *data, const char *file)
{
	char path[1024], why[CSV_WHY_MAX], *buf;
	struct csv *csv;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", data, file);
	buf = fuzz_seeds_read(path, &len);
	if (csv_parse(buf, len, &csv, why, sizeof(why)) != JX_OK)
		fuzz_seeds_die(path, why);
	free(buf);
	return csv;
}

/* Every method of every service: an empty request, and one naming workspace 1. */
static void
fuzz_seeds_requests(void)
{
	static const uint8_t ws1[] = { 0x08, 0x01 };
	uint8_t id[ENVELOPE_REQUEST_ID_LEN] = { 1 }, *frame, call[4 + sizeof(ws1)];
	char name[256];
	size_t len;

	for (size_t s = 0; s < fuzz_nservices; s++) {
		const ProtobufCServiceDescriptor *svc = fuzz_services[s];
		for (unsigned m = 0; m < svc->n_methods; m++) {
			snprintf(name, sizeof(name), "%s.%s", svc->short_name,
			    svc->methods[m].name);
			if (envelope_request_pack(svc, m, id, "seed", NULL, &frame, &len) != JX_OK)
				fuzz_seeds_die(name, "cannot pack");
			fuzz_seeds_write("fuzz_envelope", name, frame, len);
			free(frame);
			call[0] = 0;
			call[1] = (uint8_t)s;
			call[2] = (uint8_t)m;
			call[3] = 1;
			memcpy(call + 4, ws1, sizeof(ws1));
			fuzz_seeds_write("fuzz_dispatch", name, call, 4);
			snprintf(name, sizeof(name), "%s.%s-ws1", svc->short_name,
			    svc->methods[m].name);
			fuzz_seeds_write("fuzz_dispatch", name, call, sizeof(call));
		}
	}
	if (envelope_reply_pack(JX_EABORTED, "seed", NULL, &frame, &len) != JX_OK)
		fuzz_seeds_die("reply", "cannot pack");
	fuzz_seeds_write("fuzz_envelope", "reply", frame, len);
	free(frame);
}

static void
fuzz_seeds_checkpoints(void)
{
	uint8_t pk[32], sk[64];
	char note[CHECKPOINT_MAX], name[64];

	fuzz_key(pk, sk);
	for (int i = 0; i < 3; i++) {
		struct checkpoint cp = { .workspace = (uint64_t)i + 1,
			.revision = (uint64_t)i * 1000 + 7 };
		memset(cp.head, 0x11 * (i + 1), sizeof(cp.head));
		if (checkpoint_sign(&cp, sk, note, sizeof(note)) != 0)
			fuzz_seeds_die("checkpoint", "cannot sign");
		snprintf(name, sizeof(name), "signed-%d", i);
		fuzz_seeds_write("fuzz_checkpoint", name, note, strlen(note));
	}
}

/* The targets and 绩效指标 cells of seed 004's table, and the targets of seed 002's sheet. */
static void
fuzz_seeds_targets(const char *data)
{
	struct target_table *table;
	struct sheet_csv *sheet;
	struct csv *csv;
	char why[CSV_WHY_MAX], name[64];
	int k = 0;

	csv = fuzz_seeds_csv(data, "seed004-targets.csv");
	if (target_table_read(csv, &table, why, sizeof(why)) != JX_OK)
		fuzz_seeds_die("seed004-targets.csv", why);
	for (size_t r = 0; r < csv_nrows(csv); r++)
		for (size_t c = 0; c < csv_ncols(csv, r); c++)
			if (strstr(csv_cell(csv, r, c), "指标值") != NULL) {
				snprintf(name, sizeof(name), "cell-%zu", r);
				fuzz_seeds_write("fuzz_target_table", name, csv_cell(csv, r, c),
				    strlen(csv_cell(csv, r, c)));
			}
	for (size_t p = 0; p < table->n; p++)
		for (size_t i = 0; i < table->projects[p].nitems; i++) {
			const char *t = table->projects[p].items[i].target;
			snprintf(name, sizeof(name), "seed004-%d", k++);
			fuzz_seeds_write("fuzz_target", name, t, strlen(t));
		}
	target_table_free(table);
	csv_free(csv);

	csv = fuzz_seeds_csv(data, "seed002-sheet.csv");
	if (sheet_csv_read(csv, &sheet, why, sizeof(why)) != JX_OK)
		fuzz_seeds_die("seed002-sheet.csv", why);
	for (size_t i = 0; i < sheet->n; i++)
		if (sheet->nodes[i].target[0] != '\0') {
			snprintf(name, sizeof(name), "seed002-%zu", i);
			fuzz_seeds_write("fuzz_target", name, sheet->nodes[i].target,
			    strlen(sheet->nodes[i].target));
		}
	sheet_csv_free(sheet);
	csv_free(csv);
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: fuzz-seeds OUT DATA\n");
		return 2;
	}
	fuzz_seeds_out = argv[1];
	fuzz_seeds_mkdir(fuzz_seeds_out);
	fuzz_seeds_requests();
	fuzz_seeds_checkpoints();
	fuzz_seeds_targets(argv[2]);
	return 0;
}
