"""Rules held by the database itself, with the friendly message of the model in front."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cooperation.languages import LANGUAGE_NAMES
from cooperation.tests.factories import OrganizationFactory
from dispatch.models import ChecklistItem, Deployment, ExpertLanguage

from .factories import DeploymentFactory, ExpertFactory, MissionFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def refused_by_database(**fields):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        DeploymentFactory(**fields)
    return str(refused.value)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"project": None}, "deployment_technical_cooperation_needs_project"),
        ({"kind": "secondment", "project": None}, "deployment_secondment_needs_host"),
        ({"kind": "disaster_relief", "project": None}, "deployment_mission_for_relief_and_police"),
        (
            # Returned: before departure the actual dates would break a rule of their own.
            {
                "status": "returned",
                "planned_end": date(2030, 3, 31),
                "actual_start": date(2030, 4, 1),
                "actual_end": date(2030, 4, 9),
            },
            "deployment_planned_end_not_before_start",
        ),
        ({"planned_end": date(2030, 3, 31)}, "deployment_effective_period_in_order"),
        (
            {"status": "returned", "actual_start": date(2030, 4, 10), "actual_end": date(2030, 4, 9)},
            "deployment_actual_end_not_before_start",
        ),
        ({"status": "preparing", "actual_start": date(2030, 4, 1)}, "deployment_no_actual_dates_before_departure"),
        ({"status": "nominated", "expert": None}, "deployment_expert_from_nomination"),
        ({"status": "deployed"}, "deployment_departure_recorded"),
        ({"status": "returned", "actual_start": date(2030, 4, 1)}, "deployment_return_recorded"),
        ({"travel_advisory_level": 5}, "deployment_travel_advisory_1_to_4"),
    ],
    ids=[
        "tc-needs-project",
        "secondment-needs-host",
        "relief-needs-mission",
        "planned-order",
        "effective-order",
        "actual-order",
        "no-actual-dates-before-departure",
        "expert-from-nomination",
        "departure-recorded",
        "return-recorded",
        "advisory-1-to-4",
    ],
)
def test_the_database_holds_each_rule(fields, constraint):
    assert constraint in refused_by_database(**fields)


def test_the_model_gives_field_messages_for_kind_rules():
    deployment = Deployment(
        kind="secondment", country="AT", planned_start=date(2030, 1, 1), planned_end=date(2030, 2, 1)
    )
    with pytest.raises(ValidationError) as refused:
        deployment.full_clean()
    assert refused.value.error_dict["host_organization"][0].code == "host_organization_required"
    deployment.host_organization = OrganizationFactory(kind="international_organization")
    deployment.full_clean()
    relief = Deployment(
        kind="technical_cooperation",
        project=ProjectFactory(),
        mission=MissionFactory(),
        country="NZ",
        planned_start=date(2030, 1, 1),
        planned_end=date(2030, 2, 1),
    )
    with pytest.raises(ValidationError) as refused:
        relief.full_clean()
    assert refused.value.error_dict["mission"][0].code == "mission"


@pytest.mark.parametrize(
    ("end", "term"),
    [(date(2031, 3, 30), "short"), (date(2031, 3, 31), "long"), (date(2032, 3, 31), "long")],
    ids=["364-days", "365-days", "two-years"],
)
def test_term_is_derived_from_the_planned_days(end, term):
    deployment = DeploymentFactory(planned_start=date(2030, 4, 1), planned_end=end)
    assert Deployment.objects.get(pk=deployment.pk).term == term
    Deployment.objects.filter(pk=deployment.pk).update(planned_end=date(2030, 4, 30))
    assert Deployment.objects.get(pk=deployment.pk).term == "short"


def test_language_codes_are_checked():
    expert = ExpertFactory()
    with pytest.raises(ValidationError) as refused:
        ExpertLanguage(expert=expert, language="xx", level=3).full_clean()
    # the admin offers the list as choices; the API answers "unknown_language"
    assert refused.value.error_dict["language"][0].code == "invalid_choice"
    assert {"en", "id", "zh", "tl", "vi", "ja"} <= set(LANGUAGE_NAMES)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertLanguage.objects.create(expert=expert, language="EN", level=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertLanguage.objects.create(expert=expert, language="en", level=0)
    ExpertLanguage.objects.create(expert=expert, language="en", level=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertLanguage.objects.create(expert=expert, language="en", level=4)


def test_a_checklist_item_appears_once_per_deployment():
    deployment = DeploymentFactory()
    ChecklistItem.objects.create(deployment=deployment, kind="visa")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistItem.objects.create(deployment=deployment, kind="visa")


def test_a_relief_mission_names_its_disaster():
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        MissionFactory(disaster=None)
    assert "mission_relief_needs_disaster" in str(refused.value)
    with pytest.raises(ValidationError) as invalid:
        MissionFactory.build(disaster=None, departure_on=date(2030, 1, 1)).full_clean()
    assert set(invalid.value.error_dict) >= {"disaster", "departure_on"}
