"""A Bot Framework channel's token issuer on 127.0.0.1: an OpenID metadata document, a key set whose key is
endorsed for `msteams`, and tokens signed as the channel signs them (or forged, for the attack tests).

It runs in a thread with the standard library's server, so it answers whatever the event loop is doing."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "11111111-2222-3333-4444-555555555555"
KID = "channel-key-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issuer:
    base_url: str
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = KID
    endorsements: tuple[str, ...] = ("msteams",)
    fetches: int = 0

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/issuer"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    def key_set(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [jwk | {"kid": self.kid, "use": "sig", "endorsements": list(self.endorsements)}]}

    def claims(self, service_url: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": APP_ID,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + 3600,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(
        self,
        service_url: str,
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        **overrides: Any,
    ) -> str:
        """A token as the channel signs it; `key`/`kid`/claims changed for a forgery."""
        return jwt.encode(
            self.claims(service_url, **overrides),
            key or self.key,
            algorithm="RS256",
            headers={"kid": kid or self.kid},
        )


@contextmanager
def running_issuer() -> Iterator[Issuer]:
    state: dict[str, Issuer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            issuer = state["issuer"]
            issuer.fetches += 1
            if self.path == "/v1/.well-known/openidconfiguration":
                body: dict[str, Any] = {"issuer": issuer.issuer, "jwks_uri": f"{issuer.base_url}/keys"}
            elif self.path == "/keys":
                body = issuer.key_set()
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["issuer"] = Issuer(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["issuer"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
