"""`my data`: a readable summary of everything stored about the person; the full export is a file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adaptive_cards import verbs
from adaptive_cards.elements import Card, Element, card, execute, facts, heading, subheading, text
from core.model import Person, Profile
from core.services import availability, vocabulary


def _skills(profile: Profile, teaches: bool) -> str:
    skills = profile.teaches if teaches else profile.learns
    return ", ".join(f"{s.label} (level {s.level})" for s in skills) or "none"


def summary(
    person: Person,
    profile: Profile | None,
    programs: Sequence[tuple[str, str]],
    counts: Sequence[tuple[str, int]],
    at: datetime,
    *,
    file_offered: bool,
) -> Card:
    """`programs`: (name, state) of each program the person joined; `counts`: how many stored items of each
    kind the export holds. `file_offered`: Teams' file offer follows this card in the 1:1 chat."""
    you = [("Name", person.display_name), ("Work email", person.verified_email or "not known")]
    body: list[Element] = [
        heading("Your data"),
        text("Here is what peer learning keeps about you, in short. Only you see this."),
        facts(you),
        subheading("Your profile"),
    ]
    if profile is None:
        body.append(text("You have not filled in a profile."))
    else:
        body.append(
            facts(
                [
                    ("Teaches", _skills(profile, True)),
                    ("Wants to learn", _skills(profile, False)),
                    ("Time zone", vocabulary.timezone_label(profile.timezone, at)),
                    ("When you can meet", availability.describe(profile.weekly_availability)),
                    (
                        "Hours a month",
                        "not given" if profile.hours_per_month is None else str(profile.hours_per_month),
                    ),
                    ("Department", profile.department or "not given"),
                    ("Goals", profile.goals or "not given"),
                    ("Findable as an expert", "yes" if profile.discoverable_as_expert else "no"),
                ]
            )
        )
    body.append(subheading("Programs"))
    body.append(facts(programs) if programs else text("You have not joined a program."))
    body += [subheading("Also kept"), facts((label, str(n)) for label, n in counts)]
    if file_offered:
        body.append(
            text(
                "The complete copy, as a JSON file, comes next: accept it and Teams saves it to your OneDrive."
            )
        )
    else:
        body.append(text("Press 'Get the full file' for the complete copy, as a JSON file.", subtle=True))
    actions = [execute("Get the full file", verbs.EXPORT_FILE), execute("Delete my data", verbs.DELETE_ASK)]
    if profile is None:  # each "you have not…" comes with what fixes it
        actions.append(execute("Edit my profile", verbs.PROFILE_OPEN))
    actions.append(execute("Join", verbs.JOIN) if not programs else execute("My status", verbs.STATUS))
    return card(body, actions)
