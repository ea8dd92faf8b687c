"""Complaints (投诉): most concern one visit, some a slow answer to a request.

A visit leads to a complaint more often when it was a comeback, late, long,
expensive or at a dealer with poor `care`; the cause picks the category (a
comeback -> quality, a broken promise -> timeliness ...) and the description is
one of the phrasings customers use for that category. Handling time follows the
dealer's `responsiveness`; most closed cases get a follow-up call (回访).
"""
from __future__ import annotations

import numpy as np

from kpi.contract import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, SEVERITIES
from kpi.demo.calendar import SECONDS_PER_HOUR, History, next_business_moment
from kpi.demo.columns import Columns, choose_rows, concat, length, lognormal_around, take
from kpi.demo.network import Network

CATEGORY = {name: code for code, name in enumerate(COMPLAINT_CATEGORIES)}
BASE_RATE = 0.0045  # complaints per repair order at a typical dealer, nothing gone wrong
# Category weights of an uneventful visit; the causes below multiply them.
CATEGORY_BASE = np.array([0.22, 0.14, 0.16, 0.10, 0.20, 0.18])
SEVERITY_SHARES = np.array([[0.45, 0.42, 0.13], [0.20, 0.45, 0.35]])  # ordinary, comeback
CHANNEL_SHARES = np.array([0.40, 0.25, 0.15, 0.15, 0.05])
CLOSE_MEDIAN_HOURS = 22.0
NEVER_CLOSED_SHARE = 0.01  # cases a dealer lets drop, at a typical dealer

DESCRIPTIONS = {
    "attitude": (
        "服务顾问态度冷淡，问了几次都不耐烦",
        "接车时没人理，等了半小时才有人接待",
        "打电话咨询维修进度，客服直接挂断电话",
        "交车时没有任何说明，问技师也爱答不理",
        "前台人员说话不礼貌，要求店方道歉",
    ),
    "quality": (
        "上次维修后不到两周故障灯又亮了，同一个问题第二次进厂",
        "维修后异响仍然存在，问题没有解决",
        "更换配件后同样的故障再次出现",
        "修完后车辆抖动比之前更严重",
        "交车时发现漆面有新的划痕",
    ),
    "price": (
        "保养收费比厂家公布的价格高出不少",
        "结算时多出未告知的工时费",
        "没有事先报价就更换了配件，费用过高",
        "同样的项目比其他店贵很多，要求解释收费明细",
        "发票金额与报价单不一致",
    ),
    "parts": (
        "配件缺货，等了一周多还没到",
        "怀疑更换的不是原厂配件",
        "更换下来的旧件没有交还给客户",
        "订的配件型号错误，又要重新等货",
        "配件到货时间一再推迟",
    ),
    "timeliness": (
        "承诺当天交车，结果拖了两天",
        "预约了保养，到店还要排队两个小时",
        "维修周期太长，一直没有进度通知",
        "打电话报修，过了一天多才有人回复",
        "提车时间一再延后，影响出行",
    ),
    "other": (
        "店内休息区环境差，空调不开",
        "预约系统显示的时间和店里安排不一致",
        "说好的免费洗车没有做就交车了",
        "停车场车位不足，车辆被剐蹭",
        "会员积分没有到账",
    ),
}
# Descriptions as one list; a category's phrasings are consecutive.
DESCRIPTION_LABELS = tuple(text for category in COMPLAINT_CATEGORIES for text in DESCRIPTIONS[category])
DESCRIPTION_FIRST = np.cumsum([0] + [len(DESCRIPTIONS[c]) for c in COMPLAINT_CATEGORIES])[:-1]
DESCRIPTION_COUNT = np.array([len(DESCRIPTIONS[c]) for c in COMPLAINT_CATEGORIES])


def generate_complaints(
    rng: np.random.Generator, network: Network, history: History, orders: Columns, requests: Columns
) -> Columns:
    from_visits = _visit_complaints(rng, network, history, orders)
    from_requests = _request_complaints(rng, history, requests)
    complaints = concat([from_visits, from_requests])
    complaints = take(complaints, np.flatnonzero(complaints["created"] <= history.snapshot_seconds))
    _describe(rng, complaints)
    _handle(rng, network, history, complaints)
    return take(complaints, np.argsort(complaints["created"], kind="stable"))


def _visit_complaints(rng: np.random.Generator, network: Network, history: History, orders: Columns) -> Columns:
    snapshot = history.snapshot_seconds
    care = network.trait("care")[orders["dealer"]]
    # A car still in the workshop past its promise annoys as much as a late one.
    overdue_now = ~orders["is_closed"] & orders["has_promise"] & (orders["promised"] < snapshot)
    late = (orders["late"] & orders["is_closed"]) | overdue_now
    chance = (
        BASE_RATE
        * np.exp(-0.4 * care)
        * (1 + 5.0 * orders["is_comeback"])
        * (1 + 2.0 * late)
        * (1 + 1.5 * orders["long"])
        * (1 + 2.0 * orders["price_high"])
        * (1 + 2.0 * orders["parts_wait"])
    )
    rows = np.flatnonzero(rng.random(len(care)) < chance)
    visit = take(orders, rows)
    n = len(rows)
    weights = np.tile(CATEGORY_BASE, (n, 1))
    weights[:, CATEGORY["quality"]] *= 1 + 12.0 * visit["is_comeback"]
    weights[:, CATEGORY["timeliness"]] *= 1 + 5.0 * late[rows] + 2.0 * visit["long"]
    weights[:, CATEGORY["price"]] *= 1 + 6.0 * visit["price_high"]
    weights[:, CATEGORY["parts"]] *= 1 + 6.0 * visit["parts_wait"]
    weights[:, CATEGORY["attitude"]] *= np.exp(-0.5 * care[rows])
    # Customers complain a day or so after the car is back, or while they wait.
    lag = (lognormal_around(rng, 20.0, 1.0, n) * SECONDS_PER_HOUR).astype(np.int64)
    waiting_since = np.where(overdue_now[rows], visit["promised"], visit["opened"])
    created = np.where(visit["is_closed"], visit["closed"], waiting_since) + lag
    return {
        "dealer": visit["dealer"],
        "ro": rows.astype(np.int64),
        "vehicle": visit["vehicle"],
        "product": visit["product"],
        "vehicle_known": np.ones(n, dtype=bool),
        "category": choose_rows(rng, weights, n).astype(np.int8),
        "is_comeback": visit["is_comeback"],
        "created": next_business_moment(created, 8.0, 21.0) + rng.integers(0, 3600, n),
    }


def _request_complaints(rng: np.random.Generator, history: History, requests: Columns) -> Columns:
    """A request left unanswered beyond the 24-hour promise turns into a complaint
    now and then, filed against the dealer it was assigned to."""
    overdue_at = requests["created"] + 24 * SECONDS_PER_HOUR
    slow = np.where(requests["has_response"], requests["response_hours"] > 24, overdue_at < history.snapshot_seconds)
    rows = np.flatnonzero(slow & (rng.random(length(requests)) < 0.15))
    n = len(rows)
    request = take(requests, rows)
    category = np.where(rng.random(n) < 0.7, CATEGORY["timeliness"], CATEGORY["attitude"]).astype(np.int8)
    created = overdue_at[rows] + (lognormal_around(rng, 6.0, 1.0, n) * SECONDS_PER_HOUR).astype(np.int64)
    return {
        "dealer": request["dealer"],
        "ro": np.full(n, -1, dtype=np.int64),
        "vehicle": request["vehicle"],
        "product": request["product"],
        "vehicle_known": request["vehicle_known"],
        "category": category,
        "is_comeback": np.zeros(n, dtype=bool),
        "created": created,
    }


def _describe(rng: np.random.Generator, complaints: Columns) -> None:
    n = length(complaints)
    category = complaints["category"]
    severity_shares = SEVERITY_SHARES[complaints["is_comeback"].astype(np.int64)]
    complaints["severity"] = choose_rows(rng, severity_shares, n).astype(np.int8)
    from_visit = complaints["ro"] >= 0
    # Requests' complaints come by phone or online; visits' through every channel.
    channel = choose_rows(rng, np.tile(CHANNEL_SHARES, (n, 1)), n)
    request_channel = np.where(rng.random(n) < 0.7, COMPLAINT_CHANNELS.index("hotline"), COMPLAINT_CHANNELS.index("online"))
    complaints["channel"] = np.where(from_visit, channel, request_channel).astype(np.int8)
    # The first quality phrasing speaks of a comeback; give it to comebacks.
    offset = np.minimum((rng.random(n) * DESCRIPTION_COUNT[category]).astype(np.int64), DESCRIPTION_COUNT[category] - 1)
    is_quality = category == CATEGORY["quality"]
    offset = np.where(is_quality & complaints["is_comeback"], 0, np.where(is_quality, np.maximum(offset, 1), offset))
    # Request complaints about timeliness are about the slow answer.
    slow_answer = (~from_visit) & (category == CATEGORY["timeliness"])
    offset = np.where(slow_answer, 3, offset)
    complaints["description"] = (DESCRIPTION_FIRST[category] + offset).astype(np.int16)


def _handle(rng: np.random.Generator, network: Network, history: History, complaints: Columns) -> None:
    """Resolution, closing and follow-up call; NULL where not done by the snapshot."""
    n = length(complaints)
    skill = network.trait("responsiveness")[complaints["dealer"]]
    care = network.trait("care")[complaints["dealer"]]
    severity_factor = np.array([0.7, 1.0, 1.8])[complaints["severity"]]
    hours = lognormal_around(rng, CLOSE_MEDIAN_HOURS * np.exp(-0.45 * skill) * severity_factor, 0.9, n)
    created = complaints["created"]
    # Cases are worked and calls made in office hours.
    closed = _office_hours(rng, created + (hours * SECONDS_PER_HOUR).astype(np.int64))
    resolved = np.minimum(
        _office_hours(rng, created + (hours * rng.uniform(0.5, 0.95, n) * SECONDS_PER_HOUR).astype(np.int64)),
        closed,
    )
    followed = _office_hours(rng, closed + (lognormal_around(rng, 30.0, 0.7, n) * SECONDS_PER_HOUR).astype(np.int64))
    snapshot = history.snapshot_seconds
    dropped = rng.random(n) < NEVER_CLOSED_SHARE * np.exp(-0.9 * skill)
    complaints["closed"] = closed
    complaints["is_closed"] = (closed <= snapshot) & ~dropped
    complaints["resolved"] = resolved
    complaints["is_resolved"] = (resolved <= snapshot) & ~dropped
    follow_up_share = np.clip(0.85 + 0.07 * care, 0.5, 0.98)
    complaints["followed"] = followed
    complaints["is_followed"] = complaints["is_closed"] & (followed <= snapshot) & (rng.random(n) < follow_up_share)


def _office_hours(rng: np.random.Generator, seconds: np.ndarray) -> np.ndarray:
    moved = next_business_moment(seconds, 9.0, 20.0)
    return np.where(moved != seconds, moved + rng.integers(0, 7200, len(seconds)), seconds)
