#include "workspace.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>


#include "err.h"
#include "history.h"
#include "log.h"
#include "store.h"

int
workspace_load(struct rpc_call *c, uint64_t id, Jixiao__Workspace **ws)
{
	uint8_t key[8];
	int rv;

	store_key_u64(key, id);
	rv = store_get_msg(rpc_call_txn(c), rpc_call_store(c), STORE_WORKSPACES, key,
	    sizeof(key), &jixiao__workspace__descriptor, (ProtobufCMessage **)ws);
	if (rv == JX_ENOTFOUND)
		rpc_call_fail(c, rv, "workspace %llu does not exist", (unsigned long long)id);
	else if (rv != 0)
		rpc_call_fail(c, rv, "workspace %llu cannot be read", (unsigned long long)id);
	return rv;
}

int
workspace_load_editable(struct rpc_call *c, uint64_t id, Jixiao__Workspace **ws)
{
	int rv;

	if ((rv = workspace_load(c, id, ws)) != 0)
		return rv;
	if ((*ws)->state != JIXIAO__WORKSPACE_STATE__ACTIVE) {
		rpc_call_fail(c, JX_EPRECOND, "workspace %llu is archived and cannot be changed",
		    (unsigned long long)id);
		goto refuse;
	}
	if ((*ws)->phase == JIXIAO__PHASE__PHASE_FINAL) {
		rpc_call_fail(c, JX_EPRECOND, "workspace %llu is final (signed off, version %u) and "
		    "read-only; a reviewer can reopen it with jx reopen %llu --reason TEXT",
		    (unsigned long long)id, (*ws)->has_version ? (*ws)->version : 1,
		    (unsigned long long)id);
		goto refuse;
	}
	if ((*ws)->phase != JIXIAO__PHASE__PHASE_DRAFT && rpc_call_reason(c) == NULL) {
		rpc_call_fail(c, JX_EPRECOND, "workspace %llu was submitted at revision %llu: say "
		    "why you change it with --reason TEXT (the change makes the submission stale)",
		    (unsigned long long)id, (unsigned long long)(*ws)->submitted_revision);
		goto refuse;
	}
	return JX_OK;
refuse:
	jixiao__workspace__free_unpacked(*ws, NULL);
	*ws = NULL;
	return JX_EPRECOND;
}

int
workspace_next_seq(struct rpc_call *c, const char *name, uint64_t *v)
{
	uint8_t buf[8];
	MDB_val val;
	int rv;

	rv = store_get(rpc_call_txn(c), rpc_call_store(c), STORE_META, name, strlen(name), &val);
	if (rv == JX_ENOTFOUND)
		*v = 1;
	else if (rv == 0 && val.mv_size == 8)
		*v = store_key_get_u64(val.mv_data) + 1;
	else
		rv = JX_EINTERNAL;
	if (rv != 0 && rv != JX_ENOTFOUND) {
		rpc_call_fail(c, rv, "the store's counters are damaged");
		return rv;
	}
	store_key_u64(buf, *v);
	rv = store_put(rpc_call_txn(c), rpc_call_store(c), STORE_META, name, strlen(name), buf,
	    sizeof(buf));
	if (rv != 0)
		rpc_call_fail(c, rv, "the change could not be saved");
	return rv;
}

int
workspace_set_str(char **field, const char *v)
{
	char *copy = strdup(v != NULL ? v : "");

	if (copy == NULL)
		return JX_EINTERNAL;
	free(*field);
	*field = copy;
	return JX_OK;
}

/* True for the records of the workflow itself, which do not change the content. */
static bool
workspace_is_workflow(const char *what)
{
	return strncmp(what, "workflow.", 9) == 0 || strncmp(what, "member.", 7) == 0;
}

int
workspace_record(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Change *change)
{
	uint8_t key[8], *rec = NULL;
	bool lent_ws = false;
	size_t len;
	int rv;

	ws->revision++;
	ws->has_updated_at = 1;
	ws->updated_at = rpc_call_now(c);
	change->workspace = ws->id;
	change->revision = ws->revision;
	change->time = rpc_call_now(c);
	change->user = (char *)rpc_call_user(c);
	if (change->reason == NULL)
		change->reason = (char *)rpc_call_reason(c);
	/*
	 * A change to the content after a submission makes it stale: the workspace is a
	 * draft again and needs a new submission (workspace_load_editable asked for a reason).
	 */
	if (ws->phase != JIXIAO__PHASE__PHASE_DRAFT && ws->phase != JIXIAO__PHASE__PHASE_FINAL &&
	    !workspace_is_workflow(change->what)) {
		ws->has_phase = 1;
		ws->phase = JIXIAO__PHASE__PHASE_DRAFT;
		if (change->workspace_after == NULL) {
			change->workspace_after = ws;
			lent_ws = true;
		}
	}

	if ((rv = history_append(c, ws, change, &rec, &len)) != 0)
		goto out;
	store_key_u64(key, ws->id);
	if ((rv = store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_WORKSPACES, key, 8,
	    &ws->base)) != 0 || (rv = history_index(c, change)) != 0)
		goto out;
	rv = rpc_call_publish(c, ws->id, ws->revision);
out:
	/* The change borrowed these; the caller owns the change, not our pointers. */
	change->user = NULL;
	if (change->reason == rpc_call_reason(c))
		change->reason = NULL;
	if (lent_ws)
		change->workspace_after = NULL;
	change->has_prev = 0;
	change->prev.data = NULL;
	change->prev.len = 0;
	free(rec);
	if (rv != 0)
		rpc_call_fail(c, rv, "the change could not be saved");
	return rv;
}

static size_t
workspace_subject_key(uint8_t *key, const char *subject, uint32_t year, uint32_t kind,
    uint64_t ws, int parts)
{
	size_t n = strnlen(subject, 256);

	memcpy(key, subject, n);
	key[n++] = '\0';
	if (parts >= 1) {
		for (int i = 3; i >= 0; i--)
			key[n++] = (uint8_t)(year >> (8 * i));
	}
	if (parts >= 2) {
		for (int i = 3; i >= 0; i--)
			key[n++] = (uint8_t)(kind >> (8 * i));
	}
	if (parts >= 3) {
		store_key_u64(key + n, ws);
		n += 8;
	}
	return n;
}

int
workspace_index_subject(struct rpc_call *c, const Jixiao__Workspace *ws)
{
	uint8_t key[WORKSPACE_SUBJECT_KEY_MAX];
	size_t n = workspace_subject_key(key, ws->subject, ws->fiscal_year, ws->kind, ws->id, 3);

	return store_put(rpc_call_txn(c), rpc_call_store(c), STORE_SUBJECTS, key, n, "", 0);
}

struct workspace_of_subject {
	size_t slen; /* the subject's bytes with its NUL */
	int (*fn)(void *arg, uint64_t ws, uint32_t year, uint32_t kind);
	void *arg;
};

/* One subject index entry: subject + NUL + year (4) + kind (4) + ws id (8). */
static int
workspace_of_subject_one(void *arg, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	struct workspace_of_subject *o = arg;
	const uint8_t *p;
	uint32_t y, kd;

	if (klen != o->slen + 16)
		return JX_EINTERNAL;
	p = (const uint8_t *)key + o->slen;
	y = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	kd = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	return o->fn(o->arg, store_key_get_u64(p + 8), y, kd);
}

int
workspace_each_of_subject(struct rpc_call *c, const char *subject, uint32_t year,
    uint32_t kind, int (*fn)(void *arg, uint64_t ws, uint32_t year, uint32_t kind), void *arg)
{
	uint8_t prefix[WORKSPACE_SUBJECT_KEY_MAX];
	size_t plen = workspace_subject_key(prefix, subject, year, kind, 0,
	    year == 0 ? 0 : kind == 0 ? 1 : 2);
	struct workspace_of_subject o = { strnlen(subject, 256) + 1, fn, arg };

	return store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_SUBJECTS, prefix, plen,
	    workspace_of_subject_one, &o);
}

struct workspace_unique {
	struct rpc_call *c;
	bool found;
	uint64_t id;
};

static int
workspace_unique_one(void *arg, uint64_t id, uint32_t year, uint32_t kind)
{
	struct workspace_unique *u = arg;
	Jixiao__Workspace *ws;
	uint8_t key[8];
	int active;

	store_key_u64(key, id);
	if (store_get_msg(rpc_call_txn(u->c), rpc_call_store(u->c), STORE_WORKSPACES, key,
	    sizeof(key), &jixiao__workspace__descriptor, (ProtobufCMessage **)&ws) != 0)
		return 0;
	active = ws->state == JIXIAO__WORKSPACE_STATE__ACTIVE;
	jixiao__workspace__free_unpacked(ws, NULL);
	if (!active)
		return 0;
	u->found = true;
	u->id = id;
	return STORE_SCAN_STOP;
}

int
workspace_check_unique(struct rpc_call *c, const char *subject, uint32_t year, uint32_t kind)
{
	struct workspace_unique u = { c, false, 0 };

	if (workspace_each_of_subject(c, subject, year, kind, workspace_unique_one, &u) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the workspaces of %s cannot be read", subject);
		return JX_EINTERNAL;
	}
	if (!u.found)
		return JX_OK;
	rpc_call_fail(c, JX_EEXIST, "workspace %llu already evaluates %s for %u with this kind; "
	    "archive it first, or work in it", (unsigned long long)u.id, subject, year);
	return JX_EEXIST;
}
