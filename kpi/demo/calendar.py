"""When workshops are busy: the day weights and working hours of the demo network.

A Chinese dealer workshop is busiest on Saturdays and quiet on Sundays, nearly
closed over Spring Festival, and busy in the weeks before it (owners have the car
serviced before driving home for the holiday) and before the May and October
golden weeks. Summer (air conditioning, rain) and the network's growth add a little.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600

# Lunar new year's day (春节); the holiday moves every year.
SPRING_FESTIVAL = {
    2018: "2018-02-16", 2019: "2019-02-05", 2020: "2020-01-25", 2021: "2021-02-12",
    2022: "2022-02-01", 2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29",
    2026: "2026-02-17", 2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13",
    2030: "2030-02-03", 2031: "2031-01-23", 2032: "2032-02-11", 2033: "2033-01-31",
    2034: "2034-02-19", 2035: "2035-02-08", 2036: "2036-01-28", 2037: "2037-02-15",
}

# Monday .. Sunday: Saturday is the owners' day off, Sundays many workshops run a
# skeleton crew.
WEEKDAY_FACTOR = np.array([1.06, 1.00, 0.98, 1.00, 1.05, 1.20, 0.55])
# January .. December: summer brings air-conditioning and flood damage.
MONTH_FACTOR = np.array([0.96, 0.92, 1.00, 1.00, 1.00, 1.02, 1.08, 1.08, 1.02, 0.98, 1.00, 1.02])
YEARLY_GROWTH = 0.08

# Workshop day: vehicles are handed in from 07:30 and work stops at 19:00.
WORK_START_HOUR = 8.0
WORK_END_HOUR = 19.0
WORK_HOURS_PER_DAY = WORK_END_HOUR - WORK_START_HOUR
# The export behind the demo was taken at 18:00 on the last day.
SNAPSHOT_HOUR = 18


@dataclass(frozen=True)
class History:
    """The days of the demo history, their relative workload and sampling helpers."""

    first_day: date
    last_day: date
    weights: np.ndarray  # relative number of workshop visits per day

    @property
    def n_days(self) -> int:
        return len(self.weights)

    @property
    def first_day_seconds(self) -> int:
        return _epoch_seconds(self.first_day)

    @property
    def snapshot_seconds(self) -> int:
        """The moment the data is complete up to: the end day at 18:00."""
        return _epoch_seconds(self.last_day) + SNAPSHOT_HOUR * SECONDS_PER_HOUR

    def day_index(self, day: date) -> int:
        return (day - self.first_day).days

    def sample_days(
        self,
        rng: np.random.Generator,
        earliest: np.ndarray | int,
        n: int,
        flatten: float = 1.0,
    ) -> np.ndarray:
        """Day indexes drawn by the workload weights, none before `earliest`.

        Sampling from the tail of the cumulative distribution keeps the weekday and
        holiday pattern for dealers and vehicles that start part-way through.
        `flatten` < 1 softens the pattern (roadside calls come on holidays too).
        """
        weights = self.weights**flatten
        cdf = np.cumsum(weights) / weights.sum()
        cdf_before = np.concatenate(([0.0], cdf[:-1]))
        lower = cdf_before[np.clip(earliest, 0, self.n_days - 1)]
        u = lower + rng.random(n) * (1.0 - lower)
        return np.minimum(np.searchsorted(cdf, u, side="right"), self.n_days - 1)


def build_history(end: date, years: int = 2) -> History:
    """`years` of days ending with `end` (inclusive), with their workload weights."""
    first = _same_day_years_before(end, years) + timedelta(days=1)
    days = np.arange(np.datetime64(first, "D"), np.datetime64(end, "D") + 1)
    return History(first, end, _day_weights(days))


def _same_day_years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _epoch_seconds(day: date) -> int:
    return int(np.datetime64(day, "s").astype(np.int64))


def _day_weights(days: np.ndarray) -> np.ndarray:
    day_numbers = days.astype(np.int64)
    weekday = (day_numbers + 3) % 7  # 1970-01-01 was a Thursday
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    years_in = (day_numbers - day_numbers[0]) / 365.25
    weights = WEEKDAY_FACTOR[weekday] * MONTH_FACTOR[month] * (1.0 + YEARLY_GROWTH * years_in)
    return weights * _holiday_factor(days)


def _holiday_factor(days: np.ndarray) -> np.ndarray:
    factor = np.ones(len(days))
    day_numbers = days.astype(np.int64)
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    for year in range(int(years.min()) - 1, int(years.max()) + 2):
        if year in SPRING_FESTIVAL:
            offset = day_numbers - np.datetime64(SPRING_FESTIVAL[year], "D").astype(np.int64)
            factor *= np.select(
                [(offset >= -21) & (offset <= -8), (offset >= -7) & (offset <= -2),
                 (offset >= -1) & (offset <= 6), (offset >= 7) & (offset <= 14)],
                [1.30, 0.80, 0.12, 0.85],
                1.0,
            )
        for first, last, multiplier in _fixed_holidays(year):
            inside = (days >= np.datetime64(first)) & (days <= np.datetime64(last))
            factor[inside] *= multiplier
    return factor


def _fixed_holidays(year: int) -> list[tuple[str, str, float]]:
    """(first day, last day, workload multiplier): golden weeks and the rush before them."""
    return [
        (f"{year}-01-01", f"{year}-01-01", 0.40),
        (f"{year}-04-04", f"{year}-04-06", 0.75),  # Qingming
        (f"{year}-04-24", f"{year}-04-30", 1.15),
        (f"{year}-05-01", f"{year}-05-05", 0.45),  # Labour Day
        (f"{year}-09-22", f"{year}-09-30", 1.20),
        (f"{year}-10-01", f"{year}-10-07", 0.35),  # National Day golden week
    ]


def add_working_hours(start_seconds: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """The wall-clock moment `hours` of workshop time after `start_seconds`.

    Work runs 08:00-19:00 every day; a job that does not fit continues the next
    morning. Promised and actual delivery both go through this, so a job is on time
    exactly when its working hours are within the promised ones.
    """
    day_start = (start_seconds // SECONDS_PER_DAY) * SECONDS_PER_DAY
    start_hour = np.clip((start_seconds - day_start) / SECONDS_PER_HOUR, WORK_START_HOUR, WORK_END_HOUR)
    left_today = WORK_END_HOUR - start_hour
    fits_today = hours <= left_today
    overflow = np.maximum(hours - left_today, 0.0)
    extra_days = np.floor(overflow / WORK_HOURS_PER_DAY)
    rest = overflow - extra_days * WORK_HOURS_PER_DAY
    same_day = day_start + (start_hour + hours) * SECONDS_PER_HOUR
    later_day = (
        day_start
        + (1 + extra_days) * SECONDS_PER_DAY
        + (WORK_START_HOUR + rest) * SECONDS_PER_HOUR
    )
    # Whole seconds: the contract's timestamps carry no fractions.
    return np.where(fits_today, same_day, later_day).astype(np.int64)


def next_business_moment(seconds: np.ndarray, open_hour: float, close_hour: float) -> np.ndarray:
    """Moments outside open_hour..close_hour move to the next opening (a call at
    23:00 is answered the next morning)."""
    day_start = (seconds // SECONDS_PER_DAY) * SECONDS_PER_DAY
    hour = (seconds - day_start) / SECONDS_PER_HOUR
    opening_today = day_start + int(open_hour * SECONDS_PER_HOUR)
    return np.select(
        [hour < open_hour, hour >= close_hour],
        [opening_today, opening_today + SECONDS_PER_DAY],
        seconds,
    ).astype(np.int64)
