"""Page scaffolding shared by every page: config, titles, empty states, exports."""
from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from kpi.accounts import Account
from ui.auth import require_account
from ui.i18n import current_lang, pick, t


def setup_page(title: tuple[str, str], icon: str = "🔧") -> Account:
    """First call of every page. The title is (zh, en); the tab shows the current language.

    Also the sign-in gate: until someone is signed in, the page shows the sign-in
    form and its run stops here, before it can read a single number. Being in the
    one call every page makes first, no page can forget it."""
    st.set_page_config(page_title=pick(title), page_icon=icon, layout="wide")
    return require_account()


def page_title(title: tuple[str, str], caption: tuple[str, str] | None = None) -> None:
    st.title(pick(title))
    if caption:
        st.caption(pick(caption))


def empty_state(message: str) -> None:
    """A clear message where a table or chart would be, instead of an empty frame."""
    st.info(message, icon=":material/info:")


def excel_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
        sheet_obj = writer.sheets[sheet[:31]]
        for i, column in enumerate(frame.columns):
            width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)]) + 2
            sheet_obj.set_column(i, i, min(width * 1.3, 40))
    return buffer.getvalue()


def download_buttons(frame: pd.DataFrame, file_stem: str, *, key: str) -> None:
    """CSV (UTF-8 with BOM, so Excel on a Chinese Windows opens it right) and Excel."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        t("download_csv"), frame.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"{file_stem}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore",
    )
    right.download_button(
        t("download_xlsx"), excel_bytes(frame, file_stem),
        file_name=f"{file_stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore",
    )


__all__ = ["setup_page", "page_title", "empty_state", "download_buttons", "excel_bytes", "current_lang"]
