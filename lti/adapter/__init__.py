"""An aiohttp adapter for pylti1p3, shaped like its Flask adapter: request, cookie, redirect, session,
launch data storage, tool configuration, OIDC login and message launch, each small."""
