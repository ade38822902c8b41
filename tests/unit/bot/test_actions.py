"""Bot actions against the fakes: each handler gets an `ActionContext` (who acts, where, with which data) and
answers with a card, through core's use cases on a fake unit of work that keeps the real one's contract."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime

import pytest

from adaptive_cards import verbs
from bot.actions import ActionContext, Services, build_registry
from bot.forms import StaleCard
from core.errors import ConcurrentChange, InvalidTransition, PermissionDenied
from core.model import Intent, PairingStatus, Response
from core.model.conversations import ConversationScope, StoredConversation
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork

PAIR = "c" * 32  # card ids are checked to look like ids
TEAM_PROGRAM = "d" * 32


@dataclass
class FakeBotStore:
    """The Teams bot's own rows, in memory (the `BotStore` port)."""

    conversations: dict[tuple[str, str, str], StoredConversation] = field(default_factory=dict)
    members: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)

    def bound(self, uow: object) -> FakeBotStore:
        return self

    async def claim_activity(self, key: str, at: datetime) -> bool:
        if key in self.claimed:
            return False
        self.claimed.add(key)
        return True

    async def save_conversation(self, conversation: StoredConversation) -> None:
        key = (conversation.organization_id, conversation.scope.value, conversation.key)
        self.conversations[key] = conversation

    async def conversation(
        self, organization_id: str, scope: ConversationScope, key: str
    ) -> StoredConversation | None:
        return self.conversations.get((organization_id, scope.value, key))

    async def add_team_members(
        self, organization_id: str, team_id: str, person_ids: list[str], owners: Collection[str] = ()
    ) -> None:
        self.members.setdefault((organization_id, team_id), set()).update(person_ids)

    async def remove_team_member(self, organization_id: str, team_id: str, person_id: str) -> None:
        self.members.get((organization_id, team_id), set()).discard(person_id)

    async def is_team_member(self, organization_id: str, team_id: str, person_id: str) -> bool:
        return person_id in self.members.get((organization_id, team_id), set())


def _ctx(uow: FakeUnitOfWork, clock: FakeClock, who: str, **data: object) -> ActionContext:
    services = Services(lambda: FakeUnitOfWork(uow.store), clock, FakeBotStore())  # type: ignore[arg-type]
    person = uow.store.persons[who]
    return ActionContext(services=services, organization_id=ORG, person=person, data=data)


def _text(card: object) -> str:
    return str(card)


async def _run(verb: str, ctx: ActionContext) -> str:
    return _text((await build_registry()[verb](ctx)).card)


async def test_every_member_answers_a_proposal_for_themselves_and_the_pairing_starts(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    assert "You accepted" in await _run(verbs.PAIRING_ACCEPT, _ctx(uow, clock, "ana", pairing_id=PAIR))
    assert "You are matched" in await _run(verbs.PAIRING_ACCEPT, _ctx(uow, clock, "bo", pairing_id=PAIR))
    stored = uow.store.pairings[PAIR]
    assert stored.status is PairingStatus.ACTIVE  # everyone said yes: it starts at once
    assert [m.response for m in stored.members] == [Response.ACCEPTED, Response.ACCEPTED]


async def test_someone_outside_a_pairing_cannot_answer_or_see_it(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    for verb in (verbs.PAIRING_VIEW, verbs.PAIRING_ACCEPT, verbs.PAIRING_DECLINE, verbs.CHECKIN_OPEN):
        with pytest.raises(PermissionDenied):
            await build_registry()[verb](_ctx(uow, clock, "cy", pairing_id=PAIR))
    assert uow.store.pairings[PAIR].status is PairingStatus.PROPOSED


async def test_a_card_without_a_valid_pairing_id_is_stale_and_changes_nothing(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(StaleCard):
        await build_registry()[verbs.PAIRING_ACCEPT](_ctx(uow, clock, "ana", pairing_id="../x"))


async def test_a_check_in_with_a_confidential_note_reaches_the_facilitator_as_a_notice_only(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    pairing = proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    pairing.status = PairingStatus.ACTIVE
    answer = {"met": "yes", "usefulness": "4", "learned": "Helm", "confidential_note": "Bo is late"}
    thanks = await _run(verbs.CHECKIN_SUBMIT, _ctx(uow, clock, "ana", pairing_id=PAIR, **answer))
    assert "Thanks" in thanks and "Bo is late" not in thanks
    notices = [m for m in uow.store.outbox.values() if m.intent is Intent.CONCERN_RAISED]
    assert [m.recipient_id for m in notices] == ["fay"] and "Bo is late" not in str(notices)


async def test_delete_needs_its_confirmation_and_then_erases_the_person(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    with pytest.raises(StaleCard):
        await build_registry()[verbs.DELETE_CONFIRM](_ctx(uow, clock, "ana"))
    assert not uow.store.persons["ana"].erased
    done = await _run(verbs.DELETE_CONFIRM, _ctx(uow, clock, "ana", confirm="yes"))
    assert "deleted" in done and uow.store.persons["ana"].erased


async def test_only_a_facilitator_reads_the_report_and_a_taken_over_program_cannot_be_taken_twice(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.programs[TEAM_PROGRAM] = replace(uow.store.programs.pop(PROGRAM), id=TEAM_PROGRAM)
    with pytest.raises(PermissionDenied):
        await build_registry()[verbs.REPORT_OPEN](_ctx(uow, clock, "ana", program_id=TEAM_PROGRAM))
    assert "Report" in await _run(verbs.REPORT_OPEN, _ctx(uow, clock, "fay", program_id=TEAM_PROGRAM))
    with pytest.raises(InvalidTransition):
        await build_registry()[verbs.FACILITATOR_TAKE_OVER](_ctx(uow, clock, "fay", program_id=TEAM_PROGRAM))


async def test_an_answer_from_a_stale_read_is_refused_by_the_fake_as_by_the_database(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    stale = FakeUnitOfWork(uow.store)
    async with stale:
        old = await stale.pairings.get(ORG, PAIR)
        assert old is not None
        await _run(verbs.PAIRING_ACCEPT, _ctx(uow, clock, "ana", pairing_id=PAIR))
        old.decline("bo", clock.now())
        await stale.pairings.save(old)
        with pytest.raises(ConcurrentChange):
            await stale.commit()
    assert uow.store.pairings[PAIR].members[0].response is Response.ACCEPTED
