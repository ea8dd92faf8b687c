"""Streamlit helpers shared by the analysis pages (complaints, service process,
satisfaction): cached kpi-layer row queries and the drill-down breadcrumb. Built on
the shell's `ui` package, which stays the one place for filters, i18n and cards."""
