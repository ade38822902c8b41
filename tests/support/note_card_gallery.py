"""The learning note and message extension cards, built from realistic core objects (for the card gallery)."""

from __future__ import annotations

from datetime import UTC, datetime

from adaptive_cards import notes
from adaptive_cards.elements import Card
from core.model.notes import Sharing
from core.views.expert_search import FoundExpert
from core.views.notes import MyNote, SharedNote

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TEXT = (
    "Readiness probes must check the database too, or a rollout sends traffic to pods that cannot serve it."
)


def _mine(sharing: Sharing) -> MyNote:
    return MyNote(
        "n" * 32, "p" * 32, "a" * 32, "Platform guild", TEXT, ("Kubernetes", "Docker"), sharing, NOW, None
    )


def note_gallery() -> dict[str, Card]:
    form = {
        "pairing_id": "p" * 32,
        "program_name": "Platform guild",
        "others": ["Bo Berg", "Cy Chen"],
        "skills": ["Kubernetes", "Rust"],
    }
    return {
        "note_invite": notes.note_form(**form),  # type: ignore[arg-type]
        "note_form_errors": notes.note_form(
            **form,  # type: ignore[arg-type]
            values={"text": "Too short", "skills": "Kubernetes", "sharing": "attributed"},
            errors={"text": "Your note is 9 characters long; write at least 10 so it helps someone."},
        ),
        "note_saved_private": notes.note_saved(_mine(Sharing.PRIVATE)),
        "note_saved_attributed": notes.note_saved(_mine(Sharing.ATTRIBUTED)),
        "note_saved_anonymous": notes.note_saved(_mine(Sharing.ANONYMOUS)),
        "note_deleted": notes.note_deleted(),
        "search_expert": notes.expert_card(
            FoundExpert("m", "Megan Bowen", "meganb@contoso.example", "Kubernetes", 5, "Platform"),
            "Kubernetes",
        ),
        "search_expert_no_address": notes.expert_card(
            FoundExpert("c", "Cy Chen", None, "Kubernetes", 3, None), "Kubernetes"
        ),
        "search_note_named": notes.shared_note_card(
            SharedNote("n", TEXT, ("Kubernetes",), ("Bo Berg",), NOW)
        ),
        "search_note_anonymous": notes.shared_note_card(SharedNote("n", TEXT, ("Kubernetes",), (), NOW)),
    }
