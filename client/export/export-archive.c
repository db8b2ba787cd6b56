/* An archive of a workspace (common/archive.h) from the replies that make it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "err.h"
#include "export.h"

struct export_archive {
	Jixiao__ArchiveEvidence *inv, **invp;
	size_t ninv;
	Jixiao__Change **changes; /* decoded, for the signers they carry */
	size_t nchanges;
};

/* The inventory: evidence on the indicators, by indicator id, as linked. */
static int
export_archive_inventory(struct export_archive *x, const Jixiao__TreeReply *t)
{
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

/*
 * Each signer's standing as the server knows it now (disabled, keys replaced since),
 * borrowed from members into a's users, so a verifier can tell that a key that signed
 * was later replaced or its user disabled. Without members (an older server) the
 * archive goes without it.
 */
static void
export_archive_standing(const Jixiao__ListUsersReply *members, Jixiao__Archive *a)
{
	if (members == NULL)
		return;
	for (size_t i = 0; i < a->n_users; i++) {
		Jixiao__User *u = a->users[i];

		for (size_t k = 0; k < members->n_users; k++) {
			const Jixiao__User *m = members->users[k];

			if (strcmp(m->name, u->name) != 0)
				continue;
			u->has_disabled = m->has_disabled;
			u->disabled = m->disabled;
			u->n_events = m->n_events;
			u->events = m->events;
		}
	}
}

static void
export_archive_free(struct export_archive *x)
{
	for (size_t i = 0; i < x->nchanges; i++)
		jixiao__change__free_unpacked(x->changes[i], NULL);
	free(x->changes);
	free(x->inv);
	free(x->invp);
}

int
export_archive(const struct export_archive_in *in, uint8_t **buf, size_t *len, char *why,
    size_t whylen)
{
	Jixiao__Archive a = JIXIAO__ARCHIVE__INIT;
	struct export_archive x = { 0 };
	const Jixiao__Workspace *w;
	int err = JX_OK;

	*buf = NULL;
	*len = 0;
	if (in->tree == NULL || (w = in->tree->workspace) == NULL) {
		snprintf(why, whylen, "the server's reply holds no workspace");
		return JX_EINVAL;
	}
	a.checkpoint = (Jixiao__CheckpointReply *)in->checkpoint;
	/* A template's bands are not known offline: they travel with the archive. */
	if (in->tmpl != NULL) {
		a.n_grades = in->tmpl->n_grades;
		a.grades = in->tmpl->grades;
		a.has_veto_cap = in->tmpl->has_veto_cap;
		a.veto_cap = in->tmpl->veto_cap;
	}
	if (export_archive_inventory(&x, in->tree) != 0 ||
	    (x.changes = calloc(in->nrecords + 1, sizeof(*x.changes))) == NULL) {
		err = JX_EINTERNAL;
		goto out;
	}
	/* The signers, with the keys they signed with, from every header recorded. */
	if (archive_add_signers(&a, w) != 0) {
		err = JX_EINTERNAL;
		goto out;
	}
	for (size_t i = 0; i < in->nrecords; i++) {
		Jixiao__Change *ch = jixiao__change__unpack(NULL, in->records[i].len,
		    in->records[i].data);
		if (ch == NULL) {
			snprintf(why, whylen, "history record %zu from the server does not decode",
			    i + 1);
			err = JX_EINVAL;
			goto out;
		}
		x.changes[x.nchanges++] = ch;
		if (ch->workspace_after != NULL && archive_add_signers(&a, ch->workspace_after) != 0) {
			err = JX_EINTERNAL;
			goto out;
		}
	}
	export_archive_standing(in->members, &a);
	a.workspace = in->tree->workspace;
	a.records = (ProtobufCBinaryData *)in->records;
	a.n_records = in->nrecords;
	a.inventory = x.invp;
	a.n_inventory = x.ninv;
	a.budget = in->tree->budget;
	a.has_total = 1;
	a.total = in->tree->total;
	a.grade = in->tree->grade;
	a.has_exported_at = 1;
	a.exported_at = in->exported_at;
	a.exported_by = (char *)in->exported_by;
	if ((err = archive_pack(&a, buf, len)) == JX_ENOSPC)
		snprintf(why, whylen, "workspace %" PRIu64 " makes an archive larger than %zu bytes",
		    w->id, ARCHIVE_MAX);
out:
	archive_users_free(&a);
	export_archive_free(&x);
	return err;
}
