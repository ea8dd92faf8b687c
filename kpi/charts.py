"""Figures as pure functions: a DataFrame from `kpi.compute` (or a kpi-layer list or
histogram) in, a plotly Figure out. No Streamlit here, so every figure is tested on
its own; pages only place them.

Conventions every figure follows:
- values stay in the metric's own unit (a rate as the fraction kpi.compute returns,
  shown as % by the axis format), so a test can compare a trace with the frame;
- axis titles carry the unit: "投诉率（%）", "Repair cycle (h)", "投诉量（件）";
- colour carries meaning: green is better than the reference, red is worse,
  relative to the metric's direction (a low repeat-repair rate is green); volumes
  and categories without a direction are a neutral blue;
- the font family starts with Noto Sans CJK SC so Chinese renders the same on a
  Linux server, a Mac or a Windows client;
- a chart stays small: many dealers become the worst N plus one "the rest" bar (a
  ratio of sums, never an average of rates), or a heatmap with a row limit.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from kpi.registry import METRICS, SERVQUAL_NAMES, SERVQUAL_WEIGHT_POINTS

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
GOOD = "#2E7D32"
BAD = "#C62828"
WARNING = "#EF8A17"
NEUTRAL = "#3E6FA8"
ACCENT = "#E07B00"
MUTED = "#B8BEC8"
REFERENCE = "#555555"
# Survey score bands, from delighted to dissatisfied.
BAND_COLORS = {"very": "#1B7837", "satisfied": "#8CC68C", "neutral": "#D5D8DC", "dissatisfied": "#C62828"}

_TEXT: dict[str, tuple[str, str]] = {
    "period": ("期间", "Period"),
    "rest": ("其余 {n} 个", "{n} others"),
    "rest_dealers": ("其余 {n} 家", "{n} others"),
    "shown_of": ("（显示 {shown} / 共 {total}）", " (showing {shown} of {total})"),
    "showing": ("显示最需关注的 {shown} 个，共 {total} 个", "Showing the {shown} most notable of {total}"),
    "cumulative": ("累计占比", "Cumulative share"),
    "cumulative_axis": ("累计占比（%）", "Cumulative share (%)"),
    "pareto_80": ("80% 线", "80% line"),
    "share_axis": ("占比（%）", "Share (%)"),
    "surveys": ("份", "surveys"),
    "very": ("非常满意（5分）", "Very satisfied (5)"),
    "satisfied4": ("满意（4分）", "Satisfied (4)"),
    "neutral": ("一般（3分）", "Neutral (3)"),
    "dissatisfied": ("不满意（1–2分）", "Dissatisfied (1–2)"),
    "weight": ("权重 {w}%", "weight {w}%"),
    "weighted_gap": ("加权差距 {v}", "Weighted gap {v}"),
    "gap_axis": ("感知 − 期望（分）", "Perception − expectation (pts)"),
    "count_axis": ("数量", "Count"),
    "overflow": ("≥ {v}", "≥ {v}"),
    "status_row": ("处理状态", "Status"),
    "followup_row": ("已关闭的回访", "Follow-up of closed"),
    "closed_within": ("按时关闭", "Closed within SLA"),
    "closed_late": ("超时关闭", "Closed late"),
    "open_overdue": ("未关闭·已超时", "Open, overdue"),
    "open_pending": ("未关闭·未超时", "Open, within SLA"),
    "followed": ("已回访", "Followed up"),
    "not_followed": ("未回访", "Not followed up"),
    "cases_axis": ("投诉（件）", "Complaints (cases)"),
    "of_total": ("占 {p}", "{p} of total"),
}

# Unit words in axis titles, by the registry's unit.
_UNIT_WORDS = {
    "fraction": ("%", "%"),
    "hours": ("小时", "h"),
    "score": ("分", "pts"),
    "gap": ("分", "pts"),
    "index": ("", ""),
}
# What a count counts.
_COUNT_WORDS = {
    "ro_count": ("台次", "ROs"),
    "complaint_count": ("件", "cases"),
    "survey_count": ("份", "surveys"),
}


def text(key: str, lang: str, **fields: Any) -> str:
    words = _TEXT[key][0 if lang == "zh" else 1]
    return words.format(**fields) if fields else words


def metric_label(metric_id: str, lang: str) -> str:
    metric = METRICS[metric_id]
    return metric.name_zh if lang == "zh" else metric.name_en


def unit_words(metric_id: str, lang: str) -> str:
    metric = METRICS[metric_id]
    pair = _COUNT_WORDS.get(metric_id, ("个", "count")) if metric.unit == "count" else _UNIT_WORDS[metric.unit]
    return pair[0 if lang == "zh" else 1]


def with_unit(label: str, unit: str, lang: str) -> str:
    if not unit:
        return label
    return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"


def axis_title(metric_id: str, lang: str) -> str:
    """The metric's name with its unit: 投诉率（%）, Average repair cycle (h)."""
    return with_unit(metric_label(metric_id, lang), unit_words(metric_id, lang), lang)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(metric_id: str, value: Any, lang: str) -> str:
    """A value as a label on a chart shows it: 12.3%, 18.5 h, 1,204."""
    if _missing(value):
        return "—"
    unit = METRICS[metric_id].unit
    value = float(value)
    if unit == "fraction":
        return f"{value * 100:.1f}%"
    if unit == "hours":
        return f"{value:,.1f} {'小时' if lang == 'zh' else 'h'}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "gap":
        return f"{value:+.2f}"
    if unit == "score":
        return f"{value:.2f}"
    return f"{value:,.1f}"


def basis_text(metric_id: str, row: Mapping[str, Any]) -> str:
    """What stands behind a value: "87 / 95" for a rate, "n = 120" for a mean."""
    metric = METRICS[metric_id]
    if metric.kind in ("rate", "ratio") and f"{metric_id}__den" in row:
        num, den = row.get(f"{metric_id}__num"), row.get(f"{metric_id}__den")
        if not _missing(den):
            return f"{float(num or 0):,.0f} / {float(den):,.0f}"
    if metric.kind in ("mean", "quantile") and f"{metric_id}__n" in row and not _missing(row.get(f"{metric_id}__n")):
        return f"n = {float(row[f'{metric_id}__n']):,.0f}"
    return ""


def value_axis(metric_id: str) -> dict[str, Any]:
    unit = METRICS[metric_id].unit
    if unit == "fraction":
        # Trimmed precision: ticks every 0.5 % read 0.5 %, 1 %, 1.5 %, never 1 %, 1 %, 2 %.
        return {"tickformat": ".2~%", "rangemode": "tozero"}
    if unit == "count":
        return {"tickformat": ",d", "rangemode": "tozero"}
    if unit == "hours":
        return {"tickformat": ",.0f", "rangemode": "tozero"}
    return {"tickformat": ",.2f"}


def colour_for(metric_id: str, value: Any, reference: Any, tolerance: float = 0.01) -> str:
    """Green when better than the reference in the metric's direction, red when worse.
    Within `tolerance` (relative) of the reference it is on par and stays neutral:
    62.7 % against 62.8 % is no news worth a red bar."""
    better = METRICS[metric_id].higher_is_better
    if better is None or _missing(value) or _missing(reference):
        return NEUTRAL
    value, reference = float(value), float(reference)
    if abs(value - reference) <= tolerance * abs(reference):
        return NEUTRAL
    return GOOD if (value > reference) == better else BAD


def _layout(fig: go.Figure, height: int, **extra: Any) -> go.Figure:
    settings: dict[str, Any] = dict(
        template="plotly_white",
        font={"family": FONT_FAMILY, "size": 13, "color": "#262730"},
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        separators=".,",
    )
    settings.update(extra)
    fig.update_layout(**settings)
    return fig


def _period_axis(frame: pd.DataFrame, lang: str, grain: str | None) -> dict[str, Any]:
    fmt = {"month": "%Y-%m" if lang == "zh" else "%b %Y", "week": "%m-%d" if lang == "zh" else "%b %d"}.get(
        grain or "", "%Y-%m-%d" if lang == "zh" else "%b %d"
    )
    axis: dict[str, Any] = {"title": text("period", lang), "tickformat": fmt}
    if grain == "month" and len(frame) <= 24:
        axis["dtick"] = "M1"
    return axis


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records")


# ---------------------------------------------------------------- over time


def trend_chart(
    frame: pd.DataFrame,
    metric_id: str,
    lang: str,
    *,
    grain: str | None = None,
    reference: float | None = None,
    reference_label: str | None = None,
    as_bars: bool = False,
) -> go.Figure:
    """One metric over `period`: a line (or bars for a count), with an optional
    reference (target or network value) as a dashed line."""
    data = frame.sort_values("period")
    rows = _rows(data)
    hover = [f"{format_number(metric_id, r[metric_id], lang)}  {basis_text(metric_id, r)}".strip() for r in rows]
    name = metric_label(metric_id, lang)
    if as_bars:
        trace = go.Bar(x=data["period"], y=data[metric_id], name=name, marker_color=NEUTRAL,
                       customdata=hover, hovertemplate="%{x}<br>%{customdata}<extra></extra>")
    else:
        trace = go.Scatter(x=data["period"], y=data[metric_id], name=name, mode="lines+markers",
                           line={"color": NEUTRAL, "width": 2}, marker={"size": 7}, connectgaps=False,
                           customdata=hover, hovertemplate="%{x}<br>%{customdata}<extra></extra>")
    fig = go.Figure(trace)
    if not _missing(reference):
        fig.add_hline(y=reference, line_dash="dash", line_color=REFERENCE,
                      annotation_text=f"{reference_label or ''} {format_number(metric_id, reference, lang)}".strip(),
                      annotation_position="top left")
    fig.update_xaxes(**_period_axis(data, lang, grain))
    fig.update_yaxes(title=axis_title(metric_id, lang), **value_axis(metric_id))
    return _layout(fig, 340, showlegend=False)


def count_and_rate_chart(
    frame: pd.DataFrame, count_id: str, rate_id: str, lang: str, *, grain: str | None = None
) -> go.Figure:
    """A volume as bars (left axis) and a rate as a line (right axis) per period, e.g.
    complaints and the complaint rate: the rate says whether more complaints only
    mean more cars."""
    data = frame.sort_values("period")
    rows = _rows(data)
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=data["period"], y=data[count_id], name=axis_title(count_id, lang), marker_color=NEUTRAL, opacity=0.85,
        hovertemplate="%{x}<br>%{y:,d}<extra>" + metric_label(count_id, lang) + "</extra>",
    ))
    fig.add_trace(go.Scatter(
        x=data["period"], y=data[rate_id], name=axis_title(rate_id, lang), yaxis="y2", mode="lines+markers",
        line={"color": ACCENT, "width": 2.5}, marker={"size": 7}, connectgaps=False,
        customdata=[f"{format_number(rate_id, r[rate_id], lang)}  ({basis_text(rate_id, r)})" for r in rows],
        hovertemplate="%{x}<br>%{customdata}<extra>" + metric_label(rate_id, lang) + "</extra>",
    ))
    fig.update_xaxes(**_period_axis(data, lang, grain))
    fig.update_layout(
        yaxis={"title": axis_title(count_id, lang), **value_axis(count_id)},
        # tickmode auto: synced ticks would put the rate at odd values like 4.5 %.
        yaxis2={"title": axis_title(rate_id, lang), "overlaying": "y", "side": "right", "showgrid": False,
                "tickmode": "auto", **value_axis(rate_id)},
        bargap=0.25,
    )
    return _layout(fig, 360)


def satisfaction_mix_chart(
    frame: pd.DataFrame,
    lang: str,
    *,
    category_column: str = "period",
    grain: str | None = None,
    horizontal: bool = False,
) -> go.Figure:
    """Survey scores as four stacked shares that add up to 100 %: very satisfied (5),
    satisfied (4), neutral (3), dissatisfied (1–2). Built from the numerators and the
    shared denominator of satisfied_rate, very_satisfied_rate and dissatisfied_rate,
    so the two green bands together are the satisfied rate."""
    data = frame[frame["satisfied_rate__den"].fillna(0) > 0].copy()
    den = data["satisfied_rate__den"].astype(float)
    sat, very, dis = (data[f"{m}__num"].astype(float) for m in ("satisfied_rate", "very_satisfied_rate", "dissatisfied_rate"))
    bands = [
        ("very", very),
        ("satisfied4", sat - very),
        ("neutral", den - sat - dis),
        ("dissatisfied", dis),
    ]
    colours = [BAND_COLORS["very"], BAND_COLORS["satisfied"], BAND_COLORS["neutral"], BAND_COLORS["dissatisfied"]]
    categories = data[category_column]
    fig = go.Figure()
    for (key, counts), colour in zip(bands, colours):
        shares = counts / den
        custom = [f"{c:,.0f} / {d:,.0f}" for c, d in zip(counts, den)]
        common = dict(name=text(key, lang), marker_color=colour, customdata=custom,
                      texttemplate="%{value:.0%}", textposition="inside", insidetextanchor="middle")
        if horizontal:
            fig.add_trace(go.Bar(y=categories, x=shares, orientation="h",
                                 hovertemplate="%{y}<br>%{x:.1%} (%{customdata})<extra>" + text(key, lang) + "</extra>",
                                 **common))
        else:
            fig.add_trace(go.Bar(x=categories, y=shares,
                                 hovertemplate="%{x}<br>%{y:.1%} (%{customdata})<extra>" + text(key, lang) + "</extra>",
                                 **common))
    share_axis = {"title": text("share_axis", lang), "tickformat": ".0%", "range": [0, 1]}
    if horizontal:
        fig.update_xaxes(**share_axis)
        fig.update_yaxes(title=None, autorange="reversed", type="category")
        height = max(260, 34 * len(data) + 110)
    else:
        fig.update_yaxes(**share_axis)
        if category_column == "period":
            fig.update_xaxes(**_period_axis(data, lang, grain))
        height = 360
    fig.update_layout(barmode="stack", bargap=0.2, uniformtext={"minsize": 10, "mode": "hide"},
                      legend={"traceorder": "normal"})
    return _layout(fig, height)


def heatmap_chart(
    frame: pd.DataFrame,
    row_column: str,
    metric_id: str,
    lang: str,
    *,
    row_labels: Mapping[Any, str] | None = None,
    grain: str | None = None,
    max_rows: int = 40,
) -> go.Figure:
    """Rows (dealers, models) × periods, coloured by the metric: green is good in its
    direction. For many rows only the first `max_rows` in the frame's order are drawn
    (the caller sorts, e.g. worst first)."""
    row_ids = list(dict.fromkeys(frame[row_column]))
    total = len(row_ids)
    row_ids = row_ids[:max_rows]
    data = frame[frame[row_column].isin(row_ids)]
    table = data.pivot_table(index=row_column, columns="period", values=metric_id, aggfunc="first", dropna=False)
    table = table.reindex(row_ids)
    periods = sorted(table.columns)
    table = table[periods]
    labels = [(row_labels or {}).get(r, str(r)) for r in row_ids]
    better = METRICS[metric_id].higher_is_better
    scale = "RdYlGn" if better is not False else "RdYlGn_r"
    cell_text = [[format_number(metric_id, v, lang) if not _missing(v) else "" for v in row] for row in table.to_numpy()]
    fmt = "%Y-%m" if grain == "month" else "%m-%d"
    fig = go.Figure(go.Heatmap(
        z=table.to_numpy(dtype=float), x=[p.strftime(fmt) if hasattr(p, "strftime") else str(p) for p in periods],
        y=labels, colorscale=scale, text=cell_text, texttemplate="%{text}", hoverongaps=False,
        colorbar={"title": {"text": unit_words(metric_id, lang)}, "tickformat": ".2~%" if METRICS[metric_id].unit == "fraction" else None},
        hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
    ))
    title = axis_title(metric_id, lang) + (text("shown_of", lang, shown=len(row_ids), total=total) if total > len(row_ids) else "")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=text("period", lang), type="category")
    return _layout(fig, max(260, 26 * len(row_ids) + 120), title={"text": title, "font": {"size": 14}})


# ---------------------------------------------------------------- by category


def ranked_bars(
    frame: pd.DataFrame,
    metric_id: str,
    label_column: str,
    lang: str,
    *,
    id_column: str | None = None,
    reference: float | None = None,
    reference_label: str | None = None,
    top_n: int = 15,
    rest_label_key: str = "rest",
) -> go.Figure:
    """Horizontal bars, the worst (or the largest volume) at the top. Beyond `top_n`
    rows the rest become one grey bar when the metric can be pooled (a count is
    summed, a rate is Σnum / Σden); otherwise they are left out and the title says
    how many are shown. Each bar's customdata holds its id for click-through; the
    pooled bar has none."""
    data = frame.dropna(subset=[metric_id]).copy()
    metric = METRICS[metric_id]
    worst_first_descending = metric.higher_is_better is not True
    data = data.sort_values(metric_id, ascending=not worst_first_descending, kind="stable")
    total = len(data)
    shown = data.head(top_n)
    rest = data.iloc[top_n:]
    labels = _unique_labels(shown, label_column, id_column)
    values = list(shown[metric_id].astype(float))
    ids = list(shown[id_column]) if id_column else labels
    colours = [colour_for(metric_id, v, reference) if reference is not None else NEUTRAL for v in values]
    hover = [basis_text(metric_id, r) for r in _rows(shown)]
    pooled = None
    if len(rest):
        if metric.kind == "count":
            pooled = float(rest[metric_id].sum())
            pooled_hover = ""
        elif metric.kind == "rate" and f"{metric_id}__den" in rest and rest[f"{metric_id}__den"].sum() > 0:
            num, den = float(rest[f"{metric_id}__num"].sum()), float(rest[f"{metric_id}__den"].sum())
            pooled = num / den
            pooled_hover = f"{num:,.0f} / {den:,.0f}"
        if pooled is not None:
            labels.append(text(rest_label_key, lang, n=len(rest)))
            values.append(pooled)
            ids.append(None)
            colours.append(MUTED)
            hover.append(pooled_hover)
    fig = go.Figure(go.Bar(
        y=labels, x=values, orientation="h", marker_color=colours,
        # Inside the bar end when it fits, so a reference line never crosses a label.
        text=[format_number(metric_id, v, lang) for v in values], textposition="auto", insidetextanchor="end", textangle=0,
        cliponaxis=False,
        customdata=[[i, h] for i, h in zip(ids, hover)],
        hovertemplate="%{y}<br>%{text}  %{customdata[1]}<extra></extra>",
    ))
    if not _missing(reference):
        fig.add_vline(x=reference, line_dash="dash", line_color=REFERENCE,
                      annotation_text=f"{reference_label or ''} {format_number(metric_id, reference, lang)}".strip(),
                      annotation_position="top")
    title = None
    if pooled is None and len(rest):
        title = {"text": text("showing", lang, shown=len(shown), total=total), "font": {"size": 12}}
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels, autorange="reversed", title=None)
    axis = value_axis(metric_id)
    top = max([v for v in values if not _missing(v)] + [float(reference) if not _missing(reference) else 0.0, 0.0])
    if top > 0:
        axis["range"] = [0, top * 1.18]  # room for the value labels outside the bars
    fig.update_xaxes(title=axis_title(metric_id, lang), **axis)
    extra = {"title": title} if title else {}
    return _layout(fig, max(220, 30 * len(labels) + 110), showlegend=False, **extra)


def _unique_labels(frame: pd.DataFrame, label_column: str, id_column: str | None) -> list[str]:
    """Labels as shown; two dealers of the same name get their ids added, or plotly
    would draw them as one bar."""
    labels = ["—" if _missing(v) else str(v) for v in frame[label_column]]
    if id_column and len(set(labels)) < len(labels):
        seen = pd.Series(labels).duplicated(keep=False)
        labels = [f"{lab} ({i})" if dup else lab for lab, i, dup in zip(labels, frame[id_column], seen)]
    return labels


def pareto_chart(
    frame: pd.DataFrame, count_column: str, label_column: str, lang: str, *, id_column: str | None = None,
    count_title: str | None = None,
) -> go.Figure:
    """Causes as bars, largest first, with the cumulative share as a line on a 0–100 %
    axis and the 80 % line: the causes left of where the line crosses 80 % (the
    "vital few", in full colour) account for most complaints."""
    data = frame[frame[count_column].fillna(0) > 0].sort_values(count_column, ascending=False, kind="stable")
    counts = data[count_column].astype(float)
    total = counts.sum()
    cumulative = counts.cumsum() / total if total else counts * 0
    before = cumulative.shift(fill_value=0.0)
    labels = _unique_labels(data, label_column, id_column)
    ids = list(data[id_column]) if id_column else labels
    colours = [NEUTRAL if b < 0.8 else MUTED for b in before]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=labels, y=counts, name=count_title or text("cases_axis", lang), marker_color=colours,
        text=[f"{c:,.0f}" for c in counts], textposition="outside", cliponaxis=False,
        customdata=[[i, f"{c / total:.1%}" if total else ""] for i, c in zip(ids, counts)],
        hovertemplate="%{x}<br>%{y:,d} · %{customdata[1]}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=labels, y=cumulative, name=text("cumulative", lang), yaxis="y2", mode="lines+markers+text",
        line={"color": ACCENT, "width": 2.5}, marker={"size": 7},
        text=[f"{c:.0%}" for c in cumulative], textposition="top center",
        hovertemplate="%{x}<br>%{y:.1%}<extra>" + text("cumulative", lang) + "</extra>",
    ))
    fig.add_hline(y=0.8, yref="y2", line_dash="dot", line_color=REFERENCE,
                  annotation_text=text("pareto_80", lang), annotation_position="bottom right")
    fig.update_layout(
        xaxis={"type": "category", "title": None},
        yaxis={"title": count_title or text("cases_axis", lang), "tickformat": ",d", "rangemode": "tozero",
               "range": [0, (counts.max() if len(counts) else 1) * 1.2]},
        yaxis2={"title": text("cumulative_axis", lang), "overlaying": "y", "side": "right", "range": [0, 1.1],
                "tickformat": ".0%", "tickmode": "array", "tickvals": [0, 0.2, 0.4, 0.6, 0.8, 1.0],
                "showgrid": False},
    )
    return _layout(fig, 380)


def servqual_gap_chart(row: Mapping[str, Any], lang: str) -> go.Figure:
    """The five SERVQUAL gaps (perception − expectation) as bars, heaviest weight
    first, each labelled with its weight; the weighted gap as a dashed line. Below
    zero (red) the customers got less than they expected."""
    dims = list(SERVQUAL_WEIGHT_POINTS)
    labels = [
        f"{SERVQUAL_NAMES[d][0 if lang == 'zh' else 1]}<br>{text('weight', lang, w=SERVQUAL_WEIGHT_POINTS[d])}"
        for d in dims
    ]
    values = [None if _missing(row.get(f"servqual_gap_{d}")) else float(row[f"servqual_gap_{d}"]) for d in dims]
    samples = [row.get(f"servqual_gap_{d}__n") for d in dims]
    colours = [MUTED if v is None else (GOOD if v >= 0 else BAD) for v in values]
    fig = go.Figure(go.Bar(
        x=labels, y=values, marker_color=colours,
        text=["—" if v is None else f"{v:+.2f}" for v in values], textposition="outside", cliponaxis=False,
        customdata=[[d, "" if _missing(n) else f"n = {float(n):,.0f}"] for d, n in zip(dims, samples)],
        hovertemplate="%{x}<br>%{text}  %{customdata[1]}<extra></extra>",
    ))
    weighted = row.get("servqual_weighted_gap")
    if not _missing(weighted):
        fig.add_hline(y=float(weighted), line_dash="dash", line_color=REFERENCE,
                      annotation_text=text("weighted_gap", lang, v=f"{float(weighted):+.2f}"),
                      annotation_position="top right")
    present = [v for v in values if v is not None] + ([float(weighted)] if not _missing(weighted) else [])
    low, high = min(present + [0.0]), max(present + [0.0])
    pad = max(0.25, (high - low) * 0.2)
    fig.update_yaxes(title=text("gap_axis", lang), zeroline=True, zerolinewidth=2, zerolinecolor="#888",
                     range=[low - pad, high + pad], tickformat="+.1f")
    fig.update_xaxes(type="category", title=None)
    return _layout(fig, 360, showlegend=False)


# ---------------------------------------------------------------- distributions


def histogram_chart(
    bins: pd.DataFrame,
    lang: str,
    *,
    value_title: str,
    count_title: str,
    bin_width: float,
    markers: Sequence[tuple[str, float | None, str]] = (),
) -> go.Figure:
    """Bin counts (bin_start, bin_end, count, is_overflow) as touching bars; the
    overflow bin, if any, is grey and labelled "≥ x". `markers` are vertical lines
    (label, value, colour) such as p50, p90 or an SLA."""
    regular = bins[~bins["is_overflow"]]
    overflow = bins[bins["is_overflow"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=regular["bin_start"] + bin_width / 2, y=regular["count"], width=bin_width, marker_color=NEUTRAL,
        marker_line={"color": "white", "width": 0.5}, name=count_title,
        customdata=list(zip(regular["bin_start"], regular["bin_end"])),
        hovertemplate="%{customdata[0]:,.4~g} – %{customdata[1]:,.4~g}<br>%{y:,d}<extra></extra>",
    ))
    if len(overflow):
        edge = float(overflow["bin_start"].iloc[0])
        label = text("overflow", lang, v=f"{edge:,.4g}")
        fig.add_trace(go.Bar(
            x=[edge + bin_width / 2], y=overflow["count"], width=bin_width, marker_color=MUTED, name=label,
            text=[label], textposition="none", hovertemplate=label + "<br>%{y:,d}<extra></extra>",
        ))
        # As an annotation, not bar text: a one-bin-wide bar would shrink the text to nothing.
        fig.add_annotation(x=edge + bin_width / 2, y=float(overflow["count"].iloc[0]), text=label, showarrow=False,
                           yanchor="bottom", yshift=2, font={"size": 11, "color": REFERENCE})
    top = float(bins["count"].max()) if len(bins) else 1.0
    for i, (name, value, colour) in enumerate(markers):
        if _missing(value):
            continue
        fig.add_vline(x=float(value), line_dash="dash", line_color=colour, line_width=2)
        # Labels staggered in height so close markers (p50 next to p90) stay readable.
        fig.add_annotation(x=float(value), y=top * (1.18 - 0.1 * i), text=name, showarrow=False,
                           xanchor="left", xshift=4, font={"color": colour, "size": 12})
    fig.update_xaxes(title=value_title, rangemode="tozero")
    fig.update_yaxes(title=count_title, tickformat=",d", range=[0, top * 1.25 if top else 1],
                     dtick=1 if top <= 8 else None)  # whole cases only: no 0, 1, 1, 2, 2 ticks
    return _layout(fig, 340, showlegend=False, bargap=0)


# ---------------------------------------------------------------- complaint loop


def closed_loop_chart(summary: Mapping[str, Any], lang: str) -> go.Figure:
    """The complaint closed loop in two stacked bars of case counts: status
    (closed within SLA, closed late, open and overdue, open within SLA) and, of the
    closed, followed up or not. `summary` is one row of closed_loop_summary."""
    rows = [text("status_row", lang), text("followup_row", lang)]
    segments = [
        (rows[0], "closed_within", int(summary["closed_within_sla"]), GOOD),
        (rows[0], "closed_late", int(summary["closed_past_sla"]), WARNING),
        (rows[0], "open_overdue", int(summary["open_past_sla"]), BAD),
        (rows[0], "open_pending", int(summary["pending"]), MUTED),
        (rows[1], "followed", int(summary["followed_up"]), GOOD),
        (rows[1], "not_followed", int(summary["closed_not_followed_up"]), BAD),
    ]
    totals = {rows[0]: int(summary["complaints"]), rows[1]: int(summary["closed"])}
    fig = go.Figure()
    for row_label, key, count, colour in segments:
        share = count / totals[row_label] if totals[row_label] else 0.0
        fig.add_trace(go.Bar(
            y=[row_label], x=[count], orientation="h", name=text(key, lang), marker_color=colour,
            text=[f"{count:,}" if count else ""], textposition="inside", insidetextanchor="middle",
            customdata=[[key, f"{share:.0%}"]],
            hovertemplate=text(key, lang) + ": %{x:,d} (%{customdata[1]})<extra></extra>",
        ))
    # Legend in the order of the segments (plotly reverses it for stacked bars by default).
    fig.update_layout(barmode="stack", bargap=0.35, legend={"traceorder": "normal"})
    fig.update_yaxes(autorange="reversed", type="category", title=None)
    fig.update_xaxes(title=text("cases_axis", lang), tickformat=",d")
    return _layout(fig, 250, margin={"l": 10, "r": 10, "t": 70, "b": 10})


def points_customdata(event: Any) -> list[Any]:
    """The first customdata value of each selected point of an `on_select` event
    (Streamlit's PlotlyState), or [] when nothing is selected."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        points = getattr(getattr(event, "selection", None), "points", None) or []
    found = []
    for point in points or []:
        data = point.get("customdata") if isinstance(point, Mapping) else None
        if isinstance(data, (list, tuple)):
            data = data[0] if data else None
        if data is not None and not (isinstance(data, float) and math.isnan(data)):
            found.append(data)
    return found
