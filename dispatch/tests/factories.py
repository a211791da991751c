from datetime import date, timedelta

import factory
from django.utils import timezone

from cooperation.tests.factories import OrganizationFactory
from dispatch.choices import (
    CumulativeFigure,
    DeploymentKind,
    DisasterKind,
    EmergencyContactKind,
    MissionKind,
    RequestingParty,
    TeamType,
)
from dispatch.models import (
    Deployment,
    DisasterEvent,
    EmergencyContact,
    Expert,
    ExpertLanguage,
    FigureCheckpoint,
    Mission,
    OpeningBalance,
)
from programs.models import Program, ProgramPartner
from programs.tests import factories as programs_factories


class ProgramFactory(programs_factories.ProgramFactory):
    # Deployment tests reach back to the 2000s; the programs they hang on must already run.
    start_date = date(2000, 1, 1)


class ProjectFactory(programs_factories.ProjectFactory):
    program = factory.SubFactory(ProgramFactory)
    country = "ID"


def partner_in(program: Program, organization, role=ProgramPartner.Role.IMPLEMENTING) -> ProgramPartner:
    return programs_factories.ProgramPartnerFactory(program=program, organization=organization, role=role)


class ExpertFactory(factory.django.DjangoModelFactory):
    """A fit, active official whose documents last well beyond any test date."""

    class Meta:
        model = Expert
        skip_postgeneration_save = True

    personnel_number = factory.Sequence(lambda n: f"P{n:06d}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    given_name = "Taro"
    organization = factory.SubFactory(OrganizationFactory, kind="npa", country="JP")
    date_of_birth = date(1975, 5, 5)
    email = factory.Sequence(lambda n: f"expert{n}@example.org")
    phone = "+81-3-0000-0000"
    passport_number = factory.Sequence(lambda n: f"TK{n:07d}")
    passport_expiry = date(2099, 12, 31)
    medical_clearance_until = date(2099, 12, 31)
    safety_training_on = date(2024, 4, 1)
    contacts_confirmed_on = factory.LazyFunction(timezone.localdate)
    next_of_kin = factory.RelatedFactory(
        "dispatch.tests.factories.EmergencyContactFactory", factory_related_name="expert"
    )


class EmergencyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmergencyContact

    expert = factory.SubFactory(ExpertFactory, next_of_kin=None)
    kind = EmergencyContactKind.NEXT_OF_KIN
    name = factory.Sequence(lambda n: f"Hanako Family{n}")
    relation = "spouse"
    phone = "+81-90-0000-0000"


class ExpertLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertLanguage

    expert = factory.SubFactory(ExpertFactory)
    language = "en"
    level = 3


class DeploymentFactory(factory.django.DjangoModelFactory):
    """A requested technical-cooperation deployment, written straight to the table."""

    class Meta:
        model = Deployment

    expert = factory.SubFactory(ExpertFactory)
    kind = DeploymentKind.TECHNICAL_COOPERATION
    project = factory.SubFactory(ProjectFactory)
    country = "ID"
    city = "Jakarta"
    post = "Policy Advisor"
    planned_start = date(2030, 4, 1)
    planned_end = date(2030, 9, 30)


class DisasterEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisasterEvent

    name = factory.Sequence(lambda n: f"Earthquake {n}")
    kind = DisasterKind.EARTHQUAKE
    country = "NZ"
    occurred_on = date(2030, 2, 22)


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    name = factory.Sequence(lambda n: f"Relief team {n}")
    kind = MissionKind.DISASTER_RELIEF
    team_type = TeamType.RESCUE
    disaster = factory.SubFactory(DisasterEventFactory)
    country = "NZ"
    requesting_party = RequestingParty.GOVERNMENT
    requested_on = date(2030, 2, 22)


class FigureCheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FigureCheckpoint

    figure = CumulativeFigure.RELIEF_OFFICERS
    # One day apart each: a figure has one published total a day.
    as_of = factory.Sequence(lambda n: date(2000, 1, 1) + timedelta(days=n))
    value = 100
    source_title = "Annual report on international cooperation"
    source_document = "domain/annual-report.txt"


class OpeningBalanceFactory(FigureCheckpointFactory):
    class Meta:
        model = OpeningBalance

    value = 10
    explanation = "The published total less what the records count."
