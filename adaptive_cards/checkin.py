"""The check-in: did you meet, how useful was it, what did you learn, what blocks you, a confidential note."""

from __future__ import annotations

from collections.abc import Mapping

from adaptive_cards import verbs
from adaptive_cards.elements import (
    Card,
    Errors,
    card,
    choice_set,
    error_banner,
    execute,
    heading,
    input_text,
    text,
)
from core.views.status import PairingView

MET = (("yes", "Yes, we met"), ("no", "Not yet"))
USEFULNESS = (("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5"))


def check_in(
    view: PairingView, values: Mapping[str, str] | None = None, errors: Errors | None = None
) -> Card:
    values, errors = values or {}, errors or {}
    others = ", ".join(m.display_name for m in view.others) or "your group"
    body = [
        heading("Check-in"),
        text(f"How is it going with {others}?"),
        *error_banner(errors),
        *choice_set(
            "met",
            "Did you meet since the last check-in?",
            MET,
            values.get("met", ""),
            expanded=True,
            errors=errors,
        ),
        *choice_set(
            "usefulness",
            "How useful was it? (1 not useful … 5 very useful)",
            USEFULNESS,
            values.get("usefulness", ""),
            expanded=True,
            errors=errors,
        ),
        *input_text(
            "learned",
            "What did you learn?",
            values.get("learned", ""),
            max_length=2000,
            multiline=True,
            errors=errors,
        ),
        *input_text(
            "blockers",
            "What is blocking you?",
            values.get("blockers", ""),
            max_length=2000,
            multiline=True,
            errors=errors,
        ),
        *input_text(
            "confidential_note",
            "A confidential note for the facilitator (only they read it)",
            values.get("confidential_note", ""),
            max_length=2000,
            multiline=True,
            errors=errors,
        ),
    ]
    return card(
        body, [execute("Send check-in", verbs.CHECKIN_SUBMIT, {"pairing_id": view.pairing.id}, primary=True)]
    )


def check_in_thanks(view: PairingView, *, concern_sent: bool) -> Card:
    body = [heading("Thanks for checking in"), text("Your answers help the program get better.")]
    if concern_sent:
        body.append(text("Your confidential note went to the facilitator only.", subtle=True))
    return card(
        body,
        [
            execute("Check in again", verbs.CHECKIN_OPEN, {"pairing_id": view.pairing.id}),
            execute("My status", verbs.STATUS),
        ],
    )
