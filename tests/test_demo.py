"""The demo network generator: deterministic, contract-valid, and telling a story.

A small network (20,000 repair orders) is generated and loaded once per module
through `write_demo`, i.e. through `kpi.ingest.load_frames`: the loader validates
every contract rule (types, enums, ranges, references, orderings, metric ids of
targets), so a successful load is itself the check that all generated values
are valid.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import kpi
from kpi.cli import main
from kpi.contract import DEALER_TYPES, POWERTRAINS, RO_TYPES
from kpi.demo import DEFAULT_END, DemoNetwork, generate, write_demo
from kpi.demo.command import NotADemoDatabase
from kpi.demo.complaints import DESCRIPTIONS
from kpi.demo.fleet import VIN_WEIGHTS, _check_digits

N = 20_000
SEED = 7


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoNetwork]:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    report = write_demo(path, N, seed=SEED)
    return path, report.demo


def query(path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).df()


def _as_frame(table: pa.Table | pd.DataFrame) -> pd.DataFrame:
    return table.to_pandas() if isinstance(table, pa.Table) else table


# ---------------------------------------------------------------- determinism

def test_same_seed_gives_identical_tables() -> None:
    """Same arguments, same data: a demo or a benchmark is reproducible."""
    first, second = generate(5_000, seed=3), generate(5_000, seed=3)
    assert first.tables.keys() == second.tables.keys()
    for name in first.tables:
        pd.testing.assert_frame_equal(_as_frame(first.tables[name]), _as_frame(second.tables[name]), obj=name)


def test_different_seed_gives_different_tables() -> None:
    """The seed really drives the draws (facts and which dealers are good)."""
    first, second = generate(5_000, seed=3), generate(5_000, seed=4)
    for name in ("repair_orders", "service_requests", "complaints", "surveys"):
        assert not _as_frame(first.tables[name]).equals(_as_frame(second.tables[name])), name


def test_exactly_the_requested_number_of_repair_orders() -> None:
    """Comebacks are added and ordinary visits thinned so the count is exact."""
    assert generate(3_210, seed=1).counts["repair_orders"] == 3_210


# ---------------------------------------------------------------- shape

def test_load_accepted_every_table(demo_db: tuple[Path, DemoNetwork]) -> None:
    """Every generated row went in: the loader refuses a load with any broken rule."""
    path, demo = demo_db
    for table, rows in demo.counts.items():
        assert query(path, f"SELECT count(*) n FROM {table}")["n"][0] == rows, table
    assert query(path, "SELECT source FROM load_log")["source"].tolist() == ["demo"]


def test_network_has_regions_dealers_of_all_types_and_models_of_all_powertrains(demo_db: tuple[Path, DemoNetwork]) -> None:
    path, _ = demo_db
    regions = query(path, "SELECT * FROM regions")
    assert 5 <= len(regions) <= 8
    assert regions["region_name"].str.contains("华东").any()
    dealers = query(path, "SELECT * FROM dealers")
    assert 50 <= len(dealers) <= 70
    assert set(dealers["dealer_type"]) == set(DEALER_TYPES)
    assert (dealers["dealer_type"] == "4S").mean() > 0.5  # an OEM network is mostly 4S stores
    assert dealers["dealer_name"].is_unique and dealers["city"].notna().all()
    products = query(path, "SELECT * FROM products")
    assert 10 <= len(products) <= 14
    assert set(products["powertrain"]) == set(POWERTRAINS)
    assert products["series"].nunique() >= 3


def test_history_is_two_years_ending_at_end(demo_db: tuple[Path, DemoNetwork]) -> None:
    """Visits run from two years before `end` up to `end` itself."""
    path, _ = demo_db
    span = query(path, "SELECT min(opened_at)::DATE first, max(opened_at)::DATE last FROM repair_orders")
    assert span["last"][0].date() == DEFAULT_END
    assert abs((span["first"][0].date() - (DEFAULT_END - timedelta(days=730))).days) <= 3


def test_end_moves_the_history() -> None:
    demo = generate(2_000, seed=1, end=date(2025, 6, 30))
    opened = demo.tables["repair_orders"]["opened_at"].to_pandas()
    assert opened.max().date() == date(2025, 6, 30)
    assert opened.min().date() >= date(2023, 6, 30)


def test_repair_orders_look_like_a_dms_export(demo_db: tuple[Path, DemoNetwork]) -> None:
    """All visit types, fault codes on repairs, VINs reused across visits, money in cents."""
    path, _ = demo_db
    orders = query(path, "SELECT * FROM repair_orders")
    shares = orders["ro_type"].value_counts(normalize=True)
    assert set(shares.index) == set(RO_TYPES)
    assert shares.idxmax() == "maintenance"
    repairs = orders[orders["ro_type"].isin(["repair", "warranty"])]
    assert repairs["fault_code"].notna().mean() > 0.98
    assert orders["vin"].str.len().eq(17).all()
    assert orders.groupby("vin").size().mean() > 2  # the same cars come back
    assert orders.groupby("vin")["product_id"].nunique().max() == 1  # a VIN is one car
    assert (orders["labor_amount"].astype(float) * 100 % 1 == 0).all()


def test_vins_have_valid_check_digits(demo_db: tuple[Path, DemoNetwork]) -> None:
    path, _ = demo_db
    vins = query(path, "SELECT DISTINCT vin FROM repair_orders")["vin"]
    chars = np.frombuffer("".join(vins).encode(), dtype=np.uint8).reshape(-1, 17)
    assert (chars[:, 8] == _check_digits(chars)).all()
    assert len(VIN_WEIGHTS) == 17


def test_bev_models_get_battery_codes_and_no_engine_codes(demo_db: tuple[Path, DemoNetwork]) -> None:
    path, _ = demo_db
    codes = query(path, """
        SELECT DISTINCT fault_code FROM repair_orders JOIN products USING (product_id)
        WHERE powertrain = 'BEV' AND ro_type IN ('repair', 'warranty') AND fault_code IS NOT NULL""")["fault_code"]
    assert {"P0300", "P0420", "P0171"}.isdisjoint(codes)
    assert {"P0AFA", "P0D27"} <= set(codes)


def test_complaint_descriptions_match_their_category(demo_db: tuple[Path, DemoNetwork]) -> None:
    path, _ = demo_db
    complaints = query(path, "SELECT category, description FROM complaints")
    for category, description in zip(complaints["category"], complaints["description"]):
        assert description in DESCRIPTIONS[category]


def test_targets_cover_network_regions_and_dealers(demo_db: tuple[Path, DemoNetwork]) -> None:
    """Metric ids were checked by the loader; here: all three scopes, open-ended current
    targets, and bands around each target."""
    path, _ = demo_db
    targets = query(path, "SELECT * FROM targets")
    assert set(targets["scope"]) == {"network", "region", "dealer"}
    current = targets[(targets["scope"] == "network") & targets["valid_to"].isna()]
    assert current.set_index("metric_id")["target"].astype(float)["first_time_fix_rate"] == pytest.approx(0.92)
    assert (targets["lower"] <= targets["target"]).all() and (targets["target"] <= targets["upper"]).all()


# ---------------------------------------------------------------- the story

def _by_tier(path: Path, demo: DemoNetwork, metric: str) -> pd.Series:
    """A metric's ratio of sums over each tier's dealers (good / typical / bad)."""
    per_dealer = kpi.compute(path, [metric], by=["dealer_id"])
    tiers = demo.network.dealers.set_index("dealer_id")["tier"]
    sums = per_dealer.assign(tier=per_dealer["dealer_id"].map(tiers)).groupby("tier")[
        [f"{metric}__num", f"{metric}__den"]
    ].sum()
    return sums[f"{metric}__num"] / sums[f"{metric}__den"]


def test_good_dealers_fix_first_time_far_more_often_than_bad_ones(demo_db: tuple[Path, DemoNetwork]) -> None:
    """The latent quality drives comebacks: the marked good dealers' first-time fix
    rate (via kpi.compute) is clearly above the bad ones', typical ones in between."""
    path, demo = demo_db
    assert len(demo.dealer_ids("good")) >= 3 and len(demo.dealer_ids("bad")) >= 3
    rate = _by_tier(path, demo, "first_time_fix_rate")
    assert rate["good"] - rate["bad"] > 0.07
    assert rate["bad"] < rate["typical"] < rate["good"]


@pytest.mark.parametrize("metric", ["on_time_delivery_rate", "response_sla_rate", "satisfied_rate", "complaint_close_sla_rate"])
def test_good_dealers_serve_better_on_every_front(demo_db: tuple[Path, DemoNetwork], metric: str) -> None:
    path, demo = demo_db
    rate = _by_tier(path, demo, metric)
    assert rate["good"] - rate["bad"] > 0.1


def test_bad_dealers_draw_more_complaints(demo_db: tuple[Path, DemoNetwork]) -> None:
    path, demo = demo_db
    rate = _by_tier(path, demo, "complaint_rate")
    assert rate["bad"] > 3 * rate["good"]


def test_network_is_near_its_targets(demo_db: tuple[Path, DemoNetwork]) -> None:
    """Targets are realistic: the network as a whole is close to them, not far off."""
    path, _ = demo_db
    values = kpi.compute(path, ["first_time_fix_rate", "on_time_delivery_rate", "response_sla_rate", "satisfied_rate"])
    assert 0.88 < values["first_time_fix_rate"][0] < 0.97
    assert 0.85 < values["on_time_delivery_rate"][0] < 0.97
    assert 0.90 < values["response_sla_rate"][0] < 0.99
    assert 0.85 < values["satisfied_rate"][0] < 0.96


def test_comebacks_happen_also_at_other_dealers(demo_db: tuple[Path, DemoNetwork]) -> None:
    """Some customers take the car elsewhere; the comeback is still charged to the first dealer."""
    path, _ = demo_db
    pairs = query(path, """
        SELECT a.dealer_id = b.dealer_id AS same_dealer, count(*) n
        FROM fact_repair_orders a JOIN repair_orders b
          ON b.ro_type IN ('repair', 'warranty') AND b.fault_code = a.fault_code
         AND b.vin = (SELECT vin FROM repair_orders r WHERE r.ro_id = a.ro_id)
         AND b.opened_at > a.closed_at AND b.opened_at <= a.closed_at + INTERVAL 30 DAY
        WHERE a.is_repair_type GROUP BY 1""").set_index("same_dealer")["n"]
    assert pairs[True] > pairs[False] > 0


def test_surveys_cover_about_half_to_two_thirds_of_closed_orders(demo_db: tuple[Path, DemoNetwork]) -> None:
    path, _ = demo_db
    coverage = kpi.compute(path, ["survey_coverage_rate"])["survey_coverage_rate"][0]
    assert 0.5 <= coverage <= 0.7
    surveys = query(path, "SELECT * FROM surveys")
    assert surveys["ro_id"].notna().all()
    assert 0 < surveys["overall_score"].isna().mean() < 0.1  # some calls lack answers
    assert 0 < surveys["perc_empathy"].isna().mean() < 0.2


# ---------------------------------------------------------------- work in progress

def test_open_work_waits_at_the_end(demo_db: tuple[Path, DemoNetwork]) -> None:
    """The store manager's action lists are not empty at the data's as_of: cars still
    in the workshop (some past their promised time), unanswered requests (some past
    24 h), open complaints young and old, recent closed ROs without a survey."""
    path, _ = demo_db
    found = query(path, """
        WITH a AS (SELECT greatest(max(opened_at), max(closed_at)) AS t FROM repair_orders)
        SELECT
          (SELECT count(*) FROM repair_orders, a WHERE closed_at IS NULL) AS open_ros,
          (SELECT count(*) FROM repair_orders, a WHERE closed_at IS NULL AND promised_at < a.t) AS overdue_ros,
          (SELECT count(*) FROM service_requests WHERE responded_at IS NULL) AS unanswered,
          (SELECT count(*) FROM service_requests, a WHERE responded_at IS NULL AND created_at < a.t - INTERVAL 24 HOUR) AS unanswered_24h,
          (SELECT count(*) FROM complaints, a WHERE closed_at IS NULL AND created_at >= a.t - INTERVAL 72 HOUR) AS young_complaints,
          (SELECT count(*) FROM complaints, a WHERE closed_at IS NULL AND created_at < a.t - INTERVAL 72 HOUR) AS old_complaints,
          (SELECT count(*) FROM fact_repair_orders, a WHERE closed_at >= a.t - INTERVAL 3 DAY AND NOT has_survey) AS unsurveyed
        """).iloc[0]
    assert found["open_ros"] > found["overdue_ros"] > 0
    assert found["unanswered"] > found["unanswered_24h"] > 0
    assert found["young_complaints"] > 0 and found["old_complaints"] > 0
    assert found["unsurveyed"] > 0


def test_timestamps_never_run_past_the_snapshot(demo_db: tuple[Path, DemoNetwork]) -> None:
    """Nothing is recorded after the export was taken (the end day, 18:00); only a
    promised delivery time may lie ahead."""
    path, _ = demo_db
    snapshot = pd.Timestamp(DEFAULT_END) + pd.Timedelta(hours=18)
    latest = query(path, """
        SELECT greatest(max(opened_at), max(closed_at)) t FROM repair_orders
        UNION ALL SELECT greatest(max(created_at), max(responded_at), max(arrived_at), max(resolved_at)) FROM service_requests
        UNION ALL SELECT greatest(max(created_at), max(resolved_at), max(closed_at), max(followed_up_at)) FROM complaints
        UNION ALL SELECT max(surveyed_at) FROM surveys""")["t"]
    assert (latest <= snapshot).all()


# ---------------------------------------------------------------- command line

def test_command_writes_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.duckdb"
    assert main(["demo", "--db", str(path), "--repair-orders", "2000", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "repair_orders" in out and "2,000" in out and "took" in out
    assert query(path, "SELECT count(*) n FROM repair_orders")["n"][0] == 2000
    # Run again smaller: the file is replaced, nothing of the first run lingers.
    assert main(["demo", "--db", str(path), "--repair-orders", "1500", "--seed", "5"]) == 0
    assert query(path, "SELECT count(*) n FROM repair_orders")["n"][0] == 1500


def test_refuses_to_overwrite_real_data(tmp_path: Path) -> None:
    """A database with non-demo loads is left alone unless forced."""
    from kpi.ingest import load_frames

    path = tmp_path / "real.duckdb"
    load_frames(path, {"regions": pd.DataFrame({"region_id": ["X"], "region_name": ["X"]})}, source="regions.csv")
    with pytest.raises(NotADemoDatabase):
        write_demo(path, 1_000)
    write_demo(path, 1_000, force=True)
    assert query(path, "SELECT count(*) n FROM regions WHERE region_id = 'X'")["n"][0] == 0


def test_demo_comes_with_one_account_per_role(demo_db: tuple[Path, DemoNetwork]) -> None:
    """The README's demo sign-ins work and see the scopes they name."""
    from kpi import accounts, db
    from kpi.demo.command import DEMO_ACCOUNTS

    path, _ = demo_db
    con = db.connect(path, read_only=True)
    try:
        for name, role, scope_id, password in DEMO_ACCOUNTS:
            assert accounts.authenticate(con, name, password) == accounts.Account(name, role, scope_id)
        assert {a.role for a in accounts.list_users(con)} == {"network", "region", "dealer"}
    finally:
        con.close()
