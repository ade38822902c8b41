"""Domain errors.

Every error a use case raises is a `DomainError` whose message says what was wrong and, where it
helps, how to put it right. Entrypoints turn them into a card or a page; they never become a 500.

    DomainError
    ├── NotFound            the thing named does not exist (in this organization)
    ├── PermissionDenied    the actor may not do this
    ├── InvalidTransition   the thing exists but is not in a state that allows this
    ├── ConsentRequired     the person has not accepted the program's code of conduct
    ├── InvalidInput        a value is malformed or out of range; `field` names it
    └── ConcurrentChange    another request changed the same thing at the same moment (safe to retry)
"""

from __future__ import annotations


class DomainError(Exception):
    """A use case refused: the message is written for the person who acted."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt as it was, whatever the subclass's own arguments: a round run in a worker process sends
        # its refusal (`RoundJustRun`, `TooFewToMatch`, ...) back to the request that asked for it.
        return (_rebuild, (type(self), self.args, dict(vars(self))))


def _rebuild(kind: type[DomainError], args: tuple[object, ...], attributes: dict[str, object]) -> DomainError:
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    vars(error).update(attributes)
    return error


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


class ConcurrentChange(DomainError):
    """Two requests wrote the same thing at once and this one lost (a unique key, a stale version).

    Nothing was saved. The whole request can be run again: it then sees what the other one wrote."""

    def __init__(
        self, message: str = "Someone changed this at the same moment; nothing was saved. Try again."
    ) -> None:
        super().__init__(message)
