"""Every API address ends in a slash; one written without it is redirected there, body and all.

Django's own redirect is a 301, which clients follow with a GET (a POST's body is lost), and
in development it refuses a write outright with a server error. Under /api/ the redirect is
a 308, which keeps the method and the body.
"""

from django.http.response import HttpResponseRedirectBase
from django.middleware.common import CommonMiddleware
from django.utils.http import escape_leading_slashes

from .errors import is_api_request


class HttpResponsePermanentRedirectKeepingMethod(HttpResponseRedirectBase):
    status_code = 308


class SlashRedirectMiddleware(CommonMiddleware):
    def process_response(self, request, response):
        if is_api_request(request) and response.status_code == 404 and self.should_redirect_with_slash(request):
            return HttpResponsePermanentRedirectKeepingMethod(
                escape_leading_slashes(request.get_full_path(force_append_slash=True))
            )
        return super().process_response(request, response)
