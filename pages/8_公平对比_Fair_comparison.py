"""公平对比 Fair comparison: rates with their uncertainty, a funnel plot, a ranking
that does not punish small samples, peer groups and complaint control charts.

All numbers come from kpi.fairness (kpi.compute underneath, the user's scope
passed through). A dealer user sees the network only as anonymous points and
aggregates (the network's rate, its rank among the network, its peer group's
rate): never another dealer's name, id or number.
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from kpi import charts_fairness
from kpi.fairness import FAIR_METRICS, MIN_ALERT_COUNT, MIN_BENCHMARK_DEALERS, SPC_LOOKBACK, SPC_RECENT
from kpi.registry import METRICS
from ui import (
    current_lang, download_buttons, empty_state, enum_name, format_delta, format_value, get_database, metric_name, page_title,
    pick, render_filters, setup_page, t,
)
from ui.fairness_cache import fairness_cached
from ui.fairness_widgets import (
    HIDDEN_HELPERS, attainment_text, interval_text, peer_group_name, render_alerts, status_text, styled_status, word,
)
from ui.i18n import DEALER_TYPE_NAMES, direction_label

TITLE = ("公平对比", "Fair comparison")
WINDOW_DAYS = 30
DEFAULT_METRIC = "satisfied_rate"

setup_page(TITLE, icon="⚖️")
f = render_filters()
db = get_database()
lang = current_lang()
page_title(TITLE, (
    "按样本量公平地比较经销商：比率带置信区间，漏斗图看谁真正异常，排名不惩罚小店；同类型同规模对标；投诉控制图提前预警。",
    "Compare dealers fairly for their volume: rates with intervals, a funnel plot for who is really out of line, "
    "a ranking that does not punish small stores, peer groups, and complaint control charts for early warning.",
))
if db.as_of is None:
    empty_state(t("no_data_selection"))
    st.stop()

dealer_scope = f.scope.level == "dealer"
# The dealer filter highlights one dealer instead of narrowing to a league of one.
compare_filters = {k: v for k, v in f.compute_filters().items() if k != "dealer_id"}
highlight_id = f.scope.id if dealer_scope else f.dealer_id

c1, c2 = st.columns([3, 2])
metric_id = c1.selectbox(
    pick(("比较的比率", "Rate to compare")), FAIR_METRICS, index=FAIR_METRICS.index(DEFAULT_METRIC),
    key="fair_metric", format_func=lambda m: f"{metric_name(m, lang)} · {direction_label(m, lang)}",
)
rank_by = c2.segmented_control(
    pick(("排名依据", "Rank by")), ["wilson", "shrunk"], default="wilson", key="fair_rank_by",
    format_func=lambda b: pick({"wilson": ("区间保守端", "Interval bound"), "shrunk": ("收缩后比率", "Shrunk rate")}[b]),
) or "wilson"

# First-time fix is known W days after closing: a recent range is read W days earlier.
start, end = f.start, f.end
if any("$matured_before" in m.sql for m in METRICS[metric_id].measures):
    if end > db.as_of.date() - timedelta(days=WINDOW_DAYS):
        start, end = start - timedelta(days=WINDOW_DAYS), end - timedelta(days=WINDOW_DAYS)
        st.caption(pick((
            f"{metric_name(metric_id, 'zh')}需关闭满 {WINDOW_DAYS} 天才能判定，本页按 {start:%Y-%m-%d} 至 {end:%Y-%m-%d} 关闭的维修计算。",
            f"{metric_name(metric_id, 'en')} is known {WINDOW_DAYS} days after closing; this page counts repairs closed {start:%Y-%m-%d} to {end:%Y-%m-%d}.",
        )))

league = fairness_cached(db, "league_table", metric_id, scope=f.scope, start=start, end=end,
                         filters=compare_filters, rank_by=rank_by)
funnel = fairness_cached(db, "funnel_data", metric_id, scope=f.scope, start=start, end=end, filters=compare_filters)
if league.empty or funnel.points.empty:
    empty_state(pick((f"所选范围内没有{metric_name(metric_id, 'zh')}的数据。",
                      f"No {metric_name(metric_id, 'en').lower()} data in this selection.")))
    st.stop()

# ---------------------------------------------------------------- funnel
st.subheader(pick(("漏斗图", "Funnel plot")))
points = funnel.points
names = points["dealer_name"].tolist()
highlight = [(d is not None and d == highlight_id) for d in points["dealer_id"]]
if dealer_scope:
    highlight = points["is_self"].tolist()
st.plotly_chart(
    charts_fairness.funnel_figure(points, funnel.limits, funnel.p0, metric_id, lang, labels=names,
                                  centre=funnel.centre, highlight=highlight),
    width="stretch", theme=None, key="fair_funnel",
)
better = int((points["verdict_95"] == "better").sum())
worse = int((points["verdict_95"] == "worse").sum())
if dealer_scope:
    mine = points.iloc[0]
    verdict = {"better": ("显著优于全网", "significantly better than the network"),
               "worse": ("显著差于全网", "significantly worse than the network"),
               "inside": ("与全网的差异在正常波动范围内", "within normal variation of the network")}
    if pd.isna(funnel.p0):
        st.caption(pick((f"全网有数据的经销商不足 {MIN_BENCHMARK_DEALERS} 家，不显示全网比率与控制限。",
                         f"Fewer than {MIN_BENCHMARK_DEALERS} dealers have data: no network rate or limits are shown.")))
    else:
        st.caption(pick((
            f"横轴是样本量，纵轴是比率；中心线为全网 {funnel.dealers} 家经销商的合计比率，虚线为 95% 控制限，点线为 99.8%。"
            f"本店{pick(verdict.get(mine['verdict_95'], verdict['inside']), 'zh')}（95% 控制限）。为保护各店数据，不显示其他经销商。",
            f"Volume across, rate up; the centre line is the combined rate of the network's {funnel.dealers} dealers, "
            f"dashed lines the 95% limits, dotted the 99.8%. This dealer is "
            f"{pick(verdict.get(mine['verdict_95'], verdict['inside']), 'en')} (95% limits). Other dealers are not shown.",
        )))
else:
    st.caption(pick((
        f"每个点是一家经销商：横轴是样本量，纵轴是比率。虚线为 95% 控制限，点线为 99.8%；业务量越小，允许的波动越大。"
        f"{len(points)} 家中 {worse} 家显著差于整体、{better} 家显著优于整体（95% 控制限外）。",
        f"Each point is a dealer: volume across, rate up. Dashed lines are the 95% limits, dotted the 99.8% limits; "
        f"the smaller the volume, the wider the swing allowed. Of {len(points)} dealers, {worse} are significantly worse "
        f"and {better} significantly better than overall (outside the 95% limits).",
    )))

# ---------------------------------------------------------------- fair ranking
st.subheader(pick(("公平排名", "Fair ranking")))
higher = METRICS[metric_id].higher_is_better
bound = pick(("区间下限", "lower bound")) if higher else pick(("区间上限", "upper bound"))
st.caption(pick((
    f"默认按 95% 威尔逊区间的{bound}排名（经销商“有把握达到”的水平），或按经验贝叶斯收缩后的比率：样本少的店不会因一两个案例垫底或登顶。"
    "原始名次仅供对照。目标按经销商自身、所在区域、全网的顺序取当期有效值；未设目标即显示“未设目标”。",
    f"Ranked by the {bound} of the 95% Wilson interval (what a dealer has shown it reaches) or by the empirical-Bayes "
    "shrunk rate: one or two cases cannot sink or crown a small store. The raw rank is for comparison. The target is "
    "the dealer's own, else its region's, else the network's, valid at the end of the period; none set says so.",
)))
if dealer_scope and pd.notna(league.iloc[0]["fair_rank"]):
    mine = league.iloc[0]
    st.info(pick((
        f"**{mine['dealer_name']}** 在全网 {int(mine['ranked'])} 家中排第 **{int(mine['fair_rank'])}** 名（按原始比率为第 {int(mine['raw_rank'])} 名）。",
        f"**{mine['dealer_name']}** ranks **{int(mine['fair_rank'])}** of {int(mine['ranked'])} in the network "
        f"(by the raw rate: {int(mine['raw_rank'])}).",
    )), icon=":material/leaderboard:")

labels = {
    "fair_rank": pick(("名次", "Rank")), "raw_rank": pick(("原始名次", "Raw rank")),
    "dealer_name": pick(("经销商", "Dealer")), "dealer_type": pick(("类型", "Type")),
    "rate": metric_name(metric_id, lang), "basis": pick(("分子/分母", "k / n")),
    "interval": word("interval", lang), "shrunk_rate": pick(("收缩后", "Shrunk")),
    "target": pick(("目标", "Target")), "status": word("status", lang), "attainment": word("attainment", lang),
}
table = pd.DataFrame({
    labels["fair_rank"]: league["fair_rank"],
    labels["raw_rank"]: league["raw_rank"],
    labels["dealer_name"]: league["dealer_name"],
    labels["dealer_type"]: [enum_name(DEALER_TYPE_NAMES, v, lang) for v in league["dealer_type"]],
    labels["rate"]: [format_value(metric_id, v, lang) for v in league["rate"]],
    labels["basis"]: [f"{k:,.0f} / {n:,.0f}" for k, n in zip(league["successes"], league["trials"])],
    labels["interval"]: [interval_text(lo, hi) for lo, hi in zip(league["wilson_lower"], league["wilson_upper"])],
    labels["shrunk_rate"]: [format_value(metric_id, v, lang) for v in league["shrunk_rate"]],
    labels["target"]: [format_value(metric_id, v, lang) if pd.notna(v) else word("no_target", lang)
                       for v in league["target"]],
    labels["status"]: [status_text(r, lang) for r in league["status_reason"]],
    labels["attainment"]: [attainment_text(v) for v in league["attainment"]],
    "_status": league["status"],
    "_reason": league["status_reason"],
})
st.dataframe(
    styled_status(table, labels["status"], reason_column="_reason"), hide_index=True, width="stretch", key="fair_league",
    height=min(38 + 35 * len(table), 560),
    column_config={
        **HIDDEN_HELPERS,
        labels["fair_rank"]: st.column_config.NumberColumn(width="small"),
        labels["raw_rank"]: st.column_config.NumberColumn(width="small", help=pick((
            "按比率本身排名，不考虑样本量。", "Ranked by the rate itself, whatever the volume."))),
        labels["interval"]: st.column_config.TextColumn(help=word("interval_help", lang)),
        labels["attainment"]: st.column_config.TextColumn(help=word("attainment_help", lang)),
    },
)
download_buttons(table.drop(columns=["_status", "_reason"]), f"fair_ranking_{metric_id}_{start:%Y%m%d}_{end:%Y%m%d}",
                 key="fair_league_download")

# ---------------------------------------------------------------- peer groups
st.subheader(pick(("同类对标", "Peer groups")))
st.caption(pick((
    "对标组 = 同一经销商类型 × 规模（按近 12 个月全网月均进厂台次三等分为小、中、大）。对标组和全网数值都是该范围全部工单的合计比率，不是各店的平均。",
    "Peer group = same dealer type × size (small, medium, large by thirds of the network's monthly repair orders "
    "over the last 12 months). Peer-group and network values are ratios over all their rows, not means of dealer rates.",
)))
peers = fairness_cached(db, "peer_comparison", [metric_id], scope=f.scope, start=start, end=end,
                        filters=compare_filters)
if peers.empty:
    empty_state(t("no_data_selection"))
else:
    # Groups by type, then small → large; within a group the best first.
    size_order = {"small": 0, "medium": 1, "large": 2}
    peers = peers.assign(
        _type=peers["peer_group"].str.split("/").str[0],
        _size=peers["peer_group"].str.split("/").str[1].map(size_order),
    ).sort_values(["_type", "_size", "value"], ascending=[True, True, not higher], na_position="last")
    peer_table = pd.DataFrame({
        labels["dealer_name"]: peers["dealer_name"],
        pick(("对标组", "Peer group")): [peer_group_name(g, lang) for g in peers["peer_group"]],
        pick(("组内家数", "Dealers in group")): peers["peer_group_size"].astype("Int64"),
        metric_name(metric_id, lang): [format_value(metric_id, v, lang) for v in peers["value"]],
        pick(("对标组合计", "Peer group overall")): [
            format_value(metric_id, v, lang) if v is not None and pd.notna(v) else
            pick((f"不足 {MIN_BENCHMARK_DEALERS} 家，不显示", f"fewer than {MIN_BENCHMARK_DEALERS}, not shown"))
            for v in peers["peer_value"]],
        pick(("较对标组", "vs peer group")): [
            format_delta(metric_id, v - g, lang) if v is not None and g is not None and pd.notna(v) and pd.notna(g)
            else "—" for v, g in zip(peers["value"], peers["peer_value"])],
        pick(("全网", "Network")): [format_value(metric_id, v, lang) for v in peers["network_value"]],
    })
    st.dataframe(peer_table, hide_index=True, width="stretch", key="fair_peers", height=min(38 + 35 * len(peer_table), 420))

# ---------------------------------------------------------------- control charts
st.divider()
st.subheader(pick(("投诉控制图与预警", "Complaint control charts and alerts")))
report_day = min(db.as_of.date() - timedelta(days=1), f.end)
g1, g2 = st.columns([2, 3])
grain = g1.segmented_control(
    pick(("粒度", "Points")), ["week", "day"], default="week", key="fair_spc_grain",
    format_func=lambda g: pick(({"day": "按日", "week": "按周"}[g], {"day": "Daily", "week": "Weekly"}[g])),
) or "week"
spc_filters = f.compute_filters() if not dealer_scope else {}
alerts = fairness_cached(db, "complaint_alerts", scope=f.scope, end=report_day, grain=grain, filters=spc_filters)
dealer_options = league["dealer_id"].tolist() if not dealer_scope else [f.scope.id]
dealer_names = dict(zip(league["dealer_id"], league["dealer_name"]))
default_dealer = highlight_id if highlight_id in dealer_options else (
    alerts["dealer_id"].iloc[0] if len(alerts) and alerts["dealer_id"].iloc[0] in dealer_options else dealer_options[0])
spc_dealer = g2.selectbox(
    pick(("经销商", "Dealer")), dealer_options, index=dealer_options.index(default_dealer), key="fair_spc_dealer",
    format_func=lambda d: dealer_names.get(d, d), disabled=dealer_scope,
)
spc = fairness_cached(db, "complaint_spc", scope=f.scope, end=report_day, grain=grain,
                      filters={**spc_filters, "dealer_id": [spc_dealer]})
baseline_periods = SPC_LOOKBACK[grain] - SPC_RECENT[grain]
recent_periods = SPC_RECENT[grain]
unit_zh, unit_en = ("天", "days") if grain == "day" else ("周", "weeks")
st.caption(pick((
    f"每家经销商以自己的历史为基准：中心线取预警窗口（最近 {recent_periods} {unit_zh}）之前 {baseline_periods} {unit_zh}的合计；"
    f"控制限 = 中心线 ± 3 倍标准误。红圈为预警：超出控制上限（至少 {MIN_ALERT_COUNT} 件投诉）、连续 8 点高于中心线、"
    f"或连续 6 点上升。数据截至最后一个完整日 {report_day:%Y-%m-%d}。",
    f"Each dealer is measured against its own past: the centre line is the total over the {baseline_periods} {unit_en} "
    f"before the alert window (the last {recent_periods} {unit_en}); limits = centre ± 3 standard errors. Red rings are "
    f"signals: above the upper limit (at least {MIN_ALERT_COUNT} complaints), 8 points in a row above the centre, or "
    f"6 rising in a row. Data through the last complete day, {report_day:%Y-%m-%d}.",
)))
if spc.empty:
    empty_state(pick(("该经销商在此期间没有工单或投诉。", "This dealer has no repair orders or complaints in the period.")))
else:
    left, right = st.columns(2)
    for column, chart in ((left, "rate"), (right, "count")):
        with column:
            st.markdown(f"**{word('chart_rate' if chart == 'rate' else 'chart_count', lang)}**")
            st.plotly_chart(charts_fairness.spc_figure(spc[spc["chart"] == chart], lang, grain=grain),
                            width="stretch", theme=None, key=f"fair_spc_{chart}")
st.markdown(pick(("**预警清单**（筛选范围内的经销商）", "**Alerts** (dealers in the filter)")))
render_alerts(alerts, lang, key="fair_alerts", show_dealer=not dealer_scope)
