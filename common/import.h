/*
 * Turns a scoring sheet read from CSV into the AddNode requests that create its
 * indicators, for an import, a new workspace or a template.
 */
#ifndef JX_IMPORT_H
#define JX_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"
#include "sheet-csv.h"

struct import_nodes {
	Jixiao__AddNodeRequest *reqs;
	Jixiao__AddNodeRequest **ptrs; /* reqs[i]'s address: what the repeated field holds */
	Jixiao__NodeRef *refs;
	size_t n;
};

/*
 * Fills out with one request per indicator of sheet, for workspace ws, parents before
 * children and named by code. The strings are borrowed from sheet, which must outlive
 * out. A leaf scored by a method keeps the sheet's score as its stated score (the
 * computed one is the method's). Returns 0 or JX_EINTERNAL.
 */
int import_nodes_from_sheet(const struct sheet_csv *sheet, uint64_t ws,
    struct import_nodes *out);
/* Frees what import_nodes_from_sheet allocated; accepts a zeroed struct. */
void import_nodes_free(struct import_nodes *nodes);

#endif
