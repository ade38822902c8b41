"""Domain errors.

Every error a use case raises is a `DomainError` whose message says what was wrong and, where it
helps, how to put it right. Entrypoints turn them into a card or a page; they never become a 500.

    DomainError
    ├── NotFound            the thing named does not exist (in this organization)
    ├── PermissionDenied    the actor may not do this
    ├── InvalidTransition   the thing exists but is not in a state that allows this
    ├── ConsentRequired     the person has not accepted the program's code of conduct
    └── InvalidInput        a value is malformed or out of range; `field` names it
"""

from __future__ import annotations


class DomainError(Exception):
    """A use case refused: the message is written for the person who acted."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing named does not exist in this organization (or the card that named it is out of date)."""


class PermissionDenied(DomainError):
    """The actor exists but may not do this (not a member, not a facilitator, another course)."""


class InvalidTransition(DomainError):
    """The thing is not in a state that allows this (accepting a declined pairing, a second accept)."""


class ConsentRequired(DomainError):
    """The person has not accepted the program's current code of conduct."""


class InvalidInput(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
