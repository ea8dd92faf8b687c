"""KPI cards: a value with its unit, the change against the previous equal period
and against the target, coloured by what the metric means (a falling repeat
repair rate is good news), and what stands behind the number ("87 / 95").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

import pandas as pd
import streamlit as st

from kpi.fairness import as_number
from kpi.registry import METRICS
from kpi.scope import Scope
from ui.data import Database, cached_records, compute_cached
from ui.fairness_sections import card_interval, card_status
from ui.i18n import pick, current_lang, format_count, format_delta, format_value, metric_description, metric_name, t


@dataclass(frozen=True)
class CardData:
    metric_id: str
    value: float | None
    previous: float | None
    target: float | None
    numerator: float | None
    denominator: float | None
    sample_size: float | None
    start: date
    end: date
    previous_start: date
    previous_end: date
    note: str | None = None
    # the target's tolerance band, for red / amber / green
    target_lower: float | None = None
    target_upper: float | None = None

    @property
    def delta_previous(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def delta_target(self) -> float | None:
        if self.value is None or self.target is None:
            return None
        return self.value - self.target


def card_from_rows(metric_id: str, current: pd.Series | None, previous: pd.Series | None,
                   target: dict | None, period: tuple[date, date], previous_period: tuple[date, date],
                   note: str | None = None) -> CardData:
    """A card from one kpi.compute row of each period (None: the period has no row)."""
    def get(row: pd.Series | None, column: str) -> float | None:
        return as_number(row[column]) if row is not None and column in row.index else None

    return CardData(
        metric_id=metric_id,
        value=get(current, metric_id),
        previous=get(previous, metric_id),
        target=(target or {}).get("target"),
        numerator=get(current, f"{metric_id}__num"),
        denominator=get(current, f"{metric_id}__den"),
        sample_size=get(current, f"{metric_id}__n"),
        start=period[0], end=period[1],
        previous_start=previous_period[0], previous_end=previous_period[1],
        note=note,
        target_lower=(target or {}).get("lower"),
        target_upper=(target or {}).get("upper"),
    )


def delta_color(metric_id: str) -> str:
    better = METRICS[metric_id].higher_is_better
    return "off" if better is None else ("normal" if better else "inverse")


def target_verdict(metric_id: str, delta: float) -> str:
    """'good' or 'bad' for a difference from target, by the metric's direction."""
    better = METRICS[metric_id].higher_is_better
    if better is None or delta == 0:
        return "good"
    return "good" if (delta > 0) == better else "bad"


def _basis_text(card: CardData, lang: str) -> list[str]:
    m = METRICS[card.metric_id]
    lines = [f"**{t('period', lang)}**: {card.start:%Y-%m-%d} – {card.end:%Y-%m-%d}",
             f"**{t('previous_period', lang)}**: {card.previous_start:%Y-%m-%d} – {card.previous_end:%Y-%m-%d}"
             f" → {format_value(card.metric_id, card.previous, lang)}"]
    if m.kind in ("rate", "ratio"):
        lines.append(f"**{t('numerator_denominator', lang)}**: "
                     f"{format_count(card.numerator)} / {format_count(card.denominator)}")
    elif m.kind in ("mean", "quantile"):
        lines.append(f"**{t('sample_size', lang)}**: n = {format_count(card.sample_size)}")
    target = format_value(card.metric_id, card.target, lang) if card.target is not None else t("no_target", lang)
    lines.append(f"**{t('target', lang)}**: {target}")
    if card.note:
        lines.append(card.note)
    lines.append(metric_description(card.metric_id, lang))
    return lines


def basis_caption(card: CardData) -> str:
    """The short line under a value: '87 / 95' for rates, 'n = 120' for means."""
    m = METRICS[card.metric_id]
    if m.kind in ("rate", "ratio") and card.denominator is not None:
        return f"{format_count(card.numerator)} / {format_count(card.denominator)}"
    if m.kind in ("mean", "quantile") and card.sample_size is not None:
        return f"n = {format_count(card.sample_size)}"
    return ""


def kpi_card(card: CardData, *, key: str, lang: str | None = None) -> None:
    """Draw one card in the current container: the value and its change against
    the previous period, then the target line, then what the number rests on."""
    lang = lang or current_lang()
    delta = card.delta_previous
    unchanged = delta is not None and abs(delta) < 1e-12
    with st.container(border=True, key=f"card_{key}"):
        st.metric(
            metric_name(card.metric_id, lang),
            format_value(card.metric_id, card.value, lang) if card.value is not None else "—",
            delta=(pick(("持平", "no change"), lang) if unchanged else format_delta(card.metric_id, delta, lang)),
            # no change is neither good nor bad news: no colour, no arrow
            delta_color="off" if unchanged else delta_color(card.metric_id),
            delta_arrow="off" if unchanged else "auto",
            delta_description=t("vs_previous", lang) if delta is not None else None,
            help=metric_description(card.metric_id, lang),
        )
        if card.target is None:
            st.caption(f"{t('no_target', lang)}  \n\u00a0")  # same height as a card with a target
        else:
            line = f"{t('target', lang)} {format_value(card.metric_id, card.target, lang)}"
            badge = card_status(card.metric_id, card.value,
                                {"target": card.target, "lower": card.target_lower, "upper": card.target_upper},
                                numerator=card.numerator, denominator=card.denominator)
            if badge:
                line = f"{badge} {line}"
            if card.delta_target is not None:
                colour = "green" if target_verdict(card.metric_id, card.delta_target) == "good" else "red"
                # its own line: "较目标 -20.8个百分点" must not break mid-word in a narrow card
                line += f"  \n:{colour}[{t('vs_target', lang)} {format_delta(card.metric_id, card.delta_target, lang)}]"
            else:
                line += "  \n\u00a0"
            st.caption(line)
        basis = basis_caption(card)
        interval = card_interval(card.metric_id, card.numerator, card.denominator)
        if interval:  # how sure the rate is: a dozen cases give a wide range
            basis = f"{basis} · {interval}"
        left, right = st.columns([3, 2], vertical_alignment="center", gap="small")
        left.caption(basis or "\u00a0")
        with right.popover(t("details", lang), type="tertiary", key=f"basis_{key}", width="content"):
            for line in _basis_text(card, lang):
                st.markdown(line)


def load_cards(
    db: Database,
    metric_ids: Sequence[str],
    *,
    scope: Scope,
    period: tuple[date, date],
    previous_period: tuple[date, date],
    filters: dict[str, list[str]] | None = None,
    dealer_id: str | None = None,
    region_id: str | None = None,
    shifted: dict[str, tuple[tuple[date, date], tuple[date, date], str]] | None = None,
) -> list[CardData]:
    """Cards for several metrics over one period, with the previous period and
    the targets that apply to the dealer (or region, or network) on its last day.

    `shifted` gives some metrics their own periods (a window that must mature
    first), with the note that says so.
    """
    shifted = shifted or {}
    plain = [m for m in metric_ids if m not in shifted]
    current = previous = None
    if plain:
        current = compute_cached(db, plain, scope=scope, start=period[0], end=period[1], filters=filters)
        previous = compute_cached(db, plain, scope=scope, start=previous_period[0], end=previous_period[1],
                                  filters=filters)
    targets = cached_records(db, "active_targets", tuple(metric_ids), period[1],
                             dealer_id=dealer_id, region_id=region_id, scope=scope)
    cards = []
    for metric_id in metric_ids:
        if metric_id in shifted:
            own_period, own_previous, note = shifted[metric_id]
            cur = compute_cached(db, [metric_id], scope=scope, start=own_period[0], end=own_period[1], filters=filters)
            prev = compute_cached(db, [metric_id], scope=scope, start=own_previous[0], end=own_previous[1],
                                  filters=filters)
            cards.append(card_from_rows(metric_id, _first(cur), _first(prev), targets.get(metric_id),
                                        own_period, own_previous, note))
        else:
            cards.append(card_from_rows(metric_id, _first(current), _first(previous), targets.get(metric_id),
                                        period, previous_period))
    return cards


def _first(frame: pd.DataFrame | None) -> pd.Series | None:
    return None if frame is None or frame.empty else frame.iloc[0]


def card_grid(cards: Sequence[CardData], *, key: str, columns: int = 4, lang: str | None = None) -> None:
    for row_start in range(0, len(cards), columns):
        cols = st.columns(columns)
        for col, card in zip(cols, cards[row_start:row_start + columns]):
            with col:
                kpi_card(card, key=f"{key}_{card.metric_id}", lang=lang)
