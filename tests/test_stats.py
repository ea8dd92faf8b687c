"""Statistics for fair comparison and early warning. Expected numbers are worked
out by hand in each test's docstring or comment, not taken from the code."""
from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from kpi.stats import (
    METHOD_NOTES,
    SPC_RULES,
    assign_peer_groups,
    c_chart,
    fit_beta_binomial_prior,
    funnel_flags,
    funnel_limits,
    p_chart,
    pooled_rate,
    project_count,
    project_rate,
    rank_rates,
    shrink_rates,
    u_chart,
    volume_classes,
    wilson_interval,
    z_for_confidence,
)

Z95 = 1.959963984540054


# ---------------------------------------------------------------------------
# Wilson
# ---------------------------------------------------------------------------


def test_z_for_confidence():
    assert z_for_confidence(0.95) == pytest.approx(Z95, abs=1e-15)
    assert z_for_confidence(0.998) == pytest.approx(3.090232306167813, abs=1e-12)
    with pytest.raises(ValueError):
        z_for_confidence(1.0)


def test_wilson_87_of_95():
    """p̂ = 0.915789, z²/n = 0.040436; centre = 0.936008/1.040436 = 0.899630;
    half = 1.959964/1.040436 × √(0.000811780 + 0.000106412) = 0.057082."""
    lower, upper = wilson_interval(87, 95)
    assert isinstance(lower, float)
    assert lower == pytest.approx(0.842548, abs=1e-6)
    assert upper == pytest.approx(0.956712, abs=1e-6)


def test_wilson_at_zero_and_at_all():
    """k = 0: p̂ = 0, so centre = half = (z²/2n)/(1 + z²/n) and the interval is
    [0, (z²/n)/(1 + z²/n)] = [0, 0.3841459/1.3841459] = [0, 0.277533] for n = 10.
    k = n = 12: lower = 1/(1 + z²/12) = 12/15.841459 = 0.757506, upper = 1."""
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.277533), abs=1e-6)
    assert wilson_interval(12, 12) == pytest.approx((0.757506, 1.0), abs=1e-6)


def test_wilson_vectorised_series_keeps_index_and_n0_is_nan():
    k = pd.Series([87, 0, 3, None], index=["D1", "D2", "D3", "D4"], dtype="Int64")
    n = pd.Series([95, 0, 3, 10], index=k.index)
    lower, upper = wilson_interval(k, n)
    assert lower.index.tolist() == ["D1", "D2", "D3", "D4"]
    assert lower["D1"] == pytest.approx(0.842548, abs=1e-6)
    assert math.isnan(lower["D2"]) and math.isnan(upper["D2"])  # n = 0
    assert math.isnan(lower["D4"])  # unknown count
    assert upper["D3"] == 1.0
    arr_lower, _ = wilson_interval(np.array([87, 1]), np.array([95, 2]))
    assert isinstance(arr_lower, np.ndarray) and arr_lower.shape == (2,)
    empty_lower, empty_upper = wilson_interval(np.array([]), np.array([]))
    assert empty_lower.shape == (0,)


def test_wilson_wider_at_higher_confidence_and_narrower_with_more_data():
    low95, high95 = wilson_interval(87, 95)
    low998, high998 = wilson_interval(87, 95, confidence=0.998)
    assert low998 < low95 and high998 > high95
    low_big, high_big = wilson_interval(870, 950)
    assert high_big - low_big < high95 - low95


def test_wilson_refuses_impossible_counts():
    with pytest.raises(ValueError, match="larger"):
        wilson_interval(11, 10)
    with pytest.raises(ValueError, match="negative"):
        wilson_interval(-1, 10)
    with pytest.raises(ValueError, match="negative"):
        wilson_interval(0, -1)


def test_wilson_matches_scipy():
    """An independent implementation: scipy's binomtest Wilson interval."""
    from scipy import stats

    for k, n in [(87, 95), (0, 7), (12, 12), (1, 1000)]:
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson_interval(k, n) == pytest.approx((ci.low, ci.high), abs=1e-12)


# ---------------------------------------------------------------------------
# Funnel
# ---------------------------------------------------------------------------


def test_funnel_exact_limits_binomial_10_half():
    """Binomial(10, ½) CDF ×1024: 1, 11, 56, 176, 386, 638, 848, 968, 1013, 1023, 1024.
    95 %: F(1) = 0.0107 < 0.025 ≤ F(2) → 2/10; F(7) = 0.9453 < 0.975 ≤ F(8) → 8/10.
    99.8 %: F(0) = 0.00098 < 0.001 ≤ F(1) → 1/10; F(8) = 0.9893 < 0.999 ≤ F(9) = 0.99902 → 9/10."""
    limits = funnel_limits(0.5, [10]).iloc[0]
    assert (limits["lower_95"], limits["upper_95"]) == pytest.approx((0.2, 0.8))
    assert (limits["lower_99_8"], limits["upper_99_8"]) == pytest.approx((0.1, 0.9))


def test_funnel_normal_limits_and_clipping():
    """0.5 ± 1.959964·√(0.25/10) = 0.5 ± 0.309898. p0 = 0.92, n = 12:
    √(0.0736/12) = 0.078316, × 1.959964 = 0.153496 → [0.766504, 1.073496 → 1]."""
    limits = funnel_limits(0.5, [10], method="normal").iloc[0]
    assert (limits["lower_95"], limits["upper_95"]) == pytest.approx((0.190102, 0.809898), abs=1e-6)
    near_one = funnel_limits(0.92, [12], levels=[0.95], method="normal").iloc[0]
    assert near_one["lower_95"] == pytest.approx(0.766504, abs=1e-6)
    assert near_one["upper_95"] == 1.0
    assert list(near_one.index) == ["n", "p0", "lower_95", "upper_95"]


def test_funnel_limits_narrow_with_volume_and_n0_is_nan():
    limits = funnel_limits(0.3, [0, 10, 100, 1000])
    assert limits["lower_95"].isna().iloc[0] and limits["upper_99_8"].isna().iloc[0]
    widths = (limits["upper_95"] - limits["lower_95"]).iloc[1:].to_numpy()
    assert widths[0] > widths[1] > widths[2]
    assert (limits["upper_99_8"] >= limits["upper_95"]).iloc[1:].all()


def test_funnel_limits_degenerate_rates():
    for p0 in (0.0, 1.0):
        limits = funnel_limits(p0, [5, 50]).iloc[:, 2:]
        assert (limits == p0).all().all()
    with pytest.raises(ValueError):
        funnel_limits(1.2, [5])
    with pytest.raises(ValueError):
        funnel_limits(0.5, [10], method="poisson")


def test_funnel_flags_worked_example():
    """p0 = 0.5, n = 10: 9/10 = 0.9 > 0.8 → above 95 %, = 0.9 → inside 99.8 %;
    1/10 below 95 % (0.1 < 0.2), on the 99.8 % limit → inside; 5/10 inside; 0/0 none."""
    flags = funnel_flags([9, 1, 5, 0], [10, 10, 10, 0], p0=0.5)
    assert flags["funnel_95"].iloc[:3].tolist() == ["above", "below", "inside"]
    assert flags["funnel_99_8"].iloc[:3].tolist() == ["inside", "inside", "inside"]
    assert pd.isna(flags["funnel_95"].iloc[3]) and pd.isna(flags["funnel_99_8"].iloc[3])
    assert flags["rate"].iloc[0] == pytest.approx(0.9) and math.isnan(flags["rate"].iloc[3])


def test_funnel_small_perfect_dealer_is_not_flagged():
    """12/12 at p0 = 0.92 happens with probability 0.92¹² = 0.368: no outlier."""
    for method in ("exact", "normal"):
        assert funnel_flags([12], [12], p0=0.92, method=method)["funnel_95"].iloc[0] == "inside"


def test_funnel_exact_flags_are_the_exact_binomial_tail_test():
    """above at 95 % ⇔ P(R ≥ k) ≤ 0.025, below ⇔ P(R ≤ k) < 0.025, with the tail
    probabilities summed independently from math.comb."""
    p0 = 0.3
    ks, ns = zip(*[(k, n) for n in range(1, 41) for k in range(n + 1)])
    flags = funnel_flags(list(ks), list(ns), p0=p0, levels=[0.95])["funnel_95"].tolist()
    for k, n, flag in zip(ks, ns, flags):
        pmf = [math.comb(n, r) * p0**r * (1 - p0) ** (n - r) for r in range(n + 1)]
        upper_tail, lower_tail = sum(pmf[k:]), sum(pmf[: k + 1])
        expected = "above" if upper_tail <= 0.025 else "below" if lower_tail < 0.025 else "inside"
        assert flag == expected, (k, n)


def test_funnel_p0_defaults_to_the_pooled_rate_and_index_is_kept():
    k = pd.Series([30, 10, 20], index=["a", "b", "c"])
    n = pd.Series([100, 100, 100], index=k.index)
    assert pooled_rate(k, n) == pytest.approx(0.2)
    flags = funnel_flags(k, n)
    assert flags.index.tolist() == ["a", "b", "c"]
    assert flags["p0"].to_numpy() == pytest.approx([0.2] * 3)
    assert math.isnan(pooled_rate([0], [0]))


def test_funnel_exact_handles_large_n_near_one():
    """(1 − 0.92)^n underflows for n in the thousands; the log-space CDF does not.
    Normal limits at n = 100000: 0.92 ± 1.959964·√(0.0736/1e5) = 0.92 ± 0.001681."""
    limits = funnel_limits(0.92, [100_000]).iloc[0]
    assert limits["lower_95"] == pytest.approx(0.918319, abs=2e-5)
    assert limits["upper_95"] == pytest.approx(0.921681, abs=2e-5)


# ---------------------------------------------------------------------------
# Shrinkage and ranking
# ---------------------------------------------------------------------------

THREE_K, THREE_N = [6, 32, 42], [10, 40, 50]


def test_prior_three_dealers_method_of_moments():
    """N = 100, μ̂ = 0.8; S = 10·0.04 + 0 + 50·0.0016 = 0.48; S/0.16 = 3;
    Σn²/N = 42; ρ̂ = (3 − 2)/(100 − 42 − 2) = 1/56; α+β = 55; α = 44, β = 11."""
    prior = fit_beta_binomial_prior(THREE_K, THREE_N)
    assert prior.mean == pytest.approx(0.8)
    assert prior.rho == pytest.approx(1 / 56)
    assert prior.strength == pytest.approx(55)
    assert (prior.alpha, prior.beta) == pytest.approx((44, 11))
    assert prior.dealers == 3


def test_shrunk_rates_three_dealers():
    """(6+44)/65 = 0.769231, (32+44)/95 = 0.8, (42+44)/105 = 0.819048."""
    shrunk = shrink_rates(THREE_K, THREE_N)
    assert shrunk == pytest.approx([50 / 65, 0.8, 86 / 105])
    # Each shrunk rate lies between its raw rate and the mean; the smallest dealer moves most.
    raw = np.array(THREE_K) / np.array(THREE_N)
    assert np.all(np.abs(shrunk - 0.8) <= np.abs(raw - 0.8) + 1e-12)
    assert abs(shrunk[0] - raw[0]) > abs(shrunk[2] - raw[2])


def test_shrinkage_n0_dealer_gets_nan_and_takes_no_part_in_the_fit():
    k = pd.Series(THREE_K + [0], index=["A", "B", "C", "new"])
    n = pd.Series(THREE_N + [0], index=k.index)
    shrunk = shrink_rates(k, n)
    assert shrunk.index.tolist() == ["A", "B", "C", "new"]
    assert math.isnan(shrunk["new"])
    assert shrunk[["A", "B", "C"]].to_numpy() == pytest.approx([50 / 65, 0.8, 86 / 105])


def test_shrinkage_all_rates_equal_pools_fully():
    """Rates 0.5, 0.5, 0.5: S = 0, ρ̂ = −2/… < 0 → α+β = ∞, everyone 0.5."""
    prior = fit_beta_binomial_prior([5, 10, 20], [10, 20, 40])
    assert math.isinf(prior.strength) and prior.rho == 0.0
    assert shrink_rates([5, 10, 20], [10, 20, 40]) == pytest.approx([0.5, 0.5, 0.5])


def test_shrinkage_spread_no_wider_than_chance_pools_fully():
    """12/12 and 190/200: μ̂ = 202/212 = 0.952830; S = 12·0.047170² + 200·0.002830²
    = 0.026700 + 0.001602 = 0.028302; S/(μ̂(1−μ̂)) = 0.028302/0.044944 = 0.6297 < m − 1 = 1,
    so ρ̂ < 0: both get 0.952830."""
    assert shrink_rates([12, 190], [12, 200]) == pytest.approx([202 / 212] * 2)


def test_shrinkage_single_dealer_keeps_its_rate():
    assert shrink_rates(3, 4) == pytest.approx(0.75)
    assert math.isinf(fit_beta_binomial_prior([3], [4]).strength)


def test_shrinkage_zero_variance_at_zero_and_all_n_one():
    """All rates 0: μ̂(1−μ̂) = 0 → 0. All n = 1: N − Σn²/N − (m−1) = 3 − 1 − 2 = 0,
    ρ cannot be estimated → pooled 2/3."""
    assert shrink_rates([0, 0], [5, 10]) == pytest.approx([0.0, 0.0])
    assert shrink_rates([0, 1, 1], [1, 1, 1]) == pytest.approx([2 / 3] * 3)


def test_shrinkage_extreme_spread_means_no_shrinkage():
    """0/10 and 10/10: μ̂ = 0.5, S = 10·0.25·2 = 5, S/0.25 = 20; denominator
    20 − 200/20 − 1 = 9; ρ̂ = 19/9 ≥ 1 → α+β = 0: raw rates."""
    prior = fit_beta_binomial_prior([0, 10], [10, 10])
    assert prior.strength == 0.0 and prior.rho == 1.0
    assert shrink_rates([0, 10], [10, 10]) == pytest.approx([0.0, 1.0])


def test_shrinkage_no_data():
    prior = fit_beta_binomial_prior([], [])
    assert prior.dealers == 0 and math.isnan(prior.mean)
    assert shrink_rates(np.array([]), np.array([])).shape == (0,)
    assert np.isnan(shrink_rates([0, 0], [0, 0])).all()


def test_shrinkage_with_a_given_prior():
    """Shrink one dealer towards a network prior Beta(44, 11): (1 + 44)/(2 + 55) = 45/57."""
    prior = fit_beta_binomial_prior(THREE_K, THREE_N)
    assert shrink_rates(1, 2, prior=prior) == pytest.approx(45 / 57)


def test_rank_by_wilson_does_not_reward_a_small_perfect_score():
    """Raw: A 12/12 = 1.0 beats B 190/200 = 0.95. Wilson lower: A 0.757506, B 0.910422."""
    table = rank_rates(pd.Series([12, 190], index=["A", "B"]), pd.Series([12, 200], index=["A", "B"]),
                       higher_is_better=True)
    assert table.loc["A", "wilson_lower"] == pytest.approx(0.757506, abs=1e-6)
    assert table.loc["B", "wilson_lower"] == pytest.approx(0.910422, abs=1e-6)
    assert table["rank"].tolist() == [2, 1]
    assert table["score"].tolist() == table["wilson_lower"].tolist()


def test_rank_lower_is_better_uses_the_upper_bound_ascending():
    """Complaint rates: A 0/5 (raw 0 %, Wilson upper = (z²/5)/(1 + z²/5) = 0.768292/1.768292
    = 0.434482) vs B 2/200 (1 %, upper well under 5 %): B ranks first."""
    table = rank_rates([0, 2], [5, 200], higher_is_better=False)
    assert table["wilson_upper"].iloc[0] == pytest.approx(0.434482, abs=1e-6)
    assert table["wilson_upper"].iloc[1] < 0.05
    assert table["rank"].tolist() == [2, 1]


def test_rank_by_shrunk_rate_both_directions():
    """Shrunk 0.769, 0.8, 0.819 (see the prior test)."""
    higher = rank_rates(THREE_K, THREE_N, higher_is_better=True, by="shrunk")
    assert higher["rank"].tolist() == [3, 2, 1]
    assert higher["score"].to_numpy() == pytest.approx([50 / 65, 0.8, 86 / 105])
    lower = rank_rates(THREE_K, THREE_N, higher_is_better=False, by="shrunk")
    assert lower["rank"].tolist() == [1, 2, 3]


def test_rank_ties_share_the_better_rank_and_no_data_has_no_rank():
    table = rank_rates([9, 9, 5, 0], [10, 10, 10, 0], higher_is_better=True)
    assert table["rank"].iloc[:3].tolist() == [1, 1, 3]
    assert pd.isna(table["rank"].iloc[3])
    assert str(table["rank"].dtype) == "Int64"
    with pytest.raises(ValueError):
        rank_rates([1], [2], higher_is_better=True, by="raw")


# ---------------------------------------------------------------------------
# SPC
# ---------------------------------------------------------------------------


def test_p_chart_worked_example():
    """n = (40, 50, 60, 50), k = (2, 3, 3, 12): p̄ = 20/200 = 0.1;
    ucl = 0.1 + 3√(0.09/n): 0.242302, 0.227279, 0.216190, 0.227279; lcl < 0 → 0.
    0.24 at n = 50 is above 0.227279 (it would be inside at n = 40)."""
    frame = pd.DataFrame({"week": pd.date_range("2024-06-03", periods=4, freq="W-MON"),
                          "complaints": [2, 3, 3, 12], "ros": [40, 50, 60, 50]})
    chart = p_chart(frame, numerator="complaints", denominator="ros")
    assert chart["week"].equals(frame["week"])
    assert chart["centre"].tolist() == pytest.approx([0.1] * 4)
    assert chart["ucl"].to_numpy() == pytest.approx([0.242302, 0.227279, 0.216190, 0.227279], abs=1e-6)
    assert chart["lcl"].tolist() == [0.0] * 4
    assert chart["value"].tolist() == pytest.approx([0.05, 0.06, 0.05, 0.24])
    assert chart["flag_above_ucl"].tolist() == [False, False, False, True]
    assert chart["signals"].tolist() == [(), (), (), ("above_ucl",)]
    # z = (0.24 − 0.1)/0.042426 = 3.299832
    assert chart["z_score"].iloc[3] == pytest.approx(3.299832, abs=1e-6)


def test_p_chart_lower_limit_and_upper_clip():
    """p̄ = 0.5: at n = 100, lcl = 0.5 − 3·0.05 = 0.35, so 30/100 is below_lcl;
    at n = 1, ucl = 0.5 + 1.5 → clipped to 1."""
    frame = pd.DataFrame({"k": [30, 70, 1, 0], "n": [100, 100, 1, 1]})
    chart = p_chart(frame, numerator="k", denominator="n", centre=0.5)
    assert chart["lcl"].iloc[0] == pytest.approx(0.35)
    assert chart["flag_below_lcl"].iloc[0] and chart["flag_above_ucl"].iloc[1]
    assert chart["ucl"].iloc[2] == 1.0 and not chart["flag_above_ucl"].iloc[2]


def test_p_chart_refuses_more_events_than_units():
    with pytest.raises(ValueError, match="u-chart"):
        p_chart(pd.DataFrame({"k": [3], "n": [2]}), numerator="k", denominator="n")


def test_u_chart_worked_example():
    """c = (1, 0, 1, 10), n = 100 each: ū = 12/400 = 0.03; ucl = 0.03 + 3√0.0003
    = 0.03 + 0.051962 = 0.081962; 0.10 is above."""
    chart = u_chart(pd.DataFrame({"c": [1, 0, 1, 10], "ros": [100] * 4}), count="c", exposure="ros")
    assert chart["centre"].iloc[0] == pytest.approx(0.03)
    assert chart["ucl"].iloc[0] == pytest.approx(0.081962, abs=1e-6)
    assert chart["lcl"].iloc[0] == 0.0
    assert chart["flag_above_ucl"].tolist() == [False, False, False, True]


def test_c_chart_worked_example():
    """c = (4, 6, 5, 5): c̄ = 5, ucl = 5 + 3√5 = 11.708204, lcl → 0."""
    chart = c_chart(pd.DataFrame({"c": [4, 6, 5, 5]}), count="c")
    assert chart["centre"].iloc[0] == 5.0
    assert chart["ucl"].iloc[0] == pytest.approx(11.708204, abs=1e-6)
    assert chart["lcl"].iloc[0] == 0.0
    assert not chart["signals"].map(bool).any()


def test_run_of_eight_above_flags_the_eighth_point_and_after():
    """Centre 5: points 2..10 (9 points of 6 or 9) are above; the 8th of them is
    row index 8, so rows 8 and 9 are flagged; 4 ends the run."""
    counts = [1, 9, 6, 6, 6, 6, 6, 6, 6, 6, 4]
    chart = c_chart(pd.DataFrame({"c": counts}), count="c", centre=5)
    assert chart.index[chart["flag_run_above"]].tolist() == [8, 9]
    assert chart["signals"].iloc[8] == ("run_above",)


def test_run_of_seven_is_not_a_signal_and_centre_line_points_break_runs():
    seven = c_chart(pd.DataFrame({"c": [6] * 7 + [4]}), count="c", centre=5)
    assert not seven["flag_run_above"].any()
    broken = c_chart(pd.DataFrame({"c": [4] * 4 + [5] + [4] * 4}), count="c", centre=5)
    assert not broken["flag_run_below"].any()
    below = c_chart(pd.DataFrame({"c": [4] * 8}), count="c", centre=5)
    assert below["flag_run_below"].tolist() == [False] * 7 + [True]


def test_trend_of_six_rising_and_falling():
    """1..6 rising: five steps up, the sixth point is flagged; 1..5 is not; a tie breaks it."""
    rising = c_chart(pd.DataFrame({"c": [1, 2, 3, 4, 5, 6]}), count="c", centre=3.5)
    assert rising["flag_trend_up"].tolist() == [False] * 5 + [True]
    five = c_chart(pd.DataFrame({"c": [1, 2, 3, 4, 5]}), count="c", centre=3)
    assert not five["flag_trend_up"].any()
    tie = c_chart(pd.DataFrame({"c": [1, 2, 3, 3, 4, 5, 6]}), count="c", centre=3)
    assert not tie["flag_trend_up"].any()
    falling = c_chart(pd.DataFrame({"c": [9, 8, 7, 6, 5, 4, 3]}), count="c", centre=6)
    assert falling["flag_trend_down"].tolist() == [False] * 5 + [True, True]


def test_a_period_without_volume_has_no_value_and_breaks_runs():
    k = [1] * 4 + [0] + [1] * 4
    n = [5] * 4 + [0] + [5] * 4
    chart = p_chart(pd.DataFrame({"k": k, "n": n}), numerator="k", denominator="n", centre=0.1)
    assert math.isnan(chart["value"].iloc[4]) and math.isnan(chart["ucl"].iloc[4])
    assert chart["signals"].iloc[4] == ()
    assert not chart["flag_run_above"].any()  # eight points at 0.2, but not in a row


def test_charts_per_dealer_with_by_keep_order_and_do_not_mix_series():
    """D1: c = (1, 3) over n = 10 → p̄ = 0.2; D2: (8, 2) over 10 → 0.5, interleaved rows."""
    frame = pd.DataFrame({"dealer_id": ["D1", "D2", "D1", "D2"], "k": [1, 8, 3, 2], "n": [10] * 4},
                         index=[10, 11, 12, 13])
    chart = p_chart(frame, numerator="k", denominator="n", by="dealer_id")
    assert chart.index.tolist() == [10, 11, 12, 13]
    assert chart["centre"].tolist() == pytest.approx([0.2, 0.5, 0.2, 0.5])
    many = pd.DataFrame({"dealer_id": ["A"] * 4 + ["B"] * 4, "c": [6] * 8})
    run = c_chart(many, count="c", by="dealer_id", centre=5)
    assert not run["flag_run_above"].any()  # 4 + 4 points, never 8 in one series


def test_baseline_rows_set_the_centre():
    """Centre from the first three weeks only: 3/100 each → 0.03; the fourth week's
    10/100 does not move it (pooled over all four it would be 0.0475)."""
    frame = pd.DataFrame({"k": [3, 3, 3, 10], "n": [100] * 4, "base": [True, True, True, False]})
    chart = p_chart(frame, numerator="k", denominator="n", baseline="base")
    assert chart["centre"].iloc[0] == pytest.approx(0.03)
    # ucl = 0.03 + 3√(0.03·0.97/100) = 0.03 + 0.051176 = 0.081176 < 0.10
    assert chart["ucl"].iloc[3] == pytest.approx(0.081176, abs=1e-6)
    assert chart["flag_above_ucl"].iloc[3]


def test_empty_frame_gives_empty_chart_with_all_columns():
    chart = p_chart(pd.DataFrame({"k": [], "n": []}), numerator="k", denominator="n")
    assert chart.empty
    for column in ("value", "centre", "lcl", "ucl", "z_score", "signals", *[f"flag_{r}" for r in SPC_RULES]):
        assert column in chart.columns


def test_rule_ids_have_both_languages():
    assert set(SPC_RULES) == {"above_ucl", "below_lcl", "run_above", "run_below", "trend_up", "trend_down"}
    assert all(label["zh"] and label["en"] for label in SPC_RULES.values())


# ---------------------------------------------------------------------------
# Projection
# ---------------------------------------------------------------------------


def test_project_count_linear_pace():
    """14 complaints through 10 June: 14 × 30/10 = 42 > 36 (lower is better) → off track."""
    projection = project_count(14, date(2024, 6, 10), target=36, higher_is_better=False)
    assert projection.value == pytest.approx(42)
    assert (projection.days_elapsed, projection.days_in_month) == (10, 30)
    assert projection.on_track is False and projection.status == "red"
    assert projection.gap_to_target == 22
    with_band = project_count(14, date(2024, 6, 10), target=36, upper=45, higher_is_better=False)
    assert with_band.status == "amber"


def test_project_count_higher_is_better_on_a_leap_february():
    """600 ROs through 10 Feb 2024 (29 days): 600 × 29/10 = 1740 ≥ 1700 → on track."""
    projection = project_count(600, date(2024, 2, 10), target=1700, higher_is_better=True)
    assert projection.value == pytest.approx(1740)
    assert projection.on_track is True and projection.status == "green"


def test_project_count_weekday_weighted():
    """June 2024 starts on a Saturday. Weights Mon–Fri 1, Sat 0.5, Sun 0. Days 1–10:
    Sat, Sun, Mon–Fri, Sat, Sun, Mon = 0.5 + 0 + 5 + 0.5 + 0 + 1 = 7; the month:
    20 weekdays + 5 Saturdays × 0.5 = 22.5; 14 × 22.5/7 = 45."""
    weights = [1, 1, 1, 1, 1, 0.5, 0]
    projection = project_count(14, date(2024, 6, 10), higher_is_better=False, weekday_weights=weights)
    assert projection.value == pytest.approx(45)
    # Equal weights are the linear pace.
    assert project_count(14, date(2024, 6, 10), higher_is_better=False,
                         weekday_weights=[1] * 7).value == pytest.approx(42)


def test_project_count_edges():
    # Through day 1: 2 × 30/1.
    assert project_count(2, date(2024, 6, 1), higher_is_better=False).value == 60
    # Through Sunday 2 June with weekends weighted 0: no weighted day yet, no projection.
    nothing = project_count(0, date(2024, 6, 2), target=5, higher_is_better=False,
                            weekday_weights=[1, 1, 1, 1, 1, 0, 0])
    assert math.isnan(nothing.value) and nothing.on_track is None and nothing.status is None
    no_target = project_count(14, date(2024, 6, 10), higher_is_better=False)
    assert no_target.on_track is None and no_target.status is None and no_target.gap_to_target is None
    with pytest.raises(ValueError):
        project_count(1, date(2024, 6, 10), higher_is_better=False, weekday_weights=[1, 1])


def test_project_rate_too_early_to_call():
    """87/95 = 0.915789 < 0.92 → not on track, but the Wilson interval
    [0.842548, 0.956712] contains 0.92 → not decided."""
    projection = project_rate(87, 95, date(2024, 6, 20), target=0.92, lower=0.88, higher_is_better=True)
    assert projection.value == pytest.approx(87 / 95)
    assert (projection.lower, projection.upper) == pytest.approx((0.842548, 0.956712), abs=1e-6)
    assert projection.on_track is False and projection.decided is False
    assert projection.status == "amber"


def test_project_rate_decided():
    """190/200 = 0.95 vs target 0.90: Wilson lower 0.910422 > 0.90 → decided, on track."""
    projection = project_rate(190, 200, date(2024, 6, 20), target=0.90, higher_is_better=True)
    assert projection.on_track is True and projection.decided is True and projection.status == "green"
    # Lower is better: a complaint rate of 2/200 vs target 0.05, upper bound under 0.05.
    complaints = project_rate(2, 200, date(2024, 6, 20), target=0.05, higher_is_better=False)
    assert complaints.on_track is True and complaints.decided is True


def test_project_rate_without_cases_or_target():
    empty = project_rate(0, 0, date(2024, 6, 20), target=0.92, higher_is_better=True)
    assert math.isnan(empty.value) and empty.on_track is None and empty.lower is None
    no_target = project_rate(87, 95, date(2024, 6, 20), target=float("nan"), higher_is_better=True)
    assert no_target.target is None and no_target.on_track is None and no_target.decided is None


# ---------------------------------------------------------------------------
# Peer groups
# ---------------------------------------------------------------------------


def test_volume_classes_terciles():
    """100..600: q1 = 266.67, q2 = 433.33 → 2 small, 2 medium, 2 large."""
    assert volume_classes([100, 200, 300, 400, 500, 600]).tolist() == [
        "small", "small", "medium", "medium", "large", "large"]


def test_volume_classes_edges():
    assert volume_classes([50]).tolist() == ["medium"]
    assert volume_classes([50, 50, 50]).tolist() == ["medium"] * 3
    assert volume_classes([]).tolist() == []
    assert volume_classes([10, None, 30]).tolist() == ["small", None, "large"]
    with pytest.raises(ValueError):
        volume_classes([-1, 2])


def test_assign_peer_groups():
    """Volumes 100..500: q1 = 233.3, q2 = 366.7 → A, B small; C medium; D, E large."""
    dealers = pd.DataFrame({
        "dealer_id": ["A", "B", "C", "D", "E", "F"],
        "dealer_type": ["4S", "4S", "chain", "4S", "4S", "chain"],
        "monthly_ro_volume": [100, 200, 300, 400, 500, None],
    }).set_index("dealer_id")
    groups = assign_peer_groups(dealers)
    assert groups.index.tolist() == list("ABCDEF")
    assert groups["peer_group"].tolist()[:5] == ["4S/small", "4S/small", "chain/medium", "4S/large", "4S/large"]
    assert groups["peer_group"].iloc[5] is None
    assert groups["peer_group_size"].tolist()[:5] == [2, 2, 1, 2, 2]
    assert pd.isna(groups["peer_group_size"].iloc[5])


# ---------------------------------------------------------------------------
# Notes for the Definitions page
# ---------------------------------------------------------------------------


def test_method_notes_cover_every_method_in_both_languages():
    expected = {"wilson", "funnel", "shrinkage", "ranking", "spc", "run_rules", "projection", "rag", "peer_groups"}
    assert set(METHOD_NOTES) == expected
    for note in METHOD_NOTES.values():
        assert len(note["en"]) > 80 and len(note["zh"]) > 40
        assert any("\u4e00" <= ch <= "\u9fff" for ch in note["zh"])


def test_funnel_exact_limits_for_a_large_denominator_match_a_full_sum():
    """n = 2000, p0 = 0.9: the limits use only r within 12 sd of the mean; a plain
    sum of the pmf over every r (log-gamma, pure Python) must give the same quantiles."""
    n, p0 = 2000, 0.9
    log_pmf = [math.lgamma(n + 1) - math.lgamma(r + 1) - math.lgamma(n - r + 1)
               + r * math.log(p0) + (n - r) * math.log(1 - p0) for r in range(n + 1)]
    cdf = np.cumsum(np.exp(log_pmf))

    def quantile(probability):
        return int(np.argmax(cdf >= probability))

    limits = funnel_limits(p0, [n]).iloc[0]
    assert limits["lower_95"] * n == quantile(0.025)
    assert limits["upper_95"] * n == quantile(0.975)
    assert limits["lower_99_8"] * n == quantile(0.001)
    assert limits["upper_99_8"] * n == quantile(0.999)
