"""Running hypothesis against a live aiohttp app: the engine runs in a worker thread and each example is
posted on the test's event loop, so `@given` needs no async support and fixtures stay function-scoped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

T = TypeVar("T")
MAX_EXAMPLES = 40


async def run_examples(
    strategy: st.SearchStrategy[T],
    check: Callable[[T], Coroutine[Any, Any, None]],
    *,
    max_examples: int = MAX_EXAMPLES,
) -> None:
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(strategy)
    def examples(value: T) -> None:
        asyncio.run_coroutine_threadsafe(check(value), loop).result(timeout=60)

    await asyncio.to_thread(examples)


# JSON of every shape, with strings that are sometimes huge or hostile.
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "{{7*7}}",
            "\x00\x01",
            "../../etc/passwd",
            "\ud7ff" * 3,
            "9" * 400,
            "-1",
            "1e309",
        ]
    ),
    st.integers(min_value=1_000, max_value=30_000).map(lambda n: "x" * n),
)
SCALAR: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), HOSTILE_TEXT
)
JSON: st.SearchStrategy[Any] = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
