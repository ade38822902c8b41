"""The personal tab over HTTP, as three colleagues and a stranger: each sees only their own learning, a token
proves who acts (never a parameter), forged or foreign tokens get 401, and a person who deleted their data
is told so honestly."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.integration.security.issuer import Issuer
from tests.support.tabs import ANA, BEN, CHLOE, OTHER_TENANT, STRANGER, TENANT, Colleague, sso_token

Client = TestClient[Any, Any]


def bearer(issuer: Issuer, who: Colleague, **overrides: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {sso_token(issuer, who, **overrides)}"}


async def page(client: Client, issuer: Issuer, who: Colleague, path: str = "/tabs/my-learning/view") -> str:
    response = await client.get(path, headers=bearer(issuer, who))
    assert response.status == 200, await response.text()
    return await response.text()


async def test_the_tab_shell_carries_no_personal_data_and_a_strict_policy(client: Client) -> None:
    response = await client.get("/tabs/my-learning")
    html = await response.text()

    assert response.status == 200
    assert 'data-tab-source="/tabs/my-learning/view"' in html
    assert '<script src="/tabs/static/MicrosoftTeams.min.js"' in html
    assert "<script>" not in html and "style=" not in html  # nothing inline for the policy to allow
    policy = response.headers["Content-Security-Policy"]
    assert (
        "default-src 'none'" in policy and "script-src 'self';" in policy and "connect-src 'self'" in policy
    )
    assert "https://teams.microsoft.com" in policy and "https://*.cloud.microsoft" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_microsofts_teamsjs_is_served_by_peerlearn_itself(client: Client) -> None:
    response = await client.get("/tabs/static/MicrosoftTeams.min.js")

    assert response.status == 200
    assert response.content_type == "application/javascript"
    assert b"authentication.getAuthToken" in await response.read()
    licence = await client.get("/tabs/static/MicrosoftTeams.LICENSE.txt")
    assert "MIT License" in await licence.text()
    missing = await client.get("/tabs/static/..%2Fsso.py")
    assert missing.status == 404


async def test_each_colleague_sees_only_their_own_learning(client: Client, issuer: Issuer) -> None:
    ana = await page(client, issuer, ANA)
    ben = await page(client, issuer, BEN)
    chloe = await page(client, issuer, CHLOE)

    assert "Signed in as Ana Alvarez" in ana
    assert "Ben writes window functions on his own" in ana  # the shared goal
    assert "Explaining EXPLAIN plans" in ana and "ROW_NUMBER" not in ana  # her log, not Ben's answer
    assert "Teach query tuning" in ana and "Write my first window function" not in ana
    assert "Signed in as Ben Becker" in ben and "ROW_NUMBER over a partition" in ben
    assert "Explaining EXPLAIN plans" not in ben and "Teach query tuning" not in ben
    assert "private blocker" not in ana + ben  # blockers are never shown, not even back to the author
    assert "Signed in as Chloe Chen" in chloe and "You have no match right now" in chloe
    assert "facilitator" in chloe
    for other in ("Explaining EXPLAIN", "ROW_NUMBER", "Teach query tuning"):
        assert other not in chloe


async def test_a_person_the_bot_does_not_know_is_asked_to_say_hi_first(
    client: Client, issuer: Issuer
) -> None:
    html = await page(client, issuer, STRANGER)

    assert "Say hi to peerlearn first" in html
    assert "nothing stored about you" in html


async def test_forged_expired_foreign_and_malformed_tokens_get_401_and_read_nothing(
    client: Client, issuer: Issuer
) -> None:
    stranger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cases = {
        "forged signature": bearer(issuer, ANA, key=stranger_key),
        "unknown key": bearer(issuer, ANA, kid="not-published"),
        "expired": bearer(issuer, ANA, exp=1_700_000_000, nbf=1_699_990_000, iat=1_699_990_000),
        "wrong audience": bearer(issuer, ANA, aud="api://elsewhere.example.com/another-app"),
        "other tenant": bearer(
            issuer, ANA, tid=OTHER_TENANT, iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"
        ),
        "issuer of another tenant": bearer(
            issuer, ANA, iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"
        ),
        "no scope": bearer(issuer, ANA, scp=None, roles=["Everything.All"]),
        "no header": {},
        "not bearer": {"Authorization": "Basic YW5hOnNlY3JldA=="},
        "garbage": {"Authorization": "Bearer not.a.token"},
    }
    for case, headers in cases.items():
        response = await client.get("/tabs/my-learning/view", headers=headers)
        text = await response.text()
        assert response.status == 401, case
        assert "We could not confirm who you are" in text, case
        assert "Ana" not in text and "window functions" not in text, case


async def test_a_colleagues_token_cannot_change_someone_elses_data(client: Client, issuer: Issuer) -> None:
    # Ben pauses, trying to name Ana in every way a form could: the token decides who acts, nothing else.
    response = await client.post(
        "/tabs/my-learning/participation",
        data={"action": "pause", "weeks": "2", "person_id": ANA.person_id, "oid": ANA.oid},
        headers=bearer(issuer, BEN),
    )
    assert response.status == 200
    assert "Paused" in await response.text()
    assert "You are paused" not in await page(client, issuer, ANA)
    assert "Resume matching" in await page(client, issuer, BEN)

    export = await client.get("/tabs/my-learning/export?person_id=p-ana", headers=bearer(issuer, BEN))
    data = json.loads(await export.read())
    assert export.headers["Content-Disposition"].startswith("attachment")
    assert data["person"]["display_name"] == "Ben Becker"
    assert "Explaining EXPLAIN" not in json.dumps(data)

    resumed = await client.post(
        "/tabs/my-learning/participation", data={"action": "resume"}, headers=bearer(issuer, BEN)
    )
    assert "Welcome back" in await resumed.text()


async def test_a_refused_token_cannot_pause_or_delete(client: Client, issuer: Issuer) -> None:
    forged = bearer(issuer, ANA, aud="api://elsewhere.example.com/x")
    paused = await client.post(
        "/tabs/my-learning/participation", data={"action": "pause", "weeks": "2"}, headers=forged
    )
    deleted = await client.post("/tabs/my-learning/delete", data={"confirm": "delete"}, headers=forged)

    assert (paused.status, deleted.status) == (401, 401)
    assert "Signed in as Ana Alvarez" in await page(client, issuer, ANA)
    assert "Pause matching" in await page(client, issuer, ANA)


async def test_the_profile_is_edited_with_the_bots_own_rules(client: Client, issuer: Issuer) -> None:
    form = await page(client, issuer, BEN, "/tabs/my-learning/profile")
    assert 'value="SQL"' in form and "Write my first window function" in form

    bad = await client.post(
        "/tabs/my-learning/profile",
        data={"learn_skill_0": "SQL", "learn_level_0": "9", "timezone": "Atlantis", "hours_per_month": "x"},
        headers=bearer(issuer, BEN),
    )
    text = await bad.text()
    assert bad.status == 400
    assert "nothing was saved yet" in text and "Atlantis" in text
    assert 'aria-invalid="true"' in text

    saved = await client.post(
        "/tabs/my-learning/profile",
        data={
            "learn_skill_0": "SQL",
            "learn_level_0": "3",
            "teach_skill_0": "Excel",
            "teach_level_0": "4",
            "timezone": "Europe/Berlin",
            "hours_per_month": "6",
            "goals": "Window functions without looking them up",
            "available_days": ["mon", "wed"],
            "available_from": "09:00",
            "available_to": "12:00",
            "discoverable": "true",
        },
        headers=bearer(issuer, BEN),
    )
    assert saved.status == 200, await saved.text()
    view = await saved.text()
    assert "Your profile is saved" in view and "Excel (level 4)" in view
    again = await page(client, issuer, BEN, "/tabs/my-learning/profile")
    assert 'value="mon" checked' in again and 'value="09:00"' in again


async def test_delete_asks_first_then_erases_and_the_tab_says_so_honestly(
    client: Client, issuer: Issuer
) -> None:
    ask = await page(client, issuer, BEN, "/tabs/my-learning/delete")
    assert "Delete all my data?" in ask

    unconfirmed = await client.post("/tabs/my-learning/delete", data={}, headers=bearer(issuer, BEN))
    assert unconfirmed.status == 400 and "Nothing was deleted" in await unconfirmed.text()
    assert "Signed in as Ben Becker" in await page(client, issuer, BEN)

    done = await client.post(
        "/tabs/my-learning/delete", data={"confirm": "delete"}, headers=bearer(issuer, BEN)
    )
    assert done.status == 200 and "Your data is deleted" in await done.text()

    after = await page(client, issuer, BEN)
    assert "nothing stored about you" in after and "you deleted your" in after
    assert "Ben Becker" not in after
    ana = await page(client, issuer, ANA)
    assert "ROW_NUMBER" not in ana and "Ben Becker" not in ana  # her partner's data is gone from her view too
    again = await client.post(
        "/tabs/my-learning/delete", data={"confirm": "delete"}, headers=bearer(issuer, BEN)
    )
    assert "Say hi to peerlearn first" in await again.text()


async def test_a_tenant_outside_the_allowed_list_is_refused_even_with_a_valid_signature(
    client: Client, issuer: Issuer
) -> None:
    response = await client.get(
        "/tabs/my-learning/view",
        headers=bearer(issuer, ANA, tid=OTHER_TENANT, iss=f"https://sts.windows.net/{OTHER_TENANT}/"),
    )
    assert response.status == 401
    text = await response.text()
    assert f"the tenant &#39;{OTHER_TENANT}&#39; is not one this peerlearn serves" in text
    ok = await client.get(
        "/tabs/my-learning/view", headers=bearer(issuer, ANA, iss=f"https://sts.windows.net/{TENANT}/")
    )
    assert ok.status == 200  # a v1 token of the allowed tenant


async def test_my_notes_are_mine_and_colleagues_find_only_what_was_shared(
    client: Client, issuer: Issuer
) -> None:
    ana = await page(client, issuer, ANA)
    ben = await page(client, issuer, BEN)
    assert "My private note: teaching is learning twice" in ana and "only me" in ana
    assert "My private note" not in ben
    assert "Window functions replace most self-joins" in ben and "shared with my name" in ben

    found = await client.post(
        "/tabs/my-learning/shared-notes", data={"skill": "SQL"}, headers=bearer(issuer, CHLOE)
    )
    text = await found.text()
    assert found.status == 200
    assert "Window functions replace most self-joins" in text and "by Ben Becker" in text
    assert "My private note" not in text
    empty = await client.post(
        "/tabs/my-learning/shared-notes", data={"skill": ""}, headers=bearer(issuer, CHLOE)
    )
    assert empty.status == 400 and "Type a skill" in await empty.text()
