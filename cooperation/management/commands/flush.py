"""Django's `flush`, truncating only the tables that hold rows.

Django truncates every table in one statement, and PostgreSQL gives each table and index
new files even when it is empty: over a second for this schema. After a test that
committed its data (the teardown of every such test) only the tables it wrote and those
`post_migrate` fills hold rows. Truncating those, with the tables that reference them,
leaves the same database: every table empty, then `post_migrate` as before. A flush that
resets sequences still truncates every table, since an empty table's sequence may have
moved.
"""

from contextlib import suppress
from importlib import import_module

from django.apps import apps
from django.core.management import sql
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.core.management.commands import flush
from django.db import connections


def tables_with_rows(connection) -> list[str]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    if not tables:
        return []
    quote = connection.ops.quote_name
    probes = " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(probes, tables)
        return [table for (table,) in cursor.fetchall()]


def flush_statements(style, connection, reset_sequences: bool, allow_cascade: bool) -> list[str]:
    with_rows = [] if reset_sequences else tables_with_rows(connection)
    if not with_rows:  # sequences to reset, or a database already empty: Django's statement
        return sql.sql_flush(style, connection, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    return connection.ops.sql_flush(style, with_rows, reset_sequences=False, allow_cascade=True)


class Command(flush.Command):
    def handle(self, **options):
        database = options["database"]
        connection = connections[database]
        name = connection.settings_dict["NAME"]
        # Options Django's own callers pass (its test cases among them), as its flush reads them.
        inhibit_post_migrate = options.get("inhibit_post_migrate", False)
        # Apps may connect their post_migrate handlers in their `management` package.
        for app_config in apps.get_app_configs():
            with suppress(ImportError):
                import_module(".management", app_config.name)
        statements = flush_statements(
            no_style(),
            connection,
            reset_sequences=options.get("reset_sequences", True),
            allow_cascade=options.get("allow_cascade", False),
        )
        if options["interactive"]:
            answer = input(
                f"Every row of every table in the database \"{name}\" will be deleted, for good. Type 'yes' to go on: "
            )
            if answer != "yes":
                self.stdout.write("Flush cancelled.")
                return
        try:
            connection.ops.execute_sql_flush(statements)
        except Exception as error:
            raise CommandError(f"The database {name} could not be flushed: {error}") from error
        if statements and not inhibit_post_migrate:
            # As after `migrate`: content types, permissions and the roles' permissions again.
            sql.emit_post_migrate_signal(options["verbosity"], options["interactive"], database)
