from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cooperation import admin
from cooperation.api.authentication import token_of
from cooperation.models import ApiToken
from cooperation.roles import PARTNER_COORDINATOR, roles_of
from cooperation.services import api_token_issue, api_token_revoke, api_token_update
from cooperation.tests.service_doubles import recorded

pytestmark = pytest.mark.django_db


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_authenticates_and_its_use_is_recorded(coordinator_user):
    token, key = api_token_issue(user=coordinator_user, name="nightly sync")
    assert ApiToken.objects.get(pk=token.pk).digest != key  # only the digest is stored
    assert client_with(key).get("/api/v1/regions/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_key_reads_its_token_user_and_account_in_one_query(coordinator_user):
    token, key = api_token_issue(user=coordinator_user, name="one query")
    with CaptureQueriesContext(connection) as queries:
        loaded = token_of(key)
        assert loaded.user.has_perm("dispatch.view_deployment")
        assert roles_of(loaded.user) == {PARTNER_COORDINATOR}
    assert len(queries) == 1
    # The same records as the ORM loads, field for field.
    assert model_to_dict(loaded) == model_to_dict(ApiToken.objects.get(pk=token.pk))
    assert model_to_dict(loaded.user) == model_to_dict(type(coordinator_user).objects.get(pk=coordinator_user.pk))
    assert loaded.created_at == ApiToken.objects.get(pk=token.pk).created_at
    assert token_of(key + "x") is None


def test_bearer_keyword_is_accepted_too(coordinator_user):
    _, key = api_token_issue(user=coordinator_user, name="bearer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/regions/").status_code == 200


@pytest.mark.parametrize(
    "header, code",
    [("Token not-a-key", "invalid_token"), ("Token", "invalid_header"), ("Token a b", "invalid_header")],
)
def test_malformed_or_unknown_tokens_are_401(db, header, code):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/regions/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_is_401(coordinator_user, staff_user):
    token, key = api_token_issue(user=coordinator_user, name="to revoke")
    api_token_revoke(token=token, actor=staff_user)
    response = client_with(key).get("/api/v1/regions/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"
    assert token.history.latest().history_user == staff_user


def test_an_expired_token_is_401(coordinator_user):
    token, key = api_token_issue(user=coordinator_user, name="short", expires_at=timezone.now() + timedelta(hours=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_with(key).get("/api/v1/regions/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


def test_a_disabled_account_cannot_use_its_token(coordinator_user):
    _, key = api_token_issue(user=coordinator_user, name="disabled")
    coordinator_user.is_active = False
    coordinator_user.save()
    assert client_with(key).get("/api/v1/regions/").json()["error"]["code"] == "user_inactive"


def test_token_names_are_unique_per_user_and_expiry_must_be_future(coordinator_user):
    api_token_issue(user=coordinator_user, name="one")
    with pytest.raises(ValidationError) as duplicate:
        api_token_issue(user=coordinator_user, name="one")
    assert "already has a token" in str(duplicate.value)
    with pytest.raises(ValidationError) as past:
        api_token_issue(user=coordinator_user, name="two", expires_at=timezone.now() - timedelta(days=1))
    assert "expires_at" in past.value.message_dict
    assert ApiToken.objects.filter(user=coordinator_user).count() == 1


def test_staff_revoke_tokens_from_the_admin(client, staff_user, coordinator_user):
    token, key = api_token_issue(user=coordinator_user, name="admin revoke")
    client.force_login(staff_user)
    response = client.post(
        "/admin/cooperation/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["1 token revoked."]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_with(key).get("/api/v1/regions/").status_code == 401


def test_staff_issue_a_token_in_the_admin_and_see_the_key_once(client, staff_user, coordinator_user):
    client.force_login(staff_user)
    expires = (timezone.localtime() + timedelta(days=30)).replace(microsecond=0)
    response = client.post(
        "/admin/cooperation/apitoken/add/",
        {
            "user": coordinator_user.pk,
            "name": "from admin",
            "expires_at_0": expires.strftime("%Y-%m-%d"),
            "expires_at_1": expires.strftime("%H:%M:%S"),
        },
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="from admin")
    shown = [str(m) for m in response.context["messages"]]
    key = next(word for message in shown for word in message.split() if word.startswith(ApiToken.PREFIX))
    assert ApiToken.digest_of(key) == token.digest
    assert client_with(key).get("/api/v1/regions/").status_code == 200


def test_staff_change_a_tokens_expiry_through_the_service(client, staff_user, coordinator_user, monkeypatch):
    token, _key = api_token_issue(user=coordinator_user, name="admin change")
    called = []
    monkeypatch.setattr(admin, "api_token_update", recorded(api_token_update, called))
    client.force_login(staff_user)
    expires = (timezone.localtime() + timedelta(days=10)).replace(microsecond=0)
    response = client.post(
        f"/admin/cooperation/apitoken/{token.pk}/change/",
        {"expires_at_0": expires.strftime("%Y-%m-%d"), "expires_at_1": expires.strftime("%H:%M:%S")},
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert called == ["api_token_update"]
    token.refresh_from_db()
    assert (token.expires_at, token.history.latest().history_user) == (expires, staff_user)


def test_issue_api_token_command(coordinator_user, capsys):
    call_command("issue_api_token", coordinator_user.username, "cli", "--days", "7")
    key = capsys.readouterr().out.split()[0]
    token = ApiToken.objects.get(name="cli")
    assert token.digest == ApiToken.digest_of(key)
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)


def test_token_clients_are_throttled(coordinator_user, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    cache.clear()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "token_client": "3/minute"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        _, key = api_token_issue(user=coordinator_user, name="throttled")
        client = client_with(key)
        statuses = [client.get("/api/v1/regions/").status_code for _ in range(4)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
        cache.clear()
    assert statuses == [200, 200, 200, 429]


def test_concurrent_requests_of_one_client_cannot_pass_the_limit_together(coordinator_user):
    """Sixteen requests at once against a limit of five: exactly five go through, and the
    refused ones are told how long to wait."""
    import threading

    from django.core.cache import cache
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from cooperation.api.throttling import TokenClientThrottle

    token, _ = api_token_issue(user=coordinator_user, name="concurrent")
    request = Request(APIRequestFactory().get("/api/v1/regions/"))
    request.user, request.auth = coordinator_user, token
    start, answers = threading.Barrier(16), []

    class FivePerMinute(TokenClientThrottle):
        rate = "5/minute"

    def call():
        throttle = FivePerMinute()
        start.wait()
        answers.append((throttle.allow_request(request, None), throttle))

    cache.clear()
    try:
        threads = [threading.Thread(target=call) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        cache.clear()
    assert sum(allowed for allowed, _ in answers) == 5
    waits = [throttle.wait() for allowed, throttle in answers if not allowed]
    assert len(waits) == 11 and all(0 < wait <= 60 for wait in waits)
