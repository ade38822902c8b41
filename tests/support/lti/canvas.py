"""A local fake of Canvas's REST API for group sets, groups and memberships, written from Canvas's public API
documentation (Group Categories, Groups, Users; "Object IDs": `lti_context_id:` for courses, `lti_1_3_id:` for
users): bearer-token auth, errors as `{"errors": [{"message"}]}`. Users are the world's LMS members, each with
a Canvas id of its own; courses are found by their LTI context id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class CanvasGroup:
    id: int
    category_id: int
    name: str
    members: set[int] = field(default_factory=set)


@dataclass
class FakeCanvas:
    token: str = "canvas-token-1"
    courses: dict[str, int] = field(
        default_factory=lambda: {"course-101": 7001}
    )  # LTI context id → course id
    users: dict[str, int] = field(default_factory=dict)  # LTI 1.3 id (sub) → Canvas user id
    categories: dict[int, tuple[int, str]] = field(default_factory=dict)  # id → (course id, name)
    groups: dict[int, CanvasGroup] = field(default_factory=dict)
    _next: int = 500

    def user(self, subject: str) -> int:
        return self.users.setdefault(subject, 9000 + len(self.users))

    def course_groups(self, context_id: str) -> list[CanvasGroup]:
        course = self.courses[context_id]
        ours = {i for i, (c, _) in self.categories.items() if c == course}
        return sorted((g for g in self.groups.values() if g.category_id in ours), key=lambda g: g.id)

    def _id(self) -> int:
        self._next += 1
        return self._next

    @web.middleware
    async def auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "Invalid access token.")
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except KeyError:
            return _error(404, "The specified resource does not exist.")

    def _course(self, request: web.Request) -> int:
        ref = request.match_info["course"]
        if not ref.startswith("lti_context_id:"):
            return int(ref)
        return self.courses[ref.removeprefix("lti_context_id:")]

    async def list_categories(self, request: web.Request) -> web.Response:
        course = self._course(request)
        found = [
            {"id": i, "name": n, "context_type": "Course", "course_id": c}
            for i, (c, n) in self.categories.items()
            if c == course
        ]
        return web.json_response(found)

    async def create_category(self, request: web.Request) -> web.Response:
        course, body = self._course(request), await request.json()
        category = self._id()
        self.categories[category] = (course, str(body["name"]))
        return web.json_response(
            {"id": category, "name": body["name"], "context_type": "Course", "course_id": course}
        )

    async def list_groups(self, request: web.Request) -> web.Response:
        category = int(request.match_info["category"])
        self.categories[category]  # 404 for an unknown group set
        found = [g for g in self.groups.values() if g.category_id == category]
        return web.json_response([_view(g) for g in found])

    async def create_group(self, request: web.Request) -> web.Response:
        category, body = int(request.match_info["category"]), await request.json()
        self.categories[category]
        group = CanvasGroup(self._id(), category, str(body["name"]))
        self.groups[group.id] = group
        return web.json_response(_view(group))

    async def get_user(self, request: web.Request) -> web.Response:
        ref = request.match_info["user"]
        if not ref.startswith("lti_1_3_id:"):
            raise KeyError(ref)
        subject = ref.removeprefix("lti_1_3_id:")
        if subject not in self.users:
            raise KeyError(subject)
        return web.json_response({"id": self.users[subject], "name": subject})

    async def edit_group(self, request: web.Request) -> web.Response:
        group, body = self.groups[int(request.match_info["group"])], await request.json()
        if "members" in body:
            unknown = [m for m in body["members"] if m not in self.users.values()]
            if unknown:
                return _error(400, f"User {unknown[0]} is not in the course.")
            group.members = set(body["members"])
        return web.json_response(_view(group))

    async def delete_group(self, request: web.Request) -> web.Response:
        group = self.groups.pop(int(request.match_info["group"]))
        return web.json_response(_view(group))

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.auth])
        r = app.router
        r.add_get("/api/v1/courses/{course}/group_categories", self.list_categories)
        r.add_post("/api/v1/courses/{course}/group_categories", self.create_category)
        r.add_get("/api/v1/group_categories/{category}/groups", self.list_groups)
        r.add_post("/api/v1/group_categories/{category}/groups", self.create_group)
        r.add_get("/api/v1/users/{user}", self.get_user)
        r.add_put("/api/v1/groups/{group}", self.edit_group)
        r.add_delete("/api/v1/groups/{group}", self.delete_group)
        return app


def _view(group: CanvasGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "group_category_id": group.category_id,
        "members_count": len(group.members),
    }


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"errors": [{"message": message}]}, status=status)
