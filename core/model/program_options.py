"""What a program keeps beyond its own columns, as one typed value instead of a dict read across layers.

Stored as one JSON object (`to_json` / `from_json`, the only place that knows its keys). A stored value of
the wrong type reads as the default; keys this version does not know are kept as they were (`unknown`),
so an older instance saving a program does not erase what a newer one wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

MEMBER_ATTRIBUTES = "member_attributes"
"""The key under which a course keeps what it knows of each member (e.g. their LMS section)."""

CRITERIA = (
    "similar_goals",
    "overlapping_availability",
    "mix_sections",
    "no_isolated_member",
    "avoid_previous_groupmates",
)
"""The criteria a course's instructor can switch on."""
DEFAULT_CRITERIA: Mapping[str, bool] = dict.fromkeys(CRITERIA, True) | {"mix_sections": False}

_KNOWN = (
    "criteria",
    "questionnaire_deadline",
    MEMBER_ATTRIBUTES,
    "group_chats",
    "min_shared_hours",
    "avoid_previous_groupmates",
    "isolate_rule_attributes",
)


@dataclass(frozen=True)
class ProgramOptions:
    """A program's settings. Change one with `dataclasses.replace` (or the helpers below), never in place.

    - `criteria`: a course's grouping criteria, by name (see `CRITERIA`), as the instructor set them;
    - `questionnaire_deadline`: the day a course's questionnaire closes, if any;
    - `member_attributes`: per person, what a course knows beyond their answers ({"section": "B"});
    - `group_chats`: create a Teams group chat for each accepted pairing or group (Graph);
    - `min_shared_hours`, `avoid_previous_groupmates`, `isolate_rule_attributes`: what the matcher is told.
    """

    criteria: Mapping[str, bool] = field(default_factory=dict)
    questionnaire_deadline: date | None = None
    member_attributes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    group_chats: bool = False
    min_shared_hours: int = 0
    avoid_previous_groupmates: bool = True
    isolate_rule_attributes: tuple[str, ...] = ()
    unknown: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def for_course(cls, criteria: Mapping[str, bool] = DEFAULT_CRITERIA) -> ProgramOptions:
        return cls().with_criteria(criteria)

    def with_criteria(self, criteria: Mapping[str, bool]) -> ProgramOptions:
        """These criteria, and what they tell the matcher (the switchable ones)."""
        chosen = {name: bool(criteria.get(name, False)) for name in CRITERIA}
        return replace(
            self,
            criteria=chosen,
            avoid_previous_groupmates=chosen["avoid_previous_groupmates"],
            isolate_rule_attributes=("section",) if chosen["no_isolated_member"] else (),
        )

    def member_attributes_of(self, person_id: str) -> dict[str, str]:
        return dict(self.member_attributes.get(person_id, {}))

    def with_member_attributes(self, person_id: str, attributes: Mapping[str, str]) -> ProgramOptions:
        return replace(self, member_attributes={**self.member_attributes, person_id: dict(attributes)})

    def without_member(self, person_id: str) -> ProgramOptions:
        return replace(
            self, member_attributes={k: v for k, v in self.member_attributes.items() if k != person_id}
        )

    def has_sections(self) -> bool:
        """Whether any member of the course is known to be in a section."""
        return any(a.get("section") for a in self.member_attributes.values())

    def to_json(self) -> dict[str, Any]:
        return {
            **self.unknown,
            "criteria": dict(self.criteria),
            "questionnaire_deadline": self.questionnaire_deadline.isoformat()
            if self.questionnaire_deadline
            else None,
            MEMBER_ATTRIBUTES: {k: dict(v) for k, v in self.member_attributes.items()},
            "group_chats": self.group_chats,
            "min_shared_hours": self.min_shared_hours,
            "avoid_previous_groupmates": self.avoid_previous_groupmates,
            "isolate_rule_attributes": list(self.isolate_rule_attributes),
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any] | None) -> ProgramOptions:
        stored = stored if isinstance(stored, Mapping) else {}
        criteria = stored.get("criteria")
        attributes = stored.get(MEMBER_ATTRIBUTES)
        isolate = stored.get("isolate_rule_attributes")
        hours = stored.get("min_shared_hours")
        return cls(
            criteria={str(k): v for k, v in criteria.items() if isinstance(v, bool)}
            if isinstance(criteria, Mapping)
            else {},
            questionnaire_deadline=_date(stored.get("questionnaire_deadline")),
            member_attributes={
                str(person): {str(k): str(v) for k, v in found.items() if isinstance(v, str)}
                for person, found in attributes.items()
                if isinstance(found, Mapping)
            }
            if isinstance(attributes, Mapping)
            else {},
            group_chats=stored.get("group_chats") is True,
            min_shared_hours=hours
            if isinstance(hours, int) and not isinstance(hours, bool) and hours >= 0
            else 0,
            avoid_previous_groupmates=stored.get("avoid_previous_groupmates") is not False,
            isolate_rule_attributes=tuple(str(a) for a in isolate)
            if isinstance(isolate, list | tuple)
            else (),
            unknown={k: v for k, v in stored.items() if k not in _KNOWN},
        )


def _date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
