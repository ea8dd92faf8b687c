"""Figures from kpi/charts.py, checked without Streamlit: traces, values, colours and
axis titles. Frames come from kpi.compute on the hand-built networks, or are small
literal frames shaped like its output."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.colors
import pytest

import kpi
from kpi import charts, distributions
from kpi.complaint_cases import closed_loop_summary
from tests import complaint_fixture, kpi_fixture

AS_OF = "2026-03-10 00:00:00"


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    return kpi_fixture.build(tmp_path_factory.mktemp("charts") / "network.duckdb")


@pytest.fixture(scope="module")
def cases_db(tmp_path_factory):
    return complaint_fixture.build(tmp_path_factory.mktemp("charts_cases") / "cases.duckdb")


def test_axis_titles_carry_units_in_both_languages():
    assert charts.axis_title("complaint_rate", "zh") == "投诉率（%）"
    assert charts.axis_title("complaint_rate", "en") == "Complaint rate (%)"
    assert charts.axis_title("avg_repair_cycle_hours", "zh") == "平均维修周期（小时）"
    assert charts.axis_title("avg_repair_cycle_hours", "en") == "Average repair cycle (h)"
    assert charts.axis_title("complaint_count", "zh") == "投诉量（件）"
    assert charts.axis_title("complaint_count", "en") == "Complaints (cases)"


def test_colour_follows_direction_not_sign():
    # repeat repairs: lower is better, so below the reference is green
    assert charts.colour_for("repeat_repair_rate", 0.05, 0.10) == charts.GOOD
    assert charts.colour_for("repeat_repair_rate", 0.15, 0.10) == charts.BAD
    assert charts.colour_for("first_time_fix_rate", 0.95, 0.90) == charts.GOOD
    assert charts.colour_for("survey_count", 10, 5) == charts.NEUTRAL
    assert charts.colour_for("first_time_fix_rate", None, 0.9) == charts.NEUTRAL


def test_every_figure_uses_the_cjk_font():
    frame = pd.DataFrame({"period": [date(2026, 1, 1)], "complaint_count": [3]})
    fig = charts.trend_chart(frame, "complaint_count", "zh", grain="month", as_bars=True)
    assert fig.layout.font.family.startswith("Noto Sans CJK SC")


def test_count_and_rate_chart_matches_compute(network):
    """Monthly complaints of the network: Jan C1, C2 over the 6 ROs opened (A1, B1, A2, A3, M4,
    N5); Mar C3, C4 over 1 RO (O6)."""
    frame = kpi.compute(network, ["complaint_count", "complaint_rate"], grain="month")
    fig = charts.count_and_rate_chart(frame, "complaint_count", "complaint_rate", "en", grain="month")
    bars, line = fig.data
    assert bars.type == "bar" and line.type == "scatter" and line.yaxis == "y2"
    assert list(bars.y) == list(frame["complaint_count"])
    assert list(line.y) == pytest.approx(list(frame["complaint_rate"]), nan_ok=True)
    assert fig.layout.yaxis.title.text == "Complaints (cases)"
    assert fig.layout.yaxis2.title.text == "Complaint rate (%)"
    assert fig.layout.yaxis2.tickformat == ".2~%"  # 0.5 %, 1 %, 1.5 %: no repeated labels
    jan = frame.set_index("period").loc[date(2026, 1, 1)]
    assert (jan["complaint_count"], jan["complaint_rate__den"]) == (2, 6)
    assert "2 / 6" in line.customdata[0]


def test_trend_chart_line_with_reference(network):
    frame = kpi.compute(network, ["satisfied_rate"], grain="month")
    fig = charts.trend_chart(frame, "satisfied_rate", "zh", grain="month", reference=0.85, reference_label="目标")
    assert list(fig.data[0].y) == list(frame["satisfied_rate"])
    assert fig.layout.yaxis.title.text == "满意率（%）"
    assert fig.layout.shapes[0].y0 == 0.85
    assert fig.layout.annotations[0].text == "目标 85.0%"


def test_ranked_bars_worst_first_coloured_against_reference(network):
    """Repeat repair rate by dealer (lower is better): D1 opened repair-type A1, A2, A3, B2
    (N5 has no fault code), B2 repeats A2 -> 1/4; D2 1/1 (B1 repeats A1); D3 B3, O6 -> 0/2."""
    frame = kpi.compute(network, ["repeat_repair_rate"], by=["dealer_id"])
    frame["name"] = frame["dealer_id"].map({"D1": "上海一店", "D2": "杭州二店", "D3": "广州三店"})
    fig = charts.ranked_bars(frame, "repeat_repair_rate", "name", "zh", id_column="dealer_id", reference=0.25)
    bar = fig.data[0]
    assert list(bar.y) == ["杭州二店", "上海一店", "广州三店"]
    assert list(bar.x) == [1.0, 0.25, 0.0]
    assert list(bar.marker.color) == [charts.BAD, charts.NEUTRAL, charts.GOOD]
    assert [c[0] for c in bar.customdata] == ["D2", "D1", "D3"]
    assert bar.customdata[0][1] == "1 / 1"
    assert fig.layout.xaxis.title.text == "重复维修率（%）"


def test_ranked_bars_pools_the_rest_as_a_ratio_of_sums():
    """Six dealers, top 3 shown; the rest pool to (1 + 1 + 0) / (10 + 2 + 8) = 0.1, not the
    mean of their rates (0.1 + 0.5 + 0) / 3."""
    frame = pd.DataFrame({
        "dealer_id": list("ABCDEF"),
        "complaint_rate": [0.9, 0.8, 0.7, 0.1, 0.5, 0.0],
        "complaint_rate__num": [9, 8, 7, 1, 1, 0],
        "complaint_rate__den": [10, 10, 10, 10, 2, 8],
    })
    fig = charts.ranked_bars(frame, "complaint_rate", "dealer_id", "en", id_column="dealer_id", top_n=3,
                             rest_label_key="rest_dealers")
    bar = fig.data[0]
    assert list(bar.y) == ["A", "B", "C", "3 others"]
    assert bar.x[-1] == pytest.approx(0.1)
    assert bar.customdata[-1][0] is None
    assert bar.marker.color[-1] == charts.MUTED


def test_ranked_bars_leaves_out_what_cannot_be_pooled():
    frame = pd.DataFrame({"dealer_id": list("ABCD"), "median_repair_cycle_hours": [5.0, 9.0, 7.0, 1.0]})
    fig = charts.ranked_bars(frame, "median_repair_cycle_hours", "dealer_id", "en", top_n=2)
    assert list(fig.data[0].y) == ["B", "C"]
    assert "2 most notable of 4" in fig.layout.title.text


def test_ranked_bars_distinguishes_dealers_with_the_same_name():
    frame = pd.DataFrame({"dealer_id": ["X1", "X2"], "name": ["同名店", "同名店"], "complaint_count": [3, 2]})
    fig = charts.ranked_bars(frame, "complaint_count", "name", "zh", id_column="dealer_id")
    assert list(fig.data[0].y) == ["同名店 (X1)", "同名店 (X2)"]


def test_pareto_sorts_and_accumulates(network):
    """Categories of the kpi fixture: one complaint each of quality, attitude, price,
    timeliness -> 25 %, 50 %, 75 %, 100 %; the first three start below 80 % (vital few)."""
    frame = kpi.compute(network, ["complaint_count"], by=["category"])
    fig = charts.pareto_chart(frame, "complaint_count", "category", "en", id_column="category")
    bars, line = fig.data
    assert list(bars.y) == [1, 1, 1, 1]
    assert list(line.y) == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert list(bars.marker.color) == [charts.NEUTRAL] * 4
    assert fig.layout.yaxis2.title.text == "Cumulative share (%)"
    uneven = pd.DataFrame({"category": ["a", "b", "c"], "complaint_count": [1, 8, 1]})
    fig = charts.pareto_chart(uneven, "complaint_count", "category", "zh")
    assert list(fig.data[0].x) == ["b", "a", "c"]
    assert list(fig.data[1].y) == pytest.approx([0.8, 0.9, 1.0])
    assert list(fig.data[0].marker.color) == [charts.NEUTRAL, charts.MUTED, charts.MUTED]


def test_satisfaction_mix_adds_up_to_the_rates(network):
    """D1's scored surveys S1 (5), S2 (4), S5 (3): very 1/3, satisfied(4) 1/3, neutral 1/3,
    dissatisfied 0; D2's S3 (2): dissatisfied 1/1."""
    frame = kpi.compute(network, ["satisfied_rate", "very_satisfied_rate", "dissatisfied_rate"], by=["dealer_id"])
    fig = charts.satisfaction_mix_chart(frame, "zh", category_column="dealer_id", horizontal=True)
    assert [t.name for t in fig.data] == ["非常满意（5分）", "满意（4分）", "一般（3分）", "不满意（1–2分）"]
    by_band = {t.name: dict(zip(t.y, t.x)) for t in fig.data}
    assert by_band["非常满意（5分）"]["D1"] == pytest.approx(1 / 3)
    assert by_band["满意（4分）"]["D1"] == pytest.approx(1 / 3)
    assert by_band["一般（3分）"]["D1"] == pytest.approx(1 / 3)
    assert by_band["不满意（1–2分）"]["D2"] == 1.0
    d1 = frame.set_index("dealer_id").loc["D1"]
    assert by_band["非常满意（5分）"]["D1"] + by_band["满意（4分）"]["D1"] == pytest.approx(d1["satisfied_rate"])
    assert "D3" not in by_band["非常满意（5分）"]  # no scored survey: no bar at all
    assert fig.layout.barmode == "stack"


def test_servqual_gap_chart(network):
    frame = kpi.compute(network, [f"servqual_gap_{d}" for d in charts.SERVQUAL_WEIGHT_POINTS] + ["servqual_weighted_gap"])
    row = frame.iloc[0].to_dict()
    fig = charts.servqual_gap_chart(row, "zh")
    bar = fig.data[0]
    assert list(bar.x)[0] == "可靠性<br>权重 32%"
    assert list(bar.y) == pytest.approx([row[f"servqual_gap_{d}"] for d in charts.SERVQUAL_WEIGHT_POINTS])
    assert [c == charts.BAD for c in bar.marker.color] == [row[f"servqual_gap_{d}"] < 0 for d in charts.SERVQUAL_WEIGHT_POINTS]
    assert fig.layout.shapes[0].y0 == pytest.approx(row["servqual_weighted_gap"])
    assert fig.layout.yaxis.title.text == "感知 − 期望（分）"


def test_histogram_chart_from_binned_counts(cases_db):
    h = distributions.histogram(cases_db, "repair_cycle_hours")
    fig = charts.histogram_chart(h.bins, "en", value_title="Repair cycle (h)", count_title="Repair orders",
                                 bin_width=h.bin_width, markers=[("p50", h.quantiles[0.5], charts.GOOD)])
    regular, overflow = fig.data
    assert sum(regular.y) + sum(overflow.y) == h.n == 3
    assert overflow.text[0] == "≥ 190"
    assert fig.layout.shapes[0].x0 == 4.0
    assert fig.layout.xaxis.title.text == "Repair cycle (h)"


def test_closed_loop_chart_segments(cases_db):
    summary = closed_loop_summary(cases_db, as_of=AS_OF).iloc[0]
    fig = charts.closed_loop_chart(summary, "en")
    counts = {t.name: t.x[0] for t in fig.data}
    assert counts == {
        "Closed within SLA": 2, "Closed late": 1, "Open, overdue": 2, "Open, within SLA": 1,
        "Followed up": 2, "Not followed up": 1,
    }
    assert fig.layout.barmode == "stack"


def test_heatmap_limits_rows_and_colours_by_direction(network):
    frame = kpi.compute(network, ["repeat_repair_rate"], by=["dealer_id"], grain="month")
    fig = charts.heatmap_chart(frame, "dealer_id", "repeat_repair_rate", "en", grain="month", max_rows=2)
    heat = fig.data[0]
    assert len(heat.y) == 2 and "showing 2 of 3" in fig.layout.title.text
    # lower repeat repair is good, so the scale runs from green (low) to red (high)
    assert [c for _, c in heat.colorscale] == [c for _, c in plotly.colors.get_colorscale("RdYlGn_r")]


def test_points_customdata_reads_streamlit_selection_events():
    event = {"selection": {"points": [{"customdata": ["D1", "1 / 2"]}, {"customdata": "D2"}, {"x": 1}]}}
    assert charts.points_customdata(event) == ["D1", "D2"]
    assert charts.points_customdata({"selection": {"points": []}}) == []
    assert charts.points_customdata(None) == []
