"""Figures for my pages as pure functions: DataFrame in, plotly Figure out.
(kpi/charts.py holds the shared chart library; these are page-specific.)"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kpi.registry import METRICS
from ui.i18n import format_value, metric_name, pick

BRAND = "#C8102E"
GREY = "#7F7F7F"
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"


def _axis_format(metric_id: str) -> dict:
    unit = METRICS[metric_id].unit
    if unit == "fraction":
        return {"tickformat": ".0%"}
    return {"tickformat": ",.0f" if unit == "count" else ",.1f"}


def trend_figure(frame: pd.DataFrame, metric_id: str, lang: str, target: float | None = None) -> go.Figure:
    """A KPI over time (`period`, value column), with the target as a dashed line."""
    name = metric_name(metric_id, lang)
    hover = [format_value(metric_id, v, lang) for v in frame[metric_id]]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=frame["period"], y=frame[metric_id], mode="lines+markers", name=name,
        line={"color": BRAND, "width": 2}, marker={"size": 6}, connectgaps=False,
        customdata=hover, hovertemplate="%{x|%Y-%m-%d}<br>%{customdata}<extra></extra>",
    ))
    if target is not None:
        fig.add_hline(
            y=target, line_dash="dash", line_color=GREY,
            annotation_text=f"{pick(('目标', 'Target'), lang)} {format_value(metric_id, target, lang)}",
            annotation_position="top left",
        )
    fig.update_layout(
        height=340, margin={"l": 10, "r": 10, "t": 30, "b": 10}, showlegend=False,
        font={"family": FONT}, hovermode="x unified",
        xaxis={"tickformat": "%m-%d" if lang == "zh" else "%b %d"},
        yaxis={"title": None, **_axis_format(metric_id)},
    )
    return fig


def quadrant_figure(frame: pd.DataFrame, x_metric: str, y_metric: str, size_col: str,
                    label_col: str, lang: str) -> go.Figure:
    """Dealers as bubbles (size = volume) with median lines, so the four quadrants
    read as: good at both, good at one, weak at both."""
    data = frame.dropna(subset=[x_metric, y_metric])
    sizes = data[size_col].fillna(0).astype(float)
    scale = (sizes.max() or 1.0)
    fig = go.Figure(go.Scatter(
        x=data[x_metric], y=data[y_metric], mode="markers",
        marker={"size": 10 + 30 * (sizes / scale) ** 0.5, "color": BRAND, "opacity": 0.6,
                "line": {"width": 1, "color": "white"}},
        text=data[label_col],
        customdata=list(zip(
            [format_value(x_metric, v, lang) for v in data[x_metric]],
            [format_value(y_metric, v, lang) for v in data[y_metric]],
            [f"{int(v):,}" for v in sizes],
        )),
        hovertemplate=(
            "<b>%{text}</b><br>" + metric_name(x_metric, lang) + ": %{customdata[0]}<br>"
            + metric_name(y_metric, lang) + ": %{customdata[1]}<br>"
            + pick(("进厂台次", "Repair orders"), lang) + ": %{customdata[2]}<extra></extra>"
        ),
    ))
    if len(data):
        fig.add_vline(x=data[x_metric].median(), line_dash="dot", line_color=GREY,
                      annotation_text=pick(("中位数", "median"), lang), annotation_position="top")
        fig.add_hline(y=data[y_metric].median(), line_dash="dot", line_color=GREY,
                      annotation_text=pick(("中位数", "median"), lang), annotation_position="bottom left")
    fig.update_layout(
        height=460, margin={"l": 10, "r": 10, "t": 30, "b": 10}, font={"family": FONT},
        xaxis={"title": metric_name(x_metric, lang), **_axis_format(x_metric)},
        yaxis={"title": metric_name(y_metric, lang), **_axis_format(y_metric)},
    )
    return fig
