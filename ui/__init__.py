"""Shared UI code: the sidebar filters, i18n and number formats, data access,
KPI cards and page scaffolding. Every page does:

    from ui import setup_page, render_filters, get_database, compute_cached
    setup_page(("门店日报", "Store daily"))  # the sign-in gate: nothing runs past it signed out
    f = render_filters()                    # the signed-in account's scope; a page may only narrow it
    db = get_database()
    frame = compute_cached(db, ["satisfied_rate"], scope=f.scope, start=f.start,
                           end=f.end, filters=f.compute_filters())
"""
from __future__ import annotations

from ui.cards import CardData, card_from_rows, card_grid, kpi_card, load_cards
from ui.data import Database, cached_records, compute_cached, get_database, is_empty
from ui.filters import Filters, default_date_range, dealer_label, previous_period, render_filters
from ui.i18n import (
    current_lang,
    enum_name,
    format_count,
    format_days,
    format_delta,
    format_hours,
    format_percent,
    format_value,
    group_name,
    metric_description,
    metric_name,
    pick,
    t,
    unit_label,
)
from ui.layout import download_buttons, empty_state, excel_bytes, page_title, setup_page

__all__ = [
    "CardData", "card_from_rows", "card_grid", "kpi_card", "load_cards",
    "Database", "cached_records", "compute_cached", "get_database", "is_empty",
    "Filters", "default_date_range", "dealer_label", "previous_period", "render_filters",
    "current_lang", "enum_name", "format_count", "format_days", "format_delta", "format_hours",
    "format_percent", "format_value", "group_name", "metric_description", "metric_name", "pick", "t",
    "unit_label", "download_buttons", "empty_state", "excel_bytes", "page_title", "setup_page",
]
