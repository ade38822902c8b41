"""Teams tabs served by the Teams door: the personal tab "My learning" and the facilitator dashboard.

`bot.tabs.routes` is the contract (single sign-on with a bearer token, shells and fragments, how a tab module
registers its routes); `bot.tabs.app.setup_tabs` wires it all into the aiohttp application."""
