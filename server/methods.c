#include "methods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define R false
#define W true

/*
 * One row per RPC, grouped by service in the proto's order; a new method is a new row at
 * the end of its service's rows (methods are append-only in the proto).
 */
static const struct method methods_table[] = {
	{ "jixiao.System", "Ping", R, METHOD_PUBLIC, "check the server" },
	{ "jixiao.System", "Version", R, METHOD_PUBLIC, "ask the server's version" },

	{ "jixiao.Workspaces", "Create", W, METHOD_ADMIN, "create workspaces" },
	{ "jixiao.Workspaces", "List", R, METHOD_USER, "list workspaces" },
	{ "jixiao.Workspaces", "Get", R, METHOD_READ, "read it" },
	{ "jixiao.Workspaces", "Archive", W, METHOD_ADMIN, "archive workspaces" },
	{ "jixiao.Workspaces", "SetReport", W, METHOD_EDIT, "write its report's sections" },

	{ "jixiao.Tree", "AddNode", W, METHOD_EDIT, "add indicators to it" },
	{ "jixiao.Tree", "UpdateNode", W, METHOD_EDIT, "edit its indicators" },
	{ "jixiao.Tree", "MoveNode", W, METHOD_EDIT, "move its indicators" },
	{ "jixiao.Tree", "RemoveNode", W, METHOD_EDIT, "remove its indicators" },
	{ "jixiao.Tree", "GetTree", R, METHOD_READ, "read its score sheet" },
	{ "jixiao.Tree", "Import", W, METHOD_EDIT, "import a sheet into it" },
	{ "jixiao.Tree", "Claim", W, METHOD_EDIT, "claim its indicators" },
	{ "jixiao.Tree", "Mark", W, METHOD_EDIT, "mark its indicators" },
	{ "jixiao.Tree", "ApplyEdits", W, METHOD_EDIT, "edit its indicators from a spreadsheet" },
	{ "jixiao.Tree", "Check", R, METHOD_READ, "check its score sheet" },
	{ "jixiao.Tree", "Export", R, METHOD_READ, "download its sheet or report" },

	{ "jixiao.Budgets", "Get", R, METHOD_READ, "read its budget" },
	{ "jixiao.Budgets", "Set", W, METHOD_EDIT, "change its budget" },

	{ "jixiao.Templates", "List", R, METHOD_USER, "list templates" },
	{ "jixiao.Templates", "Get", R, METHOD_USER, "read templates" },
	{ "jixiao.Templates", "Put", W, METHOD_ADMIN, "add or change templates" },

	{ "jixiao.History", "Log", R, METHOD_READ, "read its history" },
	{ "jixiao.History", "ChangesSince", R, METHOD_READ, "follow its changes" },
	{ "jixiao.History", "Blame", R, METHOD_READ, "read who changed what" },
	{ "jixiao.History", "Carry", W, METHOD_ADMIN, "carry workspaces into a new year" },
	{ "jixiao.History", "Trend", R, METHOD_USER, "read trends" },
	{ "jixiao.History", "Records", R, METHOD_READ, "read its history records" },
	{ "jixiao.History", "Checkpoint", R, METHOD_READ, "read its signed checkpoint" },

	{ "jixiao.Subjects", "Add", W, METHOD_ADMIN, "register units and projects" },
	{ "jixiao.Subjects", "List", R, METHOD_USER, "list units and projects" },

	{ "jixiao.Files", "PutChunk", W, METHOD_USER, "upload files" },
	{ "jixiao.Files", "AddEvidence", W, METHOD_EDIT, "attach evidence to it" },
	/* Without a workspace the handler decides: the file must be evidence one can read. */
	{ "jixiao.Files", "GetChunk", R, METHOD_READ, "download its evidence" },

	{ "jixiao.Auth", "Challenge", R, METHOD_PUBLIC, "log in" },
	{ "jixiao.Auth", "Login", R, METHOD_PUBLIC, "log in" },

	{ "jixiao.Users", "Add", W, METHOD_ADMIN, "register users" },
	/* Every user and key fingerprint: others see their workspaces' users (Members). */
	{ "jixiao.Users", "List", R, METHOD_ADMIN, "list every user" },
	{ "jixiao.Users", "SetMember", W, METHOD_ADMIN, "change its members" },
	{ "jixiao.Users", "Disable", W, METHOD_ADMIN, "disable or enable users" },
	{ "jixiao.Users", "SetKey", W, METHOD_ADMIN, "replace users' keys" },
	{ "jixiao.Users", "Members", R, METHOD_READ, "list its users" },

	{ "jixiao.Workflow", "Submit", W, METHOD_SUBMIT, "submit it (签字提交)" },
	{ "jixiao.Workflow", "SignOff", W, METHOD_REVIEW, "sign it off (复核签字)" },
	{ "jixiao.Workflow", "Reopen", W, METHOD_REVIEW, "reopen it" },
	{ "jixiao.Workflow", "Comment", W, METHOD_COMMENT, "comment on it (征求意见)" },
	{ "jixiao.Workflow", "EndComments", W, METHOD_PROGRESS, "end its comment round" },
	{ "jixiao.Workflow", "Settings", W, METHOD_ADMIN, "change its sign-off rule" },
	{ "jixiao.Workflow", "Content", R, METHOD_READ, "read what a signature signs" },

	{ "jixiao.Findings", "Add", W, METHOD_EDIT, "add findings to it" },
	{ "jixiao.Findings", "Set", W, METHOD_EDIT, "edit its findings" },
	{ "jixiao.Findings", "Remove", W, METHOD_EDIT, "remove its findings" },
	{ "jixiao.Findings", "List", R, METHOD_READ, "read its findings" },
};

#undef R
#undef W

#define METHODS_N (sizeof(methods_table) / sizeof(methods_table[0]))
#define METHODS_SERVICES_MAX 32

/* Where each checked service's rows start; filled by methods_check. */
static struct {
	const ProtobufCServiceDescriptor *svc;
	size_t first;
} methods_index[METHODS_SERVICES_MAX];
static size_t methods_nindex;

static const char *const methods_need_names[] = {
	[METHOD_PUBLIC] = "public",
	[METHOD_USER] = "user",
	[METHOD_ADMIN] = "admin",
	[METHOD_READ] = "read",
	[METHOD_EDIT] = "edit",
	[METHOD_SUBMIT] = "submit",
	[METHOD_REVIEW] = "review",
	[METHOD_COMMENT] = "comment",
	[METHOD_PROGRESS] = "progress",
};

const char *
methods_need_name(enum method_need need)
{
	if ((size_t)need < sizeof(methods_need_names) / sizeof(methods_need_names[0]))
		return methods_need_names[need];
	return "unknown";
}

bool
methods_need_workspace(enum method_need need)
{
	return need >= METHOD_READ;
}

/* True when the message has a uint64 `workspace` field that is not repeated. */
static bool
methods_has_workspace(const ProtobufCMessageDescriptor *input)
{
	const ProtobufCFieldDescriptor *f;

	f = protobuf_c_message_descriptor_get_field_by_name(input, "workspace");
	return f != NULL && f->type == PROTOBUF_C_TYPE_UINT64 &&
	    f->label != PROTOBUF_C_LABEL_REPEATED;
}

/* The first row of service name, or METHODS_N. */
static size_t
methods_first_of(const char *name)
{
	for (size_t i = 0; i < METHODS_N; i++)
		if (strcmp(methods_table[i].service, name) == 0)
			return i;
	return METHODS_N;
}

int
methods_check(const ProtobufCServiceDescriptor *const *svcs, size_t n, char *why,
    size_t whylen)
{
	size_t covered = 0;

	methods_nindex = 0;
	if (n > METHODS_SERVICES_MAX) {
		snprintf(why, whylen, "more than %d services", METHODS_SERVICES_MAX);
		return -1;
	}
	for (size_t s = 0; s < n; s++) {
		const ProtobufCServiceDescriptor *d = svcs[s];
		size_t first = methods_first_of(d->name);

		for (unsigned m = 0; m < d->n_methods; m++) {
			const struct method *row;

			if (first + m >= METHODS_N ||
			    strcmp((row = &methods_table[first + m])->service, d->name) != 0) {
				snprintf(why, whylen, "%s.%s (method %u) has no row in the method "
				    "table", d->name, d->methods[m].name, m);
				return -1;
			}
			if (strcmp(row->name, d->methods[m].name) != 0) {
				snprintf(why, whylen, "the method table says %s.%s where the proto "
				    "has %s as method %u", d->name, row->name,
				    d->methods[m].name, m);
				return -1;
			}
			if (methods_need_workspace(row->need) &&
			    !methods_has_workspace(d->methods[m].input)) {
				snprintf(why, whylen, "%s.%s needs a role in a workspace, but %s "
				    "has no workspace field", d->name, row->name,
				    d->methods[m].input->name);
				return -1;
			}
		}
		if (first + d->n_methods < METHODS_N &&
		    strcmp(methods_table[first + d->n_methods].service, d->name) == 0) {
			snprintf(why, whylen, "the method table has %s.%s, which the proto does "
			    "not", d->name, methods_table[first + d->n_methods].name);
			return -1;
		}
		methods_index[s].svc = d;
		methods_index[s].first = first;
		covered += d->n_methods;
	}
	if (covered != METHODS_N) {
		snprintf(why, whylen, "the method table has %zu rows for %zu methods: a service "
		    "in it is not served", METHODS_N, covered);
		return -1;
	}
	methods_nindex = n;
	return 0;
}

const struct method *
methods_find(const ProtobufCServiceDescriptor *svc, unsigned index)
{
	for (size_t s = 0; s < methods_nindex; s++)
		if (methods_index[s].svc == svc)
			return index < svc->n_methods ? &methods_table[methods_index[s].first + index]
						      : NULL;
	return NULL;
}

size_t
methods_count(void)
{
	return METHODS_N;
}

const struct method *
methods_at(size_t i)
{
	return i < METHODS_N ? &methods_table[i] : NULL;
}

char *
methods_json(void)
{
	size_t cap = 256 + METHODS_N * 96, len = 0;
	char *out = malloc(cap);

	if (out == NULL)
		return NULL;
	out[len++] = '{';
	for (size_t i = 0; i < METHODS_N; i++) {
		const struct method *m = &methods_table[i];
		bool first = i == 0 || strcmp(methods_table[i - 1].service, m->service) != 0;
		bool last = i + 1 == METHODS_N || strcmp(methods_table[i + 1].service, m->service) != 0;
		int w;

		w = snprintf(out + len, cap - len, "%s%s%s%s{\"name\":\"%s\",\"writes\":%s,"
		    "\"need\":\"%s\"}%s", first && i > 0 ? "," : "", first ? "\"" : "",
		    first ? m->service : "", first ? "\":[" : ",", m->name,
		    m->writes ? "true" : "false", methods_need_name(m->need), last ? "]" : "");
		if (w < 0 || (size_t)w >= cap - len) {
			free(out);
			return NULL;
		}
		len += (size_t)w;
	}
	if (len + 2 > cap) {
		free(out);
		return NULL;
	}
	out[len++] = '}';
	out[len] = '\0';
	return out;
}
