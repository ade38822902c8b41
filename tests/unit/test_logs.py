from __future__ import annotations

import json
import logging

from peerlearn.logs import JsonFormatter, RedactingFilter, request_id

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def render(message: str, *args: object, secrets: tuple[str, ...] = (), **extra: object) -> dict[str, object]:
    record = logging.LogRecord("peerlearn.test", logging.INFO, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    RedactingFilter(secrets).filter(record)
    return json.loads(JsonFormatter().format(record))  # type: ignore[no-any-return]


def test_each_event_is_one_json_line_with_the_request_id() -> None:
    token = request_id.set("req-1234abcd")
    try:
        line = render("request", status=200, path="/healthz")
    finally:
        request_id.reset(token)
    assert line["event"] == "request"
    assert (line["request_id"], line["status"], line["path"]) == ("req-1234abcd", 200, "/healthz")


def test_known_secrets_bearer_tokens_and_private_keys_never_reach_a_line() -> None:
    key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----"
    line = render(
        "calling with %s and %s then %s",
        f"Authorization: Bearer {TOKEN}",
        "password=app-secret-123",
        key,
        secrets=("app-secret-123",),
        header=f"Bearer {TOKEN}",
    )
    text = json.dumps(line)
    assert TOKEN not in text
    assert "app-secret-123" not in text
    assert "MIIEvQIBADANBg" not in text
    assert "Bearer ***" in text
