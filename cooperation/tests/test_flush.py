"""`flush` empties every table by truncating those that hold rows, then re-creates what
`post_migrate` creates, the roles' permissions once.

Slow (about a second): the flush commits, as after every test with committed data.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.management.commands.flush import tables_with_rows
from cooperation.roles import NPA_STAFF, ROLES
from cooperation.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_flush_truncates_the_tables_with_rows_and_leaves_every_table_as_post_migrate_makes_it():
    OrganizationFactory()
    written = set(tables_with_rows(connection))
    assert "cooperation_organization" in written
    with CaptureQueriesContext(connection) as queries:
        call_command("flush", interactive=False, reset_sequences=False, verbosity=0)
    truncates = [query["sql"] for query in queries if query["sql"].startswith("TRUNCATE")]
    assert len(truncates) == 1
    truncated = {name.strip('"') for name in truncates[0].removeprefix("TRUNCATE ").split(" CASCADE")[0].split(", ")}
    assert truncated == written, "only the tables that held rows are named (their references follow by CASCADE)"
    assert set(tables_with_rows(connection)) == {
        "django_content_type",
        "auth_permission",
        "auth_group",
        "auth_group_permissions",
    }, "every other table is empty, as after Django's own flush"
    # post_migrate came once per app; the roles were synchronized once, at the last.
    role_reads = [query for query in queries if 'FROM "auth_group" WHERE "auth_group"."name"' in query["sql"]]
    assert len(role_reads) == len(ROLES)
    assert Group.objects.get(name=NPA_STAFF).permissions.exists()
