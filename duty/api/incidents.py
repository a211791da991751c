"""The `incidents` resource: record or import an incident, read and mark its roll call, close it.

Staff only: the roll call names officials and where they are. Managers read the counts
on the dashboard; partner coordinators see none of it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cooperation.api.permissions import RolePermission, StaffOnly
from cooperation.api.schema import ErrorSerializer
from cooperation.api.serializers import ActorField, CooperationSerializer
from cooperation.api.viewsets import CooperationViewSet, ServiceWritesMixin
from dispatch.api.fields import BriefReference

from .. import services
from ..models import Incident, RollCallEntry, RollCallStatus
from ..stats_incidents import roll_call_counts

BRIEF_EXCLUDED = OpenApiParameter("brief", OpenApiTypes.BOOL, exclude=True)
NO_PAGING: dict[str, Any] = {"pagination_class": None, "filter_backends": []}


class IncidentSerializer(CooperationSerializer):
    countries = serializers.ListField(
        child=CountryField(), allow_empty=True, required=False, help_text="ISO 3166 alpha-2 codes."
    )
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, required=False, allow_null=True)
    radius_km = serializers.DecimalField(max_digits=7, decimal_places=1, required=False, allow_null=True)
    opened_by = ActorField(allow_null=True)
    closed_by = ActorField(allow_null=True)
    listed = serializers.IntegerField(read_only=True, help_text="Officials on the roll call.")
    unaccounted = serializers.IntegerField(read_only=True, help_text="Officials not yet safe or known to need help.")

    class Meta:
        model = Incident
        fields = (
            "id",
            "url",
            "display",
            "kind",
            "title",
            "countries",
            "latitude",
            "longitude",
            "radius_km",
            "area_description",
            "occurred_at",
            "description",
            "severity",
            "source",
            "cap_identifier",
            "cap_sender",
            "cap_sent",
            "status",
            "opened_by",
            "closed_at",
            "closed_by",
            "closing_note",
            "override_reason",
            "listed",
            "unaccounted",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "source",
            "cap_identifier",
            "cap_sender",
            "cap_sent",
            "status",
            "closed_at",
            "closing_note",
            "override_reason",
        )
        brief_fields = ("id", "url", "display", "occurred_at", "status")


class RollCallEntrySerializer(serializers.ModelSerializer):
    expert = BriefReference(read_only=True)
    country = CountryField(read_only=True)
    marked_by = ActorField(allow_null=True)

    class Meta:
        model = RollCallEntry
        fields = ("id", "expert", "presence_source", "country", "place", "status", "marked_at", "marked_by", "note")
        read_only_fields = fields


class RollCallMarkSerializer(serializers.Serializer):
    expert = serializers.IntegerField(help_text="The official's id, as listed on the roll call.")
    status = serializers.ChoiceField(
        choices=[choice for choice in RollCallStatus.choices if choice[0] != RollCallStatus.UNACCOUNTED]
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Required while officials are unaccounted for: why the incident closes anyway.",
    )


class CapUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CAP 1.2 alert (XML).")


class IncidentViewSet(ServiceWritesMixin, CooperationViewSet):
    """Incidents abroad with the roll call of the officials in their area (staff only)."""

    queryset = Incident.objects.select_related("opened_by", "closed_by").annotate(**roll_call_counts())
    serializer_class = IncidentSerializer
    permission_classes = [RolePermission, StaffOnly]
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ("status", "kind", "source")
    search_fields = ("title", "area_description", "cap_identifier")
    ordering_fields = ("occurred_at", "status", "updated_at")
    ordering = ("-occurred_at", "-pk")
    create_service = staticmethod(services.incident_open)
    instance_argument = "incident"

    def _answer(self, incident, status: int = 200):
        return Response(self.get_serializer(self._reloaded(incident)).data, status=status)

    @extend_schema(
        summary="Open an incident from a CAP 1.2 alert (staff only)",
        description="The same alert (sender and identifier) imported again answers 200 with the incident "
        "opened the first time; a new one answers 201.",
        request={"multipart/form-data": CapUploadSerializer},
        responses={
            201: IncidentSerializer,
            200: IncidentSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Not a readable CAP 1.2 alert; nothing was saved."),
        },
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser], **NO_PAGING)
    def cap(self, request, *args, **kwargs):
        body = CapUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        incident, created = services.incident_import_cap(actor=request.user, data=body.validated_data["file"].read())
        return self._answer(incident, 201 if created else 200)

    @extend_schema(
        summary="Close the incident with a record (staff only)",
        request=CloseSerializer,
        responses={200: IncidentSerializer},
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        incident = self.get_object()
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.incident_close(incident=incident, actor=request.user, **body.validated_data))

    @extend_schema(
        methods=["GET"],
        summary="The roll call: each official in the area, where they were and their status (staff only)",
        responses={200: RollCallEntrySerializer(many=True)},
        parameters=[BRIEF_EXCLUDED],
    )
    @extend_schema(
        methods=["POST"],
        summary="Mark one official of the roll call (staff only)",
        request=RollCallMarkSerializer,
        responses={200: RollCallEntrySerializer},
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=True, methods=["get", "post"], url_path="roll-call", **NO_PAGING)
    def roll_call(self, request, *args, **kwargs):
        incident = self.get_object()
        entries = incident.roll_call.select_related("expert", "marked_by").order_by(
            "country", "expert__family_name", "pk"
        )
        context = self.get_serializer_context()
        if request.method == "GET":
            return Response(RollCallEntrySerializer(entries, many=True, context=context).data)
        body = RollCallMarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = entries.filter(expert_id=body.validated_data["expert"]).first()
        if entry is None:
            raise serializers.ValidationError(
                {"expert": [_("This official is not on the incident's roll call.")]}, code="not_on_roll_call"
            )
        marked = services.roll_call_mark(
            entry=entry, status=body.validated_data["status"], note=body.validated_data["note"], actor=request.user
        )
        return Response(RollCallEntrySerializer(marked, context=context).data)
