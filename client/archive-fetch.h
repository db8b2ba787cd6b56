/* A workspace's archive (jx export --archive, jx verify WS) fetched from the server. */
#ifndef JX_ARCHIVE_FETCH_H
#define JX_ARCHIVE_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cli;
/*
 * An archive of workspace ws (common/archive.h) fetched from the server: the tree with
 * its total and grade, every history record as stored, the template's grade bands and
 * the signers' keys, packed and sealed by export_archive into *buf (malloc'd; caller
 * frees) and *len. Progress goes to a terminal's stderr when progress is true. Returns a
 * sysexits code, 0 on success, after telling the user what went wrong.
 */
int archive_fetch(struct cli *cli, uint64_t ws, bool progress, uint8_t **buf, size_t *len);

#endif
