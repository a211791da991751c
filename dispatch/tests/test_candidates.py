"""Candidate search on a hand-built roster: who is left out, who comes first, and why."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.tests.factories import CooperationFieldFactory
from dispatch.fitness import passport_required_until
from dispatch.selectors import candidate_search, candidates_for, parse_language_requirements

from .factories import DeploymentFactory, ExpertFactory, ExpertLanguageFactory, ProjectFactory

pytestmark = pytest.mark.django_db

START, END = date(2031, 4, 1), date(2031, 9, 30)


def expert(name, *, languages=(), specialties=(), **fields):
    person = ExpertFactory(family_name=name, **fields)
    for code, level in languages:
        ExpertLanguageFactory(expert=person, language=code, level=level)
    person.specialties.set(specialties)
    return person


@pytest.fixture
def koban():
    return CooperationFieldFactory(code="koban-t", name="Koban (test)")


@pytest.fixture
def roster(koban):
    traffic = CooperationFieldFactory(code="traffic-t", name="Traffic (test)")
    people = {
        "ando": expert("Ando", languages=[("en", 4), ("id", 3)], specialties=[koban]),
        "baba": expert("Baba", languages=[("en", 3)], specialties=[koban, traffic]),
        "chiba": expert("Chiba", languages=[("en", 2)], countries_of_experience=["ID"]),
        "doi": expert("Doi", languages=[("en", 5)], status="retired"),
        # Left out, each for one reason:
        "busy": expert("Busy", languages=[("en", 5)], specialties=[koban]),
        "passport": expert(
            "Passport", languages=[("en", 5)], passport_expiry=passport_required_until(END).replace(day=1)
        ),
        "medical": expert("Medical", languages=[("en", 5)], medical_clearance_until=date(2031, 9, 29)),
        "unavailable": expert("Unavailable", languages=[("en", 5)], status="unavailable"),
    }
    # Ando served in Indonesia before (a finished deployment), on a long-term post.
    DeploymentFactory(
        expert=people["ando"],
        country="ID",
        status="closed",
        planned_start=date(2020, 4, 1),
        planned_end=date(2021, 3, 31),
        actual_start=date(2020, 4, 1),
        actual_end=date(2021, 3, 31),
    )
    # Busy is booked on the last day of the period.
    DeploymentFactory(expert=people["busy"], planned_start=END, planned_end=date(2031, 12, 31))
    # A cancelled booking does not make Chiba busy.
    DeploymentFactory(expert=people["chiba"], status="cancelled", planned_start=START, planned_end=END)
    return people


def search(**kwargs):
    params = {"country": "ID", "start": START, "end": END, "languages": {"en": 3, "id": 2}}
    params.update(kwargs)
    return candidate_search(**params)


def test_unfit_and_booked_experts_are_left_out(roster, koban):
    names = {c.expert.family_name for c in search(fields=[koban])}
    assert names == {"Ando", "Baba", "Chiba", "Doi"}


def test_ranking_and_its_reasons(roster, koban):
    found = search(fields=[koban])
    assert [c.expert.family_name for c in found] == ["Ando", "Baba", "Doi", "Chiba"]
    by_name = {c.expert.family_name: c for c in found}
    assert [r["code"] for r in by_name["Ando"].reasons] == [
        "language",
        "language",
        "field",
        "country_experience",
        "documents_valid",
    ]
    assert [r["code"] for r in by_name["Chiba"].reasons] == ["country_experience", "documents_valid"]
    for candidate in found:
        assert candidate.score == sum(reason["points"] for reason in candidate.reasons)


def test_a_language_below_the_minimum_does_not_count(roster):
    chiba = next(c for c in search() if c.expert.family_name == "Chiba")
    assert not [r for r in chiba.reasons if r["code"] == "language"]


def test_earlier_service_of_the_same_term_adds_a_point(roster, koban):
    long_start, long_end = date(2031, 4, 1), date(2032, 3, 31)
    found = {c.expert.family_name: c for c in search(fields=[koban], start=long_start, end=long_end, term="long")}
    assert "term_experience" in [r["code"] for r in found["Ando"].reasons]
    assert "term_experience" not in [r["code"] for r in found["Baba"].reasons]


def test_a_term_that_contradicts_the_dates_is_refused(roster):
    with pytest.raises(ValidationError) as refused:
        search(term="long")
    assert refused.value.error_dict["term"][0].code == "term_mismatch"


def test_language_requirements_are_parsed_and_checked():
    assert parse_language_requirements(["en:3", "id"]) == {"en": 3, "id": 1}
    for bad, code in (("xx:3", "unknown_language"), ("en:9", "invalid"), ("en:high", "invalid")):
        with pytest.raises(ValidationError) as refused:
            parse_language_requirements([bad])
        assert refused.value.error_dict["language"][0].code == code


def test_search_costs_one_query_whatever_the_roster_size(roster, koban):
    with CaptureQueriesContext(connection) as few:
        search(fields=[koban])
    for n in range(10):
        expert(f"Extra{n}", languages=[("en", 4)], specialties=[koban])
    with CaptureQueriesContext(connection) as many:
        assert len(search(fields=[koban])) == 14
    assert len(few) == len(many) == 1


def test_candidates_for_a_request_use_its_country_dates_and_project_fields(roster, koban):
    project = ProjectFactory()
    project.fields.set([koban])
    request = DeploymentFactory(expert=None, project=project, country="ID", planned_start=START, planned_end=END)
    found = candidates_for(request, languages={"en": 3})
    assert [c.expert.family_name for c in found][:2] == ["Ando", "Baba"]
    assert "field" in [r["code"] for r in found[0].reasons]


def test_a_nominee_is_not_excluded_by_its_own_request(roster):
    request = DeploymentFactory(expert=roster["baba"], country="ID", planned_start=START, planned_end=END)
    assert "Baba" in {c.expert.family_name for c in candidates_for(request)}


def test_an_archived_expert_is_not_offered(roster, staff_user):
    from cooperation.archive import archive

    offered = {c.expert.family_name for c in search()}
    archive(roster["ando"], actor=staff_user)
    assert "Ando" in offered
    assert {c.expert.family_name for c in search()} == offered - {"Ando"}
