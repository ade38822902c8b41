"""A person's status (programs, pairings, what to do next) and the result of 'find <skill>'."""

from __future__ import annotations

from adaptive_cards import verbs
from adaptive_cards.elements import Card, Element, card, columns, execute, facts, heading, subheading, text
from adaptive_cards.pairing import zone_name
from core.model import EnrollmentStatus, PairingStatus
from core.services import availability
from core.views.experts import Expert
from core.views.status import MyStatus, awaiting_my_answer


def _skills(skills: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{label} ({level})" for label, level in skills) or "none yet"


def _when(hours: frozenset[int], timezone: str) -> str:
    """ "Mon–Fri 09:00–17:00, Berlin time": the hours are on the person's own clock, so say which."""
    said = availability.describe(hours)
    return f"{said}, {zone_name(timezone)} time" if hours else said


def status(data: MyStatus) -> Card:
    body: list[Element] = [heading(f"Your status, {data.person.display_name}")]
    actions = [execute("Edit my profile", verbs.PROFILE_OPEN)]
    if data.enrollments:
        rows = []
        for item in data.enrollments:
            state = item.enrollment.status.value
            if item.enrollment.status is EnrollmentStatus.PAUSED and item.enrollment.paused_until:
                state = f"paused until {item.enrollment.paused_until.isoformat()}"
            rows.append((item.program.name, state))
        body += [subheading("Programs"), facts(rows)]
        if any(e.enrollment.status is EnrollmentStatus.PAUSED for e in data.enrollments):
            actions.append(execute("Resume", verbs.RESUME))
    if not any(e.enrollment.status is not EnrollmentStatus.LEFT for e in data.enrollments):
        body.append(
            text("You have not joined a program yet: press Join to read the code of conduct and take part.")
        )
        actions.insert(0, execute("Join", verbs.JOIN, primary=True))
    profile = data.profile
    if profile is None:
        body.append(
            text("You have not filled in your profile yet: press Edit my profile to say what you can teach.")
        )
    else:
        body += [
            subheading("Profile"),
            facts(
                [
                    ("Teaches", _skills(tuple((s.label, s.level) for s in profile.teaches))),
                    ("Learns", _skills(tuple((s.label, s.level) for s in profile.learns))),
                    (
                        "Hours a month",
                        "–" if profile.hours_per_month is None else str(profile.hours_per_month),
                    ),
                    ("When you can meet", _when(profile.weekly_availability, profile.timezone)),
                ]
            ),
        ]
    if data.open_pairings:
        body.append(subheading("Your pairings"))
        for view in data.open_pairings:
            others = ", ".join(m.display_name for m in view.others)
            if awaiting_my_answer(view):
                label, verb = "Answer", verbs.PAIRING_VIEW
            elif view.pairing.status is PairingStatus.ACTIVE:
                label, verb = "Check in", verbs.CHECKIN_OPEN
            else:
                label, verb = "Open", verbs.PAIRING_VIEW
            body.append(
                columns(
                    ([text(f"{others} · {view.program.name} · {view.pairing.status.value}")], "stretch"),
                    (
                        [
                            {
                                "type": "ActionSet",
                                "actions": [execute(label, verb, {"pairing_id": view.pairing.id})],
                            }
                        ],
                        "auto",
                    ),
                )
            )
    for program in data.facilitated:
        ids = {"program_id": program.id}
        body += [
            subheading(f"You facilitate {program.name}"),
            {
                "type": "ActionSet",
                "actions": [
                    execute("Set up", verbs.SETUP_OPEN, ids),
                    execute("Match now", verbs.ROUND_RUN, ids),
                    execute("Report", verbs.REPORT_OPEN, ids),
                ],
            },
        ]
    return card(body, [*actions, execute("Help", verbs.HELP)])


def experts(skill: str, found: list[Expert]) -> Card:
    body: list[Element] = [heading(f"Experts for {skill}")]
    if not found:
        body.append(
            text(
                "Nobody who agreed to be found teaches this yet. Add it to what you want to learn in your profile."
            )
        )
    else:
        body.append(
            facts(
                (
                    e.display_name,
                    f"{e.skill} level {e.level}" + (f" · {e.department}" if e.department else ""),
                )
                for e in found
            )
        )
    return card(body, [execute("Edit my profile", verbs.PROFILE_OPEN)])
