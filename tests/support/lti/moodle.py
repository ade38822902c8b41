"""A local fake of Moodle's web services for groups, written from Moodle's public API documentation
(Site administration → Server → Web services → API Documentation; `webservice/rest/server.php`,
`moodlewsrestformat=json`): form-encoded arrays such as `groups[0][courseid]`, errors as HTTP 200 with
`{"exception", "errorcode", "message"}`. It keeps the groups of each course in memory and records each call."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

MEMBERS = ("learner-1", "learner-2", "learner-3", "learner-4", "learner-5", "learner-6", "teacher-1")


@dataclass
class MoodleGroup:
    id: int
    courseid: str
    name: str
    idnumber: str
    members: set[str] = field(default_factory=set)


@dataclass
class FakeMoodle:
    token: str = "moodle-token-1"
    groups: dict[int, MoodleGroup] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    enrolled: set[str] = field(default_factory=lambda: set(MEMBERS))
    _next: int = 100

    def course_groups(self, course: str) -> list[MoodleGroup]:
        return sorted((g for g in self.groups.values() if g.courseid == course), key=lambda g: g.id)

    def make_group(self, course: str, name: str, idnumber: str = "") -> MoodleGroup:
        self._next += 1
        group = MoodleGroup(self._next, course, name, idnumber)
        self.groups[group.id] = group
        return group

    async def server(self, request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        function = form.get("wsfunction", "")
        self.calls.append(function)
        if form.get("wstoken") != self.token:
            return _error("invalidtoken", "Invalid token - token not found")
        handler = getattr(self, f"_{function}", None)
        if handler is None:
            return _error(
                "servicenotavailable", "Web service is not available (it doesn't exist or might be disabled)"
            )
        try:
            return web.json_response(handler(form))
        except KeyError as exc:
            return _error("invalidparameter", f"Invalid parameter value detected ({exc})")

    def _core_group_get_course_groups(self, form: dict[str, str]) -> Any:
        return [_view(g) for g in self.course_groups(form["courseid"])]

    def _core_group_create_groups(self, form: dict[str, str]) -> Any:
        made = []
        for item in _items(form, "groups"):
            if any(g.name == item["name"] for g in self.course_groups(item["courseid"])):
                raise KeyError(f"A group named '{item['name']}' already exists")  # Moodle: groupnameexists
            made.append(_view(self.make_group(item["courseid"], item["name"], item.get("idnumber", ""))))
        return made

    def _core_group_update_groups(self, form: dict[str, str]) -> Any:
        for item in _items(form, "groups"):
            self.groups[int(item["id"])].name = item["name"]
        return None

    def _core_group_delete_groups(self, form: dict[str, str]) -> Any:
        for key, value in form.items():
            if key.startswith("groupids["):
                del self.groups[int(value)]
        return None

    def _core_group_get_group_members(self, form: dict[str, str]) -> Any:
        ids = [int(v) for k, v in form.items() if k.startswith("groupids[")]
        return [{"groupid": i, "userids": sorted(self.groups[i].members)} for i in ids]

    def _core_group_add_group_members(self, form: dict[str, str]) -> Any:
        for item in _items(form, "members"):
            if item["userid"] not in self.enrolled:
                raise KeyError(f"User {item['userid']} is not enrolled in the course")
            self.groups[int(item["groupid"])].members.add(item["userid"])
        return None

    def _core_group_delete_group_members(self, form: dict[str, str]) -> Any:
        for item in _items(form, "members"):
            self.groups[int(item["groupid"])].members.discard(item["userid"])
        return None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webservice/rest/server.php", self.server)
        return app


def _items(form: dict[str, str], name: str) -> list[dict[str, str]]:
    items: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        found = re.fullmatch(rf"{name}\[(\d+)\]\[(\w+)\]", key)
        if found:
            items.setdefault(int(found.group(1)), {})[found.group(2)] = value
    return [items[i] for i in sorted(items)]


def _view(group: MoodleGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "courseid": int(group.courseid) if group.courseid.isdigit() else group.courseid,
        "name": group.name,
        "description": "",
        "descriptionformat": 1,
        "enrolmentkey": "",
        "idnumber": group.idnumber,
    }


def _error(code: str, message: str) -> web.Response:
    return web.json_response({"exception": "moodle_exception", "errorcode": code, "message": message})
