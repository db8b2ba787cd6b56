/* The Prometheus text exposition format, as jixiaod --metrics serves it. */
#ifndef JX_TEST_EXPOSITION_H
#define JX_TEST_EXPOSITION_H

/*
 * Checks the text exposition format line by line: comments are HELP or TYPE with a
 * known type, declared once and before their samples; a sample is NAME{k="v",...} VALUE
 * with a number; a histogram's buckets are cumulative and its +Inf bucket is its count.
 */
void exposition_check(const char *text);

#endif
