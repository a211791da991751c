"""List endpoints cost the same number of queries for 2 rows as for 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_partner_org

from .conftest import build_portfolio

pytestmark = pytest.mark.django_db

RESOURCES = ["programs", "projects", "sites", "fundings", "indicators", "measurements", "events"]


# Thirty portfolios take seconds to write: they are written once for the module's cases
# (which only read them) and rolled back after the last.
@pytest.fixture(scope="module")
def portfolio_partner(module_transaction, django_db_blocker):
    from cooperation.tests.factories import CooperationFieldFactory

    with django_db_blocker.unblock():
        partner = make_partner_org()
        fields = CooperationFieldFactory.create_batch(2)
        for number in range(30):
            portfolio = build_portfolio(partner, f"p{number}")
            portfolio.program.fields.set(fields)
            portfolio.project.fields.set(fields)
            portfolio.event.fields.set(fields)
            portfolio.event.organizers.add(partner)
    return partner


@pytest.fixture
def partner_org(portfolio_partner):
    """The coordinator's organization is the one the thirty portfolios belong to."""
    return portfolio_partner


@pytest.fixture
def many_portfolios(portfolio_partner):
    return portfolio_partner


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
