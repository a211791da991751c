"""Failed-login lockout: per user and address, and per address across usernames.

django-axes counts failures per (username, address) pair and locks the pair at
AXES_FAILURE_LIMIT. That stops guessing one account's password, but not one address
trying a few passwords on each of many accounts ("password spraying"). Axes compares
every lockout parameter with the same limit, and a shared office address must not be
locked after five typos, so the address gets its own, higher limit here: at
AXES_ADDRESS_FAILURE_LIMIT failures within the cool-off, from whatever usernames, the
address is locked like a pair would be.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class AddressAwareHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return failures
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        from_address = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if from_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            # Reported as the pair limit, the one number axes compares with.
            return max(failures, get_failure_limit(request, credentials))
        return failures
