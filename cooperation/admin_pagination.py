"""Changelist pages over tables of hundreds of thousands of rows, without counting them all.

The admin's paginator counts every row the list holds to number its pages: over a million
enrollments that is a scan of the table on every page view. `CappedCountPaginator` counts
exactly up to `CAP` rows (a count that stops there, whatever the table's size) and, for a
longer list, takes PostgreSQL's own estimate of its length from the query plan (for the
whole table, the row count its statistics hold). Page links beyond the estimate's reach
are the only thing lost: a page past the real end answers as an invalid page number, as
any out-of-range page does. Used with `show_full_result_count = False`, so the admin does
not count the unfiltered table beside the filtered list either.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# A hundred pages of a hundred rows: counted exactly in a few milliseconds.
CAP = 10_000


def planned_rows(queryset: QuerySet) -> int:
    """PostgreSQL's estimate of the number of rows `queryset` holds (EXPLAIN, nothing run)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    return int(plan[0]["Plan"]["Plan Rows"])


class CappedCountPaginator(Paginator):
    """Exact up to CAP rows; beyond, the planner's estimate (never less than CAP + 1)."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        counted = queryset.order_by()[: CAP + 1].count()
        if counted <= CAP:
            return counted
        return max(counted, planned_rows(queryset))
