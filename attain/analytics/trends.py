"""Early warning: is a sales series flat or declining? A Mann–Kendall trend test with Sen's slope.

The Mann–Kendall test is rank-based (no assumption of normality, robust to one big order), so it
suits weekly sales. S counts, over all pairs i < j, sign(x_j − x_i); its variance under "no trend"
is n(n−1)(2n+5)/18 minus a correction for ties; Z = (S − sign(S)) / √Var(S); the two-sided p-value
comes from the normal distribution. Sen's slope is the median of all pairwise slopes.

Verdicts: "declining" when Z < 0 and p < alpha; "growing" when Z > 0 and p < alpha; "flat" when no
trend is significant and the series is not rising by at least `flat_tolerance` of its mean per
period (a team whose sales are merely flat while its goal grows needs attention too).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from statistics import median

DECLINING = "declining"
FLAT = "flat"
GROWING = "growing"


@dataclass(frozen=True)
class TrendResult:
    n: int
    s: int
    z: float
    p_value: float
    sen_slope: float  # change per period, in the series' unit
    mean: float
    verdict: str  # declining | flat | growing

    @property
    def slope_share(self) -> float:
        """Sen's slope as a share of the mean level (e.g. −0.05 = falling 5 % of the mean per period)."""
        return self.sen_slope / self.mean if self.mean else 0.0


@cache
def _pairs(n: int) -> tuple[tuple[int, int], ...]:
    """Every (i, j) with i < j < n (a dashboard tests thousands of series of the same length)."""
    return tuple((i, j) for i in range(n - 1) for j in range(i + 1, n))


def _normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def mann_kendall(
    values: Sequence[Decimal | float | int], *, alpha: float = 0.05, flat_tolerance: float = 0.01
) -> TrendResult | None:
    """Test a series (oldest first); None when there are fewer than 4 points."""
    xs = [float(v) for v in values]
    n = len(xs)
    if n < 4:
        return None
    pairs = _pairs(n)
    diffs = [xs[j] - xs[i] for i, j in pairs]
    s = sum(1 for d in diffs if d > 0) - sum(1 for d in diffs if d < 0)
    slopes = [d / (j - i) for d, (i, j) in zip(diffs, pairs, strict=True)]
    ties = Counter(xs).values()
    var_s = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18.0
    if var_s <= 0:
        z = 0.0
    elif s > 0:
        z = (s - 1) / math.sqrt(var_s)
    elif s < 0:
        z = (s + 1) / math.sqrt(var_s)
    else:
        z = 0.0
    p_value = 2.0 * (1.0 - _normal_cdf(abs(z)))
    slope = median(slopes)
    mean = sum(xs) / n
    if p_value < alpha and z < 0:
        verdict = DECLINING
    elif (p_value < alpha and z > 0) or (mean and slope / mean >= flat_tolerance):
        verdict = GROWING
    else:
        verdict = FLAT
    return TrendResult(
        n=n,
        s=s,
        z=round(z, 4),
        p_value=round(p_value, 4),
        sen_slope=slope,
        mean=mean,
        verdict=verdict,
    )
