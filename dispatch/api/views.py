"""The `experts` and `deployments` resources and their actions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from cooperation.access import in_scope_of
from cooperation.api.permissions import StaffOnly
from cooperation.api.row_imports import HistoryImportMixin
from cooperation.api.rows import listed
from cooperation.api.viewsets import CooperationViewSet, ServiceWritesMixin
from cooperation.archive import ArchivingViewSetMixin

from .. import services
from ..choices import DeploymentStatus
from ..filters import (
    DeploymentFilter,
    DisasterEventFilter,
    ExpertFilter,
    FigureCheckpointFilter,
    MissionFilter,
    OpeningBalanceFilter,
)
from ..imports import DeploymentHistory, MissionHistory
from ..models import (
    ChecklistItem,
    Deployment,
    DisasterEvent,
    Expert,
    FigureCheckpoint,
    Mission,
    OpeningBalance,
    SafetyCheckIn,
)
from ..selectors import (
    candidate_search,
    candidates_for,
    deployment_countries,
    parse_language_requirements,
    standby_readiness,
)
from ..stats import mission_officers
from .serializers import (
    AssembleSerializer,
    AssemblySerializer,
    CandidateQuerySerializer,
    CandidateSerializer,
    ChecklistMarkSerializer,
    CompletionSerializer,
    DeploymentCandidateQuerySerializer,
    DeploymentSerializer,
    DeploymentStatusChangeSerializer,
    DisasterEventSerializer,
    ExpertSerializer,
    FigureCheckpointSerializer,
    MissionSerializer,
    OpeningBalanceSerializer,
    PastDeploymentSerializer,
    ReadinessQuerySerializer,
    ReadinessSerializer,
    SafetyCheckInSerializer,
    TransitionSerializer,
)

NO_PAGING: dict[str, Any] = {"pagination_class": None, "filter_backends": []}
BRIEF_EXCLUDED = OpenApiParameter("brief", OpenApiTypes.BOOL, exclude=True)
CANDIDATE_LIMIT = 50


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise exceptions.PermissionDenied(code="permission_denied")


def _query_data(request, *names: str) -> dict:
    """Query parameters as a dict; the named ones keep every repetition as a list."""
    data = {key: request.query_params.get(key) for key in request.query_params}
    for name in names:
        if name in request.query_params:
            data[name] = request.query_params.getlist(name)
    return data


class ExpertViewSet(ArchivingViewSetMixin, ServiceWritesMixin, CooperationViewSet):
    """The roster. Personal data (birth date, contact, passport, medical, training, notes)
    is absent for everyone but agency staff; partners see only the experts of the
    deployments they see."""

    queryset = Expert.objects.select_related("organization").prefetch_related("specialties", "languages")
    serializer_class = ExpertSerializer
    filterset_class = ExpertFilter
    search_fields = ("personnel_number", "family_name", "given_name", "name_ja", "rank")
    ordering_fields = ("personnel_number", "family_name", "status", "updated_at")
    ordering = ("family_name", "given_name", "pk")
    create_service = staticmethod(services.expert_create)
    update_service = staticmethod(services.expert_update)
    instance_argument = "expert"

    def restricted_queryset(self, action: str):
        # Countries served are derived from the deployments the caller may see, so a
        # partner never learns where an expert went for someone else.
        deployments = in_scope_of(self.request.user, Deployment.objects.all())
        return (
            super().restricted_queryset(action).annotate(served_countries=deployment_countries(deployments=deployments))
        )

    @extend_schema(
        summary="Available, fit experts for a country and period, ranked with reasons (staff only)",
        parameters=[
            OpenApiParameter("country", OpenApiTypes.STR, required=True, description="ISO 3166 alpha-2"),
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True),
            OpenApiParameter("field", OpenApiTypes.STR, many=True, description="Cooperation field code"),
            OpenApiParameter("language", OpenApiTypes.STR, many=True, description="code:minimum level, e.g. en:3"),
            OpenApiParameter("term", OpenApiTypes.STR, enum=["long", "short"]),
            BRIEF_EXCLUDED,
        ],
        responses={200: CandidateSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], **NO_PAGING)
    def candidates(self, request, *args, **kwargs):
        _require(request, "dispatch.change_deployment")
        query = CandidateQuerySerializer(data=_query_data(request, "field", "language"))
        query.is_valid(raise_exception=True)
        params = query.validated_data
        found = candidate_search(
            country=params["country"],
            fields=params["field"],
            languages=parse_language_requirements(params["language"]),
            start=params["start"],
            end=params["end"],
            term=params["term"],
            limit=CANDIDATE_LIMIT,
        )
        return Response(CandidateSerializer(found, many=True).data)


# A page's several hundred checklist items are ticked by a handful of people: each person
# is read once (not joined to every item), with only what ActorField writes of them.
CHECKLIST_ITEMS = ChecklistItem.objects.prefetch_related(
    Prefetch("done_by", queryset=get_user_model().objects.only("username", "is_superuser"))
)


class DeploymentViewSet(HistoryImportMixin, ServiceWritesMixin, CooperationViewSet):
    """Deployments of every kind. Partner coordinators see those on their organization's
    projects (and secondments to it) and may file requests; everything after a request is
    staff work, through the lifecycle actions."""

    queryset = (
        Deployment.objects.with_effective_dates()
        .select_related("expert", "project", "host_organization", "mission", "requesting_organization", "approved_by")
        .prefetch_related(listed("checklist", CHECKLIST_ITEMS))
    )
    serializer_class = DeploymentSerializer
    filterset_class = DeploymentFilter
    search_fields = ("post", "city", "expert__family_name", "expert__given_name", "expert__personnel_number")
    ordering_fields = ("planned_start", "planned_end", "actual_start", "status", "country", "updated_at")
    ordering = ("-planned_start", "pk")
    row_import = DeploymentHistory()
    # A new deployment is a request, whoever files it.
    create_service = staticmethod(services.deployment_request)
    update_service = staticmethod(services.deployment_update)
    instance_argument = "deployment"

    def _staff_object(self):
        _require(self.request, "dispatch.change_deployment")
        return self.get_object()

    def _answer(self, deployment):
        return Response(self.get_serializer(self._reloaded(deployment)).data)

    @extend_schema(
        summary="Move the deployment along its lifecycle (staff only)",
        request=TransitionSerializer,
        responses={200: DeploymentSerializer},
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        deployment = self._staff_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        moved = services.deployment_transition(deployment=deployment, actor=request.user, **body.validated_data)
        return self._answer(moved)

    @extend_schema(
        summary="Record a deployment of the past, directly as returned or closed (staff only)",
        description="The pre-departure steps (request, nomination, checklist, documents, approval) are not "
        "applied; the expert's deployments still may not overlap. The record and its history are marked "
        "retrospective. A mission's member (`mission`) takes the mission's kind and country.",
        request=PastDeploymentSerializer,
        responses={201: DeploymentSerializer},
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=False, methods=["post"], url_path="record-past", permission_classes=[StaffOnly], **NO_PAGING)
    def record_past(self, request, *args, **kwargs):
        body = PastDeploymentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        recorded = services.deployment_record_past(actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self._reloaded(recorded)).data, status=201)

    @extend_schema(
        summary="Record the approval a high-risk destination needs (staff only)",
        request=None,
        responses={200: DeploymentSerializer},
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        return self._answer(services.deployment_approve(deployment=self._staff_object(), actor=request.user))

    @extend_schema(
        summary="Record the completion report and recognition after the return (staff only)",
        request=CompletionSerializer,
        responses={200: DeploymentSerializer},
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=True, methods=["post"])
    def completion(self, request, *args, **kwargs):
        deployment = self._staff_object()
        body = CompletionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = services.deployment_record_completion(deployment=deployment, actor=request.user, **body.validated_data)
        return self._answer(done)

    @extend_schema(
        summary="Tick or untick a pre-departure checklist item (staff only)",
        request=ChecklistMarkSerializer,
        responses={200: DeploymentSerializer},
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=True, methods=["post"])
    def checklist(self, request, *args, **kwargs):
        deployment = self._staff_object()
        body = ChecklistMarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = deployment.checklist.filter(kind=body.validated_data["kind"]).first()
        if item is None:
            raise exceptions.ValidationError(
                {"kind": ["This item is not on the deployment's checklist."]}, code="not_on_checklist"
            )
        services.checklist_item_mark(
            item=item, done=body.validated_data["done"], note=body.validated_data.get("note"), actor=request.user
        )
        return self._answer(deployment)

    @extend_schema(
        summary="Status history: who moved the deployment, when, from and to",
        responses={200: DeploymentStatusChangeSerializer(many=True)},
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=True, methods=["get"], url_path="status-history", **NO_PAGING)
    def status_history(self, request, *args, **kwargs):
        deployment = self.get_object()
        changes = deployment.status_changes.select_related("actor").order_by("changed_at", "pk")
        return Response(
            DeploymentStatusChangeSerializer(changes, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        methods=["GET"],
        summary="Safety check-ins, latest first (staff and managers)",
        responses={200: SafetyCheckInSerializer(many=True)},
        parameters=[BRIEF_EXCLUDED],
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a safety check-in of a deployed expert (staff only)",
        request=SafetyCheckInSerializer,
        responses={201: SafetyCheckInSerializer},
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=True, methods=["get", "post"], url_path="check-ins", **NO_PAGING)
    def check_ins(self, request, *args, **kwargs):
        if request.method == "GET":
            _require(request, "dispatch.view_safetycheckin")
            deployment = self.get_object()
            entries = SafetyCheckIn.objects.filter(deployment=deployment).select_related("by").order_by("-at", "-pk")
            return Response(SafetyCheckInSerializer(entries, many=True, context=self.get_serializer_context()).data)
        _require(request, "dispatch.add_safetycheckin")
        deployment = self._staff_object()
        body = SafetyCheckInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        check_in = services.safety_check_in_record(deployment=deployment, actor=request.user, **body.validated_data)
        return Response(SafetyCheckInSerializer(check_in, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        summary="Ranked candidates for a requested deployment (staff only)",
        parameters=[
            OpenApiParameter("field", OpenApiTypes.STR, many=True, description="Field codes; the project's by default"),
            OpenApiParameter("language", OpenApiTypes.STR, many=True, description="code:minimum level, e.g. en:3"),
            BRIEF_EXCLUDED,
        ],
        responses={200: CandidateSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], **NO_PAGING)
    def candidates(self, request, *args, **kwargs):
        deployment = self._staff_object()
        if deployment.status not in (DeploymentStatus.REQUESTED, DeploymentStatus.NOMINATED):
            raise exceptions.ValidationError(
                {"status": ["Candidates are searched for requested or nominated deployments."]}, code="not_requested"
            )
        query = DeploymentCandidateQuerySerializer(data=_query_data(request, "field", "language"))
        query.is_valid(raise_exception=True)
        found = candidates_for(
            deployment,
            languages=parse_language_requirements(query.validated_data["language"]),
            fields=query.validated_data.get("field"),
            limit=CANDIDATE_LIMIT,
        )
        return Response(CandidateSerializer(found, many=True).data)


class DisasterEventViewSet(ServiceWritesMixin, CooperationViewSet):
    queryset = DisasterEvent.objects.all()
    serializer_class = DisasterEventSerializer
    filterset_class = DisasterEventFilter
    search_fields = ("name", "name_ja", "description")
    ordering_fields = ("occurred_on", "name", "country", "updated_at")
    ordering = ("-occurred_on", "pk")
    create_service = staticmethod(services.disaster_create)
    update_service = staticmethod(services.disaster_update)
    instance_argument = "disaster"


class MissionViewSet(HistoryImportMixin, ServiceWritesMixin, CooperationViewSet):
    """Disaster-relief and civilian-police missions; members are deployments of the same kind."""

    queryset = (
        Mission.objects.select_related("disaster", "requesting_organization")
        .annotate(officers=mission_officers())
        .prefetch_related(Prefetch("members", queryset=Deployment.objects.select_related("expert").order_by("pk")))
    )
    serializer_class = MissionSerializer
    filterset_class = MissionFilter
    row_import = MissionHistory()
    search_fields = ("name", "name_ja", "results", "disaster__name")
    ordering_fields = ("requested_on", "departure_on", "name", "country", "updated_at")
    ordering = ("-requested_on", "pk")
    create_service = staticmethod(services.mission_create)
    update_service = staticmethod(services.mission_update)
    instance_argument = "mission"

    @extend_schema(
        summary="Staff the mission in one step from the standby roster (staff only)",
        request=AssembleSerializer,
        responses={200: AssemblySerializer},
        parameters=[BRIEF_EXCLUDED],
    )
    @action(detail=True, methods=["post"])
    def assemble(self, request, *args, **kwargs):
        _require(request, "dispatch.change_mission")
        _require(request, "dispatch.add_deployment")
        mission = self.get_object()
        body = AssembleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assembly = services.mission_assemble(mission=mission, actor=request.user, **body.validated_data)
        members = Deployment.objects.select_related("expert").filter(pk__in=[m.pk for m in assembly.members])
        assembly.members = list(members.order_by("pk"))
        return Response(AssemblySerializer(assembly, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="How many standby members of each specialty could leave on a day, and what holds the rest",
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, description="Today when left out."),
            BRIEF_EXCLUDED,
        ],
        responses={200: ReadinessSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], **NO_PAGING)
    def readiness(self, request, *args, **kwargs):
        _require(request, "dispatch.view_expert")
        # A plain dict: from a QueryDict, DRF would read `?date=` as "no date" instead of an error.
        query = ReadinessQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        return Response(ReadinessSerializer(standby_readiness(query.validated_data.get("date")), many=True).data)


class FigureStatementViewSet(CooperationViewSet):
    """Read-only: staff keep these records in the admin, where each is checked against the
    figures it reconciles; staff and managers read them here."""

    http_method_names = ["get", "head", "options"]
    search_fields = ("source_title", "source_document")
    ordering_fields = ("figure", "as_of", "value", "updated_at")
    ordering = ("figure", "as_of", "pk")


class FigureCheckpointViewSet(FigureStatementViewSet):
    """Cumulative totals the agency published, each with its source document."""

    queryset = FigureCheckpoint.objects.all()
    serializer_class = FigureCheckpointSerializer
    filterset_class = FigureCheckpointFilter


class OpeningBalanceViewSet(FigureStatementViewSet):
    """What cumulative figures carry beyond the records, each with its source and explanation."""

    queryset = OpeningBalance.objects.all()
    serializer_class = OpeningBalanceSerializer
    filterset_class = OpeningBalanceFilter
