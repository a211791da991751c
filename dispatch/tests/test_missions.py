"""Relief and civilian-police missions: rapid assembly, readiness, cumulative figures."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cooperation.periods import Period
from cooperation.services import reference_data_load
from dispatch.fitness import passport_required_until
from dispatch.models import Deployment, DisasterEvent, Mission
from dispatch.selectors import standby_readiness
from dispatch.services import mission_assemble, reference_missions_load
from dispatch.stats import (
    JDR_LAW_IN_FORCE,
    PKO_LAW_IN_FORCE,
    civilian_police_cumulative,
    missions_by_team_type,
    missions_in,
    missions_per_year,
    relief_cumulative,
)

from .factories import DeploymentFactory, DisasterEventFactory, ExpertFactory, MissionFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def departure(today):
    return today + timedelta(days=1)


@pytest.fixture
def mission(departure):
    return MissionFactory(
        requested_on=departure - timedelta(days=1), departure_on=departure, return_on=departure + timedelta(days=13)
    )


def standby(name, trained_days_ago=30, **fields):
    today = timezone.localdate()
    fields.setdefault("safety_training_on", today - timedelta(days=trained_days_ago))
    return ExpertFactory(family_name=name, **fields)


@pytest.fixture
def roster(today, departure):
    end = departure + timedelta(days=13)
    people = {
        "fresh": standby("Fresh", trained_days_ago=10, standby_rescue=True),
        "recent": standby("Recent", trained_days_ago=40, standby_rescue=True),
        "older": standby("Older", trained_days_ago=200, standby_rescue=True),
        "passport": standby(
            "Passport", standby_rescue=True, passport_expiry=passport_required_until(end) - timedelta(30)
        ),
        "medical": standby("Medical", standby_rescue=True, medical_clearance_until=today + timedelta(days=5)),
        "training": standby("Training", trained_days_ago=400, standby_rescue=True),
        "abroad": standby("Abroad", standby_rescue=True),
        "unavailable": standby("Unavailable", standby_rescue=True, status="unavailable"),
        "identifier": standby("Identifier", standby_dvi=True, standby_forensic_dental=True),
        "everything": standby("Everything", standby_dvi=True, passport_expiry=None, safety_training_on=None),
        "office": ExpertFactory(family_name="Office"),  # not on the standby roster
    }
    # Abroad on a technical-cooperation project over the mission's days.
    DeploymentFactory(
        expert=people["abroad"], planned_start=today - timedelta(days=30), planned_end=end + timedelta(30)
    )
    return people


def reasons_by_name(assembly):
    return {skip.expert.family_name: [r["code"] for r in skip.reasons] for skip in assembly.skipped}


def test_rapid_assembly_takes_the_fittest_and_says_who_was_skipped(roster, mission, staff_user):
    assembly = mission_assemble(mission=mission, needs={"rescue": 2, "dvi": 1}, actor=staff_user)
    assert [m.expert.family_name for m in assembly.members] == ["Fresh", "Recent", "Identifier"]
    assert assembly.shortfall == {}
    assert reasons_by_name(assembly) == {
        "Passport": ["passport"],
        "Medical": ["medical"],
        "Training": ["training"],
        "Abroad": ["deployed"],
        "Unavailable": ["not_active"],
        "Everything": ["passport", "training"],
    }
    abroad = next(s for s in assembly.skipped if s.expert.family_name == "Abroad")
    assert f"#{roster['abroad'].deployments.get().pk}" in abroad.reasons[0]["message"]
    for member in assembly.members:
        member.refresh_from_db()
        assert (member.kind, member.status, member.mission, member.country) == (
            "disaster_relief",
            "nominated",
            mission,
            mission.country,
        )
        assert (member.planned_start, member.planned_end) == (mission.departure_on, mission.return_on)
        assert [c.to_status for c in member.status_changes.all()] == ["requested", "nominated"]


def test_a_second_call_tops_up_and_reports_the_shortfall(roster, mission, staff_user):
    mission_assemble(mission=mission, needs={"rescue": 2}, actor=staff_user)
    assembly = mission_assemble(mission=mission, needs={"rescue": 4}, actor=staff_user)
    assert [m.expert.family_name for m in assembly.members] == ["Older"]
    assert assembly.shortfall == {"rescue": 1}
    assert mission.members.count() == 3


def test_assembly_refuses_bad_needs_and_writes_nothing(roster, mission, staff_user):
    for needs in ({}, {"cooking": 2}, {"rescue": 0}):
        with pytest.raises(ValidationError) as refused:
            mission_assemble(mission=mission, needs=needs, actor=staff_user)
        assert "needs" in refused.value.error_dict
    assert not mission.members.exists()


def test_a_member_already_abroad_cannot_join_another_team(roster, mission, staff_user, departure):
    mission_assemble(mission=mission, needs={"rescue": 1}, actor=staff_user)
    other = MissionFactory(requested_on=departure, departure_on=departure + timedelta(days=3))
    assembly = mission_assemble(mission=other, needs={"rescue": 3}, actor=staff_user)
    assert "Fresh" not in [m.expert.family_name for m in assembly.members]
    assert reasons_by_name(assembly)["Fresh"] == ["deployed"]


def test_readiness_counts_per_specialty(roster):
    rows = {row["specialty"]: row for row in standby_readiness()}
    rescue = rows["rescue"]
    # Standby rescue members: Fresh, Recent, Older, Passport, Medical, Training, Abroad, Unavailable.
    assert rescue["members"] == 8
    assert rescue["ready"] == len({"Fresh", "Recent", "Older"})
    assert rescue["not_ready"] == {"not_active": 1, "passport": 1, "medical": 1, "training": 1, "deployed": 1}
    assert (rows["dvi"]["members"], rows["dvi"]["ready"]) == (2, 1)
    assert rows["dvi"]["not_ready"]["passport"] == 1  # no passport on record counts as not ready
    assert rows["dvi"]["not_ready"]["training"] == 1
    assert (rows["forensic_dental"]["members"], rows["forensic_dental"]["ready"]) == (1, 1)
    assert rows["communications"]["members"] == 0


def test_readiness_is_one_query(roster):
    with CaptureQueriesContext(connection) as captured:
        standby_readiness()
    assert len(captured) == 1


def test_relief_and_technical_cooperation_share_the_overlap_rule(roster, mission, staff_user):
    """The roster's booked member is skipped; and a relief member cannot then take a project."""
    assembly = mission_assemble(mission=mission, needs={"rescue": 1}, actor=staff_user)
    member = assembly.members[0]
    with pytest.raises(ValidationError) as refused:
        DeploymentFactory.build(
            expert=member.expert,
            project=ProjectFactory(),
            planned_start=member.planned_start,
            planned_end=member.planned_end,
        ).full_clean()
    assert f"#{member.pk}" in refused.value.message_dict["expert"][0]


# --- the figures -------------------------------------------------------------------------


def relief(day, officers=None, country="NZ", team_type="rescue", **fields):
    return MissionFactory(
        requested_on=day,
        departure_on=day,
        country=country,
        team_type=team_type,
        police_officers_reported=officers,
        **fields,
    )


@pytest.fixture
def history():
    before_law = JDR_LAW_IN_FORCE - timedelta(days=1)
    relief(before_law, officers=50, country="MX")  # the day before the law: never counts
    relief(JDR_LAW_IN_FORCE, officers=10, country="IR")
    relief(date(1999, 8, 20), officers=20, country="TR", team_type="rescue")
    relief(date(1999, 9, 25), officers=5, country="TW", team_type="dvi")
    relief(date(2004, 12, 28), officers=None, country="TH", team_type="dvi")  # members on record: 2
    relief(date(2011, 2, 22), officers=38, country="NZ")
    relief(date(2011, 2, 25), officers=5, country="NZ", team_type="dvi")
    relief(date(2011, 3, 1), officers=99, country="CL", status="cancelled")
    tsunami = Mission.objects.get(country="TH")
    for _n in range(2):
        DeploymentFactory(
            kind="disaster_relief",
            project=None,
            mission=tsunami,
            country="TH",
            planned_start=date(2004, 12, 28),
            planned_end=date(2005, 1, 20),
        )
    DeploymentFactory(  # a cancelled member does not count
        kind="disaster_relief",
        project=None,
        mission=tsunami,
        country="TH",
        status="cancelled",
        planned_start=date(2004, 12, 28),
        planned_end=date(2005, 1, 20),
    )
    pko = {"kind": "civilian_police", "disaster": None, "team_type": "expert_team"}
    relief(PKO_LAW_IN_FORCE - timedelta(days=1), officers=7, country="KH", **pko)
    relief(date(1992, 10, 1), officers=75, country="KH", **pko)
    relief(date(2007, 1, 1), officers=3, country="TL", **pko)


def _without_balances(officers: int, countries: int) -> dict:
    counts = {"officers": officers, "countries": countries}
    return {**counts, "recorded": counts, "opening_balance": {"officers": 0, "countries": 0}}


def test_cumulative_relief_figures_from_the_law(history):
    assert relief_cumulative(date(2012, 12, 31)) == {
        "missions": 6,
        **_without_balances(10 + 20 + 5 + 2 + 38 + 5, len({"IR", "TR", "TW", "TH", "NZ"})),
    }
    assert relief_cumulative(JDR_LAW_IN_FORCE) == {"missions": 1, **_without_balances(10, 1)}
    assert relief_cumulative(date(2011, 2, 24))["officers"] == 10 + 20 + 5 + 2 + 38


def test_missions_and_officers_per_year(history):
    rows = {row["year"]: (row["missions"], row["officers"]) for row in missions_per_year()}
    assert rows == {
        1987: (len({"MX", "IR"}), 50 + 10),
        1999: (2, 25),
        2004: (1, 2),
        2011: (2, 43),
    }
    assert missions_in(Period.calendar_year(2011)) == {"missions": 2, "officers": 43}
    assert missions_in(Period.fiscal_year(2010)) == {"missions": 2, "officers": 43}


def test_breakdown_by_team_type(history):
    rows = {row["team_type"]: (row["missions"], row["officers"]) for row in missions_by_team_type()}
    assert rows == {"rescue": (3, 10 + 20 + 38), "dvi": (3, 5 + 2 + 5)}


def test_civilian_police_from_the_1992_law(history):
    assert civilian_police_cumulative(date(2012, 12, 31)) == {
        "missions": 2,
        **_without_balances(75 + 3, len({"KH", "TL"})),
    }


def test_the_reference_missions_carry_the_documents_figures():
    reference_data_load()  # the organizations that requested missions, loaded first as `make run` does
    first = reference_missions_load()
    assert first == {"disasters": 2, "missions": 5, "checkpoints": 6, "opening_balances": 4}
    assert set(reference_missions_load().values()) == {0}
    christchurch = DisasterEvent.objects.get(occurred_on=date(2011, 2, 22))
    teams = {m.team_type: m.police_officers_reported for m in christchurch.missions.all()}
    assert teams == {"rescue": 38, "dvi": 5}
    assert missions_in(Period.calendar_year(2011)) == {"missions": 2, "officers": 38 + 5}
    tsunami = Mission.objects.get(disaster__occurred_on=date(2004, 12, 26))
    assert (tsunami.team_type, tsunami.police_officers_reported) == ("dvi", None)


def test_a_relief_mission_without_its_disaster_is_refused():
    mission = Mission(
        name="No disaster", kind="disaster_relief", team_type="rescue", country="NZ", requesting_party="government"
    )
    mission.requested_on = date(2030, 1, 2)
    mission.departure_on = date(2030, 1, 3)
    mission.return_on = date(2030, 1, 1)
    with pytest.raises(ValidationError) as refused:
        mission.full_clean()
    assert {"disaster", "return_on"} <= set(refused.value.error_dict)
    assert not Mission.objects.exists()
    assert Deployment.objects.count() == 0
    assert DisasterEventFactory()  # and one with its disaster is fine
