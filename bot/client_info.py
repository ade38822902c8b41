"""What Teams says about the person's client on every activity: time zone and locale (the `clientInfo`
entity; invokes also carry `localTimezone` and `locale`). Used to pre-fill, never trusted as a choice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from botbuilder.schema import Activity

from core.services.vocabulary import known_timezone

TIMEZONE = "_teams_timezone"  # the keys under which a turn's card data carries what Teams detected
LOCALE = "_teams_locale"


@dataclass(frozen=True)
class ClientInfo:
    timezone: str | None = None
    locale: str | None = None


def client_info(activity: Activity) -> ClientInfo:
    timezone, locale = None, None
    for entity in activity.entities or []:
        if entity.type != "clientInfo":
            continue
        properties = entity.additional_properties or {}
        timezone = timezone or _text(properties.get("timezone"))
        locale = locale or _text(properties.get("locale"))
    timezone = timezone or _text(getattr(activity, "local_timezone", None))
    locale = locale or _text(activity.locale)
    return ClientInfo(known_timezone(timezone), locale[:20] if locale else None)


def _text(value: object) -> str | None:
    return value.strip()[:64] or None if isinstance(value, str) else None


def with_client_info(data: Mapping[str, object], activity: Activity) -> dict[str, object]:
    """The card data, with what Teams detected under reserved keys (a card cannot set them itself)."""
    found = {k: v for k, v in data.items() if k not in (TIMEZONE, LOCALE)}
    info = client_info(activity)
    if info.timezone:
        found[TIMEZONE] = info.timezone
    if info.locale:
        found[LOCALE] = info.locale
    return found


def detected_timezone(data: Mapping[str, object]) -> str | None:
    value = data.get(TIMEZONE)
    return known_timezone(value) if isinstance(value, str) else None
