import logging

from redis.exceptions import RedisError
from rest_framework.throttling import UserRateThrottle

from cooperation.models import ApiToken

logger = logging.getLogger(__name__)


class TokenClientThrottle(UserRateThrottle):
    """Scripts on tokens are rate-limited; people in the browsable API are not."""

    scope = "token_client"

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return True
        try:
            return super().allow_request(request, view)
        except RedisError as exc:
            # The counters live in Redis; while it is away the API keeps serving unthrottled
            # rather than failing every call.
            logger.warning("API throttling is off while the cache is unreachable: %s", exc)
            return True
