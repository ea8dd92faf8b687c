"""The complaints, service-process and satisfaction pages show what kpi.compute (and
the kpi-layer case list and histograms) say on the same database.

The database is tests/fixture_db.py's network, with complaints given the model of
their repair order, some follow-up calls and SERVQUAL answers, so that every level
of the drill-down and every chart has something to show.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import kpi
from kpi import db as kpi_db
from kpi import distributions
from kpi.complaint_cases import closed_loop_summary, complaint_cases
from kpi.engine import cursor, default_as_of
from kpi.registry import SERVQUAL_WEIGHT_POINTS
from tests.fixture_db import build_fixture_db
from tests.signin import sign_in
from tests.conftest import app_database
from ui.filters import ALL_OPTION, default_date_range
from ui.i18n import format_hours, format_percent, format_value

ROOT = Path(__file__).resolve().parent.parent
COMPLAINTS = "pages/3_投诉分析_Complaints.py"
SERVICE = "pages/4_服务过程_Service_process.py"
SATISFACTION = "pages/5_满意度_Satisfaction.py"


def enrich(path: Path) -> None:
    """Give complaints their repair order's model, every other closed complaint a
    follow-up call, and every third survey SERVQUAL answers (deterministic)."""
    con = kpi_db.connect(path)
    try:
        con.execute("""
            UPDATE complaints c SET product_id = r.product_id,
                followed_up_at = CASE WHEN c.closed_at IS NOT NULL AND hash(c.complaint_id) % 2 = 0
                                      THEN c.closed_at + INTERVAL 1 DAY END
            FROM repair_orders r WHERE r.ro_id = c.ro_id
        """)
        dims = list(SERVQUAL_WEIGHT_POINTS)
        sets = ", ".join(
            f"exp_{d} = 5 + (hash(survey_id || '{d}e') % 3)::INT, perc_{d} = 3 + (hash(survey_id || '{d}p') % 5)::INT"
            for d in dims
        )
        con.execute(f"UPDATE surveys SET {sets} WHERE hash(survey_id) % 3 = 0")
        kpi_db.refresh_derived(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()


@pytest.fixture(scope="module")
def analysis_db(tmp_path_factory):
    path = build_fixture_db(tmp_path_factory.mktemp("analysis") / "analysis.duckdb")
    enrich(path)
    with app_database(path):
        yield path


@pytest.fixture(scope="module")
def period(analysis_db):
    with cursor(analysis_db) as con:  # kpi's own connection settings: one config per file and process
        as_of = default_as_of(con)
    start, end = default_date_range(as_of)
    return start, end, as_of


def open_page(page: str, **query: str) -> AppTest:
    """Start at the entry page (as a user does), then switch: the sidebar's page
    links resolve against app.py."""
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=30))
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _decoded(value):
    """Plotly ships numeric arrays as {"dtype", "bdata" (base64)[, "shape"]}; turn them back into lists."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:
                array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
            return array.tolist()
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def figure(at: AppTest, index: int) -> dict:
    return _decoded(json.loads(at.get("plotly_chart")[index].proto.spec))


def find_figure(at: AppTest, trace_name: str | None = None, x_title: str | None = None) -> dict:
    """The one figure on the page with a trace of that name, or that x-axis title."""
    for i in range(len(at.get("plotly_chart"))):
        spec = figure(at, i)
        names = {t.get("name") for t in spec["data"]}
        title = spec["layout"].get("xaxis", {}).get("title", {}).get("text")
        if (trace_name and trace_name in names) or (x_title and title == x_title):
            return spec
    raise AssertionError(f"no figure with trace {trace_name!r} or x title {x_title!r}")


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# ------------------------------------------------------------------ complaints


def test_complaints_headline_equals_kpi_compute(analysis_db, period):
    start, end, _ = period
    expected = kpi.compute(analysis_db, ["complaint_count", "complaint_rate", "complaint_close_sla_rate",
                                         "avg_complaint_close_hours"], start=start, end=end).iloc[0]
    shown = metric_values(open_page(COMPLAINTS))
    assert shown["投诉量"] == format_value("complaint_count", expected["complaint_count"], "zh")
    assert shown["投诉率"] == format_percent(expected["complaint_rate"], 2)
    assert shown["投诉及时关闭率"] == format_value("complaint_close_sla_rate", expected["complaint_close_sla_rate"], "zh")
    assert shown["平均投诉关闭时长"] == format_hours(expected["avg_complaint_close_hours"], "zh")


def test_drill_chart_per_region_equals_kpi_compute(analysis_db, period):
    start, end, _ = period
    expected = kpi.compute(analysis_db, ["complaint_rate"], by=["region_id"], start=start, end=end)
    bars = figure(open_page(COMPLAINTS), 0)["data"][0]
    names = {"EAST": "华东", "NORTH": "华北", "SOUTH": "华南"}
    assert dict(zip(bars["y"], bars["x"])) == pytest.approx(
        {names[r]: v for r, v in zip(expected["region_id"], expected["complaint_rate"])})
    assert sorted(c[0] for c in bars["customdata"]) == ["EAST", "NORTH", "SOUTH"]


def test_drill_by_filters_down_to_cases_and_back_up(analysis_db, period):
    start, end, as_of = period
    at = open_page(COMPLAINTS, region="EAST")
    dealers = figure(at, 0)["data"][0]
    assert {c[0] for c in dealers["customdata"]} <= {"D001", "D002"}

    at = open_page(COMPLAINTS, dealer="D001")
    models = figure(at, 0)["data"][0]
    by_model = kpi.compute(analysis_db, ["complaint_rate"], by=["product_id"], start=start, end=end,
                           filters={"dealer_id": ["D001"], "region_id": ["EAST"]})
    assert sorted(c[0] for c in models["customdata"]) == sorted(by_model.loc[by_model["complaint_rate__num"] > 0, "product_id"])
    cases = at.dataframe[0].value
    expected = complaint_cases(analysis_db, start=start, end=end, as_of=as_of, filters={"dealer_id": ["D001"]})
    assert list(cases["投诉号"]) == list(expected["complaint_id"])
    assert set(cases["经销商"]) == {"上海浦东4S店"}

    # the breadcrumb leads back up: network, region, then where we stand
    crumbs = [b.key for b in at.button]
    assert crumbs[:2] == ["cmp_crumb_network", "cmp_crumb_region"]
    at.button(key="cmp_crumb_region").click().run()
    assert at.sidebar.selectbox(key="filter_dealer").value == ALL_OPTION
    assert at.sidebar.selectbox(key="filter_region").value == "EAST"
    at.button(key="cmp_crumb_network").click().run()
    assert at.sidebar.selectbox(key="filter_region").value == ALL_OPTION


def test_model_level_lists_single_cases_with_descriptions(analysis_db, period):
    start, end, as_of = period
    at = open_page(COMPLAINTS, dealer="D001", product="P1")
    expected = complaint_cases(analysis_db, start=start, end=end, as_of=as_of,
                               filters={"dealer_id": ["D001"], "product_id": ["P1"]})
    cases = at.dataframe[0].value
    assert list(cases["投诉号"]) == list(expected["complaint_id"])
    assert set(cases["车型"]) == {"星途 S7"}
    assert (cases["描述"] == "客户反映等待时间过长").all()


def test_closed_loop_figures_equal_the_case_counts(analysis_db, period):
    start, end, as_of = period
    loop = closed_loop_summary(analysis_db, start=start, end=end, as_of=as_of).iloc[0]
    at = open_page(COMPLAINTS)
    shown = metric_values(at)
    assert shown["未关闭"] == f"{loop['open']:,} 件"
    assert shown["超时（超过 72 小时）"] == f"{loop['closed_past_sla'] + loop['open_past_sla']:,} 件"
    assert shown["已回访（占已关闭）"] == format_percent(loop["followed_up"] / loop["closed"])
    segments = {t["name"]: t["x"][0] for t in find_figure(at, trace_name="按时关闭")["data"]}
    assert segments["按时关闭"] == loop["closed_within_sla"]
    assert segments["未关闭·已超时"] == loop["open_past_sla"]
    hist = find_figure(at, x_title="关闭用时（小时）")["data"]
    expected_n = kpi.compute(analysis_db, ["avg_complaint_close_hours"], start=start, end=end).iloc[0]
    assert sum(sum(t["y"]) for t in hist) == expected_n["avg_complaint_close_hours__n"]


def test_complaints_in_english(analysis_db):
    at = open_page(COMPLAINTS, lang="en")
    assert at.title[0].value == "Complaints"
    assert "Complaint rate" in metric_values(at)
    assert "Registered" in at.dataframe[0].value.columns


# ------------------------------------------------------------------ service process


def test_service_cards_and_histograms_equal_kpi_compute(analysis_db, period):
    start, end, _ = period
    expected = kpi.compute(analysis_db, ["on_time_delivery_rate", "median_repair_cycle_hours", "p90_response_hours",
                                         "response_sla_rate"], start=start, end=end).iloc[0]
    at = open_page(SERVICE)
    shown = metric_values(at)
    for metric_id, label in (("on_time_delivery_rate", "按时交车率"), ("median_repair_cycle_hours", "维修周期中位数"),
                             ("p90_response_hours", "响应时间P90"), ("response_sla_rate", "响应及时率")):
        assert shown[label] == format_value(metric_id, expected[metric_id], "zh")
    cycle = find_figure(at, x_title="维修周期（小时）")
    n = kpi.compute(analysis_db, ["avg_repair_cycle_hours"], start=start, end=end).iloc[0]["avg_repair_cycle_hours__n"]
    assert sum(sum(t["y"]) for t in cycle["data"]) == n
    # the p50 line sits at the registry's median
    assert cycle["layout"]["shapes"][0]["x0"] == pytest.approx(expected["median_repair_cycle_hours"])


def test_service_breakdown_by_fault_code(analysis_db, period):
    start, end, _ = period
    at = open_page(SERVICE)
    at.segmented_control(key="svc_dim").set_value("fault_code").run()
    at.selectbox(key="svc_metric").set_value("repeat_repair_rate").run()
    assert not at.exception
    bars = find_figure(at, x_title="重复维修率（%）")["data"][0]
    expected = kpi.compute(analysis_db, ["repeat_repair_rate"], by=["fault_code"], start=start, end=end).dropna(
        subset=["repeat_repair_rate"])
    assert dict(zip((c[0] for c in bars["customdata"]), bars["x"])) == pytest.approx(
        dict(zip(expected["fault_code"], expected["repeat_repair_rate"])))


# ------------------------------------------------------------------ satisfaction


def test_satisfaction_cards_and_servqual_equal_kpi_compute(analysis_db, period):
    start, end, _ = period
    gaps = [f"servqual_gap_{d}" for d in SERVQUAL_WEIGHT_POINTS]
    expected = kpi.compute(analysis_db, ["satisfied_rate", "dissatisfied_rate", "csi", "survey_coverage_rate",
                                         "servqual_weighted_gap"] + gaps, start=start, end=end).iloc[0]
    at = open_page(SATISFACTION)
    shown = metric_values(at)
    for metric_id, label in (("satisfied_rate", "满意率"), ("dissatisfied_rate", "不满意率"), ("csi", "客户满意度指数"),
                             ("survey_coverage_rate", "回访率"), ("servqual_weighted_gap", "加权服务质量差距")):
        assert shown[label] == format_value(metric_id, expected[metric_id], "zh")
    servqual = next(f for f in (figure(at, i) for i in range(len(at.get("plotly_chart"))))
                    if f["layout"].get("yaxis", {}).get("title", {}).get("text") == "感知 − 期望（分）")
    assert servqual["data"][0]["y"] == pytest.approx([expected[g] for g in gaps])
    assert servqual["layout"]["shapes"][0]["y0"] == pytest.approx(expected["servqual_weighted_gap"])


def test_satisfaction_language_switch(analysis_db):
    at = open_page(SATISFACTION)
    at.sidebar.radio(key="filter_lang").set_value("en").run()
    assert at.title[0].value == "Satisfaction"
    assert "Satisfied" in metric_values(at)


# ------------------------------------------------------------------ empty selections


@pytest.mark.parametrize("page", [COMPLAINTS, SERVICE, SATISFACTION])
def test_dealer_without_data_gets_a_clear_message(analysis_db, page):
    at = open_page(page, dealer="D099")
    assert any("新开业门店（无数据）" in i.value for i in at.info)
    assert not at.get("plotly_chart")
