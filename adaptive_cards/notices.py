"""Cards only the outbox sends: not matched this round, a check-in reminder, a concern for the facilitator,
and the delivery figures for the facilitator's report."""

from __future__ import annotations

from adaptive_cards import verbs
from adaptive_cards.checkin import check_in
from adaptive_cards.elements import Card, Element, bullets, card, execute, facts, heading, subheading, text
from core.model import Program
from core.model.delivery import DeliveryHealth
from core.views.status import PairingView


def unmatched(program: Program, reason: str) -> Card:
    return card(
        [
            heading("No match for you this round"),
            text(f"In **{program.name}** I could not suggest anyone for you this time."),
            text(reason),
            text("You are first in line next round.", subtle=True),
        ],
        [execute("My status", verbs.STATUS), execute("Edit my profile", verbs.PROFILE_OPEN)],
    )


def check_in_reminder(view: PairingView) -> Card:
    built = check_in(view)
    built["body"].insert(1, text("A gentle reminder: we have not heard from you yet.", subtle=True))
    return built


def concern_raised(program: Program) -> Card:
    return card(
        [
            heading("A concern was raised"),
            text(
                f"Someone in **{program.name}** raised a concern in confidence. Only facilitators can read it."
            ),
        ],
        [execute("Open the report", verbs.REPORT_OPEN, {"program_id": program.id}, primary=True)],
    )


def partner_left(program: Program) -> Card:
    """Said the same way whatever happened (left, deleted their data, left the team): never why."""
    return card(
        [
            heading("Your pairing has ended"),
            text(
                f"A member of your pairing in **{program.name}** is no longer taking part, so it has ended. "
                "Nothing for you to do: you are matched again in the next round."
            ),
        ],
        [execute("My status", verbs.STATUS)],
    )


def facilitator_needed(program: Program) -> Card:
    return card(
        [
            heading("This program needs a facilitator"),
            text(
                f"**{program.name}** has no facilitator any more, so its rounds are paused. As an owner of its "
                "team you can take it over: you then set it up, run rounds and read its report (aggregates "
                "only, and the concerns raised in confidence)."
            ),
        ],
        [execute("Take it over", verbs.FACILITATOR_TAKE_OVER, {"program_id": program.id}, primary=True)],
    )


def delivery_section(health: DeliveryHealth) -> list[Element]:
    """Elements the facilitator's report appends: what reached people, what failed and why, and Graph."""
    body: list[Element] = [
        subheading("Messages"),
        facts(
            [
                ("Delivered", str(health.delivered)),
                ("Not needed any more", str(health.skipped)),
                ("Could not be delivered", str(health.failed)),
            ]
        ),
    ]
    if health.failures_by_reason:
        body.append(bullets(f"{reason} ({n})" for reason, n in health.failures_by_reason[:5]))
    if not health.graph.enabled:
        body.append(
            text(
                "Off: installing the app for people who have not opened it, and group chats for pairs. "
                + health.graph.reason,
                subtle=True,
            )
        )
    return body
