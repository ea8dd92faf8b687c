"""Figures of kpi.charts_fairness: what is drawn equals the frame it is given,
worked out by hand, without Streamlit."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from kpi import charts_fairness
from kpi.charts import BAD, GOOD, MUTED
from kpi.stats import funnel_flags, funnel_limits, u_chart


def funnel_points() -> pd.DataFrame:
    """Three dealers around p0 = 0.5 (exact limits of Binomial(10, ½): [0.2, 0.8]):
    A 9 of 10 = 0.9 > 0.8 → above (better, higher is better); B 5 of 10 inside;
    C 1 of 10 = 0.1 < 0.2 → below (worse)."""
    flags = funnel_flags([9, 5, 1], [10, 10, 10], p0=0.5)
    flags.insert(0, "dealer_id", ["A", "B", "C"])
    flags["verdict_95"] = flags["funnel_95"].map({"above": "better", "below": "worse", "inside": "inside"})
    return flags


def traces_named(fig, name: str):
    return [t for t in fig.data if t.name == name]


def test_funnel_points_coloured_by_verdict() -> None:
    points = funnel_points()
    limits = funnel_limits(0.5, np.arange(1, 21))
    fig = charts_fairness.funnel_figure(points, limits, 0.5, "satisfied_rate", "en", labels=["A", "B", "C"])
    better, = traces_named(fig, "Better than expected")
    worse, = traces_named(fig, "Worse than expected")
    inside, = traces_named(fig, "Within limits")
    assert list(better.y) == [0.9] and better.marker.color == GOOD
    assert list(worse.y) == [0.1] and worse.marker.color == BAD
    assert list(inside.y) == [0.5] and inside.marker.color == MUTED
    assert "<b>A</b>" in better.customdata[0] and "9 / 10" in better.customdata[0]


def test_funnel_limits_drawn_as_given() -> None:
    """At n = 10 the 95 % limits are 0.2 and 0.8 (see funnel_points); the curve
    is drawn as steps from the frame, once per side and level."""
    limits = funnel_limits(0.5, np.arange(1, 21))
    fig = charts_fairness.funnel_figure(funnel_points(), limits, 0.5, "satisfied_rate", "zh")
    lines95 = traces_named(fig, "95% 控制限")
    assert len(lines95) == 2
    upper = dict(zip(lines95[0].x, lines95[0].y))
    lower = dict(zip(lines95[1].x, lines95[1].y))
    assert (upper[10], lower[10]) == (0.8, 0.2)
    assert fig.layout.shapes[0].y0 == 0.5  # the centre line
    assert "整体 50.0%" in fig.layout.annotations[0].text
    assert fig.layout.xaxis.title.text == "样本量（回访）"


def test_funnel_highlight_and_anonymous_labels() -> None:
    """A highlighted dealer is drawn on its own as a labelled diamond; without a
    label (None) the hover shows numbers only."""
    limits = funnel_limits(0.5, np.arange(1, 11))
    fig = charts_fairness.funnel_figure(funnel_points(), limits, 0.5, "complaint_rate", "zh",
                                        labels=[None, "乙店", None], highlight=[False, True, False])
    chosen = [t for t in fig.data if t.mode == "markers+text"]
    assert len(chosen) == 1 and list(chosen[0].text) == ["乙店"] and chosen[0].marker.symbol == "diamond"
    others = [t for t in fig.data if t.mode == "markers"]
    assert all("<b>" not in text for t in others for text in t.customdata)


def spc_frame() -> pd.DataFrame:
    """Four weeks of 100 ROs with 1, 0, 1, 10 complaints: ū = 12/400 = 0.03,
    σ = √(0.03/100) = 0.017321, ucl = 0.081962; week 4 (0.10) is above it."""
    periods = [date(2026, 6, 1) + timedelta(weeks=i) for i in range(4)]
    frame = pd.DataFrame({"period": periods, "complaint_count": [1, 0, 1, 10], "ro_count": [100] * 4})
    chart = u_chart(frame, count="complaint_count", exposure="ro_count")
    chart["chart"], chart["count"], chart["exposure"] = "rate", chart["complaint_count"], chart["ro_count"]
    chart["adverse"] = [tuple(s for s in sig if s == "above_ucl") for sig in chart["signals"]]
    chart["in_recent"] = [False, False, True, True]
    return chart


def test_spc_figure_marks_the_signal() -> None:
    fig = charts_fairness.spc_figure(spc_frame(), "en", grain="week")
    ucl, = traces_named(fig, "Upper control limit")
    assert ucl.y[0] == pytest.approx(0.081962, abs=1e-6)
    signal, = traces_named(fig, "Signal")
    assert list(signal.y) == [pytest.approx(0.10)]
    values, = traces_named(fig, "Complaints per RO")
    assert "Above the upper control limit" in values.customdata[3] and "10 / 100" in values.customdata[3]
    assert not traces_named(fig, "Lower control limit")  # every lcl is 0: not drawn
    assert fig.layout.shapes[0].fillcolor  # the alert window is shaded


def test_spc_figure_without_signal_has_no_marker() -> None:
    frame = spc_frame()
    frame["adverse"] = [()] * 4
    fig = charts_fairness.spc_figure(frame, "zh")
    assert not traces_named(fig, "预警点")


def test_target_trend_steps_and_band() -> None:
    """Target 0.80 in May (no band), 0.83 with band [0.80, 0.95] from June, none in
    April: the target trace is NaN where no target applies (the line stops), and
    the band is drawn only where both edges exist."""
    frame = pd.DataFrame({
        "period": [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)],
        "satisfied_rate": [0.78, 0.81, 0.86],
        "target": [np.nan, 0.80, 0.83], "lower": [np.nan, np.nan, 0.80], "upper": [np.nan, np.nan, 0.95],
    })
    fig = charts_fairness.target_trend_figure(frame, "satisfied_rate", "en", grain="month")
    target, = traces_named(fig, "Target")
    assert np.isnan(target.y[0]) and list(target.y[1:]) == [0.80, 0.83]
    band, = traces_named(fig, "Tolerance band")
    assert np.isnan(band.y[1]) and band.y[2] == 0.80
    actual, = traces_named(fig, "Actual")
    assert list(actual.y) == [0.78, 0.81, 0.86] and actual.customdata[2] == "86.0%"


def test_target_trend_says_when_no_target() -> None:
    frame = pd.DataFrame({"period": [date(2026, 6, 1)], "complaint_rate": [0.01], "target": [np.nan],
                          "lower": [np.nan], "upper": [np.nan]})
    fig = charts_fairness.target_trend_figure(frame, "complaint_rate", "zh")
    assert not traces_named(fig, "目标")
    assert fig.layout.yaxis.title.text.endswith("（未设目标）")
