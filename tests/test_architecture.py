"""Dependencies point down: accounts <- contacts <- outreach <- crm, in the code and in the migrations.

A lower app never imports a higher one (not even inside a function), and no migration
depends on a higher app's migration, so both graphs are acyclic by construction.
"""

import ast
from pathlib import Path

import pytest
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("accounts", "contacts", "outreach", "crm")


def _imported_apps(app: str) -> dict[str, set[str]]:
    """{other app: {files that import it}} for every Python file of `app`, tests excluded."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / app).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in LAYERS and top != app:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_beneath_it(app):
    allowed = set(LAYERS[: LAYERS.index(app)])
    upward = {other: sorted(files) for other, files in _imported_apps(app).items() if other not in allowed}
    assert upward == {}, f"{app} imports apps above it: {upward}"


def test_the_layers_are_used_as_declared():
    # The parser must see real imports, or the test above proves nothing.
    assert set(_imported_apps("crm")) == {"accounts", "contacts", "outreach"}
    assert set(_imported_apps("outreach")) == {"accounts", "contacts"}
    assert set(_imported_apps("contacts")) == {"accounts"}


@pytest.mark.django_db
def test_migrations_depend_only_on_apps_beneath_them():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    upward = []
    for app, name in graph.nodes:
        if app not in LAYERS:
            continue
        allowed = set(LAYERS[: LAYERS.index(app) + 1])
        for parent in graph.node_map[(app, name)].parents:
            parent_app, parent_name = parent.key
            if parent_app in LAYERS and parent_app not in allowed:
                upward.append(f"{app}.{name} -> {parent_app}.{parent_name}")
    assert upward == []
    graph.ensure_not_cyclic()
    # crm's initial migration really does sit on outreach's: the check above saw edges.
    assert ("outreach", "0001_initial") in {p.key for p in graph.node_map[("crm", "0001_initial")].parents}
