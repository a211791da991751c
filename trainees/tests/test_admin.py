"""The staff's door: seat counts, enrollment actions through the service, search, delegations by year."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cooperation.tests.service_doubles import refusing
from cooperation.validation import refusal
from trainees import services
from trainees.admin import CourseVisitInline
from trainees.models import CourseVisit, Enrollment, EnrollmentStatus, Trainee

from .factories import CourseFactory, DelegationFactory, EnrollmentFactory, TraineeFactory

pytestmark = pytest.mark.django_db

S = EnrollmentStatus


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _act(admin_client, action, enrollments):
    response = admin_client.post(
        "/admin/trainees/enrollment/",
        {"action": action, "_selected_action": [e.pk for e in enrollments]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_course_list_shows_seats_taken_and_waitlisted(admin_client):
    course = CourseFactory(code="SEATS1", capacity=3)
    for status in (S.ACCEPTED, S.ARRIVED, S.WAITLISTED, S.NOMINATED, S.WITHDRAWN):
        EnrollmentFactory(course=course, status=status)
    response = admin_client.get("/admin/trainees/course/", {"q": "SEATS1"})
    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.seats_taken, row.waitlisted) == (2, 1)
    assert admin_client.get(f"/admin/trainees/course/{course.pk}/change/").status_code == 200


def test_accept_action_uses_the_service_and_reports_the_waitlist(admin_client):
    course = CourseFactory(capacity=1)
    first, second = EnrollmentFactory(course=course), EnrollmentFactory(course=course)
    messages = _act(admin_client, "mark_accepted", [first, second])
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.status, second.status} == {S.ACCEPTED, S.WAITLISTED}
    assert any("waitlisted at position 1" in m for m in messages)
    assert Enrollment.objects.get(status=S.ACCEPTED).status_changes.count() == 1


def test_refusals_become_admin_messages(admin_client):
    arrived = EnrollmentFactory(status=S.ARRIVED)
    withdrawn = EnrollmentFactory(status=S.WITHDRAWN)
    messages = _act(admin_client, "mark_completed", [arrived, withdrawn])
    assert any("action plan" in m for m in messages)
    assert any("not allowed" in m for m in messages)
    arrived.refresh_from_db()
    assert arrived.status == S.ARRIVED


def test_complete_action_after_the_outcome_is_recorded(admin_client):
    enrollment = EnrollmentFactory(status=S.ARRIVED, action_plan="Plan", evaluation="Good")
    _act(admin_client, "mark_completed", [enrollment])
    enrollment.refresh_from_db()
    assert enrollment.status == S.COMPLETED
    assert enrollment.certificate_number


def test_waitlist_action(admin_client):
    enrollment = EnrollmentFactory()
    messages = _act(admin_client, "mark_waitlisted", [enrollment])
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.waitlist_position) == (S.WAITLISTED, 1)
    assert messages == ["1 enrollment moved to “waitlisted”."]


def test_the_action_message_counts_in_the_plural(admin_client):
    enrollments = EnrollmentFactory.create_batch(2, status=S.ACCEPTED)
    assert _act(admin_client, "mark_withdrawn", enrollments) == ["2 enrollments moved to “withdrawn”."]


def test_trainee_search_finds_people_across_courses(admin_client):
    person = TraineeFactory(family_name="Rahman")
    EnrollmentFactory(trainee=person, course=CourseFactory(code="DRUG12"))
    EnrollmentFactory(trainee=person, course=CourseFactory(code="CYBER13", start_date=date(2030, 1, 1)))
    TraineeFactory(family_name="Other")
    for query in ("rahman", "CYBER13", "DRUG12", person.passport_number):
        response = admin_client.get("/admin/trainees/trainee/", {"q": query})
        assert [t.pk for t in response.context["cl"].result_list] == [person.pk], query
    listed = admin_client.get("/admin/trainees/trainee/", {"q": "rahman"}).context["cl"].result_list[0]
    assert listed.course_count == 2


def test_a_duplicate_trainee_is_a_form_error_naming_the_record(admin_client, partner_org):
    first = TraineeFactory(family_name="Lim", given_name="Wei", nationality="SG", date_of_birth=date(1990, 2, 3))
    response = admin_client.post(
        "/admin/trainees/trainee/add/",
        {
            "family_name": "LIM",
            "given_name": "wei ",
            "gender": "male",
            "date_of_birth": "1990-02-03",
            "nationality": "SG",
            "enrollments-TOTAL_FORMS": "0",
            "enrollments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert f"#{first.pk}" in str(response.context["adminform"].form.non_field_errors())
    assert Trainee.objects.count() == 1


def test_an_admin_nomination_after_the_deadline_is_a_form_error(admin_client, partner_org):
    deadline = timezone.localdate() - timedelta(days=3)
    course = CourseFactory(start_date=deadline + timedelta(days=10), nomination_deadline=deadline)
    trainee = TraineeFactory()
    response = admin_client.post(
        "/admin/trainees/enrollment/add/",
        {
            "course": course.pk,
            "trainee": trainee.pk,
            "nominated_by": partner_org.pk,
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert deadline.isoformat() in str(response.context["adminform"].form.non_field_errors())
    assert not Enrollment.objects.exists()


def test_an_admin_nomination_goes_through_the_service(admin_client, partner_org):
    course, trainee = CourseFactory(), TraineeFactory()
    response = admin_client.post(
        "/admin/trainees/enrollment/add/",
        {
            "course": course.pk,
            "trainee": trainee.pk,
            "nominated_by": partner_org.pk,
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert list(enrollment.status_changes.values_list("to_status", flat=True)) == [S.NOMINATED]


def test_delegations_drill_down_by_year(admin_client):
    in_2012 = DelegationFactory(start_date=date(2012, 4, 1))
    DelegationFactory(start_date=date(2013, 4, 1))
    response = admin_client.get("/admin/trainees/delegation/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "?start_date__year=2012" in page and "?start_date__year=2013" in page
    by_year = admin_client.get("/admin/trainees/delegation/", {"start_date__year": 2012})
    assert [d.pk for d in by_year.context["cl"].result_list] == [in_2012.pk]


def course_page_with_visit(admin_client, course, visit: dict) -> tuple[str, dict]:
    """The course's change page and its data as sent back, with one site visit added."""
    url = f"/admin/trainees/course/{course.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data.update({f"visits-0-{name}": value for name, value in visit.items()})
    data.update({"visits-TOTAL_FORMS": "1", "visits-INITIAL_FORMS": "0"})
    data.update({"enrollments-TOTAL_FORMS": "0", "enrollments-INITIAL_FORMS": "0"})
    return url, data


def test_a_site_visit_added_on_the_course_page_goes_through_the_service(admin_client, staff_user, monkeypatch):
    course = CourseFactory()
    called = []

    def create(**kwargs):
        called.append(kwargs)
        return services.course_visit_create(**kwargs)

    monkeypatch.setattr(CourseVisitInline, "create_service", staticmethod(create))
    visit = {"date": course.start_date.isoformat(), "kind": "koban", "place": "Shinjuku Koban"}
    response = admin_client.post(*course_page_with_visit(admin_client, course, visit))
    assert response.status_code == 302, response.context["errors"] if response.context else response
    (kwargs,) = called
    assert (kwargs["course"], kwargs["actor"]) == (course, staff_user)
    saved = CourseVisit.objects.get(course=course)
    assert (saved.place, saved.history.latest().history_user) == ("Shinjuku Koban", staff_user)


def test_a_refused_site_visit_is_an_error_on_its_row(admin_client, monkeypatch):
    """Over a second: the course page is read, and the refused save builds it a second time."""
    course = CourseFactory(title="Before")
    refused = refusal("place", "The host has not agreed to this visit.", "refused_place")
    monkeypatch.setattr(CourseVisitInline, "create_service", refusing(services.course_visit_create, refused))
    url, data = course_page_with_visit(
        admin_client, course, {"date": course.start_date.isoformat(), "kind": "koban", "place": "Shinjuku Koban"}
    )
    response = admin_client.post(url, {**data, "title": "After"})
    assert response.status_code == 200
    visits = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "visits")
    assert visits.forms[0].errors.as_data()["place"][0].code == "refused_place"
    assert not CourseVisit.objects.exists()
    course.refresh_from_db()
    assert course.title == "Before"


def test_a_course_language_is_picked_by_name_from_the_experts_list(admin_client):
    """About a second: the course page is read, then sent back with a known and an unknown code."""
    course = CourseFactory(language="en")
    url, data = course_page_with_visit(admin_client, course, {})
    data.update({"visits-TOTAL_FORMS": "0"})
    page = admin_client.get(url).content.decode()
    assert '<select name="language"' in page
    assert '<option value="tl">Tagalog</option>' in page
    assert admin_client.post(url, {**data, "language": "tl"}).status_code == 302
    course.refresh_from_db()
    assert course.language == "tl"
    refused = admin_client.post(url, {**data, "language": "xx"})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["language"] == [
        "“xx” is not an ISO 639-1 language code (two lowercase letters, e.g. en, id, tl)."
    ]
