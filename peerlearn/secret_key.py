"""The key that signs LTI page sessions: `SECRET_KEY`, or one generated once and kept beside the embedded database."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("peerlearn")
KEY_FILE = "secret_key"


def load_or_create(configured: str, data_dir: Path, *, shared_database: bool) -> bytes:
    """Use the configured key; else the one stored in `data_dir` (created with mode 0600 on first start).

    Several instances behind a load balancer must share one key, so with a shared database (PostgreSQL)
    a generated key is only a fallback and start-up says to set `SECRET_KEY`.
    """
    if configured:
        return configured.encode()
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    if shared_database:
        log.warning(
            "SECRET_KEY is not set: using a key generated on this machine. Set SECRET_KEY to the same value on "
            "every instance, or LTI page sessions started on one instance fail on another."
        )
    return path.read_text().strip().encode()
