"""指标口径 Definitions: every metric as the registry defines it, in the chosen language.

Read straight from kpi.registry, so this page cannot drift from the numbers.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi.registry import GROUPS, METRICS
from kpi.stats import METHOD_NOTES
from ui import current_lang, group_name, metric_name, page_title, pick, render_filters, setup_page, unit_label
from ui.fairness_widgets import DASHBOARD_PRACTICE, METHOD_TITLES
from ui.i18n import direction_label

setup_page(("指标口径", "Definitions"), icon="📖")
render_filters()
lang = current_lang()
page_title(("指标口径", "Definitions"),
           ("每个指标的公式、锚定时间、窗口或时限、单位与方向。全部页面共用同一套口径。",
            "Each metric's formula, anchor, window or SLA, unit and direction. Every page uses these definitions."))

ANCHOR_NOTE = ("锚定时间决定一条记录落在哪个期间。", "The anchor timestamp puts a row into a period.")
UNIT_NAMES = {
    "count": ("数量", "count"), "fraction": ("百分比", "percent"), "hours": ("小时", "hours"),
    "score": ("分（1–5）", "points (1–5)"), "gap": ("分（感知 − 期望）", "points (perception − expectation)"),
    "index": ("指数", "index"),
}
KIND_NAMES = {
    "count": ("计数", "count"), "rate": ("比率（分子和 ÷ 分母和）", "rate (Σ numerator ÷ Σ denominator)"),
    "ratio": ("比值指数", "ratio index"), "mean": ("平均值", "mean"), "quantile": ("分位数（线性插值）", "quantile (linear)"),
    "weighted": ("加权和", "weighted sum"),
}


def window_or_sla(metric) -> str:
    sql = " ".join(m.sql for m in metric.measures)
    if "$window_seconds" in sql or "$matured_before" in sql:
        return pick(("返修窗口 W = 30 天", "comeback window W = 30 days"))
    if "$response_sla" in sql:
        return pick(("响应时限 S = 24 小时", "response SLA S = 24 h"))
    if "$complaint_sla" in sql:
        return pick(("关闭时限 C = 72 小时", "closing SLA C = 72 h"))
    return ""


query = st.text_input(pick(("搜索指标", "Search metrics")), key="definitions_search",
                      placeholder=pick(("名称、编号或描述中的词", "a word of the name, id or description")))
needle = (query or "").strip().lower()

shown = 0
st.caption(pick(ANCHOR_NOTE))
for group_id in GROUPS:
    metrics = []
    for metric in METRICS.values():
        desc = metric.description_zh if lang == "zh" else metric.description_en
        haystack = " ".join([metric.id, metric.name_zh, metric.name_en, desc]).lower()
        if metric.group == group_id and (not needle or needle in haystack):
            metrics.append((metric, desc))
    if not metrics:
        continue
    st.subheader(group_name(group_id, lang))
    for metric, desc in metrics:
        shown += 1
        other_name = metric.name_en if lang == "zh" else metric.name_zh
        title = f"**{metric_name(metric.id, lang)}** · {other_name} · `{metric.id}`"
        # Expanded while searching: the match is what the user is looking for.
        with st.expander(title, expanded=bool(needle)):
            st.markdown(desc)
            facts = [
                (pick(("锚定时间", "Anchor")), f"`{metric.anchor}`"),
                (pick(("窗口 / 时限", "Window / SLA")), window_or_sla(metric) or "—"),
                (pick(("计算方式", "Kind")), pick(KIND_NAMES[metric.kind])),
                (pick(("单位", "Unit")), pick(UNIT_NAMES[metric.unit])),
                (pick(("方向", "Direction")), direction_label(metric.id, lang)),
            ]
            st.markdown("\n".join(f"- **{label}**：{value}" if lang == "zh" else f"- **{label}**: {value}"
                                   for label, value in facts))
if not shown:
    st.info(pick(("没有匹配的指标。", "No metric matches.")))

st.subheader(pick(("通用规则", "Common rules")))
st.markdown(pick((
    "- **期间**：开始、结束日期都包含在内；按日、周（ISO，周一开始）、月、季、年汇总，期间以第一天标记。\n"
    "- **数据截至（as_of）**：工单最晚的进厂或交车时间；窗口和时限类指标据此判断是否已成熟或已超时。\n"
    "- **比率 = 分子之和 ÷ 分母之和**：区域的比率不是各店比率的平均；分母为 0 时为空，不记为 0。\n"
    "- **时长**以小时计；中位数、P90 在相邻秩之间线性插值。",
    "- **Period**: start and end dates are inclusive; grains day, ISO week (Monday first), month, quarter, year, each labelled by its first day.\n"
    "- **as_of**: the latest check-in or hand-back of any repair order; window and SLA metrics use it to tell matured or overdue.\n"
    "- **Rate = Σ numerator ÷ Σ denominator**: a region's rate is not the mean of its dealers' rates; a zero denominator gives no value, never 0.\n"
    "- **Durations** are in hours; median and P90 interpolate linearly between closest ranks.",
)))


# Fair comparison and early warning (kpi.stats), titled in the chosen language;
# a search that matches a note opens it.
st.subheader(pick(("统计方法", "Methods")))
st.caption(pick(("公平对比、目标与预警所用的方法；“公平对比”页面使用它们。",
                 "The methods behind fair comparison, targets and early warning, as the Fair comparison page uses them.")))
for key, note in METHOD_NOTES.items():
    title = pick(METHOD_TITLES.get(key, (key, key)))
    text = note.get(lang) or note["zh"]
    matched = bool(needle) and needle in f"{key} {title} {text}".lower()
    if needle and not matched:
        continue
    with st.expander(f"**{title}** · `{key}`", expanded=matched):
        st.markdown(text)
with st.expander(pick(("**本看板的具体做法**", "**How this dashboard applies them**")), expanded=False):
    st.markdown(pick(DASHBOARD_PRACTICE))
