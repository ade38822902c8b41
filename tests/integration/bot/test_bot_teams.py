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


async def _facilitator_add(teams: Teams, fake: FakeConnector, by: User, text: str, *mentioned: User) -> str:
    entities = [
        {"type": "mention", "mentioned": BOT, "text": "<at>peerlearn</at>"},
        *({"type": "mention", "mentioned": u.account, "text": f"<at>{u.key}</at>"} for u in mentioned),
    ]
    message = teams.activity(by, "message", team=TEAM, text=text, entities=entities)
    status, _ = await teams.post(message)
    assert status in (200, 201)
    return card_text(fake.cards(TEAM)[-1])


async def test_a_facilitator_adds_another_by_mention_and_only_a_facilitator_may(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    program = action_data(await install_in_team(teams, fake), verbs.JOIN)
    setup = {"program_id": program["program_id"]}

    refused = await _facilitator_add(teams, fake, ANA, "<at>peerlearn</at> facilitator add <at>bo</at>", BO)
    assert "Only this program's facilitators can name another facilitator" in refused
    assert "Only this program's facilitators" in card_text(await teams.click(BO, verbs.SETUP_OPEN, setup))

    added = await _facilitator_add(teams, fake, FAY, "<at>peerlearn</at> facilitator add <at>ana</at>", ANA)
    assert "Facilitator added" in added and "Ana now facilitates" in added
    assert "Set up Platform" in card_text(await teams.click(ANA, verbs.SETUP_OPEN, setup))
    again = await _facilitator_add(teams, fake, ANA, "<at>peerlearn</at> facilitator add <at>ana</at>", ANA)
    assert "Already a facilitator" in again

    fake.members.append(CY.member)  # known to Teams, but not a member of this team
    outsider = await _facilitator_add(teams, fake, FAY, "<at>peerlearn</at> facilitator add <at>cy</at>", CY)
    assert "must be members of its team" in outsider
    nobody = await _facilitator_add(teams, fake, FAY, "<at>peerlearn</at> facilitator add")
    assert "mention the person" in nobody


async def test_a_facilitator_can_name_another_by_work_email(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    program = action_data(await install_in_team(teams, fake), verbs.JOIN)
    added = await _facilitator_add(teams, fake, FAY, "<at>peerlearn</at> facilitator add BO@contoso.example")
    assert "Bo now facilitates" in added
    setup = {"program_id": program["program_id"]}
    assert "Set up Platform" in card_text(await teams.click(BO, verbs.SETUP_OPEN, setup))
    unknown = await _facilitator_add(
        teams, fake, FAY, "<at>peerlearn</at> facilitator add zed@contoso.example"
    )
    assert "Nobody with the address zed@contoso.example" in unknown
