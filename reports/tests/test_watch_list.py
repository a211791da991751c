"""The dashboard's watch list: one case of each kind, seen by staff in full and by managers in counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch.choices import DeploymentStatus
from dispatch.tests.factories import DeploymentFactory, ExpertFactory
from duty.models import Incident, RollCallEntry
from reports.watchlist import watch_list
from trainees.models import EnrollmentStatus
from trainees.tests.factories import CourseFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db


def build_watch_cases():
    """One official or course for each section; returns the expert whose passport runs out."""
    today = timezone.localdate()
    DeploymentFactory(
        status=DeploymentStatus.NOMINATED, planned_start=today + timedelta(days=10), planned_end=today + timedelta(100)
    )
    DeploymentFactory(
        status=DeploymentStatus.DEPLOYED,
        planned_start=today - timedelta(days=30),
        actual_start=today - timedelta(days=30),
        planned_end=today + timedelta(days=300),
    )
    expert = ExpertFactory(passport_expiry=today + timedelta(days=60))
    course = CourseFactory(
        start_date=today + timedelta(days=10),
        end_date=today + timedelta(days=20),
        nomination_deadline=today + timedelta(days=5),
        capacity=5,
    )
    EnrollmentFactory(course=course, status=EnrollmentStatus.NOMINATED)
    CourseFactory()  # starts in two months: not yet on the list
    incident = Incident.objects.create(
        kind="flood", title="Flood in Manila", countries=["PH"], occurred_at=timezone.now()
    )
    RollCallEntry.objects.create(incident=incident, expert=ExpertFactory(), presence_source="travel", country="PH")
    return expert


def counts(sections):
    return {section.key: section.count for section in sections}


def test_staff_see_each_case_with_its_details(staff_user):
    expert = build_watch_cases()
    sections = {section.key: section for section in watch_list(staff_user)}
    assert counts(sections.values()) == {
        "departures": 1,
        "check_ins": 1,
        "documents": 1,
        "roll_calls": 1,
        "courses": 1,
        "nominations": 1,
        "abroad": 1,
    }
    assert expert.personnel_number in sections["documents"].items[0].text
    assert sections["check_ins"].items[0].urgent  # thirty silent days are several missed check-ins
    assert sections["roll_calls"].items[0].text == "Flood in Manila: 1 of 1 officials unaccounted for"


def test_managers_see_how_many_officials_not_whose_documents(client, manager_user):
    expert = build_watch_cases()
    sections = {section.key: section for section in watch_list(manager_user)}
    assert sections["documents"].items == []
    assert sections["documents"].withheld == 1
    assert (sections["roll_calls"].items, sections["roll_calls"].withheld) == ([], 1)

    client.force_login(manager_user)
    html = client.get("/dashboard/watch-list/").content.decode()
    assert 'data-key="documents"' in html
    assert expert.personnel_number not in html
    assert str(expert.passport_expiry) not in html


def test_the_watch_list_costs_the_same_queries_whatever_its_length(staff_user):
    build_watch_cases()
    watch_list(staff_user)  # once to warm the caches a first request fills
    with CaptureQueriesContext(connection) as few:
        watch_list(staff_user)
    for _ in range(3):
        build_watch_cases()
    with CaptureQueriesContext(connection) as many:
        sections = watch_list(staff_user)
    # The officials abroad are counted by country: all four cases are in one.
    assert counts(sections) == {
        "departures": 4,
        "check_ins": 4,
        "documents": 4,
        "roll_calls": 4,
        "courses": 4,
        "nominations": 4,
        "abroad": 1,
    }
    assert len(many) == len(few)


def test_the_dashboard_leaves_the_watch_list_to_its_own_page(client, manager_user):
    """The figures do not wait for the live watch list: the page names where to fetch it.
    (An unclear period keeps the figures out of this test: the first read computes them.)"""
    build_watch_cases()
    client.force_login(manager_user)
    response = client.get("/dashboard/?kind=fiscal_year&value=unclear")
    assert "watch_list" not in response.context
    assert 'data-source="/dashboard/watch-list/"' in response.content.decode()
    assert 'data-key="documents"' not in response.content.decode()


def test_a_long_section_lists_the_urgent_first_and_counts_the_rest(staff_user, monkeypatch):
    monkeypatch.setattr("reports.watchlist.SHOWN_PER_SECTION", 2)
    for _ in range(2):
        build_watch_cases()
    sections = {section.key: section for section in watch_list(staff_user)}
    check_ins = sections["check_ins"]
    assert (len(check_ins.items), check_ins.more, check_ins.count) == (2, 0, 2)
    for _ in range(2):
        build_watch_cases()
    sections = {section.key: section for section in watch_list(staff_user)}
    assert {key: (len(section.items), section.more) for key, section in sections.items()} == {
        "departures": (2, 2),
        "check_ins": (2, 2),
        "documents": (2, 2),
        "roll_calls": (2, 2),
        "courses": (2, 2),
        "nominations": (2, 2),
        "abroad": (1, 0),
    }
    assert all(item.urgent for item in sections["check_ins"].items)
