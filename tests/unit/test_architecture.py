"""The arrows of ARCHITECTURE.md, checked on the import statements: storage → core, lti → core, and core
free of frameworks and of the doors."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.ports import UnitOfWork

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


# The repositories a unit of work carries: the properties of the port, so a new one is covered when added.
REPOSITORIES = frozenset(name for name, value in vars(UnitOfWork).items() if isinstance(value, property))
UOW_FACTORIES = ("uow_factory", "uows")


def _opens_a_unit_of_work(node: ast.expr | None) -> bool:
    """`services.uow_factory()`, `self.deps.uows()`, `uows()`: a call that makes a unit of work."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in UOW_FACTORIES


def _is_unit_of_work_annotation(node: ast.expr | None) -> bool:
    return node is not None and "UnitOfWork" in ast.unparse(node) and "Factory" not in ast.unparse(node)


def repository_reads(path: Path, root: Path = ROOT) -> list[str]:
    """Where a module reaches a repository of a unit of work itself: `<uow>.<repository>` with <uow> a name
    bound to a unit of work (made by a factory call, `async with … as`, or a parameter typed or named so),
    or a factory call itself (`uow_factory().persons`). A `programs.` module or a `.pairings` field of a
    result is not a unit of work, so it is not flagged."""
    tree = ast.parse(path.read_text(), str(path))
    bound: set[str] = {"uow"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _opens_a_unit_of_work(node.value):
            bound |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if _opens_a_unit_of_work(node.value) or _is_unit_of_work_annotation(node.annotation):
                bound.add(node.target.id)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                opened = _opens_a_unit_of_work(item.context_expr) or (
                    isinstance(item.context_expr, ast.Name) and item.context_expr.id in bound
                )
                if opened and isinstance(item.optional_vars, ast.Name):
                    bound.add(item.optional_vars.id)
        elif isinstance(node, ast.arg) and _is_unit_of_work_annotation(node.annotation):
            bound.add(node.arg)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in REPOSITORIES):
            continue
        owner = node.value
        if (isinstance(owner, ast.Name) and owner.id in bound) or _opens_a_unit_of_work(owner):
            found.append(f"{path.relative_to(root)}:{node.lineno} {ast.unparse(node)}")
    return found


def test_the_teams_door_reads_and_writes_only_through_core_never_a_repository() -> None:
    """bot/ renders what core's views return and changes state through core's services (ARCHITECTURE.md:
    "Doors never touch repositories")."""
    wrong = [where for path in sorted((ROOT / "bot").rglob("*.py")) for where in repository_reads(path)]
    assert wrong == []


def test_the_lms_door_reads_and_writes_only_through_core_never_a_repository() -> None:
    """lti/ likewise: its pages render core's views (`core.views.course_pages`), its actions run core's
    services."""
    wrong = [where for path in sorted((ROOT / "lti").rglob("*.py")) for where in repository_reads(path)]
    assert wrong == []


def test_the_repository_scan_sees_each_way_a_unit_of_work_is_reached(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "async def f(services, ctx, uows, store: UnitOfWork, programs, result):\n"
        "    uow = services.uow_factory()\n"
        "    async with uow:\n"
        "        await uow.persons.get('o', 'p')\n"
        "    async with ctx.services.uow_factory() as opened:\n"
        "        await opened.pairings.get('o', 'p')\n"
        "    await uows().programs.get('o', 'p')\n"
        "    await store.rounds.recent('o', 'p', 1)\n"
        "    await programs.setup_program(None)\n"  # the core.services module, not a repository
        "    return result.pairings, services.store.profiles\n"  # fields of other things
    )
    found = sorted(line.split(" ", 1)[1] for line in repository_reads(sample, tmp_path))
    assert found == ["opened.pairings", "store.rounds", "uow.persons", "uows().programs"]
