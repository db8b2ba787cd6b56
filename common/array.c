#include "array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

int
array_grow(void *arrayp, size_t n, size_t *cap, size_t size, size_t first)
{
	void *array, *grown;
	size_t want;

	if (n < *cap)
		return JX_OK;
	want = *cap > 0 ? *cap * 2 : first;
	if (want <= n || want > SIZE_MAX / size)
		return JX_EINTERNAL;
	/* Through memcpy: arrayp is a T **, whatever T is. */
	memcpy(&array, arrayp, sizeof(array));
	if ((grown = realloc(array, want * size)) == NULL)
		return JX_EINTERNAL;
	memcpy(arrayp, &grown, sizeof(grown));
	*cap = want;
	return JX_OK;
}
