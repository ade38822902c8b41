"""The skill vocabulary (synonyms folded, the organization's skills first, a new skill allowed), time zones
by city, and weekly availability as days and hours."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.bus import MessageBus
from core.model import Enrollment, Profile, SkillLevel
from core.services import availability, vocabulary
from tests.unit.conftest import ORG, PROGRAM
from tests.unit.fakes import FakeUnitOfWork

WINTER = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("JS", "JavaScript"),
        ("javascript", "JavaScript"),
        ("Javascript", "JavaScript"),
        ("node js", "Node.js"),
        ("k8s", "Kubernetes"),
        ("golang", "Go"),
        ("Ｐｙｔｈｏｎ", "Python"),
        ("Quantum basket weaving", "Quantum basket weaving"),  # a new skill stays as written
    ],
)
def test_a_skill_is_folded_onto_the_vocabulary_so_spellings_meet(typed: str, label: str) -> None:
    skill = SkillLevel.of(typed, 3)
    assert (skill.label, skill.key) == (label, label.casefold())


def test_typeahead_answers_a_synonym_with_what_it_stands_for_first() -> None:
    assert vocabulary.skill_choices("js", [])[0] == vocabulary.Choice("JavaScript", "JavaScript")
    assert vocabulary.skill_choices("kube", [])[0].value == "Kubernetes"


def test_typeahead_offers_the_organizations_skills_before_the_seed_list() -> None:
    found = [c.value for c in vocabulary.skill_choices("he", ["Helm charts", "Python"])]
    assert found[0] == "Helm charts"


def test_a_new_skill_is_still_offered_and_nothing_exceeds_fifteen_choices() -> None:
    found = vocabulary.skill_choices("Quantum basket weaving", [])
    assert found[-1] == vocabulary.Choice("Quantum basket weaving (new skill)", "Quantum basket weaving")
    assert len(vocabulary.skill_choices("", [f"Skill {i}" for i in range(40)])) == vocabulary.MAX_CHOICES
    assert all("(new skill)" not in c.title for c in vocabulary.skill_choices("Python", []))


async def test_the_organizations_skills_are_those_its_participants_listed_most_used_first(
    bus: MessageBus,
    uow: FakeUnitOfWork,
) -> None:
    for person, skills in (("ana", ("Helm", "Go")), ("bo", ("Helm",))):
        uow.store.enrollments[person] = Enrollment(person, ORG, PROGRAM, person, 1, WINTER)
        profile = Profile(person, teaches=tuple(SkillLevel.of(s, 3) for s in skills))
        uow.store.profiles[person] = (ORG, profile)
    assert await bus.read(lambda u: vocabulary.organization_skills(ORG, u)) == ["Helm", "Go"]
    assert vocabulary.suggested_skills(["Helm"])[:2] == ["Helm", "Python"]


def test_a_time_zone_is_shown_as_a_city_with_its_offset_on_the_day() -> None:
    assert vocabulary.timezone_label("Europe/Berlin", WINTER) == "Berlin (UTC+01:00)"
    assert vocabulary.timezone_label("Europe/Berlin", SUMMER) == "Berlin (UTC+02:00)"
    assert vocabulary.timezone_label("Asia/Kolkata", WINTER) == "Kolkata (UTC+05:30)"
    assert vocabulary.timezone_label("America/New_York", WINTER) == "New York (UTC-05:00)"


def test_a_city_is_understood_as_its_time_zone_and_nonsense_is_not() -> None:
    assert vocabulary.resolve_timezone("Berlin") == "Europe/Berlin"
    assert vocabulary.resolve_timezone("new york") == "America/New_York"
    assert vocabulary.resolve_timezone("Europe/Lisbon") == "Europe/Lisbon"
    assert vocabulary.resolve_timezone("Atlantis") is None
    assert vocabulary.known_timezone("Mars/Olympus") is None


def test_time_zones_are_searched_by_city() -> None:
    found = vocabulary.timezone_choices("berl", WINTER)
    assert found[0] == vocabulary.Choice("Berlin (UTC+01:00)", "Europe/Berlin")
    assert all("/" not in c.title for c in vocabulary.timezone_choices("", WINTER))


def test_weekly_hours_read_back_as_days_and_hours_or_day_by_day() -> None:
    weekdays = availability.Weekly((0, 1, 2, 3, 4), 9, 17)
    assert availability.as_weekly(weekdays.hours()) == weekdays
    assert availability.describe(weekdays.hours()) == "Mon–Fri 09:00–17:00"
    grid = frozenset({9, 10, 24 + 14})
    assert availability.as_weekly(grid) is None
    assert availability.describe(grid) == "Mon 09:00–11:00; Tue 14:00–15:00"
    assert availability.describe(frozenset()) == "not given"
