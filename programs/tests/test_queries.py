"""List endpoints cost the same number of queries for 2 rows as for 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import build_portfolio

# Slow (seconds per case): each case builds many portfolios, to show the queries stay flat.
pytestmark = pytest.mark.django_db

RESOURCES = ["programs", "projects", "sites", "fundings", "indicators", "measurements", "events"]


@pytest.fixture
def many_portfolios(partner_org):
    from cooperation.tests.factories import CooperationFieldFactory

    fields = CooperationFieldFactory.create_batch(2)
    for number in range(30):
        portfolio = build_portfolio(partner_org, f"p{number}")
        portfolio.program.fields.set(fields)
        portfolio.project.fields.set(fields)
        portfolio.event.fields.set(fields)
        portfolio.event.organizers.add(partner_org)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("resource", RESOURCES)
def test_staff_list_queries_do_not_grow_with_page_size(staff_api, many_portfolios, resource):
    queries_for(staff_api, f"/api/v1/{resource}/?page_size=1")  # the token's first use is recorded once
    assert staff_api.get(f"/api/v1/{resource}/?page_size=30").json()["count"] == 30
    assert queries_for(staff_api, f"/api/v1/{resource}/?page_size=2") == queries_for(
        staff_api, f"/api/v1/{resource}/?page_size=30"
    )


@pytest.mark.parametrize("resource", RESOURCES)
def test_partner_list_queries_do_not_grow_with_page_size(coordinator_api, many_portfolios, resource):
    queries_for(coordinator_api, f"/api/v1/{resource}/?page_size=1")
    assert queries_for(coordinator_api, f"/api/v1/{resource}/?page_size=2") == queries_for(
        coordinator_api, f"/api/v1/{resource}/?page_size=30"
    )


@pytest.mark.parametrize("resource", RESOURCES)
def test_brief_lists_stay_flat_too(staff_api, many_portfolios, resource):
    queries_for(staff_api, f"/api/v1/{resource}/?brief=1&page_size=1")
    assert queries_for(staff_api, f"/api/v1/{resource}/?brief=1&page_size=2") == queries_for(
        staff_api, f"/api/v1/{resource}/?brief=1&page_size=30"
    )
