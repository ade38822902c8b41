from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BotConfig:
    """The Azure Bot registration. Attribute names are the ones botbuilder's configuration reads.

    Without an app id the bot accepts unauthenticated requests (local testing with the Agents Playground).
    """

    APP_ID: str = ""
    APP_PASSWORD: str = field(default="", repr=False)
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""

    @property
    def authenticated(self) -> bool:
        return bool(self.APP_ID)
