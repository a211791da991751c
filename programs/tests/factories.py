from datetime import date
from decimal import Decimal

import factory

from cooperation.tests.factories import OrganizationFactory
from programs.models import Event, Funding, Indicator, Measurement, Program, ProgramPartner, Project, Site, Status


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

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
