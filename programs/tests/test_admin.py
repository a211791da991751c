"""Staff keep the portfolio in the admin, in Japanese; rules give form errors, never a 500."""

from datetime import date

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError

from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory, RegionFactory
from cooperation.tests.service_doubles import recorded, refusing
from programs import services
from programs.admin import ProgramAdmin, ProgramPartnerInline, ProjectInline
from programs.models import Indicator, Measurement, Program, Project

from .factories import IndicatorFactory, MeasurementFactory, ProgramFactory, ProgramPartnerFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """The management form and rows of one admin inline."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        data.update({f"{prefix}-{number}-{name}": value for name, value in row.items()})
    return data


def program_form(**changes) -> dict:
    return {
        "code": "idn-reform",
        "title": "Support Program for Reform of the Indonesian National Police",
        "title_ja": "インドネシア国家警察改革支援プログラム",
        "kind": "reform_support",
        "status": "active",
        "country": "ID",
        "counterpart": "",
        "start_date": "2001-01-01",
        "end_date": "",
        "objectives": "",
        "description": "",
        "description_ja": "",
        "strategic_goals": ["rule_of_law"],
        **changes,
    }


def project_row(code: str, start: str, end: str = "", status: str = "active") -> dict:
    return {
        "id": "",
        "program": "",
        "code": code,
        "title": f"Project {code}",
        "country": "",
        "start_date": start,
        "end_date": end,
        "status": status,
    }


def no_rows(*prefixes: str) -> dict:
    data = {}
    for prefix in prefixes:
        data.update(inline(prefix, []))
    return data


@pytest.fixture
def japanese_staff(client, staff_user):
    staff_user.profile.language = "ja"
    staff_user.profile.save()
    client.force_login(staff_user)
    return client


def assert_japanese_page(response):
    assert response.status_code == 200
    assert '<html lang="ja"' in response.content.decode()


def test_a_japanese_staff_member_builds_a_program_and_reads_every_history(japanese_staff, staff_user):
    client = japanese_staff
    koban = CooperationFieldFactory(code="koban")
    jica = OrganizationFactory(code="jica-a", name="JICA")
    assert_japanese_page(client.get("/admin/programs/program/add/"))

    response = client.post(
        "/admin/programs/program/add/",
        {
            **program_form(fields=[koban.pk]),
            **inline("partnerships", [{"id": "", "program": "", "organization": jica.pk, "role": "implementing"}]),
            **inline(
                "projects",
                [
                    project_row("civilian", "2002-01-01", "2012-12-31", "completed"),
                    project_row("polmas", "2012-01-01"),
                ],
            ),
            **no_rows("fundings"),
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    program = Program.objects.get(code="idn-reform")
    assert program.strategic_goals == ["rule_of_law"]
    assert list(program.fields.all()) == [koban]
    assert program.partnerships.get().organization == jica
    civilian, polmas = program.projects.order_by("start_date")
    assert (civilian.end_date, polmas.start_date) == (date(2012, 12, 31), date(2012, 1, 1))

    response = client.post(
        "/admin/programs/indicator/add/",
        {
            "project": polmas.pk,
            "name": "Model police stations applying the Koban system",
            "name_ja": "",
            "unit": "stations",
            "baseline_value": "2",
            "baseline_date": "2012-01-01",
            "target_value": "12",
            "target_date": "2016-12-31",
            "description": "",
            "aggregation": "latest",
            "direction": "higher",
            "period_kind": "fiscal_year",
            **no_rows("periods", "disaggregations"),
            **inline(
                "measurements",
                [
                    {"id": "", "indicator": "", "period_end": "2012-12-31", "value": "4", "source": "", "note": ""},
                    {"id": "", "indicator": "", "period_end": "2013-12-31", "value": "7", "source": "", "note": ""},
                ],
            ),
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    indicator = Indicator.objects.get(project=polmas)
    values = list(indicator.measurements.order_by("period_end").values_list("value", flat=True))
    assert values == [4, 7]
    assert set(indicator.measurements.values_list("reported_by", flat=True)) == {staff_user.profile.organization_id}

    records = [program, civilian, polmas, indicator, *indicator.measurements.all()]
    for record in records:
        assert record.history.latest().history_user == staff_user
        page = client.get(f"/admin/programs/{record._meta.model_name}/{record.pk}/history/")
        assert_japanese_page(page)
        assert staff_user.username in page.content.decode()
    assert_japanese_page(client.get("/admin/programs/indicator/"))


def test_a_project_row_outside_the_new_program_is_a_form_error(japanese_staff):
    response = japanese_staff.post(
        "/admin/programs/program/add/",
        {
            **program_form(start_date="2010-01-01", end_date="2012-12-31"),
            **no_rows("partnerships", "fundings"),
            **inline("projects", [project_row("late", "2011-01-01", "2013-06-30")]),
        },
    )
    assert response.status_code == 200
    assert not Program.objects.exists()
    assert any(
        "outside_program" in {e.code for e in form.errors.as_data().get("end_date", [])}
        for form in response.context["inline_admin_formsets"][1].formset.forms
    )


def test_shortening_a_program_past_its_project_is_a_form_error(japanese_staff):
    program = ProgramFactory(code="p", start_date=date(2010, 1, 1), end_date=date(2015, 12, 31))
    project = ProjectFactory(program=program, code="pr", start_date=date(2011, 1, 1), end_date=date(2014, 12, 31))
    response = japanese_staff.post(
        f"/admin/programs/program/{program.pk}/change/",
        {
            **program_form(code="p", title=program.title, start_date="2010-01-01", end_date="2013-12-31"),
            **no_rows("partnerships", "fundings"),
            **inline(
                "projects",
                [project_row("pr", "2011-01-01", "2014-12-31") | {"id": project.pk, "program": program.pk}],
                initial=1,
            ),
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.as_data()["end_date"][0].code == "project_outside_program"
    program.refresh_from_db()
    assert program.end_date == date(2015, 12, 31)


def test_a_value_before_the_baseline_is_a_form_error(japanese_staff):
    indicator = IndicatorFactory(baseline_date=date(2012, 1, 1))
    response = japanese_staff.post(
        "/admin/programs/measurement/add/",
        {"indicator": indicator.pk, "period_end": "2011-12-31", "value": "3", "source": "", "note": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.as_data()["period_end"][0].code == "before_baseline"
    assert not Measurement.objects.exists()


def test_the_program_admin_adds_and_changes_through_the_services(japanese_staff, staff_user, monkeypatch):
    called = []
    monkeypatch.setattr(ProgramAdmin, "create_service", recorded(services.program_create, called))
    monkeypatch.setattr(ProgramAdmin, "update_service", recorded(services.program_update, called))
    rows = no_rows("partnerships", "projects", "fundings")
    response = japanese_staff.post("/admin/programs/program/add/", {**program_form(), **rows})
    assert response.status_code == 302, response.context["errors"] if response.context else response
    program = Program.objects.get(code="idn-reform")
    response = japanese_staff.post(
        f"/admin/programs/program/{program.pk}/change/", {**program_form(title="Renamed"), **rows}
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert called == ["program_create", "program_update"]
    program.refresh_from_db()
    assert program.title == "Renamed"
    assert [entry.history_user for entry in program.history.all()] == [staff_user, staff_user]


def test_a_refusal_by_the_program_service_is_a_form_error(japanese_staff, monkeypatch):
    refusal = ValidationError(
        {
            "counterpart": ValidationError("Not a counterpart of this program.", code="refused_counterpart"),
            "partners": ValidationError("Name a partner first.", code="refused_partners"),
        }
    )
    monkeypatch.setattr(ProgramAdmin, "create_service", refusing(services.program_create, refusal))
    response = japanese_staff.post(
        "/admin/programs/program/add/", {**program_form(), **no_rows("partnerships", "projects", "fundings")}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert errors["counterpart"][0].code == "refused_counterpart"
    # A field the form does not show is reported above the form.
    assert [error.code for error in errors["__all__"]] == ["refused_partners"]
    assert not Program.all_objects.exists()
    assert not LogEntry.objects.exists()


def post_program_rows(client, program, *, partnerships=(), projects=(), title=None):
    """The program's change page sent back with these inline rows (existing rows first)."""
    existing = sum(1 for row in projects if row.get("id"))
    return client.post(
        f"/admin/programs/program/{program.pk}/change/",
        {
            **program_form(code=program.code, title=title or program.title, start_date="2010-01-01"),
            **inline("partnerships", list(partnerships), initial=len(partnerships)),
            **inline("projects", list(projects), initial=existing),
            **no_rows("fundings"),
        },
    )


def test_inline_rows_are_changed_deleted_and_added_through_their_services(japanese_staff, staff_user, monkeypatch):
    program = ProgramFactory(code="p", start_date=date(2010, 1, 1))
    partnership = ProgramPartnerFactory(program=program, role="implementing")
    old = ProjectFactory(program=program, code="old", start_date=date(2011, 1, 1))
    called = []
    monkeypatch.setattr(ProgramPartnerInline, "update_service", recorded(services.program_partner_update, called))
    monkeypatch.setattr(ProjectInline, "create_service", recorded(services.project_create, called))
    monkeypatch.setattr(ProjectInline, "delete_service", recorded(services.project_delete, called))
    partner_row = {"id": partnership.pk, "program": program.pk, "organization": partnership.organization_id}
    response = post_program_rows(
        japanese_staff,
        program,
        partnerships=[partner_row | {"role": "funding"}],
        projects=[
            project_row("old", "2011-01-01") | {"id": old.pk, "program": program.pk, "DELETE": "on"},
            project_row("new", "2012-01-01"),
        ],
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert called == ["program_partner_update", "project_delete", "project_create"]
    partnership.refresh_from_db()
    new = Project.objects.get()
    assert (partnership.role, new.code) == ("funding", "new")
    for record in (partnership, new):
        assert record.history.latest().history_user == staff_user
    assert Project.history.get(id=old.pk, history_type="-").history_user == staff_user


def test_a_refusal_by_an_inline_service_is_an_error_on_its_row(japanese_staff, monkeypatch):
    program = ProgramFactory(code="p", start_date=date(2010, 1, 1))
    refusal = ValidationError(
        {
            "title": ValidationError("Name the project after its purpose.", code="refused_title"),
            "fields": ValidationError("Name a field first.", code="refused_fields"),
        }
    )
    monkeypatch.setattr(ProjectInline, "create_service", refusing(services.project_create, refusal))
    response = post_program_rows(japanese_staff, program, projects=[project_row("new", "2012-01-01")], title="New")
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][1].formset.forms[0].errors.as_data()
    assert errors["title"][0].code == "refused_title"
    # A field the row does not show is reported above the row.
    assert [error.code for error in errors["__all__"]] == ["refused_fields"]
    program.refresh_from_db()
    assert program.title != "New"
    assert not Project.objects.exists()
    assert not LogEntry.objects.exists()


def test_a_refused_deletion_of_a_row_is_an_error_above_the_rows(japanese_staff, monkeypatch):
    program = ProgramFactory(code="p", start_date=date(2010, 1, 1))
    kept = ProjectFactory(program=program, code="kept", start_date=date(2011, 1, 1))
    refusal = ValidationError("This project has reports filed.", code="refused_delete")
    monkeypatch.setattr(ProjectInline, "delete_service", refusing(services.project_delete, refusal))
    row = project_row("kept", "2011-01-01") | {"id": kept.pk, "program": program.pk, "DELETE": "on"}
    response = post_program_rows(japanese_staff, program, projects=[row])
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][1].formset
    assert [error.code for error in formset.non_form_errors().as_data()] == ["refused_delete"]
    assert Project.objects.filter(pk=kept.pk).exists()


def test_deleting_a_program_with_projects_in_the_admin_archives_it(japanese_staff):
    project = ProjectFactory()
    response = japanese_staff.post(f"/admin/programs/program/{project.program.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Program.objects.filter(pk=project.program.pk).exists()
    assert Program.all_objects.get(pk=project.program.pk).archived_at is not None
    assert project.__class__.objects.filter(pk=project.pk).exists()


@pytest.mark.parametrize(
    "model,query,expected",
    [
        ("program", "country=PH", ["phl"]),
        ("program", "region=sea-a", ["idn", "phl"]),
        ("program", "status__exact=planned", ["phl"]),
        ("program", "partner=partner-a", ["idn"]),
        ("program", "year=2009", ["idn"]),
        ("program", "fields__id__exact={koban}", ["idn"]),
        ("program", "q=Philippine", ["phl"]),
        ("project", "country=ID", ["idn-project"]),
        ("project", "region=sea-a", ["idn-project", "phl-project"]),
        ("project", "partner=partner-a", ["idn-project"]),
        ("project", "year=2012", ["phl-project"]),
    ],
)
def test_admin_list_filters(japanese_staff, model, query, expected):
    koban = CooperationFieldFactory(code="koban")
    partner = OrganizationFactory(code="partner-a")
    RegionFactory(code="sea-a", countries=["ID", "PH"])
    idn = ProgramFactory(code="idn", country="ID", start_date=date(2001, 1, 1), end_date=date(2010, 12, 31))
    idn.fields.set([koban])
    idn.partnerships.create(organization=partner, role="funding")
    phl = ProgramFactory(
        code="phl", title="Philippine program", country="PH", start_date=date(2012, 1, 1), status="planned"
    )
    ProjectFactory(program=idn, code="idn-project", start_date=date(2002, 1, 1), end_date=date(2005, 1, 1))
    ProjectFactory(program=phl, code="phl-project", start_date=date(2012, 1, 1))
    response = japanese_staff.get(f"/admin/programs/{model}/?{query.format(koban=koban.pk)}")
    assert response.status_code == 200
    listed = sorted(obj.code for obj in response.context["cl"].result_list)
    assert listed == expected


@pytest.mark.parametrize("model", ["program", "project", "site", "funding", "indicator", "measurement", "event"])
def test_every_admin_page_opens(japanese_staff, model):
    MeasurementFactory()
    assert japanese_staff.get(f"/admin/programs/{model}/").status_code == 200
    assert japanese_staff.get(f"/admin/programs/{model}/add/").status_code == 200


def test_autocomplete_finds_programs_and_projects(japanese_staff):
    ProjectFactory(code="polmas-x", program=ProgramFactory(code="idn-x"))
    for model, term, field in (("program", "idn", "program"), ("project", "polmas", "project")):
        response = japanese_staff.get(
            "/admin/autocomplete/",
            {
                "term": term,
                "app_label": "programs",
                "model_name": "indicator" if model == "project" else "project",
                "field_name": field,
            },
        )
        assert response.status_code == 200
        assert len(response.json()["results"]) == 1


@pytest.mark.parametrize("query", ["year=abc", "year=99999", "partner=%00", "region=" + "x" * 80])
def test_a_malformed_filter_value_is_the_admins_notice_not_an_error(japanese_staff, query):
    # Filters with choices to offer are applied; give each one some.
    ProgramPartnerFactory(program=ProgramFactory())
    RegionFactory()
    response = japanese_staff.get(f"/admin/programs/program/?{query}")
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_the_archive_filter_reads_current_archived_all(client, staff_user):
    client.force_login(staff_user)
    changelist = client.get("/admin/programs/program/").context["cl"]
    (archive_filter,) = [spec for spec in changelist.filter_specs if getattr(spec, "parameter_name", "") == "archived"]
    shown = [(str(choice["display"]), choice["selected"]) for choice in archive_filter.choices(changelist)]
    assert shown == [("Current", True), ("Archived", False), ("All", False)]
