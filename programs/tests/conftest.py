"""A partner's portfolio and another organization's, side by side."""

from dataclasses import dataclass

import pytest

from programs.models import Event, Funding, Indicator, Measurement, Program, Project, Site

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
