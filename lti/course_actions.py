"""What the course pages post. Each action checks the session, its CSRF token and (for instructor actions)
the launch's role, runs one core use case, and redirects back to the page with a notice."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Awaitable, Callable
from datetime import date

from aiohttp import web
from aiohttp.web_request import FileField
from multidict import MultiDictProxy

from core import commands
from core.commands import MoveMember, SaveQuestionnaire, UpdateCourseSettings
from core.errors import DomainError, InvalidInput
from core.model.program_options import CRITERIA
from core.services.rounds import LocalRounds
from core.views import course_pages
from core.views import courses as course_views
from core.views.courses import LearnerScore
from core.views.reports import OpenConcern, facilitator_report
from lti import services
from lti.config import LTI, LtiConfig
from lti.course_pages import course_page
from lti.pages import error_page, render
from lti.publish_actions import LmsGroupsFailed
from lti.questionnaire import Answers, to_command
from lti.questionnaire import read as read_answers
from lti.session import PageSession, SessionRefused
from lti.tool import LaunchRefused

Form = MultiDictProxy[str | bytes | bytearray | FileField]
# The core's field names for the questionnaire, as the ids of the fields on the page.
FIELDS = {"timezone": "timezone", "goals": "goals", "code_of_conduct": "code_of_conduct", "skills": "learn_0"}
Action = Callable[[LtiConfig, PageSession, Form], Awaitable[str]]


def action(fn: Action, *, instructor: bool) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        config = request.app[LTI]
        try:
            session, token = await config.sessions.from_request(request, config.clock.now())
            if instructor and not session.instructor:
                raise SessionRefused(403, "Only the course's instructors can do this.")
            notice = await fn(config, session, await request.post())
        except LmsGroupsFailed as exc:
            location = (
                request.app.router["lti_course"].url_for().with_query({"s": token, "alert": exc.message})
            )
            raise web.HTTPSeeOther(location) from exc
        except SessionRefused as exc:
            return error_page(request, exc.status, exc.message)
        except (DomainError, LaunchRefused) as exc:
            return error_page(
                request, 400 if isinstance(exc, DomainError) else exc.status, exc.message, back=token
            )
        location = request.app.router["lti_course"].url_for().with_query({"s": token, "notice": notice})
        raise web.HTTPSeeOther(location)

    # The route's handler reads as the action it runs (`__wrapped__`, `__name__`): logs, and the test that
    # every action has a unit test, see which.
    return functools.update_wrapper(handler, fn)


def _text(form: Form, name: str, limit: int = 500) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def _int(form: Form, name: str, low: int, high: int) -> int:
    raw = _text(form, name, 10)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidInput(name, f"'{raw}' is not a number from {low} to {high}.")
    return int(raw)


async def save_settings(config: LtiConfig, session: PageSession, form: Form) -> str:
    raw = _text(form, "deadline", 10)
    try:
        deadline = date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise InvalidInput("deadline", f"The deadline '{raw}' is not a date like 2026-12-01.") from exc
    await config.bus.handle(
        UpdateCourseSettings(
            session.organization_id,
            session.program_id,
            session.person_id,
            _int(form, "group_size", 3, 6),
            frozenset(c for c in CRITERIA if form.get(c) == "on"),
            deadline,
        )
    )
    return "Settings saved."


async def form_groups(config: LtiConfig, session: PageSession, form: Form) -> str:
    runner = config.rounds or LocalRounds(config.bus)
    outcome = await runner.run(
        commands.RunRound(session.organization_id, session.program_id, session.person_id)
    )
    return (
        f"Formed {outcome.pairings} draft groups; {len(outcome.unmatched)} learners are not in a group yet."
    )


async def move(config: LtiConfig, session: PageSession, form: Form) -> str:
    await config.bus.handle(
        MoveMember(
            session.organization_id,
            session.program_id,
            session.person_id,
            _text(form, "person_id", 64),
            _text(form, "to_group", 64),
        )
    )
    return "Member moved."


def _instructor(session: PageSession, refusal: str) -> None:
    if not session.instructor:
        raise SessionRefused(403, refusal)


async def scores_to_review(config: LtiConfig, session: PageSession) -> list[LearnerScore]:
    """Each learner's participation as "Send participation to gradebook" would send it, with why."""
    _instructor(session, "Only the course's instructors can send scores to the gradebook.")
    return await config.bus.read(
        lambda uow: course_views.participation_details(
            uow, session.organization_id, session.program_id, session.issuer
        )
    )


async def review_scores(request: web.Request) -> web.StreamResponse:
    """What "Send participation to gradebook" will send, to each learner and why, before anything is sent."""
    config = request.app[LTI]
    try:
        session, token = await config.sessions.from_request(request, config.clock.now())
        rows = await scores_to_review(config, session)
    except SessionRefused as exc:
        return error_page(request, exc.status, exc.message)
    context = {
        "session": token,
        "csrf": config.sessions.csrf(token),
        "rows": rows,
        "sendable": sum(1 for r in rows if r.lms_user_id),
    }
    return render(request, "scores.html", context)


async def send_scores(config: LtiConfig, session: PageSession, form: Form) -> str:
    if form.get("confirm") != "yes":
        raise InvalidInput(
            "confirm", "Review the scores first: use “Send participation to gradebook” on the course page."
        )
    async with config.bus.unit() as work:  # what to send, and the launch to send it with; then the LMS
        rows = await course_views.participation_details(
            work.uow, session.organization_id, session.program_id, session.issuer
        )
        launch = await services.kept_launch(config.tool, work, session)
    by_subject = {r.lms_user_id: r.score for r in rows if r.lms_user_id}
    sent = await services.send_scores(config.tool, launch, by_subject, config.clock.now())
    if not sent:
        return "Nothing was sent: this launch offers no gradebook service, or no learner has answered yet."
    return f"Sent participation for {sent} learner{'' if sent == 1 else 's'} to the gradebook."


async def save_answers(config: LtiConfig, session: PageSession, form: Form) -> tuple[Answers, dict[str, str]]:
    """Reads and saves the learner's answers: the answers as sent, and each mistake by the id of its field
    (nothing saved when there is one). Raises `DomainError` for a refusal that is not about a field."""
    answers, errors = read_answers(form, form.getall("slot", []))
    if errors:
        return answers, errors
    try:
        await config.bus.handle(
            SaveQuestionnaire(
                session.organization_id,
                session.program_id,
                to_command(answers, session.organization_id, session.person_id),
                1,
                session.section or None,
            )
        )
    except InvalidInput as exc:
        errors[FIELDS.get(exc.field, "goals")] = exc.message
    return answers, errors


async def questionnaire(request: web.Request) -> web.StreamResponse:
    """Saves the learner's answers; with any mistake, the page comes back with every answer kept and each
    mistake under its field (status 400)."""
    config = request.app[LTI]
    try:
        session, token = await config.sessions.from_request(request, config.clock.now())
    except SessionRefused as exc:
        return error_page(request, exc.status, exc.message)
    try:
        answers, errors = await save_answers(config, session, await request.post())
    except DomainError as exc:
        return error_page(request, 400, exc.message, back=token)
    if not errors:
        location = (
            request.app.router["lti_course"]
            .url_for()
            .with_query({"s": token, "notice": "Thank you: your answers are saved."})
        )
        raise web.HTTPSeeOther(location)
    return await course_page(request, session, token, answers=answers, errors=errors)


async def submit_checkin(
    config: LtiConfig, session: PageSession, form: Form
) -> tuple[dict[str, str], dict[str, str]]:
    """Reads and records a learner's check-in: what they wrote, and each mistake by field (nothing recorded
    when there is one). Raises `DomainError` when core refuses it."""
    sent = {name: _text(form, name, 2000) for name in ("met", "usefulness", "learned", "blockers")}
    errors: dict[str, str] = {}
    if sent["met"] not in ("yes", "no"):
        errors["met"] = "Say whether your group met: yes or no."
    elif sent["met"] == "yes" and sent["usefulness"] not in ("1", "2", "3", "4", "5"):
        errors["usefulness"] = "Say how useful the meeting was, from 1 to 5."
    if errors:
        return sent, errors
    met = sent["met"] == "yes"
    await config.bus.handle(
        commands.SubmitCheckIn(
            session.organization_id,
            _text(form, "group", 64),
            session.person_id,
            met,
            int(sent["usefulness"]) if met else None,
            learned=sent["learned"],
            blockers=sent["blockers"],
        )
    )
    return sent, errors


async def check_in(request: web.Request) -> web.StreamResponse:
    """A learner's check-in; with a mistake, the page comes back with what they wrote (status 400)."""
    config = request.app[LTI]
    try:
        session, token = await config.sessions.from_request(request, config.clock.now())
    except SessionRefused as exc:
        return error_page(request, exc.status, exc.message)
    try:
        sent, errors = await submit_checkin(config, session, await request.post())
    except DomainError as exc:
        return error_page(request, 400, exc.message, back=token)
    if not errors:
        location = (
            request.app.router["lti_course"]
            .url_for()
            .with_query({"s": token, "notice": "Thanks for your check-in and feedback."})
        )
        raise web.HTTPSeeOther(location)
    return await course_page(request, session, token, errors=errors, checkin=sent)


async def note(config: LtiConfig, session: PageSession, form: Form) -> str:
    """A learner's confidential note, read only by the course's instructors (the program's facilitators)."""
    async with config.bus.unit() as work:
        group = await course_views.my_group(
            work.uow, session.organization_id, session.program_id, session.person_id
        )
        await work.handle(
            commands.RaiseConcern(
                session.organization_id,
                session.program_id,
                session.person_id,
                _text(form, "note", 2000),
                group.id if group is not None and group.id == _text(form, "group", 64) else None,
            )
        )
    return "Your note was sent to the course's instructors only."


async def open_notes(config: LtiConfig, session: PageSession) -> list[OpenConcern]:
    """The course's open confidential notes, for its instructors."""
    _instructor(session, "Only the course's instructors read the confidential notes.")
    report = await config.bus.read(
        lambda uow: facilitator_report(session.organization_id, session.program_id, session.person_id, uow)
    )
    return list(report.open_concerns)


async def notes(request: web.Request) -> web.StreamResponse:
    config = request.app[LTI]
    try:
        session, token = await config.sessions.from_request(request, config.clock.now())
        found = await open_notes(config, session)
    except SessionRefused as exc:
        return error_page(request, exc.status, exc.message)
    except DomainError as exc:
        return error_page(request, 403, exc.message)
    return render(request, "notes.html", {"session": token, "notes": found})


async def groups_csv(config: LtiConfig, session: PageSession) -> str:
    """The course's groups as CSV: each member with their group, its status, their LMS user id and email and
    the group's reasons; then the learners not in a group."""
    _instructor(session, "Only the course's instructors can export the groups.")
    rows = await config.bus.read(
        lambda uow: course_pages.course_export(
            uow, session.organization_id, session.program_id, session.issuer
        )
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["group", "status", "member", "lms_user_id", "email", "reasons"])
    for row in rows:
        writer.writerow(
            [
                "" if row.group is None else row.group,
                row.status,
                row.name,
                row.lms_user_id,
                row.email,
                " | ".join(row.reasons),
            ]
        )
    return out.getvalue()


async def export_csv(request: web.Request) -> web.StreamResponse:
    config = request.app[LTI]
    try:
        session, _ = await config.sessions.from_request(request, config.clock.now())
        text = await groups_csv(config, session)
    except SessionRefused as exc:
        return error_page(request, exc.status, exc.message)
    return web.Response(
        text=text,
        content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="study-groups.csv"'},
    )


async def deep_link_reply(config: LtiConfig, session: PageSession, form: Form) -> tuple[str, str]:
    """The signed deep-linking response for the group size and title chosen, and where it is posted."""
    _instructor(session, "Only instructors can add this tool to a course.")
    size = _int(form, "group_size", 3, 6)
    title = _text(form, "title", 100).strip() or "Peer study groups"
    async with config.bus.unit() as work:
        launch = await services.kept_launch(config.tool, work, session)
    return await services.deep_link_response(config.tool, launch, title, {"group_size": str(size)})


async def deep_link(request: web.Request) -> web.StreamResponse:
    config = request.app[LTI]
    try:
        session, _ = await config.sessions.from_request(request, config.clock.now())
        jwt_value, return_url = await deep_link_reply(config, session, await request.post())
    except SessionRefused as exc:
        return error_page(request, exc.status, exc.message)
    except (DomainError, LaunchRefused) as exc:
        return error_page(request, 400 if isinstance(exc, DomainError) else exc.status, exc.message)
    return render(request, "deep_link_return.html", {"return_url": return_url, "jwt": jwt_value})
