"""The first week as three people live it, through Microsoft's M365 Agents Playground against the real server.

Alex installs the app in the team (and so facilitates it), Megan and Adele join the team. Each joins in one
click, opens a profile that Teams' `clientInfo` has already set to their own time zone (Berlin, London, New
York), picks skills with Teams' typeahead (the `application/search` invoke: "js" finds JavaScript), says when
they are free, and saves. Alex matches them; each accepts from their status card; the introduction proposes a
first meeting all three share, on each reader's clock, with a Teams link carrying its start and end. They
check in, and Alex reads a report with charts.

Every card a person saw on the way is then checked with Microsoft's Adaptive Cards SDK at schema 1.5 (charts
accepted only with their fallbacks) and rendered by Microsoft's renderer in Chromium to a PNG under
`build/screenshots/first_week/`, to be looked at as the people receiving them would.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest

from tests.e2e.playground_driver import (
    ALEX,
    MEGAN,
    NEEDS_PLAYGROUND,
    PERSONAL_CHAT,
    ROOT,
    TEAM,
    Playground,
    Wiretap,
    run_playground,
)
from tests.e2e.playground_driver import card_data as _data
from tests.e2e.playground_driver import card_text as _text
from tests.support.card_renderer import RENDER, RENDERER, page_html, validate

ADELE = "user-id-2"
ZONES = {ALEX: "Europe/Berlin", MEGAN: "Europe/London", ADELE: "America/New_York"}
CITIES = {ALEX: "Berlin", MEGAN: "London", ADELE: "New York"}
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
SHOTS = ROOT / "build" / "screenshots" / "first_week"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    *NEEDS_PLAYGROUND,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium (apt-get install chromium)"),
    pytest.mark.skipif(
        not RENDERER.exists(), reason="needs the adaptivecards package: `npm ci` in tests/e2e/node"
    ),
]


@pytest.fixture
async def playground(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[str, Wiretap]]:
    monkeypatch.setenv("REPORT_MIN_GROUP", "3")  # three people: the smallest group whose figures are shown
    tap = Wiretap()
    async with run_playground(tmp_path, wiretap=tap) as running:
        yield running.base, tap


class Journey:
    """The Playground, plus every card each person was shown, by a name that says what it is."""

    def __init__(self, pg: Playground, tap: Wiretap) -> None:
        self.pg, self.tap = pg, tap
        self.seen: dict[str, dict[str, Any]] = {}

    def keep(self, name: str, card: dict[str, Any]) -> dict[str, Any]:
        self.seen[name] = card
        return card

    async def click(
        self, name: str, user: str, where: str, message_id: str, verb: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        return self.keep(name, await self.pg.click(user, where, message_id, verb, data))

    async def wait_for(self, conversation: str, words: str, after: int = 0) -> dict[str, Any]:
        """The first card the bot posted into `conversation` after the first `after` connector calls that
        says `words`, read on the wire (the delivery worker's messages name their chat only in the URL).
        For the Playground's current user (Alex), the bot's proactive messages reach him in the 1:1 chat it
        opened through the Bot Connector, which the Playground gives an id of its own: both count."""
        for _ in range(300):
            places = {conversation}
            if conversation == PERSONAL_CHAT and ALEX in self.pg.created:
                places.add(self.pg.created[ALEX])
            for call in self.tap.messages(after):
                if call.conversation in places and words in call.shown:
                    return dict(call.body["attachments"][0]["content"])
            await asyncio.sleep(0.1)
        seen = [(c.conversation, c.shown[:200]) for c in self.tap.messages(after)]
        raise AssertionError(f"no card saying '{words}' in {conversation}: {seen}")

    async def _from_teams(self, user: str, conversation: str, activity: dict[str, Any]) -> str:
        """Send `activity` to the bot as Teams would from `user` in `conversation` (the Playground fills in
        the service URL, conversation and recipient from its own template); returns the activity's id."""
        person = await self.pg.user(user)
        async with self.pg.session.get(
            f"{self.pg.base}/_internal/v1/customActivities/template", params={"conversationId": conversation}
        ) as r:
            template: dict[str, Any] = await r.json()
        template |= activity | {
            "id": str(uuid.uuid4()),
            "from": {"id": person["id"], "name": person["name"], "aadObjectId": person["aadObjectId"]},
            "channelData": {"tenant": {"id": template["conversation"]["tenantId"]}},
        }
        async with self.pg.session.post(f"{self.pg.base}/_internal/v1/customActivities", json=template) as r:
            assert r.status < 300, await r.text()
        return str(template["id"])

    async def search(self, user: str, conversation: str, dataset: str, typed: str) -> list[str]:
        """What Teams' typeahead lists as the person types `typed` into a field searching `dataset`: the
        `application/search` invoke Teams sends, and the bot's answer, read on the wire."""
        sent = await self._from_teams(
            user,
            conversation,
            {
                "type": "invoke",
                "name": "application/search",
                "value": {"queryText": typed, "dataset": dataset, "queryOptions": {"skip": 0, "top": 15}},
            },
        )
        for _ in range(150):
            for invoke in self.tap.invokes:
                if invoke.activity.get("id") == sent:
                    assert invoke.status == 200, invoke.answer
                    answer = invoke.answer
                    assert answer.get("type") == "application/vnd.microsoft.search.searchResponse", answer
                    return [str(r["title"]) for r in answer["value"]["results"]]
            await asyncio.sleep(0.1)
        raise AssertionError(f"no answer to the search for '{typed}' in {dataset}")

    async def type_in_teams(self, user: str, conversation: str, text: str) -> tuple[str, str, dict[str, Any]]:
        """A message typed in the Teams client, which sends the person's time zone and locale with it (the
        `clientInfo` entity); returns the bot's first card in answer."""
        count = len(self.pg.cards)
        client = {"type": "clientInfo", "locale": "en-GB", "timezone": ZONES[user], "platform": "Web"}
        await self._from_teams(
            user,
            conversation,
            {"type": "message", "text": text, "textFormat": "plain", "locale": "en-GB", "entities": [client]},
        )
        return await self.pg.card(conversation, count)


def _name(user: str) -> str:
    """Whose card, by the place they are in (the screenshots' names)."""
    return CITIES[user].lower().replace(" ", "_")


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The card's inputs by id."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and "id" in node:
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def _links(card: dict[str, Any]) -> list[str]:
    return re.findall(r'"url": "([^"]+)"', json.dumps(card))


def _screenshots(cards: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each card rendered by Microsoft's renderer in Chromium, saved as `SHOTS/<name>.png`; the text shown."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    shown: dict[str, str] = {}
    html = page_html()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 560, "height": 400})
            page.set_content(html)
            for name, card in cards.items():
                shown[name] = str(page.evaluate(RENDER, card))
                page.locator("#card").screenshot(path=str(SHOTS / f"{name}.png"))
        finally:
            browser.close()
    return shown


async def test_three_people_live_the_first_week_in_the_agents_playground(
    playground: tuple[str, Wiretap], tmp_path: Path
) -> None:
    base, tap = playground
    async with aiohttp.ClientSession() as session:
        pg = Playground(session, base)
        journey = Journey(pg, tap)
        listener = asyncio.create_task(pg.listen())
        try:
            await _first_week(pg, journey)
        finally:
            listener.cancel()

    # Every card each person saw: valid at 1.5 for Microsoft's SDK, charts only with their fallbacks.
    results = validate(dict(journey.seen), tmp_path)
    assert set(results) == set(journey.seen)
    assert {name: r["errors"] for name, r in results.items() if r["errors"]} == {}
    assert any("TeamsChart" in w for w in results["report"]["warnings"])  # charts, each with a fallback
    shown = await asyncio.to_thread(_screenshots, journey.seen)
    for name, rendered in shown.items():
        assert len(rendered) > 40, f"the card '{name}' rendered almost nothing: {rendered!r}"
        assert "IANA" not in rendered and "{" not in rendered, (
            f"'{name}' shows jargon or raw data: {rendered}"
        )
    assert "A first meeting" in shown["new_york_introduction"]
    assert len(list(SHOTS.glob("*.png"))) == len(journey.seen)


async def _first_week(pg: Playground, journey: Journey) -> None:
    # Alex installs the app in the team: the channel gets the invitation; his 1:1 chat is where he acts.
    await pg.install(TEAM)
    channel, invite_id, invite = await pg.card(TEAM)
    journey.keep("channel_invitation", invite)
    join = _data(invite, "join")
    program = {"program_id": join["program_id"]}
    await pg.install(PERSONAL_CHAT)
    _, alex_welcome_id, alex_welcome = await pg.card(PERSONAL_CHAT)
    chats = {ALEX: (PERSONAL_CHAT, alex_welcome_id)}

    # Megan and Adele join the team: the bot opens a 1:1 chat with each and welcomes them there.
    for user in (MEGAN, ADELE):
        await pg.add_to_team(user)
        chat = await pg.chat_created_with(user)
        _, welcome_id, welcome = await pg.card(chat)
        journey.keep(f"{_name(user)}_welcome", welcome)
        assert "Code of conduct" in _text(welcome) and _data(welcome, "join") == join
        chats[user] = (chat, welcome_id)
    journey.keep("berlin_welcome", alex_welcome)

    # Joining is one click: Alex on the channel's invitation, the others on their welcome.
    assert "You accepted" in _text(
        await journey.click("berlin_joined", ALEX, channel, invite_id, "join", join)
    )
    for user in (MEGAN, ADELE):
        where, message = chats[user]
        joined = await journey.click(f"{_name(user)}_joined", user, where, message, "join", join)
        assert "You accepted" in _text(joined)

    # A profile in two minutes: the time zone is already the person's own, from Teams; skills by typeahead.
    plans = {
        ALEX: ("Python", "Kubernetes", "Run our team's services on Kubernetes without help."),
        # Megan types "js": the vocabulary folds it into JavaScript.
        MEGAN: ("Kubernetes", "js", "Build the front end of our internal dashboard."),
        ADELE: ("JavaScript", "Python", "Automate the monthly sales report."),
    }
    for user, (teaches, learns, goal) in plans.items():
        where, _ = chats[user]
        thread, profile_id, editor = await journey.type_in_teams(user, where, "profile")
        name = _name(user)
        journey.keep(f"{name}_profile_editor", editor)
        fields = _inputs(editor)
        zone = fields["timezone"]["value"]  # the place, not an IANA name, whichever client shows the field
        assert zone.startswith(f"{CITIES[user]} (UTC"), fields["timezone"]  # "Berlin (UTC+01:00)"
        assert {"title": zone, "value": zone} in fields["timezone"]["choices"]
        assert fields["teach_skill_0"]["choices.data"] == {"type": "Data.Query", "dataset": "skills"}
        typed = learns[:2].lower()
        found = await journey.search(user, where, "skills", typed)
        assert found, f"typing '{typed}' found nothing"
        if learns == "js":
            assert found[0] == "JavaScript", found
        assert CITIES[user] in " ".join(await journey.search(user, where, "timezones", CITIES[user][:4]))
        form = {
            "teach_skill_0": teaches,
            "teach_level_0": "4",
            "learn_skill_0": learns,
            "learn_level_0": "2",
            "available_days": "mon,tue,wed,thu,fri",
            "available_from": "09:00",
            "available_to": "17:00",
            "hours_per_month": "4",
            "timezone": fields["timezone"]["value"],
            "goals": goal,
        }
        saved = await journey.click(f"{name}_profile_saved", user, thread, profile_id, "profile.save", form)
        assert "Saved" in _text(saved) and "nobody can be matched" not in _text(saved), _text(saved)
        assert "Teams says" not in _text(saved)  # just chosen: no nudge to pick another zone
        if learns == "js":
            assert _inputs(saved)["learn_skill_0"]["value"] == "JavaScript"

    # Alex sets the program up and matches: three people, so the odd one joins a trio.
    setup = program | {"kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}
    assert "Saved" in _text(await journey.click("setup_saved", ALEX, channel, invite_id, "setup.save", setup))
    count = len(journey.tap.calls)
    await pg.post(ALEX, PERSONAL_CHAT, "match now")
    journey.keep("round_result", await journey.wait_for(PERSONAL_CHAT, "Proposals", count))

    # Each accepts from their status card; the last yes introduces all three.
    answers: dict[str, dict[str, Any]] = {}
    for user in (ALEX, MEGAN, ADELE):
        where, _ = chats[user]
        name = _name(user)
        thread, status_id, status = await journey.type_in_teams(user, where, "status")
        journey.keep(f"{name}_status", status)
        assert f"Mon–Fri 09:00–17:00, {CITIES[user]} time" in json.dumps(status, ensure_ascii=False)
        proposal = await journey.click(
            f"{name}_proposal", user, thread, status_id, "pairing.view", _data(status, "pairing.view")
        )
        assert "A learning match for you" in _text(proposal)
        accept = _data(proposal, "pairing.accept")
        answers[user] = await journey.click(
            f"{name}_accepted", user, thread, status_id, "pairing.accept", accept
        )
    introduction = journey.keep("new_york_introduction", answers[ADELE])
    assert "You are matched" in _text(introduction)
    assert "A first meeting" in _text(introduction) and "your time" in _text(introduction)
    assert "(New York, UTC-05:00)" in _text(introduction)  # on Adele's own clock
    booking = next(link for link in _links(introduction) if "/l/meeting/new" in link)
    query = parse_qs(urlparse(booking).query)
    assert {"attendees", "subject", "startTime", "endTime"} <= set(query), booking
    assert len(query["attendees"][0].split(",")) == 3
    assert "(from" not in query["subject"][0]  # the subject is the shared goal, nothing else

    # Alex and Megan are introduced in their own chats, each on their own clock.
    for user in (ALEX, MEGAN):
        where, _ = chats[user]
        name = _name(user)
        intro = journey.keep(f"{name}_introduction", await journey.wait_for(where, "You are matched"))
        assert f"({CITIES[user]}, UTC" in _text(intro) and "your time" in _text(intro)

    # Everyone checks in from their status card.
    for user, useful in ((ALEX, "4"), (MEGAN, "5"), (ADELE, "5")):
        where, _ = chats[user]
        name = _name(user)
        thread, status_id, status = await journey.type_in_teams(user, where, "status")
        check_in = await journey.click(
            f"{name}_check_in", user, thread, status_id, "checkin.open", _data(status, "checkin.open")
        )
        filled = _data(check_in, "checkin.submit") | {"met": "yes", "usefulness": useful, "learned": "Helm"}
        thanks = await journey.click(f"{name}_thanks", user, thread, status_id, "checkin.submit", filled)
        assert "Thanks for checking in" in _text(thanks)

    # The report, at a glance: charts per round, usefulness, skills wanted against taught.
    _, _, report = await journey.type_in_teams(ALEX, PERSONAL_CHAT, "report")
    journey.keep("report", report)
    charts = re.findall(r'"type": "(Chart\.[A-Za-z.]+)"', _text(report))
    assert charts, _text(report)
