"""The protocol endpoints: OIDC login, launch, the tool's key set, Canvas's JSON configuration."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from core.bus import Work
from core.commands import EnsureCourseProgram, ResolveLtiPerson
from core.errors import DomainError
from core.model import Person, Program
from core.views.launch import returning_launch
from lti import keys
from lti.adapter.cookie import set_cookie
from lti.config import LTI, SCOPES, TOOL_NAME, LtiConfig
from lti.course_pages import CoursePage, course_page, deep_link_form, read_course, render_course
from lti.login_binding import remember
from lti.pages import error_page, render
from lti.platform_storage import VERIFIED, VERIFIED_NONCE, storage_keys
from lti.session import COOKIE, LIFETIME, PageSession
from lti.tool import Launch, LaunchRefused, StorageCheck


async def login(request: web.Request) -> web.StreamResponse:
    """One unit of work: the platform's registration (usually cached), the tool's key, and the login's binding
    of its state to its nonce (`lti/login_binding.py`)."""
    config = request.app[LTI]
    try:
        async with config.bus.unit() as work:
            response = await config.tool.login(request, work)
            storage = await config.tool.storage_login(request, response, work)
            if storage is None:
                await remember(request, response, work)
    except LaunchRefused as exc:
        return error_page(request, exc.status, exc.message, framed_anywhere=exc.unknown_platform)
    if storage is None:
        return response
    keys = storage_keys(storage.state, storage.nonce)
    page = render(
        request,
        "storage_login.html",
        {
            "next": storage.next,
            "target": storage.target,
            "origin": storage.platform_origin,
            "state": storage.state,
            "nonce": storage.nonce,
            "state_key": keys[0],
            "nonce_key": keys[1],
        },
    )
    for name, morsel in response.cookies.items():  # the state cookie too, for browsers that keep it
        page.cookies[name] = morsel
    return page


async def launch(request: web.Request) -> web.StreamResponse:
    """One unit of work for the whole launch: the login's binding taken out, the launch validated and (an
    instructor's) kept, the person and the course's program resolved, and a learner's page read. A refused
    launch still commits what it took (a login binding is used once, accepted or not) and writes nothing else;
    one that core refuses keeps nothing. The page is rendered after the unit of work is closed. An instructor's
    page asks the LMS for the roster, which no transaction may wait for: it is read after, in a unit of its own."""
    config = request.app[LTI]
    refused: LaunchRefused | StorageCheck | None = None
    learner_page: CoursePage | None = None
    try:
        async with config.bus.unit() as work:
            try:
                found, cookies = await config.tool.launch(request, work)
            except (LaunchRefused, StorageCheck) as exc:
                refused = exc  # what the launch took is committed all the same
            else:
                if found.message_type not in ("LtiResourceLinkRequest", "LtiDeepLinkingRequest"):
                    return error_page(
                        request, 400, f"This tool does not handle '{found.message_type[:60]}' messages."
                    )
                learner = found.message_type == "LtiResourceLinkRequest" and not found.is_instructor
                known = await returning_launch(
                    work.uow,
                    found.organization_id,
                    found.issuer,
                    found.subject,
                    found.name,
                    found.email,
                    found.course_id,
                    found.is_instructor,
                )
                if known is not None:  # nothing to change: the person, the course and the page in one read
                    person, program, learner_page = known.person, known.program, known.page
                    session, token = _page_session(config, found, person, program)
                else:
                    person, program = await _person_and_course(work, found)
                    session, token = _page_session(config, found, person, program)
                    if learner:
                        learner_page = await read_course(config, session, work.uow, program=program)
    except DomainError as exc:  # core refused: nothing of this launch is kept
        return error_page(request, 400, exc.message)
    if isinstance(refused, StorageCheck):
        check = refused
        keys = storage_keys(check.state, check.binding.nonce)
        page = render(
            request,
            "storage_launch.html",
            {
                "id_token": check.id_token,
                "state": check.state,
                "nonce": check.binding.nonce,
                "target": check.binding.target,
                "origin": check.binding.platform_origin,
                "state_key": keys[0],
                "nonce_key": keys[1],
                "verified_state": VERIFIED,
                "verified_nonce": VERIFIED_NONCE,
            },
        )
        # The page posts the launch again to this origin; under `no-referrer` the browser would send
        # `Origin: null`, and the tool accepts that post only with its own origin.
        page.headers["Referrer-Policy"] = "same-origin"
        return page
    if isinstance(refused, LaunchRefused):
        if refused.login_params:
            query = {**refused.login_params, "lti1p3_new_window": "1"}
            retry = URL(config.url("/lti/login")).with_query(query)
            return render(
                request,
                "cookies_blocked.html",
                {"message": refused.message, "retry": str(retry)},
                refused.status,
            )
        return error_page(request, refused.status, refused.message)
    response: web.StreamResponse
    if learner:
        response = render_course(request, session, token, learner_page)
    elif found.message_type == "LtiDeepLinkingRequest":
        if not found.is_instructor:
            return error_page(request, 403, "Only instructors can add this tool to a course.")
        response = await deep_link_form(request, session, token)
    else:
        response = await course_page(request, session, token)
    cookies.update_response(response)
    set_cookie(response, COOKIE, token, int(LIFETIME.total_seconds()), config.tool.secure)
    return response


async def _person_and_course(work: Work, found: Launch) -> tuple[Person, Program]:
    person: Person = await work.handle(
        ResolveLtiPerson(found.organization_id, found.issuer, found.subject, found.name, found.email)
    )
    size = found.custom.get("group_size", "")
    program: Program = await work.handle(
        EnsureCourseProgram(
            found.organization_id,
            found.course_id,
            found.context_title,
            person.id,
            found.is_instructor,
            int(size) if size.isdigit() else None,
        )
    )
    return person, program


def _page_session(
    config: LtiConfig, found: Launch, person: Person, program: Program
) -> tuple[PageSession, str]:
    return config.sessions.new(
        config.clock.now(),
        organization_id=found.organization_id,
        person_id=person.id,
        program_id=program.id,
        instructor=found.is_instructor,
        launch_id=found.launch_id,
        issuer=found.issuer,
        client_id=found.client_id,
        section=found.section or "",
        context_id=found.context_id,
        groups_service=found.has_groups,
    )


async def jwks(request: web.Request) -> web.Response:
    config = request.app[LTI]
    async with config.bus.unit() as work:
        await keys.ensure_key(work, config.clock.now())
        found = await keys.jwks(work.uow)
    return web.json_response(found, headers={"Cache-Control": "max-age=300"})


async def canvas_json(request: web.Request) -> web.Response:
    config = request.app[LTI]
    launch_url = config.url("/lti/launch")
    return web.json_response(
        {
            "title": TOOL_NAME,
            "description": "Form peer study groups from a short questionnaire, and follow them.",
            "oidc_initiation_url": config.url("/lti/login"),
            "target_link_uri": launch_url,
            "public_jwk_url": config.url("/lti/jwks"),
            "scopes": list(SCOPES),
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "domain": URL(config.public_url).host,
                    "privacy_level": "public",
                    "settings": {
                        "placements": [
                            {
                                "placement": "course_navigation",
                                "message_type": "LtiResourceLinkRequest",
                                "text": TOOL_NAME,
                                "target_link_uri": launch_url,
                            },
                            {
                                "placement": "link_selection",
                                "message_type": "LtiDeepLinkingRequest",
                                "text": TOOL_NAME,
                                "target_link_uri": launch_url,
                            },
                        ]
                    },
                }
            ],
            "custom_fields": {"group_size": "$Canvas.custom.group_size"},
        }
    )
