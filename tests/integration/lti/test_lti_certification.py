"""The tool test cases of 1EdTech's LTI 1.3 conformance (certification) guide, run offline against a real
platform implementation (`lti1p3platform`, `tests/support/lti/platform.py`): each known-bad payload is signed
by the platform with one thing wrong and must get a 4xx page that says what is wrong, in words, never a 5xx;
each valid launch variant must get the right page. `docs/LTI.md` lists the same cases in a table."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest

from tests.support.lti.flows import launch, launch_form, tokens
from tests.support.lti.platform import DEEP_LINK_DATA, parse_form
from tests.support.lti.world import World

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
Edit = Callable[[dict[str, Any], dict[str, Any]], None]


def drop(*names: str) -> Edit:
    def edit(claims: dict[str, Any], header: dict[str, Any]) -> None:
        for name in names:
            claims.pop(name, None)

    return edit


def put(**values: Any) -> Edit:
    def edit(claims: dict[str, Any], header: dict[str, Any]) -> None:
        claims.update({k.replace("__", "/"): v for k, v in values.items()})

    return edit


def claim(name: str, value: Any) -> Edit:
    def edit(claims: dict[str, Any], header: dict[str, Any]) -> None:
        claims[name] = value

    return edit


def header(**values: Any) -> Edit:
    def edit(claims: dict[str, Any], head: dict[str, Any]) -> None:
        for key, value in values.items():
            if value is None:
                head.pop(key, None)
            else:
                head[key] = value

    return edit


def only_lti_free_claims(claims: dict[str, Any], head: dict[str, Any]) -> None:
    for name in [n for n in claims if n.startswith("https://purl.imsglobal.org/")]:
        del claims[name]


def times(iat: int, exp: int | None) -> Edit:
    def edit(claims: dict[str, Any], head: dict[str, Any]) -> None:
        claims["iat"] = claims["iat"] + iat
        if exp is None:
            claims.pop("exp", None)
        else:
            claims["exp"] = claims["iat"] + exp

    return edit


@dataclass(frozen=True)
class Bad:
    edit: Edit
    status: int
    words: str


BAD_PAYLOADS = {
    "no kid in the JWT header": Bad(header(kid=None), 401, "does not name its key"),
    "an incorrect kid in the JWT header": Bad(
        header(kid="not-a-platform-key"), 401, "that the LMS does not publish"
    ),
    "a wrong LTI version": Bad(claim(f"{CLAIM}version", "1.2.0"), 400, "says LTI version &#39;1.2.0&#39;"),
    "no LTI version": Bad(drop(f"{CLAIM}version"), 400, "does not say its LTI version"),
    "an invalid message type": Bad(claim(f"{CLAIM}message_type", "LtiMadeUpRequest"), 400, "does not handle"),
    "no LTI claims at all": Bad(only_lti_free_claims, 400, "which installation of the tool"),
    "timestamps in the future": Bad(times(3600, 300), 401, "issued in the future"),
    "an expired token": Bad(times(-3600, 300), 401, "has expired"),
    "no exp": Bad(times(0, None), 401, "no &#39;exp&#39; time"),
    "no message_type": Bad(drop(f"{CLAIM}message_type"), 400, "what kind of LTI message"),
    "no roles claim": Bad(drop(f"{CLAIM}roles"), 400, "your role in the course"),
    "no deployment_id": Bad(drop(f"{CLAIM}deployment_id"), 400, "which installation of the tool"),
    "no resource_link id": Bad(
        claim(f"{CLAIM}resource_link", {"title": "x"}), 400, "which link in the course"
    ),
    "no subject (sub)": Bad(drop("sub"), 400, "does not say who you are"),
    "a second, untrusted audience": Bad(
        put(aud=["peerlearn-client", "https://other.example/client"]), 401, "which this tool does not trust"
    ),
    "several audiences without azp": Bad(
        put(aud=["peerlearn-client", "peerlearn-client"], azp=None),
        401,
        "does not name the one it was issued to",
    ),
    "azp naming another client": Bad(put(azp="someone-else"), 401, "issued to another client"),
    "aud naming only another client": Bad(
        put(aud="someone-else", azp="someone-else"), 401, "not for a platform"
    ),
}


@pytest.mark.parametrize("case", list(BAD_PAYLOADS), ids=list(BAD_PAYLOADS))
async def test_a_known_bad_payload_gets_a_4xx_page_that_says_what_is_wrong(world: World, case: str) -> None:
    bad = BAD_PAYLOADS[case]
    world.platform.tamper = bad.edit
    async with world.client() as client:
        action, fields = await launch_form(client, world.platform, "learner-1")
        response = await client.post(action, data=fields)
        page = await response.text()
    assert response.status == bad.status, page
    assert bad.words in page, page
    assert 'role="alert"' in page and "Traceback" not in page
    # The page may be shown in the LMS's iframe: the platform is among the frame ancestors.
    assert world.platform.base in response.headers["Content-Security-Policy"]


async def test_an_id_token_that_is_not_a_jwt_is_refused_with_a_400_page(world: World) -> None:
    async with world.client() as client:
        action, fields = await launch_form(client, world.platform, "learner-1")
        response = await client.post(action, data={**fields, "id_token": "this is not a JWT"})
        assert response.status == 400 and "no readable id_token" in await response.text()


INSTRUCTOR_ROLES = [f"{LIS}membership#Instructor", f"{LIS}institution/person#Faculty"]
LEARNER_ROLES = [f"{LIS}membership#Learner", f"{LIS}institution/person#Student"]


def pii(kind: str) -> Edit:
    def edit(claims: dict[str, Any], head: dict[str, Any]) -> None:
        if kind in ("email only", "no PII", "email, no context"):
            claims.pop("name", None)
        if kind in ("names only", "no PII"):
            claims.pop("email", None)
        if kind == "names only":
            claims.update(given_name="Ada", family_name="Teacher")
        if kind == "email, no context":
            claims.pop(f"{CLAIM}context", None)

    return edit


def roles(values: list[str], then: Edit | None = None) -> Edit:
    def edit(claims: dict[str, Any], head: dict[str, Any]) -> None:
        claims[f"{CLAIM}roles"] = values
        if then is not None:
            then(claims, head)

    return edit


QUESTIONNAIRE = '<h2 id="q-h">Questionnaire</h2>'
VARIANTS = ("email only", "names only", "no PII", "email, no context")


@pytest.mark.parametrize("variant", VARIANTS)
async def test_a_valid_instructor_launch_gets_the_instructor_page(world: World, variant: str) -> None:
    world.platform.tamper = roles(INSTRUCTOR_ROLES, pii(variant))
    async with world.client() as client:
        status, page = await launch(client, world.platform, "teacher-1")
    assert status == 200, page
    assert "Form groups" in page and QUESTIONNAIRE not in page


@pytest.mark.parametrize("variant", VARIANTS)
async def test_a_valid_learner_launch_gets_the_questionnaire(world: World, variant: str) -> None:
    world.platform.tamper = roles(LEARNER_ROLES, pii(variant))
    async with world.client() as client:
        status, page = await launch(client, world.platform, "learner-1")
    assert status == 200, page
    assert QUESTIONNAIRE in page and "Form groups" not in page


ROLE_CASES = {
    "Instructor sub-role only (PrimaryInstructor)": ([f"{LIS}membership/Instructor#PrimaryInstructor"], True),
    "TeachingAssistant sub-role of Instructor": ([f"{LIS}membership/Instructor#TeachingAssistant"], True),
    "ContentDeveloper (Canvas Designer)": ([f"{LIS}membership#ContentDeveloper"], True),
    "short context role name": (["Instructor"], True),
    "context Administrator": ([f"{LIS}membership#Administrator"], True),
    "Learner with an institution Instructor role": (
        [f"{LIS}membership#Learner", f"{LIS}institution/person#Instructor"],
        False,
    ),
    "Learner sub-role": ([f"{LIS}membership/Learner#NonCreditLearner"], False),
    "Mentor": ([f"{LIS}membership#Mentor"], False),
    "system administrator without a course role": ([f"{LIS}system/person#Administrator"], True),
    "empty roles": ([], False),
    "unknown role vocabulary": (["http://example.edu/roles#Boss"], False),
}


@pytest.mark.parametrize("case", list(ROLE_CASES), ids=list(ROLE_CASES))
async def test_roles_are_read_by_the_lis_vocabulary(world: World, case: str) -> None:
    values, staff = ROLE_CASES[case]
    world.platform.tamper = roles(values)
    async with world.client() as client:
        status, page = await launch(client, world.platform, "learner-2")
    assert status == 200, page
    assert ("Form groups" in page) is staff and (QUESTIONNAIRE in page) is not staff


async def test_a_content_developer_can_add_the_tool_by_deep_linking(world: World) -> None:
    world.platform.tamper = roles([f"{LIS}membership#ContentDeveloper"])
    async with world.client() as client:
        status, page = await launch(client, world.platform, "teacher-1", "deep_link")
        assert status == 200 and "Add peer study groups" in page, page
        answer = await client.post(
            f"{world.tool_url}/lti/deep-link", data={**tokens(page), "group_size": "4", "title": "Groups"}
        )
        action, fields = parse_form(await answer.text())
        assert (await client.post(action, data=fields)).status == 200
    assert [item["type"] for item in world.platform.deep_link_items] == ["ltiResourceLink"]


async def test_a_learner_cannot_add_the_tool_by_deep_linking(world: World) -> None:
    async with world.client() as client:
        status, page = await launch(client, world.platform, "learner-1", "deep_link")
    assert status == 403 and "Only instructors" in page


async def test_deep_linking_that_accepts_no_lti_links_gets_a_page_saying_so(world: World) -> None:
    world.platform.deep_link_accept_types = {"file", "html"}
    async with world.client() as client:
        status, page = await launch(client, world.platform, "teacher-1", "deep_link")
    assert status == 400, page
    assert "accepts only other kinds of content" in page and "file" in page and "html" in page


async def test_the_deep_linking_response_carries_what_the_spec_requires(world: World) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1", "deep_link")
        answer = await client.post(
            f"{world.tool_url}/lti/deep-link", data={**tokens(page), "group_size": "3", "title": "Groups"}
        )
        _, fields = parse_form(await answer.text())
    head = jwt.get_unverified_header(fields["JWT"])
    body = jwt.decode(fields["JWT"], options={"verify_signature": False})
    async with world.client() as client:
        keys = await (await client.get(f"{world.tool_url}/lti/jwks")).json()
    assert head["alg"] == "RS256" and head["kid"] in {k["kid"] for k in keys["keys"]}
    assert body["iss"] == world.platform.client_id and body["aud"] in (
        world.platform.base,
        [world.platform.base],
    )
    assert body[f"{CLAIM}message_type"] == "LtiDeepLinkingResponse"
    assert body[f"{CLAIM}version"] == "1.3.0"
    assert body[f"{CLAIM}deployment_id"] == world.platform.deployment_id
    assert body["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == DEEP_LINK_DATA
    assert body["nonce"] and body["exp"] > body["iat"]
    (item,) = body["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == f"{world.tool_url}/lti/launch"
    assert item["title"] == "Groups" and item["custom"] == {"group_size": "3"}


async def test_nrps_is_read_through_every_page_of_the_roster(world: World) -> None:
    world.platform.page_size = 3
    async with world.client() as client:
        status, page = await launch(client, world.platform, "teacher-1")
    assert status == 200
    assert world.platform.nrps_pages_served == 3  # 7 members, 3 a page: the `next` links were followed
    assert all(f"Learner {i}" in page for i in range(1, 7))


async def test_ags_scores_have_the_spec_format_and_use_a_client_credentials_token(world: World) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-1")
        await client.post(
            f"{world.tool_url}/lti/course/questionnaire",
            data={**tokens(page), "goals": "learn", "timezone": "Europe/Berlin", "code_of_conduct": "on"},
        )
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        sent = await client.post(
            f"{world.tool_url}/lti/course/scores", data={**tokens(page), "confirm": "yes"}
        )
        assert sent.status == 200 and "Sent participation for 1 learner" in await sent.text()
    (score,) = world.platform.scores
    assert score["userId"] == "learner-1"
    assert score["scoreMaximum"] == 100 and 0 <= score["scoreGiven"] <= 100
    assert score["activityProgress"] in ("Initialized", "Started", "InProgress", "Submitted", "Completed")
    assert score["gradingProgress"] in ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)", score["timestamp"])
    (item,) = world.platform.line_items
    assert item["scoreMaximum"] == 100 and item["tag"] == "peerlearn-participation" and item["label"]
    (token_request,) = [t for t in world.platform.token_requests if "lti-ags/scope/score" in t["scope"]]
    assert token_request["grant_type"] == "client_credentials"
    assert token_request["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert jwt.decode(token_request["client_assertion"], options={"verify_signature": False})["sub"] == (
        world.platform.client_id
    )
