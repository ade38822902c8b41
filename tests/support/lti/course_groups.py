"""The platform half of the 1EdTech LTI Course Groups service 1.0 (Candidate Final), written from the spec since
`lti1p3platform` has none. The launch carries the claim
`https://purl.imsglobal.org/spec/lti-gs/claim/groupsservice` (`scope`: `contextgroup.readonly`,
`context_groups_url`, `context_group_sets_url`, `service_versions: ["1.0"]`); a GET with a bearer token of that
scope answers the course's groups (`application/vnd.ims.lti-gs.v1.contextgroupcontainer+json`: `id` and
`groups`, each with `id`, `name`, optional `tag` and `set_ids`), filtered to one member's groups by `user_id`,
or its group sets (`...contextgroupsetcontainer+json`: `sets`, each `id` and `name`), paged by `limit` with a
`Link: <…>; rel="next"` header. The service is read-only: the spec defines no way to write, so this fake
answers any other method with 405. Groups are changed here by the test, as an instructor would in the LMS."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

CLAIM = "https://purl.imsglobal.org/spec/lti-gs/claim/groupsservice"
SCOPE = "https://purl.imsglobal.org/spec/lti-gs/scope/contextgroup.readonly"
GROUPS_MEDIA = "application/vnd.ims.lti-gs.v1.contextgroupcontainer+json"
SETS_MEDIA = "application/vnd.ims.lti-gs.v1.contextgroupsetcontainer+json"


@dataclass
class Group:
    id: str
    name: str
    set_ids: list[str] = field(default_factory=list)
    members: set[str] = field(default_factory=set)


@dataclass
class FakeCourseGroups:
    base: str  # the platform's URL; the service lives under it
    page_size: int = 2
    groups: list[Group] = field(default_factory=list)
    sets: dict[str, str] = field(default_factory=dict)  # id -> name
    answer_status: int = 200  # anything else: the platform refuses or fails
    # Where the groups come from when set: another fake's (an LMS whose own API created them)
    source: Callable[[], list[Group]] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)

    def claim(self) -> dict[str, Any]:
        return {
            "scope": [SCOPE],
            "context_groups_url": f"{self.base}/course-groups",
            "context_group_sets_url": f"{self.base}/course-group-sets",
            "service_versions": ["1.0"],
        }

    def add(self, name: str, members: set[str] | None = None, set_id: str | None = None) -> Group:
        group = Group(f"g{len(self.groups) + 1}", name, [set_id] if set_id else [], set(members or ()))
        self.groups.append(group)
        return group

    def _page(self, request: web.Request, items: list[dict[str, Any]], key: str, media: str) -> web.Response:
        limit = int(request.query.get("limit") or self.page_size)
        start = int(request.query.get("from") or 0)
        headers = {}
        if start + limit < len(items):
            query = {k: v for k, v in request.query.items() if k != "from"} | {"from": str(start + limit)}
            headers["Link"] = f'<{request.url.with_query(query)}>; rel="next"'
        body = {"id": str(request.url), key: items[start : start + limit]}
        return web.json_response(body, headers=headers, content_type=media)

    def handlers(
        self, authorized: Callable[[web.Request, str], None]
    ) -> dict[str, Callable[[web.Request], Awaitable[web.Response]]]:
        async def groups(request: web.Request) -> web.Response:
            self.requests.append(
                {"path": request.path, "query": dict(request.query), "accept": request.headers.get("Accept")}
            )
            authorized(request, SCOPE)
            if self.answer_status != 200:
                return web.json_response({"error": "unavailable"}, status=self.answer_status)
            user = request.query.get("user_id")
            listed = self.source() if self.source is not None else self.groups
            chosen = [g for g in listed if user is None or user in g.members]
            items = [
                {"id": g.id, "name": g.name, **({"set_ids": g.set_ids} if g.set_ids else {})} for g in chosen
            ]
            return self._page(request, items, "groups", GROUPS_MEDIA)

        async def group_sets(request: web.Request) -> web.Response:
            self.requests.append(
                {"path": request.path, "query": dict(request.query), "accept": request.headers.get("Accept")}
            )
            authorized(request, SCOPE)
            if self.answer_status != 200:
                return web.json_response({"error": "unavailable"}, status=self.answer_status)
            items = [{"id": i, "name": n} for i, n in self.sets.items()]
            return self._page(request, items, "sets", SETS_MEDIA)

        async def read_only(request: web.Request) -> web.Response:
            self.requests.append({"path": request.path, "method": request.method})
            return web.json_response({"error": "the course groups service is read-only"}, status=405)

        return {"groups": groups, "group_sets": group_sets, "read_only": read_only}
