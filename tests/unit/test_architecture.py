"""The arrows of ARCHITECTURE.md, checked on the import statements: storage → core, lti → core, and core
free of frameworks and of the doors."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("aiohttp", "sqlalchemy", "pylti1p3", "botbuilder", "botframework", "msal", "alembic", "jinja2")
FORBIDDEN = {
    "matching": ("core", "lti", "bot", "storage", "peerlearn", "adaptive_cards", *FRAMEWORKS),
    "core": ("lti", "bot", "storage", "peerlearn", "adaptive_cards", *FRAMEWORKS),
    "lti": ("bot", "storage", "peerlearn", "adaptive_cards", "sqlalchemy"),
    "storage": ("lti", "bot", "peerlearn", "adaptive_cards", "aiohttp", "pylti1p3"),
    "bot": ("lti", "peerlearn", "storage", "sqlalchemy", "pylti1p3"),
    "adaptive_cards": ("lti", "bot", "storage", "peerlearn", "aiohttp", "sqlalchemy", "botbuilder"),
}


def imports(package: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_only_what_the_arrows_allow(package: str) -> None:
    wrong = [
        f"{where} imports {module}"
        for where, module in imports(package)
        if module.split(".")[0] in FORBIDDEN[package]
    ]
    assert wrong == []


def test_unit_tests_use_shared_support_code_not_other_kinds_of_tests() -> None:
    wrong = [
        f"{where} imports {module}"
        for where, module in imports("tests/unit")
        if module.startswith(("tests.integration", "tests.e2e"))
    ]
    assert wrong == []
