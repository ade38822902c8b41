"""`${{NAME}}` placeholders in appPackage/manifest.json, as the Microsoft 365 Agents Toolkit writes them.

Values come from an env file (e.g. env/.env.dev, then its ignored env/.env.dev.user companion, as the
toolkit layers them) and from the process environment, which wins. Every placeholder the manifest uses
must have a value; the ones peerlearn knows are also checked for their format, and every problem is
reported at once, each naming the placeholder and the value it has.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias
from urllib.parse import urlsplit

from dotenv import dotenv_values

PLACEHOLDER = re.compile(r"\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_SEMVER = re.compile(r"^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)$")
_NAME_SUFFIX = re.compile(r"^[A-Za-z0-9 ._()-]{0,21}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AppPackageError(Exception):
    """Something the person building the package can fix; `problems` holds one message each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class PlaceholderError(AppPackageError):
    """One or more placeholders are missing or malformed."""


def guid(value: str) -> str | None:
    if _GUID.match(value):
        return None
    return "Not a GUID: expected 8-4-4-4-12 hex digits, e.g. 00000000-0000-0000-0000-000000000000."


def host_name(value: str) -> str | None:
    if "://" in value:
        return "Not a host name: drop the scheme, e.g. 'peerlearn.example.com' rather than 'https://…'."
    if any(char in value for char in "/:?#@ "):
        return "Not a host name: no path, port, query or spaces, e.g. 'peerlearn.example.com'."
    labels = value.split(".")
    if len(value) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        return "Not a host name: letters, digits and hyphens in dot-separated labels, e.g. 'peerlearn.example.com'."
    return None


def https_url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme.lower() != "https" or not parts.netloc or host_name(parts.hostname or "") is not None:
        return (
            "Not an https URL: Teams needs an absolute https:// address, e.g. 'https://example.com/privacy'."
        )
    if len(value) > 2048 or any(char.isspace() for char in value):
        return "Not an https URL: no spaces, at most 2048 characters."
    return None


def semantic_version(value: str) -> str | None:
    if _SEMVER.match(value):
        return None
    return "Not a version: Teams wants MAJOR.MINOR.PATCH, e.g. 1.0.0 (raise it for every upload)."


def developer_name(value: str) -> str | None:
    if len(value) > 32 or _CONTROL.search(value) or not value.strip():
        return "Not a developer name: 1 to 32 printable characters (the manifest's limit)."
    return None


def name_suffix(value: str) -> str | None:
    if _NAME_SUFFIX.match(value):
        return None
    return "Not a name suffix: at most 21 letters, digits, spaces or ._()- so the short name stays within 30."


@dataclass(frozen=True)
class Placeholder:
    name: str
    check: Callable[[str], str | None]
    description: str
    required: bool = True


KNOWN: Mapping[str, Placeholder] = {
    spec.name: spec
    for spec in (
        Placeholder("TEAMS_APP_ID", guid, "the Teams app's id (the toolkit's teamsApp/create writes it)"),
        Placeholder("BOT_ID", guid, "the Azure Bot's Microsoft App ID, i.e. MicrosoftAppId"),
        Placeholder("BOT_DOMAIN", host_name, "the public host name that serves /api/messages"),
        Placeholder("APP_VERSION", semantic_version, "the app package version"),
        Placeholder("DEVELOPER_NAME", developer_name, "who publishes the app in your organization"),
        Placeholder("DEVELOPER_WEBSITE_URL", https_url, "the support or product page"),
        Placeholder("DEVELOPER_PRIVACY_URL", https_url, "the privacy statement"),
        Placeholder("DEVELOPER_TERMS_URL", https_url, "the terms of use"),
        Placeholder("APP_NAME_SUFFIX", name_suffix, "appended to the short name, e.g. -dev", required=False),
    )
}


def load_values(env_file: Path | None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The env file, then its `.user` companion if there is one, then the environment (which wins).

    An empty value in the environment does not override the file: CI systems export empty variables.
    """
    values: dict[str, str] = {}
    if env_file is not None:
        for path in (env_file, env_file.with_name(env_file.name + ".user")):
            if path.is_file():
                values.update({key: value for key, value in dotenv_values(path).items() if value is not None})
    environment = os.environ if environ is None else environ
    values.update({key: value for key, value in environment.items() if value != ""})
    return values


def placeholders_in(document: JSONValue) -> list[str]:
    """Every placeholder name used in the document's strings, in order of first use."""
    found: dict[str, None] = {}
    for text in _strings(document):
        found.update((match.group(1), None) for match in PLACEHOLDER.finditer(text))
    return list(found)


def check_values(names: Iterable[str], values: Mapping[str, str], source: str) -> dict[str, str]:
    """The value of each name, or PlaceholderError listing every missing or malformed one."""
    problems: list[str] = []
    resolved: dict[str, str] = {}
    for name in names:
        spec = KNOWN.get(name)
        value = values.get(name)
        if value is None and spec is not None and not spec.required:
            value = ""
        if value is None or (value == "" and (spec is None or spec.required)):
            what = f" ({spec.description})" if spec else ""
            problems.append(f"{name} is missing{what}: set it in {source} or in the environment.")
            continue
        problem = spec.check(value) if spec else None
        if problem is not None:
            problems.append(f"{name} has value '{value}'. {problem}")
            continue
        resolved[name] = value
    if problems:
        raise PlaceholderError(problems)
    return resolved


def fill(document: JSONValue, values: Mapping[str, str]) -> JSONValue:
    """A copy of the document with each placeholder in its strings replaced by its value.

    Filling the parsed document rather than the file's text keeps a value with quotes or backslashes
    from breaking the JSON.
    """
    if isinstance(document, str):
        return PLACEHOLDER.sub(lambda match: values[match.group(1)], document)
    if isinstance(document, list):
        return [fill(item, values) for item in document]
    if isinstance(document, dict):
        return {key: fill(item, values) for key, item in document.items()}
    return document


def _strings(document: JSONValue) -> Iterable[str]:
    if isinstance(document, str):
        yield document
    elif isinstance(document, list):
        for item in document:
            yield from _strings(item)
    elif isinstance(document, dict):
        for item in document.values():
            yield from _strings(item)
