"""Authentication hardening: password hashing and rules, lockout, two-factor, sessions, headers."""

import importlib
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cooperation.roles import MANAGER, NPA_STAFF
from cooperation.services import user_create

from .factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_SETTINGS = importlib.import_module("cooperation.settings")
SITE_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
HOME_ADDRESS = "198.51.100.7"
OTHER_ADDRESS = "203.0.113.9"


def log_in(client, user_or_name, password=TEST_PASSWORD, address=HOME_ADDRESS, url=SITE_LOGIN, **extra):
    username = getattr(user_or_name, "username", user_or_name)
    return client.post(url, {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Passwords -------------------------------------------------------------------------


def test_production_stores_new_passwords_with_argon2(npa):
    assert PRODUCTION_SETTINGS.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=PRODUCTION_SETTINGS.PASSWORD_HASHERS):
        user = user_create(username="new-officer", password="a-fresh-long-passphrase", role=NPA_STAFF, organization=npa)
        stored = get_user_model().objects.get(pk=user.pk).password
        assert stored.startswith("argon2$argon2id$")
        assert "a-fresh-long-passphrase" not in stored
        assert get_user_model().objects.get(pk=user.pk).check_password("a-fresh-long-passphrase")


def test_an_older_hash_is_upgraded_to_argon2_at_login(client, staff_user):
    assert not staff_user.password.startswith("argon2$")  # the tests' fast hasher
    with override_settings(
        PASSWORD_HASHERS=[*PRODUCTION_SETTINGS.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        response = log_in(client, staff_user)
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.password.startswith("argon2$")


@pytest.mark.parametrize(
    "password, reason",
    [
        ("short-pw1", "too short"),
        ("password1234", "too common"),
        ("482019573820", "entirely numeric"),
        ("staff-user-staff", "too similar"),
    ],
)
def test_weak_passwords_are_refused(staff_user, password, reason):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=staff_user)
    assert reason in " ".join(refused.value.messages)


def test_the_admin_refuses_a_weak_password(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "weak", "password1": "12345678", "password2": "12345678", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not get_user_model().objects.filter(username="weak").exists()


# --- Lockout ---------------------------------------------------------------------------


def fail_until_locked(client, user, address=HOME_ADDRESS, url=SITE_LOGIN):
    from django.conf import settings

    return [log_in(client, user, "wrong-password", address, url) for _ in range(settings.AXES_FAILURE_LIMIT)]


def test_failures_below_the_limit_only_show_the_form_error(client, coordinator_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, coordinator_user, "wrong-password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    assert log_in(client, coordinator_user).status_code == 302
    assert logged_in(client)


def test_the_limit_locks_that_user_from_that_address(client, coordinator_user, settings):
    assert 3 <= settings.AXES_FAILURE_LIMIT <= 10
    assert timedelta(minutes=15) <= settings.AXES_COOLOFF_TIME
    responses = fail_until_locked(client, coordinator_user)
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429

    refused = log_in(client, coordinator_user)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "account is locked" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Try again in {minutes} minutes" in page
    assert not logged_in(client)


def test_the_admin_login_is_locked_too(client, staff_user):
    fail_until_locked(client, staff_user, url=ADMIN_LOGIN)
    refused = log_in(client, staff_user, url=ADMIN_LOGIN)
    assert refused.status_code == 429
    assert not logged_in(client)
    # The lock is on the user and the address, not on the page used.
    assert log_in(client, staff_user, url=SITE_LOGIN).status_code == 429


def test_another_user_from_the_same_address_is_not_locked(client, coordinator_user, manager_user):
    fail_until_locked(client, coordinator_user)
    assert log_in(client, manager_user).status_code == 302
    assert logged_in(client)


def test_the_same_user_from_another_address_is_not_locked(client, coordinator_user):
    fail_until_locked(client, coordinator_user)
    assert log_in(client, coordinator_user, address=OTHER_ADDRESS).status_code == 302
    assert logged_in(client)


def test_the_cool_off_ends_the_lock(client, coordinator_user, settings):
    fail_until_locked(client, coordinator_user)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert log_in(client, coordinator_user).status_code == 302


def test_staff_unlock_a_colleague_in_the_admin(client, coordinator_user, staff_user):
    fail_until_locked(client, coordinator_user)
    attempt = AccessAttempt.objects.get(username=coordinator_user.username)

    admin = type(client)()
    admin.force_login(staff_user)
    listed = admin.get("/admin/axes/accessattempt/")
    assert listed.status_code == 200
    assert coordinator_user.username in listed.content.decode()
    deleted = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert log_in(client, coordinator_user).status_code == 302
    assert logged_in(client)


def test_the_reset_command_unlocks(client, coordinator_user):
    from django.core.management import call_command

    fail_until_locked(client, coordinator_user)
    call_command("axes_reset_username", coordinator_user.username)
    assert log_in(client, coordinator_user).status_code == 302


def test_a_successful_login_clears_earlier_failures(client, coordinator_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, coordinator_user, "wrong-password")
    assert log_in(client, coordinator_user).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, coordinator_user, "wrong-password").status_code == 200
    assert log_in(client, coordinator_user).status_code == 302


def spray(client, address=HOME_ADDRESS, **extra) -> list[int]:
    """One wrong password for each of many usernames, as a password-spraying tool would."""
    from django.conf import settings

    return [
        client.post(
            SITE_LOGIN, {"username": f"officer-{n}", "password": "Spring2026!"}, REMOTE_ADDR=address, **extra
        ).status_code
        for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT)
    ]


def test_one_address_failing_across_many_usernames_is_locked(client, coordinator_user, settings):
    assert settings.AXES_FAILURE_LIMIT < settings.AXES_ADDRESS_FAILURE_LIMIT <= 100
    statuses = spray(client)
    assert statuses[:-1] == [200] * (settings.AXES_ADDRESS_FAILURE_LIMIT - 1)
    assert statuses[-1] == 429
    # Every account is now refused from that address, even with the right password …
    refused = log_in(client, coordinator_user)
    assert refused.status_code == 429
    assert not logged_in(client)
    # … and still reachable from elsewhere.
    assert log_in(client, coordinator_user, address=OTHER_ADDRESS).status_code == 302


def test_the_address_lock_ends_with_the_cool_off(client, coordinator_user, settings):
    spray(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert log_in(client, coordinator_user).status_code == 302


def log_in_forwarded(client, user, password, remote: str, forwarded: str):
    data = {"username": user.username, "password": password}
    return client.post(SITE_LOGIN, data, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)


def test_a_forged_forwarded_for_header_is_ignored_without_trusted_proxies(client, coordinator_user, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in_forwarded(client, coordinator_user, "wrong-password", HOME_ADDRESS, f"192.0.2.{n}")
    # Each try claimed another address; the lock is on the one the connection came from.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME_ADDRESS}
    assert log_in_forwarded(client, coordinator_user, TEST_PASSWORD, HOME_ADDRESS, "192.0.2.99").status_code == 429


def test_behind_trusted_proxies_the_client_address_is_the_one_they_recorded(client, coordinator_user, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    proxy = "10.0.0.2"
    # The client forged the first entry; our outer proxy appended the real address, the
    # inner proxy its own.
    forwarded = f"192.0.2.66, {OTHER_ADDRESS}, 10.0.0.1"
    responses = [
        log_in_forwarded(client, coordinator_user, "wrong-password", proxy, forwarded)
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert responses[-1].status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OTHER_ADDRESS}
    # Another client behind the same proxies is not locked out with it.
    other_client = f"{HOME_ADDRESS}, 10.0.0.1"
    assert log_in_forwarded(client, coordinator_user, TEST_PASSWORD, proxy, other_client).status_code == 302


def test_a_short_forwarded_chain_falls_back_to_the_connection_address(settings, rf):
    from cooperation.network import client_address

    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.66")) == "10.0.0.2"
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk, 10.0.0.1")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.66")) == "10.0.0.2"


def test_the_browsable_api_login_is_the_site_login():
    from django.test import Client

    response = Client().get("/api-auth/login/?next=/api/v1/")
    assert response.status_code == 302
    assert response["Location"] == f"{SITE_LOGIN}?next=/api/v1/"


# --- Two-factor ------------------------------------------------------------------------


@pytest.fixture
def authenticator(staff_user):
    return TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)


def code_of(device, offset_steps=0) -> str:
    """The code the authenticator app shows now (or `offset_steps` periods away)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def a_wrong_code(device) -> str:
    accepted = {code_of(device, offset) for offset in range(-device.tolerance - 1, device.tolerance + 2)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def test_a_staff_member_with_an_authenticator_needs_its_code(client, staff_user, authenticator):
    response = log_in(client, staff_user, url=ADMIN_LOGIN)
    assert response.status_code == 200
    assert "six-digit code" in response.content.decode()
    assert not logged_in(client)


def test_a_wrong_code_is_refused(client, staff_user, authenticator):
    response = log_in(client, staff_user, url=ADMIN_LOGIN, otp_token=a_wrong_code(authenticator))
    assert response.status_code == 200
    assert "authentication code is not valid" in response.content.decode()
    assert not logged_in(client)


def test_the_current_code_lets_them_in(client, staff_user, authenticator):
    response = log_in(client, staff_user, url=ADMIN_LOGIN, otp_token=code_of(authenticator), next="/admin/")
    assert response.status_code == 302
    assert logged_in(client)
    assert client.get("/admin/").status_code == 200


def test_the_site_login_asks_for_the_code_too(client, staff_user, authenticator):
    assert log_in(client, staff_user).status_code == 200
    assert not logged_in(client)
    assert log_in(client, staff_user, otp_token=code_of(authenticator)).status_code == 302
    assert logged_in(client)


def test_a_code_is_accepted_only_once(client, staff_user, authenticator):
    code = code_of(authenticator)
    assert log_in(client, staff_user, url=ADMIN_LOGIN, otp_token=code).status_code == 302
    client.logout()
    assert log_in(client, staff_user, url=ADMIN_LOGIN, otp_token=code).status_code == 200
    assert not logged_in(client)


def test_wrong_codes_count_towards_the_lockout(client, staff_user, authenticator, settings):
    wrong = a_wrong_code(authenticator)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, staff_user, url=ADMIN_LOGIN, otp_token=wrong)
    response = log_in(client, staff_user, url=ADMIN_LOGIN, otp_token=code_of(authenticator))
    assert response.status_code == 429
    assert not logged_in(client)


def test_an_unverified_session_cannot_enter_the_admin(client, staff_user, authenticator):
    client.force_login(staff_user)  # a session opened without the code
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)


def test_users_without_an_authenticator_log_in_with_the_password(client, staff_user):
    response = log_in(client, staff_user, url=ADMIN_LOGIN, next="/admin/")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_unconfirmed_authenticator_is_not_asked_for(client, staff_user):
    TOTPDevice.objects.create(user=staff_user, name="not set up yet", confirmed=False)
    assert log_in(client, staff_user, url=ADMIN_LOGIN).status_code == 302


def test_the_setting_makes_two_factor_mandatory_for_staff(client, staff_user, manager_user, settings):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = True
    refused = log_in(client, staff_user, url=ADMIN_LOGIN)
    assert refused.status_code == 200
    assert "Staff accounts need two-factor authentication" in refused.content.decode()
    assert not logged_in(client)
    # Managers and partners are not staff: the password is enough for them.
    assert log_in(client, manager_user).status_code == 302


def test_mandatory_two_factor_lets_staff_in_with_a_code(client, staff_user, authenticator, settings):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = True
    response = log_in(client, staff_user, url=ADMIN_LOGIN, otp_token=code_of(authenticator))
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_register_their_own_authenticator_and_see_its_qr_code(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/admin/otp_totp/totpdevice/add/",
        {
            "name": "my phone",
            "key": "3132333435363738393031323334353637383930",
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device = TOTPDevice.objects.get(name="my phone")
    assert device.user == staff_user
    assert not device.confirmed
    assert device.config_url.startswith("otpauth://totp/")
    config = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/")
    assert config.status_code == 200
    assert device.config_url.replace("&", "&amp;") in config.content.decode()
    qr = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/")
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"

    # Once confirmed, the session opened with the password alone must log in again with a code.
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    assert client.get("/admin/").status_code == 302
    client.logout()
    assert log_in(client, staff_user, url=ADMIN_LOGIN, otp_token=code_of(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_cannot_read_a_colleagues_authenticator(client, staff_user, npa):
    colleague = UserFactory(role=NPA_STAFF, username="colleague", organization=npa)
    device = TOTPDevice.objects.create(user=colleague, name="colleague phone", confirmed=True)
    client.force_login(staff_user)
    assert "colleague phone" not in client.get("/admin/otp_totp/totpdevice/").content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403


def test_managers_cannot_manage_authenticators_or_lockouts(client, manager_user):
    client.force_login(manager_user)
    assert client.get("/admin/otp_totp/totpdevice/").status_code in (302, 403)
    assert client.get("/admin/axes/accessattempt/").status_code in (302, 403)


# --- Sessions --------------------------------------------------------------------------


def test_the_session_cookie_dies_with_the_browser_and_is_http_only(client, manager_user, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    response = log_in(client, manager_user)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_activity_keeps_the_session_alive_and_idleness_ends_it(client, manager_user, settings):
    log_in(client, manager_user)
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))

    assert client.get("/dashboard/").status_code == 200
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert SITE_LOGIN in response["Location"] or ADMIN_LOGIN in response["Location"]


# --- Headers and the Content Security Policy ------------------------------------------

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def policy_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1] if " " in part.strip() else ""
        for part in header.split(";")
        if part.strip()
    }


def assert_protected(response):
    policy = policy_of(response)
    for directive, value in REQUIRED_DIRECTIVES.items():
        assert policy[directive] == value, directive
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
        assert re.search(r"'nonce-[A-Za-z0-9+/=_-]+'", policy[directive]) or policy[directive] == "'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "url, user_fixture, content_type",
    [
        (SITE_LOGIN, None, "text/html"),
        (ADMIN_LOGIN, None, "text/html"),
        ("/public/", None, "text/html"),
        ("/dashboard/", "manager_user", "text/html"),
        ("/admin/", "staff_user", "text/html"),
        ("/api/docs/", "staff_user", "text/html"),
        ("/api/docs/?script=", "staff_user", "application/javascript"),
        ("/api/v1/organizations/", "staff_user", "application/json"),
        ("/api/v1/organizations/?page_size=oops", "staff_user", "application/json"),
        ("/api/v1/no-such-resource/", "staff_user", "application/json"),
        ("/api/v1/organizations/", None, "application/json"),
        ("/healthz", None, "application/json"),
        ("/no-such-page/", None, "text/html"),
    ],
)
def test_every_response_carries_the_policy(client, request, url, user_fixture, content_type):
    if user_fixture:
        client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(url, HTTP_ACCEPT="application/json" if "json" in content_type else "text/html")
    assert response["Content-Type"].startswith(content_type), (response.status_code, response["Content-Type"])
    assert_protected(response)


def test_the_lockout_page_carries_the_policy(client, coordinator_user):
    responses = fail_until_locked(client, coordinator_user)
    assert responses[-1].status_code == 429
    assert_protected(responses[-1])


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline script"),
    (re.compile(r"<style\b", re.I), "inline style element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_our_templates_carry_no_inline_code():
    templates = [
        path
        for folder in ("templates", "cooperation", "programs", "dispatch", "trainees")
        for path in (BASE_DIR / folder).rglob("*.html")
    ]
    assert len(templates) >= 10
    found = [
        f"{path.relative_to(BASE_DIR)}: {name}"
        for path in templates
        for pattern, name in INLINE_CODE
        if pattern.search(path.read_text())
    ]
    assert found == []


# --- Production settings ---------------------------------------------------------------


# Slow: runs `manage.py check --deploy` in a fresh process.
@pytest.mark.slow
def test_production_settings_pass_check_deploy_without_warnings():
    from cryptography.fernet import Fernet

    environment = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    environment.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.urandom(48).hex(),
        DJANGO_ALLOWED_HOSTS="cooperation.npa.example.jp",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        FIELD_DIGEST_KEY=os.urandom(32).hex(),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_strict():
    environment = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    environment.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=os.urandom(48).hex(), DJANGO_ALLOWED_HOSTS="x.example")
    script = (
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cooperation.settings');"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000,"
        " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SESSION_SAVE_EVERY_REQUEST)"
    )
    from cryptography.fernet import Fernet

    environment.update(FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(), FIELD_DIGEST_KEY=os.urandom(32).hex())
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 7


def test_roles_keep_to_their_tools():
    from django.contrib.auth.models import Group

    staff = set(Group.objects.get(name=NPA_STAFF).permissions.values_list("content_type__app_label", flat=True))
    managers = set(Group.objects.get(name=MANAGER).permissions.values_list("content_type__app_label", flat=True))
    assert {"axes", "otp_totp"} <= staff
    assert not {"axes", "otp_totp"} & managers
