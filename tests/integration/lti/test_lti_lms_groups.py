"""Published groups become the course's groups in the LMS: in Moodle through its web services, in Canvas
through its REST API (local fakes written from their public API documentation, `tests/support/lti/moodle.py`
and `tests/support/lti/canvas.py`)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from lti.lms_groups import CanvasGroups, MoodleGroups
from tests.support.lti.canvas import FakeCanvas
from tests.support.lti.flows import launch, tokens
from tests.support.lti.moodle import FakeMoodle
from tests.support.lti.world import World, free_port

COURSE = "course-101"  # the platform's context id, which in Moodle is the course id


@pytest.fixture
async def moodle(world: World) -> AsyncIterator[FakeMoodle]:
    fake, port = FakeMoodle(), free_port()
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    endpoint = f"http://127.0.0.1:{port}/webservice/rest/server.php"
    world.config.group_apis[world.platform.base] = MoodleGroups(endpoint, fake.token)
    try:
        yield fake
    finally:
        await runner.cleanup()


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
        return await published.text()


def members_on_page(page: str) -> list[set[str]]:
    sections = re.findall(r'<section class="group".*?</section>', page, re.S)
    return [{f"learner-{n}" for n in re.findall(r"<li>Learner (\d)", s)} for s in sections]


async def test_publishing_creates_the_groups_in_the_moodle_course_with_their_members(
    world: World, moodle: FakeMoodle
) -> None:
    await answer(world, *(f"learner-{i}" for i in range(1, 7)))
    page = await form_and_publish(world)
    assert "In Moodle, the course now has these groups" in page and "2 created" in page
    groups = moodle.course_groups(COURSE)
    assert [g.name for g in groups] == ["Study group 1", "Study group 2"]
    assert [g.members for g in groups] == members_on_page(page)
    assert all(g.idnumber.startswith("peerlearn-") for g in groups)


async def test_publishing_again_updates_the_same_groups_and_leaves_moodle_s_own_alone(
    world: World, moodle: FakeMoodle
) -> None:
    own = moodle.make_group(COURSE, "Lab group A")
    own.members = {"learner-1"}
    await answer(world, *(f"learner-{i}" for i in range(1, 7)))
    await form_and_publish(world)
    first = {g.id for g in moodle.course_groups(COURSE) if g.idnumber}
    page = await form_and_publish(world)  # a second round, published again
    expected = members_on_page(page)
    ours = [g for g in moodle.course_groups(COURSE) if g.idnumber]
    assert len(ours) == len(expected)  # one Moodle group per study group: no duplicates
    assert first <= {g.id for g in ours}  # the groups of the first round were reused
    assert f"{len(expected) - len(first)} created, {len(first)} updated" in page
    assert [g.members for g in ours] == expected
    assert own.members == {"learner-1"} and own.id in moodle.groups  # a group made in Moodle is untouched


async def test_a_refused_token_is_shown_to_the_instructor_with_what_to_do(
    world: World, moodle: FakeMoodle
) -> None:
    moodle.token = "rotated-by-the-admin"
    await answer(world, "learner-1", "learner-2", "learner-3")
    page = await form_and_publish(world)
    assert 'class="alert" role="alert"' in page
    assert "The groups are published here, but Moodle did not take them" in page
    assert "Invalid token" in page and "web service token" in page
    assert "Send groups to Moodle" in page  # the retry, once the token is fixed
    assert moodle.course_groups(COURSE) == []
    moodle.token = world.config.group_apis[world.platform.base].token  # type: ignore[attr-defined]
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        retried = await client.post(f"{world.tool_url}/lti/course/lms-groups", data=tokens(page))
        assert "1 created" in await retried.text()
    assert len(moodle.course_groups(COURSE)) == 1


async def test_groups_no_longer_needed_are_removed_and_members_moved(
    world: World, moodle: FakeMoodle
) -> None:
    from lti.lms_groups import LmsGroup

    api = world.config.group_apis[world.platform.base]
    three = [
        LmsGroup(1, "Study group 1", ("learner-1", "learner-2")),
        LmsGroup(2, "Study group 2", ("learner-3",)),
    ]
    three.append(LmsGroup(3, "Study group 3", ("learner-4",)))
    await api.sync(COURSE, "course-key", three)
    result = await api.sync(COURSE, "course-key", [LmsGroup(1, "Study group 1", ("learner-1", "learner-4"))])
    (left,) = moodle.course_groups(COURSE)
    assert left.members == {"learner-1", "learner-4"}
    assert (result.created, result.updated, result.removed) == (0, 1, 2)
    assert (result.members_added, result.members_removed) == (1, 1)
    other_course = await api.sync(COURSE, "another-course-key", [LmsGroup(1, "Study group 1b", ())])
    assert other_course.created == 1 and len(moodle.course_groups(COURSE)) == 2  # keys never collide


@pytest.fixture
async def canvas(world: World) -> AsyncIterator[FakeCanvas]:
    fake, port = FakeCanvas(), free_port()
    for member in world.platform.members:
        fake.user(member["user_id"])
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    world.config.group_apis[world.platform.base] = CanvasGroups(f"http://127.0.0.1:{port}", fake.token)
    try:
        yield fake
    finally:
        await runner.cleanup()


async def test_in_canvas_groups_land_in_a_group_set_of_their_own_and_republishing_reuses_them(
    world: World, canvas: FakeCanvas
) -> None:
    await answer(world, *(f"learner-{i}" for i in range(1, 7)))
    page = await form_and_publish(world)
    assert "In Canvas, the course now has these groups" in page and "2 created" in page
    groups = canvas.course_groups(COURSE)
    (category,) = {canvas.categories[g.category_id][1] for g in groups}
    assert category == "Peer study groups"
    by_id = {v: k for k, v in canvas.users.items()}
    assert [{by_id[m] for m in g.members} for g in groups] == members_on_page(page)
    first = {g.id for g in groups}
    page = await form_and_publish(world)
    again = canvas.course_groups(COURSE)
    assert first <= {g.id for g in again} and len(again) == len(members_on_page(page))
    assert [{by_id[m] for m in g.members} for g in again] == members_on_page(page)


async def test_a_canvas_learner_unknown_to_canvas_is_a_clear_failure(
    world: World, canvas: FakeCanvas
) -> None:
    del canvas.users["learner-2"]
    await answer(world, "learner-1", "learner-2", "learner-3")
    page = await form_and_publish(world)
    assert "The groups are published here, but Canvas did not take them" in page
    assert "Canvas answered 404" in page and "Send groups to Canvas" in page
