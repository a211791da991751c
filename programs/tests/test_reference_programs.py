"""The programs the domain documents describe load once, by code, with the documents' dates."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from cooperation.services import reference_data_load
from programs.models import Event, Program, Project, Site
from programs.services import REFERENCE_PROGRAMS_FILE, reference_programs_load

# Slow (seconds per test): each test loads the reference data and programs afresh.
pytestmark = pytest.mark.django_db

DOCUMENT = json.loads(REFERENCE_PROGRAMS_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def loaded():
    reference_data_load()
    return reference_programs_load()


def test_every_record_of_the_file_is_created(loaded):
    assert loaded.created == {
        "programs": len(DOCUMENT["programs"]),
        "projects": len(DOCUMENT["projects"]),
        "sites": len(DOCUMENT["sites"]),
        "events": len(DOCUMENT["events"]),
        "partnerships": sum(len(row["partners"]) for row in DOCUMENT["programs"]),
    }


def test_loading_again_changes_nothing(loaded):
    counts = [model.objects.count() for model in (Program, Project, Site, Event)]
    histories = [model.history.count() for model in (Program, Project, Site, Event)]
    output = StringIO()
    call_command("load_reference_programs", stdout=output)
    assert "up to date" in output.getvalue()
    assert [model.objects.count() for model in (Program, Project, Site, Event)] == counts
    assert [model.history.count() for model in (Program, Project, Site, Event)] == histories


def test_a_changed_row_is_updated_in_place(loaded, tmp_path):
    changed = json.loads(json.dumps(DOCUMENT))
    changed["projects"][0]["title_ja"] = "変更"
    path = tmp_path / "programs.json"
    path.write_text(json.dumps(changed), encoding="utf-8")
    report = reference_programs_load(path=path)
    assert report.updated == {"projects": 1}
    assert report.created == {}
    assert Project.objects.get(code=changed["projects"][0]["code"]).title_ja == "変更"


def test_the_indonesia_program_holds_its_two_projects_with_the_documents_dates(loaded):
    program = Program.objects.get(code="idn-police-reform")
    assert program.start_date == date(2001, 1, 1)
    assert program.end_date is None
    assert "year only" in program.description or "gives the year only" in program.description
    assert program.counterpart.code == "polri"
    civilian, polmas = program.projects.order_by("start_date")
    assert (civilian.start_date, civilian.end_date, civilian.status) == (
        date(2002, 1, 1),
        date(2012, 12, 31),
        "completed",
    )
    assert polmas.title.startswith("Project on Nationwide Capacity Development of Police Officers for POLMAS")
    assert polmas.start_date == date(2012, 1, 1)
    assert sorted(polmas.sites.values_list("name", flat=True)) == [
        "Bekasi Police Resort",
        "Metropolitan Bekasi Police Resort",
    ]


def test_the_other_programs_start_in_the_years_the_documents_give(loaded):
    starts = dict(Program.objects.values_list("code", "start_date"))
    assert starts == {
        "idn-police-reform": date(2001, 1, 1),
        "phl-pnp-anti-crime": date(2008, 1, 1),
        "vnm-traffic-police": date(2010, 1, 1),
        "tls-pntl-support": date(2010, 1, 1),
        "afg-police-training-turkey": date(2011, 1, 1),
    }
    advice = Project.objects.get(code="tls-community-policing-advice")
    assert (advice.start_date, advice.end_date) == (date(2011, 11, 1), date(2011, 12, 31))
    academy = Site.objects.get(code="vietnam-peoples-police-academy")
    assert list(academy.projects.values_list("code", flat=True)) == ["vnm-traffic-police-training"]


def test_figures_the_documents_do_not_give_stay_empty(loaded):
    assert set(Event.objects.values_list("code", flat=True)) == {
        "adec",
        "tip-contact-point-liaison-meeting",
        "cse-specialist-group-meeting",
    }
    assert not Event.objects.filter(start_date__isnull=False).exists()
    assert not Event.objects.filter(participant_count__isnull=False).exists()
    assert not Site.objects.filter(latitude__isnull=False).exists()
    assert not Program.objects.exclude(title_ja="").exists()


def test_jica_coordinators_see_the_programs_jica_takes_part_in(loaded):
    from cooperation.models import Organization
    from cooperation.roles import PARTNER_COORDINATOR
    from cooperation.tests.factories import UserFactory

    coordinator = UserFactory(role=PARTNER_COORDINATOR, organization=Organization.objects.get(code="jica"))
    visible = set(Program.objects.restrict(coordinator, "view").values_list("code", flat=True))
    assert visible == {"idn-police-reform", "phl-pnp-anti-crime", "vnm-traffic-police"}


def test_without_the_reference_organizations_the_command_says_what_is_missing():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="load the reference data first"):
        call_command("load_reference_programs")
    assert not Program.objects.exists()
