"""The deployments and enrollments lists: flat query counts, and cursor pages for sync clients.

The rows (55 deployments, 55 enrollments with their history) are written once for the
module and only read by its tests. A cursor walk reads the whole list in five pages, a
request each: the walks take a second or two, the price of checking every page's edge.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from conftest import make_other_org, make_partner_org
from dispatch.api.views import DeploymentViewSet
from dispatch.models import ChecklistItem
from dispatch.tests.factories import DeploymentFactory, ExpertFactory, ProjectFactory, partner_in
from trainees.api.views import CourseViewSet, EnrollmentViewSet
from trainees.models import EnrollmentStatus
from trainees.tests.factories import CourseFactory, EnrollmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("listed_partner")]

ROWS = 55
OUTSIDE = 4


@pytest.fixture(scope="module")
def listed_partner(module_transaction, django_db_blocker):
    """A partner with ROWS deployments and ROWS enrollments in its scope, and a few outside it."""
    with django_db_blocker.unblock():
        partner = make_partner_org()
        project = ProjectFactory()
        partner_in(project.program, partner)
        elsewhere = ProjectFactory()
        for number in range(ROWS + OUTSIDE):
            # One in three has departed (an expert, an actual start); the rest sort as NULLs.
            # The newest (the first page) include departed ones, so every page names experts.
            departed = number % 3 == 2
            deployment = DeploymentFactory(
                project=project if number < ROWS else elsewhere,
                expert=ExpertFactory() if departed else None,
                status="deployed" if departed else "requested",
                # Few distinct dates: ties that only the id breaks.
                planned_start=date(2001 + number % 9, 1 + number % 12, 1),
                planned_end=date(2001 + number % 9, 1 + number % 12, 28),
                actual_start=date(2001 + number % 9, 1 + number % 12, 2) if departed else None,
            )
            ChecklistItem.objects.create(deployment=deployment, kind="passport", required=True)
        courses = CourseFactory.create_batch(4, capacity=100)
        other = make_other_org()
        for number in range(ROWS + OUTSIDE):
            completed = number % 4 == 0
            enrollment = EnrollmentFactory(
                course=courses[number % 4],
                nominated_by=partner if number < ROWS else other,
                status=EnrollmentStatus.COMPLETED if completed else EnrollmentStatus.NOMINATED,
            )
            enrollment.status_changes.create(from_status="", to_status="nominated")
            if completed:
                enrollment.status_changes.create(from_status="nominated", to_status="completed")
    return partner


@pytest.fixture
def partner_org(listed_partner):
    """The coordinator works for the partner whose rows the module wrote."""
    return listed_partner


def _get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def _all_by_page(client, url, **params):
    found = []
    page = 1
    while True:
        body = _get(client, url, page=page, page_size=200, **params)
        found += [row["id"] for row in body["results"]]
        if body["next"] is None:
            return found
        page += 1


def _walk(client, url, **params):
    """Every id, following `next` from an empty cursor; and the pages' bodies."""
    body = _get(client, url, cursor="", page_size=12, **params)
    pages = [body]
    while body["next"] is not None:
        response = client.get(body["next"])
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body)
    return [row["id"] for page in pages for row in page["results"]], pages


LISTS = ["/api/v1/deployments/", "/api/v1/enrollments/"]


# --- query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("who", ["staff_api", "coordinator_api"])
@pytest.mark.parametrize("mode", [{}, {"cursor": ""}], ids=["pages", "cursor"])
def test_queries_do_not_grow_with_the_page(request, django_assert_num_queries, url, who, mode):
    client = request.getfixturevalue(who)
    client.get(url, {"page_size": 1, **mode})  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as small:
        body = _get(client, url, page_size=5, **mode)
        assert len(body["results"]) == 5
        if "deployments" in url:  # the small page references experts too: it pays their lookups
            assert any(row["expert"] for row in body["results"])
    with django_assert_num_queries(len(small)):
        assert len(_get(client, url, page_size=50, **mode)["results"]) == 50


@pytest.mark.parametrize("url", LISTS)
def test_partner_count_reads_no_more_tables_than_the_scope_needs(coordinator_api, url):
    with CaptureQueriesContext(connection) as captured:
        assert _get(coordinator_api, url, page_size=5)["count"] == ROWS
    counts = [query["sql"] for query in captured if query["sql"].startswith("SELECT COUNT(")]
    assert len(counts) == 1
    assert " JOIN " not in counts[0].split(" WHERE ")[0], counts[0]


# --- cursor pages -------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("who", ["staff_api", "coordinator_api"])
def test_a_cursor_walk_lists_what_the_pages_list_in_their_order(request, url, who):
    client = request.getfixturevalue(who)
    ids, pages = _walk(client, url)
    assert ids == _all_by_page(client, url)
    assert len(ids) == (ROWS if who == "coordinator_api" else ROWS + OUTSIDE)
    assert all("count" not in page for page in pages)
    assert pages[0]["previous"] is None and pages[-1]["next"] is None


@pytest.mark.parametrize(
    ("url", "ordering"),
    [
        ("/api/v1/deployments/", "actual_start"),  # NULLs last
        ("/api/v1/deployments/", "-actual_start"),  # NULLs first
        ("/api/v1/deployments/", "status,-planned_end"),
        ("/api/v1/enrollments/", "-course__start_date"),
        ("/api/v1/enrollments/", "status"),
    ],
)
def test_a_cursor_walk_follows_any_offered_ordering(staff_api, url, ordering):
    """A list ordered by a column with ties (no id appended) pages in an order that only
    the column fixes: both walks list every row once, and the columns read alike."""
    _ids, pages = _walk(staff_api, url, ordering=ordering)
    walked = [row for page in pages for row in page["results"]]
    listed = []
    for number in (1, 2):
        listed += _get(staff_api, url, ordering=ordering, page=number, page_size=50)["results"]
    assert sorted(row["id"] for row in walked) == sorted(row["id"] for row in listed)
    assert len({row["id"] for row in walked}) == len(walked)
    columns = [term.lstrip("-") for term in ordering.split(",") if "__" not in term]
    assert [[row[name] for name in columns] for row in walked] == [[row[name] for name in columns] for row in listed]


def test_previous_walks_back_over_the_same_pages(staff_api):
    _ids, pages = _walk(staff_api, "/api/v1/deployments/")
    back = []
    body = pages[-1]
    while body["previous"] is not None:
        body = staff_api.get(body["previous"]).json()
        back.append([row["id"] for row in body["results"]])
    assert back == [[row["id"] for row in page["results"]] for page in reversed(pages[:-1])]


def test_a_cursor_page_counts_nothing_and_skips_nothing(coordinator_api):
    first = _get(coordinator_api, "/api/v1/enrollments/", cursor="", page_size=5)
    with CaptureQueriesContext(connection) as captured:
        response = coordinator_api.get(first["next"])
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in captured)
    assert "COUNT(" not in sql.upper() and "OFFSET" not in sql.upper()


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "eyJrIjoicGsiLCJiIjpmYWxzZSwidiI6WyJ4Il19"},  # a wrong value for the id
        {"cursor": "", "page": "2"},
    ],
)
def test_a_bad_cursor_is_a_400_on_the_cursor(staff_api, params):
    response = staff_api.get("/api/v1/deployments/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and list(error["fields"]) == ["cursor"]


def test_a_cursor_of_another_ordering_is_refused(staff_api):
    first = _get(staff_api, "/api/v1/deployments/", cursor="", page_size=5)
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    response = staff_api.get("/api/v1/deployments/", {"cursor": cursor, "ordering": "status"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["cursor"]


def test_links_are_those_of_the_record(staff_api):
    rows = _get(staff_api, "/api/v1/enrollments/", page_size=50)["results"]
    for row in rows:
        assert row["url"] == f"http://testserver/api/v1/enrollments/{row['id']}/"
        if row["status"] == "completed":
            assert row["certificate_url"] == f"http://testserver/trainees/certificates/{row['id']}/"
        else:
            assert row["certificate_url"] is None


# --- rows written from a plan ----------------------------------------------------------------


@pytest.mark.parametrize("viewset", [DeploymentViewSet, EnrollmentViewSet, CourseViewSet])
@pytest.mark.parametrize("who", ["staff_user", "coordinator_user"])
def test_rows_are_written_as_drf_writes_them(request, viewset, who):
    """The row plan (cooperation.api.rows) gives DRF's own JSON, byte for byte, for every
    row of a page read as the list reads it, in Japanese (display strings and labels)."""
    user = request.getfixturevalue(who)
    answer = Request(APIRequestFactory().get("/"))
    answer.user = user
    rows = list(viewset.queryset.restrict(user, "view").order_by("pk"))
    assert rows
    with translation.override("ja"):
        planned = viewset.serializer_class(rows, many=True, context={"request": answer})
        reference = viewset.serializer_class(rows, many=True, context={"request": answer})
        by_drf = [serializers.Serializer.to_representation(reference.child, row) for row in rows]
        assert JSONRenderer().render(planned.data) == JSONRenderer().render(by_drf)


def test_each_serializer_gets_fields_of_its_own(staff_user):
    """The fields are built once per class and copied for each serializer: binding a copy
    to one serializer (or changing what it offers) leaves the next serializer's alone."""
    factory = APIRequestFactory()

    def serializer():
        request = Request(factory.get("/"))
        request.user = staff_user
        return DeploymentViewSet.serializer_class(context={"request": request})

    first, second = serializer(), serializer()
    first.fields["kind"].choices = [("training", "Training")]
    for name, field in second.fields.items():
        assert field.parent is second and field.field_name == name
        assert field is not first.fields[name]
    assert dict(second.fields["kind"].choices) != dict(first.fields["kind"].choices)
