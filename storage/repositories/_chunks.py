"""Long `IN (…)` lists read in slices: PostgreSQL (asyncpg) takes at most 32,767 parameters per statement, and
a program of 100,000 people or 40,000 pairings names more ids than that in one read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

IN_LIST_LIMIT = 10_000  # ids per statement: far below the limit, few round trips at 100,000


def chunks(items: Iterable[T], size: int = IN_LIST_LIMIT) -> Iterator[list[T]]:
    """`items` without repeats, in their first order, `size` at a time."""
    unique: Sequence[T] = list(dict.fromkeys(items))
    for start in range(0, len(unique), size):
        yield list(unique[start : start + size])
