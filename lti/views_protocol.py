"""The protocol endpoints: OIDC login, launch, the tool's key set, Canvas's JSON configuration."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from core import commands
from core.commands import EnsureCourseProgram
from core.errors import DomainError
from core.services.courses import ensure_course_program
from core.services.identity import resolve_lti_person
from lti import keys
from lti.adapter.cookie import set_cookie
from lti.config import LTI, SCOPES, TOOL_NAME
from lti.course_pages import course_page, deep_link_form
from lti.pages import error_page, render
from lti.platform_storage import VERIFIED, VERIFIED_NONCE, storage_keys
from lti.session import COOKIE, LIFETIME
from lti.tool import LaunchRefused, StorageCheck


async def login(request: web.Request) -> web.StreamResponse:
    config = request.app[LTI]
    try:
        response = await config.tool.login(request)
        storage = await config.tool.storage_login(request, response)
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
    config = request.app[LTI]
    try:
        found, cookies = await config.tool.launch(request)
    except StorageCheck as check:
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
    except LaunchRefused as exc:
        if exc.login_params:
            retry = URL(config.url("/lti/login")).with_query({**exc.login_params, "lti1p3_new_window": "1"})
            return render(
                request, "cookies_blocked.html", {"message": exc.message, "retry": str(retry)}, exc.status
            )
        return error_page(request, exc.status, exc.message)
    if found.message_type not in ("LtiResourceLinkRequest", "LtiDeepLinkingRequest"):
        return error_page(request, 400, f"This tool does not handle '{found.message_type[:60]}' messages.")
    learner_page = found.message_type == "LtiResourceLinkRequest" and not found.is_instructor
    uow = config.uow_factory()
    response: web.StreamResponse | None = None
    try:
        # One unit of work: the person and the course's program, then (for a learner) the page's reads. An
        # instructor's page first asks the LMS for the roster, which must not hold a transaction: it reads in
        # its own unit of work after this one.
        async with uow:
            person = await resolve_lti_person(
                commands.ResolveLtiPerson(
                    found.organization_id, found.issuer, found.subject, found.name, found.email
                ),
                uow,
            )
            size = found.custom.get("group_size", "")
            program = await ensure_course_program(
                EnsureCourseProgram(
                    found.organization_id,
                    found.course_id,
                    found.context_title,
                    person.id,
                    found.is_instructor,
                    int(size) if size.isdigit() else None,
                ),
                uow,
            )
            await uow.commit()
            session, token = config.sessions.new(
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
            if learner_page:
                response = await course_page(request, session, token, uow=uow, program=program)
    except DomainError as exc:
        return error_page(request, 400, exc.message)
    if response is None and found.message_type == "LtiDeepLinkingRequest":
        if not found.is_instructor:
            return error_page(request, 403, "Only instructors can add this tool to a course.")
        response = await deep_link_form(request, session, token)
    elif response is None:
        response = await course_page(request, session, token)
    cookies.update_response(response)
    set_cookie(response, COOKIE, token, int(LIFETIME.total_seconds()), config.tool.secure)
    return response


async def jwks(request: web.Request) -> web.Response:
    config = request.app[LTI]
    await keys.ensure_key(config.store, config.clock.now())
    return web.json_response(await keys.jwks(config.store), headers={"Cache-Control": "max-age=300"})


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
