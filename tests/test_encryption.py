"""Passport numbers and medical notes are ciphertext in the database, plaintext to staff."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import Client

from cooperation import crypto
from dispatch.models import Expert
from dispatch.tests.factories import ExpertFactory
from trainees.models import Trainee
from trainees.tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[1]
PASSPORT = "TZ7654321"
MEDICAL = "asthma; inhaler 4417"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


def raw_history(table: str, column: str, pk: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def expert():
    return ExpertFactory(passport_number=PASSPORT, medical_notes=MEDICAL)


@pytest.fixture
def trainee():
    return TraineeFactory(passport_number="XB 765-4321")


def test_the_columns_hold_no_plaintext_in_tables_or_history(expert, trainee):
    stored = [
        raw("dispatch_expert", "passport_number", expert.pk),
        raw("dispatch_expert", "medical_notes", expert.pk),
        raw("trainees_trainee", "passport_number", trainee.pk),
        *raw_history("dispatch_historicalexpert", "passport_number", expert.pk),
        *raw_history("dispatch_historicalexpert", "medical_notes", expert.pk),
        *raw_history("trainees_historicaltrainee", "passport_number", trainee.pk),
    ]
    assert len(stored) == 6
    for value in stored:
        assert value.startswith(crypto.TOKEN_PREFIX)
        assert "7654321" not in value and "4417" not in value
    fresh = Expert.objects.get(pk=expert.pk)
    assert (fresh.passport_number, fresh.medical_notes) == (PASSPORT, MEDICAL)
    assert Trainee.objects.get(pk=trainee.pk).passport_number == "XB 765-4321"


def test_equal_values_encrypt_differently(expert):
    other = ExpertFactory(passport_number=PASSPORT)
    assert raw("dispatch_expert", "passport_number", expert.pk) != raw("dispatch_expert", "passport_number", other.pk)


def test_empty_values_stay_empty():
    expert = ExpertFactory(passport_number="", medical_notes="")
    assert raw("dispatch_expert", "passport_number", expert.pk) == ""
    assert raw("dispatch_expert", "passport_number_digest", expert.pk) is None


def test_comparing_ciphertext_is_refused_with_a_pointer_to_the_digest(expert):
    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(Expert.objects.filter(passport_number=PASSPORT))
    assert list(Expert.objects.filter(crypto.matches("passport_number", "tz-765 4321"))) == [expert]


def test_bulk_inserts_get_a_digest_too():
    built = TraineeFactory.build(passport_number="AB1234567", organization=None)
    [created] = Trainee.objects.bulk_create([built])
    assert raw("trainees_trainee", "passport_number_digest", created.pk) == crypto.digest("ab 1234567")
    assert raw("trainees_trainee", "passport_number", created.pk).startswith(crypto.TOKEN_PREFIX)


@pytest.mark.parametrize("model, factory", [(Expert, ExpertFactory), (Trainee, TraineeFactory)])
def test_a_queryset_update_keeps_the_digest_in_step(model, factory):
    record = factory(passport_number=PASSPORT)
    model.objects.filter(pk=record.pk).update(passport_number="NEW-123 45")
    assert list(model.objects.filter(crypto.matches("passport_number", "new12345"))) == [record]
    assert not model.objects.filter(crypto.matches("passport_number", PASSPORT)).exists()
    model.objects.filter(pk=record.pk).update(passport_number="")
    assert model.objects.values_list("passport_number_digest", flat=True).get(pk=record.pk) is None


@pytest.mark.parametrize("model, factory", [(Expert, ExpertFactory), (Trainee, TraineeFactory)])
def test_a_bulk_update_keeps_the_digests_in_step(model, factory):
    first, second = factory(passport_number="AA1111111"), factory(passport_number="BB2222222")
    first.passport_number, second.passport_number = "CC3333333", "DD4444444"
    model.all_objects.bulk_update([first, second], ["passport_number"])
    assert list(model.objects.filter(crypto.matches("passport_number", "CC3333333"))) == [first]
    assert list(model.objects.filter(crypto.matches("passport_number", "DD4444444"))) == [second]
    assert not model.objects.filter(crypto.matches("passport_number", "AA1111111")).exists()


def test_updates_that_cannot_keep_the_digest_are_refused(expert):
    from django.db.models import F
    from django.db.models.functions import Lower

    for change in ({"passport_number": Lower(F("family_name"))}, {"passport_number_digest": "0" * 64}):
        with pytest.raises(crypto.StaleDigestError):
            Expert.objects.filter(pk=expert.pk).update(**change)
    expert.passport_number_digest = "0" * 64
    with pytest.raises(crypto.StaleDigestError):
        Expert.objects.bulk_update([expert], ["passport_number_digest"])
    assert list(Expert.objects.filter(crypto.matches("passport_number", PASSPORT))) == [expert]


def test_staff_find_a_person_by_passport_in_the_admin(expert, trainee, staff_user):
    client = Client()
    client.force_login(staff_user)
    experts = client.get("/admin/dispatch/expert/", {"q": "tz7654321"}).content.decode()
    trainees = client.get("/admin/trainees/trainee/", {"q": "XB7654321"}).content.decode()
    nobody = client.get("/admin/trainees/trainee/", {"q": "XB765432"}).content.decode()
    assert expert.personnel_number in experts
    assert trainee.family_name.upper() in trainees
    assert trainee.family_name.upper() not in nobody


def test_medical_notes_reach_staff_and_nobody_else(expert, staff_api, manager_api):
    staff_view = staff_api.get(f"/api/v1/experts/{expert.pk}/").json()
    manager_view = manager_api.get(f"/api/v1/experts/{expert.pk}/")
    assert staff_view["medical_notes"] == MEDICAL
    assert manager_view.status_code == 200
    assert "medical_notes" not in manager_view.json()
    assert "4417" not in manager_view.content.decode()


def test_a_wrong_key_gives_a_clear_error_not_garbage(expert, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError, match="cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS"):
        Expert.objects.get(pk=expert.pk)


def test_a_malformed_key_is_named(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(crypto.ImproperlyConfigured, match="key number 1 is not a Fernet key"):
        crypto.encrypt("X")


def test_rotation_moves_every_value_to_the_new_key(expert, trainee, settings):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    before = raw("dispatch_expert", "passport_number", expert.pk)
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys", "--batch-size", "1", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    fresh = Expert.objects.get(pk=expert.pk)
    assert (fresh.passport_number, fresh.medical_notes) == (PASSPORT, MEDICAL)
    assert Trainee.objects.get(pk=trainee.pk).passport_number == "XB 765-4321"
    assert [h.passport_number for h in expert.history.all()] == [PASSPORT]
    assert raw("dispatch_expert", "passport_number", expert.pk) != before
    assert Fernet(new_key).decrypt(raw("dispatch_expert", "passport_number", expert.pk).encode()) == PASSPORT.encode()
    assert list(Expert.objects.filter(crypto.matches("passport_number", PASSPORT))) == [expert]


def test_rotation_without_the_old_key_refuses_and_changes_nothing(expert, settings):
    before = raw("dispatch_expert", "passport_number", expert.pk)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    assert raw("dispatch_expert", "passport_number", expert.pk) == before


def test_existing_plaintext_is_encrypted_by_the_migration_step_and_back(expert):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE dispatch_expert SET passport_number = %s, medical_notes = %s, passport_number_digest = NULL "
            "WHERE id = %s",
            [PASSPORT, MEDICAL, expert.pk],
        )
    crypto.rewrite_model(connection, Expert, crypto.encrypting)
    assert raw("dispatch_expert", "passport_number", expert.pk).startswith(crypto.TOKEN_PREFIX)
    assert raw("dispatch_expert", "passport_number_digest", expert.pk) == crypto.digest(PASSPORT)
    assert Expert.objects.get(pk=expert.pk).medical_notes == MEDICAL
    crypto.rewrite_model(connection, Expert, crypto.decrypting)
    assert raw("dispatch_expert", "passport_number", expert.pk) == PASSPORT


def manage(*args, **env):
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "FIELD_"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3y-" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "DJANGO_ALLOWED_HOSTS": "police.example.org",
}


def test_production_refuses_to_start_without_an_encryption_key():
    result = manage("check", **PRODUCTION, FIELD_DIGEST_KEY="d" * 40)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


def test_production_refuses_to_start_without_a_digest_key():
    result = manage("check", **PRODUCTION, FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode())
    assert result.returncode != 0
    assert "FIELD_DIGEST_KEY must be set" in result.stderr


# Slow: starts Django in a fresh process with production settings.
def test_production_starts_with_both_keys():
    keys = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    result = manage("check", **PRODUCTION, FIELD_ENCRYPTION_KEYS=keys, FIELD_DIGEST_KEY="d" * 40)
    assert result.returncode == 0, result.stderr
