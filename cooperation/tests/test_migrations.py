"""Migrations are history: they agree with the models and run the SQL written in them."""

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

PROJECT_APPS = ("cooperation", "programs", "dispatch", "trainees", "reports")


def migration_files():
    for label in PROJECT_APPS:
        yield from sorted((Path(apps.get_app_config(label).path) / "migrations").glob("0*.py"))


def test_the_models_need_no_new_migration(db):
    out = StringIO()
    call_command("makemigrations", *PROJECT_APPS, check=True, dry_run=True, stdout=out)
    assert "No changes detected" in out.getvalue()


def _sql_arguments(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "RunSQL":
            yield from node.args
            yield from (keyword.value for keyword in node.keywords)


def _frozen(node: ast.expr, own_names: set[str]) -> bool:
    """A string written in the file: a literal, a name assigned in the file, or a sum of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return node.id in own_names
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _frozen(node.left, own_names) and _frozen(node.right, own_names)
    return False


@pytest.mark.parametrize("path", list(migration_files()), ids=lambda path: f"{path.parent.parent.name}/{path.stem}")
def test_a_migration_runs_the_sql_written_in_it(path):
    """SQL imported from live code would change what an old migration does whenever that
    code is edited; a migration carries its own copy."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own_names = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    imported = [node for node in _sql_arguments(tree) if not _frozen(node, own_names)]
    assert not imported, f"{path.name}: RunSQL reads {[ast.unparse(node) for node in imported]} from elsewhere"


def test_a_database_that_applied_a_renamed_migration_has_nothing_to_apply(db):
    """`dispatch 0003` was renamed after what it adds; a database that recorded its old
    name is up to date."""
    executor = MigrationExecutor(connection)
    recorded = executor.recorder.applied_migrations()
    assert ("dispatch", "0003_bench_indexes") in recorded
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
