"""What people type, made comparable and safe to store, the same on every database.

- NFKC folds compatibility forms, so fullwidth "Ｐｙｔｈｏｎ" is "Python" and a ligature is its letters.
- Invisible format characters (zero-width space and joiners, the byte-order mark, soft hyphens: Unicode
  category Cf) are dropped: a name made only of them is empty.
- Control characters (NUL, escape…: category Cc) are refused with a message naming the field. PostgreSQL
  cannot store NUL in text at all, and SQLite would keep it silently: refusing both keeps the two alike.
  Line breaks and tabs are allowed in multi-line answers only.
"""

from __future__ import annotations

import re
import unicodedata

from core.errors import InvalidInput

_SPACES = re.compile(r"\s+")
_MULTILINE_ALLOWED = frozenset("\n\r\t")


def _control(value: str, multiline: bool) -> str | None:
    for char in value:
        if unicodedata.category(char) == "Cc" and not (multiline and char in _MULTILINE_ALLOWED):
            return char
    return None


def clean(value: str, field: str, *, what: str, multiline: bool = False) -> str:
    """NFKC, invisible characters dropped, trimmed (single-spaced unless `multiline`); a control character
    is refused: `what` names the value in the message ("The skill name", "Your goals")."""
    found = _control(value, multiline)
    if found is not None:
        raise InvalidInput(
            field,
            f"{what} contains an invisible control character (U+{ord(found):04X}); "
            "retype it without pasting, or remove that character.",
        )
    folded = unicodedata.normalize("NFKC", value)
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    if multiline:
        return visible.strip()
    return _SPACES.sub(" ", visible).strip()
