"""Every endpoint and admin page × every role × own / other organization.

The cases are generated from the URL configuration and the admin registry, and the
answers from the policy table in authorization_policy.py; an endpoint without an entry
there fails `test_every_endpoint_has_an_expectation`, naming it. A refused write must
not write to any record table, not even in a savepoint it rolls back; an allowed one must
write. PostgreSQL's own counters of the test's transaction say which rows were inserted,
updated or deleted (`writes`), so no table is read to find out.

Every API cell runs twice for the roles with an account: signed in (a session) and with
an API token (`Authorization: Token …`), the way partners' scripts call.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework import relations
from rest_framework.test import APIClient, APIRequestFactory

from cooperation.api.serializers import CodeRelatedField
from cooperation.api.viewsets import CooperationViewSet
from cooperation.models import ApiToken
from cooperation.services import api_token_issue
from trainees.surveys import invitation_token

from . import authorization_dataset
from .authorization_policy import (
    ACTIONS,
    ANONYMOUS,
    COORDINATOR,
    DETAIL_OPERATIONS,
    HISTORY_IMPORT_RESOURCES,
    OTHER,
    OWN,
    PAGES,
    ROLES,
    STAFF,
    action_expectation,
    admin_expectation,
    resource_expectation,
)
from .writes import writes

# Slow (the `matrix` tier): several thousand requests, each a full pass through the stack.
pytestmark = [pytest.mark.django_db, pytest.mark.matrix]

# The tables that hold records, accounts and their audit; a refused write leaves them as
# they were (sessions and login attempts are not records).
RECORD_TABLE_PREFIXES = (
    "cooperation_",
    "programs_",
    "dispatch_",
    "trainees_",
    "duty_",
    "auth_",
    "django_admin_log",
    "otp_",
)

SESSION = "session"
TOKEN = "token"


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    view: object
    actions: dict | None


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "app_name", None) == "admin":
                continue  # the admin's pages come from its registry, below
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if "format" in entry.pattern.regex.groupindex:
                continue  # `.json` suffixes answer like the route they extend
            yield Endpoint(entry.name, route, entry.callback, _declared_actions(entry.callback))


def _declared_actions(view) -> dict | None:
    """The methods a route declares. DRF adds `head` to a GET route's mapping when it first
    answers a request, so without this the routes' list would depend on which tests ran
    before in the same process; HEAD answers as GET does."""
    actions = getattr(view, "actions", None)
    if actions is None:
        return None
    return {method: name for method, name in actions.items() if method != "head" or "get" not in actions}


def endpoints() -> list[Endpoint]:
    return list(_walk(get_resolver()))


def _viewset(endpoint: Endpoint):
    cls = getattr(endpoint.view, "cls", None)
    return cls if cls is not None and issubclass(cls, CooperationViewSet) else None


def _basename(endpoint: Endpoint, viewset) -> str:
    return viewset.queryset.model._meta.model_name


# --- the cases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    kind: str  # "operation", "action", "page", "admin"
    name: str  # route name, or admin model label
    method: str
    operation: str  # resource operation, action name, or admin page
    role: str
    target: str
    auth: str = SESSION  # how a signed-in role authenticates: SESSION or TOKEN

    @property
    def id(self) -> str:
        suffix = ":token" if self.auth == TOKEN else ""
        return f"{self.name}:{self.operation}:{self.method.upper()}:{self.role}:{self.target}{suffix}"

    @property
    def is_api(self) -> bool:
        return self.kind in ("operation", "action") or (self.kind == "page" and self.name.startswith("api/"))


def _resource_cases(endpoint: Endpoint, viewset) -> list[Case]:
    cases = []
    for method, name in endpoint.actions.items():
        if name in ("list", "create"):
            targets = (OWN,) if name == "list" else (OWN, OTHER)
            kind = "operation"
        elif name in DETAIL_OPERATIONS:
            targets, kind = (OWN, OTHER), "operation"
        else:
            targets, kind = (OWN, OTHER), "action"
        cases += [Case(kind, endpoint.name, method, name, role, t) for role in ROLES for t in targets]
    return cases


def _admin_cases() -> list[Case]:
    cases = []
    for model in admin.site._registry:
        for page in ("changelist", "add", "change", "delete", "history"):
            cases += [Case("admin", model._meta.label_lower, "get", page, role, OWN) for role in ROLES]
    cases += [Case("admin", "index", "get", "index", role, OWN) for role in ROLES]
    return cases


def all_cases() -> list[Case]:
    cases = []
    for endpoint in endpoints():
        viewset = _viewset(endpoint)
        if viewset is not None and endpoint.actions:
            cases += _resource_cases(endpoint, viewset)
        elif endpoint.route in PAGES:
            for method in PAGES[endpoint.route]:
                cases += [Case("page", endpoint.route, method, endpoint.name or "", role, OWN) for role in ROLES]
    cases += _admin_cases()
    # The API once more with tokens, for every role that has an account to issue one to.
    return cases + [replace(case, auth=TOKEN) for case in cases if case.is_api and case.role != ANONYMOUS]


CASES = all_cases()


def test_every_endpoint_has_an_expectation():
    """A new endpoint (or a new custom action) needs its line in the policy table."""
    missing = []
    for endpoint in endpoints():
        viewset = _viewset(endpoint)
        if viewset is not None and endpoint.actions:
            if _basename(endpoint, viewset) not in authorization_dataset.MAKERS:
                missing.append(f"{endpoint.route} (no records for {_basename(endpoint, viewset)})")
            for method, name in endpoint.actions.items():
                generic = name in ("list", "create", *DETAIL_OPERATIONS)
                if not generic and method not in ACTIONS.get(endpoint.name, {}):
                    missing.append(f"{method.upper()} {endpoint.route} ({endpoint.name})")
        elif endpoint.route not in PAGES:
            missing.append(f"{endpoint.route} ({endpoint.name})")
    assert not missing, "endpoints without an expected answer in authorization_policy.py: " + ", ".join(missing)


def test_the_matrix_covers_every_role_and_both_organizations():
    assert {case.role for case in CASES} == set(ROLES)
    assert {case.target for case in CASES} == {OWN, OTHER}
    tokens = [case for case in CASES if case.auth == TOKEN]
    assert {case.role for case in tokens} == set(ROLES) - {ANONYMOUS}
    assert len(tokens) == sum(1 for case in CASES if case.auth == SESSION and case.is_api and case.role != ANONYMOUS)
    print(
        f"\nauthorization matrix: {len(CASES)} endpoint × role × organization cases, "
        f"{len(tokens)} of them with API tokens"
    )


# --- the dataset and the clients -----------------------------------------------------------


@pytest.fixture(scope="module")
def data(module_transaction, django_db_blocker):
    """Built once for the module, rolled back after it (module_transaction)."""
    with django_db_blocker.unblock():
        dataset = authorization_dataset.build()
        clients = {}
        for role, user in dataset.users.items():
            client = APIClient()
            if user is not None:
                client.force_login(user)
            clients[role] = client
        dataset.clients = clients
        dataset.bodies = {}
        dataset.tokens = {
            role: api_token_issue(user=user, name=f"matrix {role}")
            for role, user in dataset.users.items()
            if user is not None
        }
    return dataset


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


def _write_value(serializer_field, value):
    if isinstance(serializer_field, relations.ManyRelatedField):
        return [_write_value(serializer_field.child_relation, item) for item in value or []]
    if isinstance(serializer_field, CodeRelatedField):
        return value["code"] if isinstance(value, dict) else value
    if isinstance(serializer_field, relations.RelatedField):
        return value["id"] if isinstance(value, dict) else value
    if hasattr(serializer_field, "child") and hasattr(serializer_field.child, "fields"):
        return [_write_body(serializer_field.child, item) for item in value or []]
    return value


def _write_body(serializer, representation: dict) -> dict:
    """The record as staff read it, turned into what the serializer accepts back."""
    return {
        name: _write_value(f, representation[name])
        for name, f in serializer.fields.items()
        if not f.read_only and name in representation and representation[name] is not None
    }


def _serializer_for(viewset, staff_user):
    request = APIRequestFactory().get("/")
    request.user = staff_user
    view = viewset()
    view.request, view.format_kwarg, view.kwargs, view.action = request, None, {}, "create"
    return viewset.serializer_class(context={"request": request, "view": view})


def _detail_url(endpoint_name: str, pk) -> str:
    return reverse(endpoint_name, kwargs={"pk": pk})


def _staff_body(serializer, staff, basename: str, pk) -> dict:
    """What staff read of a record, as a body to write back."""
    return _write_body(serializer, staff.get(reverse(f"{basename}-detail", kwargs={"pk": pk})).json())


def _update_body(case: Case, data, viewset, basename: str) -> dict:
    """Every test's changes are rolled back, so each update case starts from the same
    record and writes the same body: it is read once per resource and side."""
    key = (basename, case.target)
    if key not in data.bodies:
        serializer = _serializer_for(viewset, data.users[STAFF])
        data.bodies[key] = _staff_body(serializer, data.clients[STAFF], basename, data.record(basename, case.target).pk)
    return copy.deepcopy(data.bodies[key])


def _body_for(case: Case, data, viewset, basename: str):
    if case.operation == "create":
        # A spare record of its own each time: what it points at (made with it) is rolled
        # back with the test.
        record = authorization_dataset.spare(basename, data, case.target)
        body = _staff_body(_serializer_for(viewset, data.users[STAFF]), data.clients[STAFF], basename, record.pk)
        for name in STAFF_ONLY_FIELDS.get(basename, ()) if case.role == COORDINATOR else ():
            body.pop(name, None)
        type(record)._base_manager.filter(pk=record.pk).delete()
        return body
    if case.operation == "update":
        return _update_body(case, data, viewset, basename)
    if case.kind == "action":
        if case.operation == "restore":
            record = data.record(basename, case.target)
            type(record)._base_manager.filter(pk=record.pk).update(
                archived_at=timezone.now(), archived_by=data.users[STAFF]
            )
        return ACTION_BODIES.get(case.name, {})
    return {}


# Fields a partner leaves empty in a request (agency staff fill them in later).
STAFF_ONLY_FIELDS = {"deployment": ("expert",)}

ACTION_BODIES = {
    "deployment-transition": {"to": "cancelled", "note": "withdrawn by the partner"},
    "enrollment-transition": {"to": "accepted", "note": "meets the profile"},
    "enrollment-withdraw": {"note": "the nominee changed posts"},
    "periodvalue-return": {"reason": "the count leaves out two provinces"},
}
ACTION_QUERIES = {
    "expert-candidates": {"country": "TH", "start": "2033-01-01", "end": "2033-03-31"},
}


def _endpoint_by_name() -> dict:
    found = {}
    for endpoint in endpoints():
        found.setdefault(endpoint.name, endpoint)
    return found


ENDPOINTS = _endpoint_by_name()


MULTIPART_ACTIONS = {"course-nominations", "incident-cap", *(f"{r}-history-import" for r in HISTORY_IMPORT_RESOURCES)}


def _call(client, method: str, url: str, body=None, query=None, multipart=False):
    if method == "get":
        return client.get(url, query or {})
    return getattr(client, method)(url, body if body is not None else {}, format="multipart" if multipart else "json")


def _client(data, case: Case) -> APIClient:
    """A client signed in as the role, or carrying its token; a logout in one case cannot
    sign out the next."""
    client = APIClient()
    if case.auth == TOKEN:
        token, key = data.tokens[case.role]
        # The token's last use is written at most every few minutes; write it now, so the
        # request itself finds nothing to record and only its own writes are counted.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    else:
        client.cookies = copy.deepcopy(data.clients[case.role].cookies)
    return client


def _resource_request(case: Case, data):
    endpoint = ENDPOINTS[case.name]
    viewset = endpoint.view.cls
    basename = _basename(endpoint, viewset)
    if case.operation == "list" or case.operation == "create" or "{pk}" not in _pattern(endpoint):
        url = reverse(case.name)
    else:
        url = _detail_url(case.name, data.record(basename, case.target).pk)
    body = None if case.method in ("get", "delete") else _body_for(case, data, viewset, basename)
    if case.kind == "operation":
        expected = resource_expectation(
            viewset.queryset.model, case.operation, case.role, case.target, viewset.http_method_names
        )
    else:
        expected = action_expectation(case.name, case.method, case.role, case.target)
    return url, body, ACTION_QUERIES.get(case.name), expected


def _pattern(endpoint: Endpoint) -> str:
    return endpoint.route.replace("(?P<pk>[^/.]+)", "{pk}")


def _page_request(case: Case, data):
    expected = PAGES[case.name][case.method][case.role]
    extras = data.extras
    url = "/" + case.name
    for placeholder, value in {
        "certificates/<int:pk>": f"certificates/{extras['completed'].pk}",
        "report/<int:pk>": f"report/{data.record('indicatorperiod', OWN).pk}",
        "review/<int:pk>": f"review/{data.record('periodvalue', OWN).pk}",
        "evidence/<int:pk>": f"evidence/{data.record('periodvalueevidence', OWN).pk}",
        "<int:pk>": extras["pack"].pk,
        "<str:code>": extras["published"].code,
        "<str:token>": invitation_token(extras["survey-invitation"]),
        "<str:country>": "ID",
        "<uidb64>": "MQ",
        "<token>": "set-password",
    }.items():
        url = url.replace(placeholder, str(value))
    queries = {
        "api/v1/reports/annual-summary/": {"fiscal_year": 2024},
        "api/v1/reports/annual-summary": {"fiscal_year": 2024},
        "dashboard/download/": {"kind": "fiscal_year", "value": 2024, "format": "csv"},
        "dashboard/results/": {"program": extras["published"].code, "fiscal_year": 2024},
    }
    return url, None, queries.get(case.name), expected


def _admin_request(case: Case, data):
    if case.name == "index":
        expected = admin_expectation("changelist", case.role, "cooperation.region", True)
        return reverse("admin:index"), None, None, expected
    model = next(m for m in admin.site._registry if m._meta.label_lower == case.name)
    record = model._default_manager.order_by("pk").first()
    info = (model._meta.app_label, model._meta.model_name)
    if case.operation in ("changelist", "add"):
        url = reverse(f"admin:{info[0]}_{info[1]}_{case.operation}")
    else:
        url = reverse(f"admin:{info[0]}_{info[1]}_{case.operation}", args=[record.pk if record else 0])
    return url, None, None, admin_expectation(case.operation, case.role, case.name, record is not None)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_authorization(case, data):
    build = {"operation": _resource_request, "action": _resource_request, "page": _page_request}.get(
        case.kind, _admin_request
    )
    url, body, query, expected = build(case, data)
    client = _client(data, case)
    before = writes(RECORD_TABLE_PREFIXES) if case.method != "get" else None
    response = _call(client, case.method, url, body, query, case.name in MULTIPART_ACTIONS)
    accepted = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code in accepted, (
        f"{case.method.upper()} {url} as {case.role} ({case.target}, {case.auth}): {response.status_code}, "
        f"expected {expected}: {getattr(response, 'content', b'')[:300]!r}"
    )
    if before is not None:
        changed = _changed(before, writes(RECORD_TABLE_PREFIXES))
        if min(accepted) >= 400 or case.role == ANONYMOUS:
            assert not changed, f"a refused {case.method.upper()} {url} changed {changed}"
        elif case.kind != "page":
            assert changed, f"an allowed {case.method.upper()} {url} changed nothing"
