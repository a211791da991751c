"""The cooperation portfolio (programs, projects, sites, money, indicators, events) and
the results reported on it period by period."""

from ..choices import Publication, Status, StrategicGoal
from .portfolio import Event, Funding, Indicator, Measurement, Program, ProgramPartner, Project, Site, program_scope
from .results import (
    Disaggregation,
    DisaggregationCategory,
    IndicatorPeriod,
    PeriodTargetBreakdown,
    PeriodValue,
    PeriodValueBreakdown,
    PeriodValueEvidence,
    PeriodValueStatusChange,
    indicator_scope,
)

__all__ = [
    "Disaggregation",
    "DisaggregationCategory",
    "Event",
    "Funding",
    "Indicator",
    "IndicatorPeriod",
    "Measurement",
    "PeriodTargetBreakdown",
    "PeriodValue",
    "PeriodValueBreakdown",
    "PeriodValueEvidence",
    "PeriodValueStatusChange",
    "Program",
    "ProgramPartner",
    "Project",
    "Publication",
    "Site",
    "Status",
    "StrategicGoal",
    "indicator_scope",
    "program_scope",
]
