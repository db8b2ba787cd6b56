#include "archive-fetch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "export.h"

/* Records asked for in one Records call; the server may send fewer. */
#define ARCHIVE_FETCH_PAGE 1000

struct archive_fetch {
	Jixiao__CheckpointReply *checkpoint;
	Jixiao__TreeReply *tree;
	Jixiao__TemplateReply *tmpl;
	Jixiao__RecordsReply **pages;
	size_t npages;
	ProtobufCBinaryData *records;
	size_t nrecords;
	Jixiao__ListUsersReply *members; /* the workspace's users, as the server knows them now */
};

static void
archive_fetch_progress(bool on, size_t done, uint64_t total)
{
	if (!on || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\rhistory records %zu/%" PRIu64, done, total);
	if (done >= total)
		fputc('\n', stderr);
}

/* Every record 1..N, where N is the tree's revision: later ones are not in this state. */
static int
archive_fetch_records(struct cli *cli, struct archive_fetch *x, uint64_t ws, bool progress)
{
	uint64_t want = x->tree->workspace->revision;
	Jixiao__LogRequest in = JIXIAO__LOG_REQUEST__INIT;
	int rv;

	if (want > SIZE_MAX / sizeof(*x->records) ||
	    (x->records = calloc(want + 1, sizeof(*x->records))) == NULL)
		return cli_error(EX_OSERR, "out of memory");
	in.workspace = ws;
	in.has_from = in.has_limit = 1;
	in.limit = ARCHIVE_FETCH_PAGE;
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
		archive_fetch_progress(progress, x->nrecords, want);
	}
	return 0;
}

static void
archive_fetch_free(struct archive_fetch *x)
{
	for (size_t i = 0; i < x->npages; i++)
		jixiao__records_reply__free_unpacked(x->pages[i], NULL);
	free(x->pages);
	free(x->records);
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
 * The workspace's users as the server knows them now, for each signer's standing; a
 * server that cannot say (an older one) leaves the archive without it.
 */
static void
archive_fetch_members(struct cli *cli, struct archive_fetch *x, uint64_t ws)
{
	Jixiao__ListMembersRequest in = JIXIAO__LIST_MEMBERS_REQUEST__INIT;
	char msg[256];

	in.workspace = ws;
	if (cli->client != NULL)
		(void)client_call(cli->client, &jixiao__users__descriptor, "Members", &in.base,
		    (ProtobufCMessage **)&x->members, msg, sizeof(msg));
}

int
archive_fetch(struct cli *cli, uint64_t ws, bool progress, uint8_t **buf, size_t *len)
{
	Jixiao__GetTreeRequest tin = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__GetTemplateRequest gin = JIXIAO__GET_TEMPLATE_REQUEST__INIT;
	Jixiao__GetWorkspaceRequest cin = JIXIAO__GET_WORKSPACE_REQUEST__INIT;
	struct export_archive_in a = { 0 };
	struct archive_fetch x = { 0 };
	const Jixiao__Workspace *w;
	char why[EXPORT_WHY_MAX] = "";
	int rv, err;

	*buf = NULL;
	*len = 0;
	/* The checkpoint first: the tree read after it is at its revision or later. */
	cin.workspace = ws;
	if ((rv = cli_call(cli, &jixiao__history__descriptor, "Checkpoint", &cin.base,
	    (ProtobufCMessage **)&x.checkpoint)) != 0)
		goto out;
	tin.workspace = ws;
	if ((rv = cli_call(cli, &jixiao__tree__descriptor, "GetTree", &tin.base,
	    (ProtobufCMessage **)&x.tree)) != 0)
		goto out;
	w = x.tree->workspace;
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
		a.tmpl = x.tmpl->template_;
	}
	if ((rv = archive_fetch_records(cli, &x, ws, progress)) != 0)
		goto out;
	archive_fetch_members(cli, &x, ws);
	a.members = x.members;
	a.checkpoint = x.checkpoint;
	a.tree = x.tree;
	a.records = x.records;
	a.nrecords = x.nrecords;
	a.exported_at = (int64_t)time(NULL);
	a.exported_by = cli->client != NULL ? client_user(cli->client) : NULL;
	if ((err = export_archive(&a, buf, len, why, sizeof(why))) != JX_OK)
		rv = err == JX_EINTERNAL ? cli_error(EX_OSERR, "out of memory") :
		    err == JX_ENOSPC ? cli_error(EX_DATAERR, "%s", why) :
		    cli_error(EX_PROTOCOL, "%s", why);
out:
	archive_fetch_free(&x);
	return rv;
}
