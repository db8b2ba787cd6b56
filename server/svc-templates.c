/* The Templates service: indicator systems (指标体系) with grade bands, versioned. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"
#include "method.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "store.h"
#include "svc.h"
#include "templates.h"
#include "text.h"

#define TEMPLATE_NODES_MAX 2000
#define TEMPLATE_TEXT_MAX 2048

static bool
svc_templates_text(struct rpc_call *c, const char *what, const char *v, size_t max)
{
	if (v == NULL || v[0] == '\0' || strlen(v) > max || !text_utf8_valid(v) ||
	    !text_printable(v, true)) {
		rpc_call_fail(c, JX_EINVAL, "the template's %s must be UTF-8 text of 1 to %zu "
		    "bytes", what, max);
		return false;
	}
	return true;
}

static bool
svc_templates_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > TEMPLATES_ID_MAX)
		return false;
	for (const char *p = id; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* Indicators: names, unique codes, parents named earlier, methods that parse. */
static bool
svc_templates_nodes_ok(struct rpc_call *c, const Jixiao__Template *t)
{
	char why[256];

	if (t->n_nodes > TEMPLATE_NODES_MAX) {
		rpc_call_fail(c, JX_EINVAL, "a template holds at most %d indicators",
		    TEMPLATE_NODES_MAX);
		return false;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		const Jixiao__AddNodeRequest *n = t->nodes[i];
		struct method m;
		bool parent_found = n->parent == NULL;

		if (n->code == NULL || n->code[0] == '\0' || n->name[0] == '\0') {
			rpc_call_fail(c, JX_EINVAL, "every indicator of a template needs a code and "
			    "a name (indicator %zu has not)", i + 1);
			return false;
		}
		for (size_t k = 0; k < i; k++) {
			if (strcmp(t->nodes[k]->code, n->code) == 0) {
				rpc_call_fail(c, JX_EINVAL, "the template has two indicators %s",
				    n->code);
				return false;
			}
			if (n->parent != NULL && n->parent->code != NULL &&
			    strcmp(t->nodes[k]->code, n->parent->code) == 0)
				parent_found = true;
		}
		if (!parent_found) {
			rpc_call_fail(c, JX_EINVAL, "indicator %s names a parent that does not come "
			    "before it", n->code);
			return false;
		}
		if (method_parse(n->method, n->params, &m, why, sizeof(why)) != 0) {
			rpc_call_fail(c, JX_EINVAL, "indicator %s: %s", n->code, why);
			return false;
		}
	}
	return true;
}

static bool
svc_templates_grades_ok(struct rpc_call *c, const Jixiao__Template *t)
{
	if (t->n_grades == 0 || t->n_grades > TEMPLATES_GRADES_MAX) {
		rpc_call_fail(c, JX_EINVAL, "a template has 1 to %d grade bands",
		    TEMPLATES_GRADES_MAX);
		return false;
	}
	for (size_t i = 0; i < t->n_grades; i++) {
		const Jixiao__GradeBand *g = t->grades[i];
		if (!svc_templates_text(c, "grade name", g->name, 32) ||
		    !svc_templates_text(c, "grade key", g->key, 32))
			return false;
		if (i > 0 && g->min >= t->grades[i - 1]->min) {
			rpc_call_fail(c, JX_EINVAL, "grade bands go from best to worst, each "
			    "starting lower than the one before");
			return false;
		}
	}
	if (t->has_veto_cap && t->veto_cap >= t->n_grades) {
		rpc_call_fail(c, JX_EINVAL, "the veto cap must name one of the grade bands");
		return false;
	}
	return true;
}

struct svc_templates_list {
	Jixiao__ListTemplatesReply *out;
	size_t cap;
};

/* Keys sort by id, then version: keeps the last of each id. */
static int
svc_templates_list_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct svc_templates_list *l = arg;
	Jixiao__ListTemplatesReply *out = l->out;
	Jixiao__Template *t;

	if ((t = jixiao__template__unpack(NULL, vlen, val)) == NULL)
		return JX_EINTERNAL;
	if (out->n_templates > 0 && strcmp(out->templates[out->n_templates - 1]->id, t->id) == 0) {
		jixiao__template__free_unpacked(out->templates[--out->n_templates], NULL);
	} else if (array_grow(&out->templates, out->n_templates, &l->cap, sizeof(t), 8) != 0) {
		jixiao__template__free_unpacked(t, NULL);
		return JX_ENOSPC;
	}
	out->templates[out->n_templates++] = t;
	return 0;
}

static void
svc_templates_list(Jixiao__Templates_Service *service, const Jixiao__ListTemplatesRequest *in,
    Jixiao__ListTemplatesReply_Closure closure, void *data)
{
	Jixiao__ListTemplatesReply out = JIXIAO__LIST_TEMPLATES_REPLY__INIT;
	struct svc_templates_list l = { &out, 0 };
	struct rpc_call *c = data;
	int rv;

	rv = store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_TEMPLATES, NULL, 0,
	    svc_templates_list_one, &l);
	if (rv == JX_ENOSPC)
		rpc_call_fail(c, JX_ENOSPC, "too many templates to list");
	else if (rv != 0)
		rpc_call_fail(c, JX_EINTERNAL, "the templates cannot be read");
	/* A list shows what there is, not every indicator of it. */
	for (size_t i = 0; i < out.n_templates; i++) {
		Jixiao__Template *x = out.templates[i];
		for (size_t j = 0; j < x->n_nodes; j++)
			jixiao__add_node_request__free_unpacked(x->nodes[j], NULL);
		free(x->nodes);
		x->nodes = NULL;
		x->n_nodes = 0;
	}
	closure(&out, data);
	for (size_t i = 0; i < out.n_templates; i++)
		jixiao__template__free_unpacked(out.templates[i], NULL);
	free(out.templates);
}

static void
svc_templates_get(Jixiao__Templates_Service *service, const Jixiao__GetTemplateRequest *in,
    Jixiao__TemplateReply_Closure closure, void *data)
{
	Jixiao__TemplateReply out = JIXIAO__TEMPLATE_REPLY__INIT;
	Jixiao__Template *t = NULL;

	if (templates_load(data, in->id, in->has_version ? in->version : 0, &t) == 0)
		out.template_ = t;
	closure(&out, data);
	if (t != NULL)
		jixiao__template__free_unpacked(t, NULL);
}

static void
svc_templates_put(Jixiao__Templates_Service *service, const Jixiao__PutTemplateRequest *in,
    Jixiao__TemplateReply_Closure closure, void *data)
{
	Jixiao__TemplateReply out = JIXIAO__TEMPLATE_REPLY__INIT;
	Jixiao__Template t = *in->template_;
	struct rpc_call *c = data;
	uint8_t key[TEMPLATES_ID_MAX + 9];

	if (!svc_templates_id_ok(t.id)) {
		rpc_call_fail(c, JX_EINVAL, "a template id is 1 to %d letters, digits, '-', '_' "
		    "or '.'", TEMPLATES_ID_MAX);
		goto out;
	}
	if (t.has_kind && (t.kind < JIXIAO__KIND__TARGET_DECLARATION ||
	    t.kind > JIXIAO__KIND__KEY_EVALUATION)) {
		rpc_call_fail(c, JX_EINVAL, "the template's kind is not one jixiao knows");
		goto out;
	}
	if (t.has_signoffs_required && (t.signoffs_required < 1 || t.signoffs_required > 5)) {
		rpc_call_fail(c, JX_EINVAL, "a template asks for 1 to 5 reviewers' sign-offs");
		goto out;
	}
	if (!svc_templates_text(c, "name", t.name, 256) ||
	    (t.description != NULL && !svc_templates_text(c, "description", t.description,
	    TEMPLATE_TEXT_MAX)) ||
	    !svc_templates_nodes_ok(c, &t) || !svc_templates_grades_ok(c, &t))
		goto out;
	if (templates_newest(rpc_call_txn(c), rpc_call_store(c), t.id, &t.version) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the templates cannot be read");
		goto out;
	}
	t.version++;
	t.has_created_at = 1;
	t.created_at = rpc_call_now(c);
	t.created_by = (char *)rpc_call_user(c);
	if (store_put_msg(rpc_call_txn(c), rpc_call_store(c), STORE_TEMPLATES, key,
	    templates_key(key, t.id, t.version), &t.base) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the template could not be saved");
		goto out;
	}
	out.template_ = &t;
out:
	closure(&out, data);
}

static Jixiao__Templates_Service svc_templates_service = JIXIAO__TEMPLATES__INIT(svc_templates_);

const struct rpc_service svc_templates = {
	.service = &svc_templates_service.base,
};
