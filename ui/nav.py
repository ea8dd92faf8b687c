"""Sidebar navigation in the chosen language.

Streamlit's automatic page list names the entry page after its file ("app") and
every page in both languages at once; we hide it (client.showSidebarNavigation)
and draw links from the files in pages/, named "<n>_<中文>_<English>.py".
Links carry the current filters, so the view survives the switch.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ui.i18n import pick

ROOT = Path(__file__).resolve().parent.parent
HOME = ("首页", "Home")
ICONS = {
    "1": ":material/storefront:", "2": ":material/leaderboard:", "3": ":material/report:",
    "4": ":material/build:", "5": ":material/sentiment_satisfied:", "6": ":material/database:",
    "7": ":material/menu_book:", "8": ":material/balance:",
}


def page_label(file_name: str, lang: str) -> str:
    """'1_门店日报_Store_daily.py' -> '门店日报' (zh) or 'Store daily' (en)."""
    parts = Path(file_name).stem.split("_")
    words = parts[1:]
    zh = [w for w in words if not w.isascii()]
    en = [w for w in words if w.isascii()]
    if not zh or not en:
        return " ".join(words)
    return "".join(zh) if lang == "zh" else " ".join(en)


def page_files() -> list[Path]:
    return sorted((ROOT / "pages").glob("[0-9]*_*.py"), key=lambda p: (int(p.name.split("_")[0]), p.name))


def render_nav(lang: str, query_params: dict[str, str]) -> None:
    links = [("app.py", pick(HOME, lang), ":material/home:")] + [
        (f"pages/{path.name}", page_label(path.name, lang), ICONS.get(path.name.split("_")[0], ":material/article:"))
        for path in page_files()
    ]
    try:
        for target, label, icon in links:
            st.page_link(target, label=label, icon=icon, query_params=query_params)
    except StreamlitPageNotFoundError:
        # A page run on its own as the entry script (AppTest.from_file on a page)
        # knows no other pages; its content is what matters there.
        return
    st.divider()
