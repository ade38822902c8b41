from __future__ import annotations

import base64
import json
import re

from tests.support.lti.flows import launch, launch_form, tokens
from tests.support.lti.platform import parse_form
from tests.support.lti.world import World


async def test_an_instructor_launch_shows_the_whole_roster_read_through_every_nrps_page(world: World) -> None:
    async with world.client() as client:
        status, page = await launch(client, world.platform, "teacher-1")
    assert status == 200, page
    assert "Study groups: Algorithms 101" in page
    for i in range(1, 7):
        assert f"Learner {i}" in page
    assert world.platform.nrps_pages_served == 4  # 7 members, 2 a page


async def test_learners_answer_the_instructor_forms_and_publishes_and_the_platform_receives_scores(
    world: World,
) -> None:
    for i in range(1, 7):
        async with world.client() as client:
            status, page = await launch(client, world.platform, f"learner-{i}")
            assert status == 200 and "Questionnaire" in page
            form = {
                **tokens(page),
                "goals": "pass the graph algorithms exam",
                "learn_0": "Dynamic programming",
                "learn_level_0": "2",
                "timezone": "Europe/Berlin",
                "slot": ["32", "34"],
                "code_of_conduct": "on",
            }
            answered = await client.post(
                f"{world.tool_url}/lti/course/questionnaire",
                data=[(k, v) for k, vs in form.items() for v in (vs if isinstance(vs, list) else [vs])],
            )
            assert answered.status == 200 and "your answers are saved" in await answered.text()
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        formed = await client.post(f"{world.tool_url}/lti/course/form", data=tokens(page))
        page = await formed.text()
        assert formed.status == 200 and "draft" in page, page
        published = await client.post(f"{world.tool_url}/lti/course/publish", data=tokens(page))
        page = await published.text()
        assert "Published" in page
        review = await client.get(
            f"{world.tool_url}/lti/course/scores", params={"s": tokens(page)["session"]}
        )
        review_page = await review.text()
        assert review.status == 200 and "Send 6 scores to the gradebook" in review_page
        assert world.platform.scores == []  # nothing is sent before the instructor confirms
        unconfirmed = await client.post(f"{world.tool_url}/lti/course/scores", data=tokens(review_page))
        assert unconfirmed.status == 400 and world.platform.scores == []
        sent = await client.post(
            f"{world.tool_url}/lti/course/scores", data={**tokens(review_page), "confirm": "yes"}
        )
        assert "Sent participation for 6 learners" in await sent.text()
    assert len(world.platform.scores) == 6
    assert {s["userId"] for s in world.platform.scores} == {f"learner-{i}" for i in range(1, 7)}
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-1")
    assert "My group" in page


async def test_a_deep_linking_response_is_accepted_by_the_platform(world: World) -> None:
    async with world.client() as client:
        status, page = await launch(client, world.platform, "teacher-1", "deep_link")
        assert status == 200 and "Add peer study groups" in page
        answer = await client.post(
            f"{world.tool_url}/lti/deep-link",
            data={**tokens(page), "group_size": "5", "title": "Study groups"},
        )
        action, fields = parse_form(await answer.text())
        assert action == f"{world.platform.base}/dl_return"
        accepted = await client.post(action, data=fields)
        assert accepted.status == 200
    (item,) = world.platform.deep_link_items
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"group_size": "5"}


async def test_a_tampered_id_token_is_refused(world: World) -> None:
    async with world.client() as client:
        action, fields = await launch_form(client, world.platform, "learner-1")
        header, body, signature = fields["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["https://purl.imsglobal.org/spec/lti/claim/roles"] = [
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
        ]
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        response = await client.post(action, data={**fields, "id_token": f"{header}.{forged}.{signature}"})
        assert response.status == 401
        assert "could not be verified" in await response.text()


async def test_an_expired_id_token_is_refused(world: World) -> None:
    world.platform.id_token_expiration = -120
    async with world.client() as client:
        status, page = await launch(client, world.platform, "learner-1")
    assert status == 401 and "expired" in page.lower()


async def test_a_replayed_launch_is_refused(world: World) -> None:
    async with world.client() as client:
        action, fields = await launch_form(client, world.platform, "learner-1")
        first = await client.post(action, data=fields)
        assert first.status == 200
        again = await client.post(action, data=fields)
        assert again.status == 401 and "already used once" in await again.text()


async def test_a_launch_for_another_audience_is_refused(world: World) -> None:
    world.platform.audience = "someone-else"
    async with world.client() as client:
        status, _ = await launch(client, world.platform, "learner-1")
    assert status == 401


async def test_an_unknown_deployment_is_refused_at_login_and_at_launch(world: World) -> None:
    world.platform.deployment_id = "deployment-unknown"
    world.platform.registration.set_deployment_id("deployment-unknown")
    async with world.client() as client:
        refused = await client.get(world.platform.login_url("learner-1"), allow_redirects=False)
        assert refused.status == 400
        url = re.sub(r"&lti_deployment_id=[^&]+", "", world.platform.login_url("learner-1"))
        redirect = await client.get(url, allow_redirects=False)
        auth = await client.get(redirect.headers["Location"])
        action, fields = parse_form(await auth.text())
        response = await client.post(action, data=fields)
        assert response.status == 401 and "deployment-unknown" in await response.text()


async def test_a_state_without_its_cookie_gets_the_open_in_a_new_window_page(world: World) -> None:
    async with world.client() as client:
        action, fields = await launch_form(client, world.platform, "learner-1")
    async with world.client() as other_browser:
        response = await other_browser.post(action, data=fields)
        page = await response.text()
    assert response.status == 401 and "new window" in page and "lti1p3_new_window=1" in page


async def test_jwks_publishes_the_current_and_the_previous_key_after_a_rotation(world: World) -> None:
    from datetime import UTC, datetime

    from lti.keys import generate_key

    async with world.client() as client:
        first = await (await client.get(f"{world.tool_url}/lti/jwks")).json()
        await world.store.rotate_keys(generate_key(datetime.now(UTC)))
        second = await (await client.get(f"{world.tool_url}/lti/jwks")).json()
    assert len(first["keys"]) == 1 and len(second["keys"]) == 2
    assert second["keys"][1]["kid"] == first["keys"][0]["kid"]


async def test_the_roster_is_read_from_the_lms_once_and_reused_on_the_next_views(world: World) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        served = world.platform.nrps_pages_served
        again = await client.get(f"{world.tool_url}/lti/course", params={"s": tokens(page)["session"]})
        assert again.status == 200 and "Learner 6" in await again.text()
    assert world.platform.nrps_pages_served == served == 4


async def test_an_id_token_from_another_sign_in_with_this_browser_s_state_is_refused_in_words(
    world: World,
) -> None:
    async with world.client() as client:
        action, mine = await launch_form(client, world.platform, "learner-1")
        async with world.client() as other:
            _, theirs = await launch_form(other, world.platform, "learner-2")
        response = await client.post(action, data={"id_token": theirs["id_token"], "state": mine["state"]})
        page = await response.text()
    assert response.status == 401 and "does not answer the sign-in this browser started" in page
