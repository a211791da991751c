"""Duty of care in the API: agency staff only (the records name officials and where they are)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperation.privacy import can_see_personal_data

from ..selectors import officials_present
from .serializers import PresenceQuerySerializer, PresenceSerializer


class DutyOfCarePermission(permissions.BasePermission):
    """Staff only; managers read the counts on the dashboard, partners nothing (403 for both)."""

    def has_permission(self, request, view):
        return can_see_personal_data(request.user)


# --- presence ------------------------------------------------------------------------------


class PresenceView(APIView):
    """Who is abroad on a day (`on`, default today), optionally in the given countries."""

    permission_classes = [DutyOfCarePermission]

    @extend_schema(parameters=[PresenceQuerySerializer], responses={200: PresenceSerializer(many=True)})
    def get(self, request):
        unknown = set(request.query_params) - {"on", "country", "format"}
        if unknown:
            raise ValidationError({name: [_("Unknown query parameter.")] for name in sorted(unknown)})
        data = {key: request.query_params.getlist(key) for key in ("country",) if key in request.query_params}
        if "on" in request.query_params:
            data["on"] = request.query_params["on"]
        query = PresenceQuerySerializer(data=data)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or timezone.localdate()
        found = officials_present(on, countries=query.validated_data.get("country"))
        return Response(PresenceSerializer(found, many=True).data)
