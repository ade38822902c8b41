"""SQLite's one writer, handed over promptly between processes.

SQLite lets one connection write at a time. A writer that finds the lock taken sleeps in SQLite's busy
handler, in steps that grow to 100 ms, and tries again; nothing queues it. When the serving process and a
round's worker process both write (the round stored in slices), a card action slept through the gaps the
worker left between its slices and waited a step or two longer than the slice it waited for: the tail of
card actions during a 100,000-person round stayed above 100 ms.

`WriterTurn` is a lock file beside the database (`<database>-writer`), taken with `flock` by every unit of
work that may write, before its transaction starts and until it ends, by every process. A process waiting
for it tries again each millisecond, so the turn passes within about a millisecond of the previous
writer's commit; a round's worker pauses after each slice (`storage.unit_of_work._yield_writer`), so the
server's waiting unit gets the turn before the worker's next slice. Units that only read (`read_only`) do
not take it: WAL lets them read beside the writer.

Writers that do not go through a unit of work (migrations, ANALYZE, the LTI key store) still meet SQLite's
own busy handler, as before; the turn only makes the units fair to each other."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import time
import weakref
from pathlib import Path

POLL_SECONDS = 0.001


class WriterTurnTimeout(TimeoutError):
    """Another process held the database's writer turn for longer than this unit may wait."""


class WriterTurn:
    """The writer's turn on one SQLite file, shared by every process that writes to it."""

    def __init__(self, database: Path, wait_seconds: float) -> None:
        self.path = Path(f"{database}-writer")
        self.wait_seconds = wait_seconds
        self._fd: int | None = None
        self._pid = 0
        self._here = asyncio.Lock()  # one unit of this process at a time asks the file

    def _open(self) -> int:
        # A forked child shares its parent's open file, and so its flock: it opens its own.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
            self._closer = weakref.finalize(self, _close_quietly, self._fd)
        return self._fd

    def try_take(self) -> bool:
        """Take the file's lock if no other process has it, without waiting (not this process's order)."""
        try:
            fcntl.flock(self._open(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    async def take(self) -> None:
        """Wait for the turn (at most `wait_seconds`, then `WriterTurnTimeout`)."""
        deadline = time.monotonic() + self.wait_seconds
        try:
            async with asyncio.timeout(self.wait_seconds):
                await self._here.acquire()
        except TimeoutError as error:
            raise WriterTurnTimeout(f"no writer's turn within {self.wait_seconds:.0f} s") from error
        try:
            while not self.try_take():
                if time.monotonic() >= deadline:
                    raise WriterTurnTimeout(
                        f"another process kept the writer's turn for {self.wait_seconds:.0f} s"
                    )
                await asyncio.sleep(POLL_SECONDS)
        except BaseException:
            self._here.release()
            raise

    def give_back(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._here.release()

    def close(self) -> None:
        if self._fd is not None:
            self._closer()
            self._fd = None


def _close_quietly(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
