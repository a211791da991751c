"""The managers' figures on a dataset whose answers are known by construction.

The dataset (technical cooperation unless said otherwise):

    e1  2011-10-01 – 2012-09-30  Indonesia, long    continues across 1 Jan 2012 and 1 Apr 2012
    e2  2012-02-01 – 2012-03-31  Philippines        ends the day before fiscal 2012
    e3  planned 2012-04-01 – 2013-03-31, left 2012-03-25 (actual)  Indonesia, long
    e4  2012-06-01 – 2012-06-30 and 2012-12-31 – 2013-01-15  Viet Nam (two deployments)
    e5  2012-05-01 – 2012-08-31  cancelled
    e6  2012 secondment to UNODC (not technical cooperation)
    e7  2013-01-01 – 2013-06-30  Indonesia, still abroad (no return recorded)
        a request for 2012 without an expert yet
"""

from datetime import date, timedelta

import pytest

from cooperation.periods import Period
from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory
from dispatch.stats import (
    experts_abroad_on,
    experts_dispatched,
    experts_dispatched_by,
    planned_deployments,
    secondees_by_organization,
)

from .factories import DeploymentFactory, ExpertFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def went(expert, start, end, *, actual_start=None, actual_end=None, status="closed", **fields):
    """A deployment that happened (or is happening) with these dates."""
    return DeploymentFactory(
        expert=expert,
        planned_start=start,
        planned_end=end,
        actual_start=actual_start or start,
        actual_end=actual_end or (end if status in ("returned", "closed") else None),
        status=status,
        **fields,
    )


@pytest.fixture
def dataset():
    koban = CooperationFieldFactory(code="koban-s", name="Koban (s)")
    identification = CooperationFieldFactory(code="ident-s", name="Identification (s)")
    traffic = CooperationFieldFactory(code="traffic-s", name="Traffic (s)")
    reform, roads = ProjectFactory(), ProjectFactory()
    reform.fields.set([koban, identification])
    roads.fields.set([traffic])
    unodc = OrganizationFactory(code="unodc", name="UNODC (s)", kind="international_organization", country="")
    e = {f"e{n}": ExpertFactory(family_name=f"E{n}") for n in range(1, 8)}
    went(e["e1"], date(2011, 10, 1), date(2012, 9, 30), project=reform, country="ID")
    went(e["e2"], date(2012, 2, 1), date(2012, 3, 31), project=roads, country="PH")
    went(
        e["e3"],
        date(2012, 4, 1),
        date(2013, 3, 31),
        actual_start=date(2012, 3, 25),
        project=reform,
        country="ID",
    )
    went(e["e4"], date(2012, 6, 1), date(2012, 6, 30), project=roads, country="VN")
    went(e["e4"], date(2012, 12, 31), date(2013, 1, 15), project=roads, country="VN")
    DeploymentFactory(expert=e["e5"], planned_start=date(2012, 5, 1), planned_end=date(2012, 8, 31), status="cancelled")
    went(
        e["e6"],
        date(2012, 1, 1),
        date(2012, 12, 31),
        kind="secondment",
        project=None,
        host_organization=unodc,
        country="AT",
    )
    went(e["e7"], date(2013, 1, 1), date(2013, 6, 30), project=roads, country="ID", status="deployed")
    DeploymentFactory(expert=None, planned_start=date(2012, 7, 1), planned_end=date(2012, 7, 31))
    return e


@pytest.mark.parametrize(
    ("period", "new", "total"),
    [
        (Period.calendar_year(2011), {"e1"}, {"e1"}),
        (Period.calendar_year(2012), {"e2", "e3", "e4"}, {"e1", "e2", "e3", "e4"}),
        (Period.calendar_year(2013), {"e7"}, {"e3", "e4", "e7"}),
        (Period.fiscal_year(2011), {"e1", "e2", "e3"}, {"e1", "e2", "e3"}),
        (Period.fiscal_year(2012), {"e4", "e7"}, {"e1", "e3", "e4", "e7"}),
    ],
    ids=["2011", "2012", "2013", "FY2011", "FY2012"],
)
def test_new_and_total_experts(dataset, period, new, total):
    assert experts_dispatched(period) == {"new": len(new), "total": len(total)}


def test_by_country(dataset):
    rows = {
        row["key"]: (row["new"], row["total"]) for row in experts_dispatched_by(Period.calendar_year(2012), "country")
    }
    assert rows == {"ID": (len({"e3"}), len({"e1", "e3"})), "PH": (1, 1), "VN": (1, 1)}


def test_by_term(dataset):
    rows = {row["key"]: (row["new"], row["total"]) for row in experts_dispatched_by(Period.calendar_year(2012), "term")}
    assert rows == {"long": (len({"e3"}), len({"e1", "e3"})), "short": (len({"e2", "e4"}), len({"e2", "e4"}))}


def test_by_field_of_the_project(dataset):
    rows = {row["key"]: (row["new"], row["total"]) for row in experts_dispatched_by(Period.fiscal_year(2012), "field")}
    # FY2012: reform (koban, identification) holds e1 and e3, neither new; roads holds e4 and e7, both new.
    assert rows == {"koban-s": (0, 2), "ident-s": (0, 2), "traffic-s": (2, 2)}


def test_each_figure_is_one_query(dataset, django_assert_num_queries):
    with django_assert_num_queries(1):
        experts_dispatched(Period.calendar_year(2012))
    with django_assert_num_queries(1):
        experts_dispatched_by(Period.calendar_year(2012), "field")


def test_experts_abroad_on_a_day(dataset):
    # 15 June 2012: e1, e3, e4 (June post) on projects, e6 seconded.
    assert experts_abroad_on(date(2012, 6, 15)) == {
        "total": 4,
        "technical_cooperation": 3,
        "secondment": 1,
        "disaster_relief": 0,
        "civilian_police": 0,
    }
    # 2012-03-28: e3 had left early, e2 was there, e1 too; the cancelled one never.
    assert experts_abroad_on(date(2012, 3, 28))["technical_cooperation"] == len({"e1", "e2", "e3"})
    # e7 has no return on record: still abroad long after the planned end.
    assert experts_abroad_on(date(2014, 1, 1))["total"] == 1


def test_secondees_against_the_target(settings, today):
    unodc = OrganizationFactory(code="unodc", name="UNODC (t)", kind="international_organization", country="")
    interpol = OrganizationFactory(code="interpol-t", name="INTERPOL (t)", kind="international_organization")
    for host in (unodc, unodc, interpol):
        went(
            ExpertFactory(),
            today - timedelta(days=30),
            today + timedelta(days=300),
            status="deployed",
            kind="secondment",
            project=None,
            host_organization=host,
        )
    went(  # back home: no longer counts
        ExpertFactory(),
        today - timedelta(days=400),
        today - timedelta(days=10),
        kind="secondment",
        project=None,
        host_organization=unodc,
    )
    rows = {row["organization"]: (row["secondees"], row["target"]) for row in secondees_by_organization()}
    assert rows == {"unodc": (2, 32), "interpol-t": (1, None)}
    settings.UNODC_STAFF_TARGET = 40
    assert {row["organization"]: row["target"] for row in secondees_by_organization()}["unodc"] == 40


def test_only_departed_deployments_are_dispatched_placed_by_their_actual_start():
    """Hand-counted: of five experts with 2012 plans, two left, one of them only in 2013."""
    project = ProjectFactory()
    e = {name: ExpertFactory(family_name=name) for name in ("left", "late", "nominated", "preparing", "gone_wrong")}
    went(e["left"], date(2012, 3, 1), date(2012, 8, 31), project=project)
    # Planned for December 2012, left on 5 January 2013: dispatched in 2013, not 2012.
    went(e["late"], date(2012, 12, 20), date(2013, 6, 30), actual_start=date(2013, 1, 5), project=project)
    for name, status in (("nominated", "nominated"), ("preparing", "preparing"), ("gone_wrong", "cancelled")):
        DeploymentFactory(
            expert=e[name],
            project=project,
            planned_start=date(2012, 5, 1),
            planned_end=date(2012, 9, 30),
            status=status,
        )
    assert experts_dispatched(Period.calendar_year(2012)) == {"new": 1, "total": 1}  # "left" only
    assert experts_dispatched(Period.calendar_year(2013)) == {"new": 1, "total": 1}  # "late"
    # Not departed, not cancelled: the nominated and the preparing ones are planned.
    assert planned_deployments(Period.calendar_year(2012)) == 2


def test_planned_deployments_count_requests_without_a_nominee_and_leave_others_out():
    project = ProjectFactory()
    span = {"planned_start": date(2030, 4, 1), "planned_end": date(2030, 9, 30), "project": project}
    DeploymentFactory(expert=None, **span)  # requested, nobody yet: planned
    DeploymentFactory(status="nominated", **span)  # planned
    DeploymentFactory(status="cancelled", **span)  # never counts
    DeploymentFactory(
        status="nominated",
        kind="secondment",
        project=None,
        host_organization=OrganizationFactory(),
        planned_start=span["planned_start"],
        planned_end=span["planned_end"],
    )  # not technical cooperation
    DeploymentFactory(status="preparing", planned_start=date(2031, 4, 1), planned_end=date(2031, 5, 1), project=project)
    assert planned_deployments(Period.calendar_year(2030)) == 2
    assert planned_deployments(Period.calendar_year(2031)) == 1  # the one preparing for April 2031
