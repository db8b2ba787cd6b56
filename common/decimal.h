/*
 * Fixed-point decimals: scores and weights in hundredths of a point, money in fen.
 * Never binary floating point for anything summed, compared or signed.
 */
#ifndef JX_DECIMAL_H
#define JX_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/* Largest magnitude accepted: 10^15 hundredths, far beyond any budget in fen. */
#define DEC_MAX 1000000000000000LL

/* Room for any formatted value, sign and terminator included. */
#define DEC_BUFSZ 32

/*
 * Parses "4.88", "-30.01", "100", "0.5" into hundredths (488, -3001, 10000, 50).
 * Accepts an optional sign, digits, an optional '.' and at most two decimals;
 * nothing else, not even spaces. Returns 0 or JX_EINVAL.
 */
int dec_parse(const char *s, int64_t *out);

/*
 * Parses an amount or a score as people and spreadsheets write it, n bytes of s: spaces
 * around it, full-width digits and signs (１１６４．４３), and thousands separators
 * (1,164.43, "1,260,000.00", １，１６４．４３) in groups of three after a first group
 * of one to three digits. Anything else that could be read two ways (1,16 and 12,34 could
 * be a decimal comma or a list) is refused. Otherwise as dec_parse. Returns 0 or
 * JX_EINVAL.
 */
int dec_parse_written(const char *s, size_t n, int64_t *out);

/* Formats hundredths as "4.88", "-30.01", "100.00". Returns buf. */
char *dec_format(int64_t v, char buf[DEC_BUFSZ]);

/* Like dec_format but drops a ".00" or trailing zero: "4.88", "100", "3.5". */
char *dec_format_short(int64_t v, char buf[DEC_BUFSZ]);

#endif
