"""How each statistical method works, in words, for the Definitions page (zh / en)."""
from __future__ import annotations

METHOD_NOTES: dict[str, dict[str, str]] = {
    "wilson": {
        "en": (
            "Wilson interval. A rate from few cases is uncertain: 11 of 12 and 917 of 1,000 are both "
            "about 92 %, but the first could easily be 65 % or 99 %. The Wilson score interval gives the "
            "range the true rate lies in with 95 % confidence. Unlike the simple ± formula it stays inside "
            "0–100 % and is honest for small samples and for rates near 0 or 100 %. "
            "Example: 87 of 95 = 91.6 %, interval 84.3 %–95.7 %."
        ),
        "zh": (
            "威尔逊置信区间。样本少时比率不可靠：12单中11单与1000单中917单都约为92%，但前者的真实水平可能是65%"
            "也可能是99%。威尔逊区间给出真实比率在95%置信度下所处的范围；与简单的“±”公式不同，它不会超出0–100%，"
            "对小样本和接近0或100%的比率也可靠。例：95单中87单 = 91.6%，区间84.3%–95.7%。"
        ),
    },
    "funnel": {
        "en": (
            "Funnel plot. Each dealer's rate is plotted against its volume, with limits around the network "
            "rate (or the target) that narrow as volume grows: small dealers are allowed to swing more. "
            "Outside the 95 % limits a dealer is worth a look; outside the 99.8 % limits the difference is "
            "very unlikely to be chance. The limits are exact binomial limits, so small dealers are judged "
            "fairly; a point on a limit counts as inside."
        ),
        "zh": (
            "漏斗图。以业务量为横轴、比率为纵轴画出每个经销商，围绕全网比率（或目标）画出控制限，业务量越大控制限越窄："
            "小店允许更大的波动。超出95%控制限值得关注；超出99.8%控制限则几乎不可能是偶然。控制限按二项分布精确计算，"
            "对小店公平；恰好落在控制限上视为在限内。"
        ),
    },
    "shrinkage": {
        "en": (
            "Empirical-Bayes shrinkage. A small dealer's rate is pulled towards the network rate, the more "
            "the fewer cases it has; a large dealer keeps almost its own rate. How strongly is estimated from "
            "the data: from how much dealers really differ once the chance variation of small samples is "
            "removed (a beta-binomial model fitted by the method of moments). Dealers with no cases get no "
            "number. If dealers do not differ beyond chance, everyone is shown the network rate."
        ),
        "zh": (
            "经验贝叶斯收缩。小店的比率向全网比率“拉近”，样本越少拉得越多；大店基本保持自身比率。拉近的程度由数据估计："
            "去除小样本的偶然波动后，看经销商之间真实差异有多大（用矩估计拟合的贝塔-二项模型）。没有样本的经销商不给数值；"
            "若经销商间差异不超过偶然波动，则都显示全网比率。"
        ),
    },
    "ranking": {
        "en": (
            "Fair ranking. The league table ranks by what a dealer has shown with confidence: for a "
            "higher-is-better rate, the lower end of its Wilson interval; for a lower-is-better rate, the upper "
            "end, ranked ascending. Or by the shrunk rate. Either way 12 perfect surveys do not beat 190 of "
            "200, and one angry customer does not sink a small store to the bottom. Ties share a rank."
        ),
        "zh": (
            "公平排名。按经销商“有把握达到”的水平排名：越高越好的比率按威尔逊区间下限从高到低排，越低越好的比率按区间上限"
            "从低到高排；也可按收缩后的比率排名。这样12份满分回访不会排在200份中190份满意之前，一个不满意的客户也不会让小店"
            "垫底。并列者名次相同。"
        ),
    },
    "spc": {
        "en": (
            "Control charts. A p-chart follows the share of complaints per repair order period by period: "
            "centre line = total complaints ÷ total ROs; limits = centre ± 3 standard errors for that period's "
            "volume (lower limit not below 0). A u-chart does the same for events per unit when a unit can "
            "have several events; a c-chart for plain counts when the volume hardly changes. A point beyond a "
            "limit is very unlikely under normal variation: look for a cause."
        ),
        "zh": (
            "控制图。p图逐期跟踪投诉占工单的比例：中心线 = 投诉总数 ÷ 工单总数；控制限 = 中心线 ± 该期业务量下的3倍标准误"
            "（下限不低于0）。u图用于每单位可能发生多次的事件率，c图用于业务量基本不变时的计数。超出控制限的点在正常波动下"
            "几乎不会出现：应查找原因。"
        ),
    },
    "run_rules": {
        "en": (
            "Run rules. Besides points beyond the limits, a chart signals a drift before any single point "
            "is extreme: 8 points in a row on the same side of the centre line (run_above / run_below), or 6 "
            "points in a row each higher or each lower than the one before (trend_up / trend_down). The signal "
            "is on the point that completes the pattern. A missing period, a tie, or a point on the centre "
            "line breaks the pattern."
        ),
        "zh": (
            "判异规则。除超出控制限外，在单点尚未异常时也能发现漂移：连续8点位于中心线同一侧（run_above / run_below），"
            "或连续6点逐点上升或逐点下降（trend_up / trend_down）。信号标在使规则成立的那一点上。缺失期、持平或恰在"
            "中心线上的点都会中断该规则的计数。"
        ),
    },
    "projection": {
        "en": (
            "Month-end projection. To act before the month closes, counts are projected at the pace so "
            "far: count × days in month ÷ days elapsed (optionally weighting weekdays by how busy they are). "
            "For a rate, the month-to-date rate is the projection, with its Wilson interval; when the whole "
            "interval is on one side of the target the outcome is already clear, otherwise there is still time."
        ),
        "zh": (
            "月末预测（指标结果预先控制）。为在月底前采取行动，计数类指标按当前进度外推：当月累计 × 当月天数 ÷ 已过天数"
            "（可按星期几的忙闲加权）。比率类指标以月初至今的比率作为预测，并给出威尔逊区间；若整个区间都在目标同一侧，"
            "结果已基本确定，否则仍有改进时间。"
        ),
    },
    "rag": {
        "en": (
            "Red / amber / green. Green: the value meets its target (at or above it when higher is better, "
            "at or below it when lower is better). Amber: it misses the target but stays within the tolerance "
            "band. Red: it misses with no tolerance, or it is outside the band on either side — an implausibly "
            "good value is flagged too. Grey: no value or no target. The target is the dealer's own, else its "
            "region's, else the network's, valid on the date; none is ever assumed. Attainment = value ÷ "
            "target (target ÷ value when lower is better), so above 100 % always means better than target."
        ),
        "zh": (
            "红黄绿状态。绿：达到目标（越高越好时不低于目标，越低越好时不高于目标）。黄：未达目标但仍在容差区间内。"
            "红：未达目标且无容差，或超出区间（无论哪一侧，好得不合常理的数值也会标出）。灰：无数值或无目标。目标取"
            "经销商自身的，否则取所在区域的，否则取全网的，且须在当日有效；从不假定目标。达成率 = 实际 ÷ 目标（越低越好时"
            "为目标 ÷ 实际），因此高于100%总是表示优于目标。"
        ),
    },
    "peer_groups": {
        "en": (
            "Peer groups. A dealer is compared with dealers of the same type (4S, chain, authorized, "
            "independent) and size: small, medium or large by thirds of the network's monthly repair-order "
            "volume. The group size is shown, as a comparison within a group of two says little."
        ),
        "zh": (
            "对标分组。经销商与同类型（4S店、连锁、特约服务站、独立）、同规模的经销商比较：按全网月度工单量三等分为小、"
            "中、大。同时显示组内经销商数量，因为只有两家的组比较意义有限。"
        ),
    },
}
