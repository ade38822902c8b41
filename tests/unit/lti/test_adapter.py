"""The pure pieces of the aiohttp adapter for pylti1p3: no network, no database."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from pylti1p3.registration import Registration

from core.model.platforms import PlatformRegistration
from lti.adapter.cookie import AiohttpCookieService, set_cookie
from lti.adapter.redirect import AiohttpRedirect
from lti.adapter.request import AiohttpRequest
from lti.adapter.service_connector import AiohttpServiceConnector
from lti.adapter.tool_config import KEY_SET_TTL, DbToolConf
from lti.bridge import Timeout, run_blocking
from lti.keys import generate_key, public_jwk
from lti.tool import CLAIM, _to_launch

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
KEY = generate_key(NOW, key_size=1024)  # small: these tests only check that the key is handed over
ISS = "https://lms.example.edu"


def registration(**changes: object) -> PlatformRegistration:
    fields: dict[str, object] = {
        "id": "reg-1",
        "organization_id": "org-lms",
        "issuer": ISS,
        "client_id": "client-1",
        "auth_login_url": f"{ISS}/auth",
        "auth_token_url": f"{ISS}/token",
        "key_set_url": f"{ISS}/jwks",
        "deployment_ids": frozenset({"dep-1"}),
        **changes,
    }
    return PlatformRegistration(**fields)  # type: ignore[arg-type]


# --- request, cookies, redirects -----------------------------------------------------------------


def test_a_missing_parameter_reads_as_empty_and_cookies_are_kept() -> None:
    request = AiohttpRequest({"iss": ISS}, {"a": "1"}, secure=True)
    assert request.get_param("iss") == ISS and request.get_param("nope") == ""
    assert request.get_cookie("a") == "1" and request.get_cookie("b") is None
    assert request.is_secure() and request.session is None


def test_over_https_a_cookie_survives_the_lms_iframe() -> None:
    response = web.Response()
    set_cookie(response, "c", "v", 60, secure=True)
    header = response.cookies["c"].OutputString()
    assert "SameSite=None" in header and "Secure" in header and "Partitioned" in header
    assert "HttpOnly" in header and "Path=/" in header


def test_over_plain_http_a_cookie_is_lax_because_browsers_refuse_samesite_none_without_secure() -> None:
    response = web.Response()
    set_cookie(response, "c", "v", None, secure=False)
    header = response.cookies["c"].OutputString()
    assert "SameSite=Lax" in header and "Secure" not in header and "Partitioned" not in header


def test_the_cookie_service_prefixes_names_and_sets_them_on_the_redirect() -> None:
    cookies = AiohttpCookieService(AiohttpRequest({}, {"lti1p3-state-x": "1"}, secure=False))
    assert cookies.get_cookie("state-x") == "1"
    cookies.set_cookie("state-y", "2", 120)
    response = AiohttpRedirect(f"{ISS}/auth?x=1", cookies).do_redirect()
    assert response.status == 302 and response.headers["Location"] == f"{ISS}/auth?x=1"
    assert response.cookies["lti1p3-state-y"].value == "2"


def test_a_script_free_redirect_escapes_its_target() -> None:
    page = AiohttpRedirect('https://lms.example.edu/a?b=1&c="><script>').do_js_redirect().text or ""
    assert "<script>" not in page and "&amp;c=&quot;&gt;&lt;script&gt;" in page


# --- tool configuration --------------------------------------------------------------------------


def test_the_registration_is_found_only_for_its_issuer_and_client_id() -> None:
    conf = DbToolConf(registration(), KEY, NOW)
    found = conf.find_registration_by_params(ISS, "client-1")
    assert found is not None and found.get_auth_token_url() == f"{ISS}/token"
    assert found.get_tool_private_key() == KEY.private_pem
    assert conf.find_registration_by_issuer(ISS) is not None
    assert conf.find_registration_by_params(ISS, "client-2") is None
    assert conf.find_registration_by_params("https://evil.example", "client-1") is None
    assert DbToolConf(None, KEY, NOW).find_registration_by_issuer(ISS) is None


def test_only_registered_deployments_are_found() -> None:
    conf = DbToolConf(registration(), KEY, NOW)
    assert conf.find_deployment(ISS, "dep-1") is not None
    assert conf.find_deployment(ISS, "dep-2") is None
    assert conf.find_deployment_by_params(ISS, "dep-1", "client-2") is None


@pytest.mark.parametrize(("age", "used"), [(timedelta(hours=1), True), (KEY_SET_TTL, False)])
def test_a_cached_platform_key_set_is_used_while_fresh(age: timedelta, used: bool) -> None:
    key_set = {"keys": [dict(public_jwk(KEY.public_pem))]}
    conf = DbToolConf(registration(key_set=key_set, key_set_fetched_at=NOW - age), KEY, NOW)
    found = conf.find_registration_by_params(ISS, "client-1")
    assert found is not None and conf.cached_key_set is used
    assert (found.get_key_set() == key_set) is used


def test_access_tokens_of_two_clients_of_one_issuer_are_cached_apart() -> None:
    def connector(client_id: str) -> AiohttpServiceConnector:
        return AiohttpServiceConnector(Registration().set_issuer(ISS).set_client_id(client_id))

    one, two = connector("client-1"), connector("client-2")
    scopes = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    assert one._scope_key(scopes) != two._scope_key(scopes)
    one._cache_access_token(one._scope_key(scopes), "token-1", 3600)
    assert one._get_cached_access_token(one._scope_key(scopes)) == "token-1"
    assert two._get_cached_access_token(two._scope_key(scopes)) is None
    one._cache_access_token(one._scope_key(["x"]), "soon-gone", 10)  # expires within the 30 s margin
    assert one._get_cached_access_token(one._scope_key(["x"])) is None


# --- launches ------------------------------------------------------------------------------------


def test_a_launch_becomes_a_plain_value_with_the_course_scoped_to_its_deployment() -> None:
    body = {
        "sub": "sub-lea",
        "given_name": "Lea",
        "email": "lea@example.edu",
        f"{CLAIM}deployment_id": "dep-1",
        f"{CLAIM}message_type": "LtiResourceLinkRequest",
        f"{CLAIM}roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#TeachingAssistant"],
        f"{CLAIM}context": {"id": "course-101", "label": "ALG"},
        f"{CLAIM}lis": {"course_section_sourcedid": "B"},
        f"{CLAIM}custom": {"group_size": 5},
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {},
    }
    launch = _to_launch(registration(), "launch-1", body)
    assert (launch.name, launch.email, launch.section) == ("Lea", "lea@example.edu", "B")
    assert launch.course_id == "dep-1:course-101" and launch.context_title == "ALG"
    assert launch.is_instructor and launch.custom == {"group_size": "5"}
    assert launch.has_nrps and not launch.has_ags


def test_a_bare_launch_gets_safe_defaults() -> None:
    launch = _to_launch(registration(), "l", {"sub": "s", "email": 42, f"{CLAIM}custom": "x"})
    assert (launch.name, launch.email, launch.context_title, launch.custom) == (
        "Course member",
        None,
        "Course",
        {},
    )
    assert not launch.is_instructor and launch.roles == ()


def test_a_learner_role_is_not_staff() -> None:
    body = {f"{CLAIM}roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]}
    assert not _to_launch(registration(), "l", body).is_instructor


# --- off the event loop --------------------------------------------------------------------------


async def test_a_blocking_call_that_takes_too_long_becomes_a_timeout() -> None:
    with pytest.raises(Timeout, match="within 0 seconds"):
        await run_blocking(lambda: time.sleep(0.3), limit=0.05)
    assert await run_blocking(lambda: 7, limit=1) == 7
