"""Staff open, reset and close partner accounts in the admin, and nothing more: staff and
superuser accounts, groups beyond the partner roles and permissions stay with a superuser
(else a staff member could make the second reviewer of their own work)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cooperation.models import ApiToken
from cooperation.roles import MANAGER, NPA_STAFF, PARTNER_COORDINATOR
from cooperation.services import api_token_issue, user_create, user_password_reset

from .factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
ADD = "/admin/auth/user/add/"
LIST = "/admin/auth/user/"


def _change(user) -> str:
    return f"/admin/auth/user/{user.pk}/change/"


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _snapshot(user) -> tuple:
    user = User.objects.get(pk=user.pk)
    return (
        user.username,
        user.is_staff,
        user.is_superuser,
        user.is_active,
        user.password,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def colleague(npa):
    return UserFactory(role=NPA_STAFF, username="colleague", organization=npa)


def _change_data(user, **overrides) -> dict:
    """The fields of the staff's change form, as the browser posts them."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": user.profile.pk,
        "profile-0-user": user.pk,
        "profile-0-organization": user.profile.organization_id or "",
        "profile-0-language": "",
    }
    data.update(overrides)
    return data


def test_staff_open_a_coordinator_account_whose_holder_sets_the_password_once(staff_client, partner_org, client):
    response = staff_client.post(
        ADD,
        {
            "username": "new-coordinator",
            "email": "c@example.org",
            "role": PARTNER_COORDINATOR,
            "organization": partner_org.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    account = User.objects.get(username="new-coordinator")
    assert (account.is_staff, account.is_superuser, account.has_usable_password()) == (False, False, False)
    assert list(account.groups.values_list("name", flat=True)) == [PARTNER_COORDINATOR]
    assert account.profile.organization == partner_org
    (link,) = re.findall(r"https?://\S+/accounts/reset/\S+/", " ".join(_messages(response)))
    path = link.split("testserver", 1)[1]

    holder = Client()
    set_password = holder.get(path, follow=True)
    form_path = set_password.redirect_chain[-1][0]
    new_password = "a-long-fresh-passphrase-42"
    holder.post(form_path, {"new_password1": new_password, "new_password2": new_password})
    account.refresh_from_db()
    assert account.check_password(new_password)
    # The link served once.
    assert not Client().get(path, follow=True).context["validlink"]


def test_staff_may_not_open_a_staff_account(staff_client, npa):
    response = staff_client.post(ADD, {"username": "second-reviewer", "role": NPA_STAFF, "organization": npa.pk})
    assert response.status_code == 200  # the form again, with the error
    assert "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="second-reviewer").exists()


def test_the_service_refuses_staff_opening_a_staff_account(staff_user, npa):
    with pytest.raises(ValidationError) as refused:
        user_create(username="second-reviewer", password=None, role=NPA_STAFF, organization=npa, actor=staff_user)
    assert refused.value.error_dict["role"][0].code == "staff_by_superuser"
    assert not User.objects.filter(username="second-reviewer").exists()


def test_staff_cannot_elevate_a_partner_account(staff_client, coordinator_user):
    before = _snapshot(coordinator_user)
    staff_group = Group.objects.get(name=NPA_STAFF)
    any_permission = Permission.objects.get(codename="change_user")
    # Asking for the staff group is refused outright.
    response = staff_client.post(
        _change(coordinator_user),
        _change_data(coordinator_user, groups=[staff_group.pk], is_staff="on", is_superuser="on"),
    )
    assert response.status_code == 200
    assert "groups" in response.context["adminform"].form.errors
    assert _snapshot(coordinator_user) == before
    # Flags and permissions the form does not offer are ignored.
    response = staff_client.post(
        _change(coordinator_user),
        _change_data(coordinator_user, is_staff="on", is_superuser="on", user_permissions=[any_permission.pk]),
    )
    assert response.status_code == 302
    assert _snapshot(coordinator_user) == before


def test_staff_move_a_partner_between_partner_roles(staff_client, coordinator_user):
    manager_group = Group.objects.get(name=MANAGER)
    response = staff_client.post(_change(coordinator_user), _change_data(coordinator_user, groups=[manager_group.pk]))
    assert response.status_code == 302
    assert list(coordinator_user.groups.values_list("name", flat=True)) == [MANAGER]


def test_staff_see_and_touch_partner_accounts_only(staff_client, staff_user, colleague, coordinator_user, manager_user):
    listed = {row.username for row in staff_client.get(LIST).context["cl"].result_list}
    assert listed == {coordinator_user.username, manager_user.username}
    before = _snapshot(colleague)
    assert staff_client.get(_change(colleague)).status_code == 302  # as if there were no such account
    assert staff_client.post(_change(colleague), _change_data(colleague, is_active="")).status_code in (302, 403)
    assert staff_client.get(f"/admin/auth/user/{colleague.pk}/password/").status_code == 404
    assert (
        staff_client.post(LIST, {"action": "deactivate", "_selected_action": [colleague.pk, staff_user.pk]}).status_code
        == 302
    )
    assert _snapshot(colleague) == before
    assert User.objects.get(pk=staff_user.pk).is_active
    with pytest.raises(PermissionDenied):
        user_password_reset(user=colleague, actor=User.objects.get(pk=staff_user.pk))
    # Closing an account is deactivating it; nobody but a superuser deletes one.
    assert staff_client.get(f"/admin/auth/user/{coordinator_user.pk}/delete/").status_code == 403


def test_the_change_form_offers_staff_no_rights_beyond_the_partner_roles(staff_client, coordinator_user):
    form = staff_client.get(_change(coordinator_user)).context["adminform"].form
    assert {"is_staff", "is_superuser", "user_permissions"}.isdisjoint(form.fields)
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == {PARTNER_COORDINATOR, MANAGER}


def test_a_superuser_keeps_the_full_form(client, colleague):
    superuser = User.objects.create_superuser("root", "root@example.org", TEST_PASSWORD)
    client.force_login(superuser)
    form = client.get(_change(colleague)).context["adminform"].form
    assert {"is_staff", "is_superuser", "groups", "user_permissions"} <= set(form.fields)


def test_a_password_reset_retires_the_old_password_and_shows_a_link(staff_client, coordinator_user):
    response = staff_client.post(
        LIST, {"action": "issue_password_links", "_selected_action": [coordinator_user.pk]}, follow=True
    )
    (message,) = _messages(response)
    assert "/accounts/reset/" in message and coordinator_user.username in message
    coordinator_user.refresh_from_db()
    assert not coordinator_user.check_password(TEST_PASSWORD)


def test_a_deactivated_account_loses_its_token(staff_client, coordinator_user):
    _, key = api_token_issue(user=coordinator_user, name="integration")
    response = staff_client.post(LIST, {"action": "deactivate", "_selected_action": [coordinator_user.pk]}, follow=True)
    assert _messages(response) == ["1 account deactivated."]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/regions/").status_code == 401


def test_the_token_user_picker_lists_the_accounts_staff_manage(staff_client, staff_user, coordinator_user, colleague):
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "cooperation", "model_name": "apitoken", "field_name": "user", "term": ""},
    )
    assert response.status_code == 200
    assert {row["text"] for row in response.json()["results"]} == {coordinator_user.username}
    # A crafted choice of an account outside the picker is refused.
    response = staff_client.post(
        "/admin/cooperation/apitoken/add/", {"user": colleague.pk, "name": "colleague's", "expires_at_0": ""}
    )
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.filter(user=colleague).exists()


def test_a_token_is_issued_from_the_users_page(staff_client, coordinator_user):
    page = staff_client.get(_change(coordinator_user)).content.decode()
    add = reverse("admin:cooperation_apitoken_add")
    assert f'href="{add}?user={coordinator_user.pk}"' in page
    form = staff_client.get(add, {"user": coordinator_user.pk}).context["adminform"].form
    assert str(form["user"].value()) == str(coordinator_user.pk)


def test_moving_a_partner_to_another_organization_goes_through_the_profile_service(
    staff_client, staff_user, coordinator_user, other_org, monkeypatch
):
    from cooperation import admin as cooperation_admin
    from cooperation.services import user_profile_update

    from .service_doubles import recorded

    called: list[str] = []
    monkeypatch.setattr(cooperation_admin.UserProfileInline, "update_service", recorded(user_profile_update, called))
    response = staff_client.post(
        _change(coordinator_user), _change_data(coordinator_user, **{"profile-0-organization": other_org.pk})
    )
    assert response.status_code == 302
    assert called == ["user_profile_update"]
    profile = User.objects.get(pk=coordinator_user.pk).profile
    assert profile.organization == other_org
    assert profile.history.latest().history_user == staff_user
