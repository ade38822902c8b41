"""Launches without cookies: LTI Client Side postMessages and LTI Platform Storage (1EdTech, 2023).

Browsers that block third-party cookies drop the state cookie pylti1p3 sets at `/lti/login`, so the launch in
the LMS's iframe cannot show that it answers the sign-in this browser started. When the platform names a
frame for storage (`lti_storage_target` in the login request), the tool keeps state and nonce there instead:

1. `/lti/login` answers with a page (`storage_login.html`, script `platform_storage.js`) that asks the
   platform frame for `lti.capabilities`, stores `state` and `nonce` with `lti.put_data`, then goes on to the
   platform's authorization URL. The tool records, under the state, the nonce, the frame and the platform's
   origin (`Binding`).
2. The platform posts the launch. With the state cookie (cookies allowed), the launch goes on as usual.
   Without it, and with a binding that names a storage frame, the tool answers with a page
   (`storage_launch.html`) that reads both values back with `lti.get_data`. Only when they are the ones this
   launch carries does the script post the launch again, to the tool's own origin, with the values read.
3. That second post is accepted only from the tool's own origin (its `Origin` header, which a page elsewhere
   cannot set): a site cannot post the values itself, and the platform answers `lti.get_data` only to the
   tool's origin, in the browser that stored them. The state then counts as its cookie and pylti1p3
   validates the launch (signature, nonce once, deployment, claims) as always.

Messages go to the platform's origin only (that of its authorization URL), and replies from any other origin
are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from lti.security import origin

BINDING_PREFIX = "peerlearn-login-"  # stored under this prefix + the state (see `lti/login_binding.py`)
BINDING_LIFETIME = timedelta(minutes=10)
BINDING_MISMATCH = (
    "This launch does not answer the sign-in this browser started, so it was not accepted. "
    "Open the tool again from your course."
)
TARGET_PARAM = "lti_storage_target"
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")
VERIFIED = "lti_storage_state"  # the launch posted again, with the state read from platform storage
VERIFIED_NONCE = "lti_storage_nonce"


@dataclass(frozen=True)
class Binding:
    """What `/lti/login` recorded under a state: the nonce sent with it, the login's parameters (to open the
    tool in a new window when the launch comes back without its cookie) and, for a storage login, where the
    values were stored."""

    nonce: str
    target: str | None = None
    platform_origin: str | None = None
    login: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, stored: object) -> Binding | None:
        if not isinstance(stored, Mapping) or not isinstance(stored.get("nonce"), str):
            return None
        target, at, login = stored.get("storage_target"), stored.get("platform_origin"), stored.get("login")
        return cls(
            stored["nonce"],
            target if isinstance(target, str) else None,
            at if isinstance(at, str) else None,
            {str(k): str(v) for k, v in login.items()} if isinstance(login, Mapping) else {},
        )

    def value(self) -> dict[str, object]:
        stored: dict[str, object] = {"nonce": self.nonce}
        if self.target and self.platform_origin:
            stored.update(storage_target=self.target, platform_origin=self.platform_origin)
        if self.login:
            stored["login"] = dict(self.login)
        return stored

    @property
    def uses_storage(self) -> bool:
        return bool(self.target and self.platform_origin)


def target_of(value: str) -> str | None:
    """A frame name the page may address: `_parent` or a plain name; anything else is ignored."""
    value = value.strip()
    if value == "_parent" or (
        value and len(value) <= 64 and value.replace("_", "").replace("-", "").isalnum()
    ):
        return value
    return None


def platform_origin(auth_login_url: str) -> str | None:
    """Where the storage messages go: the origin of the platform's OIDC authorization URL."""
    return origin(auth_login_url)


def storage_keys(state: str, nonce: str) -> tuple[str, str]:
    return f"state_{state}", f"nonce_{nonce}"


def verified(
    form: Mapping[str, str], request_origin: str | None, tool_origin: str | None, binding: Binding, state: str
) -> bool:
    """Whether a launch posted again by `storage_launch.html` carries the values read from platform storage,
    from the tool's own origin."""
    return (
        binding.uses_storage
        and tool_origin is not None
        and request_origin == tool_origin
        and form.get(VERIFIED) == state
        and form.get(VERIFIED_NONCE) == binding.nonce
    )


def login_params(values: Mapping[str, object]) -> dict[str, str]:
    """The login's parameters worth keeping to start it again (in a new window)."""
    return {k: v for k in LOGIN_PARAMS if isinstance(v := values.get(k), str) and v}
