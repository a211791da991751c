"""The IATI activity file endpoint: public, streamed, documented as XML."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from ..iati import iati_activities


class IatiActivitiesView(APIView):
    """The published portfolio as an IATI 2.03 activity file, for anyone."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # The body is always XML; only errors are rendered, in the API's one JSON shape.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="iati_activities",
        summary="IATI 2.03 activity file of the published portfolio",
        description="An `iati-activities` document (IATI standard 2.03) with one activity per published "
        "program (hierarchy 1) and per published project of a published program (hierarchy 2). "
        "No authentication needed; streamed.",
        responses={
            (200, "application/xml"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The `iati-activities` XML document."
            )
        },
    )
    def get(self, request):
        response = StreamingHttpResponse(iati_activities(), content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="activities.xml"'
        return response
