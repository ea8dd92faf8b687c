"""Every metric of KPI_DEFINITIONS.md, defined once.

A metric is built from *measures*: an aggregate SQL expression over the rows of one
*source* (a fact table read through one anchor timestamp). The compiler aggregates
each measure at the requested grain and combines them last, so a rate is always a
ratio of sums. SQL here uses only columns of the source table and `$parameters`
that the compiler binds (see `kpi.compiler`):

- `$window_seconds`       comeback window W in seconds
- `$matured_before`       as_of − W: a closed repair is matured when closed at or before it
- `$response_sla_seconds` / `$response_sla_cutoff` (as_of − S)
- `$complaint_sla_seconds` / `$complaint_sla_cutoff` (as_of − C)
"""
from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------
# Sources and dimensions
# ---------------------------------------------------------------------------

# Dimensions every fact row has through its dealer_id / product_id.
DEALER_DIMENSIONS = ("dealer_id", "region_id", "dealer_type", "city")
PRODUCT_DIMENSIONS = ("product_id", "series", "powertrain")
SHARED_DIMENSIONS = DEALER_DIMENSIONS + PRODUCT_DIMENSIONS
ALL_DIMENSIONS = SHARED_DIMENSIONS + ("ro_type", "fault_code", "channel", "category", "severity")

GRAINS = ("day", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class Source:
    """The rows of one table, put into periods by one anchor timestamp."""

    id: str
    table: str
    anchor: str
    own_dimensions: tuple[str, ...]
    anchor_nullable: bool = False  # closed_at: open rows have no period

    @property
    def dimensions(self) -> tuple[str, ...]:
        return SHARED_DIMENSIONS + self.own_dimensions


SOURCES: dict[str, Source] = {
    s.id: s
    for s in (
        # fact_* are the contract tables with dealer and product attributes copied
        # on, and repair orders with comeback gaps and survey flags (sql/derived_facts.sql).
        Source("repair_orders_by_opened", "fact_repair_orders", "opened_at", ("ro_type", "fault_code")),
        Source("repair_orders_by_closed", "fact_repair_orders", "closed_at", ("ro_type", "fault_code"), True),
        Source("service_requests", "fact_service_requests", "created_at", ("channel",)),
        Source("complaints", "fact_complaints", "created_at", ("channel", "category", "severity")),
        Source("surveys", "fact_surveys", "surveyed_at", ()),
    )
}


@dataclass(frozen=True)
class Measure:
    """An aggregate over one source's rows: `agg` of `expr` over the rows where
    `where` holds. Counts, sums and means are additive (a mean is kept as its sum
    and count), so they can also be read from the daily rollups (`kpi.rollup`);
    a quantile needs the rows themselves.

    `divisor` turns the value into its unit: durations are summed as whole
    microseconds, which is exact, and divided into hours only at the end.
    """

    source: str
    agg: str  # one of AGGREGATES
    expr: str = "*"
    where: str | None = None
    quantile: float | None = None  # agg == "quantile"
    divisor: float = 1.0  # agg == "avg"

    @property
    def additive(self) -> bool:
        return self.agg != "quantile"

    @property
    def sql(self) -> str:
        """The aggregate over the rows, as one SQL expression."""
        filtered = f" FILTER (WHERE {self.where})" if self.where else ""
        if self.agg == "quantile":
            return f"quantile_cont({self.expr}, {self.quantile!r}){filtered}"
        scaled = f" / {self.divisor!r}" if self.divisor != 1 else ""
        return f"{self.agg}({self.expr}){filtered}{scaled}"


AGGREGATES = ("count", "sum", "avg", "quantile")


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------

# kind -> how the value is made from the measures
#   count:    value = measure (0 when the group has no rows)
#   rate:     value = numerator / denominator, NULL when the denominator is 0
#   ratio:    value = scale × numerator / denominator (an index, not a share)
#   mean:     value = the measure (an avg), n = how many rows it averaged
#   quantile: value = the measure (a quantile_cont), n = how many rows
#   weighted: value = Σ weight × value of other metrics (NULL if any is NULL)
KINDS = ("count", "rate", "ratio", "mean", "quantile", "weighted")
UNITS = {
    # unit: (中文, English) as shown next to a number
    "count": ("", ""),
    "fraction": ("%", "%"),
    "hours": ("小时", "h"),
    "score": ("分", "pts"),
    "gap": ("分", "pts"),
    "index": ("", ""),
}
GROUPS = {
    "service_process": ("服务过程指标", "Service process"),
    "satisfaction": ("用户满意指标", "Customer satisfaction"),
    "servqual": ("服务质量差距 SERVQUAL", "Service quality (SERVQUAL)"),
}


@dataclass(frozen=True)
class Metric:
    id: str
    name_zh: str
    name_en: str
    group: str
    kind: str
    unit: str
    # True: higher is better; False: lower is better; None: a volume, neither.
    higher_is_better: bool | None
    anchor: str  # "table.column", as KPI_DEFINITIONS.md names it
    description_zh: str
    description_en: str
    numerator: Measure | None = None  # count, rate, ratio: the counted measure
    denominator: Measure | None = None  # rate, ratio
    value: Measure | None = None  # mean, quantile
    sample_size: Measure | None = None  # mean, quantile: rows behind the value
    weights: tuple[tuple[str, float], ...] = ()  # weighted: (metric id, weight)
    scale: float = 1.0  # ratio
    uses_as_of: bool = False  # windows and SLAs: depends on as_of
    seed: str = ""  # where in the domain documents the metric comes from

    @property
    def measures(self) -> tuple[Measure, ...]:
        return tuple(m for m in (self.numerator, self.denominator, self.value, self.sample_size) if m)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.source for m in self.measures))

    @property
    def has_parts(self) -> bool:
        """Rates and ratios return numerator and denominator beside the value."""
        return self.kind in ("rate", "ratio")


# --- SQL fragments used by several metrics ----------------------------------

REPAIR_TYPE = "is_repair_type"
MATURED_REPAIR = "is_repair_type AND closed_at <= $matured_before"
HAS_COMEBACK = "coalesce(comeback_gap_seconds <= $window_seconds, false)"
RESPONSE_HOURS = "(epoch(responded_at) - epoch(created_at)) / 3600.0"

# SERVQUAL dimensions and their weights (points out of 100, from the SERVQUAL
# studies cited by the domain documents).
SERVQUAL_WEIGHT_POINTS = {
    "reliability": 32,
    "responsiveness": 22,
    "assurance": 19,
    "empathy": 16,
    "tangibles": 11,
}
SERVQUAL_NAMES = {
    "reliability": ("可靠性", "Reliability"),
    "responsiveness": ("响应性", "Responsiveness"),
    "assurance": ("保证性", "Assurance"),
    "empathy": ("移情性", "Empathy"),
    "tangibles": ("有形性", "Tangibles"),
}


def _count(source: str, where: str | None = None) -> Measure:
    return Measure(source, "count", where=where)


MICROSECONDS_PER_HOUR = 3_600_000_000.0


def _mean_hours(source: str, later: str, earlier: str) -> Measure:
    return Measure(source, "avg", f"epoch_us({later}) - epoch_us({earlier})", divisor=MICROSECONDS_PER_HOUR)


def _servqual_weighted_sum(prefix: str) -> str:
    # Integer weight points keep the sums exact; the 1/100 cancels in the CSI ratio.
    return " + ".join(f"{points} * {prefix}_{dim}" for dim, points in SERVQUAL_WEIGHT_POINTS.items())


_ALL_TEN_SERVQUAL = " AND ".join(
    f"{prefix}_{dim} IS NOT NULL" for prefix in ("exp", "perc") for dim in SERVQUAL_WEIGHT_POINTS
)

RO_OPEN, RO_CLOSE = "repair_orders_by_opened", "repair_orders_by_closed"
REQ, CMP, SRV = "service_requests", "complaints", "surveys"

_METRICS: list[Metric] = [
    # ---------------------------------------------------------------- service process
    Metric(
        "ro_count", "进厂台次", "Repair orders", "service_process", "count", "count", None,
        "repair_orders.opened_at",
        "开单的工单数。", "Repair orders opened.",
        numerator=_count(RO_OPEN),
        seed="业绩指标: 服务销售",
    ),
    Metric(
        "first_time_fix_rate", "一次修复率", "First-time fix rate", "service_process", "rate", "fraction", True,
        "repair_orders.closed_at",
        "已关闭且已成熟（关闭时间 + W ≤ as_of）的维修类工单中，之后 W 天内同一车辆同一故障码没有再进厂（任一经销商）的比例。返修记在第一次维修的经销商和车型上。W 默认 30 天。",
        "Of closed, matured (closed_at + W ≤ as_of) repair-type ROs, the share not followed by a repair visit of the same VIN and fault code within W days, at any dealer. A comeback is charged to the dealer and model of the first repair. W = 30 days by default.",
        numerator=_count(RO_CLOSE, f"{MATURED_REPAIR} AND NOT {HAS_COMEBACK}"),
        denominator=_count(RO_CLOSE, MATURED_REPAIR),
        uses_as_of=True,
        seed="服务过程指标: 一次解决率",
    ),
    Metric(
        "repeat_repair_rate", "重复维修率", "Repeat repair rate", "service_process", "rate", "fraction", False,
        "repair_orders.opened_at",
        "开单的维修类工单中，属于返修（同一车辆同一故障码在上次维修关闭后 W 天内再次进厂，上次可在任一经销商）的比例，记在本次进厂的经销商。",
        "Of repair-type ROs opened, the share that are the second visit of a comeback pair (same VIN and fault code, opened within W days after an earlier repair closed, at any dealer); counted at the dealer of the repeat visit.",
        numerator=_count(RO_OPEN, f"{REPAIR_TYPE} AND coalesce(repeat_gap_seconds <= $window_seconds, false)"),
        denominator=_count(RO_OPEN, REPAIR_TYPE),
        seed="商业信誉: 重复维修率",
    ),
    Metric(
        "avg_repair_cycle_hours", "平均维修周期", "Average repair cycle", "service_process", "mean", "hours", False,
        "repair_orders.closed_at",
        "已关闭工单（所有类型）从进厂到交车的平均小时数。",
        "Mean hours from check-in to hand-back over closed ROs of all types.",
        value=_mean_hours(RO_CLOSE, "closed_at", "opened_at"),
        sample_size=_count(RO_CLOSE),
        seed="服务过程指标: 维修周期",
    ),
    Metric(
        "median_repair_cycle_hours", "维修周期中位数", "Median repair cycle", "service_process", "quantile", "hours", False,
        "repair_orders.closed_at",
        "已关闭工单维修周期（小时）的中位数（线性插值）。",
        "Median (linear interpolation) of repair cycle hours over closed ROs.",
        value=Measure(RO_CLOSE, "quantile", "cycle_hours", quantile=0.5),
        sample_size=_count(RO_CLOSE),
        seed="服务过程指标: 维修周期",
    ),
    Metric(
        "on_time_delivery_rate", "按时交车率", "On-time delivery rate", "service_process", "rate", "fraction", True,
        "repair_orders.closed_at",
        "有承诺交车时间的已关闭工单中，交车时间不晚于承诺时间的比例。",
        "Of closed ROs with a promised time, the share handed back at or before it.",
        numerator=_count(RO_CLOSE, "closed_at <= promised_at"),
        denominator=_count(RO_CLOSE, "promised_at IS NOT NULL"),
        seed="服务过程指标: 维修周期",
    ),
    Metric(
        "avg_response_hours", "平均响应时间", "Average response time", "service_process", "mean", "hours", False,
        "service_requests.created_at",
        "已响应的服务请求从受理到首次响应的平均小时数。",
        "Mean hours from request to first response over answered service requests.",
        value=_mean_hours(REQ, "responded_at", "created_at"),
        sample_size=_count(REQ, "responded_at IS NOT NULL"),
        seed="服务过程指标: 响应时间",
    ),
    Metric(
        "median_response_hours", "响应时间中位数", "Median response time", "service_process", "quantile", "hours", False,
        "service_requests.created_at",
        "已响应服务请求响应时间（小时）的中位数。",
        "Median response hours over answered service requests.",
        value=Measure(REQ, "quantile", RESPONSE_HOURS, quantile=0.5),
        sample_size=_count(REQ, "responded_at IS NOT NULL"),
        seed="服务过程指标: 响应时间",
    ),
    Metric(
        "p90_response_hours", "响应时间P90", "P90 response time", "service_process", "quantile", "hours", False,
        "service_requests.created_at",
        "已响应服务请求响应时间（小时）的第 90 百分位（线性插值）。",
        "90th percentile (linear interpolation) of response hours over answered requests.",
        value=Measure(REQ, "quantile", RESPONSE_HOURS, quantile=0.9),
        sample_size=_count(REQ, "responded_at IS NOT NULL"),
        seed="服务过程指标: 响应时间",
    ),
    Metric(
        "response_sla_rate", "响应及时率", "Response within SLA", "service_process", "rate", "fraction", True,
        "service_requests.created_at",
        "服务请求中在 S 小时内响应的比例；尚未响应且截至 as_of 仍未超过 S 的请求不计入分母。S 默认 24 小时（24 小时上门承诺）。",
        "Share of service requests answered within S hours; unanswered requests whose S hours have not run out at as_of are left out of the denominator. S = 24 h by default (the 24-hour on-site promise).",
        numerator=_count(REQ, "epoch(responded_at) - epoch(created_at) <= $response_sla_seconds"),
        denominator=_count(REQ, "NOT (responded_at IS NULL AND created_at > $response_sla_cutoff)"),
        uses_as_of=True,
        seed="服务标准: 24 小时上门",
    ),
    # ---------------------------------------------------------------- satisfaction
    Metric(
        "complaint_count", "投诉量", "Complaints", "satisfaction", "count", "count", False,
        "complaints.created_at",
        "受理的投诉数。", "Complaints registered.",
        numerator=_count(CMP),
        seed="用户满意指标: 投诉",
    ),
    Metric(
        "complaint_rate", "投诉率", "Complaint rate", "satisfaction", "rate", "fraction", False,
        "complaints.created_at / repair_orders.opened_at",
        "同一分组内受理的投诉数 ÷ 开单工单数。仅适用于两张表都有的维度（经销商、区域、车型及其属性、时间）。",
        "Complaints registered ÷ repair orders opened in the same group. Only for dimensions both tables have (dealer, region, product and their attributes, time).",
        numerator=_count(CMP),
        denominator=_count(RO_OPEN),
        seed="用户满意指标: 投诉率",
    ),
    Metric(
        "complaint_close_sla_rate", "投诉及时关闭率", "Complaints closed within SLA", "satisfaction", "rate", "fraction", True,
        "complaints.created_at",
        "投诉中在 C 小时内关闭的比例；尚未关闭且截至 as_of 仍未超过 C 的投诉不计入分母。C 默认 72 小时。",
        "Share of complaints closed within C hours; open complaints whose C hours have not run out at as_of are left out of the denominator. C = 72 h by default.",
        numerator=_count(CMP, "epoch(closed_at) - epoch(created_at) <= $complaint_sla_seconds"),
        denominator=_count(CMP, "NOT (closed_at IS NULL AND created_at > $complaint_sla_cutoff)"),
        uses_as_of=True,
        seed="投诉闭环",
    ),
    Metric(
        "avg_complaint_close_hours", "平均投诉关闭时长", "Average time to close a complaint", "satisfaction", "mean", "hours", False,
        "complaints.created_at",
        "已关闭投诉从受理到关闭的平均小时数。",
        "Mean hours from registration to closing over closed complaints.",
        value=_mean_hours(CMP, "closed_at", "created_at"),
        sample_size=_count(CMP, "closed_at IS NOT NULL"),
        seed="投诉闭环",
    ),
    Metric(
        "survey_count", "回访量", "Surveys", "satisfaction", "count", "count", None,
        "surveys.surveyed_at",
        "完成的回访（满意度调查）数。", "Satisfaction surveys done.",
        numerator=_count(SRV),
        seed="回访",
    ),
    Metric(
        "satisfied_rate", "满意率", "Satisfied", "satisfaction", "rate", "fraction", True,
        "surveys.surveyed_at",
        "有总体评分的回访中，评分 ≥ 4（满意或非常满意）的比例。",
        "Of surveys with an overall score, the share scoring 4 or 5.",
        numerator=_count(SRV, "overall_score >= 4"),
        denominator=_count(SRV, "overall_score IS NOT NULL"),
        seed="用户满意指标: 满意率",
    ),
    Metric(
        "very_satisfied_rate", "非常满意率", "Very satisfied", "satisfaction", "rate", "fraction", True,
        "surveys.surveyed_at",
        "有总体评分的回访中，评分 = 5 的比例。",
        "Of surveys with an overall score, the share scoring 5.",
        numerator=_count(SRV, "overall_score = 5"),
        denominator=_count(SRV, "overall_score IS NOT NULL"),
        seed="用户满意指标: 非常满意率",
    ),
    Metric(
        "dissatisfied_rate", "不满意率", "Dissatisfied", "satisfaction", "rate", "fraction", False,
        "surveys.surveyed_at",
        "有总体评分的回访中，评分 ≤ 2（不满意或投诉）的比例。",
        "Of surveys with an overall score, the share scoring 1 or 2.",
        numerator=_count(SRV, "overall_score <= 2"),
        denominator=_count(SRV, "overall_score IS NOT NULL"),
        seed="用户满意指标: 不满意率",
    ),
    Metric(
        "avg_satisfaction_score", "平均满意度", "Average satisfaction", "satisfaction", "mean", "score", True,
        "surveys.surveyed_at",
        "有总体评分的回访的平均分（1–5）。",
        "Mean overall score (1–5) over surveys with one.",
        value=Measure(SRV, "avg", "overall_score"),
        sample_size=_count(SRV, "overall_score IS NOT NULL"),
        seed="用户满意指标: 满意度",
    ),
    Metric(
        "survey_coverage_rate", "回访率", "Survey coverage", "satisfaction", "rate", "fraction", True,
        "repair_orders.closed_at",
        "已关闭工单中，至少有一条以其工单号回访记录的比例。",
        "Of closed ROs, the share with at least one survey carrying their ro_id.",
        numerator=_count(RO_CLOSE, "has_survey"),
        denominator=_count(RO_CLOSE),
        seed="增值需求: 回访",
    ),
]

# ---------------------------------------------------------------- SERVQUAL
for _dim, (_zh, _en) in SERVQUAL_NAMES.items():
    _METRICS.append(
        Metric(
            f"servqual_gap_{_dim}", f"{_zh}差距", f"{_en} gap", "servqual", "mean", "gap", True,
            "surveys.surveyed_at",
            f"{_zh}：感知 − 期望 的平均值（两项都有的回访）；负数表示低于期望。",
            f"{_en}: mean of perception − expectation over surveys with both; negative = below expectation.",
            value=Measure(SRV, "avg", f"perc_{_dim} - exp_{_dim}"),
            sample_size=_count(SRV, f"perc_{_dim} IS NOT NULL AND exp_{_dim} IS NOT NULL"),
            seed="SERVQUAL",
        )
    )
_METRICS += [
    Metric(
        "servqual_weighted_gap", "加权服务质量差距", "Weighted SERVQUAL gap", "servqual", "weighted", "gap", True,
        "surveys.surveyed_at",
        "五个维度差距按权重（可靠性 0.32、响应性 0.22、保证性 0.19、移情性 0.16、有形性 0.11）加权求和；任一维度为空则为空。",
        "Σ weight × gap over the five dimensions (reliability 0.32, responsiveness 0.22, assurance 0.19, empathy 0.16, tangibles 0.11); NULL if any gap is NULL.",
        weights=tuple((f"servqual_gap_{dim}", points / 100) for dim, points in SERVQUAL_WEIGHT_POINTS.items()),
        seed="SERVQUAL",
    ),
    Metric(
        "csi", "客户满意度指数", "Customer satisfaction index", "servqual", "ratio", "index", True,
        "surveys.surveyed_at",
        "100 × ΣΣ 权重×感知 ÷ ΣΣ 权重×期望，取十项都有的回访（感知 ÷ 期望）。分子分母以权重分（满分 100）计。",
        "100 × ΣΣ weight×perception ÷ ΣΣ weight×expectation over surveys with all ten answers (perceived ÷ expected). Numerator and denominator are in weight points (out of 100).",
        numerator=Measure(SRV, "sum", _servqual_weighted_sum("perc"), _ALL_TEN_SERVQUAL),
        denominator=Measure(SRV, "sum", _servqual_weighted_sum("exp"), _ALL_TEN_SERVQUAL),
        scale=100.0,
        seed="SERVQUAL: 满意度 = 感知 ÷ 期望 × 100 %",
    ),
]


class RegistryError(ValueError):
    pass


def _validate(metrics: list[Metric]) -> dict[str, Metric]:
    by_id: dict[str, Metric] = {}
    for m in metrics:
        if m.id in by_id:
            raise RegistryError(f"metric {m.id!r} is defined twice")
        if m.kind not in KINDS:
            raise RegistryError(f"metric {m.id!r}: unknown kind {m.kind!r}")
        if m.unit not in UNITS:
            raise RegistryError(f"metric {m.id!r}: unknown unit {m.unit!r}")
        if m.group not in GROUPS:
            raise RegistryError(f"metric {m.id!r}: unknown group {m.group!r}")
        needs = {
            "count": ("numerator",),
            "rate": ("numerator", "denominator"),
            "ratio": ("numerator", "denominator"),
            "mean": ("value", "sample_size"),
            "quantile": ("value", "sample_size"),
            "weighted": (),
        }[m.kind]
        for part in needs:
            if getattr(m, part) is None:
                raise RegistryError(f"metric {m.id!r} ({m.kind}) needs a {part}")
        if m.kind == "weighted":
            if not m.weights:
                raise RegistryError(f"metric {m.id!r} needs weights")
            if abs(sum(w for _, w in m.weights) - 1.0) > 1e-9:
                raise RegistryError(f"metric {m.id!r}: weights must sum to 1")
            for ref, _ in m.weights:
                if ref not in by_id:
                    raise RegistryError(f"metric {m.id!r} weighs {ref!r}, which must be defined before it")
        for measure in m.measures:
            if measure.source not in SOURCES:
                raise RegistryError(f"metric {m.id!r}: unknown source {measure.source!r}")
            if measure.agg not in AGGREGATES:
                raise RegistryError(f"metric {m.id!r}: unknown aggregate {measure.agg!r}")
            if (measure.agg == "quantile") != (measure.quantile is not None):
                raise RegistryError(f"metric {m.id!r}: a quantile, and only a quantile, names its fraction")
        if m.kind == "quantile" and m.value.agg != "quantile" or m.kind == "mean" and m.value.agg != "avg":
            raise RegistryError(f"metric {m.id!r} ({m.kind}) has a {m.value.agg} value")
        if m.kind != "count" and m.unit != "count" and m.higher_is_better is None:
            raise RegistryError(f"metric {m.id!r} must say whether higher is better")
        by_id[m.id] = m
    return by_id


METRICS: dict[str, Metric] = _validate(_METRICS)


def get(metric_id: str) -> Metric:
    try:
        return METRICS[metric_id]
    except KeyError:
        raise KeyError(f"unknown metric {metric_id!r}; known metrics: {', '.join(METRICS)}") from None


def base_metrics(metric: Metric) -> tuple[Metric, ...]:
    """The metrics whose measures a metric is made of (itself, or what it weighs)."""
    if metric.kind == "weighted":
        return tuple(METRICS[ref] for ref, _ in metric.weights)
    return (metric,)


def dimensions_of(metric: Metric) -> tuple[str, ...]:
    """The dimensions every row behind the metric has (for a cross-table rate, both tables')."""
    sources = [SOURCES[s] for base in base_metrics(metric) for s in base.sources]
    dims = [d for d in ALL_DIMENSIONS if all(d in s.dimensions for s in sources)]
    return tuple(dims)
