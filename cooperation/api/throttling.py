"""Rate limits for token clients, counted in Redis in one atomic step per request.

DRF's throttle reads a client's request history, trims it in Python and writes it back:
two round trips, and two processes serving the same client at once can both read the
history before either writes, so both get through past the limit. Here the same sliding
window (the times of the requests let through in the last period) is a sorted set that a
server-side script trims, counts and extends in one step.
"""

import logging
import secrets
import weakref

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError
from rest_framework.throttling import UserRateThrottle

from cooperation.models import ApiToken

logger = logging.getLogger(__name__)

# KEYS[1]: the window; ARGV: period (seconds), limit, a member unique to this request.
# The time is the Redis server's, one clock for every process and host. Answers {1} when
# the request goes through, {0, count, seconds until the oldest leaves} when refused.
WINDOW_SCRIPT = """
local period, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
  -- Clamped: the server's clock may be set back between two requests.
  local remaining = math.max(0, math.min(period, period - (now - oldest)))
  return {0, count, string.format('%.6f', remaining)}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(period * 1000))
return {1}
"""


# Connection pool → a client on it. Django's Redis cache makes a new client object on each
# call (a few hundred attribute settings); the script needs only one per pool, and a client
# takes a connection from its pool for each command, so threads can share it.
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _client_of(cache: RedisCache):
    backend = cache._cache  # Django's RedisCacheClient; the stubs leave out its pool helpers
    pool = backend._get_connection_pool(write=True)  # type: ignore[attr-defined]
    client = _clients.get(pool)
    if client is None:
        client = _clients[pool] = backend._client(connection_pool=pool)  # type: ignore[attr-defined]
    return client


class TokenClientThrottle(UserRateThrottle):
    """Scripts on tokens are rate-limited; people in the browsable API are not."""

    scope = "token_client"
    _script = None  # registered once per process

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiToken) or self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        cache = caches["default"]
        if not isinstance(cache, RedisCache):  # another cache backend: DRF's own counting
            return super().allow_request(request, view)
        try:
            # The cache's own connection pool (RedisCache keeps it on `_cache`).
            client = _client_of(cache)
            if TokenClientThrottle._script is None:
                TokenClientThrottle._script = client.register_script(WINDOW_SCRIPT)
            answer = TokenClientThrottle._script(
                keys=[cache.make_key(f"{self.key}:window")],
                args=[self.duration, self.num_requests, secrets.token_hex(8)],
                client=client,
            )
        except RedisError as exc:
            # The counters live in Redis; while it is away the API keeps serving unthrottled
            # rather than failing every call.
            logger.warning("API throttling is off while the cache is unreachable: %s", exc)
            return True
        if answer[0] == 1:
            return True
        self.window_count, self.oldest_leaves_in = int(answer[1]), float(answer[2])
        return self.throttle_failure()

    def wait(self):
        """Seconds until a request would go through again (Retry-After), as DRF reckons
        it: the time until the oldest request leaves the window, shared among the
        requests that window will then allow."""
        if not hasattr(self, "oldest_leaves_in"):  # DRF's own counting
            return super().wait()
        available = self.num_requests - self.window_count + 1
        return self.oldest_leaves_in / available if available > 0 else None
