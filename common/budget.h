/*
 * Budget arithmetic of a workspace (DOMAIN §7). Pure functions: no allocation, no state;
 * arrays are borrowed for the call only.
 *
 * Units, all int64:
 *  - money: fen (分). 1 yuan = 100 fen, 1 万元 = 1 000 000 fen. dec_parse() of a yuan
 *    amount ("4285434.40") gives fen directly; of a 万元 amount ("1164.43") it gives
 *    hundredths of 万元, which budget_wan_to_fen() turns into fen;
 *  - rates: hundredths of a percent, 84.40 % -> 8440.
 *
 * Rounding: sums are exact. A rate is rounded once, half up, to 0.01 % (428.54 / 507.74 =
 * 84.4015... % -> 8440), which is what the reports print and what the scoring methods
 * (score.h) take. A mean of rates is rounded the same way. Converting fen to 万元 rounds
 * half away from zero to 0.01 万元 ("四舍五入", seed 000), so a sum of rounded 万元 figures
 * may differ from the rounded sum by a few hundredths (尾差).
 *
 * Every function returns 0 or JX_EINVAL and writes its output only on success. JX_EINVAL
 * means a nonsensical input (a negative budget, spending or rate; a zero divisor; an
 * empty mean) or a result that does not fit in int64.
 */
#ifndef JX_BUDGET_H
#define JX_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"

#define BUDGET_FEN_PER_YUAN 100
#define BUDGET_FEN_PER_WAN 1000000

/* Hundredths of 万元 (1164.43 -> 116443) to fen (1 164 430 000). */
int budget_wan_to_fen(int64_t wan_hundredths, int64_t *fen);

/* Fen to hundredths of 万元, rounded half away from zero: 428 543 440 -> 42854 (428.54). */
int budget_fen_to_wan(int64_t fen, int64_t *wan_hundredths);

/*
 * final budget (全年预算) = initial (年初预算) + carry_over (上年结转) + sum of adjustments
 * (调增 positive, 调减 negative). initial and carry_over are >= 0, the result must be too.
 * adjustments may be NULL when n is 0.
 */
int budget_final(int64_t initial, int64_t carry_over, const int64_t *adjustments, size_t n,
    int64_t *final);

/* Sum of itemised expenditure lines (支出明细), signed (a refund is negative). */
int budget_sum(const int64_t *amounts, size_t n, int64_t *sum);

/* Execution rate (预算执行率) = spent / final, rounded half up. spent >= 0, final > 0. */
int budget_rate(int64_t spent, int64_t final, int64_t *rate);

/*
 * Mean of n >= 1 rates >= 0, rounded half up: the year's average execution over the
 * finance bureau's notices (seed 000: 10 notices summing to 1044.31 % -> 10443).
 */
int budget_rate_mean(const int64_t *rates, size_t n, int64_t *mean);

/*
 * The budget facts of the wire (budget-derive.c): fills b's computed fields (final,
 * rate, lines total) from its stored ones, as the server answers and an archive is
 * checked; a field that cannot be computed is left out. Returns 0, or JX_EINTERNAL when
 * out of memory. Unlike the functions above, it allocates (and frees) scratch arrays.
 */
int budget_derive(Jixiao__Budget *b);

#endif
