"""Teams' typeahead: an `Input.ChoiceSet` with `choices.data` of type `Data.Query` makes Teams ask the bot
with an `application/search` invoke as the person types; the answer is a search response of up to 15
choices (`{"type": "application/vnd.microsoft.search.searchResponse", "value": {"results": [...]}}`)."""

from __future__ import annotations

import logging

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


def _whole(value: object, default: int, high: int) -> int:
    raw = plain(value) or ""
    return min(int(raw), high) if raw.isdigit() else default


async def answer(turn_context: TurnContext, services: Services) -> InvokeResponse:
    """The choices for what the person typed, from their own organization's vocabulary. Someone Teams does
    not name, or a dataset we do not have, gets no choices (never an error in the middle of typing)."""
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
    if actor is not None and dataset in vocabulary.DATASETS:
        try:
            choices = await vocabulary.search(
                actor.tenant_id, dataset, query, services.uow_factory(), services.clock.now(), skip + top
            )
        except Exception:  # typing must go on: the person can still write a new skill
            log.exception("typeahead search failed", extra={"dataset": dataset})
    results = [{"title": c.title, "value": c.value} for c in choices[skip : skip + top]]
    return InvokeResponse(
        status=200,
        body=AdaptiveCardInvokeResponse(status_code=200, type=SEARCH_RESPONSE, value={"results": results}),
    )
