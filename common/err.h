/* The one error enum of jixiao: 0 is OK, the other values are gRPC's status codes. */
#ifndef JX_ERR_H
#define JX_ERR_H

enum jx_err {
	JX_OK = 0,
	JX_EINVAL = 3,       /* INVALID_ARGUMENT */
	JX_ENOTFOUND = 5,    /* NOT_FOUND */
	JX_EEXIST = 6,       /* ALREADY_EXISTS */
	JX_EPERM = 7,        /* PERMISSION_DENIED */
	JX_ENOSPC = 8,       /* RESOURCE_EXHAUSTED */
	JX_EPRECOND = 9,     /* FAILED_PRECONDITION */
	JX_EABORTED = 10,    /* ABORTED: an edit based on a stale revision */
	JX_EINTERNAL = 13,   /* INTERNAL */
	JX_EUNAVAIL = 14,    /* UNAVAILABLE */
	JX_EUNAUTH = 16,     /* UNAUTHENTICATED */
};

/* A short plain-words description, e.g. "not found". Never NULL. */
const char *jx_strerror(int err);

/* The status name as on the wire, e.g. "NOT_FOUND". Never NULL. */
const char *jx_errname(int err);

#endif
