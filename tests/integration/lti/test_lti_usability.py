"""What a new learner or instructor meets on the course pages: mistakes never cost answers, nothing is chosen
for them, and every action says what it will do before it does it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from tests.support.lti.flows import launch, tokens
from tests.support.lti.world import World


def form_fields(data: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, vs in data.items() for v in ([vs] if isinstance(vs, str) else vs)]


async def test_a_questionnaire_with_mistakes_comes_back_with_every_answer_and_every_mistake(
    world: World,
) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-1")
        sent = {
            **tokens(page),
            "goals": "",
            "teach_0": "SQL",
            "teach_level_0": "4",
            "learn_0": "Dynamic programming",
            "learn_level_0": "9",
            "timezone": "Mars/Olympus_Mons",
            "slot": ["32", "58"],
        }
        response = await client.post(f"{world.tool_url}/lti/course/questionnaire", data=form_fields(sent))
        page = await response.text()
    assert response.status == 400
    assert "4 answers need a change; everything else you entered is kept" in page
    for field in ("goals", "learn_level_0", "timezone", "code_of_conduct"):
        assert f'id="err-{field}"' in page and f'href="#{field}"' in page, field
    assert "&#39;Mars/Olympus_Mons&#39; is not one this tool knows" in page
    assert 'value="SQL"' in page and 'value="Dynamic programming"' in page
    assert re.search(r'value="32" id="s-1-8"[^>]* checked', page) and re.search(
        r'value="58" id="s-2-10"[^>]* checked', page
    )
    assert re.search(r'<select id="teach_level_0"[^>]*>.*?<option selected>4</option>', page, re.S)
    async with world.client() as client:  # nothing was saved
        _, page = await launch(client, world.platform, "learner-1")
    assert "Thank you for answering" not in page


async def test_the_time_zone_is_a_picker_with_nothing_chosen_until_the_browser_or_the_learner_chooses(
    world: World,
) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-1")
    assert '<select id="timezone" name="timezone" required data-seed-timezone' in page
    assert '<option value="" selected>Choose your time zone</option>' in page
    assert '<option value="Europe/Berlin">Berlin</option>' in page and "/lti/static/timezone.js" in page
    assert "<script>" not in page  # no inline script: the Content-Security-Policy forbids it


async def test_the_check_in_has_nothing_chosen_in_advance(world: World) -> None:
    for i in range(1, 4):
        async with world.client() as client:
            _, page = await launch(client, world.platform, f"learner-{i}")
            sent = {**tokens(page), "goals": "graphs", "timezone": "Europe/Berlin", "code_of_conduct": "on"}
            await client.post(f"{world.tool_url}/lti/course/questionnaire", data=sent)
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        page = await (await client.post(f"{world.tool_url}/lti/course/form", data=tokens(page))).text()
        await client.post(f"{world.tool_url}/lti/course/publish", data=tokens(page))
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-1")
        check_in = page[page.index('id="checkin-h"') :]
        assert " checked" not in check_in
        assert '<option value="" selected>Choose (if you met)</option>' in check_in
        group = re.search(r'name="group" value="([^"]+)"', page)
        assert group
        response = await client.post(
            f"{world.tool_url}/lti/course/checkin",
            data={**tokens(page), "group": group.group(1), "learned": "Memoization, from Learner 2."},
        )
        text = await response.text()
        assert response.status == 400 and "Say whether your group met" in text
        assert ">Memoization, from Learner 2.</textarea>" in text  # what they wrote is kept
        assert 'id="err-met"' in text and 'aria-invalid="true" aria-describedby="err-met"' in text
        response = await client.post(
            f"{world.tool_url}/lti/course/checkin",
            data={**tokens(page), "group": group.group(1), "met": "yes", "learned": "Memoization."},
        )
        text = await response.text()
        assert response.status == 400 and "how useful the meeting was" in text
        assert 'id="met-yes" name="met" value="yes" required checked' in text
        accepted = await client.post(
            f"{world.tool_url}/lti/course/checkin",
            data={**tokens(page), "group": group.group(1), "met": "yes", "usefulness": "4"},
        )
        assert "Thanks for your check-in" in await accepted.text()


async def answer(world: World, *users: str) -> None:
    for user in users:
        async with world.client() as client:
            _, page = await launch(client, world.platform, user)
            sent = {**tokens(page), "goals": "graphs", "timezone": "Europe/Berlin", "code_of_conduct": "on"}
            response = await client.post(f"{world.tool_url}/lti/course/questionnaire", data=sent)
            assert "your answers are saved" in await response.text()


async def test_the_gradebook_send_says_what_each_learner_gets_and_why_before_sending(world: World) -> None:
    await answer(world, "learner-1", "learner-2")
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        assert 'href="/lti/course/scores?s=' in page and 'action="/lti/course/scores"' not in page
        review = await client.get(
            f"{world.tool_url}/lti/course/scores", params={"s": tokens(page)["session"]}
        )
        text = await review.text()
    assert review.status == 200 and world.platform.scores == []
    assert "Study group participation" in text and "50</strong> for answering" in text
    assert "replaces these scores" in text
    for name in ("Learner 1", "Learner 2"):
        assert re.search(
            rf"<td>{name}</td>\s*<td>50 / 100</td>\s*<td>Answered; no check-in yet.</td>", text
        ), name
    assert "Send 2 scores to the gradebook" in text and 'name="confirm" value="yes"' in text


async def test_the_csv_has_the_lms_user_id_and_email(world: World) -> None:
    await answer(world, "learner-1")
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        export = await client.get(
            f"{world.tool_url}/lti/course/export.csv", params={"s": tokens(page)["session"]}
        )
        rows = (await export.text()).splitlines()
    assert rows[0] == "group,status,member,lms_user_id,email,reasons"
    assert rows[1] == ",not grouped,Learner 1,learner-1,l1@example.edu,"


async def test_criteria_are_explained_and_the_section_rule_shows_only_in_a_course_with_sections(
    world: World,
) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
    assert "Avoid previous groupmates" in page and "put with new people where possible" in page
    assert "alone from their section" not in page and "Mix course sections" not in page
    assert 'type="hidden" name="no_isolated_member" value="on"' in page  # kept while hidden

    def with_section(claims: dict[str, object], header: dict[str, object]) -> None:
        claims["https://purl.imsglobal.org/spec/lti/claim/lis"] = {"course_section_sourcedid": "sec-A"}

    world.platform.tamper = with_section
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        assert 'id="c-no_isolated_member"' in page and "classmate from their own section" in page
        saved = await client.post(
            f"{world.tool_url}/lti/course/settings", data={**tokens(page), "group_size": "4"}
        )
        assert saved.status == 200
    registration = await world.store.registration(world.platform.base, world.platform.client_id)
    assert registration is not None
    async with world.uow_factory() as uow:
        (program,) = await uow.programs.for_organization(registration.organization_id)
    # Both boxes were left unticked: the matcher is told so.
    assert program.settings.avoid_previous_groupmates is False
    assert program.settings.isolate_rule_attributes == ()


async def test_publishing_in_a_course_says_where_learners_see_their_group_without_teams_talk(
    world: World,
) -> None:
    await answer(world, "learner-1", "learner-2", "learner-3")
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        page = await (await client.post(f"{world.tool_url}/lti/course/form", data=tokens(page))).text()
        published = await (
            await client.post(f"{world.tool_url}/lti/course/publish", data=tokens(page))
        ).text()
    assert "Published 1 group: each learner now sees their group on this page." in published
    assert "Teams" not in published.split('role="status">', 1)[1].split("</p>", 1)[0]


async def test_a_learner_s_confidential_note_reaches_only_the_instructors(world: World) -> None:
    await answer(world, "learner-1", "learner-2", "learner-3")
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        page = await (await client.post(f"{world.tool_url}/lti/course/form", data=tokens(page))).text()
        await client.post(f"{world.tool_url}/lti/course/publish", data=tokens(page))
    secret = "Learner 3 talks over everyone; I would like another group."
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-1")
        assert "A confidential note to your instructor" in page and "Only this course's instructors" in page
        group = re.search(r'name="group" value="([^"]+)"', page)
        assert group
        sent = await client.post(
            f"{world.tool_url}/lti/course/note",
            data={**tokens(page), "group": group.group(1), "note": secret},
        )
        assert "sent to the course&#39;s instructors only" in await sent.text()
        mine = await client.get(f"{world.tool_url}/lti/course/notes", params={"s": tokens(page)["session"]})
        assert mine.status == 403 and secret not in await mine.text()
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-3")
        assert secret not in page
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        assert secret not in page  # not on the course page, which may be shown on a projector
        assert 'href="/lti/course/notes?s=' in page
        notes = await client.get(f"{world.tool_url}/lti/course/notes", params={"s": tokens(page)["session"]})
        text = await notes.text()
    assert notes.status == 200 and "Learner 1" in text and "Learner 3 talks over everyone" in text
