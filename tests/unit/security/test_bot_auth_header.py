"""The shape of the Authorization header, checked before the body is read."""

from __future__ import annotations

import pytest

from bot.auth import ChannelTokenValidator, Unauthorized


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("", "no Authorization header"),
        ("Basic abc", "not 'Bearer'"),
        ("bearer a.b.c", "not 'Bearer'"),
        ("Bearer a.b", "not 'Bearer'"),
        ("Bearer a.b.c extra", "not 'Bearer'"),
        ("Bearer " + "a" * 9000 + ".b.c", "not 'Bearer'"),
        ("Bearer a.b.c\n", "not 'Bearer'"),
    ],
)
def test_a_header_that_is_not_a_bearer_jwt_is_refused_with_a_reason_that_does_not_quote_it(
    header: str, reason: str
) -> None:
    with pytest.raises(Unauthorized) as refused:
        ChannelTokenValidator.bearer(header)
    assert reason in refused.value.reason
    assert "abc" not in refused.value.reason


def test_a_bearer_jwt_gives_its_token() -> None:
    assert ChannelTokenValidator.bearer("Bearer eyJh.eyJi.c2ln") == "eyJh.eyJi.c2ln"
