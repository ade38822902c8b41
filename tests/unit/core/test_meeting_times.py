from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core.services.meeting_times import Availability, Slot, hour_of_week, next_shared_slot

MONDAY, TUESDAY, SUNDAY = 0, 1, 6


def hours(day: int, *clock_hours: int) -> frozenset[int]:
    return frozenset(day * 24 + h for h in clock_hours)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_slot_is_the_first_hour_both_clocks_share_read_on_each_clock() -> None:
    berlin = Availability("Europe/Berlin", hours(MONDAY, 15, 16))
    new_york = Availability("America/New_York", hours(MONDAY, 9, 10))
    slot = next_shared_slot([berlin, new_york], at(2026, 11, 2, 6))
    # In November Berlin is UTC+1 and New York UTC-5: 15:00 in Berlin is 09:00 in New York is 14:00 UTC.
    assert slot == Slot(at(2026, 11, 2, 14), at(2026, 11, 2, 14, 30))
    assert slot.local("America/New_York")[0].hour == 9
    assert slot.local("Europe/Berlin")[0].hour == 15


def test_the_week_between_europes_and_americas_clock_changes_is_read_as_it_is() -> None:
    # Europe left summer time on 25 October 2026, New York only on 1 November: in between the two
    # clocks are 5 hours apart, not 6, so Monday 26 October has no shared hour; Monday 2 November has.
    berlin = Availability("Europe/Berlin", hours(MONDAY, 15))
    new_york = Availability("America/New_York", hours(MONDAY, 9))
    slot = next_shared_slot([berlin, new_york], at(2026, 10, 26, 0))
    assert slot is not None and slot.start == at(2026, 11, 2, 14)
    # …and the hour that met only in that week is found in that week.
    berlin_two = Availability("Europe/Berlin", hours(MONDAY, 14))
    slot = next_shared_slot([berlin_two, new_york], at(2026, 10, 26, 0))
    assert slot is not None and slot.start == at(2026, 10, 26, 13)


def test_an_hour_a_spring_clock_change_skips_is_not_proposed_that_day() -> None:
    # 02:00–03:00 does not exist in Berlin on Sunday 29 March 2026: the next Sunday's is proposed.
    ana = Availability("Europe/Berlin", hours(SUNDAY, 2))
    bo = Availability("Europe/Berlin", hours(SUNDAY, 2))
    slot = next_shared_slot([ana, bo], at(2026, 3, 28, 0))
    assert slot is not None and slot.start == at(2026, 4, 5, 0)  # 02:00 in Berlin, summer time (UTC+2)
    assert hour_of_week(slot.start, "Europe/Berlin") == SUNDAY * 24 + 2


def test_a_zone_half_an_hour_off_meets_on_the_others_full_hour() -> None:
    berlin = Availability("Europe/Berlin", hours(TUESDAY, 10))
    kolkata = Availability("Asia/Kolkata", hours(TUESDAY, 14))
    slot = next_shared_slot([berlin, kolkata], at(2026, 11, 2, 0))
    # 10:00 in Berlin (UTC+1) is 14:30 in Kolkata (UTC+5:30): the half hour fits Kolkata's 14:00 hour.
    assert slot == Slot(at(2026, 11, 3, 9), at(2026, 11, 3, 9, 30))
    assert slot.local("Asia/Kolkata")[0].strftime("%H:%M") == "14:30"


def test_no_slot_when_someone_has_not_said_or_the_hours_never_meet() -> None:
    berlin = Availability("Europe/Berlin", hours(MONDAY, 15))
    assert next_shared_slot([berlin, Availability("Europe/Berlin", frozenset())], at(2026, 11, 2)) is None
    tokyo = Availability("Asia/Tokyo", hours(MONDAY, 15))  # 07:00 in Berlin
    assert next_shared_slot([berlin, tokyo], at(2026, 11, 2)) is None
    assert next_shared_slot([], at(2026, 11, 2)) is None


def test_the_slot_leaves_notice_and_never_starts_in_the_past() -> None:
    berlin = Availability("Europe/Berlin", hours(MONDAY, *range(24)))
    after = at(2026, 11, 2, 9, 7)
    slot = next_shared_slot([berlin, berlin], after)
    assert slot is not None and slot.start == at(
        2026, 11, 2, 14
    )  # 13:07 + rounding to Berlin's next full hour
    assert slot.start - after >= timedelta(hours=4)


def test_after_must_be_an_instant() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_shared_slot([], datetime(2026, 11, 2))


def test_a_slot_someones_calendar_has_booked_is_skipped_for_the_next_one_everyone_is_free() -> None:
    ana = Availability("Europe/Berlin", hours(MONDAY, 10, 11, 12))
    bo = Availability("Europe/Berlin", hours(MONDAY, 10, 11, 12))
    first = next_shared_slot([ana, bo], at(2026, 11, 1))
    assert first == Slot(at(2026, 11, 2, 9), at(2026, 11, 2, 9, 30))  # Monday 10:00 in Berlin
    standup = (at(2026, 11, 2, 8, 45), at(2026, 11, 2, 10, 15))  # Bo's calendar: 09:45–11:15 Berlin time
    slot = next_shared_slot([ana, replace(bo, busy=(standup,))], at(2026, 11, 1))
    assert slot == Slot(at(2026, 11, 2, 11), at(2026, 11, 2, 11, 30))  # 12:00, on the hour after it


def test_the_meeting_they_booked_together_keeps_the_proposal_where_it_was() -> None:
    ana = Availability("Europe/Berlin", hours(MONDAY, 10, 11))
    bo = Availability("America/New_York", hours(MONDAY, 4, 5))
    proposed = next_shared_slot([ana, bo], at(2026, 11, 1))
    assert proposed is not None
    booked = (proposed.start, proposed.end)
    assert (
        next_shared_slot([replace(ana, busy=(booked,)), replace(bo, busy=(booked,))], at(2026, 11, 1))
        == proposed
    )
    # Only one of them busy then is a clash, not their meeting: the proposal moves on.
    moved = next_shared_slot([replace(ana, busy=(booked,)), bo], at(2026, 11, 1))
    assert moved is not None and moved.start > proposed.start
