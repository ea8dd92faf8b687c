"""Whose data a user may see: the whole network, one region, or one dealer.

The compiler adds a scope's restrictions to every query it writes, as bound
parameters; pages never take a scope from widgets or the URL.
"""
from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("network", "region", "dealer")


@dataclass(frozen=True)
class Scope:
    level: str = "network"
    id: str | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown scope level {self.level!r}; levels are: {', '.join(LEVELS)}")
        if (self.level == "network") != (self.id is None):
            raise ValueError(f"a {self.level} scope {'takes no' if self.level == 'network' else 'needs an'} id")

    @staticmethod
    def network() -> "Scope":
        return Scope()

    @staticmethod
    def region(region_id: str) -> "Scope":
        return Scope("region", region_id)

    @staticmethod
    def dealer(dealer_id: str) -> "Scope":
        return Scope("dealer", dealer_id)

    @property
    def restrictions(self) -> tuple[tuple[str, str], ...]:
        """(dimension, value) pairs every row in scope has."""
        if self.level == "network":
            return ()
        return ((f"{self.level}_id", self.id),)

    @property
    def key(self) -> str:
        """For cache keys: distinct scopes never share cached results."""
        return self.level if self.id is None else f"{self.level}:{self.id}"
