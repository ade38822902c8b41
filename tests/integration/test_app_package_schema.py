"""The built package's manifest, checked by Microsoft's own validator (npm @microsoft/app-manifest), offline."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from peerlearn.app_package import build_package

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT / "tests" / "integration" / "node" / "validate_manifest.js"
NODE_MODULES = ROOT / "tests" / "e2e" / "node" / "node_modules"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (NODE_MODULES / "@microsoft" / "app-manifest").is_dir(),
    reason="needs `node` and Microsoft's validator: run `npm ci` in tests/e2e/node (make test does)",
)

VALUES = {
    "TEAMS_APP_ID": "5d1f8a36-2c4b-4f7e-9a0d-3e6b7c8f9a12",
    "APP_VERSION": "1.0.0",
    "BOT_ID": "11111111-2222-3333-4444-555555555555",
    "BOT_DOMAIN": "peerlearn.example.com",
    "DEVELOPER_NAME": "Contoso IT",
    "DEVELOPER_WEBSITE_URL": "https://intranet.example.com/peerlearn",
    "DEVELOPER_PRIVACY_URL": "https://intranet.example.com/privacy",
    "DEVELOPER_TERMS_URL": "https://intranet.example.com/terms",
    "APP_NAME_SUFFIX": "-dev",
}


def microsoft_validation_errors(manifest: dict[str, Any], tmp_path: Path) -> list[str]:
    path = tmp_path / "manifest-under-test.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    assert NODE is not None
    result = subprocess.run(
        [NODE, str(VALIDATOR), str(path), str(NODE_MODULES)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    errors: list[str] = json.loads(result.stdout)["errors"]
    return errors


@pytest.fixture
def built_manifest(tmp_path: Path) -> dict[str, Any]:
    env_file = tmp_path / "env" / ".env.dev"
    env_file.parent.mkdir()
    env_file.write_text("".join(f"{key}={value}\n" for key, value in VALUES.items()), encoding="utf-8")
    zip_path = build_package(ROOT / "appPackage", env_file, tmp_path / "build", environ={})
    with zipfile.ZipFile(zip_path) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest


def test_built_manifest_validates_against_microsofts_schema_with_zero_errors(
    built_manifest: dict[str, Any], tmp_path: Path
) -> None:
    assert built_manifest["manifestVersion"] == "1.30"
    assert microsoft_validation_errors(built_manifest, tmp_path) == []


def test_microsofts_validator_really_runs_and_rejects_a_broken_manifest(
    built_manifest: dict[str, Any], tmp_path: Path
) -> None:
    built_manifest["bots"][0]["botId"] = "not-a-guid"
    built_manifest["bots"][0]["scopes"].append("everywhere")

    errors = microsoft_validation_errors(built_manifest, tmp_path)

    assert any(error.startswith("/bots/0/botId must match pattern") for error in errors)
    assert any(
        error.startswith("/bots/0/scopes/3 must be equal to one of the allowed values") for error in errors
    )
