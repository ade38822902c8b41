from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from core.bus import MessageBus
from core.ports import Clock, RoundRunner
from core.views.aggregates import DEFAULT_MIN_GROUP
from lti.lms_groups import GroupApi
from lti.roster_cache import RosterCache
from lti.session import Sessions
from lti.tool import Tool

TOOL_NAME = "Peer study groups"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
# LTI Course Groups (read-only; `lti/course_groups.py`): asked for in Dynamic Registration, where a platform
# grants what it supports. Not in Canvas's JSON configuration, whose developer keys know only their own scopes.
GROUPS_SCOPE = "https://purl.imsglobal.org/spec/lti-gs/scope/contextgroup.readonly"
REGISTRATION_SCOPES = (*SCOPES, GROUPS_SCOPE)


@dataclass
class LtiConfig:
    """What the composition root passes in: the message bus (every request's one unit of work, and the clock),
    where the tool is reached, a secret."""

    bus: MessageBus
    public_url: str
    secret_key: bytes
    frame_ancestors: tuple[str, ...] = ()
    # Dynamic Registration: when set, only these platform issuers may register (exact issuer URLs).
    registration_issuers: tuple[str, ...] = ()
    # The minimum-group rule for figures on the instructor's page (`core.views.aggregates`).
    min_group: int = DEFAULT_MIN_GROUP
    # Where forming groups runs its matching: the app's worker processes (in-process in tests).
    rounds: RoundRunner | None = None  # where a round runs: the app's worker processes; None: here (tests)
    # The LMS group APIs, by platform issuer: published groups are also created in the course there.
    group_apis: dict[str, GroupApi] = field(default_factory=dict)
    tool: Tool = field(init=False)
    sessions: Sessions = field(init=False)
    rosters: RosterCache = field(init=False)

    def __post_init__(self) -> None:
        self.public_url = self.public_url.rstrip("/")
        self.tool = Tool(self.bus.clock, self.public_url)
        self.sessions = Sessions(self.secret_key)
        self.rosters = RosterCache()

    @property
    def clock(self) -> Clock:
        return self.bus.clock

    def group_api(self, issuer: str) -> GroupApi | None:
        """The LMS group API configured for this platform issuer, if any (a trailing slash does not matter)."""
        return self.group_apis.get(issuer) or self.group_apis.get(issuer.rstrip("/"))

    def url(self, path: str) -> str:
        return f"{self.public_url}{path}"


LTI = web.AppKey("lti", LtiConfig)
