"""Experts and trainees keep their gender in one list (cooperation.choices.Gender); the
roster's former "unspecified" is carried to the list's "undisclosed" by a migration."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from cooperation.choices import Gender
from dispatch.models import Expert
from dispatch.tests.factories import ExpertFactory
from trainees.models import Trainee

pytestmark = pytest.mark.django_db

migration = importlib.import_module("dispatch.migrations.0004_expert_gender_undisclosed")


def test_experts_and_trainees_take_their_gender_from_the_one_list():
    for model in (Expert, Trainee):
        assert model._meta.get_field("gender").choices == Gender.choices
    assert Expert._meta.get_field("gender").default == Gender.UNDISCLOSED


def test_the_migration_carries_the_old_value_to_the_one_list_and_back():
    old, female = ExpertFactory(), ExpertFactory(gender=Gender.FEMALE)
    long_ago = timezone.now() - timedelta(days=30)
    Expert.objects.filter(pk=old.pk).update(gender="unspecified", updated_at=long_ago)
    old.history.all().update(gender="unspecified")

    migration.forward(apps, None)
    old.refresh_from_db()
    assert old.gender == Gender.UNDISCLOSED
    assert set(old.history.values_list("gender", flat=True)) == {Gender.UNDISCLOSED}
    # Partners syncing with `updated_since` see the changed value.
    assert old.updated_at > long_ago
    assert Expert.objects.get(pk=female.pk).gender == Gender.FEMALE

    migration.backward(apps, None)
    assert Expert.objects.get(pk=old.pk).gender == "unspecified"
    assert set(old.history.values_list("gender", flat=True)) == {"unspecified"}
    assert Expert.objects.get(pk=female.pk).gender == Gender.FEMALE
