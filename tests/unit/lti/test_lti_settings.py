"""The LTI settings an administrator sets (docs/ADMIN.md): which platforms may register themselves, and which
LMS group APIs receive published groups. A bad value stops start-up naming the setting, never the token."""

from __future__ import annotations

import json

import pytest

from lti.lms_groups import CanvasGroups, MoodleGroups, group_api
from peerlearn.settings import LtiGroupApi, SettingsError, load_settings

MOODLE = "https://moodle.school.edu"
CANVAS = "https://canvas.instructure.com"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LTI_GROUP_APIS", "LTI_REGISTRATION_ISSUERS"):
        monkeypatch.delenv(name, raising=False)


def apis(**entries: object) -> str:
    return json.dumps(entries)


def test_without_lti_settings_any_platform_may_register_and_no_lms_receives_groups() -> None:
    settings = load_settings(None)
    assert settings.registration_issuers == ()
    assert settings.group_apis == {}


def test_registration_issuers_are_read_comma_separated_without_trailing_slashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LTI_REGISTRATION_ISSUERS", f" {MOODLE}/ , {CANVAS}")
    assert load_settings(None).registration_issuers == (MOODLE, CANVAS)


def test_a_registration_issuer_that_is_not_a_url_stops_start_up_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LTI_REGISTRATION_ISSUERS", f"{MOODLE},moodle.other.edu")
    with pytest.raises(
        SettingsError, match=r"LTI_REGISTRATION_ISSUERS.*'moodle\.other\.edu' is not a platform issuer"
    ):
        load_settings(None)


def test_group_apis_are_read_by_issuer_and_built_for_their_lms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "LTI_GROUP_APIS",
        json.dumps(
            {
                MOODLE + "/": {"kind": "moodle", "base_url": MOODLE, "token": "moodle-token"},
                CANVAS: {
                    "kind": "canvas",
                    "base_url": "https://school.instructure.com/",
                    "token": "canvas-token",
                },
            }
        ),
    )
    settings = load_settings(None)
    assert settings.group_apis == {
        MOODLE: LtiGroupApi("moodle", MOODLE, "moodle-token"),
        CANVAS: LtiGroupApi("canvas", "https://school.instructure.com", "canvas-token"),
    }
    assert {"moodle-token", "canvas-token"} <= set(settings.secrets())  # redacted from the logs
    moodle = group_api("moodle", MOODLE, "moodle-token")
    assert isinstance(moodle, MoodleGroups)
    assert moodle.endpoint == f"{MOODLE}/webservice/rest/server.php"
    canvas = group_api("canvas", "https://school.instructure.com", "canvas-token")
    assert isinstance(canvas, CanvasGroups) and canvas.base_url == "https://school.instructure.com"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("{not json", "it is not JSON"),
        ('["https://moodle.school.edu"]', "use a JSON object"),
        (apis(**{"moodle.school.edu": {"kind": "moodle"}}), "is not a platform issuer URL"),
        (apis(**{MOODLE: "secret-token-1"}), "must be an object with 'kind', 'base_url' and 'token'"),
        (
            apis(**{MOODLE: {"kind": "blackboard", "base_url": MOODLE, "token": "secret-token-1"}}),
            f"the entry for '{MOODLE}' has kind 'blackboard': use 'canvas' or 'moodle'",
        ),
        (
            apis(**{MOODLE: {"kind": "moodle", "base_url": "moodle", "token": "secret-token-1"}}),
            "has base_url 'moodle': use the LMS's address",
        ),
        (apis(**{MOODLE: {"kind": "moodle", "base_url": MOODLE, "token": " "}}), "has no token"),
    ],
)
def test_a_malformed_group_api_setting_stops_start_up_saying_what_is_wrong_but_never_the_token(
    monkeypatch: pytest.MonkeyPatch, value: str, said: str
) -> None:
    monkeypatch.setenv("LTI_GROUP_APIS", value)
    with pytest.raises(SettingsError) as raised:
        load_settings(None)
    message = str(raised.value)
    assert message.startswith("Setting 'LTI_GROUP_APIS' has value '***'")
    assert said in message
    assert "secret-token-1" not in message
