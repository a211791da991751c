import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.dispatch import receiver
from django.utils import translation

from cooperation.api.errors import DATABASE_ERRORS, database_unavailable_response, error_shaped

_DATABASE_FAILED = "_database_unavailable"


class UserLanguageMiddleware:
    """A signed-in user's preferred language wins over the browser's; others negotiate.

    The language switch wins over both: its choice, kept in a cookie for the browser
    session, is the reader's latest word (LocaleMiddleware has already activated it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
        if profile is not None and profile.language:
            translation.activate(profile.language)
            request.LANGUAGE_CODE = profile.language
        return self.get_response(request)


@receiver(got_request_exception)
def _remember_database_failure(sender, request=None, **kwargs):
    # Sent while Django turns an uncaught exception (of a view, or of a middleware below
    # ours loading the session or the user) into a 500 page; the page no longer says why.
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        setattr(request, _DATABASE_FAILED, True)


class DatabaseUnavailableMiddleware:
    """While the database is down, every page and endpoint answers 503 with Retry-After.

    A lost connection is an outage to wait out, not a bug: clients and browsers are told
    to retry, and the next request after the database is back reconnects by itself
    (CONN_HEALTH_CHECKS).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _DATABASE_FAILED, False):
            return database_unavailable_response(request)
        return response


class ApiErrorShapeMiddleware:
    """Every error under /api/ in the API's one JSON shape, whichever layer answered it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return error_shaped(request, self.get_response(request))
