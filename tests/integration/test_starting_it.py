"""Starting peerlearn as the README says: the entry point in .venv, the first log line, `/`, PUBLIC_URL from PORT."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from peerlearn.app import create_app
from peerlearn.settings import load_settings
from tests.integration.test_app import free_port

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINT = Path(sys.executable).parent / "peerlearn"


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("Microsoft", "DATABASE_URL", "PORT", "GRAPH_", "PUBLIC_URL", "LOG_"))
    }
    return env | {"LOG_FORMAT": "text"} | extra


def _wait_for(url: str, process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 60  # a loaded machine can take a while to start a Python process
    while time.monotonic() < deadline:
        assert process.poll() is None, "peerlearn serve exited"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode())
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within 60 s")


@pytest.mark.skipif(not ENTRY_POINT.exists(), reason="needs the `peerlearn` entry point (pip install -e .)")
def test_the_entry_point_serves_says_where_first_and_warns_of_a_loopback_public_url(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = _env(PORT=str(port), DATA_DIR=str(tmp_path / "var"), DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}")
    register = subprocess.run(
        [
            str(ENTRY_POINT),
            "lti",
            "add-platform",
            "--issuer=https://moodle.example.edu",
            "--client-id=abc",
            "--auth-login-url=https://moodle.example.edu/mod/lti/auth.php",
            "--auth-token-url=https://moodle.example.edu/mod/lti/token.php",
            "--key-set-url=https://moodle.example.edu/mod/lti/certs.php",
            "--deployment-id=1",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert register.returncode == 0, register.stderr
    process = subprocess.Popen(
        [str(ENTRY_POINT), "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/", process)
        assert "peerlearn" in page and 'href="/healthz"' in page
    finally:
        process.terminate()
        stdout, stderr = process.communicate(timeout=30)
    lines = [line for line in (stderr + stdout).splitlines() if line.strip()]
    assert f"listening on http://127.0.0.1:{port}" in lines[0]
    assert f"http://localhost:{port} (PUBLIC_URL)" in lines[0]  # PUBLIC_URL followed PORT
    assert any(
        "LTI platforms are registered" in line and f"http://localhost:{port}" in line for line in lines
    )
    assert "Traceback" not in stderr


def test_the_makefile_runs_the_cli_from_the_venv() -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("needs make")
    planned = subprocess.run(
        [make, "--no-print-directory", "-n", "cli", "ARGS=package --env env/.env.dev"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert planned.stdout.strip().splitlines()[-1] == ".venv/bin/peerlearn package --env env/.env.dev"
    assert "make cli" in (ROOT / "README.md").read_text()


async def test_the_home_page_is_strict_and_serves_only_known_docs(aiohttp_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(load_settings(None, database_url=f"sqlite:///{tmp_path / 'h.db'}", data_dir=tmp_path))
    client: TestClient[web.Request, web.Application] = await aiohttp_client(app)
    response = await client.get("/")
    page = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    assert "Peer-to-peer learning at work" in page
    assert 'href="/healthz"' in page and 'href="/docs/ADMIN.md"' in page
    assert "<script" not in page and "style=" not in page
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "unsafe" not in policy
    guide = await client.get("/docs/ADMIN.md")
    assert guide.status == 200 and guide.content_type == "text/plain"
    assert (await guide.text()) == (ROOT / "docs" / "ADMIN.md").read_text(encoding="utf-8")
    for name in ("../README.md", "%2e%2e%2fpyproject.toml", "peerlearn.db", "NOTES.md"):
        assert (await client.get(f"/docs/{name}")).status == 404, name
