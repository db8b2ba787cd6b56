/*
 * The table a jx command imports (a scoring sheet, a target table, budget lines, a
 * template) read from a file: CSV text (csv.h), or one sheet of an Excel or WPS workbook
 * (.xlsx, common/xlsx.h). An old binary workbook (.xls, WPS .et) is converted to .xlsx
 * with LibreOffice when it is installed, in a private temporary directory.
 */
#ifndef JX_TABLE_FILE_H
#define JX_TABLE_FILE_H

#include <stddef.h>

#include "csv.h"

/*
 * What the command makes of a table: JX_OK, JX_EINVAL with a sentence in why when the
 * table is not what it reads (another sheet may be), JX_EINTERNAL when out of memory.
 */
typedef int (*table_file_reader)(const struct csv *csv, void *arg, char *why, size_t whylen);

/*
 * Reads path into *csv (the caller frees it with csv_free) and hands it to read (when
 * not NULL) with arg. From a workbook: the sheet named sheet, or numbered so from 1
 * ("2"); without one, the first sheet that read accepts, said on stderr when the
 * workbook has more than one. Returns 0, or a sysexits code after telling the user what
 * went wrong (for a workbook, why each sheet was not taken); *csv is NULL then.
 */
int table_file_read(const char *path, const char *sheet, table_file_reader read, void *arg,
    struct csv **csv);

/*
 * Reads the whole file at path, at most max bytes, into *data (malloc'd; the caller
 * frees it) and *len. Returns 0, or a sysexits code after telling the user.
 */
int table_file_load(const char *path, size_t max, char **data, size_t *len);

/* What --help says about the files read. */
#define TABLE_FILE_HELP                                                                      \
	"FILE is CSV (UTF-8 with or without BOM, or GB18030) or an Excel/WPS workbook\n"     \
	"(.xlsx; .xls and .et are converted with LibreOffice when it is installed). From a\n" \
	"workbook the first sheet that reads is used, or the one named with --sheet NAME|N;\n" \
	"merged cells count on every row they span, formulas by their saved results,\n"      \
	"percent cells as percentages and date cells as dates.\n"

#endif
