"""Reading Graph's calendar answers: a mailbox's time zone (Windows names too) and working hours, free/busy."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from bot.delivery.calendars import busy_from, graph_time, mailbox_from
from bot.windows_zones import WINDOWS_ZONES, zone_of_windows_name


def test_every_windows_zone_maps_to_a_zone_the_system_knows() -> None:
    assert all(z == "UTC" or z in zoneinfo.available_timezones() for z in WINDOWS_ZONES.values())
    assert zone_of_windows_name("W. Europe Standard Time") == "Europe/Berlin"
    assert zone_of_windows_name("India Standard Time") == "Asia/Kolkata"  # the current name, not Calcutta
    assert zone_of_windows_name("Europe/Lisbon") == "Europe/Lisbon"  # Graph may give a zone's own name
    assert zone_of_windows_name("Atlantis Standard Time") is None and zone_of_windows_name("") is None


def test_working_hours_become_whole_hours_inside_them_on_the_mailboxs_clock() -> None:
    settings = mailbox_from(
        {
            "timeZone": "Romance Standard Time",
            "workingHours": {
                "daysOfWeek": ["monday", "friday"],
                "startTime": "08:30:00.0000000",
                "endTime": "12:00:00.0000000",
                "timeZone": {"name": "Romance Standard Time"},
            },
        }
    )
    assert settings.timezone == "Europe/Paris"
    assert settings.working_hours == frozenset({9, 10, 11, 4 * 24 + 9, 4 * 24 + 10, 4 * 24 + 11})


def test_working_hours_on_another_clock_or_unreadable_are_left_out() -> None:
    other = {"daysOfWeek": ["monday"], "startTime": "09:00", "endTime": "17:00", "timeZone": {"name": "UTC"}}
    assert (
        mailbox_from({"timeZone": "Tokyo Standard Time", "workingHours": other}).working_hours == frozenset()
    )
    broken = other | {"timeZone": {"name": "Tokyo Standard Time"}, "daysOfWeek": ["someday"]}
    assert (
        mailbox_from({"timeZone": "Tokyo Standard Time", "workingHours": broken}).working_hours == frozenset()
    )
    assert mailbox_from({"timeZone": "Nowhere"}).timezone is None


def test_free_busy_keeps_busy_tentative_and_away_by_email_and_skips_what_graph_could_not_read() -> None:
    def item(status: str, start: str, end: str, zone: str = "UTC") -> dict[str, object]:
        return {
            "status": status,
            "start": {"dateTime": start, "timeZone": zone},
            "end": {"dateTime": end, "timeZone": zone},
        }

    answer = {
        "value": [
            {
                "scheduleId": "Ana@Contoso.example",
                "scheduleItems": [
                    item("busy", "2026-12-07T09:00:00.0000000", "2026-12-07T10:00:00.0000000"),
                    item("free", "2026-12-07T11:00:00.0000000", "2026-12-07T12:00:00.0000000"),
                    item("workingElsewhere", "2026-12-07T12:00:00", "2026-12-07T13:00:00"),
                    item("oof", "2026-12-08T09:00:00", "2026-12-08T10:00:00", "W. Europe Standard Time"),
                    item("tentative", "2026-12-07T14:00:00", "2026-12-07T14:30:00"),
                ],
            },
            {"scheduleId": "bo@contoso.example", "error": {"message": "mailbox not found"}},
        ]
    }
    busy = busy_from(answer)
    assert set(busy) == {"ana@contoso.example"}
    assert busy["ana@contoso.example"] == [
        (datetime(2026, 12, 7, 9, tzinfo=UTC), datetime(2026, 12, 7, 10, tzinfo=UTC)),
        (datetime(2026, 12, 7, 14, tzinfo=UTC), datetime(2026, 12, 7, 14, 30, tzinfo=UTC)),
        (datetime(2026, 12, 8, 8, tzinfo=UTC), datetime(2026, 12, 8, 9, tzinfo=UTC)),  # Berlin, UTC+01:00
    ]
    assert graph_time(datetime(2026, 12, 7, 10, 15, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))) == (
        "2026-12-07T09:15:00"
    )
