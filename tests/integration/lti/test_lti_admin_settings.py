"""The composition root hands the administrator's LTI settings to the LTI door: the registration allowlist and
the LMS group APIs (by platform issuer)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lti.lms_groups import CanvasGroups, MoodleGroups
from peerlearn.app import build_runtime, lti_config
from peerlearn.settings import load_settings


async def test_the_lti_door_gets_the_registration_allowlist_and_each_platform_s_group_api(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LTI_REGISTRATION_ISSUERS", "https://moodle.school.edu")
    monkeypatch.setenv(
        "LTI_GROUP_APIS",
        json.dumps(
            {
                "https://moodle.school.edu": {
                    "kind": "moodle",
                    "base_url": "https://moodle.school.edu",
                    "token": "m",
                },
                "https://canvas.instructure.com": {
                    "kind": "canvas",
                    "base_url": "https://school.instructure.com",
                    "token": "c",
                },
            }
        ),
    )
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'x.db'}", data_dir=tmp_path)
    runtime = build_runtime(settings)
    try:
        config = lti_config(settings, runtime, None)
    finally:
        await runtime.engine.dispose()
    assert config.registration_issuers == ("https://moodle.school.edu",)
    assert isinstance(config.group_api("https://moodle.school.edu/"), MoodleGroups)
    canvas = config.group_api("https://canvas.instructure.com")
    assert isinstance(canvas, CanvasGroups) and canvas.base_url == "https://school.instructure.com"
    assert config.group_api("https://other.lms.edu") is None
