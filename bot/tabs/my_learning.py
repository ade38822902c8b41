"""The personal tab "My learning": the signed-in person's programs, matches, check-ins, learning log and
profile, with pause/resume, profile editing, export and delete through the same commands and rules as the
bot's chat (`commands.Pause`/`Resume`/`UpdateProfile`/`ExportMyData`/`DeleteMyData` on the bus; the profile
form is checked by the bot's own `bot.forms.parse_profile`).

Every route acts for `viewer.person` only, the person the token proves: no route takes a person id, so a
colleague's token can only ever reach the colleague's own data."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web

from bot.export_file import export_bytes
from bot.forms import SKILL_ROWS, parse_profile, weeks
from bot.tabs.routes import TABS, TabServices, Viewer, fragment, problem, shell, signed_in
from core import commands
from core.errors import ConcurrentChange, DomainError, InvalidInput, NotFound
from core.model import Person, Profile
from core.ports import UnitOfWork
from core.services.availability import DAYS, as_weekly
from core.views import notes
from core.views.my_learning import MyLearning, my_learning

log = logging.getLogger("peerlearn.tabs")

BASE = "/tabs/my-learning"
EMPTY_SKILL_ROWS = 3


def setup(app: web.Application, services: TabServices) -> None:
    app.router.add_get(BASE, page)
    app.router.add_get(f"{BASE}/view", signed_in(view))
    app.router.add_post(f"{BASE}/participation", signed_in(participation))
    app.router.add_get(f"{BASE}/profile", signed_in(profile_form))
    app.router.add_post(f"{BASE}/profile", signed_in(save_profile))
    app.router.add_post(f"{BASE}/shared-notes", signed_in(shared_notes))
    app.router.add_get(f"{BASE}/export", signed_in(export))
    app.router.add_get(f"{BASE}/delete", signed_in(delete_ask))
    app.router.add_post(f"{BASE}/delete", signed_in(delete_confirm))


async def page(request: web.Request) -> web.Response:
    return shell(request, "my_learning.html", title="My learning", source=f"{BASE}/view")


def _me(viewer: Viewer) -> tuple[str, Person]:
    assert viewer.person is not None  # signed_in(known_only) let only a known person through
    assert viewer.organization_id is not None
    return viewer.organization_id, viewer.person


async def _read(request: web.Request, viewer: Viewer) -> MyLearning:
    services = request.app[TABS]
    organization_id, person = _me(viewer)
    now = services.clock.now()

    async def read(uow: UnitOfWork) -> MyLearning:
        return await my_learning(organization_id, person, uow, now)

    return await services.bus.read(read)


async def view(request: web.Request, viewer: Viewer, *, notice: str = "") -> web.Response:
    mine = await _read(request, viewer)
    return fragment(request, "my_learning_view.html", mine=mine, notice=notice, base=BASE)


def _refused(request: web.Request, error: DomainError) -> web.Response:
    status = 404 if isinstance(error, NotFound) else 409 if isinstance(error, ConcurrentChange) else 400
    return problem(request, status, "Nothing was changed", error.message)


async def participation(request: web.Request, viewer: Viewer) -> web.Response:
    organization_id, person = _me(viewer)
    form = await request.post()
    action = str(form.get("action", ""))
    bus = request.app[TABS].bus
    try:
        if action == "pause":
            count = weeks({"weeks": str(form.get("weeks", ""))})
            changed = await bus.handle(commands.Pause(organization_id, person.id, count))
            until = changed[0].paused_until if changed else None
            notice = f"Paused: you will not be matched until {until:%a %d %b %Y}." if until else "Paused."
        elif action == "resume":
            await bus.handle(commands.Resume(organization_id, person.id))
            notice = "Welcome back: you take part again from the next round."
        else:
            return problem(
                request,
                400,
                "Nothing was changed",
                f"'{action[:20]}' is not an action here: pause or resume.",
            )
    except DomainError as error:
        return _refused(request, error)
    return await view(request, viewer, notice=notice)


def _profile_values(profile: Profile | None) -> dict[str, str]:
    """The form's fields as `bot.forms.parse_profile` reads them, filled from the stored profile."""
    if profile is None:
        return {}
    values: dict[str, str] = {
        "department": profile.department or "",
        "timezone": profile.timezone,
        "hours_per_month": "" if profile.hours_per_month is None else str(profile.hours_per_month),
        "goals": profile.goals,
        "discoverable": "true" if profile.discoverable_as_expert else "false",
    }
    for direction, skills in (("teach", profile.teaches), ("learn", profile.learns)):
        for i, skill in enumerate(skills[:SKILL_ROWS]):
            values[f"{direction}_skill_{i}"], values[f"{direction}_level_{i}"] = skill.label, str(skill.level)
    weekly = as_weekly(profile.weekly_availability)
    if weekly is not None:
        values["available_days"] = ",".join(DAYS[d] for d in weekly.days)
        values["available_from"] = f"{weekly.start:02d}:00"
        values["available_to"] = f"{weekly.end % 24:02d}:00"
    return values


def _rows(values: Mapping[str, str], direction: str) -> int:
    filled = [i for i in range(SKILL_ROWS) if values.get(f"{direction}_skill_{i}")]
    return min(SKILL_ROWS, (max(filled) + 1 if filled else 0) + EMPTY_SKILL_ROWS)


def _form(
    request: web.Request, values: Mapping[str, str], errors: Mapping[str, str], status: int = 200
) -> web.Response:
    return fragment(
        request,
        "my_learning_profile.html",
        status=status,
        values=values,
        errors=errors,
        rows={"teach": _rows(values, "teach"), "learn": _rows(values, "learn")},
        days=DAYS,
        base=BASE,
    )


async def profile_form(request: web.Request, viewer: Viewer) -> web.Response:
    mine = await _read(request, viewer)
    return _form(request, _profile_values(mine.profile), {})


async def save_profile(request: web.Request, viewer: Viewer) -> web.Response:
    organization_id, person = _me(viewer)
    posted = await request.post()
    data = {key: str(value) for key, value in posted.items() if isinstance(value, str)}
    data["discoverable"] = "true" if data.get("discoverable") == "true" else "false"
    days = [str(v) for v in posted.getall("available_days", []) if isinstance(v, str)]
    data["available_days"] = ",".join(days)
    try:
        form = parse_profile(data, organization_id, person.id)
    except InvalidInput as error:  # too many fields, or a value far too long: the whole form is refused
        return _form(request, data, {"form": error.message}, status=400)
    if form.command is None:
        return _form(request, form.values, form.errors, status=400)
    try:
        await request.app[TABS].bus.handle(form.command)
    except InvalidInput as error:
        return _form(request, form.values, {error.field: error.message, "form": error.message}, status=400)
    except DomainError as error:
        return _refused(request, error)
    return await view(request, viewer, notice="Your profile is saved. The next round matches you on it.")


async def shared_notes(request: web.Request, viewer: Viewer) -> web.Response:
    """What colleagues chose to share about a skill (never a private note; authors named only if they chose)."""
    organization_id, _ = _me(viewer)
    form = await request.post()
    skill = str(form.get("skill", "")).strip()[:60]
    if not skill:
        return problem(request, 400, "Which skill?", "Type a skill to search for, e.g. sql or negotiation.")

    async def read(uow: UnitOfWork) -> list[notes.SharedNote]:
        return await notes.shared_notes(uow, organization_id, skill)

    try:
        found = await request.app[TABS].bus.read(read)
    except InvalidInput as error:
        return problem(request, 400, "Which skill?", error.message)
    return fragment(request, "my_learning_shared_notes.html", skill=skill, found=found, base=BASE)


async def export(request: web.Request, viewer: Viewer) -> web.Response:
    organization_id, person = _me(viewer)
    data = await request.app[TABS].bus.handle(commands.ExportMyData(organization_id, person.id))
    return web.Response(
        body=export_bytes(data),
        content_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="peerlearn-my-data.json"',
            "Cache-Control": "no-store",
        },
    )


async def delete_ask(request: web.Request, viewer: Viewer) -> web.Response:
    return fragment(request, "my_learning_delete.html", base=BASE)


async def delete_confirm(request: web.Request, viewer: Viewer) -> web.Response:
    organization_id, person = _me(viewer)
    form = await request.post()
    if form.get("confirm") != "delete":
        return problem(
            request,
            400,
            "Nothing was deleted",
            "Deleting your data needs the confirmation button on the previous page. Nothing was changed.",
        )
    try:
        await request.app[TABS].bus.handle(commands.DeleteMyData(organization_id, person.id))
    except DomainError as error:
        return _refused(request, error)
    log.info("tab: a person deleted their data")
    return fragment(request, "my_learning_deleted.html", bot_id=request.app[TABS].bot_id)
