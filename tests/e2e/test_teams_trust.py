"""Trust in every conversation, played as several people in Microsoft's M365 Agents Playground (issue 12, point 7).

A team (Platform, its General channel), a group chat with everyone, and 1:1 chats, from playground.yml:
Alex (the Playground's current user) installs the app in the team and so facilitates its program; Megan and
Adele join the team, which makes the bot open a 1:1 chat with each; Isaiah, Patti and Lynne join late.

What is checked, against the real server process:

1. `report` typed in the channel after a confidential concern: the channel shows only a neutral note; the
   concern's text and its reporter's name reach only the facilitator's 1:1 chat.
2. `my data` and `status` typed in the group chat: a neutral note there, the content in the person's 1:1 chat.
3. `delete my data` in the group chat: no delete button there. A colleague pressing someone else's "Yes, delete
   everything" or "Save my profile" (the other's card data, sent as a crafted invoke) is refused and changes
   nothing: the data is still there afterwards.
6. Bad input straight to `/api/messages` gets a 4xx, never a 5xx (with `MicrosoftAppId` set, a 401 whatever
   the body); concurrent first messages from new people and concurrent join clicks give no "Something went
   wrong", and one row each.

And, table-driven: every typed command and every card verb (pressed, or run as an automatic refresh; with
one's own data and with someone else's) used in the group chat or the channel shows nothing personal there.

Where each answer went is read from the wire: the Playground reaches the bot through `Wiretap`, a proxy that
records every call the bot makes to the Bot Connector with the conversation from its URL (the Playground's
own log loses it for the delivery worker's messages), and every card action with the card it got back.
Teams shows that card in place of the clicked one to the person who clicked; in a shared conversation it is
held to the same rule as a post (someone may be looking over their shoulder, or sharing their screen).

People other than the current user type through the Playground's custom-activity API (`type_as`), the
message Teams would send; their card clicks go through the Playground's invoke API, which checks that they
are members of the conversation and that the card message is in it.

The channel's and the group chat's transcripts (and Megan's 1:1 chat, for contrast) are rendered with
Microsoft's Adaptive Cards renderer in Chromium into `<tmp>/screenshots/`, printed at the end of each test.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.e2e.playground_driver import (
    ALEX,
    GROUP_CHAT,
    MEGAN,
    NEEDS_PLAYGROUND,
    ROOT,
    TEAM,
    ConnectorCall,
    InvokeCall,
    Playground,
    Running,
    Typed,
    Wiretap,
    card_data,
    card_text,
    free_port,
    run_playground,
    serve,
)

pytestmark = NEEDS_PLAYGROUND

ADELE, ISAIAH, PATTI, LYNNE = "user-id-2", "user-id-3", "user-id-4", "user-id-5"
PERSONAL_NOTE = "I sent you the answer in our 1:1 chat"
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
SOMEONE_ELSES = "This card is someone else's"
ERROR = "Something went wrong"
CONCERN = "Zebra-7431: the sessions with my partner make me uneasy and I would rather not say so openly"
NODE_MODULES = ROOT / "tests" / "e2e" / "node" / "node_modules"
RENDERER = NODE_MODULES / "adaptivecards" / "dist" / "adaptivecards.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PROFILES = {
    MEGAN: {"teach_skill_0": "Kubernetes", "learn_skill_0": "Python"},
    ADELE: {"teach_skill_0": "Python", "learn_skill_0": "Kubernetes"},
}
LEVELS = {"teach_level_0": "5", "learn_level_0": "2", "hours_per_month": "4"}


DEPTH = 20_000  # far deeper than Python's recursion limit, well under the 256 KiB body limit
NESTED_OBJECTS = b'{"a":' * DEPTH + b"1" + b"}" * DEPTH


@dataclass
class World:
    """The team after set-up: the channel's invitation card, each member's 1:1 chat and welcome card."""

    running: Running
    pg: Playground
    tap: Wiretap
    tmp_path: Path
    program: dict[str, str]
    channel: str  # the invitation's thread
    invite_id: str
    join: dict[str, Any]
    setup_card: dict[str, Any]  # the invitation, once Alex saved the set-up on it
    chats: dict[str, str] = field(default_factory=dict)  # member id → their 1:1 chat with the bot
    welcome: dict[str, str] = field(default_factory=dict)  # member id → the welcome card's message id
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    upload_base: str = ""  # a local stand-in for OneDrive, where an allowed file offer is uploaded
    uploads: dict[str, bytes] = field(default_factory=dict)

    async def type_as(self, user: str, conversation: str, text: str) -> int:
        """`user` types `text`; returns how many connector calls there were before, to wait for the answer."""
        before = len(self.tap.calls)
        if user == ALEX:
            await self.pg.post(ALEX, conversation, text)
        else:
            await self.pg.type_as(self.users[user], conversation, text)
        return before

    async def message_in(
        self, conversation: str, after: int, contains: str = "", *, exact: bool = False
    ) -> ConnectorCall:
        """The first message the bot sent into `conversation` (a channel: any of its threads) after call `after`."""
        for _ in range(200):
            for call in self.tap.messages(after):
                where = call.conversation or ""
                if (where == conversation or (not exact and where.startswith(f"{conversation};"))) and (
                    contains in call.shown
                ):
                    return call
            await asyncio.sleep(0.1)
        seen = [(c.conversation, c.shown[:300]) for c in self.tap.messages(after)]
        raise AssertionError(f"nothing with {contains!r} in {conversation} after {after}: {seen}")

    async def file_of(self, user: str, after: int) -> dict[str, Any]:
        """The full export, as `user` gets it after call `after`: Teams' file offer in their 1:1 chat, which
        they allow; the bot then uploads the file (here to a local stand-in for their OneDrive)."""
        chat = self.chats[user]
        offer_call = await self.message_in(chat, after, FILE_CONSENT, exact=True)
        offer = next(a for a in offer_call.body["attachments"] if a["contentType"] == FILE_CONSENT)
        name = f"{uuid.uuid4().hex}-{offer['name']}"
        value = {
            "type": "fileUpload",
            "action": "accept",
            "context": offer["content"]["acceptContext"],
            "uploadInfo": {
                "name": name,
                "uploadUrl": f"{self.upload_base}/upload/{name}",
                "contentUrl": f"https://contoso.sharepoint.example/{name}",
                "uniqueId": name,
                "fileType": "json",
            },
        }
        # The Playground knows only card and message-extension invokes: the answer to a file offer is the
        # activity Teams sends (built from the Playground's own template), posted to the bot as the Playground
        # would, through the wiretap, so the bot's answers still go back through the Playground's connector.
        async with self.pg.session.get(
            f"{self.pg.base}/_internal/v1/customActivities/template", params={"conversationId": chat}
        ) as r:
            activity: dict[str, Any] = await r.json()
            assert r.status < 300, activity
        who = self.users[user]
        activity |= {
            "type": "invoke",
            "name": "fileConsent/invoke",
            "id": str(uuid.uuid4()),
            "from": {"id": who["id"], "name": who["name"], "aadObjectId": who["aadObjectId"]},
            "value": value,
            "channelData": {"tenant": {"id": activity["conversation"]["tenantId"]}},
        }
        async with self.pg.session.post(f"{self.tap.base}/api/messages", json=activity) as r:
            assert r.status == 200, await r.text()
        for _ in range(200):
            if name in self.uploads:
                return dict(json.loads(self.uploads[name]))
            await asyncio.sleep(0.1)
        raise AssertionError(f"the export was not uploaded for {user}")

    async def export(self, user: str) -> dict[str, Any]:
        """`user` types `my data` in their own 1:1 chat; returns the export they get (as a file)."""
        before = await self.type_as(user, self.chats[user], "my data")
        await self.message_in(self.chats[user], before, "Your data")
        return await self.file_of(user, before)

    async def export_asked_in_group_chat(self, user: str, before: int) -> dict[str, Any]:
        """After `my data` in a shared chat: the summary reached the 1:1 chat; its 'Get the full file' button,
        pressed there, makes the file offer there."""
        chat = self.chats[user]
        summary = await self.message_in(chat, before, "Your data", exact=True)
        assert FILE_CONSENT not in summary.shown
        after = len(self.tap.calls)
        data = card_data(_cards(summary)[0], "data.export.file")
        await self.pg.click(user, chat, summary.message_id, "data.export.file", data)
        return await self.file_of(user, after)


def _cards(call: ConnectorCall) -> list[dict[str, Any]]:
    body = call.body if isinstance(call.body, dict) else {}
    return [a["content"] for a in body.get("attachments") or [] if isinstance(a.get("content"), dict)]


def _shared(conversation: str) -> bool:
    return conversation in (GROUP_CHAT, TEAM) or conversation.startswith(f"{TEAM};")


def _where_shown(event: ConnectorCall | InvokeCall | Typed) -> str | None:
    """The conversation where the bot showed something: a message posted there, or a card action's answer
    (shown in place of the card to whoever clicked). None for what people typed."""
    if isinstance(event, InvokeCall):
        return event.conversation
    if isinstance(event, ConnectorCall) and event.is_message:
        return event.conversation
    return None


def shared_events(tap: Wiretap) -> list[ConnectorCall | InvokeCall]:
    """Everything the bot showed in the channel or the group chat."""
    return [e for e in tap.events if not isinstance(e, Typed) and _shared(_where_shown(e) or "")]


def assert_never_shared(tap: Wiretap, *secrets: str) -> None:
    for event in shared_events(tap):
        for secret in secrets:
            where = event.conversation
            assert secret.casefold() not in event.shown.casefold(), (
                f"{secret!r} was shown in {where}: {event}"
            )


def assert_only_notes_shared(tap: Wiretap, after_events: int) -> None:
    """Every message the bot posted to a shared conversation since then is the neutral note."""
    for event in shared_events(tap):
        if tap.events.index(event) >= after_events and isinstance(event, ConnectorCall):
            assert PERSONAL_NOTE in event.shown, (
                f"not the neutral note in {event.conversation}: {event.shown}"
            )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as w:
        yield w


@contextlib.asynccontextmanager
async def onedrive(uploads: dict[str, bytes]) -> AsyncIterator[str]:
    """Where Teams would let the bot upload a file the person allowed: `PUT /upload/{name}`."""

    async def put(request: web.Request) -> web.Response:
        uploads[request.match_info["name"]] = await request.read()
        return web.json_response({"id": request.match_info["name"]}, status=201)

    app = web.Application(client_max_size=1 << 24)
    app.router.add_put("/upload/{name}", put)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def open_world(tmp_path: Path) -> AsyncIterator[World]:
    tap = Wiretap()
    uploads: dict[str, bytes] = {}
    async with (
        run_playground(tmp_path, wiretap=tap) as running,
        aiohttp.ClientSession() as session,
        onedrive(uploads) as upload_base,
    ):
        pg = Playground(session, running.base)
        listener = asyncio.create_task(pg.listen())
        try:
            await pg.install(TEAM)
            channel, invite_id, invite = await pg.card(TEAM)
            join = card_data(invite, "join")
            w = World(
                running, pg, tap, tmp_path, {"program_id": join["program_id"]}, channel, invite_id, join, {}
            )
            w.upload_base, w.uploads = upload_base, uploads
            await pg.install(GROUP_CHAT)
            for user in (ALEX, MEGAN, ADELE, ISAIAH, PATTI, LYNNE):
                w.users[user] = await pg.user(user)
            w.chats[ALEX] = "personal-chat"  # the Playground's current user's 1:1 chat with the bot
            for user in (MEGAN, ADELE):
                await pg.add_to_team(user)
                w.chats[user] = await pg.chat_created_with(user)
                _, w.welcome[user], _ = await pg.card(w.chats[user])
                assert "You accepted" in card_text(
                    await pg.click(user, w.chats[user], w.welcome[user], "join", join)
                )
                saved = await pg.click(
                    user, w.chats[user], w.welcome[user], "profile.save", PROFILES[user] | LEVELS
                )
                assert "Saved" in card_text(saved), card_text(saved)
            setup = w.program | {"kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}
            w.setup_card = await pg.click(ALEX, channel, invite_id, "setup.save", setup)
            assert "Saved" in card_text(w.setup_card)
            yield w
        finally:
            listener.cancel()


async def pair_and_raise_a_concern(w: World) -> ConnectorCall:
    """Alex runs a round from the channel; Megan and Adele accept; Megan checks in with a confidential
    concern. Returns Megan's status card (in her 1:1 chat)."""
    # The round's result (who was not matched, and why) goes 1:1.
    before = await w.type_as(ALEX, TEAM, "match now")
    note = await w.message_in(TEAM, before)
    assert PERSONAL_NOTE in note.shown, note.shown
    await w.message_in(w.chats[ALEX], before, "Proposals")

    # Megan and Adele accept the proposal delivered to their 1:1 chats.
    for user in (MEGAN, ADELE):
        proposal = await w.message_in(w.chats[user], before, "A learning match for you")
        accept = card_data(_cards(proposal)[0], "pairing.accept")
        answer = await w.pg.click(user, w.chats[user], proposal.message_id, "pairing.accept", accept)
        assert "accepted" in card_text(answer) or "matched" in card_text(answer), card_text(answer)

    # Megan checks in from her status card and raises a concern in confidence.
    before = await w.type_as(MEGAN, w.chats[MEGAN], "status")
    status = await w.message_in(w.chats[MEGAN], before, "Your status")
    form = await w.pg.click(
        MEGAN, w.chats[MEGAN], status.message_id, "checkin.open", card_data(_cards(status)[0], "checkin.open")
    )
    filled = card_data(form, "checkin.submit") | {
        "met": "yes",
        "usefulness": "4",
        "learned": "Helm charts",
        "confidential_note": CONCERN,
    }
    thanks = await w.pg.click(MEGAN, w.chats[MEGAN], status.message_id, "checkin.submit", filled)
    assert "Thanks for checking in" in card_text(thanks), card_text(thanks)
    # The facilitator is told in his 1:1 chat that a concern was raised, without its text.
    told = await w.message_in(w.chats[ALEX], before, "A concern was raised")
    assert CONCERN not in told.shown
    return status


async def test_a_report_asked_for_in_the_channel_shows_no_concern_there(world: World) -> None:
    w = world
    events = len(w.tap.events)
    status = await pair_and_raise_a_concern(w)

    # Alex types `report` in the channel, then in the group chat: only the neutral note there.
    for where in (TEAM, GROUP_CHAT):
        before = await w.type_as(ALEX, where, "report")
        note = await w.message_in(where, before)
        assert PERSONAL_NOTE in note.shown, note.shown
        report = await w.message_in(w.chats[ALEX], before, "Report: Platform")
        assert CONCERN[:60] in report.shown and "Megan Bowen" in report.shown, report.shown
        assert "Confidential: only facilitators see these" in report.shown
        assert '"for": ' in report.shown  # the report's buttons answer only Alex

    # Alex presses "Report" on the set-up card in the channel: the note in place of the card, the report 1:1.
    button = card_data(w.setup_card, "report.open")
    before = len(w.tap.calls)
    answer = await w.pg.click(ALEX, w.channel, w.invite_id, "report.open", button)
    assert PERSONAL_NOTE in card_text(answer), card_text(answer)
    assert CONCERN[:60] in (await w.message_in(w.chats[ALEX], before, "Report: Platform")).shown
    # Nor does Teams' automatic refresh of that card for Alex turn it into the report there.
    refreshed = await w.pg.click(ALEX, w.channel, w.invite_id, "report.open", button, trigger="automatic")
    assert "Open concerns" not in card_text(refreshed), card_text(refreshed)

    # Megan may not open the report, wherever she asks.
    for where, message in ((w.chats[MEGAN], status.message_id), (w.channel, w.invite_id)):
        refused = await w.pg.click(MEGAN, where, message, "report.open", w.program)
        assert "Not allowed" in card_text(refused), card_text(refused)

    # Megan deletes her data (in her 1:1 chat): Adele is told neutrally, 1:1; the concern leaves the report.
    before = await w.type_as(MEGAN, w.chats[MEGAN], "delete my data")
    ask = await w.message_in(w.chats[MEGAN], before, "Delete all your data?")
    delete = card_data(_cards(ask)[0], "data.delete.confirm")
    done = await w.pg.click(MEGAN, w.chats[MEGAN], ask.message_id, "data.delete.confirm", delete)
    assert "Your data is deleted" in card_text(done), card_text(done)
    told = await w.message_in(w.chats[ADELE], before, "Your pairing has ended")
    assert "Megan" not in told.shown and "delete" not in told.shown.casefold(), told.shown
    before = await w.type_as(ALEX, TEAM, "report")
    report = await w.message_in(w.chats[ALEX], before, "Report: Platform")
    assert CONCERN[:20] not in report.shown and "Megan" not in report.shown, report.shown

    assert_only_notes_shared(w.tap, events)
    assert_never_shared(
        w.tap, CONCERN[:20], "Megan", "Zebra", "Helm charts", "Confidential", "pairing has ended"
    )
    await screenshots(w, "report")


async def test_my_data_and_status_in_the_group_chat_answer_in_the_1_1_chat(world: World) -> None:
    w = world
    events = len(w.tap.events)
    megan = w.users[MEGAN]
    # Megan types `my data` in the group chat: a note there; the export arrives in her 1:1 chat.
    before = await w.type_as(MEGAN, GROUP_CHAT, "my data")
    note = await w.message_in(GROUP_CHAT, before)
    assert PERSONAL_NOTE in note.shown, note.shown
    export = await w.export_asked_in_group_chat(MEGAN, before)
    assert export["person"]["verified_email"] == "meganb@example.com"
    assert export["person"]["teams"]["aad_object_id"] == megan["aadObjectId"]

    # `status` likewise; the status card sent 1:1 is addressed to her.
    before = await w.type_as(MEGAN, GROUP_CHAT, "status")
    assert PERSONAL_NOTE in (await w.message_in(GROUP_CHAT, before)).shown
    status = await w.message_in(w.chats[MEGAN], before, "Your status, Megan Bowen")
    assert card_data(_cards(status)[0], "profile.open")["for"] == export["person"]["id"]

    # Alex, typing through the Playground's own chat box, gets the same treatment.
    before = await w.type_as(ALEX, GROUP_CHAT, "my data")
    assert PERSONAL_NOTE in (await w.message_in(GROUP_CHAT, before)).shown
    alex = await w.export_asked_in_group_chat(ALEX, before)
    assert alex["person"]["verified_email"] == "alexw@example.com"

    assert_only_notes_shared(w.tap, events)
    secrets = ("meganb@", "alexw@", megan["aadObjectId"], export["person"]["id"], "Your data", "Your status")
    assert_never_shared(w.tap, *secrets, "Kubernetes", "personal-data", "Megan Bowen")
    await screenshots(w, "my-data")


async def test_a_colleagues_click_on_someone_elses_delete_or_profile_card_changes_nothing(
    world: World,
) -> None:
    w = world
    events = len(w.tap.events)
    megan_before, adele_before = await w.export(MEGAN), await w.export(ADELE)

    # Megan asks to delete her data in the group chat: no delete button there, the question comes 1:1.
    before = await w.type_as(MEGAN, GROUP_CHAT, "delete my data")
    note = await w.message_in(GROUP_CHAT, before)
    assert PERSONAL_NOTE in note.shown and "data.delete.confirm" not in note.shown, note.shown
    ask = await w.message_in(w.chats[MEGAN], before, "Delete all your data?")
    delete = card_data(_cards(ask)[0], "data.delete.confirm")
    assert delete["for"] == megan_before["person"]["id"]

    # Adele presses Megan's "Yes, delete everything": on the note in the group chat, and in her own 1:1 chat.
    for where, message in ((GROUP_CHAT, note.message_id), (w.chats[ADELE], w.welcome[ADELE])):
        refused = await w.pg.click(ADELE, where, message, "data.delete.confirm", delete)
        assert SOMEONE_ELSES in card_text(refused), card_text(refused)

    # Megan's profile card, and Adele pressing its "Save my profile" with other skills, both places.
    before = await w.type_as(MEGAN, w.chats[MEGAN], "profile")
    profile = await w.message_in(w.chats[MEGAN], before, "Your profile")
    save = card_data(_cards(profile)[0], "profile.save")
    assert save["for"] == megan_before["person"]["id"]
    overwrite = save | {"teach_skill_0": "Cobol", "learn_skill_0": "Fortran"} | LEVELS
    for where, message in ((GROUP_CHAT, note.message_id), (w.chats[ADELE], w.welcome[ADELE])):
        refused = await w.pg.click(ADELE, where, message, "profile.save", overwrite)
        assert SOMEONE_ELSES in card_text(refused), card_text(refused)

    # Adele's own "Save my profile" pressed in the group chat (no addressee): her form goes 1:1, nothing saved.
    before = len(w.tap.calls)
    mine = await w.pg.click(
        ADELE, GROUP_CHAT, note.message_id, "profile.save", {"teach_skill_0": "Cobol"} | LEVELS
    )
    assert PERSONAL_NOTE in card_text(mine), card_text(mine)
    await w.message_in(w.chats[ADELE], before, "Your profile")

    # Nothing changed: both still have all their data, with their own skills.
    megan_after, adele_after = await w.export(MEGAN), await w.export(ADELE)
    for earlier, now in ((megan_before, megan_after), (adele_before, adele_after)):
        assert now["person"] == earlier["person"] and not now["person"]["erased"]
        assert now["profile"] == earlier["profile"]
        assert now["enrollments"] == earlier["enrollments"]
    assert "Cobol" not in json.dumps(megan_after) + json.dumps(adele_after)

    # Megan's own click in her 1:1 chat does delete (the refusals above were about who clicked).
    done = await w.pg.click(MEGAN, w.chats[MEGAN], ask.message_id, "data.delete.confirm", delete)
    assert SOMEONE_ELSES not in card_text(done) and "Nothing changed" not in card_text(done), card_text(done)

    assert_only_notes_shared(w.tap, events)
    assert_never_shared(
        w.tap, "Delete all your data", "data.delete.confirm", "Kubernetes", "Megan", "meganb@"
    )
    await screenshots(w, "delete")


PERSONAL_HEADINGS = (
    "Your status",
    "Your profile",
    "Your data",
    "Delete all your data",
    "Your data is deleted",
    "A learning match for you",
    "You are matched",
    "No match for you",
    "Pairing closed",
    "Your pairing has ended",
    "Report: ",
    "Round ",
    "Check-in",
    "Thanks for checking in",
    "A concern was raised",
)
TYPED = (
    "help",
    "profile",
    "status",
    "my data",
    "export",
    "delete my data",
    "report",
    "match now",
    "setup",
    "find python",
    "join",
    "resume",
    "pause 2 weeks",
    "what?",
    "leave",
)


def _texts(card: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(card)
    return found


def _personal(shown: list[dict[str, Any]], secrets: tuple[str, ...]) -> list[str]:
    """What in these cards is someone's personal content: a personal card's heading, or a secret."""
    problems = []
    for card in shown:
        texts = _texts(card)
        if texts and texts[0].startswith(PERSONAL_HEADINGS):
            problems.append(f"heading {texts[0]!r}")
        problems += [f"{secret!r}" for secret in secrets if secret in json.dumps(card)]
    return problems


async def test_every_command_and_card_verb_used_in_a_shared_conversation_shows_nothing_personal_there(
    world: World,
) -> None:
    """Table-driven: each typed command (Megan in the group chat; Alex there and in the channel) and each card
    verb pressed there (manually and as an automatic refresh, with one's own data and with someone else's)."""
    w = world
    status = await pair_and_raise_a_concern(w)
    megan = await w.export(MEGAN)
    secrets = (CONCERN[:20], "meganb@", "Helm charts", w.users[MEGAN]["aadObjectId"], megan["person"]["id"])
    pairing = card_data(_cards(status)[0], "checkin.open")  # Megan's pairing, addressed to her
    seen: list[str] = []  # one line per case, for the failure message
    wrong: list[str] = []

    for where, user in ((GROUP_CHAT, MEGAN), (GROUP_CHAT, ALEX), (TEAM, ALEX)):
        for command in TYPED:
            before = await w.type_as(user, where, command)
            first = await w.message_in(where, before)
            await asyncio.sleep(0.2)  # a follow-up text, if any
            shown = [c for m in w.tap.messages(before) if _shared(m.conversation or "") for c in _cards(m)]
            texts = [
                t
                for m in w.tap.messages(before)
                if _shared(m.conversation or "")
                for t in [m.body.get("text")]
                if t
            ]
            case = f"{user} typed {command!r} in {where}"
            seen.append(f"{case}: {[_texts(c)[:1] for c in shown]} {texts}")
            wrong += [f"{case}: {problem}" for problem in _personal(shown, secrets)]
            if PERSONAL_NOTE in first.shown:  # then the answer itself is in the typist's 1:1 chat
                await w.message_in(w.chats[user], before, exact=True)

    before = await w.type_as(MEGAN, GROUP_CHAT, "help")
    note = await w.message_in(GROUP_CHAT, before)
    own = {
        "help": {},
        "status": {},
        "resume": {},
        "profile.open": {},
        "profile.save": {"teach_skill_0": "Cobol"} | LEVELS,
        "setup.open": w.program,
        "setup.save": w.program | {"kind": "peer_pairs", "cadence": "weekly", "group_size": "2"},
        "round.run": w.program,
        "report.open": w.program,
        "channel.view": w.program,
        "join": w.join,
        "pairing.view": pairing,
        "pairing.accept": pairing,
        "pairing.decline": pairing,
        "pairing.someone_else": pairing,
        "checkin.open": pairing,
        "checkin.submit": pairing | {"met": "yes", "usefulness": "1", "confidential_note": CONCERN},
        "data.delete.ask": {},
        "data.delete.confirm": {"confirm": "yes"},
        "facilitator.take_over": w.program,
        "no.such.verb": {},
    }
    places = ((GROUP_CHAT, note.message_id), (w.channel, w.invite_id))
    for (where, message), user, trigger in itertools.product(places, (MEGAN, ALEX), ("manual", "automatic")):
        for verb, data in own.items():
            answer = await w.pg.click(user, where, message, verb, data, trigger=trigger)
            case = f"{user} pressed {verb} ({trigger}) in {where}"
            seen.append(f"{case}: {_texts(answer)[:2]}")
            wrong += [f"{case}: {problem}" for problem in _personal([answer], secrets)]
            if user == ALEX and "for" in data and trigger == "manual":  # Megan's card, pressed by Alex
                assert SOMEONE_ELSES in card_text(answer), f"{case}: {card_text(answer)}"

    # Nothing pressed in a shared conversation changed Megan's data (the check-in, the profile, the delete);
    # what she typed there (`pause`, `leave`) acted on her own enrollment, as in her 1:1 chat.
    after = await w.export(MEGAN)
    assert after["person"] == megan["person"] and after["profile"] == megan["profile"]
    assert after["check_ins"] == megan["check_ins"] and after["concerns_raised"] == megan["concerns_raised"]
    assert not wrong, "\n".join([*wrong, "", *seen])
    assert_never_shared(w.tap, *secrets)


async def test_bad_input_gets_a_4xx_and_races_get_no_error_card(world: World) -> None:
    w = world
    url = f"{w.running.bot}/api/messages"
    activity = {
        "type": "message",
        "id": "bad-1",
        "text": "help",
        "channelId": "msteams",
        "serviceUrl": f"{w.tap.base}/_connector",
        "from": {"id": "user-id-9", "aadObjectId": "00000000-0000-0000-0000-00000000009f", "name": "Eve"},
        "recipient": {"id": "00000000-0000-0000-0000-00000000000011", "name": "peerlearn"},
        "conversation": {"id": GROUP_CHAT, "conversationType": "groupChat", "isGroup": True},
        "channelData": {"tenant": "00000000-0000-0000-0000-0000000000001"},
    }
    bodies: dict[str, bytes] = {
        "nested objects": NESTED_OBJECTS,
        "nested arrays": b"[" * DEPTH + b"]" * DEPTH,
        "nested inside an activity": json.dumps(activity | {"id": "bad-0", "channelData": {}})
        .replace('"channelData": {}', '"channelData": ' + NESTED_OBJECTS.decode())
        .encode(),
        "channelData.tenant as a string": json.dumps(activity).encode(),
        "from as a string": json.dumps(activity | {"id": "bad-2", "from": "user-id-9"}).encode(),
        "conversation as a list": json.dumps(
            activity | {"id": "bad-3", "conversation": [GROUP_CHAT]}
        ).encode(),
        "channelData as a list": json.dumps(activity | {"id": "bad-4", "channelData": [1]}).encode(),
    }
    async with aiohttp.ClientSession() as session:
        for name, body in bodies.items():
            async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
                answer = await r.text()
                print(f"{name}: {r.status} {answer[:120]}")
                assert 400 <= r.status < 500, f"{name}: {r.status} {answer[:300]}"
        async with session.get(f"{w.running.bot}/healthz") as r:
            assert r.status == 200  # the server survived all of it

    # Twelve people of a tenant never seen before write their first message at the same moment: half ask
    # for help, half for their status. Teams does not know them (they are not in the Playground's tenant),
    # so their 1:1 chat cannot be written to: the note then says how to open it, and still shows nothing.
    tenant = str(uuid.UUID(int=0xA11CE))
    before = len(w.tap.calls)
    newcomers = [
        {"id": f"new-user-{i}", "name": f"Newcomer {i}", "aadObjectId": str(uuid.UUID(int=0xBEEF00 + i))}
        for i in range(12)
    ]
    await asyncio.gather(
        *(
            w.pg.type_as(p, GROUP_CHAT, ("help", "status")[i % 2], tenant=tenant)
            for i, p in enumerate(newcomers)
        )
    )
    for _ in range(300):
        answers = [c for c in w.tap.messages(before) if c.conversation == GROUP_CHAT]
        if len(answers) >= len(newcomers):
            break
        await asyncio.sleep(0.1)
    shown = [a.shown[:300] for a in answers]
    assert len(answers) == len(newcomers), shown
    assert not [a for a in answers if ERROR in a.shown], shown
    assert sum("What I can do" in a.shown for a in answers) == len(newcomers) // 2, shown
    unsent = [a for a in answers if "could not open it for you" in a.shown]
    assert len(unsent) == len(newcomers) // 2, shown
    assert all("teams.microsoft.com/l/chat/0/0?users=" in a.shown for a in unsent), shown
    assert not [a for a in answers if "Your status" in a.shown or "Newcomer" in a.shown], shown

    # Isaiah, Patti and Lynne (first contact too) press "I accept and join" on the channel's invitation
    # together, Isaiah five times.
    clickers = [ISAIAH, PATTI, LYNNE, ISAIAH, ISAIAH, ISAIAH, ISAIAH]
    joined = await asyncio.gather(*(w.pg.click(u, w.channel, w.invite_id, "join", w.join) for u in clickers))
    assert not [c for c in joined if ERROR in card_text(c)], [card_text(c)[:300] for c in joined]
    assert all(
        "Welcome to peer learning" in card_text(c) or "You accepted" in card_text(c) for c in joined
    ), [card_text(c)[:300] for c in joined]
    assert not [c for c in w.tap.messages(before) if ERROR in c.shown]

    # One person per account, one enrollment per person.
    db = sqlite3.connect(f"file:{w.tmp_path / 'e2e.db'}?mode=ro", uri=True)
    try:
        duplicates = db.execute(
            "SELECT aad_object_id FROM persons GROUP BY organization_id, aad_object_id HAVING COUNT(*) > 1"
        ).fetchall()
        enrolled = db.execute(
            "SELECT person_id FROM enrollments GROUP BY program_id, person_id HAVING COUNT(*) > 1"
        ).fetchall()
        newcomers_stored = db.execute(
            "SELECT COUNT(*) FROM persons WHERE tenant_id = ?", (tenant,)
        ).fetchone()[0]
    finally:
        db.close()
    assert duplicates == [] and enrolled == []
    assert newcomers_stored == len(newcomers)
    await screenshots(w, "races")


async def test_with_an_app_id_a_request_without_a_valid_token_gets_a_401_whatever_its_body(
    tmp_path: Path,
) -> None:
    """With `MicrosoftAppId` set, the token is checked before the body is parsed: no body gets further."""
    app_id = str(uuid.UUID(int=0xB07))
    async with (
        serve(tmp_path, MicrosoftAppId=app_id, MicrosoftAppPassword="not-a-real-secret") as bot,
        aiohttp.ClientSession() as session,
    ):
        for authorization in (None, "Bearer not-a-token", "Basic abc"):
            for body in (
                NESTED_OBJECTS,
                b"[" * DEPTH + b"]" * DEPTH,
                b'{"type": "message", "channelData": 1}',
            ):
                headers = {"Content-Type": "application/json"}
                if authorization:
                    headers["Authorization"] = authorization
                async with session.post(f"{bot}/api/messages", data=body, headers=headers) as r:
                    assert r.status == 401, (authorization, body[:40], r.status, await r.text())
        async with session.get(f"{bot}/healthz") as r:
            assert r.status == 200


# --- Screenshots: what each conversation shows, rendered as Teams would --------------------------------------

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>{style}
body {{ font-family: 'Liberation Sans', sans-serif; background: #ebebeb; margin: 0; padding: 12px; width: 600px; }}
h1 {{ font-size: 16px; margin: 4px 0 10px; }}
.who {{ font-size: 12px; color: #555; margin: 10px 0 3px; }}
.bubble {{ background: white; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.2); padding: 4px; }}
.typed {{ background: #e8ebfa; border-radius: 6px; padding: 6px 10px; font-size: 14px; display: inline-block; }}
pre {{ white-space: pre-wrap; font-size: 11px; margin: 4px; max-height: 160px; overflow: hidden; }}
</style><script>{script}</script></head><body><h1>{title}</h1>{items}</body></html>"""

RENDER = """() => {
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    const esc = text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    result.outputHtml = esc.replace(/\\*\\*(.+?)\\*\\*/g, "<strong>$1</strong>").replace(/\\n/g, "<br>");
    result.didProcess = true;
  };
  for (const el of document.querySelectorAll("[data-card]")) {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = new AdaptiveCards.HostConfig({ fontFamily: "Liberation Sans, sans-serif" });
    card.parse(JSON.parse(el.dataset.card));
    el.replaceChildren(card.render());
  }
}"""


def _transcript(w: World, keep: Callable[[str], bool]) -> str:
    names = {u: str(v["name"]) for u, v in w.users.items()}
    items = []
    for event in w.tap.events:
        if isinstance(event, Typed):
            if keep(event.conversation):
                who = f"{names.get(event.sender, event.sender)} typed"
                said = html.escape(event.text.replace("<at>peerlearn</at>", "@peerlearn"))
                items.append(f"<div class='who'>{html.escape(who)}</div><div class='typed'>{said}</div>")
            continue
        where = _where_shown(event)
        if where is None or not keep(where):
            continue
        if isinstance(event, InvokeCall):
            who = f"peerlearn, answering {names.get(event.sender, event.sender)}'s click (shown to them in place of the card)"
            value = event.answer.get("value") if isinstance(event.answer, dict) else None
            cards: list[dict[str, Any]] = [value] if isinstance(value, dict) else []
            text = "" if cards else str(event.answer)
        else:
            who = f"peerlearn → {where}"
            cards, text = _cards(event), str(event.body.get("text") or "")
        inner = "".join(
            f"<div data-card='{html.escape(json.dumps(c), quote=True)}'></div>" for c in cards if c
        )
        if text:
            inner += f"<pre>{html.escape(text)}</pre>"
        items.append(f"<div class='who'>{html.escape(who)}</div><div class='bubble'>{inner}</div>")
    return "".join(items) or "<p>(nothing)</p>"


HAVE_RENDERER = Path(CHROMIUM).exists() and RENDERER.exists()


def _pages(w: World, name: str) -> list[tuple[Path, str]]:
    """The channel, the group chat and the 1:1 chats of Megan and Alex, as pages: (PNG path, HTML)."""
    out = w.tmp_path / "screenshots"
    out.mkdir(exist_ok=True)
    style, script = (RENDERER.parent / "adaptivecards.css").read_text(), RENDERER.read_text()
    views: dict[str, tuple[str, Callable[[str], bool]]] = {
        "channel": ("Platform › General (team channel)", lambda c: c == TEAM or c.startswith(f"{TEAM};")),
        "group-chat": ("Group Chat (everyone)", lambda c: c == GROUP_CHAT),
        "megan-1on1": ("Megan's 1:1 chat with peerlearn", lambda c: c == w.chats.get(MEGAN)),
        "alex-1on1": ("Alex's 1:1 chat with peerlearn", lambda c: c == w.chats.get(ALEX)),
    }
    return [
        (
            out / f"{name}-{view}.png",
            PAGE.format(style=style, script=script, title=html.escape(title), items=_transcript(w, keep)),
        )
        for view, (title, keep) in views.items()
    ]


async def screenshots(w: World, name: str) -> None:
    """What each conversation shows, rendered by Microsoft's Adaptive Cards renderer in Chromium."""
    if not HAVE_RENDERER:
        return
    from playwright.async_api import async_playwright

    pages = _pages(w, name)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 640, "height": 400})
            for path, content in pages:
                await page.set_content(content)
                await page.evaluate(RENDER)
                await page.screenshot(path=str(path), full_page=True)
        finally:
            await browser.close()
    print(f"screenshots: {pages[0][0].parent}")
