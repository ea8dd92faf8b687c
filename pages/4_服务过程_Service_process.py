"""服务过程 Service process: first-time fix, repeat repairs, repair cycle, on-time
delivery and response times, with their distributions and a breakdown by dealer,
model or fault code.

Every number comes from kpi.compute; the histograms from kpi.distributions, which
bins the same rows in DuckDB (p50 lines are the registry's medians).
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from analysis_ui.cache import cached_rows
from kpi import charts
from kpi.registry import METRICS, dimensions_of
from ui import (
    card_grid, compute_cached, dealer_label, current_lang, download_buttons, empty_state, format_hours, get_database, load_cards,
    metric_name, page_title, pick, previous_period, render_filters, setup_page, t,
)
from ui.data import cached_records

TITLE = ("服务过程", "Service process")
WINDOW_DAYS = 30
RESPONSE_SLA_HOURS = 24
CARDS = (
    "first_time_fix_rate", "repeat_repair_rate", "on_time_delivery_rate", "response_sla_rate",
    "avg_repair_cycle_hours", "median_repair_cycle_hours", "avg_response_hours", "p90_response_hours",
)
BREAKDOWN_METRICS = (
    "first_time_fix_rate", "repeat_repair_rate", "avg_repair_cycle_hours", "median_repair_cycle_hours",
    "on_time_delivery_rate", "avg_response_hours", "median_response_hours", "p90_response_hours", "response_sla_rate",
)
VOLUME = {"dealer_id": "ro_count", "product_id": "ro_count", "fault_code": "ro_count"}

setup_page(TITLE, icon="🔧")
f = render_filters()
db = get_database()
lang = current_lang()
page_title(TITLE, (
    "一次修复、返修、维修周期、按时交车与响应时间：看分布，也看哪家店、哪个车型、哪个故障码拖了后腿。",
    "First-time fix, repeat repairs, repair cycle, on-time delivery and response time: the distributions, "
    "and which dealer, model or fault code holds the numbers back.",
))
if db.as_of is None:
    empty_state(t("no_data_selection"))
    st.stop()
filters = f.compute_filters()

activity = compute_cached(db, ["ro_count", "avg_response_hours"], scope=f.scope, start=f.start, end=f.end,
                          filters=filters)
if activity.empty or (int(activity["ro_count"].iloc[0]) == 0 and int(activity["avg_response_hours__n"].iloc[0]) == 0):
    if f.dealer_id:  # name the dealer: "no data" alone reads like a broken page
        empty_state(t("no_data_dealer", dealer=dealer_label(db, f.dealer_id, f.scope)))
    else:
        empty_state(t("no_data_selection"))
    st.stop()

# ---------------------------------------------------------------- cards
period = (f.start, f.end)
previous = previous_period(*period)
shift = timedelta(days=WINDOW_DAYS)
# First-time fix is known only W days after a repair closes: read it W days earlier.
own = (period[0] - shift, period[1] - shift)
own_previous = (previous[0] - shift, previous[1] - shift)
cards = load_cards(
    db, CARDS, scope=f.scope, period=period, previous_period=previous, filters=filters,
    dealer_id=f.dealer_id, region_id=f.region_id,
    shifted={"first_time_fix_rate": (own, own_previous, t("not_matured", days=WINDOW_DAYS,
                                                           start=f"{own[0]:%m-%d}", end=f"{own[1]:%m-%d}"))},
)
card_grid(cards, key="svc_cards")
st.caption(pick((
    f"一次修复率按 {own[0]:%m-%d}–{own[1]:%m-%d} 关闭的维修计算（关闭满 {WINDOW_DAYS} 天才能判定）；其余指标按所选期间。",
    f"First-time fix counts repairs closed {own[0]:%b %d}–{own[1]:%b %d} (known {WINDOW_DAYS} days after closing); "
    "the other cards the selected period.",
)))

# ---------------------------------------------------------------- distributions
st.divider()
left, right = st.columns(2)
hours_word = pick(("小时", "h"))
with left:
    st.subheader(pick(("维修周期分布", "Repair cycle distribution")))
    cycle = compute_cached(db, ["median_repair_cycle_hours", "avg_repair_cycle_hours"], scope=f.scope,
                           start=f.start, end=f.end, filters=filters).iloc[0]
    hist = cached_rows(db, "histogram", scope=f.scope, quantity="repair_cycle_hours", start=f.start, end=f.end,
                       filters=filters)
    if hist.empty:
        empty_state(pick(("所选期间没有已交车的工单。", "No repair order handed back in this period.")))
    else:
        p50 = cycle["median_repair_cycle_hours"]
        p90 = hist.quantiles[0.9]
        st.plotly_chart(charts.histogram_chart(
            hist.bins, lang, value_title=pick(("维修周期（小时）", "Repair cycle (h)")),
            count_title=pick(("工单（张）", "Repair orders")), bin_width=hist.bin_width,
            markers=[(f"P50 {format_hours(p50, lang)}", p50, charts.GOOD),
                     (f"P90 {format_hours(p90, lang)}", p90, charts.ACCENT)],
        ), width="stretch", theme=None, key="svc_cycle_hist")
        st.caption(pick((
            f"已交车工单 n = {hist.n:,}，平均 {format_hours(cycle['avg_repair_cycle_hours'], lang)}；灰色柱为超过 {hist.upper:,.0f} {hours_word} 的长尾。",
            f"Handed-back ROs n = {hist.n:,}, mean {format_hours(cycle['avg_repair_cycle_hours'], lang)}; "
            f"the grey bar is the tail beyond {hist.upper:,.0f} {hours_word}.",
        )) if hist.bins["is_overflow"].any() else pick((
            f"已交车工单 n = {hist.n:,}，平均 {format_hours(cycle['avg_repair_cycle_hours'], lang)}。",
            f"Handed-back ROs n = {hist.n:,}, mean {format_hours(cycle['avg_repair_cycle_hours'], lang)}.",
        )))
with right:
    st.subheader(pick(("响应时间分布", "Response time distribution")))
    response = compute_cached(db, ["median_response_hours", "p90_response_hours", "avg_response_hours", "response_sla_rate"],
                              scope=f.scope, start=f.start, end=f.end, filters=filters,
                              response_sla_hours=RESPONSE_SLA_HOURS).iloc[0]
    hist = cached_rows(db, "histogram", scope=f.scope, quantity="response_hours", start=f.start, end=f.end,
                       filters=filters, reach_at_least=RESPONSE_SLA_HOURS * 1.25)
    if hist.empty:
        empty_state(pick(("所选期间没有已响应的服务请求。", "No answered service request in this period.")))
    else:
        st.plotly_chart(charts.histogram_chart(
            hist.bins, lang, value_title=pick(("响应时间（小时）", "Response time (h)")),
            count_title=pick(("服务请求（个）", "Service requests")), bin_width=hist.bin_width,
            markers=[
                (f"P50 {format_hours(response['median_response_hours'], lang)}", response["median_response_hours"], charts.GOOD),
                (f"P90 {format_hours(response['p90_response_hours'], lang)}", response["p90_response_hours"], charts.ACCENT),
                (f"SLA {RESPONSE_SLA_HOURS} {hours_word}", RESPONSE_SLA_HOURS, charts.BAD),
            ],
        ), width="stretch", theme=None, key="svc_response_hist")
        st.caption(pick((
            f"已响应请求 n = {hist.n:,}，平均 {format_hours(response['avg_response_hours'], lang)}；"
            f"{RESPONSE_SLA_HOURS} 小时内响应 {response['response_sla_rate__num']:,.0f} / {response['response_sla_rate__den']:,.0f}。",
            f"Answered requests n = {hist.n:,}, mean {format_hours(response['avg_response_hours'], lang)}; "
            f"answered within {RESPONSE_SLA_HOURS} h: {response['response_sla_rate__num']:,.0f} / {response['response_sla_rate__den']:,.0f}.",
        )))

# ---------------------------------------------------------------- breakdown
st.divider()
st.subheader(pick(("分项对比", "Breakdown")))
DIMENSIONS = {"dealer_id": ("经销商", "Dealer"), "product_id": ("车型", "Model"), "fault_code": ("故障码", "Fault code")}
b1, b2 = st.columns([2, 3])
dim = b1.segmented_control(pick(("对比维度", "Compare by")), list(DIMENSIONS), default="dealer_id", key="svc_dim",
                           format_func=lambda d: pick(DIMENSIONS[d])) or "dealer_id"
options = [m for m in BREAKDOWN_METRICS if dim in dimensions_of(METRICS[m])]
if st.session_state.get("svc_metric") not in options:
    st.session_state["svc_metric"] = options[0]
metric_id = b2.selectbox(pick(("指标", "Metric")), options, key="svc_metric", format_func=lambda m: metric_name(m, lang))
if dim == "fault_code":
    st.caption(pick(("响应时间类指标来自服务请求，没有故障码，故不在此列。",
                     "Response metrics come from service requests, which have no fault code, so they are not offered here.")))

# The matured period for first-time fix, the selected one for everything else.
m_start, m_end = own if metric_id == "first_time_fix_rate" else period
by_dim = compute_cached(db, [metric_id], scope=f.scope, by=[dim], start=m_start, end=m_end, filters=filters,
                        response_sla_hours=RESPONSE_SLA_HOURS)
overall = compute_cached(db, [metric_id], scope=f.scope, start=m_start, end=m_end, filters=filters,
                         response_sla_hours=RESPONSE_SLA_HOURS).iloc[0][metric_id]
dealers = cached_records(db, "dealers", scope=f.scope)
products = cached_records(db, "products", scope=f.scope)
names = {
    "dealer_id": dict(zip(dealers["dealer_id"], dealers["dealer_name"])),
    "product_id": dict(zip(products["product_id"], products["model_name"])),
    "fault_code": {},
}[dim]
no_fault = pick(("无故障码", "No fault code"))
by_dim["label"] = [(no_fault if dim == "fault_code" else "—") if pd.isna(v) else names.get(v, v) for v in by_dim[dim]]
if by_dim[metric_id].notna().sum() == 0:
    empty_state(pick(("所选范围内该指标没有数据。", "No data for this metric in the selection.")))
else:
    fig = charts.ranked_bars(by_dim, metric_id, "label", lang, id_column=dim, reference=overall,
                             reference_label=pick(("整体", "Overall")), top_n=20,
                             rest_label_key="rest_dealers" if dim == "dealer_id" else "rest")
    st.plotly_chart(fig, width="stretch", theme=None, key="svc_breakdown_chart")
    st.caption(pick((
        "最需关注的排在最上；绿色优于整体，红色差于整体（按指标方向），与整体相差不到 1% 为蓝色。",
        "The ones needing attention are at the top; green is better than overall, red worse (in the metric's direction), "
        "blue within 1% of it.",
    )))

    # The full table: every service metric this dimension has, beside the volume.
    table_metrics = [m for m in BREAKDOWN_METRICS if dim in dimensions_of(METRICS[m]) and m != "first_time_fix_rate"]
    table = compute_cached(db, ["ro_count"] + table_metrics, scope=f.scope, by=[dim], start=f.start, end=f.end,
                           filters=filters, response_sla_hours=RESPONSE_SLA_HOURS)
    table.insert(1, "label", [(no_fault if dim == "fault_code" else "—") if pd.isna(v) else names.get(v, v) for v in table[dim]])
    shown = pd.DataFrame({pick(DIMENSIONS[dim]): table["label"], metric_name("ro_count", lang): table["ro_count"]})
    column_config = {}
    for m in table_metrics:
        header = charts.axis_title(m, lang)
        shown[header] = table[m] * 100 if METRICS[m].unit == "fraction" else table[m]
        column_config[header] = st.column_config.NumberColumn(format="%.1f")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config, key="svc_table")
    download_buttons(shown, f"service_process_by_{dim}", key="svc_download")
