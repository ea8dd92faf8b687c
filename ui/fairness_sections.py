"""Ready-made page sections for targets and early warning, so the store daily,
dealer comparison and complaints pages each add them in a few lines:

- early_warning(...)      the SPC alert list (and one dealer's control charts)
- month_end_projection(...) month to date projected to month end, against target
- target_trend_figure(...) a metric's trend with its target line and band
- card_interval / card_status  the Wilson interval and red/amber/green of a card
"""
from __future__ import annotations

from datetime import date
from typing import Any, Sequence

import pandas as pd
import streamlit as st

from kpi import charts_fairness
from kpi.fairness import MIN_ALERT_COUNT, SPC_RECENT
from kpi.registry import METRICS
from kpi.scope import Scope
from kpi.stats import wilson_interval
from ui.data import Database
from ui.fairness_cache import fairness_cached
from ui.fairness_widgets import interval_text, render_alerts, render_projection, status_badge, status_reason, word
from ui.i18n import pick

GRAIN_NAMES = {"day": ("按日", "daily"), "week": ("按周", "weekly")}


def alerts_for(db: Database, *, scope: Scope, end: date, filters: dict | None) -> pd.DataFrame:
    """Daily and weekly alerts together, newest first."""
    frames = [fairness_cached(db, "complaint_alerts", scope=scope, end=end, grain=grain, filters=filters or {})
              for grain in ("day", "week")]
    found = [f for f in frames if len(f)]
    if not found:
        return frames[0]
    return pd.concat(found, ignore_index=True).sort_values(["period", "dealer_id"], ascending=[False, True],
                                                           kind="stable").reset_index(drop=True)


def early_warning(
    db: Database,
    *,
    scope: Scope,
    end: date,
    filters: dict | None,
    lang: str,
    key: str,
    dealer_id: str | None = None,
    show_charts: bool = False,
) -> None:
    """The alert list of the dealers in `filters` (or of `dealer_id`), with what
    the rules are; with show_charts, that dealer's weekly control charts too."""
    chosen = {**(filters or {}), **({"dealer_id": [dealer_id]} if dealer_id else {})}
    alerts = alerts_for(db, scope=scope, end=end, filters=chosen)
    st.caption(pick((
        f"统计过程控制（SPC）：每家经销商与自己过去的水平比较（u 图看投诉率，c 图看投诉量），只报坏消息："
        f"超出控制上限（至少 {MIN_ALERT_COUNT} 件）、连续 8 点高于中心线、连续 6 点上升。"
        f"预警窗口：最近 {SPC_RECENT['day']} 天（按日）和最近 {SPC_RECENT['week']} 周（按周），截至 {end:%Y-%m-%d}。",
        f"Statistical process control: each dealer against its own past (u-chart for the complaint rate, c-chart for "
        f"counts), bad news only: above the upper limit (at least {MIN_ALERT_COUNT} complaints), 8 in a row above the "
        f"centre line, 6 rising in a row. Alert window: the last {SPC_RECENT['day']} days (daily) and "
        f"{SPC_RECENT['week']} weeks (weekly), through {end:%Y-%m-%d}.",
    )))
    render_alerts(alerts, lang, key=f"{key}_alerts", show_dealer=dealer_id is None)
    if show_charts and dealer_id:
        spc = fairness_cached(db, "complaint_spc", scope=scope, end=end, grain="week", filters=chosen)
        if len(spc):
            with st.expander(pick(("查看本店投诉控制图（按周）", "This dealer's complaint control charts (weekly)"))):
                left, right = st.columns(2)
                for column, chart in ((left, "rate"), (right, "count")):
                    with column:
                        st.markdown(f"**{word('chart_rate' if chart == 'rate' else 'chart_count', lang)}**")
                        st.plotly_chart(charts_fairness.spc_figure(spc[spc["chart"] == chart], lang, grain="week"),
                                        width="stretch", theme=None, key=f"{key}_spc_{chart}")


def month_end_projection(
    db: Database,
    metric_ids: Sequence[str],
    *,
    scope: Scope,
    through: date,
    dealer_id: str,
    region_id: str | None,
    filters: dict | None,
    lang: str,
    key: str,
) -> None:
    """Month to date (1st .. `through`) projected to month end, against the
    dealer's target (指标结果预先控制)."""
    projections = fairness_cached(db, "mtd_projections", list(metric_ids), scope=scope, through=through,
                                  dealer_id=dealer_id, region_id=region_id, filters=filters or {})
    st.caption(pick((
        f"本月 {through:%m-%d} 之前的数据按当前进度外推到月底：计数 × 当月天数 ÷ 已过天数（{through.day} 天）；"
        "比率以月初至今的比率为预测，方括号内为 95% 区间——区间整体在目标一侧时结果已基本确定，否则仍有机会改变。"
        "计数类目标按整月合计。",
        f"The month so far (through {through:%b %d}) carried to month end at its pace: count × days in month ÷ days "
        f"elapsed ({through.day}); a rate's projection is the month-to-date rate with its 95% interval in brackets — "
        "when the whole interval is on one side of the target the outcome is clear, otherwise there is still time. "
        "A count's target is the month's total.",
    )))
    render_projection(projections, lang, key=f"{key}_projection")


def target_trend_figure(db: Database, frame: pd.DataFrame, metric_id: str, lang: str, *, scope: Scope,
                        dealer_id: str | None, region_id: str | None, grain: str | None = None) -> Any:
    """`frame` (period, metric) with the target valid in each period drawn as a
    step line and its band shaded; no line where no target applies."""
    periods = tuple(pd.to_datetime(frame["period"]).dt.date)
    targets = fairness_cached(db, "target_series", metric_id, periods, scope=scope, dealer_id=dealer_id,
                              region_id=region_id)
    data = frame.copy()
    data["period"] = pd.to_datetime(data["period"]).dt.date
    data = data.merge(targets, on="period", how="left")
    return charts_fairness.target_trend_figure(data, metric_id, lang, grain=grain)


def card_interval(metric_id: str, numerator: float | None, denominator: float | None) -> str:
    """'95% 区间 84.3%–95.7%' for a rate card ('' for other kinds or no cases)."""
    metric = METRICS[metric_id]
    if metric.kind != "rate" or not denominator or numerator is None or numerator > denominator:
        return ""
    lower, upper = wilson_interval(float(numerator), float(denominator))
    return f"{word('interval')} {interval_text(lower, upper)}"


def card_status(metric_id: str, value: float | None, target: dict | None, *,
                numerator: float | None = None, denominator: float | None = None) -> str:
    """A red/amber/green badge of a card's value against its target ('' without a target).

    A rate beyond the band on the good side is flagged "check" only when its
    Wilson interval lies wholly beyond the band edge: 7 of 7 first-time fixes
    (interval 64.6 %–100 %) against a band up to 97 % is no sign of anything but
    a good day, and reads as on target."""
    status, reason = status_reason(value, target, metric_id)
    if reason == "no_target":
        return ""
    if reason == "outside_band_better" and METRICS[metric_id].kind == "rate" and denominator:
        k, n = float(numerator or 0.0), float(denominator)
        if k <= n:
            lower, upper = wilson_interval(k, n)
            higher = METRICS[metric_id].higher_is_better
            edge = target.get("upper") if higher else target.get("lower")
            if edge is not None and ((higher and lower <= edge) or (not higher and upper >= edge)):
                return status_badge("green", "meets")
    return status_badge(status, reason)


__all__ = ["alerts_for", "card_interval", "card_status", "early_warning", "month_end_projection",
           "target_trend_figure"]
