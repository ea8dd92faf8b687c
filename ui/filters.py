"""The sidebar every page shares: language, date range, region, dealer, model.

Filters persist across pages (their session-state keys are re-saved at the top of
every run, or Streamlit drops a widget's value when the page that drew it is
left) and live in the URL (`lang`, `start`, `end`, `region`, `dealer`,
`product`), so a copied link reproduces the view.

How the URL and the widgets agree: after drawing the widgets we write their
values to the URL and remember what we wrote. On the next run a URL value that
differs from what we wrote is news (a pasted link, the first run of a session)
and wins; one we wrote ourselves is stale the moment the user touches a widget,
so the widget wins. A value the data does not have, or outside the user's scope,
is dropped with a visible note.

The scope comes from the signed-in account (ui.auth), never from a widget or
the URL: options outside it are never offered. A page may narrow it further,
never widen it.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from kpi.scope import Scope
from ui.auth import current_account, escape_markdown, render_account_box
from ui.data import Database, cached_records, get_database
from ui.nav import render_nav
from ui.i18n import DEFAULT_LANG, LANG_STATE_KEY, LANGS, current_lang, localized_name, pick, t

KEY_LANG = LANG_STATE_KEY
KEY_DATES = "filter_dates"
KEY_REGION = "filter_region"
KEY_DEALER = "filter_dealer"
KEY_PRODUCT = "filter_product"
FILTER_KEYS = (KEY_LANG, KEY_DATES, KEY_REGION, KEY_DEALER, KEY_PRODUCT)
URL_WRITTEN_KEY = "_filters_url_written"
NOTES_KEY = "_filters_notes"
NOTES_ECHO_KEY = "_filters_notes_echo"
URL_PARAMS = ("lang", "start", "end", "region", "dealer", "product")
# The "all regions / dealers / models" choice. Not None: a selectbox shows a value
# of None set through session state as an empty "Choose an option", so going back
# up a drill-down would leave the old choice on screen.
ALL_OPTION = "__all__"


def chosen(value: str | None) -> str | None:
    """A filter's selectbox value as an id, None for "all"."""
    return None if value in (None, ALL_OPTION) else value


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    region_id: str | None
    dealer_id: str | None
    product_id: str | None
    lang: str
    scope: Scope
    # the data's "today": the moment it is complete up to
    as_of: datetime | None = None

    def compute_filters(self) -> dict[str, list[str]]:
        """The `filters=` argument of kpi.compute for region, dealer and model."""
        selected = {"region_id": self.region_id, "dealer_id": self.dealer_id, "product_id": self.product_id}
        return {dim: [value] for dim, value in selected.items() if value}

    def query_params(self, **overrides: str | None) -> dict[str, str]:
        """The URL parameters that reproduce this view (for links and st.switch_page)."""
        params = {
            "lang": self.lang,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "region": self.region_id,
            "dealer": self.dealer_id,
            "product": self.product_id,
        }
        params.update(overrides)
        return {k: v for k, v in params.items() if v}


def default_date_range(as_of: datetime | date | None) -> tuple[date, date]:
    """Month to date of the data's as_of: the period a service manager reports on.

    In the first days of a month that is only a day or two, too little to read a
    rate from, so until the 7th the range starts on the 1st of the previous month.
    """
    if as_of is None:
        today = date.today()
        return today.replace(day=1), today
    end = as_of.date() if isinstance(as_of, datetime) else as_of
    start = end.replace(day=1)
    if end.day < 7:
        start = (start - timedelta(days=1)).replace(day=1)
    return start, end


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _resave_filter_keys() -> None:
    for key in FILTER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _url_news() -> dict[str, str]:
    """URL values that differ from what this session last wrote."""
    written: dict[str, str] = st.session_state.get(URL_WRITTEN_KEY, {})
    news = {}
    for param in URL_PARAMS:
        value = st.query_params.get(param)
        if value is not None and value != written.get(param):
            news[param] = value
    return news


# Said without the value to a user with a narrower scope: a page naming another
# dealer's id, even one the user typed, is a page a competitor's id is on.
IGNORED_WITHOUT_VALUE = ("链接中的{param}不存在或不在您的权限范围内，已忽略。",
                         "The link's {param} does not exist or is outside what you may see; it was ignored.")


def _note(param_label: str, value: str) -> None:
    # A URL value is text from outside: escaped, so a link cannot put Markdown
    # (links, images) into the page.
    if st.session_state.get(NOTES_ECHO_KEY, True):
        note = t("ignored_url_value", param=param_label, value=escape_markdown(value))
    else:
        note = pick(IGNORED_WITHOUT_VALUE).format(param=param_label)
    st.session_state.setdefault(NOTES_KEY, []).append(note)


def _apply_url(news: dict[str, str], regions: pd.DataFrame, dealers: pd.DataFrame, products: pd.DataFrame,
               bounds: tuple[date | None, date | None]) -> None:
    if "lang" in news:
        if news["lang"] in LANGS:
            st.session_state[KEY_LANG] = news["lang"]
        else:
            _note("lang", news["lang"])
    if "region" in news:
        if news["region"] in set(regions["region_id"]):
            st.session_state[KEY_REGION] = news["region"]
        else:
            _note(t("region"), news["region"])
    if "dealer" in news:
        match = dealers[dealers["dealer_id"] == news["dealer"]]
        if len(match):
            st.session_state[KEY_DEALER] = news["dealer"]
            # a dealer link implies its region, unless the link names another
            if "region" not in news or st.session_state.get(KEY_REGION) != match.iloc[0]["region_id"]:
                st.session_state[KEY_REGION] = match.iloc[0]["region_id"]
        else:
            _note(t("dealer"), news["dealer"])
    if "product" in news:
        if news["product"] in set(products["product_id"]):
            st.session_state[KEY_PRODUCT] = news["product"]
        else:
            _note(t("product"), news["product"])
    if "start" in news or "end" in news:
        current = st.session_state.get(KEY_DATES) or (None, None)
        start = _parse_date(news.get("start")) if "start" in news else (current[0] if len(current) > 0 else None)
        end = _parse_date(news.get("end")) if "end" in news else (current[1] if len(current) > 1 else None)
        lo, hi = bounds
        valid = start is not None and end is not None and start <= end
        if valid and lo and hi:
            # Clamp to the data: a link from last year's dashboard still opens.
            start, end = max(start, lo), min(end, hi)
            valid = start <= end
        if valid:
            st.session_state[KEY_DATES] = (start, end)
        else:
            _note(t("date_range"), f"{news.get('start', '')}..{news.get('end', '')}")


def _write_url(filters: Filters) -> None:
    params = filters.query_params()
    current = {key: st.query_params.get(key) for key in st.query_params}
    wanted = {key: value for key, value in current.items() if key not in URL_PARAMS} | params
    if wanted != current:
        # One message with the final address: setting parameters one by one sent
        # the browser every intermediate address, a refused dealer id included.
        st.query_params.from_dict(wanted)
    st.session_state[URL_WRITTEN_KEY] = params


def _name_lookup(frame: pd.DataFrame, id_col: str, name_col: str) -> dict[str, str]:
    return dict(zip(frame[id_col], frame[name_col]))


def _within(account_scope: Scope, requested: Scope | None, db: Database) -> Scope:
    """The page's scope if it lies inside the account's, else the account's own."""
    if requested is None or requested == account_scope or account_scope.level == "network":
        return requested or account_scope
    if account_scope.level == "region" and requested.level == "dealer":
        inside = cached_records(db, "dealers", scope=account_scope)
        if requested.id in set(inside["dealer_id"]):
            return requested
    return account_scope


def render_filters(scope: Scope | None = None, *, db: Database | None = None,
                   show_product: bool = True) -> Filters:
    """Draw the shared sidebar and return what it selects.

    The scope is the signed-in account's; `scope` may only narrow it. It limits
    every option (and every query made with `Filters.scope`).
    """
    _resave_filter_keys()
    st.session_state.setdefault(KEY_LANG, DEFAULT_LANG)
    account = current_account()  # stops the run if nobody is signed in
    db = db or get_database()
    scope = _within(account.scope, scope, db)
    st.session_state[NOTES_ECHO_KEY] = scope.level == "network"
    regions = cached_records(db, "regions", scope=scope)
    dealers = cached_records(db, "dealers", scope=scope)
    products = cached_records(db, "products", scope=scope)
    bounds = cached_records(db, "data_bounds", scope=scope)

    st.session_state[NOTES_KEY] = []
    news = _url_news()
    if news:
        _apply_url(news, regions, dealers, products, bounds)

    sidebar = st.sidebar
    nav_slot = sidebar.container()  # filled last, when the links' filters are known
    sidebar.radio(
        t("language"), LANGS, key=KEY_LANG, horizontal=True,
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
    )
    lang = current_lang()
    sidebar.header(t("filters"))

    # --- dates
    default_start, default_end = default_date_range(db.as_of)
    lo, hi = bounds
    dates = st.session_state.get(KEY_DATES)
    if not (isinstance(dates, (tuple, list)) and len(dates) in (1, 2)):
        st.session_state[KEY_DATES] = (default_start, default_end)
    # `value` makes it a range picker; the session-state value (re-saved, or from
    # the URL) takes precedence over it.
    sidebar.date_input(
        t("date_range"), value=(default_start, default_end), key=KEY_DATES, min_value=lo, max_value=hi,
        format="YYYY/MM/DD" if lang == "zh" else "YYYY-MM-DD",
    )
    dates = st.session_state.get(KEY_DATES) or ()
    if len(dates) == 2 and dates[0] and dates[1]:
        start, end = dates[0], dates[1]
    else:  # the user picked a start and not yet an end: keep the page readable
        sidebar.caption(t("bad_date_range"))
        start = dates[0] if dates else default_start
        end = max(start, default_end) if start <= default_end else start

    # --- region
    region_names = {rid: localized_name(name, lang) for rid, name in _name_lookup(regions, "region_id", "region_name").items()}
    region_options: list[str] = list(region_names)
    if scope.level == "network":
        region_options = [ALL_OPTION] + region_options
    if st.session_state.get(KEY_REGION) not in region_options:
        st.session_state[KEY_REGION] = region_options[0] if region_options else None
    # Labels are fixed now: a format_func is called again later (to match the
    # browser's choice), when the language it would look up may have changed.
    region_labels = {ALL_OPTION: t("all_regions"), **region_names}
    sidebar.selectbox(
        t("region"), region_options, key=KEY_REGION,
        format_func=lambda rid: region_labels.get(rid, rid),
        disabled=scope.level != "network",
    )
    region_id = chosen(st.session_state.get(KEY_REGION))

    # --- dealer (only those of the chosen region)
    in_region = dealers if region_id is None else dealers[dealers["region_id"] == region_id]
    dealer_names = _name_lookup(in_region, "dealer_id", "dealer_name")
    dealer_options: list[str] = list(dealer_names)
    if scope.level != "dealer":
        dealer_options = [ALL_OPTION] + dealer_options
    if st.session_state.get(KEY_DEALER) not in dealer_options:
        st.session_state[KEY_DEALER] = dealer_options[0] if dealer_options else None
    dealer_labels = {ALL_OPTION: t("all_dealers"), **dealer_names}
    sidebar.selectbox(
        t("dealer"), dealer_options, key=KEY_DEALER,
        format_func=lambda did: dealer_labels.get(did, did),
        disabled=scope.level == "dealer",
    )
    dealer_id = chosen(st.session_state.get(KEY_DEALER))

    # --- product (model)
    product_id = None
    if show_product:
        model_names = _name_lookup(products, "product_id", "model_name")
        product_options = [ALL_OPTION] + list(model_names)
        if st.session_state.get(KEY_PRODUCT) not in product_options:
            st.session_state[KEY_PRODUCT] = ALL_OPTION
        product_labels = {ALL_OPTION: t("all_products"), **model_names}
        sidebar.selectbox(
            t("product"), product_options, key=KEY_PRODUCT,
            format_func=lambda pid: product_labels.get(pid, pid),
        )
        product_id = chosen(st.session_state.get(KEY_PRODUCT))

    if db.as_of is not None:
        sidebar.caption(f"{t('as_of')}{'：' if lang == 'zh' else ': '}{db.as_of:%Y-%m-%d %H:%M}")
    if scope.level != "network":
        label = region_names.get(scope.id) if scope.level == "region" else dealer_names.get(scope.id)
        sidebar.caption(t("scope_note", scope=escape_markdown(label or scope.id)))
    account_scope_name = (region_names.get(account.scope_id) if account.role == "region"
                          else dealer_names.get(account.scope_id) if account.role == "dealer" else None)
    render_account_box(sidebar, account, account_scope_name)

    for note in st.session_state.get(NOTES_KEY, []):
        st.warning(note, icon=":material/link_off:")

    filters = Filters(start, end, region_id, dealer_id, product_id, lang, scope, db.as_of)
    _write_url(filters)
    with nav_slot:
        render_nav(lang, filters.query_params())
    return filters


def dealer_label(db: Database, dealer_id: str, scope: Scope) -> str:
    """The dealer's name, escaped for Markdown (headings, notes, messages): a name
    comes from a data file and must not turn into a link or an image there."""
    dealers = cached_records(db, "dealers", scope=scope)
    match = dealers[dealers["dealer_id"] == dealer_id]
    return escape_markdown(str(match.iloc[0]["dealer_name"]) if len(match) else dealer_id)


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The equal period just before [start, end]. A month-to-date range
    (1st .. day d) compares with the same days of the previous month, as a
    service manager reads it; anything else with the same number of days before."""
    if start.day == 1 and start.year == end.year and start.month == end.month:
        prev_month_end = start - timedelta(days=1)
        prev_start = prev_month_end.replace(day=1)
        last_day = calendar.monthrange(prev_start.year, prev_start.month)[1]
        return prev_start, prev_start.replace(day=min(end.day, last_day))
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)
