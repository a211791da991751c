from datetime import UTC, date, datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from cooperation.roles import NPA_STAFF
from cooperation.tests.factories import OrganizationFactory, UserFactory
from programs.models import (
    Disaggregation,
    DisaggregationCategory,
    Event,
    Funding,
    Indicator,
    IndicatorPeriod,
    Measurement,
    Program,
    ProgramPartner,
    Project,
    Publication,
    Site,
    Status,
)

REVIEWED_AT = datetime(2024, 4, 1, 9, 0, tzinfo=UTC)


def staff_member(username: str):
    """One shared staff account per name (hashing a password per record is slow)."""
    return get_user_model().objects.filter(username=username).first() or UserFactory(username=username, role=NPA_STAFF)


def published_trait() -> factory.Trait:
    """`published=True`: submitted by one staff member and reviewed by another, as the
    review step and the database require."""
    return factory.Trait(
        publication=Publication.PUBLISHED,
        submitted_by=factory.LazyFunction(lambda: staff_member("publication-submitter")),
        submitted_at=REVIEWED_AT,
        reviewed_by=factory.LazyFunction(lambda: staff_member("publication-reviewer")),
        reviewed_at=REVIEWED_AT,
    )


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    class Params:
        published = published_trait()

    code = factory.Sequence(lambda n: f"program-{n}")
    title = factory.Sequence(lambda n: f"Program {n}")
    country = "ID"
    start_date = date(2010, 1, 1)
    status = Status.ACTIVE


class ProgramPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramPartner

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = ProgramPartner.Role.IMPLEMENTING


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    class Params:
        published = published_trait()

    program = factory.SubFactory(ProgramFactory)
    code = factory.Sequence(lambda n: f"project-{n}")
    title = factory.Sequence(lambda n: f"Project {n}")
    start_date = factory.LazyAttribute(lambda o: o.program.start_date)
    status = Status.ACTIVE


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Police resort {n}")
    country = "ID"

    @factory.post_generation
    def projects(self, create, extracted, **kwargs):
        if create and extracted:
            self.projects.set(extracted)


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SubFactory(OrganizationFactory)
    fiscal_year = 2012
    amount = Decimal("1000000")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = "stations"
    baseline_value = Decimal("0")
    baseline_date = date(2012, 1, 1)
    target_value = Decimal("100")
    target_date = date(2016, 12, 31)


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    period_end = date(2013, 3, 31)
    value = Decimal("10")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Liaison meeting {n}")
    kind = Event.Kind.LIAISON_MEETING
    start_date = date(2012, 6, 1)
    end_date = date(2012, 6, 2)

    @factory.post_generation
    def organizers(self, create, extracted, **kwargs):
        if create and extracted:
            self.organizers.set(extracted)


class IndicatorPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorPeriod

    indicator = factory.SubFactory(IndicatorFactory)
    start = date(2024, 4, 1)
    end = date(2024, 6, 30)
    target = Decimal("10")


class DisaggregationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disaggregation

    indicator = factory.SubFactory(IndicatorFactory)
    name = "gender"


class DisaggregationCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisaggregationCategory

    disaggregation = factory.SubFactory(DisaggregationFactory)
    name = factory.Sequence(lambda n: f"category {n}")
