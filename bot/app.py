"""Wiring the bot into the aiohttp application: `POST /api/messages`, one line of routing."""

from __future__ import annotations

import logging

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.actions import Services, build_registry
from bot.config import BotConfig
from bot.handler import PeerlearnBot
from bot.ports import BotStore
from core.ports import Clock, UnitOfWorkFactory

log = logging.getLogger("peerlearn.bot")
BOT = web.AppKey("bot", PeerlearnBot)
ADAPTER = web.AppKey("bot_adapter", CloudAdapter)


def build_bot(
    config: BotConfig, uow_factory: UnitOfWorkFactory, clock: Clock, store: BotStore
) -> tuple[CloudAdapter, PeerlearnBot]:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = PeerlearnBot(Services(uow_factory, clock, store), build_registry(), adapter, config.APP_ID)
    return adapter, bot


def setup_bot(
    app: web.Application, config: BotConfig, uow_factory: UnitOfWorkFactory, clock: Clock, store: BotStore
) -> None:
    if not config.authenticated:
        log.warning("MicrosoftAppId is empty: the bot accepts UNAUTHENTICATED requests (local testing only)")
    adapter, bot = build_bot(config, uow_factory, clock, store)
    app[ADAPTER], app[BOT] = adapter, bot

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot) or web.Response(status=201)

    app.router.add_post("/api/messages", messages)
