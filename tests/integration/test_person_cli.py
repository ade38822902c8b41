"""An administrator exports or deletes the data of someone who cannot ask the bot (they left the company)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from core.model import Organization, OrganizationKind, Person, TeamsIdentity
from peerlearn.cli import main
from storage.unit_of_work import SqlUnitOfWorkFactory

TENANT = "11111111-2222-3333-4444-555555555555"


async def _someone(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.organizations.add(Organization("org-1", OrganizationKind.TEAMS_TENANT, TENANT, "Contoso"))
        await uow.persons.add(
            Person(
                "p-1",
                "org-1",
                "Quentin Left",
                "quentin@contoso.example",
                TeamsIdentity(TENANT, "aad-q", "29:q"),
            )
        )
        await uow.commit()


async def test_an_administrator_exports_then_deletes_a_person_by_email(
    uow_factory: SqlUnitOfWorkFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    await _someone(uow_factory)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    who = ["--tenant", TENANT, "--email", "Quentin@Contoso.example"]
    env = ["--env-file", str(tmp_path / "none.env")]

    assert await _in_thread([*env, "person", "export", *who]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["person"]["display_name"] == "Quentin Left"

    assert await _in_thread([*env, "person", "delete", *who]) == 2  # not without --yes
    assert "--yes" in capsys.readouterr().out
    assert await _in_thread([*env, "person", "delete", *who, "--yes"]) == 0
    assert "erased" in capsys.readouterr().out
    async with uow_factory() as uow:
        person = await uow.persons.get("org-1", "p-1")
    assert person is not None and person.erased and person.verified_email is None

    assert await _in_thread([*env, "person", "export", *who]) == 1
    assert "Nobody with the email" in capsys.readouterr().out


async def _in_thread(argv: list[str]) -> int:
    """The CLI runs its own event loop, as it does from a shell."""
    return await asyncio.to_thread(main, argv)
