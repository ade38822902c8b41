"""Teams' typeahead: an `Input.ChoiceSet` with `choices.data` of type `Data.Query` makes Teams ask the bot
with an `application/search` invoke as the person types; the answer is a search response of up to 15
choices (`{"type": "application/vnd.microsoft.search.searchResponse", "value": {"results": [...]}}`)."""

from __future__ import annotations

import logging
import time
from functools import partial

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.actions.context import Services
from bot.forms import plain
from bot.turns import actor_of
from core.services import vocabulary

log = logging.getLogger("peerlearn.bot")

SEARCH = "application/search"
SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"
MAX_QUERY = 60
VOCABULARY_TTL = 30.0  # seconds a tenant's skills are reused between keystrokes
MAX_TENANTS = 1000


def _whole(value: object, default: int, high: int) -> int:
    raw = plain(value) or ""
    return min(int(raw), high) if raw.isdigit() else default


class Typeahead:
    """Answers `application/search`. Teams asks on (nearly) every keystroke: a tenant's skills are read from
    storage at most once per `ttl` seconds and kept in memory meanwhile (for a bounded number of tenants)."""

    def __init__(self, services: Services, ttl: float = VOCABULARY_TTL) -> None:
        self.services = services
        self.ttl = ttl
        self._known: dict[str, tuple[float, list[str]]] = {}

    async def organization_skills(self, tenant_id: str) -> list[str]:
        now = time.monotonic()
        found = self._known.get(tenant_id)
        if found is not None and now - found[0] < self.ttl:
            return found[1]
        known = await self.services.bus.read(partial(vocabulary.tenant_skills, tenant_id))
        if len(self._known) >= MAX_TENANTS:
            self._known.clear()
        self._known[tenant_id] = (now, known)
        return known

    async def answer(self, turn_context: TurnContext) -> InvokeResponse:
        """The choices for what the person typed, from their own organization's vocabulary. Someone Teams
        does not name, or a dataset we do not have, gets no choices (never an error in the middle of typing)."""
        activity = turn_context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        query = (plain(value.get("queryText")) or "")[:MAX_QUERY]
        dataset = plain(value.get("dataset")) or ""
        found = value.get("queryOptions")
        options: dict[str, object] = found if isinstance(found, dict) else {}
        skip = _whole(options.get("skip"), 0, 1000)
        top = max(1, _whole(options.get("top"), vocabulary.MAX_CHOICES, vocabulary.MAX_CHOICES))
        actor = actor_of(activity)
        choices: list[vocabulary.Choice] = []
        try:
            if actor is not None and dataset == vocabulary.TIMEZONES:
                choices = vocabulary.timezone_choices(query, self.services.clock.now(), skip + top)
            elif actor is not None and dataset == vocabulary.SKILLS:
                known = await self.organization_skills(actor.tenant_id)
                choices = vocabulary.skill_choices(query, known, skip + top)
        except Exception:  # typing must go on: the person can still write a new skill
            log.exception("typeahead search failed", extra={"dataset": dataset})
        results = [{"title": c.title, "value": c.value} for c in choices[skip : skip + top]]
        return InvokeResponse(
            status=200,
            body=AdaptiveCardInvokeResponse(
                status_code=200, type=SEARCH_RESPONSE, value={"results": results}
            ),
        )
