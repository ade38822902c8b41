"""What the clients send while a round runs: `GET /healthz`, and `help` card actions from people of the
program, each a Teams-shaped `adaptiveCard/action` invoke with its own activity id, one at a time per probe.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from benchmarks.serving_during_round.seed import PROGRAM, TENANT

ANSWER_WITHIN = 120.0  # seconds; a request not answered by then counts as unanswered (status 0)
FAILED_TURN = b"Something went wrong on our side"  # the card a turn answers when it failed (e.g. timed out)


def invoke(person: int, verb: str, data: dict[str, Any], service_url: str) -> dict[str, Any]:
    """Person `person` of the seeded tenant clicks `verb` on a card in their 1:1 chat with the bot."""
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:user-{person}", "aadObjectId": f"aad-{person}", "name": f"Person {person}"},
        "recipient": {"id": "28:peerlearn-bot", "name": "peerlearn"},
        "conversation": {"id": f"a:personal-{person}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
    }


def match_now(service_url: str) -> dict[str, Any]:
    """The facilitator (person 0) clicks "Match now"."""
    return invoke(0, "round.run", {"program_id": PROGRAM}, service_url)


@dataclass
class Answer:
    started: float  # time.perf_counter()
    finished: float
    status: int  # 0: no answer (timeout or connection error), or a turn's failure card
    error: str = ""

    @property
    def ms(self) -> float:
        return (self.finished - self.started) * 1000


@dataclass
class Probe:
    """Sends one request at a time, `every` seconds apart at most, until `stop` is set."""

    name: str
    answers: list[Answer] = field(default_factory=list)

    async def run(
        self,
        http: aiohttp.ClientSession,
        request: Any,
        stop: asyncio.Event,
        every: float,
    ) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            status, error = 0, ""
            try:
                async with asyncio.timeout(ANSWER_WITHIN):
                    async with request(http) as response:
                        body = await response.read()
                        status = response.status
                        if status == 200 and FAILED_TURN in body:  # a turn that gave up waiting, answered 200
                            status, error = 0, "failure card"
            except (TimeoutError, aiohttp.ClientError) as exc:
                error = type(exc).__name__
            finished = time.perf_counter()
            self.answers.append(Answer(started, finished, status, error))
            await asyncio.sleep(max(0.0, every - (finished - started)))

    def between(self, start: float, end: float) -> list[Answer]:
        """The answers to requests sent after `start` and answered before `end`."""
        return [a for a in self.answers if a.started >= start and a.finished <= end]


def health(base: str) -> Any:
    return lambda http: http.get(f"{base}/healthz")


def helps(base: str, service_url: str, people: range) -> Any:
    """`help` from each of `people` in turn."""
    turn = iter(range(10**9))
    return lambda http: http.post(
        f"{base}/api/messages", json=invoke(people[next(turn) % len(people)], "help", {}, service_url)
    )


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
