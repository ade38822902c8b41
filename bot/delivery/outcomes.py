"""Recording outcomes by group commit: one transaction for every outcome that arrived meanwhile.

The first outcome is committed at once; outcomes that arrive while a commit runs wait for it and then go
together in the next one. Nothing waits on a timer, so the window in which a crash can lose an answered
send's outcome (and so send it again) stays about one commit long, while a busy sender commits far less
often than once per message. Each row is still fenced by its claim's attempt number: recorded exactly once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

from core.delivery_ports import OutboxQueue
from core.model.delivery import Claim, Finish

Pending = tuple[Claim, Finish, "asyncio.Future[bool]"]


class OutcomeRecorder:
    def __init__(
        self,
        queue: OutboxQueue,
        now: Callable[[], datetime],
        writing: Callable[[], contextlib.AbstractAsyncContextManager[object]],
    ) -> None:
        self.queue, self.now, self.writing = queue, now, writing
        self._waiting: list[Pending] = []
        self._committer: asyncio.Task[None] | None = None

    async def record(self, claim: Claim, result: Finish) -> bool:
        """True once the outcome is committed; False when the claim was superseded (nothing written)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((claim, result, future))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit())
        # The commit runs on even if this caller is cancelled: the row's outcome must not be half-recorded.
        return await asyncio.shield(future)

    async def _commit(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                async with self.writing():
                    done = await self.queue.finish_many([(c, r) for c, r, _ in batch], self.now())
            except Exception as error:  # each caller handles it as its own failed commit (a retry)
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, _, future), recorded in zip(batch, done, strict=True):
                if not future.done():
                    future.set_result(recorded)
