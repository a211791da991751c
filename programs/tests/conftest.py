"""A partner's portfolio and another organization's, side by side."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from cooperation.models import Organization
from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory, RegionFactory
from programs.models import (
    Event,
    Funding,
    Indicator,
    Measurement,
    Program,
    ProgramPartner,
    Project,
    Publication,
    Site,
    Status,
)

from .factories import (
    EventFactory,
    FundingFactory,
    IndicatorFactory,
    MeasurementFactory,
    ProgramFactory,
    ProgramPartnerFactory,
    ProjectFactory,
    SiteFactory,
)


@dataclass
class Portfolio:
    program: Program
    project: Project
    site: Site
    funding: Funding
    indicator: Indicator
    measurement: Measurement
    event: Event


def build_portfolio(organization, prefix: str) -> Portfolio:
    program = ProgramFactory(code=f"{prefix}-program", title=f"{prefix} program")
    ProgramPartnerFactory(program=program, organization=organization)
    project = ProjectFactory(program=program, code=f"{prefix}-project")
    indicator = IndicatorFactory(project=project, name=f"{prefix} indicator")
    return Portfolio(
        program=program,
        project=project,
        site=SiteFactory(name=f"{prefix} site", projects=[project]),
        funding=FundingFactory(program=program, project=project, organization=organization),
        indicator=indicator,
        measurement=MeasurementFactory(indicator=indicator),
        event=EventFactory(name=f"{prefix} meeting", program=program),
    )


@pytest.fixture
def ours(partner_org):
    """Records of the programs the coordinator's organization takes part in."""
    return build_portfolio(partner_org, "ours")


@pytest.fixture
def theirs(other_org):
    return build_portfolio(other_org, "theirs")


@dataclass
class PublicPortfolio:
    """Published and unpublished records side by side, with every kind of detail."""

    published_programs: list[Program]
    published_projects: list[Project]
    hidden_programs: list[Program]
    hidden_projects: list[Project]
    reform: Program
    reform_project: Project
    internal_indicator: Indicator
    public_indicator: Indicator


def build_public_portfolio() -> PublicPortfolio:
    koban = CooperationFieldFactory(code="pub-koban", name="Koban", name_ja="交番", dac_code="15132")
    forensics = CooperationFieldFactory(code="pub-forensics", name="Forensics", name_ja="鑑識", dac_code="15132")
    drugs = CooperationFieldFactory(code="pub-drugs", name="Drug control", name_ja="薬物対策", dac_code="16063")
    governance = CooperationFieldFactory(code="pub-governance", name="Police governance", dac_code="15210")
    asean = RegionFactory(code="pub-asean", name="ASEAN", countries=["ID", "PH", "TH"])
    pacific = RegionFactory(code="pub-pacific", name="Pacific", countries=["FJ"])
    jica = OrganizationFactory(
        code="pub-jica", name="JICA", name_ja="国際協力機構", kind="development_agency", country="JP"
    )
    unodc = OrganizationFactory(
        code="pub-unodc", name="UNODC", kind=Organization.Kind.INTERNATIONAL_ORGANIZATION, country=""
    )
    npa = OrganizationFactory(code="pub-npa", name="NPA", name_ja="警察庁", kind="npa", country="JP")
    polri = OrganizationFactory(code="pub-polri", name="Indonesian National Police", kind="recipient_agency")
    ngo = OrganizationFactory(code="pub-ngo", name="Safe Streets", kind=Organization.Kind.NGO, country="ID")
    role = ProgramPartner.Role

    reform = ProgramFactory(
        published=True,
        code="pub-idn-reform",
        title="Indonesian police reform",
        title_ja="インドネシア警察改革支援",
        description="Koban and investigations.",
        description_ja="交番と捜査の支援。",
        objectives="Bring community policing nationwide.",
        country="ID",
        counterpart=polri,
        start_date=date(2001, 1, 1),
    )
    reform.fields.set([koban, forensics, drugs])
    for organization, partner_role in [
        (jica, role.FUNDING),
        (unodc, role.INTERNATIONAL_PARTNER),
        (npa, role.IMPLEMENTING),
        (polri, role.COUNTERPART),
        (ngo, role.IMPLEMENTING),
    ]:
        ProgramPartnerFactory(program=reform, organization=organization, role=partner_role)
    reform_project = ProjectFactory(
        published=True,
        program=reform,
        code="pub-polmas",
        title="POLMAS nationwide",
        title_ja="POLMAS全国展開",
        country="ID",
        start_date=date(2012, 4, 1),
    )
    reform_project.fields.set([koban])
    finished = ProjectFactory(
        published=True,
        program=reform,
        code="pub-civilian",
        title="Civilian police",
        start_date=date(2002, 1, 1),
        end_date=date(2012, 3, 31),
        status=Status.COMPLETED,
    )
    draft_project = ProjectFactory(program=reform, code="pub-draft-project", title="Secret pilot")
    for year, amount, organization in [(2012, "1000000", jica), (2012, "500000", npa), (2013, "750000", jica)]:
        FundingFactory(
            program=reform, organization=organization, fiscal_year=year, amount=Decimal(amount), note="internal note"
        )
    FundingFactory(program=reform, organization=jica, fiscal_year=2013, amount=Decimal("20000"), currency="USD")
    FundingFactory(
        program=reform, project=reform_project, organization=jica, fiscal_year=2012, amount=Decimal("300000")
    )
    FundingFactory(
        program=reform, project=reform_project, organization=jica, fiscal_year=2014, amount=Decimal("400000")
    )
    FundingFactory(program=reform, project=draft_project, organization=jica, fiscal_year=2012, amount=Decimal("999"))
    public_indicator = IndicatorFactory(
        project=reform_project,
        name="Model police stations",
        name_ja="モデル警察署",
        unit="stations",
        baseline_value=Decimal("2"),
        baseline_date=date(2012, 4, 1),
        target_value=Decimal("40"),
        target_date=date(2016, 3, 31),
    )
    MeasurementFactory(
        indicator=public_indicator, period_end=date(2013, 3, 31), value=Decimal("10"), note="from a named officer"
    )
    MeasurementFactory(indicator=public_indicator, period_end=date(2014, 3, 31), value=Decimal("18.5"))
    internal_indicator = IndicatorFactory(project=reform_project, name="Informant payments", internal=True)
    IndicatorFactory(project=draft_project, name="Pilot indicator")

    regional = ProgramFactory(
        published=True,
        code="pub-regional",
        title="Regional drug identification",
        country="",
        start_date=date(2010, 4, 1),
        end_date=date(2030, 3, 31),
    )
    regional.fields.set([drugs, governance])
    regional.priority_regions.set([asean])
    ProgramPartnerFactory(program=regional, organization=unodc, role=role.INTERNATIONAL_PARTNER)
    regional_projects = [
        ProjectFactory(
            published=True,
            program=regional,
            code=f"pub-regional-{code.lower()}",
            country=code,
            end_date=date(2020, 3, 31),
        )
        for code in ("PH", "TH", "VN")
    ]
    seminars = ProgramFactory(
        published=True,
        code="pub-seminars",
        title="Pacific seminars",
        country="",
        status=Status.PLANNED,
        start_date=date(2031, 4, 1),
    )
    seminars.priority_regions.set([asean, pacific])
    worldwide = ProgramFactory(published=True, code="pub-worldwide", title="Worldwide exchanges", country="")

    hidden_programs = [
        ProgramFactory(code="pub-hidden-draft", title="Unreleased program", country="KE"),
        ProgramFactory(code="pub-hidden-submitted", title="Awaiting review", publication=Publication.SUBMITTED),
        ProgramFactory(code="pub-hidden-withdrawn", title="Withdrawn program", publication=Publication.WITHDRAWN),
    ]
    orphan = ProjectFactory(published=True, program=hidden_programs[0], code="pub-orphan", title="Orphan project")
    return PublicPortfolio(
        published_programs=[reform, regional, seminars, worldwide],
        published_projects=[reform_project, finished, *regional_projects],
        hidden_programs=hidden_programs,
        hidden_projects=[draft_project, orphan],
        reform=reform,
        reform_project=reform_project,
        internal_indicator=internal_indicator,
        public_indicator=public_indicator,
    )


@pytest.fixture
def public_portfolio(db) -> PublicPortfolio:
    return build_public_portfolio()
