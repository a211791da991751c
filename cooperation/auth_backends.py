"""Model permissions with the role groups' permissions kept per process.

Django's ModelBackend reads a user's permissions afresh on every request: two queries,
one of them joining four tables into the few hundred permissions a staff member's role
holds. What a group holds changes about never, so this backend keeps each set of groups'
permissions in memory under the permissions' version (a row that a database trigger
moves on every change, migration cooperation 0007), and asks the database per user only
for the version, the user's groups and the user's own permissions, in one query that
also gives the roles (`cooperation.roles.roles_of`).

A change made anywhere (admin, migration, raw SQL, another process) moves the version,
so the next request everywhere reads the new permissions; a rolled-back change rolls the
version back with it, and versions are never reused.
"""

import threading
from dataclasses import dataclass

from django.contrib.auth.backends import ModelBackend
from django.db import connection

# The account's columns for the user whose id is `{user}` (a parameter, or a column of
# a query this is part of: token authentication reads token, user and account at once).
ACCOUNT_COLUMNS = """
       (SELECT version FROM cooperation_permission_version),
       ARRAY(SELECT user_group.group_id FROM auth_user_groups user_group
              WHERE user_group.user_id = {user} ORDER BY user_group.group_id),
       ARRAY(SELECT role.name FROM auth_user_groups user_group JOIN auth_group role ON role.id = user_group.group_id
              WHERE user_group.user_id = {user} ORDER BY user_group.group_id),
       ARRAY(SELECT content_type.app_label || '.' || permission.codename
               FROM auth_user_user_permissions own
               JOIN auth_permission permission ON permission.id = own.permission_id
               JOIN django_content_type content_type ON content_type.id = permission.content_type_id
              WHERE own.user_id = {user})
"""
ACCOUNT_SQL = "SELECT" + ACCOUNT_COLUMNS.format(user="%(user)s")

# (version, group ids) → the groups' permissions as "app_label.codename". Entries of an
# older version are dropped when a newer one is first seen.
_group_permissions: dict[tuple[int, tuple[int, ...]], frozenset[str]] = {}
_lock = threading.Lock()


def _permissions_of_groups(version: int, group_ids: tuple[int, ...]) -> frozenset[str]:
    key = (version, group_ids)
    cached = _group_permissions.get(key)
    if cached is not None:
        return cached
    from django.contrib.auth.models import Permission

    rows = Permission.objects.filter(group__id__in=group_ids).values_list("content_type__app_label", "codename")
    permissions = frozenset(f"{app_label}.{codename}" for app_label, codename in rows)
    with _lock:
        for stale in [known for known in _group_permissions if known[0] != version]:
            del _group_permissions[stale]
        _group_permissions[key] = permissions
    return permissions


@dataclass(frozen=True)
class Account:
    """What a user may do: the names of their groups and every permission they hold."""

    group_names: frozenset[str]
    permissions: frozenset[str]


def account_of(user) -> Account:
    """Read in one query, once per user object (as Django keeps `_perm_cache`)."""
    account = getattr(user, "_account", None)
    if account is None:
        with connection.cursor() as cursor:
            cursor.execute(ACCOUNT_SQL, {"user": user.pk})
            account = remember_account(user, cursor.fetchone())
    return account


def remember_account(user, row) -> Account:
    """Keep on the user the account read from `ACCOUNT_COLUMNS`' four values."""
    version, group_ids, group_names, own = row
    groups = _permissions_of_groups(version, tuple(group_ids)) if group_ids else frozenset()
    user._account = Account(frozenset(group_names), groups | frozenset(own))
    return user._account


class CachedGroupPermissionBackend(ModelBackend):
    """ModelBackend, with `get_all_permissions` from `account_of`."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        return account_of(user_obj).permissions
