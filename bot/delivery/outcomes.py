"""Recording outcomes: by group commit while the database answers, kept (in memory and on disk) while it
does not, and written when it is back.

The first outcome is committed at once; outcomes that arrive while a commit runs wait for it and go
together in the next one. Nothing waits on a timer, so a busy sender commits far less often than once per
message.

A send Teams accepted must never be repeated because its outcome could not be written. So every outcome
is first appended to a journal file (one JSON line; a plain write, which survives the process dying but
not the machine) and kept in memory until the database has it. When a commit fails, the outcomes stay
kept and are written again with a growing pause until the database answers; meanwhile new outcomes are
kept without trying. The sender asks `holds(row)` before sending a claimed row, so a row whose outcome is
kept is never sent twice. A journal left by a process that died is adopted by the next one started on the
same data directory (its lock is free), and its outcomes are written first."""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from core.model.delivery import DeliveryOutcome, Finish, Outcome

log = logging.getLogger("peerlearn.delivery")


class OutcomeStore(Protocol):
    async def record(self, outcomes: Sequence[Outcome]) -> list[bool]:
        """See `core.ports.delivery.OutboxQueue.record`."""
        ...


JOURNAL_PREFIX = "delivery-outcomes-"


def _line(outcome: Outcome) -> dict[str, Any]:
    f = outcome.finish
    return {
        "id": outcome.outbox_id,
        "org": outcome.organization_id,
        "attempt": outcome.attempt,
        "at": outcome.at.isoformat(),
        "outcome": f.outcome.value,
        "reason": f.reason,
        "program": f.program_id,
        "activity": f.activity_id,
        "conversation": f.conversation_id,
    }


def _outcome(line: dict[str, Any]) -> Outcome:
    finish = Finish(
        DeliveryOutcome(line["outcome"]),
        line.get("reason", ""),
        line.get("program"),
        line.get("activity"),
        line.get("conversation"),
    )
    return Outcome(line["id"], line["org"], int(line["attempt"]), finish, datetime.fromisoformat(line["at"]))


class OutcomeJournal:
    """This process's journal file in `directory`, locked while the process lives."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.path = directory / f"{JOURNAL_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def append(self, outcomes: Sequence[Outcome]) -> None:
        data = "".join(json.dumps(_line(o), separators=(",", ":")) + "\n" for o in outcomes)
        os.write(self._fd, data.encode())

    def written(self, ids: Sequence[str], nothing_left: bool) -> None:
        if nothing_left:
            os.ftruncate(self._fd, 0)  # O_APPEND: the next line goes to the (new) end
        elif ids:
            os.write(self._fd, (json.dumps({"written": list(ids)}) + "\n").encode())

    def close(self, nothing_left: bool) -> None:
        os.close(self._fd)
        if nothing_left:
            self.path.unlink(missing_ok=True)

    def adopt_orphans(self) -> list[Outcome]:
        """Outcomes not yet written from the journals of processes that are gone; their files are copied
        into this journal, then removed."""
        adopted: list[Outcome] = []
        for path in sorted(self.directory.glob(f"{JOURNAL_PREFIX}*.jsonl")):
            if path == self.path:
                continue
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its process is alive
                found = read_journal(path)
                self.append(found)
                adopted.extend(found)
                path.unlink(missing_ok=True)
            finally:
                os.close(fd)
        return adopted


def read_journal(path: Path) -> list[Outcome]:
    """The outcomes of a journal file that it does not mark written (a torn last line is ignored)."""
    kept: dict[str, Outcome] = {}
    for text in path.read_text().splitlines():
        try:
            line = json.loads(text)
        except ValueError:
            continue
        if "written" in line:
            for outbox_id in line["written"]:
                kept.pop(outbox_id, None)
        else:
            outcome = _outcome(line)
            kept.setdefault(outcome.outbox_id, outcome)
    return list(kept.values())


class OutcomeRecorder:
    """One per process: shared by every tenant's sender, and outlives their drains."""

    def __init__(
        self,
        queue: OutcomeStore,
        journal: OutcomeJournal | None = None,
        retry_pause: tuple[float, float] = (0.2, 5.0),
    ) -> None:
        self.queue, self.journal = queue, journal
        self.retry_pause = retry_pause
        self._unwritten: dict[str, Outcome] = {}
        self._waiting: list[tuple[Outcome, asyncio.Future[bool | None]]] = []
        self._kept: list[Outcome] = []
        self._away = False
        self._committer: asyncio.Task[None] | None = None
        self._retrier: asyncio.Task[None] | None = None

    def holds(self, outbox_id: str) -> bool:
        """True when an outcome of the row is kept, not yet written: the row must not be sent again."""
        return outbox_id in self._unwritten

    @property
    def kept(self) -> int:
        return len(self._unwritten)

    def adopt(self, outcomes: Sequence[Outcome]) -> None:
        """Outcomes of a process that died before writing them: written first (they are in our journal)."""
        for outcome in outcomes:
            self._unwritten.setdefault(outcome.outbox_id, outcome)
        self._kept.extend(outcomes)
        if outcomes:
            self._away = True  # new outcomes wait behind these
            self._start_retrier()

    async def record(self, outcome: Outcome) -> bool | None:
        """True once written; False when the database refused it (see `OutboxQueue.record`); None when the
        database could not be reached: the outcome is kept and written later."""
        if self.journal is not None:
            self.journal.append([outcome])
        self._unwritten[outcome.outbox_id] = outcome
        if self._away:
            self._kept.append(outcome)
            self._start_retrier()
            return None
        future: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, future))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit())
        # The commit runs on even if this caller is cancelled: the row's outcome must not be half-recorded.
        return await asyncio.shield(future)

    async def _commit(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            done = await self._write([o for o, _ in batch])
            for i, (_, future) in enumerate(batch):
                if not future.done():
                    future.set_result(None if done is None else done[i])

    async def _write(self, outcomes: list[Outcome]) -> list[bool] | None:
        try:
            done = await self.queue.record(outcomes)
        except Exception as error:  # the database is away: keep them
            if not self._away:
                log.warning(
                    "the database is unreachable: outcomes are kept and written when it is back",
                    extra={"kept": len(self._unwritten), "error": str(error)[:300]},
                )
            self._away = True
            self._kept.extend(outcomes)
            self._start_retrier()
            return None
        for outcome in outcomes:
            if self._unwritten.get(outcome.outbox_id) is outcome:
                del self._unwritten[outcome.outbox_id]
        if self.journal is not None:
            self.journal.written([o.outbox_id for o in outcomes], not self._unwritten)
        return done

    def _start_retrier(self) -> None:
        if self._retrier is None or self._retrier.done():
            self._retrier = asyncio.create_task(self._retry())

    async def _retry(self) -> None:
        pause, longest = self.retry_pause
        first = True
        while self._kept:
            if not first:
                await asyncio.sleep(pause)
            first = False
            batch, self._kept = self._kept, []
            if await self._write(batch) is None:
                pause = min(pause * 2, longest)
            elif not self._kept:
                self._away = False
                log.info("the database is back: kept outcomes written")

    async def flush(self, seconds: float) -> bool:
        """Write what is kept (on shutdown); True when nothing is left unwritten. What is left stays in
        the journal file for the next process on this data directory."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while self._unwritten and loop.time() < deadline:
            if self._committer is not None and not self._committer.done():
                await asyncio.wait([self._committer], timeout=deadline - loop.time())
                continue
            if self._kept and (self._retrier is None or self._retrier.done()):
                self._start_retrier()
            if self._retrier is not None and not self._retrier.done():
                await asyncio.wait([self._retrier], timeout=max(deadline - loop.time(), 0))
            elif self._unwritten:
                await asyncio.sleep(0.05)
        return not self._unwritten

    def close(self) -> None:
        for task in (self._committer, self._retrier):
            if task is not None:
                task.cancel()
        if self.journal is not None:
            self.journal.close(not self._unwritten)
