"""Figures for fair comparison and early warning, as pure functions.

Frames of kpi.fairness in, plotly Figures out; no Streamlit, no names looked up
here: the caller passes the labels (a dealer user's page passes none for the
other dealers). The conventions of kpi.charts hold: values in the metric's own
unit (rates as fractions, formatted as %), green better and red worse by the
metric's direction, the CJK font first.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kpi.charts import (
    BAD, FONT_FAMILY, GOOD, MUTED, NEUTRAL, REFERENCE, WARNING, axis_title, format_number, value_axis, _layout,
)
from kpi.stats.spc import SPC_RULES

SELF = "#1F2A44"

_WORDS: dict[str, tuple[str, str]] = {
    "volume": ("样本量（{unit}）", "Volume ({unit})"),
    "centre_pooled": ("整体 {v}", "Overall {v}"),
    "centre_target": ("目标 {v}", "Target {v}"),
    "limit_95": ("95% 控制限", "95% limits"),
    "limit_998": ("99.8% 控制限", "99.8% limits"),
    "better": ("显著优于", "Better than expected"),
    "worse": ("显著差于", "Worse than expected"),
    "inside": ("在控制限内", "Within limits"),
    "other_dealers": ("其他经销商", "Other dealers"),
    "self": ("本店", "This dealer"),
    "centre": ("中心线", "Centre line"),
    "ucl": ("控制上限", "Upper control limit"),
    "lcl": ("控制下限", "Lower control limit"),
    "signal": ("预警点", "Signal"),
    "recent": ("预警窗口", "Alert window"),
    "target": ("目标", "Target"),
    "band": ("容差区间", "Tolerance band"),
    "actual": ("实际", "Actual"),
    "no_target": ("（未设目标）", " (no target set)"),
    "complaints": ("投诉（件）", "Complaints"),
    "complaints_per_ro": ("投诉率（投诉 ÷ 开单）", "Complaints per RO"),
    "period": ("期间", "Period"),
}


def words(key: str, lang: str, **fields: Any) -> str:
    text = _WORDS[key][0 if lang == "zh" else 1]
    return text.format(**fields) if fields else text


def _volume_unit(metric_id: str, lang: str) -> str:
    """What the denominator of a rate counts, for the funnel's x axis."""
    units = {
        "first_time_fix_rate": ("维修工单", "repairs"),
        "repeat_repair_rate": ("维修工单", "repairs"),
        "on_time_delivery_rate": ("交车工单", "ROs handed back"),
        "response_sla_rate": ("服务请求", "requests"),
        "complaint_rate": ("开单工单", "ROs opened"),
        "complaint_close_sla_rate": ("投诉", "complaints"),
        "survey_coverage_rate": ("交车工单", "ROs handed back"),
    }
    pair = units.get(metric_id, ("回访", "surveys"))
    return pair[0 if lang == "zh" else 1]


# ---------------------------------------------------------------- funnel plot


def funnel_figure(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    p0: float,
    metric_id: str,
    lang: str,
    *,
    labels: Sequence[str | None] | None = None,
    centre: str = "pooled",
    highlight: Sequence[bool] | None = None,
) -> go.Figure:
    """Dealers as points (rate against volume) inside the funnel of control limits.

    `points` and `limits` as kpi.fairness.funnel_data returns them; `labels` one
    per point (None = anonymous: hover shows the numbers only); `highlight`
    marks the dealer the reader cares about (their own store, or the one chosen).
    Colour: green better / red worse than the 95 % limits by the metric's
    direction, grey within them.
    """
    labels = list(labels) if labels is not None else [None] * len(points)
    highlight = list(highlight) if highlight is not None else [False] * len(points)
    fig = go.Figure()
    n = limits["n"]
    for level, dash, name in (("99_8", "dot", words("limit_998", lang)), ("95", "dash", words("limit_95", lang))):
        for side, show in (("upper", True), ("lower", False)):
            fig.add_trace(go.Scatter(
                x=n, y=limits[f"{side}_{level}"], mode="lines", line={"color": REFERENCE, "dash": dash, "width": 1.2,
                                                                      "shape": "hv"},
                name=name, legendgroup=level, showlegend=show, hoverinfo="skip",
            ))
    centre_key = "centre_target" if centre == "target" else "centre_pooled"
    fig.add_hline(y=p0, line_color=REFERENCE, line_width=1.5,
                  annotation_text=words(centre_key, lang, v=format_number(metric_id, p0, lang)),
                  annotation_position="bottom left")
    colours = {"better": GOOD, "worse": BAD, "inside": MUTED}
    verdicts = points["verdict_95"].fillna("inside") if len(points) else pd.Series(dtype=object)
    for verdict in ("inside", "better", "worse"):
        mask = (verdicts == verdict).to_numpy() & ~np.array(highlight, dtype=bool)
        if not mask.any():
            continue
        sub = points[mask]
        sub_labels = [labels[i] for i in np.flatnonzero(mask)]
        fig.add_trace(go.Scatter(
            x=sub["trials"], y=sub["rate"], mode="markers", name=words(verdict, lang),
            marker={"color": colours[verdict], "size": 9, "opacity": 0.8, "line": {"width": 0.5, "color": "white"}},
            customdata=[_hover(metric_id, row, label, lang) for (_, row), label in zip(sub.iterrows(), sub_labels)],
            hovertemplate="%{customdata}<extra></extra>",
        ))
    chosen = np.array(highlight, dtype=bool)
    if chosen.any():
        sub = points[chosen]
        sub_labels = [labels[i] for i in np.flatnonzero(chosen)]
        fig.add_trace(go.Scatter(
            x=sub["trials"], y=sub["rate"], mode="markers+text", name=sub_labels[0] or words("self", lang),
            text=[label or words("self", lang) for label in sub_labels], textposition="top center",
            marker={"color": [colours.get(v, MUTED) for v in verdicts[chosen]], "size": 16, "symbol": "diamond",
                    "line": {"width": 2.5, "color": SELF}},
            customdata=[_hover(metric_id, row, label or words("self", lang), lang)
                        for (_, row), label in zip(sub.iterrows(), sub_labels)],
            hovertemplate="%{customdata}<extra></extra>",
        ))
    fig.update_xaxes(title=words("volume", lang, unit=_volume_unit(metric_id, lang)), rangemode="tozero",
                     tickformat=",d")
    fig.update_yaxes(title=axis_title(metric_id, lang), **value_axis(metric_id))
    y_range = _funnel_y_range(points, limits, p0)
    if y_range is not None:
        # Zoomed to the dealers and the limits at their volumes: drawn from 0 to
        # 100 % the funnel of a 90 % rate is a flat band no one can read.
        fig.update_yaxes(range=y_range, rangemode="normal")
    return _layout(fig, 460)


def _funnel_y_range(points: pd.DataFrame, limits: pd.DataFrame, p0: float) -> list[float] | None:
    rates = points["rate"].dropna()
    if rates.empty:
        return None
    smallest = points["trials"].min()
    at_smallest = limits[limits["n"] >= smallest].head(1)
    candidates = [rates.min(), rates.max()] + ([] if pd.isna(p0) else [p0])
    for column in ("lower_99_8", "upper_99_8"):
        if column in at_smallest and len(at_smallest) and not pd.isna(at_smallest[column].iloc[0]):
            candidates.append(float(at_smallest[column].iloc[0]))
    low, high = min(candidates), max(candidates)
    pad = max((high - low) * 0.08, 0.005)
    return [max(0.0, low - pad), min(1.0, high + pad) + (0.01 if high + pad >= 1 else 0.0)]


def _hover(metric_id: str, row: pd.Series, label: str | None, lang: str) -> str:
    basis = f"{row['successes']:,.0f} / {row['trials']:,.0f}"
    head = f"<b>{label}</b><br>" if label else ""
    return f"{head}{format_number(metric_id, row['rate'], lang)}  ({basis})"


# ---------------------------------------------------------------- control chart


def spc_figure(chart: pd.DataFrame, lang: str, *, grain: str = "day", title: str | None = None) -> go.Figure:
    """One dealer's control chart: the values, the centre line, the limits (steps,
    since a u-chart's limits move with each period's volume), the alert window
    shaded and the points with an adverse signal marked red.

    `chart` is the rows of kpi.fairness.complaint_spc for one dealer and one
    chart ("rate" or "count"), in period order.
    """
    data = chart.sort_values("period")
    is_rate = bool((data["chart"] == "rate").any())
    fig = go.Figure()
    x = pd.to_datetime(data["period"])
    fmt = (lambda v: "—" if pd.isna(v) else f"{v * 100:.2f}%") if is_rate else (lambda v: "—" if pd.isna(v) else f"{v:,.2f}")
    recent = data[data["in_recent"]]
    if len(recent):
        half = pd.Timedelta(days=0.5 if grain == "day" else 3.5)
        fig.add_vrect(x0=pd.to_datetime(recent["period"].min()) - half, x1=pd.to_datetime(recent["period"].max()) + half,
                      fillcolor=WARNING, opacity=0.08, line_width=0, annotation_text=words("recent", lang),
                      annotation_position="top left")
    fig.add_trace(go.Scatter(x=x, y=data["ucl"], mode="lines", name=words("ucl", lang),
                             line={"color": BAD, "dash": "dash", "width": 1.2, "shape": "hvh"}, hoverinfo="skip"))
    if (data["lcl"].fillna(0) > 0).any():
        fig.add_trace(go.Scatter(x=x, y=data["lcl"], mode="lines", name=words("lcl", lang),
                                 line={"color": BAD, "dash": "dot", "width": 1.2, "shape": "hvh"}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=data["centre"], mode="lines", name=words("centre", lang),
                             line={"color": REFERENCE, "width": 1.2}, hoverinfo="skip"))
    hover = []
    for _, row in data.iterrows():
        basis = f"{row['count']:,.0f} / {row['exposure']:,.0f}" if is_rate and not pd.isna(row["exposure"]) else ""
        signals = "<br>".join(SPC_RULES[s]["zh" if lang == "zh" else "en"] for s in row["adverse"])
        hover.append(f"{fmt(row['value'])} {basis}".strip() + (f"<br><b>{signals}</b>" if signals else ""))
    fig.add_trace(go.Scatter(
        x=x, y=data["value"], mode="lines+markers", name=words("complaints_per_ro" if is_rate else "complaints", lang),
        line={"color": NEUTRAL, "width": 1.5}, marker={"size": 6, "color": NEUTRAL}, connectgaps=False,
        customdata=hover, hovertemplate="%{x|%Y-%m-%d}<br>%{customdata}<extra></extra>",
    ))
    flagged = data[data["adverse"].map(len) > 0]
    if len(flagged):
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(flagged["period"]), y=flagged["value"], mode="markers", name=words("signal", lang),
            marker={"color": BAD, "size": 13, "symbol": "circle-open", "line": {"width": 3, "color": BAD}},
            hoverinfo="skip",
        ))
    fig.update_xaxes(title=words("period", lang), tickformat="%m-%d" if lang == "zh" else "%b %d")
    fig.update_yaxes(title=words("complaints_per_ro" if is_rate else "complaints", lang),
                     tickformat=".1%" if is_rate else ",d", rangemode="tozero")
    top = pd.concat([data["value"], data["ucl"]]).max()
    if not is_rate and not pd.isna(top) and top <= 10:
        # Whole complaints only: automatic ticks at 0.5 would print 0, 1, 1, 2.
        fig.update_yaxes(dtick=1)
    if title:
        fig.update_layout(title={"text": title, "font": {"size": 14}})
    return _layout(fig, 340)


# ---------------------------------------------------------------- trend with targets


def target_trend_figure(
    frame: pd.DataFrame, metric_id: str, lang: str, *, grain: str | None = None, line_colour: str = NEUTRAL
) -> go.Figure:
    """A metric over `period` with its target as a step line and the tolerance
    band shaded, period by period (targets change over time; where none applies
    the line stops rather than inventing one).

    `frame`: period, the metric's column, and target, lower, upper (NaN where no
    target / no band edge), as kpi.fairness.target_series gives them.
    """
    data = frame.sort_values("period")
    x = pd.to_datetime(data["period"])
    fig = go.Figure()
    has_band = data[["lower", "upper"]].notna().all(axis=1) & data["target"].notna()
    if has_band.any():
        lower = data["lower"].where(has_band)
        upper = data["upper"].where(has_band)
        fig.add_trace(go.Scatter(x=x, y=upper, mode="lines", line={"width": 0, "shape": "hv"}, showlegend=False,
                                 hoverinfo="skip", connectgaps=False))
        fig.add_trace(go.Scatter(x=x, y=lower, mode="lines", line={"width": 0, "shape": "hv"},
                                 fill="tonexty", fillcolor="rgba(46,125,50,0.10)", name=words("band", lang),
                                 hoverinfo="skip", connectgaps=False))
    if data["target"].notna().any():
        fig.add_trace(go.Scatter(
            x=x, y=data["target"], mode="lines", name=words("target", lang),
            line={"color": REFERENCE, "dash": "dash", "width": 1.5, "shape": "hv"}, connectgaps=False,
            customdata=[format_number(metric_id, v, lang) for v in data["target"]],
            hovertemplate=words("target", lang) + " %{customdata}<extra></extra>",
        ))
    fig.add_trace(go.Scatter(
        x=x, y=data[metric_id], mode="lines+markers", name=words("actual", lang),
        line={"color": line_colour, "width": 2}, marker={"size": 6}, connectgaps=False,
        customdata=[format_number(metric_id, v, lang) for v in data[metric_id]],
        hovertemplate="%{x|%Y-%m-%d}<br>%{customdata}<extra></extra>",
    ))
    fmt = {"month": "%Y-%m" if lang == "zh" else "%b %Y"}.get(grain or "", "%m-%d" if lang == "zh" else "%b %d")
    title = axis_title(metric_id, lang) + ("" if data["target"].notna().any() else words("no_target", lang))
    fig.update_xaxes(title=None, tickformat=fmt)
    fig.update_yaxes(title=title, **value_axis(metric_id))
    return _layout(fig, 340, hovermode="x unified")


__all__ = ["funnel_figure", "spc_figure", "target_trend_figure", "words"]
