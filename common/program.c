#include "program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool
program_find(const char *const *names, size_t n, char *buf, size_t len)
{
	const char *path = getenv("PATH");

	if (path == NULL || path[0] == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (size_t k = 0; k < n; k++) {
		for (const char *p = path; *p != '\0';) {
			const char *colon = strchr(p, ':');
			size_t dl = colon != NULL ? (size_t)(colon - p) : strlen(p);
			int w = snprintf(buf, len, "%.*s/%s", (int)dl, dl > 0 ? p : ".", names[k]);

			if (w > 0 && (size_t)w < len && access(buf, X_OK) == 0)
				return true;
			p += dl + (colon != NULL);
		}
	}
	return false;
}
