"""/healthz against the real database, the real Redis and a real Celery worker; /livez without them."""

import time

import pytest

from cooperation import heartbeat
from cooperation.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def pings(monkeypatch):
    """Records each ping /healthz sends and answers it with `pings.replies` (no worker by default)."""

    class Recorder:
        calls = 0
        replies: list = []

    def ping(**kwargs):
        Recorder.calls += 1
        return Recorder.replies

    monkeypatch.setattr(app.control, "ping", ping)
    yield Recorder
    heartbeat.forget("beating@test")


# Slow: starts a real Celery worker.
@pytest.mark.slow
def test_green_when_database_redis_and_a_worker_answer(client, celery_worker_process):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["redis"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] is True
    assert [name.split("@")[0] for name in body["checks"]["worker"]["workers"]] == ["test-worker"]
    # The worker wrote its heartbeat on connecting, so no ping was needed.
    assert body["checks"]["worker"]["seen_by"] == "heartbeat"


# Slow: starts a real Celery worker.
@pytest.mark.slow
def test_a_worker_removes_its_heartbeat_when_it_stops(celery_worker_process):
    assert [name.split("@")[0] for name in heartbeat.fresh_workers()] == ["test-worker"]
    celery_worker_process.terminate()
    celery_worker_process.wait(timeout=30)
    assert heartbeat.fresh_workers() == []


def test_a_fresh_heartbeat_answers_without_a_ping(client, pings):
    heartbeat.record("beating@test")
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"] == {"ok": True, "workers": ["beating@test"], "seen_by": "heartbeat"}
    assert pings.calls == 0


def test_a_stale_heartbeat_is_checked_with_a_ping(client, pings, settings):
    heartbeat.record("beating@test", at=time.time() - settings.WORKER_HEARTBEAT_STALE_SECONDS - 1)
    pings.replies = [{"pinged@test": {"ok": "pong"}}]
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"] == {"ok": True, "workers": ["pinged@test"], "seen_by": "ping"}
    assert pings.calls == 1


def test_a_stale_heartbeat_and_no_answer_to_the_ping_is_a_503(client, pings, settings):
    heartbeat.record("beating@test", at=time.time() - settings.WORKER_HEARTBEAT_STALE_SECONDS - 1)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "error": "no worker answered"}
    assert pings.calls == 1


def test_without_a_heartbeat_the_workers_are_pinged(client, pings):
    pings.replies = [{"pinged@test": {"ok": "pong"}}]
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"]["seen_by"] == "ping"
    assert pings.calls == 1


def test_503_when_no_worker_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": False, "error": "no worker answered"}


def test_503_when_redis_is_unreachable(client, settings, tmp_path):
    settings.REDIS_URL = f"unix://{tmp_path}/nothing-listens-here.sock"
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["redis"]["ok"] is False
    assert checks["worker"]["ok"] is False


def test_livez_answers_without_the_database_or_redis(client, settings, tmp_path, django_assert_num_queries):
    settings.REDIS_URL = f"unix://{tmp_path}/nothing-listens-here.sock"
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
