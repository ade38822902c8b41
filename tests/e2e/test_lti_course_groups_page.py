"""The instructor's page when the LMS offers the LTI Course Groups service, in Chromium: after publishing, the
alert names the study group the course does not have yet and says what to do; the instructor adds it in the
LMS and "Check the course's groups" (reached with the keyboard) confirms. Screenshots in build/screenshots/lti/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.e2e.test_lti_pages import CHROMIUM, FLAGS, assert_accessible, open_as, shoot
from tests.support.lti.course_groups import FakeCourseGroups
from tests.support.lti.flows import launch, tokens
from tests.support.lti.world import World, open_world

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(f"sqlite:///{tmp_path / 'e2e.db'}") as opened:
        yield opened


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def test_the_instructor_is_told_which_group_the_lms_lacks_and_checks_again_with_the_keyboard(
    world: World, browser: Browser
) -> None:
    service = FakeCourseGroups(world.platform.base)
    service.add("Study group 1")
    world.platform.course_groups = service
    for i in range(1, 7):
        async with world.client() as client:
            _, learner_page = await launch(client, world.platform, f"learner-{i}")
            sent = {
                **tokens(learner_page),
                "goals": "graphs",
                "timezone": "Europe/Berlin",
                "code_of_conduct": "on",
            }
            await client.post(f"{world.tool_url}/lti/course/questionnaire", data=sent)
    context, page = await open_as(browser, world, "teacher-1")
    try:
        await page.click("button:has-text('Form groups')")
        await page.click("button:has-text('Publish groups')")
        alert = page.locator("[role=alert]")
        await alert.wait_for()
        said = await alert.inner_text()
        assert "does not list “Study group 2” yet (1 of 2 are there)" in said
        assert "LTI_GROUP_APIS" in said and "Check the course's groups" in said
        await assert_accessible(page)
        await shoot(page, "7-instructor-course-groups-missing")
        service.add("Study group 2")  # the instructor creates it in the LMS
        check = page.locator('button:has-text("Check the course\'s groups")')
        await check.focus()
        await page.keyboard.press("Enter")
        await page.wait_for_selector("text=Your LMS lists all 2 study groups in the course")
        assert await page.locator("[role=alert]").count() == 0
        await shoot(page, "8-instructor-course-groups-all-listed")
    finally:
        await context.close()
