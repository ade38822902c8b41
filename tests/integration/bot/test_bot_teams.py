"""Installation in a team: the roster read page by page, the channel card, members joining and leaving."""

from __future__ import annotations

from adaptive_cards import verbs
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import BOT, Teams, User, action_data, card_text

TEAM = "19:platform@thread.tacv2"
FAY, ANA, BO, CY = User("fay"), User("ana"), User("bo"), User("cy")


async def install_in_team(teams: Teams, fake: FakeConnector) -> dict[str, object]:
    fake.members.extend(u.member for u in (FAY, ANA, BO))
    status, _ = await teams.post(teams.activity(FAY, "conversationUpdate", team=TEAM, membersAdded=[BOT]))
    assert status in (200, 201)
    return fake.cards(TEAM)[-1]


async def test_installing_in_a_team_reads_the_roster_page_by_page_and_invites_the_channel(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    invite = await install_in_team(teams, fake)
    assert fake.roster_calls == 2  # three members, two per page
    assert "Peer learning for Platform" in card_text(invite)
    program = action_data(invite, verbs.JOIN)
    joined = await teams.click(BO, verbs.JOIN, program)  # from a personal chat: known from the roster
    assert "You accepted" in card_text(joined)
    setup = await teams.click(FAY, verbs.SETUP_OPEN, {"program_id": program["program_id"]}, team=TEAM)
    assert "Set up Platform" in card_text(setup)
    assert setup["refresh"]["userIds"] == [FAY.id]  # a user-specific view in the shared channel
    refused = await teams.click(ANA, verbs.SETUP_OPEN, {"program_id": program["program_id"]}, team=TEAM)
    assert "Only this program's facilitators" in card_text(refused)


async def test_someone_outside_the_team_cannot_join_its_program(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    program = action_data(await install_in_team(teams, fake), verbs.JOIN)
    refused = await teams.click(CY, verbs.JOIN, program)
    assert "is for the members of its team" in card_text(refused)


async def test_a_new_member_is_welcomed_one_to_one_from_the_stored_reference(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    await install_in_team(teams, fake)
    fake.members.append(CY.member)
    added = teams.activity(FAY, "conversationUpdate", team=TEAM, membersAdded=[CY.account])
    added["channelData"]["eventType"] = "teamMemberAdded"
    await teams.post(added)
    (created,) = fake.created
    assert created["members"][0]["id"] == CY.id and created["channelData"]["tenant"]["id"] == "tenant-a"
    welcome = fake.cards(f"a:personal-{CY.id}")[-1]
    assert "Code of conduct" in card_text(welcome)
    joined = await teams.click(CY, verbs.JOIN, action_data(welcome, verbs.JOIN))
    assert "You accepted" in card_text(joined)


async def test_a_member_who_leaves_the_team_is_unenrolled_and_uninstalling_stops_the_program(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    program = action_data(await install_in_team(teams, fake), verbs.JOIN)
    await teams.click(BO, verbs.JOIN, program)
    removed = teams.activity(FAY, "conversationUpdate", team=TEAM, membersRemoved=[BO.account])
    removed["channelData"]["eventType"] = "teamMemberRemoved"
    await teams.post(removed)
    status = card_text(await teams.click(BO, verbs.STATUS))
    assert "left" in status

    uninstall = teams.activity(FAY, "installationUpdate", team=TEAM, action="remove")
    await teams.post(uninstall)
    report = card_text(await teams.click(FAY, verbs.REPORT_OPEN, {"program_id": program["program_id"]}))
    assert "stopped" in report and "Opted in" in report  # nothing deleted
    refused = await teams.click(FAY, verbs.ROUND_RUN, {"program_id": program["program_id"]})
    assert "stopped" in card_text(refused)
