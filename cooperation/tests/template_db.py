"""The migrated template the test databases are cloned from (CREATE DATABASE … TEMPLATE).

The template is migrated once and kept while the code and requirements it was migrated
from are unchanged (their digest is the database's comment). `conftest.django_db_setup`
brings it up to date under a lock before cloning it; a parallel run also starts this
module as a program, so the template is migrated while the workers collect the tests.
"""

from __future__ import annotations

import sys


def template_of(database: str) -> str:
    """The template's name for a database named in the settings (or DATABASE_URL)."""
    return f"test_{database}_template"


def names(connection) -> tuple[str, str]:
    """(the migrated template, this process's copy): test_NAME_template and test_NAME[_gwN]."""
    return template_of(connection.settings_dict["NAME"]), connection.creation._get_test_db_name()


def release(connection) -> None:
    """Close the connection and its process's pool (DATABASE_POOL): the pool was opened
    for one database name and keeps its connections there, which would both point the
    next query at the old database and stop `CREATE DATABASE … TEMPLATE` from copying it."""
    connection.close()
    connection.close_pool()


def use_database(connection, name: str) -> None:
    from django.conf import settings

    release(connection)
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def is_current(connection, template: str, fingerprint: str) -> bool:
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [template])
        row = cursor.fetchone()
    return row is not None and row[0] == fingerprint


def build(connection, template: str, fingerprint: str) -> None:
    """Migrate a fresh template database, then label it with the code it was migrated from."""
    original = connection.settings_dict["NAME"]
    test_settings = connection.settings_dict["TEST"]
    saved_test_name = test_settings.get("NAME")
    test_settings["NAME"] = template
    # create_test_db renames the database under a pool it does not close.
    release(connection)
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    finally:
        test_settings["NAME"] = saved_test_name
        use_database(connection, original)
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"COMMENT ON DATABASE \"{template}\" IS '{fingerprint}'")


def drop(connection, name: str) -> None:
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bring_up_to_date(connection, *, rebuild: bool = False) -> None:
    """Migrate the template again if the code changed (or `rebuild`); the caller holds its lock."""
    from cooperation import devstack

    template, _ = names(connection)
    fingerprint = devstack.source_fingerprint()
    if rebuild or not is_current(connection, template, fingerprint):
        build(connection, template, fingerprint)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")
    django.setup()
    from django.db import connection

    from cooperation import devstack

    with devstack.file_lock(names(connection)[0]):
        bring_up_to_date(connection, rebuild="--rebuild" in sys.argv[1:])
