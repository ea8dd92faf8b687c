"""Words the fairness widgets put on cards and in tables, worked out by hand."""
from __future__ import annotations

import pandas as pd

from ui.fairness_sections import card_interval, card_status
from ui.fairness_widgets import attainment_text, interval_text, peer_group_name, projection_rows, signals_text


def test_card_interval_of_a_rate() -> None:
    """87 of 95: Wilson [0.842548, 0.956712] (kpi.stats.intervals' worked example)."""
    assert card_interval("satisfied_rate", 87, 95) == "95% 区间 84.3%–95.7%"
    assert card_interval("satisfied_rate", 0, 0) == ""  # no cases, no interval
    assert card_interval("avg_repair_cycle_hours", 5, 10) == ""  # a mean has none
    # complaints and ROs are not one-to-one: more complaints than ROs gets no binomial interval
    assert card_interval("complaint_rate", 3, 2) == ""


def test_card_status_badges() -> None:
    """Target 0.92, band lower 0.88 (higher is better): 0.95 green, 0.90 amber,
    0.87 red; no target: no badge, never an invented one."""
    target = {"target": 0.92, "lower": 0.88, "upper": None}
    assert card_status("satisfied_rate", 0.95, target) == ":green-badge[达标]"
    assert card_status("satisfied_rate", 0.90, target) == ":orange-badge[容差内]"
    assert card_status("satisfied_rate", 0.87, target) == ":red-badge[超出容差]"
    assert card_status("satisfied_rate", 0.95, None) == ""
    # lower is better, 0.04 against 0.05 with upper 0.08: green
    assert card_status("repeat_repair_rate", 0.04, {"target": 0.05, "lower": None, "upper": 0.08}) == ":green-badge[达标]"


def test_small_texts() -> None:
    assert interval_text(0.312674, 0.831820) == "31.3%–83.2%"
    assert interval_text(None, 0.5) == "—"
    assert attainment_text(1.012048) == "101%" and attainment_text(float("inf")) == "∞"
    assert peer_group_name("4S/large", "zh") == "4S店·大规模"
    assert peer_group_name("chain/small", "en") == "Chain, small"
    assert signals_text(("above_ucl", "run_above"), "en") == (
        "Above the upper control limit; 8 points in a row above the centre line")


def test_projection_rows_read_like_a_manager() -> None:
    """14 complaints through 10 June against a monthly target of 36 (lower is
    better): 14 × 30/10 = 42 → off track, 36 − 14 = 22 left; a rate 87/95 against
    0.92: still open; first-time fix: no projection within the month."""
    frame = pd.DataFrame([
        {"metric_id": "complaint_count", "to_date": 14.0, "numerator": None, "denominator": None,
         "projected": 42.0, "lower": None, "upper": None, "target": 36.0, "target_lower": None,
         "target_upper": None, "on_track": False, "decided": None, "status": "red", "gap_to_target": 22.0,
         "note": None},
        {"metric_id": "satisfied_rate", "to_date": 87 / 95, "numerator": 87.0, "denominator": 95.0,
         "projected": 87 / 95, "lower": 0.842548, "upper": 0.956712, "target": 0.92, "target_lower": 0.88,
         "target_upper": None, "on_track": False, "decided": False, "status": "amber", "gap_to_target": None,
         "note": None},
        {"metric_id": "first_time_fix_rate", "to_date": None, "numerator": 0.0, "denominator": 0.0,
         "projected": None, "lower": None, "upper": None, "target": 0.9, "target_lower": None,
         "target_upper": None, "on_track": None, "decided": None, "status": None, "gap_to_target": None,
         "note": "matures_later"},
    ])
    rows = projection_rows(frame, "en").set_index("Metric")
    assert rows.loc["Complaints", "Month-end projection"] == "42"
    assert rows.loc["Complaints", "Outlook"] == "Off track · 22 left this month"
    assert rows.loc["Complaints", "Projected status"] == "Off target"
    assert rows.loc["Satisfied", "Month-end projection"] == "91.6%  [84.3%–95.7%]"
    assert rows.loc["Satisfied", "Month to date"] == "91.6% (87/95)"
    assert rows.loc["Satisfied", "Outlook"] == "Off track · Still open"
    assert rows.loc["Satisfied", "Projected status"] == "Within tolerance"
    assert rows.loc["First-time fix rate", "Month-end projection"].startswith("Known 30 days after closing")


def test_card_status_too_good_needs_evidence() -> None:
    """Band [0.88, 0.97] around 0.93. 7 of 7 = 100 % is beyond 0.97, but its Wilson
    interval [0.645661, 1] reaches back into the band: on target, not 'check'.
    400 of 400: lower bound 1/(1 + z²/400) = 400/403.841459 = 0.990488 > 0.97:
    'check'. A mean (hours) has no interval: beyond the band is 'check'."""
    band = {"target": 0.93, "lower": 0.88, "upper": 0.97}
    assert card_status("first_time_fix_rate", 1.0, band, numerator=7, denominator=7) == ":green-badge[达标]"
    assert card_status("first_time_fix_rate", 1.0, band, numerator=400, denominator=400) == ":blue-badge[异常偏好·请核实]"
    hours = {"target": 13.0, "lower": 9.0, "upper": 18.0}
    assert card_status("avg_repair_cycle_hours", 7.1, hours) == ":blue-badge[异常偏好·请核实]"
