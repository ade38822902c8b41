"""The composition root for real: the aiohttp app on a real database, and `peerlearn` as a process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient

from peerlearn import __version__
from peerlearn.app import create_app
from peerlearn.settings import load_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_healthz_reports_the_version_and_a_migrated_database(aiohttp_client, database_url: str) -> None:  # type: ignore[no-untyped-def]
    client: TestClient[web.Request, web.Application] = await aiohttp_client(
        create_app(load_settings(None, database_url=database_url))
    )
    response = await client.get("/healthz")
    body = await response.json()
    assert response.status == 200
    assert body["version"] == __version__
    assert body["database"]["state"] == "current"
    assert response.headers["X-Request-Id"]


async def test_an_unexpected_error_is_a_500_with_an_id_and_no_trace(aiohttp_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(load_settings(None, database_url=f"sqlite:///{tmp_path / 'x.db'}"))

    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("internal detail that must not leak")

    app.router.add_get("/broken", broken)
    client: TestClient[web.Request, web.Application] = await aiohttp_client(app)
    response = await client.get("/broken")
    text = await response.text()
    assert response.status == 500
    assert "internal detail" not in text and "Traceback" not in text
    assert response.headers["X-Request-Id"] in text


async def test_a_body_over_the_limit_is_refused_with_413(aiohttp_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(None, database_url=f"sqlite:///{tmp_path / 'x.db'}", max_request_bytes=2048)
    app = create_app(settings)

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    app.router.add_post("/echo", echo)
    client: TestClient[web.Request, web.Application] = await aiohttp_client(app)
    assert (await client.post("/echo", data=b"x" * 100)).status == 200
    assert (await client.post("/echo", data=b"x" * 10_000)).status == 413


def _peerlearn(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "peerlearn.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("Microsoft", "DATABASE_URL", "PORT", "GRAPH_"))
    }
    return env | extra


async def test_serve_creates_and_migrates_the_embedded_database_and_warns_loudly_without_an_app_id(
    tmp_path: Path,
) -> None:
    port = free_port()
    process = _peerlearn("serve", cwd=tmp_path, env=_clean_env(PORT=str(port)))
    try:
        body: dict[str, object] = {}
        deadline = time.monotonic() + 60  # a loaded CI machine can take a while to start a Python process
        async with aiohttp.ClientSession() as session:
            while not body and time.monotonic() < deadline:
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        body = await response.json()
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
        assert body, "peerlearn serve did not answer /healthz within 60 s"
        assert body["database"] == {"backend": "sqlite", "state": "current"}
        assert (tmp_path / "var" / "peerlearn.db").exists()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    assert "NO MicrosoftAppId IS SET" in stderr
    assert "Traceback" not in stderr


def test_an_invalid_setting_stops_start_up_with_a_message_naming_it(tmp_path: Path) -> None:
    process = _peerlearn("serve", cwd=tmp_path, env=_clean_env(PORT="eighty"))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "Setting 'PORT' has value 'eighty'" in stderr
    assert "Traceback" not in stderr


def test_migrate_brings_an_empty_database_to_the_newest_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    process = _peerlearn("migrate", cwd=tmp_path, env=_clean_env(DATABASE_URL=url))
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert stdout.strip() == "database: current"
