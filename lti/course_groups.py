"""The course's groups as the platform lists them, through the 1EdTech LTI Course Groups service 1.0.

A launch that offers the service carries `https://purl.imsglobal.org/spec/lti-gs/claim/groupsservice` with
`context_groups_url` (and optionally `context_group_sets_url`) and the one scope the spec defines,
`https://purl.imsglobal.org/spec/lti-gs/scope/contextgroup.readonly`. The spec defines GET only: the course's
groups (`application/vnd.ims.lti-gs.v1.contextgroupcontainer+json`, `groups` with `id`, `name`, `tag`,
`set_ids`, paged with `Link: rel="next"`) and its group sets (`...contextgroupsetcontainer+json`, `sets`).
A tool cannot create, rename or fill a group through it.

So the tool uses it to check, not to write: after publishing, it reads the course's groups and says which of
its study groups ("Study group 1", …) the LMS lists and which it does not, and what the instructor can do about
the missing ones (create them in the LMS, or have the administrator configure the LMS's own group API,
`lti/lms_groups.py`, which does create them; when that API is configured the read confirms what it did).
Groups are matched by name; members are not compared (the service would need one request per learner).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests
from pylti1p3.exception import LtiException, LtiServiceException

from lti.adapter.message_launch import AiohttpMessageLaunch
from lti.config import GROUPS_SCOPE
from lti.tool import GROUPS_CLAIM, LaunchRefused, Tool

CLAIM = GROUPS_CLAIM
SCOPE = GROUPS_SCOPE
GROUPS_MEDIA = "application/vnd.ims.lti-gs.v1.contextgroupcontainer+json"
SETS_MEDIA = "application/vnd.ims.lti-gs.v1.contextgroupsetcontainer+json"


class CourseGroupsUnreadable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CourseGroup:
    id: str
    name: str
    set_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CourseGroups:
    groups: tuple[CourseGroup, ...]
    sets: Mapping[str, str]  # group set id -> name

    def missing(self, names: Sequence[str]) -> list[str]:
        """The names the course does not list (compared without case or surrounding spaces)."""
        listed = {g.name.strip().casefold() for g in self.groups}
        return [n for n in names if n.strip().casefold() not in listed]


def _items(body: object, key: str) -> list[dict[str, Any]]:
    """The objects with an `id` under `key` of a container (anything else in it is skipped)."""
    listed = body.get(key) if isinstance(body, dict) else None
    return [i for i in listed if isinstance(i, dict) and "id" in i] if isinstance(listed, list) else []


async def read_course_groups(tool: Tool, launch: AiohttpMessageLaunch) -> CourseGroups:
    """Every group and group set of the course (every page), from the instructor's kept launch (read in the
    request's unit of work; the platform is asked after it)."""

    def fetch() -> CourseGroups:
        claim: Any = launch.get_launch_data().get(CLAIM)
        if not isinstance(claim, dict) or not claim.get("context_groups_url"):
            raise CourseGroupsUnreadable("This launch does not offer the course groups service.")
        scopes = [s for s in claim.get("scope") or () if isinstance(s, str)] or [SCOPE]
        connector = launch.get_service_connector()
        try:
            groups = [
                CourseGroup(
                    str(g["id"]),
                    str(g.get("name") or ""),
                    tuple(str(s) for s in g.get("set_ids") or ()),
                )
                for page in connector.get_paginated_data(
                    scopes, claim["context_groups_url"], accept=GROUPS_MEDIA
                )
                for g in _items(page["body"], "groups")
            ]
            sets: dict[str, str] = {}
            if isinstance(claim.get("context_group_sets_url"), str):
                for page in connector.get_paginated_data(
                    scopes, claim["context_group_sets_url"], accept=SETS_MEDIA
                ):
                    sets |= {str(s["id"]): str(s.get("name") or "") for s in _items(page["body"], "sets")}
        except LtiServiceException as exc:
            status = exc.response.status_code
            raise CourseGroupsUnreadable(
                f"your LMS answered HTTP {status} to the course groups service"
                + (" (this tool may not be allowed to use it)" if status in (401, 403) else "")
            ) from exc
        except LtiException as exc:  # no access token for the scope, or a claim it cannot use
            raise CourseGroupsUnreadable(
                f"your LMS did not let this tool read the course's groups ({str(exc)[:200]})"
            ) from exc
        except (requests.RequestException, ValueError) as exc:
            raise CourseGroupsUnreadable(
                f"your LMS's course groups service could not be reached ({exc.__class__.__name__})"
            ) from exc
        return CourseGroups(tuple(groups), sets)

    try:
        return await tool.call(fetch)
    except LaunchRefused as exc:
        raise CourseGroupsUnreadable(exc.message) from exc
