"""Settings, from the environment and `.env`.

The bot's credentials keep the Bot Framework names (`MicrosoftAppId`, `MicrosoftAppPassword`,
`MicrosoftAppType`, `MicrosoftAppTenantId`) so an Azure Bot's configuration can be pasted as it is.
Everything else is `PEERLEARN_`-free upper case (`DATABASE_URL`, `PORT`, …). An invalid value stops
start-up with a `SettingsError` that names the setting and the value.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.database import normalize_database_url

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class SettingsError(Exception):
    """A setting has a value peerlearn cannot use; the message names it and says what would work."""


class AppType(enum.StrEnum):
    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


def _alias(*names: str) -> Any:
    return AliasChoices(*names)


URL = re.compile(r"^https?://[^/\s]+")
ENTRA_OPENID_METADATA = "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
GROUP_API_KINDS = ("canvas", "moodle")


@dataclass(frozen=True)
class LtiGroupApi:
    """One LMS group API from LTI_GROUP_APIS: where published groups are created for one platform issuer."""

    kind: str  # "canvas" or "moodle"
    base_url: str
    token: str


def parse_lti_group_apis(raw: str) -> dict[str, LtiGroupApi]:
    """LTI_GROUP_APIS: a JSON object from platform issuer to `{"kind", "base_url", "token"}`. Errors name the
    issuer and the key, never the token."""
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(parsed, dict):
        raise ValueError('use a JSON object: {"<issuer>": {"kind": "canvas", "base_url": "…", "token": "…"}}')
    apis = {}
    for issuer, entry in parsed.items():
        where = f"the entry for '{issuer[:200]}'"
        if not URL.match(issuer):
            raise ValueError(f"{where} is not a platform issuer URL (such as 'https://moodle.school.edu')")
        if not isinstance(entry, dict):
            raise ValueError(f"{where} must be an object with 'kind', 'base_url' and 'token'")
        kind, base_url, token = entry.get("kind"), entry.get("base_url"), entry.get("token")
        if kind not in GROUP_API_KINDS:
            raise ValueError(f"{where} has kind '{str(kind)[:40]}': use 'canvas' or 'moodle'")
        if not isinstance(base_url, str) or not URL.match(base_url):
            raise ValueError(
                f"{where} has base_url '{str(base_url)[:200]}': use the LMS's address, "
                "such as 'https://school.instructure.com'"
            )
        if not isinstance(token, str) or not token.strip():
            raise ValueError(f"{where} has no token: give the access token the LMS administrator created")
        apis[issuer.rstrip("/")] = LtiGroupApi(str(kind), base_url.rstrip("/"), token.strip())
    return apis


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", case_sensitive=False, populate_by_name=True
    )

    database_url: str = Field("sqlite:///var/peerlearn.db", validation_alias=_alias("DATABASE_URL"))
    host: str = Field("127.0.0.1", validation_alias=_alias("HOST"))
    port: int = Field(3978, ge=1, le=65535, validation_alias=_alias("PORT"))
    # Empty: http://localhost:<PORT>, following PORT (and `serve --port`); see `listen_on`.
    public_url: str = Field("", validation_alias=_alias("PUBLIC_URL"))
    log_level: str = Field("INFO", validation_alias=_alias("LOG_LEVEL"))
    log_format: str = Field("json", validation_alias=_alias("LOG_FORMAT"))
    run_worker: bool = Field(True, validation_alias=_alias("RUN_WORKER"))
    max_request_bytes: int = Field(256 * 1024, ge=1024, validation_alias=_alias("MAX_REQUEST_BYTES"))

    app_id: str = Field("", validation_alias=_alias("MicrosoftAppId", "MICROSOFT_APP_ID"))
    app_password: SecretStr = Field(
        SecretStr(""), validation_alias=_alias("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD")
    )
    app_type: AppType = Field(
        AppType.MULTI_TENANT, validation_alias=_alias("MicrosoftAppType", "MICROSOFT_APP_TYPE")
    )
    app_tenant_id: str = Field("", validation_alias=_alias("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID"))
    # For tests and sovereign clouds only: who signs the tokens Teams sends the bot, and where its signing
    # keys are published. Empty means the public cloud's (https://api.botframework.com and its metadata).
    bot_token_issuer: str = Field("", validation_alias=_alias("TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"))
    bot_openid_metadata_url: str = Field(
        "", validation_alias=_alias("TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL")
    )

    # Teams tabs' single sign-on (bot.tabs.sso): the Entra app's identifier URI the tokens are for (empty:
    # api://<PUBLIC_URL's host>/<MicrosoftAppId>, as appPackage/manifest.json's webApplicationInfo says),
    # where Entra publishes its signing keys, the tenants whose people may sign in (empty: MicrosoftAppTenantId
    # when set, else any tenant), and origins beside Microsoft's that may host the tabs (a test host page).
    tabs_sso_audience: str = Field("", validation_alias=_alias("TABS_SSO_AUDIENCE"))
    tabs_openid_metadata_url: str = Field(
        ENTRA_OPENID_METADATA, validation_alias=_alias("TABS_OPENID_METADATA_URL")
    )
    tabs_allowed_tenants: str = Field("", validation_alias=_alias("TABS_ALLOWED_TENANTS"))
    tabs_host_origins: str = Field("", validation_alias=_alias("TABS_HOST_ORIGINS"))

    graph_client_id: str = Field("", validation_alias=_alias("GRAPH_CLIENT_ID"))
    graph_client_secret: SecretStr = Field(SecretStr(""), validation_alias=_alias("GRAPH_CLIENT_SECRET"))
    graph_tenant_id: str = Field("", validation_alias=_alias("GRAPH_TENANT_ID"))
    teams_app_catalog_id: str = Field("", validation_alias=_alias("TEAMS_APP_CATALOG_ID"))
    graph_base_url: str = Field("https://graph.microsoft.com", validation_alias=_alias("GRAPH_BASE_URL"))
    graph_authority_host: str = Field(
        "https://login.microsoftonline.com", validation_alias=_alias("GRAPH_AUTHORITY_HOST")
    )
    teams_tenant_messages_per_second: float = Field(
        30.0, gt=0, le=1000, validation_alias=_alias("TEAMS_TENANT_MESSAGES_PER_SECOND")
    )
    delivery_lease_seconds: float = Field(
        15.0, ge=1, le=600, validation_alias=_alias("DELIVERY_LEASE_SECONDS")
    )
    # How long a message that failed for a passing reason (connection, timeout, 429, 5xx) is retried before
    # it is given up and counted in the facilitator's report, and the longest pause between two tries.
    delivery_retry_horizon_hours: float = Field(
        48.0, gt=0, le=24 * 30, validation_alias=_alias("DELIVERY_RETRY_HORIZON_HOURS")
    )
    delivery_retry_max_delay_seconds: float = Field(
        900.0, ge=1, le=24 * 3600, validation_alias=_alias("DELIVERY_RETRY_MAX_DELAY_SECONDS")
    )
    # PostgreSQL ends a session that sits in an open transaction this long (a process paused or wedged
    # while holding row locks), so the other instances are not blocked behind it.
    database_idle_transaction_seconds: float = Field(
        60.0, ge=1, le=3600, validation_alias=_alias("DATABASE_IDLE_TRANSACTION_SECONDS")
    )
    # The fewest people a figure shown to a facilitator or instructor may cover (never below 3).
    report_min_group: int = Field(5, ge=3, le=1000, validation_alias=_alias("REPORT_MIN_GROUP"))

    secret_key: SecretStr = Field(SecretStr(""), validation_alias=_alias("SECRET_KEY"))
    lti_frame_ancestors: str = Field("", validation_alias=_alias("LTI_FRAME_ANCESTORS"))
    # Dynamic Registration: the platform issuers allowed to register (comma-separated URLs); empty: any.
    lti_registration_issuers: str = Field("", validation_alias=_alias("LTI_REGISTRATION_ISSUERS"))
    # The LMS group APIs published groups are created through, by platform issuer (`parse_lti_group_apis`).
    lti_group_apis: SecretStr = Field(SecretStr(""), validation_alias=_alias("LTI_GROUP_APIS"))
    data_dir: Path = Field(Path("var"), validation_alias=_alias("DATA_DIR"))

    _public_url_follows_port: bool = PrivateAttr(False)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value not in ("json", "text"):
            raise ValueError("use 'json' (one JSON object a line) or 'text'")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not value.strip():
            return ""  # filled in from PORT once every field is read
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(
                "use the address people reach this service at, e.g. 'https://peerlearn.example.com'"
            )
        return value.rstrip("/")

    @field_validator("app_id", "app_tenant_id", "graph_client_id", "graph_tenant_id")
    @classmethod
    def _guid_or_empty(cls, value: str) -> str:
        value = value.strip()
        if value and not GUID.match(value):
            raise ValueError("expected a GUID such as '00000000-0000-0000-0000-000000000000', or nothing")
        return value

    @field_validator("tabs_sso_audience")
    @classmethod
    def _tabs_audience(cls, value: str) -> str:
        value = value.strip()
        if value and not (value.startswith("api://") or GUID.match(value)):
            raise ValueError(
                "use the Entra app's identifier URI, such as 'api://peerlearn.example.com/<bot id>', or nothing"
            )
        return value

    @field_validator("tabs_openid_metadata_url")
    @classmethod
    def _tabs_metadata(cls, value: str) -> str:
        value = value.strip()
        if not URL.match(value):
            raise ValueError(
                f"use an http(s) URL of an OpenID metadata document, such as '{ENTRA_OPENID_METADATA}'"
            )
        return value

    @field_validator("tabs_allowed_tenants")
    @classmethod
    def _tabs_tenants(cls, value: str) -> str:
        for tenant in (t.strip() for t in value.split(",") if t.strip()):
            if not GUID.match(tenant):
                raise ValueError(
                    f"'{tenant[:60]}' is not a tenant id: list GUIDs comma-separated, or nothing"
                )
        return value

    @field_validator("tabs_host_origins")
    @classmethod
    def _tabs_host_origins(cls, value: str) -> str:
        for origin in (o.strip().rstrip("/") for o in value.split(",") if o.strip()):
            if not ORIGIN.match(origin):
                raise ValueError(
                    f"'{origin[:200]}' is not an origin: list them comma-separated as scheme://host[:port], "
                    "such as 'http://127.0.0.1:8123'"
                )
        return value

    @field_validator("lti_registration_issuers")
    @classmethod
    def _registration_issuers(cls, value: str) -> str:
        for issuer in (i.strip() for i in value.split(",") if i.strip()):
            if not URL.match(issuer):
                raise ValueError(
                    f"'{issuer[:200]}' is not a platform issuer URL: list them comma-separated, "
                    "such as 'https://moodle.school.edu,https://canvas.instructure.com'"
                )
        return value

    @field_validator("lti_group_apis")
    @classmethod
    def _group_apis(cls, value: SecretStr) -> SecretStr:
        parse_lti_group_apis(value.get_secret_value())
        return value

    @property
    def registration_issuers(self) -> tuple[str, ...]:
        return tuple(i.strip().rstrip("/") for i in self.lti_registration_issuers.split(",") if i.strip())

    @property
    def tabs_audience(self) -> str:
        """The identifier URI Teams asks tokens for: TABS_SSO_AUDIENCE, else api://<PUBLIC_URL's host>/<app id>."""
        if self.tabs_sso_audience:
            return self.tabs_sso_audience
        host = urlsplit(self.public_url).hostname or ""
        return f"api://{host}/{self.app_id}" if self.app_id else ""

    @property
    def tabs_tenants(self) -> tuple[str, ...]:
        listed = tuple(t.strip().lower() for t in self.tabs_allowed_tenants.split(",") if t.strip())
        if listed:
            return listed
        return (self.app_tenant_id.lower(),) if self.app_tenant_id else ()

    @property
    def tab_host_origins(self) -> tuple[str, ...]:
        return tuple(o.strip().rstrip("/") for o in self.tabs_host_origins.split(",") if o.strip())

    @property
    def tabs_off_reason(self) -> str:
        """Why the tabs cannot sign anyone in ("" when they can)."""
        if not self.app_id:
            return (
                "MicrosoftAppId is not set, so peerlearn cannot check Teams' sign-in tokens: "
                "an IT admin sets it up as docs/ADMIN.md describes."
            )
        return ""

    @property
    def group_apis(self) -> dict[str, LtiGroupApi]:
        return parse_lti_group_apis(self.lti_group_apis.get_secret_value())

    @model_validator(mode="after")
    def _public_url_from_port(self) -> Settings:
        if not self.public_url:
            self.public_url = f"http://localhost:{self.port}"
            self._public_url_follows_port = True
        return self

    def listen_on(self, port: int) -> None:
        """Serve on `port` (`peerlearn serve --port`); a PUBLIC_URL that was not set follows it."""
        self.port = port
        if self._public_url_follows_port:
            self.public_url = f"http://localhost:{port}"

    @property
    def listen_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def public_url_is_loopback(self) -> bool:
        """True when PUBLIC_URL names this machine only, which no LMS or Teams can reach."""
        host = (urlsplit(self.public_url).hostname or "").lower()
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @property
    def authenticated(self) -> bool:
        """False when no app id is set: the bot then accepts unauthenticated requests (local testing only)."""
        return bool(self.app_id)

    @property
    def graph_enabled(self) -> bool:
        return bool(
            self.graph_client_id and self.graph_client_secret.get_secret_value() and self.graph_tenant_id
        )

    @property
    def graph_off_reason(self) -> str:
        """Why installing the app for people and group chats are off ("" when they are on)."""
        missing = [
            name
            for name, value in (
                ("GRAPH_CLIENT_ID", self.graph_client_id),
                ("GRAPH_CLIENT_SECRET", self.graph_client_secret.get_secret_value()),
                ("GRAPH_TENANT_ID", self.graph_tenant_id),
                ("TEAMS_APP_CATALOG_ID", self.teams_app_catalog_id),
            )
            if not value
        ]
        if not missing:
            return ""
        return f"Microsoft Graph is not configured ({', '.join(missing)} not set); an IT admin can set it up."

    def secrets(self) -> list[str]:
        """Every secret value, so the log filter can redact them wherever they might appear."""
        values = (self.app_password, self.graph_client_secret, self.secret_key)
        tokens = [api.token for api in self.group_apis.values()]
        return [v.get_secret_value() for v in values if v.get_secret_value()] + tokens

    def check_consistency(self) -> None:
        if self.app_type is AppType.SINGLE_TENANT and self.app_id and not self.app_tenant_id:
            raise SettingsError(
                "MicrosoftAppType is 'SingleTenant' but MicrosoftAppTenantId is empty. "
                "Set MicrosoftAppTenantId to your Entra tenant id, or use 'MultiTenant'."
            )
        if (
            self.app_id
            and not self.app_password.get_secret_value()
            and self.app_type is not AppType.USER_ASSIGNED_MSI
        ):
            raise SettingsError(
                "MicrosoftAppId is set but MicrosoftAppPassword is empty. Set the bot's client secret."
            )


# Every name a secret setting is read under: a bad value there is never shown back.
_SECRET_NAMES = {
    str(choice).upper()
    for f in Settings.model_fields.values()
    if f.annotation is SecretStr and isinstance(f.validation_alias, AliasChoices)
    for choice in f.validation_alias.choices
}


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read settings; raise `SettingsError` naming the first bad setting and its value."""
    try:
        settings = Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "settings"
            field = Settings.model_fields.get(name)
            alias = field.validation_alias if field is not None else None
            if isinstance(alias, AliasChoices):
                name = str(alias.choices[0])
            hidden = (field is not None and field.annotation is SecretStr) or name.upper() in _SECRET_NAMES
            shown = (
                "***"
                if hidden or "password" in name.lower() or "secret" in name.lower()
                else error.get("input")
            )
            message = str(error["msg"]).removeprefix("Value error, ").rstrip(".")
            problems.append(f"Setting '{name}' has value '{shown}': {message}.")
        raise SettingsError(" ".join(problems)) from None
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    settings.check_consistency()
    return settings
