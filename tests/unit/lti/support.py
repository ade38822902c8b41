"""What the LTI action tests share: an `LtiConfig` over the fake unit of work (`lti_config`), a page session
for someone of the course (`session_of`), a posted form (`form`), an LMS in memory behind the tool
(`FakeTool`, `FakeLaunch`: the gradebook, deep linking, the Course Groups service; `FakeGroupApi`: an LMS
group API), and `covers`, which says which LTI actions a test exercises (see `test_action_coverage`).

The course is `tests.unit.core.course_world`'s: instructor 'ines', learners lea, leo, liv, lou, lux."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from aiohttp.web_request import FileField
from multidict import MultiDict, MultiDictProxy

from core.bus import MessageBus, Work
from lti.config import LtiConfig
from lti.course_groups import CLAIM as GROUPS_CLAIM
from lti.lms_groups import GroupSyncFailed, LmsGroup, SyncResult
from lti.session import PageSession
from lti.tool import Tool
from tests.unit.core.course_world import COURSE, ISSUER, LMS
from tests.unit.fakes import FakeClock, FakeUnitOfWork, FakeUnitOfWorkFactory

Test = TypeVar("Test", bound=Callable[..., object])
T = TypeVar("T")
Form = MultiDictProxy[str | bytes | bytearray | FileField]


def covers(*actions: str) -> Callable[[Test], Test]:
    """Mark a test as exercising these LTI actions (by the name of the function the route runs)."""

    def mark(test: Test) -> Test:
        test.covers = (*getattr(test, "covers", ()), *actions)  # type: ignore[attr-defined]
        return test

    return mark


@dataclass
class FakeAgs:
    """The gradebook (Assignment and Grade Services): the scores put, by LMS user id."""

    scores: dict[str, float] = field(default_factory=dict)

    def find_or_create_lineitem(self, item: Any, find_by: str) -> Any:
        return item

    def put_grade(self, grade: Any, item: Any) -> None:
        self.scores[grade.get_user_id()] = grade.get_score_given()


@dataclass
class FakeConnector:
    groups: Sequence[str]

    def get_paginated_data(self, scopes: Sequence[str], url: str, accept: str) -> list[dict[str, Any]]:
        return [{"body": {"groups": [{"id": f"g{i}", "name": n} for i, n in enumerate(self.groups)]}}]


@dataclass
class FakeDeepLink:
    signed: list[Any] = field(default_factory=list)

    def get_response_jwt(self, resources: list[Any]) -> str:
        self.signed.extend(resources)
        return "signed-jwt"


@dataclass
class FakeLaunch:
    """A stored launch as pylti1p3 restores it: which services it offers, and the LMS behind them."""

    ags: FakeAgs | None = None
    course_groups: Sequence[str] | None = (
        None  # the groups the Course Groups service lists; None: not offered
    )
    deep_link: FakeDeepLink = field(default_factory=FakeDeepLink)
    return_url: str = "https://lms.example.edu/deep-link-return"

    def has_ags(self) -> bool:
        return self.ags is not None

    def get_ags(self) -> FakeAgs:
        assert self.ags is not None
        return self.ags

    def get_launch_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "deep_link_return_url": self.return_url
            }
        }
        if self.course_groups is not None:
            data[GROUPS_CLAIM] = {"context_groups_url": "https://lms.example.edu/groups"}
        return data

    def get_service_connector(self) -> FakeConnector:
        return FakeConnector(self.course_groups or ())

    def get_deep_link(self) -> FakeDeepLink:
        return self.deep_link


class FakeTool(Tool):
    """The tool with its stored launch in memory; the LMS calls run here, not in a thread."""

    def __init__(self, launch: FakeLaunch, clock: FakeClock) -> None:
        super().__init__(clock, "https://tool.example")
        self.stored = launch

    async def restore(
        self, work: Work, organization_id: str, issuer: str, client_id: str, launch_id: str
    ) -> Any:
        return self.stored

    async def call(self, fn: Callable[[], T]) -> T:
        return fn()


@dataclass
class FakeGroupApi:
    """An LMS's own group API (`LTI_GROUP_APIS`): the groups it was sent, or a refusal."""

    lms_name: str = "Moodle"
    refusal: str | None = None
    sent: list[tuple[str, str, tuple[LmsGroup, ...]]] = field(default_factory=list)

    async def sync(self, course_id: str, course_key: str, groups: Sequence[LmsGroup]) -> SyncResult:
        if self.refusal is not None:
            raise GroupSyncFailed(self.refusal)
        self.sent.append((course_id, course_key, tuple(groups)))
        return SyncResult(created=len(groups))


def lti_config(uow: FakeUnitOfWork, clock: FakeClock, *, launch: FakeLaunch | None = None) -> LtiConfig:
    """The LTI door's configuration over the fake store: its bus opens a fresh unit of work for each request,
    as in the app. With `launch`, the tool restores that launch instead of asking a platform."""
    config = LtiConfig(MessageBus(FakeUnitOfWorkFactory(uow.store), clock), "https://tool.example", b"s" * 32)
    if launch is not None:
        config.tool = FakeTool(launch, clock)
    return config


def session_of(
    who: str,
    *,
    instructor: bool = False,
    context_id: str = "",
    groups_service: bool = False,
    section: str = "",
) -> PageSession:
    return PageSession(
        organization_id=LMS,
        person_id=who,
        program_id=COURSE,
        instructor=instructor,
        launch_id="launch-1",
        issuer=ISSUER,
        client_id="client-1",
        expires=2**40,
        section=section,
        context_id=context_id,
        groups_service=groups_service,
    )


def form(fields: Mapping[str, str] | None = None, many: Iterable[tuple[str, str]] = ()) -> Form:
    """A posted form: `fields` once each, then `many` (a name repeated, like the grid's `slot`)."""
    items: list[tuple[str, str | bytes | bytearray | FileField]] = [*(fields or {}).items(), *many]
    return cast(Form, MultiDictProxy(MultiDict(items)))
