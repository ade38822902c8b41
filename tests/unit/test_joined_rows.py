from __future__ import annotations

from dataclasses import dataclass

from storage.repositories._joined import by_parent


@dataclass(frozen=True)
class Parent:
    id: str


def test_each_parent_comes_once_in_first_seen_order_with_its_children_in_row_order() -> None:
    a, b, c = Parent("a"), Parent("b"), Parent("c")
    rows = [(b, 1), (b, 2), (a, None), (c, 3), (b, 4)]
    assert by_parent(rows) == [(b, [1, 2, 4]), (a, []), (c, [3])]


def test_no_rows_give_no_parents() -> None:
    assert by_parent([]) == []
