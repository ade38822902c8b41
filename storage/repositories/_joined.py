"""Reading `parent LEFT JOIN child` rows back into each parent with its children."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class _Keyed(Protocol):
    @property
    def id(self) -> str: ...


P = TypeVar("P", bound=_Keyed)
C = TypeVar("C")


def by_parent(rows: Iterable[tuple[P, C | None]]) -> list[tuple[P, list[C]]]:
    """Each parent once, in the order the rows first name it, with its children in row order.

    A parent without children comes as one row whose child is None (the outer join's empty side).
    """
    found: dict[str, tuple[P, list[C]]] = {}
    for parent, child in rows:
        _, children = found.setdefault(parent.id, (parent, []))
        if child is not None:
            children.append(child)
    return list(found.values())
