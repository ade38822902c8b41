"""The time zone and locale Teams detects on every activity pre-fill the profile; a card cannot forge them."""

from __future__ import annotations

from botbuilder.schema import Activity, Entity

from bot import client_info


def _activity(**properties: object) -> Activity:
    entity = Entity(type="clientInfo")
    entity.additional_properties = dict(properties)
    return Activity(type="message", entities=[entity])


def test_the_client_info_entity_gives_time_zone_and_locale() -> None:
    found = client_info.client_info(_activity(locale="de-DE", timezone="Europe/Berlin", platform="Web"))
    assert found == client_info.ClientInfo("Europe/Berlin", "de-DE")


def test_an_invoke_without_the_entity_uses_its_local_timezone_and_an_unknown_zone_is_dropped() -> None:
    activity = Activity(type="invoke", local_timezone="America/Los_Angeles", locale="en-US")
    assert client_info.client_info(activity) == client_info.ClientInfo("America/Los_Angeles", "en-US")
    assert client_info.client_info(_activity(timezone="Mars/Olympus")).timezone is None


def test_card_data_cannot_set_what_teams_detected() -> None:
    forged = {client_info.TIMEZONE: "Asia/Tokyo", "department": "Payments"}
    data = client_info.with_client_info(forged, _activity(timezone="Europe/Berlin"))
    assert client_info.detected_timezone(data) == "Europe/Berlin" and data["department"] == "Payments"
    assert client_info.TIMEZONE not in client_info.with_client_info(forged, Activity(type="message"))
