/*
 * xlsx-bench: how fast common/xlsx.c reads a sheet, against csv_parse on the same
 * cells. Writes a workbook of --rows rows × 8 columns (a 评分表's: names, numbers,
 * long texts, shared strings) with libxlsxwriter and the same table as CSV, then reads
 * each --repeat times and prints the best time, rows per second and input MB/s.
 * Not a test: ctest does not run it (BENCHMARKS.md).
 *
 *   xlsx-bench [--rows N] [--repeat N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "csv.h"
#include "err.h"
#include "xlsx.h"

static double
xlsx_bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
xlsx_bench_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		perror(path);
		exit(1);
	}
	rewind(f);
	if ((buf = malloc((size_t)n + 1)) == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

int
main(int argc, char **argv)
{
	static const char *const texts[] = { "立项依据充分，列入规划或工作计划得 4 分",
		"根据《广州市番禺区部门预算项目绩效目标申报表》，绩效目标设置较为合理", "100%",
		"按合同约定开展" };
	char dir[] = "/tmp/xlsx-bench.XXXXXX", xpath[64], cpath[64], why[XLSX_WHY_MAX];
	size_t rows = 100000, repeat = 3, xlen, clen;
	double best_x = 1e9, best_c = 1e9;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	FILE *cf;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--rows") == 0)
			rows = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--repeat") == 0)
			repeat = strtoul(argv[i + 1], NULL, 10);
	}
	if (rows == 0 || rows >= CSV_MAX_ROWS || repeat == 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: xlsx-bench [--rows 1..%d] [--repeat N]\n", CSV_MAX_ROWS - 1);
		return 2;
	}
	snprintf(xpath, sizeof(xpath), "%s/bench.xlsx", dir);
	snprintf(cpath, sizeof(cpath), "%s/bench.csv", dir);
	wb = workbook_new(xpath);
	ws = workbook_add_worksheet(wb, "评分表");
	cf = fopen(cpath, "w");
	for (size_t r = 0; r < rows; r++) {
		char name[32];

		snprintf(name, sizeof(name), "指标%zu", r);
		worksheet_write_string(ws, (lxw_row_t)r, 0, r % 50 == 0 ? "项目产出（25分）" : "",
		    NULL);
		worksheet_write_string(ws, (lxw_row_t)r, 1, name, NULL);
		worksheet_write_number(ws, (lxw_row_t)r, 2, 4, NULL);
		worksheet_write_string(ws, (lxw_row_t)r, 3, texts[r % 2], NULL);
		worksheet_write_string(ws, (lxw_row_t)r, 4, texts[1], NULL);
		worksheet_write_number(ws, (lxw_row_t)r, 5, 3.5 + (double)(r % 3) / 4, NULL);
		worksheet_write_string(ws, (lxw_row_t)r, 6, texts[2], NULL);
		worksheet_write_string(ws, (lxw_row_t)r, 7, texts[3], NULL);
		fprintf(cf, "%s,%s,4,%s,%s,%g,%s,%s\n", r % 50 == 0 ? "项目产出（25分）" : "", name,
		    texts[r % 2], texts[1], 3.5 + (double)(r % 3) / 4, texts[2], texts[3]);
	}
	if (workbook_close(wb) != LXW_NO_ERROR || fclose(cf) != 0) {
		fprintf(stderr, "cannot write the fixtures in %s\n", dir);
		return 1;
	}
	char *xdata = xlsx_bench_slurp(xpath, &xlen), *cdata = xlsx_bench_slurp(cpath, &clen);
	for (size_t k = 0; k < repeat; k++) {
		struct xlsx *x = NULL;
		struct csv *t = NULL;
		double t0 = xlsx_bench_now(), t1;

		if (xlsx_open(xdata, xlen, &x, why, sizeof(why)) != JX_OK ||
		    xlsx_sheet(x, 0, &t, why, sizeof(why)) != JX_OK || csv_nrows(t) != rows) {
			fprintf(stderr, "xlsx: %s\n", why);
			return 1;
		}
		t1 = xlsx_bench_now();
		if (t1 - t0 < best_x)
			best_x = t1 - t0;
		csv_free(t);
		xlsx_free(x);
		t0 = xlsx_bench_now();
		if (csv_parse(cdata, clen, &t, why, sizeof(why)) != JX_OK || csv_nrows(t) != rows) {
			fprintf(stderr, "csv: %s\n", why);
			return 1;
		}
		t1 = xlsx_bench_now();
		if (t1 - t0 < best_c)
			best_c = t1 - t0;
		csv_free(t);
	}
	printf("%zu rows x 8 columns, best of %zu\n", rows, repeat);
	printf("xlsx  %8.1f KiB file  %7.3f s  %9.0f rows/s  %6.1f MB/s of file\n",
	    (double)xlen / 1024, best_x, (double)rows / best_x, (double)xlen / best_x / 1e6);
	printf("csv   %8.1f KiB file  %7.3f s  %9.0f rows/s  %6.1f MB/s of file\n",
	    (double)clen / 1024, best_c, (double)rows / best_c, (double)clen / best_c / 1e6);
	unlink(xpath);
	unlink(cpath);
	rmdir(dir);
	free(xdata);
	free(cdata);
	return 0;
}
