"""Microsoft's Teams app manifest JSON schemas, as package data.

Copied verbatim from the npm package `@microsoft/app-manifest` 1.1.2 (MIT licence),
`build/json-schemas/teams/v<version>/MicrosoftTeams.schema.json`, and named by version.
"""
