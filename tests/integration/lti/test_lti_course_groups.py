"""Groups back in the LMS through the 1EdTech LTI Course Groups service, against the platform half written
from the spec (`tests/support/lti/course_groups.py`). The service is read-only, so the tool reads the course's
groups after publishing and tells the instructor which study groups the LMS lists, which it does not and what to
do; with a Moodle token configured too, the groups are created through Moodle and confirmed through the service."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from lti.lms_groups import MoodleGroups
from tests.support.lti.course_groups import SCOPE, FakeCourseGroups, Group
from tests.support.lti.flows import launch, tokens
from tests.support.lti.moodle import FakeMoodle
from tests.support.lti.world import World, free_port

COURSE = "course-101"


@pytest.fixture
def service(world: World) -> FakeCourseGroups:
    world.platform.course_groups = FakeCourseGroups(world.platform.base)
    return world.platform.course_groups


async def answer(world: World, *users: str) -> None:
    for user in users:
        async with world.client() as client:
            _, page = await launch(client, world.platform, user)
            sent = {**tokens(page), "goals": "graphs", "timezone": "Europe/Berlin", "code_of_conduct": "on"}
            await client.post(f"{world.tool_url}/lti/course/questionnaire", data=sent)


async def form_and_publish(world: World) -> str:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        page = await (await client.post(f"{world.tool_url}/lti/course/form", data=tokens(page))).text()
        published = await client.post(f"{world.tool_url}/lti/course/publish", data=tokens(page))
        return html.unescape(await published.text())


async def check_again(world: World) -> str:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        assert "Check the course's groups" in html.unescape(page)
        checked = await client.post(f"{world.tool_url}/lti/course/lms-groups", data=tokens(page))
        return html.unescape(await checked.text())


def alert(page: str) -> str:
    found = re.search(r'class="alert" role="alert"[^>]*>(.*?)</', page, re.S)
    return found.group(1) if found else ""


async def test_publishing_says_the_lms_lists_every_study_group_read_through_every_page_of_the_service(
    world: World, service: FakeCourseGroups
) -> None:
    service.sets = {"s1": "Peer study groups", "s2": "Labs"}
    service.add("Lab A", set_id="s2")
    service.add("Study group 1", set_id="s1")
    service.add("study group 2 ", set_id="s1")  # as an instructor may type it
    await answer(world, *(f"learner-{i}" for i in range(1, 7)))
    page = await form_and_publish(world)
    assert "Published 2 groups" in page
    assert "Your LMS lists all 2 study groups in the course" in page and not alert(page)
    pages = [r for r in service.requests if r["path"] == "/course-groups"]
    assert len(pages) == 2 and pages[1]["query"] == {"from": "2"}  # 3 groups, 2 a page
    assert pages[0]["accept"] == "application/vnd.ims.lti-gs.v1.contextgroupcontainer+json"
    sets = [r for r in service.requests if r["path"] == "/course-group-sets"]
    assert sets and sets[0]["accept"] == "application/vnd.ims.lti-gs.v1.contextgroupsetcontainer+json"
    assert any(SCOPE in r.get("scope", "") for r in world.platform.token_requests)


async def test_missing_groups_are_named_with_what_to_do_and_found_once_the_instructor_made_them(
    world: World, service: FakeCourseGroups
) -> None:
    service.add("Study group 1")
    await answer(world, *(f"learner-{i}" for i in range(1, 7)))
    said = alert(await form_and_publish(world))
    assert "The groups are published here" in said
    assert "read the course's groups (LTI Course Groups service) but not create them" in said
    assert "does not list “Study group 2” yet (1 of 2 are there)" in said
    assert "Export CSV" in said and "LTI_GROUP_APIS" in said and "Check the course's groups" in said
    assert all("method" not in r for r in service.requests)  # the tool only ever read
    service.add("Study group 2")  # the instructor creates it in the LMS
    page = await check_again(world)
    assert "Your LMS lists all 2 study groups in the course" in page and not alert(page)


async def test_publishing_again_looks_up_every_published_group_and_names_only_what_the_lms_lacks(
    world: World, service: FakeCourseGroups
) -> None:
    service.add("Study group 1")
    service.add("Study group 2")
    await answer(world, *(f"learner-{i}" for i in range(1, 7)))
    first = await form_and_publish(world)
    assert "Your LMS lists all 2 study groups" in first
    second = await form_and_publish(world)  # a second round, published again
    numbers = sorted({int(n) for n in re.findall(r'id="g-(\d+)"', second)})
    missing = [f"Study group {n}" for n in numbers if n > 2]
    if missing:
        assert f"does not list “{missing[0]}”" in alert(second)
        assert "Study group 1”" not in alert(second) and "Study group 2”" not in alert(second)
    else:
        assert "Your LMS lists all 2 study groups" in second
    assert [g.name for g in service.groups] == ["Study group 1", "Study group 2"]  # nothing written


async def test_a_course_groups_service_that_fails_is_shown_with_what_to_do(
    world: World, service: FakeCourseGroups
) -> None:
    service.answer_status = 503
    await answer(world, "learner-1", "learner-2", "learner-3")
    said = alert(await form_and_publish(world))
    assert "The groups are published here, but the course's groups could not be read from your LMS" in said
    assert "HTTP 503" in said and "Try “Check the course's groups” again later" in said
    service.answer_status = 200
    service.add("Study group 1")
    assert "Your LMS lists all 1 study groups" in await check_again(world)


async def test_a_course_without_the_service_or_a_group_api_gets_no_lms_step(world: World) -> None:
    await answer(world, "learner-1", "learner-2", "learner-3")
    page = await form_and_publish(world)
    assert "Published 1 group" in page and "Your LMS" not in page and not alert(page)
    assert "Check the course's groups" not in page


@pytest.fixture
async def moodle(world: World) -> AsyncIterator[FakeMoodle]:
    fake, port = FakeMoodle(), free_port()
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    world.config.group_apis[world.platform.base] = MoodleGroups(
        f"http://127.0.0.1:{port}/webservice/rest/server.php", fake.token
    )
    try:
        yield fake
    finally:
        await runner.cleanup()


async def test_with_a_moodle_token_the_groups_are_created_there_and_confirmed_through_the_service(
    world: World, service: FakeCourseGroups, moodle: FakeMoodle
) -> None:
    service.source = lambda: [
        Group(str(g.id), g.name, [], set(g.members)) for g in moodle.course_groups(COURSE)
    ]
    await answer(world, *(f"learner-{i}" for i in range(1, 7)))
    page = await form_and_publish(world)
    assert "In Moodle, the course now has these groups" in page and "2 created" in page
    assert "Your LMS lists them all in the course." in page and not alert(page)
    again = await form_and_publish(world)  # a second round, published again
    shown = {int(n) for n in re.findall(r'id="g-(\d+)"', again)}
    assert "2 updated" in again and "Your LMS lists them all in the course." in again
    assert sorted(g.name for g in moodle.course_groups(COURSE)) == sorted(f"Study group {n}" for n in shown)
