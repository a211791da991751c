"""/healthz: database, Redis, Celery worker and task-outbox status; 503 when one is down.
/livez: the process is up and serving requests, whatever the rest.

A worker counts as up while its heartbeat is fresh (cooperation.heartbeat): the check then
costs one Redis read. Only without a fresh heartbeat are the workers pinged.

"degraded" means the database answers (the site serves reads and writes) while the
queue does not: work is kept in the outbox until Redis and a worker are back.
"""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from . import heartbeat

TIMEOUT_SECONDS = 2.0
# A ping waits out its whole timeout for replies from every worker, while a worker that is
# up answers within milliseconds: one second keeps each health check short.
WORKER_PING_SECONDS = 1.0


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any failure means "down"; the message says why
        return {"ok": False, "error": str(exc)[:200]}


def _redis() -> dict:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        )
        client.ping()
        return {"ok": True}
    except redis.RedisError as exc:
        return {"ok": False, "error": str(exc)[:200]}


def _worker(broker_ok: bool) -> dict:
    if not broker_ok:
        return {"ok": False, "error": "the broker (Redis) is unreachable"}
    try:
        alive = heartbeat.fresh_workers()
    except redis.RedisError as exc:
        return {"ok": False, "error": str(exc)[:200]}
    if alive:
        return {"ok": True, "workers": alive, "seen_by": "heartbeat"}
    # No fresh heartbeat: a worker may still be up (started before heartbeats, or its
    # Redis write failed). Only then is it worth waiting for a ping.
    from cooperation.celery import app

    try:
        replies = app.control.ping(timeout=WORKER_PING_SECONDS) or []
    except Exception as exc:  # kombu raises several unrelated types on a lost broker
        return {"ok": False, "error": str(exc)[:200]}
    if not replies:
        return {"ok": False, "error": "no worker answered"}
    return {"ok": True, "workers": sorted(name for reply in replies for name in reply), "seen_by": "ping"}


def _outbox(database_ok: bool) -> dict:
    if not database_ok:
        return {"ok": False, "error": "the database is unreachable"}
    from .outbox import backlog

    try:
        waiting = backlog()
    except Exception as exc:  # a failing query is reported, never raised
        return {"ok": False, "error": str(exc)[:200]}
    return {"ok": waiting["oldest_pending_seconds"] < settings.OUTBOX_STALE_SECONDS, **waiting}


@never_cache
def healthz(request):
    redis_check, database_check = _redis(), _database()
    checks = {
        "database": database_check,
        "redis": redis_check,
        "worker": _worker(redis_check["ok"]),
        "outbox": _outbox(database_check["ok"]),
    }
    healthy = all(check["ok"] for check in checks.values())
    if healthy:
        status = "ok"
    elif database_check["ok"]:
        status = "degraded"
    else:
        status = "unavailable"
    return JsonResponse({"status": status, "checks": checks}, status=200 if healthy else 503)


@never_cache
def livez(request):
    """Liveness, beside /healthz's readiness: the process answers. It reads neither the
    database nor Redis, so an outage of either never looks like a process to restart."""
    return JsonResponse({"status": "ok"})
