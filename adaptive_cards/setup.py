"""The facilitator's set-up of a program, and the result of a round of matching."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from adaptive_cards import verbs
from adaptive_cards.elements import (
    Card,
    Errors,
    bullets,
    card,
    choice_set,
    error_banner,
    execute,
    facts,
    heading,
    input_date,
    input_number,
    text,
    toggle,
)
from core.model import Cadence, Program, ProgramKind

KINDS = (
    (ProgramKind.PEER_PAIRS.value, "Peer pairs"),
    (ProgramKind.MENTORING.value, "Mentoring (mentor ↔ learner)"),
    (ProgramKind.ONBOARDING.value, "Onboarding buddies"),
    (ProgramKind.STUDY_GROUPS.value, "Study groups (3–6)"),
)
CADENCES = (
    (Cadence.WEEKLY.value, "Every week"),
    (Cadence.BIWEEKLY.value, "Every two weeks"),
    (Cadence.MONTHLY.value, "Every four weeks"),
)


def _saved(program: Program) -> str:
    """What happens next, as it will: rounds run on their own only from a start date."""
    every = dict(CADENCES)[program.cadence.value].lower()
    if program.starts_on is None:
        return "✅ Saved. Rounds run on their own once you pick a start date; until then, run one with Match now."
    return (
        f"✅ Saved. Rounds run {every} from {program.starts_on:%A} {program.starts_on.day} "
        f"{program.starts_on:%B}, or now with Match now."
    )


def setup_values(program: Program) -> dict[str, str]:
    return {
        "kind": program.kind.value,
        "cadence": program.cadence.value,
        "group_size": str(program.group_size),
        "cross_department": "true" if program.prefer_cross_department else "false",
        "starts_on": program.starts_on.isoformat() if program.starts_on else "",
        "max_level_gap": str(program.max_level_gap),
    }


def setup_card(
    program: Program,
    values: Mapping[str, str] | None = None,
    errors: Errors | None = None,
    *,
    saved: bool = False,
) -> Card:
    values = values if values is not None else setup_values(program)
    errors = errors or {}
    data = {"program_id": program.id}
    body = [heading(f"Set up {program.name}"), *error_banner(errors)]
    if saved:
        body.append(text(_saved(program), color="Good"))
    body += [
        *choice_set("kind", "Kind of program", KINDS, values.get("kind", ""), errors=errors),
        *choice_set(
            "cadence", "Cadence (rounds and check-ins)", CADENCES, values.get("cadence", ""), errors=errors
        ),
        *input_number(
            "group_size",
            "Group size (2 for pairs, 3–6 for study groups)",
            values.get("group_size", ""),
            low=2,
            high=6,
            errors=errors,
        ),
        *input_number(
            "max_level_gap",
            "Largest level gap between who teaches and who learns (3: an expert at 5 may teach someone at 2, "
            "not at 1)",
            values.get("max_level_gap", ""),
            low=1,
            high=4,
            errors=errors,
        ),
        *toggle(
            "cross_department",
            "Prefer people from different departments",
            values.get("cross_department") == "true",
            errors=errors,
        ),
        *input_date("starts_on", "Start date", values.get("starts_on", ""), errors=errors),
    ]
    return card(
        body,
        [
            execute("Save set-up", verbs.SETUP_SAVE, data, primary=True),
            execute("Match now", verbs.ROUND_RUN, data, inputs=False),
            execute("Report", verbs.REPORT_OPEN, data, inputs=False),
        ],
    )


def round_result(
    program: Program, round_index: int, pairings: int, people: int, unmatched: Sequence[tuple[str, str]]
) -> Card:
    body = [
        heading(f"Round {round_index} of {program.name}"),
        facts(
            [
                ("Proposals", str(pairings)),
                ("People matched", str(people)),
                ("Not matched", str(len(unmatched))),
            ]
        ),
        text(
            "Everyone matched gets a proposal with the reasons for it; they accept or decline in their chat with me."
        ),
    ]
    if unmatched:
        body += [
            text("Not matched this round, and why (each of them is told):", subtle=True),
            bullets(f"{name}: {why}" for name, why in unmatched),
        ]
    return card(body, [execute("Report", verbs.REPORT_OPEN, {"program_id": program.id})])
