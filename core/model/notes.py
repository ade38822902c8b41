"""Learning notes: what a pair or group learned, kept by its authors, shared with colleagues if they choose.

A note is written by a member of a completed pairing about that pairing, tagged with skills. It starts
private (only its authors read it); shared, any colleague of the organization can find it by skill. Each
author chooses for themselves whether their name is shown with it: attribution names only the authors who
chose it, so a note shared anonymously names nobody.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.errors import InvalidInput, PermissionDenied
from core.model.skills import normalize_skill, skill_label
from core.model.text import clean

MIN_TEXT = 10
MAX_TEXT = 1000
MAX_TAGS = 5


class NoteVisibility(enum.StrEnum):
    PRIVATE = "private"  # read by its authors only
    SHARED = "shared"  # found by colleagues of the organization, by skill


class Sharing(enum.StrEnum):
    """What an author chooses for their note, as the card offers it."""

    PRIVATE = "private"
    ATTRIBUTED = "attributed"  # shared, with my name
    ANONYMOUS = "anonymous"  # shared, without my name

    @classmethod
    def parse(cls, value: str) -> Sharing:
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(f"'{c.value}'" for c in cls)
            raise InvalidInput("sharing", f"Sharing is '{value[:30]}'. Choose one of {choices}.") from None


@dataclass(frozen=True)
class NoteTag:
    """A skill a note is about: `key` as skills are compared (see `normalize_skill`), `label` as shown."""

    key: str
    label: str


@dataclass(frozen=True)
class NoteAuthor:
    person_id: str
    attributed: bool = False  # this author chose to be named when the note is shared


def note_text(value: str) -> str:
    """The note's text, made comparable, within its limits; the message names what is wrong."""
    text = clean(value, "text", what="Your note", multiline=True)
    if not text:
        raise InvalidInput("text", "Write a sentence or two about what you learned; the note is empty.")
    if len(text) < MIN_TEXT:
        raise InvalidInput(
            "text",
            f"Your note is {len(text)} characters long; write at least {MIN_TEXT} so it helps someone.",
        )
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            "text", f"Your note is {len(text)} characters long; keep it to {MAX_TEXT} (a short note)."
        )
    return text


def note_tags(names: Iterable[str]) -> tuple[NoteTag, ...]:
    """Skills as tags, normalized like profile skills, each once, in the order given; at least one."""
    tags: dict[str, NoteTag] = {}
    for name in names:
        if not name.strip():
            continue
        key = normalize_skill(name)
        tags.setdefault(key, NoteTag(key, skill_label(name)))
    if not tags:
        raise InvalidInput("skills", "Tag your note with at least one skill, e.g. 'Kubernetes'.")
    if len(tags) > MAX_TAGS:
        raise InvalidInput(
            "skills", f"Your note has {len(tags)} skills; tag it with at most {MAX_TAGS} so it can be found."
        )
    return tuple(tags.values())


@dataclass
class LearningNote:
    id: str
    organization_id: str
    program_id: str
    pairing_id: str
    authors: list[NoteAuthor]
    tags: tuple[NoteTag, ...]
    text: str
    created_at: datetime
    visibility: NoteVisibility = NoteVisibility.PRIVATE
    updated_at: datetime | None = None

    @property
    def author_ids(self) -> list[str]:
        return [a.person_id for a in self.authors]

    @property
    def skill_keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.tags)

    @property
    def shared(self) -> bool:
        return self.visibility is NoteVisibility.SHARED

    def attributed_author_ids(self) -> list[str]:
        """Whom a colleague reading the shared note sees named: only the authors who chose it."""
        return [a.person_id for a in self.authors if a.attributed]

    def require_author(self, person_id: str) -> NoteAuthor:
        for author in self.authors:
            if author.person_id == person_id:
                return author
        raise PermissionDenied("Only the authors of this note can change it.")

    def choose(self, person_id: str, sharing: Sharing, at: datetime) -> None:
        """One author's choice. Private keeps the note to its authors; sharing publishes it, naming this
        author only if they chose so (each author's name is their own choice)."""
        self.require_author(person_id)
        self.authors = [
            NoteAuthor(a.person_id, sharing is Sharing.ATTRIBUTED) if a.person_id == person_id else a
            for a in self.authors
        ]
        self.visibility = NoteVisibility.PRIVATE if sharing is Sharing.PRIVATE else NoteVisibility.SHARED
        self.updated_at = at

    def rewrite(self, person_id: str, text: str, tags: tuple[NoteTag, ...], at: datetime) -> None:
        self.require_author(person_id)
        self.text, self.tags, self.updated_at = text, tags, at

    def remove_author(self, person_id: str) -> bool:
        """Take a person off the note (they deleted their data); True when nobody is left to own it."""
        self.authors = [a for a in self.authors if a.person_id != person_id]
        return not self.authors

    def sharing_of(self, person_id: str) -> Sharing:
        author = self.require_author(person_id)
        if not self.shared:
            return Sharing.PRIVATE
        return Sharing.ATTRIBUTED if author.attributed else Sharing.ANONYMOUS
