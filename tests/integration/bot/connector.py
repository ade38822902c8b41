"""A fake Bot Connector: a tiny local server recording what the bot sends, answering roster calls."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeConnector:
    members: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    sent: list[dict[str, Any]] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    roster_calls: int = 0
    # When set, a member lookup waits for `release_member_lookups` (a slow Teams), after setting `member_asked`.
    release_member_lookups: asyncio.Event | None = None
    member_asked: asyncio.Event = field(default_factory=asyncio.Event)
    # Files written through an upload URL (as OneDrive receives the bot's upload after a file consent).
    uploads: dict[str, bytes] = field(default_factory=dict)
    upload_headers: dict[str, dict[str, str]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self.create_conversation)
        app.router.add_post("/v3/conversations/{cid}/activities", self.send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self.send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self.send)
        app.router.add_get("/v3/conversations/{cid}/pagedmembers", self.paged_members)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self.member)
        app.router.add_put("/upload/{name}", self.upload)
        return app

    async def upload(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.uploads[name] = await request.read()
        self.upload_headers[name] = dict(request.headers)
        return web.json_response({"id": name, "name": name}, status=201)

    async def create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.created.append(body)
        member = body["members"][0]["id"]
        return web.json_response({"id": f"a:personal-{member}", "activityId": f"c{next(self._ids)}"})

    async def send(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.sent.append({"conversation": request.match_info["cid"], "activity": body})
        return web.json_response({"id": f"m{next(self._ids)}"})

    async def paged_members(self, request: web.Request) -> web.Response:
        self.roster_calls += 1
        start = int(request.query.get("continuationToken") or 0)
        size = min(int(request.query.get("pageSize") or 100), self.page_size)
        page = self.members[start : start + size]
        token = str(start + size) if start + size < len(self.members) else None
        return web.json_response({"members": page, "continuationToken": token})

    async def member(self, request: web.Request) -> web.Response:
        if self.release_member_lookups is not None:
            self.member_asked.set()
            await self.release_member_lookups.wait()
        for member in self.members:
            if member["id"] == request.match_info["mid"]:
                return web.json_response(member)
        return web.json_response(
            {"error": {"code": "MemberNotFoundInConversation", "message": "no"}}, status=404
        )

    def cards(self, conversation: str | None = None) -> list[dict[str, Any]]:
        """Every Adaptive Card sent (optionally to one conversation), oldest first."""
        found = []
        for item in self.sent:
            if conversation is not None and item["conversation"] != conversation:
                continue
            for attachment in item["activity"].get("attachments") or []:
                if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                    found.append(attachment["content"])
        return found

    def attachments(self, content_type: str, conversation: str | None = None) -> list[dict[str, Any]]:
        """Every attachment of a content type sent (optionally to one conversation), oldest first."""
        return [
            attachment
            for item in self.sent
            if conversation is None or item["conversation"] == conversation
            for attachment in item["activity"].get("attachments") or []
            if attachment.get("contentType") == content_type
        ]

    def texts(self) -> list[str]:
        return [i["activity"].get("text") or "" for i in self.sent]
