"""Role permissions are cached per process, and every change reaches the next request."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cooperation.roles import PARTNER_COORDINATOR, roles_of

VIEW_DEPLOYMENT = "dispatch.view_deployment"


def fresh(user):
    """The user as the next request loads it: no permissions remembered on the object."""
    return get_user_model().objects.get(pk=user.pk)


def view_deployment():
    return Permission.objects.get(content_type__app_label="dispatch", codename="view_deployment")


def coordinators():
    return Group.objects.get(name=PARTNER_COORDINATOR)


def test_a_request_reads_its_permissions_and_roles_in_one_query_once_cached(coordinator_user):
    fresh(coordinator_user).has_perm(VIEW_DEPLOYMENT)  # fills the process cache
    user = fresh(coordinator_user)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm(VIEW_DEPLOYMENT)
        assert not user.has_perm("dispatch.delete_deployment")
        assert roles_of(user) == {PARTNER_COORDINATOR}
    assert len(queries) == 1


def test_revoking_a_permission_from_a_role_reaches_the_next_request(coordinator_user):
    assert fresh(coordinator_user).has_perm(VIEW_DEPLOYMENT)
    coordinators().permissions.remove(view_deployment())
    assert not fresh(coordinator_user).has_perm(VIEW_DEPLOYMENT)
    coordinators().permissions.add(view_deployment())
    assert fresh(coordinator_user).has_perm(VIEW_DEPLOYMENT)


def test_a_change_in_raw_sql_is_seen_too(coordinator_user):
    assert fresh(coordinator_user).has_perm(VIEW_DEPLOYMENT)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM auth_group_permissions WHERE group_id = %s AND permission_id = %s",
            [coordinators().pk, view_deployment().pk],
        )
    assert not fresh(coordinator_user).has_perm(VIEW_DEPLOYMENT)


def test_a_rolled_back_change_leaves_no_trace_in_the_cache(coordinator_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        coordinators().permissions.remove(view_deployment())
        assert not fresh(coordinator_user).has_perm(VIEW_DEPLOYMENT)  # cached under the new version
        raise RuntimeError("roll back")
    assert fresh(coordinator_user).has_perm(VIEW_DEPLOYMENT)
    # A later change gets a version never used before, so the rolled-back set never returns.
    coordinators().permissions.remove(Permission.objects.get(codename="view_organization"))
    user = fresh(coordinator_user)
    assert user.has_perm(VIEW_DEPLOYMENT) and not user.has_perm("cooperation.view_organization")


def test_joining_and_leaving_a_role_and_own_permissions_count_at_once(coordinator_user, roleless_user):
    assert not fresh(roleless_user).has_perm(VIEW_DEPLOYMENT)
    roleless_user.groups.add(coordinators())
    assert fresh(roleless_user).has_perm(VIEW_DEPLOYMENT)
    roleless_user.groups.clear()
    roleless_user.user_permissions.add(view_deployment())
    user = fresh(roleless_user)
    assert user.has_perm(VIEW_DEPLOYMENT) and not user.has_perm("cooperation.view_organization")


def test_a_deactivated_user_has_no_permissions(coordinator_user):
    coordinator_user.is_active = False
    coordinator_user.save(update_fields=["is_active"])
    assert not fresh(coordinator_user).has_perm(VIEW_DEPLOYMENT)
