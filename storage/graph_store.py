"""What Graph did for us: app installations per person and group chats per pairing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.model.delivery import AppInstallation, PairingChat
from storage.models_delivery import AppInstallationRow, PairingChatRow


class SqlGraphStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def installation(self, organization_id: str, person_id: str) -> AppInstallation | None:
        async with self.sessions() as session:
            row = await session.get(AppInstallationRow, (organization_id, person_id))
            if row is None:
                return None
            return AppInstallation(row.organization_id, row.person_id, row.status, row.reason, row.updated_at)

    async def save_installation(self, installation: AppInstallation) -> None:
        async with self.sessions() as session:
            await session.merge(
                AppInstallationRow(
                    organization_id=installation.organization_id,
                    person_id=installation.person_id,
                    status=installation.status,
                    reason=installation.reason[:2000],
                    updated_at=installation.updated_at,
                )
            )
            await session.commit()

    async def chat(self, organization_id: str, pairing_id: str) -> PairingChat | None:
        async with self.sessions() as session:
            row = await session.get(PairingChatRow, (organization_id, pairing_id))
            if row is None:
                return None
            return PairingChat(
                row.organization_id,
                row.pairing_id,
                row.program_id,
                row.chat_id,
                row.status,
                row.reason,
                row.attempts,
                row.next_attempt_at,
                row.updated_at,
            )

    async def save_chat(self, chat: PairingChat) -> None:
        async with self.sessions() as session:
            await session.merge(
                PairingChatRow(
                    organization_id=chat.organization_id,
                    pairing_id=chat.pairing_id,
                    program_id=chat.program_id,
                    chat_id=chat.chat_id,
                    status=chat.status,
                    reason=chat.reason[:2000],
                    attempts=chat.attempts,
                    next_attempt_at=chat.next_attempt_at,
                    updated_at=chat.updated_at,
                )
            )
            await session.commit()
