"""The personal tab "My learning": the signed-in person's programs, matches, check-ins, learning log and
profile, with pause/resume, export and delete through the same commands as the bot's chat."""

from __future__ import annotations

from aiohttp import web

from bot.tabs.routes import TABS, TabServices, Viewer, fragment, shell, signed_in
from core.views.my_learning import my_learning

BASE = "/tabs/my-learning"


def setup(app: web.Application, services: TabServices) -> None:
    app.router.add_get(BASE, page)
    app.router.add_get(f"{BASE}/view", signed_in(view))


async def page(request: web.Request) -> web.Response:
    return shell(request, "my_learning.html", title="My learning", source=f"{BASE}/view")


async def view(request: web.Request, viewer: Viewer) -> web.Response:
    return await render_view(request, viewer)


async def render_view(
    request: web.Request, viewer: Viewer, *, notice: str = "", status: int = 200
) -> web.Response:
    services = request.app[TABS]
    assert viewer.person is not None  # signed_in(known_only)
    assert viewer.organization_id is not None
    organization_id, person, now = viewer.organization_id, viewer.person, services.clock.now()
    mine = await services.bus.read(lambda uow: my_learning(organization_id, person, uow, now))
    return fragment(request, "my_learning_view.html", status=status, mine=mine, notice=notice, base=BASE)
