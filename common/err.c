#include "err.h"

#include "proto/jixiao.pb-c.h"

_Static_assert((int)JX_EINVAL == (int)JIXIAO__CODE__INVALID_ARGUMENT, "codes follow the proto");
_Static_assert((int)JX_EABORTED == (int)JIXIAO__CODE__ABORTED, "codes follow the proto");
_Static_assert((int)JX_EUNAUTH == (int)JIXIAO__CODE__UNAUTHENTICATED, "codes follow the proto");

static const struct {
	int err;
	const char *name;
	const char *text;
} jx_errs[] = {
	{ JX_OK, "OK", "success" },
	{ JX_EINVAL, "INVALID_ARGUMENT", "invalid argument" },
	{ JX_ENOTFOUND, "NOT_FOUND", "not found" },
	{ JX_EEXIST, "ALREADY_EXISTS", "already exists" },
	{ JX_EPERM, "PERMISSION_DENIED", "permission denied" },
	{ JX_ENOSPC, "RESOURCE_EXHAUSTED", "resource exhausted" },
	{ JX_EPRECOND, "FAILED_PRECONDITION", "not allowed in the current state" },
	{ JX_EABORTED, "ABORTED", "changed by someone else since you read it" },
	{ JX_EINTERNAL, "INTERNAL", "internal error" },
	{ JX_EUNAVAIL, "UNAVAILABLE", "server unavailable" },
	{ JX_EUNAUTH, "UNAUTHENTICATED", "not authenticated" },
};

const char *
jx_strerror(int err)
{
	for (unsigned i = 0; i < sizeof(jx_errs) / sizeof(jx_errs[0]); i++)
		if (jx_errs[i].err == err)
			return jx_errs[i].text;
	return "unknown error";
}

const char *
jx_errname(int err)
{
	for (unsigned i = 0; i < sizeof(jx_errs) / sizeof(jx_errs[0]); i++)
		if (jx_errs[i].err == err)
			return jx_errs[i].name;
	return "UNKNOWN";
}
