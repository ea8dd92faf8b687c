"""数据 Data: what the database holds, the last loads, and uploading contract files.

An upload goes through `kpi.ingest.load_files`, the same door as the command
line: all or nothing, written to a copy and swapped in. The app notices the swap
through the file signature, so every cached number refreshes by itself.

Only network (manufacturer) accounts load data or see what the whole database
holds; region and dealer users see when the data is from, nothing more.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from kpi.contract import TABLES, TABLES_BY_NAME
from ui import current_lang, get_database, page_title, pick, render_filters, setup_page, t, format_count
from ui.auth import current_account
from ui.data import cached_records, database_path

MAX_FILE_MB = 200
ACCEPTED_TYPES = ["csv", "xlsx", "parquet"]
TABLE_NAMES = {
    "regions": ("区域", "Regions"),
    "dealers": ("经销商", "Dealers"),
    "products": ("车型", "Products"),
    "repair_orders": ("工单", "Repair orders"),
    "service_requests": ("服务请求", "Service requests"),
    "complaints": ("投诉", "Complaints"),
    "surveys": ("回访", "Surveys"),
    "targets": ("目标", "Targets"),
}
RULE_NAMES = {
    "wrong_type": ("类型错误", "Wrong type"),
    "out_of_range": ("超出范围", "Out of range"),
    "unknown_value": ("非法取值", "Unknown value"),
    "required": ("必填为空", "Required value missing"),
    "must_be_empty": ("应为空", "Must be empty"),
    "duplicate_key": ("主键重复", "Duplicate key"),
    "unknown_reference": ("引用不存在", "Unknown reference"),
    "order": ("时间先后错误", "Wrong order"),
    "missing_column": ("缺少列", "Missing column"),
    "duplicate_column": ("列名重复", "Duplicate column"),
    "extra_column": ("多余列（已忽略）", "Extra column (ignored)"),
    "encoding": ("编码无法识别", "Unreadable encoding"),
    "malformed": ("格式损坏", "Malformed file"),
    "unreadable": ("无法读取", "Unreadable"),
    "unknown_table": ("文件名不是合同表名", "Not a contract table name"),
    "not_found": ("文件不存在", "File not found"),
    "no_files": ("没有文件", "No files"),
}
RESULT_KEY = "data_page_last_load"

setup_page(("数据", "Data"), icon="🗄️")
f = render_filters()
db = get_database()
lang = current_lang()
page_title(("数据", "Data"), ("库中有什么、最近的导入、上传新的数据文件。",
                              "What the database holds, the latest loads, and uploading new files.")
           if current_account().role == "network" else ("数据的时效与版本。", "How recent the data is."))


def rule_label(rule: str) -> str:
    return pick(RULE_NAMES[rule]) if rule in RULE_NAMES else rule


def problems_table(problems) -> pd.DataFrame:
    return pd.DataFrame([{
        pick(("文件", "File")): p.file,
        pick(("行", "Row")): p.row,
        pick(("列", "Column")): p.column or "",
        pick(("规则", "Rule")): rule_label(p.rule),
        pick(("说明", "Message")): p.message,
    } for p in problems])


# ---------------------------------------------------------------- region and dealer users
if current_account().role != "network":
    # Row counts, load sources and uploads concern every dealer of the network.
    c1, c2 = st.columns(2)
    c1.metric(t("as_of"), f"{db.as_of:%Y-%m-%d %H:%M}" if db.as_of else "—")
    c2.metric(pick(("数据版本", "Data version")), f"#{db.version}")
    st.info(pick(("数据由厂家售后部统一导入；如发现数据有误，请联系厂家售后部。",
                  "Data is loaded by the manufacturer's after-sales department; tell them if something looks wrong.")),
            icon=":material/info:")
    st.stop()

# ---------------------------------------------------------------- outcome of the last upload
outcome = st.session_state.pop(RESULT_KEY, None)
if outcome:
    if outcome["ok"]:
        st.success(pick((f"导入成功（第 {outcome['load_id']} 次导入）。", f"Load {outcome['load_id']} accepted.")), icon=":material/check_circle:")
        st.dataframe(pd.DataFrame(outcome["tables"]), hide_index=True, key="load_report_table")
        if outcome["warnings"]:
            st.warning(pick(("有提示：", "Warnings:")))
            st.dataframe(pd.DataFrame(outcome["warnings"]), hide_index=True, key="load_warning_table")
    else:
        st.error(pick((f"导入被拒绝：共 {outcome['total']} 个问题，数据库未做任何改动。",
                       f"Load refused: {outcome['total']} problems; nothing in the database changed.")), icon=":material/block:")
        st.dataframe(pd.DataFrame(outcome["problems"]), hide_index=True, width="stretch", key="problem_table")

# ---------------------------------------------------------------- what is in the database
st.subheader(pick(("数据概况", "What is in the database")))
c1, c2, c3 = st.columns(3)
c1.metric(t("as_of"), f"{db.as_of:%Y-%m-%d %H:%M}" if db.as_of else "—")
c2.metric(pick(("数据版本", "Data version")), f"#{db.version}")
c3.metric(pick(("数据库文件", "Database file")), database_path().name, help=str(database_path()))

stats = cached_records(db, "table_statistics", scope=f.scope)
stats_view = pd.DataFrame({
    pick(("表", "Table")): [f"{pick(TABLE_NAMES.get(n, (n, n)))} ({n})" for n in stats["table"]],
    pick(("行数", "Rows")): stats["rows"],
    # dimension tables have no time column: a dash, not "None"
    pick(("最早", "First")): [f"{v:%Y-%m-%d %H:%M}" if pd.notna(v) else "—" for v in stats["first"]],
    pick(("最晚", "Last")): [f"{v:%Y-%m-%d %H:%M}" if pd.notna(v) else "—" for v in stats["last"]],
})
st.dataframe(stats_view, hide_index=True, width="stretch", key="table_stats", column_config={
    pick(("行数", "Rows")): st.column_config.NumberColumn(format="localized"),
})

st.subheader(pick(("最近导入", "Latest loads")))
history = cached_records(db, "load_history", scope=f.scope)


def summarise(summary: str) -> str:
    try:
        parsed = json.loads(summary)
    except (TypeError, ValueError):
        return str(summary)
    parts = []
    for table, counts in parsed.items():
        name = pick(TABLE_NAMES.get(table, (table, table)))
        parts.append(pick((f"{name} 新增 {counts.get('inserted', 0):,} / 更新 {counts.get('updated', 0):,}",
                           f"{name} +{counts.get('inserted', 0):,} / ~{counts.get('updated', 0):,}")))
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


if history.empty:
    st.info(pick(("还没有导入记录。", "No loads yet.")))
else:
    st.dataframe(pd.DataFrame({
        "#": history["load_id"],
        pick(("导入时间", "Loaded at")): pd.to_datetime(history["loaded_at"]),
        pick(("来源", "Source")): history["source"],
        pick(("内容", "Content")): history["summary"].map(summarise),
    }), hide_index=True, width="stretch", key="load_history_table", column_config={
        pick(("导入时间", "Loaded at")): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    })

# ---------------------------------------------------------------- upload
st.subheader(pick(("上传数据文件", "Upload data files")))
st.caption(pick((
    f"文件名须为合同表名（如 repair_orders.csv、dealers.xlsx），支持 CSV（UTF-8 或 GBK）、XLSX、Parquet，单个文件不超过 {MAX_FILE_MB} MB。"
    "整批校验：任何一处错误都会拒绝整批，数据库不变；同主键的行会被更新。",
    f"Name each file after its contract table (repair_orders.csv, dealers.xlsx ...); CSV (UTF-8 or GBK), XLSX or Parquet, "
    f"at most {MAX_FILE_MB} MB each. The batch is checked as a whole: any problem refuses all of it and nothing changes; "
    "rows with a known key are updated.",
)))
with st.expander(pick(("合同表与列", "Contract tables and columns"))):
    for table in TABLES:
        cols = ", ".join(f"**{c.name}**" if c.required else c.name for c in table.columns)
        st.markdown(f"- `{table.name}` {pick(TABLE_NAMES[table.name])}: {cols}")
    st.caption(pick(("粗体为必填列。", "Bold columns are required.")))

with st.form("upload_form", clear_on_submit=True):
    uploads = st.file_uploader(
        pick(("选择文件", "Choose files")), type=ACCEPTED_TYPES, accept_multiple_files=True, key="upload_files",
    )
    submitted = st.form_submit_button(pick(("校验并导入", "Check and load")), type="primary")

if submitted:
    files = uploads or []
    pre_problems = []
    for upload in files:
        stem = Path(upload.name).stem
        if stem not in TABLES_BY_NAME:
            pre_problems.append({
                pick(("文件", "File")): upload.name, pick(("行", "Row")): None, pick(("列", "Column")): "",
                pick(("规则", "Rule")): rule_label("unknown_table"),
                pick(("说明", "Message")): pick((f"可用的表名：{', '.join(TABLES_BY_NAME)}",
                                               f"table names are: {', '.join(TABLES_BY_NAME)}")),
            })
        elif upload.size > MAX_FILE_MB * 1024 * 1024:
            pre_problems.append({
                pick(("文件", "File")): upload.name, pick(("行", "Row")): None, pick(("列", "Column")): "",
                pick(("规则", "Rule")): pick(("文件过大", "File too large")),
                pick(("说明", "Message")): f"{upload.size / 1024 / 1024:,.0f} MB > {MAX_FILE_MB} MB",
            })
    if not files:
        st.warning(pick(("请先选择文件。", "Choose files first.")))
    elif pre_problems:
        st.session_state[RESULT_KEY] = {"ok": False, "total": len(pre_problems), "problems": pre_problems}
        st.rerun()
    else:
        from kpi.ingest import LoadRefused, load_files

        with tempfile.TemporaryDirectory(prefix="upload_") as tmp, st.spinner(pick(("正在校验并导入…", "Checking and loading…"))):
            paths = []
            for upload in files:
                # Saved under the original name: the loader takes the table from it
                # and names the file in every problem it reports.
                path = Path(tmp) / Path(upload.name).name
                path.write_bytes(upload.getbuffer())
                paths.append(path)
            try:
                report = load_files(database_path(), paths)
            except LoadRefused as refused:
                table = problems_table(refused.problems)
                st.session_state[RESULT_KEY] = {"ok": False, "total": refused.total,
                                                "problems": table.to_dict("records")}
            else:
                st.session_state[RESULT_KEY] = {
                    "ok": True, "load_id": report.load_id,
                    "tables": [{pick(("表", "Table")): pick(TABLE_NAMES.get(name, (name, name))),
                                pick(("新增", "Inserted")): counts.inserted,
                                pick(("更新", "Updated")): counts.updated}
                               for name, counts in report.tables.items()],
                    "warnings": problems_table(report.warnings).to_dict("records") if report.warnings else [],
                }
        # The new file has a new signature: the rerun reopens it and every cached
        # query is keyed by it, so the numbers above refresh.
        st.rerun()
