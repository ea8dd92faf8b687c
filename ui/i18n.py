"""Words and numbers on screen, in Chinese first and English on request.

`t(key)` looks a UI string up in the current language (kept in session state by
the sidebar's language toggle, and in the URL as `lang`). Metric names, units and
group names come from the registry, so a metric is named the same everywhere.
Numbers always carry their unit: 87.3%, 12.5 小时 / 12.5 h, 1,234 台.
"""
from __future__ import annotations

import math
from typing import Any

import streamlit as st

from kpi.registry import GROUPS, METRICS, UNITS

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_STATE_KEY = "filter_lang"

STRINGS: dict[str, tuple[str, str]] = {
    # app / navigation
    "app_title": ("售后服务 KPI 看板", "After-sales KPI dashboard"),
    "app_intro": (
        "面向经销商网络的售后服务指标：服务过程、客户满意与投诉闭环。所有数字按统一口径（见“指标口径”）由同一计算引擎得出。",
        "After-sales KPIs of the dealer network: service process, customer satisfaction and the complaint loop. "
        "Every number comes from one engine with one set of definitions (see Definitions).",
    ),
    "pages_heading": ("页面", "Pages"),
    "for_whom": ("适用", "For"),
    # sidebar filters
    "filters": ("筛选", "Filters"),
    "language": ("语言 / Language", "Language / 语言"),
    "date_range": ("日期范围", "Date range"),
    "region": ("区域", "Region"),
    "dealer": ("经销商", "Dealer"),
    "product": ("车型", "Model"),
    "all_regions": ("全部区域", "All regions"),
    "all_dealers": ("全部经销商", "All dealers"),
    "all_products": ("全部车型", "All models"),
    "as_of": ("数据截至", "Data as of"),
    "ignored_url_value": ("链接中的{param}“{value}”不存在或不在您的权限范围内，已忽略。",
                          "The link's {param} “{value}” is unknown or outside your scope and was ignored."),
    "bad_date_range": ("请选择开始和结束日期。", "Pick a start and an end date."),
    "scope_note": ("数据范围：{scope}", "Data scope: {scope}"),
    "scope_network": ("全网络", "whole network"),
    # data access
    "no_database": ("还没有数据库：{path}", "No database yet: {path}"),
    "building_demo": ("正在生成演示数据库（约一分钟）…", "Building the demo database (about a minute)…"),
    "demo_missing": (
        "演示数据生成模块尚未就绪。请用 `python -m kpi load` 导入数据，或设置 AFTERSALES_DB 指向已有数据库。",
        "The demo data builder is not available yet. Load data with `python -m kpi load`, or point AFTERSALES_DB to an existing database.",
    ),
    "demo_failed": ("生成演示数据库失败：{error}", "Building the demo database failed: {error}"),
    "no_data_selection": ("所选范围内没有数据。请放宽日期、区域、经销商或车型筛选。",
                          "No data in this selection. Widen the date range, region, dealer or model filter."),
    "no_data_dealer": ("{dealer} 在所选期间没有数据。", "{dealer} has no data in the selected period."),
    # KPI cards
    "vs_previous": ("较上期", "vs previous"),
    "vs_target": ("较目标", "vs target"),
    "target": ("目标", "Target"),
    "no_target": ("未设目标", "No target set"),
    "details": ("依据", "Basis"),
    "numerator_denominator": ("分子 / 分母", "Numerator / denominator"),
    "sample_size": ("样本量", "Sample size"),
    "period": ("期间", "Period"),
    "previous_period": ("上期", "Previous period"),
    "no_value": ("无数据", "no data"),
    "not_matured": ("关闭满 {days} 天后才能判定，本卡按 {start}–{end} 关闭的维修计算。",
                    "Known only {days} days after closing; this card counts repairs closed {start}–{end}."),
    "pp": ("个百分点", "pp"),
    # common table words
    "network_average": ("全网络", "Network"),
    "region_average": ("区域：{name}", "Region: {name}"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
}

DEALER_TYPE_NAMES = {
    "4S": ("4S店", "4S store"),
    "chain": ("连锁", "Chain"),
    "authorized": ("特约服务站", "Authorized station"),
    "independent": ("独立", "Independent"),
}
RO_TYPE_NAMES = {
    "maintenance": ("保养", "Maintenance"),
    "repair": ("维修", "Repair"),
    "warranty": ("保修索赔", "Warranty"),
    "accident": ("事故钣喷", "Accident"),
    "recall": ("召回", "Recall"),
    "other": ("其他", "Other"),
}
CHANNEL_NAMES = {
    "phone": ("电话", "Phone"),
    "app": ("App", "App"),
    "roadside": ("道路救援", "Roadside"),
    "walk_in": ("到店", "Walk-in"),
    "hotline": ("热线", "Hotline"),
    "dealer": ("经销商", "Dealer"),
    "oem": ("厂家", "OEM"),
    "online": ("网络", "Online"),
    "other": ("其他", "Other"),
}
CATEGORY_NAMES = {
    "attitude": ("服务态度", "Attitude"),
    "quality": ("维修质量", "Repair quality"),
    "price": ("收费", "Price"),
    "parts": ("配件", "Parts"),
    "timeliness": ("时效", "Timeliness"),
    "other": ("其他", "Other"),
}
SEVERITY_NAMES = {"low": ("低", "Low"), "medium": ("中", "Medium"), "high": ("高", "High")}
# Count units shown after a count, by metric (台次 for vehicles, 件 for cases).
COUNT_UNITS = {
    "ro_count": ("台次", "ROs"),
    "complaint_count": ("件", ""),
    "survey_count": ("份", ""),
}


def current_lang() -> str:
    lang = st.session_state.get(LANG_STATE_KEY, DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


def pick(pair: tuple[str, str], lang: str | None = None) -> str:
    """The zh or en member of a (zh, en) pair."""
    return pair[0] if (lang or current_lang()) == "zh" else pair[1]


def t(key: str, lang: str | None = None, **fields: Any) -> str:
    text = pick(STRINGS[key], lang)
    return text.format(**fields) if fields else text


def enum_name(names: dict[str, tuple[str, str]], value: Any, lang: str | None = None) -> str:
    """A contract enum value (ro_type, channel ...) in words; unknown values as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    pair = names.get(str(value))
    return pick(pair, lang) if pair else str(value)


def metric_name(metric_id: str, lang: str | None = None) -> str:
    m = METRICS[metric_id]
    return m.name_zh if (lang or current_lang()) == "zh" else m.name_en


def metric_description(metric_id: str, lang: str | None = None) -> str:
    m = METRICS[metric_id]
    return m.description_zh if (lang or current_lang()) == "zh" else m.description_en


def group_name(group_id: str, lang: str | None = None) -> str:
    return pick(GROUPS[group_id], lang)


def unit_label(metric_id: str, lang: str | None = None) -> str:
    """The unit as a column header shows it: %, 小时, 件 ..."""
    m = METRICS[metric_id]
    if m.unit == "count":
        return pick(COUNT_UNITS.get(metric_id, ("", "")), lang)
    return pick(UNITS[m.unit], lang)


# ---------------------------------------------------------------- numbers

def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is getattr(
        __import__("pandas"), "NA", object()
    )


def format_percent(fraction: Any, decimals: int = 1) -> str:
    return "—" if _missing(fraction) else f"{float(fraction) * 100:.{decimals}f}%"


def format_hours(hours: Any, lang: str | None = None, decimals: int = 1) -> str:
    if _missing(hours):
        return "—"
    unit = pick(UNITS["hours"], lang)
    return f"{float(hours):,.{decimals}f} {unit}"


def format_count(count: Any, unit: str = "") -> str:
    if _missing(count):
        return "—"
    text = f"{int(round(float(count))):,}"
    return f"{text} {unit}".rstrip() if unit and not unit.isascii() else (f"{text} {unit}".rstrip())


def format_days(days: Any, lang: str | None = None) -> str:
    if _missing(days):
        return "—"
    return f"{float(days):.1f} {'天' if (lang or current_lang()) == 'zh' else 'd'}"


def format_value(metric_id: str, value: Any, lang: str | None = None) -> str:
    """A metric's value with its unit, as a card or a table cell shows it."""
    m = METRICS[metric_id]
    if _missing(value):
        return "—"
    if m.unit == "fraction":
        return format_percent(value)
    if m.unit == "hours":
        return format_hours(value, lang)
    if m.unit == "count":
        return format_count(value, unit_label(metric_id, lang))
    if m.unit in ("score", "gap"):
        return f"{float(value):+.2f} {pick(UNITS[m.unit], lang)}" if m.unit == "gap" else f"{float(value):.2f} {pick(UNITS[m.unit], lang)}"
    return f"{float(value):,.1f}"


def format_delta(metric_id: str, delta: Any, lang: str | None = None) -> str | None:
    """A signed difference in the metric's unit: rates in percentage points."""
    if _missing(delta):
        return None
    m = METRICS[metric_id]
    delta = float(delta)
    if m.unit == "fraction":
        pp = pick(STRINGS["pp"], lang)
        sep = "" if (lang or current_lang()) == "zh" else " "
        return f"{delta * 100:+.1f}{sep}{pp}"
    if m.unit == "hours":
        return f"{delta:+,.1f} {pick(UNITS['hours'], lang)}"
    if m.unit == "count":
        unit = unit_label(metric_id, lang)
        return f"{int(round(delta)):+,} {unit}".rstrip()
    if m.unit in ("score", "gap"):
        return f"{delta:+.2f} {pick(UNITS[m.unit], lang)}"
    return f"{delta:+,.1f}"


def direction_label(metric_id: str, lang: str | None = None) -> str:
    better = METRICS[metric_id].higher_is_better
    if better is None:
        return pick(("数量指标", "volume"), lang)
    return pick(("越高越好", "higher is better"), lang) if better else pick(("越低越好", "lower is better"), lang)


def localized_name(name: Any, lang: str | None = None) -> str:
    """A bilingual name from the data ("华东 East China") in the current language:
    the Chinese words in zh, the rest in en. Single-language names stay as they are."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    text = str(name).strip()
    words = text.split()
    chinese = [w for w in words if not w.isascii()]
    latin = [w for w in words if w.isascii()]
    if not chinese or not latin or words[: len(chinese)] != chinese:
        return text
    return " ".join(chinese) if (lang or current_lang()) == "zh" else " ".join(latin)
