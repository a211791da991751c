"""What every resource promises partner scripts: versions, safe retries, sync, limits, history."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cooperation.models import IdempotencyRecord, Region

from .factories import RegionFactory

pytestmark = pytest.mark.django_db

NEW_REGION = {"code": "gulf-t", "name": "Gulf of Guinea (test)", "countries": ["GH", "NG"]}


# --- optimistic concurrency --------------------------------------------------------------


def test_detail_carries_an_etag_that_changes_with_each_save(staff_api):
    region = RegionFactory()
    first = staff_api.get(f"/api/v1/regions/{region.pk}/")["ETag"]
    changed = staff_api.patch(f"/api/v1/regions/{region.pk}/", {"name": "Renamed"}, format="json")
    assert changed["ETag"] != first
    assert staff_api.get(f"/api/v1/regions/{region.pk}/")["ETag"] == changed["ETag"]


def test_a_stale_if_match_is_412_and_writes_nothing(staff_api):
    region = RegionFactory(name="Original")
    stale = staff_api.get(f"/api/v1/regions/{region.pk}/")["ETag"]
    staff_api.patch(f"/api/v1/regions/{region.pk}/", {"name": "First writer"}, format="json", HTTP_IF_MATCH=stale)
    second = staff_api.patch(
        f"/api/v1/regions/{region.pk}/", {"name": "Second writer"}, format="json", HTTP_IF_MATCH=stale
    )
    assert second.status_code == 412
    assert second.json()["error"]["code"] == "precondition_failed"
    region.refresh_from_db()
    assert region.name == "First writer"
    assert staff_api.delete(f"/api/v1/regions/{region.pk}/", HTTP_IF_MATCH=stale).status_code == 412
    assert Region.objects.filter(pk=region.pk).exists()


def test_a_current_if_match_or_a_star_is_accepted(staff_api):
    region = RegionFactory()
    tag = staff_api.get(f"/api/v1/regions/{region.pk}/")["ETag"]
    ok = staff_api.patch(f"/api/v1/regions/{region.pk}/", {"name": "A"}, format="json", HTTP_IF_MATCH=tag)
    assert ok.status_code == 200
    assert (
        staff_api.patch(f"/api/v1/regions/{region.pk}/", {"name": "B"}, format="json", HTTP_IF_MATCH="*").status_code
        == 200
    )


@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_version_cannot_both_win(staff_user):
    from conftest import token_client

    region = RegionFactory(name="Start")
    clients = [token_client(staff_user), token_client(staff_user)]
    tag = clients[0].get(f"/api/v1/regions/{region.pk}/")["ETag"]
    barrier = threading.Barrier(2)
    statuses = []

    def write(client, name):
        try:
            barrier.wait()
            response = client.patch(f"/api/v1/regions/{region.pk}/", {"name": name}, format="json", HTTP_IF_MATCH=tag)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(client, f"Writer {i}")) for i, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]
    assert Region.history.filter(id=region.pk, history_type="~").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_full_replacements_with_the_same_version_cannot_both_win(staff_user):
    from conftest import token_client

    region = RegionFactory(name="Start", code="race-put", countries=["ID"])
    clients = [token_client(staff_user), token_client(staff_user)]
    tag = clients[0].get(f"/api/v1/regions/{region.pk}/")["ETag"]
    barrier = threading.Barrier(2)
    answers = []

    def replace(client, name):
        body = {"code": "race-put", "name": name, "countries": ["ID", "MY"]}
        try:
            barrier.wait()
            answers.append(client.put(f"/api/v1/regions/{region.pk}/", body, format="json", HTTP_IF_MATCH=tag))
        finally:
            connection.close()

    threads = [threading.Thread(target=replace, args=(client, f"Writer {i}")) for i, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 412]
    winner = next(a for a in answers if a.status_code == 200)
    region.refresh_from_db()
    assert region.name == winner.json()["name"]
    assert winner["ETag"] != tag
    assert Region.history.filter(id=region.pk, history_type="~").count() == 1


# --- idempotent retries ------------------------------------------------------------------


def test_a_retry_with_the_same_key_replays_the_first_answer(staff_api):
    first = staff_api.post("/api/v1/regions/", NEW_REGION, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = staff_api.post("/api/v1/regions/", NEW_REGION, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Region.objects.filter(code="gulf-t").count() == 1


def test_the_same_key_with_another_body_is_422(staff_api):
    staff_api.post("/api/v1/regions/", NEW_REGION, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = staff_api.post(
        "/api/v1/regions/", {**NEW_REGION, "code": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert not Region.objects.filter(code="other").exists()


def test_a_refused_request_is_replayed_as_refused(staff_api):
    RegionFactory(code="gulf-t")
    first = staff_api.post("/api/v1/regions/", NEW_REGION, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    again = staff_api.post("/api/v1/regions/", NEW_REGION, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()


def test_keys_expire_after_the_retention_window(staff_api):
    staff_api.post("/api/v1/regions/", NEW_REGION, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    Region.objects.filter(code="gulf-t").delete()
    staff_api.post("/api/v1/regions/", NEW_REGION, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert Region.objects.filter(code="gulf-t").count() == 1


def test_keys_belong_to_their_user(staff_api, staff_user):
    from conftest import token_client

    from .factories import UserFactory

    staff_api.post("/api/v1/regions/", NEW_REGION, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    colleague = token_client(UserFactory(role="npa_staff", organization=staff_user.profile.organization))
    response = colleague.post(
        "/api/v1/regions/", {**NEW_REGION, "code": "colleague"}, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert response.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_record(staff_user):
    from conftest import token_client

    clients = [token_client(staff_user) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    answers = []

    def post(client):
        try:
            barrier.wait()
            answers.append(client.post("/api/v1/regions/", NEW_REGION, format="json", HTTP_IDEMPOTENCY_KEY="race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Region.objects.filter(code="gulf-t").count() == 1
    assert IdempotencyRecord.objects.filter(key="race").count() == 1
    # One request did the work; every other either replays its answer or is told to retry.
    first = [a for a in answers if a.status_code == 201 and not a.has_header("Idempotent-Replayed")]
    assert len(first) == 1
    for other in answers:
        if other is first[0]:
            continue
        if other.status_code == 201:
            assert other["Idempotent-Replayed"] == "true"
            assert other.json() == first[0].json()
        else:
            assert other.status_code == 409
            assert other.json()["error"]["code"] == "idempotency_key_in_flight"
    # A retry after the race gets the same answer, not a second region.
    again = clients[0].post("/api/v1/regions/", NEW_REGION, format="json", HTTP_IDEMPOTENCY_KEY="race")
    assert again.status_code == 201
    assert again.json() == first[0].json()


# --- incremental sync ------------------------------------------------------------------


def test_updated_since_lists_only_newer_changes(staff_api):
    old = RegionFactory()
    Region.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    recent = RegionFactory()
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = staff_api.get("/api/v1/regions/", {"updated_since": since})
    assert [row["id"] for row in response.json()["results"]] == [recent.pk]


def test_a_malformed_updated_since_is_a_field_error(staff_api):
    response = staff_api.get("/api/v1/regions/?updated_since=yesterday")
    assert response.status_code == 400
    assert "updated_since" in response.json()["error"]["fields"]


# --- size limits -------------------------------------------------------------------------


def test_a_body_over_one_mebibyte_is_413(staff_api):
    body = json.dumps({**NEW_REGION, "description": "x" * (1024 * 1024)})
    response = staff_api.generic("POST", "/api/v1/regions/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert not Region.objects.filter(code="gulf-t").exists()


# --- history -----------------------------------------------------------------------------


def test_staff_read_who_changed_what(staff_api):
    created = staff_api.post("/api/v1/regions/", NEW_REGION, format="json").json()
    staff_api.patch(f"/api/v1/regions/{created['id']}/", {"name": "Gulf"}, format="json")
    entries = staff_api.get(f"/api/v1/regions/{created['id']}/history/").json()
    assert [entry["action"] for entry in entries] == ["changed", "created"]
    assert entries[0]["user"] == "staff-user"
    assert entries[0]["changes"] == [{"field": "name", "old": "Gulf of Guinea (test)", "new": "Gulf"}]


@pytest.mark.parametrize("client_name", ["manager_api", "coordinator_api"])
def test_history_is_for_staff_only(request, client_name):
    region = RegionFactory()
    response = request.getfixturevalue(client_name).get(f"/api/v1/regions/{region.pk}/history/")
    assert response.status_code == 403
