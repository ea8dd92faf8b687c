"""Input handling shared by the statistics: arrays in, the caller's shape out."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

ArrayLike = Any  # a number, a sequence, a numpy array or a pandas Series


def as_float_array(values: ArrayLike) -> np.ndarray:
    """`values` as a float ndarray; None and pandas NA become NaN."""
    if isinstance(values, pd.Series):
        return values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(pd.array(np.atleast_1d(np.asarray(values, dtype=object)), dtype="Float64")
                      .to_numpy(dtype=float, na_value=np.nan)).reshape(np.shape(values))


def index_of(*inputs: ArrayLike) -> pd.Index | None:
    """The index of the first Series among the inputs, so results line up with it."""
    for value in inputs:
        if isinstance(value, pd.Series):
            return value.index
    return None


def like_input(result: np.ndarray, index: pd.Index | None, scalar: bool, name: str | None = None) -> Any:
    """Hand a result back in the caller's shape: float for scalars, Series when a
    Series came in, ndarray otherwise."""
    if scalar:
        return float(result.reshape(-1)[0])
    if index is not None:
        return pd.Series(result, index=index, name=name)
    return result


def is_scalar(*inputs: ArrayLike) -> bool:
    return all(np.ndim(value) == 0 and not isinstance(value, pd.Series) for value in inputs)
