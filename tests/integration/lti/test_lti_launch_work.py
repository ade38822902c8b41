"""What a launch keeps and where its validation runs: a learner's id_token is not stored (only staff call the
platform's services later), and a platform that rotated its signing key is still launched (the key set is
fetched again, off the event loop)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from lti.keys import generate_key
from storage.models_lti import LtiLaunchDataRow
from tests.support.lti.flows import launch, launch_form
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
    new = generate_key(datetime.now(UTC))
    registration = world.platform.registration
    registration.set_platform_public_key(new.public_pem).set_platform_private_key(new.private_pem)
    del registration._signing_key  # the test platform's parsed key: parse the new one
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
