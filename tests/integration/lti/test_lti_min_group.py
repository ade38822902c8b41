"""The instructor sees check-ins as figures only once enough learners gave them (the minimum-group rule):
with four learners' answers, "average usefulness 2.0" could be read back to the one who wrote 2."""

from __future__ import annotations

import re

from tests.support.lti.flows import launch, tokens
from tests.support.lti.world import World

LEARNERS = [f"learner-{i}" for i in range(1, 7)]


async def _check_in(world: World, user: str, usefulness: str) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, user)
        group = re.search(r'name="group" value="([^"]+)"', page)
        assert group, page
        sent = {**tokens(page), "group": group.group(1), "met": "yes", "usefulness": usefulness}
        response = await client.post(f"{world.tool_url}/lti/course/checkin", data=sent)
        assert response.status == 200, await response.text()


async def _instructor_page(world: World) -> str:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        return page


async def test_check_in_figures_reach_the_instructor_only_over_five_learners(world: World) -> None:
    for user in LEARNERS:
        async with world.client() as client:
            _, page = await launch(client, world.platform, user)
            sent = {**tokens(page), "goals": "graphs", "timezone": "Europe/Berlin", "code_of_conduct": "on"}
            await client.post(f"{world.tool_url}/lti/course/questionnaire", data=sent)
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        page = await (await client.post(f"{world.tool_url}/lti/course/form", data=tokens(page))).text()
        await client.post(f"{world.tool_url}/lti/course/publish", data=tokens(page))

    for user, usefulness in zip(LEARNERS[:4], "2544", strict=True):
        await _check_in(world, user, usefulness)
    page = await _instructor_page(world)
    assert "4 learner(s) checked in" in page and "Too few answers to show figures" in page
    assert "average usefulness" not in page and "check-in(s)" not in page

    await _check_in(world, LEARNERS[4], "5")
    page = await _instructor_page(world)
    assert "5 learner(s) checked in" in page and "Too few answers" not in page
    assert "met in 100 %" in page and "average usefulness 4.0 / 5" in page
