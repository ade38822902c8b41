"""Wiring the bot into the aiohttp application: `POST /api/messages`, one line of routing."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import CallerIdConstants

from bot.actions import Services, build_registry
from bot.auth import ChannelTokenValidator, SigningKeys
from bot.clients import ReusedClients
from bot.config import BotConfig
from bot.delivery.graph import GraphCalendars, GraphClient
from bot.endpoint import MessagesEndpoint
from bot.handler import PeerlearnBot
from core.bus import MessageBus
from core.ports import Clock, UnitOfWorkFactory

log = logging.getLogger("peerlearn.bot")
BOT = web.AppKey("bot", PeerlearnBot)
ADAPTER = web.AppKey("bot_adapter", CloudAdapter)


def build_bot(
    config: BotConfig, uow_factory: UnitOfWorkFactory, clock: Clock, **services: Any
) -> tuple[CloudAdapter, PeerlearnBot]:
    """`services` are `Services`' optional parts (the `graph` status for the report, calendars, rounds)."""
    adapter = CloudAdapter(ReusedClients(ConfigurationBotFrameworkAuthentication(config)))
    bot = PeerlearnBot(
        Services(MessageBus(uow_factory, clock), **services), build_registry(), adapter, config.APP_ID
    )
    return adapter, bot


def setup_bot(
    app: web.Application,
    config: BotConfig,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    **services: Any,
) -> None:
    if not config.authenticated:
        log.warning("MicrosoftAppId is empty: the bot accepts UNAUTHENTICATED requests (local testing only)")
    adapter, bot = build_bot(config, uow_factory, clock, **services)
    app[ADAPTER], app[BOT] = adapter, bot

    app.router.add_post("/api/messages", messages_endpoint(app, config, adapter, bot))


def attach_calendars(
    app: web.Application,
    calendars: GraphCalendars,
    connect: Callable[[aiohttp.ClientSession], GraphClient | None],
) -> None:
    """Give the bot's `calendars` a Graph client while the app runs, on an HTTP session of its own."""

    async def context(_: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as http:
            calendars.client = connect(http)
            yield
            calendars.client = None

    app.cleanup_ctx.append(context)


def messages_endpoint(
    app: web.Application, config: BotConfig, adapter: CloudAdapter, bot: PeerlearnBot
) -> MessagesEndpoint:
    """With an app id, peerlearn checks the channel's token itself (see `bot.auth`) before botbuilder runs."""
    gate, caller_id = None, None
    if config.authenticated:
        keys = SigningKeys(config.openid_metadata_url)
        gate = ChannelTokenValidator(config.APP_ID, config.token_issuer, keys)
        caller_id = CallerIdConstants.public_azure_channel

        async def close_keys(app: web.Application) -> None:
            await keys.close()

        app.on_cleanup.append(close_keys)
    return MessagesEndpoint(adapter, bot, adapter.bot_framework_authentication, gate, caller_id)
