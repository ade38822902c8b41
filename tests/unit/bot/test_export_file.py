"""The full export as a file: Teams' file offer names its reader and size; uploads go only to https."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot import export_file


def test_the_file_offer_is_teams_consent_card_addressed_to_its_reader() -> None:
    offer = export_file.consent_card("ana-id", 1234, datetime(2026, 12, 2, tzinfo=UTC))
    assert offer.content_type == "application/vnd.microsoft.teams.card.file.consent"
    assert offer.name == "peer-learning-my-data-2026-12-02.json"
    assert offer.content["sizeInBytes"] == 1234
    assert offer.content["acceptContext"] == offer.content["declineContext"] == {"for": "ana-id"}


def test_the_file_is_readable_json_keeping_every_character() -> None:
    data = {"person": {"display_name": "Zoë Ångström"}, "pairings": []}
    written = export_file.export_bytes(data)
    assert json.loads(written) == data and "Zoë".encode() in written and b"\n  " in written


def test_an_upload_goes_only_to_https_or_to_this_machine() -> None:
    assert export_file._upload_target("https://contoso-my.sharepoint.com/personal/ana/upload?x=1")
    assert export_file._upload_target("http://127.0.0.1:8080/upload/a.json")
    assert not export_file._upload_target("http://contoso.example/upload")
    assert not export_file._upload_target("file:///etc/passwd")
    assert not export_file._upload_target("")
