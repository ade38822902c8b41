"""`peerlearn package` and `peerlearn admin-consent-url`: the Teams app package IT installs for everyone.

`package` fills appPackage/manifest.json's `${{NAME}}` placeholders (see manifest_placeholders),
validates the result against Microsoft's JSON schema for its manifestVersion (shipped as package data),
checks both icons, and writes build/appPackage.<env>.zip with manifest.json, color.png and outline.png
at its root.

Errors a person can fix are all `AppPackageError`, each carrying one message per problem:

    AppPackageError
    ├── PlaceholderError     a placeholder is missing or malformed (manifest_placeholders)
    ├── ManifestSchemaError  the filled manifest breaks Microsoft's schema or a Teams limit
    └── IconError            an icon has the wrong size, colours or transparency

The commands print those to stderr and exit 1, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jsonschema import Draft4Validator

from peerlearn.app_icons import COLOR_ICON, OUTLINE_ICON, icon_problems
from peerlearn.manifest_placeholders import (
    AppPackageError,
    JSONValue,
    check_values,
    fill,
    guid,
    https_url,
    load_values,
    placeholders_in,
)

# Microsoft documents up to 10 commands per command list (the 1.30 schema itself allows 12).
MAX_COMMANDS_PER_LIST = 10
_ENV_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
# Patterns in Microsoft's schemas written for JavaScript, with their Python equivalents.
_JS_ONLY_PATTERNS = {r"^[\p{L}][\p{L}0-9._]*$": r"^[^\W\d_](?:[^\W\d_]|[0-9._])*$"}
# A fixed timestamp makes the same inputs give the same zip, byte for byte.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class ManifestSchemaError(AppPackageError):
    """The filled manifest does not validate."""


class IconError(AppPackageError):
    """An icon does not meet Teams' requirements."""


def load_schema(manifest_version: str) -> dict[str, Any]:
    """Microsoft's schema for that manifest version, from package data, with its patterns made Python's."""
    name = f"MicrosoftTeams.schema.{manifest_version}.json"
    data = resources.files("peerlearn.teams_manifest_schema").joinpath(name)
    if not data.is_file():
        raise ManifestSchemaError(
            [f"manifestVersion '{manifest_version}' has no bundled schema: bundled are {bundled_versions()}."]
        )
    schema: dict[str, Any] = _python_patterns(json.loads(data.read_text(encoding="utf-8")))
    return schema


def bundled_versions() -> list[str]:
    names = (entry.name for entry in resources.files("peerlearn.teams_manifest_schema").iterdir())
    return sorted(
        name[len("MicrosoftTeams.schema.") : -len(".json")] for name in names if name.endswith(".json")
    )


def _python_patterns(schema: Any) -> Any:
    """The schema with each JavaScript-only `pattern` replaced by its Python equivalent."""
    if isinstance(schema, dict):
        return {
            key: _JS_ONLY_PATTERNS.get(value, value)
            if key == "pattern" and isinstance(value, str)
            else _python_patterns(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_python_patterns(item) for item in schema]
    return schema


def schema_problems(manifest: JSONValue) -> list[str]:
    """Every way the manifest breaks Microsoft's schema for its version or a documented Teams limit."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("manifestVersion"), str):
        return ["manifest.json has no manifestVersion string at its top level."]
    schema = load_schema(str(manifest["manifestVersion"]))
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    problems = [
        f"manifest.json at {'/'.join(map(str, error.absolute_path)) or 'top level'}: {error.message}"
        for error in sorted(validator.iter_errors(manifest), key=lambda error: list(map(str, error.path)))
    ]
    bots = manifest.get("bots")
    for b, bot in enumerate(bots if isinstance(bots, list) else []):
        lists = bot.get("commandLists", []) if isinstance(bot, dict) else []
        for c, command_list in enumerate(lists if isinstance(lists, list) else []):
            commands = command_list.get("commands", []) if isinstance(command_list, dict) else []
            if isinstance(commands, list) and len(commands) > MAX_COMMANDS_PER_LIST:
                problems.append(
                    f"manifest.json at bots/{b}/commandLists/{c}: {len(commands)} commands, "
                    f"Teams shows at most {MAX_COMMANDS_PER_LIST} per list."
                )
    return problems


def env_name(env_file: Path, values: dict[str, str]) -> str:
    """`dev` for env/.env.dev, as the toolkit names environments; else TEAMSFX_ENV."""
    if env_file.name.endswith(".user"):
        raise AppPackageError(
            [f"Pass the env file itself, not '{env_file}': its .user companion is read with it."]
        )
    name = (
        env_file.name[len(".env.") :] if env_file.name.startswith(".env.") else values.get("TEAMSFX_ENV", "")
    )
    if not _ENV_NAME.match(name):
        raise AppPackageError(
            [
                f"Cannot tell the environment's name from '{env_file}' (expected env/.env.<name>) or TEAMSFX_ENV='{name}'."
            ]
        )
    return name


def build_package(
    app_dir: Path, env_file: Path, output_dir: Path, environ: dict[str, str] | None = None
) -> Path:
    """Fill, validate and zip the package; the zip's path, or AppPackageError with every problem."""
    if not env_file.is_file():
        raise AppPackageError([f"Env file '{env_file}' does not exist (e.g. env/.env.dev)."])
    try:
        template: JSONValue = json.loads((app_dir / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AppPackageError(
            [f"'{app_dir / 'manifest.json'}' does not exist: run from the project root."]
        ) from None
    except json.JSONDecodeError as error:
        raise AppPackageError([f"'{app_dir / 'manifest.json'}' is not valid JSON: {error}."]) from None
    values = load_values(env_file, environ)
    name = env_name(env_file, values)
    manifest = fill(template, check_values(placeholders_in(template), values, str(env_file)))
    problems = schema_problems(manifest)
    if problems:
        raise ManifestSchemaError(problems)
    problems = icon_problems(app_dir)
    if problems:
        raise IconError(problems)
    return _write_zip(
        output_dir / f"appPackage.{name}.zip",
        {
            "manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
            COLOR_ICON: (app_dir / COLOR_ICON).read_bytes(),
            OUTLINE_ICON: (app_dir / OUTLINE_ICON).read_bytes(),
        },
    )


def _write_zip(target: Path, members: dict[str, bytes]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed, so a failed build never leaves half a package behind.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def admin_consent_url(client_id: str, tenant: str = "organizations", redirect_uri: str | None = None) -> str:
    """Entra's admin-consent page, where an administrator grants the app's Graph permissions once."""
    query = {"client_id": client_id} | ({"redirect_uri": redirect_uri} if redirect_uri else {})
    return f"https://login.microsoftonline.com/{tenant}/adminconsent?{urlencode(query)}"


def consent_target(values: dict[str, str]) -> tuple[str, str]:
    """The app to consent for and its tenant, from the Graph settings or else the bot's."""
    client_id = values.get("GRAPH_CLIENT_ID") or values.get("MicrosoftAppId") or ""
    tenant = values.get("GRAPH_TENANT_ID") or values.get("MicrosoftAppTenantId") or ""
    problems: list[str] = []
    if not client_id:
        problems.append(
            "MicrosoftAppId is missing: set it (or GRAPH_CLIENT_ID) in the env file or the environment."
        )
    elif (problem := guid(client_id)) is not None:
        problems.append(f"The app id has value '{client_id}'. {problem}")
    app_type = values.get("MicrosoftAppType", "")
    if not tenant and app_type.lower() in ("singletenant", "userassignedmsi"):
        problems.append(
            f"MicrosoftAppTenantId is missing, and MicrosoftAppType is '{app_type}', which needs it."
        )
    if tenant and guid(tenant) is not None and not re.match(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", tenant):
        problems.append(f"MicrosoftAppTenantId has value '{tenant}'. Not a tenant id (GUID) or domain.")
    if problems:
        raise AppPackageError(problems)
    return client_id, tenant or "organizations"


def _package(args: argparse.Namespace) -> int:
    try:
        path = build_package(Path(args.app_package_dir), Path(args.env), Path(args.output_dir))
    except AppPackageError as error:
        _print_problems("Cannot build the Teams app package:", error.problems)
        return 1
    print(path)
    return 0


def _admin_consent_url(args: argparse.Namespace) -> int:
    values = load_values(Path(getattr(args, "env_file", ".env")))
    values |= {
        key: value
        for key, value in (("GRAPH_CLIENT_ID", args.client_id), ("GRAPH_TENANT_ID", args.tenant))
        if value
    }
    try:
        client_id, tenant = consent_target(values)
        if args.redirect_uri and (problem := https_url(args.redirect_uri)) is not None:
            raise AppPackageError([f"--redirect-uri has value '{args.redirect_uri}'. {problem}"])
    except AppPackageError as error:
        _print_problems("Cannot make the admin-consent URL:", error.problems)
        return 1
    print(admin_consent_url(client_id, tenant, args.redirect_uri))
    return 0


def _print_problems(heading: str, problems: list[str]) -> None:
    print(heading, file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    package = subparsers.add_parser(
        "package",
        help="build the Teams app package (build/appPackage.<env>.zip)",
        description="Fill appPackage/manifest.json from an env file and the environment (which wins), "
        "validate it against Microsoft's schema, and zip it with both icons.",
    )
    package.add_argument("--env", default="env/.env.dev", help="env file (default: %(default)s)")
    package.add_argument("--app-package-dir", default="appPackage", help="default: %(default)s")
    package.add_argument("--output-dir", default="build", help="default: %(default)s")
    package.set_defaults(handler=_package)

    consent = subparsers.add_parser(
        "admin-consent-url",
        help="print the Entra admin-consent URL for the app's Graph permissions",
        description="Reads GRAPH_CLIENT_ID or MicrosoftAppId, and GRAPH_TENANT_ID or MicrosoftAppTenantId, "
        "from the environment and the env file.",
    )
    # SUPPRESS keeps a top-level `peerlearn --env-file X admin-consent-url` from being reset to the default.
    consent.add_argument(
        "--env-file", default=argparse.SUPPRESS, help="settings file (default: .env, optional)"
    )
    consent.add_argument("--client-id", help="the Entra app (client) id; overrides the settings")
    consent.add_argument("--tenant", help="tenant id or domain; default: the settings', else 'organizations'")
    consent.add_argument(
        "--redirect-uri", help="an https reply URL registered on the app, to land on after consent"
    )
    consent.set_defaults(handler=_admin_consent_url)
