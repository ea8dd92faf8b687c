"""投诉分析 Complaints: the regional lead's view of complaint trends, causes and the
closed loop, drilling region → dealer → model → single cases.

Drilling moves the shared sidebar filters (a click on a bar, or a choice in the
sidebar), so the URL reproduces the view and the breadcrumb always matches the
sidebar. Counts and rates come from kpi.compute; the case list, the closed-loop
counts and the time-to-close histogram from the kpi layer, on the same rows.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from analysis_ui.cache import cached_rows
from analysis_ui.drill import apply_pending_drill, breadcrumb, chart_key, current_level, drill_to
from kpi import charts
from ui import (
    compute_cached, current_lang, download_buttons, empty_state, enum_name, format_count, format_hours,
    format_percent, format_value, get_database, metric_name, page_title, pick, render_filters, setup_page, t,
)
from ui.data import cached_records
from ui.fairness_sections import alerts_for, early_warning
from ui.i18n import CATEGORY_NAMES, CHANNEL_NAMES, SEVERITY_NAMES, localized_name

SLA_HOURS = 72
CASE_LIMIT = 300
TITLE = ("投诉分析", "Complaints")

setup_page(TITLE, icon="📣")
apply_pending_drill()
f = render_filters()
db = get_database()
lang = current_lang()
page_title(TITLE, (
    "区域经理：投诉趋势与原因，逐层下钻 区域 → 经销商 → 车型 → 单个案件；点击柱形即可下钻。",
    "Regional lead: complaint trends and causes, drilling region → dealer → model → single case; click a bar to drill.",
))
if db.as_of is None:
    empty_state(t("no_data_selection"))
    st.stop()

regions = cached_records(db, "regions", scope=f.scope)
dealers = cached_records(db, "dealers", scope=f.scope)
products = cached_records(db, "products", scope=f.scope)
region_names = {rid: localized_name(name, lang) for rid, name in zip(regions["region_id"], regions["region_name"])}
dealer_names = dict(zip(dealers["dealer_id"], dealers["dealer_name"]))
dealer_region = dict(zip(dealers["dealer_id"], dealers["region_id"]))
model_names = dict(zip(products["product_id"], products["model_name"]))
unknown_model = pick(("未登记车型", "Model not recorded"))
filters = f.compute_filters()

# ---------------------------------------------------------------- where we are
level = current_level(f.region_id, f.dealer_id, f.product_id)
root_label = pick(("全网络", "Whole network")) if f.scope.level == "network" else (
    region_names.get(f.scope.id) or dealer_names.get(f.scope.id) or f.scope.id)
steps = [("network", root_label)]
if f.region_id and f.scope.level == "network":
    steps.append(("region", region_names.get(f.region_id, f.region_id)))
if f.dealer_id and f.scope.level != "dealer":
    steps.append(("dealer", dealer_names.get(f.dealer_id, f.dealer_id)))
if f.product_id:
    steps.append(("product", model_names.get(f.product_id, f.product_id)))
breadcrumb(steps, key="cmp_crumb")
st.caption(pick((
    f"期间 {f.start:%Y-%m-%d} 至 {f.end:%Y-%m-%d}（按投诉受理时间）。投诉率 = 投诉数 ÷ 同期开单工单数。",
    f"Period {f.start:%Y-%m-%d} to {f.end:%Y-%m-%d} (by when a complaint was registered). "
    "Complaint rate = complaints ÷ repair orders opened in the same period.",
)))

totals = compute_cached(db, ["complaint_count", "complaint_rate", "complaint_close_sla_rate", "avg_complaint_close_hours"],
                        scope=f.scope, start=f.start, end=f.end, filters=filters)
total = totals.iloc[0] if len(totals) else None
if total is None or int(total["complaint_count"]) == 0:
    where = steps[-1][1]
    empty_state(pick((f"{where} 在所选期间没有投诉。可放宽日期范围，或点上方路径返回上一级。",
                      f"{where} has no complaints in this period. Widen the date range, or go back up with the path above.")))
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric(metric_name("complaint_count", lang), format_value("complaint_count", total["complaint_count"], lang),
          border=True)
c2.metric(metric_name("complaint_rate", lang), format_percent(total["complaint_rate"], 2), border=True,
          help=pick((f"{format_count(total['complaint_rate__num'])} 件投诉 / {format_count(total['complaint_rate__den'])} 张工单",
                     f"{format_count(total['complaint_rate__num'])} complaints / {format_count(total['complaint_rate__den'])} repair orders")))
c3.metric(metric_name("complaint_close_sla_rate", lang), format_value("complaint_close_sla_rate", total["complaint_close_sla_rate"], lang),
          border=True, help=f"{format_count(total['complaint_close_sla_rate__num'])} / {format_count(total['complaint_close_sla_rate__den'])}")
c4.metric(metric_name("avg_complaint_close_hours", lang),
          format_hours(total["avg_complaint_close_hours"], lang), border=True,
          help=f"n = {format_count(total['avg_complaint_close_hours__n'])}")

# Up to the last complete day of the chosen range: an alert is about now, not the whole period.
alert_day = min(f.end, db.as_of.date() - timedelta(days=1))
alert_dealer = f.scope.id if f.scope.level == "dealer" else f.dealer_id
alerts = alerts_for(db, scope=f.scope, end=alert_day,
                    filters={**filters, **({"dealer_id": [alert_dealer]} if alert_dealer else {})})
if len(alerts):
    flagged = alerts["dealer_id"].nunique()
    st.warning(pick((f"投诉预警：{flagged} 家经销商近期出现异常信号，清单见页面底部“投诉预警”。",
                     f"Complaint alerts: {flagged} dealer(s) with a recent signal; the list is at the foot of the page, "
                     "under Complaint alerts.")), icon=":material/warning:")

# ---------------------------------------------------------------- drill-down chart
NEXT = {"network": ("region_id", "region"), "region": ("dealer_id", "dealer"), "dealer": ("product_id", "product")}
if level in NEXT:
    dim, next_level = NEXT[level]
    headings = {
        "region_id": ("各区域投诉", "Complaints by region"),
        "dealer_id": ("各经销商投诉", "Complaints by dealer"),
        "product_id": ("各车型投诉", "Complaints by model"),
    }
    st.subheader(pick(headings[dim]))
    shown_metric = st.segmented_control(
        pick(("显示", "Show")), ["complaint_rate", "complaint_count"], default="complaint_rate",
        key="cmp_drill_metric", format_func=lambda m: metric_name(m, lang),
    ) or "complaint_rate"
    by_dim = compute_cached(db, ["complaint_count", "complaint_rate"], scope=f.scope, by=[dim],
                            start=f.start, end=f.end, filters=filters)
    by_dim = by_dim[by_dim["complaint_count"] > 0]
    names = {"region_id": region_names, "dealer_id": dealer_names, "product_id": model_names}[dim]
    by_dim["label"] = [unknown_model if pd.isna(v) else names.get(v, v) for v in by_dim[dim]]
    # The NULL model group cannot be a filter: it is shown, not clickable.
    by_dim["click_id"] = by_dim[dim].where(by_dim[dim].notna(), None)
    if shown_metric == "complaint_rate" and by_dim["complaint_rate"].notna().sum() == 0:
        # Complaints without a recorded model have no repair orders to divide by.
        st.caption(pick(("这些投诉没有登记车型，无法计算投诉率，改为显示投诉量。",
                         "These complaints have no model recorded, so there is no complaint rate; showing counts.")))
        shown_metric = "complaint_count"
    fig = charts.ranked_bars(
        by_dim, shown_metric, "label", lang, id_column="click_id",
        reference=total[shown_metric] if shown_metric == "complaint_rate" else None,
        reference_label=pick(("整体", "Overall")), top_n=15,
        rest_label_key="rest_dealers" if dim == "dealer_id" else "rest",
    )
    event = st.plotly_chart(fig, width="stretch", theme=None, key=chart_key("cmp_drill", level),
                            on_select="rerun", selection_mode="points")
    clicked = charts.points_customdata(event)
    if clicked:
        drill_to(next_level, clicked[0], region_of_dealer=dealer_region.get(clicked[0]) if next_level == "dealer" else None)
    st.caption(pick((
        "点击柱形下钻到下一级；红色高于整体投诉率，绿色低于整体，相差不到 1% 为蓝色。也可在左侧筛选中选择。",
        "Click a bar to drill down; red is above the overall complaint rate, green below, blue within 1% of it. "
        "The sidebar filters do the same.",
    )) if shown_metric == "complaint_rate" else pick(("点击柱形下钻到下一级。", "Click a bar to drill down.")))

# ---------------------------------------------------------------- trend
st.divider()
st.subheader(pick(("投诉趋势", "Complaint trend")))
grain = st.segmented_control(
    pick(("粒度", "Grain")), ["week", "month"], default="week", key="cmp_trend_grain",
    format_func=lambda g: pick(({"week": "按周", "month": "按月"}[g], {"week": "Weekly", "month": "Monthly"}[g])),
) or "week"
# A trend needs enough points: at least 13 weeks or 12 months back from the end date.
span_days = 91 if grain == "week" else 365
trend_start = min(f.start, f.end - timedelta(days=span_days - 1))
if grain == "week":
    trend_start -= timedelta(days=trend_start.weekday())
else:
    trend_start = trend_start.replace(day=1)
trend = compute_cached(db, ["complaint_count", "complaint_rate"], scope=f.scope, grain=grain,
                       start=trend_start, end=f.end, filters=filters)
if trend.empty:
    empty_state(t("no_data_selection"))
else:
    st.plotly_chart(charts.count_and_rate_chart(trend, "complaint_count", "complaint_rate", lang, grain=grain),
                    width="stretch", theme=None, key="cmp_trend_chart")
    st.caption(pick((
        f"趋势从 {trend_start:%Y-%m-%d} 到 {f.end:%Y-%m-%d}（至少 {'13 周' if grain == 'week' else '12 个月'}）；最后一期可能不完整。",
        f"Trend from {trend_start:%Y-%m-%d} to {f.end:%Y-%m-%d} (at least {'13 weeks' if grain == 'week' else '12 months'}); "
        "the last period may be incomplete.",
    )))

# ---------------------------------------------------------------- causes
st.divider()
st.subheader(pick(("投诉原因", "Causes")))
category_counts = compute_cached(db, ["complaint_count"], scope=f.scope, by=["category"], start=f.start, end=f.end,
                                 filters=filters)
category_counts["label"] = [enum_name(CATEGORY_NAMES, v, lang) for v in category_counts["category"]]
left, right = st.columns([3, 2])
with left:
    st.markdown(pick(("**原因帕累托**（点击柱形在下方案件清单中只看该原因）",
                      "**Pareto of causes** (click a bar to list only that cause's cases below)")))
    pareto = charts.pareto_chart(category_counts, "complaint_count", "label", lang, id_column="category")
    pareto_event = st.plotly_chart(pareto, width="stretch", theme=None, key=chart_key("cmp_pareto", level),
                                   on_select="rerun", selection_mode="points")
    picked_category = (charts.points_customdata(pareto_event) or [None])[0]
with right:
    for dim, names, heading in (
        ("severity", SEVERITY_NAMES, ("按严重程度", "By severity")),
        ("channel", CHANNEL_NAMES, ("按渠道", "By channel")),
    ):
        frame = compute_cached(db, ["complaint_count"], scope=f.scope, by=[dim], start=f.start, end=f.end,
                               filters=filters)
        frame["label"] = [enum_name(names, v, lang) for v in frame[dim]]
        st.markdown(f"**{pick(heading)}**")
        fig = charts.ranked_bars(frame, "complaint_count", "label", lang, id_column=dim, top_n=10)
        fig.update_layout(height=max(170, 30 * len(frame) + 90))
        st.plotly_chart(fig, width="stretch", theme=None, key=f"cmp_{dim}_chart")

# ---------------------------------------------------------------- closed loop
st.divider()
st.subheader(pick(("投诉闭环", "Closed loop")))
loop = cached_rows(db, "closed_loop_summary", scope=f.scope, start=f.start, end=f.end, filters=filters,
                   as_of=db.as_of, complaint_sla_hours=SLA_HOURS).iloc[0]
m1, m2, m3, m4 = st.columns(4)
m1.metric(pick(("未关闭", "Open")), format_count(loop["open"], pick(("件", ""))), border=True)
m2.metric(pick(("超时（超过 72 小时）", "Past SLA (over 72 h)")),
          format_count(int(loop["closed_past_sla"]) + int(loop["open_past_sla"]), pick(("件", ""))), border=True,
          help=pick((f"超时关闭 {loop['closed_past_sla']} 件，未关闭且已超时 {loop['open_past_sla']} 件",
                     f"{loop['closed_past_sla']} closed late, {loop['open_past_sla']} open and overdue")))
followed_share = loop["followed_up"] / loop["closed"] if loop["closed"] else None
m3.metric(pick(("已回访（占已关闭）", "Followed up (of closed)")), format_percent(followed_share), border=True,
          help=f"{loop['followed_up']} / {loop['closed']}")
m4.metric(pick(("未回访的已关闭投诉", "Closed, not followed up")),
          format_count(loop["closed_not_followed_up"], pick(("件", ""))), border=True)
left, right = st.columns([1, 1])
with left:
    st.plotly_chart(charts.closed_loop_chart(loop, lang), width="stretch", theme=None, key="cmp_loop_chart")
    st.caption(pick((
        f"超时：关闭用时超过 {SLA_HOURS} 小时，或截至 {db.as_of:%m-%d %H:%M} 仍未关闭且已超过 {SLA_HOURS} 小时。",
        f"Past SLA: closed after more than {SLA_HOURS} h, or still open at {db.as_of:%b %d %H:%M} with {SLA_HOURS} h gone.",
    )))
with right:
    hist = cached_rows(db, "histogram", scope=f.scope, quantity="complaint_close_hours", start=f.start, end=f.end,
                       filters=filters, reach_at_least=SLA_HOURS * 1.25)
    if hist.empty:
        empty_state(pick(("所选期间没有已关闭的投诉。", "No closed complaint in this period.")))
    else:
        fig = charts.histogram_chart(
            hist.bins, lang, value_title=pick(("关闭用时（小时）", "Time to close (h)")),
            count_title=pick(("投诉（件）", "Complaints")), bin_width=hist.bin_width,
            markers=[
                (f"P50 {format_hours(hist.quantiles[0.5], lang)}", hist.quantiles[0.5], charts.NEUTRAL),
                (f"P90 {format_hours(hist.quantiles[0.9], lang)}", hist.quantiles[0.9], charts.ACCENT),
                (f"SLA {SLA_HOURS} {pick(('小时', 'h'))}", SLA_HOURS, charts.BAD),
            ],
        )
        st.plotly_chart(fig, width="stretch", theme=None, key="cmp_close_hist")
        st.caption(pick((f"已关闭投诉的关闭用时分布（n = {hist.n:,}）。", f"Time to close of closed complaints (n = {hist.n:,}).")))

# ---------------------------------------------------------------- cases
st.divider()
st.subheader(pick(("案件清单", "Cases")))
STATUS_OPTIONS = ["all", "open", "past_sla", "not_followed_up"]
STATUS_LABELS = {
    "all": ("全部", "All"), "open": ("未关闭", "Open"), "past_sla": ("超时", "Past SLA"),
    "not_followed_up": ("已关闭未回访", "Closed, not followed up"),
}
s1, s2 = st.columns([2, 2])
status = s1.segmented_control(pick(("状态", "Status")), STATUS_OPTIONS, default="all", key="cmp_case_status",
                              format_func=lambda s: pick(STATUS_LABELS[s])) or "all"
category_options = [None] + sorted(category_counts["category"].dropna().unique())
# A Pareto click picks the cause once; the selectbox stays free to change afterwards.
if picked_category in category_options and picked_category != st.session_state.get("_cmp_last_pareto_pick"):
    st.session_state["cmp_case_category"] = picked_category
st.session_state["_cmp_last_pareto_pick"] = picked_category
category = s2.selectbox(pick(("原因", "Cause")), category_options, key="cmp_case_category",
                        format_func=lambda c: pick(("全部原因", "All causes")) if c is None else enum_name(CATEGORY_NAMES, c, lang))
case_filters = {**filters, **({"category": [category]} if category else {})}
cases = cached_rows(db, "complaint_cases", scope=f.scope, start=f.start, end=f.end, filters=case_filters,
                    as_of=db.as_of, complaint_sla_hours=SLA_HOURS, status=None if status == "all" else status,
                    limit=CASE_LIMIT)
if cases.empty:
    empty_state(pick(("没有符合条件的案件。", "No case matches.")))
else:
    # The description is what a regional lead reads first: keep it in view, left of the flags.
    shown = pd.DataFrame({
        pick(("投诉号", "Complaint")): cases["complaint_id"],
        pick(("受理时间", "Registered")): cases["created_at"],
        pick(("经销商", "Dealer")): cases["dealer_name"],
        pick(("车型", "Model")): cases["model_name"].fillna(unknown_model),
        pick(("原因", "Cause")): [enum_name(CATEGORY_NAMES, v, lang) for v in cases["category"]],
        pick(("严重程度", "Severity")): [enum_name(SEVERITY_NAMES, v, lang) for v in cases["severity"]],
        pick(("描述", "Description")): cases["description"].fillna(""),
        pick(("状态", "Status")): [pick(("已关闭", "Closed")) if c else pick(("未关闭", "Open")) for c in cases["is_closed"]],
        pick(("用时（小时）", "Hours")): cases["hours_to_close"].fillna(cases["hours_open"]),
        pick(("超时", "Past SLA")): cases["past_sla"],
        pick(("已回访", "Followed up")): cases["followed_up"],
        pick(("渠道", "Channel")): [enum_name(CHANNEL_NAMES, v, lang) for v in cases["channel"]],
        pick(("区域", "Region")): [localized_name(name, lang) for name in cases["region_name"]],
    })
    st.dataframe(
        shown, hide_index=True, width="stretch", key="cmp_case_table",
        column_config={
            pick(("受理时间", "Registered")): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            pick(("用时（小时）", "Hours")): st.column_config.NumberColumn(
                format="%.1f", help=pick(("已关闭：受理到关闭；未关闭：受理至今。", "Closed: registration to close; open: registration to now."))),
            pick(("描述", "Description")): st.column_config.TextColumn(width="large"),
            pick(("投诉号", "Complaint")): st.column_config.TextColumn(width="small"),
        },
    )
    count_in_list = len(cases)
    st.caption(pick((f"共 {count_in_list:,} 件，按受理时间从新到旧" + (f"（最多显示 {CASE_LIMIT} 件）" if count_in_list >= CASE_LIMIT else "") + "。",
                     f"{count_in_list:,} cases, newest first" + (f" (at most {CASE_LIMIT} shown)" if count_in_list >= CASE_LIMIT else "") + ".")))
    download_buttons(shown, "complaint_cases", key="cmp_cases_download")

# ---------------------------------------------------------------- early warning
st.divider()
st.subheader(pick(("投诉预警", "Complaint alerts")))
early_warning(db, scope=f.scope, end=alert_day, filters=filters, lang=lang, key="cmp", dealer_id=alert_dealer)
