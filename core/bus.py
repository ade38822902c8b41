"""The message bus: the one thing that opens a unit of work and commits it.

A door (a Teams turn, a tab request, an LTI request) or a job (the worker) hands its command to the bus.
The bus opens one unit of work, calls the one handler registered for that command's type with
`(command, uow, clock)`, and commits once when the handler returns. A handler never opens a session and
never commits: if it raises, nothing it wrote is kept. Messages to people are rows of the transactional
outbox written in the same unit of work (cosmicpython's bus, with the outbox in place of its events).

A request that must also render what it changed (a card action answers with the refreshed card) opens
one `unit()` of the bus, dispatches its command there and reads its view through `core.views` in the
same transaction; the bus commits when the block ends without an exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from core.ports import Clock, UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
Handler = Callable[[Any, UnitOfWork, Clock], Awaitable[Any]]


class UnknownCommand(LookupError):
    """A command with no handler registered: a wiring mistake, never a user's."""


@dataclass
class Work:
    """One open unit of work of the bus: dispatch commands and read views in it, never commit."""

    uow: UnitOfWork
    clock: Clock
    handlers: Mapping[type, Handler]
    # A command of this unit raised: nothing of the unit is kept, even when the door caught the error and
    # answered it (a form shown again with its mistakes must not leave half a change behind).
    failed: bool = False

    async def handle(self, command: object) -> Any:
        handler = self.handlers.get(type(command))
        if handler is None:
            raise UnknownCommand(f"No handler is registered for {type(command).__name__}.")
        try:
            return await handler(command, self.uow, self.clock)
        except BaseException:
            self.failed = True
            raise


class MessageBus:
    """Opens units of work, runs handlers in them, and commits: nothing else in the house commits."""

    def __init__(
        self, uows: UnitOfWorkFactory, clock: Clock, handlers: Mapping[type, Handler] | None = None
    ) -> None:
        if handlers is None:
            from core.handlers import HANDLERS  # the registry imports every service; the bus stays small

            handlers = HANDLERS
        self.uows = uows
        self.clock = clock
        self.handlers = handlers

    async def handle(self, command: object) -> Any:
        """One command in one unit of work, committed when its handler returns."""
        async with self.unit() as work:
            return await work.handle(command)

    async def read(self, view: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """A read model in a unit of work of its own, which writes nothing and is rolled back."""
        async with self.reading() as uow:
            return await view(uow)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work for several reads (a job's input read in slices): always rolled back."""
        async with self.uows(read_only=True) as uow:
            yield uow

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Work]:
        """One request's unit of work: committed when the block ends normally, unless one of its commands
        raised (then, as on an exception out of the block, everything is rolled back)."""
        async with self.uows() as uow:
            work = Work(uow, self.clock, self.handlers)
            yield work
            if not work.failed:
                await uow.commit()
