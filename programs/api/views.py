from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from cooperation.api.permissions import StaffOnly
from cooperation.api.viewsets import CooperationViewSet, ServiceWritesMixin
from cooperation.archive import ArchivingViewSetMixin

from .. import services
from ..filters import (
    EventFilter,
    FundingFilter,
    IndicatorFilter,
    IndicatorPeriodFilter,
    MeasurementFilter,
    PeriodValueFilter,
    ProgramFilter,
    ProjectFilter,
    SiteFilter,
)
from ..models import (
    Event,
    Funding,
    Indicator,
    IndicatorPeriod,
    Measurement,
    PeriodValue,
    PeriodValueBreakdown,
    Program,
    ProgramPartner,
    Project,
    Site,
)
from ..selectors import indicators_with_progress
from .serializers import (
    EventSerializer,
    FundingSerializer,
    IndicatorPeriodSerializer,
    IndicatorSerializer,
    MeasurementSerializer,
    PeriodValueSerializer,
    ProgramSerializer,
    ProjectSerializer,
    ReturnSerializer,
    SiteSerializer,
)


class ProgramViewSet(ArchivingViewSetMixin, ServiceWritesMixin, CooperationViewSet):
    queryset = Program.objects.select_related("counterpart").prefetch_related(
        "fields",
        "priority_regions",
        Prefetch("partnerships", queryset=ProgramPartner.objects.select_related("organization")),
    )
    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter
    search_fields = ("code", "title", "title_ja", "objectives", "description", "counterpart__name")
    ordering_fields = ("code", "title", "country", "start_date", "end_date", "status", "updated_at")
    ordering = ("-start_date", "code")
    create_service = staticmethod(services.program_create)
    update_service = staticmethod(services.program_update)
    instance_argument = "program"

    def perform_destroy(self, instance):
        services.program_delete(program=instance, actor=self.request.user)


class ProjectViewSet(ServiceWritesMixin, CooperationViewSet):
    queryset = Project.objects.select_related("program", "counterpart").prefetch_related("fields")
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    search_fields = ("code", "title", "title_ja", "description", "program__code", "program__title")
    ordering_fields = ("code", "title", "country", "start_date", "end_date", "status", "updated_at")
    ordering = ("-start_date", "code")
    create_service = staticmethod(services.project_create)
    update_service = staticmethod(services.project_update)
    instance_argument = "project"

    def perform_destroy(self, instance):
        services.project_delete(project=instance, actor=self.request.user)


class SiteViewSet(ServiceWritesMixin, CooperationViewSet):
    queryset = Site.objects.select_related("organization").prefetch_related("projects")
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    search_fields = ("code", "name", "name_ja", "city")
    ordering_fields = ("code", "name", "country", "city", "updated_at")
    ordering = ("country", "name", "pk")
    create_service = staticmethod(services.site_create)
    update_service = staticmethod(services.site_update)
    instance_argument = "site"


class FundingViewSet(ServiceWritesMixin, CooperationViewSet):
    queryset = Funding.objects.select_related("program", "project", "organization")
    serializer_class = FundingSerializer
    filterset_class = FundingFilter
    search_fields = ("note", "program__code", "program__title", "project__code", "organization__name")
    ordering_fields = ("fiscal_year", "amount", "currency", "updated_at")
    ordering = ("fiscal_year", "pk")
    create_service = staticmethod(services.funding_create)
    update_service = staticmethod(services.funding_update)
    instance_argument = "funding"


class IndicatorViewSet(ServiceWritesMixin, CooperationViewSet):
    queryset = indicators_with_progress(Indicator.objects.select_related("project", "program", "parent"))
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    search_fields = ("name", "name_ja", "unit", "description", "project__code", "project__title")
    ordering_fields = ("name", "target_date", "baseline_date", "progress", "latest_period_end", "updated_at")
    ordering = ("project__code", "name", "pk")
    create_service = staticmethod(services.indicator_create)
    update_service = staticmethod(services.indicator_update)
    instance_argument = "indicator"


@extend_schema_view(
    create=extend_schema(
        summary="Report a value of an indicator",
        description="Partner coordinators report for the indicators of the programs their organization takes "
        "part in; the reporting organization is theirs. One value per indicator and period end.",
        examples=[
            OpenApiExample(
                "Quarterly value",
                request_only=True,
                value={
                    "indicator": 12,
                    "period_end": "2026-09-30",
                    "value": "41.5",
                    "source": "Provincial police statistics, Q3",
                    "note": "",
                },
            ),
            OpenApiExample(
                "Recorded value",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 301,
                    "url": "https://cooperation.example/api/v1/measurements/301/",
                    "display": "Share of cases solved with forensic evidence: 41.5 (2026-09-30)",
                    "indicator": {"id": 12, "display": "Share of cases solved with forensic evidence"},
                    "period_end": "2026-09-30",
                    "value": "41.5000",
                    "source": "Provincial police statistics, Q3",
                    "note": "",
                    "reported_by": {"id": 4, "code": "jica", "display": "Japan International Cooperation Agency"},
                    "created_at": "2026-10-04T09:12:00+09:00",
                    "updated_at": "2026-10-04T09:12:00+09:00",
                },
            ),
        ],
    )
)
class MeasurementViewSet(ServiceWritesMixin, CooperationViewSet):
    queryset = Measurement.objects.select_related("indicator", "reported_by")
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    search_fields = ("source", "note", "indicator__name")
    ordering_fields = ("period_end", "value", "updated_at")
    ordering = ("indicator", "period_end", "pk")
    create_service = staticmethod(services.measurement_create)
    update_service = staticmethod(services.measurement_update)
    instance_argument = "measurement"


class EventViewSet(ServiceWritesMixin, CooperationViewSet):
    queryset = Event.objects.select_related("program").prefetch_related("fields", "organizers")
    serializer_class = EventSerializer
    filterset_class = EventFilter
    search_fields = ("code", "name", "name_ja", "place", "description")
    ordering_fields = ("name", "start_date", "end_date", "participant_count", "updated_at")
    ordering = ("-start_date", "name", "pk")
    create_service = staticmethod(services.event_create)
    update_service = staticmethod(services.event_update)
    instance_argument = "event"


class IndicatorPeriodViewSet(CooperationViewSet):
    """Read-only: staff set periods and targets in the admin."""

    http_method_names = ["get", "head", "options"]
    queryset = IndicatorPeriod.objects.select_related("indicator")
    serializer_class = IndicatorPeriodSerializer
    filterset_class = IndicatorPeriodFilter
    ordering_fields = ("start", "end", "updated_at")
    ordering = ("indicator", "start", "pk")


@extend_schema_view(
    create=extend_schema(
        summary="Submit a value for a period, for review",
        description="Partner coordinators submit for the indicators of their organization's programs; a value the "
        "agency returned is corrected by submitting again. A complete breakdown (every category of a "
        "disaggregation) must add up to the value. Locked periods accept no values.",
        examples=[
            OpenApiExample(
                "Quarterly value by gender",
                request_only=True,
                value={
                    "period": 31,
                    "value": "40",
                    "comment": "Officers trained in Q1",
                    "breakdown": [{"category": 5, "amount": "28"}, {"category": 6, "amount": "12"}],
                },
            )
        ],
    )
)
class PeriodValueViewSet(CooperationViewSet):
    http_method_names = ["get", "post", "head", "options"]
    queryset = PeriodValue.objects.select_related(
        "period__indicator", "organization", "entered_by", "reviewed_by"
    ).prefetch_related(
        Prefetch("breakdown", queryset=PeriodValueBreakdown.objects.select_related("category")), "evidence"
    )
    serializer_class = PeriodValueSerializer
    filterset_class = PeriodValueFilter
    # The submit service validates the value, its breakdown and its period.
    services_validate = True
    search_fields = ("comment",)
    ordering_fields = ("created_at", "updated_at", "value")
    ordering = ("period", "pk")

    def perform_create(self, serializer):
        return services.period_value_submit(actor=self.request.user, **serializer.validated_data)

    def _answer(self, period_value):
        return Response(self.get_serializer(self._reloaded(period_value)).data)

    @extend_schema(
        summary="Approve a submitted value (staff only)", request=None, responses={200: PeriodValueSerializer}
    )
    @action(detail=True, methods=["post"], permission_classes=[StaffOnly])
    def approve(self, request, *args, **kwargs):
        return self._answer(services.period_value_approve(period_value=self.get_object(), actor=request.user))

    @extend_schema(
        summary="Return a submitted value for correction, with the reason (staff only)",
        request=ReturnSerializer,
        responses={200: PeriodValueSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return", permission_classes=[StaffOnly])
    def send_back(self, request, *args, **kwargs):
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        returned = services.period_value_return(
            period_value=self.get_object(), actor=request.user, reason=body.validated_data["reason"]
        )
        return self._answer(returned)
