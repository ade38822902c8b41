from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.model import (
    Cadence,
    MemberRole,
    Pairing,
    PairingMember,
    PairingStatus,
    Program,
    ProgramKind,
    ScopeKind,
)
from core.services.schedule import check_in_due, local_instant, round_due


def _program(timezone: str, starts_on: date, cadence: Cadence = Cadence.WEEKLY) -> Program:
    return Program(
        id="p",
        organization_id="o",
        name="Guild",
        kind=ProgramKind.PEER_PAIRS,
        scope_kind=ScopeKind.TEAMS_TEAM,
        scope_id="19:team",
        cadence=cadence,
        timezone=timezone,
        starts_on=starts_on,
        facilitator_ids=["facilitator"],
    )


def test_a_program_whose_last_facilitator_left_has_no_round_due_until_someone_takes_it_over() -> None:
    tokyo = _program("Asia/Tokyo", date(2026, 11, 2))
    when = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    assert round_due(tokyo, None, when) == when
    tokyo.facilitator_ids.clear()
    assert round_due(tokyo, None, when) is None


def test_a_round_falls_due_at_nine_in_the_programs_own_time_zone() -> None:
    tokyo = _program("Asia/Tokyo", date(2026, 11, 2))
    berlin = _program("Europe/Berlin", date(2026, 11, 2))
    # 09:00 in Tokyo is 00:00 UTC; 09:00 in Berlin (CET) is 08:00 UTC.
    assert round_due(tokyo, None, datetime(2026, 11, 1, 23, 59, tzinfo=UTC)) is None
    assert round_due(tokyo, None, datetime(2026, 11, 2, 0, 0, tzinfo=UTC)) == datetime(
        2026, 11, 2, 0, 0, tzinfo=UTC
    )
    assert round_due(berlin, None, datetime(2026, 11, 2, 7, 59, tzinfo=UTC)) is None
    assert round_due(berlin, None, datetime(2026, 11, 2, 8, 0, tzinfo=UTC)) == datetime(
        2026, 11, 2, 8, 0, tzinfo=UTC
    )


def test_the_next_round_is_due_one_cadence_later_and_only_once() -> None:
    program = _program("UTC", date(2026, 11, 2))
    first = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert round_due(program, first, first + timedelta(days=6, hours=23)) is None
    assert round_due(program, first, first + timedelta(days=7)) == first + timedelta(days=7)
    assert round_due(program, first + timedelta(days=7), first + timedelta(days=7, minutes=1)) is None


def test_after_an_outage_one_round_opens_not_one_per_missed_period() -> None:
    program = _program("UTC", date(2026, 11, 2))
    first = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    now = first + timedelta(days=30)
    due = round_due(program, first, now)
    assert due == first + timedelta(days=28)
    assert round_due(program, due, now) is None


def test_a_round_opened_by_hand_shortly_before_the_due_date_counts_for_it() -> None:
    program = _program("UTC", date(2026, 11, 2))
    by_hand = datetime(2026, 11, 8, 15, 0, tzinfo=UTC)  # the day before the second round
    assert round_due(program, by_hand, datetime(2026, 11, 9, 9, 0, tzinfo=UTC)) is None


def test_daylight_saving_keeps_the_local_hour() -> None:
    # New York leaves DST on 2026-11-01: 09:00 local is 13:00 UTC before and 14:00 UTC after.
    assert local_instant(date(2026, 10, 31), "America/New_York") == datetime(2026, 10, 31, 13, 0, tzinfo=UTC)
    assert local_instant(date(2026, 11, 2), "America/New_York") == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    program = _program("America/New_York", date(2026, 10, 26))
    assert (
        round_due(
            program, datetime(2026, 10, 26, 13, 0, tzinfo=UTC), datetime(2026, 11, 2, 13, 30, tzinfo=UTC)
        )
        is None
    )
    assert round_due(
        program, datetime(2026, 10, 26, 13, 0, tzinfo=UTC), datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    ) == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_programs_without_a_start_date_or_in_a_course_have_no_scheduled_rounds() -> None:
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    undated = _program("UTC", date(2026, 11, 2))
    undated.starts_on = None
    course = _program("UTC", date(2026, 11, 2))
    course.scope_kind = ScopeKind.LMS_COURSE
    assert round_due(undated, None, now) is None
    assert round_due(course, None, now) is None


def _active_since(at: datetime) -> Pairing:
    pairing = Pairing(
        "x", "o", "p", None, [PairingMember("a", MemberRole.PEER), PairingMember("b", MemberRole.PEER)], at
    )
    pairing.status = PairingStatus.ACCEPTED
    pairing.start(at)
    return pairing


def test_check_ins_are_due_half_a_cadence_after_a_pairing_starts_then_every_cadence() -> None:
    program = _program("Asia/Kolkata", date(2026, 11, 2), Cadence.BIWEEKLY)
    started = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)  # 17:30 in Kolkata, 3 November
    pairing = _active_since(started)
    first_due_utc = datetime(2026, 11, 10, 3, 30, tzinfo=UTC)  # 09:00 in Kolkata, 10 November
    assert check_in_due(program, pairing, first_due_utc - timedelta(minutes=1)) is None
    assert check_in_due(program, pairing, first_due_utc) == date(2026, 11, 10)
    assert check_in_due(program, pairing, first_due_utc + timedelta(days=13)) == date(2026, 11, 10)
    assert check_in_due(program, pairing, first_due_utc + timedelta(days=14)) == date(2026, 11, 24)


def test_only_active_pairings_get_check_ins() -> None:
    program = _program("UTC", date(2026, 11, 2))
    pairing = _active_since(datetime(2026, 11, 2, tzinfo=UTC))
    pairing.complete(datetime(2026, 11, 3, tzinfo=UTC), None)
    assert check_in_due(program, pairing, datetime(2026, 12, 1, tzinfo=UTC)) is None
