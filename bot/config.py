from __future__ import annotations

from dataclasses import dataclass, field

from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import AuthenticationConstants as Constants

PUBLIC_CLOUD_ISSUER: str = Constants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
PUBLIC_CLOUD_OPENID_METADATA: str = Constants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL


@dataclass(frozen=True)
class BotConfig:
    """The Azure Bot registration. Attribute names are the ones botbuilder's configuration reads.

    Without an app id the bot accepts unauthenticated requests (local testing with the Agents Playground).
    The two `TO_BOT_FROM_CHANNEL_*` values replace the public cloud's token issuer and signing-key metadata
    (tests, sovereign clouds); when either is set, botbuilder switches to its parameterized configuration,
    which then needs every other endpoint spelled out: the properties below give the public cloud's.
    """

    APP_ID: str = ""
    APP_PASSWORD: str = field(default="", repr=False)
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None

    @property
    def authenticated(self) -> bool:
        return bool(self.APP_ID)

    @property
    def token_issuer(self) -> str:
        return self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER or PUBLIC_CLOUD_ISSUER

    @property
    def openid_metadata_url(self) -> str:
        return self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL or PUBLIC_CLOUD_OPENID_METADATA

    @property
    def _parameterized(self) -> bool:
        return bool(self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL or self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER)

    # botbuilder reads these with getattr(); None keeps its built-in public cloud configuration.
    @property
    def TO_CHANNEL_FROM_BOT_LOGIN_URL(self) -> str | None:
        return Constants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX if self._parameterized else None

    @property
    def TO_CHANNEL_FROM_BOT_OAUTH_SCOPE(self) -> str | None:
        return Constants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE if self._parameterized else None

    @property
    def OAUTH_URL(self) -> str | None:
        return Constants.OAUTH_URL if self._parameterized else None

    @property
    def TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL(self) -> str | None:
        return Constants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL if self._parameterized else None

    @property
    def CALLER_ID(self) -> str | None:
        return CallerIdConstants.public_azure_channel if self._parameterized else None
