"""`peerlearn person export|delete`: a person's rights exercised by an administrator, for someone who cannot
ask the bot themselves (they left the company and their Teams account is gone). The same use cases as the
bot's `my data` and `delete my data`, so the same erasure everywhere."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from functools import partial

from core import commands
from core.bus import MessageBus
from core.errors import DomainError
from core.ports import Clock, UnitOfWorkFactory
from core.services import privacy

OpenUnits = Callable[[argparse.Namespace], AbstractAsyncContextManager[tuple[UnitOfWorkFactory, Clock]]]


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], open_units: OpenUnits
) -> None:
    person = subparsers.add_parser("person", help="export or delete one person's data (administrators)")
    group = person.add_subparsers(dest="person_command", required=True, metavar="PERSON_COMMAND")
    for name, help_ in (
        ("export", "print everything stored about the person, as the JSON `my data` gives them"),
        ("delete", "erase the person everywhere, as `delete my data` does (asks for --yes)"),
    ):
        p = group.add_parser(name, help=help_)
        p.add_argument("--tenant", required=True, help="the Teams tenant id (a GUID)")
        who = p.add_mutually_exclusive_group(required=True)
        who.add_argument("--email", help="the person's work email (UPN)")
        who.add_argument("--aad-object-id", help="the person's Entra object id")
        if name == "delete":
            p.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
        p.set_defaults(handler=lambda args, name=name: _run(args, name, open_units))


def _run(args: argparse.Namespace, action: str, open_units: OpenUnits) -> int:
    if action == "delete" and not args.yes:
        print("peerlearn person delete: add --yes to erase this person's data; it cannot be undone.")
        return 2
    try:
        print(asyncio.run(_act(args, action, open_units)))
    except DomainError as error:
        print(f"peerlearn person {action}: {error.message}")
        return 1
    return 0


async def _act(args: argparse.Namespace, action: str, open_units: OpenUnits) -> str:
    async with open_units(args) as (uows, clock):
        bus = MessageBus(uows, clock)
        organization_id, person_id = await bus.read(
            partial(
                privacy.find_for_administrator,
                tenant_id=args.tenant,
                email=args.email,
                aad_object_id=args.aad_object_id,
            )
        )
        if action == "export":
            data = await bus.handle(commands.ExportMyData(organization_id, person_id))
            return json.dumps(data, indent=1, ensure_ascii=False)
        await bus.handle(commands.DeleteMyData(organization_id, person_id))
        return "Deleted: the person's data is erased everywhere; their partners were told neutrally."
