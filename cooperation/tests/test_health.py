"""/healthz against the real database, the real Redis and a real Celery worker."""

import pytest

pytestmark = pytest.mark.django_db


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
