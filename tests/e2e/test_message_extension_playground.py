"""Expert search from the compose box, played in Microsoft's M365 Agents Playground against the real server.

The Playground sends a message extension's query itself: `POST /_conversation/v1/invoke` with the name
`composeExtension/query` builds the `invoke` activity Teams sends (the mock tenant, the user's Entra object
id, the conversation) and returns the bot's answer. The team from `test_teams_trust.open_world`: Alex (the
Playground's current user) facilitates; Megan and Adele joined and teach; Isaiah joins later.

- Megan chose to be findable: she is listed, with her level and buttons to chat or ask for a session.
- Adele teaches the skill but did not opt in; Isaiah opted in and then deleted his data; Patti saved a
  findable profile from another tenant (the activity Teams would send her, posted through the wiretap):
  none of them is ever listed.
- Lynne, whom peerlearn never met, is told to say hi first; opening the command without typing prompts.

The result cards are rendered with Microsoft's Adaptive Cards renderer into `<tmp>/screenshots/` (printed).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from tests.e2e.playground_driver import ALEX, GROUP_CHAT, MEGAN, NEEDS_PLAYGROUND, TEAM, card_data, card_text
from tests.e2e.test_teams_trust import (
    ADELE,
    CHROMIUM,
    ISAIAH,
    LEVELS,
    LYNNE,
    PATTI,
    World,
    _cards,
    open_world,
)
from tests.support.card_renderer import RENDER, RENDERER, page_html

pytestmark = NEEDS_PLAYGROUND

KUBERNETES = {"teach_skill_0": "Kubernetes", "learn_skill_0": "Python"} | LEVELS
OTHER_TENANT = str(uuid.UUID(int=0xB0B))
TENANT = "00000000-0000-0000-0000-0000000000001"  # playground.yml's tenant
CAN_RENDER = Path(CHROMIUM).exists() and RENDERER.exists()


async def find_help(w: World, user: str, conversation: str, skill: str | None) -> dict[str, Any]:
    """What Teams sends when `user` types `skill` in the message extension's box (None: opens the command)."""
    parameters = (
        [{"name": "initialRun", "value": "true"}] if skill is None else [{"name": "skill", "value": skill}]
    )
    body = {
        "name": "composeExtension/query",
        "conversation": {"id": conversation},
        "from": {"id": user},
        "value": {
            "commandId": "findHelp",
            "parameters": parameters,
            "queryOptions": {"skip": 0, "count": 25},
        },
    }
    async with w.pg.session.post(f"{w.pg.base}/_conversation/v1/invoke", json=body) as r:
        answer = await r.json()
        assert r.status == 200, answer
    result: dict[str, Any] = answer["composeExtension"]
    return result


async def save_profile(w: World, user: str, values: dict[str, str]) -> None:
    saved = await w.pg.click(user, w.chats[user], w.welcome[user], "profile.save", values)
    assert "Saved" in card_text(saved), card_text(saved)


async def direct(
    w: World, who: dict[str, Any], tenant: str, name: str, value: dict[str, Any]
) -> dict[str, Any]:
    """An invoke the Playground cannot send (another tenant, someone outside its mock tenant): the activity
    Teams would send, from the Playground's own template, posted to the bot through the wiretap."""
    async with w.pg.session.get(
        f"{w.pg.base}/_internal/v1/customActivities/template", params={"conversationId": GROUP_CHAT}
    ) as r:
        activity: dict[str, Any] = await r.json()
    activity |= {
        "type": "invoke",
        "name": name,
        "id": str(uuid.uuid4()),
        "from": {"id": who["id"], "name": who["name"], "aadObjectId": who["aadObjectId"]},
        "value": value,
        "channelData": {"tenant": {"id": tenant}},
        "conversation": {"id": f"a:personal-{who['id']}", "conversationType": "personal", "tenantId": tenant},
    }
    async with w.pg.session.post(f"{w.tap.base}/api/messages", json=activity) as r:
        assert r.status == 200, await r.text()
        answer: dict[str, Any] = await r.json()
    return answer


def query(skill: str) -> dict[str, Any]:
    return {
        "commandId": "findHelp",
        "parameters": [{"name": "skill", "value": skill}],
        "queryOptions": {"skip": 0},
    }


async def test_the_compose_box_finds_only_colleagues_who_chose_to_be_found(tmp_path: Path) -> None:
    async with open_world(tmp_path) as w:
        await save_profile(w, MEGAN, KUBERNETES | {"discoverable": "true", "department": "Platform"})
        await save_profile(w, ADELE, KUBERNETES | {"discoverable": "false"})
        await w.pg.add_to_team(ISAIAH)
        w.chats[ISAIAH] = await w.pg.chat_created_with(ISAIAH)
        _, w.welcome[ISAIAH], _ = await w.pg.card(w.chats[ISAIAH])
        await save_profile(w, ISAIAH, KUBERNETES | {"discoverable": "true"})
        assert len((await find_help(w, ALEX, "personal-chat", "Kubernetes"))["attachments"]) == 2

        before = await w.type_as(ISAIAH, w.chats[ISAIAH], "delete my data")
        ask = await w.message_in(w.chats[ISAIAH], before, "Delete all your data?")
        delete = card_data(_cards(ask)[0], "data.delete.confirm")
        done = await w.pg.click(ISAIAH, w.chats[ISAIAH], ask.message_id, "data.delete.confirm", delete)
        assert "Your data is deleted" in card_text(done), card_text(done)
        save = {
            "action": {
                "type": "Action.Execute",
                "verb": "profile.save",
                "data": KUBERNETES | {"discoverable": "true"},
            }
        }
        patti = await direct(w, w.users[PATTI], OTHER_TENANT, "adaptiveCard/action", save)
        assert "Saved" in json.dumps(patti), patti

        result = await find_help(w, ALEX, "personal-chat", "k8s")
        assert result["type"] == "result" and result["attachmentLayout"] == "list", result
        [megan] = result["attachments"]
        assert megan["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert megan["preview"]["contentType"] == "application/vnd.microsoft.card.thumbnail"
        assert megan["preview"]["content"]["title"] == "Megan Bowen"
        shown = json.dumps(megan)
        assert "Kubernetes: expert (5/5)" in shown and "users=meganb@example.com" in shown
        assert "Ask for a session" in shown
        everything = json.dumps(result)
        for nobody in ("Adele", "Isaiah", "Patti", "adele@", "isaiah@", "patti@"):
            assert nobody not in everything, f"{nobody} listed: {everything}"

        # The same search from the group chat answers the same: what is findable is the organization's.
        assert json.dumps(await find_help(w, MEGAN, GROUP_CHAT, "Kubernetes")).count("Megan Bowen") == 0
        opened = await find_help(w, ALEX, "personal-chat", None)
        assert opened["type"] == "message" and "Type a skill" in opened["text"], opened
        # Patti, from her own tenant, finds nobody of Alex's; someone peerlearn never met is told to say hi.
        from_patti = (
            await direct(w, w.users[PATTI], OTHER_TENANT, "composeExtension/query", query("Kubernetes"))
        )["composeExtension"]
        assert from_patti["type"] == "message" and "Megan" not in json.dumps(from_patti), from_patti
        newcomer = {"id": "29:newcomer", "name": "Nia Newcomer", "aadObjectId": str(uuid.UUID(int=0x5EED))}
        stranger = (await direct(w, newcomer, TENANT, "composeExtension/query", query("Kubernetes")))[
            "composeExtension"
        ]
        assert stranger["type"] == "message" and "say hi" in stranger["text"], stranger
        lynne = await find_help(w, LYNNE, GROUP_CHAT, "Kubernetes")  # known from the group chat's roster
        assert [a["preview"]["content"]["title"] for a in lynne["attachments"]] == ["Megan Bowen"]

        await screenshots_of(tmp_path, [a["content"] for a in result["attachments"]])


async def screenshots_of(tmp_path: Path, cards: list[dict[str, Any]]) -> None:
    """The result cards as Teams draws them (Microsoft's renderer in Chromium), for a person to look at."""
    if not CAN_RENDER:
        return
    from playwright.async_api import async_playwright

    out = tmp_path / "screenshots"
    out.mkdir(exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 560, "height": 300})
            await page.set_content(page_html())
            for i, card in enumerate(cards):
                assert len(str(await page.evaluate(RENDER, card))) > 10
                await page.locator("#card").screenshot(path=str(out / f"find-help-{i}.png"))
        finally:
            await browser.close()
    print(f"screenshots: {out}")


async def test_a_group_keeps_what_it_learned_and_a_deleted_member_leaves_no_name(tmp_path: Path) -> None:
    """Megan, Adele and Isaiah form a group; the next round completes it and each is asked 1:1 for a note;
    Megan shares with her name, Adele anonymously (naming Megan in it), Isaiah keeps his private. Alex finds
    the two shared notes from the compose box; Adele cannot save Megan's card; Megan deletes her data."""
    async with open_world(tmp_path) as w:
        await w.pg.add_to_team(ISAIAH)
        w.chats[ISAIAH] = await w.pg.chat_created_with(ISAIAH)
        _, w.welcome[ISAIAH], _ = await w.pg.card(w.chats[ISAIAH])
        assert "You accepted" in card_text(
            await w.pg.click(ISAIAH, w.chats[ISAIAH], w.welcome[ISAIAH], "join", w.join)
        )
        await save_profile(w, ISAIAH, KUBERNETES)
        trios = w.program | {"kind": "peer_pairs", "cadence": "weekly", "group_size": "3"}
        assert "Saved" in card_text(await w.pg.click(ALEX, w.channel, w.invite_id, "setup.save", trios))

        before = await w.type_as(ALEX, TEAM, "match now")
        for user in (MEGAN, ADELE, ISAIAH):
            proposal = await w.message_in(w.chats[user], before, "A learning match for you")
            accept = card_data(_cards(proposal)[0], "pairing.accept")
            await w.pg.click(user, w.chats[user], proposal.message_id, "pairing.accept", accept)
        before = await w.type_as(ALEX, TEAM, "match now")  # the group's round is over: it completes

        words = {
            MEGAN: "Megan: readiness probes must check the database, not only the process.",
            ADELE: "Megan Bowen showed me how to drain one node at a time during an upgrade.",
            ISAIAH: "Isaiah, for myself: I still need to practise writing Helm charts.",
        }
        choices = {MEGAN: "attributed", ADELE: "anonymous", ISAIAH: "private"}
        invitations = {
            user: await w.message_in(w.chats[user], before, "What did you learn?", exact=True)
            for user in (MEGAN, ADELE, ISAIAH)
        }
        forms = {user: card_data(_cards(call)[0], "note.save") for user, call in invitations.items()}
        # A colleague pressing Megan's card (its data, sent as Adele) changes nothing.
        refused = await w.pg.click(
            ADELE,
            w.chats[ADELE],
            invitations[ADELE].message_id,
            "note.save",
            forms[MEGAN] | {"text": "Adele writing as Megan", "sharing": "attributed"},
        )
        assert "someone else's" in card_text(refused), card_text(refused)
        for user, call in invitations.items():
            saved = await w.pg.click(
                user,
                w.chats[user],
                call.message_id,
                "note.save",
                forms[user] | {"text": words[user], "skills": "Kubernetes", "sharing": choices[user]},
            )
            assert "Your learning note" in card_text(saved), card_text(saved)
        assert not [
            c
            for c in w.tap.messages(before)
            if "What did you learn?" in c.shown and c.conversation in (TEAM, GROUP_CHAT)
        ]

        found = await find_help(w, ALEX, "personal-chat", "Kubernetes")
        notes = {
            a["content"]["body"][1]["text"]: json.dumps(a["content"])
            for a in found["attachments"]
            if "Learning note" in a["preview"]["content"]["title"]
        }
        assert set(notes) == {words[MEGAN], words[ADELE]}, notes
        assert "Megan Bowen" in notes[words[MEGAN]] and "a colleague (anonymous)" in notes[words[ADELE]]
        assert "Adele" not in json.dumps(found) and words[ISAIAH] not in json.dumps(found)
        await screenshots_of(tmp_path, [a["content"] for a in found["attachments"]])

        before = await w.type_as(MEGAN, w.chats[MEGAN], "delete my data")
        ask = await w.message_in(w.chats[MEGAN], before, "Delete all your data?")
        delete = card_data(_cards(ask)[0], "data.delete.confirm")
        done = await w.pg.click(MEGAN, w.chats[MEGAN], ask.message_id, "data.delete.confirm", delete)
        assert "Your data is deleted" in card_text(done), card_text(done)
        after = json.dumps(await find_help(w, ADELE, w.chats[ADELE], "Kubernetes"))
        assert "Megan" not in after and words[MEGAN] not in after, after
        assert "a former participant showed me how to drain one node" in after, after
