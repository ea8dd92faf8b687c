"""Peer groups: compare a dealer with dealers of the same type and size.

A dealer's peer group is its dealer_type (4S, chain, authorized, independent)
and its volume class: small / medium / large by terciles of its monthly RO volume
across the whole network (what the KPI layer passes in, e.g. the mean of the last
12 months' ro_count). With q1, q2 the 1/3 and 2/3 quantiles of the volumes
(linear interpolation, numpy's default):

    small   volume < q1
    medium  q1 ≤ volume ≤ q2
    large   volume > q2

Terciles are taken over the network rather than within each type, so "large"
means the same number of ROs whatever the type, and a small type (a handful of
independents) is not split into classes of one. Equal volumes always land in the
same class; with all volumes equal (or a single dealer) everyone is medium. A
dealer without a volume (NaN) gets no class and no peer group.

The label is "<dealer_type>/<class>", e.g. "4S/large"; peer_group_size says how
many dealers share it, so the UI can warn when a group is too small to compare.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from kpi.stats._arrays import as_float_array

VOLUME_CLASSES: tuple[str, str, str] = ("small", "medium", "large")


def volume_classes(volumes: pd.Series | Sequence[float], labels: Sequence[str] = VOLUME_CLASSES) -> pd.Series:
    """small / medium / large by terciles of `volumes` (rules in the module docstring).

    Worked example, volumes 100, 200, 300, 400, 500, 600:
        q1 = 100 + (5 × 1/3) × 100 = 266.67;  q2 = 100 + (5 × 2/3) × 100 = 433.33
        100, 200 → small;  300, 400 → medium;  500, 600 → large.
    """
    if len(labels) != 3:
        raise ValueError("volume_classes needs three labels: small, medium, large")
    index = volumes.index if isinstance(volumes, pd.Series) else None
    volume = as_float_array(list(volumes) if not isinstance(volumes, pd.Series) else volumes).reshape(-1)
    known = ~np.isnan(volume)
    if np.any(volume[known] < 0):
        raise ValueError("an RO volume cannot be negative")
    classes = np.full(volume.shape, None, dtype=object)
    if known.any():
        q1, q2 = np.quantile(volume[known], [1 / 3, 2 / 3])
        with np.errstate(invalid="ignore"):
            classes[known & (volume < q1)] = labels[0]
            classes[known & (volume >= q1) & (volume <= q2)] = labels[1]
            classes[known & (volume > q2)] = labels[2]
    return pd.Series(classes, index=index, dtype=object, name="volume_class")


def assign_peer_groups(
    dealers: pd.DataFrame,
    *,
    volume: str = "monthly_ro_volume",
    dealer_type: str = "dealer_type",
    labels: Sequence[str] = VOLUME_CLASSES,
) -> pd.DataFrame:
    """`dealers` (one row per dealer, with its type and monthly RO volume) plus
    volume_class, peer_group ("4S/large") and peer_group_size."""
    out = dealers.copy()
    out["volume_class"] = volume_classes(out[volume], labels).to_numpy()
    has_group = out["volume_class"].notna() & out[dealer_type].notna()
    groups = np.full(len(out), None, dtype=object)
    groups[has_group.to_numpy()] = (
        out.loc[has_group, dealer_type].astype(str) + "/" + out.loc[has_group, "volume_class"].astype(str)
    ).to_numpy()
    out["peer_group"] = pd.Series(groups, index=out.index, dtype=object)
    sizes = out.groupby("peer_group", dropna=True)["peer_group"].transform("size")
    out["peer_group_size"] = sizes.reindex(out.index).astype("Int64")
    return out
