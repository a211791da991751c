"""The Celery workers' heartbeat in Redis, so /healthz need not ping them on every call.

Each worker writes the time into one Redis hash, under its name, when it connects to the
broker and every WORKER_HEARTBEAT_SECONDS after (from its event loop, so a worker whose
loop is stuck stops writing), and removes its entry when it shuts down. A worker whose
entry is older than WORKER_HEARTBEAT_STALE_SECONDS is no longer taken as alive; /healthz
then asks the workers with a ping, which waits out its timeout when none answers.
"""

from __future__ import annotations

import time
from typing import cast

import redis
from django.conf import settings

# Short: a heartbeat is written from the worker's event loop and must never hold it up.
TIMEOUT_SECONDS = 2.0


def _client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )


def _key() -> str:
    # The cache's prefix: two sites sharing one Redis keep their heartbeats apart.
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:worker-heartbeats"


def record(worker: str, at: float | None = None) -> None:
    """`worker` is alive at `at` (now, as a Unix time, unless given)."""
    _client().hset(_key(), worker, repr(time.time() if at is None else at))


def forget(worker: str) -> None:
    _client().hdel(_key(), worker)


def fresh_workers(now: float | None = None) -> list[str]:
    """The workers whose last heartbeat is recent enough, by name. Raises RedisError."""
    limit = (time.time() if now is None else now) - settings.WORKER_HEARTBEAT_STALE_SECONDS
    # The client answers bytes (no decode_responses); its stubs allow str as well.
    beats = cast(dict[bytes, bytes], _client().hgetall(_key()))
    return sorted(name.decode() for name, at in beats.items() if float(at) >= limit)
