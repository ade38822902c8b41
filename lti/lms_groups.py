"""Published study groups, created as the course's own groups in the LMS (Moodle or Canvas).

Moodle: through its web services (REST, `moodlewsrestformat=json`) with a token the Moodle administrator
creates for this tool (a service with `core_group_get_course_groups`, `core_group_create_groups`,
`core_group_update_groups`, `core_group_delete_groups`, `core_group_get_group_members`,
`core_group_add_group_members` and `core_group_delete_group_members`). In Moodle the LTI 1.3 `sub` is the
Moodle user id and the context id is the course id, so no other mapping is needed.

Each group the tool creates carries an `idnumber` of its own (`peerlearn-<course key>-<number>`): publishing
again finds them and updates their names and members instead of creating new ones, and removes the tool's
groups that are no longer needed. Groups made by people in Moodle are never touched.

A failure is a `GroupSyncFailed` whose message says what the LMS answered and what to do; the groups stay
published in the tool either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=20)


class GroupSyncFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LmsGroup:
    number: int
    name: str
    member_ids: tuple[str, ...]  # the LMS's user ids (the launch's `sub`)


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    members_added: int = 0
    members_removed: int = 0


class GroupApi(Protocol):
    lms_name: str

    async def sync(self, course_id: str, course_key: str, groups: Sequence[LmsGroup]) -> SyncResult: ...


def group_idnumber(course_key: str, number: int) -> str:
    digest = hashlib.sha256(course_key.encode()).hexdigest()[:16]
    return f"peerlearn-{digest}-{number}"


@dataclass
class MoodleGroups:
    """Moodle's web services at `endpoint` (`https://moodle.example/webservice/rest/server.php`)."""

    endpoint: str
    token: str
    lms_name: str = "Moodle"

    async def _call(self, function: str, params: Mapping[str, object]) -> Any:
        form = {"wstoken": self.token, "wsfunction": function, "moodlewsrestformat": "json"}
        form.update({k: str(v) for k, v in params.items()})
        try:
            async with (
                aiohttp.ClientSession(timeout=TIMEOUT) as session,
                session.post(self.endpoint, data=form) as response,
            ):
                if response.status != 200:
                    raise GroupSyncFailed(
                        f"Moodle answered HTTP {response.status} to {function}. Check that web services "
                        "are enabled and the tool's endpoint is right."
                    )
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise GroupSyncFailed(
                f"Moodle could not be reached ({exc.__class__.__name__}). Try again later."
            ) from exc
        if isinstance(body, dict) and "exception" in body:
            code, message = str(body.get("errorcode", "")), str(body.get("message", ""))[:200]
            raise GroupSyncFailed(
                f"Moodle refused {function}: {message} ({code}). Ask your Moodle administrator to check the "
                "web service token given to this tool and that its service includes this function."
            )
        return body

    async def sync(self, course_id: str, course_key: str, groups: Sequence[LmsGroup]) -> SyncResult:
        result = SyncResult()
        existing = await self._call("core_group_get_course_groups", {"courseid": course_id})
        ours = {
            str(g.get("idnumber")): g
            for g in existing or ()
            if isinstance(g, dict)
            and str(g.get("idnumber", "")).startswith(group_idnumber(course_key, 0)[:-1])
        }
        wanted = {group_idnumber(course_key, g.number): g for g in groups}
        ids: dict[str, int] = {}
        to_create = [(key, g) for key, g in wanted.items() if key not in ours]
        if to_create:
            params: dict[str, object] = {}
            for i, (key, group) in enumerate(to_create):
                params |= {
                    f"groups[{i}][courseid]": course_id,
                    f"groups[{i}][name]": group.name,
                    f"groups[{i}][description]": "Formed by Peer study groups.",
                    f"groups[{i}][idnumber]": key,
                }
            for made in await self._call("core_group_create_groups", params):
                ids[str(made["idnumber"])] = int(made["id"])
            result.created = len(to_create)
        renames = {key: g for key, g in wanted.items() if key in ours and ours[key].get("name") != g.name}
        if renames:
            params = {}
            for i, (key, group) in enumerate(renames.items()):
                params |= {f"groups[{i}][id]": ours[key]["id"], f"groups[{i}][name]": group.name}
            await self._call("core_group_update_groups", params)
        for key in wanted:
            if key in ours:
                ids[key] = int(ours[key]["id"])
                result.updated += 1
        stale = [int(g["id"]) for key, g in ours.items() if key not in wanted]
        if stale:
            await self._call("core_group_delete_groups", {f"groupids[{i}]": g for i, g in enumerate(stale)})
            result.removed = len(stale)
        await self._members(ids, wanted, result)
        return result

    async def _members(
        self, ids: Mapping[str, int], wanted: Mapping[str, LmsGroup], result: SyncResult
    ) -> None:
        if not ids:
            return
        current: dict[int, set[str]] = {group_id: set() for group_id in ids.values()}
        listed = await self._call(
            "core_group_get_group_members", {f"groupids[{i}]": g for i, g in enumerate(ids.values())}
        )
        for entry in listed or ():
            current[int(entry["groupid"])] = {str(u) for u in entry.get("userids") or ()}
        add: list[tuple[int, str]] = []
        remove: list[tuple[int, str]] = []
        for key, group in wanted.items():
            group_id, members = ids[key], set(group.member_ids)
            add += [(group_id, user) for user in sorted(members - current[group_id])]
            remove += [(group_id, user) for user in sorted(current[group_id] - members)]
        if remove:
            await self._call(
                "core_group_delete_group_members",
                {k: v for i, (g, u) in enumerate(remove) for k, v in _member(i, g, u).items()},
            )
            result.members_removed = len(remove)
        if add:
            await self._call(
                "core_group_add_group_members",
                {k: v for i, (g, u) in enumerate(add) for k, v in _member(i, g, u).items()},
            )
            result.members_added = len(add)


def _member(i: int, group_id: int, user_id: str) -> dict[str, object]:
    return {f"members[{i}][groupid]": group_id, f"members[{i}][userid]": user_id}


CANVAS_CATEGORY = "Peer study groups"


@dataclass
class CanvasGroups:
    """Canvas's REST API at `base_url` (`https://school.instructure.com`) with an access token of a user who may
    manage the course's groups. The course is found by its LTI context id (`lti_context_id:`), each learner by
    their LTI 1.3 id, the launch's `sub` (`lti_1_3_id:`), as Canvas's "Object IDs" page documents. The tool's
    groups live in a group set of its own ("Peer study groups"), so groups made by people are never touched."""

    base_url: str
    token: str
    lms_name: str = "Canvas"

    async def _call(self, session: aiohttp.ClientSession, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.base_url.rstrip('/')}/api/v1{path}"
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            async with session.request(method, url, headers=headers, **kwargs) as response:
                body = await response.json(content_type=None) if response.status != 204 else None
                if response.status >= 400:
                    errors = body.get("errors") if isinstance(body, dict) else None
                    said = (
                        str(errors[0].get("message", ""))
                        if isinstance(errors, list) and errors and isinstance(errors[0], dict)
                        else ""
                    )
                    advice = (
                        "Ask your Canvas administrator to check the access token given to this tool."
                        if response.status in (401, 403)
                        else "Check that the course and its learners exist in Canvas."
                    )
                    raise GroupSyncFailed(
                        f"Canvas answered {response.status} to {method} {path.split('?')[0]}"
                        f"{': ' + said[:200] if said else ''}. {advice}"
                    )
                return body
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise GroupSyncFailed(
                f"Canvas could not be reached ({exc.__class__.__name__}). Try again later."
            ) from exc

    async def sync(self, course_id: str, course_key: str, groups: Sequence[LmsGroup]) -> SyncResult:
        result = SyncResult()
        course = f"/courses/lti_context_id:{quote(course_id, safe='')}"
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            categories = await self._call(session, "GET", f"{course}/group_categories?per_page=100")
            category = next((c for c in categories or () if c.get("name") == CANVAS_CATEGORY), None)
            if category is None:
                category = await self._call(
                    session, "POST", f"{course}/group_categories", json={"name": CANVAS_CATEGORY}
                )
            listed = await self._call(
                session, "GET", f"/group_categories/{category['id']}/groups?per_page=100"
            )
            existing = {str(g.get("name")): int(g["id"]) for g in listed or ()}
            users: dict[str, int] = {}
            for subject in sorted({s for g in groups for s in g.member_ids}):
                user = await self._call(session, "GET", f"/users/lti_1_3_id:{quote(subject, safe='')}")
                users[subject] = int(user["id"])
            for group in groups:
                group_id = existing.pop(group.name, None)
                if group_id is None:
                    made = await self._call(
                        session,
                        "POST",
                        f"/group_categories/{category['id']}/groups",
                        json={"name": group.name},
                    )
                    group_id = int(made["id"])
                    result.created += 1
                else:
                    result.updated += 1
                members = [users[s] for s in group.member_ids]
                await self._call(session, "PUT", f"/groups/{group_id}", json={"members": members})
                result.members_added += len(members)
            for stale in existing.values():
                await self._call(session, "DELETE", f"/groups/{stale}")
                result.removed += 1
        return result


def group_api(kind: str, base_url: str, token: str) -> GroupApi:
    """The group API an administrator configured for a platform (`LTI_GROUP_APIS`): `base_url` is the LMS's
    address; Moodle's web services are reached at its `/webservice/rest/server.php` unless the URL names them."""
    if kind == "canvas":
        return CanvasGroups(base_url, token)
    if kind == "moodle":
        endpoint = (
            base_url if base_url.endswith(".php") else f"{base_url.rstrip('/')}/webservice/rest/server.php"
        )
        return MoodleGroups(endpoint, token)
    raise ValueError(f"The LMS group API kind '{kind}' is not known: use 'canvas' or 'moodle'.")
