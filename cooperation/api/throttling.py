from rest_framework.throttling import UserRateThrottle

from cooperation.models import ApiToken


class TokenClientThrottle(UserRateThrottle):
    """Scripts on tokens are rate-limited; people in the browsable API are not."""

    scope = "token_client"

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return True
        return super().allow_request(request, view)
