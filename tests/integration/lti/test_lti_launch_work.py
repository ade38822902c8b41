"""What a launch keeps and where its validation runs: a learner's id_token is not stored (only staff call the
platform's services later), and a platform that rotated its signing key is still launched (the key set is
fetched again, off the event loop)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select

from lti.keys import generate_key
from storage.models_lti import LtiLaunchDataRow
from tests.support.lti.flows import launch, launch_form, tokens
from tests.support.lti.world import World


async def kept_launches(world: World) -> list[str]:
    async with world.store._sessions() as session:
        keys = (await session.execute(select(LtiLaunchDataRow.key))).scalars().all()
    return [k for k in keys if k.startswith("lti1p3-launch-")]


async def test_a_learner_s_launch_is_not_stored_and_an_instructor_s_is_kept_for_the_roster(
    world: World,
) -> None:
    async with world.client() as client:
        status, page = await launch(client, world.platform, "learner-1")
    assert status == 200 and "Questionnaire" in page
    assert await kept_launches(world) == []
    async with world.client() as client:
        status, page = await launch(client, world.platform, "teacher-1")
    assert status == 200 and "Learner 6" in page  # the roster, read with the kept launch
    assert len(await kept_launches(world)) == 1


async def test_a_launch_leaves_no_login_record_behind(world: World) -> None:
    async with world.client() as client:
        await launch(client, world.platform, "learner-1")
    async with world.store._sessions() as session:
        keys = (await session.execute(select(LtiLaunchDataRow.key))).scalars().all()
    assert keys == []


async def test_a_platform_that_rotated_its_signing_key_is_still_launched(world: World) -> None:
    async with world.client() as client:
        assert (await launch(client, world.platform, "learner-1"))[0] == 200  # its key set is now cached
    rotate_platform_key(world)
    registration = world.platform.registration
    async with world.client() as client:
        status, page = await launch(client, world.platform, "learner-2")
    assert status == 200 and "Questionnaire" in page
    kept = await world.store.registration(world.platform.base, world.platform.client_id)
    assert kept is not None and kept.key_set is not None
    assert registration.get_kid() in {k["kid"] for k in kept.key_set["keys"]}  # fetched again and kept


async def test_a_launch_posted_without_its_state_cookie_leaves_the_login_for_the_retry(world: World) -> None:
    async with world.client() as client:
        action, fields = await launch_form(client, world.platform, "learner-1")
        async with world.client() as other_browser:
            refused = await other_browser.post(action, data=fields)
            assert refused.status == 401
        accepted = await client.post(action, data=fields)  # the browser that holds the cookie
    assert accepted.status == 200


@contextmanager
def counted(world: World) -> Iterator[list[str]]:
    """The SQL statements the tool's engine runs inside the block (COMMIT and ROLLBACK listed as such)."""
    engine = world.uow_factory.sessions.kw["bind"].sync_engine
    said: list[str] = []

    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        said.append(sql.split()[0].upper())

    def end(name: str) -> Callable[[Any], None]:
        return lambda conn: said.append(name)

    commit, rollback = end("COMMIT"), end("ROLLBACK")
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    try:
        yield said
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
        event.remove(engine, "rollback", rollback)


async def test_a_returning_learner_s_launch_is_three_statements_in_one_transaction(world: World) -> None:
    async with world.client() as client:
        assert (await launch(client, world.platform, "learner-1"))[0] == 200  # first launch: person, course
    async with world.client() as client:
        action, fields = await launch_form(client, world.platform, "learner-1")
        with counted(world) as said:
            page = await client.post(action, data=fields)
            assert page.status == 200 and "Questionnaire" in await page.text()
    # The login binding taken out; the person, course, answers and profile in one read; the published groups.
    assert said == ["DELETE", "SELECT", "SELECT", "COMMIT"]


async def test_a_learner_renamed_in_the_lms_is_renamed_here_at_the_next_launch(world: World) -> None:
    async with world.client() as client:
        assert (await launch(client, world.platform, "learner-2"))[0] == 200
    member = next(m for m in world.platform.members if m["user_id"] == "learner-2")
    member["name"], member["email"] = "Learner Two Renamed", "renamed@example.edu"
    async with world.client() as client:
        status, page = await launch(client, world.platform, "learner-2")
    assert status == 200 and "Questionnaire" in page
    async with world.uow_factory() as uow:
        person = await uow.persons.by_lti_subject(
            (await world.store.registration(world.platform.base, world.platform.client_id)).organization_id,  # type: ignore[union-attr]
            world.platform.base,
            "learner-2",
        )
    assert person is not None
    assert (person.display_name, person.verified_email) == ("Learner Two Renamed", "renamed@example.edu")


async def test_a_colleague_s_launch_shows_whether_they_answered_never_whether_another_learner_did(
    world: World,
) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-3")
        sent = {
            **tokens(page),
            "goals": "pass graph theory",
            "timezone": "Europe/Berlin",
            "code_of_conduct": "on",
        }
        await client.post(f"{world.tool_url}/lti/course/questionnaire", data=sent)
        assert (await launch(client, world.platform, "learner-4"))[0] == 200
    async with world.client() as client:  # both come back: each is read as themself
        _, mine = await launch(client, world.platform, "learner-3")
    async with world.client() as client:
        status, theirs = await launch(client, world.platform, "learner-4")
    assert "Change my answers" in mine  # answered
    assert status == 200 and "Change my answers" not in theirs and "Questionnaire" in theirs


def rotate_platform_key(world: World) -> None:
    """The platform signs with a new key from now on: every token it issued before is refused."""
    new = generate_key(datetime.now(UTC))
    registration = world.platform.registration
    registration.set_platform_public_key(new.public_pem).set_platform_private_key(new.private_pem)
    del registration._signing_key  # the test platform's parsed key: parse the new one


async def test_a_roster_is_read_again_when_the_platform_refuses_a_cached_access_token(world: World) -> None:
    async with world.client() as client:
        status, page = await launch(client, world.platform, "teacher-1")
    assert status == 200 and "Learner 6" in page  # the roster's access token is now cached
    rotate_platform_key(world)  # the cached token is now refused with 401 (so is a re-registered platform's)
    world.config.rosters._rosters.clear()  # the page asks the platform again
    asked_before = len(world.platform.token_requests)
    async with world.client() as client:
        status, page = await launch(client, world.platform, "teacher-1")
    assert status == 200 and "Learner 6" in page
    assert len(world.platform.token_requests) == asked_before + 1  # one fresh token, asked once
