"""What the tool requires of an id_token beyond pylti1p3's checks, each refusal worded for the person who sees
it inside the LMS's iframe (usually an instructor or a learner, who will pass it to an administrator).

pylti1p3 reads only `aud[0]` and never `azp`, accepts a token with no `exp` or `iat`, and words its refusals
for developers ("Missing Roles Claim"). OpenID Connect Core §3.1.3.7 and the 1EdTech Security Framework §5.1.3
say an id_token must be rejected when any `aud` entry is not trusted, and that with several audiences `azp`
must be present and be the client id. These checks run inside the launch's validation (see
`lti/adapter/message_launch.py`), on claims whose signature is checked, and raise `ClaimRefused`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pylti1p3.exception import LtiException

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
VERSION = "1.3.0"
MESSAGE_TYPES = (
    "LtiResourceLinkRequest",
    "LtiDeepLinkingRequest",
    "LtiSubmissionReviewRequest",
    "DataPrivacyLaunchRequest",
)
ADMIN = "Ask your LMS administrator to check how this tool is set up."


class ClaimRefused(LtiException):
    """A launch refused for a reason the person in the iframe can act on; `status` is 400 or 401."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _quote(value: object, limit: int = 80) -> str:
    return str(value)[:limit]


def client_id_of(claims: Mapping[str, Any]) -> str:
    """The client the token is for: `azp` when it names one of the audiences, else the only (or first) `aud`."""
    aud, azp = claims.get("aud"), claims.get("azp")
    audiences = aud if isinstance(aud, list) else [aud]
    if isinstance(azp, str) and azp in audiences:
        return azp
    first = audiences[0] if audiences else None
    return first if isinstance(first, str) else ""


def check_audience(claims: Mapping[str, Any], client_id: str) -> None:
    aud, azp = claims.get("aud"), claims.get("azp")
    audiences = aud if isinstance(aud, list) else [aud]
    if not audiences or not all(isinstance(a, str) and a for a in audiences):
        raise ClaimRefused(401, "The launch does not say which tool it is for (its 'aud' claim is empty).")
    untrusted = [a for a in audiences if a != client_id]
    if untrusted:
        raise ClaimRefused(
            401,
            f"The launch is also addressed to '{_quote(untrusted[0])}', which this tool does not trust, so it "
            "was refused: a launch must be meant for this tool alone.",
        )
    if len(audiences) > 1 and azp is None:
        raise ClaimRefused(
            401, "The launch lists several audiences but does not name the one it was issued to ('azp')."
        )
    if azp is not None and azp != client_id:
        raise ClaimRefused(
            401, f"The launch was issued to another client ('azp' is '{_quote(azp)}'), not to this tool."
        )


def check_message(claims: Mapping[str, Any]) -> None:
    """The LTI claims every launch this tool accepts must carry (LTI 1.3 §5.3, §5.4; Deep Linking 2.0 §4.4)."""
    message_type = claims.get(f"{CLAIM}message_type")
    if not message_type:
        raise ClaimRefused(
            400, f"The launch does not say what kind of LTI message it is (no 'message_type'). {ADMIN}"
        )
    if message_type not in MESSAGE_TYPES:
        raise ClaimRefused(400, f"This tool does not handle '{_quote(message_type, 60)}' messages.")
    version = claims.get(f"{CLAIM}version")
    if version != VERSION:
        said = f"says LTI version '{_quote(version, 20)}'" if version else "does not say its LTI version"
        raise ClaimRefused(400, f"The launch {said}; this tool speaks LTI {VERSION}. {ADMIN}")
    if not claims.get("sub"):
        raise ClaimRefused(
            400,
            "The launch does not say who you are (no user id, 'sub'), so your answers could not be kept. "
            "Open the tool from your course while signed in.",
        )
    if f"{CLAIM}roles" not in claims or not isinstance(claims[f"{CLAIM}roles"], list):
        raise ClaimRefused(
            400,
            "The launch does not give your role in the course ('roles'), so the tool cannot tell whether "
            f"you teach or learn here. {ADMIN}",
        )
    if message_type == "LtiResourceLinkRequest":
        link = claims.get(f"{CLAIM}resource_link")
        if not isinstance(link, dict) or not link.get("id"):
            raise ClaimRefused(
                400,
                f"The launch does not say which link in the course was opened ('resource_link' id). {ADMIN}",
            )
    if message_type == "LtiDeepLinkingRequest":
        check_deep_linking(claims.get(DL_SETTINGS))


def check_deployment(claims: Mapping[str, Any]) -> None:
    if not claims.get(f"{CLAIM}deployment_id"):
        raise ClaimRefused(
            400,
            f"The launch does not say which installation of the tool it comes from ('deployment_id'). {ADMIN}",
        )


def check_deep_linking(settings: object) -> None:
    if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
        raise ClaimRefused(
            400,
            "The LMS asked to add content but did not say where to send it back ('deep_link_return_url').",
        )
    accepted = settings.get("accept_types")
    if not isinstance(accepted, list) or "ltiResourceLink" not in accepted:
        kinds = (
            ", ".join(_quote(a, 30) for a in accepted) if isinstance(accepted, list) and accepted else "none"
        )
        raise ClaimRefused(
            400,
            "This place in your course accepts only other kinds of content "
            f"({kinds}). Peer study groups adds an LTI link (a page of the tool). Add it from a place that "
            "accepts external tools or LTI links, such as a module or the course navigation.",
        )
    if not settings.get("accept_presentation_document_targets"):
        raise ClaimRefused(
            400,
            "The LMS asked to add content but did not say how it can show it "
            f"('accept_presentation_document_targets'). {ADMIN}",
        )
