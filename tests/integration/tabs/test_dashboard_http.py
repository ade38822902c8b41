"""The facilitator dashboard over real HTTP, signed in with Teams SSO tokens from a local OpenID issuer.

Three people of a team take part through the bot (Annabel runs the program, Boris and Cyril join; a round,
everyone accepts, Boris checks in). Then the dashboard tab is opened by each of them and by outsiders: only
Annabel sees it. Dmitri, who runs another team's program, a member who is not a facilitator, someone from
another organization and someone from a tenant this peerlearn does not serve each get a page saying why.
Boris deletes his data, and he is in no figure of the dashboard or its CSV any more. The local issuer is
the `issuer` fixture of this folder's conftest (the tabs' own tests use it too)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adaptive_cards import verbs
from peerlearn.app import create_app
from peerlearn.settings import Settings
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, User, action_data, card_text
from tests.integration.security.issuer import Issuer

TENANT = "3f1c2a9e-0000-4000-8000-00000000000a"
OTHER_TENANT = "3f1c2a9e-0000-4000-8000-00000000000b"  # served by this peerlearn, another organization
UNKNOWN_TENANT = "3f1c2a9e-0000-4000-8000-00000000000c"  # not served
APP_ID = "0e2b4f6a-1111-4222-8333-944445555666"
AUDIENCE = f"api://peerlearn.test/{APP_ID}"
TEAM = "19:dashboard-team@thread.tacv2"
OTHER_TEAM = "19:dashboard-other@thread.tacv2"
NAMES = uuid.UUID("6d0f8a36-4c1e-4e55-9f32-0a7b5d2f9e11")


@dataclass(frozen=True)
class Person(User):
    """A Teams user whose Entra object id is a GUID, as in a real token."""

    @property
    def oid(self) -> str:
        return str(uuid.uuid5(NAMES, self.key))

    @property
    def account(self) -> dict[str, Any]:
        return super().account | {"aadObjectId": self.oid}


ANNA, BORIS, CYRIL = Person("annabel", TENANT), Person("boris", TENANT), Person("cyril", TENANT)
DMITRI = Person("dmitri", TENANT)
ERIN = Person("erin", OTHER_TENANT)


def token(issuer: Issuer, person: Person, *, tenant: str | None = None, **overrides: Any) -> str:
    """A Teams SSO access token as Entra ID signs it for peerlearn's API (v2)."""
    tid = tenant or person.tenant
    now = int(time.time())
    claims = {
        "iss": f"https://login.microsoftonline.com/{tid}/v2.0",
        "aud": AUDIENCE,
        "tid": tid,
        "oid": person.oid,
        "scp": "access_as_user",
        "name": person.key.title(),
        "preferred_username": f"{person.key}@contoso.example",
        "ver": "2.0",
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + 3600,
    } | overrides
    return jwt.encode(claims, issuer.key, algorithm="RS256", headers={"kid": issuer.kid})


@dataclass
class Tab:
    """The tabs as Teams' client reaches them: each request carries the viewer's bearer token."""

    client: TestClient[Any, Any]
    issuer: Issuer

    async def get(self, path: str, person: Person | None, **claims: Any) -> tuple[int, str, str]:
        headers = {"Authorization": f"Bearer {token(self.issuer, person, **claims)}"} if person else {}
        response = await self.client.get(path, headers=headers)
        return response.status, response.headers.get("Content-Type", ""), await response.text()


@dataclass
class BlockingConnector(FakeConnector):
    """The Bot Connector, where a person who blocked the app cannot be written to (403, as Teams answers)."""

    blocked: set[str] = field(default_factory=set)

    async def send(self, request: web.Request) -> web.Response:
        if request.match_info["cid"] in self.blocked:
            error = {
                "code": "ConversationBlockedByUser",
                "message": "User blocked the conversation with the bot.",
            }
            return web.json_response({"error": error}, status=403)
        return await super().send(request)


@pytest.fixture
async def connector() -> AsyncIterator[tuple[BlockingConnector, str]]:
    """The Bot Connector the bot sends its cards to, on 127.0.0.1."""
    fake = BlockingConnector()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, str(server.make_url("/")).rstrip("/") + "/"
    finally:
        await server.close()


@pytest.fixture
async def tab(
    database_url: str, issuer: Issuer, aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]]
) -> Tab:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        log_format="text",
        app_id=APP_ID,
        tabs_sso_audience=AUDIENCE,
        tabs_openid_metadata_url=issuer.metadata_url,
        tabs_allowed_tenants=f"{TENANT},{OTHER_TENANT}",
        report_min_group=3,
        run_worker=False,
    )
    return Tab(await aiohttp_client(create_app(settings), server_kwargs={"host": "127.0.0.1"}), issuer)


@pytest.fixture
async def bot(
    database_url: str,
    connector: tuple[FakeConnector, str],
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> Teams:
    """The bot without an app id (it accepts unsigned activities), on the same database as the tabs."""
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        log_format="text",
        report_min_group=3,
        public_url="https://peerlearn.test",
    )
    client = await aiohttp_client(create_app(settings), server_kwargs={"host": "127.0.0.1"})
    return Teams(client, connector[1])


async def _journey(teams: Teams, fake: FakeConnector) -> str:
    """Annabel adds the app to the team and runs its program; the three join, are matched and accept."""
    fake.members.extend([ANNA.member, BORIS.member, CYRIL.member])
    status, _ = await teams.post(
        teams.activity(ANNA, "conversationUpdate", team=TEAM, membersAdded=[{"id": "28:peerlearn-bot"}])
    )
    assert status in (200, 201)
    program = str(action_data(fake.cards(TEAM)[-1], verbs.JOIN)["program_id"])
    for person, teach, learn in ((ANNA, "Go", "Rust"), (BORIS, "Rust", "Go"), (CYRIL, "Go", "Rust")):
        await teams.say(person, "help")
        joined = await teams.click(person, verbs.JOIN, {"program_id": program, "version": "1"}, team=TEAM)
        assert "You accepted" in card_text(joined)
        profile = {
            "department": "Platform",
            "timezone": "Europe/Berlin",
            "hours_per_month": "6",
            "teach_skill_0": teach,
            "teach_level_0": "5",
            "learn_skill_0": learn,
            "learn_level_0": "2",
        }
        assert "Saved" in card_text(await teams.click(person, verbs.PROFILE_SAVE, profile))
    setup = {
        "program_id": program,
        "kind": "peer_pairs",
        "cadence": "weekly",
        "group_size": "2",
        "max_level_gap": "3",
    }
    assert "Saved" in card_text(await teams.click(ANNA, verbs.SETUP_SAVE, setup))
    assert await teams.say(ANNA, "match now") in (200, 201)
    # Three people, peer pairs: the odd one joins a trio, so all three are in one pairing.
    pairing = str(action_data(await teams.click(BORIS, verbs.STATUS), verbs.PAIRING_VIEW)["pairing_id"])
    for person in (ANNA, BORIS, CYRIL):
        await teams.click(person, verbs.PAIRING_ACCEPT, {"pairing_id": pairing})
    answer = {"met": "yes", "usefulness": "4", "learned": "helm tricks", "blockers": ""}
    thanks = await teams.click(BORIS, verbs.CHECKIN_SUBMIT, {"pairing_id": pairing} | answer)
    assert "Thanks" in card_text(thanks), card_text(thanks)
    # Dmitri runs another team's program; Erin uses peerlearn in another organization.
    status, _ = await teams.post(
        teams.activity(
            DMITRI, "conversationUpdate", team=OTHER_TEAM, membersAdded=[{"id": "28:peerlearn-bot"}]
        )
    )
    assert status in (200, 201)
    await teams.say(DMITRI, "help")
    await teams.say(ERIN, "help")
    return program


def _row(html: str, name: str) -> list[str]:
    """The cells of the table row headed `name` (a round's with its day after it) in the first table that has one."""
    found = re.search(rf'<th scope="row">{re.escape(name)}(?: \([^<]*\))?</th>((?:<td>[^<]*</td>)+)', html)
    assert found, f"no row {name!r}"
    return re.findall(r"<td>([^<]*)</td>", found.group(1))


def _panel(html: str, chart_id: str) -> str:
    start = html.index(f'aria-labelledby="{chart_id}-h"')
    return html[start : html.index("</section>", start)]


async def test_only_the_programs_facilitator_sees_its_dashboard_and_a_deleted_person_leaves_every_figure(
    bot: Teams, tab: Tab, connector: tuple[BlockingConnector, str]
) -> None:
    fake, _ = connector
    program = await _journey(bot, fake)
    view = f"/tabs/dashboard/view?program_id={program}"

    # Annabel's report card opens the dashboard in Teams (stage view) at the tab's page for this program.
    report = await bot.click(ANNA, verbs.REPORT_OPEN, {"program_id": program})
    opens = report["actions"][-1]["data"]["msteams"]["value"]
    assert opens["type"] == "tab/tabInfoAction"
    assert opens["tabInfo"]["contentUrl"] == f"https://peerlearn.test/tabs/dashboard?program_id={program}"
    shell = await tab.client.get(opens["tabInfo"]["contentUrl"].removeprefix("https://peerlearn.test"))
    assert f'data-tab-source="{view}"' in await shell.text()

    status, kind, html = await tab.get(view, ANNA)
    assert (status, kind.split(";")[0]) == (200, "text/html"), html
    assert "Platform" in html or "program health" in html
    people = _panel(html, "people")
    assert _row(people, "Round 1") == ["3", "3", "3"]  # opted in, matched, accepted: three people each
    assert 'role="img"' in people and "<title" in people and "<desc" in people
    assert _row(_panel(html, "usefulness-rounds"), "Round 1") == ["fewer than 3"]  # one person rated
    assert "helm tricks" not in html  # never anyone's own words
    assert "Group size" in html and "Time zone" in html  # the settings

    status, kind, text = await tab.get(f"/tabs/dashboard/aggregates.csv?program_id={program}", ANNA)
    assert (status, kind.split(";")[0]) == (200, "text/csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["People per round", "Round 1", "Accepted", "3"] in rows
    assert ["Usefulness per round (average, 1 to 5)", "Round 1", "Average usefulness", "fewer than 3"] in rows
    assert not any(name in text for name in ("Annabel", "Boris", "Cyril"))

    status, _, html = await tab.get("/tabs/dashboard/configure/view?team=" + TEAM, ANNA)
    assert status == 200 and f'value="{program}"' in html
    # In a group chat (no team), each is offered the programs they run, and only those.
    status, _, html = await tab.get("/tabs/dashboard/configure/view", ANNA)
    assert status == 200 and re.findall(r'name="program_id" value="([^"]+)"', html) == [program]
    status, _, html = await tab.get("/tabs/dashboard/configure/view", DMITRI)
    assert status == 200 and program not in html

    # Boris takes part but does not run the program.
    status, _, html = await tab.get(view, BORIS)
    assert status == 403 and "Only this program's facilitators can see its dashboard" in unescape(html)
    assert "Round 1" not in html
    status, _, _ = await tab.get(f"/tabs/dashboard/aggregates.csv?program_id={program}", BORIS)
    assert status == 403
    status, _, html = await tab.get("/tabs/dashboard/configure/view?team=" + TEAM, BORIS)
    assert status == 403 and "You facilitate no program in this team" in unescape(html)
    assert 'name="program_id"' not in html

    # Dmitri facilitates another team's program, not this one.
    status, _, html = await tab.get(view, DMITRI)
    assert status == 403 and "Only this program's facilitators" in unescape(html)
    status, _, html = await tab.get("/tabs/dashboard/configure/view?team=" + TEAM, DMITRI)
    assert status == 403

    # Erin's organization is served too, but the program is not in it.
    status, _, html = await tab.get(view, ERIN)
    assert status == 403 and "not in your organization" in unescape(html) and "Round 1" not in html

    # A tenant this peerlearn does not serve, and a token whose signature is another's, are not signed in at all.
    status, _, html = await tab.get(view, ANNA, tenant=UNKNOWN_TENANT, tid=UNKNOWN_TENANT)
    assert status == 401 and "is not one this peerlearn serves" in unescape(html)
    forged = token(tab.issuer, ANNA).rsplit(".", 1)[0] + "." + token(tab.issuer, BORIS).rsplit(".", 1)[1]
    response = await tab.client.get(view, headers={"Authorization": f"Bearer {forged}"})
    assert response.status == 401
    status, _, _ = await tab.get(view, None)
    assert status == 401

    # Bad addresses say what is wrong.
    status, _, html = await tab.get("/tabs/dashboard/view?program_id=%3Cscript%3E", ANNA)
    assert status == 400 and "&lt;script&gt;" in html and "<script>" not in html
    assert "'program_id' is '<script>'" in unescape(html)
    status, _, html = await tab.get("/tabs/dashboard/view", ANNA)
    assert status == 400 and "it has no 'program_id'" in unescape(html)
    status, _, html = await tab.get("/tabs/dashboard/configure/view?team=19%3Ax%20%3Cy%3E", ANNA)
    assert status == 400 and "The team id '19:x <y>' is not one Teams gives." in unescape(html)

    # Cyril blocks the app; then Boris deletes his data, and his partners are told (Cyril's message fails).
    fake.blocked.add(CYRIL.chat)
    assert await bot.say(BORIS, "delete my data") in (200, 201)
    confirm = next(
        action_data(c, verbs.DELETE_CONFIRM)
        for c in reversed(fake.cards(BORIS.chat))
        if "Delete" in card_text(c)
    )
    assert "deleted" in card_text(await bot.click(BORIS, verbs.DELETE_CONFIRM, confirm)).lower()

    html = await _when(tab, view, "<li>Cyril</li>")  # the bot's sender records the failure meanwhile
    assert "<li>Cyril</li>" in _panel(html, "reach")  # named for Annabel to follow up in person
    assert _row(_panel(html, "people"), "Round 1") == ["2", "2", "fewer than 3"]
    assert "Boris" not in html
    assert _row(_panel(html, "reach"), "Could not be delivered")[0] != "0"
    status, _, text = await tab.get(f"/tabs/dashboard/aggregates.csv?program_id={program}", ANNA)
    rows = list(csv.reader(io.StringIO(text)))
    assert ["People per round", "Round 1", "Matched", "2"] in rows
    assert ["Could not be reached", "People", "People", "1"] in rows and "Cyril" not in text


async def _when(tab: Tab, view: str, shown: str) -> str:
    """Annabel's dashboard once it shows `shown` (the sender works in the background), or as it is after a
    generous wait, for the assertions to say what is missing."""
    for _ in range(150):
        status, _, html = await tab.get(view, ANNA)
        assert status == 200, html
        if shown in html:
            break
        await asyncio.sleep(0.2)
    return html


async def test_the_dashboard_pages_are_shells_without_data_under_the_tab_csp(tab: Tab) -> None:
    for path in ("/tabs/dashboard?program_id=abc", "/tabs/dashboard/configure"):
        response = await tab.client.get(path)
        html = await response.text()
        assert response.status == 200
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "<script>" not in html and " style=" not in html
        assert "/tabs/static/dashboard.css" in html
    configure = await (await tab.client.get("/tabs/dashboard/configure")).text()
    assert "/tabs/static/dashboard_configure.js" in configure
    page = await (await tab.client.get("/tabs/dashboard?program_id=abc")).text()
    assert 'data-tab-source="/tabs/dashboard/view?program_id=abc"' in page
    for name in ("dashboard.css", "dashboard_configure.js"):
        assert (await tab.client.get(f"/tabs/static/{name}")).status == 200
