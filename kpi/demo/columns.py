"""Fact rows while they are generated: a dict of equally long numpy arrays.

Facts are generated a column at a time over all rows (no per-row Python), and
only turned into Arrow tables with contract names and types at the end.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

Columns = dict[str, np.ndarray]


def take(columns: Columns, rows: np.ndarray) -> Columns:
    return {name: values[rows] for name, values in columns.items()}


def concat(parts: Iterable[Columns]) -> Columns:
    parts = list(parts)
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def length(columns: Columns) -> int:
    return len(next(iter(columns.values())))


def pick_within(rng: np.random.Generator, first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """One uniformly chosen member of each pool `first[i] .. first[i] + count[i] - 1`."""
    return first + np.minimum((rng.random(len(first)) * count).astype(np.int64), count - 1)


def choose_rows(rng: np.random.Generator, probabilities: np.ndarray, n: int) -> np.ndarray:
    """For each row, an index into the columns of `probabilities` (rows sum to 1)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(n)[:, None] * cumulative[:, -1:]
    return np.minimum((u >= cumulative).sum(axis=1), probabilities.shape[1] - 1)


def lognormal_around(rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, n: int) -> np.ndarray:
    """Lognormal draws with the given median: the shape of waiting times and prices."""
    return np.asarray(median) * np.exp(rng.normal(0.0, 1.0, n) * sigma)
