"""The annual summary in the API: the dashboard's figures for one calendar or fiscal year."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperation.roles import reads_reports

from ..summary import annual_summary, period_for


class ReportsPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        return reads_reports(request.user)


class AnnualSummaryQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=1950, max_value=2100, required=False)
    fiscal_year = serializers.IntegerField(min_value=1950, max_value=2100, required=False)

    def validate(self, attrs):
        if ("year" in attrs) == ("fiscal_year" in attrs):
            raise ValidationError({"year": [_("Give either year or fiscal_year.")]}, code="one_of")
        return attrs


class AnnualSummaryView(APIView):
    """The figures of the dashboard for one calendar or fiscal year (managers and staff)."""

    permission_classes = [ReportsPermission]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="Calendar year, e.g. 2012"),
            OpenApiParameter("fiscal_year", OpenApiTypes.INT, description="Japanese fiscal year (April–March)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = AnnualSummaryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        unknown = set(request.query_params) - {"year", "fiscal_year", "format"}
        if unknown:
            raise ValidationError({name: [_("Unknown query parameter.")] for name in sorted(unknown)})
        fiscal = "fiscal_year" in query.validated_data
        period = period_for(**query.validated_data)
        return Response(annual_summary(period, fiscal=fiscal, with_trends=False).as_dict())


@extend_schema(exclude=True)
class FormerAnnualSummaryView(AnnualSummaryView):
    """The same answer at the address without the trailing slash, pointing to the current one.

    Answered in place rather than redirected: a client that does not follow redirects, or
    drops its token on one, keeps working.
    """

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Deprecation"] = "true"
        response["Link"] = f'<{reverse("annual-summary")}>; rel="successor-version"'
        return response
