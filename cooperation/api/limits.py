"""Request size limits for the API, answered in the one error shape (413)."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

from .errors import error_body


class ApiBodySizeLimitMiddleware:
    """Refuse oversized API bodies before anything reads them.

    JSON bodies stop at API_MAX_BODY_BYTES (1 MiB); multipart uploads (CSV/XLSX files)
    at API_MAX_UPLOAD_BYTES.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
            limit = settings.API_MAX_UPLOAD_BYTES if multipart else settings.API_MAX_BODY_BYTES
            if length > limit:
                message = _("The request body is %(size)d bytes; the limit is %(limit)d bytes.") % {
                    "size": length,
                    "limit": limit,
                }
                return JsonResponse(error_body(413, "payload_too_large", message), status=413)
        return self.get_response(request)
