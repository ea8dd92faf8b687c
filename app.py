"""Entry page of the after-sales KPI dashboard: what it is and which page is for whom.

Pages live in pages/ and are discovered by Streamlit (the classic multipage
layout): each file name reads "中文 English" in the sidebar.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import get_database, pick, render_filters, setup_page, t
from ui.nav import page_label

setup_page(("售后服务 KPI 看板", "After-sales KPI dashboard"), icon="🚗")
filters = render_filters()
db = get_database()

st.title(t("app_title"))
st.write(t("app_intro"))
if db.as_of is not None:
    st.caption(f"{t('as_of')}{pick(('：', ': '))}{db.as_of:%Y-%m-%d %H:%M}")

# (page number, zh title, en title, zh audience + purpose, en audience + purpose)
PAGES = (
    ("1", "门店日报", "Store daily",
     "服务经理：昨日与本月指标、目标达成、今日待办（超时工单、未响应请求、未结投诉、待回访）。",
     "Service manager: yesterday and month to date against target, today's to-do lists."),
    ("2", "经销商对比", "Dealer comparison",
     "厂家售后部：全网经销商排名、标杆（前四分位）、一次修复率与满意率象限。",
     "OEM after-sales: league table, best-in-class quartile, fix rate vs satisfaction."),
    ("3", "投诉分析", "Complaints",
     "区域经理：投诉趋势，按经销商、车型、原因逐层下钻到单个案件。",
     "Regional lead: complaint trends, drill down by dealer, model, cause, case."),
    ("4", "服务过程", "Service process",
     "服务过程指标：响应时间、维修周期、按时交车。",
     "Service process: response times, repair cycle, on-time delivery."),
    ("5", "客户满意", "Satisfaction",
     "满意度与 SERVQUAL 服务质量差距。",
     "Satisfaction and the SERVQUAL service-quality gaps."),
    ("6", "数据", "Data",
     "数据管理员：各表行数与时间范围、导入记录、上传合同格式文件。",
     "Data steward: rows and date ranges per table, load history, upload contract files."),
    ("7", "指标口径", "Definitions",
     "所有人：每个指标的公式、锚定时间、窗口与方向。",
     "Everyone: each metric's formula, anchor, window and direction."),
    ("8", "公平对比", "Fair comparison",
     "厂家与区域：按样本量公平比较——置信区间、漏斗图、公平排名、同类对标、投诉控制图预警。",
     "OEM and regions: compare fairly for volume — intervals, funnel plot, fair ranking, peer groups, complaint alerts."),
)

st.subheader(t("pages_heading"))
pages_dir = Path(__file__).resolve().parent / "pages"
for number, zh, en, about_zh, about_en in PAGES:
    # Find the file by its number, so renaming a page's words breaks no link;
    # a page not there yet is simply not listed.
    found = sorted(pages_dir.glob(f"{number}_*.py"))
    if not found:
        continue
    with st.container(border=True):
        # the label as the sidebar shows it (from the file name), so both agree
        st.page_link(f"pages/{found[0].name}", label=page_label(found[0].name, filters.lang), icon=":material/arrow_forward:",
                     query_params=filters.query_params())
        st.caption(pick((about_zh, about_en)))
