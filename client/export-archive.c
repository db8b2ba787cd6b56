/* jx export --archive and jx verify WS: a workspace and its whole history in one file. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "cli.h"
#include "err.h"
#include "export.h"

/* Records asked for in one Records call; the server may send fewer. */
#define EXPORT_ARCHIVE_PAGE 1000

struct export_archive {
	Jixiao__CheckpointReply *checkpoint;
	Jixiao__TreeReply *tree;
	Jixiao__TemplateReply *tmpl;
	Jixiao__RecordsReply **pages;
	size_t npages;
	ProtobufCBinaryData *records;
	size_t nrecords;
	Jixiao__ArchiveEvidence *inv, **invp;
	size_t ninv;
	Jixiao__Change **changes; /* decoded, for the signers they carry */
	size_t nchanges;
	Jixiao__ListUsersReply *members; /* the workspace's users, as the server knows them now */
};

static void
export_archive_progress(bool on, size_t done, uint64_t total)
{
	if (!on || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\rhistory records %zu/%" PRIu64, done, total);
	if (done >= total)
		fputc('\n', stderr);
}

/* Every record 1..N, where N is the tree's revision: later ones are not in this state. */
static int
export_archive_records(struct cli *cli, struct export_archive *x, uint64_t ws, bool progress)
{
	uint64_t want = x->tree->workspace->revision;
	Jixiao__LogRequest in = JIXIAO__LOG_REQUEST__INIT;
	int rv;

	if (want > SIZE_MAX / sizeof(*x->records) ||
	    (x->records = calloc(want + 1, sizeof(*x->records))) == NULL)
		return cli_error(EX_OSERR, "out of memory");
	in.workspace = ws;
	in.has_from = in.has_limit = 1;
	in.limit = EXPORT_ARCHIVE_PAGE;
	while (x->nrecords < want) {
		Jixiao__RecordsReply *page = NULL, **grown;
		in.from = x->nrecords + 1;
		if ((rv = cli_call(cli, &jixiao__history__descriptor, "Records", &in.base,
		    (ProtobufCMessage **)&page)) != 0)
			return rv;
		if ((grown = realloc(x->pages, (x->npages + 1) * sizeof(*grown))) == NULL) {
			jixiao__records_reply__free_unpacked(page, NULL);
			return cli_error(EX_OSERR, "out of memory");
		}
		x->pages = grown;
		x->pages[x->npages++] = page;
		if (page->n_records == 0)
			return cli_error(EX_PROTOCOL, "the server sent no history records after "
			    "revision %zu of %" PRIu64, x->nrecords, want);
		for (size_t i = 0; i < page->n_records && x->nrecords < want; i++)
			x->records[x->nrecords++] = page->records[i];
		export_archive_progress(progress, x->nrecords, want);
	}
	return 0;
}

/* The inventory: evidence on the indicators, by indicator id, as linked. */
static int
export_archive_inventory(struct export_archive *x)
{
	const Jixiao__TreeReply *t = x->tree;
	const Jixiao__Node **byid;
	size_t n = 0;

	for (size_t i = 0; i < t->n_nodes; i++)
		n += t->nodes[i]->n_evidence;
	if ((byid = calloc(t->n_nodes + 1, sizeof(*byid))) == NULL ||
	    (x->inv = calloc(n + 1, sizeof(*x->inv))) == NULL ||
	    (x->invp = calloc(n + 1, sizeof(*x->invp))) == NULL) {
		free(byid);
		return -1;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		size_t k = i;
		while (k > 0 && byid[k - 1]->id > t->nodes[i]->id) {
			byid[k] = byid[k - 1];
			k--;
		}
		byid[k] = t->nodes[i];
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		for (size_t e = 0; e < byid[i]->n_evidence; e++) {
			const Jixiao__Evidence *ev = byid[i]->evidence[e];
			Jixiao__ArchiveEvidence *a = &x->inv[x->ninv];
			jixiao__archive_evidence__init(a);
			a->indicator = byid[i]->code;
			a->name = ev->name;
			a->size = ev->size;
			a->hash = ev->hash;
			x->invp[x->ninv++] = a;
		}
	}
	free(byid);
	return 0;
}

static void
export_archive_free(struct export_archive *x)
{
	for (size_t i = 0; i < x->nchanges; i++)
		jixiao__change__free_unpacked(x->changes[i], NULL);
	free(x->changes);
	for (size_t i = 0; i < x->npages; i++)
		jixiao__records_reply__free_unpacked(x->pages[i], NULL);
	free(x->pages);
	free(x->records);
	free(x->inv);
	free(x->invp);
	if (x->tmpl != NULL)
		jixiao__template_reply__free_unpacked(x->tmpl, NULL);
	if (x->tree != NULL)
		jixiao__tree_reply__free_unpacked(x->tree, NULL);
	if (x->checkpoint != NULL)
		jixiao__checkpoint_reply__free_unpacked(x->checkpoint, NULL);
	if (x->members != NULL)
		jixiao__list_users_reply__free_unpacked(x->members, NULL);
}

/*
 * Each signer's standing as the server knows it now (disabled, keys replaced since),
 * borrowed from x->members into a's users, so a verifier can tell that a key that
 * signed was later replaced or its user disabled. A server that cannot say (an older
 * one) leaves the archive without it.
 */
static void
export_archive_standing(struct cli *cli, struct export_archive *x, Jixiao__Archive *a,
    uint64_t ws)
{
	Jixiao__ListMembersRequest in = JIXIAO__LIST_MEMBERS_REQUEST__INIT;
	char msg[256];

	in.workspace = ws;
	if (cli->client == NULL || client_call(cli->client, &jixiao__users__descriptor,
	    "Members", &in.base, (ProtobufCMessage **)&x->members, msg, sizeof(msg)) != 0)
		return;
	for (size_t i = 0; i < a->n_users; i++) {
		Jixiao__User *u = a->users[i];
		for (size_t k = 0; k < x->members->n_users; k++) {
			const Jixiao__User *m = x->members->users[k];
			if (strcmp(m->name, u->name) != 0)
				continue;
			u->has_disabled = m->has_disabled;
			u->disabled = m->disabled;
			u->n_events = m->n_events;
			u->events = m->events;
		}
	}
}

int
export_archive_fetch(struct cli *cli, uint64_t ws, bool progress, uint8_t **buf, size_t *len)
{
	Jixiao__GetTreeRequest tin = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__GetTemplateRequest gin = JIXIAO__GET_TEMPLATE_REQUEST__INIT;
	Jixiao__GetWorkspaceRequest cin = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
	Jixiao__Archive a = JIXIAO__ARCHIVE__INIT;
	struct export_archive x = { 0 };
	const Jixiao__Workspace *w;
	int rv, err;

	*buf = NULL;
	*len = 0;
	/* The checkpoint first: the tree read after it is at its revision or later. */
	cin.workspace = ws;
	if ((rv = cli_call(cli, &jixiao__history__descriptor, "Checkpoint", &cin.base,
	    (ProtobufCMessage **)&x.checkpoint)) != 0)
		goto out;
	a.checkpoint = x.checkpoint;
	tin.workspace = ws;
	if ((rv = cli_call(cli, &jixiao__tree__descriptor, "GetTree", &tin.base,
	    (ProtobufCMessage **)&x.tree)) != 0)
		goto out;
	w = x.tree->workspace;
	/* A template's bands are not known offline: they travel with the archive. */
	if (w->template_id != NULL && w->template_id[0] != '\0') {
		gin.id = w->template_id;
		gin.has_version = 1;
		gin.version = w->template_version;
		if ((rv = cli_call(cli, &jixiao__templates__descriptor, "Get", &gin.base,
		    (ProtobufCMessage **)&x.tmpl)) != 0)
			goto out;
		if (x.tmpl->template_ == NULL) {
			rv = cli_error(EX_PROTOCOL, "the server sent no template %s", w->template_id);
			goto out;
		}
		a.n_grades = x.tmpl->template_->n_grades;
		a.grades = x.tmpl->template_->grades;
		a.has_veto_cap = x.tmpl->template_->has_veto_cap;
		a.veto_cap = x.tmpl->template_->veto_cap;
	}
	if ((rv = export_archive_records(cli, &x, ws, progress)) != 0)
		goto out;
	if (export_archive_inventory(&x) != 0 ||
	    (x.changes = calloc(x.nrecords + 1, sizeof(*x.changes))) == NULL) {
		rv = cli_error(EX_OSERR, "out of memory");
		goto out;
	}
	/* The signers, with the keys they signed with, from every header recorded. */
	if (archive_add_signers(&a, w) != 0) {
		rv = cli_error(EX_OSERR, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < x.nrecords; i++) {
		Jixiao__Change *ch = jixiao__change__unpack(NULL, x.records[i].len,
		    x.records[i].data);
		if (ch == NULL) {
			rv = cli_error(EX_PROTOCOL, "history record %zu from the server does not "
			    "decode", i + 1);
			goto out;
		}
		x.changes[x.nchanges++] = ch;
		if (ch->workspace_after != NULL && archive_add_signers(&a, ch->workspace_after) != 0) {
			rv = cli_error(EX_OSERR, "out of memory");
			goto out;
		}
	}
	export_archive_standing(cli, &x, &a, ws);
	a.workspace = x.tree->workspace;
	a.records = x.records;
	a.n_records = x.nrecords;
	a.inventory = x.invp;
	a.n_inventory = x.ninv;
	a.budget = x.tree->budget;
	a.has_total = 1;
	a.total = x.tree->total;
	a.grade = x.tree->grade;
	a.has_exported_at = 1;
	a.exported_at = (int64_t)time(NULL);
	a.exported_by = cli->client != NULL ? (char *)client_user(cli->client) : NULL;
	if ((err = archive_pack(&a, buf, len)) != JX_OK)
		rv = err == JX_ENOSPC ? cli_error(EX_DATAERR, "workspace %" PRIu64 " makes an "
		    "archive larger than %zu bytes", ws, ARCHIVE_MAX) :
		    cli_error(EX_OSERR, "out of memory");
out:
	archive_users_free(&a);
	export_archive_free(&x);
	return rv;
}
