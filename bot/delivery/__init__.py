"""Proactive delivery to Teams: the outbox sender, the Bot Connector and Graph clients, Teams' rate limits.

Errors from the peers are drawn once, in `bot.delivery.retry`."""
