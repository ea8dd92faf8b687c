"""Words and small widgets for fair comparison, targets and early warning, shared
by the fair-comparison page, the store daily, the dealer comparison and the
complaints pages: status badges, interval text, the alert list and the
month-end projection table.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kpi.fairness import MIN_ALERT_COUNT, MIN_BENCHMARK_DEALERS, SPC_LOOKBACK, SPC_RECENT
from kpi.registry import METRICS
from kpi.stats.spc import SPC_RULES
from ui.i18n import DEALER_TYPE_NAMES, enum_name, format_value, metric_name, pick

TEXT: dict[str, tuple[str, str]] = {
    "meets": ("达标", "On target"),
    "tolerance": ("容差内", "Within tolerance"),
    "misses": ("未达标", "Off target"),
    "outside_band_worse": ("超出容差", "Beyond tolerance"),
    "outside_band_better": ("异常偏好·请核实", "Unusually good · check"),
    "no_target": ("未设目标", "No target set"),
    "no_value": ("无数据", "No data"),
    "interval": ("95% 区间", "95% interval"),
    "interval_help": ("威尔逊区间：真实比率以 95% 的把握落在此范围内。样本越少，区间越宽。",
                      "Wilson interval: the true rate lies in this range with 95% confidence. Fewer cases, wider range."),
    "status": ("目标状态", "Target status"),
    "attainment": ("达成率", "Attainment"),
    "attainment_help": ("实际 ÷ 目标（越低越好的指标为 目标 ÷ 实际）：高于 100% 即优于目标。",
                        "Actual ÷ target (target ÷ actual where lower is better): above 100% beats the target."),
    "no_alerts": ("预警窗口内没有异常信号。", "No signal in the alert window."),
    "alert_period": ("日期", "Date"),
    "alert_week": ("周（周一）", "Week of"),
    "alert_when": ("期间（周以周一计）", "Period (weeks by Monday)"),
    "alert_grain": ("粒度", "Points"),
    "grain_day": ("日", "day"),
    "grain_week": ("周", "week"),
    "alert_dealer": ("经销商", "Dealer"),
    "alert_chart": ("控制图", "Chart"),
    "alert_basis": ("投诉 / 开单", "Complaints / ROs"),
    "alert_value": ("数值", "Value"),
    "alert_centre": ("中心线", "Centre"),
    "alert_ucl": ("控制上限", "Upper limit"),
    "alert_signal": ("信号", "Signal"),
    "chart_rate": ("投诉率 u 图", "Complaint rate (u-chart)"),
    "chart_count": ("投诉量 c 图", "Complaint count (c-chart)"),
    "proj_metric": ("指标", "Metric"),
    "proj_to_date": ("本月至今", "Month to date"),
    "proj_projected": ("月末预测", "Month-end projection"),
    "proj_target": ("目标", "Target"),
    "proj_status": ("预测状态", "Projected status"),
    "proj_outlook": ("判断", "Outlook"),
    "matures_later": ("关闭满 30 天后才能判定", "Known 30 days after closing"),
    "not_projectable": ("无法预测", "Cannot be projected"),
    "decided_yes": ("已基本确定", "Already clear"),
    "decided_no": ("仍有机会改变", "Still open"),
    "on_track": ("按当前进度可达标", "On track"),
    "off_track": ("按当前进度将未达标", "Off track"),
    "room_left": ("本月剩余额度 {n}", "{n} left this month"),
    "over_by": ("已超出目标 {n}", "Already {n} over target"),
    "small": ("小", "small"),
    "medium": ("中", "medium"),
    "large": ("大", "large"),
    "peer_group_label": ("{type}·{size}规模", "{type}, {size}"),
}
# Titles of kpi.stats.METHOD_NOTES for the Definitions page.
METHOD_TITLES: dict[str, tuple[str, str]] = {
    "wilson": ("威尔逊置信区间", "Wilson interval"),
    "funnel": ("漏斗图", "Funnel plot"),
    "shrinkage": ("经验贝叶斯收缩", "Empirical-Bayes shrinkage"),
    "ranking": ("公平排名", "Fair ranking"),
    "spc": ("控制图", "Control charts"),
    "run_rules": ("判异规则", "Run rules"),
    "projection": ("月末预测", "Month-end projection"),
    "rag": ("红黄绿状态与达成率", "Red / amber / green and attainment"),
    "peer_groups": ("对标分组", "Peer groups"),
}
# How the dashboard applies the methods, where the notes leave a choice open.
_BASE_DAYS = SPC_LOOKBACK["day"] - SPC_RECENT["day"]
_BASE_WEEKS = SPC_LOOKBACK["week"] - SPC_RECENT["week"]
DASHBOARD_PRACTICE = (
    f"- **投诉控制图**：投诉率用 u 图（投诉 ÷ 当期开单；投诉不与同日工单一一对应，一天的投诉可能多于工单），投诉量用 c 图。"
    f"每家经销商以自己为基准：中心线取预警窗口之前的各期（按日：前 {_BASE_DAYS} 天；按周：前 {_BASE_WEEKS} 周）。\n"
    f"- **预警**只报坏消息：超出控制上限且至少 {MIN_ALERT_COUNT} 件投诉（均值很小时 1–2 件就会越过 3 倍标准误的上限，几十家店每天观察，偶然出现几乎必然）、连续 8 点高于中心线、"
    f"连续 6 点上升。预警窗口为最近 {SPC_RECENT['day']} 天或 {SPC_RECENT['week']} 周。\n"
    f"- **对标与隐私**：门店账号只看到自己，以及由不少于 {MIN_BENCHMARK_DEALERS} 家经销商汇总的全网或对标组数值；少于 {MIN_BENCHMARK_DEALERS} 家不显示，以免推算出他店数据。\n"
    f"- **目标状态**：好于容差上沿（越低越好时为低于下沿）按规则标红以便核实数据，但在表格中以蓝色“异常偏好·请核实”显示，以区别于未达标。",
    f"- **Complaint control charts**: the complaint rate on a u-chart (complaints ÷ ROs opened in the period; a "
    f"complaint is not tied to an RO of the same day, so a day can have more complaints than ROs), counts on a "
    f"c-chart. Each dealer is its own yardstick: the centre line comes from the periods before the alert window "
    f"({_BASE_DAYS} days, or {_BASE_WEEKS} weeks).\n"
    f"- **Alerts** are bad news only: above the upper limit with at least {MIN_ALERT_COUNT} complaints (around a tiny mean one or two "
    f"complaints cross the 3-sigma limit, and with dozens of dealers watched daily that happens by chance), "
    f"8 in a row above the centre line, 6 rising in a row; the alert window is "
    f"the last {SPC_RECENT['day']} days or {SPC_RECENT['week']} weeks.\n"
    f"- **Benchmarks and privacy**: a store account sees itself and network or peer-group figures pooled over at "
    f"least 5 dealers; under 5 nothing is shown, so no competitor's number can be worked out.\n"
    f"- **Target status**: a value beyond the band on the good side is flagged (red by the rule, to check the data) "
    f"but shown in blue as “Unusually good · check”, apart from a missed target.",
)
STATUS_BADGE = {"green": "green", "amber": "orange", "red": "red"}
# Cell colours of a status column (light, so the text stays readable).
STATUS_FILL = {"green": "#E3F1E4", "amber": "#FDF0DC", "red": "#F9E0E0"}
# A value beyond the band on the good side is flagged (red by kpi.targets: worth
# a look, perhaps a data problem) but is no failure: it gets its own colour so a
# league of excellent dealers does not read as a sea of red.
CHECK_FILL = "#E1ECF7"


def word(key: str, lang: str | None = None, **fields: Any) -> str:
    text = pick(TEXT[key], lang)
    return text.format(**fields) if fields else text


def status_text(reason: str | None, lang: str | None = None) -> str:
    return word(reason or "no_target", lang)


def status_badge(status: str | None, reason: str | None, lang: str | None = None) -> str:
    """Markdown for a coloured badge (grey without a status; blue for 'too good, check')."""
    colour = "blue" if reason == "outside_band_better" else STATUS_BADGE.get(status or "", "gray")
    return f":{colour}-badge[{status_text(reason, lang)}]"


def status_reason(value: float | None, target: dict | None, metric_id: str) -> tuple[str | None, str]:
    """(status, reason) of one value against a target dict {"target", "lower", "upper"}."""
    from kpi.fairness import status_reasons
    from kpi.targets import rag_status

    higher = METRICS[metric_id].higher_is_better
    if target is None or target.get("target") is None or higher is None:
        return None, "no_target"
    if value is None:
        return None, "no_value"
    reason = status_reasons([value], [target["target"]], [target.get("lower")], [target.get("upper")],
                            higher_is_better=higher)[0]
    return rag_status(value, target["target"], target.get("lower"), target.get("upper"), higher_is_better=higher), reason


def interval_text(lower: Any, upper: Any) -> str:
    if lower is None or upper is None or pd.isna(lower) or pd.isna(upper):
        return "—"
    return f"{float(lower) * 100:.1f}%–{float(upper) * 100:.1f}%"


def attainment_text(value: Any) -> str:
    if value is None or pd.isna(value):
        return "—"
    if value == float("inf"):
        return "∞"
    return f"{float(value) * 100:.0f}%"


def peer_group_name(peer_group: str | None, lang: str | None = None) -> str:
    """'4S/large' -> '4S店·大规模' / '4S store, large'."""
    if not peer_group or pd.isna(peer_group):
        return "—"
    dealer_type, _, size = str(peer_group).partition("/")
    return word("peer_group_label", lang, type=enum_name(DEALER_TYPE_NAMES, dealer_type, lang), size=word(size, lang))


def signals_text(signals: tuple[str, ...], lang: str | None = None) -> str:
    code = "zh" if (lang or "zh") == "zh" else "en"
    return "；".join(SPC_RULES[s][code] for s in signals) if code == "zh" else "; ".join(SPC_RULES[s][code] for s in signals)


def render_alerts(alerts: pd.DataFrame, lang: str, *, key: str, show_dealer: bool = True) -> None:
    """The early-warning list: one row per dealer, period and chart with an adverse signal."""
    if alerts is None or alerts.empty:
        st.success(word("no_alerts", lang), icon=":material/check_circle:")
        return
    grains = set(alerts["grain"]) if "grain" in alerts else {"day"}
    period_key = "alert_week" if grains == {"week"} else "alert_period" if grains == {"day"} else "alert_when"
    rows = pd.DataFrame({
        word(period_key, lang): pd.to_datetime(alerts["period"]),
        **({word("alert_grain", lang): [word(f"grain_{g}", lang) for g in alerts["grain"]]} if len(grains) > 1 else {}),
        **({word("alert_dealer", lang): alerts["dealer_name"]} if show_dealer and "dealer_name" in alerts else {}),
        word("alert_chart", lang): [word("chart_rate" if c == "rate" else "chart_count", lang) for c in alerts["chart"]],
        word("alert_value", lang): [_spc_number(r) for _, r in alerts.iterrows()],
        word("alert_basis", lang): [f"{c:,.0f} / {n:,.0f}" if ch == "rate" and not pd.isna(n) else ""
                                    for c, n, ch in zip(alerts["count"], alerts["exposure"], alerts["chart"])],
        word("alert_centre", lang): [_spc_number(r, "centre") for _, r in alerts.iterrows()],
        word("alert_ucl", lang): [_spc_number(r, "ucl") for _, r in alerts.iterrows()],
        word("alert_signal", lang): [signals_text(s, lang) for s in alerts["adverse"]],
    })
    st.dataframe(
        rows, hide_index=True, width="stretch", key=key, height=min(38 + 35 * len(rows), 320),
        column_config={rows.columns[0]: st.column_config.DateColumn(format="YYYY-MM-DD")},
    )


def _spc_number(row: pd.Series, column: str = "value") -> str:
    value = row[column]
    if value is None or pd.isna(value):
        return "—"
    if row["chart"] == "rate":
        return f"{float(value) * 100:.2f}%"
    return f"{float(value):,.0f}" if column == "value" else f"{float(value):,.2f}"


def projection_rows(projections: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The month-end projection as a table a manager reads: metric, month to date,
    projection (with its interval for a rate), target, status and outlook."""
    out = []
    for record in projections.to_dict("records"):
        # Missing values arrive as None or NaN depending on the column: one word for both.
        p = {k: (None if not isinstance(v, str) and pd.isna(v) else v) if not isinstance(v, (tuple, list)) else v
             for k, v in record.items()}
        metric_id = p["metric_id"]
        note = p.get("note")
        status = p.get("status")
        to_date = format_value(metric_id, p.get("to_date"), lang)
        if METRICS[metric_id].kind == "rate" and p.get("denominator"):
            basis = f"{p['numerator']:,.0f}/{p['denominator']:,.0f}"
            to_date += f"（{basis}）" if (lang or "zh") == "zh" else f" ({basis})"
        if note:
            projected = word(note, lang) if note in TEXT else "—"
        else:
            projected = format_value(metric_id, p.get("projected"), lang)
            if p.get("lower") is not None:
                projected += f"  [{interval_text(p['lower'], p['upper'])}]"
        target = format_value(metric_id, p["target"], lang) if p.get("target") is not None else word("no_target", lang)
        outlook = ""
        if not note and status is not None:
            outlook = word("on_track" if p.get("on_track") else "off_track", lang)
            if p.get("decided") is not None:
                outlook += " · " + word("decided_yes" if p["decided"] else "decided_no", lang)
            gap = p.get("gap_to_target")
            if gap is not None and METRICS[metric_id].higher_is_better is False:
                outlook += " · " + (word("room_left", lang, n=f"{gap:,.0f}") if gap >= 0
                                    else word("over_by", lang, n=f"{-gap:,.0f}"))
        reason = None if note else _reason_of(p, status)
        out.append({
            word("proj_metric", lang): metric_name(metric_id, lang),
            word("proj_to_date", lang): to_date,
            word("proj_projected", lang): projected,
            word("proj_target", lang): target,
            word("proj_status", lang): status_text(reason, lang) if reason else "—",
            word("proj_outlook", lang): outlook,
            "_status": status,
            "_reason": reason,
        })
    return pd.DataFrame(out)


def _reason_of(p: dict, status: str | None) -> str:
    if p.get("target") is None:
        return "no_target"
    if status is None:
        return "no_value"
    if status == "green":  # also a 'too good' value whose interval still reaches the band
        return "meets"
    from kpi.fairness import status_reasons

    higher = METRICS[p["metric_id"]].higher_is_better
    return status_reasons([p["projected"]], [p["target"]], [p.get("target_lower")], [p.get("target_upper")],
                          higher_is_better=bool(higher))[0]


def styled_status(frame: pd.DataFrame, status_column: str, colour_column: str = "_status",
                  reason_column: str | None = None) -> Any:
    """A Styler that fills the status cells by colour and hides the helper columns."""
    colours = frame[colour_column]
    reasons = frame[reason_column] if reason_column else pd.Series([None] * len(frame), index=frame.index)

    def fill(column: pd.Series) -> list[str]:
        if column.name != status_column:
            return [""] * len(column)
        return [f"background-color: {CHECK_FILL}" if r == "outside_band_better"
                else f"background-color: {STATUS_FILL[c]}" if c in STATUS_FILL else ""
                for c, r in zip(colours, reasons)]

    return frame.style.apply(fill, axis=0)


# column_config entries that keep the styling helpers off screen (a Styler's own
# hide() is not honoured once other columns are configured).
HIDDEN_HELPERS = {"_status": None, "_reason": None}


def render_projection(projections: pd.DataFrame, lang: str, *, key: str) -> None:
    rows = projection_rows(projections, lang)
    st.dataframe(styled_status(rows, word("proj_status", lang), reason_column="_reason"), hide_index=True,
                 width="stretch", key=key, column_config=HIDDEN_HELPERS)


__all__ = [
    "DASHBOARD_PRACTICE", "HIDDEN_HELPERS", "METHOD_TITLES", "TEXT", "attainment_text", "interval_text", "peer_group_name", "projection_rows", "render_alerts",
    "render_projection", "signals_text", "status_badge", "status_reason", "status_text", "styled_status", "word",
]
