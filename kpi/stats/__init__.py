"""Statistics for fair comparison and early warning.

Pure functions over numbers and small frames of aggregated numbers: the KPI layer
aggregates in DuckDB and passes numerators and denominators in; nothing here
touches SQL or Streamlit. Each method's exact definition is in its module's
docstring; METHOD_NOTES (kpi.stats.notes) explains them in words for the
Definitions page, in Chinese and English.

- intervals:  Wilson score interval of a rate.
- funnel:     funnel-plot control limits around a rate, and where each dealer falls.
- shrinkage:  empirical-Bayes (beta-binomial) shrunk rates; ranking by the Wilson
              bound or the shrunk rate, honouring the metric's direction.
- spc:        p-, u- and c-charts with limit and run rules (rule ids in SPC_RULES).
- projection: month-to-date to month-end projection against a target.
- peers:      peer groups by dealer type and RO-volume tercile.
Targets, red/amber/green and attainment live in kpi.targets.
"""
from __future__ import annotations

from kpi.stats.funnel import funnel_flags, funnel_limits, pooled_rate
from kpi.stats.intervals import wilson_interval, z_for_confidence
from kpi.stats.notes import METHOD_NOTES
from kpi.stats.peers import assign_peer_groups, volume_classes
from kpi.stats.projection import Projection, project_count, project_rate
from kpi.stats.shrinkage import BetaBinomialPrior, fit_beta_binomial_prior, rank_rates, shrink_rates
from kpi.stats.spc import SPC_RULES, c_chart, p_chart, u_chart

__all__ = [
    "METHOD_NOTES",
    "SPC_RULES",
    "BetaBinomialPrior",
    "Projection",
    "assign_peer_groups",
    "c_chart",
    "fit_beta_binomial_prior",
    "funnel_flags",
    "funnel_limits",
    "p_chart",
    "pooled_rate",
    "project_count",
    "project_rate",
    "rank_rates",
    "shrink_rates",
    "u_chart",
    "volume_classes",
    "wilson_interval",
    "z_for_confidence",
]
