"""The pages inside the course: the instructor's (settings, roster, groups) and the learner's
(questionnaire, then their group). Every read is scoped to the session's organization and program."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from markupsafe import Markup, escape

from core.errors import DomainError
from core.model import DEFAULT_CODE_OF_CONDUCT
from core.model.program_options import CRITERIA, ProgramOptions
from core.model.programs import Program
from core.ports import UnitOfWork
from core.services.courses import SWITCHABLE
from core.views import course_pages
from core.views.courses import RosterMember
from lti import services
from lti.config import LTI, LtiConfig
from lti.pages import error_page, render
from lti.questionnaire import Answers, zone_options
from lti.session import PageSession, SessionRefused
from lti.tool import LaunchRefused

CRITERIA_LABELS = {
    "no_isolated_member": (
        "Don't leave anyone alone from their section",
        "In a group with several sections, each learner has at least one classmate from their own section.",
    ),
    "avoid_previous_groupmates": (
        "Avoid previous groupmates",
        "When you form groups again, learners who were together before are put with new people where possible.",
    ),
}
NEEDS_SECTIONS = frozenset({"no_isolated_member"})


@dataclass(frozen=True)
class Criterion:
    name: str
    label: str
    hint: str
    on: bool
    shown: bool


def criteria_for(options: ProgramOptions, has_sections: bool) -> list[Criterion]:
    """The criteria an instructor can switch here, each explained in one line; a criterion about sections is
    hidden in a course without sections (its value is kept)."""
    values = options.criteria
    return [
        Criterion(
            name,
            *CRITERIA_LABELS[name],
            bool(values.get(name)),
            name in SWITCHABLE and (has_sections or name not in NEEDS_SECTIONS),
        )
        if name in CRITERIA_LABELS
        else Criterion(name, name, "", bool(values.get(name)), False)
        for name in CRITERIA
    ]


def has_sections(options: ProgramOptions, section: str) -> bool:
    return bool(section) or options.has_sections()


def _deadline(options: ProgramOptions) -> str:
    return options.questionnaire_deadline.isoformat() if options.questionnaire_deadline else ""


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GRID_HOURS = tuple(range(8, 22, 2))  # two-hour blocks, 08:00–22:00, in the learner's time zone


def _grid_cells() -> tuple[tuple[tuple[int, str], ...], ...]:
    """Each row of the availability grid: its header, then each cell as (slot, markup up to where `checked`
    goes). Built once: the grid is 49 cells, and the template spent more on them than on the rest of the page."""
    rows = []
    for h in GRID_HOURS:
        span = f"{h:02d}–{h + 2:02d}"
        cells = [(-1, f'<tr><th scope="row">{span}</th>\n    ')]
        for i, day in enumerate(DAYS):
            slot = i * 24 + h
            cells.append(
                (
                    slot,
                    f'<td><input type="checkbox" name="slot" value="{slot}" id="s-{i}-{h}" '
                    f'aria-label="{escape(day)} {h:02d}:00 to {h + 2:02d}:00"',
                )
            )
        rows.append(tuple(cells))
    return tuple(rows)


_GRID = _grid_cells()


def availability_grid(slots: Collection[int]) -> Markup:
    """The grid's rows, with the learner's blocks ticked."""
    out = []
    for row in _GRID:
        for slot, markup in row:
            if slot < 0:
                out.append(markup)
            else:
                out.append(f"{markup}{' checked' if slot in slots else ''}></td>")
        out.append("</tr>")
    # Every value in the markup is a number or was escaped when the grid was built.
    return Markup("".join(out))  # noqa: S704


def _base(session: PageSession, token: str, request: web.Request) -> dict[str, Any]:
    config = request.app[LTI]
    return {"session": token, "csrf": config.sessions.csrf(token), "instructor": session.instructor}


CoursePage = course_pages.InstructorPage | course_pages.LearnerPage


async def read_course(
    config: LtiConfig,
    session: PageSession,
    uow: UnitOfWork,
    members: list[RosterMember] | None = None,
    program: Program | None = None,
) -> CoursePage | None:
    """What the course page shows, read in the request's open unit of work: the instructor's page (with the
    LMS roster `members`, fetched before), or the learner's; None when the course's program is gone.
    `program`: the course's program, when the caller has just read it (the launch)."""
    org, program_id = session.organization_id, session.program_id
    if session.instructor:
        return await course_pages.instructor_page(
            uow, org, program_id, session.issuer, members or [], min_group=config.min_group, program=program
        )
    return await course_pages.learner_page(uow, org, program_id, session.person_id, program=program)


async def roster_of(config: LtiConfig, session: PageSession) -> tuple[list[RosterMember] | None, str]:
    """The course's LMS roster for the instructor's page, and why it is missing when it is: from the cache, or
    from the LMS with no unit of work open while it answers (the kept launch is read in a short one first)."""

    async def fetch() -> list[RosterMember] | None:
        async with config.bus.unit() as work:
            launch = await services.kept_launch(config.tool, work, session)
        return await services.roster(config.tool, launch)

    try:
        return await config.rosters.get((session.organization_id, session.program_id), fetch), ""
    except LaunchRefused as exc:
        return None, exc.message


async def course_page(
    request: web.Request,
    session: PageSession,
    token: str,
    notice: str = "",
    *,
    alert: str = "",
    answers: Answers | None = None,
    errors: dict[str, str] | None = None,
    checkin: dict[str, str] | None = None,
) -> web.Response:
    """The course page, read in one unit of work (an instructor's roster is asked of the LMS before it);
    `answers` and `errors` show a questionnaire sent back with mistakes (status 400)."""
    config = request.app[LTI]
    members, roster_error = await roster_of(config, session) if session.instructor else (None, "")
    page = await config.bus.read(lambda uow: read_course(config, session, uow, members))
    return render_course(
        request,
        session,
        token,
        page,
        notice,
        alert=alert,
        answers=answers,
        errors=errors,
        checkin=checkin,
        roster_available=members is not None,
        roster_error=roster_error,
    )


def render_course(
    request: web.Request,
    session: PageSession,
    token: str,
    page: CoursePage | None,
    notice: str = "",
    *,
    alert: str = "",
    answers: Answers | None = None,
    errors: dict[str, str] | None = None,
    checkin: dict[str, str] | None = None,
    roster_available: bool = False,
    roster_error: str = "",
) -> web.Response:
    """The course page from what `read_course` read (rendered after the unit of work is closed)."""
    config = request.app[LTI]
    if page is None:
        return _gone(request)
    context = {**_base(session, token, request), "notice": notice, "alert": alert}
    if isinstance(page, course_pages.InstructorPage):
        settings = page.program.settings
        context.update(
            program=page.program,
            overview=page.overview,
            roster=page.roster,
            roster_available=roster_available,
            roster_error=roster_error,
            criteria=criteria_for(settings, has_sections(settings, session.section)),
            deadline=_deadline(settings),
            lms_groups=api.lms_name
            if (api := config.group_api(session.issuer)) and session.context_id
            else "",
            course_groups=session.groups_service,
        )
        return render(request, "instructor.html", context)
    enrollment, profile = page.enrollment, page.profile
    context.update(
        answered=enrollment is not None,
        editing=request.query.get("edit") == "1" or enrollment is None or (bool(errors) and checkin is None),
        profile=profile,
        answers=answers or Answers.of(profile, enrollment is not None),
        errors=errors or {},
        checkin=checkin or {},
        zone_options=zone_options,
        program=page.program,
        group=page.group,
        days=list(enumerate(DAYS)),
        grid=availability_grid,
        code_of_conduct=DEFAULT_CODE_OF_CONDUCT,
        deadline=_deadline(page.program.settings),
    )
    return render(request, "learner.html", context, 400 if errors else 200)


def _gone(request: web.Request) -> web.Response:
    return error_page(request, 404, "This course's groups are not here any more; launch the tool again.")


async def deep_link_form(request: web.Request, session: PageSession, token: str) -> web.Response:
    return render(request, "deep_link.html", {**_base(session, token, request), "sizes": range(3, 7)})


async def show_course(request: web.Request) -> web.StreamResponse:
    config = request.app[LTI]
    try:
        session, token = await config.sessions.from_request(request, config.clock.now())
        # A notice comes with the session in the link (our own redirects): a link made elsewhere, which cannot
        # know the session, cannot put its words on the page of someone whose browser has the cookie.
        shown = "s" in request.query
        notice = request.query.get("notice", "")[:400] if shown else ""
        alert = request.query.get("alert", "")[:600] if shown else ""
        return await course_page(request, session, token, notice, alert=alert)
    except SessionRefused as exc:
        return error_page(request, exc.status, exc.message)
    except DomainError as exc:
        return error_page(request, 400, exc.message)
