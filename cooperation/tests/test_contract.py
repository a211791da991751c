"""The OpenAPI schema is the contract: schemathesis checks every operation against it.

Each operation is exercised with generated valid and invalid requests, as a partner
coordinator and as staff, through the WSGI application in this process (inside the
test's transaction, with no server in between). A run fails on any server error, any
answer that does not match the schema, and any request the schema calls invalid that
the API accepts. One operation is also run over real HTTP, against a live server, so the
server path (sockets, headers, lengths) keeps the same contract.

Slow (the `contract` tier): schemathesis builds about 150 deterministic coverage cases per
operation (when a test first runs: `lazy_coverage`), and each test sends all of them.
"""

import json
import os
import sys

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.specs.openapi.checks import ignored_auth

from conftest import token_client
from cooperation import devstack
from cooperation.tests import lazy_coverage  # noqa: F401  (before the tests are generated)
from cooperation.wsgi import application

pytestmark = pytest.mark.contract

# Generated examples per operation and role, on top of schemathesis' deterministic
# coverage cases (about 150 per operation, every boundary and wrong type of each
# parameter). Those dominate: at 10 the 292 cases took 38 minutes on a loaded 2-core
# machine, about half that alone. CONTRACT_EXAMPLES raises it for a deeper search.
MAX_EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "10"))
# The generated examples are the same on every run (derived from each test's name), so a
# run fails only for a change in the code. CONTRACT_RANDOM=1 draws new ones each run, to
# search further; what such a run finds becomes a test of its own.
DERANDOMIZE = os.environ.get("CONTRACT_RANDOM") != "1"


def openapi_schema() -> dict:
    """The generated schema, kept in the data directory while the code it comes from is
    unchanged: parallel workers and later runs read it instead of generating it again."""
    path = devstack.DATA_DIR / f"openapi-{devstack.source_fingerprint()}.json"
    with devstack.file_lock("openapi-schema"):
        if not path.exists():
            from drf_spectacular.generators import SchemaGenerator

            generated = json.dumps(SchemaGenerator().get_schema(public=True))
            for stale in devstack.DATA_DIR.glob("openapi-*.json"):
                stale.unlink()
            path.write_text(generated, encoding="utf-8")
        return json.loads(path.read_text(encoding="utf-8"))


# Before each in-process call schemathesis tries `import flask`, to watch a Flask app for
# exceptions; with Flask not installed, every one of the ~50,000 calls searched the whole
# path for it again (a failed import is not remembered). None here makes that import fail
# at once, as Python documents for a None entry in sys.modules.
sys.modules.setdefault("flask", None)

RAW_SCHEMA = openapi_schema()
schema = schemathesis.openapi.from_dict(RAW_SCHEMA)
schema.app = application
# The same contract, sent over the network to a live server.
http_schema = schemathesis.openapi.from_dict(RAW_SCHEMA).include(path="/api/v1/regions/", method="GET")


@pytest.fixture(autouse=True)
def requests_share_the_test_transaction(db):
    # Requests run in-process inside the test's transaction; Django must not close the
    # connection at the end of each request (its test client makes the same exception).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Schema-valid data can still break rules a schema cannot state (a unique code, an end
# before a start); those are 400s with field codes, which this check would call wrong.
# `ignored_auth` runs through `auth_enforced_once` instead.
EXCLUDED_CHECKS = [positive_data_acceptance, ignored_auth]


@pytest.fixture
def auth_enforced_once():
    """schemathesis' `ignored_auth` check, confirmed once per test (an operation and a role).

    After a successful answer the check sends the same request again without credentials
    and with wrong ones, and expects a refusal: two more requests for every case, two
    thirds of the tier's work. Whether an operation enforces authentication does not depend
    on the body or parameters sent, and schemathesis' own runner confirms it once per
    operation; the pytest integration does not keep that record, so this fixture gives the
    check one for the test's examples.
    """
    confirmed: set[str] = set()

    def ignored_auth_once(ctx, response, case):
        ctx.auth_enforced_operations = confirmed
        return ignored_auth(ctx, response, case)

    return ignored_auth_once


def authorization(user) -> dict:
    return {"Authorization": token_client(user)._credentials["HTTP_AUTHORIZATION"]}


# One token per test, not per example: like a partner's script, every request of a run
# carries the same token (and issuing one is a write that would dominate the run).
@pytest.fixture
def staff_headers(staff_user):
    return authorization(staff_user)


@pytest.fixture
def coordinator_headers(coordinator_user):
    return authorization(coordinator_user)


@pytest.fixture
def caller_headers(request):
    return request.getfixturevalue(f"{request.param}_headers")


# Both roles share one test per operation, so its coverage cases are built once.
@schema.parametrize()
@pytest.mark.parametrize("caller_headers", ["staff", "coordinator"], indirect=True)
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=DERANDOMIZE, suppress_health_check=list(HealthCheck))
def test_operation(case, caller_headers, auth_enforced_once):
    case.call_and_validate(
        headers=caller_headers, excluded_checks=EXCLUDED_CHECKS, additional_checks=[auth_enforced_once]
    )


@http_schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=DERANDOMIZE, suppress_health_check=list(HealthCheck))
def test_operation_over_http(case, live_server, staff_headers, auth_enforced_once):
    case.call_and_validate(
        base_url=live_server.url,
        headers=staff_headers,
        excluded_checks=EXCLUDED_CHECKS,
        additional_checks=[auth_enforced_once],
    )
