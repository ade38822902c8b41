from __future__ import annotations

import uuid


def new_id() -> str:
    """A fresh identifier for a domain object: 32 lowercase hex characters."""
    return uuid.uuid4().hex
