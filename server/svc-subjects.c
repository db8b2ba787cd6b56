/* The Subjects service: departments, budget units and projects (主管部门、预算单位、项目). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "store.h"
#include "svc.h"
#include "text.h"
#include "workspace.h"

#define NAME_MAX_BYTES 256
#define LIST_MAX 100000

static size_t
subject_name_key(uint8_t *key, const char *name)
{
	size_t n = strnlen(name, NAME_MAX_BYTES);

	key[0] = 'n';
	memcpy(key + 1, name, n);
	return n + 1;
}

int
svc_subjects_load(struct rpc_call *c, uint64_t id, Jixiao__Subject **s)
{
	uint8_t key[9];
	int rv;

	key[0] = 'i';
	store_key_u64(key + 1, id);
	rv = store_get_msg(rpc_call_txn(c), rpc_call_store(c), STORE_UNITS, key, sizeof(key),
	    &jixiao__subject__descriptor, (ProtobufCMessage **)s);
	if (rv == JX_ENOTFOUND)
		rpc_call_fail(c, rv, "there is no subject %" PRIu64, id);
	else if (rv != 0)
		rpc_call_fail(c, rv, "subject %" PRIu64 " cannot be read", id);
	return rv;
}

static void
svc_subjects_add(Jixiao__Subjects_Service *service, const Jixiao__AddSubjectRequest *in,
    Jixiao__SubjectReply_Closure closure, void *data)
{
	Jixiao__SubjectReply out = JIXIAO__SUBJECT_REPLY__INIT;
	Jixiao__Subject s = JIXIAO__SUBJECT__INIT, *parent = NULL;
	struct rpc_call *c = data;
	uint8_t key[1 + NAME_MAX_BYTES], idkey[9], val[8];
	MDB_val v;
	uint64_t id;

	if (in->kind < JIXIAO__SUBJECT_KIND__DEPARTMENT || in->kind > JIXIAO__SUBJECT_KIND__PROJECT) {
		rpc_call_fail(c, JX_EINVAL, "a subject is a department, a unit or a project");
		goto out;
	}
	if (in->name[0] == '\0' || strlen(in->name) > NAME_MAX_BYTES ||
	    !text_utf8_valid(in->name) || !text_printable(in->name, false)) {
		rpc_call_fail(c, JX_EINVAL, "a subject's name is one line of 1 to %d bytes",
		    NAME_MAX_BYTES);
		goto out;
	}
	if (store_get(rpc_call_txn(c), rpc_call_store(c), STORE_UNITS, key,
	    subject_name_key(key, in->name), &v) == 0) {
		rpc_call_fail(c, JX_EEXIST, "there is already a subject named %s", in->name);
		goto out;
	}
	/* A project sits under a unit; a unit under a department or a unit. */
	if (in->kind == JIXIAO__SUBJECT_KIND__PROJECT && !(in->has_parent && in->parent != 0)) {
		rpc_call_fail(c, JX_EINVAL, "a project belongs to a budget unit: name it");
		goto out;
	}
	if (in->has_parent && in->parent != 0) {
		if (svc_subjects_load(c, in->parent, &parent) != 0)
			goto out;
		if (parent->kind == JIXIAO__SUBJECT_KIND__PROJECT ||
		    (in->kind == JIXIAO__SUBJECT_KIND__DEPARTMENT)) {
			rpc_call_fail(c, JX_EINVAL, "%s cannot be placed under %s",
			    in->kind == JIXIAO__SUBJECT_KIND__DEPARTMENT ? "a department" :
			    "a unit or project", parent->name);
			goto out;
		}
	}
	if (workspace_next_seq(c, "seq.subject", &id) != 0)
		goto out;
	s.id = id;
	s.kind = in->kind;
	s.name = in->name;
	s.has_parent = in->has_parent && in->parent != 0;
	s.parent = in->parent;
	s.has_recurrent = in->kind == JIXIAO__SUBJECT_KIND__PROJECT;
	s.recurrent = in->has_recurrent ? in->recurrent : true;
	s.has_created_at = 1;
	s.created_at = rpc_call_now(c);
	s.created_by = (char *)rpc_call_user(c);
	idkey[0] = 'i';
	store_key_u64(idkey + 1, id);
	store_key_u64(val, id);
	if (store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_UNITS, idkey, sizeof(idkey),
	    &s.base) != 0 || store_put(rpc_call_txn(c), rpc_call_store(c), STORE_UNITS, key,
	    subject_name_key(key, in->name), val, sizeof(val)) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the subject could not be saved");
		goto out;
	}
	out.subject = &s;
out:
	closure(&out, data);
	if (parent != NULL)
		jixiao__subject__free_unpacked(parent, NULL);
}

struct svc_subjects_list {
	const Jixiao__ListSubjectsRequest *in;
	Jixiao__ListSubjectsReply *out;
	size_t cap;
};

static int
svc_subjects_list_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct svc_subjects_list *l = arg;
	const Jixiao__ListSubjectsRequest *in = l->in;
	Jixiao__Subject *s;

	if (klen != 9 || (s = jixiao__subject__unpack(NULL, vlen, val)) == NULL)
		return JX_EINTERNAL;
	if ((in->has_kind && in->kind != 0 && s->kind != in->kind) ||
	    (in->has_parent && s->parent != in->parent) || l->out->n_subjects == LIST_MAX) {
		jixiao__subject__free_unpacked(s, NULL);
		return 0;
	}
	if (array_grow(&l->out->subjects, l->out->n_subjects, &l->cap, sizeof(s), 16) != 0) {
		jixiao__subject__free_unpacked(s, NULL);
		return JX_ENOSPC;
	}
	l->out->subjects[l->out->n_subjects++] = s;
	return 0;
}

static void
svc_subjects_list(Jixiao__Subjects_Service *service, const Jixiao__ListSubjectsRequest *in,
    Jixiao__ListSubjectsReply_Closure closure, void *data)
{
	Jixiao__ListSubjectsReply out = JIXIAO__LIST_SUBJECTS_REPLY__INIT;
	struct svc_subjects_list l = { in, &out, 0 };
	struct rpc_call *c = data;
	int rv;

	rv = store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_UNITS, "i", 1,
	    svc_subjects_list_one, &l);
	if (rv == JX_ENOSPC)
		rpc_call_fail(c, JX_ENOSPC, "too many subjects to list");
	else if (rv != 0)
		rpc_call_fail(c, JX_EINTERNAL, "the subjects cannot be read");
	closure(&out, data);
	for (size_t i = 0; i < out.n_subjects; i++)
		jixiao__subject__free_unpacked(out.subjects[i], NULL);
	free(out.subjects);
}

static Jixiao__Subjects_Service svc_subjects_service = JIXIAO__SUBJECTS__INIT(svc_subjects_);

const struct rpc_service svc_subjects = {
	.service = &svc_subjects_service.base,
};
