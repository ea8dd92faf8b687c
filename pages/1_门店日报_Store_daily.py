"""门店日报 Store daily: one dealer's morning report for its service manager.

"Today" is the data's as_of (the moment the export was taken), not the wall clock.
The report day ("yesterday") is the last complete day before it, or the end of
the chosen date range when that is earlier (to read a past day's report).
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from kpi.registry import METRICS
from ui import (
    compute_cached, current_lang, dealer_label, empty_state, enum_name, format_count, get_database,
    load_cards, card_grid, metric_name, page_title, pick, previous_period, render_filters, setup_page, t,
)
from ui.data import cached_records
from ui.fairness_sections import early_warning, month_end_projection, target_trend_figure
from ui.i18n import CATEGORY_NAMES, CHANNEL_NAMES, RO_TYPE_NAMES, SEVERITY_NAMES

HEADLINE = (
    "first_time_fix_rate", "repeat_repair_rate", "avg_repair_cycle_hours", "on_time_delivery_rate",
    "response_sla_rate", "complaint_count", "satisfied_rate", "survey_coverage_rate",
)
WINDOW_DAYS = 30
RESPONSE_SLA_HOURS = 24
SURVEY_LOOKBACK_DAYS = 7

setup_page(("门店日报", "Store daily"), icon="🏪")
f = render_filters()
db = get_database()
lang = current_lang()
page_title(("门店日报", "Store daily"),
           ("服务经理每日晨会：昨日与本月指标、目标达成、今日待办。",
            "The service manager's morning report: yesterday, month to date, targets and today's to-do lists."))

if f.dealer_id is None:
    st.info(pick(("请在左侧选择一个经销商（可先选区域缩小范围）。",
                  "Choose a dealer in the sidebar (pick a region first to narrow the list).")), icon=":material/arrow_back:")
    st.stop()
if db.as_of is None:
    empty_state(t("no_data_selection"))
    st.stop()

dealer_name = dealer_label(db, f.dealer_id, f.scope)
as_of_day = db.as_of.date()
report_day = min(as_of_day - timedelta(days=1), f.end)
month_start = report_day.replace(day=1)
query_filters = f.compute_filters()

# Does this dealer have anything at all in the last 90 days? Otherwise say so plainly.
activity = compute_cached(
    db, ["ro_count", "complaint_count", "survey_count"], scope=f.scope,
    start=report_day - timedelta(days=89), end=as_of_day, filters=query_filters,
)
if activity.empty or activity[["ro_count", "complaint_count", "survey_count"]].fillna(0).sum(axis=1).iloc[0] == 0:
    st.subheader(dealer_name)
    empty_state(t("no_data_dealer", dealer=dealer_name))
    st.stop()

st.subheader(f"{dealer_name} · {pick(('日报', 'report for'))} {report_day:%Y-%m-%d}")
st.caption(pick((
    f"数据截至 {db.as_of:%Y-%m-%d %H:%M}；“昨日”= 最后一个完整日 {report_day:%m-%d}，“本月”= {month_start:%m-%d} 至 {report_day:%m-%d}，均与上一同等期间比较。",
    f"Data as of {db.as_of:%Y-%m-%d %H:%M}; “yesterday” = the last complete day {report_day:%b %d}, "
    f"“month to date” = {month_start:%b %d} to {report_day:%b %d}; each against the previous equal period.",
)))


def matured_shift(period: tuple[date, date], previous: tuple[date, date]) -> tuple:
    """First-time fix is known only W days after a repair closes: read it for the
    same period W days earlier, and say so on the card."""
    shift = timedelta(days=WINDOW_DAYS)
    own = (period[0] - shift, period[1] - shift)
    own_prev = (previous[0] - shift, previous[1] - shift)
    note = t("not_matured", days=WINDOW_DAYS, start=f"{own[0]:%m-%d}", end=f"{own[1]:%m-%d}")
    return own, own_prev, note


def maturing_metrics() -> list[str]:
    return [m for m in HEADLINE if METRICS[m].denominator is not None and "$matured_before" in METRICS[m].denominator.sql]


tab_day, tab_month = st.tabs([pick(("昨日", "Yesterday")), pick(("本月累计", "Month to date"))])
for tab, period, key in (
    (tab_day, (report_day, report_day), "day"),
    (tab_month, (month_start, report_day), "mtd"),
):
    prev = previous_period(*period)
    with tab:
        cards = load_cards(
            db, HEADLINE, scope=f.scope, period=period, previous_period=prev, filters=query_filters,
            dealer_id=f.dealer_id, region_id=f.region_id,
            shifted={m: matured_shift(period, prev) for m in maturing_metrics()},
        )
        card_grid(cards, key=key, lang=lang)

# ---------------------------------------------------------------- trend
st.divider()
st.subheader(pick(("趋势", "Trend")))
c1, c2, c3 = st.columns([3, 2, 2])
trend_metric = c1.selectbox(
    pick(("指标", "Metric")), HEADLINE, key="daily_trend_metric", format_func=lambda m: metric_name(m, lang),
)
days = c2.segmented_control(
    pick(("时间跨度", "Span")), [30, 90], default=30, key="daily_trend_days",
    format_func=lambda d: pick((f"近 {d} 天", f"Last {d} days")),
) or 30
grain = c3.segmented_control(
    pick(("粒度", "Points")), ["day", "week"], default="day", key="daily_trend_grain",
    format_func=lambda g: pick(({"day": "按日", "week": "按周"}[g], {"day": "Daily", "week": "Weekly"}[g])),
) or "day"
# A metric that matures W days after closing has no values in its last W days:
# its trend ends at the last matured day instead of showing an empty tail.
trend_end = report_day - timedelta(days=WINDOW_DAYS) if trend_metric in maturing_metrics() else report_day
trend_start = trend_end - timedelta(days=days - 1)
trend = compute_cached(db, [trend_metric], scope=f.scope, grain=grain, start=trend_start, end=trend_end,
                       filters=query_filters)
targets = cached_records(db, "active_targets", (trend_metric,), report_day,
                         dealer_id=f.dealer_id, region_id=f.region_id, scope=f.scope)
if trend.empty or trend[trend_metric].isna().all():
    empty_state(pick(("所选期间没有该指标的数据。", "No data for this metric in the period.")))
else:
    full_periods = pd.DataFrame({"period": pd.date_range(trend_start, trend_end, freq="D").date}) if grain == "day" else None
    if full_periods is not None:  # days with no rows show as gaps, not as joined lines
        trend = full_periods.merge(trend, on="period", how="left")
    target = targets.get(trend_metric, {}).get("target")
    # The target valid in each period (targets change over time), with its band.
    fig = target_trend_figure(db, trend, trend_metric, lang, scope=f.scope, dealer_id=f.dealer_id,
                              region_id=f.region_id, grain=grain)
    st.plotly_chart(fig, width="stretch", key="daily_trend_chart")
    if trend_metric in maturing_metrics():
        st.caption(pick((f"近 {WINDOW_DAYS} 天关闭的维修尚未满观察窗口，曲线截至 {trend_end:%Y-%m-%d}。",
                         f"Repairs closed in the last {WINDOW_DAYS} days have not matured yet; the line ends on {trend_end:%Y-%m-%d}.")))

# ---------------------------------------------------------------- action lists
st.divider()
st.subheader(pick(("今日待办", "Today's actions")))
as_of = db.as_of
overdue = cached_records(db, "overdue_repair_orders", f.dealer_id, as_of, scope=f.scope)
unanswered = cached_records(db, "unanswered_requests", f.dealer_id, as_of, RESPONSE_SLA_HOURS, scope=f.scope)
complaints = cached_records(db, "open_complaints", f.dealer_id, as_of, scope=f.scope)
no_survey = cached_records(db, "repair_orders_without_survey", f.dealer_id, as_of, SURVEY_LOOKBACK_DAYS, scope=f.scope)
if f.product_id:
    st.caption(pick(("待办清单列出本店全部车型。", "To-do lists cover every model of the dealer.")))

TIME = st.column_config.DatetimeColumn


def age_text(hours: float) -> str:
    """'5.2 小时' under two days, '3 天 4 小时' beyond: how a manager says it."""
    if pd.isna(hours):
        return "—"
    if hours < 48:
        return pick((f"{hours:.1f} 小时", f"{hours:.1f} h"))
    d, h = divmod(int(round(hours)), 24)
    return pick((f"{d:,} 天 {h} 小时", f"{d:,} d {h} h"))


def translate(frame: pd.DataFrame, column: str, names: dict) -> None:
    if column in frame:
        frame[column] = frame[column].map(lambda v: enum_name(names, v, lang))


def show(frame: pd.DataFrame, columns: dict[str, object], empty_message: tuple[str, str], key: str) -> None:
    if frame.empty:
        st.success(pick(empty_message), icon=":material/check_circle:")
        return
    st.dataframe(frame[list(columns)], hide_index=True, width="stretch", column_config=columns, key=key,
                 height=min(38 + 35 * len(frame), 420))


overdue["overdue_text"] = overdue["overdue_hours"].map(age_text)
unanswered["waiting_text"] = unanswered["waiting_hours"].map(age_text)
translate(overdue, "ro_type", RO_TYPE_NAMES)
translate(unanswered, "channel", CHANNEL_NAMES)
translate(complaints, "severity", SEVERITY_NAMES)
translate(complaints, "category", CATEGORY_NAMES)
translate(complaints, "channel", CHANNEL_NAMES)
translate(no_survey, "ro_type", RO_TYPE_NAMES)

tabs = st.tabs([
    pick((f"超时未交车 ({len(overdue)})", f"Overdue repair orders ({len(overdue)})")),
    pick((f"超 {RESPONSE_SLA_HOURS} 小时未响应 ({len(unanswered)})", f"Unanswered > {RESPONSE_SLA_HOURS} h ({len(unanswered)})")),
    pick((f"未结投诉 ({len(complaints)})", f"Open complaints ({len(complaints)})")),
    pick((f"待回访 ({len(no_survey)})", f"Awaiting follow-up ({len(no_survey)})")),
])
ro_label, vin_label, model_label = pick(("工单号", "RO")), "VIN", pick(("车型", "Model"))
with tabs[0]:
    st.caption(pick(("仍在厂内且已过承诺交车时间的工单，超时最久的在前。",
                     "Still in the workshop past the promised time; the most overdue first.")))
    show(overdue, {
        "ro_id": ro_label, "vin": vin_label, "model_name": model_label, "ro_type": pick(("类型", "Type")),
        "opened_at": TIME(pick(("进厂时间", "Checked in")), format="YYYY-MM-DD HH:mm"),
        "promised_at": TIME(pick(("承诺交车", "Promised")), format="YYYY-MM-DD HH:mm"),
        "overdue_text": pick(("已超时", "Overdue")),
    }, ("没有超时未交车的工单。", "No repair order is past its promised time."), "overdue_table")
with tabs[1]:
    st.caption(pick((f"受理超过 {RESPONSE_SLA_HOURS} 小时仍未响应的服务请求，等待最久的在前。",
                     f"Requests with no response after {RESPONSE_SLA_HOURS} h; the longest waiting first.")))
    show(unanswered, {
        "request_id": pick(("请求编号", "Request")), "channel": pick(("渠道", "Channel")), "vin": vin_label,
        "created_at": TIME(pick(("受理时间", "Received")), format="YYYY-MM-DD HH:mm"),
        "waiting_text": pick(("已等待", "Waiting")),
    }, ("没有超时未响应的请求。", "No request is waiting past the SLA."), "unanswered_table")
with tabs[2]:
    st.caption(pick(("尚未关闭的投诉：严重程度高的在前，同级按时长。",
                     "Complaints not yet closed: high severity first, then the oldest.")))
    show(complaints, {
        "complaint_id": pick(("投诉编号", "Complaint")), "severity": pick(("严重程度", "Severity")),
        "category": pick(("类别", "Category")), "channel": pick(("渠道", "Channel")), "ro_id": ro_label,
        "created_at": TIME(pick(("受理时间", "Registered")), format="YYYY-MM-DD HH:mm"),
        "age_days": st.column_config.NumberColumn(pick(("已开（天）", "Open (days)")), format="%.1f"),
        "description": pick(("描述", "Description")),
    }, ("没有未结投诉。", "No open complaint."), "complaints_table")
with tabs[3]:
    st.caption(pick((f"近 {SURVEY_LOOKBACK_DAYS} 天交车但还没有回访记录的工单，最早交车的在前。",
                     f"Closed in the last {SURVEY_LOOKBACK_DAYS} days with no follow-up survey yet; the oldest first.")))
    show(no_survey, {
        "ro_id": ro_label, "vin": vin_label, "model_name": model_label, "ro_type": pick(("类型", "Type")),
        "closed_at": TIME(pick(("交车时间", "Handed back")), format="YYYY-MM-DD HH:mm"),
        "days_since_close": st.column_config.NumberColumn(pick(("交车后（天）", "Days since")), format="%.1f"),
    }, ("近期交车的工单都已回访。", "Every recent repair order has a survey."), "no_survey_table")

# ---------------------------------------------------------------- act before the month closes
st.divider()
st.subheader(pick(("月末预测", "Month-end projection")))
month_end_projection(db, HEADLINE, scope=f.scope, through=report_day, dealer_id=f.dealer_id, region_id=f.region_id,
                     filters=query_filters, lang=lang, key="daily")
st.subheader(pick(("投诉预警", "Complaint alerts")))
early_warning(db, scope=f.scope, end=report_day, filters=query_filters, lang=lang, key="daily",
              dealer_id=f.dealer_id, show_charts=True)
