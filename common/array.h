/* Arrays that grow by doubling, for lists built one element at a time. */
#ifndef JX_ARRAY_H
#define JX_ARRAY_H

#include <stddef.h>

/*
 * Makes room for element n of the malloc'd array at arrayp (the address of a T *, NULL
 * at first) of *cap elements of size bytes: doubles it, or allocates first elements.
 * Returns 0, or JX_EINTERNAL when memory runs out; the array is then as it was.
 */
int array_grow(void *arrayp, size_t n, size_t *cap, size_t size, size_t first);

#endif
