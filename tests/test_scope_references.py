"""Out of scope is the same as nonexistent: a generated proof over every resource.

For a caller without staff rights, a reference to a record outside their scope must
answer exactly as a reference to a record that does not exist. The cases are generated
from the API router: every writable reference field of every resource (in a create and
in a partial update) and every reference filter of every list, as each role without
staff rights. Each case sends the same request twice, once naming the other
organization's record and once naming nothing at all, and requires byte-identical
answers with the two values masked; a write must also leave every record table untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import django_filters
import pytest
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from rest_framework import relations
from rest_framework.test import APIClient, APIRequestFactory

from cooperation.access import is_scoped_for
from cooperation.api.serializers import CodeRelatedField
from cooperation.api.urls import router
from cooperation.filters import ReferenceFilter, ReferencesFilter

from . import authorization_dataset
from .authorization_policy import COORDINATOR, MANAGER, OTHER, OWN, ROLELESS, STAFF
from .writes import writes

pytestmark = pytest.mark.django_db

NON_STAFF = (COORDINATOR, MANAGER, ROLELESS)
MISSING_CODE = "no-such-record-x"
MISSING_ID = 987654321
MASK = "<reference>"
RECORD_TABLES = ("cooperation_", "programs_", "dispatch_", "trainees_")


def _resources():
    return [(prefix, viewset, basename) for prefix, viewset, basename in router.registry]


def _serializer(viewset, user, action: str):
    request = APIRequestFactory().post("/")
    request.user = user
    view = viewset()
    view.request, view.format_kwarg, view.kwargs, view.action = request, None, {}, action
    return viewset.serializer_class(context={"request": request, "view": view})


def _target(field):
    child = field.child_relation if isinstance(field, relations.ManyRelatedField) else field
    if not isinstance(child, relations.RelatedField) or child.read_only:
        return None, None
    return child, child.queryset.model


def _basename_of(model) -> str | None:
    name = model._meta.model_name
    return name if name in authorization_dataset.MAKERS else None


# --- the cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BodyCase:
    basename: str
    operation: str  # "create" or "partial_update"
    field: str
    target: str  # basename of the referenced resource
    role: str

    @property
    def id(self) -> str:
        return f"{self.basename}:{self.operation}:{self.field}->{self.target}:{self.role}"


@dataclass(frozen=True)
class FilterCase:
    basename: str
    parameter: str
    target: str
    lookup: str  # "code" or "pk"
    role: str

    @property
    def id(self) -> str:
        return f"{self.basename}?{self.parameter}->{self.target}:{self.role}"


def _body_cases() -> list[BodyCase]:
    cases = []
    for _prefix, viewset, basename in _resources():
        if basename not in authorization_dataset.MAKERS:
            continue
        fields = viewset.serializer_class().fields
        for name, field in fields.items():
            _child, model = _target(field)
            target = _basename_of(model) if model is not None else None
            if not _is_scoped(target):
                continue
            for operation in ("create", "partial_update"):
                cases += [BodyCase(basename, operation, name, target, role) for role in NON_STAFF]
    return cases


# Models without a partner scope that partners may not read at all: every row is out of
# their scope.
SCOPED_BY_PERMISSION = {"mission", "disasterevent"}


def _is_scoped(basename: str | None) -> bool:
    """Whether some records of the resource lie outside a partner's scope."""
    if basename is None:
        return False
    model = next(v.queryset.model for _p, v, b in _resources() if b == basename)
    return hasattr(model, "partner_scope") or basename in SCOPED_BY_PERMISSION


def _reference_of(declared, model_path: str | None):
    """(target basename, lookup) of a filter that names a record, else None."""
    if isinstance(declared, ReferenceFilter | ReferencesFilter):
        queryset = declared.queryset
        model = queryset(None).model if callable(queryset) else queryset.model
        return _basename_of(model), "code" if declared.extra.get("to_field_name") == "code" else "pk"
    field_name = declared.field_name or ""
    if isinstance(declared, django_filters.CharFilter) and field_name.endswith("__code"):
        return model_path, "code"
    if isinstance(declared, django_filters.NumberFilter) and field_name.endswith("_id"):
        return model_path, "pk"
    return None


def _related_model(model, path: str):
    if not (path.endswith("__code") or path.endswith("_id")):
        return None
    for part in path.removesuffix("_id").removesuffix("__code").split("__"):
        try:
            model = model._meta.get_field(part).related_model
        except FieldDoesNotExist:
            return None
        if model is None:
            return None
    return model


def _filter_cases() -> list[FilterCase]:
    cases = []
    for _prefix, viewset, basename in _resources():
        filterset = getattr(viewset, "filterset_class", None)
        if filterset is None or basename not in authorization_dataset.MAKERS:
            continue
        for parameter, declared in filterset.base_filters.items():
            related = _related_model(viewset.queryset.model, declared.field_name or "") if declared.field_name else None
            found = _reference_of(declared, _basename_of(related) if related is not None else None)
            if found is None or not _is_scoped(found[0]):
                continue
            target, lookup = found
            cases += [FilterCase(basename, parameter, target, lookup, role) for role in NON_STAFF]
    return cases


BODY_CASES = _body_cases()
FILTER_CASES = _filter_cases()


def test_the_suite_covers_the_partner_writes_and_filters():
    """The generator finds the references partners can write and the filters that name records."""
    written = {(case.basename, case.field) for case in BODY_CASES}
    assert {("deployment", "expert"), ("deployment", "project"), ("deployment", "mission")} <= written
    assert {("enrollment", "course"), ("enrollment", "trainee"), ("measurement", "indicator")} <= written
    filtered = {(case.basename, case.parameter) for case in FILTER_CASES}
    assert {("project", "program"), ("site", "program"), ("indicator", "program"), ("measurement", "indicator")} <= (
        filtered
    )
    assert {("deployment", "mission"), ("deployment", "expert"), ("enrollment", "course")} <= filtered
    print(f"\nscope references: {len(BODY_CASES)} body cases, {len(FILTER_CASES)} filter cases")


# --- running them ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data(module_transaction, django_db_blocker):
    """The authorization matrix's two organizations, built once for the module."""
    with django_db_blocker.unblock():
        return authorization_dataset.build()


def _client(data, role: str) -> APIClient:
    client = APIClient()
    user = data.users[role]
    if user is not None:
        client.force_login(user)
    return client


def _value(field, record, lookup: str | None = None):
    if lookup is None:
        lookup = getattr(field, "slug_field", "pk") if isinstance(field, relations.SlugRelatedField) else "pk"
    return getattr(record, lookup)


def _masked(response, *values) -> tuple[int, str]:
    text = response.content.decode()
    for value in values:
        text = re.sub(rf"(?<![\w-]){re.escape(str(value))}(?![\w-])", MASK, text)
    return response.status_code, text


def _write_body(serializer, representation: dict) -> dict:
    body = {}
    for name, field in serializer.fields.items():
        value = representation.get(name)
        if field.read_only or value is None:
            continue
        child = field.child_relation if isinstance(field, relations.ManyRelatedField) else field
        if isinstance(child, relations.RelatedField):
            key = "code" if isinstance(child, CodeRelatedField) else "id"
            values = value if isinstance(field, relations.ManyRelatedField) else [value]
            picked = [item[key] if isinstance(item, dict) else item for item in values]
            body[name] = picked if isinstance(field, relations.ManyRelatedField) else picked[0]
        elif not isinstance(value, list | dict):
            body[name] = value
    return body


def _base_body(case: BodyCase, data, serializer) -> dict:
    """A body staff would have the call accept: a spare record of the caller's side, as read back."""
    staff = _client(data, STAFF)
    record = authorization_dataset.spare(case.basename, data, OWN)
    body = _write_body(serializer, staff.get(reverse(f"{case.basename}-detail", args=[record.pk])).json())
    type(record)._base_manager.filter(pk=record.pk).delete()
    for name in getattr(serializer.Meta, "staff_only_fields", ()):
        body.pop(name, None)
    return body


@pytest.mark.parametrize("case", BODY_CASES, ids=[case.id for case in BODY_CASES])
def test_a_reference_outside_the_scope_answers_as_a_missing_one(case, data):
    user = data.users[case.role]
    serializer = _serializer({b: v for _p, v, b in _resources()}[case.basename], user, case.operation)
    field = serializer.fields[case.field]
    child = field.child_relation if isinstance(field, relations.ManyRelatedField) else field
    outside = _value(child, data.record(case.target, OTHER))
    missing = MISSING_ID if _value(child, data.record(case.target, OWN)).__class__ is int else MISSING_CODE
    body = _base_body(case, data, serializer)
    if case.operation == "create":
        url, method = reverse(f"{case.basename}-list"), "post"
    else:
        url, method = reverse(f"{case.basename}-detail", args=[data.record(case.basename, OWN).pk]), "patch"

    answers = []
    for value in (outside, missing):
        sent = {**body, case.field: [value] if isinstance(field, relations.ManyRelatedField) else value}
        before = writes(RECORD_TABLES)
        response = getattr(_client(data, case.role), method)(url, sent, format="json")
        assert writes(RECORD_TABLES) == before, f"{method.upper()} {url} naming {value!r} wrote to the database"
        answers.append(_masked(response, outside, missing))
    assert answers[0] == answers[1], f"{case.id}: out of scope {answers[0]} differs from missing {answers[1]}"
    assert answers[0][0] >= 400


@pytest.mark.parametrize("case", FILTER_CASES, ids=[case.id for case in FILTER_CASES])
def test_a_filter_naming_a_record_outside_the_scope_answers_as_a_missing_one(case, data):
    user = data.users[case.role]
    outside_record = data.record(case.target, OTHER)
    if case.role == MANAGER and not is_scoped_for(user, type(outside_record)):
        # Managers read every record: the other organization's is inside their scope, and
        # naming it must find it.
        response = _client(data, case.role).get(
            reverse(f"{case.basename}-list"), {case.parameter: getattr(outside_record, case.lookup)}
        )
        assert response.status_code == 200, response.content[:300]
        return
    outside = getattr(outside_record, case.lookup)
    missing = MISSING_ID if case.lookup == "pk" else MISSING_CODE
    url = reverse(f"{case.basename}-list")
    answers = [
        _masked(_client(data, case.role).get(url, {case.parameter: value}), outside, missing)
        for value in (outside, missing)
    ]
    assert answers[0] == answers[1], f"{case.id}: out of scope {answers[0]} differs from missing {answers[1]}"
