"""The facilitator's report: aggregates, open concerns, and the skills nobody teaches yet."""

from __future__ import annotations

from adaptive_cards import verbs
from adaptive_cards.elements import Card, Element, bullets, card, execute, facts, heading, subheading, text
from adaptive_cards.notices import delivery_section
from core.model.delivery import DeliveryHealth
from core.services.aggregates import TOO_FEW
from core.services.reports import FacilitatorReport


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def _count(value: int | None) -> str:
    return TOO_FEW if value is None else str(value)


def _acceptance(data: FacilitatorReport) -> str:
    if data.accepted is None or data.declined is None:
        return TOO_FEW
    return f"{_percent(data.acceptance_rate)} ({data.accepted} accepted, {data.declined} declined)"


def report(data: FacilitatorReport, delivery: DeliveryHealth | None = None) -> Card:
    program = data.program
    body: list[Element] = [
        heading(f"Report: {program.name}"),
        text(
            "Figures only; nobody's individual answers are shown. A figure made of fewer than "
            f"{data.min_group} people's answers is not shown ({TOO_FEW}).",
            subtle=True,
        ),
        facts(
            [
                ("Opted in", f"{data.opted_in} (paused {data.paused}, left {data.left})"),
                ("Proposals", str(data.proposals)),
                ("Acceptance", _acceptance(data)),
                ("Meetings held", _count(data.meetings_held)),
                ("Check-ins", _count(data.check_ins)),
                (
                    "Average usefulness",
                    TOO_FEW if data.average_usefulness is None else f"{data.average_usefulness:.1f} / 5",
                ),
                ("Status", "running" if program.active else "stopped (the app was removed from the team)"),
            ]
        ),
        subheading(f"Open concerns ({len(data.open_concerns)})"),
    ]
    if data.open_concerns:
        body.append(
            bullets(
                f"{c.created_at:%Y-%m-%d}, {c.reporter_name}: {c.text[:300]}" for c in data.open_concerns[:10]
            )
        )
        body.append(text("Confidential: only facilitators see these.", subtle=True))
    else:
        body.append(text("None."))
    body.append(subheading("Skills people want that nobody teaches yet"))
    if data.skills_wanted_untaught:
        body.append(
            bullets(
                f"{label} (wanted by {n})"
                if n is not None
                else f"{label} (wanted by fewer than {data.min_group})"
                for label, n in data.skills_wanted_untaught[:10]
            )
        )
    else:
        body.append(text("None: every skill asked for has a teacher."))
    if delivery is not None:
        body.extend(delivery_section(delivery))
        if delivery.unreachable:
            # Names only, never why: whether someone blocked the app is theirs to say.
            body.append(text("Could not be reached (their messages failed; follow up in person):"))
            body.append(bullets(delivery.unreachable[:20]))
            if len(delivery.unreachable) > 20:
                body.append(text(f"and {len(delivery.unreachable) - 20} more.", subtle=True))
    data_ids = {"program_id": program.id}
    return card(
        body,
        [
            execute("Refresh", verbs.REPORT_OPEN, data_ids),
            execute("Match now", verbs.ROUND_RUN, data_ids),
            execute("Set up", verbs.SETUP_OPEN, data_ids),
        ],
    )
