from __future__ import annotations

from dataclasses import dataclass

from core.errors import InvalidInput
from core.model.text import clean

MIN_LEVEL = 1
MAX_LEVEL = 5
MAX_SKILL_NAME = 60


def skill_label(name: str) -> str:
    """How a skill is shown: as the person wrote it, made comparable (see `core.model.text`)."""
    return clean(name, "skill", what=f"The skill name '{name[:20]}'")


def normalize_skill(name: str) -> str:
    """The key a skill is stored and compared by: the label, case-folded ("Ｐｙｔｈｏｎ " → "python")."""
    key = skill_label(name).casefold()
    if not key:
        raise InvalidInput("skill", "A skill needs a name with letters or digits in it, e.g. 'Kubernetes'.")
    if len(key) > MAX_SKILL_NAME:
        raise InvalidInput(
            "skill", f"The skill '{name[:20]}…' is {len(key)} characters long; use at most {MAX_SKILL_NAME}."
        )
    return key


@dataclass(frozen=True)
class SkillLevel:
    """A skill and a level from 1 (beginner) to 5 (expert); `label` keeps how the person wrote it."""

    key: str
    level: int
    label: str

    @classmethod
    def of(cls, name: str, level: int) -> SkillLevel:
        if isinstance(level, bool) or not isinstance(level, int) or not MIN_LEVEL <= level <= MAX_LEVEL:
            raise InvalidInput(
                "level",
                f"The level of '{name}' is '{level}'. Use a whole number from 1 (beginner) to 5 (expert).",
            )
        return cls(key=normalize_skill(name), level=level, label=skill_label(name))
