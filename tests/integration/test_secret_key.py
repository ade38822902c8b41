from __future__ import annotations

import stat
from pathlib import Path

import pytest

from peerlearn import secret_key


def test_a_configured_key_is_used_as_it_is(tmp_path: Path) -> None:
    assert secret_key.load_or_create("configured", tmp_path, shared_database=False) == b"configured"
    assert not (tmp_path / secret_key.KEY_FILE).exists()


def test_without_a_key_one_is_generated_once_readable_only_by_its_owner_and_kept(tmp_path: Path) -> None:
    first = secret_key.load_or_create("", tmp_path / "var", shared_database=False)
    second = secret_key.load_or_create("", tmp_path / "var", shared_database=False)
    assert first == second
    assert len(first) >= 48
    mode = stat.S_IMODE((tmp_path / "var" / secret_key.KEY_FILE).stat().st_mode)
    assert mode == 0o600


def test_a_generated_key_with_a_shared_database_is_announced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret_key.load_or_create("", tmp_path, shared_database=True)
    assert "Set SECRET_KEY" in caplog.text
