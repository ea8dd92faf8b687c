"""Targets (目标) of the demo network: network-wide, a few regions, a few dealers.

Network targets run by calendar year and tighten a little each year (SMART targets
are realistic and time-based); the current year's are open-ended. Regions with
long distances get a softer response target, the largest region a stretch target
for first-time fixes, new dealers a softer first year, and the laggards an
improvement plan for the last months.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from kpi.demo.network import Network


@dataclass(frozen=True)
class Goal:
    """This year's target and band; `yearly_step` is how much stricter it got each year."""

    target: float
    lower: float | None
    upper: float | None
    yearly_step: float = 0.0


# Metric ids exactly as in KPI_DEFINITIONS.md; a rate is a fraction.
NETWORK_GOALS: dict[str, Goal] = {
    "first_time_fix_rate": Goal(0.92, 0.88, 0.97, 0.01),
    "repeat_repair_rate": Goal(0.06, 0.03, 0.09, -0.005),
    "on_time_delivery_rate": Goal(0.90, 0.85, 0.97, 0.02),
    "avg_repair_cycle_hours": Goal(13.0, 9.0, 18.0, -0.5),
    "median_repair_cycle_hours": Goal(2.0, 1.5, 3.0, -0.1),
    "response_sla_rate": Goal(0.95, 0.92, 0.99, 0.01),
    "avg_response_hours": Goal(5.0, 3.0, 8.0, -0.5),
    "p90_response_hours": Goal(12.0, 8.0, 24.0, -1.0),
    "complaint_rate": Goal(0.012, 0.006, 0.018, -0.001),
    "complaint_close_sla_rate": Goal(0.85, 0.75, 0.95, 0.02),
    "avg_complaint_close_hours": Goal(40.0, 24.0, 72.0, -4.0),
    "satisfied_rate": Goal(0.90, 0.85, 0.96, 0.01),
    "very_satisfied_rate": Goal(0.50, 0.40, 0.65, 0.02),
    "dissatisfied_rate": Goal(0.03, 0.01, 0.05, -0.005),
    "avg_satisfaction_score": Goal(4.4, 4.2, 4.7, 0.05),
    "survey_coverage_rate": Goal(0.60, 0.50, 0.75, 0.02),
    "servqual_weighted_gap": Goal(-0.40, -0.80, 0.00, 0.05),
    "csi": Goal(93.0, 88.0, 100.0, 0.5),
}
# (region_id, metric_id, target, lower, upper), from 1 January of the last year.
REGION_GOALS = (
    ("NORTHEAST", "response_sla_rate", 0.92, 0.88, 0.98),  # long distances, hard winters
    ("SOUTHWEST", "response_sla_rate", 0.93, 0.89, 0.98),  # mountain roads
    ("NORTHEAST", "avg_repair_cycle_hours", 15.0, 10.0, 20.0),
    ("EAST", "first_time_fix_rate", 0.93, 0.90, 0.98),  # the largest region leads
)
IMPROVEMENT_PLAN_DAYS = 120


def build_targets(network: Network, first_day: date, last_day: date) -> pd.DataFrame:
    rows = _network_rows(first_day, last_day)
    rows += _region_rows(last_day)
    rows += _new_dealer_rows(network, first_day, last_day)
    rows += _improvement_plan_rows(network, last_day)
    frame = pd.DataFrame(rows, columns=["metric_id", "scope", "scope_id", "valid_from", "valid_to", "target", "lower", "upper"])
    for column in ("target", "lower", "upper"):
        frame[column] = frame[column].astype(float).round(6)
    return frame


def _network_rows(first_day: date, last_day: date) -> list[tuple]:
    rows = []
    for year in range(first_day.year, last_day.year + 1):
        years_back = last_day.year - year
        valid_to = None if year == last_day.year else date(year, 12, 31)
        for metric_id, goal in NETWORK_GOALS.items():
            shift = -goal.yearly_step * years_back
            rows.append((
                metric_id, "network", None, date(year, 1, 1), valid_to,
                goal.target + shift, _shifted(goal.lower, shift), _shifted(goal.upper, shift),
            ))
    return rows


def _shifted(bound: float | None, shift: float) -> float | None:
    return None if bound is None else bound + shift


def _region_rows(last_day: date) -> list[tuple]:
    return [
        (metric_id, "region", region_id, date(last_day.year, 1, 1), None, target, lower, upper)
        for region_id, metric_id, target, lower, upper in REGION_GOALS
    ]


def _new_dealer_rows(network: Network, first_day: date, last_day: date) -> list[tuple]:
    """A dealer that opened during the history gets a softer first year."""
    new = network.dealers[network.dealers["opened_on"] > first_day]
    rows = []
    for dealer_id, opened_on in zip(new["dealer_id"], new["opened_on"]):
        valid_to = min(opened_on + timedelta(days=364), last_day)
        rows.append(("first_time_fix_rate", "dealer", dealer_id, opened_on, valid_to, 0.88, 0.84, 0.95))
        rows.append(("satisfied_rate", "dealer", dealer_id, opened_on, valid_to, 0.85, 0.80, 0.95))
    return rows


def _improvement_plan_rows(network: Network, last_day: date) -> list[tuple]:
    """The laggards' improvement plan: interim targets for the last months."""
    start = last_day - timedelta(days=IMPROVEMENT_PLAN_DAYS)
    rows = []
    for dealer_id in network.dealer_ids("bad"):
        rows.append(("first_time_fix_rate", "dealer", dealer_id, start, None, 0.86, 0.80, 0.95))
        rows.append(("response_sla_rate", "dealer", dealer_id, start, None, 0.88, 0.80, 0.98))
    return rows
