/* The kinds of evaluation (评价类型): their names in English and Chinese. */
#ifndef JX_KIND_H
#define JX_KIND_H

#include "proto/jixiao.pb-c.h"

/* "key-evaluation", "重点绩效评价" or "重点评价" → the kind: 0, or -1 when none matches. */
int kind_parse(const char *s, Jixiao__Kind *kind);
/* "key-evaluation", or "unknown". */
const char *kind_name(Jixiao__Kind kind);
/* "重点绩效评价", or "?". */
const char *kind_zh(Jixiao__Kind kind);

#endif
