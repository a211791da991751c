"""One error shape for every API answer that is not a success.

    {"error": {"status": 400, "code": "invalid", "message": "…",
               "fields": {"end_date": [{"code": "date_order", "message": "…"}]}}}

`fields` appears only for validation errors; nested serializers nest it.
While the database cannot be reached the answer is 503 with Retry-After, so clients
back off and retry instead of treating an outage as a bug (a 500).
"""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

# Long enough for a database restart or failover, short enough that nothing waits idly.
RETRY_AFTER_SECONDS = 5

DATABASE_ERRORS = (OperationalError, InterfaceError)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the record."
    default_code = "conflict"


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable; retry shortly."
    default_code = "unavailable"


def database_unavailable_message() -> str:
    return _("The service is briefly unavailable; retry in a few seconds.")


def validation_error_from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A model's ValidationError as DRF's, with codes kept and __all__ as non_field_errors."""
    items = exc.error_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.error_list)]
    detail = {
        ("non_field_errors" if name == "__all__" else name): [
            exceptions.ErrorDetail(message, code=error.code or "invalid")
            for error in errors
            for message in error.messages
        ]
        for name, errors in items
    }
    return exceptions.ValidationError(detail)


def _from_django(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        return validation_error_from_django(exc)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        names = sorted({str(obj._meta.verbose_name_plural) for obj in objects})
        return Conflict(
            _("This record cannot be deleted while other records refer to it: %(names)s.")
            % {"names": ", ".join(names)},
            code="protected",
        )
    if isinstance(exc, IntegrityError):
        # Reached only when a concurrent write beat the validation to a constraint.
        return Conflict(_("Another change to the same records was saved first; reload and retry."))
    if isinstance(exc, DATABASE_ERRORS):
        # Nothing was saved: the transaction died with the connection.
        return DatabaseUnavailable(database_unavailable_message())
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _is_detail(item) -> bool:
    return isinstance(item, dict) and set(item) == {"message", "code"}


def _storable(detail: dict) -> dict:
    # A message may quote the rejected value. PostgreSQL text cannot hold NUL (the answer
    # is kept for idempotent replays) and clients in C read it as the end of the string.
    return {**detail, "message": detail["message"].replace("\x00", "\N{REPLACEMENT CHARACTER}")}


def _field_details(details):
    """Turn DRF's full details into lists of {code, message}, keeping nesting."""
    if _is_detail(details):
        return [_storable(details)]
    if isinstance(details, dict):
        return {name: _field_details(value) for name, value in details.items()}
    if isinstance(details, list):
        if all(_is_detail(item) for item in details):
            return [_storable(item) for item in details]
        return [_field_details(item) for item in details]
    return details


def error_body(status_code: int, code: str, message: str, fields=None) -> dict:
    body = {"status": status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def exception_handler(exc, context):
    exc = _from_django(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        details = exc.get_full_details()
        if isinstance(details, list):
            details = {"non_field_errors": details}
        response.data = error_body(
            response.status_code, "invalid", _("Some values are invalid; see fields."), _field_details(details)
        )
    else:
        full = exc.get_full_details() if isinstance(exc, exceptions.APIException) else {}
        if not isinstance(full, dict) or set(full) != {"message", "code"}:
            full = {"message": str(getattr(exc, "detail", exc)), "code": getattr(exc, "default_code", "error")}
        response.data = error_body(response.status_code, str(full["code"]), str(full["message"]))
    if isinstance(exc, DatabaseUnavailable):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if is_api_request(request):
        return JsonResponse(error_body(404, "not_found", _("Not found.")), status=404)
    from django.views.defaults import page_not_found as default

    return default(request, exception)


def database_unavailable_response(request):
    """503 in the API's error shape, or as a page, both with Retry-After.

    The page is rendered without the request's context: its context processors would
    ask the database for the user.
    """
    if is_api_request(request):
        response = JsonResponse(error_body(503, "unavailable", database_unavailable_message()), status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    if is_api_request(request):
        return JsonResponse(error_body(500, "server_error", _("Server error.")), status=500)
    from django.views.defaults import server_error as default

    return default(request)


# Error answers that Django or a non-API view may give under /api/, by status.
_GENERIC_ERRORS = {
    400: ("bad_request", gettext_lazy("Bad request.")),
    403: ("permission_denied", gettext_lazy("You do not have permission to perform this action.")),
    404: ("not_found", gettext_lazy("Not found.")),
    405: ("method_not_allowed", gettext_lazy("This method is not allowed here.")),
    406: ("not_acceptable", gettext_lazy("The requested format is not available.")),
    500: ("server_error", gettext_lazy("Server error.")),
}
# Headers that tell the client what to do next; they survive the rewrite.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _in_error_shape(response) -> bool:
    if response.get("Content-Type", "").startswith("application/json"):
        return True
    # The browsable API renders the same error body as a page for a person who asked for HTML.
    renderer = getattr(response, "accepted_renderer", None)
    return renderer is not None and renderer.format == "api"


def error_shaped(request, response):
    """`response`, or for an error under /api/ that is not yet JSON, the same error in the shape.

    Django answers an unknown address, or an exception in development (DEBUG), with an
    HTML page whatever the handlers say; a schema view renders its errors as YAML. A
    client of the API must be able to read every error the same way.
    """
    if not is_api_request(request) or response.status_code < 400 or _in_error_shape(response):
        return response
    data = getattr(response, "data", None)
    if not (isinstance(data, dict) and "error" in data):
        code, message = _GENERIC_ERRORS.get(response.status_code, ("error", HTTPStatus(response.status_code).phrase))
        data = error_body(response.status_code, code, str(message))
    shaped = JsonResponse(data, status=response.status_code)
    for header in _KEPT_HEADERS:
        if response.has_header(header):
            shaped[header] = response[header]
    return shaped
