"""The demo network's dimensions: regions, dealers, vehicle models, fault codes,
and the hidden traits that make some dealers better than others.

Each dealer has a latent `quality` (about -2 .. +2). It drives every outcome the
facts are drawn from, through four aspects that follow it with some individual
noise: `fix` (comebacks), `speed` (repair cycle, on-time delivery),
`responsiveness` (service-request response, complaint handling) and `care`
(attitude, complaints, survey scores, follow-up calls). A few dealers are clearly
`good` (benchmarks), a few clearly `bad` (laggards), the rest `typical`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from kpi.contract import DEALER_TYPES

# region_id, region_name, {city: dealers in it}
REGIONS: tuple[tuple[str, str, dict[str, int]], ...] = (
    ("EAST", "华东 East China", {"上海": 4, "杭州": 2, "南京": 2, "苏州": 2, "宁波": 1, "合肥": 1, "济南": 1, "青岛": 1, "福州": 1, "厦门": 1}),
    ("SOUTH", "华南 South China", {"广州": 3, "深圳": 3, "东莞": 1, "佛山": 2, "南宁": 1, "海口": 1}),
    ("NORTH", "华北 North China", {"北京": 4, "天津": 2, "石家庄": 2, "太原": 1, "呼和浩特": 1}),
    ("CENTRAL", "华中 Central China", {"武汉": 3, "长沙": 2, "郑州": 2, "南昌": 2}),
    ("SOUTHWEST", "西南 Southwest China", {"成都": 3, "重庆": 3, "昆明": 1, "贵阳": 1}),
    ("NORTHEAST", "东北 Northeast China", {"沈阳": 2, "大连": 1, "长春": 1, "哈尔滨": 2}),
)

# Trade names (字号) for dealer names; invented, so no real company is ranked.
TRADE_NAMES = (
    "瑞通", "恒达", "嘉华", "锦程", "鑫源", "盛世", "昌隆", "佳诚", "信达", "远航",
    "宏图", "福瑞", "安顺", "鼎盛", "德润", "华骏", "启航", "凯旋", "伟业", "顺驰",
    "金桥", "通达", "博远", "誉丰", "荣昌", "天合", "众恒", "长盛", "明远", "汇通",
    "东方", "新程", "百川", "和信", "永盛", "银河", "海纳", "精诚", "宝顺", "立达",
    "华通", "祥和", "泰昌", "中和", "博瑞", "锐丰", "康达", "英华", "德隆", "润丰",
    "嘉禾", "鸿运", "正阳", "星辉", "骏达", "鑫泰", "国瑞", "瑞丰", "万顺", "乾元",
)
NAME_PATTERNS = {
    "4S": "{city}{trade}汽车销售服务有限公司",
    "chain": "{trade}汽修连锁({city}{n}号店)",
    "authorized": "{city}{trade}汽车特约服务站",
    "independent": "{city}{trade}汽车维修中心",
}
# Mostly 4S stores, as in an OEM network.
DEALER_TYPE_SHARES = {"4S": 0.70, "chain": 0.13, "authorized": 0.10, "independent": 0.07}
# How much work a dealer of each type gets, relative to a 4S store.
DEALER_TYPE_SIZE = {"4S": 1.0, "chain": 0.75, "authorized": 0.6, "independent": 0.45}
# Price level of labour and parts, relative to a 4S store.
DEALER_TYPE_PRICE = {"4S": 1.0, "chain": 0.85, "authorized": 0.9, "independent": 0.75}
N_GOOD, N_BAD = 5, 5


@dataclass(frozen=True)
class Product:
    product_id: str
    model_name: str
    series: str
    powertrain: str
    popularity: float
    launched_days_before_end: int  # no vehicle of the model is older than this
    vds: str  # VIN characters 4-8 (vehicle descriptor section)


PRODUCTS: tuple[Product, ...] = (
    Product("A3", "曙光 A3 1.5L 轿车", "曙光 Aurora", "ICE", 1.4, 4000, "SA31K"),
    Product("A5", "曙光 A5 1.5T 轿车", "曙光 Aurora", "ICE", 1.6, 4000, "SA51T"),
    Product("A5H", "曙光 A5 混动 轿车", "曙光 Aurora", "HEV", 0.8, 1800, "SA5H2"),
    Product("T5", "山岳 T5 1.5T SUV", "山岳 Terra", "ICE", 1.5, 4000, "ST51T"),
    Product("T5P", "山岳 T5 插混 SUV", "山岳 Terra", "PHEV", 0.9, 1300, "ST5P3"),
    Product("T7", "山岳 T7 2.0T SUV", "山岳 Terra", "ICE", 0.9, 4000, "ST72T"),
    Product("T7P", "山岳 T7 插混 SUV", "山岳 Terra", "PHEV", 0.6, 900, "ST7P3"),
    Product("E3", "星电 E3 纯电 两厢", "星电 Stellar", "BEV", 0.7, 2200, "SE3E4"),
    Product("E5", "星电 E5 纯电 轿车", "星电 Stellar", "BEV", 0.9, 1500, "SE5E4"),
    Product("E7", "星电 E7 纯电 SUV", "星电 Stellar", "BEV", 0.5, 600, "SE7E5"),
    Product("M8", "行家 M8 2.0T MPV", "行家 Voyager", "ICE", 0.5, 4000, "SM82T"),
    Product("M8H", "行家 M8 混动 MPV", "行家 Voyager", "HEV", 0.4, 1100, "SM8H2"),
)
# Battery cars sell better in the south and east, worse in the cold north-east.
BEV_APPEAL = {"EAST": 1.3, "SOUTH": 1.5, "NORTH": 1.0, "CENTRAL": 0.9, "SOUTHWEST": 1.0, "NORTHEAST": 0.45}


@dataclass(frozen=True)
class FaultCode:
    code: str
    meaning: str
    powertrains: str  # which of I(CE) H(EV) P(HEV) B(EV) it occurs on
    weight: float
    # Intermittent electrical faults are hard to fix first time.
    hard_to_fix: float = 1.0


FAULT_CODES: tuple[FaultCode, ...] = (
    FaultCode("P0300", "随机/多缸失火", "IHP", 3.0, 1.3),
    FaultCode("P0171", "系统过稀(第1列)", "IHP", 2.0),
    FaultCode("P0420", "催化器效率低于阈值", "IHP", 1.5),
    FaultCode("P0128", "冷却液温度低于节温器调节温度", "IHP", 1.5),
    FaultCode("P0011", "凸轮轴位置正时过度提前", "IHP", 1.2, 1.2),
    FaultCode("P0455", "燃油蒸发排放系统大泄漏", "IHP", 1.0),
    FaultCode("P0507", "怠速控制转速高于预期", "I", 1.0),
    FaultCode("P0700", "变速器控制系统故障", "I", 1.5, 1.4),
    FaultCode("B1000", "控制单元内部故障", "IHPB", 1.2, 1.6),
    FaultCode("B1318", "蓄电池电压低", "IHPB", 2.5),
    FaultCode("B0001", "驾驶员正面气囊展开控制", "IHPB", 0.5),
    FaultCode("B1479", "空调压缩机故障", "IHPB", 2.0),
    FaultCode("U0100", "与发动机控制模块通信丢失", "IHP", 1.2, 1.7),
    FaultCode("U0121", "与ABS控制模块通信丢失", "IHPB", 1.0, 1.7),
    FaultCode("U0155", "与仪表控制模块通信丢失", "IHPB", 0.8, 1.6),
    FaultCode("C0035", "左前轮速传感器电路", "IHPB", 1.5),
    FaultCode("C0040", "右前轮速传感器电路", "IHPB", 1.3),
    FaultCode("C0265", "ABS电机继电器电路", "IHPB", 0.7),
    FaultCode("C1B00", "转向角传感器", "IHPB", 0.8),
    FaultCode("P0A80", "更换混合动力电池组", "HP", 0.8),
    FaultCode("P0A0F", "发动机起动失败", "HP", 0.8, 1.3),
    FaultCode("P0A7F", "混合动力电池组性能衰退", "HP", 0.7),
    FaultCode("P0AA6", "高压系统绝缘故障", "HPB", 1.0, 1.8),
    FaultCode("P0A0A", "高压互锁回路故障", "PB", 1.0, 1.5),
    FaultCode("P0AFA", "动力电池系统电压低", "PB", 1.5),
    FaultCode("P0D27", "车载充电机输入电压异常", "PB", 2.0, 1.3),
    FaultCode("P0A1F", "电池能量控制模块故障", "PB", 1.0, 1.4),
    FaultCode("P0C73", "电机冷却泵控制电路", "B", 1.0),
    FaultCode("U0111", "与电池能量控制模块通信丢失", "PB", 0.8, 1.7),
    FaultCode("P1DC0", "直流快充通信故障", "B", 1.8, 1.3),
)
POWERTRAIN_LETTER = {"ICE": "I", "HEV": "H", "PHEV": "P", "BEV": "B"}


@dataclass(frozen=True)
class Network:
    """Regions, dealers and products as contract tables, plus the dealer traits."""

    regions: pd.DataFrame
    dealers: pd.DataFrame  # contract columns + region_index, size, price_level, traits
    products: pd.DataFrame
    first_day: date

    TRAIT_COLUMNS = ("quality", "fix", "speed", "responsiveness", "care")

    @property
    def n_dealers(self) -> int:
        return len(self.dealers)

    def trait(self, name: str) -> np.ndarray:
        return self.dealers[name].to_numpy()

    def dealer_ids(self, tier: str) -> list[str]:
        """The dealers of a tier: `good`, `bad` or `typical`."""
        return self.dealers.loc[self.dealers["tier"] == tier, "dealer_id"].tolist()

    def contract_tables(self) -> dict[str, pd.DataFrame]:
        dealer_columns = ["dealer_id", "dealer_name", "region_id", "city", "dealer_type", "opened_on"]
        return {
            "regions": self.regions.copy(),
            "dealers": self.dealers[dealer_columns].copy(),
            "products": self.products[["product_id", "model_name", "series", "powertrain"]].copy(),
        }


def build_network(rng: np.random.Generator, first_day: date) -> Network:
    regions = pd.DataFrame(
        [(region_id, name) for region_id, name, _ in REGIONS], columns=["region_id", "region_name"]
    )
    dealers = _dealers(rng, first_day)
    products = pd.DataFrame([p.__dict__ for p in PRODUCTS])
    return Network(regions, dealers, products, first_day)


def _dealers(rng: np.random.Generator, first_day: date) -> pd.DataFrame:
    rows = []
    for region_index, (region_id, _, cities) in enumerate(REGIONS):
        number = 0
        for city, count in cities.items():
            for _ in range(count):
                number += 1
                rows.append((f"{region_id}-{number:02d}", region_id, region_index, city))
    dealers = pd.DataFrame(rows, columns=["dealer_id", "region_id", "region_index", "city"])
    n = len(dealers)
    dealers["dealer_type"] = _dealer_types(rng, n)
    dealers["dealer_name"] = _dealer_names(rng, dealers)
    dealers["opened_on"] = _opening_dates(rng, n, first_day)
    size_of_type = dealers["dealer_type"].map(DEALER_TYPE_SIZE).to_numpy()
    # Big-city flagship stores and small-town workshops: a spread of about 1:6.
    dealers["size"] = size_of_type * rng.lognormal(0.0, 0.45, n)
    dealers["price_level"] = dealers["dealer_type"].map(DEALER_TYPE_PRICE).to_numpy()
    tier, quality = _quality(rng, n)
    dealers["tier"] = tier
    dealers["quality"] = quality
    for aspect in ("fix", "speed", "responsiveness", "care"):
        dealers[aspect] = quality + rng.normal(0.0, 0.3, n)
    # Some laggards also overcharge (乱收费), which shows as price complaints.
    dealers.loc[dealers["tier"] == "bad", "price_level"] *= 1.2
    return dealers


def _dealer_types(rng: np.random.Generator, n: int) -> np.ndarray:
    counts = {t: int(round(share * n)) for t, share in DEALER_TYPE_SHARES.items()}
    counts["4S"] += n - sum(counts.values())
    types = np.concatenate([np.repeat(t, c) for t, c in counts.items()])
    assert set(types) == set(DEALER_TYPES)
    return rng.permutation(types)


def _dealer_names(rng: np.random.Generator, dealers: pd.DataFrame) -> list[str]:
    assert len(dealers) <= len(TRADE_NAMES), "one trade name per dealer keeps names unique"
    trades = rng.permutation(np.array(TRADE_NAMES))
    return [
        NAME_PATTERNS[dealer_type].format(city=city, trade=trades[i], n=i % 9 + 1)
        for i, (city, dealer_type) in enumerate(zip(dealers["city"], dealers["dealer_type"]))
    ]


def _opening_dates(rng: np.random.Generator, n: int, first_day: date) -> list[date]:
    """Most dealers are long established; two opened during the history."""
    years_before = rng.uniform(1.0, 15.0, n)
    opened = [first_day - timedelta(days=int(y * 365)) for y in years_before]
    for i in rng.choice(n, 2, replace=False):
        opened[i] = first_day + timedelta(days=int(rng.integers(120, 420)))
    return opened


def _quality(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A few clearly good dealers, a few clearly bad ones, most in between."""
    tier = np.full(n, "typical", dtype=object)
    chosen = rng.permutation(n)
    tier[chosen[:N_GOOD]] = "good"
    tier[chosen[N_GOOD : N_GOOD + N_BAD]] = "bad"
    quality = np.clip(rng.normal(0.0, 0.55, n), -1.0, 1.0)
    quality[tier == "good"] = rng.uniform(1.5, 2.0, N_GOOD)
    quality[tier == "bad"] = rng.uniform(-2.0, -1.5, N_BAD)
    return tier, quality
