"""经销商对比 Dealer comparison: the manufacturer's league table of the network.

Every value is one kpi.compute by dealer; the network and region rows are their
own kpi.compute (a ratio of sums over all their rows, not a mean of dealer
rates). The dealer filter does not narrow the table (a league of one says
nothing); it highlights that dealer instead.

Dealers are competitors: a store manager sees their own store against the
anonymous network average and top quartile only, never another dealer's name or
id; a regional lead sees the league of their region against the same anonymous
network figures (ui.data.anonymous_benchmarks).
"""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import streamlit as st

from kpi.registry import METRICS
from ui import (
    compute_cached, current_lang, download_buttons, empty_state, enum_name, get_database, metric_name,
    page_title, pick, render_filters, setup_page, t, format_value,
)
from kpi.fairness import FAIR_METRICS
from ui.data import anonymous_benchmarks, cached_records
from ui.fairness_cache import fairness_cached
from ui.fairness_widgets import HIDDEN_HELPERS, attainment_text, interval_text, status_text, styled_status, word
from ui.figures import quadrant_figure
from ui.auth import escape_markdown
from ui.filters import KEY_DEALER, KEY_REGION
from ui.i18n import DEALER_TYPE_NAMES, direction_label, localized_name, unit_label

HEADLINE = (
    "first_time_fix_rate", "repeat_repair_rate", "avg_repair_cycle_hours", "on_time_delivery_rate",
    "response_sla_rate", "complaint_rate", "satisfied_rate", "survey_coverage_rate",
)
WINDOW_DAYS = 30
STORE_DAILY_PAGE = "pages/1_门店日报_Store_daily.py"

setup_page(("经销商对比", "Dealer comparison"), icon="🏁")
f = render_filters()
db = get_database()
lang = current_lang()
page_title(("经销商对比", "Dealer comparison"),
           ("本店各项指标与全网络平均、前四分位标杆的对比。",
            "Your store's numbers beside the network average and the top-quartile benchmark.")
           if f.scope.level == "dealer" else
           ("厂家售后部：全网经销商排名、标杆与落后者。点选表格中的一行打开该店日报。",
            "OEM after-sales: rank the network, find best practice and laggards. Select a row to open that store's daily report."))

# The dealer filter highlights instead of narrowing; region and model narrow.
league_filters = {k: v for k, v in f.compute_filters().items() if k != "dealer_id"}

# First-time fix needs W days after closing before it is known: when the chosen
# range is that recent, read it for the same range W days earlier (and say so).
ftfr_shift = timedelta(days=WINDOW_DAYS) if db.as_of and f.end > db.as_of.date() - timedelta(days=WINDOW_DAYS) else timedelta(0)
ftfr_range = (f.start - ftfr_shift, f.end - ftfr_shift)
other_metrics = [m for m in HEADLINE if m != "first_time_fix_rate"] + ["ro_count"]


def compute_block(by: tuple[str, ...]) -> pd.DataFrame:
    main = compute_cached(db, other_metrics, scope=f.scope, by=by, start=f.start, end=f.end, filters=league_filters)
    ftfr = compute_cached(db, ["first_time_fix_rate"], scope=f.scope, by=by, start=ftfr_range[0], end=ftfr_range[1],
                          filters=league_filters)
    if by:
        return main.merge(ftfr, on=list(by), how="outer")
    return pd.concat([main.reset_index(drop=True), ftfr.reset_index(drop=True)], axis=1)


def network_benchmarks() -> pd.DataFrame:
    """Anonymous network average and top quartile per metric (index: metric id),
    first-time fix over its matured range like everywhere on this page."""
    rest = anonymous_benchmarks(db, [m for m in HEADLINE if m != "first_time_fix_rate"] + ["ro_count"],
                                start=f.start, end=f.end, product_id=f.product_id)
    ftfr = anonymous_benchmarks(db, ["first_time_fix_rate"], start=ftfr_range[0], end=ftfr_range[1],
                                product_id=f.product_id)
    return pd.concat([ftfr, rest]).set_index("metric_id")


def reaches(metric_id: str, value, level) -> bool:
    if pd.isna(value) or level is None or pd.isna(level):
        return False
    return value >= level if METRICS[metric_id].higher_is_better else value <= level


def own_store_against_network() -> None:
    """A dealer user's view: their numbers beside anonymous network figures."""
    own = compute_block(())
    bench = network_benchmarks()
    st.subheader(pick(("本店与全网络对比", "Your store against the network")))
    st.caption(pick(("全网络平均与前四分位是全部经销商的匿名汇总，不显示任何其他经销商。",
                     "The network average and top quartile summarise all dealers anonymously; no other dealer is shown.")))
    rows = []
    for m in HEADLINE:
        value = own.iloc[0][m] if len(own) else None
        level = bench.loc[m, "top_quartile"] if m in bench.index else None
        rows.append({
            pick(("指标", "Metric")): metric_name(m, lang),
            pick(("本店", "Your store")): format_value(m, value, lang),
            pick(("全网络平均", "Network average")): format_value(m, bench.loc[m, "network_average"] if m in bench.index else None, lang),
            pick(("前四分位（标杆）", "Top quartile (best in class)")): format_value(m, level, lang),
            pick(("达到标杆", "At best in class")): pick(("是", "yes")) if reaches(m, value, level) else pick(("否", "no")),
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="own_benchmark_table")
    if bench["top_quartile"].isna().all():
        st.info(pick(("参与比较的经销商太少，不显示全网络数值（否则可推算出个别经销商的数据）。",
                      "Too few dealers to compare: network figures are not shown (they would reveal single dealers).")),
                icon=":material/info:")


if f.scope.level == "dealer":
    own_store_against_network()
    st.stop()


by_dealer = compute_block(("dealer_id",))
dealers = cached_records(db, "dealers", scope=f.scope)
by_dealer = dealers.merge(by_dealer, on="dealer_id", how="inner")
if f.region_id:
    by_dealer = by_dealer[by_dealer["region_id"] == f.region_id]
by_dealer = by_dealer[by_dealer["ro_count"].fillna(0) > 0].reset_index(drop=True)
if by_dealer.empty:
    empty_state(t("no_data_selection"))
    st.stop()

if ftfr_shift:
    st.caption(pick((
        f"一次修复率需关闭满 {WINDOW_DAYS} 天才能判定，本页按 {ftfr_range[0]:%Y-%m-%d} 至 {ftfr_range[1]:%Y-%m-%d} 关闭的维修计算。",
        f"First-time fix is known {WINDOW_DAYS} days after closing; this page counts repairs closed {ftfr_range[0]:%Y-%m-%d} to {ftfr_range[1]:%Y-%m-%d}.",
    )))


def header(metric_id: str) -> str:
    # The unit is in every cell (format below), so headers stay short enough to
    # fit ten columns without scrolling.
    return metric_name(metric_id, lang)


def display_value(metric_id: str, series: pd.Series) -> pd.Series:
    """Numbers stay numbers (so the table sorts); rates as percent."""
    scale = 100.0 if METRICS[metric_id].unit == "fraction" else 1.0
    return pd.to_numeric(series, errors="coerce") * scale


def column_config() -> dict:
    config = {}
    for m in HEADLINE:
        unit = METRICS[m].unit
        fmt = {"fraction": "%.1f%%", "hours": f"%.1f {unit_label(m, lang)}"}.get(unit, "%d")
        config[header(m)] = st.column_config.NumberColumn(
            header(m), format=fmt, help=f"{metric_name(m, lang)} · {direction_label(m, lang)}")
    config[header("ro_count")] = st.column_config.NumberColumn(header("ro_count"), format="localized")
    return config


# ---------------------------------------------------------------- fair ranking
# The league is ordered by a fair rank of one rate (Wilson bound or shrunk rate,
# kpi.fairness): a store with a dozen cases cannot top or sink the table by chance.
RANKABLE = [m for m in HEADLINE if m in FAIR_METRICS]
# The choice is drawn above the league table (below); its value is read here first.
if st.session_state.get("league_rank_metric") not in RANKABLE:
    st.session_state["league_rank_metric"] = "satisfied_rate"
if st.session_state.get("league_rank_by") not in ("wilson", "shrunk"):
    st.session_state["league_rank_by"] = "wilson"
rank_metric = st.session_state["league_rank_metric"]
rank_by = st.session_state["league_rank_by"]
rank_range = ftfr_range if rank_metric == "first_time_fix_rate" else (f.start, f.end)
fair = fairness_cached(db, "league_table", rank_metric, scope=f.scope, start=rank_range[0], end=rank_range[1],
                       filters=league_filters, rank_by=rank_by)
by_dealer = by_dealer.merge(
    fair[["dealer_id", "fair_rank", "wilson_lower", "wilson_upper", "status", "status_reason", "attainment"]],
    on="dealer_id", how="left",
).sort_values(["fair_rank", "dealer_id"], na_position="last").reset_index(drop=True)

# ---------------------------------------------------------------- league table
names = {
    "dealer_name": pick(("经销商", "Dealer")), "region_name": pick(("区域", "Region")),
    "city": pick(("城市", "City")), "dealer_type": pick(("类型", "Type")),
}
league = pd.DataFrame({label: by_dealer[col] for col, label in names.items()})
league[names["region_name"]] = league[names["region_name"]].map(lambda v: localized_name(v, lang))
league[names["dealer_type"]] = league[names["dealer_type"]].map(lambda v: enum_name(DEALER_TYPE_NAMES, v, lang))
league[header("ro_count")] = by_dealer["ro_count"].astype("Int64")
for m in HEADLINE:
    league[header(m)] = display_value(m, by_dealer[m])
FAIR_RANK = pick(("公平名次", "Fair rank"))
INTERVAL = f"{metric_name(rank_metric, lang)} {word('interval', lang)}"
STATUS = f"{metric_name(rank_metric, lang)} {word('status', lang)}"
ATTAIN = f"{metric_name(rank_metric, lang)} {word('attainment', lang)}"
league.insert(0, FAIR_RANK, by_dealer["fair_rank"].astype("Int64"))
league[INTERVAL] = [interval_text(lo, hi) for lo, hi in zip(by_dealer["wilson_lower"], by_dealer["wilson_upper"])]
league[STATUS] = [status_text(r, lang) if isinstance(r, str) else "—" for r in by_dealer["status_reason"]]
league[ATTAIN] = [attainment_text(v) for v in by_dealer["attainment"]]
league["_status"] = by_dealer["status"].to_numpy()
league["_reason"] = by_dealer["status_reason"].to_numpy()
# The ranking rate and what goes with it right after the dealer, not off-screen on the right.
focus = [header(rank_metric), INTERVAL, STATUS, ATTAIN]
league = league[[c for c in league.columns if c not in focus[1:] and c != header(rank_metric)][:6] + focus
                + [c for c in league.columns if c not in focus][6:]]

ranks = league[[names["dealer_name"]]].copy()
for m in HEADLINE:
    higher = METRICS[m].higher_is_better
    ranks[metric_name(m, lang)] = by_dealer[m].rank(ascending=not higher, method="min").astype("Int64")

# network and region rows: their own ratio of sums
region_names = {rid: localized_name(name, lang) for rid, name in zip(dealers["region_id"], dealers["region_name"])}
if f.scope.level == "network":
    network = compute_block(())
else:
    # Over the user's scope a "network" row would be their own region again:
    # the anonymous network average takes its place.
    bench = network_benchmarks()
    network = pd.DataFrame([{m: bench.loc[m, "network_average"] for m in HEADLINE + ("ro_count",)}])
regions = compute_block(("region_id",))
if f.region_id:
    regions = regions[regions["region_id"] == f.region_id]
summary_rows = [(t("network_average"), network.iloc[0] if len(network) else None)]
summary_rows += [(region_names.get(r.region_id, r.region_id), r)
                 for _, r in regions.sort_values("region_id").iterrows()]
summary = pd.DataFrame({
    pick(("范围", "Scope")): [label for label, _ in summary_rows],
    header("ro_count"): [int(row["ro_count"]) if row is not None and pd.notna(row["ro_count"]) else None
                         for _, row in summary_rows],
    **{header(m): [display_value(m, pd.Series([row[m] if row is not None else None])).iloc[0] for _, row in summary_rows]
       for m in HEADLINE},
})

st.subheader(pick(("网络与区域", "Network and regions")))
st.caption(pick(("按全部工单合计计算（分子之和 ÷ 分母之和），不是各店比率的平均。",
                 "Computed over all their rows (sum of numerators ÷ sum of denominators), not a mean of dealer rates.")))
st.dataframe(summary, hide_index=True, width="stretch", column_config=column_config(), key="summary_table")

st.subheader(pick((f"经销商排名（{len(league)} 家）", f"League table ({len(league)} dealers)")))
st.caption(pick((
    f"按{metric_name(rank_metric, 'zh')}的公平名次排序（{'95% 威尔逊区间的保守端' if rank_by == 'wilson' else '经验贝叶斯收缩后的比率'}，见“指标口径·统计方法”），"
    "并给出其区间、目标状态与达成率（目标按经销商、区域、全网顺序取期末有效值）。点击列标题可按其他列排序；选中一行打开该店日报。“名次”页签为各指标的原始名次。",
    f"Ordered by the fair rank of {metric_name(rank_metric, 'en').lower()} ({'the cautious end of the 95% Wilson interval' if rank_by == 'wilson' else 'the empirical-Bayes shrunk rate'}, "
    "see Definitions · Methods), with its interval, target status and attainment (the dealer's, else the region's, else the "
    "network's target valid at the end of the period). Click a header to sort by another column; select a row to open "
    "the store's daily report. The Ranks tab has each metric's raw rank.",
)))
r1, r2 = st.columns([3, 2])
r1.selectbox(pick(("排名指标", "Rank by rate")), RANKABLE, key="league_rank_metric",
             format_func=lambda m: metric_name(m, lang))
r2.segmented_control(
    pick(("排名依据", "Ranking")), ["wilson", "shrunk"], key="league_rank_by",
    format_func=lambda b: pick({"wilson": ("区间保守端", "Interval bound"), "shrunk": ("收缩后比率", "Shrunk rate")}[b]),
)
tab_values, tab_ranks = st.tabs([pick(("数值", "Values")), pick(("名次", "Ranks"))])
with tab_values:
    selection = st.dataframe(
        styled_status(league, STATUS, reason_column="_reason"), hide_index=True, width="stretch",
        column_config={**column_config(), **HIDDEN_HELPERS,
                       INTERVAL: st.column_config.TextColumn(help=word("interval_help", lang)),
                       ATTAIN: st.column_config.TextColumn(help=word("attainment_help", lang))},
        key="league_table",
        on_select="rerun", selection_mode="single-row", height=min(38 + 35 * len(league), 560),
    )
    download_buttons(league.drop(columns=["_status", "_reason"]), f"dealer_league_{f.start:%Y%m%d}_{f.end:%Y%m%d}",
                     key="league_download")
with tab_ranks:
    st.dataframe(ranks, hide_index=True, width="stretch", key="rank_table", height=min(38 + 35 * len(ranks), 560))

chosen_rows = selection.selection.rows if selection is not None else []
if chosen_rows:
    chosen = by_dealer.iloc[chosen_rows[0]]
    st.session_state[KEY_REGION] = chosen["region_id"]
    st.session_state[KEY_DEALER] = chosen["dealer_id"]
    st.switch_page(STORE_DAILY_PAGE, query_params=f.query_params(dealer=chosen["dealer_id"], region=chosen["region_id"]))

if f.dealer_id and f.dealer_id in set(by_dealer["dealer_id"]):
    mine = by_dealer[by_dealer["dealer_id"] == f.dealer_id].iloc[0]
    parts = [f"{metric_name(m, lang)} #{ranks.loc[mine.name, metric_name(m, lang)]}" for m in HEADLINE
             if pd.notna(ranks.loc[mine.name, metric_name(m, lang)])]
    st.info(f"**{escape_markdown(mine['dealer_name'])}**: " + " · ".join(parts), icon=":material/location_on:")

# ---------------------------------------------------------------- benchmark
st.subheader(pick(("标杆（前四分位）", "Best in class (top quartile)")))
st.caption(pick(("越高越好的指标取各店数值的第 75 百分位，越低越好的取第 25 百分位；达到者即为标杆店。",
                 "The 75th percentile of dealer values where higher is better, the 25th where lower is better; dealers at or beyond it are best in class.")))
bench_rows = []
for m in HEADLINE:
    values = by_dealer[["dealer_name", m]].dropna()
    if values.empty:
        continue
    higher = METRICS[m].higher_is_better
    level = float(np.quantile(values[m].astype(float), 0.75 if higher else 0.25))
    if f.scope.level != "network":  # the network's best, not the best of one's own region
        level = bench.loc[m, "top_quartile"]
        if level is None or pd.isna(level):
            continue
    best = values[values[m] >= level] if higher else values[values[m] <= level]
    best = best.sort_values(m, ascending=not higher)
    bench_rows.append({
        pick(("指标", "Metric")): metric_name(m, lang),
        pick(("标杆值", "Benchmark")): format_value(m, level, lang),
        pick(("全网络", "Network")): format_value(m, network.iloc[0][m] if len(network) else None, lang),
        pick(("标杆店", "Best-in-class dealers")): (f"{len(best)} 家：" + "、".join(best["dealer_name"])) if lang == "zh"
        else (f"{len(best)}: " + ", ".join(best["dealer_name"])),
    })
st.dataframe(pd.DataFrame(bench_rows), hide_index=True, width="stretch", key="benchmark_table")

# ---------------------------------------------------------------- quadrant
st.subheader(pick(("一次修复率 × 满意率", "First-time fix × satisfied")))
st.caption(pick(("气泡大小 = 进厂台次；虚线为各店中位数，右上象限两项都好。",
                 "Bubble size = repair orders; dotted lines are the dealer medians: top right is good at both.")))
scatter_data = by_dealer.dropna(subset=["first_time_fix_rate", "satisfied_rate"])
if scatter_data.empty:
    empty_state(pick(("所选期间没有足够数据绘制象限图。", "Not enough data in the period for the quadrant chart.")))
else:
    st.plotly_chart(
        quadrant_figure(scatter_data, "first_time_fix_rate", "satisfied_rate", "ro_count", "dealer_name", lang),
        width="stretch", key="quadrant_chart",
    )
