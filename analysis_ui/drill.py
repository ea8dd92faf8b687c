"""Drill-down through the shared sidebar filters: region → dealer → model.

A click on a chart and a choice in the sidebar move the same state (the filter
keys of `ui.filters`), so the URL, the other pages and the breadcrumb always agree.
A click is known only after the sidebar was drawn in the same run, so it is parked
under PENDING_KEY and applied at the top of the next run, before the sidebar.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from ui.filters import ALL_OPTION, KEY_DEALER, KEY_PRODUCT, KEY_REGION

PENDING_KEY = "_drill_pending"
NONCE_KEY = "_drill_nonce"
LEVELS = ("network", "region", "dealer", "product")


def apply_pending_drill() -> None:
    """Call before render_filters(): apply a click parked by the previous run."""
    pending = st.session_state.pop(PENDING_KEY, None)
    if pending:
        for key, value in pending.items():
            _set_filter(key, value)


def _set_filter(key: str, value: Any) -> None:
    """None clears the filter: the selectbox is set to its "all" option, which the
    browser then shows (removing the key would leave the old choice on screen)."""
    st.session_state[key] = ALL_OPTION if value is None else value


def _bump() -> None:
    # A new chart key per drill step: a chart keeps its selection under its key, and
    # an old selection must not drill again when the user comes back up.
    st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1


def chart_key(prefix: str, level: str) -> str:
    return f"{prefix}_{level}_{st.session_state.get(NONCE_KEY, 0)}"


def drill_to(level: str, value: Any, region_of_dealer: str | None = None) -> None:
    """Park a step down (from a chart click) and rerun."""
    pending: dict[str, Any] = {}
    if level == "region":
        pending = {KEY_REGION: value, KEY_DEALER: None, KEY_PRODUCT: None}
    elif level == "dealer":
        pending = {KEY_DEALER: value, KEY_PRODUCT: None}
        if region_of_dealer:
            pending[KEY_REGION] = region_of_dealer
    elif level == "product":
        pending = {KEY_PRODUCT: value}
    st.session_state[PENDING_KEY] = pending
    _bump()
    st.rerun()


def go_up_to(level: str) -> None:
    """Button callback (runs before the next script run): clear the levels below."""
    if level == "network":
        _set_filter(KEY_REGION, None)
    if level in ("network", "region"):
        _set_filter(KEY_DEALER, None)
    if level in ("network", "region", "dealer"):
        _set_filter(KEY_PRODUCT, None)
    _bump()


def current_level(region_id: str | None, dealer_id: str | None, product_id: str | None) -> str:
    if product_id:
        return "product"
    if dealer_id:
        return "dealer"
    if region_id:
        return "region"
    return "network"


def breadcrumb(steps: list[tuple[str, str]], key: str) -> None:
    """steps: (level, label) from the top down. Every step but the last is a button
    that goes back up to it; the last is where the user stands."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        for i, (level, label) in enumerate(steps):
            if i:
                st.markdown("›")
            if i < len(steps) - 1:
                st.button(label, key=f"{key}_{level}", type="tertiary", icon=":material/arrow_upward:",
                          on_click=go_up_to, args=(level,))
            else:
                st.markdown(f"**{label}**")
