"""满意度 Satisfaction & SERVQUAL: the survey score mix over time and by dealer, the
five SERVQUAL gaps with their weights, the weighted gap, the CSI, and how many
repairs were followed up by a survey at all.

Every number comes from kpi.compute. The score mix is made of the numerators of
satisfied_rate, very_satisfied_rate and dissatisfied_rate over their shared
denominator, so its two green bands add up to the satisfied rate.
"""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from kpi import charts
from kpi.registry import SERVQUAL_NAMES, SERVQUAL_WEIGHT_POINTS
from ui import (
    card_grid, compute_cached, dealer_label, current_lang, download_buttons, empty_state, get_database, load_cards, metric_name,
    page_title, pick, previous_period, render_filters, setup_page, t,
)
from ui.data import cached_records

TITLE = ("满意度", "Satisfaction")
CARDS = (
    "satisfied_rate", "very_satisfied_rate", "dissatisfied_rate", "avg_satisfaction_score",
    "csi", "servqual_weighted_gap", "survey_count", "survey_coverage_rate",
)
MIX = ["satisfied_rate", "very_satisfied_rate", "dissatisfied_rate"]
GAPS = [f"servqual_gap_{d}" for d in SERVQUAL_WEIGHT_POINTS]
MAX_DEALERS = 20

setup_page(TITLE, icon="😊")
f = render_filters()
db = get_database()
lang = current_lang()
page_title(TITLE, (
    "回访满意度（满意 / 非常满意 / 不满意）与 SERVQUAL 服务质量差距（感知 − 期望），以及回访覆盖。",
    "Survey satisfaction (satisfied / very satisfied / dissatisfied), the SERVQUAL service-quality gaps "
    "(perception − expectation), and survey coverage.",
))
if db.as_of is None:
    empty_state(t("no_data_selection"))
    st.stop()
filters = f.compute_filters()

overall = compute_cached(db, tuple(dict.fromkeys(CARDS + tuple(MIX) + tuple(GAPS))), scope=f.scope, start=f.start, end=f.end, filters=filters)
if overall.empty or int(overall["survey_count"].iloc[0]) == 0:
    if f.dealer_id:  # name the dealer: "no data" alone reads like a broken page
        empty_state(t("no_data_dealer", dealer=dealer_label(db, f.dealer_id, f.scope)))
    else:
        empty_state(pick(("所选范围内没有回访记录。请放宽日期、区域、经销商或车型筛选。",
                          "No survey in this selection. Widen the date range, region, dealer or model filter.")))
    st.stop()

period = (f.start, f.end)
cards = load_cards(db, CARDS, scope=f.scope, period=period, previous_period=previous_period(*period),
                   filters=filters, dealer_id=f.dealer_id, region_id=f.region_id)
card_grid(cards, key="sat_cards")

# ---------------------------------------------------------------- mix over time
st.divider()
st.subheader(pick(("满意度构成趋势", "Score mix over time")))
grain = st.segmented_control(
    pick(("粒度", "Grain")), ["week", "month"], default="month", key="sat_grain",
    format_func=lambda g: pick(({"week": "按周", "month": "按月"}[g], {"week": "Weekly", "month": "Monthly"}[g])),
) or "month"
span_days = 91 if grain == "week" else 365
trend_start = min(f.start, f.end - timedelta(days=span_days - 1))
trend_start = trend_start - timedelta(days=trend_start.weekday()) if grain == "week" else trend_start.replace(day=1)
trend = compute_cached(db, MIX, scope=f.scope, grain=grain, start=trend_start, end=f.end, filters=filters)
if trend.empty or trend["satisfied_rate__den"].sum() == 0:
    empty_state(pick(("这段时间没有带评分的回访。", "No scored survey in this span.")))
else:
    st.plotly_chart(charts.satisfaction_mix_chart(trend, lang, grain=grain), width="stretch", theme=None,
                    key="sat_mix_trend")
    st.caption(pick((
        f"{trend_start:%Y-%m-%d} 至 {f.end:%Y-%m-%d}；两段绿色之和即满意率（≥4 分），红色为不满意率（≤2 分）。最后一期可能不完整。",
        f"{trend_start:%Y-%m-%d} to {f.end:%Y-%m-%d}; the two greens together are the satisfied rate (score ≥ 4), "
        "red the dissatisfied rate (≤ 2). The last period may be incomplete.",
    )))

# ---------------------------------------------------------------- by dealer
st.subheader(pick(("各经销商满意度构成", "Score mix by dealer")))
by_dealer = compute_cached(db, MIX + ["survey_count"], scope=f.scope, by=["dealer_id"], start=f.start, end=f.end,
                           filters=filters)
by_dealer = by_dealer[by_dealer["satisfied_rate__den"] > 0].sort_values("satisfied_rate", kind="stable")
dealers = cached_records(db, "dealers", scope=f.scope)
dealer_names = dict(zip(dealers["dealer_id"], dealers["dealer_name"]))
by_dealer["label"] = [dealer_names.get(d, d) for d in by_dealer["dealer_id"]]
if by_dealer.empty:
    empty_state(pick(("没有带评分的回访。", "No scored survey.")))
else:
    shown = by_dealer.head(MAX_DEALERS)
    st.plotly_chart(charts.satisfaction_mix_chart(shown, lang, category_column="label", horizontal=True),
                    width="stretch", theme=None, key="sat_mix_dealers")
    st.caption(pick((
        f"按满意率从低到高排列" + (f"，显示最低的 {MAX_DEALERS} 家（共 {len(by_dealer)} 家）" if len(by_dealer) > MAX_DEALERS else "") + "。",
        "Sorted by satisfied rate, lowest first" + (f"; the lowest {MAX_DEALERS} of {len(by_dealer)} dealers" if len(by_dealer) > MAX_DEALERS else "") + ".",
    )))

# ---------------------------------------------------------------- SERVQUAL
st.divider()
st.subheader(pick(("SERVQUAL 服务质量差距", "SERVQUAL service-quality gaps")))
row = overall.iloc[0].to_dict()
if all(pd.isna(row[g]) for g in GAPS):
    empty_state(pick(("所选范围内的回访没有 SERVQUAL 问卷（期望与感知）。",
                      "The surveys in this selection carry no SERVQUAL answers (expectation and perception).")))
else:
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(charts.servqual_gap_chart(row, lang), width="stretch", theme=None, key="sat_servqual")
    with right:
        gaps = pd.DataFrame({
            pick(("维度", "Dimension")): [pick(SERVQUAL_NAMES[d]) for d in SERVQUAL_WEIGHT_POINTS],
            pick(("权重", "Weight")): [f"{w}%" for w in SERVQUAL_WEIGHT_POINTS.values()],
            pick(("差距（分）", "Gap (pts)")): [row[g] for g in GAPS],
            pick(("加权贡献（分）", "Weighted (pts)")): [row[g] * w / 100 if not pd.isna(row[g]) else None
                                                    for g, w in zip(GAPS, SERVQUAL_WEIGHT_POINTS.values())],
            pick(("问卷数", "Surveys")): [int(row[f"{g}__n"]) for g in GAPS],
        })
        st.dataframe(gaps, hide_index=True, width="stretch", key="sat_gap_table", column_config={
            pick(("差距（分）", "Gap (pts)")): st.column_config.NumberColumn(format="%+.2f"),
            pick(("加权贡献（分）", "Weighted (pts)")): st.column_config.NumberColumn(format="%+.3f"),
        })
        weighted = row["servqual_weighted_gap"]
        csi = row["csi"]
        st.markdown(pick((
            f"**{metric_name('servqual_weighted_gap', 'zh')}：{'—' if pd.isna(weighted) else f'{weighted:+.2f} 分'}**　"
            f"**{metric_name('csi', 'zh')}：{'—' if pd.isna(csi) else f'{csi:.1f}'}**",
            f"**{metric_name('servqual_weighted_gap', 'en')}: {'—' if pd.isna(weighted) else f'{weighted:+.2f} pts'}**  ·  "
            f"**{metric_name('csi', 'en')}: {'—' if pd.isna(csi) else f'{csi:.1f}'}**",
        )))
        st.caption(pick((
            "差距 = 感知 − 期望（1–7 分量表）；负数表示低于客户期望。CSI = 100 × 加权感知 ÷ 加权期望，100 即恰好达到期望。",
            "Gap = perception − expectation (1–7 scale); negative means below what customers expected. "
            "CSI = 100 × weighted perception ÷ weighted expectation; 100 means expectations exactly met.",
        )))

# ---------------------------------------------------------------- coverage
st.divider()
st.subheader(pick(("回访覆盖", "Survey coverage")))
coverage = compute_cached(db, ["survey_coverage_rate"], scope=f.scope, by=["dealer_id"], start=f.start, end=f.end,
                          filters=filters)
coverage["label"] = [dealer_names.get(d, d) for d in coverage["dealer_id"]]
if coverage["survey_coverage_rate"].notna().sum() == 0:
    empty_state(pick(("所选期间没有已交车的工单。", "No repair order handed back in this period.")))
else:
    fig = charts.ranked_bars(coverage, "survey_coverage_rate", "label", lang, id_column="dealer_id",
                             reference=row["survey_coverage_rate"], reference_label=pick(("整体", "Overall")),
                             top_n=MAX_DEALERS, rest_label_key="rest_dealers")
    st.plotly_chart(fig, width="stretch", theme=None, key="sat_coverage")
    st.caption(pick((
        "回访率 = 有回访记录的已交车工单 ÷ 已交车工单；覆盖最低的排在最上。",
        "Coverage = handed-back repair orders with a survey ÷ handed-back repair orders; the lowest at the top.",
    )))
    export = by_dealer[["label", "survey_count"] + MIX].rename(columns={"label": pick(("经销商", "Dealer"))})
    download_buttons(export, "satisfaction_by_dealer", key="sat_download")
