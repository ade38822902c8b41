"""The minimum-group rule: a figure shown to a facilitator, instructor or manager covers enough people that
nobody's own answer can be read from it ("Average usefulness 2.0" over one check-in is that person's answer).

A figure over fewer than `min_group` distinct people is withheld (None), and the page or card says there are
too few answers to show. The threshold is a setting (`REPORT_MIN_GROUP`, default 5) that cannot go below 3."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from core.model.figures import Figure

DEFAULT_MIN_GROUP = 5
FLOOR = 3
TOO_FEW = "too few answers to show"

T = TypeVar("T")


def min_group(setting: int | None = None) -> int:
    """The threshold in force: the setting, never below `FLOOR`."""
    return max(FLOOR, DEFAULT_MIN_GROUP if setting is None else setting)


def over(people: Iterable[str], value: T, threshold: int) -> T | None:
    """`value` if it was computed from at least `threshold` distinct people, else None (withheld)."""
    return value if len(set(people)) >= threshold else None


def over_people(people: int, value: T, threshold: int) -> T | None:
    """`over`, when the database has already counted the distinct people."""
    return value if people >= threshold else None


def shown(figure: Figure, threshold: int) -> int | None:
    """A counted figure (`core.model.figures`), or None when it is over too few people."""
    return over_people(figure.people, figure.value, threshold)
