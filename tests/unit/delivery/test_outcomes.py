"""Outcomes survive the database going away: kept in memory and in a journal file, written when it is back."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.delivery.outcomes import OutcomeJournal, OutcomeRecorder, read_journal
from core.model.delivery import DeliveryOutcome, Finish, Outcome

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class Queue:
    """Records outcomes like the real queue (first outcome of a row wins); raises while `down`."""

    def __init__(self) -> None:
        self.down = False
        self.rows: dict[str, Outcome] = {}
        self.calls = 0

    async def record(self, outcomes: Sequence[Outcome]) -> list[bool]:
        self.calls += 1
        await asyncio.sleep(0)
        if self.down:
            raise ConnectionRefusedError("Connect call failed ('127.0.0.1', 5432)")
        answers = []
        for outcome in outcomes:
            fresh = outcome.outbox_id not in self.rows
            if fresh:
                self.rows[outcome.outbox_id] = outcome
            answers.append(fresh)
        return answers


def delivered(row: str, attempt: int = 1) -> Outcome:
    return Outcome(row, "org", attempt, Finish(DeliveryOutcome.DELIVERED, "", "program", "m-" + row), T0)


async def test_an_outcome_is_written_at_once_while_the_database_answers(tmp_path: Path) -> None:
    queue = Queue()
    recorder = OutcomeRecorder(queue, OutcomeJournal(tmp_path))
    assert await recorder.record(delivered("r1")) is True
    assert not recorder.holds("r1")
    assert await recorder.record(delivered("r1", 2)) is False  # the row had its outcome
    assert read_journal(recorder.journal.path) == []  # type: ignore[union-attr]
    recorder.close()


async def test_outcomes_are_kept_while_the_database_is_away_and_written_when_it_is_back(
    tmp_path: Path,
) -> None:
    queue = Queue()
    queue.down = True
    recorder = OutcomeRecorder(
        queue,
        OutcomeJournal(tmp_path),
        retry_pause=(0.01, 0.05),
    )
    assert await recorder.record(delivered("r1")) is None  # kept, not lost
    assert await recorder.record(delivered("r2")) is None
    assert recorder.holds("r1") and recorder.holds("r2")  # the sender must not send them again
    journal = recorder.journal
    assert journal is not None
    assert {o.outbox_id for o in read_journal(journal.path)} == {"r1", "r2"}  # on disk meanwhile
    await asyncio.sleep(0.1)
    assert recorder.kept == 2
    queue.down = False
    assert await recorder.flush(5)
    assert set(queue.rows) == {"r1", "r2"} and queue.rows["r1"].finish.activity_id == "m-r1"
    assert not recorder.holds("r1")
    assert read_journal(journal.path) == []
    recorder.close()
    assert not journal.path.exists()


async def test_a_journal_left_by_a_process_that_died_is_adopted_and_written_first(tmp_path: Path) -> None:
    queue = Queue()
    queue.down = True
    dead = OutcomeJournal(tmp_path)
    dying = OutcomeRecorder(queue, dead, retry_pause=(5, 5))
    assert await dying.record(delivered("r1")) is None
    os.close(dead._fd)  # the process is gone: its lock is released, its file stays

    queue.down = False
    journal = OutcomeJournal(tmp_path)
    adopted = journal.adopt_orphans()
    assert [o.outbox_id for o in adopted] == ["r1"]
    assert not dead.path.exists()
    recorder = OutcomeRecorder(queue, journal)
    recorder.adopt(adopted)
    assert recorder.holds("r1")
    assert await recorder.flush(5)
    assert set(queue.rows) == {"r1"}
    recorder.close()
    dying.journal = None  # its file went with it
    dying.close()


async def test_a_live_process_journal_is_not_adopted(tmp_path: Path) -> None:
    alive = OutcomeJournal(tmp_path)
    alive.append([delivered("r1")])
    other = OutcomeJournal(tmp_path)
    assert other.adopt_orphans() == []
    assert alive.path.exists()
    alive.close(True)
    other.close(True)


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    journal = OutcomeJournal(tmp_path)
    journal.append([delivered("r1"), delivered("r2")])
    journal.written(["r1"], nothing_left=False)
    with journal.path.open("a") as f:
        f.write('{"id": "r3", "org')
    assert [o.outbox_id for o in read_journal(journal.path)] == ["r2"]
    journal.close(True)
