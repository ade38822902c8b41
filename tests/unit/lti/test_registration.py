from __future__ import annotations

import pytest

from lti.registration import _serves


@pytest.mark.parametrize(
    ("issuer", "endpoint", "ok"),
    [
        ("https://lms.example", "https://lms.example/.well-known/openid-configuration", True),
        ("https://lms.example/", "https://lms.example/.well-known/openid-configuration", True),
        ("https://lms.example/tenant-1", "https://lms.example/tenant-1/openid", True),
        ("https://lms.example/tenant-1", "https://lms.example/tenant-10/openid", False),
        ("https://lms.example", "https://lms.example.evil/.well-known/openid-configuration", False),
        ("http://127.0.0.1:4430", "http://127.0.0.1:44301/openid", False),
        ("http://lms.example", "https://lms.example/openid", False),
        ("", "https://lms.example/openid", False),
    ],
)
def test_a_platform_vouches_only_for_configuration_under_its_own_issuer(
    issuer: str, endpoint: str, ok: bool
) -> None:
    assert _serves(issuer, endpoint) is ok
