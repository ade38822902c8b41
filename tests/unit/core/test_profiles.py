from __future__ import annotations

import pytest

from core import commands
from core.bus import MessageBus
from core.errors import InvalidInput
from tests.unit.conftest import ORG
from tests.unit.fakes import FakeUnitOfWork


def update(**fields: object) -> commands.UpdateProfile:
    return commands.UpdateProfile(ORG, "ana", **fields)  # type: ignore[arg-type]


async def test_a_profile_is_saved_with_normalized_skills(bus: MessageBus, uow: FakeUnitOfWork) -> None:
    cmd = update(
        teaches=(commands.SkillInput("  Kubernetes ", 4),),
        learns=(commands.SkillInput("Rust", 1),),
        department="Platform",
        timezone="Europe/Berlin",
        hours_per_month=6,
    )
    await bus.handle(cmd)
    _, stored = uow.store.profiles["ana"]
    assert [(s.key, s.label, s.level) for s in stored.teaches] == [("kubernetes", "Kubernetes", 4)]
    assert stored.learns[0].key == "rust" and stored.timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("fields", "field", "quoted"),
    [
        ({"teaches": (commands.SkillInput("Go", 6),)}, "level", "'6'"),
        ({"timezone": "Mars/Olympus"}, "timezone", "'Mars/Olympus'"),
        ({"hours_per_month": 500}, "hours_per_month", "'500'"),
        ({"learns": (commands.SkillInput("Go", 1), commands.SkillInput("go", 2))}, "skills", "twice"),
        ({"weekly_availability": frozenset({170})}, "weekly_availability", "167"),
    ],
)
async def test_a_bad_value_names_the_field_and_saves_nothing(
    bus: MessageBus, uow: FakeUnitOfWork, fields: dict[str, object], field: str, quoted: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        await bus.handle(update(**fields))
    assert error.value.field == field
    assert quoted in error.value.message
    assert uow.store.profiles == {}
