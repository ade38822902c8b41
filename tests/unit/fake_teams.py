"""The Teams door's rows in memory (`uow.conversations`, `uow.activity_claims`), with the real repositories'
contract: a person's 1:1 chat is not written once they deleted their data; a claim is refused the second time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.model import Person
from core.model.conversations import ConversationScope, StoredConversation


class _HasTeamRows(Protocol):
    persons: dict[str, Person]
    conversations: dict[tuple[str, str, str], StoredConversation]
    claimed: set[str]


class FakeConversations:
    def __init__(self, store: _HasTeamRows) -> None:
        self.s = store

    async def save(self, conversation: StoredConversation) -> None:
        if conversation.scope is ConversationScope.PERSONAL:
            person = self.s.persons.get(conversation.key)
            if person is None or person.erased:
                return
        key = (conversation.organization_id, conversation.scope.value, conversation.key)
        self.s.conversations[key] = conversation

    async def get(
        self, organization_id: str, scope: ConversationScope, key: str
    ) -> StoredConversation | None:
        return self.s.conversations.get((organization_id, scope.value, key))

    async def many(
        self, organization_id: str, scope: ConversationScope, keys: Sequence[str]
    ) -> dict[str, StoredConversation]:
        found = {k: self.s.conversations.get((organization_id, scope.value, k)) for k in keys}
        return {k: c for k, c in found.items() if c is not None}


class FakeActivityClaims:
    def __init__(self, store: _HasTeamRows) -> None:
        self.s = store

    async def claim(self, key: str, at: datetime) -> bool:
        if key in self.s.claimed:
            return False
        self.s.claimed.add(key)
        return True


class _HasOutcomes(Protocol):
    delivery_outcomes: list[
        tuple[str, str, str, str, str]
    ]  # (organization, program, person, outcome, reason)


class FakeDeliveries:
    """What the sender recorded, as the real `uow.deliveries` reads it: counts per outcome, failures by reason,
    and who was last failed rather than reached."""

    def __init__(self, store: _HasOutcomes) -> None:
        self.s = store

    def _of(self, organization_id: str, program_id: str) -> list[tuple[str, str, str]]:
        return [
            (p, o, r)
            for org, prog, p, o, r in self.s.delivery_outcomes
            if (org, prog) == (organization_id, program_id)
        ]

    async def counts_for_program(self, organization_id: str, program_id: str) -> dict[str, int]:
        counts = {"delivered": 0, "skipped": 0, "failed": 0}
        for _, outcome, _ in self._of(organization_id, program_id):
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    async def failure_reasons(self, organization_id: str, program_id: str) -> list[tuple[str, int]]:
        reasons: dict[str, int] = {}
        for _, outcome, reason in self._of(organization_id, program_id):
            if outcome == "failed":
                reasons[reason] = reasons.get(reason, 0) + 1
        return sorted(reasons.items(), key=lambda item: (-item[1], item[0]))

    async def unreachable(self, organization_id: str, program_id: str) -> list[str]:
        last: dict[str, str] = {}
        for person, outcome, _ in self._of(organization_id, program_id):
            if outcome in ("failed", "delivered"):
                last[person] = outcome
        return sorted(p for p, outcome in last.items() if outcome == "failed")
