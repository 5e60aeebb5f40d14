"""The trend test behind early warnings, checked against hand-computed values."""

from __future__ import annotations

import math

from attain.analytics.trends import DECLINING, FLAT, GROWING, mann_kendall


def test_strictly_falling_series_is_declining_with_exact_statistics():
    # 8 points strictly falling: S = −(8·7/2) = −28; Var(S) = 8·7·21/18 = 65.333…;
    # Z = (−28 + 1) / √65.333… = −27 / 8.08290 = −3.3404; p = 2·(1 − Φ(3.3404)) = 0.0008.
    result = mann_kendall([100, 95, 90, 85, 80, 75, 70, 65])
    assert result is not None
    assert result.s == -28
    assert result.z == round(-27 / math.sqrt(8 * 7 * 21 / 18), 4) == -3.3404
    assert result.p_value == 0.0008
    assert result.sen_slope == -5.0
    assert result.verdict == DECLINING


def test_constant_series_is_flat():
    result = mann_kendall([50, 50, 50, 50, 50, 50])
    assert result is not None
    assert (result.s, result.z, result.p_value, result.verdict) == (0, 0.0, 1.0, FLAT)


def test_rising_series_is_growing():
    result = mann_kendall([10, 12, 15, 14, 18, 21, 25, 24, 30])
    assert result is not None and result.verdict == GROWING and result.s > 0


def test_noisy_series_without_trend_is_flat():
    result = mann_kendall([100, 80, 110, 90, 105, 85, 100, 95])
    assert result is not None
    assert result.p_value > 0.05
    assert result.verdict == FLAT


def test_ties_reduce_the_variance():
    # x = [1, 2, 2, 3]: pairs give S = 5 − 0 = 5 (one tie); ties t=2 → Var = (4·3·13 − 2·1·9)/18 = 7.6667
    result = mann_kendall([1, 2, 2, 3])
    assert result is not None
    assert result.s == 5
    assert result.z == round(4 / math.sqrt((4 * 3 * 13 - 2 * 1 * 9) / 18), 4)


def test_too_short_series_gives_no_verdict():
    assert mann_kendall([1, 2, 3]) is None
