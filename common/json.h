/* JSON text for logs and reports that are one value per line (the audit log, check). */
#ifndef JX_JSON_H
#define JX_JSON_H

#include <stdio.h>

/*
 * Writes s as a JSON string to f: quotes, backslashes and control characters escaped,
 * well-formed UTF-8 as it is, any other byte as U+FFFD.
 */
void json_quote(FILE *f, const char *s);

#endif
