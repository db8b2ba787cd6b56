/* Checks on text that arrives from users and peers. */
#ifndef JX_TEXT_H
#define JX_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True when s is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF). */
bool text_utf8_valid(const char *s);

/* True when s has no control characters (tab and newline allowed when multiline). */
bool text_printable(const char *s, bool multiline);

/*
 * The length of s[0..len) without a character that was cut in two at its end (by a
 * bounded copy): len itself when the text ends on a whole character.
 */
size_t text_utf8_whole(const char *s, size_t len);

#endif
