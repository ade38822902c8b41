from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import InvalidInput

MIN_LEVEL = 1
MAX_LEVEL = 5
MAX_SKILL_NAME = 60
_SPACES = re.compile(r"\s+")


def normalize_skill(name: str) -> str:
    """The key a skill is stored and compared by: trimmed, single-spaced, case-folded."""
    key = _SPACES.sub(" ", name).strip().casefold()
    if not key:
        raise InvalidInput("skill", "A skill needs a name, e.g. 'Kubernetes'.")
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
        return cls(key=normalize_skill(name), level=level, label=_SPACES.sub(" ", name).strip())
