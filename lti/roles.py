"""Who a launch's roles make someone in the course, read by the LIS v2 role vocabulary (LTI 1.3 §A.2).

A role is a context (course) role, an institution role or a system role; a context role may be a sub-role
(`membership/Instructor#PrimaryInstructor`), which implies its principal role (`Instructor`). Context roles
decide when there are any: LMSs send institution roles (Canvas: "Instructor" for anyone who teaches
somewhere) to people who only learn in this course. Without context roles, only an administrator of the
platform gets the instructor's view.

The course staff are the principal roles Instructor, Administrator and ContentDeveloper (Canvas's
"Designer", who builds the course and so adds tools to it), and the short name TeachingAssistant (Canvas).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
Kind = Literal["context", "institution", "system"]
STAFF = frozenset({"Instructor", "Administrator", "ContentDeveloper", "TeachingAssistant"})
PLATFORM_ADMINS = frozenset({"Administrator", "SysAdmin"})
# LTI 1.1-style URNs, which some platforms still send in 1.3 launches.
URNS: dict[str, Kind] = {
    "urn:lti:role:ims/lis/": "context",
    "urn:lti:instrole:ims/lis/": "institution",
    "urn:lti:sysrole:ims/lis/": "system",
}


@dataclass(frozen=True)
class Role:
    kind: Kind
    principal: str
    sub_role: str | None = None


def parse(value: str) -> Role | None:
    """One role URI (or short context role name) as a `Role`; None for a vocabulary this tool does not know."""
    value = value.strip()
    if value.startswith(LIS):
        path, _, name = value[len(LIS) :].partition("#")
        if not name:
            return None
        if path == "membership":
            return Role("context", name)
        if path.startswith("membership/"):
            return Role("context", path.removeprefix("membership/"), name)
        if path == "institution/person":
            return Role("institution", name)
        if path == "system/person":
            return Role("system", name)
        return None
    for prefix, kind in URNS.items():
        if value.startswith(prefix):
            principal, _, sub = value[len(prefix) :].partition("/")
            return Role(kind, principal, sub or None) if principal else None
    if value and "/" not in value and ":" not in value and "#" not in value:
        return Role("context", value)  # a short context role name ("Instructor"), deprecated but allowed
    return None


def parse_all(values: Iterable[str]) -> list[Role]:
    return [role for role in map(parse, values) if role is not None]


def is_staff(values: Iterable[str]) -> bool:
    """Whether these roles give the instructor's view of the course (and the right to add the tool to it)."""
    roles = parse_all(values)
    context = [role for role in roles if role.kind == "context"]
    if context:
        return any(role.principal in STAFF or role.sub_role == "TeachingAssistant" for role in context)
    return any(role.kind == "system" and role.principal in PLATFORM_ADMINS for role in roles) or any(
        role.kind == "institution" and role.principal == "Administrator" for role in roles
    )


def is_learner(values: Iterable[str]) -> bool:
    """Whether the roles include the context role Learner (or one of its sub-roles)."""
    return any(role.kind == "context" and role.principal == "Learner" for role in parse_all(values))


def principal_names(values: Iterable[str]) -> tuple[str, ...]:
    """The context principal roles, as short names ("Learner", "Instructor"): what the course views need."""
    return tuple(dict.fromkeys(role.principal for role in parse_all(values) if role.kind == "context"))
