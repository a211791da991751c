"""Fixtures shared by every app's tests: users in each role and API clients."""

import pytest
from rest_framework.test import APIClient

from cooperation.roles import MANAGER, NPA_STAFF, PARTNER_COORDINATOR
from cooperation.services import api_token_issue
from cooperation.tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def partner_org(db):
    return OrganizationFactory(code="jica-test", name="Partner agency", kind="development_agency", country="JP")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(code="other-test", name="Other agency")


@pytest.fixture
def npa(db):
    return OrganizationFactory(code="npa-test", name="National Police Agency (test)", kind="npa", country="JP")


@pytest.fixture
def staff_user(npa):
    return UserFactory(role=NPA_STAFF, username="staff-user", organization=npa)


@pytest.fixture
def manager_user(npa):
    return UserFactory(role=MANAGER, username="manager-user", organization=npa)


@pytest.fixture
def coordinator_user(partner_org):
    return UserFactory(role=PARTNER_COORDINATOR, username="coordinator-user", organization=partner_org)


@pytest.fixture
def roleless_user(db):
    return UserFactory(role=None, username="roleless-user")


def token_client(user) -> APIClient:
    """An API client that authenticates like a partner's script: with a token."""
    _, key = api_token_issue(user=user, name="test client")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def staff_api(staff_user):
    return token_client(staff_user)


@pytest.fixture
def manager_api(manager_user):
    return token_client(manager_user)


@pytest.fixture
def coordinator_api(coordinator_user):
    return token_client(coordinator_user)


@pytest.fixture
def anonymous_api():
    return APIClient()
