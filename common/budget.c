#include "budget.h"

#include "err.h"

__extension__ typedef __int128 s128;

/* The percent scale of a rate: 100 % is 10000. */
#define BUDGET_PCT 10000

/* n / d rounded half up, for n >= 0 and d > 0. JX_EINVAL if it exceeds int64. */
static int
budget_div_round(s128 n, s128 d, int64_t *out)
{
	s128 q = n / d;

	if (n % d * 2 >= d)
		q++;
	if (q > INT64_MAX)
		return JX_EINVAL;
	*out = (int64_t)q;
	return JX_OK;
}

int
budget_wan_to_fen(int64_t wan_hundredths, int64_t *fen)
{
	int64_t v;

	if (fen == NULL || __builtin_mul_overflow(wan_hundredths, BUDGET_FEN_PER_WAN / 100, &v))
		return JX_EINVAL;
	*fen = v;
	return JX_OK;
}

int
budget_fen_to_wan(int64_t fen, int64_t *wan_hundredths)
{
	int64_t v;
	s128 m = fen < 0 ? -(s128)fen : fen;

	if (wan_hundredths == NULL || budget_div_round(m, BUDGET_FEN_PER_WAN / 100, &v) != JX_OK)
		return JX_EINVAL;
	*wan_hundredths = fen < 0 ? -v : v;
	return JX_OK;
}

/* Sum of n signed amounts. Partial sums may leave int64 as long as the total does not. */
static int
budget_add(s128 start, const int64_t *amounts, size_t n, int64_t *out)
{
	s128 v = start;

	/* An array holds under 2^61 int64s, each below 2^63: v stays below 2^125. */
	for (size_t i = 0; i < n; i++)
		v += amounts[i];
	if (v < INT64_MIN || v > INT64_MAX)
		return JX_EINVAL;
	*out = (int64_t)v;
	return JX_OK;
}

int
budget_final(int64_t initial, int64_t carry_over, const int64_t *adjustments, size_t n,
    int64_t *final)
{
	int64_t v;

	if (final == NULL || initial < 0 || carry_over < 0 || (adjustments == NULL && n != 0))
		return JX_EINVAL;
	if (budget_add((s128)initial + carry_over, adjustments, n, &v) != JX_OK || v < 0)
		return JX_EINVAL;
	*final = v;
	return JX_OK;
}

int
budget_sum(const int64_t *amounts, size_t n, int64_t *sum)
{
	if (sum == NULL || (amounts == NULL && n != 0))
		return JX_EINVAL;
	return budget_add(0, amounts, n, sum);
}

int
budget_rate(int64_t spent, int64_t final, int64_t *rate)
{
	if (rate == NULL || spent < 0 || final <= 0)
		return JX_EINVAL;
	return budget_div_round((s128)spent * BUDGET_PCT, final, rate);
}

int
budget_rate_mean(const int64_t *rates, size_t n, int64_t *mean)
{
	s128 sum = 0;

	if (mean == NULL || rates == NULL || n == 0)
		return JX_EINVAL;
	/* An array holds under 2^61 int64s, each below 2^63: sum stays below 2^124. */
	for (size_t i = 0; i < n; i++) {
		if (rates[i] < 0)
			return JX_EINVAL;
		sum += rates[i];
	}
	return budget_div_round(sum, (s128)n, mean);
}
