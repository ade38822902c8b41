from __future__ import annotations

from typing import Any

import pytest

from lti.claims import (
    CLAIM,
    DL_SETTINGS,
    ClaimRefused,
    check_audience,
    check_deep_linking,
    check_message,
    client_id_of,
)

VALID: dict[str, Any] = {
    "sub": "u1",
    f"{CLAIM}message_type": "LtiResourceLinkRequest",
    f"{CLAIM}version": "1.3.0",
    f"{CLAIM}roles": [],
    f"{CLAIM}resource_link": {"id": "link-1"},
}


def test_the_client_id_is_azp_when_it_is_one_of_the_audiences() -> None:
    assert client_id_of({"aud": ["other", "mine"], "azp": "mine"}) == "mine"
    assert client_id_of({"aud": ["mine"]}) == "mine" and client_id_of({"aud": "mine"}) == "mine"
    assert client_id_of({"aud": ["a", "b"], "azp": "c"}) == "a" and client_id_of({}) == ""


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ({"aud": ["mine", "untrusted"], "azp": "mine"}, "does not trust"),
        ({"aud": ["untrusted", "mine"], "azp": "mine"}, "does not trust"),
        ({"aud": ["mine", "mine"]}, "does not name the one"),
        ({"aud": "mine", "azp": "other"}, "another client"),
        ({"aud": []}, "empty"),
        ({"aud": [42]}, "empty"),
    ],
)
def test_every_audience_is_checked_and_azp_is_required_with_several(
    claims: dict[str, Any], words: str
) -> None:
    with pytest.raises(ClaimRefused, match=words) as refused:
        check_audience(claims, "mine")
    assert refused.value.status == 401


def test_a_token_for_this_client_alone_passes() -> None:
    check_audience({"aud": "mine"}, "mine")
    check_audience({"aud": ["mine"]}, "mine")
    check_audience({"aud": ["mine"], "azp": "mine"}, "mine")


def test_a_valid_message_passes_and_each_missing_claim_is_named() -> None:
    check_message(VALID)
    for name, words in (
        ("sub", "who you are"),
        (f"{CLAIM}roles", "your role"),
        (f"{CLAIM}version", "LTI version"),
        (f"{CLAIM}resource_link", "which link"),
        (f"{CLAIM}message_type", "what kind"),
    ):
        with pytest.raises(ClaimRefused, match=words):
            check_message({k: v for k, v in VALID.items() if k != name})


def test_deep_linking_without_resource_links_says_what_the_place_accepts() -> None:
    settings = {
        "deep_link_return_url": "https://lms/x",
        "accept_types": ["file"],
        "accept_presentation_document_targets": ["iframe"],
    }
    with pytest.raises(ClaimRefused, match=r"accepts only other kinds of content \(file\)"):
        check_deep_linking(settings)
    check_deep_linking({**settings, "accept_types": ["ltiResourceLink"]})
    deep = {**VALID, f"{CLAIM}message_type": "LtiDeepLinkingRequest", DL_SETTINGS: {}}
    with pytest.raises(ClaimRefused, match="where to send it back"):
        check_message(deep)
