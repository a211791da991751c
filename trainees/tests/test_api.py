"""The courses, trainees, enrollments and delegations resources: scope, privacy, actions, cost."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import token_client
from cooperation.models import Organization
from cooperation.roles import PARTNER_COORDINATOR
from cooperation.tests.factories import CooperationFieldFactory, OrganizationFactory, RegionFactory, UserFactory
from trainees.models import Course, Enrollment, EnrollmentStatus, Trainee

from .factories import CourseFactory, DelegationFactory, EnrollmentFactory, TraineeFactory

pytestmark = pytest.mark.django_db

S = EnrollmentStatus
PERSONAL = {"date_of_birth", "email", "phone", "passport_number", "passport_expiry"}


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


@pytest.fixture
def police_org(db):
    """A recipient police agency of the Philippines."""
    return OrganizationFactory(code="pnp-test", name="Philippine National Police (test)", country="PH")


@pytest.fixture
def police_api(police_org):
    return token_client(UserFactory(role=PARTNER_COORDINATOR, organization=police_org))


# --- what partners see ------------------------------------------------------------------


def test_a_recipient_agency_sees_open_courses_for_its_country_and_those_it_nominated_to(police_api, police_org):
    for_anyone = CourseFactory(target_countries=[])
    for_ph = CourseFactory(target_countries=["PH", "VN"])
    for_others = CourseFactory(target_countries=["ID"])
    planned = CourseFactory(status=Course.Status.PLANNED, target_countries=["PH"])
    held_with_nominee = CourseFactory(status=Course.Status.HELD, target_countries=["ID"])
    EnrollmentFactory(course=held_with_nominee, nominated_by=police_org)
    visible = ids(police_api.get("/api/v1/courses/"))
    assert visible == {for_anyone.pk, for_ph.pk, held_with_nominee.pk}
    assert police_api.get(f"/api/v1/courses/{for_others.pk}/").status_code == 404
    assert police_api.get(f"/api/v1/courses/{planned.pk}/").status_code == 404


def test_a_coordinating_agency_sees_every_open_course(coordinator_api):
    open_courses = {CourseFactory(target_countries=["ID"]).pk, CourseFactory(target_countries=["KE"]).pk}
    CourseFactory(status=Course.Status.CLOSED)
    assert ids(coordinator_api.get("/api/v1/courses/")) == open_courses


def test_partners_see_their_own_enrollments_and_those_trainees_only(coordinator_api, partner_org, other_org):
    course = CourseFactory()
    mine = EnrollmentFactory(course=course, nominated_by=partner_org)
    theirs = EnrollmentFactory(course=course, nominated_by=other_org)
    # The same person nominated by both organizations to two courses.
    shared = EnrollmentFactory(nominated_by=other_org, trainee=mine.trainee)
    assert ids(coordinator_api.get("/api/v1/enrollments/")) == {mine.pk}
    assert coordinator_api.get(f"/api/v1/enrollments/{theirs.pk}/").status_code == 404
    assert ids(coordinator_api.get("/api/v1/trainees/")) == {mine.trainee_id}
    assert coordinator_api.get(f"/api/v1/trainees/{theirs.trainee_id}/").status_code == 404
    detail = coordinator_api.get(f"/api/v1/trainees/{mine.trainee_id}/").json()
    assert [e["id"] for e in detail["enrollments"]] == [mine.pk]
    assert shared.pk not in {e["id"] for e in detail["enrollments"]}


def test_delegations_are_not_for_partners(coordinator_api, manager_api):
    delegation = DelegationFactory()
    assert coordinator_api.get("/api/v1/delegations/").status_code == 403
    assert ids(manager_api.get("/api/v1/delegations/")) == {delegation.pk}


# --- personal data ----------------------------------------------------------------------


def test_personal_data_is_absent_for_managers_and_coordinators(staff_api, manager_api, coordinator_api, partner_org):
    enrollment = EnrollmentFactory(nominated_by=partner_org)
    url = f"/api/v1/trainees/{enrollment.trainee_id}/"
    staff_view = staff_api.get(url).json()
    assert set(staff_view) >= PERSONAL
    assert staff_view["passport_number"] == enrollment.trainee.passport_number
    for client in (manager_api, coordinator_api):
        detail = client.get(url).json()
        assert not PERSONAL & set(detail), detail
        listed = client.get("/api/v1/trainees/").json()["results"][0]
        assert not PERSONAL & set(listed)
        assert detail["family_name"] == enrollment.trainee.family_name


def test_personal_data_cannot_be_probed_through_search_or_ordering(coordinator_api, partner_org):
    enrollment = EnrollmentFactory(nominated_by=partner_org)
    passport = enrollment.trainee.passport_number
    assert ids(coordinator_api.get("/api/v1/trainees/", {"search": passport})) == set()
    ordered = coordinator_api.get("/api/v1/trainees/", {"ordering": "date_of_birth"})
    # Not a sort key: refused like any unknown field, without offering personal ones.
    assert ordered.status_code == 400
    assert ordered.json()["error"]["fields"]["ordering"][0]["code"] == "invalid_ordering"
    assert "date_of_birth" not in ordered.json()["error"]["fields"]["ordering"][0]["message"].split(";")[1]


# --- nominating and withdrawing ---------------------------------------------------------


NEW_PERSON = {
    "family_name": "Soares",
    "given_name": "Ana",
    "gender": "female",
    "date_of_birth": "1987-09-12",
    "nationality": "TL",
    "rank": "Inspector",
    "passport_number": "TL1234567",
}


def test_a_coordinator_nominates_a_new_person_and_sees_no_personal_data_back(coordinator_api, partner_org):
    course = CourseFactory()
    response = coordinator_api.post(
        "/api/v1/enrollments/", {"course": course.pk, "new_trainee": NEW_PERSON, "note": "Top of the class"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == S.NOMINATED
    assert body["nominated_by"]["code"] == partner_org.code
    trainee = Trainee.objects.get(family_name="Soares")
    assert (trainee.passport_number, body["trainee"]["id"]) == ("TL1234567", trainee.pk)
    assert body["status_changes"][0]["note"] == "Top of the class"
    again = coordinator_api.post("/api/v1/enrollments/", {"course": CourseFactory().pk, "new_trainee": NEW_PERSON})
    assert again.status_code == 201
    assert again.json()["trainee"]["id"] == trainee.pk
    assert Trainee.objects.filter(family_name="Soares").count() == 1


def test_a_coordinator_cannot_nominate_for_another_organization(coordinator_api, other_org):
    course = CourseFactory()
    response = coordinator_api.post(
        "/api/v1/enrollments/", {"course": course.pk, "new_trainee": NEW_PERSON, "nominated_by": other_org.code}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["nominated_by"][0]["code"] == "own_organization"
    assert not Enrollment.objects.exists()


def test_a_coordinator_cannot_nominate_to_a_course_outside_its_scope(police_api):
    hidden = CourseFactory(target_countries=["ID"])
    response = police_api.post("/api/v1/enrollments/", {"course": hidden.pk, "new_trainee": NEW_PERSON})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["course"][0]["code"] == "does_not_exist"
    assert not Trainee.objects.exists()


def test_a_nomination_after_the_deadline_is_a_400_naming_it(coordinator_api):
    deadline = timezone.localdate() - timedelta(days=1)
    course = CourseFactory(start_date=deadline + timedelta(days=5), nomination_deadline=deadline)
    response = coordinator_api.post("/api/v1/enrollments/", {"course": course.pk, "new_trainee": NEW_PERSON})
    assert response.status_code == 400
    error = response.json()["error"]["fields"]["course"][0]
    assert error["code"] == "deadline_passed"
    assert deadline.isoformat() in error["message"]
    assert not Enrollment.objects.exists()
    # Nothing half-done: the new person was not kept either.
    assert not Trainee.objects.exists()


def test_trainee_or_new_trainee_is_required(staff_api):
    response = staff_api.post("/api/v1/enrollments/", {"course": CourseFactory().pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["trainee"][0]["code"] == "trainee_or_new_trainee"


def test_a_coordinator_withdraws_its_own_nominee_only(coordinator_api, partner_org, other_org):
    mine = EnrollmentFactory(nominated_by=partner_org, status=S.ACCEPTED)
    waiting = EnrollmentFactory(course=mine.course, status=S.WAITLISTED)
    theirs = EnrollmentFactory(nominated_by=other_org)
    response = coordinator_api.post(f"/api/v1/enrollments/{mine.pk}/withdraw/", {"note": "Visa refused"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == S.WITHDRAWN
    waiting.refresh_from_db()
    assert waiting.status == S.ACCEPTED
    assert coordinator_api.post(f"/api/v1/enrollments/{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.NOMINATED


def test_withdrawing_twice_is_a_clear_400(coordinator_api, partner_org):
    enrollment = EnrollmentFactory(nominated_by=partner_org, status=S.WITHDRAWN)
    response = coordinator_api.post(f"/api/v1/enrollments/{enrollment.pk}/withdraw/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["status"][0]["code"] == "transition_not_allowed"


def test_only_staff_move_enrollments(coordinator_api, manager_api, partner_org):
    enrollment = EnrollmentFactory(nominated_by=partner_org)
    assert (
        coordinator_api.post(f"/api/v1/enrollments/{enrollment.pk}/transition/", {"to": "accepted"}).status_code == 403
    )
    assert manager_api.post(f"/api/v1/enrollments/{enrollment.pk}/transition/", {"to": "accepted"}).status_code == 403
    assert coordinator_api.patch(f"/api/v1/enrollments/{enrollment.pk}/", {"evaluation": "x"}).status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == S.NOMINATED


def test_staff_move_an_enrollment_to_completion(staff_api):
    enrollment = EnrollmentFactory(status=S.ARRIVED)
    url = f"/api/v1/enrollments/{enrollment.pk}/transition/"
    incomplete = staff_api.post(url, {"to": "completed"})
    assert incomplete.status_code == 400
    assert incomplete.json()["error"]["fields"]["action_plan"][0]["code"] == "required_for_completion"
    done = staff_api.post(url, {"to": "completed", "action_plan": "Train 40 officers", "evaluation": "Very good"})
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["status"] == S.COMPLETED
    assert body["certificate_number"].startswith(f"NPA-{enrollment.course.end_date.year}-{enrollment.course.code}-")
    assert body["certificate_url"].endswith(f"/trainees/certificates/{enrollment.pk}/")
    assert [c["to_status"] for c in body["status_changes"]] == [S.COMPLETED]


def test_staff_acceptance_into_a_full_course_answers_waitlisted(staff_api):
    course = CourseFactory(capacity=1)
    EnrollmentFactory(course=course, status=S.ACCEPTED)
    enrollment = EnrollmentFactory(course=course)
    response = staff_api.post(f"/api/v1/enrollments/{enrollment.pk}/transition/", {"to": "accepted"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["waitlist_position"]) == (S.WAITLISTED, 1)


def test_enrollments_are_never_deleted_and_their_parties_never_change(staff_api):
    enrollment = EnrollmentFactory()
    assert staff_api.delete(f"/api/v1/enrollments/{enrollment.pk}/").status_code == 405
    response = staff_api.patch(f"/api/v1/enrollments/{enrollment.pk}/", {"course": CourseFactory().pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["course"][0]["code"] == "fixed_after_nomination"
    ok = staff_api.patch(f"/api/v1/enrollments/{enrollment.pk}/", {"evaluation": "Keen"})
    assert ok.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.evaluation == "Keen"


# --- staff keep the records -------------------------------------------------------------


def test_staff_create_a_course_with_fields_and_targets(staff_api, npa):
    field = CooperationFieldFactory(code="koban")
    start = timezone.localdate() + timedelta(days=90)
    payload = {
        "code": "KOBAN27",
        "title": "Community policing (Koban)",
        "title_ja": "地域警察（交番）",
        "kind": "jica_group_region",
        "host": npa.code,
        "fields": ["koban"],
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=20)).isoformat(),
        "capacity": 12,
        "nomination_deadline": (start - timedelta(days=30)).isoformat(),
        "target_countries": ["ID", "PH"],
        "status": "open",
    }
    response = staff_api.post("/api/v1/courses/", payload)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["seats_taken"], body["seats_left"], body["fields"][0]["code"]) == (0, 12, "koban")
    assert set(Course.objects.get(code="KOBAN27").fields.all()) == {field}
    bad = staff_api.post("/api/v1/courses/", {**payload, "code": "X", "capacity": 0, "target_countries": ["ZZ"]})
    assert bad.status_code == 400
    assert {"capacity", "target_countries"} <= set(bad.json()["error"]["fields"])
    unknown = staff_api.post("/api/v1/courses/", {**payload, "code": "KOBAN28", "language": "xx"})
    assert unknown.status_code == 400
    (error,) = unknown.json()["error"]["fields"]["language"]
    assert error["code"] == "unknown_language"


def test_a_duplicate_trainee_is_a_400_naming_the_record(staff_api):
    first = TraineeFactory(family_name="Soares", given_name="Ana", nationality="TL", date_of_birth=date(1987, 9, 12))
    response = staff_api.post("/api/v1/trainees/", {**NEW_PERSON, "family_name": "SOARES ", "given_name": "ana"})
    assert response.status_code == 400
    error = response.json()["error"]["fields"]["non_field_errors"][0]
    assert error["code"] == "duplicate_trainee"
    assert f"#{first.pk}" in error["message"]
    assert Trainee.objects.count() == 1


def test_staff_record_delegations(staff_api):
    payload = {
        "title": "Vietnamese Ministry of Public Security",
        "start_date": "2012-10-01",
        "end_date": "2012-10-05",
        "country": "VN",
        "visitors": 12,
        "facilities_visited": ["koban", "communications_command_center"],
    }
    assert staff_api.post("/api/v1/delegations/", payload).status_code == 201
    bad = staff_api.post("/api/v1/delegations/", {**payload, "visitors": 0, "end_date": "2012-09-01"})
    assert bad.status_code == 400
    assert "visitors" in bad.json()["error"]["fields"]


def test_list_filters(staff_api):
    region = RegionFactory(code="sea", countries=["PH", "VN"])
    ph = CourseFactory(target_countries=["PH"])
    CourseFactory(target_countries=["KE"])
    assert ids(staff_api.get("/api/v1/courses/", {"region": region.code})) == {ph.pk}
    vn = DelegationFactory(country="VN", start_date=date(2012, 5, 1))
    DelegationFactory(country="KE", start_date=date(2012, 5, 1))
    DelegationFactory(country="VN", start_date=date(2013, 5, 1))
    assert ids(staff_api.get("/api/v1/delegations/", {"region": "sea", "year": 2012})) == {vn.pk}
    female = TraineeFactory(gender="female", nationality="PH")
    TraineeFactory(gender="male", nationality="PH")
    assert ids(staff_api.get("/api/v1/trainees/", {"gender": "female", "region": "sea"})) == {female.pk}


def test_courses_filter_by_any_of_several_fields(staff_api):
    koban, traffic, drugs = (CooperationFieldFactory(code=code) for code in ("koban-c", "traffic-c", "drugs-c"))
    community = CourseFactory()
    community.fields.set([koban])
    roads = CourseFactory()
    roads.fields.set([traffic, koban])
    CourseFactory().fields.set([drugs])
    CourseFactory()
    assert ids(staff_api.get("/api/v1/courses/", {"field": "koban-c"})) == {community.pk, roads.pk}
    # Repeated, the parameter keeps courses in any of the fields, each once.
    both = staff_api.get("/api/v1/courses/", {"field": ["koban-c", "traffic-c"]})
    assert ids(both) == {community.pk, roads.pk}
    assert both.json()["count"] == 2
    assert staff_api.get("/api/v1/courses/", {"field": ["koban-c", "nothing"]}).status_code == 400


# --- cost -------------------------------------------------------------------------------


def _queries_for(client, url, page_size):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("resource", ["courses", "trainees", "enrollments", "delegations", "course-visits"])
def test_list_queries_do_not_grow_with_the_page(resource, staff_api, coordinator_api, partner_org):
    host = OrganizationFactory(kind=Organization.Kind.POLICE_ACADEMY)
    fields = [CooperationFieldFactory(), CooperationFieldFactory()]
    for _ in range(12):
        course = CourseFactory(host=host)
        course.fields.set(fields)
        course.visits.create(date=course.start_date, place="Koban", kind="koban")
        enrollment = EnrollmentFactory(course=course, nominated_by=partner_org, status=S.ACCEPTED)
        enrollment.status_changes.create(from_status="nominated", to_status="accepted")
        DelegationFactory()
    client = coordinator_api if resource in ("enrollments", "trainees") else staff_api
    client.get(f"/api/v1/{resource}/")
    small, small_rows = _queries_for(client, f"/api/v1/{resource}/", 2)
    large, large_rows = _queries_for(client, f"/api/v1/{resource}/", 12)
    assert (small_rows, large_rows) == (2, 12)
    assert small == large
