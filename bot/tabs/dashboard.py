"""The facilitator dashboard: a configurable tab for a team or group chat, also opened from the report card.

- `/tabs/dashboard/configure` is the tab's configuration page. Its script (`dashboard_configure.js`) reads
  the team from the TeamsJS context and loads `/tabs/dashboard/configure/view?team=…`: the programs the
  signed-in person facilitates there (in a team, the team's program; in a group chat, every program they
  facilitate). Picking one sets the tab's content URL to `/tabs/dashboard?program_id=…`. Someone who
  facilitates nothing here is told why and cannot save the tab.
- `/tabs/dashboard?program_id=…` is the content page, a shell (see `bot.tabs.routes`) that loads
  `/tabs/dashboard/view?program_id=…` with the viewer's token: program health over rounds as server-drawn
  charts (`bot.tabs.charts`), a table for each, and the program's settings.
- `/tabs/dashboard/aggregates.csv?program_id=…` is the CSV of the aggregates (`dashboard_panels`).

Every signed-in route reads in one unit of work of the bus, and only the program's facilitators get past
`core.views.dashboard.facilitated_program`: a member who is not one gets 403, an id unknown in the viewer's
organization (another tenant's program) 403 too, a bad address 400, each as a page that says why. A tab
added by a facilitator who later stops being one shows them the 403 page from then on."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from aiohttp import web

from bot.tabs import dashboard_panels
from bot.tabs.routes import TABS, TabServices, Viewer, fragment, problem, shell, signed_in
from core.errors import NotFound, PermissionDenied
from core.ports import UnitOfWork
from core.views import dashboard

BASE = "/tabs/dashboard"
# Where the sender's delivery outcomes are read (who could not be reached); absent: that panel is left out.
PROGRAM_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,100}$")
TEAM_ID = re.compile(r"^[^\s<>\"']{1,200}$")
TITLE = "Program health"


def setup(app: web.Application, services: TabServices) -> None:
    app.router.add_get(f"{BASE}/configure", configure_page)
    app.router.add_get(f"{BASE}/configure/view", signed_in(configure_view))
    app.router.add_get(BASE, page)
    app.router.add_get(f"{BASE}/view", signed_in(view))
    app.router.add_get(f"{BASE}/aggregates.csv", signed_in(download))


async def configure_page(request: web.Request) -> web.Response:
    # No source: dashboard_configure.js loads the view once the TeamsJS context says which team this is.
    return shell(request, "dashboard_configure.html", title="Add the program health dashboard", source="")


async def configure_view(request: web.Request, viewer: Viewer) -> web.Response:
    organization_id, person_id = _who(viewer)
    team = request.query.get("team", "").strip() or None
    if team is not None and not TEAM_ID.match(team):
        return problem(
            request,
            400,
            "This is not a team peerlearn knows",
            f"The team id '{team[:40]}' is not one Teams gives.",
        )
    services = _services(request)
    choices = await services.bus.read(
        lambda uow: dashboard.programs_to_pick(uow, organization_id, person_id, team)
    )
    return fragment(
        request,
        "dashboard_configure_view.html",
        status=200 if choices else 403,
        choices=choices,
        in_team=team is not None,
        base=BASE,
    )


async def page(request: web.Request) -> web.Response:
    program_id = request.query.get("program_id", "")
    return shell(
        request,
        "dashboard.html",
        title=TITLE,
        source=f"{BASE}/view?{urlencode({'program_id': program_id})}",
    )


def _who(viewer: Viewer) -> tuple[str, str]:
    """The viewer's organization and person; `signed_in` lets only people the bot knows through."""
    if viewer.person is None or viewer.organization_id is None:
        raise PermissionDenied("peerlearn does not know you yet: say hi to it in chat first.")
    return viewer.organization_id, viewer.person.id


def _services(request: web.Request) -> TabServices:
    return request.app[TABS]


def _program_id(request: web.Request) -> str | None:
    program_id = request.query.get("program_id", "")
    return program_id if PROGRAM_ID.match(program_id) else None


def _bad_address(request: web.Request) -> web.Response:
    given = request.query.get("program_id", "")
    said = f"'program_id' is '{given[:40]}'" if given else "it has no 'program_id'"
    return problem(
        request,
        400,
        "This dashboard's address names no program",
        f"The address is incomplete ({said}). Remove the tab and add it again, choosing the program.",
    )


async def _health(request: web.Request, viewer: Viewer, program_id: str) -> dashboard.ProgramHealth:
    organization_id, person_id = _who(viewer)
    services = _services(request)

    async def read(uow: UnitOfWork) -> dashboard.ProgramHealth:
        return await dashboard.program_health(
            uow,
            organization_id,
            program_id,
            person_id,
            min_group=services.min_group,
        )

    return await services.bus.read(read)


def _refused(request: web.Request, error: NotFound | PermissionDenied) -> web.Response:
    if isinstance(error, NotFound):
        return problem(
            request,
            403,
            "This dashboard is not one you can open",
            "The program it shows is not in your organization, or it was removed. Only the program's "
            "facilitators can see its dashboard.",
        )
    return problem(
        request,
        403,
        "Only this program's facilitators can see its dashboard",
        "The dashboard shows how the program is going, in figures, to the people who run it. If you should "
        "be one of them, ask a facilitator to add you (in the team's channel: 'facilitator add @you').",
    )


async def view(request: web.Request, viewer: Viewer) -> web.Response:
    program_id = _program_id(request)
    if program_id is None:
        return _bad_address(request)
    try:
        health = await _health(request, viewer, program_id)
    except (NotFound, PermissionDenied) as error:
        return _refused(request, error)
    return fragment(
        request,
        "dashboard_view.html",
        health=health,
        program=health.program,
        figures=dashboard_panels.key_figures(health),
        panels=dashboard_panels.panels(health),
        settings=dashboard.program_settings(health.program),
        csv_url=f"{BASE}/aggregates.csv?{urlencode({'program_id': program_id})}",
        csv_name=_filename(health.program.name),
    )


async def download(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    program_id = _program_id(request)
    if program_id is None:
        return _bad_address(request)
    try:
        health = await _health(request, viewer, program_id)
    except (NotFound, PermissionDenied) as error:
        return _refused(request, error)
    name = _filename(health.program.name)
    return web.Response(
        text=dashboard_panels.aggregates_csv(health),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _filename(program_name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", program_name.casefold()).strip("-")[:60] or "program"
    return f"{slug}-health.csv"


def page_url(public_url: str, program_id: str) -> str:
    """The dashboard's page for one program at `public_url` (what the report card's button opens)."""
    return f"{public_url.rstrip('/')}{BASE}?{urlencode({'program_id': program_id})}"
